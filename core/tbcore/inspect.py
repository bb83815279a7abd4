"""``tbcore inspect``: what a logdir holds, per run and tag, and any damage found."""

from __future__ import annotations

from typing import TextIO

from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.provider import DataClass

_CLASS_NAMES = {
    DataClass.UNKNOWN: "unknown",
    DataClass.SCALAR: "scalar",
    DataClass.TENSOR: "tensor",
    DataClass.BLOB_SEQUENCE: "blobs",
}


def inspect_logdir(provider: LogdirDataProvider, out: TextIO) -> int:
    """Print a report of everything ``provider`` loaded; returns the number of problems.

    A problem is a damaged region of a file, an incomplete record at a file's end, a value
    that could not be used, or a file or folder that could not be read (or, a link loop, would
    not be walked).
    """
    problems = 0
    for path, reason in sorted(provider.unreadable.items()):
        problems += 1
        out.write(f"UNREADABLE {path}: {reason}\n")
    runs = provider.runs()
    if not runs:
        out.write(f"No event files found under {provider.logdir}\n")
        return problems
    for run in runs:
        with run.lock:
            readers = list(run.readers.values())
            size = sum(r.size_seen for r in readers)
            records = sum(r.records for r in readers)
            out.write(
                f"run {run.name!r}: {len(readers)} file(s), {size:,} bytes, {records:,} records\n"
            )
            rows: list[tuple[str, ...]] = [("tag", "plugin", "class", "points", "steps")]
            for tag in sorted(run.series):
                series = run.series[tag]
                points = series.points
                first = points.min_step()
                rows.append(
                    (
                        tag,
                        series.info.plugin_name or "(none)",
                        _CLASS_NAMES[series.info.data_class],
                        f"{len(points):,}",
                        f"{first}..{points.max_step()}" if len(points) else "-",
                    )
                )
            _table(rows, out)
            for reader in readers:
                if reader.read_error is not None:
                    problems += 1
                    out.write(f"  UNREADABLE {reader.path}: {reader.read_error}\n")
                for damage in reader.damage:
                    problems += 1
                    out.write(f"  DAMAGE {damage.path} @ {damage.offset}: {damage.message}\n")
                if reader.pending_bytes:
                    problems += 1
                    out.write(
                        f"  INCOMPLETE {reader.path}: {reader.pending_bytes:,} bytes after the "
                        f"last complete record (still being written, or truncated)\n"
                    )
            if run.skipped_values:
                problems += run.skipped_values
                out.write(f"  SKIPPED {run.skipped_values} value(s) that could not be decoded\n")
        out.write("\n")
    return problems


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.write("  " + "  ".join(cells).rstrip() + "\n")
