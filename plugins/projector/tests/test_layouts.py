"""The layouts' parts without HTTP: nearest neighbours (exact and approximate), UMAP's fuzzy
graph and curve, UMAP and openTSNE (when installed) separating clusters, and the choice of
implementation by size."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tbcore_projector import fast_layouts, layout_methods, nearest
from tbcore_projector.umap_graph import curve_parameters, fuzzy_graph, memberships
from tbcore_projector.umap_layout import Umap


def _clusters(count: int, size: int, dims: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=10, size=(count, dims))
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


def test_umap_separates_clusters_in_three_dimensions() -> None:
    x = _clusters(3, 120, 40)
    umap = Umap(x, neighbors=12, min_dist=0.1, epochs=120, dimensions=3)
    start = umap.positions.copy()
    assert start.shape == (360, 3) and -0.001 <= start.min() and start.max() <= 10.001
    while umap.iteration < 120:
        umap.step()
    assert not np.allclose(start, umap.positions)
    assert _nearest_same_cluster(umap.positions, 120) == 1.0


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
    assert layout_methods.umap_method(100_000) == "numpy"


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
