"""The images, audio and text dashboards: TensorBoard's routes, plus ``images_index`` for
scrubbing through steps."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.plugin import Plugin, PluginContext
from tbcore.server.query_params import optional_int
from tbcore.server.responses import JSONResponse
from tbcore_media import queries, text
from tbcore_media.metadata import AUDIO_PLUGIN_NAME, IMAGES_PLUGIN_NAME, TEXT_PLUGIN_NAME
from tbcore_media.sample_counts import SampleCounts

STATIC_DIR = Path(__file__).parent / "static"
BLOB_CACHE_CONTROL = "private, max-age=86400"
"""A blob key names bytes at a fixed place in an event file: the browser may keep them."""


def _run_and_tag(request: Request) -> tuple[str, str]:
    """The ``run`` and ``tag`` query parameters; ``""`` when missing (the queries answer 400)."""
    q = request.query_params
    return q.get("run", ""), q.get("tag", "")


def _sample(request: Request) -> int:
    """The ``sample`` query parameter; 0 when missing."""
    return optional_int(request.query_params, "sample") or 0


def _blob_response(data: bytes, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"cache-control": BLOB_CACHE_CONTROL})


class _SampledMediaPlugin(Plugin):
    """A dashboard of blob sequences with several samples (images, clips) per step; its
    ``tags`` route says how many, with the counts remembered by ``sample_counts`` between
    requests."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.sample_counts = SampleCounts()


class ImagesPlugin(_SampledMediaPlugin):
    """Images over steps, several samples per step."""

    name = "images"
    title = "Images"
    order = 40
    data_plugin_names = (IMAGES_PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "images.js"

    def routes(self) -> list[BaseRoute]:
        """``tags``, ``images``, ``individualImage`` (TensorBoard's) and ``images_index``."""
        return [
            Route("/tags", self.tags),
            Route("/images", self.images),
            Route("/individualImage", self.individual_image),
            Route("/images_index", self.images_index),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {displayName, description, samples}}}``."""
        return JSONResponse(queries.image_tags(self.provider, self.sample_counts))

    def images(self, request: Request) -> Response:
        """``run``, ``tag``, ``sample``: ``[{wall_time, step, query}]``, every step."""
        run, tag = _run_and_tag(request)
        return JSONResponse(queries.image_entries(self.provider, run, tag, _sample(request)))

    def individual_image(self, request: Request) -> Response:
        """``blob_key``: the image's bytes, typed by sniffing them."""
        blob_key = request.query_params.get("blob_key", "")
        return _blob_response(*queries.individual_image(self.provider, blob_key))

    def images_index(self, request: Request) -> Response:
        """``run``, ``tag``: every step's image keys and the images' size (see http_api.md)."""
        return JSONResponse(queries.image_index(self.provider, *_run_and_tag(request)))

    def write_demo_data(self, logdir: Path) -> None:
        """A run of generated images that move over 300 steps, three per step."""
        from tbcore_media.demo import write_images_demo

        write_images_demo(logdir)


class AudioPlugin(_SampledMediaPlugin):
    """Audio clips over steps, several per step."""

    name = "audio"
    title = "Audio"
    order = 41
    data_plugin_names = (AUDIO_PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "audio.js"

    def routes(self) -> list[BaseRoute]:
        """``tags``, ``audio`` and ``individualAudio`` (TensorBoard's)."""
        return [
            Route("/tags", self.tags),
            Route("/audio", self.audio),
            Route("/individualAudio", self.individual_audio),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {displayName, description, samples}}}``."""
        return JSONResponse(queries.audio_tags(self.provider, self.sample_counts))

    def audio(self, request: Request) -> Response:
        """``run``, ``tag``, ``sample``: ``[{wall_time, label, step, contentType, query}]``."""
        run, tag = _run_and_tag(request)
        return JSONResponse(queries.audio_entries(self.provider, run, tag, _sample(request)))

    def individual_audio(self, request: Request) -> Response:
        """``blob_key``, ``content_type`` (default ``audio/wav``): the clip's bytes."""
        q = request.query_params
        mime = q.get("content_type") or "audio/wav"
        data = queries.individual_audio(self.provider, q.get("blob_key", ""), mime)
        return _blob_response(data, mime)

    def write_demo_data(self, logdir: Path) -> None:
        """Sine sweeps, three clips per step."""
        from tbcore_media.demo import write_audio_demo

        write_audio_demo(logdir)


class TextPlugin(Plugin):
    """Text and Markdown over steps, rendered to sanitized HTML."""

    name = "text"
    title = "Text"
    order = 42
    data_plugin_names = (TEXT_PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "text.js"

    def routes(self) -> list[BaseRoute]:
        """``tags`` and ``text`` (TensorBoard's)."""
        return [Route("/tags", self.tags), Route("/text", self.text)]

    def tags(self, request: Request) -> Response:
        """``{run: [tag, ...]}``."""
        return JSONResponse(text.text_tags(self.provider))

    def text(self, request: Request) -> Response:
        """``run``, ``tag``, ``markdown`` (default true): ``[{wall_time, step, text}]``."""
        run, tag = _run_and_tag(request)
        enable_markdown = request.query_params.get("markdown") != "false"
        return JSONResponse(text.text_entries(self.provider, run, tag, enable_markdown))

    def write_demo_data(self, logdir: Path) -> None:
        """Release notes in Markdown (a table, a code block, a list) and a 2-D table."""
        from tbcore_media.demo import write_text_demo

        write_text_demo(logdir)
