"""t-SNE for more points than exact t-SNE can hold: exact t-SNE on a random sample of
landmarks, every other point placed at the distance-weighted mean of its nearest landmarks
(in the PCA-reduced space), recomputed at every step so that the whole cloud moves while the
landmarks converge. An approximation: points are drawn towards their landmarks, and
structure finer than the landmarks' spacing is lost."""

from __future__ import annotations

import numpy as np

from tbcore_projector.nearest import nearest_in
from tbcore_projector.projections import reduced
from tbcore_projector.tsne import Tsne

LANDMARKS = 2000
NEAREST = 8


class LandmarkTsne:
    """Same interface as :class:`tbcore_projector.tsne.Tsne` (``step``, ``positions``,
    ``iteration``) for any number of points."""

    def __init__(
        self,
        values: np.ndarray,
        *,
        perplexity: float = 30.0,
        learning_rate: float | None = None,
        dimensions: int = 2,
        seed: int = 0,
        landmarks: int = LANDMARKS,
    ) -> None:
        x = reduced(values)
        rng = np.random.default_rng(seed)
        self.landmarks = np.sort(rng.choice(len(x), size=min(landmarks, len(x)), replace=False))
        self.tsne = Tsne(
            x[self.landmarks], perplexity=perplexity, learning_rate=learning_rate,
            dimensions=dimensions, seed=seed,
        )
        self.nearest, self.weights = _nearest_landmarks(x, x[self.landmarks], NEAREST)
        self.nearest[self.landmarks] = self.landmarks_index()[:, None]
        self.weights[self.landmarks] = 0.0
        self.weights[self.landmarks, 0] = 1.0

    def landmarks_index(self) -> np.ndarray:
        """Each landmark's row in the landmark layout (0, 1, ...)."""
        return np.arange(len(self.landmarks))

    @property
    def iteration(self) -> int:
        """Iterations done."""
        return self.tsne.iteration

    @property
    def positions(self) -> np.ndarray:
        """Every point's position: landmarks where t-SNE put them, the others interpolated."""
        layout = self.tsne.positions
        return np.einsum("nk,nkd->nd", self.weights, layout[self.nearest])

    def step(self) -> None:
        """One iteration of the landmarks' t-SNE."""
        self.tsne.step()


def _nearest_landmarks(
    x: np.ndarray, landmarks: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """For every row of ``x``: its ``count`` nearest landmarks and weights (inverse distance,
    summing to 1)."""
    nearest, distance = nearest_in(x, landmarks, count)
    w = 1.0 / (distance + 1e-6 * (1 + distance.mean(axis=1, keepdims=True)))
    return nearest, (w / w.sum(axis=1, keepdims=True)).astype(np.float32)
