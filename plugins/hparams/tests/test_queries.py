"""The pure functions behind the routes, on hand-made logs read by the real provider."""

from __future__ import annotations

import importlib.util
import logging
import math
import posixpath
from pathlib import Path
from typing import Any

import pytest

from tbcore.data import LogdirDataProvider
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore_hparams import download
from tbcore_hparams.experiment import build_experiment, experiment_json
from tbcore_hparams.metrics import metric_evals, metric_group, metric_run, owning_session
from tbcore_hparams.model import read_hparams_data
from tbcore_hparams.request_bodies import ListSessionGroupsRequest
from tbcore_hparams.runs import run_hparams, run_sessions
from tbcore_hparams.session_groups import list_session_groups
from tbcore_hparams.trial_scalars import trial_scalars

_spec = importlib.util.spec_from_file_location("hparams_synthetic_logs", Path(__file__).with_name("synthetic_logs.py"))
assert _spec and _spec.loader
logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logs)

ALL = [0, 1, 2, 3]


def provider_of(root: Path) -> LogdirDataProvider:
    provider = LogdirDataProvider(str(root))
    provider.reload()
    return provider


@pytest.fixture
def sweep(tmp_path: Path) -> LogdirDataProvider:
    """Three seeds of trial ``a``, two of ``b``, one ``c`` without a ``loss``, one ``d``
    still running (no end info), one failed ``e``."""
    for seed, (loss, acc) in enumerate([(0.3, 0.8), (0.1, 0.9), (0.2, 0.7)]):
        logs.write_session(tmp_path, f"a/s{seed}", {"lr": 0.1, "opt": "adam"}, group="a", status=hp.STATUS_SUCCESS,
                           metrics={"loss": [(0, 1.0), (10 + seed, loss)], "acc": [(10, acc)]})
    for seed, loss in enumerate([0.5, 0.7]):
        logs.write_session(tmp_path, f"b/s{seed}", {"lr": 0.01, "opt": "sgd"}, group="b", status=hp.STATUS_SUCCESS,
                           metrics={"loss": [(4, loss)], "acc": [(4, 0.5)]})
    logs.write_session(tmp_path, "c", {"lr": 1.0, "opt": "adam", "warm": True}, status=hp.STATUS_SUCCESS,
                       metrics={"acc": [(1, 0.4)]})
    logs.write_session(tmp_path, "d", {"lr": 0.001, "opt": "sgd"}, metrics={"loss": [(1, 0.9)], "acc": [(1, 0.2)]})
    logs.write_session(tmp_path, "e", {"lr": float("nan"), "opt": "rmsprop"}, status=hp.STATUS_FAILURE,
                       metrics={"loss": [(1, float("nan"))]})
    logs.write_events(tmp_path, "a/s0/eval", [logs.scalar_event("acc", 3, 0.75)])
    return provider_of(tmp_path)


def groups(provider: LogdirDataProvider, **body: Any) -> dict[str, Any]:
    request = ListSessionGroupsRequest.model_validate({"allowedStatuses": ALL, "sliceSize": 100, **body})
    return list_session_groups(provider, request).json()


def values_of(answer: dict[str, Any], tag: str) -> dict[str, float]:
    return {g["name"]: next((m["value"] for m in g["metricValues"] if m["name"]["tag"] == tag and not m["name"]["group"]), None)
            for g in answer["sessionGroups"]}


def test_sessions_and_their_status(sweep: LogdirDataProvider) -> None:
    data = read_hparams_data(sweep)
    assert list(data.sessions) == ["a/s0", "a/s1", "a/s2", "b/s0", "b/s1", "c", "d", "e"]
    assert data.sessions["a/s1"].group_name == "a" and data.sessions["c"].group_name == "c"
    assert data.sessions["d"].status == hp.STATUS_UNKNOWN and data.sessions["e"].status == hp.STATUS_FAILURE
    assert data.experiment is None


