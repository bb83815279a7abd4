"""How many images or clips the fullest step of each series holds (the ``samples`` of the
``tags`` routes), remembered between requests."""

from __future__ import annotations

import threading

from tbcore.data.provider import DataProvider, RunTagFilter, TimeSeries


class SampleCounts:
    """The most blobs any step of a series holds, per (run, tag), remembered with the series'
    ``last_modified`` and counted again only when that changes.

    The provider's listing has no per-step maximum (TensorBoard's ``max_length``), and
    counting lists every blob key of the series: too slow to do for every ``tags`` request.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def longest(
        self, provider: DataProvider, plugin_name: str, listing: dict[str, dict[str, TimeSeries]]
    ) -> dict[tuple[str, str], int]:
        """``{(run, tag): most blobs at one step}`` for every series of ``listing``."""
        with self._lock:
            known = dict(self._known)
        stale = [
            (run, tag)
            for run, tags in listing.items()
            for tag, ts in tags.items()
            if known.get((plugin_name, run, tag), (None, 0))[0] != ts.last_modified
        ]
        if stale:
            flt = RunTagFilter.of({run for run, _ in stale}, {tag for _, tag in stale})
            points = provider.read_blob_sequences(plugin_name=plugin_name, run_tag_filter=flt)
            for run, tag in stale:
                data = points.get(run, {}).get(tag, ())
                longest = max((len(d.values) for d in data), default=0)
                # Points added after the listing can only raise the count; the next call
                # sees a newer last_modified and counts again.
                known[(plugin_name, run, tag)] = (listing[run][tag].last_modified, longest)
            with self._lock:
                self._known.update(
                    {(plugin_name, *key): known[(plugin_name, *key)] for key in stale}
                )
        return {
            (run, tag): known[(plugin_name, run, tag)][1]
            for run, tags in listing.items()
            for tag in tags
        }
