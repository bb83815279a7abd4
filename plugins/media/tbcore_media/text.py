"""What the text routes compute: string tensors of any rank as safe HTML, TensorBoard's way.

A scalar is one Markdown document; a vector or matrix is an HTML table with one cell per
element (a vector is one column); higher ranks are cut to the 2-D slice at index 0 of every
leading dimension, after a warning paragraph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore.data.provider import DataProvider, RunTagFilter
from tbcore.safe_html import escape_text, markdown_to_html, markdowns_to_html, sanitize
from tbcore_media.metadata import TEXT_PLUGIN_NAME
from tbcore_media.queries import require_run_and_tag

# Byte for byte TensorBoard's (three spaces included), so that both servers answer alike.
WARNING_TEMPLATE = (
    "**Warning:** This text summary contained data of dimensionality {rank}, but only   2d "
    "tables are supported. Showing a 2d slice of the data instead."
)


def text_tags(provider: DataProvider) -> dict[str, list[str]]:
    """``{run: [tag, ...]}`` (TensorBoard's ``text/tags``)."""
    listing = provider.list_tensors(plugin_name=TEXT_PLUGIN_NAME)
    return {run: list(tags) for run, tags in listing.items()}


def text_entries(
    provider: DataProvider, run: str, tag: str, enable_markdown: bool
) -> list[dict[str, Any]]:
    """``[{wall_time, step, text}]`` for every step of the series (``[]`` when the run has
    no such tag, as in TensorBoard); ``text`` is safe HTML."""
    require_run_and_tag(run, tag)
    data = provider.read_tensors(
        plugin_name=TEXT_PLUGIN_NAME, run_tag_filter=RunTagFilter.of([run], [tag])
    )
    return [
        {
            "wall_time": d.wall_time,
            "step": d.step,
            "text": text_array_to_html(d.numpy, enable_markdown),
        }
        for d in data.get(run, {}).get(tag, [])
    ]


def text_array_to_html(array: np.ndarray, enable_markdown: bool) -> str:
    """A string tensor as safe HTML (see the module docstring); non-string elements are
    shown as their ``str``."""
    array = np.asarray(array)
    if array.ndim == 0:
        item = _as_string(array.item())
        return markdown_to_html(item) if enable_markdown else escape_text(item)
    warning = ""
    if array.ndim > 2:
        warning = markdown_to_html(WARNING_TEMPLATE.format(rank=array.ndim))
        array = reduce_to_2d(array)
    cells = [_as_string(x) for x in array.reshape(-1).tolist()]
    shape = array.shape
    if enable_markdown:
        table = markdowns_to_html(cells, lambda parts: make_table(parts, shape))
    else:
        table = sanitize(make_table([escape_text(c) for c in cells], shape))
    return warning + table


def reduce_to_2d(array: np.ndarray) -> np.ndarray:
    """The 2-D slice at index 0 of every leading dimension (an empty matrix when one of
    those dimensions is empty)."""
    if any(n == 0 for n in array.shape[:-2]):
        return np.empty((0, array.shape[-1]), dtype=array.dtype)
    return array[(0,) * (array.ndim - 2)]


def make_table(cells: list[str], shape: tuple[int, ...]) -> str:
    """An HTML table of the (already HTML) ``cells``, laid out row by row in ``shape``
    (one column for a vector), in TensorBoard's markup."""
    columns = shape[1] if len(shape) == 2 else 1
    rows = (
        [cells[i : i + columns] for i in range(0, len(cells), columns)]
        if columns
        else [[] for _ in range(shape[0])]
    )
    body = "".join("<tr>\n" + "".join(f"<td>{c}</td>\n" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tbody>\n{body}</tbody>\n</table>"


def _as_string(value: Any) -> str | bytes:
    return value if isinstance(value, (str, bytes)) else str(value)
