#!/usr/bin/env bash
# Installs the workspace editable into .venv.
#
#   scripts/dev-install.sh demo   the core (with its C scanner), every dashboard under
#                                 plugins/ and examples/ and the profile dashboard's trace
#                                 importers: what `make demo` needs (~1 minute, a few hundred MB)
#   scripts/dev-install.sh        all of that, the adapters under adapters/, and everything the
#                                 tests need (tensorflow-cpu, the CPU build of torch,
#                                 tensorboard, moto, ...): what `make test` needs
#
# Each level leaves a stamp in .venv naming the project files it was installed from; when none
# of them changed since, the install is skipped (FORCE=1 reinstalls).
set -euo pipefail
cd "$(dirname "$0")/.."

level=${1:-all}
case "$level" in
    demo | all) ;;
    *) echo "usage: $0 [demo|all]" >&2; exit 2 ;;
esac

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "tbcore needs Python 3.10 or newer ($python is $("$python" --version 2>&1))" >&2
    exit 1
}

# What the installed environment depends on: the project files, the C scanner, the locked
# browser libraries, and this script.
fingerprint() {
    cat pyproject.toml setup.py core/tbcore/io/_recordscan.c core/frontend/package-lock.json \
        adapters/kineto/setup.py adapters/kineto/tbcore_kineto/_kinetoscan.c \
        plugins/projector/setup.py plugins/projector/tbcore_projector/_umapsgd.c \
        scripts/dev-install.sh scripts/build_frontend.py \
        plugins/*/pyproject.toml adapters/*/pyproject.toml examples/*/pyproject.toml |
        "$python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}
stamp=.venv/.tbcore-installed-$level
want=$(fingerprint)
if [ -z "${FORCE:-}" ] && [ -x .venv/bin/python ] && [ -f core/tbcore/static/vendor/uPlot.esm.js ] &&
    [ -f core/tbcore/static/vendor/dagre.esm.js ] &&
    [ -f core/tbcore/static/vendor/three.module.js ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "tbcore: .venv is up to date ($level); FORCE=1 $0 $level reinstalls"
    exit 0
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip setuptools wheel

# Browser libraries from the locked npm packages (core/frontend/package-lock.json).
.venv/bin/python scripts/build_frontend.py

# The profile dashboard's trace importers are adapters that import no framework: the demo
# needs them to show a profile.
folders=(plugins/*/ examples/*/ adapters/kineto/ adapters/xplane/)
[ "$level" = all ] && folders=(plugins/*/ examples/*/ adapters/*/)
packages=()
for dir in "${folders[@]}"; do
    [ -f "$dir/pyproject.toml" ] && packages+=(-e "$dir")
done
core=.
# torch==2.13.0 (in the dev extra) is the CPU build this machine's pip finds locally; any
# other version would pull a multi-GB CUDA build.
[ "$level" = all ] && core=".[dev,all]"
# setuptools says, for every editable package, that folders named like the package take
# precedence over it: true, and nothing to act on.
PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install --quiet -e "$core" "${packages[@]}"
.venv/bin/python -c "import tbcore.io.scan as s, tbcore_kineto.fast_scan as k, tbcore_projector.umap_layout as u; print('tbcore installed ($0 $level); event scanner:', s.IMPLEMENTATION, '- Kineto trace scanner:', k.IMPLEMENTATION, '- UMAP epochs:', u.IMPLEMENTATION)"
echo "$want" > "$stamp"
[ "$level" = all ] && echo "$want" > .venv/.tbcore-installed-demo
exit 0
