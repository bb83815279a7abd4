"""Dashboards in a real browser: broken ones fail alone, inactive ones stay reachable, and the
SDK's CardGrid and LineChart draw what they are given (``serve_test_app.py``'s dashboards)."""

from __future__ import annotations

from typing import Any

from browser_harness import Server, Watch, open_app, screenshot
from browser_logdirs import NONFINITE_TAG, XSS_RUN


def open_tab(page: Any, name: str) -> Any:
    page.click(f'[role="tab"][data-plugin="{name}"]')
    panel = page.locator(f'section[data-plugin="{name}"]')
    page.wait_for_function(
        "name => ['mounted', 'error', 'empty'].includes(document.querySelector(`section[data-plugin='${name}']`).dataset.state)",
        arg=name,
    )
    return panel


def chart_data(page: Any, tag: str) -> list[dict[str, Any]]:
    card = page.locator(f'.tb-card[data-key="{tag}"] .tb-card-body')
    card.scroll_into_view_if_needed()
    page.wait_for_selector(f'.tb-card[data-key="{tag}"] .tb-card-body[data-loaded="true"]')
    return card.evaluate("el => el.__chart.data()")


def test_broken_dashboards_fail_in_their_own_tab(page: Any, test_app: Server, watch: Watch) -> None:
    watch.allow_console_errors = True  # the shell logs each failure
    open_app(page, test_app.url)
    expected = {
        "throwing": "mount exploded",
        "rejecting": '<img src=x onerror="alert(2)"> async failure',
        "missing": "does_not_exist.js",
        "serverbroken": "is_active exploded <script>alert(3)</script>",
    }
    for name, message in expected.items():
        panel = open_tab(page, name)
        assert panel.get_attribute("data-state") == "error"
        assert message in panel.locator(".tb-error-message").text_content()
        assert panel.get_attribute("hidden") is None
        screenshot(page, f"broken_{name}")
    assert "tb-tab-broken" in page.get_attribute(
        '[data-plugin="serverbroken"][role="tab"]', "class"
    )
    assert "is_active exploded" in page.get_attribute(
        '[data-plugin="serverbroken"][role="tab"]', "title"
    )
    assert page.locator("#tbcore-app img, #tbcore-app script").count() == 0

    panel = open_tab(page, "example")
    assert panel.get_attribute("data-state") == "mounted"
    page.wait_for_selector(".example-table tbody tr")
    assert page.locator(".example-table tbody tr").count() == len(test_app.runs)
    # Going back to a failed tab still shows its error, and only there.
    open_tab(page, "throwing")
    assert page.locator(".tb-panel:not([hidden]) .tb-error").count() == 1
    assert page.locator('section[data-plugin="example"] .tb-error').count() == 0
    assert watch.dialogs == []
    assert all("throwing" in e or "rejecting" in e or "404" in e for e in watch.console_errors), (
        watch.console_errors
    )


def test_inactive_dashboard_is_reachable(page: Any, test_app: Server) -> None:
    open_app(page, test_app.url)
    assert not page.is_visible('[role="tab"][data-plugin="idle"]')
    page.click(".tb-more > summary")
    screenshot(page, "inactive_menu")
    panel = open_tab(page, "idle")
    assert panel.text_content() == "idle dashboard mounted"
    assert "tb-current" in page.get_attribute(".tb-more", "class")
    assert "#tab=idle" in page.url


def test_tab_title_markup_is_text(page: Any, test_app: Server) -> None:
    open_app(page, test_app.url)
    assert page.locator('[role="tab"][data-plugin="charts"]').text_content() == "Charts <i>"
    assert page.locator(".tb-tablist i").count() == 0


