#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (what agentex-sdk needs), preferring 3.12 itself, or fails
# saying how to get one. Candidates, in order: python3.12 on PATH, pyenv's installed versions
# (under `pyenv root`, lowest first), then python3 / python3.13 / python3.14 on PATH. Each is run:
# a pyenv shim of a version that is not active fails and is skipped.
set -uo pipefail

ok() { [[ -x "$1" ]] && "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

candidates=()
path="$(command -v python3.12 2>/dev/null)" && candidates+=("$path")
if command -v pyenv >/dev/null 2>&1; then
  while IFS= read -r dir; do candidates+=("$dir/bin/python3"); done \
    < <(ls -d "$(pyenv root)"/versions/3.* 2>/dev/null | sort -V)
fi
for name in python3 python3.13 python3.14; do
  path="$(command -v "$name" 2>/dev/null)" && candidates+=("$path")
done

for path in "${candidates[@]}"; do
  if ok "$path"; then
    # The interpreter itself, not a shim: a venv made from it must not depend on which pyenv
    # version is active later.
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done

echo "error: no Python >= 3.12 found; agentex-sdk (the runtime compat test) needs one." >&2
echo "       Install one (e.g. \`pyenv install 3.12\`) and rerun \`just tools\`." >&2
exit 1
