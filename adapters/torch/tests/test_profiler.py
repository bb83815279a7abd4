"""``trace_handler`` writes torch.profiler's Chrome traces into a run, next to its event files."""

from __future__ import annotations

import gzip
import json
import logging
import re
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _blocked_imports import run_script

from tbcore.data import LogdirDataProvider

torch = pytest.importorskip("torch")

from tbcore_torch import SummaryWriter  # noqa: E402 - after the skip when torch is missing
from tbcore_torch.profiler import trace_handler  # noqa: E402

MODEL_OPS = {"aten::linear", "aten::relu", "aten::addmm"}
"""Ops of the profiled model that every trace of a training step holds."""
CYCLES = 2

# Trains a small model for CYCLES profiling cycles (1 step waiting, 1 warming up and 2 recorded
# each) on the CPU, in a fresh interpreter: torch's profiler crashes (SIGSEGV) when a warning it
# emits while stopping is turned into an error, as this test config does with every warning.
# Importing tensorboard or tensorflow fails there, but importlib.util.find_spec still answers:
# torch's profiler asks it whether tensorflow exists.
PROFILE = r'''
import sys

import torch
from tbcore_torch.profiler import trace_handler

handler, directory, worker, gz, cycles = sys.argv[1:]
if handler == "tbcore":
    on_trace_ready = trace_handler(directory, worker or None, use_gzip=gz == "gz")
else:
    on_trace_ready = torch.profiler.tensorboard_trace_handler(directory, worker or None, gz == "gz")
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
batch = torch.randn(4, 8)
with torch.profiler.profile(
    activities=[torch.profiler.ProfilerActivity.CPU],
    schedule=torch.profiler.schedule(wait=1, warmup=1, active=2, repeat=int(cycles)),
    on_trace_ready=on_trace_ready,
) as prof:
    for _ in range(4 * int(cycles) + 1):
        model(batch).sum().backward()
        prof.step()
import os
print("pid:", os.getpid())
'''


def _profile(
    directory: Path,
    *,
    handler: str = "tbcore",
    worker: str = "",
    use_gzip: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Runs ``PROFILE`` with ``trace_handler`` (or torch's ``handler``) writing into
    ``directory``; with ``check``, asserts that it succeeded without tensorboard or tensorflow."""
    args = [handler, str(directory), worker, "gz" if use_gzip else "plain", str(CYCLES)]
    return run_script(PROFILE, *args, find_spec_answers=True, check=check)


def _trace(path: Path) -> dict[str, Any]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    trace: dict[str, Any] = json.loads(data)
    return trace


def _op_names(trace: dict[str, Any]) -> set[str]:
    return {e["name"] for e in trace["traceEvents"] if e.get("cat") == "cpu_op"}


def _name_pattern(worker: str, gz: bool) -> re.Pattern[str]:
    return re.compile(re.escape(worker) + r"\.\d{19}\.pt\.trace\.json" + (r"\.gz" if gz else "") + "$")


@pytest.mark.parametrize("use_gzip", [False, True])
def test_traces_land_in_the_run_beside_its_scalars(
    tmp_path: Path, use_gzip: bool, caplog: pytest.LogCaptureFixture
) -> None:
    run_dir = tmp_path / "logs" / "run"
    with SummaryWriter(run_dir) as writer:
        for step in range(3):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.flush()
        done = _profile(Path(writer.get_logdir()), use_gzip=use_gzip)
        writer.add_scalar("loss", 0.25, 3)

    pid = done.stdout.split("pid:")[1].split()[0]
    pattern = _name_pattern(f"{socket.gethostname()}_{pid}", use_gzip)
    traces = sorted(p for p in run_dir.iterdir() if not p.name.startswith("events.out.tfevents."))
    assert len(traces) == CYCLES  # and no half-written temporary file is left behind
    for path in traces:
        assert pattern.match(path.name), path.name
        assert MODEL_OPS <= _op_names(_trace(path))

    with caplog.at_level(logging.WARNING):
        provider = LogdirDataProvider(str(tmp_path / "logs"))
        provider.reload()
    assert [r.run_name for r in provider.list_runs()] == ["run"]
    series = provider.read_scalars(plugin_name="scalars")["run"]["loss"]
    assert series.step.tolist() == [0, 1, 2, 3]
    assert series.value.tolist() == pytest.approx([1.0, 0.5, 1 / 3, 0.25])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_names_and_contents_follow_torchs_handler(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for directory, handler in [(ours, "tbcore"), (theirs, "torch")]:
        _profile(directory, handler=handler, worker="rank0", use_gzip=True)
    pattern = _name_pattern("rank0", gz=True)
    for folder in (ours, theirs):
        names = sorted(p.name for p in folder.iterdir())
        assert len(names) == CYCLES and all(pattern.match(n) for n in names), names
    ours_ops = [_op_names(_trace(p)) for p in sorted(ours.iterdir())]
    theirs_ops = [_op_names(_trace(p)) for p in sorted(theirs.iterdir())]
    assert all(MODEL_OPS <= ops for ops in ours_ops + theirs_ops)
    assert set.union(*ours_ops) == set.union(*theirs_ops)


def test_worker_name_cannot_leave_the_directory(tmp_path: Path) -> None:
    for bad in ["", "../elsewhere", "a/b", ".hidden", "."]:
        with pytest.raises(ValueError, match="worker_name"):
            trace_handler(tmp_path, worker_name=bad)


def test_unusable_directory_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the run directory should be")
    done = _profile(blocker / "run", check=False)
    assert done.returncode != 0
    assert re.search(r"RuntimeError: cannot create the trace directory .*not_a_dir", done.stderr)
