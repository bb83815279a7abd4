"""Comparison of two traces ("what got slower"): operator and kernel statistics and the
average step breakdown of a trace next to those of a baseline trace, with their differences.

Both sides are the ordinary tables of :mod:`tbcore_profile.operators` (so each side equals
what the ``operators`` and ``kernels`` routes answer for its trace); rows are matched by their
key (operator name, with ``group_by=name_shapes`` also its input shapes; kernel name) and
sorted by the increase of the table's sort column, largest first.
"""

from __future__ import annotations

from typing import Any

from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.breakdown import CATEGORIES
from tbcore_profile.operators import kernel_table, operator_table

ALL_CATEGORIES = (*CATEGORIES, "other")
OPERATOR_VALUES = ("calls", "host_self_us", "host_total_us", "device_self_us", "device_total_us")
KERNEL_VALUES = ("calls", "total_us", "mean_us", "max_us", "min_us")


def average_breakdown(analysis: TraceAnalysis) -> dict[str, float]:
    """The mean step's µs per category (and ``total``), as the overview's ``average``."""
    result = analysis.breakdown
    count = len(result.steps.names)
    average = {key: float(result.costs[:, j].mean()) if count else 0.0 for j, key in enumerate(ALL_CATEGORIES)}
    average["total"] = float(result.totals.mean()) if count else 0.0
    return average


def compare_traces(analysis: TraceAnalysis, base: TraceAnalysis, group_by: str) -> dict[str, Any]:
    """Operators (grouped by ``group_by``), kernels (by name) and the average step breakdown
    of ``analysis`` against ``base``."""
    ops = operator_table(analysis.trace, analysis.tree, group_by)
    base_ops = operator_table(base.trace, base.tree, group_by)
    has_device = bool(ops["has_device"] or base_ops["has_device"])
    sort = "device_self_us" if has_device else "host_self_us"
    keys = ("name", "input_shape") if group_by == "name_shapes" else ("name",)
    kernels = kernel_table(analysis.trace, analysis.tree, analysis.links, "name")["rows"]
    base_kernels = kernel_table(base.trace, base.tree, base.links, "name")["rows"]
    mine, theirs = average_breakdown(analysis), average_breakdown(base)
    steps = len(analysis.breakdown.steps.names), len(base.breakdown.steps.names)
    return {
        "group_by": group_by,
        "has_device": has_device,
        "sort": sort,
        "operators": delta_rows(ops["rows"], base_ops["rows"], keys, OPERATOR_VALUES, sort),
        "kernels": delta_rows(kernels, base_kernels, ("name",), KERNEL_VALUES, "total_us"),
        "breakdown": [
            {"category": key, "us": mine[key], "base_us": theirs[key], "delta_us": mine[key] - theirs[key]}
            for key in (*ALL_CATEGORIES, "total")
        ],
        "steps": steps[0],
        "base_steps": steps[1],
    }


def delta_rows(rows: list[dict[str, Any]], base_rows: list[dict[str, Any]], keys: tuple[str, ...],
               values: tuple[str, ...], sort: str) -> list[dict[str, Any]]:
    """Rows of both tables matched by ``keys``: each value ``v`` of this side, ``base_v`` of
    the baseline (0 for a row the other side lacks) and ``v_delta``; ``status`` is ``new``
    (only here), ``gone`` (only in the baseline), ``slower`` / ``faster`` (``sort``'s value
    grew / shrank) or ``same``. Sorted by ``<sort>_delta``, largest increase first."""
    base_by_key = {tuple(r.get(k) for k in keys): r for r in base_rows}
    out = []
    seen = set()
    for row in rows:
        key = tuple(row.get(k) for k in keys)
        seen.add(key)
        out.append(_row(key, keys, row, base_by_key.get(key), values, sort))
    for key, base_row in base_by_key.items():
        if key not in seen:
            out.append(_row(key, keys, None, base_row, values, sort))
    out.sort(key=lambda r: (-r[f"{sort}_delta"], -r[sort], str(r["name"])))
    return out


def _row(key: tuple[Any, ...], keys: tuple[str, ...], row: dict[str, Any] | None,
         base_row: dict[str, Any] | None, values: tuple[str, ...], sort: str) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(keys, key))
    for value in values:
        mine = row[value] if row is not None else 0
        theirs = base_row[value] if base_row is not None else 0
        out[value] = mine
        out[f"base_{value}"] = theirs
        out[f"{value}_delta"] = mine - theirs
    if base_row is None:
        out["status"] = "new"
    elif row is None:
        out["status"] = "gone"
    else:
        delta = out[f"{sort}_delta"]
        out["status"] = "slower" if delta > 0 else "faster" if delta < 0 else "same"
    return out
