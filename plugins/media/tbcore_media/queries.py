"""What the images and audio routes compute, as pure functions of the data provider.

Both read blob sequences: only references (blob keys) are listed here; bytes are read one
blob at a time, when a route asks for them. Every function returns plain data or raises a
:class:`tbcore.errors.PublicError`.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import Any

from google.protobuf.message import DecodeError

from tbcore.data.provider import BlobSequenceDatum, DataProvider, RunTagFilter
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.proto import plugin_audio_pb2
from tbcore.server.tag_listing import description_html
from tbcore_media import image_format
from tbcore_media.metadata import AUDIO_PLUGIN_NAME, IMAGES_PLUGIN_NAME
from tbcore_media.sample_counts import SampleCounts

logger = logging.getLogger(__name__)

IMAGE_HEADER_BLOBS = 2
"""An image series' blobs start with the width and height (as strings), then the images."""

AUDIO_MIME_TYPES = {plugin_audio_pb2.AudioPluginData.WAV: "audio/wav"}
DEFAULT_AUDIO_MIME_TYPE = "application/octet-stream"
ALLOWED_AUDIO_MIME_TYPES = frozenset([*AUDIO_MIME_TYPES.values(), DEFAULT_AUDIO_MIME_TYPE])


def require_run_and_tag(run: str, tag: str) -> None:
    """400 (``InvalidArgumentError``) when ``run`` or ``tag`` is empty."""
    if not run:
        raise InvalidArgumentError("run must be given")
    if not tag:
        raise InvalidArgumentError("tag must be given")


def read_series(
    provider: DataProvider, plugin_name: str, run: str, tag: str
) -> list[BlobSequenceDatum]:
    """Every point of one blob-sequence series; 400 without run or tag, 404 when absent."""
    require_run_and_tag(run, tag)
    data = provider.read_blob_sequences(
        plugin_name=plugin_name, run_tag_filter=RunTagFilter.of([run], [tag])
    )
    points = data.get(run, {}).get(tag)
    if points is None:
        raise NotFoundError(f"no {plugin_name} data for run={run!r}, tag={tag!r}")
    return points


def _tags_with_samples(
    provider: DataProvider, plugin_name: str, header_blobs: int, counts: SampleCounts | None
) -> dict[str, dict[str, Any]]:
    listing = provider.list_blob_sequences(plugin_name=plugin_name)
    longest = (counts or SampleCounts()).longest(provider, plugin_name, listing)
    return {
        run: {
            tag: {
                "displayName": ts.display_name,
                "description": description_html(ts.description),
                "samples": max(longest[(run, tag)] - header_blobs, 0),
            }
            for tag, ts in tags.items()
        }
        for run, tags in listing.items()
    }


# --- images ---------------------------------------------------------------------------


def image_tags(
    provider: DataProvider, counts: SampleCounts | None = None
) -> dict[str, dict[str, Any]]:
    """``{run: {tag: {displayName, description, samples}}}``; ``samples`` is the most
    images any step of the series holds (``counts`` remembers them between calls)."""
    return _tags_with_samples(provider, IMAGES_PLUGIN_NAME, IMAGE_HEADER_BLOBS, counts)


def image_entries(provider: DataProvider, run: str, tag: str, sample: int) -> list[dict[str, Any]]:
    """``[{wall_time, step, query}]``: the ``sample``-th image of every step that has one,
    ``query`` being the query string of ``individualImage``."""
    _check_sample(sample)
    index = IMAGE_HEADER_BLOBS + sample
    return [
        {
            "wall_time": d.wall_time,
            "step": d.step,
            "query": urllib.parse.urlencode({"blob_key": d.values[index].blob_key}),
        }
        for d in read_series(provider, IMAGES_PLUGIN_NAME, run, tag)
        if len(d.values) > index
    ]