def test_inferred_experiment(sweep: LogdirDataProvider) -> None:
    experiment = experiment_json(build_experiment(sweep, read_hparams_data(sweep)))
    infos = {i["name"]: i for i in experiment["hparamInfos"]}
    assert [i["name"] for i in experiment["hparamInfos"]] == ["lr", "opt", "warm"]  # differing first
    assert infos["opt"]["domainDiscrete"] == ["adam", "rmsprop", "sgd"] and infos["opt"]["differs"]
    assert infos["warm"] == {"name": "warm", "displayName": "", "description": "", "type": "DATA_TYPE_BOOL",
                             "domainDiscrete": [True], "differs": False}
    assert infos["lr"]["type"] == "DATA_TYPE_FLOAT64" and "domainInterval" in infos["lr"]
    metrics = [(m["name"]["tag"], m["name"]["group"]) for m in experiment["metricInfos"]]
    assert metrics == [("acc", ""), ("acc", "eval"), ("loss", "")]
    limited = build_experiment(sweep, read_hparams_data(sweep), include_metrics=False, hparams_limit=1)
    assert [i.name for i in limited.hparam_infos] == ["lr"] and not limited.metric_infos


def test_experiment_summary_wins_and_keeps_its_metrics(sweep: LogdirDataProvider, tmp_path: Path) -> None:
    experiment = hp.Experiment(description="sweep", hparam_infos=[hp.HParamInfo(name="zeta"), hp.HParamInfo(name="alpha", differs=True)],
                               metric_infos=[hp.MetricInfo(name=hp.MetricName(tag="loss"))])
    logs.write_experiment(tmp_path, "zzz", experiment)
    provider = provider_of(tmp_path)
    got = build_experiment(provider, read_hparams_data(provider))
    assert [i.name for i in got.hparam_infos] == ["alpha", "zeta"] and got.description == "sweep"
    assert [m.name.tag for m in got.metric_infos] == ["loss"]
    assert values_of(groups(provider), "loss")["a"] == pytest.approx(0.2)
    assert all(not m["name"]["group"] for g in groups(provider)["sessionGroups"] for m in g["metricValues"])


def test_aggregations(sweep: LogdirDataProvider) -> None:
    avg = groups(sweep)
    a = next(g for g in avg["sessionGroups"] if g["name"] == "a")
    assert [s["name"] for s in a["sessions"]] == ["a/s0", "a/s1", "a/s2"]
    loss = next(m for m in a["metricValues"] if m["name"] == {"group": "", "tag": "loss"})
    assert loss["value"] == pytest.approx(0.2) and loss["trainingStep"] == 11  # (10 + 11 + 12) // 3
    by_loss = {"aggregationMetric": {"tag": "loss"}}
    median = groups(sweep, aggregationType="AGGREGATION_MEDIAN", **by_loss)
    assert values_of(median, "acc")["a"] == pytest.approx(0.7)  # the session with the median loss: s2
    assert values_of(groups(sweep, aggregationType="AGGREGATION_MIN", **by_loss), "acc")["a"] == pytest.approx(0.9)
    maximum = groups(sweep, aggregationType="AGGREGATION_MAX", **by_loss)
    assert values_of(maximum, "acc")["a"] == pytest.approx(0.8) and values_of(maximum, "loss")["b"] == pytest.approx(0.7)
    # c has no loss: no metric values at all (TensorBoard fails the request)
    assert next(g for g in maximum["sessionGroups"] if g["name"] == "c")["metricValues"] == []


