"""What TensorBoard 2.x's time series routes (``tags``, ``timeSeries``, ``imageData``) compute,
as pure functions of the data provider.

Unlike TensorBoard (1,000 scalars, 51 histograms and 10 images per series at most), every
point is returned: nothing is dropped silently.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from tbcore.data.provider import DataProvider, RunTagFilter, TimeSeries
from tbcore.errors import InvalidArgumentError
from tbcore.server.responses import jsonable
from tbcore.server.tag_listing import description_html
from tbcore_media.queries import individual_image
from tbcore_media.sample_counts import SampleCounts
from tbcore_timeseries.metadata import (
    DATA_PLUGIN_NAMES,
    HISTOGRAMS,
    IMAGE_HEADER_BLOBS,
    IMAGES,
    SAMPLED_PLUGINS,
    SCALARS,
    SINGLE_RUN_PLUGINS,
)

Listing = Mapping[str, Mapping[str, TimeSeries]]


def tag_descriptions(listing: Listing) -> dict[str, str]:
    """``{tag: html}`` for the tags with a description. A tag described differently by
    several runs gets every description under a heading naming its runs, as TensorBoard
    combines them."""
    runs_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for run, tags in listing.items():
        for tag, ts in tags.items():
            if ts.description:
                runs_of[tag][ts.description].add(run)
    out = {}
    for tag, by_text in runs_of.items():
        texts = sorted(by_text)
        if len(texts) == 1:
            out[tag] = description_html(texts[0])
            continue
        sections = []
        for text in texts:
            runs = sorted(by_text[text])
            sections.append(f"## For {'runs' if len(runs) > 1 else 'run'}: {', '.join(runs)}\n{text}")
        out[tag] = description_html("# Multiple descriptions\n" + "\n".join(sections))
    return out


def _run_tag_info(listing: Listing) -> dict[str, list[str]]:
    return {run: sorted(tags) for run, tags in listing.items()}


def tags_index(provider: DataProvider, counts: SampleCounts | None = None) -> dict[str, Any]:
    """TensorBoard's ``tags`` answer: for scalars and histograms ``{runTagInfo: {run: [tag]},
    tagDescriptions: {tag: html}}``; for images ``{tagDescriptions, tagRunSampledInfo: {tag:
    {run: {maxSamplesPerStep: n}}}}``. ``counts`` remembers the images per step between calls."""
    scalars = provider.list_scalars(plugin_name=SCALARS)
    histograms = provider.list_tensors(plugin_name=HISTOGRAMS)
    images = provider.list_blob_sequences(plugin_name=IMAGES)
    longest = (counts or SampleCounts()).longest(provider, IMAGES, images)
    sampled: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for run, tags in images.items():
        for tag in tags:
            sampled[tag][run] = {"maxSamplesPerStep": longest[(run, tag)] - IMAGE_HEADER_BLOBS}
    return {
        "scalars": {"runTagInfo": _run_tag_info(scalars), "tagDescriptions": tag_descriptions(scalars)},
        "histograms": {
            "runTagInfo": _run_tag_info(histograms),
            "tagDescriptions": tag_descriptions(histograms),
        },
        "images": {"tagDescriptions": tag_descriptions(images), "tagRunSampledInfo": dict(sampled)},
    }


def parse_requests(text: str | None) -> list[dict[str, Any]]:
    """The ``requests`` field of ``timeSeries``: a JSON list of request objects."""
    if not text:
        raise InvalidArgumentError("Missing 'requests' field")
    try:
        requests = json.loads(text)
    except ValueError:
        raise InvalidArgumentError("Unable to parse 'requests' as JSON") from None
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise InvalidArgumentError("'requests' must be a JSON list of objects")
    return requests


def request_error(request: Mapping[str, Any]) -> str | None:
    """Why TensorBoard would refuse one series request (its answer's ``error``), or None."""
    plugin, run, sample = request.get("plugin"), request.get("run"), request.get("sample")
    if not isinstance(request.get("tag"), str):
        return "Missing tag"
    if plugin not in DATA_PLUGIN_NAMES:
        return "Invalid plugin"
    if plugin in SINGLE_RUN_PLUGINS and not isinstance(run, str):
        return "Missing run"
    if plugin in SAMPLED_PLUGINS and not isinstance(sample, int):
        return "Missing sample"
    return None


def time_series(provider: DataProvider, requests: list[dict[str, Any]]) -> Iterator[bytes]:
    """The answer as JSON, in pieces: one answer per request, in order, ``{plugin, tag, [run],
    [sample], runToSeries}``, or ``{..., error}`` for a request TensorBoard would refuse.

    Every point is answered, so one scalar tag of 50 runs of 10,000 steps is 500,000 points:
    each run's points are written straight from its columns and sent before the next run's are
    made, instead of a dict per point and the whole answer in memory at once."""
    yield b"["
    for i, request in enumerate(requests):
        if i:
            yield b","
        answer, flt = _answer_head(request)
        if flt is None:
            yield orjson.dumps(jsonable(answer))
        elif answer["plugin"] == SCALARS:
            yield orjson.dumps(answer)[:-1] + b',"runToSeries":{'
            data = provider.read_scalars(plugin_name=SCALARS, run_tag_filter=flt)
            first = True
            for run, tags in data.items():
                if answer["tag"] in tags:
                    cols = tags[answer["tag"]]
                    yield (b"" if first else b",") + orjson.dumps(run) + b":" + _points_json(
                        cols.step.tolist(), cols.wall_time.tolist(), cols.value.tolist()
                    )
                    first = False
            yield b"}}"
        else:
            if answer["plugin"] == HISTOGRAMS:
                answer["runToSeries"] = _histogram_series(provider, flt, answer["tag"])
            else:
                answer["runToSeries"] = _image_series(provider, flt, answer["tag"], answer["sample"])
            yield orjson.dumps(jsonable(answer))
    yield b"]"


def _answer_head(request: Mapping[str, Any]) -> tuple[dict[str, Any], RunTagFilter | None]:
    """The answer's fields besides ``runToSeries``, and the series to read (``None`` when the
    request is refused: the answer then says why)."""
    tag: Any = request.get("tag")
    run: Any = request.get("run")
    sample: Any = request.get("sample")
    answer: dict[str, Any] = {"plugin": request.get("plugin"), "tag": tag}
    if isinstance(run, str):
        answer["run"] = run
    if isinstance(sample, int):
        answer["sample"] = sample
    error = request_error(request)
    if error:
        answer["error"] = error
        return answer, None
    return answer, RunTagFilter.of([run] if run else None, [tag])


_NON_FINITE_JSON = {"nan": '"NaN"', "inf": '"Infinity"', "-inf": '"-Infinity"'}


def _number(x: float) -> str:
    return repr(x) if math.isfinite(x) else _NON_FINITE_JSON[repr(x)]


def _points_json(steps: list[int], wall_times: list[float], values: list[float]) -> bytes:
    """A run's points as TensorBoard's JSON list of ``{wallTime, step, value}``."""
    points = ",".join(
        f'{{"wallTime":{_number(w)},"step":{s},"value":{_number(v)}}}' for s, w, v in zip(steps, wall_times, values)
    )
    return f"[{points}]".encode()


def _histogram_series(provider: DataProvider, flt: RunTagFilter, tag: str) -> dict[str, list[dict[str, Any]]]:
    data = provider.read_tensors(plugin_name=HISTOGRAMS, run_tag_filter=flt)
    return {
        run: [
            {
                "wallTime": d.wall_time,
                "step": d.step,
                "bins": [{"min": lo, "max": hi, "count": n} for lo, hi, n in d.numpy.tolist()],
            }
            for d in tags[tag]
        ]
        for run, tags in data.items()
        if tag in tags
    }


def _image_series(
    provider: DataProvider, flt: RunTagFilter, tag: str, sample: int
) -> dict[str, list[dict[str, Any]]]:
    data = provider.read_blob_sequences(plugin_name=IMAGES, run_tag_filter=flt)
    index = sample + IMAGE_HEADER_BLOBS
    out = {}
    for run, tags in data.items():
        if tag not in tags:
            continue
        series = [
            {"step": d.step, "wallTime": d.wall_time, "imageId": d.values[index].blob_key}
            for d in tags[tag]
            if len(d.values) > index >= IMAGE_HEADER_BLOBS
        ]
        if series:
            out[run] = series
    return out


def image_data(provider: DataProvider, image_id: str) -> tuple[bytes, str]:
    """The bytes of the image ``image_id`` names (an ``imageId`` of ``timeSeries``) and their
    content type."""
    if not image_id:
        raise InvalidArgumentError("Missing 'imageId' field")
    return individual_image(provider, image_id)
