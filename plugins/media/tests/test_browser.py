"""The images, audio and text tabs in headless Chromium, against a real ``tbcore serve``
process on a logdir written by ``torch.utils.tensorboard`` and ``tf.summary``: the image
slider, samples and arrow keys change the pixels shown, scrubbing asks for each image once,
the filters apply, the audio player gets a playable WAV, Markdown tables render, hostile text
never runs (neither from the server nor through the page's own sanitizer), the theme applies,
and live updates bring new steps."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


harness = _load("media_browser_harness", ROOT / "tests" / "browser" / "browser_harness.py")
logdirs = _load("media_browser_logdirs", Path(__file__).with_name("browser_logdirs.py"))

RUN = logdirs.RUN
STEPS = logdirs.IMAGE_STEPS
PLUGINS = ("--plugins", "images,audio,text")
COLOR_TOLERANCE = 3
"""PNG is lossless, but the browser may color-manage what it draws by a unit or two."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``tbcore serve`` (the media dashboards only) on a torch run and a TF run."""
    logdir = tmp_path_factory.mktemp("media_browser")
    logdirs.write_torch_run(logdir, 0, STEPS)
    logdirs.write_tf_run(logdir)
    s = harness.cli_server(logdir, [RUN, logdirs.TF_RUN], *PLUGINS)
    yield s
    s.stop()


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Any]:
    """A fresh page on the server, failing the test on any console error or outside request."""
    with _page(browser, server.url) as p:
        yield p


@contextlib.contextmanager
def _page(
    browser: Any,
    url: str,
    allowed_error: str = "\0",
    color_scheme: str = "light",
    before_open: Callable[[Any], None] = lambda page: None,
) -> Iterator[Any]:
    """A page on ``url``; console errors containing ``allowed_error`` do not fail the test.
    ``before_open(page)`` runs before the app loads (to see its first requests)."""
    errors: list[str] = []
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=color_scheme
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog {d.message}"), d.dismiss()))
    page.on(
        "request",
        lambda r: None if harness.is_local(r.url) else errors.append(f"outside request {r.url}"),
    )
    before_open(page)
    try:
        harness.open_app(page, url)
        yield page
        page.goto("about:blank")  # close the live connection before the server goes away
    finally:
        context.close()
    assert [e for e in errors if allowed_error not in e] == [], "errors in the page"


def _open_tab(page: Any, name: str) -> None:
    page.click(f'[role="tab"][data-plugin="{name}"]')
    page.wait_for_function(
        "n => document.querySelector(`section[data-plugin='${n}']`)?.dataset.state === 'mounted'",
        arg=name,
    )


def _card(page: Any, plugin: str, tag: str, run: str = RUN) -> Any:
    """The content element of the card of ``run`` and ``tag``, once loaded."""
    key = f'["{run}","{tag}"]'
    card = page.locator(f"section[data-plugin='{plugin}'] .tb-card[data-key='{key}']")
    card.scroll_into_view_if_needed()
    content = card.locator(".media-card-content")
    page.wait_for_function("el => el.dataset.loaded === 'true'", arg=content.element_handle())
    return content


def _wait_shown(page: Any, content: Any, step: int, sample: int = 0) -> None:
    page.wait_for_function(
        "([el, step, sample]) => el.dataset.shownStep === String(step) && el.dataset.shownSample === String(sample)",
        arg=[content.element_handle(), step, sample],
    )


def _center_pixel(content: Any) -> list[int]:
    """RGB of the middle of the image as the page decoded it (drawn onto a canvas)."""
    return content.locator("img.media-image").evaluate(
        """img => {
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d');
            g.drawImage(img, 0, 0);
            return [...g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data.slice(0, 3)];
        }"""
    )


def _assert_color(content: Any, step: int, sample: int = 0) -> None:
    actual = _center_pixel(content)
    expected = logdirs.image_color(step, sample)
    assert all(abs(a - e) <= COLOR_TOLERANCE for a, e in zip(actual, expected, strict=True)), (
        step,
        actual,
        expected,
    )


def _set_range(locator: Any, value: float) -> None:
    locator.evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }",
        value,
    )


