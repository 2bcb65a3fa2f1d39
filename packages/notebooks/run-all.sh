#!/usr/bin/env bash
# Executes every tutorial notebook (packages/notebooks/NN-*.ipynb) in place with the tslab TypeScript kernel from
# node_modules and prints each notebook's time. A notebook stops at its first cell that throws or fails to
# type-check (that cell's output is printed); the script exits non-zero if any notebook failed.
# Expects `pnpm install` and `pnpm run build` to have run (the notebooks import packages/*/dist).
# Usage: bash packages/notebooks/run-all.sh [NOTEBOOK...]   (default: all of them, in name order)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Debian's nbconvert; /usr/bin first so that a python3 from pyenv or a venv does not shadow Debian's.
export PATH="/usr/bin:$PATH"
if [ ! -x /usr/bin/jupyter-nbconvert ]; then
  echo "run-all: installing Debian's jupyter-nbconvert"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends jupyter-nbconvert >/dev/null
fi

# The committed kernel spec (jupyter/kernels/tslab/kernel.json) starts node_modules/tslab.
export JUPYTER_PATH="$here/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
if [ ! -f "$here/node_modules/tslab/bin/tslab" ]; then
  echo "run-all: packages/notebooks/node_modules/tslab is missing; run 'pnpm install' first" >&2
  exit 1
fi

# The plotting helpers the notebooks import from ./dist (strict type-check included).
"$here/node_modules/.bin/tsc" -p "$here"

if [ "$#" -gt 0 ]; then
  notebooks=("$@")
else
  notebooks=([0-9][0-9]-*.ipynb)
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

total_start=$(now)
passed=0
failed=0
for nb in "${notebooks[@]}"; do
  start=$(now)
  if /usr/bin/python3 "$here/execute.py" "$nb" 600; then
    status=ok
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  printf 'notebook %-40s %-6s %6s s\n' "$nb" "$status" "$(elapsed "$start")"
done
echo "notebooks: total $(elapsed "$total_start") s"
echo "notebooks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
