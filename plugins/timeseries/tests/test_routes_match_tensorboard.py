"""TensorBoard 2.x's time series routes (``tags``, ``timeSeries``, ``imageData``) over real
HTTP, compared with TensorBoard 2.21's server (its route prefix is the same,
``/data/plugin/timeseries/``) on files written by torch.utils.tensorboard and tf.summary.

TensorBoard keeps at most 1,000 scalars, 51 histograms and 10 images per series by default;
it is started with larger reservoirs, so both servers answer with every point."""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location("timeseries_writers", Path(__file__).with_name("writers.py"))
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

ROUTE = "/data/plugin/timeseries"
RUNS = {"torch_a", "torch_b", "tf_a", "tf_b"}


def _loaded(server: Any) -> bool:
    """Every file is read to its end: the last points each writer wrote are there."""
    status, body = server.call(f"{ROUTE}/tags")
    if status != 200:
        return False
    tags = json.loads(body)
    scalars = tags["scalars"]["runTagInfo"]
    if set(scalars) != RUNS or any("special" not in scalars[r] for r in ("torch_a", "torch_b")):
        return False
    answer = _post(server, [{"plugin": "scalars", "tag": "special"}, {"plugin": "scalars", "tag": "lr"}])
    return len(answer[0]["runToSeries"]) == 2 and all(
        len(s) == writers.STEPS for s in answer[1]["runToSeries"].values()
    ) and len(answer[1]["runToSeries"]) == 2


def _post(server: Any, requests: list[Any]) -> Any:
    return server.json(f"{ROUTE}/timeSeries", "POST", urllib.parse.urlencode({"requests": json.dumps(requests)}))


