"""The layouts' parts without HTTP: nearest neighbours (exact and approximate), UMAP's fuzzy
graph and curve, UMAP (C epochs when built, and numpy) and openTSNE (when installed)
separating clusters, the C epoch's rules and its refusal of bad inputs, and the choice of
implementation by size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore_projector import fast_layouts, layout_methods, nearest, umap_layout
from tbcore_projector.umap_graph import curve_parameters, fuzzy_graph, memberships
from tbcore_projector.umap_layout import Umap

needs_c = pytest.mark.skipif(umap_layout.IMPLEMENTATION != "C", reason="the C UMAP epoch is not built")
BOTH = ["numpy", pytest.param("C", marks=needs_c)]


def _clusters(count: int, size: int, dims: int, seed: int = 0, scale: float = 10) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=scale, size=(count, dims))
    return np.concatenate([c + rng.normal(size=(size, dims)) for c in centres]).astype(np.float32)


def _nearest_same_cluster(layout: np.ndarray, size: int) -> float:
    distances = np.linalg.norm(layout[:, None] - layout[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    return float(np.mean(distances.argmin(axis=1) // size == np.arange(len(layout)) // size))


def test_exact_neighbours_match_brute_force() -> None:
    x = np.random.default_rng(3).normal(size=(500, 7)).astype(np.float32)
    indices, distances = nearest.nearest_neighbors(x, 6)
    full = np.linalg.norm(x[:, None] - x[None], axis=2)
    np.fill_diagonal(full, np.inf)
    np.testing.assert_array_equal(indices, np.argsort(full, axis=1, kind="stable")[:, :6])
    np.testing.assert_allclose(distances, np.sort(full, axis=1)[:, :6], rtol=1e-4, atol=1e-4)


def test_approximate_neighbours_find_most_true_ones() -> None:
    rng = np.random.default_rng(5)
    n = nearest.EXACT_POINTS + 3000
    latent = rng.normal(size=(n, 6)) + rng.normal(scale=4, size=(8, 6))[rng.integers(0, 8, n)]
    x = (latent @ rng.normal(size=(6, 30))).astype(np.float32)
    indices, distances = nearest.nearest_neighbors(x, 10)
    assert indices.shape == (n, 10) and (indices != np.arange(n)[:, None]).all()
    assert (np.diff(distances, axis=1) >= 0).all()
    sample = rng.choice(n, 200, replace=False)
    truth, _ = nearest.nearest_in(x[sample], x, 11)
    recall = np.mean([len(set(t[1:]) & set(f)) / 10 for t, f in zip(truth, indices[sample])])
    assert recall > 0.7


def test_curve_parameters_are_umaps() -> None:
    # The values UMAP's documentation and code give for spread 1.
    assert curve_parameters(0.1) == pytest.approx((1.577, 0.895), abs=2e-3)
    assert curve_parameters(0.001) == pytest.approx((1.929, 0.7915), abs=2e-3)
    assert curve_parameters(0.5) == pytest.approx((0.583, 1.334), abs=2e-3)


def test_fuzzy_graph_is_the_symmetric_union() -> None:
    distances = np.array([[1.0, 2.0], [1.0, 3.0], [2.0, 3.0]])
    indices = np.array([[1, 2], [0, 2], [0, 1]])
    member = memberships(distances)
    assert member[:, 0] == pytest.approx(1.0)  # the nearest neighbour: rho, membership 1
    assert np.log2(2) == pytest.approx(member.sum(axis=1), rel=1e-6)
    graph = fuzzy_graph(indices, distances)
    dense = np.zeros((3, 3))
    dense[graph.heads, graph.tails] = graph.weights
    np.testing.assert_allclose(dense, dense.T)
    a = np.zeros((3, 3))
    a[np.arange(3)[:, None], indices] = member
    np.testing.assert_allclose(dense, a + a.T - a * a.T)


@pytest.mark.parametrize("implementation", BOTH)
def test_umap_separates_clusters_in_three_dimensions(implementation: str) -> None:
    x = _clusters(3, 120, 40)
    umap = Umap(x, neighbors=12, min_dist=0.1, epochs=120, dimensions=3, implementation=implementation)
    start = umap.positions.copy()
    assert start.shape == (360, 3) and -0.001 <= start.min() and start.max() <= 10.001
    while umap.iteration < 120:
        umap.step()
    assert not np.allclose(start, umap.positions)
    assert _nearest_same_cluster(umap.positions, 120) == 1.0


@pytest.mark.parametrize("implementation", BOTH)
def test_umap_separates_overlapping_clusters_from_a_mixed_start(implementation: str) -> None:
    """Twenty clusters that the first two principal components start mixed: the epochs part
    them (more than 0.9 of the points' nearest neighbours in the layout are of their class)."""
    x = _clusters(20, 40, 40, seed=4, scale=1.5)
    umap = Umap(x, neighbors=15, min_dist=0.1, epochs=200, implementation=implementation)
    before = _nearest_same_cluster(umap.positions, 40)
    while umap.iteration < 200:
        umap.step()
    assert before < 0.9 < _nearest_same_cluster(umap.positions, 40)


@needs_c
def test_the_c_epochs_are_used_when_built_and_reproducible() -> None:
    x = _clusters(3, 80, 20)
    assert layout_methods.umap_method(100_000) == "C"

    def run(seed: int) -> np.ndarray:
        umap = Umap(x, neighbors=10, epochs=60, seed=seed)
        assert umap.implementation == "C"
        while umap.iteration < 60:
            umap.step()
        return umap.positions

    first = run(7)
    np.testing.assert_array_equal(first, run(7))
    assert not np.array_equal(first, run(8))


def test_pure_python_asked_for_gives_numpy_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "TBCORE_PURE_PYTHON": "1"}
    code = "from tbcore_projector import umap_layout as u; print(u.IMPLEMENTATION)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "numpy"
    monkeypatch.setattr(umap_layout, "_umapsgd", None)
    with pytest.raises(ValueError, match="not built"):
        Umap(_clusters(2, 20, 4), implementation="C")


