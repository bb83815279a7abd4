"""In-memory time series: every point kept, restarts applied.

Restart rule (TensorBoard's "purge orphaned data", as its Rust loader applies it): a point at
step ``s`` replaces every point of the same series at a step ``>= s``. So a job that crashed
at step 900 and resumed from its step-500 checkpoint shows 0..499 from the first attempt and
500.. from the second, and steps within a series are always strictly increasing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


def surviving(steps: np.ndarray) -> np.ndarray | None:
    """Mask of the points of ``steps`` (in arrival order) that the restart rule keeps, or
    None when every point is kept (steps strictly increasing: the usual case).

    Point ``i`` survives when its step is below the step of every later point.
    """
    n = steps.shape[0]
    if n < 2 or (steps[1:] > steps[:-1]).all():
        return None
    # suffix_min[i] = min(steps[i+1:]); the last point always survives.
    later_min = np.minimum.accumulate(steps[::-1])[::-1]
    mask = np.empty(n, dtype=bool)
    mask[:-1] = steps[:-1] < later_min[1:]
    mask[-1] = True
    return mask


_EMPTY: dict[type, np.ndarray] = {
    t: np.empty(0, dtype=t) for t in (np.int32, np.float64, np.float32)
}


class ScalarSeries:
    """One scalar series as three growable columns (step, wall time, value).

    Values are kept at the precision they were written in: float32 for ``simple_value`` and
    DT_FLOAT tensors, float64 as soon as a double arrives. Steps are kept as int32 while
    every step fits (nearly always: 4 bytes a point less), int64 once one does not; the
    columns handed out (:meth:`columns`, :meth:`take`) are always int64.
    """

    __slots__ = ("_step", "_wall", "_value", "_len", "version")

    def __init__(self, value_dtype: type[np.floating] = np.float32) -> None:
        # Empty columns are shared (nothing is ever written into an array of capacity 0).
        self._step = _EMPTY[np.int32]
        self._wall = _EMPTY[np.float64]
        self._value = _EMPTY[value_dtype]
        self._len = 0
        self.version = 0

    def __len__(self) -> int:
        return self._len

    def extend(self, step: np.ndarray, wall: np.ndarray, value: np.ndarray) -> None:
        """Append points in arrival order, applying the restart rule.

        The series takes ownership of the arrays: into an empty series they become its
        columns, to be written into on later restarts.
        """
        if step.shape[0] == 0:
            return
        if value.dtype == np.float64 and self._value.dtype != np.float64:
            self._value = self._value.astype(np.float64)
        if step.dtype != np.int32:
            step = _narrow_steps(step)
            if step.dtype == np.int64 and self._step.dtype == np.int32:
                self._step = self._step.astype(np.int64)
        keep = surviving(step)
        if keep is not None:
            step, wall, value = step[keep], wall[keep], value[keep]
        if not self._step.shape[0]:
            # The first points (a first load): the columns are the arrays given, not copies.
            self._step = step
            self._wall = np.asarray(wall, dtype=np.float64)
            self._value = np.asarray(value, dtype=self._value.dtype)
            self._len = step.shape[0]
            self.version += 1
            return
        first = int(step[0])
        if self._len and int(self._step[self._len - 1]) >= first:
            self._len = int(np.searchsorted(self._step[: self._len], first, side="left"))
        need = self._len + step.shape[0]
        if need > self._step.shape[0]:
            # Exact size for a first load; 25% headroom once the series is growing live.
            capacity = need if self._len == 0 else max(need, self._step.shape[0] * 5 // 4 + 16)
            self._step = _grow(self._step, capacity, self._len)
            self._wall = _grow(self._wall, capacity, self._len)
            self._value = _grow(self._value, capacity, self._len)
        end = need
        self._step[self._len : end] = step
        self._wall[self._len : end] = wall
        self._value[self._len : end] = value
        self._len = end
        self.version += 1

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of the (step, wall time, value) columns, safe to hand out."""
        n = self._len
        return self._step[:n].astype(np.int64), self._wall[:n].copy(), self._value[:n].copy()

    def views(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (step, wall time, value) columns without copying: read them only while holding
        the run's lock (appends and restarts write into these arrays). Steps may be int32."""
        n = self._len
        return self._step[:n], self._wall[:n], self._value[:n]

    def take(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The points at ``indices`` (which must be below ``len(self)``), as new arrays."""
        return self._step[indices].astype(np.int64), self._wall[indices], self._value[indices]

    def last(self) -> tuple[int, float, float] | None:
        """The latest point, or None when empty."""
        if not self._len:
            return None
        i = self._len - 1
        return int(self._step[i]), float(self._wall[i]), float(self._value[i])

    def min_step(self) -> int:
        """Smallest step (the first one); -1 when empty."""
        return int(self._step[0]) if self._len else -1

    def max_step(self) -> int:
        """Largest step (the last one, as steps are increasing); -1 when empty."""
        return int(self._step[self._len - 1]) if self._len else -1

    def max_wall_time(self) -> float:
        """Largest wall time of any point; 0.0 when empty."""
        return float(self._wall[: self._len].max()) if self._len else 0.0

    def nbytes(self) -> int:
        """Memory held by the columns (capacity, not length)."""
        return self._step.nbytes + self._wall.nbytes + self._value.nbytes


_INT32 = np.iinfo(np.int32)


def _narrow_steps(step: np.ndarray) -> np.ndarray:
    """``step`` as int32 when every step fits, else as int64."""
    if step.shape[0] and (int(step.min()) < _INT32.min or int(step.max()) > _INT32.max):
        return np.asarray(step, dtype=np.int64)
    return step.astype(np.int32)


def _grow(array: np.ndarray, capacity: int, keep: int) -> np.ndarray:
    grown = np.empty(capacity, dtype=array.dtype)
    grown[:keep] = array[:keep]
    return grown


@dataclass
class PointSeries(Generic[T]):
    """A series whose points hold a Python object each (a tensor, a tuple of blob refs)."""

    steps: list[int] = field(default_factory=list)
    wall_times: list[float] = field(default_factory=list)
    values: list[T] = field(default_factory=list)
    version: int = 0

    def __len__(self) -> int:
        return len(self.steps)

    def append(self, step: int, wall_time: float, value: T) -> None:
        """Add one point, applying the restart rule."""
        if self.steps and self.steps[-1] >= step:
            cut = int(np.searchsorted(np.asarray(self.steps, dtype=np.int64), step, side="left"))
            del self.steps[cut:], self.wall_times[cut:], self.values[cut:]
        self.steps.append(step)
        self.wall_times.append(wall_time)
        self.values.append(value)
        self.version += 1

    def min_step(self) -> int:
        """Smallest step; -1 when empty."""
        return self.steps[0] if self.steps else -1

    def max_step(self) -> int:
        """Largest step; -1 when empty."""
        return self.steps[-1] if self.steps else -1

    def max_wall_time(self) -> float:
        """Largest wall time; 0.0 when empty."""
        return max(self.wall_times) if self.wall_times else 0.0

    def snapshot(self, indices: np.ndarray) -> list[tuple[int, float, T]]:
        """The points at ``indices`` as ``(step, wall_time, value)`` tuples."""
        return [(self.steps[i], self.wall_times[i], self.values[i]) for i in indices.tolist()]
