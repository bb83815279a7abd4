"""The shell in a real browser against ``tbcore serve``: tabs, run selector, settings, URL,
escaping, live reload. The example dashboard (installed through its entry point) is the
dashboard under the shell."""

from __future__ import annotations

import re
import time
from typing import Any

from browser_harness import Server, Watch, cli_server, open_app, screenshot
from browser_logdirs import XSS_RUN, write_run

RUN_ROWS = ".tb-run:not([hidden])"
TABLE_ROWS = ".example-table tbody tr"


def example_runs(page: Any) -> list[str]:
    return page.locator(f"{TABLE_ROWS} .example-run-name").all_text_contents()


def wait_count(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.tb-runs-count').textContent === t", arg=text
    )


def test_page_loads_with_tabs_in_server_order(page: Any, server: Server) -> None:
    listing = server.get_json("data/plugins_listing")
    open_app(page, server.url)
    assert page.locator(".tb-title").text_content() == "tbcore browser tests"
    assert page.title() == "tbcore browser tests"
    shown = page.locator('.tb-tablist [role="tab"]').evaluate_all(
        "els => els.map(e => e.dataset.plugin)"
    )
    hidden = page.locator('.tb-more-list [role="tab"]').evaluate_all(
        "els => els.map(e => e.dataset.plugin)"
    )
    assert shown == [n for n, e in listing.items() if e["status"] != "inactive"]
    assert hidden == [n for n, e in listing.items() if e["status"] == "inactive"]
    assert page.locator(RUN_ROWS).count() == len(server.runs)
    assert (
        page.locator(".tb-runs-count").text_content()
        == f"{len(server.runs)} of {len(server.runs)} runs"
    )
    screenshot(page, "shell_light")


