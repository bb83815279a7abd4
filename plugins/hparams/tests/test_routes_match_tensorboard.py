"""The hparams routes over real HTTP, compared with TensorBoard 2.21's server on the same
logdirs, written at test time by torch's ``add_hparams`` (100 trials), tensorboardX's,
TensorFlow's hparams API (``hp.hparams_config``, ``hp.hparams``, ``hp.KerasCallback``), the
same API without any experiment summary (inferred), and ``tbcore.summary`` / ``tbcore_torch``.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import warm_python

from tbcore.data import LogdirDataProvider
from tbcore_hparams.request_bodies import ListSessionGroupsRequest
from tbcore_hparams.session_groups import list_session_groups

WRITERS = Path(__file__).with_name("writers.py")
ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]


def post(server: Any, route: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` as JSON to the hparams route; ``(status, decoded JSON or raw bytes)``."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn.request("POST", f"/data/plugin/hparams/{route}", body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw


def both(servers: tuple[Any, Any], route: str, body: Any) -> tuple[Any, Any]:
    """The answers of TensorBoard and ours, both asserted 200."""
    tb, ours = servers
    tb_status, expected = post(tb, route, body)
    our_status, got = post(ours, route, body)
    assert tb_status == 200, (route, body, tb_status, str(expected)[:300])
    assert our_status == 200, (route, body, our_status, str(got)[:300])
    return expected, got


def groups_request(**fields: Any) -> dict[str, Any]:
    """A ``session_groups`` body: every status, every group, plus ``fields``."""
    return {"experimentName": "", "allowedStatuses": ALL_STATUSES, "sliceSize": 100000, **fields}


def _fingerprint(answer: Any) -> tuple[int, int]:
    sessions = [s for g in answer["sessionGroups"] for s in g["sessions"]]
    return answer["totalSize"], sum(len(s["metricValues"]) for s in sessions)


def _write(kind: str, root: Path) -> None:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    warm_python.run([sys.executable, str(WRITERS), kind, str(root)], check=True, env=env, timeout=300)


def _serve(kind: str, tmp_path_factory: pytest.TempPathFactory, tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    if importlib.util.find_spec(NEEDS[kind]) is None:  # not imported here: the writers run apart
        pytest.skip(f"{NEEDS[kind]} is not installed")
    root = tmp_path_factory.mktemp(f"hparams_{kind}")
    _write(kind, root)
    provider = LogdirDataProvider(str(root))
    provider.reload()
    request = ListSessionGroupsRequest.model_validate(groups_request())
    expected = _fingerprint(list_session_groups(provider, request).json())

    def ready(server: Any) -> bool:
        status, answer = post(server, "session_groups", groups_request())
        return status == 200 and _fingerprint(answer) == expected

    with tensorboard_pair(
        root, tensorboard_flags=["--samples_per_plugin", "scalars=100000"], plugins="hparams", ready=ready
    ) as pair:
        yield pair


KINDS = ["torch", "tensorboardx", "hp_api", "hp_inferred", "tbcore"]
NEEDS = {"torch": "torch", "tensorboardx": "tensorboardX", "hp_api": "tensorflow", "hp_inferred": "tensorflow", "tbcore": "torch"}


@pytest.fixture(scope="module", params=KINDS)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tensorboard_pair: Any) -> Iterator[tuple[Any, Any, str]]:
    """TensorBoard and tbcore on one logdir of each kind."""
    for pair in _serve(request.param, tmp_path_factory, tensorboard_pair):
        yield (*pair, request.param)


def _sorted_domains(experiment: Any) -> Any:
    """TensorBoard lists an inferred string domain in the order of a Python set (any order)."""
    for info in experiment["hparamInfos"]:
        if info.get("type") == "DATA_TYPE_STRING" and "domainDiscrete" in info:
            info["domainDiscrete"] = sorted(info["domainDiscrete"])
    return experiment


def test_experiment_matches(servers: tuple[Any, Any, str]) -> None:
    tb, ours, kind = servers
    for body in ({"experimentName": ""}, {}, {"includeMetrics": False}, {"hparamsLimit": 2},
                 {"experiment_name": "", "include_metrics": True, "hparams_limit": 0}):
        expected, got = both((tb, ours), "experiment", body)
        assert _sorted_domains(got) == _sorted_domains(expected), (kind, body)
    assert len(got["hparamInfos"]) >= 3 and got["metricInfos"], kind


# Per kind: (a string hparam, a numeric hparam, a bool hparam, a metric, a value of the string hparam)
COLUMNS = {
    "torch": ("optimizer", "lr", "nesterov", {"group": "", "tag": "hparam/loss"}, "sgd"),
    "tensorboardx": ("act", "lr", None, {"group": "", "tag": "hparam/acc"}, "tanh"),
    "hp_api": ("optimizer", "lr", "batch_norm", {"group": "", "tag": "score"}, "adam"),
    "hp_inferred": ("tag", "lr", "fast", {"group": "eval", "tag": "acc"}, "base"),
    "tbcore": ("opt", "lr", "bn", {"group": "", "tag": "hparam/score"}, "adam"),
}


def _session_group_requests(kind: str) -> list[dict[str, Any]]:
    text, number, flag, metric, value = COLUMNS[kind]
    requests = [
        groups_request(),
        groups_request(startIndex=3, sliceSize=5),
        groups_request(sliceSize=0),
        {"allowedStatuses": ALL_STATUSES, "sliceSize": 50, "startIndex": 60},
        groups_request(allowedStatuses=["STATUS_SUCCESS"]),
        groups_request(allowedStatuses=[]),
        groups_request(includeMetrics=False),
        groups_request(colParams=[{"metric": metric, "order": "ORDER_DESC"}]),
        groups_request(colParams=[{"metric": metric, "order": "ORDER_ASC", "missingValuesFirst": True}]),
        groups_request(colParams=[{"hparam": text, "order": "ORDER_ASC"}, {"hparam": number, "order": "ORDER_DESC"}]),
        groups_request(colParams=[{"hparam": number, "order": 1, "filterInterval": {"minValue": 0.0005, "maxValue": 0.2}}]),
        groups_request(colParams=[{"hparam": text, "filterRegexp": "^" + value[:2]}]),
        groups_request(colParams=[{"hparam": text, "filterDiscrete": [value, "nothing"]}]),
        groups_request(colParams=[{"metric": metric, "filterInterval": {"minValue": 0.3, "maxValue": 0.7}, "order": "ORDER_ASC"}]),
        groups_request(colParams=[{"metric": metric, "excludeMissingValues": True, "order": "ORDER_DESC"}]),
        groups_request(colParams=[{"hparam": text, "includeInResult": False}, {"hparam": number, "includeInResult": True}]),
        groups_request(colParams=[{"hparam": "no such hparam", "order": "ORDER_ASC", "missingValuesFirst": True}]),
    ]
    if flag is not None:
        requests += [
            groups_request(colParams=[{"hparam": flag, "filterDiscrete": [True]}, {"hparam": number, "order": "ORDER_ASC"}]),
            groups_request(colParams=[{"hparam": flag, "order": "ORDER_DESC"}, {"metric": metric, "order": "ORDER_ASC"}]),
        ]
    return requests


def test_session_groups_match(servers: tuple[Any, Any, str]) -> None:
    tb, ours, kind = servers
    for body in _session_group_requests(kind):
        expected, got = both((tb, ours), "session_groups", body)
        assert got == expected, (kind, body)
    full = post(ours, "session_groups", groups_request())[1]
    assert full["totalSize"] >= 3
    if kind == "torch":
        assert full["totalSize"] == 101 and len(full["sessionGroups"]) == 101


def test_aggregations_match(servers: tuple[Any, Any, str]) -> None:
    """Average, median, minimum and maximum over the sessions of a group (the ``hp_api``
    logdir has groups of 1 to 3 seeds)."""
    tb, ours, kind = servers
    _, _, _, metric, _ = COLUMNS[kind]
    # TensorBoard fails (500) on a group none of whose sessions has the aggregation metric:
    # leave out the statuses of such sessions (the Keras trials of hp_api have no score).
    statuses = ["STATUS_UNKNOWN", "STATUS_FAILURE"] if kind == "hp_api" else ALL_STATUSES
    for aggregation in ("AGGREGATION_AVG", "AGGREGATION_MEDIAN", "AGGREGATION_MIN", "AGGREGATION_MAX", "AGGREGATION_UNSET"):
        body = groups_request(allowedStatuses=statuses, aggregationType=aggregation, aggregationMetric=metric,
                              colParams=[{"metric": metric, "order": "ORDER_DESC"}])
        expected, got = both((tb, ours), "session_groups", body)
        assert got == expected, (kind, aggregation)
    if kind == "hp_api":
        sizes = sorted(len(g["sessions"]) for g in got["sessionGroups"])
        assert sizes == [1, 1, 2, 3]


def test_metric_evals_match(servers: tuple[Any, Any, str]) -> None:
    tb, ours, kind = servers
    experiment = post(ours, "experiment", {})[1]
    groups = post(ours, "session_groups", groups_request())[1]["sessionGroups"]
    compared = 0
    for group in groups[:6]:
        for session in group["sessions"]:
            for info in experiment["metricInfos"]:
                body = {"experimentName": "", "sessionName": session["name"], "metricName": info["name"]}
                tb_status, expected = post(tb, "metric_evals", body)
                our_status, got = post(ours, "metric_evals", body)
                if tb_status == 200:
                    assert (our_status, got) == (200, expected), (kind, body)
                    compared += 1
                else:  # a session without that metric
                    assert our_status == 404, (kind, body, tb_status)
    assert compared >= 3
    assert post(ours, "metric_evals", {"sessionName": "nope", "metricName": {"tag": "x"}})[0] == 404


def test_download_data_matches(servers: tuple[Any, Any, str]) -> None:
    tb, ours, kind = servers
    columns = len(post(ours, "experiment", {})[1]["hparamInfos"]) + len(post(ours, "experiment", {})[1]["metricInfos"])
    text, _, _, metric, _ = COLUMNS[kind]
    request = json.dumps(groups_request(colParams=[{"metric": metric, "order": "ORDER_DESC"}]))
    for fmt in ("csv", "json", "latex"):
        for visibility in ([True] * columns, [True, False] * columns, [False, True]):
            query = urllib.parse.urlencode({"format": fmt, "columnsVisibility": json.dumps(visibility), "request": request})
            tb_status, expected = tb.call(f"/data/plugin/hparams/download_data?{query}")
            our_status, got = ours.call(f"/data/plugin/hparams/download_data?{query}")
            assert tb_status == our_status == 200, (fmt, tb_status, our_status, got[:300])
            if fmt == "json":
                assert json.loads(got) == json.loads(expected), (kind, fmt, visibility)
            else:
                assert got.decode() == expected.decode(), (kind, fmt, visibility)
    query = urllib.parse.urlencode({"format": "xml", "columnsVisibility": "[]", "request": request})
    assert ours.call(f"/data/plugin/hparams/download_data?{query}")[0] == 400


def test_get_with_a_request_parameter_matches(servers: tuple[Any, Any, str]) -> None:
    """TensorBoard also answers GET ``?request=<JSON>``, as do we."""
    tb, ours, _ = servers
    path = "/data/plugin/hparams/experiment?" + urllib.parse.urlencode({"request": "{}"})
    assert _sorted_domains(ours.json(path)) == _sorted_domains(tb.json(path))
    body = groups_request(startIndex=1, sliceSize=2)
    path = "/data/plugin/hparams/session_groups?" + urllib.parse.urlencode({"request": json.dumps(body)})
    assert ours.json(path) == tb.json(path)


def test_a_column_of_numbers_and_strings_sorts(servers: tuple[Any, Any, str]) -> None:
    """``width`` is 4.0 in one session, "wide" in another: TensorBoard fails to sort it (500);
    we put numbers before strings (ascending), missing values last."""
    tb, ours, kind = servers
    if kind != "hp_inferred":
        pytest.skip("the inferred logdir has such a column")
    body = groups_request(colParams=[{"hparam": "width", "order": "ORDER_ASC"}])
    assert post(tb, "session_groups", body)[0] == 500
    status, answer = post(ours, "session_groups", body)
    assert status == 200
    assert [g["hparams"]["width"] for g in answer["sessionGroups"]] == [4.0, 8.0, "wide"]


def test_bad_bodies_are_400_in_both(servers: tuple[Any, Any, str]) -> None:
    tb, ours, kind = servers
    if kind != "hp_api":
        pytest.skip("once is enough")
    for route, body in (
        ("session_groups", b"not json"),
        ("session_groups", {"allowedStatuses": ["STATUS_NOPE"]}),
        ("session_groups", {"colParams": [{"hparam": "lr", "order": "SIDEWAYS"}]}),
        ("session_groups", {"unknownField": 1}),
        ("session_groups", {"allowedStatuses": ALL_STATUSES, "colParams": [{"hparam": "optimizer", "filterInterval": {"minValue": 0, "maxValue": 1}}]}),
        ("session_groups", {"allowedStatuses": ALL_STATUSES, "colParams": [{"hparam": "lr", "filterRegexp": "x"}]}),
        ("experiment", {"hparamsLimit": "many"}),
        ("metric_evals", {"sessionName": 3}),
    ):
        tb_status, _ = post(tb, route, body)
        status, answer = post(ours, route, body)
        assert tb_status == status == 400, (route, body, tb_status, status, answer)
        assert isinstance(answer, dict) and answer["error"], answer
