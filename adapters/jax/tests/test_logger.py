"""``tbcore_jax.Logger`` in real JAX computations (4 virtual CPU devices, TensorFlow blocked):
what lands in the files, in which order, from jit, scan, fori_loop, pmap and shard_map."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import installed
import numpy as np
import pytest

from tbcore.data import LogdirDataProvider

# Found, not imported: the frameworks run in the scripts' own processes, never in this one.
pytestmark = installed.needs("jax")
RUNS = Path(__file__).with_name("jax_runs.py")


SHARED = ("jit", "eager", "packed", "scalar_steps", "mapped", "jaxprs", "jitted")
"""Scenarios run together in one interpreter (``profiled`` runs alone: JAX's profiler keeps
process-wide state)."""


def run_all(scenarios: dict[str, Path]) -> dict[str, Any]:
    """Run each scenario into its logdir, in one process; what each one answered."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    args = [str(part) for pair in scenarios.items() for part in pair]
    done = subprocess.run(
        [sys.executable, str(RUNS), *args], check=True, env=env, timeout=600, capture_output=True, text=True,
    )
    results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert results.pop("tensorflow_imported") is False
    return results


@pytest.fixture(scope="module")
def shared_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The root under which each of :data:`SHARED` wrote its own folder, and their answers."""
    root = tmp_path_factory.mktemp("jax_runs")
    return root, run_all({name: root / name for name in SHARED})


def run(scenario: str, shared_runs: tuple[Path, dict[str, Any]]) -> tuple[dict[str, Any], Path]:
    """What ``scenario`` answered and the logdir it wrote (failing the test if it raised)."""
    root, results = shared_runs
    result = results[scenario]
    assert "error" not in result, result.get("error")
    return result, root / scenario


def scalars(logdir: Path) -> dict[tuple[str, str], list[tuple[int, float]]]:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return {
        (run_name, tag): list(zip(cols.step.tolist(), cols.value.tolist()))
        for run_name, tags in provider.read_scalars(plugin_name="scalars").items()
        for tag, cols in tags.items()
    }


@pytest.fixture(scope="module")
def jit_logdir(shared_runs: tuple[Path, dict[str, Any]]) -> Path:
    return run("jit", shared_runs)[1]


def test_order_and_count_under_jit_scan_and_fori_loop(jit_logdir: Path) -> None:
    got = scalars(jit_logdir)
    assert got[(".", "loss")] == [(s, pytest.approx(1.0 / (s + 1))) for s in range(4)]
    assert got[(".", "scan")] == [(10, 1.0), (11, 2.0), (12, 4.0), (13, 8.0), (14, 16.0)]
    assert got[(".", "fori")] == [(20, 0.5), (21, 1.5), (22, 2.5)]
    assert got[("pair_a", "pair")] == [(s, pytest.approx(2.0 / (s + 1))) for s in range(4)]


def read_tensors(logdir: Path, readers: types.SimpleNamespace) -> dict[tuple[str, str], list[tuple[int, Any]]]:
    """Every point of every run under ``logdir`` as TensorBoard's own reader reads it."""
    from tensorboard.util import tensor_util

    multiplexer = readers.EventMultiplexer(tensor_size_guidance={readers.TENSORS: 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    return {
        (run_name, tag): [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in multiplexer.Tensors(run_name, tag)]
        for run_name, tags in multiplexer.Runs().items()
        for tag in tags.get(readers.TENSORS, [])
    }


def assert_same_points(traced: dict[tuple[str, str], list[tuple[int, Any]]], eager: dict[tuple[str, str], list[tuple[int, Any]]]) -> None:
    assert sorted(traced) == sorted(eager)
    for key, points in eager.items():
        assert [s for s, _ in points] == [s for s, _ in traced[key]], key
        for (_, a), (_, b) in zip(points, traced[key]):
            assert a.dtype == b.dtype and a.shape == b.shape, key
            if a.dtype == object:
                assert a.tolist() == b.tolist(), key  # text, and images (same PNG encoder)
            else:
                np.testing.assert_array_equal(a, b, err_msg=str(key))


@pytest.fixture(scope="module")
def eager_points(shared_runs: tuple[Path, dict[str, Any]], tensorboard_readers: types.SimpleNamespace) -> dict[tuple[str, str], list[tuple[int, Any]]]:
    """What tbcore.summary writes eagerly for the scenarios' values."""
    return read_tensors(run("eager", shared_runs)[1], tensorboard_readers)


def test_files_equal_tbcore_summary_written_eagerly(
    jit_logdir: Path, eager_points: dict[tuple[str, str], list[tuple[int, Any]]], tensorboard_readers: types.SimpleNamespace
) -> None:
    """The traced run (host callbacks) against tbcore.summary's eager writes of the same
    values, as TensorBoard's own reader reads them."""
    traced = read_tensors(jit_logdir, tensorboard_readers)
    assert_same_points({k: v for k, v in traced.items() if k[1] not in ("scan", "fori")}, eager_points)


def test_packed_outputs_write_what_eager_writes_and_return_few_arrays(
    shared_runs: tuple[Path, dict[str, Any]],
    eager_points: dict[tuple[str, str], list[tuple[int, Any]]],
    tensorboard_readers: types.SimpleNamespace,
) -> None:
    """Logger.jit packs a step's scalars into one float32 vector (and its computed steps into
    one integer vector): the files still equal the eager ones; a bad value costs only itself."""
    outputs, logdir = run("packed", shared_runs)
    # The scalars vector, 3 histograms, 1 image and the bad "scalar" (two numbers: its own
    # output); "computed" adds the steps vector, "donated" its step (an argument that is gone).
    assert outputs == {"arg": 6, "computed": 7, "donated": 7}
    for way in ("arg", "computed", "donated"):
        assert_same_points(read_tensors(logdir / way, tensorboard_readers), eager_points)


def test_steps_logging_only_scalars_write_what_eager_writes(
    shared_runs: tuple[Path, dict[str, Any]], tensorboard_readers: types.SimpleNamespace
) -> None:
    """The writer's fast path for steps that log only scalars (150 steps: chunks of the
    device-side concatenation, a flush in between) writes what tbcore.summary writes."""
    answer, logdir = run("scalar_steps", shared_runs)
    assert answer == {"steps_written_one_by_one": 0}
    for way in ("arg", "computed", "constant", "every"):
        traced = read_tensors(logdir / way, tensorboard_readers)
        assert sorted(tag for _, tag in traced) == ["count", "loss", "scaled"]
        assert_same_points(traced, read_tensors(logdir / f"eager_{way}", tensorboard_readers))
    points = read_tensors(logdir / "every", tensorboard_readers)
    assert [s for s, _ in points[(".", "loss")]] == list(range(0, 150, 3))
    assert len(read_tensors(logdir / "constant", tensorboard_readers)[(".", "count")]) == 150


def test_mapped_computations_write_device_zero_or_every_device(shared_runs: tuple[Path, dict[str, Any]]) -> None:
    answer, logdir = run("mapped", shared_runs)
    assert answer == {"devices": 4}
    first = scalars(logdir / "first")
    # pmap: device k holds arange(4) + step at position k; device 0's sum is its own value.
    assert first[(".", "pmap")] == [(0, 0.0), (1, 1.0), (2, 2.0)]
    # shard_map: device 0 holds the first two of arange(8) + step.
    assert first[(".", "shard_map")] == [(0, 1.0), (1, 3.0), (2, 5.0)]
    every = scalars(logdir / "all")
    for k in range(4):
        assert every[(f"device_{k}", "pmap")] == [(s, float(k + s)) for s in range(3)]
        assert every[(f"device_{k}", "shard_map")] == [(s, float(4 * k + 1 + 2 * s)) for s in range(3)]


def test_disabled_logging_compiles_no_callback_and_every_n_skips_steps(shared_runs: tuple[Path, dict[str, Any]]) -> None:
    counts, logdir = run("jaxprs", shared_runs)
    assert counts == {"enabled": 1, "every": 1, "disabled": 0, "cond": True}
    assert scalars(logdir / "every")[(".", "loss")] == [(0, 0.0), (3, 3.0), (6, 6.0), (9, 9.0)]
    assert not (logdir / "disabled").exists() or not any((logdir / "disabled").iterdir())


def test_logger_jit_returns_top_level_values_as_outputs(shared_runs: tuple[Path, dict[str, Any]]) -> None:
    answer, logdir = run("jitted", shared_runs)
    assert answer == {
        "logging_callbacks": 0, "silent_callbacks": 0, "scanned_callbacks": 1, "outer_callbacks": 1, "result": 10.0,
    }
    got = scalars(logdir)
    assert got[(".", "loss")] == [(0, 0.0), (3, 3.0), (6, 6.0), (9, 9.0)]
    assert got[(".", "inner")] == [(100, 1.0), (101, 2.0), (102, 4.0)]
    assert got[(".", "outer")] == [(50, 8.0)]
    assert got[(".", "nested")] == [(200, 200.0), (201, 201.0)]
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    histograms = provider.read_tensors(plugin_name="histograms")["."]["x"]
    assert [datum.step for datum in histograms] == [0, 3, 6, 9]


def test_profile_leaves_a_trace_with_its_steps_in_the_run(tmp_path: Path) -> None:
    assert run_all({"profiled": tmp_path}) == {"profiled": {}}
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assets = [a.path for a in provider.list_run_assets(run=".")]
    assert len([p for p in assets if p.startswith("plugins/profile/") and p.endswith(".xplane.pb")]) == 1
    (trace,) = [p for p in assets if p.startswith("plugins/profile/") and p.endswith(".trace.json.gz")]
    events = json.loads(gzip.decompress(provider.read_run_asset(run=".", path=trace)))["traceEvents"]
    assert sorted(int(e["args"]["step_num"]) for e in events if e.get("name") == "train") == [2, 3]