def test_image_slider_and_arrow_keys_change_the_pixels(page: Any) -> None:
    _open_tab(page, "images")
    content = _card(page, "images", "images/single")
    assert content.get_attribute("data-steps") == str(STEPS)
    _wait_shown(page, content, STEPS - 1)  # the newest step first
    _assert_color(content, STEPS - 1)
    assert content.locator(".media-step-label").text_content() == f"step {STEPS - 1}"

    assert content.locator(".media-image-size").text_content() == "32×24"

    _set_range(content.locator("input.media-step-input"), 3)
    _wait_shown(page, content, 3)
    _assert_color(content, 3)
    assert content.locator(".media-step-label").text_content() == "step 3"
    assert content.locator(".media-wall-time").text_content().startswith("20")

    content.focus()
    page.keyboard.press("ArrowLeft")
    _wait_shown(page, content, 2)
    _assert_color(content, 2)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    _wait_shown(page, content, 4)
    _assert_color(content, 4)
    page.keyboard.press("End")
    _wait_shown(page, content, STEPS - 1)
    harness.screenshot(page, "media_images")


def test_sample_choice_shows_each_image_of_a_step(page: Any) -> None:
    _open_tab(page, "images")
    content = _card(page, "images", "images/batch", logdirs.TF_RUN)
    select = content.locator("select.media-sample")
    assert select.is_visible()
    assert select.locator("option").count() == logdirs.BATCH
    _wait_shown(page, content, STEPS - 1, 0)
    _assert_color(content, STEPS - 1, 0)
    for sample in (2, 1):
        select.select_option(str(sample))
        _wait_shown(page, content, STEPS - 1, sample)
        _assert_color(content, STEPS - 1, sample)
    # The sample stays chosen while the step changes.
    _set_range(content.locator("input.media-step-input"), 5)
    _wait_shown(page, content, 5, 1)
    _assert_color(content, 5, 1)
    # A tag of single images offers no sample choice.
    assert not _card(page, "images", "images/single").locator("select.media-sample").is_visible()


def test_brightness_contrast_pixelated_and_actual_size(page: Any) -> None:
    _open_tab(page, "images")
    content = _card(page, "images", "images/single")
    _wait_shown(page, content, STEPS - 1)
    img = content.locator("img.media-image")
    style = "(el, prop) => getComputedStyle(el)[prop]"
    assert img.evaluate(style, "filter") in ("none", "brightness(1) contrast(1)")

    _set_range(page.locator(".media-brightness-input"), 1.5)
    _set_range(page.locator(".media-contrast-input"), 0.5)
    assert img.evaluate(style, "filter") == "brightness(1.5) contrast(0.5)"
    assert page.locator(".media-range-value").first.text_content() == "150%"
    page.click("button.media-reset")
    assert img.evaluate(style, "filter") == "brightness(1) contrast(1)"

    assert img.evaluate(style, "imageRendering") == "auto"
    page.check(".media-pixelated-toggle")
    assert img.evaluate(style, "imageRendering") == "pixelated"

    # Fit: the 32 x 24 image fills the card's width; actual size: 32 px wide.
    assert img.evaluate("el => el.clientWidth") > 100
    page.check(".media-actual-size-toggle")
    assert img.evaluate("el => [el.clientWidth, el.clientHeight]") == [32, 24]
    harness.screenshot(page, "media_images_actual_size")


def _record_blob_requests(page: Any, requests: list[str]) -> None:
    """Append the blob key of every image ``page`` asks for to ``requests``."""

    def on_request(request: Any) -> None:
        parsed = urllib.parse.urlparse(request.url)
        if parsed.path.endswith("/individualImage"):
            requests.append(urllib.parse.parse_qs(parsed.query)["blob_key"][0])

    page.on("request", on_request)


def test_scrubbing_prefetches_and_asks_for_each_image_once(browser: Any, server: Any) -> None:
    # Recording starts before the app loads: the images tab opens first and asks at once.
    requests: list[str] = []
    with _page(browser, server.url, before_open=lambda p: _record_blob_requests(p, requests)) as page:
        _scrub(page, requests)


def _scrub(page: Any, requests: list[str]) -> None:
    _open_tab(page, "images")
    content = _card(page, "images", "images/single")
    keys = _blob_keys(page, "images/single")
    _wait_shown(page, content, STEPS - 1)
    # The step before the newest is fetched before anyone asks for it.
    page.wait_for_function(
        """([el, key]) => [...el.closest('.media-dashboard').__imageCache.entries.keys()]
            .some((url) => url.endsWith('=' + encodeURIComponent(key)))""",
        arg=[content.element_handle(), keys[STEPS - 2]],
    )
    _set_range(content.locator("input.media-step-input"), STEPS - 2)
    _wait_shown(page, content, STEPS - 2)
    _assert_color(content, STEPS - 2)
    assert requests.count(keys[STEPS - 2]) == 1

    # Scrub down to the first step and back up, one input event per step, without waiting.
    slider = content.locator("input.media-step-input")
    for index in [*range(STEPS - 1, -1, -1), *range(STEPS)]:
        _set_range(slider, index)
    _wait_shown(page, content, STEPS - 1)
    _assert_color(content, STEPS - 1)
    _set_range(slider, 0)
    _wait_shown(page, content, 0)
    _assert_color(content, 0)
    single = [key for key in requests if key in keys]
    assert sorted(single) == sorted(keys), "each image requested exactly once"


