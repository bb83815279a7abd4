"""The routes over real HTTP in an app holding only this dashboard: registration, the demo
sweep, bad request bodies (400s naming the field), the trial curves route."""

from __future__ import annotations

import http.client
import importlib.util
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tbcore_hparams
from tbcore.data import LogdirDataProvider
from tbcore.demo import write_demo_data
from tbcore_hparams.demo import TRIALS

_spec = importlib.util.spec_from_file_location("hparams_synthetic_logs", Path(__file__).with_name("synthetic_logs.py"))
assert _spec and _spec.loader
logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logs)


class Client:
    """Plain HTTP calls to a server on 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, raw

    def post(self, route: str, body: Any) -> tuple[int, Any]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.call("POST", f"/data/plugin/hparams/{route}", data, {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, app_server: Any) -> Iterator[Client]:
    """A real server with only this dashboard, on ``tbcore demo``'s data for it."""
    logdir = tmp_path_factory.mktemp("hparams_demo")

    def loaded(url: str) -> bool:
        client = Client(int(urllib.parse.urlsplit(url).port or 0))
        return client.post("session_groups", {"allowedStatuses": [1], "sliceSize": 1})[1].get("totalSize") == TRIALS

    def write_demo(app: Any) -> None:
        write_demo_data(logdir, app.state.tbcore.registry.working())

    with app_server(logdir, [tbcore_hparams], ready=loaded, before_start=write_demo) as url:
        yield Client(int(urllib.parse.urlsplit(url).port or 0))


def test_registered_and_active_on_the_demo(client: Client) -> None:
    status, listing = client.call("GET", "/data/plugins_listing")
    assert status == 200 and listing["hparams"]["status"] == "active"
    assert listing["hparams"]["title"] == "HParams"
    assert listing["hparams"]["module"] == "data/plugin/hparams/static/index.js"
    status, experiment = client.post("experiment", {})
    assert status == 200
    assert [i["name"] for i in experiment["hparamInfos"]] == ["batch_size", "dropout", "lr", "optimizer"]
    assert [m["name"]["tag"] for m in experiment["metricInfos"]] == ["loss", "accuracy", "eval/accuracy"]


def test_the_demo_sweep_has_its_metrics(tmp_path: Path) -> None:
    tbcore_hparams.demo.write_demo(tmp_path)
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert len(provider.list_tensors(plugin_name="hparams")) == TRIALS


def test_query_posts_need_no_csrf_header_but_other_methods_are_refused(client: Client) -> None:
    for route in ("experiment", "session_groups", "metric_evals"):
        status, _ = client.call("POST", f"/data/plugin/hparams/{route}", b"{}")
        assert status in (200, 404), route  # 404: metric_evals of no session
    assert client.call("PUT", "/data/plugin/hparams/experiment", b"{}")[0] == 403  # a change: CSRF header needed
    assert client.call("PUT", "/data/plugin/hparams/experiment", b"{}", {"X-TBCore-Request": "1"})[0] == 405


BAD_BODIES = [
    ("experiment", b"", "got nothing"),
    ("experiment", b"[1, 2]", "must be a JSON object"),
    ("experiment", b"{'single': 'quotes'}", "not valid JSON"),
    ("experiment", b"\xff\xfe", "not valid JSON"),
    ("experiment", {"hparamsLimit": -1}, "hparamsLimit: Input should be greater than or equal to 0"),
    ("experiment", {"hparamsLimit": 2**31}, "hparamsLimit"),
    ("experiment", {"includeMetrics": "yes"}, "includeMetrics: Input should be a valid boolean"),
    ("experiment", {"experimentNam": ""}, "experimentNam: Extra inputs are not permitted"),
    ("session_groups", {"allowedStatuses": ["STATUS_DONE"]}, "allowedStatuses.0: Value error, must be one of STATUS_UNKNOWN"),
    ("session_groups", {"allowedStatuses": "STATUS_SUCCESS"}, "allowedStatuses: Input should be a valid list"),
    ("session_groups", {"startIndex": -5}, "startIndex"),
    ("session_groups", {"sliceSize": 1.5}, "sliceSize"),
    ("session_groups", {"aggregationType": "AGGREGATION_SUM"}, "aggregationType"),
    ("session_groups", {"aggregationMetric": {"tag": 3}}, "aggregationMetric.tag: Input should be a valid string"),
    ("session_groups", {"colParams": [{}]}, "colParams.0: Value error, exactly one of metric and hparam"),
    ("session_groups", {"colParams": [{"hparam": "lr", "metric": {"tag": "x"}}]}, "exactly one of metric and hparam"),
    ("session_groups", {"colParams": [{"hparam": "lr", "filterRegexp": "a", "filterDiscrete": []}]}, "at most one of"),
    ("session_groups", {"colParams": [{"hparam": "lr", "order": "UP"}]}, "colParams.0.order: Value error, must be one of ORDER_UNSPECIFIED"),
    ("session_groups", {"colParams": [{"hparam": "lr", "filterInterval": {"minValue": "low"}}]}, "colParams.0.filterInterval.minValue"),
    ("session_groups", {"colParams": [{"hparam": "lr", "filterDiscrete": [[1]]}]}, "colParams.0.filterDiscrete.0"),
    ("session_groups", {"colParams": [{"hparam": "lr", "filterRegexp": "("}]}, "invalid regular expression"),
    ("session_groups", {"colParams": [{"hparam": "lr", "filterRegexp": "x" * 2000}]}, "at most 1,000"),
    ("metric_evals", {"sessionName": ["a"]}, "sessionName: Input should be a valid string"),
    ("metric_evals", {"metricName": "loss"}, "metricName: Input should be a valid dictionary"),
]


