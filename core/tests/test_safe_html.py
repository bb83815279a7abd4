"""The Markdown renderer and sanitizer on hostile input: nothing that runs survives."""

from __future__ import annotations

import html.parser
import logging
from typing import Any

import pytest

from tbcore.safe_html import escape_text, markdown_to_html, markdowns_to_html, sanitize


class _Elements(html.parser.HTMLParser):
    """Every element of a fragment with its attributes, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(fragment: str) -> list[tuple[str, dict[str, Any]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.elements


def _assert_harmless(fragment: str) -> None:
    for tag, attrs in _elements(fragment):
        assert tag not in {
            "script",
            "style",
            "iframe",
            "svg",
            "form",
            "input",
            "object",
            "embed",
            "math",
        }, fragment
        assert not [
            a for a in attrs if a.startswith("on") or a in ("style", "srcdoc", "formaction")
        ], fragment
        for name in ("href", "src"):
            value = "".join((attrs.get(name) or "").split()).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), fragment


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x OnErRoR=alert(1)>",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<style>body { display: none }</style>",
    '<p style="background: url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name="q"><button formaction="javascript:alert(1)">go</button></form>',
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link]( javascript:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<body onload=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_harmless(source: str) -> None:
    _assert_harmless(markdown_to_html(source))
    _assert_harmless(sanitize(source))
    # Inside a table cell too (how rank-1/2 text tensors are rendered).
    _assert_harmless(
        markdowns_to_html(
            [source, "ok"],
            lambda parts: f"<table><tr><td>{parts[0]}</td><td>{parts[1]}</td></tr></table>",
        )
    )


def test_script_and_style_are_shown_as_text() -> None:
    out = markdown_to_html("before\n\n<script>alert(1)</script>\n\nafter")
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<p>after</p>" in out
    out = markdown_to_html("<style>body { display: none }</style>")
    assert out == "&lt;style&gt;body { display: none }&lt;/style&gt;"
    # Markup inside them is parsed like any other (no raw-text mode): what is allowed of it
    # stays, without its handlers.
    out = markdown_to_html('<script>x="<img src=y onerror=alert(1)>"</script>')
    assert out == '&lt;script&gt;x="<img src="y">"&lt;/script&gt;'


def test_markdown_features_survive() -> None:
    source = (
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1 < 2\n```\n\n"
        '- one\n- **two**\n\n> quoted\n\n[site](https://example.com/p?q=1) and ![alt](img/pic.png "t")\n'
    )
    out = markdown_to_html(source)
    assert "<h1>Title</h1>" in out
    assert "<thead>\n<tr>\n<th>a</th>\n<th>b</th>" in out and "<td>1</td>" in out
    assert "<pre><code>x = 1 &lt; 2\n</code></pre>" in out  # the language class is dropped
    assert "<li><strong>two</strong></li>" in out and "<blockquote>" in out
    assert '<a href="https://example.com/p?q=1" rel="noopener noreferrer">site</a>' in out
    assert '<img alt="alt" src="img/pic.png" title="t">' in out


def test_allowed_urls() -> None:
    out = markdown_to_html(
        "[a](http://x.example) [b](mailto:me@x.example) [c](../rel/path) [d](#frag)"
    )
    hrefs = [attrs.get("href") for tag, attrs in _elements(out) if tag == "a"]
    assert hrefs == ["http://x.example", "mailto:me@x.example", "../rel/path", "#frag"]
    assert all(
        attrs.get("rel") == "noopener noreferrer" for tag, attrs in _elements(out) if tag == "a"
    )


def test_tags_outside_the_allow_list_are_shown_as_written() -> None:
    """As TensorBoard (bleach) does: special tokens, generics and comparisons in logged text
    are part of what the user reads; removing them lost data (an unclosed <title> swallowed
    the rest of the text)."""
    assert markdown_to_html("<b>bold</b> and <span class='x'>span</span>") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; and &lt;span class='x'&gt;span&lt;/span&gt;</p>"
    )
    cases = {
        "<s> the cat sat on the <unk> mat <pad> </s>": "<p>&lt;s&gt; the cat sat on the &lt;unk&gt; mat &lt;pad&gt; &lt;/s&gt;</p>",
        "if a<b and c>d: Dict<str, int> x << 2": "<p>if a&lt;b and c&gt;d: Dict&lt;str, int&gt; x &lt;&lt; 2</p>",
        "The <title> of the paper. More below.": "<p>The &lt;title&gt; of the paper. More below.</p>",
        "<math> x </math>": "&lt;math&gt; x &lt;/math&gt;",
        "<!DOCTYPE html><?php x ?>": "&lt;!DOCTYPE html&gt;\n&lt;?php x ?&gt;",
        "x &amp; y &lt;z&gt;": "<p>x &amp; y &lt;z&gt;</p>",
        "<B>upper</B>": "<p>&lt;B&gt;upper&lt;/B&gt;</p>",  # the end tag as typed too
        "<![CDATA[x]]>y": "&lt;![CDATA[x]]&gt;\n<p>y</p>",
    }
    for source, expected in cases.items():
        assert markdown_to_html(source) == expected, source
    cell = markdowns_to_html(["<c>", "2"], lambda parts: f"<table><tr><td>{parts[0]}</td><td>{parts[1]}</td></tr></table>")
    assert "<td><p>&lt;c&gt;</p></td>" in cell


def test_null_bytes_and_bad_utf8(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = markdown_to_html(b"a\x00b\x00")
        assert (
            out
            == "<!-- WARNING: discarded 2 null bytes in markdown string after UTF-8 decoding -->\n<p>ab</p>"
        )
        assert markdown_to_html(b"caf\xe9 **x**") == "<p>caf\ufffd <strong>x</strong></p>"
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "null bytes" in messages and "not valid UTF-8" in messages


def test_escape_text() -> None:
    assert escape_text('<b>"x" & y</b>') == '&lt;b&gt;"x" &amp; y&lt;/b&gt;'
    assert escape_text(b"<i>") == "&lt;i&gt;"


def test_only_the_listed_attributes_survive() -> None:
    """No attribute on any other tag (nh3 would keep `title` and `lang` everywhere)."""
    out = markdown_to_html('<p title="x" lang="en">a <strong title="y">b</strong> <a href="https://e.x" lang="l" title="t">c</a></p>')
    assert out == '<p>a <strong>b</strong> <a href="https://e.x" title="t" rel="noopener noreferrer">c</a></p>'
