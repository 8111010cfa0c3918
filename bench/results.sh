#!/usr/bin/env bash
# Runs every reference setup on both sides — the kit (`aecourse reproduce`) and its PyTorch twin
# (bench/pytorch/reproduce.py) — and prints the comparison table of docs/results.md.
#
#   bench/results.sh [--full] [--epochs N] [NAME...]      (default: every experiment, embedded data)
#
# Raw outputs are kept in $OUT (default: out/results/), one file per experiment and side, with the wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out/results}
mkdir -p "$out"
options=()
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) options+=(--full); shift ;;
    --epochs) options+=(--epochs "$2"); shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
dotnet build -c Release lib/AeCourse.Cli -v quiet -nologo >/dev/null
kit=(dotnet lib/AeCourse.Cli/bin/Release/net10.0/AeCourse.Cli.dll)
[ ${#names[@]} -gt 0 ] || mapfile -t names < <("${kit[@]}" reproduce --list | awk '{print $1}')

for name in "${names[@]}"; do
  for side in kit pytorch; do
    if [ "$side" = kit ]; then command=("${kit[@]}" reproduce "$name" "${options[@]}")
    else command=(/usr/bin/python3 bench/pytorch/reproduce.py "$name" "${options[@]}"); fi
    start=$(date +%s%N)
    "${command[@]}" > "$out/$name.$side.txt" 2> "$out/$name.$side.log"
    echo "wall seconds: $(( ($(date +%s%N) - start) / 1000000000 ))" >> "$out/$name.$side.log"
    echo "$name ($side): $(tail -n 1 "$out/$name.$side.txt")" >&2
  done
done

# The table: one row per metric; the difference is the kit's relative to PyTorch's.
echo "| experiment | metric | kit (TorchSharp) | PyTorch | kit − PyTorch |"
echo "|---|---|---:|---:|---:|"
for name in "${names[@]}"; do
  awk -v name="$name" 'NR == FNR { torch[$2] = $3; next }
    { t = torch[$2]; d = (t != 0) ? 100 * ($3 - t) / (t < 0 ? -t : t) : 0
      printf "| `%s` | %s | %s | %s | %+.1f%% |\n", name, $2, $3, t, d }' "$out/$name.pytorch.txt" "$out/$name.kit.txt"
done
