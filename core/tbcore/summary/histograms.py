"""Histograms in TensorBoard's legacy ``HistogramProto`` form, as torch writes them.

Non-finite values are left out, statistics included (torch keeps them in ``min``, ``max``,
``sum`` and ``num``, which TensorBoard then draws as NaN or infinite bucket edges).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np

from tbcore.proto import histogram_pb2


@functools.cache
def tensorflow_bins() -> np.ndarray:
    """TensorFlow's default bucket edges: ±1e-12 growing by 10% up to 1e20, and 0."""
    positive = []
    edge = 1e-12
    while edge < 1e20:
        positive.append(edge)
        edge *= 1.1  # repeated multiplication, not a power, to get exactly TensorFlow's edges
    edges = np.array(positive)
    return np.concatenate([-edges[::-1], [0.0], edges])


class NonFinite(NamedTuple):
    """How many values of a histogram's input were left out, by kind."""

    nan: int
    pos_inf: int
    neg_inf: int

    @property
    def total(self) -> int:
        """All the values left out."""
        return self.nan + self.pos_inf + self.neg_inf

    def __str__(self) -> str:
        return f"{self.nan} NaN, {self.pos_inf} +inf and {self.neg_inf} -inf"


def finite_values(values: Any) -> tuple[np.ndarray, NonFinite]:
    """The finite values of ``values``, flattened to float64, and what was left out.

    Raises ``ValueError`` when there is no value, or no finite one (naming the first few).
    """
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        raise ValueError("cannot make a histogram of no values")
    finite = np.isfinite(flat)
    if finite.all():
        return flat, NonFinite(0, 0, 0)
    bad = np.flatnonzero(~finite)
    kept = flat[finite]
    if kept.size == 0:
        shown = ", ".join(f"{flat[i]} at index {i}" for i in bad[:5])
        more = f" and {bad.size - 5} more" if bad.size > 5 else ""
        raise ValueError(
            f"histogram values must include a finite value; all {flat.size} are non-finite "
            f"(flat indices): {shown}{more}"
        )
    nan = int(np.isnan(flat[bad]).sum())
    pos_inf = int((flat[bad] > 0).sum())
    return kept, NonFinite(nan, pos_inf, bad.size - nan - pos_inf)


def histogram_of_finite(
    flat: np.ndarray, bins: Any = "tensorflow", max_bins: int | None = None
) -> histogram_pb2.HistogramProto:
    """The ``HistogramProto`` of ``flat``, a 1-D float64 array of finite values.

    ``bins`` is ``"tensorflow"`` (TensorFlow's default edges), anything ``np.histogram``
    takes (``"auto"``, a bin count, explicit edges). As in TensorBoard's format, each
    ``bucket_limit`` is the right edge of its bucket; empty buckets at both ends are dropped
    but one empty bucket is kept in front, whose right edge is the first non-empty bucket's
    left edge. With more than ``max_bins`` bins, groups of ``bins // max_bins`` neighbours
    are merged (as torch does, so the result may still have a few more than ``max_bins``).
    """
    if isinstance(bins, str) and bins == "tensorflow":
        bins = tensorflow_bins()
    counts, edges = np.histogram(flat, bins=bins)
    if max_bins is not None and counts.size > max_bins:
        counts, edges = _merge_bins(counts, edges, counts.size // max_bins)
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        raise ValueError(
            f"no value falls inside the histogram's bins [{edges[0]}, {edges[-1]}]: "
            f"values range over [{flat.min()}, {flat.max()}]"
        )
    first, last = int(nonzero[0]), int(nonzero[-1])
    return histogram_pb2.HistogramProto(
        min=float(flat.min()),
        max=float(flat.max()),
        num=float(flat.size),
        sum=float(flat.sum()),
        sum_squares=float(flat.dot(flat)),
        bucket_limit=edges[first : last + 2].tolist(),
        bucket=[0.0, *counts[first : last + 1].tolist()],
    )


def _merge_bins(counts: np.ndarray, edges: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    groups = -(-counts.size // group)
    padded = np.zeros(groups * group, dtype=counts.dtype)
    padded[: counts.size] = counts
    merged_edges = np.append(edges[:-1:group], edges[-1])
    return padded.reshape(groups, group).sum(axis=1), merged_edges


def raw_histogram(
    min: float,
    max: float,
    num: float,
    sum: float,
    sum_squares: float,
    bucket_limits: Any,
    bucket_counts: Any,
) -> histogram_pb2.HistogramProto:
    """A ``HistogramProto`` from precomputed statistics and buckets."""
    limits = np.asarray(bucket_limits, dtype=np.float64).reshape(-1)
    counts = np.asarray(bucket_counts, dtype=np.float64).reshape(-1)
    if limits.size != counts.size:
        raise ValueError(
            f"bucket_limits has {limits.size} entries and bucket_counts {counts.size}; "
            "they must be the same length (one right edge per bucket)"
        )
    return histogram_pb2.HistogramProto(
        min=float(min),
        max=float(max),
        num=float(num),
        sum=float(sum),
        sum_squares=float(sum_squares),
        bucket_limit=limits.tolist(),
        bucket=counts.tolist(),
    )