def _blob_keys(page: Any, tag: str) -> list[str]:
    """The first image's blob key of every step of ``RUN``'s ``tag``, by step."""
    index = page.evaluate(
        "q => fetch('data/plugin/images/images_index?' + q).then(r => r.json())",
        urllib.parse.urlencode({"run": RUN, "tag": tag}),
    )
    return [step["blob_keys"][0] for step in index["steps"]]


def test_audio_player_gets_a_playable_wav(page: Any) -> None:
    _open_tab(page, "audio")
    content = _card(page, "audio", "sound/sine")
    audio = content.locator("audio.media-audio")
    page.wait_for_function("el => el.dataset.step !== undefined", arg=audio.element_handle())
    assert audio.get_attribute("data-step") == str(STEPS - 1)
    probe = audio.evaluate(
        """async el => {
            const response = await fetch(el.src);
            const bytes = new Uint8Array(await response.arrayBuffer());
            return {
                type: response.headers.get('content-type'),
                head: String.fromCharCode(...bytes.slice(0, 4)),
                wave: String.fromCharCode(...bytes.slice(8, 12)),
                canPlay: el.canPlayType('audio/wav'),
            };
        }"""
    )
    assert probe["type"] == "audio/wav"
    assert (probe["head"], probe["wave"]) == ("RIFF", "WAVE")
    assert probe["canPlay"] in ("maybe", "probably")
    duration = audio.evaluate(
        """el => el.readyState >= 1 ? el.duration : new Promise((resolve, reject) => {
            el.addEventListener('loadedmetadata', () => resolve(el.duration), {once: true});
            el.addEventListener('error', () => reject(new Error('audio error ' + el.error?.code)), {once: true});
        })"""
    )
    assert duration == pytest.approx(0.5, abs=0.01)  # 4,000 frames at 8 kHz

    before = audio.get_attribute("src")
    content.focus()
    page.keyboard.press("Home")
    page.wait_for_function("el => el.dataset.step === '0'", arg=audio.element_handle())
    assert audio.get_attribute("src") != before
    assert content.locator(".media-step-label").text_content() == "step 0"

    # Several clips per step (tf.summary.audio): the clip choice switches the source.
    clips = _card(page, "audio", "sound/clips", logdirs.TF_RUN)
    clip_audio = clips.locator("audio.media-audio")
    select = clips.locator("select.media-sample")
    assert select.locator("option").count() == logdirs.CLIPS
    page.wait_for_function("el => el.dataset.sample === '0'", arg=clip_audio.element_handle())
    first = clip_audio.get_attribute("src")
    select.select_option("1")
    page.wait_for_function("el => el.dataset.sample === '1'", arg=clip_audio.element_handle())
    assert clip_audio.get_attribute("src") != first
    assert clip_audio.get_attribute("data-step") == str(STEPS - 1)
    harness.screenshot(page, "media_audio")


