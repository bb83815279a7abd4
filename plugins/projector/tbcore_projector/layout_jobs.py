"""t-SNE layouts computed in background threads, one job per (tensor, parameters), kept so
that asking again gives the finished layout at once. A page starts a job and then polls its
positions while it converges; one job runs at a time (a new one stops the others)."""

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
from tbcore_projector.landmark_tsne import LandmarkTsne
from tbcore_projector.tsne import EXACT_POINTS, Tsne

logger = logging.getLogger(__name__)

SNAPSHOT_EVERY = 5
"""Iterations between two copies of the positions handed to pages."""
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


@dataclass
class TsneJob:
    """A layout being computed: its latest positions (float32) and progress."""

    id: str
    request: TsneRequest
    iterations: int
    positions: np.ndarray
    iteration: int = 0
    done: bool = False
    error: str = ""
    stop: threading.Event = field(default_factory=threading.Event)
    last_asked: float = field(default_factory=time.monotonic)

    def progress(self) -> dict[str, object]:
        """``{job, iteration, iterations, done, error, num_points}``."""
        return {
            "job": self.id,
            "iteration": self.iteration,
            "iterations": self.iterations,
            "done": self.done,
            "error": self.error,
            "num_points": len(self.positions),
        }


class LayoutJobs:
    """The t-SNE jobs of one dashboard."""

    def __init__(self) -> None:
        self._jobs: collections.OrderedDict[str, TsneJob] = collections.OrderedDict()
        self._lock = threading.Lock()

    def start(self, request: TsneRequest, values: np.ndarray, tensor_key: object) -> TsneJob:
        """The job for these values and parameters: a finished or running one, or a new one
        started now."""
        if len(values) < 2:
            raise InvalidArgumentError("t-SNE needs at least two points")
        key = json.dumps([repr(tensor_key), request.model_dump()], sort_keys=True)
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
            job = TsneJob(
                job_id, request, request.iterations,
                np.zeros((len(values), request.dimensions), np.float32),
            )
            self._jobs[job_id] = job
            while len(self._jobs) > KEPT_JOBS:
                self._jobs.popitem(last=False)
        threading.Thread(target=_run, args=(job, values), daemon=True, name="tsne").start()
        return job

    def get(self, job_id: str) -> TsneJob:
        """A job by its id; 404 for one that is not kept."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no t-SNE job {job_id!r}")
        job.last_asked = time.monotonic()
        return job


def _run(job: TsneJob, values: np.ndarray) -> None:
    try:
        request = job.request
        kind = Tsne if len(values) <= EXACT_POINTS else LandmarkTsne
        tsne = kind(
            values, perplexity=request.perplexity, learning_rate=request.learning_rate,
            dimensions=request.dimensions,
        )
        while tsne.iteration < job.iterations and not job.stop.is_set():
            if time.monotonic() - job.last_asked > ABANDONED_SECONDS:
                job.stop.set()
                break
            tsne.step()
            if tsne.iteration % SNAPSHOT_EVERY == 0 or tsne.iteration == job.iterations:
                job.positions = tsne.positions.astype(np.float32)
                job.iteration = tsne.iteration
    except Exception as e:  # noqa: BLE001  # a failed layout is reported to the page
        logger.warning("t-SNE job %s failed: %s", job.id, e)
        job.error = f"{type(e).__name__}: {e}"
    finally:
        job.done = True
