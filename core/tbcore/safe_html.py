"""Markdown to HTML that is safe to put in the page, and plain text escaped for it.

Markdown is rendered by Python-Markdown (with tables and fenced code blocks, as in
TensorBoard) and the result is sanitized with TensorBoard's allow-list of tags and attributes
(below); series descriptions and the text dashboard both go through it. As in TensorBoard
(bleach), a tag outside the allow-list is shown as text, not removed: ``<unk>``, ``</s>`` or
``Dict<str, int>`` in a logged sample is part of what the user wants to read. ``nh3`` then
removes what the allow-list does not permit from the tags that remain (attributes, URLs).
"""

from __future__ import annotations

import functools
import html
import logging
import threading
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from typing import Any

logger = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    "ul ol li p pre code blockquote h1 h2 h3 h4 h5 h6 hr br strong em a img "
    "table thead tbody td tr th".split()
)
"""TensorBoard's list: enough for Markdown's output, nothing that runs or styles."""
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "title", "alt"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Absolute URLs must use one of these; relative URLs are kept. ``data:`` is not allowed,
not even for images: an SVG data URL would be content the reader did not expect."""


# markdown and nh3 are imported on first use, not with the server (~50 ms of its start).


@functools.cache
def _cleaner() -> Any:
    import nh3

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        # "*": none on every tag (nh3 would otherwise keep its default `title` and `lang`).
        attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_PER_THREAD = threading.local()


def _markdown() -> Any:
    """This thread's Markdown converter: an instance keeps state between conversions, so
    each thread has its own, reset after every use."""
    md = getattr(_PER_THREAD, "md", None)
    if md is None:
        import markdown

        md = _PER_THREAD.md = markdown.Markdown(extensions=["tables", "fenced_code"])
    return md


class _EscapeUnknownTags(HTMLParser):
    """Re-emits HTML with every tag outside :data:`ALLOWED_TAGS` (and any declaration or
    processing instruction) escaped as the text it was written as; comments are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._end_tag_at = 0

    def set_cdata_mode(self, *args: object, **kwargs: object) -> None:
        """Never switch to raw-text mode: inside an escaped ``<script>`` or ``<title>`` the
        text is parsed as markup like any other (it is shown, not run)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, " /")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.out.append(html.escape(self.get_starttag_text() or "", quote=False))
            return
        parts = [tag] + [name if value is None else f'{name}="{html.escape(value)}"' for name, value in attrs]
        self.out.append(f"<{' '.join(parts)}{close}>")

    def parse_endtag(self, i: int) -> int:
        """Note where an end tag starts, so that an unknown one is shown as it was typed."""
        self._end_tag_at = i
        return super().parse_endtag(i)

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED_TAGS:
            self.out.append(f"</{tag}>")
            return
        start = self._end_tag_at
        end = self.rawdata.find(">", start) + 1
        self.out.append(html.escape(self.rawdata[start:end] if end > start else f"</{tag}>", quote=False))

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def handle_decl(self, decl: str) -> None:
        self.out.append(html.escape(f"<!{decl}>", quote=False))

    def handle_pi(self, data: str) -> None:
        self.out.append(html.escape(f"<?{data}>", quote=False))

    def unknown_decl(self, data: str) -> None:
        # The parser hands over "CDATA[x" for "<![CDATA[x]]>".
        close = "]]>" if data.startswith("CDATA[") else "]>"
        self.out.append(html.escape(f"<![{data}{close}", quote=False))


def sanitize(unsafe_html: str) -> str:
    """``unsafe_html`` made safe: tags outside the allow-list escaped (shown as text), then
    everything else the allow-list does not permit removed."""
    parser = _EscapeUnknownTags()
    parser.feed(unsafe_html)
    parser.close()
    return _cleaner().clean("".join(parser.out))


def as_text(value: str | bytes) -> str:
    """``value`` as text: bytes are decoded as UTF-8, invalid sequences replaced (with a
    warning in the log)."""
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        logger.warning("text summary is not valid UTF-8; undecodable bytes replaced")
        return bytes(value).decode("utf-8", "replace")


def markdown_to_html(source: str | bytes) -> str:
    """Markdown ``source`` rendered and sanitized."""
    return markdowns_to_html([source], lambda parts: parts[0])


def markdowns_to_html(sources: Sequence[str | bytes], combine: Callable[[list[str]], str]) -> str:
    """Render each Markdown source, join the (unsafe) HTML fragments with ``combine``, and
    sanitize the result once. Null bytes are dropped and counted in a leading comment, as
    TensorBoard does."""
    fragments = []
    null_bytes = 0
    for source in sources:
        text = as_text(source)
        cleaned = text.replace("\x00", "")
        null_bytes += len(text) - len(cleaned)
        md = _markdown()
        try:
            fragments.append(md.convert(cleaned))
        finally:
            md.reset()
    safe = sanitize(combine(fragments))
    if null_bytes:
        logger.warning("discarded %d null bytes in a text summary", null_bytes)
        safe = f"<!-- WARNING: discarded {null_bytes} null bytes in markdown string after UTF-8 decoding -->\n{safe}"
    return safe


def escape_text(value: str | bytes) -> str:
    """Plain text for the page: ``&``, ``<`` and ``>`` escaped, nothing rendered."""
    return html.escape(as_text(value), quote=False)
