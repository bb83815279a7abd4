"""Step and range selection on the scalars dashboard (real logdir from tbcore's SummaryWriter,
real server, real Chromium): a click lists each run at that step, a shift-click the range's
statistics (equal to numpy's), columns sort, the table copies as CSV, "Link steps" shares
the step across cards, and the tooltip follows its order and row settings."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_harness import Server, cli_server, open_app, screenshot

from tbcore.summary import SummaryWriter

RUNS = ["alpha", "beta", "gamma"]
STEPS = 200


@pytest.fixture(scope="module")
def selection_logdir(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, np.ndarray]]]:
    """Three runs, two tags, 200 noisy steps each; returns the values written (float32)."""
    logdir = tmp_path_factory.mktemp("step_selection")
    rng = np.random.default_rng(7)
    written: dict[str, dict[str, np.ndarray]] = {}
    for k, run in enumerate(RUNS):
        writer = SummaryWriter(str(logdir / run))
        loss = (2.0 / (1 + np.arange(STEPS) / (20 + 10 * k)) + rng.normal(0, 0.05, STEPS)).astype(
            np.float32
        )
        acc = (1 - loss / 3).astype(np.float32)
        for step in range(STEPS):
            writer.add_scalar(
                "loss", float(loss[step]), step, walltime=1_700_000_000.0 + 100 * k + 2.0 * step
            )
            writer.add_scalar(
                "accuracy", float(acc[step]), step, walltime=1_700_000_000.0 + 100 * k + 2.0 * step
            )
        writer.close()
        written[run] = {"loss": loss, "accuracy": acc}
    return logdir, written


@pytest.fixture(scope="module")
def selection_server(selection_logdir: tuple[Path, Any]) -> Any:
    s = cli_server(selection_logdir[0], RUNS)
    yield s
    s.stop()


def _card(page: Any, tag: str) -> Any:
    card = page.locator(f'.tb-card[data-key="{tag}"] .tb-card-body')
    card.scroll_into_view_if_needed()
    page.wait_for_selector(f'.tb-card[data-key="{tag}"] .tb-card-body[data-complete="true"]')
    return card


def _click_step(page: Any, card: Any, step: int, shift: bool = False) -> None:
    x = card.evaluate("(el, step) => el.__chart.plot.valToPos(step, 'x')", step)
    over = card.locator(".u-over")
    box = over.bounding_box()
    over.click(position={"x": x, "y": box["height"] / 2}, modifiers=["Shift"] if shift else [])


def _table(card: Any) -> list[dict[str, str]]:
    """The rows of the card's step table: column key -> the cell's raw value (run: its name)."""
    return card.evaluate(
        """el => [...el.querySelectorAll('.tb-step-table tbody tr')].map((tr) => Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td) => [td.dataset.col, td.dataset.col === 'run' ? tr.dataset.run : td.dataset.value])))"""
    )


def test_a_click_lists_every_run_at_that_step(
    page: Any, selection_server: Server, selection_logdir: Any
) -> None:
    written = selection_logdir[1]
    open_app(page, selection_server.url + "#tab=scalars")
    card = _card(page, "loss")
    _click_step(page, card, 120)
    page.wait_for_selector('.tb-card[data-key="loss"] .tb-step-table[data-kind="step"]')
    rows = _table(card)
    assert [r["run"] for r in rows] == RUNS
    lines = {s["name"]: s for s in card.evaluate("el => el.__chart.data()")}
    header = card.locator(".tb-step-table th").all_text_contents()
    assert header == ["Run", "Smoothed", "Value", "Step", "Wall time", "Relative"]
    for k, row in enumerate(rows):
        step = int(float(row["step"]))
        assert step == 120
        assert float(row["value"]) == pytest.approx(
            float(written[row["run"]]["loss"][step]), rel=1e-6
        )
        assert float(row["smoothed"]) == pytest.approx(lines[row["run"]]["y"][step], rel=1e-9)
        assert float(row["wall_time"]) == pytest.approx(1_700_000_000.0 + 100 * k + 2.0 * step)
        assert float(row["relative"]) == pytest.approx(2.0 * step)
    screenshot(page, "scalars_step_table")


def test_a_shift_click_gives_the_range_statistics(
    page: Any, selection_server: Server, selection_logdir: Any
) -> None:
    written = selection_logdir[1]
    open_app(page, selection_server.url + "#tab=scalars")
    card = _card(page, "loss")
    _click_step(page, card, 40)
    _click_step(page, card, 150, shift=True)
    page.wait_for_selector('.tb-card[data-key="loss"] .tb-step-table[data-kind="range"]')
    rows = {r["run"]: r for r in _table(card)}
    assert set(rows) == set(RUNS)
    for run, row in rows.items():
        values = written[run]["loss"][40:151].astype(np.float64)
        assert float(row["start_step"]) == 40 and float(row["end_step"]) == 150
        assert float(row["min"]) == pytest.approx(np.min(values), rel=1e-12)
        assert float(row["max"]) == pytest.approx(np.max(values), rel=1e-12)
        assert float(row["mean"]) == pytest.approx(np.mean(values), rel=1e-9)
        assert float(row["change"]) == pytest.approx(values[-1] - values[0], rel=1e-9, abs=1e-12)
        assert int(row["points"]) == 111
    # Sort by the mean, then the other way.
    card.locator('.tb-step-table th[data-col="mean"] button').click()
    means = [float(r["mean"]) for r in _table(card)]
    assert means == sorted(means)
    card.locator('.tb-step-table th[data-col="mean"] button').click()
    means = [float(r["mean"]) for r in _table(card)]
    assert means == sorted(means, reverse=True)
    screenshot(page, "scalars_range_table")


def test_the_table_copies_as_csv(page: Any, selection_server: Server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_app(page, selection_server.url + "#tab=scalars")
    card = _card(page, "accuracy")
    _click_step(page, card, 60)
    page.wait_for_selector('.tb-card[data-key="accuracy"] .tb-step-table')
    card.locator(".tb-step-table-copy").click()
    page.wait_for_function(
        "() => document.querySelector('.tb-card[data-key=\"accuracy\"] .tb-step-table-copy').textContent === 'Copied'"
    )
    text = page.evaluate("() => navigator.clipboard.readText()")
    assert text == card.evaluate("el => el.__chart.selectionCsv()")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["run"] for r in rows] == RUNS and {r["step"] for r in rows} == {"60"}
    card.locator(".tb-step-table-clear").click()
    page.wait_for_function(
        "() => !document.querySelector('.tb-card[data-key=\"accuracy\"] .tb-step-table')"
    )


def test_link_steps_selects_the_step_in_every_card(page: Any, selection_server: Server) -> None:
    open_app(page, selection_server.url + "#tab=scalars")
    loss, accuracy = _card(page, "loss"), _card(page, "accuracy")
    page.locator('input[aria-label="Link the selected step across cards"]').check()
    _click_step(page, loss, 90)
    page.wait_for_selector('.tb-card[data-key="accuracy"] .tb-step-table[data-kind="step"]')
    assert {float(r["step"]) for r in _table(accuracy)} == {90.0}
    assert accuracy.evaluate("el => el.__chart.selection") == loss.evaluate(
        "el => el.__chart.selection"
    )
    assert "scalars.linkSteps=true" in page.url
    # Unlinked, a click selects in its own card only.
    page.locator('input[aria-label="Link the selected step across cards"]').uncheck()
    _click_step(page, loss, 30)
    page.wait_for_function(
        "() => document.querySelector('.tb-card[data-key=\"loss\"] .tb-card-body').__chart.selection.start === 30"
    )
    assert accuracy.evaluate("el => el.__chart.selection") is None


def test_tooltip_order_and_row_limit(page: Any, selection_server: Server) -> None:
    open_app(page, selection_server.url + "#tab=scalars")
    card = _card(page, "loss")
    page.locator('select[aria-label="Tooltip order"]').select_option("descending")
    page.locator('input[aria-label="Tooltip rows"]').fill("2")
    page.locator('input[aria-label="Tooltip rows"]').press("Enter")
    over = card.locator(".u-over")
    box = over.bounding_box()
    over.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    page.wait_for_selector(".tb-tooltip:not([hidden]) .scalars-tooltip-row")
    rows = [
        r.locator("td").all_text_contents()
        for r in page.locator(".tb-tooltip .scalars-tooltip-row").all()
    ]
    assert len(rows) == 2
    smoothed = [float(r[2]) for r in rows]
    assert smoothed == sorted(smoothed, reverse=True)
    assert page.locator(".tb-tooltip .scalars-tooltip-more").inner_text().strip() == "… 1 more"
    assert "scalars.tooltipSort=descending" in page.url and "scalars.tooltipRows=2" in page.url
