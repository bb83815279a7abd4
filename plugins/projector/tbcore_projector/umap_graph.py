"""UMAP's graph and curve, in numpy, after McInnes, Healy and Melville (2018): each point's
fuzzy set of its k nearest neighbours (``rho``: the distance to the nearest one; ``sigma``
found by bisection so that the memberships ``exp(-max(0, d - rho) / sigma)`` add up to
``log2(k)``), made symmetric by the fuzzy union ``a + b - ab``; and the ``a``, ``b`` of the
low-dimensional similarity ``1 / (1 + a d^2b)`` fitted to the curve that ``min_dist`` and
``spread`` describe."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BISECTION_STEPS = 64
MIN_SIGMA_SCALE = 1e-3
"""``sigma`` is at least this fraction of the mean distance to the neighbours."""


@dataclass(frozen=True)
class FuzzyGraph:
    """The symmetric graph as edge lists: both directions of every edge, ``weights`` in
    (0, 1]."""

    heads: np.ndarray
    tails: np.ndarray
    weights: np.ndarray


def memberships(distances: np.ndarray) -> np.ndarray:
    """``[N, k]`` memberships of each point's neighbours (``distances`` sorted or not, the
    point itself left out)."""
    d = distances.astype(np.float64)
    k = d.shape[1]
    positive = np.where(d > 0, d, np.inf)
    rho = np.min(positive, axis=1)
    rho = np.where(np.isfinite(rho), rho, 0.0)
    excess = np.maximum(d - rho[:, None], 0.0)
    target = np.log2(k)
    lo, hi, sigma = np.zeros(len(d)), np.full(len(d), np.inf), np.ones(len(d))
    for _ in range(BISECTION_STEPS):
        total = np.exp(-excess / sigma[:, None]).sum(axis=1)
        too_wide = total > target
        hi = np.where(too_wide, sigma, hi)
        lo = np.where(too_wide, lo, sigma)
        sigma = np.where(np.isinf(hi), sigma * 2, (lo + hi) / 2)
    mean = d.mean(axis=1)
    floor = MIN_SIGMA_SCALE * np.where(rho > 0, mean, d.mean() if d.size else 1.0)
    sigma = np.maximum(sigma, floor)
    return np.exp(-excess / np.maximum(sigma, 1e-300)[:, None])


def fuzzy_graph(indices: np.ndarray, distances: np.ndarray) -> FuzzyGraph:
    """The fuzzy union of the points' neighbour sets (``indices``, ``distances``: ``[N, k]``,
    ``-1`` for no neighbour)."""
    n, k = indices.shape
    weights = memberships(distances).ravel()
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    cols = indices.ravel().astype(np.int64)
    keep = (cols >= 0) & (weights > 0)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    keys = np.concatenate([rows * n + cols, cols * n + rows])
    both = np.concatenate([weights, weights])
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=both)
    seen = np.bincount(inverse)
    # The product of the two directions' weights, where both exist (a sum of logarithms).
    log_product = np.bincount(inverse, weights=np.log(np.maximum(both, 1e-300)))
    union = total - np.where(seen == 2, np.exp(log_product), 0.0)
    return FuzzyGraph(unique // n, unique % n, union)


def curve_parameters(min_dist: float, spread: float = 1.0) -> tuple[float, float]:
    """``a``, ``b`` of ``1 / (1 + a d^2b)`` fitted (least squares, Levenberg-Marquardt) to 1
    below ``min_dist`` and ``exp(-(d - min_dist) / spread)`` beyond, on ``[0, 3 spread]``."""
    d = np.linspace(0, 3 * spread, 300)[1:]
    target = np.where(d < min_dist, 1.0, np.exp(-(d - min_dist) / spread))
    log_d = np.log(d)
    params = np.array([np.log(1.5), 0.9])  # log a, b

    def residual(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = np.exp(p[0] + 2 * p[1] * log_d)
        f = 1 / (1 + u)
        jacobian = np.stack([-u * f * f, -2 * log_d * u * f * f], axis=1)
        return f - target, jacobian

    damping = 1e-3
    error, jacobian = residual(params)
    for _ in range(200):
        jtj = jacobian.T @ jacobian
        step = np.linalg.solve(jtj + damping * np.diag(np.diag(jtj)), -jacobian.T @ error)
        new_error, new_jacobian = residual(params + step)
        if new_error @ new_error < error @ error:
            params, error, jacobian = params + step, new_error, new_jacobian
            damping /= 3
            if np.abs(step).max() < 1e-10:
                break
        else:
            damping *= 4
    return float(np.exp(params[0])), float(params[1])


def epochs_per_sample(weights: np.ndarray) -> np.ndarray:
    """How many epochs apart each edge is sampled: the strongest every epoch, the others in
    proportion to their weight."""
    return weights.max() / weights
