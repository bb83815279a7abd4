"""What the histograms and distributions routes compute, as pure functions of the data provider.

Every function returns plain data (or raises a :class:`tbcore.errors.PublicError`); the
routes in ``plugin.py`` only parse requests and encode answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from tbcore.data.provider import DataProvider, RunTagFilter, TensorDatum
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.server.responses import jsonable
from tbcore.server.tag_listing import tag_listing
from tbcore_histograms.metadata import NORMAL_HISTOGRAM_BPS, PLUGIN_NAME

Row = list[Any]
"""``[wall_time, step, payload]``, one per step, as TensorBoard's routes return them."""


def tags_index(provider: DataProvider) -> dict[str, dict[str, dict[str, str]]]:
    """``{run: {tag: {displayName, description}}}`` (TensorBoard's ``tags`` route of both
    dashboards)."""
    return tag_listing(provider.list_tensors(plugin_name=PLUGIN_NAME))


def read_histograms(
    provider: DataProvider, runs: Iterable[str] | None, tag: str, samples: int | None = None
) -> dict[str, list[TensorDatum]]:
    """The points of ``tag`` for each of ``runs`` (all runs when None) that has it; every
    step unless ``samples`` is positive."""
    if not tag:
        raise InvalidArgumentError("tag must be given")
    if samples is not None and samples < 0:
        raise InvalidArgumentError(f"samples must be positive, got {samples}")
    flt = RunTagFilter.of(runs, [tag])
    data = provider.read_tensors(plugin_name=PLUGIN_NAME, downsample=samples, run_tag_filter=flt)
    return {run: tags[tag] for run, tags in data.items() if tag in tags}


def series_lengths(provider: DataProvider, runs: Iterable[str] | None, tag: str) -> dict[str, int]:
    """How many steps the series of ``tag`` holds in each of ``runs`` (all runs when None)."""
    listing = provider.list_tensors(plugin_name=PLUGIN_NAME, run_tag_filter=RunTagFilter.of(runs, [tag]))
    return {run: tags[tag].length for run, tags in listing.items() if tag in tags}


def multirun(
    provider: DataProvider,
    runs: Iterable[str] | None,
    tag: str,
    samples: int | None,
    to_rows: Callable[[Sequence[TensorDatum]], list[Row]],
) -> dict[str, dict[str, Any]]:
    """``{run: {"total": steps in the series, "rows": to_rows(points)}}`` for each of ``runs``
    (all runs when None) that has ``tag``; every step unless ``samples`` is positive, so
    ``total`` says how many steps the rows stand for."""
    runs = None if runs is None else list(runs)
    data = read_histograms(provider, runs, tag, samples)
    totals = series_lengths(provider, runs, tag)
    # A step written between the two reads may make the listing lag the points.
    return {
        run: {"total": max(totals.get(run, 0), len(points)), "rows": to_rows(points)}
        for run, points in data.items()
    }


def single_series(
    provider: DataProvider, run: str, tag: str, samples: int | None
) -> list[TensorDatum]:
    """One series; :class:`NotFoundError` when the run has no such histogram tag."""
    if not run:
        raise InvalidArgumentError("run must be given")
    found = read_histograms(provider, [run], tag, samples).get(run)
    if found is None:
        raise NotFoundError(f"no histogram data for run={run!r}, tag={tag!r}")
    return found


def buckets_of(datum: TensorDatum) -> np.ndarray | None:
    """The ``[k, 3]`` (left, right, count) array of a point, or None when it is malformed."""
    array = np.asarray(datum.numpy)
    if array.size == 0:
        return np.zeros((0, 3), dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 3 or array.dtype.kind not in "iuf":
        return None
    return array


def histogram_rows(points: Sequence[TensorDatum], *, arrays: bool = False) -> list[Row]:
    """``[[wall_time, step, [[left, right, count], ...]], ...]`` (TensorBoard's
    ``histograms`` route); non-finite numbers as ``"NaN"``/``"Infinity"``/``"-Infinity"``.
    Malformed points (not ``[k, 3]`` numbers) are left out.

    With ``arrays``, finite bucket arrays stay numpy arrays (C-contiguous, float64 or int),
    for ``orjson.OPT_SERIALIZE_NUMPY``: several times faster than a Python float per number.
    """
    out: list[Row] = []
    for d in points:
        buckets = buckets_of(d)
        if buckets is None:
            continue
        payload: Any
        if not np.isfinite(buckets).all():
            payload = jsonable(buckets.tolist())
        elif arrays:
            dtype = np.float64 if buckets.dtype.kind == "f" else np.int64
            payload = np.ascontiguousarray(buckets, dtype=dtype)
        else:
            payload = buckets.tolist()
        out.append([d.wall_time, d.step, payload])
    return out


def distribution_rows(points: Sequence[TensorDatum]) -> list[Row]:
    """``[[wall_time, step, [[basis_point, value], ...9]], ...]`` (TensorBoard's
    ``distributions`` route): each histogram compressed by :func:`compress_histogram`."""
    out: list[Row] = []
    for d in points:
        buckets = buckets_of(d)
        if buckets is None:
            continue
        out.append([d.wall_time, d.step, jsonable(compress_histogram(buckets))])
    return out


def compress_histogram(
    buckets: np.ndarray, bps: Sequence[int] = NORMAL_HISTOGRAM_BPS
) -> list[tuple[int, float]]:
    """The value at each basis point of the histogram's cumulative weight.

    The same arithmetic as TensorBoard's ``compressor.compress_histogram`` (and TF's
    ``Histogram::Percentile``), so the numbers match: linear interpolation inside the
    bucket where the cumulative weight crosses the basis point, edges clamped to the
    histogram's range, empty buckets skipped; points past the last weight are the maximum.
    An empty histogram gives zeros.
    """
    buckets = np.asarray(buckets, dtype=np.float64).reshape(-1, 3)
    if not buckets.size:
        return [(bp, 0.0) for bp in bps]
    lowest, highest = float(buckets[0, 0]), float(buckets[-1, 1])
    counts = buckets[:, 2]
    cumulative = (counts * bps[-1] / (counts.sum() or 1.0)).cumsum()
    weights = cumulative.tolist()  # Python floats: indexed one by one below
    rights = buckets[:, 1].tolist()
    n = len(weights)
    out: list[tuple[int, float]] = []
    for bp in bps:
        i = int(np.searchsorted(cumulative, bp, side="right"))
        while i < n and weights[i] == (weights[i - 1] if i > 0 else 0.0):
            i += 1  # an empty bucket: no interpolation inside it
        if i >= n:
            break
        before = weights[i - 1] if i > 0 else 0.0
        left = lowest if (not i or not before) else max(rights[i - 1], lowest)
        right = min(rights[i], highest)
        out.append((bp, left + (bp - before) * float(right - left) / (weights[i] - before)))
    out.extend((bp, highest) for bp in bps[len(out) :])
    return out