@pytest.fixture(scope="module")
def servers(logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    installed.require("torch", "tensorflow")
    logdir = logdir_from_scripts("timeseries_logs", [writers.WRITE_WITH_TORCH, writers.WRITE_WITH_TF])
    with tensorboard_pair(
        logdir,
        tensorboard_flags=["--samples_per_plugin", "scalars=100000,histograms=100000,images=100000"],
        plugins="timeseries",
        ready=_loaded,
    ) as pair:
        yield pair


def test_tags_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    expected = tb.json(f"{ROUTE}/tags")
    assert ours.json(f"{ROUTE}/tags") == expected
    # What the comparison covers: every kind, both writers, combined descriptions.
    assert set(expected["histograms"]["runTagInfo"]) == RUNS
    assert set(expected["images"]["tagRunSampledInfo"]) == {"inputs/digit", "tf/images"}
    assert expected["images"]["tagRunSampledInfo"]["tf/images"]["tf_a"] == {"maxSamplesPerStep": 3}
    assert expected["scalars"]["tagDescriptions"]["loss/train"].startswith("<h1>Multiple descriptions</h1>")
    assert expected["scalars"]["tagDescriptions"]["lr"] == "<p>learning rate</p>"


def _every_request(tags: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tag in sorted({t for ts in tags["scalars"]["runTagInfo"].values() for t in ts}):
        out.append({"plugin": "scalars", "tag": tag})
        out.append({"plugin": "scalars", "tag": tag, "run": "torch_a"})
    for run, ts in sorted(tags["histograms"]["runTagInfo"].items()):
        out += [{"plugin": "histograms", "tag": t, "run": run} for t in ts]
    for tag, runs in sorted(tags["images"]["tagRunSampledInfo"].items()):
        for run, info in sorted(runs.items()):
            out += [{"plugin": "images", "tag": tag, "run": run, "sample": s} for s in range(info["maxSamplesPerStep"] + 1)]
    return out


def _image_bytes(server: Any, image_id: str) -> tuple[str, bytes]:
    query = urllib.parse.urlencode({"imageId": image_id})
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{ROUTE}/imageData?{query}", timeout=60) as response:
        return response.headers["content-type"], response.read()


def _float32_bins(answer: dict[str, Any]) -> dict[str, Any]:
    """A histograms answer with its bins rounded to float32: TensorBoard converts legacy
    ``HistogramProto`` values (torch's) to float32 on ingestion, we keep float64, so they agree
    to float32 precision (as in the histograms dashboard's comparison)."""
    rounded = {
        run: [{**p, "bins": [{k: float(np.float32(v)) for k, v in b.items()} for b in p["bins"]]} for p in series]
        for run, series in answer["runToSeries"].items()
    }
    return {**answer, "runToSeries": rounded}


def test_every_series_matches(servers: tuple[Any, Any]) -> None:
    """Every scalar, histogram and image series (all runs and one run; every sample, one
    past the last), in one POST: the same answers, the images' bytes and types included
    (image ids are opaque blob keys: compared through what ``imageData`` serves)."""
    tb, ours = servers
    requests = _every_request(tb.json(f"{ROUTE}/tags"))
    expected, got = _post(tb, requests), _post(ours, requests)
    assert len(got) == len(expected) == len(requests)
    images = 0
    for want, have in zip(expected, got):
        if want["plugin"] == "images":
            assert set(have["runToSeries"]) == set(want["runToSeries"]), want
            for run, series in want["runToSeries"].items():
                mine = have["runToSeries"][run]
                assert [{**p, "imageId": None} for p in mine] == [{**p, "imageId": None} for p in series]
                for a, b in zip(series, mine):
                    assert _image_bytes(ours, b["imageId"]) == _image_bytes(tb, a["imageId"])
                    images += 1
        elif want["plugin"] == "histograms" and want["run"].startswith("torch"):
            assert _float32_bins(have) == _float32_bins(want)
        else:
            assert have == want
    assert images > 100
    histogram = next(r for r in got if r["plugin"] == "histograms")
    assert len(next(iter(histogram["runToSeries"].values()))) == writers.STEPS
    special = next(r for r in got if r["tag"] == "special" and "run" not in r)
    assert [p["value"] for p in special["runToSeries"]["torch_a"]] == ["NaN", "Infinity"]


@pytest.mark.parametrize(
    "request_",
    [
        {"plugin": "scalars"},
        {"plugin": "audio", "tag": "x"},
        {"tag": "layer1/weights", "plugin": "histograms"},
        {"tag": "inputs/digit", "plugin": "images", "run": "torch_a"},
        {"tag": "inputs/digit", "plugin": "images", "run": "torch_a", "sample": 5},
        {"tag": "nope", "plugin": "scalars", "run": "nope", "sample": 1},
        {"tag": 3, "plugin": "scalars", "run": ["x"]},
    ],
)
def test_refused_requests_match(servers: tuple[Any, Any], request_: dict[str, Any]) -> None:
    tb, ours = servers
    assert _post(ours, [request_]) == _post(tb, [request_])


def test_get_and_multipart_forms(servers: tuple[Any, Any]) -> None:
    """A GET with ``requests`` in the query, and a multipart POST (TensorBoard's page sends a
    ``FormData``), answer as the URL-encoded POST does."""
    tb, ours = servers
    requests = [{"plugin": "scalars", "tag": "lr"}]
    query = urllib.parse.urlencode({"requests": json.dumps(requests)})
    assert ours.json(f"{ROUTE}/timeSeries?{query}") == tb.json(f"{ROUTE}/timeSeries?{query}") == _post(ours, requests)
    boundary = "tbcoreBoundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="requests"\r\n\r\n'
            f"{json.dumps(requests)}\r\n--{boundary}--\r\n").encode()
    for server in (tb, ours):
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.port}{ROUTE}/timeSeries", data=body, method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with urllib.request.urlopen(req, timeout=60) as response:
            assert json.loads(response.read()) == _post(ours, requests)


@pytest.mark.parametrize(
    "path",
    [
        "/timeSeries",
        "/timeSeries?requests=",
        "/timeSeries?requests=%7Bnot-json",
        "/imageData?imageId=",
    ],
)
def test_bad_requests_are_400_on_both(servers: tuple[Any, Any], path: str) -> None:
    tb, ours = servers
    assert tb.call(ROUTE + path)[0] == 400
    status, body = ours.call(ROUTE + path)
    assert status == 400, body
    assert json.loads(body)["error"]


@pytest.mark.parametrize("requests", ['{"plugin": "scalars"}', "[1, 2]", '"text"'])
def test_requests_that_are_not_a_list_of_objects_are_400(servers: tuple[Any, Any], requests: str) -> None:
    """TensorBoard fails these with a 500; we say what is wrong."""
    _, ours = servers
    status, body = ours.call(f"{ROUTE}/timeSeries?" + urllib.parse.urlencode({"requests": requests}))
    assert status == 400
    assert "list of objects" in json.loads(body)["error"]


def test_forged_image_id_is_404(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    status, body = ours.call(f"{ROUTE}/imageData?imageId=forged")
    assert status in (400, 404), body