def _epoch_args(points: int = 6, edges: int = 8, seed: int = 0) -> dict[str, Any]:
    """Valid arguments of ``_umapsgd.epoch`` for a small random graph, every edge due at
    epoch 3 and owing negative samples."""
    rng = np.random.default_rng(seed)
    heads = rng.integers(0, points, edges).astype(np.int32)
    every = rng.uniform(1, 3, edges)
    return {
        "positions": rng.uniform(0, 10, (points, 2)).astype(np.float32),
        "heads": heads, "tails": ((heads + 1 + rng.integers(0, points - 1, edges)) % points).astype(np.int32),
        "every": every, "next_sample": every.copy(), "every_negative": every / 5,
        "next_negative": every / 5, "epoch": 3, "alpha": 0.9, "a": 1.577, "b": 0.895,
        "gamma": 1.0, "seed": 1,
    }


@needs_c
def test_the_c_epoch_attracts_edge_after_edge_like_the_reference() -> None:
    """Without negative samples due, each edge in order pulls its two ends together by the
    clipped gradient, from the positions the previous edges left; the schedules advance."""
    args = _epoch_args(points=5, edges=12)
    args["next_negative"] = np.full(12, 100.0)  # nothing owed
    args["next_sample"][::3] = 4.0  # not due at epoch 3
    y = args["positions"].astype(np.float64)
    a, b, alpha = args["a"], args["b"], args["alpha"]
    for i in range(12):
        if args["next_sample"][i] > 3:
            continue
        h, t = args["heads"][i], args["tails"][i]
        diff = y[h] - y[t]
        d2 = diff @ diff
        grad = np.clip(-2 * a * b * d2 ** (b - 1) / (1 + a * d2**b) * diff, -4, 4) * alpha
        y[h] += grad
        y[t] -= grad
    expected_next = np.where(args["next_sample"] <= 3, args["next_sample"] + args["every"], args["next_sample"])
    umap_layout._umapsgd.epoch(**args)
    np.testing.assert_allclose(args["positions"], y, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(args["next_sample"], expected_next)
    np.testing.assert_array_equal(args["next_negative"], 100.0)


@needs_c
def test_the_c_epoch_pushes_only_heads_and_never_from_a_coincident_point() -> None:
    """Negative samples move the head alone, away from the other points; a sample on the head
    (or a point where it is) moves nothing, as in the reference; what is owed is paid."""
    positions = np.zeros((10, 2), np.float32)
    positions[2:] = 1.0
    every = np.array([1.0])
    args = {
        **_epoch_args(), "positions": positions, "heads": np.array([0], np.int32),
        "tails": np.array([1], np.int32), "every": every, "next_sample": every.copy(),
        "every_negative": every / 4, "next_negative": np.array([0.25]), "epoch": 3,
    }
    umap_layout._umapsgd.epoch(**args)
    assert (positions[1:] == np.array([[0, 0]] + [[1, 1]] * 8)).all()  # the tail coincided
    assert positions[0, 0] < 0 and positions[0, 0] == pytest.approx(positions[0, 1])
    assert args["next_negative"][0] == 0.25 + 11 * 0.25  # (3 - 0.25) / 0.25 samples paid

    still = np.zeros((4, 3), np.float32)
    umap_layout._umapsgd.epoch(**{**args, "positions": still})
    assert not still.any()


def _bad(name: str, value: Any) -> dict[str, Any]:
    return {**_epoch_args(), name: value}


@needs_c
@pytest.mark.parametrize(
    ("args", "error"),
    [
        (_bad("positions", np.zeros((6, 2))), TypeError),  # float64
        (_bad("positions", [[0.0, 0.0]] * 6), TypeError),
        (_bad("positions", np.zeros(12, np.float32)), ValueError),
        (_bad("positions", np.zeros((6, 0), np.float32)), ValueError),
        (_bad("positions", np.zeros((6, 4), np.float32)[:, ::2]), ValueError),
        (_bad("positions", np.zeros((6, 2), np.float32).T), ValueError),
        (_bad("positions", np.zeros((6, 2), np.float32).astype(">f4")), TypeError),
        (_bad("heads", np.zeros(8, np.int64)), TypeError),
        (_bad("heads", np.zeros(7, np.int32)), ValueError),
        (_bad("heads", np.full(8, 6, np.int32)), ValueError),
        (_bad("tails", np.full(8, -1, np.int32)), ValueError),
        (_bad("every", np.zeros(8)), ValueError),
        (_bad("every", np.ones(8, np.float32)), TypeError),
        (_bad("every_negative", np.full(8, np.nan)), ValueError),
        (_bad("next_sample", np.full(8, np.inf)), ValueError),
        (_bad("next_negative", np.full(8, -1e300)), ValueError),
        (_bad("next_negative", np.ones((8, 1))), ValueError),
        (_bad("alpha", float("nan")), ValueError),
        (_bad("seed", "one"), TypeError),
    ],
)
def test_the_c_epoch_refuses_bad_inputs_and_moves_nothing(args: dict[str, Any], error: type) -> None:
    kept = {k: np.array(v) for k, v in args.items() if isinstance(v, np.ndarray)}
    with pytest.raises(error):
        umap_layout._umapsgd.epoch(**args)
    for k, v in kept.items():
        np.testing.assert_array_equal(args[k], v, err_msg=k)


@needs_c
def test_the_c_epoch_refuses_read_only_arrays() -> None:
    for name in ("positions", "next_sample", "next_negative"):
        args = _epoch_args()
        args[name].flags.writeable = False
        with pytest.raises(ValueError, match=name):
            umap_layout._umapsgd.epoch(**args)
    args = _epoch_args()
    args["every"].flags.writeable = False  # only read
    umap_layout._umapsgd.epoch(**args)


def test_run_umap_reports_every_epoch_and_stops_when_told() -> None:
    x = _clusters(2, 60, 10)
    seen: list[int] = []

    def report(iteration: int, positions: np.ndarray) -> bool:
        assert positions.shape == (120, 2)
        seen.append(iteration)
        return iteration < 7

    layout_methods.run_umap("numpy", x, neighbors=8, min_dist=0.1, epochs=50, dimensions=2, report=report)
    assert seen == list(range(8))


def test_the_implementation_follows_the_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_layouts, "available", lambda package: False)
    assert [layout_methods.tsne_method(n) for n in (3000, 3001, 100_000)] == ["exact", "landmarks", "landmarks"]
    monkeypatch.setattr(fast_layouts, "available", lambda package: True)
    assert [layout_methods.tsne_method(n) for n in (3000, 3001, 30_000, 30_001)] == [
        "exact", "openTSNE", "openTSNE", "landmarks"
    ]
    assert layout_methods.umap_method(100_000) == umap_layout.IMPLEMENTATION


def test_optional_libraries_are_imported_without_ml_frameworks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "reaches_for_torch.py").write_text(
        "try:\n    import torch\nexcept ImportError:\n    torch = None\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    module = fast_layouts.import_without_frameworks("reaches_for_torch")
    assert module.torch is None and "torch" not in sys.modules


def test_opentsne_streams_and_separates_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``fast`` extra's path; skipped when openTSNE is not installed."""
    pytest.importorskip("openTSNE")
    monkeypatch.setattr(fast_layouts, "EARLY_EXAGGERATION_ITERATIONS", 60)
    x = _clusters(3, 100, 30)
    seen: list[int] = []
    last: list[np.ndarray] = []

    def report(iteration: int, positions: np.ndarray) -> bool:
        seen.append(iteration)
        last[:] = [positions]
        return True

    layout_methods.run_tsne(
        "openTSNE", x, perplexity=20, learning_rate=None, iterations=120, dimensions=2, report=report
    )
    assert seen == list(range(0, 121, 5))  # the start, then every 5 through both phases
    assert last[0].shape == (300, 2)
    assert _nearest_same_cluster(last[0], 100) == 1.0
