"""t-SNE by openTSNE, the optional library of the ``fast`` extra (``pip install
tbcore-projector[fast]``): FFT-accelerated gradients in 2-D, Barnes-Hut in 3-D. The server
works without it; it is imported on first use only, with ML frameworks kept out (the server
never imports one, and a library may reach for one it finds installed)."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from tbcore_projector.nearest import nearest_neighbors

Report = Callable[[int, np.ndarray], bool]
"""Called with the iterations done and the layout so far; ``False`` stops the run."""
FRAMEWORKS = ("tensorflow", "keras", "torch", "torchvision", "jax", "tf_keras")
EARLY_EXAGGERATION_ITERATIONS = 250
_import_lock = threading.Lock()


def available(package: str) -> bool:
    """Whether ``package`` (e.g. ``openTSNE``) can be imported."""
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


class _NoFrameworks(importlib.abc.MetaPathFinder):
    """Refuses to import an ML framework that is not imported yet."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".")[0] in FRAMEWORKS:
            raise ImportError(f"{name} is not imported by the projector")


def import_without_frameworks(name: str) -> ModuleType:
    """``import name`` while ML frameworks cannot be imported."""
    with _import_lock:
        if name in sys.modules:
            return sys.modules[name]
        blocker = _NoFrameworks()
        sys.meta_path.insert(0, blocker)
        try:
            return importlib.import_module(name)
        finally:
            sys.meta_path.remove(blocker)


def run_opentsne(
    x: np.ndarray, *, perplexity: float, learning_rate: float | None, iterations: int,
    dimensions: int, report: Report, every: int,
) -> None:
    """openTSNE on ``x`` (already reduced by PCA): affinities from our nearest neighbours,
    PCA initialisation, early exaggeration for the first 250 iterations, then the rest;
    FFT-accelerated gradients in 2-D, Barnes-Hut in 3-D; ``report`` every ``every``
    iterations."""
    open_tsne = import_without_frameworks("openTSNE")
    from openTSNE import affinity, initialization
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    x = np.ascontiguousarray(x, dtype=np.float64)
    k = min(len(x) - 1, int(3 * perplexity))
    indices, distances = nearest_neighbors(x.astype(np.float32), k)
    affinities = affinity.PerplexityBasedNN(
        knn_index=PrecomputedNeighbors(indices, distances.astype(np.float64)),
        perplexity=min(perplexity, (k - 1) / 3), verbose=False,
    )
    start = initialization.pca(x, n_components=dimensions, random_state=0)
    gradients = "fft" if dimensions <= 2 else "bh"
    embedding = open_tsne.TSNEEmbedding(
        start, affinities, n_jobs=1, negative_gradient_method=gradients, random_state=0,
        learning_rate=learning_rate or "auto",
    )
    if not report(0, np.asarray(embedding)):
        return
    early = min(EARLY_EXAGGERATION_ITERATIONS, iterations)
    done = 0

    def callback(iteration: int, error: float, current: Any) -> bool:
        return not report(done + iteration, np.asarray(current))

    for count, exaggeration, momentum in ((early, 12.0, 0.5), (iterations - early, 1.0, 0.8)):
        if count <= 0:
            continue
        try:
            embedding = embedding.optimize(
                n_iter=count, exaggeration=exaggeration, momentum=momentum, inplace=True,
                callbacks=[callback], callbacks_every_iters=every, propagate_exception=True,
            )
        except open_tsne.tsne.OptimizationInterrupt:
            return
        done += count
    if done % every:
        report(done, np.asarray(embedding))