def test_filters_sort_and_paging(sweep: LogdirDataProvider) -> None:
    names = lambda answer: [g["name"] for g in answer["sessionGroups"]]  # noqa: E731
    assert names(groups(sweep)) == ["a", "b", "c", "d", "e"]
    assert names(groups(sweep, allowedStatuses=["STATUS_SUCCESS"])) == ["a", "b", "c"]
    assert names(groups(sweep, allowedStatuses=[])) == []
    loss = {"metric": {"tag": "loss"}}
    assert names(groups(sweep, colParams=[{**loss, "order": "ORDER_ASC"}])) == ["a", "b", "d", "e", "c"]
    assert names(groups(sweep, colParams=[{**loss, "order": "ORDER_ASC", "missingValuesFirst": True}]))[0] == "c"
    assert names(groups(sweep, colParams=[{"hparam": "opt", "filterRegexp": "a"}])) == ["a", "c"]
    assert names(groups(sweep, colParams=[{"hparam": "opt", "filterDiscrete": ["sgd", "rmsprop"]}])) == ["b", "d", "e"]
    assert names(groups(sweep, colParams=[{"hparam": "lr", "filterInterval": {"minValue": 0.01, "maxValue": 0.5}}])) == ["a", "b", "e"]
    excluded = groups(sweep, colParams=[{"hparam": "lr", "filterInterval": {"minValue": 0.01, "maxValue": 0.5}, "excludeMissingValues": True}])
    assert names(excluded) == ["a", "b"]  # e's NaN lr is not in its hparams: missing
    assert names(groups(sweep, colParams=[{"hparam": "warm", "filterDiscrete": [True], "excludeMissingValues": True}])) == ["c"]
    page = groups(sweep, startIndex=1, sliceSize=2)
    assert names(page) == ["b", "c"] and page["totalSize"] == 5
    assert names(groups(sweep, sliceSize=0)) == [] and groups(sweep, sliceSize=0)["totalSize"] == 5
    only_lr = groups(sweep, colParams=[{"hparam": "lr", "includeInResult": True}, {"hparam": "opt", "includeInResult": False}])
    assert all(set(g["hparams"]) <= {"lr"} for g in only_lr["sessionGroups"])
    with pytest.raises(InvalidArgumentError, match="needs string values"):
        groups(sweep, colParams=[{"hparam": "lr", "filterRegexp": "1"}])
    with pytest.raises(InvalidArgumentError, match="needs numeric values"):
        groups(sweep, colParams=[{"hparam": "opt", "filterInterval": {"minValue": 0, "maxValue": 1}}])


def test_a_regex_filter_has_a_time_budget(tmp_path: Path) -> None:
    logs.write_session(tmp_path, "long", {"name": "a" * 40 + "b"})
    with pytest.raises(InvalidArgumentError, match="backtracks too much"):
        groups(provider_of(tmp_path), colParams=[{"hparam": "name", "filterRegexp": "(a|aa)+$"}])


def test_non_finite_values(sweep: LogdirDataProvider) -> None:
    e = next(g for g in groups(sweep)["sessionGroups"] if g["name"] == "e")
    assert "lr" not in e["hparams"] and math.isnan(e["metricValues"][0]["value"])


def test_malformed_summaries_are_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    logs.write_events(tmp_path, "bad", [logs.plugin_event("_hparams_/session_start_info", b"\xff\xfe\xfd")])
    future = hp.HParamsPluginData(version=7, session_start_info=hp.SessionStartInfo(group_name="x"))
    logs.write_events(tmp_path, "future", [logs.plugin_event("_hparams_/session_start_info", future)])
    logs.write_session(tmp_path, "good", {"lr": 0.5})
    with caplog.at_level(logging.WARNING):
        provider = provider_of(tmp_path)
        assert list(read_hparams_data(provider).sessions) == ["good"]
    assert "malformed hparams" in caplog.text and "format version 7" in caplog.text


def test_metric_names_and_runs() -> None:
    assert metric_run("a/b", "") == "a/b" and metric_run("a/b", "eval") == "a/b/eval"
    for session in ("", "a", "a/", ".", "a/b", "/x"):
        for group in ("", "e", "/e", "e/", "e/f", ".", "//"):
            joined = posixpath.join(session, group)  # TensorBoard's os.path.join, less a final "/"
            assert metric_run(session, group) == (joined[:-1] if joined.endswith("/") else joined), (session, group)
    sessions = {"a", "a/b", "."}
    assert owning_session(sessions, "a/b/c/d") == "a/b" and owning_session(sessions, "a/x") == "a"
    assert owning_session(sessions, "z") is None and owning_session(sessions, ".") == "."
    assert metric_group("a/b/c/d", "a/b") == "c/d" and metric_group("a/b", "a/b") == ""
    assert metric_group(".", ".") == "."  # as TensorBoard names it


def test_metric_evals(sweep: LogdirDataProvider) -> None:
    assert metric_evals(sweep, "a/s0", "", "loss") == [[1000.0, 0, 1.0], [1010.0, 10, pytest.approx(0.3)]]
    assert metric_evals(sweep, "a/s0", "eval", "acc")[0][1] == 3
    assert metric_evals(sweep, "e", "", "loss")[0][2] == "NaN"
    with pytest.raises(NotFoundError):
        metric_evals(sweep, "a/s0", "", "nope")


