#!/usr/bin/env bash
# Installs the whole workspace editable into .venv, with everything the tests need:
# the core (building its C scanner), every package under plugins/, adapters/ and examples/,
# and the test dependencies (tensorflow-cpu, the CPU build of torch, tensorboard, moto, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip setuptools wheel

# Browser libraries from the locked npm packages (core/frontend/package-lock.json).
.venv/bin/python scripts/build_frontend.py

packages=()
for dir in plugins/*/ adapters/*/ examples/*/; do
    [ -f "$dir/pyproject.toml" ] && packages+=(-e "$dir")
done
# torch==2.13.0 is the CPU build this machine's pip finds locally; any other version would
# pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet -e ".[dev,all]" "${packages[@]}"
.venv/bin/python -c "import tbcore.io.scan as s; print('tbcore installed; event scanner:', s.IMPLEMENTATION)"
