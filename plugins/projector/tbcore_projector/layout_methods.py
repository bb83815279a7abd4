"""Which implementation computes a t-SNE or UMAP layout, by the number of points and the
optional libraries installed, and running it with a snapshot of the positions every few
iterations.

| layout | points | implementation |
|---|---|---|
| t-SNE | up to 3,000 | exact, numpy (:mod:`tbcore_projector.tsne`) |
| t-SNE | 3,001 to 30,000 with openTSNE installed | openTSNE (FFT in 2-D, Barnes-Hut in 3-D) |
| t-SNE | beyond, or without openTSNE | landmarks, numpy (:mod:`tbcore_projector.landmark_tsne`) |
| UMAP | any, with the C extension built | C epochs (:mod:`tbcore_projector.umap_layout`) |
| UMAP | any, without it | numpy epochs (the same module) |

Measured on 2 cores (busy): openTSNE does 300 iterations on 20,000 points in 20 s, but on
100,000 it needs 27 s before its first positions and about 4 minutes in all, where landmark
t-SNE is done in 25 s; so landmarks stay beyond 30,000 points. umap-learn is not used: on
100,000 points it took 187 s (and 7 s to import, more for its first compilation) against
about 105 s for the numpy UMAP, and it gives no positions before the end. On an idle machine
the C epochs take 36 s for those 200 epochs of 100,000 points (6 s of them the neighbours
and graph) where the numpy ones take 65 s.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from tbcore_projector import fast_layouts, umap_layout
from tbcore_projector.fast_layouts import Report
from tbcore_projector.landmark_tsne import LandmarkTsne
from tbcore_projector.projections import reduced
from tbcore_projector.tsne import EXACT_POINTS, Tsne
from tbcore_projector.umap_layout import Umap

OPENTSNE_POINTS = 30_000
TSNE_SNAPSHOT_EVERY = 5
"""t-SNE iterations between two snapshots (a UMAP epoch is longer: a snapshot each)."""


class Stepper(Protocol):
    """A layout advanced one iteration at a time."""

    @property
    def iteration(self) -> int: ...

    @property
    def positions(self) -> np.ndarray: ...

    def step(self) -> None: ...


def tsne_method(points: int) -> str:
    """``exact``, ``openTSNE`` or ``landmarks``."""
    if points <= EXACT_POINTS:
        return "exact"
    if points <= OPENTSNE_POINTS and fast_layouts.available("openTSNE"):
        return "openTSNE"
    return "landmarks"


def umap_method(points: int) -> str:
    """``C`` where the extension is built, else ``numpy`` (any number of points)."""
    return umap_layout.IMPLEMENTATION


def run_tsne(
    method: str, values: np.ndarray, *, perplexity: float, learning_rate: float | None,
    iterations: int, dimensions: int, report: Report,
) -> None:
    """t-SNE of ``values`` by ``method``, ``report`` every few iterations."""
    if method == "openTSNE":
        fast_layouts.run_opentsne(
            reduced(values), perplexity=perplexity, learning_rate=learning_rate,
            iterations=iterations, dimensions=dimensions, report=report,
            every=TSNE_SNAPSHOT_EVERY,
        )
        return
    kind = Tsne if method == "exact" else LandmarkTsne
    layout = kind(values, perplexity=perplexity, learning_rate=learning_rate, dimensions=dimensions)
    _run_steps(layout, iterations, TSNE_SNAPSHOT_EVERY, report)


def run_umap(
    method: str, values: np.ndarray, *, neighbors: int, min_dist: float, epochs: int,
    dimensions: int, report: Report,
) -> None:
    """UMAP of ``values`` by ``method`` (``C`` or ``numpy``), ``report`` at the start and
    after every epoch."""
    layout = Umap(
        values, neighbors=neighbors, min_dist=min_dist, epochs=epochs, dimensions=dimensions,
        implementation=method,
    )
    if report(0, layout.positions):
        _run_steps(layout, epochs, 1, report)


def _run_steps(layout: Stepper, total: int, every: int, report: Report) -> None:
    while layout.iteration < total:
        layout.step()
        if layout.iteration % every == 0 or layout.iteration == total:
            if not report(layout.iteration, layout.positions):
                return

