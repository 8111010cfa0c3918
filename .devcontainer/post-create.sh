#!/usr/bin/env bash
# Sets the kit up in a new devcontainer (devcontainer.json's postCreateCommand runs it once, as the container's user,
# in the workspace folder): builds it for the backend this container can use, installs the aecourse command and the
# kit's Jupyter kernel, fetches the full Fashion-MNIST and checks the result with aecourse doctor.
#   bash .devcontainer/post-create.sh                  (again by hand after a `git pull`)
#   bash .devcontainer/post-create.sh --print-backend  (only says which backend it would build: cpu or cuda)
# AECOURSE_BACKEND=cpu|cuda forces the backend.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# cuda when the NVIDIA runtime gave the container a GPU (nvidia-smi exists only then, and lists it), else cpu.
detect_backend() {
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    echo cuda
  else
    echo cpu
  fi
}

backend="${AECOURSE_BACKEND:-$(detect_backend)}"
case "$backend" in
  cpu | cuda) ;;
  *) echo "error: AECOURSE_BACKEND is '$backend'; use cpu or cuda." >&2; exit 2 ;;
esac
if [ "${1:-}" = --print-backend ]; then
  echo "$backend"
  exit 0
fi

step "Building the solution for the $backend backend (the first time NuGet fetches TorchSharp: minutes, more for cuda)"
dotnet build AeCourse.sln -p:AeCourseBackend="$backend"

step "Installing the aecourse command ($backend) as a .NET tool"
# Packed into a temporary folder and installed from there. A tool of the same version is replaced only by uninstalling
# it first (dotnet tool update keeps it), and the kit's version does not change with each commit.
tool_id="$(dotnet msbuild lib/AeCourse.Cli -getProperty:PackageId)"
tool_version="$(dotnet msbuild lib/AeCourse.Cli -getProperty:PackageVersion)"
packages="$(mktemp -d)"
trap 'rm -rf "$packages"' EXIT
dotnet pack lib/AeCourse.Cli -c Release -p:AeCourseBackend="$backend" -o "$packages"
installed="$(dotnet tool list --global)"
if grep -qi "^$tool_id " <<<"$installed"; then
  dotnet tool uninstall --global "$tool_id"
fi
dotnet tool install --global --add-source "$packages" "$tool_id" --version "$tool_version"
export PATH="$PATH:$HOME/.dotnet/tools"

step "Registering the kit's Jupyter kernel (.net-csharp) for VS Code's Jupyter extension and Jupyter Notebook"
aecourse kernel install --user

step "Fetching the full Fashion-MNIST into data/full (full mode of the lectures)"
fetched=yes
if ! aecourse data fetch fashion-mnist; then
  fetched=no
  echo "warning: the full Fashion-MNIST could not be fetched; the lectures' quick mode runs on the embedded subset." >&2
  echo "         Try again later with: aecourse data fetch fashion-mnist" >&2
fi

step "Checking the set-up"
aecourse doctor

step "Done: backend $backend, aecourse $tool_version, full Fashion-MNIST: $fetched"
if [ "$fetched" = no ]; then
  echo "warning: the data fetch failed (see above); everything else is set up." >&2
fi
