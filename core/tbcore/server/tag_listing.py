"""The ``tags`` answer of TensorBoard's dashboards, built from a provider listing."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from tbcore.data.provider import TimeSeries
from tbcore.safe_html import markdown_to_html


@functools.lru_cache(maxsize=4096)  # every `tags` request, live updates included, asks again
def description_html(text: str) -> str:
    """A series description (Markdown, as TensorBoard reads it) as sanitized HTML; "" when
    empty."""
    return markdown_to_html(text) if text else ""


def tag_listing(
    listing: Mapping[str, Mapping[str, TimeSeries]],
) -> dict[str, dict[str, dict[str, str]]]:
    """``{run: {tag: {"displayName", "description"}}}`` from a ``list_scalars`` /
    ``list_tensors`` / ``list_blob_sequences`` result."""
    return {
        run: {
            tag: {"displayName": ts.display_name, "description": description_html(ts.description)}
            for tag, ts in tags.items()
        }
        for run, tags in listing.items()
    }
