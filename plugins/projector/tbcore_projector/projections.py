"""Projections and neighbours computed on the server with numpy: exact PCA (any number of
components, with the variance each explains) and the nearest neighbours of a point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tbcore.errors import InvalidArgumentError

MAX_NEIGHBORS = 1000
METRICS = ("cosine", "euclidean")


@dataclass(frozen=True)
class Pca:
    """Positions ``[N, k]`` (float32) and the fraction of the total variance each of the
    ``k`` components explains."""

    positions: np.ndarray
    variance_explained: list[float]
    total_variance: float


def pca(values: np.ndarray, components: int) -> Pca:
    """Exact PCA of the rows of ``values``: eigenvectors of the covariance (or, when there are
    fewer rows than columns, of the Gram matrix), largest first, each signed so that its
    largest loading is positive."""
    n, d = values.shape
    if not 1 <= components <= max(1, d):
        raise InvalidArgumentError(f"components must be between 1 and {d}, got {components}")
    if n == 0:
        return Pca(np.zeros((0, components), np.float32), [0.0] * components, 0.0)
    x = values.astype(np.float64)
    x -= x.mean(axis=0)
    k = min(components, n, d)
    # the sum of squares, for the shares of variance, is the trace of either product
    if d <= n:
        product = x.T @ x
        eigenvalues, vectors = np.linalg.eigh(product)
        order = np.argsort(eigenvalues)[::-1][:k]
        eigenvalues, axes = eigenvalues[order], vectors[:, order]
    else:  # fewer points than dimensions: the Gram matrix is the smaller one
        product = x @ x.T
        eigenvalues, vectors = np.linalg.eigh(product)
        order = np.argsort(eigenvalues)[::-1][:k]
        eigenvalues = eigenvalues[order]
        axes = x.T @ vectors[:, order]
        axes /= np.maximum(np.linalg.norm(axes, axis=0), 1e-300)
    largest = np.argmax(np.abs(axes), axis=0)
    axes *= np.where(axes[largest, np.arange(k)] < 0, -1.0, 1.0)
    positions = np.zeros((n, components), np.float32)
    positions[:, :k] = x @ axes
    total = float(np.trace(product))
    explained = [float(max(v, 0.0) / total) if total > 0 else 0.0 for v in eigenvalues]
    explained += [0.0] * (components - k)
    return Pca(positions, explained, total / max(n - 1, 1))


PCA_DIMENSIONS = 50
"""t-SNE and UMAP start from at most this many principal components of the points."""


def reduced(values: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """``values`` as ``dtype``, reduced to their first :data:`PCA_DIMENSIONS` principal
    components when they have more columns: what t-SNE and UMAP start from."""
    x = np.asarray(values, dtype=dtype)
    if x.shape[1] <= PCA_DIMENSIONS:
        return x
    return pca(x, PCA_DIMENSIONS).positions.astype(dtype, copy=False)


def neighbors(values: np.ndarray, index: int, count: int, metric: str) -> list[dict[str, float]]:
    """The ``count`` points nearest to point ``index`` (itself excluded), nearest first:
    ``[{index, distance}]``; cosine distance is ``1 - cos``."""
    n = len(values)
    if not 0 <= index < n:
        raise InvalidArgumentError(f"index must be between 0 and {n - 1}, got {index}")
    if not 1 <= count <= MAX_NEIGHBORS:
        raise InvalidArgumentError(f"count must be between 1 and {MAX_NEIGHBORS}, got {count}")
    if metric not in METRICS:
        raise InvalidArgumentError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    x = values.astype(np.float32, copy=False)
    point = x[index]
    if metric == "euclidean":
        distances = np.sqrt(np.maximum(np.sum((x - point) ** 2, axis=1), 0.0))
    else:
        norms = np.linalg.norm(x, axis=1) * np.linalg.norm(point)
        distances = 1.0 - (x @ point) / np.where(norms > 0, norms, 1.0)
    distances[index] = np.inf
    count = min(count, n - 1)
    if count <= 0:
        return []
    nearest = np.argpartition(distances, count - 1)[:count]
    nearest = nearest[np.lexsort((nearest, distances[nearest]))]
    return [{"index": int(i), "distance": float(distances[i])} for i in nearest]


def custom_projection(
    values: np.ndarray, x_axis: tuple[list[int], list[int]], y_axis: tuple[list[int], list[int]]
) -> np.ndarray:
    """Positions ``[N, 2]`` along two directions, each from the mean of a first group of
    points to the mean of a second (a search's matches); the second direction is made
    orthogonal to the first. An empty group counts as the centroid of all points."""
    x = values.astype(np.float64)
    centroid = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])

    def direction(axis: tuple[list[int], list[int]]) -> np.ndarray:
        means = []
        for group in axis:
            if any(not 0 <= i < len(x) for i in group):
                raise InvalidArgumentError(f"point indices must be between 0 and {len(x) - 1}")
            means.append(x[group].mean(axis=0) if group else centroid)
        return means[1] - means[0]

    u = direction(x_axis)
    v = direction(y_axis)
    u /= max(float(np.linalg.norm(u)), 1e-300)
    v = v - (v @ u) * u
    v /= max(float(np.linalg.norm(v)), 1e-300)
    return np.stack([x @ u, x @ v], axis=1).astype(np.float32)
