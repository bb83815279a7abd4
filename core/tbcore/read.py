"""Reading logs into tables from Python, for notebooks and scripts.

>>> import tbcore
>>> df = tbcore.read_scalars("runs")            # every point of every scalar series
>>> df[df.tag == "loss"].groupby("run").value.min()

Each function loads the logdir once (local path or URL, same spec as ``tbcore serve``) and
returns a pandas DataFrame when pandas is installed, otherwise a dict of equal-length numpy
columns. Pass ``as_pandas=False`` to get the columns even with pandas installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.provider import RunTagFilter

Table = Any  # a pandas.DataFrame, or dict[str, np.ndarray]


def _load(logdir: str, storage_options: dict[str, Any] | None) -> LogdirDataProvider:
    provider = LogdirDataProvider(logdir, storage_options=storage_options)
    provider.reload()
    return provider


def _filter(runs: Iterable[str] | None, tags: Iterable[str] | None) -> RunTagFilter:
    return RunTagFilter.of(runs, tags)


def _table(columns: dict[str, np.ndarray], as_pandas: bool | None) -> Table:
    if as_pandas is not False:
        try:
            import pandas as pd
        except ImportError:
            if as_pandas:
                raise
        else:
            return pd.DataFrame(columns)
    return columns


def _objects(items: list[Any]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def read_scalars(
    logdir: str,
    *,
    runs: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    plugin: str = "scalars",
    as_pandas: bool | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Table:
    """Every scalar point: columns ``run, tag, step, wall_time, value``.

    Rows are ordered by run, tag and step. ``runs`` / ``tags`` keep only those names.
    """
    provider = _load(logdir, storage_options)
    data = provider.read_scalars(plugin_name=plugin, run_tag_filter=_filter(runs, tags))
    run_col, tag_col, steps, walls, values = [], [], [], [], []
    for run in sorted(data):
        for tag in sorted(data[run]):
            cols = data[run][tag]
            n = len(cols)
            run_col.append(np.full(n, run, dtype=object))
            tag_col.append(np.full(n, tag, dtype=object))
            steps.append(cols.step)
            walls.append(cols.wall_time)
            values.append(cols.value.astype(np.float64))
    columns = {
        "run": _concat(run_col, object),
        "tag": _concat(tag_col, object),
        "step": _concat(steps, np.int64),
        "wall_time": _concat(walls, np.float64),
        "value": _concat(values, np.float64),
    }
    return _table(columns, as_pandas)


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def read_tensors(
    logdir: str,
    *,
    plugin: str,
    runs: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    as_pandas: bool | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Table:
    """Every tensor point of ``plugin``: columns ``run, tag, step, wall_time, value``
    (``value`` holds one numpy array per row)."""
    provider = _load(logdir, storage_options)
    data = provider.read_tensors(plugin_name=plugin, run_tag_filter=_filter(runs, tags))
    rows = [
        (run, tag, d.step, d.wall_time, d.numpy)
        for run in sorted(data)
        for tag in sorted(data[run])
        for d in data[run][tag]
    ]
    return _table(_rows_to_columns(rows, ["run", "tag", "step", "wall_time", "value"]), as_pandas)


def read_histograms(
    logdir: str,
    *,
    runs: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    as_pandas: bool | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Table:
    """Every histogram: columns ``run, tag, step, wall_time, left, right, count``, where the
    last three hold one array per row (the bucket edges and counts)."""
    provider = _load(logdir, storage_options)
    data = provider.read_tensors(plugin_name="histograms", run_tag_filter=_filter(runs, tags))
    rows = []
    for run in sorted(data):
        for tag in sorted(data[run]):
            for d in data[run][tag]:
                buckets = np.asarray(d.numpy, dtype=np.float64).reshape(-1, 3)
                rows.append(
                    (run, tag, d.step, d.wall_time, buckets[:, 0], buckets[:, 1], buckets[:, 2])
                )
    names = ["run", "tag", "step", "wall_time", "left", "right", "count"]
    return _table(_rows_to_columns(rows, names), as_pandas)


def read_text(
    logdir: str,
    *,
    runs: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    as_pandas: bool | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Table:
    """Every text summary: columns ``run, tag, step, wall_time, text``. A scalar string
    becomes ``str``; a table of strings a numpy array of ``str``."""
    provider = _load(logdir, storage_options)
    data = provider.read_tensors(plugin_name="text", run_tag_filter=_filter(runs, tags))
    rows = []
    for run in sorted(data):
        for tag in sorted(data[run]):
            for d in data[run][tag]:
                rows.append((run, tag, d.step, d.wall_time, _decode_text(d.numpy)))
    return _table(_rows_to_columns(rows, ["run", "tag", "step", "wall_time", "text"]), as_pandas)


def _decode_text(array: np.ndarray) -> str | np.ndarray:
    decode = np.vectorize(
        lambda b: b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b), otypes=[object]
    )
    if array.ndim == 0:
        return str(decode(array).item())
    return decode(array)


def _rows_to_columns(rows: list[tuple[Any, ...]], names: list[str]) -> dict[str, np.ndarray]:
    dtypes: dict[str, Any] = {"step": np.int64, "wall_time": np.float64}
    columns: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        items = [row[i] for row in rows]
        dtype = dtypes.get(name)
        columns[name] = np.array(items, dtype=dtype) if dtype else _objects(items)
    return columns
