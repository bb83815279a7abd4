"""Exact t-SNE in numpy, run step by step so that a page can watch the layout converge.

Affinities: Gaussian kernels whose widths match the perplexity (bisection on every row at
once), symmetrised; early exaggeration (12) for the first 250 iterations, momentum 0.5 then
0.8, adaptive gains, as in van der Maaten's reference description. The inputs are first
reduced to 50 dimensions by PCA. Memory and time grow with the square of the number of
points: past :data:`EXACT_POINTS`, :mod:`tbcore_projector.landmark_tsne` takes over.
"""

from __future__ import annotations

import numpy as np

from tbcore_projector.projections import reduced

EXACT_POINTS = 3000
"""Exact t-SNE holds several N x N matrices; past this many points, landmarks are used."""
EXAGGERATION, EXAGGERATION_ITERATIONS = 12.0, 250


def affinities(x: np.ndarray, perplexity: float) -> np.ndarray:
    """The symmetric joint probabilities ``P`` of the rows of ``x`` for ``perplexity``."""
    n = len(x)
    squared = np.sum(x * x, axis=1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2 * x @ x.T, 0)
    np.fill_diagonal(distances, np.inf)
    target = np.log(min(perplexity, max(n - 1, 1)))
    lo, hi = np.full(n, 0.0), np.full(n, np.inf)
    beta = np.ones(n)
    scale = np.median(distances[np.isfinite(distances)]) if n > 1 else 1.0
    d = distances / max(scale, 1e-12)
    for _ in range(64):
        p = np.exp(-d * beta[:, None])
        sums = np.maximum(p.sum(axis=1), 1e-12)
        entropy = np.log(sums) + beta * np.sum(np.where(np.isfinite(d), d, 0) * p, axis=1) / sums
        larger = entropy > target  # too flat: narrow the kernel
        lo = np.where(larger, beta, lo)
        hi = np.where(larger, hi, beta)
        beta = np.where(np.isinf(hi), beta * 2, (lo + hi) / 2)
    p = np.exp(-d * beta[:, None])
    p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
    joint = (p + p.T) / (2 * n)
    return np.maximum(joint, 1e-12)


class Tsne:
    """One t-SNE run: :meth:`step` advances it, :attr:`positions` is the layout so far.
    ``learning_rate=None`` takes the number of points / 12 (at least 10)."""

    def __init__(
        self,
        values: np.ndarray,
        *,
        perplexity: float = 30.0,
        learning_rate: float | None = None,
        dimensions: int = 2,
        seed: int = 0,
    ) -> None:
        x = reduced(values, np.float64)
        x = x - x.mean(axis=0)
        x /= max(float(np.abs(x).max()), 1e-12)
        self.p = affinities(x, perplexity).astype(np.float32)  # float32 halves each step
        rng = np.random.default_rng(seed)
        self.positions = rng.normal(scale=1e-4, size=(len(x), dimensions))
        self.learning_rate = learning_rate or max(len(x) / 12, 10.0)
        self.iteration = 0
        self._velocity = np.zeros_like(self.positions)
        self._gains = np.ones_like(self.positions)

    def step(self) -> None:
        """One gradient-descent iteration."""
        y = self.positions.astype(np.float32)
        # Coordinate by coordinate: BLAS's y @ y.T with 2 or 3 columns is many times slower
        # (its threads start for every product; worse still on a busy machine).
        d2 = np.zeros((len(y), len(y)), np.float32)
        for k in range(y.shape[1]):
            d2 += np.square(y[:, k, None] - y[None, :, k])
        num = 1.0 / (1.0 + d2)
        np.fill_diagonal(num, 0.0)
        q = np.maximum(num / num.sum(), 1e-12)
        exaggeration = EXAGGERATION if self.iteration < EXAGGERATION_ITERATIONS else 1.0
        weights = (exaggeration * self.p - q) * num
        gradient = 4.0 * (weights.sum(axis=1)[:, None] * y - weights @ y)
        momentum = 0.5 if self.iteration < EXAGGERATION_ITERATIONS else 0.8
        same_sign = np.sign(gradient) == np.sign(self._velocity)
        self._gains = np.maximum(np.where(same_sign, self._gains * 0.8, self._gains + 0.2), 0.01)
        self._velocity = momentum * self._velocity - self.learning_rate * self._gains * gradient
        self.positions = self.positions + self._velocity
        self.positions -= self.positions.mean(axis=0)
        self.iteration += 1
