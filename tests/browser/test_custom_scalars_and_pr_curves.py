"""PR curves and custom scalars in a real browser, on a real ``tbcore serve`` of logdirs the
framework-free writer (``tbcore.summary``) wrote: what the charts draw, what live updates
fetch, and how long run names fit their cards."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from browser_harness import open_app, served

from tbcore.summary import SummaryWriter

LONG_RUN = "r" * 200


def _dashes(chart: Any) -> dict[str, list[float]]:
    """The dash pattern of each line of a chart, by name ([] for solid)."""
    return {s["name"]: s["dash"] for s in chart.evaluate("el => el.__chart.series.map((s) => ({name: s.name, dash: s.dash ?? []}))")}


def _write_pr(logdir: Path, run: str, steps: list[int], seed: int) -> None:
    """A PR curve per step: 47% positives, every positive scored high, so that many
    thresholds have recall 1 with falling precision down to the base rate."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(200) < 94).astype(int)
    with SummaryWriter(str(logdir / run)) as w:
        for step in steps:
            scores = np.where(labels == 1, 0.55 + 0.45 * rng.random(200), 0.8 * rng.random(200))
            w.add_pr_curve("pr", labels, scores, global_step=step, num_thresholds=51)


def _chart_data(page: Any, selector: str, count: int) -> list[dict[str, Any]]:
    """The drawn series of the chart at ``selector`` once it draws ``count`` of them."""
    page.wait_for_function(
        "([sel, n]) => { const el = document.querySelector(sel); return !!(el && el.__chart && el.__chart.data().length === n); }",
        arg=[selector, count],
    )
    return list(page.locator(selector).evaluate("el => el.__chart.data()"))


PR_CHART = '.tb-card[data-key="pr"] .scalars-chart'


def test_pr_curves_draw_every_point_in_threshold_order_and_hover_fills_the_table(
    page: Any, tmp_path: Path
) -> None:
    _write_pr(tmp_path, "a", [0], seed=1)
    _write_pr(tmp_path, "b", [0], seed=2)
    with served(page, tmp_path, ["a", "b"]) as server:
        sent = server.get_json("data/plugin/pr_curves/pr_curves?run=a&run=b&tag=pr")
        open_app(page, server.url + "#tab=pr_curves")
        drawn = {s["name"]: s for s in _chart_data(page, PR_CHART, 2)}
        for run in ("a", "b"):
            (curve,) = sent[run]
            # Every point, in the order of the thresholds, not sorted or merged by recall.
            assert drawn[run]["x"] == pytest.approx(curve["recall"])
            assert drawn[run]["y"] == pytest.approx(curve["precision"])
            at_recall_1 = [
                p for r, p in zip(curve["recall"], curve["precision"], strict=True) if r == 1
            ]
            assert len(at_recall_1) > 5 and min(at_recall_1) == pytest.approx(0.47, abs=0.01)
        scales = page.locator(PR_CHART).evaluate(
            "el => ['x', 'y'].map((k) => [el.__chart.plot.scales[k].min, el.__chart.plot.scales[k].max])"
        )
        assert scales == [[0, 1], [0, 1]]
        # Hover a point of run a inside the plot: the table gives its counts for a, and a row for b.
        i = next(k for k, r in enumerate(sent["a"][0]["recall"]) if 0.2 < r < 0.8)
        page.locator(PR_CHART).scroll_into_view_if_needed()
        position = page.locator(PR_CHART).evaluate(
            """(el, i) => {
                const u = el.__chart.plot, box = u.over.getBoundingClientRect(), d = el.__chart.data()[0];
                return {x: box.left + u.valToPos(d.x[i], 'x'), y: box.top + u.valToPos(d.y[i], 'y')};
            }""",
            i,
        )
        page.mouse.move(position["x"], position["y"])
        page.wait_for_selector('.tb-card[data-key="pr"] .pr-table tr[data-run="b"]')
        cells = page.locator(
            '.tb-card[data-key="pr"] .pr-table tr[data-run="a"] td'
        ).all_text_contents()
        curve = sent["a"][0]
        assert cells[0] == "a" and cells[1] == "0"
        assert float(cells[2]) == pytest.approx(curve["thresholds"][i], abs=1e-4)
        assert float(cells[4]) == pytest.approx(curve["recall"][i], abs=1e-4)
        assert [float(c) for c in cells[5:]] == [
            curve[k][i]
            for k in ("true_positives", "false_positives", "true_negatives", "false_negatives")
        ]


