#!/usr/bin/env python3
"""Vendor the browser libraries into ``core/tbcore/static/vendor/``.

The libraries are pinned in ``core/frontend/package.json`` and its committed lock file. This
script runs ``npm ci`` when ``core/frontend/node_modules`` is missing or older than the lock
file, then copies the files the page loads (uPlot's ES module build and CSS, dagre's ES
module build for the graph dashboard's layout worker, three.js and its orbit controls for
the projector and mesh dashboards, with their licenses) into the package.
Neither ``node_modules`` nor the vendored files are committed.

Called by ``scripts/dev-install.sh`` and by the wheel build (``setup.py``). No dependencies
beyond the standard library; exits non-zero with a message when it cannot produce the files.

    python scripts/build_frontend.py [--force]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "core" / "frontend"
NODE_MODULES = FRONTEND / "node_modules"
LOCK_FILE = FRONTEND / "package-lock.json"
VENDOR = ROOT / "core" / "tbcore" / "static" / "vendor"

VENDORED = {
    "uplot/dist/uPlot.esm.js": "uPlot.esm.js",
    "uplot/dist/uPlot.min.css": "uPlot.min.css",
    "uplot/LICENSE": "uPlot.LICENSE",
    # Self-contained (graphlib is bundled in): a module worker imports it by its URL.
    "@dagrejs/dagre/dist/dagre.esm.js": "dagre.esm.js",
    "@dagrejs/dagre/LICENSE": "dagre.LICENSE",
    "@dagrejs/graphlib/LICENSE": "graphlib.LICENSE",
    # three.module.js imports ./three.core.js: the two stay side by side. OrbitControls
    # imports the bare name "three", which the page's import map resolves.
    "three/build/three.module.js": "three.module.js",
    "three/build/three.core.js": "three.core.js",
    "three/examples/jsm/controls/OrbitControls.js": "three.OrbitControls.js",
    "three/LICENSE": "three.LICENSE",
}
"""Files copied from ``node_modules`` (key) into ``static/vendor/`` (value)."""


class BuildError(Exception):
    """The frontend files cannot be produced; the message says why and what to do."""


def needs_install() -> bool:
    """Whether ``node_modules`` is missing, incomplete, or older than the lock file."""
    marker = NODE_MODULES / ".package-lock.json"  # written by npm after every install
    if not marker.exists():
        return True
    if any(not (NODE_MODULES / source).exists() for source in VENDORED):
        return True
    return marker.stat().st_mtime < LOCK_FILE.stat().st_mtime


def vendored_present() -> bool:
    """Whether every vendored file is already in the package."""
    return all((VENDOR / target).exists() for target in VENDORED.values())


def npm_ci() -> None:
    """Install the locked packages into ``core/frontend/node_modules``."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "npm was not found, and the browser libraries are not built yet "
            f"({VENDOR.relative_to(ROOT)} is incomplete). Install Node.js 20+ (with npm) and "
            "run `python scripts/build_frontend.py` again."
        )
    print(f"build_frontend: npm ci in {FRONTEND.relative_to(ROOT)}", flush=True)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=False)
    if result.returncode != 0:
        raise BuildError(f"`npm ci` failed with exit status {result.returncode} (see above)")


def copy_vendored() -> None:
    """Copy the files the page needs from ``node_modules`` into ``static/vendor/``."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in VENDORED.items():
        shutil.copyfile(NODE_MODULES / source, VENDOR / target)
    print(f"build_frontend: wrote {len(VENDORED)} files to {VENDOR.relative_to(ROOT)}", flush=True)


def build(force: bool = False) -> None:
    """Install (when needed) and copy. Raises :class:`BuildError`."""
    if force or needs_install():
        if not force and shutil.which("npm") is None and vendored_present():
            print("build_frontend: npm not found; keeping the vendored files already built")
            return
        npm_ci()
    copy_vendored()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="run `npm ci` even if up to date")
    args = parser.parse_args(argv)
    try:
        build(force=args.force)
    except BuildError as e:
        sys.stderr.write(f"build_frontend: error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
