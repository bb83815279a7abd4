"""t-SNE and UMAP layouts computed in background threads, one job per (tensor, layout,
parameters), kept so that asking again gives the finished layout at once. A page starts a job
and then polls its positions while it converges; one job runs at a time (a new one stops the
others)."""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore_projector import layout_methods
from tbcore_projector.umap_layout import default_epochs

logger = logging.getLogger(__name__)

KEPT_JOBS = 8
ABANDONED_SECONDS = 30.0
"""A running job whose positions nobody asked for this long (its page closed) stops."""


class TsneRequest(BaseModel):
    """Body of the ``tsne`` route."""

    model_config = ConfigDict(extra="forbid")
    run: str
    name: str
    perplexity: float = Field(30.0, ge=2, le=100)
    learning_rate: float | None = Field(None, ge=1, le=10000)
    """``None``: the number of points / 12, at least 10 (a rate that suits exaggeration 12)."""
    iterations: int = Field(500, ge=10, le=5000)
    dimensions: int = Field(2, ge=2, le=3)


class UmapRequest(BaseModel):
    """Body of the ``umap`` route."""

    model_config = ConfigDict(extra="forbid")
    run: str
    name: str
    neighbors: int = Field(15, ge=2, le=200)
    min_dist: float = Field(0.1, ge=0, le=0.99)
    epochs: int | None = Field(None, ge=10, le=2000)
    """``None``: 500 up to 10,000 points, 200 beyond (UMAP's default)."""
    dimensions: int = Field(2, ge=2, le=3)


LayoutRequest = TsneRequest | UmapRequest


@dataclass
class LayoutJob:
    """A layout being computed: its latest positions (float32; empty before the first
    snapshot) and progress. ``kind`` is ``tsne`` or ``umap``; ``method`` the implementation
    (see :mod:`tbcore_projector.layout_methods`)."""

    id: str
    kind: str
    method: str
    request: LayoutRequest
    iterations: int
    num_points: int
    snapshot: tuple[int, np.ndarray] = (0, np.zeros((0, 2), np.float32))
    """The iterations done and the positions then, replaced together."""
    done: bool = False
    error: str = ""
    stop: threading.Event = field(default_factory=threading.Event)
    last_asked: float = field(default_factory=time.monotonic)

    def progress(self) -> dict[str, object]:
        """``{job, iteration, iterations, done, error, num_points, method}``."""
        return {
            "job": self.id,
            "iteration": self.snapshot[0],
            "iterations": self.iterations,
            "done": self.done,
            "error": self.error,
            "num_points": self.num_points,
            "method": self.method,
        }


class LayoutJobs:
    """The layout jobs of one dashboard."""

    def __init__(self) -> None:
        self._jobs: collections.OrderedDict[str, LayoutJob] = collections.OrderedDict()
        self._lock = threading.Lock()

    def start(self, request: LayoutRequest, values: np.ndarray, tensor_key: object) -> LayoutJob:
        """The job for these values and parameters: a finished or running one, or a new one
        started now."""
        kind = "tsne" if isinstance(request, TsneRequest) else "umap"
        n = len(values)
        fewest = 3 if kind == "umap" else 2
        if n < fewest:
            raise InvalidArgumentError(f"{kind} needs at least {fewest} points, not {n}")
        key = json.dumps([repr(tensor_key), kind, request.model_dump()], sort_keys=True)
        job_id = hashlib.sha256(key.encode()).hexdigest()[:16]
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.stop.is_set():
                self._jobs.move_to_end(job_id)
                job.last_asked = time.monotonic()
                return job
            for other in self._jobs.values():
                if not other.done:
                    other.stop.set()
            if isinstance(request, TsneRequest):
                method, iterations = layout_methods.tsne_method(n), request.iterations
            else:
                method, iterations = layout_methods.umap_method(n), request.epochs or default_epochs(n)
            job = LayoutJob(job_id, kind, method, request, iterations, n)
            self._jobs[job_id] = job
            while len(self._jobs) > KEPT_JOBS:
                self._jobs.popitem(last=False)
        threading.Thread(target=_run, args=(job, values), daemon=True, name=kind).start()
        return job

    def get(self, job_id: str, kind: str) -> LayoutJob:
        """A ``kind`` job by its id; 404 for one that is not kept."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.kind != kind:
            raise NotFoundError(f"no {kind} job {job_id!r}")
        job.last_asked = time.monotonic()
        return job


def _run(job: LayoutJob, values: np.ndarray) -> None:
    def report(iteration: int, positions: np.ndarray) -> bool:
        job.snapshot = (iteration, np.array(positions, dtype=np.float32))
        if time.monotonic() - job.last_asked > ABANDONED_SECONDS:
            job.stop.set()
        return not job.stop.is_set()

    try:
        request = job.request
        if isinstance(request, TsneRequest):
            layout_methods.run_tsne(
                job.method, values, perplexity=request.perplexity,
                learning_rate=request.learning_rate, iterations=job.iterations,
                dimensions=request.dimensions, report=report,
            )
        else:
            layout_methods.run_umap(
                job.method, values, neighbors=request.neighbors, min_dist=request.min_dist,
                epochs=job.iterations, dimensions=request.dimensions, report=report,
            )
    except Exception as e:  # noqa: BLE001  # a failed layout is reported to the page
        logger.warning("%s job %s failed: %s", job.kind, job.id, e)
        job.error = f"{type(e).__name__}: {e}"
    finally:
        job.done = True
