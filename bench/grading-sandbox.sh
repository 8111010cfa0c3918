#!/usr/bin/env bash
# What the grader's sandbox costs: the same submissions graded with and without it, alternating, ROUNDS times each.
# Prints the grader's own "graded in" time per submission (worker start-up, every cell, the report) as median (min..max)
# for each notebook and mode, and the difference of the medians.
#   bash bench/grading-sandbox.sh [ROUNDS]      (default 7; run from anywhere, after dotnet build -c Release)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
cli=lib/AeCourse.Cli/bin/Release/net10.0/AeCourse.Cli.dll
[ -f "$cli" ] || dotnet build -c Release lib/AeCourse.Cli -v quiet -nologo >/dev/null

# The grading fixture (8 code cells, 3 exercises) and lecture 00 in quick mode (the lightest lecture), each graded
# against itself: every cell runs, as for a student who answered everything.
notebooks=(tests/notebooks/grading/source.ipynb source/00-getting-started.ipynb)
declare -A times
for ((r = 0; r < rounds; r++)); do
  for nb in "${notebooks[@]}"; do
    for mode in sandbox no-sandbox; do
      flags=()
      [[ "$nb" == source/* ]] && flags+=(--quick)   # the lectures' parameter; the fixture has none
      [ "$mode" = no-sandbox ] && flags+=(--no-sandbox)
      t=$(dotnet "$cli" grade "$nb" --source "$nb" ${flags[@]+"${flags[@]}"} 2>&1 >/dev/null | sed -n 's/.*graded in \([0-9.]*\) s.*/\1/p')
      times["$nb|$mode"]+="$t "
    done
  done
done

stats() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.2f s (%.2f..%.2f)|%.3f", m, v[1], v[NR], m}'; }
printf '| notebook | sandboxed | not sandboxed | cost of the sandbox |\n|---|---|---|---|\n'
for nb in "${notebooks[@]}"; do
  IFS='|' read -r with m1 <<<"$(echo "${times["$nb|sandbox"]}" | stats)"
  IFS='|' read -r without m2 <<<"$(echo "${times["$nb|no-sandbox"]}" | stats)"
  printf '| %s | %s | %s | %s s |\n' "$(basename "$nb")" "$with" "$without" "$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%+.2f", a - b }')"
done