def test_downloads(sweep: LogdirDataProvider) -> None:
    data = read_hparams_data(sweep)
    experiment = build_experiment(sweep, data)
    request = ListSessionGroupsRequest.model_validate({"allowedStatuses": ALL, "sliceSize": 10})
    page = list_session_groups(sweep, request, data).groups
    header, rows = download.table(experiment, page, None)
    assert header == ["lr", "opt", "warm", "acc", "acc", "loss"]
    assert rows[0][:3] == [0.1, "adam", ""] and rows[2][2] is True
    body, media = download.render("csv", *download.table(experiment, page, [True, True, False, False, False, True]))
    assert media == "text/csv" and body.splitlines()[0] == "lr,opt,loss"
    latex, _ = download.render("latex", header, rows)
    assert latex.startswith("\\begin{table}[tbp]\n\\begin{tabular}{llllll}\n") and "$1$" in latex
    assert [download.latex_cell(v) for v in (None, True, 0.0000123, 12.5, float("nan"), -math.inf, "a_b%")] == \
        ["-", "$1$", "$1.23\\cdot 10^{-5}$", "$12.5$", "$\\mathrm{NaN}$", "$-\\infty$", "a\\_b\\%"]
    for bad in ("[1", '{"a": 1}', "[1, 2]"):
        with pytest.raises(InvalidArgumentError, match="columnsVisibility"):
            download.parse_visibility(bad)
    with pytest.raises(InvalidArgumentError, match="format"):
        download.render("xml", header, rows)


def test_run_hparams_and_trial_runs(tmp_path: Path) -> None:
    """torch's layout: curves in ``t1``, the trial in ``t1/<time>``; Keras's: ``k`` with
    ``k/train`` and ``k/validation``."""
    logs.write_events(tmp_path, "t1", [logs.scalar_event("loss", s, 1.0 / (s + 1)) for s in range(3)])
    logs.write_session(tmp_path, "t1/1700000000.5", {"lr": 0.1, "opt": "adam"}, metrics={"hparam/acc": [(0, 0.5)]})
    logs.write_session(tmp_path, "k", {"lr": 0.2, "deep": True})
    for sub in ("train", "validation"):
        logs.write_events(tmp_path, f"k/{sub}", [logs.scalar_event("epoch_loss", 1, 0.3)])
    logs.write_events(tmp_path, "other", [logs.scalar_event("loss", 0, 1.0)])
    provider = provider_of(tmp_path)
    answer = run_hparams(provider)
    assert answer["hparams"] == ["deep", "lr", "opt"]
    assert answer["runs"] == {
        "k": {"lr": 0.2, "deep": True}, "k/train": {"lr": 0.2, "deep": True}, "k/validation": {"lr": 0.2, "deep": True},
        "t1": {"lr": 0.1, "opt": "adam"}, "t1/1700000000.5": {"lr": 0.1, "opt": "adam"},
    }
    sessions = read_hparams_data(provider).sessions
    assert run_sessions(["t1", "t1/1700000000.5", "other"], sessions) == {"t1/1700000000.5": "t1/1700000000.5", "t1": "t1/1700000000.5"}
    curves = trial_scalars(provider, ["t1/1700000000.5"])["runs"]
    assert curves == {"t1": {"loss": {"step": [0, 1, 2], "value": pytest.approx([1.0, 0.5, 1 / 3])}},
                      "t1/1700000000.5": {"hparam/acc": {"step": [0], "value": [0.5]}}}
    assert set(trial_scalars(provider, ["k", "nope"])["runs"]) == {"k/train", "k/validation"}
    with pytest.raises(InvalidArgumentError):
        trial_scalars(provider, [])


def test_run_hparams_agrees_with_the_scalars_dashboards_own(tmp_path: Path) -> None:
    """Every run the scalars dashboard's reader gives hparams to gets the same ones here."""
    scalars = pytest.importorskip("tbcore_scalars.run_hparams")
    logs.write_events(tmp_path, "t1", [logs.scalar_event("loss", 0, 1.0)])
    logs.write_session(tmp_path, "t1/1700000000.5", {"lr": 0.1, "opt": "adam"})
    logs.write_session(tmp_path, "k", {"lr": 0.2, "deep": True})
    logs.write_events(tmp_path, "k/train", [logs.scalar_event("epoch_loss", 1, 0.3)])
    provider = provider_of(tmp_path)
    theirs, ours = scalars.run_hparams(provider), run_hparams(provider)
    assert ours["hparams"] == theirs["hparams"]
    for run, values in theirs["runs"].items():
        assert ours["runs"][run] == values