def test_example_dashboard_renders_runs_in_order(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=example")
    page.wait_for_selector(TABLE_ROWS)
    assert example_runs(page) == server.runs
    page.wait_for_selector(".example-greeting:has-text('Hello, tbcore!')")
    assert page.get_attribute("#tb-tab-example", "aria-selected") == "true"
    screenshot(page, "example_dashboard")


def test_run_name_with_markup_is_text(page: Any, server: Server, watch: Watch) -> None:
    open_app(page, server.url + "#tab=example")
    page.wait_for_selector(TABLE_ROWS)
    assert XSS_RUN in page.locator(".tb-run-name").all_text_contents()
    assert XSS_RUN in example_runs(page)
    page.locator(".tb-run", has_text="onerror").hover()
    page.wait_for_timeout(200)
    assert page.locator("#tbcore-app img").count() == 0
    assert watch.dialogs == []


def test_run_filter_and_selection_reach_the_dashboard(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=example")
    page.wait_for_selector(TABLE_ROWS)
    page.fill("#tb-run-filter", "^train/")
    wait_count(page, "2 of 5 runs")
    assert page.locator(RUN_ROWS).all_text_contents() == ["train/lr_0.1", "train/lr_0.01"]
    page.wait_for_function(f"() => document.querySelectorAll('{TABLE_ROWS}').length === 2")
    assert example_runs(page) == ["train/lr_0.1", "train/lr_0.01"]
    assert "runFilter=%5Etrain%2F" in page.url

    page.locator(".tb-run", has_text="train/lr_0.01").locator("input").uncheck()
    page.wait_for_function(f"() => document.querySelectorAll('{TABLE_ROWS}').length === 1")
    assert page.locator(".tb-runs-selected").text_content() == "1 selected"

    page.click("text=None")
    page.wait_for_selector(".tb-empty:has-text('No run is selected.')")
    assert page.locator(".tb-runs-selected").text_content() == "0 selected"
    page.click("text=All")
    page.wait_for_function(f"() => document.querySelectorAll('{TABLE_ROWS}').length === 2")

    page.fill("#tb-run-filter", "")
    wait_count(page, "5 of 5 runs")
    page.wait_for_function(f"() => document.querySelectorAll('{TABLE_ROWS}').length === 5")
    assert page.locator(".tb-runs-selected").text_content() == "5 selected"


def test_invalid_run_filter_shows_an_error(page: Any, server: Server) -> None:
    open_app(page, server.url)
    page.fill("#tb-run-filter", "lr_(")
    wait_count(page, "0 of 5 runs")
    assert page.get_attribute("#tb-run-filter", "aria-invalid") == "true"
    assert "Invalid regex" in page.locator("#tb-run-filter-error").text_content()
    screenshot(page, "run_filter_invalid")
    page.fill("#tb-run-filter", "lr_0\\.1$")
    wait_count(page, "2 of 5 runs")
    assert page.get_attribute("#tb-run-filter", "aria-invalid") == "false"
    assert page.locator("#tb-run-filter-error").text_content() == ""


def test_dark_theme_applies_and_persists(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=example")
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.click('button[aria-label="Settings"]')
    page.check('input[name="tb-theme"][value="dark"]')
    assert page.get_attribute("html", "data-theme") == "dark"
    dark = page.evaluate(background)
    assert dark != light
    page.click("dialog >> text=Close")
    screenshot(page, "shell_dark")
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.evaluate(background) == dark


def test_url_hash_restores_tab_and_filters(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=example&runFilter=lr_0%5C.1%24&tagFilter=loss")
    wait_count(page, "2 of 5 runs")
    assert page.input_value("#tb-run-filter") == "lr_0\\.1$"
    assert page.get_attribute("#tb-tab-example", "aria-selected") == "true"
    page.wait_for_selector(TABLE_ROWS)
    assert page.input_value("#tb-tag-filter") == "loss"
    assert page.locator(".example-matching").all_text_contents() == ["1", "1"]
    page.fill("#tb-tag-filter", "train")
    page.wait_for_function("() => location.hash.includes('tagFilter=train')")
    page.wait_for_function("() => document.querySelector('.example-matching').textContent === '2'")


def test_tensorboard_style_hash_opens_its_tab(page: Any, server: Server) -> None:
    # TensorBoard's links name the dashboard first: #example, #example&...
    open_app(page, server.url + "#example&runFilter=lr")
    page.wait_for_selector(TABLE_ROWS)
    assert page.get_attribute("#tb-tab-example", "aria-selected") == "true"
    assert page.input_value("#tb-run-filter") == "lr"
    page.fill("#tb-tag-filter", "train")
    page.wait_for_function("() => location.hash.includes('tagFilter=train')")
    params = page.evaluate("() => [...new URLSearchParams(location.hash.slice(1)).keys()]")
    assert "example" not in params and "tab" in params


def test_run_colors_are_the_same_everywhere(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=example")
    page.wait_for_selector(TABLE_ROWS)
    sidebar = page.locator(".tb-run").evaluate_all(
        "rows => rows.map(r => [r.querySelector('.tb-run-name').textContent, r.querySelector('.tb-swatch').style.background])"
    )
    table = page.locator(TABLE_ROWS).evaluate_all(
        "rows => rows.map(r => [r.dataset.run, r.querySelector('.tb-swatch').style.background])"
    )
    assert sorted(sidebar) == sorted(table)
    assert len({color for _, color in sidebar}) == len(sidebar)  # no two runs share a color
    expected = page.evaluate(
        """async (names) => {
            const sdk = await import("@tbcore/sdk");
            const probe = document.createElement("span");
            return names.map((n) => { probe.style.background = sdk.runColor(n); return [n, probe.style.background]; });
        }""",
        server.runs,
    )
    assert sorted(expected) == sorted(table)


def test_sdk_helpers(page: Any, server: Server, watch: Watch) -> None:
    watch.allow_console_errors = True  # the 404 asked for below is logged by the browser
    open_app(page, server.url)
    result = page.evaluate(
        """async () => {
            const sdk = await import("@tbcore/sdk");
            const bad = sdk.tagMatcher("(");
            let handlerRejected = false;
            try { sdk.h("button", { onclick: "alert(1)" }); } catch { handlerRejected = true; }
            const { ctx, dispose } = sdk.createPluginContext({
                pluginName: "demo",
                runList: sdk.createStore([]), selection: sdk.createStore([]),
                settings: sdk.createStore({}), theme: sdk.createStore("light"),
                tagFilter: sdk.createStore(""), onUpdate: () => () => {},
            });
            const url = ctx.url("scalars", { tag: "a/b", run: ["x", "y z"] });
            dispose();
            let error = null;
            try { await sdk.fetchJson(new URL("data/plugin/nope/route", document.baseURI)); }
            catch (e) { error = { name: e.name, status: e.status, message: e.message }; }
            return {
                escaped: sdk.escapeHtml(`<a href="x">'&'</a>`),
                text: sdk.h("p", null, "<b>", 1, null, ["x"]).innerHTML,
                badError: bad.error !== null, badMatches: bad("anything"),
                empty: sdk.tagMatcher("")("x"), caseless: sdk.tagMatcher("LOSS")("loss/train"),
                groups: sdk.groupTags(["loss/train", "acc", "loss/eval", "acc/x"]),
                handlerRejected, url, aborted: ctx.signal.aborted, error,
                colorStable: sdk.runColor("run") === sdk.runColor("run"),
            };
        }"""
    )
    assert result["escaped"] == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    assert result["text"] == "&lt;b&gt;1x"
    assert result["badError"] and not result["badMatches"]
    assert result["empty"] and result["caseless"]
    assert result["groups"] == [
        {"prefix": "acc", "tags": ["acc", "acc/x"]},
        {"prefix": "loss", "tags": ["loss/train", "loss/eval"]},
    ]
    assert result["handlerRejected"]
    assert result["url"] == server.url + "data/plugin/demo/scalars?tag=a%2Fb&run=x&run=y+z"
    assert result["aborted"]
    assert result["error"]["name"] == "HttpError" and result["error"]["status"] == 404
    assert result["colorStable"]
    assert len(watch.console_errors) == 1 and "404" in watch.console_errors[0]


def test_live_reload_brings_new_runs(
    page: Any, tmp_path: Any, small_logdir: Any, example_installed: None
) -> None:
    """Under a path prefix, a run written after the page loaded shows up by itself."""
    write_run(tmp_path, "first", {"loss": [(0, 1.0)]}, start=1_000_000.0)
    live = cli_server(tmp_path, ["first"], "--reload-interval", "0.3", prefix="/tb/x")
    try:
        open_app(page, live.url + "#tab=example")
        page.wait_for_selector(TABLE_ROWS)
        assert example_runs(page) == ["first"]
        write_run(tmp_path, "second", {"loss": [(0, 1.0), (5, 0.5)]}, start=1_000_100.0)
        page.wait_for_function(
            f"() => document.querySelectorAll('{TABLE_ROWS}').length === 2", timeout=15_000
        )
        assert example_runs(page) == ["first", "second"]
        assert page.locator(".tb-run-name").all_text_contents() == ["first", "second"]
        assert re.match(r"http://127\.0\.0\.1:\d+/tb/x/", page.url)
        page.goto("about:blank")  # close the live connection before the server goes away
    finally:
        live.stop()


def test_reload_button_without_auto_reload(
    page: Any, tmp_path: Any, example_installed: None
) -> None:
    """With auto-reload off (and the server reloading only on request), the reload button
    brings new runs to the selector and the dashboard."""
    write_run(tmp_path, "first", {"loss": [(0, 1.0)]}, start=1_000_000.0)
    manual = cli_server(tmp_path, ["first"], "--reload-interval", "0")
    try:
        open_app(page, manual.url + "#tab=example")
        page.click('button[aria-label="Settings"]')
        page.uncheck("#tb-setting-auto-reload")
        page.click("dialog >> text=Close")
        page.wait_for_selector(TABLE_ROWS)
        write_run(tmp_path, "second", {"loss": [(0, 1.0)]}, start=1_000_100.0)
        page.wait_for_timeout(500)
        assert example_runs(page) == ["first"]  # nobody asked for a reload yet
        page.click('button[aria-label="Reload data"]')
        page.wait_for_function(f"() => document.querySelectorAll('{TABLE_ROWS}').length === 2")
        assert page.locator(".tb-run-name").all_text_contents() == ["first", "second"]
    finally:
        manual.stop()


def test_page_stays_quiet_when_idle(page: Any, server: Server, watch: Watch) -> None:
    """Nothing fails in the background (live connection, reload timer) for a few seconds."""
    open_app(page, server.url)
    started = time.monotonic()
    page.wait_for_timeout(2500)
    assert time.monotonic() - started >= 2.5
    assert watch.console_errors == []


def test_a_dashboard_whose_first_data_arrives_later_gets_its_tab(page: Any, tmp_path: Any) -> None:
    """Open the page on an empty logdir, then start "training": the Scalars tab leaves the
    inactive menu without a page reload (the listing is asked again on live news)."""
    server = cli_server(tmp_path, [], "--reload-interval", "0.2")
    try:
        open_app(page, server.url)
        status = "() => document.querySelector('#tb-tab-scalars')?.closest('.tb-tablist, .tb-more-list')?.className"
        assert page.evaluate(status) == "tb-more-list"
        write_run(tmp_path, "late", {"loss": [(s, 1.0 / (s + 1)) for s in range(5)]}, start=3e6)
        page.wait_for_function(f"() => ({status})() === 'tb-tablist'", timeout=10_000)
        assert page.get_attribute("#tb-tab-scalars", "data-status") == "active"
        page.click("#tb-tab-scalars")
        page.wait_for_selector('.tb-card[data-key="loss"] .tb-card-body[data-loaded="true"]')
    finally:
        page.goto("about:blank")
        server.stop()


def test_a_deleted_run_leaves_the_page(page: Any, tmp_path: Any) -> None:
    """`rm -rf` of a run while the page is open: it leaves the run selector and the charts."""
    import shutil

    for i, run in enumerate(["keep", "gone"]):
        write_run(tmp_path, run, {"loss": [(s, 1.0 / (s + 1)) for s in range(5)]}, start=3e6 + i)
    server = cli_server(tmp_path, ["keep", "gone"], "--reload-interval", "0.2")
    try:
        open_app(page, server.url + "#tab=scalars")
        lines = """() => document.querySelector('.tb-card[data-key="loss"] .tb-card-body[data-complete="true"]')
            ?.__chart.data().filter((s) => !s.name.endsWith("(raw)")).map((s) => s.name).sort().join()"""
        page.wait_for_function(f"() => ({lines})() === 'gone,keep'")
        shutil.rmtree(tmp_path / "gone")
        page.wait_for_function(f"() => ({lines})() === 'keep'", timeout=10_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.tb-run-name')].map((e) => e.textContent).join() === 'keep'"
        )
    finally:
        page.goto("about:blank")
        server.stop()
