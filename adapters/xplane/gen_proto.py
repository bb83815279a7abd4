#!/usr/bin/env python3
"""Regenerate ``tbcore_xplane/proto/xplane_pb2.py`` and ``.pyi`` from ``xplane.proto``.

Uses the protoc bundled with grpcio-tools (``python -m grpc_tools.protoc``), as the core's
``scripts/gen_protos.py`` does, with this folder as the include root so that the descriptor is
named ``tbcore_xplane/proto/xplane.proto``.

Usage::

    python adapters/xplane/gen_proto.py           # regenerate in place
    python adapters/xplane/gen_proto.py --check   # exit 1 if the committed modules are stale
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PROTO = Path("tbcore_xplane") / "proto" / "xplane.proto"
GENERATED = ("xplane_pb2.py", "xplane_pb2.pyi")


def generate(out_root: Path) -> Path:
    """Run protoc into ``out_root``; the folder holding the new modules."""
    cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I.", f"--python_out={out_root}",
           f"--pyi_out={out_root}", str(PROTO)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"gen_proto: protoc failed with exit status {proc.returncode}")
    return out_root / PROTO.parent


def main(argv: list[str] | None = None) -> int:
    """Regenerate, or with ``--check`` compare; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the committed modules differ from the source")
    args = parser.parse_args(argv)
    committed = ROOT / PROTO.parent
    with tempfile.TemporaryDirectory(prefix="tbcore-xplane-proto-") as tmp:
        fresh = generate(Path(tmp))
        stale = [name for name in GENERATED
                 if not (committed / name).exists()
                 or not filecmp.cmp(fresh / name, committed / name, shallow=False)]
        if args.check:
            if stale:
                print(f"gen_proto: out of date: {', '.join(stale)}; run "
                      "`python adapters/xplane/gen_proto.py`", file=sys.stderr)
                return 1
            print("gen_proto: the generated modules are up to date.")
            return 0
        for name in stale:
            shutil.copyfile(fresh / name, committed / name)
            print(f"wrote {PROTO.parent / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
