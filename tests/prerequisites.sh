#!/usr/bin/env bash
# What the tests need besides the .NET SDK, installed from Debian's packages when missing. `dotnet test` runs this
# before the tests (tests/AeCourse.Tests/AeCourse.Tests.csproj, target InstallTestPrerequisites), so the README's test
# command passes on a fresh Debian 12 machine:
# - chromium: rendered notebooks and charts are opened in a real headless browser;
# - python3-nbformat: executed notebooks are checked with Jupyter's own validator;
# - python3-nbclient, python3-jupyter-client: the lectures run on the kit's Jupyter kernel (and one on .NET Interactive's)
#   as Jupyter runs them, and jupyter_client drives the kit's kernel message by message;
# - jupyter-notebook: a lecture runs in Jupyter Notebook, in Chromium;
# - fonts-dejavu-core: the font captions in pictures are drawn with (the tests check the ink);
# - npm: the offline dataset fallback runs it;
# - bubblewrap: the grader runs each submission in its sandbox;
# - shellcheck: the repository's shell scripts (the devcontainer's among them) are checked with it.
# The kernel tool itself (dotnet-interactive) is installed by the tests, into a folder of their own.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c "import nbformat" >/dev/null 2>&1 || missing+=(python3-nbformat)
/usr/bin/python3 -c "import nbclient" >/dev/null 2>&1 || missing+=(python3-nbclient)
/usr/bin/python3 -c "import jupyter_client" >/dev/null 2>&1 || missing+=(python3-jupyter-client)
[ -x /usr/bin/jupyter-notebook ] || missing+=(jupyter-notebook)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "The tests need Debian's packages: ${missing[*]}; installing them." >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: no apt-get here. Install the equivalents of ${missing[*]} with this system's package manager, then run the tests again." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "error: installing needs root. Run: sudo apt-get install -y ${missing[*]}   then run the tests again." >&2
  exit 1
fi
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
