"""What the scalars routes compute, as pure functions of the data provider.

Every function returns plain data (or raises a :class:`tbcore.errors.PublicError`); the
routes in ``plugin.py`` only parse requests and encode answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tbcore.data.downsample import X_AXES, ScalarWindow
from tbcore.data.provider import DataProvider, RunTagFilter, ScalarColumns
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.server.responses import finite_column, finite_floats
from tbcore.server.tag_listing import tag_listing
from tbcore_scalars.metadata import PLUGIN_NAME

COLUMNS = ("step", "wall_time", "value")


def tags_index(provider: DataProvider) -> dict[str, dict[str, dict[str, str]]]:
    """``{run: {tag: {displayName, description}}}`` (TensorBoard's ``tags`` route)."""
    return tag_listing(provider.list_scalars(plugin_name=PLUGIN_NAME))


def read_series(
    provider: DataProvider, runs: Iterable[str] | None, tag: str, samples: int | None = None
) -> dict[str, ScalarColumns]:
    """The columns of ``tag`` for each of ``runs`` (all runs when None) that has it."""
    if not tag:
        raise InvalidArgumentError("tag must be given")
    if samples is not None and samples < 0:
        raise InvalidArgumentError(f"samples must be positive, got {samples}")
    flt = RunTagFilter.of(runs, [tag])
    data = provider.read_scalars(plugin_name=PLUGIN_NAME, downsample=samples, run_tag_filter=flt)
    return {run: tags[tag] for run, tags in data.items() if tag in tags}


def rows(cols: ScalarColumns) -> list[tuple[float | str, int, float | str]]:
    """``[(wall_time, step, value), ...]`` (JSON arrays) with non-finite values as strings."""
    return list(zip(finite_floats(cols.wall_time), cols.step.tolist(), finite_floats(cols.value)))


def single_series(provider: DataProvider, run: str, tag: str, samples: int | None) -> ScalarColumns:
    """One series; :class:`NotFoundError` when the run has no such scalar tag."""
    if not run:
        raise InvalidArgumentError("run must be given")
    found = read_series(provider, [run], tag, samples).get(run)
    if found is None:
        raise NotFoundError(f"no scalar data for run={run!r}, tag={tag!r}")
    return found


@dataclass(frozen=True, slots=True)
class HeldPoints:
    """What a client already holds of one run's series: ``count`` points, the last at
    ``step`` written at ``wall_time``."""

    count: int
    step: float
    wall_time: float

    @classmethod
    def parse(cls, text: str) -> HeldPoints | None:
        """``"<count>:<step>:<wall_time>"`` (the ``since`` parameter of ``series``); None for
        ``""`` (nothing held)."""
        if not text:
            return None
        try:
            count, step, wall_time = text.split(":")
            held = cls(int(count), float(step), float(wall_time))
        except ValueError:
            raise InvalidArgumentError(f"since must be count:step:wall_time, got {text!r}") from None
        if held.count < 1:
            raise InvalidArgumentError(f"since must count at least one point (or be empty), got {text!r}")
        return held

    def tail_start(self, cols: ScalarColumns) -> int:
        """Where the points the client lacks start in ``cols``, or 0 when what it holds is no
        longer a prefix of the series (a restart replaced its last point: a replayed step
        has the same step but a later wall time)."""
        n = self.count
        if n <= len(cols.step) and cols.step[n - 1] == self.step and cols.wall_time[n - 1] == self.wall_time:
            return n
        return 0


@dataclass(frozen=True, slots=True)
class RunColumns:
    """The columns of one run's series that a ``series`` request asked for (None: not asked
    for), how many points the whole series has, and the index of the first point sent (above
    0 when only the points after those the client holds are sent)."""

    total: int
    step: np.ndarray | None
    wall_time: np.ndarray | None
    value: np.ndarray | None
    offset: int = 0

    def json(self) -> dict[str, np.ndarray | list[float | str] | int]:
        """The JSON form: numpy arrays (encoded natively), non-finite values as strings."""
        row: dict[str, np.ndarray | list[float | str] | int] = {"total": self.total, "offset": self.offset}
        if self.step is not None:
            row["step"] = np.ascontiguousarray(self.step)
        if self.wall_time is not None:
            row["wall_time"] = finite_column(self.wall_time)
        if self.value is not None:
            row["value"] = finite_column(self.value)
        return row


def columnar(
    provider: DataProvider,
    runs: Iterable[str] | None,
    tag: str,
    *,
    x: str = "step",
    x_min: float | None = None,
    x_max: float | None = None,
    buckets: int | None = None,
    columns: Iterable[str] = COLUMNS,
    since: dict[str, HeldPoints] | None = None,
) -> dict[str, RunColumns]:
    """All requested runs of one tag as columns, for the dashboard.

    Without ``buckets`` every point is returned. With ``buckets``, the points of the window
    ``[x_min, x_max]`` of axis ``x`` are thinned to each bucket's first, last, lowest and
    highest point (spikes survive), plus every non-finite point; ``total`` says how many
    points the series has. ``columns`` names the columns wanted (a subset of :data:`COLUMNS`).
    ``since`` (live updates, not with ``buckets``): for the runs it names, only the points
    after those the client holds, when they are still a prefix of the series.
    """
    wanted = set(columns)
    if not wanted <= set(COLUMNS):
        raise InvalidArgumentError(f"columns must be among {', '.join(COLUMNS)}")
    if x not in X_AXES:
        raise InvalidArgumentError(f"x must be one of {', '.join(X_AXES)}, got {x!r}")
    if buckets is not None and buckets <= 0:
        raise InvalidArgumentError(f"buckets must be positive, got {buckets}")
    for name, bound in (("xmin", x_min), ("xmax", x_max)):
        if bound is not None and np.isnan(bound):
            raise InvalidArgumentError(f"{name} must be a number, got NaN")
    if since and buckets:
        raise InvalidArgumentError("since cannot be combined with buckets")
    out = {}
    for run, (cols, total) in _read_window(provider, runs, tag, x, x_min, x_max, buckets).items():
        held = since.get(run) if since else None
        start = held.tail_start(cols) if held else 0
        out[run] = RunColumns(
            total,
            cols.step[start:] if "step" in wanted else None,
            cols.wall_time[start:] if "wall_time" in wanted else None,
            cols.value[start:] if "value" in wanted else None,
            start,
        )
    return out


def _read_window(
    provider: DataProvider,
    runs: Iterable[str] | None,
    tag: str,
    x: str,
    x_min: float | None,
    x_max: float | None,
    buckets: int | None,
) -> dict[str, tuple[ScalarColumns, int]]:
    """Every point of each run's series (no ``buckets``), or the points that draw the window."""
    if not buckets:
        return {run: (cols, len(cols)) for run, cols in read_series(provider, runs, tag).items()}
    if not tag:
        raise InvalidArgumentError("tag must be given")
    window = ScalarWindow(buckets=buckets, x=x, x_min=x_min, x_max=x_max)
    data = provider.read_scalars_window(
        plugin_name=PLUGIN_NAME, window=window, run_tag_filter=RunTagFilter.of(runs, [tag])
    )
    return {run: (tags[tag].columns, tags[tag].total) for run, tags in data.items() if tag in tags}