def test_markdown_table_and_code_render_and_hostile_text_never_runs(page: Any) -> None:
    _open_tab(page, "text")
    content = _card(page, "text", "notes/text_summary")
    text = content.locator(".media-text")
    assert text.get_attribute("data-step") == str(STEPS - 1)
    # torch writes text as a rank-1 tensor of one string: a one-cell table around the Markdown.
    assert text.locator(":scope > table td").count() > 1
    table = text.locator("td table")
    assert table.count() == 1
    cells = table.locator("td").all_text_contents()
    assert cells == ["accuracy", "0.93", "loss", "0.21"]
    assert table.locator("th").all_text_contents() == ["metric", "value"]
    assert "print('hello')" in text.locator("pre code").text_content()
    assert text.locator("strong").last.text_content() == str(STEPS - 1)

    section = page.locator("section[data-plugin='text']")
    assert page.evaluate(f"() => window.{logdirs.SCRIPT_FLAG}") is None
    assert section.locator("script, iframe, object, embed").count() == 0
    assert (
        section.evaluate(
            "el => [...el.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))"
        )
        == []
    )
    hrefs = section.locator(".media-text a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert not any((h or "").strip().lower().startswith("javascript") for h in hrefs)

    page.check(".media-all-steps-toggle")
    steps = content.locator(".media-text-step")
    assert steps.count() == STEPS
    assert steps.evaluate_all("els => els.map(e => e.dataset.step)") == [
        str(s) for s in range(STEPS - 1, -1, -1)
    ]
    assert content.locator(".media-text-step td table").count() == STEPS
    harness.screenshot(page, "media_text")

    # Without Markdown the source shows as text (escaped by the server), still in a table.
    page.uncheck(".media-markdown-toggle")
    page.wait_for_function("el => !el.querySelector('td table')", arg=content.element_handle())
    newest = content.locator(".media-text-step").first
    assert "| metric | value |" in newest.text_content()
    assert "<script>" in newest.text_content()
    assert section.locator("script").count() == 0
    assert page.evaluate(f"() => window.{logdirs.SCRIPT_FLAG}") is None


def test_plain_text_keeps_its_line_breaks(page: Any) -> None:
    _open_tab(page, "text")
    content = _card(page, "text", "notes/text_summary")
    page.uncheck(".media-markdown-toggle")
    page.wait_for_function("el => !el.querySelector('td table')", arg=content.element_handle())
    cell = content.locator(".media-text td").first
    # innerText follows the CSS: collapsed whitespace would join the source's lines.
    shown = cell.inner_text()
    assert "| metric | value |\n|---|---|\n| accuracy | 0.93 |" in shown, shown
    assert "```python\nprint('hello')\n```" in shown
    harness.screenshot(page, "media_text_plain")
    page.check(".media-markdown-toggle")
    page.wait_for_function("el => !!el.querySelector('td table')", arg=content.element_handle())
    assert content.locator(".media-text-plain").count() == 0


def test_step_prefetch_and_link_rules(page: Any) -> None:
    """The dashboards' pure rules, run in the page as the dashboards run them."""
    base = "data/plugin/images/static/"
    result = page.evaluate(
        """async (base) => {
            const url = (name) => new URL(base + name, document.baseURI).href;
            const {nextIndex} = await import(url('_step_slider.js'));
            const {prefetchOrder} = await import(url('images.js'));
            const {isSafeHref} = await import(url('_safe_html.js'));
            const {parseTagIndex} = await import(url('_media_cards.js'));
            const tags = (answer) => [...parseTagIndex(answer)].map(([run, t]) => [run, [...t.keys()]]);
            return {
                follow: nextIndex([0, 1, 2], 2, [0, 1, 2, 3, 4]),
                first: nextIndex([], -1, [5, 6]),
                stay: nextIndex([0, 10, 20], 1, [0, 10, 20, 30]),
                replaced: nextIndex([0, 10, 20], 1, [0, 5, 15, 30]),
                empty: nextIndex([0, 1], 1, []),
                down: prefetchOrder(5, 8, -1),
                up: prefetchOrder(0, 3, 1),
                idle: prefetchOrder(5, 8, -1, 2),
                hrefs: ['https://a.b/c', 'docs/x.html', '#top', 'mailto:a@b', '/p?q=1',
                        'javascript:alert(1)', ' JaVaScRiPt:x', 'java\tscript:x', 'data:text/html,x',
                        'vbscript:x'].map(isSafeHref),
                textTags: tags({run: ['a', 'b/c']}),
                imageTags: tags({run: {t: {samples: 2}}}),
            };
        }""",
        base,
    )
    assert result["follow"] == 4  # stood at the newest: follows
    assert result["first"] == 1
    assert result["stay"] == 1  # same step
    assert result["replaced"] == 1  # step 10 gone: the nearest older one (5)
    assert result["empty"] == -1
    assert result["down"] == [4, 6, 3, 7, 2, 1, 0]  # ahead first, a few behind
    assert result["up"] == [1, 2]
    assert result["idle"] == [4, 6, 3, 7]
    assert result["hrefs"] == [True] * 5 + [False] * 5
    assert result["textTags"] == [["run", ["a", "b/c"]]]
    assert result["imageTags"] == [["run", ["t"]]]


def _luminance(css_color: str) -> float:
    r, g, b = (
        int(v) for v in css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")[:3]
    )
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_theme(browser: Any, server: Any) -> None:
    """The cards follow the shell's theme: dark code blocks and table headers, light text."""
    with _page(browser, server.url + "#tab=text", color_scheme="dark") as page:
        assert page.get_attribute("html", "data-theme") == "dark"
        text = _card(page, "text", "notes/text_summary").locator(".media-text")
        style = "(el, prop) => getComputedStyle(el)[prop]"
        assert _luminance(text.locator("pre").evaluate(style, "backgroundColor")) < 0.25
        assert _luminance(text.locator("th").first.evaluate(style, "backgroundColor")) < 0.25
        assert _luminance(text.evaluate(style, "color")) > 0.7
        harness.screenshot(page, "media_text_dark")
        _open_tab(page, "images")
        _wait_shown(page, _card(page, "images", "images/batch", logdirs.TF_RUN), STEPS - 1)
        harness.screenshot(page, "media_images_dark")


HOSTILE = (
    "<p>ok</p><script>window.__flag='script'</script><img src=x onerror=\"window.__flag='img'\">"
    "<a href=' jav&#x09;ascript:alert(1)'>x</a><a href='https://example.com/a' onclick='window.__flag=1'>y</a>"
    "<svg><script>window.__flag='svg'</script></svg><iframe srcdoc='<script>parent.__flag=1</script>'></iframe>"
    "<style>body{display:none}</style><form action='/x'><input name=a></form>"
    "<table><tr><td onmouseover='window.__flag=2'>cell</td></tr></table>"
)


def test_client_side_sanitizer_keeps_only_allowed_markup(browser: Any, server: Any) -> None:
    """Defence in depth: raw hostile HTML, as if the server had not sanitized it. Chromium
    checks the page's Content-Security-Policy as soon as it parses an inline handler, even in
    the inert document the sanitizer parses into, and logs that it blocked it: those errors
    are expected here (and only here: the server never sends handlers)."""
    with _page(
        browser, server.url, allowed_error="Executing inline event handler violates"
    ) as page:
        result = _sanitize(page, HOSTILE)
    assert result["flag"] is None
    html = result["html"]
    for banned in (
        "<script",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript",
        "<svg",
        "<iframe",
        "<style",
        "<form",
        "<input",
    ):
        assert banned not in html.lower(), banned
    assert "<p>ok</p>" in html
    assert (
        '<a href="https://example.com/a" rel="noopener noreferrer nofollow" target="_blank">y</a>'
        in html
    )
    assert "<td>cell</td>" in html


def _sanitize(page: Any, html: str) -> dict[str, Any]:
    """Run the dashboards' client-side sanitizer in the page on ``html``; the markup it
    produced (inserted into the page for a moment) and the hostile flag afterwards."""
    module = page.evaluate(
        "() => new URL('data/plugin/text/static/_safe_html.js', document.baseURI).href"
    )
    return page.evaluate(
        """async ([url, html]) => {
            const {safeFragment} = await import(url);
            const box = document.createElement('div');
            box.append(safeFragment(html));
            document.body.append(box);
            await new Promise((r) => setTimeout(r, 200));
            const out = {html: box.innerHTML, flag: window.__flag ?? null};
            box.remove();
            return out;
        }""",
        [module, html],
    )


def test_live_update_shows_the_new_step(browser: Any, tmp_path: Path) -> None:
    logdirs.write_torch_run(tmp_path, 0, 3)
    server = harness.cli_server(tmp_path, [RUN], *PLUGINS, "--reload-interval", "0.3")
    try:
        with _page(browser, server.url + "#tab=images") as page:
            content = _card(page, "images", "images/single")
            _wait_shown(page, content, 2)
            # A card whose slider was moved off the newest step stays where it is.
            _open_tab(page, "text")
            text = _card(page, "text", "notes/text_summary")
            _set_range(text.locator("input.media-step-input"), 0)
            assert text.locator(".media-text").get_attribute("data-step") == "0"
            logdirs.write_torch_run(tmp_path, 3, 5)
            page.wait_for_function(
                "el => el.dataset.steps === '5'", arg=text.element_handle(), timeout=30_000
            )
            assert text.locator(".media-text").get_attribute("data-step") == "0"
            assert text.locator(".media-step-input").evaluate("el => el.max") == "4"
            # The image slider stood at the newest step, so it follows the new ones.
            _open_tab(page, "images")
            page.wait_for_function(
                "el => el.dataset.steps === '5'", arg=content.element_handle(), timeout=30_000
            )
            _wait_shown(page, content, 4)
            _assert_color(content, 4)
            assert content.locator(".media-step-label").text_content() == "step 4"
    finally:
        server.stop()


def test_live_update_never_interrupts_a_playing_clip(browser: Any, tmp_path: Path) -> None:
    logdirs.write_torch_run(tmp_path, 0, 3)
    server = harness.cli_server(tmp_path, [RUN], *PLUGINS, "--reload-interval", "0.3")
    try:
        with _page(browser, server.url + "#tab=audio") as page:
            content = _card(page, "audio", "sound/sine")
            audio = content.locator("audio.media-audio")
            slider = content.locator(".media-step")
            page.wait_for_function("el => el.dataset.step === '2'", arg=audio.element_handle())
            src = audio.get_attribute("src")
            # Really playing, in headless Chromium: a muted element may play without a user
            # gesture, and looping keeps the 0.5 s clip playing while the new steps arrive.
            audio.evaluate("el => { el.muted = true; el.loop = true; return el.play(); }")
            logdirs.write_torch_run(tmp_path, 3, 5)
            page.wait_for_function(
                "el => el.dataset.steps === '5'", arg=content.element_handle(), timeout=30_000
            )
            player = audio.evaluate(
                "el => ({paused: el.paused, src: el.getAttribute('src'), step: el.dataset.step})"
            )
            assert player == {"paused": False, "src": src, "step": "2"}
            assert audio.evaluate("el => el.played.length > 0 && el.readyState >= 2")
            # The slider knows the new steps but stays on the clip playing, and says so.
            assert (slider.get_attribute("data-step"), slider.get_attribute("data-count")) == ("2", "5")
            assert content.locator(".media-step-input").evaluate("el => el.max") == "4"
            assert content.locator(".media-newer-steps").is_visible()
            # Pausing moves the card on to the newest step.
            audio.evaluate("el => el.pause()")
            page.wait_for_function("el => el.dataset.step === '4'", arg=audio.element_handle())
            assert content.locator(".media-step-label").text_content() == "step 4"
            assert slider.get_attribute("data-behind") == "false"
            assert content.locator(".media-newer-steps").is_hidden()
            # The user's own slider move switches the clip at once, even while one plays.
            audio.evaluate("el => el.play()")
            _set_range(content.locator("input.media-step-input"), 0)
            assert audio.get_attribute("data-step") == "0"
            assert audio.get_attribute("src") != src
    finally:
        server.stop()


def test_step_slider_holds_and_catches_up(page: Any) -> None:
    """The slider in the page: a held update keeps the step shown without calling back and
    remembers to follow the newest step only if it stood there."""
    module = page.evaluate(
        "() => new URL('data/plugin/audio/static/_step_slider.js', document.baseURI).href"
    )
    trace = page.evaluate(
        """async (url) => {
            const {StepSlider} = await import(url);
            const calls = [];
            const s = new StepSlider((i) => calls.push(i));
            const steps = (n) => [...Array(n).keys()].map((k) => 10 * k);
            const state = () => ({index: s.index, behind: s.behind, newer: !s.newerLabel.hidden, calls: calls.splice(0)});
            const out = [];
            s.setSteps(steps(3), steps(3)); out.push(state());
            s.setSteps(steps(5), steps(5), {hold: true}); out.push(state());
            s.setSteps(steps(6), steps(6), {hold: true}); out.push(state());
            s.catchUp(); out.push(state());
            s.go(1); s.setSteps(steps(7), steps(7), {hold: true}); out.push(state());
            s.catchUp(); out.push(state());
            s.go(6); s.setSteps(steps(8), steps(8), {hold: true}); s.go(2); out.push(state());
            s.setSteps(steps(9), steps(9)); out.push(state());
            return out;
        }""",
        module,
    )
    assert trace == [
        {"index": 2, "behind": False, "newer": False, "calls": [2]},
        {"index": 2, "behind": True, "newer": True, "calls": []},  # held at the newest
        {"index": 2, "behind": True, "newer": True, "calls": []},  # still behind
        {"index": 5, "behind": False, "newer": False, "calls": [5]},  # caught up
        {"index": 1, "behind": False, "newer": False, "calls": [1]},  # an older step stays
        {"index": 1, "behind": False, "newer": False, "calls": []},  # nothing to catch up
        {"index": 2, "behind": False, "newer": False, "calls": [6, 2]},  # a user move ends it
        {"index": 2, "behind": False, "newer": False, "calls": []},
    ]