def test_charts_follow_the_run_selection(page: Any, test_app: Server) -> None:
    open_app(page, test_app.url + "#tab=charts")
    page.wait_for_selector('.tb-card[data-key="loss/train"]')
    groups = page.locator(".tb-card-grid-prefix").all_text_contents()
    assert groups == ["accuracy", "loss", "weird"]
    series = chart_data(page, "loss/train")
    assert [s["name"] for s in series] == test_app.runs
    eval_run = next(s for s in series if s["name"] == "eval/lr_0.1")
    assert eval_run["x"] == list(range(0, 60, 3))  # its own steps, not the merged ones
    screenshot(page, "charts")

    page.locator(".tb-run", has_text=XSS_RUN).locator("input").uncheck()
    page.wait_for_function(
        "() => document.querySelector('.tb-card[data-key=\"loss/train\"] .tb-card-body').dataset.series === '4'"
    )
    assert XSS_RUN not in [s["name"] for s in chart_data(page, "loss/train")]

    page.fill("#tb-tag-filter", "^loss")
    page.wait_for_function("() => document.querySelectorAll('.tb-card').length === 1")
    assert "tagFilter=%5Eloss" in page.url


def test_non_finite_values_are_markers(page: Any, test_app: Server, settled_box: Any) -> None:
    open_app(page, test_app.url + "#tab=charts")
    page.wait_for_selector(f'.tb-card[data-key="{NONFINITE_TAG}"]')
    (series,) = chart_data(page, NONFINITE_TAG)
    assert series["x"] == [0, 1, 2, 3, 4, 5, 6]
    assert series["y"] == [1, None, 2, None, 3, None, 4]
    assert series["markers"] == [
        {"x": 1, "kind": "nan"},
        {"x": 3, "kind": "+inf"},
        {"x": 5, "kind": "-inf"},
    ]
    card = page.locator(f'.tb-card[data-key="{NONFINITE_TAG}"] .u-over')
    box = settled_box(card)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".tb-tooltip:not([hidden])")
    assert "train/lr_0.1" in page.locator(".tb-tooltip").text_content()
    screenshot(page, "chart_nonfinite")


def test_remove_dom_dashboard_is_torn_down(page: Any, test_app: Server) -> None:
    """``remove_dom``: leaving the tab calls the cleanup and drops the subscriptions made
    through ``ctx``; coming back mounts it again."""
    open_app(page, test_app.url + "#tab=ephemeral")
    panel = page.locator('section[data-plugin="ephemeral"]')
    page.wait_for_selector('section[data-plugin="ephemeral"][data-state="mounted"]')
    assert panel.text_content() == "mounted 1 time(s)"
    open_tab(page, "example")
    assert page.evaluate("window.ephemeral") == {"mounts": 1, "cleanups": 1, "runCalls": 0}
    assert panel.text_content() == ""
    page.click("text=None")  # would reach the dashboard if its subscription were still there
    page.wait_for_timeout(100)
    assert page.evaluate("window.ephemeral.runCalls") == 0
    open_tab(page, "ephemeral")
    assert panel.text_content() == "mounted 2 time(s)"
    page.click("text=All")
    page.wait_for_function("() => window.ephemeral.runCalls === 1")


def test_line_chart_scales_and_resizes(page: Any, test_app: Server) -> None:
    open_app(page, test_app.url)
    result = page.evaluate(
        """async () => {
            const { LineChart } = await import("@tbcore/sdk");
            const el = document.createElement("div");
            el.style.width = "600px";
            document.body.appendChild(el);
            const chart = new LineChart(el, { height: 150, tooltip: false });
            chart.setSeries([
                { name: "a", color: "#1f77b4", x: [0, 1, 2, 3], y: [-1, 0, 10, 100] },
                { name: "b", color: "#ff7f0e", x: [3, 1, 2], y: ["NaN", 5, "Infinity"] },
            ]);
            const linear = chart.data();
            const seriesAttr = el.dataset.series;
            chart.setLogScale({ y: true });
            const log = chart.data();
            const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const width = () => el.querySelector(".uplot").offsetWidth;
            const until = async (test) => {  // resize callbacks come a few frames later
                for (let i = 0; i < 100 && !test(); i++) await frame();
            };
            await until(() => width() > 0);
            const before = width();
            el.style.width = "300px";
            await until(() => width() !== before);
            const after = width();
            chart.destroy();
            return { linear, log, seriesAttr, before, after, left: el.childElementCount, attr: el.dataset.series ?? null };
        }"""
    )
    assert result["seriesAttr"] == "2"
    a, b = result["linear"]
    assert a["y"] == [-1, 0, 10, 100]
    assert b["x"] == [1, 2, 3] and b["y"] == [5, None, None]  # sorted by x; strings parsed
    assert b["markers"] == [{"x": 2, "kind": "+inf"}, {"x": 3, "kind": "nan"}]
    assert result["log"][0]["y"] == [None, None, 10, 100]  # no place for <= 0 on a log axis
    assert result["before"] == 600 and result["after"] == 300
    assert result["left"] == 0 and result["attr"] is None


