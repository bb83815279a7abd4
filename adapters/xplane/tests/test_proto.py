"""Our copy of the XPlane proto: generated modules current, descriptor our own, and wire
compatible with TensorFlow's ``tensorflow.profiler.XSpace`` (checked in a subprocess, so that
TensorFlow stays out of the pytest process)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import warm_python

from tbcore_xplane.proto import xplane_pb2

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def test_generated_modules_match_the_source() -> None:
    proc = subprocess.run([sys.executable, str(PACKAGE_ROOT / "gen_proto.py"), "--check"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_descriptor_is_our_own() -> None:
    assert xplane_pb2.DESCRIPTOR.name == "tbcore_xplane/proto/xplane.proto"
    assert xplane_pb2.DESCRIPTOR.package == "tbcore.xplane"


_COMPARE = """
import sys
from tensorflow.tsl.profiler.protobuf import xplane_pb2 as theirs
from tbcore_xplane.proto import xplane_pb2 as ours
from tbcore_xplane.demo import gpu_xspace

def fields(descriptor):
    return {f.number: (f.name, f.type, f.is_repeated, f.containing_oneof.name if f.containing_oneof else None,
                       f.message_type.name if f.message_type else None) for f in descriptor.fields}

problems = []
for name, message in theirs.DESCRIPTOR.message_types_by_name.items():
    mine = ours.DESCRIPTOR.message_types_by_name.get(name)
    if mine is None:
        problems.append(f"missing {name}")
        continue
    if fields(mine) != fields(message):
        problems.append(f"{name}: {fields(mine)} != {fields(message)}")
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    assert ours.XSpace.FromString(theirs.XSpace.FromString(data).SerializeToString()) == ours.XSpace.FromString(data)
    assert theirs.XSpace.FromString(ours.XSpace.FromString(data).SerializeToString()) == theirs.XSpace.FromString(data)
handmade = gpu_xspace()
assert ours.XSpace.FromString(theirs.XSpace.FromString(handmade.SerializeToString()).SerializeToString()) == handmade
assert not problems, problems
print("OK")
"""


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed")
def test_wire_compatible_with_tensorflows_xspace(tf_run: Path) -> None:
    profiles = [str(p) for p in sorted((tf_run / "plugins" / "profile").glob("*/*.xplane.pb"))]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = warm_python.run([sys.executable, "-c", _COMPARE, *profiles], capture_output=True, text=True,
                          timeout=240, env=env, check=False)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-3000:]
