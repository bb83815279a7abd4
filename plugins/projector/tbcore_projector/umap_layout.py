"""UMAP, run epoch by epoch so that a page can watch the layout converge.

The inputs are reduced to 50 dimensions by PCA; each point's neighbours (exact or
approximate, :mod:`tbcore_projector.nearest`) give the fuzzy graph
(:mod:`tbcore_projector.umap_graph`); the layout starts from the first principal components
scaled to [0, 10] and follows UMAP's stochastic gradient descent: each edge is sampled in
proportion to its weight, pulls its two ends together and pushes its head away from a few
random points (negative sampling), with a learning rate falling linearly to 0.

Two implementations of an epoch (:data:`IMPLEMENTATION` says which one is used):

- ``C``, the optional extension ``tbcore_projector._umapsgd``: as the reference
  implementation does, single-threaded, edge after edge, each move made at once (0.15 s an
  epoch on 100,000 points, without the GIL so the server keeps answering);
- ``numpy``, when the extension is not built (or ``TBCORE_PURE_PYTHON=1``): an epoch's moves
  are computed from the positions at its start and added up, a few batches per epoch
  (vectorised; the same kind of layout, but twice as slow and needing more epochs to part
  the clusters).
"""

from __future__ import annotations

import os

import numpy as np

from tbcore_projector.nearest import nearest_neighbors
from tbcore_projector.projections import pca, reduced
from tbcore_projector.umap_graph import curve_parameters, epochs_per_sample, fuzzy_graph

try:
    if os.environ.get("TBCORE_PURE_PYTHON") == "1":
        raise ImportError("pure Python asked for")
    from tbcore_projector import _umapsgd  # type: ignore[attr-defined]
except ImportError:
    _umapsgd = None

IMPLEMENTATION = "C" if _umapsgd is not None else "numpy"
"""Which implementation runs UMAP's epochs by default: ``C`` (the extension) or ``numpy``."""

NEGATIVE_SAMPLES = 5
REPULSION = 1.0
CLIP = 4.0
BATCHES = 4
"""Each epoch's edges are applied in this many batches, each from the positions the
previous one left (closer to the reference's one-edge-at-a-time moves)."""


def default_epochs(points: int) -> int:
    """UMAP's default: 500 epochs for small inputs (up to 10,000 points), 200 beyond."""
    return 500 if points <= 10_000 else 200


class Umap:
    """One UMAP run: :meth:`step` runs an epoch, :attr:`positions` is the layout so far,
    :attr:`iteration` the epochs done (of ``epochs``). ``implementation``: ``C`` or
    ``numpy`` (default :data:`IMPLEMENTATION`); ``seed`` makes either reproducible."""

    def __init__(
        self,
        values: np.ndarray,
        *,
        neighbors: int = 15,
        min_dist: float = 0.1,
        epochs: int | None = None,
        dimensions: int = 2,
        seed: int = 0,
        implementation: str | None = None,
    ) -> None:
        self.implementation = implementation or IMPLEMENTATION
        if self.implementation not in ("C", "numpy"):
            raise ValueError(f"no UMAP implementation {self.implementation!r}")
        if self.implementation == "C" and _umapsgd is None:
            raise ValueError("the C implementation of UMAP is not built")
        self.seed = seed
        x = reduced(values)
        n = len(x)
        self.epochs = epochs or default_epochs(n)
        self.rng = np.random.default_rng(seed)
        indices, distances = nearest_neighbors(x, min(neighbors, n - 1), seed)
        graph = fuzzy_graph(indices, distances)
        strong = graph.weights >= graph.weights.max() / self.epochs  # never sampled otherwise
        self.heads = graph.heads[strong].astype(np.int32)
        self.tails = graph.tails[strong].astype(np.int32)
        self.every = epochs_per_sample(graph.weights[strong])
        self.next_sample = self.every.copy()
        self.every_negative = self.every / NEGATIVE_SAMPLES
        self.next_negative = self.every_negative.copy()
        self.a, self.b = curve_parameters(min_dist)
        self.positions = _initial_layout(x, dimensions, self.rng)
        self.iteration = 0

    def step(self) -> None:
        """One epoch of stochastic gradient descent."""
        n = self.iteration
        alpha = 1.0 - n / self.epochs
        if self.implementation == "C":
            _umapsgd.epoch(
                self.positions, self.heads, self.tails, self.every, self.next_sample,
                self.every_negative, self.next_negative, n, alpha, self.a, self.b, REPULSION,
                self.seed,
            )
        else:
            due = np.flatnonzero(self.next_sample <= n)
            self.rng.shuffle(due)
            for batch in np.array_split(due, BATCHES):
                if len(batch):
                    self._move(batch, n, alpha)
        self.iteration += 1

    def _move(self, edges: np.ndarray, epoch: int, alpha: float) -> None:
        y = self.positions
        heads, tails = self.heads[edges], self.tails[edges]
        diff = y[heads] - y[tails]
        d2 = np.einsum("ij,ij->i", diff, diff)
        power = d2**self.b
        with np.errstate(divide="ignore", invalid="ignore"):
            pull = -2 * self.a * self.b * (power / d2) / (self.a * power + 1)
        pull = np.where(d2 > 0, pull, 0.0)
        grad = np.clip(pull[:, None] * diff, -CLIP, CLIP) * alpha
        delta = _sums(heads, grad, len(y)) - _sums(tails, grad, len(y))
        self.next_sample[edges] += self.every[edges]

        count = np.floor((epoch - self.next_negative[edges]) / self.every_negative[edges])
        count = np.maximum(count, 0).astype(np.int64)
        self.next_negative[edges] += count * self.every_negative[edges]
        pushed = np.repeat(heads, count)
        others = self.rng.integers(0, len(y), size=len(pushed))
        diff = y[pushed] - y[others]
        d2 = np.einsum("ij,ij->i", diff, diff)
        push = 2 * REPULSION * self.b / ((0.001 + d2) * (self.a * d2**self.b + 1))
        push = np.where(d2 > 0, push, 0.0)
        grad = np.clip(push[:, None] * diff, -CLIP, CLIP) * alpha
        delta += _sums(pushed, grad, len(y))
        self.positions = y + delta.astype(y.dtype)


def _sums(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``[n, dims]``: the rows of ``values`` added up by ``index``."""
    return np.stack(
        [np.bincount(index, weights=values[:, k], minlength=n) for k in range(values.shape[1])],
        axis=1,
    )


def _initial_layout(x: np.ndarray, dimensions: int, rng: np.random.Generator) -> np.ndarray:
    """The first principal components, each scaled to [0, 10], with a little noise (so that
    equal points can part)."""
    k = min(dimensions, x.shape[1])
    start = np.zeros((len(x), dimensions), np.float32)
    start[:, :k] = pca(x, k).positions[:, :k]
    low, high = start.min(axis=0), start.max(axis=0)
    start = 10 * (start - low) / np.where(high > low, high - low, 1)
    return (start + rng.normal(scale=1e-4, size=start.shape)).astype(np.float32)
