"""Traces written by the real ``torch.profiler`` for the importer's tests (the profile
dashboard's writer script, in a subprocess, once per session)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

TORCH_TRACES = Path(__file__).resolve().parents[3] / "plugins" / "profile" / "tests" / "torch_traces.py"


@pytest.fixture(scope="session")
def torch_logdir(logdir_from_scripts: Callable[[str, Sequence[str]], Path]) -> Path:
    """``train`` (worker0 twice, worker1 gzipped) and ``native`` runs written by torch.profiler."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    return logdir_from_scripts("kineto_torch", [TORCH_TRACES.read_text()])