@pytest.mark.parametrize(("route", "body", "message"), BAD_BODIES, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BAD_BODIES)])
def test_bad_bodies_are_400s_that_name_the_field(client: Client, route: str, body: Any, message: str) -> None:
    status, answer = client.post(route, body)
    assert status == 400, (body, answer)
    assert message in answer["error"], answer["error"]


def test_a_regex_filter_needs_some_groups_to_fail(client: Client) -> None:
    """Filters are checked against the values they meet (as TensorBoard does)."""
    body = {"allowedStatuses": [1], "sliceSize": 100, "colParams": [{"hparam": "lr", "filterRegexp": "1"}]}
    status, answer = client.post("session_groups", body)
    assert status == 400 and "needs string values" in answer["error"]
    assert client.post("session_groups", {**body, "allowedStatuses": []})[0] == 200


def test_snake_case_and_enum_numbers_are_accepted(client: Client) -> None:
    camel = {"allowedStatuses": ["STATUS_SUCCESS"], "colParams": [{"hparam": "lr", "order": "ORDER_DESC"}], "sliceSize": 5}
    snake = {"allowed_statuses": [1], "col_params": [{"hparam": "lr", "order": 2}], "slice_size": "5"}
    assert client.post("session_groups", camel) == client.post("session_groups", snake)
    lrs = [g["hparams"]["lr"] for g in client.post("session_groups", camel)[1]["sessionGroups"]]
    assert lrs == sorted(lrs, reverse=True) and len(lrs) == 5


def test_trial_scalars(client: Client) -> None:
    groups = client.post("session_groups", {"allowedStatuses": [1], "sliceSize": 1})[1]["sessionGroups"]
    session = groups[0]["sessions"][0]["name"]
    status, answer = client.call("GET", f"/data/plugin/hparams/trial_scalars?session={session}")
    assert status == 200
    tags = answer["runs"][session]
    assert {"loss", "accuracy", "eval/accuracy"} <= set(tags) and len(tags["loss"]["step"]) == 40
    assert client.call("GET", "/data/plugin/hparams/trial_scalars")[0] == 400


def test_download_data_formats(client: Client) -> None:
    request = json.dumps({"allowedStatuses": [1], "sliceSize": 100, "colParams": [{"hparam": "lr", "order": "ORDER_ASC"}]})
    from urllib.parse import urlencode

    for fmt, media in (("csv", "text/csv"), ("json", "application/json"), ("latex", "application/x-latex")):
        conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
        conn.request("GET", "/data/plugin/hparams/download_data?" + urlencode({"format": fmt, "request": request}))
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == 200 and resp.headers["content-type"].startswith(media), fmt
        if fmt == "csv":
            lines = body.decode().splitlines()
            assert lines[0] == "batch_size,dropout,lr,optimizer,loss,accuracy,eval/accuracy" and len(lines) == TRIALS + 1
    status, answer = client.call("GET", "/data/plugin/hparams/download_data?format=csv&columnsVisibility=[1]&request={}")
    assert status == 400 and "columnsVisibility" in answer["error"]
