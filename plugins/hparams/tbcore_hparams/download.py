"""The table of session groups as a file: CSV, JSON or a LaTeX table, as TensorBoard's
``download_data`` route writes them (a column per hparam, then per metric; the columns
``columnsVisibility`` hides are left out)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from tbcore.errors import InvalidArgumentError
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore_hparams.session_groups import SessionGroup

FORMATS = {"csv": "text/csv", "json": "application/json", "latex": "application/x-latex"}
"""Each format and its media type."""


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`FORMATS`, else :class:`InvalidArgumentError`."""
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"format must be one of {', '.join(FORMATS)}, got {fmt[:100]!r}")
    return fmt


def parse_visibility(text: str | None) -> list[bool] | None:
    """``columnsVisibility`` (a JSON list of booleans, one per column); None when absent."""
    if text is None or text == "":
        return None
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidArgumentError(f"columnsVisibility must be a JSON list of booleans, got {text[:100]!r}") from None
    if not isinstance(decoded, list) or not all(isinstance(v, bool) for v in decoded):
        raise InvalidArgumentError(f"columnsVisibility must be a JSON list of booleans, got {text[:100]!r}")
    return decoded


def table(
    experiment: hp.Experiment, groups: Sequence[SessionGroup], visibility: list[bool] | None
) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows: hparam values (``""`` when a group has none), then metric
    values (None when missing)."""
    header = [info.display_name or info.name for info in experiment.hparam_infos]
    header += [info.display_name or info.name.tag for info in experiment.metric_infos]
    metric_ids = [f"{info.name.group}.{info.name.tag}" for info in experiment.metric_infos]
    rows = []
    for group in groups:
        row: list[Any] = [_hparam_cell(group.hparams.get(info.name)) for info in experiment.hparam_infos]
        by_id = {f"{m.group}.{m.tag}": m.value for m in group.metric_values}
        row += [by_id.get(metric_id) for metric_id in metric_ids]
        rows.append(row)
    if visibility is None:
        return header, rows
    return _visible(header, visibility), [_visible(row, visibility) for row in rows]


def _hparam_cell(value: Any) -> Any:
    return value if isinstance(value, bool | float | str) else ""


def _visible(row: list[Any], visibility: list[bool]) -> list[Any]:
    # zip: columns past the end of the visibility list are dropped, as in TensorBoard
    return [value for value, shown in zip(row, visibility) if shown]


def render(fmt: str, header: list[str], rows: list[list[Any]]) -> tuple[Any, str]:
    """``(body, media type)``: a dict ``{"header", "rows"}`` for JSON, text otherwise."""
    check_format(fmt)
    if fmt == "json":
        return {"header": header, "rows": rows}, FORMATS[fmt]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue(), FORMATS[fmt]
    lines = [
        "\\begin{table}[tbp]\n\\begin{tabular}{" + "l" * len(header) + "}\n",
        " & ".join(map(latex_cell, header)) + " \\\\ \\hline\n",
        *(" & ".join(map(latex_cell, row)) + " \\\\\n" for row in rows),
        "\\hline\n\\end{tabular}\n\\end{table}\n",
    ]
    return "".join(lines), FORMATS[fmt]


def latex_cell(value: Any) -> str:
    """One cell of the LaTeX table: numbers in math mode with 3 significant digits (powers of
    ten as ``\\cdot 10^{n}``), booleans as 0 or 1, a missing metric as ``-``, text with
    ``_`` and ``%`` escaped."""
    if value is None:
        return "-"
    if isinstance(value, int):  # booleans too, as in TensorBoard
        return f"${int(value)}$"
    if isinstance(value, float):
        if math.isnan(value):
            return r"$\mathrm{NaN}$"
        if math.isinf(value):
            return "$-\\infty$" if value < 0 else "$+\\infty$"
        scientific = f"{value:.3g}"
        if "e" in scientific:
            coefficient, exponent = scientific.split("e")
            return f"${coefficient}\\cdot 10^{{{int(exponent)}}}$"
        return f"${scientific}$"
    return str(value).replace("_", "\\_").replace("%", "\\%")
