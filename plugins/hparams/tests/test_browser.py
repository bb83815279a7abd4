"""The hparams tab in headless Chromium against a real ``tbcore serve``: sort, filter, brush
an axis, reload with the view kept, a trial's curves, the selection shared with the run
selector, user strings shown as text; no console errors, nothing fetched from outside."""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tbcore.proto import plugin_hparams_pb2 as hp

_spec = importlib.util.spec_from_file_location("hparams_synthetic_logs", Path(__file__).with_name("synthetic_logs.py"))
assert _spec and _spec.loader
logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logs)

LRS = [2e-4, 5e-4, 2e-3, 5e-3, 2e-2, 5e-2]
OPTIMIZERS = ["adam", "sgd", "rmsprop"]
TRIALS = 30
SEED_LOSSES = [0.6, 0.9]
"""The losses of the two sessions of trial ``seeds`` (a group: tf's ``trial_id``)."""
HOSTILE = '<img src=x onerror="alert(1)">'


def trial(i: int) -> dict[str, Any]:
    """Trial ``i``'s hparams and metrics."""
    return {"lr": LRS[i % 6], "optimizer": OPTIMIZERS[i % 3], "batch": [32, 64][(i // 6) % 2],
            "loss": round(1.0 + ((i * 7) % TRIALS) / 10, 3), "acc": round(0.5 + i / 100, 3)}


def write_logdir(root: Path) -> list[str]:
    """30 trials ``sweep/tNN`` (t07 failed), torch's layout (``torchy`` with its curves and the
    trial in ``torchy/1700000000.5``), a trial whose hparam name and value are markup, and a
    trial of two sessions (``seeds/s0``, ``seeds/s1``). Returns every run."""
    runs = []
    for i in range(TRIALS):
        t = trial(i)
        run = f"sweep/t{i:02d}"
        logs.write_session(root, run, {"lr": t["lr"], "optimizer": t["optimizer"], "batch": t["batch"]},
                           status=hp.STATUS_FAILURE if i == 7 else hp.STATUS_SUCCESS,
                           metrics={"loss": [(0, 3.0), (10, t["loss"])], "acc": [(10, t["acc"])]})
        runs.append(run)
    logs.write_events(root, "torchy", [logs.scalar_event("train_loss", s, 1.0 / (s + 1)) for s in range(5)])
    logs.write_session(root, "torchy/1700000000.5", {"lr": 0.1, "optimizer": "adam", "batch": 32},
                       status=hp.STATUS_SUCCESS, metrics={"loss": [(4, 0.2)], "acc": [(4, 0.99)]})
    logs.write_session(root, "odd", {HOSTILE: HOSTILE, "lr": 0.1}, status=hp.STATUS_SUCCESS)
    for seed, loss in enumerate(SEED_LOSSES):
        logs.write_session(root, f"seeds/s{seed}", {"lr": 0.3, "optimizer": "adam", "batch": 64}, group="seeds",
                           status=hp.STATUS_SUCCESS, metrics={"loss": [(5, loss)], "acc": [(5, 0.9 - seed / 10)]})
    return [*runs, "torchy", "torchy/1700000000.5", "odd", "seeds/s0", "seeds/s1"]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, tbcore_server: Any) -> Iterator[str]:
    logdir = tmp_path_factory.mktemp("hparams_browser")
    runs = write_logdir(logdir)
    with tbcore_server(logdir, "--plugins", "hparams", runs=len(runs)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """A fresh page, failing the test on any console error, uncaught error, dialog or request
    that leaves 127.0.0.1."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if urllib.parse.urlparse(r.url).hostname in ("127.0.0.1", None) else errors.append(r.url))
    yield page
    context.close()
    assert errors == [], "errors in the page"


def open_tab(page: Any, url: str, hash_: str = "") -> None:
    page.goto(f"{url}#tab=hparams{hash_}")
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_selector(".hp-row")


def shown(page: Any) -> list[str]:
    """The trials the table lists, in order (every row is in the DOM: 32 trials fit)."""
    return page.eval_on_selector_all(".hp-row", "rows => rows.map((r) => r.dataset.trial)")


def wait_shown(page: Any, expected: list[str]) -> None:
    """Wait until the table lists ``expected``, in that order."""
    try:
        page.wait_for_function("e => JSON.stringify([...document.querySelectorAll('.hp-row')].map((r) => r.dataset.trial)) === JSON.stringify(e)",
                               arg=expected, timeout=5000)
    except Exception:  # noqa: BLE001 - say what the table shows instead
        assert shown(page) == expected


def hash_state(page: Any, name: str) -> Any:
    params = urllib.parse.parse_qs(page.evaluate("location.hash.slice(1)"))
    return json.loads(params[f"hparams.{name}"][0]) if f"hparams.{name}" in params else None


SWEEP = [f"sweep/t{i:02d}" for i in range(TRIALS)]
ALL = sorted([*SWEEP, "torchy/1700000000.5", "odd", "seeds"])


def optimizer_of(name: str) -> str:
    """The optimizer of a listed trial."""
    return {"torchy/1700000000.5": "adam", "seeds": "adam"}.get(name) or trial(int(name[-2:]))["optimizer"]


def test_table_lists_every_trial_and_sorts_by_a_metric(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    assert shown(page) == ALL
    assert page.text_content(".hp-count").startswith(f"{len(ALL)} of {len(ALL)} trials shown")
    assert page.text_content('.hp-row[data-trial="sweep/t07"] .hp-status') == "failure"
    assert "null" not in page.text_content(".hp-toolbar")
    loss_key = 'm:["","loss"]'
    page.click(f".hp-sort[data-key='{loss_key}']")
    by_loss = sorted(SWEEP, key=lambda r: trial(int(r[-2:]))["loss"])
    wait_shown(page, ["torchy/1700000000.5", "seeds", *by_loss, "odd"])  # odd has no loss: last
    assert hash_state(page, "sort") == {"key": loss_key, "desc": False}
    page.click(f".hp-sort[data-key='{loss_key}']")
    wait_shown(page, [*reversed(by_loss), "seeds", "torchy/1700000000.5", "odd"])
    assert page.get_attribute(f"th[data-key='{loss_key}']", "aria-sort") == "descending"


def test_filters_by_range_regex_and_values(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    page.fill('input[aria-label="lr min"]', "0.001")
    page.fill('input[aria-label="lr max"]', "0.01")
    page.press('input[aria-label="lr max"]', "Enter")
    wait_shown(page, [r for r in SWEEP if 1e-3 <= trial(int(r[-2:]))["lr"] <= 1e-2])
    assert hash_state(page, "filters") == {"h:lr": {"min": 0.001, "max": 0.01}}
    page.fill('input[aria-label="optimizer regex"]', "^S")  # case-insensitive, as the run filter
    wait_shown(page, [r for r in SWEEP if 1e-3 <= trial(int(r[-2:]))["lr"] <= 1e-2 and trial(int(r[-2:]))["optimizer"] == "sgd"])
    page.click(".hp-clear-filters")
    wait_shown(page, ALL)
    page.click('summary[aria-label="optimizer values"]')
    page.uncheck(".hp-values-list input[data-value='\"sgd\"']")
    wait_shown(page, [r for r in ALL if r != "odd" and optimizer_of(r) != "sgd"])
    assert hash_state(page, "filters") == {"h:optimizer": {"values": ["adam", "rmsprop"]}}


def test_brushing_an_axis_selects_the_trials_in_the_brush(page: Any, server_url: str, settled_box: Callable[[Any], dict[str, float]]) -> None:
    open_tab(page, server_url)
    box = settled_box(page.locator(".hp-pc-canvas"))
    axis = page.evaluate("[...document.querySelectorAll('.hp-pc-title')].find((t) => t.textContent === 'lr').style.left")
    x = box["x"] + float(axis.removesuffix("px"))
    ticks = dict(page.evaluate("""x => [...document.querySelectorAll('.hp-pc-tick')]
        .filter((t) => Math.abs(parseFloat(t.style.left) - 4 - x) < 1).map((t) => [t.textContent, parseFloat(t.style.top)])""",
                               float(axis.removesuffix("px"))))
    # lr spans 2e-4..0.1 (log axis): brush from just below the 0.001 tick to just above 0.01
    assert page.text_content(".hp-pc-scale[data-key='h:lr']") == "log"
    top, bottom = box["y"] + ticks["0.01"] - 3, box["y"] + ticks["0.001"] + 3
    page.mouse.move(x, bottom)
    page.mouse.down()
    page.mouse.move(x, (top + bottom) / 2, steps=4)
    page.mouse.move(x, top, steps=4)
    page.mouse.up()
    expected = [r for r in SWEEP if 1e-3 < trial(int(r[-2:]))["lr"] < 1e-2]
    wait_shown(page, expected)
    brush = hash_state(page, "filters")["h:lr"]
    assert 5e-4 < brush["min"] < 2e-3 and 5e-3 < brush["max"] < 2e-2, brush
    # a click on the axis clears its brush
    page.mouse.click(x, (top + bottom) / 2)
    wait_shown(page, ALL)
    assert hash_state(page, "filters") is None


def test_a_reload_keeps_the_view(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    page.click(".hp-sort[data-key='h:lr']")
    page.click(".hp-sort[data-key='h:lr']")  # descending
    page.fill('input[aria-label="optimizer regex"]', "adam")
    page.click(".hp-columns summary")
    page.uncheck('.hp-columns-list input[data-key="h:batch"]')
    page.uncheck('.hp-status-choice input[data-status="STATUS_FAILURE"]')
    page.click('.hp-row[data-trial="sweep/t03"] .hp-open')
    page.wait_for_selector(".hp-curve-card")
    page.wait_for_function("() => location.hash.includes('hparams.filters')")
    before = shown(page)
    assert before and all(optimizer_of(r) == "adam" for r in before)
    page.reload()
    page.wait_for_selector(".hp-row")
    page.wait_for_selector(".hp-curve-card")
    assert shown(page) == before
    assert page.input_value('input[aria-label="optimizer regex"]') == "adam"
    assert page.locator("th[data-key='h:batch']").count() == 0
    assert page.get_attribute("th[data-key='h:lr']", "aria-sort") == "descending"
    assert not page.is_checked('.hp-status-choice input[data-status="STATUS_FAILURE"]')
    assert page.text_content(".hp-curves-trial") == "sweep/t03"


def test_a_trials_curves_open_with_torchs_parent_run(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    page.click('.hp-row[data-trial="torchy/1700000000.5"] .hp-open')
    page.wait_for_selector(".hp-curve-card")
    tags = page.eval_on_selector_all(".hp-curve-card", "cards => cards.map((c) => c.dataset.tag)")
    assert tags == ["acc", "loss", "train_loss"]  # train_loss: the parent run's curve
    assert "hparams.trial=torchy" in urllib.parse.unquote(page.evaluate("location.hash"))
    page.click(".hp-curves-close")
    page.wait_for_selector(".hp-curves", state="hidden")


def test_the_selection_is_the_run_selectors(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    total = len(ALL) + 2  # and torch's parent run, and the second session of "seeds"
    assert page.text_content(".tb-runs-selected") == f"{total} selected"
    page.uncheck('.hp-row[data-trial="torchy/1700000000.5"] input[type=checkbox]')
    page.wait_for_function("t => document.querySelector('.tb-runs-selected').textContent === t", arg=f"{total - 2} selected")
    assert page.input_value("#tb-run-filter")  # the shell's run filter now leaves the trial's runs out
    # Only two trials: the filter lists them (and none of the others' runs)
    selected = "n => document.querySelector('.tb-runs-selected').textContent === `${n} selected`"
    page.click(".hp-select-all")  # all shown (all but torchy) -> select every trial
    page.wait_for_function(selected, arg=total)
    page.uncheck(".hp-select-all")
    page.wait_for_function(selected, arg=0)  # each change waits for the table drawn from it
    page.check('.hp-row[data-trial="sweep/t01"] input[type=checkbox]')
    page.wait_for_function(selected, arg=1)
    page.check('.hp-row[data-trial="torchy/1700000000.5"] input[type=checkbox]')
    page.wait_for_function(selected, arg=3)
    checked = page.eval_on_selector_all(".hp-row input[type=checkbox]:checked", "boxes => boxes.map((b) => b.closest('tr').dataset.trial)")
    assert checked == ["sweep/t01", "torchy/1700000000.5"]
    # and the other way: the run selector's filter decides what the table shows as selected
    page.fill("#tb-run-filter", "t0[23]$")
    page.press("#tb-run-filter", "Enter")
    page.wait_for_function("() => document.querySelectorAll('.hp-row input[type=checkbox]:checked').length === 2")
    checked = page.eval_on_selector_all(".hp-row input[type=checkbox]:checked", "boxes => boxes.map((b) => b.closest('tr').dataset.trial)")
    assert checked == ["sweep/t02", "sweep/t03"]


def test_user_strings_are_text(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    header = page.locator(f".hp-sort[data-key='h:{HOSTILE}']")
    assert header.text_content() == HOSTILE
    assert page.locator('.hp-row[data-trial="odd"]').text_content().count(HOSTILE) == 1
    assert page.locator(".hp-content img").count() == 0
    assert HOSTILE in page.eval_on_selector_all(".hp-pc-title", "ts => ts.map((t) => t.textContent)")


def test_scatter_matrix_draws_and_opens_a_trial(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    page.wait_for_selector(".hp-sm-canvas[data-drawn]")
    rows = page.eval_on_selector_all(".hp-sm-row", "rs => rs.map((r) => r.textContent)")
    cols = page.eval_on_selector_all(".hp-sm-col", "cs => cs.map((c) => c.textContent)")
    assert cols == ["acc", "loss"] and "lr" in rows and "optimizer" in rows


def test_a_trials_sessions_aggregate_as_chosen(page: Any, server_url: str) -> None:
    open_tab(page, server_url)
    loss_column = ALL_COLUMNS.index('m:["","loss"]')
    cell = f'.hp-row[data-trial="seeds"] td:nth-child({loss_column + 4})'
    assert float(page.text_content(cell)) == pytest.approx(sum(SEED_LOSSES) / 2)
    page.select_option(".hp-aggregate", 'min:m:["","loss"]')
    page.wait_for_function("c => document.querySelector(c)?.textContent === '0.6'", arg=cell)
    assert urllib.parse.unquote(page.evaluate("location.hash")).count('hparams.aggregate=min:m:["","loss"]') == 1
    page.reload()
    page.wait_for_function("c => document.querySelector(c)?.textContent === '0.6'", arg=cell)
    page.select_option(".hp-aggregate", 'max:m:["","acc"]')  # the session with the best acc: s0
    page.wait_for_function("c => document.querySelector(c)?.textContent === '0.6'", arg=cell)
    page.select_option(".hp-aggregate", 'min:m:["","acc"]')
    page.wait_for_function("c => document.querySelector(c)?.textContent === '0.9'", arg=cell)


ALL_COLUMNS = ["h:batch", "h:lr", "h:optimizer", f"h:{HOSTILE}", 'm:["","acc"]', 'm:["","loss"]']
"""The table's columns after the trial, status and selection columns, in order."""