def test_pr_step_slider_shows_each_runs_own_step(page: Any, tmp_path: Path) -> None:
    _write_pr(tmp_path, "a", [0, 10, 20], seed=3)
    _write_pr(tmp_path, "b", [5, 15], seed=4)
    with served(page, tmp_path, ["a", "b"]) as server:
        sent = server.get_json("data/plugin/pr_curves/pr_curves?run=a&run=b&tag=pr")
        open_app(page, server.url + "#tab=pr_curves")
        _chart_data(page, PR_CHART, 2)
        slider = page.locator('.tb-card[data-key="pr"] input[type="range"]')
        assert slider.get_attribute("max") == "4"  # steps 0, 5, 10, 15, 20
        expected = {
            0: {"a": 0, "b": 5},
            1: {"a": 0, "b": 5},
            2: {"a": 10, "b": 5},
            3: {"a": 10, "b": 15},
            4: {"a": 20, "b": 15},
        }
        for index, steps in expected.items():
            slider.fill(str(index))
            label = str([0, 5, 10, 15, 20][index])
            page.wait_for_function(
                "t => document.querySelector('.tb-card[data-key=\"pr\"] .pr-step').textContent === t",
                arg=label,
            )
            legend = page.locator('.tb-card[data-key="pr"] .pr-legend-item')
            shown = {
                item.get_attribute("data-run"): int(item.get_attribute("data-step") or "-1")
                for item in legend.all()
            }
            assert shown == steps
            assert legend.locator(".pr-run-step").all_text_contents() == [
                f"step {steps['a']}",
                f"step {steps['b']}",
            ]
            drawn = {
                s["name"]: s for s in page.locator(PR_CHART).evaluate("el => el.__chart.data()")
            }
            for run, step in steps.items():
                (curve,) = [c for c in sent[run] if c["step"] == step]
                assert drawn[run]["x"] == pytest.approx(curve["recall"])


def _write_multiline(
    logdir: Path, runs: list[str], layout: dict[str, Any], tags: list[str]
) -> None:
    for k, run in enumerate(runs):
        with SummaryWriter(str(logdir / run)) as w:
            if k == 0:
                w.add_custom_scalars(layout)
            for step in range(3):
                for j, tag in enumerate(tags):
                    w.add_scalar(tag, step + j + k, global_step=step)


def _select_only(page: Any, wanted: set[str], runs: list[str]) -> None:
    for run in runs:
        box = page.locator(".tb-run", has_text=run).locator("input")
        box.set_checked(run in wanted)


def test_multiline_draws_each_run_tag_once_in_run_colors_with_a_dash_per_tag(
    page: Any, tmp_path: Path
) -> None:
    layout = {
        "C": {
            "dup": ["Multiline", ["loss.*", "loss$", "(["]],
            "both": ["Multiline", ["loss", "acc"]],
        }
    }
    _write_multiline(tmp_path, ["r1", "r2"], layout, ["loss", "acc"])
    with served(page, tmp_path, ["r1", "r2"]) as server:
        open_app(page, server.url + "#tab=custom_scalars")
        dup = _chart_data(page, '.tb-card[data-title="dup"] .scalars-chart', 2)
        assert [s["name"] for s in dup] == ["r1: loss", "r2: loss"]  # two regexes match: drawn once
        warning = page.locator('.tb-card[data-title="dup"] .scalars-chart-warning')
        assert warning.is_visible() and '"(["' in (warning.text_content() or "")
        assert page.locator('.tb-card[data-title="both"] .scalars-chart-warning').is_hidden()
        both = page.locator('.tb-card[data-title="both"] .scalars-chart')
        lines = {
            s["name"]: s for s in _chart_data(page, '.tb-card[data-title="both"] .scalars-chart', 4)
        }
        dashes = _dashes(both)
        # A run's color, whatever the tag; the tags of a run differ by dash, the same across runs.
        assert (
            lines["r1: loss"]["color"]
            == lines["r1: acc"]["color"]
            != lines["r2: loss"]["color"]
            == lines["r2: acc"]["color"]
        )
        assert dashes["r1: acc"] != dashes["r1: loss"]
        assert dashes["r1: acc"] == dashes["r2: acc"] and dashes["r1: loss"] == dashes["r2: loss"]
        assert lines["r1: loss"]["color"] == dup[0]["color"]
        legend = page.locator('.tb-card[data-title="both"] .scalars-legend-item')
        assert [
            (i.get_attribute("data-run"), i.get_attribute("data-tag")) for i in legend.all()
        ] == [("r1", "acc"), ("r1", "loss"), ("r2", "acc"), ("r2", "loss")]
        # Another selection: r2 keeps its color and its tags their dashes.
        _select_only(page, {"r2"}, ["r1", "r2"])
        after = {
            s["name"]: s for s in _chart_data(page, '.tb-card[data-title="both"] .scalars-chart', 2)
        }
        after_dashes = _dashes(both)
        assert after["r2: loss"]["color"] == lines["r2: loss"]["color"]
        assert after_dashes == {"r2: acc": dashes["r2: acc"], "r2: loss": dashes["r2: loss"]}