def test_live_connection_follows_the_auto_reload_setting(page: Any, test_app: Server) -> None:
    live_requests: list[str] = []
    page.on(
        "request", lambda r: live_requests.append(r.url) if r.url.endswith("/data/live") else None
    )
    open_app(page, test_app.url + "#tab=example")
    page.wait_for_timeout(300)
    assert len(live_requests) == 1
    page.click('button[aria-label="Settings"]')
    page.uncheck("#tb-setting-auto-reload")
    page.fill("#tb-setting-interval", "7")
    page.press("#tb-setting-interval", "Enter")
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_timeout(300)
    assert len(live_requests) == 1  # not opened again after the reload
    page.click('button[aria-label="Settings"]')
    assert not page.is_checked("#tb-setting-auto-reload")
    assert page.input_value("#tb-setting-interval") == "7"


def test_card_grid_renders_cards_when_they_scroll_into_view(page: Any, test_app: Server) -> None:
    open_app(page, test_app.url)
    result = page.evaluate(
        """async () => {
            const { CardGrid, groupTags } = await import("@tbcore/sdk");
            const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const until = async (test) => {  // intersection callbacks come a few frames later
                for (let i = 0; i < 100 && !test(); i++) await frame();
                return test();
            };
            const host = document.createElement("div");
            document.body.prepend(host);
            const rendered = [];
            const cleaned = [];
            const grid = new CardGrid(host, {
                key: (tag) => tag,
                title: (tag) => tag,
                rootMargin: "0px",
                render: (el, tag) => { rendered.push(tag); el.textContent = tag; return () => cleaned.push(tag); },
            });
            const tags = Array.from({ length: 60 }, (_, i) => `g${i % 2}/<b>${String(i).padStart(2, "0")}</b>`);
            grid.setGroups(groupTags(tags).map((g) => ({ prefix: g.prefix, items: g.tags })));
            await until(() => rendered.length > 0);
            await frame();
            const first = rendered.length;
            host.querySelector('.tb-card[data-key="g1/<b>59</b>"]').scrollIntoView();
            const afterScroll = await until(() => rendered.includes("g1/<b>59</b>"));
            const titles = [...host.querySelectorAll(".tb-card-title")].slice(0, 2).map((e) => e.textContent);
            const bold = host.querySelectorAll("b").length;
            host.querySelector(".tb-card-grid-group").open = false;
            grid.setGroups([{ prefix: "g0", items: tags.filter((t) => t.startsWith("g0")) }]);
            const collapsedKept = host.querySelector(".tb-card-grid-group").open === false;
            const cleanedOnDrop = cleaned.length;
            grid.destroy();
            host.remove();
            return { first, afterScroll, titles, bold, collapsedKept, cleanedOnDrop, total: rendered.length };
        }"""
    )
    assert 0 < result["first"] < 60  # only the cards in view
    assert result["afterScroll"]
    assert result["titles"] == ["g0/<b>00</b>", "g0/<b>02</b>"]
    assert result["bold"] == 0
    assert result["collapsedKept"]
    assert result["cleanedOnDrop"] > 0  # dropped g1 cards that had rendered were cleaned up