def image_index(provider: DataProvider, run: str, tag: str) -> dict[str, Any]:
    """``{samples, width, height, steps: [{step, wall_time, blob_keys}]}`` for scrubbing: every
    step's image keys, and the pixel size of the newest step's images (its width and height
    blobs: a few bytes, whatever the size of the images)."""
    points = read_series(provider, IMAGES_PLUGIN_NAME, run, tag)
    keys = [[v.blob_key for v in d.values[IMAGE_HEADER_BLOBS:]] for d in points]
    size = None
    newest = next((d for d in reversed(points) if len(d.values) > IMAGE_HEADER_BLOBS), None)
    if newest is not None:
        try:
            size = _declared_size(provider, newest.values[0].blob_key, newest.values[1].blob_key)
        except NotFoundError as e:  # the file changed since it was listed: size unknown
            logger.warning("images_index: cannot read %s/%s: %s", run, tag, e)
    steps = [
        {"step": d.step, "wall_time": d.wall_time, "blob_keys": k} for d, k in zip(points, keys)
    ]
    return {
        "samples": max(map(len, keys), default=0),
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "steps": steps,
    }


def _declared_size(provider: DataProvider, width_key: str, height_key: str) -> tuple[int, int] | None:
    """The ``(width, height)`` an image summary declares in its first two blobs."""
    width, height = (provider.read_blob(blob_key=k).strip() for k in (width_key, height_key))
    if width.isdigit() and height.isdigit():
        return int(width), int(height)
    return None


def individual_image(provider: DataProvider, blob_key: str) -> tuple[bytes, str]:
    """The bytes of one image and their content type, sniffed from the bytes."""
    data = _read_blob(provider, blob_key)
    return data, image_format.content_type(data)


# --- audio ----------------------------------------------------------------------------


def audio_tags(
    provider: DataProvider, counts: SampleCounts | None = None
) -> dict[str, dict[str, Any]]:
    """``{run: {tag: {displayName, description, samples}}}``; ``samples`` is the most clips
    any step of the series holds (``counts`` remembers them between calls)."""
    return _tags_with_samples(provider, AUDIO_PLUGIN_NAME, 0, counts)


def audio_mime_type(plugin_content: bytes) -> str:
    """The content type of a series' clips, from its ``AudioPluginData``."""
    try:
        parsed = plugin_audio_pb2.AudioPluginData.FromString(plugin_content)
    except DecodeError:
        logger.warning(
            "unreadable audio plugin metadata; serving clips as %s", DEFAULT_AUDIO_MIME_TYPE
        )
        return DEFAULT_AUDIO_MIME_TYPE
    return AUDIO_MIME_TYPES.get(parsed.encoding, DEFAULT_AUDIO_MIME_TYPE)


def audio_entries(provider: DataProvider, run: str, tag: str, sample: int) -> list[dict[str, Any]]:
    """``[{wall_time, label, step, contentType, query}]``: the ``sample``-th clip of every
    step that has one; ``query`` is the query string of ``individualAudio``."""
    _check_sample(sample)
    points = read_series(provider, AUDIO_PLUGIN_NAME, run, tag)
    listing = provider.list_blob_sequences(
        plugin_name=AUDIO_PLUGIN_NAME, run_tag_filter=RunTagFilter.of([run], [tag])
    )
    series = listing.get(run, {}).get(tag)
    mime = audio_mime_type(series.plugin_content) if series is not None else DEFAULT_AUDIO_MIME_TYPE
    return [
        {
            "wall_time": d.wall_time,
            "label": "",
            "step": d.step,
            "contentType": mime,
            "query": urllib.parse.urlencode(
                {"blob_key": d.values[sample].blob_key, "content_type": mime}
            ),
        }
        for d in points
        if len(d.values) > sample
    ]


def individual_audio(provider: DataProvider, blob_key: str, mime_type: str) -> bytes:
    """The bytes of one clip; ``mime_type`` (what the answer is served as) must be one of
    :data:`ALLOWED_AUDIO_MIME_TYPES`."""
    if mime_type not in ALLOWED_AUDIO_MIME_TYPES:
        raise InvalidArgumentError(
            f"content_type must be one of {sorted(ALLOWED_AUDIO_MIME_TYPES)}, got {mime_type!r}"
        )
    return _read_blob(provider, blob_key)


def _read_blob(provider: DataProvider, blob_key: str) -> bytes:
    if not blob_key:
        raise InvalidArgumentError("blob_key must be given")
    return provider.read_blob(blob_key=blob_key)


def _check_sample(sample: int) -> None:
    if sample < 0:
        raise InvalidArgumentError(f"sample must be 0 or more, got {sample}")