def test_custom_scalars_live_update_refetches_only_changed_charts(
    page: Any, tmp_path: Path
) -> None:
    layout = {"C": {"A": ["Multiline", ["a/.*"]], "B": ["Multiline", ["b/.*"]]}}
    _write_multiline(tmp_path, ["r"], layout, ["a/x", "b/x"])
    with served(page, tmp_path, ["r"], "--reload-interval", "0.2") as server:
        open_app(page, server.url + "#tab=custom_scalars")
        _chart_data(page, '.tb-card[data-title="A"] .scalars-chart', 1)
        _chart_data(page, '.tb-card[data-title="B"] .scalars-chart', 1)
        requested: list[str] = []
        page.on(
            "request",
            lambda r: requested.append(r.url) if "/custom_scalars/scalars?" in r.url else None,
        )
        with SummaryWriter(str(tmp_path / "r")) as w:
            w.add_scalar("b/x", 42.0, global_step=10)
        page.wait_for_function(
            "() => document.querySelector('.tb-card[data-title=\"B\"] .scalars-chart').__chart.data()[0].x.includes(10)",
            timeout=20_000,
        )
        # Chart B alone was fetched again; chart A, whose tags did not change, was not.
        assert requested and {parse_qs(urlparse(url).query)["tag"][0] for url in requested} == {
            "b/.*"
        }


def test_custom_scalars_drops_an_answer_older_than_the_latest_draw(
    page: Any, tmp_path: Path
) -> None:
    layout = {"C": {"L": ["Multiline", ["loss"]]}}
    _write_multiline(tmp_path, ["r1", "r2"], layout, ["loss"])
    with served(page, tmp_path, ["r1", "r2"]) as server:
        open_app(page, server.url + "#tab=custom_scalars")
        chart = '.tb-card[data-title="L"] .scalars-chart'
        _chart_data(page, chart, 2)
        held: list[Any] = []
        page.route("**/custom_scalars/scalars?run=r2*", lambda route: held.append(route))
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url) if "run=r2" in r.url else None)
        with page.expect_request("**/custom_scalars/scalars?run=r2*"):
            _select_only(page, {"r2"}, ["r1", "r2"])  # a draw for r2, its answer held back
        _select_only(page, {"r1"}, ["r1", "r2"])  # a newer draw for r1 alone
        assert [s["name"] for s in _chart_data(page, chart, 1)] == ["r1: loss"]
        assert held, "the draw for r2 asked the server"
        for route in held:
            with contextlib.suppress(Exception):
                route.continue_()
        # The older request was aborted (or its answer dropped): r1 alone stays drawn.
        page.wait_for_function(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
        )
        assert [s["name"] for s in page.locator(chart).evaluate("el => el.__chart.data()")] == [
            "r1: loss"
        ]
        assert failed, "the superseded request was aborted"


def test_long_run_names_stay_inside_their_cards(page: Any, tmp_path: Path) -> None:
    _write_multiline(tmp_path, [LONG_RUN], {"C": {"L": ["Multiline", ["loss"]]}}, ["loss"])
    with served(page, tmp_path, [LONG_RUN]) as server:
        no_side_scroll = "() => { const p = document.querySelector('.tb-panels'); return p.scrollWidth <= p.clientWidth; }"
        open_app(page, server.url + "#tab=scalars")
        page.wait_for_selector('.tb-card[data-key="loss"] .scalars-download')
        assert page.evaluate(no_side_scroll)
        card = page.locator('.tb-card[data-key="loss"]').bounding_box()
        row = page.locator('.tb-card[data-key="loss"] .scalars-download').bounding_box()
        assert card and row and row["x"] + row["width"] <= card["x"] + card["width"]
        json_link = page.locator('.tb-card[data-key="loss"] .scalars-download a', has_text="JSON").bounding_box()
        assert json_link and json_link["x"] + json_link["width"] <= card["x"] + card["width"]
        run_name = page.locator('.tb-card[data-key="loss"] .scalars-download .scalars-run-name')
        assert run_name.get_attribute("title") == LONG_RUN
        assert run_name.evaluate("el => el.scrollWidth > el.clientWidth")  # cut with an ellipsis
        page.goto(server.url + "#tab=custom_scalars")
        page.wait_for_selector('#tbcore-app[data-ready="true"]')
        _chart_data(page, '.tb-card[data-title="L"] .scalars-chart', 1)
        name = page.locator('.tb-card[data-title="L"] .scalars-legend-name')
        assert name.get_attribute("title") == f"{LONG_RUN}: loss"
        assert name.evaluate(
            "el => getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth"
        )
        assert page.evaluate(no_side_scroll)
