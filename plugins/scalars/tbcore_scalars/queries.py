"""What the scalars routes compute, as pure functions of the data provider.

Every function returns plain data (or raises a :class:`tbcore.errors.PublicError`); the
routes in ``plugin.py`` only parse requests and encode answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import numpy as np

from tbcore.data.downsample import viewport_indices
from tbcore.data.provider import DataProvider, RunTagFilter, ScalarColumns
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.server.responses import finite_column, finite_floats
from tbcore.server.tag_listing import tag_listing
from tbcore_scalars.metadata import PLUGIN_NAME

X_AXES = ("step", "wall_time")
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


def rows_csv(cols: ScalarColumns) -> str:
    """TensorBoard's CSV download: a ``Wall time,Step,Value`` header, then one row per point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Wall time", "Step", "Value"])
    writer.writerows(zip(cols.wall_time.tolist(), cols.step.tolist(), cols.value.astype(np.float64).tolist()))
    return out.getvalue()


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
) -> dict[str, dict[str, np.ndarray | list[float | str] | int]]:
    """All requested runs of one tag as columns, for the dashboard.

    Without ``buckets`` every point is returned. With ``buckets``, the points of the window
    ``[x_min, x_max]`` of axis ``x`` are thinned to each bucket's first, last, lowest and
    highest point (spikes survive), plus every non-finite point; ``total`` says how many
    points the series has. ``columns`` names the columns wanted (a subset of :data:`COLUMNS`).
    """
    wanted = set(columns)
    if not wanted <= set(COLUMNS):
        raise InvalidArgumentError(f"columns must be among {', '.join(COLUMNS)}")
    if x not in X_AXES:
        raise InvalidArgumentError(f"x must be one of {', '.join(X_AXES)}, got {x!r}")
    if buckets is not None and buckets <= 0:
        raise InvalidArgumentError(f"buckets must be positive, got {buckets}")
    out: dict[str, dict[str, np.ndarray | list[float | str] | int]] = {}
    for run, cols in read_series(provider, runs, tag).items():
        if buckets:
            axis = cols.step if x == "step" else cols.wall_time
            lo = float(axis[0]) if x_min is None and len(cols) else (x_min or 0.0)
            hi = float(axis[-1]) if x_max is None and len(cols) else (x_max or 0.0)
            idx = viewport_indices(axis, cols.value, lo, hi, buckets) if len(cols) else np.empty(0, np.int64)
            step, wall, value = cols.step[idx], cols.wall_time[idx], cols.value[idx]
        else:
            step, wall, value = cols.step, cols.wall_time, cols.value
        row: dict[str, np.ndarray | list[float | str] | int] = {"total": len(cols)}
        if "step" in wanted:
            row["step"] = np.ascontiguousarray(step)
        if "wall_time" in wanted:
            row["wall_time"] = finite_column(wall)
        if "value" in wanted:
            row["value"] = finite_column(value)
        out[run] = row
    return out
