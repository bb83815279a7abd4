#!/usr/bin/env python3
"""Regenerate ``core/tbcore/proto/*_pb2.py`` and ``*_pb2.pyi`` from the ``.proto`` sources.

Uses the protoc bundled with grpcio-tools (``python -m grpc_tools.protoc``), with
``core`` as the include root so that descriptor file names are
``tbcore/proto/<name>.proto`` and generated imports read
``from tbcore.proto import <name>_pb2``.

Usage::

    python scripts/gen_protos.py           # regenerate in place
    python scripts/gen_protos.py --check   # exit 1 if the committed modules are stale

``--check`` generates into a temporary directory and compares it with the
committed files: any differing, missing or extra ``*_pb2.py`` / ``*_pb2.pyi``
fails the check.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE_ROOT = ROOT / "core"
PROTO_DIR = INCLUDE_ROOT / "tbcore" / "proto"
PROTO_REL = Path("tbcore") / "proto"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi")


def proto_sources() -> list[Path]:
    """The ``.proto`` files, as paths relative to the include root."""
    return sorted(p.relative_to(INCLUDE_ROOT) for p in PROTO_DIR.glob("*.proto"))


def generated_names(directory: Path) -> set[str]:
    """Names of the generated modules/stubs present in ``directory``."""
    if not directory.is_dir():
        return set()
    return {
        p.name for p in directory.iterdir() if p.is_file() and p.name.endswith(GENERATED_SUFFIXES)
    }


def protoc_version() -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    return (proc.stdout or proc.stderr).strip() or "unknown"


def well_known_include() -> Path:
    """Directory holding google/protobuf/*.proto as shipped with grpcio-tools."""
    from importlib import resources

    return Path(str(resources.files("grpc_tools") / "_proto"))


def generate(out_root: Path) -> Path:
    """Run protoc into ``out_root``; return the directory holding the new files."""
    sources = proto_sources()
    if not sources:
        raise SystemExit(f"gen_protos: no .proto files found in {PROTO_DIR}")
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{INCLUDE_ROOT.relative_to(ROOT)}",
        f"-I{well_known_include()}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        *(str(INCLUDE_ROOT.relative_to(ROOT) / s) for s in sources),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"gen_protos: protoc failed with exit status {proc.returncode}")
    return out_root / PROTO_REL


def check() -> int:
    with tempfile.TemporaryDirectory(prefix="tbcore-protos-") as tmp:
        fresh_dir = generate(Path(tmp))
        fresh = generated_names(fresh_dir)
        committed = generated_names(PROTO_DIR)
        missing = sorted(fresh - committed)
        extra = sorted(committed - fresh)
        differing = sorted(
            name
            for name in fresh & committed
            if not filecmp.cmp(fresh_dir / name, PROTO_DIR / name, shallow=False)
        )
    if not (missing or extra or differing):
        print(f"gen_protos: {len(fresh)} generated files are up to date.")
        return 0
    rel = PROTO_DIR.relative_to(ROOT)
    lines = [f"gen_protos: generated protobuf modules in {rel} are out of date:"]
    lines += [f"  missing: {rel / n}" for n in missing]
    lines += [f"  extra (no .proto source): {rel / n}" for n in extra]
    lines += [f"  differs: {rel / n}" for n in differing]
    lines.append(
        f"Run `python scripts/gen_protos.py` to regenerate (protoc here: {protoc_version()})."
    )
    print("\n".join(lines), file=sys.stderr)
    return 1


def regenerate() -> int:
    with tempfile.TemporaryDirectory(prefix="tbcore-protos-") as tmp:
        fresh_dir = generate(Path(tmp))
        fresh = generated_names(fresh_dir)
        for name in sorted(generated_names(PROTO_DIR) - fresh):
            (PROTO_DIR / name).unlink()
            print(f"removed {PROTO_DIR.relative_to(ROOT) / name}")
        changed = 0
        for name in sorted(fresh):
            src, dst = fresh_dir / name, PROTO_DIR / name
            if dst.exists() and filecmp.cmp(src, dst, shallow=False):
                continue
            shutil.copyfile(src, dst)
            changed += 1
            print(f"wrote {dst.relative_to(ROOT)}")
    print(f"gen_protos: {len(fresh)} generated files, {changed} updated.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the committed generated files differ from the sources",
    )
    args = parser.parse_args(argv)
    return check() if args.check else regenerate()


if __name__ == "__main__":
    sys.exit(main())
