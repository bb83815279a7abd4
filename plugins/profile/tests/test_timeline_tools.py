"""The timeline's flows, search and selection summary: pure functions on a Kineto trace
(the demo's CUDA trace, and the real V100 trace for the flows of 2021 Kineto), checked
against the document itself, and the argument checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tbcore.errors import InvalidArgumentError
from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.demo import kineto_trace
from tbcore_profile.model import EventKind
from tbcore_profile.timeline_tools import MAX_FLOWS, flows_in_window, search, selection_summary

V100 = Path(__file__).parent / "data" / "resnet50_num_workers_4" / "worker0.1623212756351.pt.trace.json.gz"


@pytest.fixture(scope="module")
def document() -> dict:
    return kineto_trace(steps=3, gpu=True, seed=8)


@pytest.fixture(scope="module")
def analysis(document: dict) -> TraceAnalysis:
    return TraceAnalysis(parse_chrome_trace(json.dumps(document).encode(), "t.pt.trace.json"))


def test_each_launch_has_an_arrow_to_its_device_work(document: dict, analysis: TraceAnalysis) -> None:
    trace, origin = analysis.trace, analysis.origin
    flows = flows_in_window(trace, analysis.flows, 0, trace.time_range[1] - origin)
    starts = {e["id"]: e["ts"] for e in document["traceEvents"] if e.get("ph") == "s"}
    ends = {e["id"]: e["ts"] for e in document["traceEvents"] if e.get("ph") == "f"}
    assert flows["categories"] == ["ac2g"] and len(flows["start"]) == len(starts) == len(ends)
    assert sorted(zip(flows["start"] + origin, flows["end"] + origin)) == sorted((starts[i], ends[i]) for i in starts)
    events, depth = trace.events, analysis.depth
    for i in range(len(flows["start"])):  # the arrow starts at the runtime call, on its row
        call = np.flatnonzero((events.kind == EventKind.RUNTIME) & (events.start == flows["start"][i] + origin))
        assert flows["start_depth"][i] == depth[call].max()
        assert trace.lanes[int(flows["end_lane"][i])].device and flows["end_depth"][i] == 0
    # a window holds the arrows with an end inside it
    lo, hi = float(flows["end"][3]) - 1e-3, float(flows["end"][3]) + 1e-3
    inside = flows_in_window(trace, analysis.flows, lo, hi)
    assert len(inside["start"]) >= 1 and all(lo <= e < hi or lo <= s < hi for s, e in zip(inside["start"], inside["end"]))


def test_the_flows_of_a_real_trace_are_capped() -> None:
    analysis = TraceAnalysis(parse_chrome_trace(V100.read_bytes(), V100.name))
    trace = analysis.trace
    flows = flows_in_window(trace, analysis.flows, 0, trace.time_range[1] - analysis.origin)
    assert flows["categories"] == ["async"] and flows["truncated"]
    assert len(flows["start"]) == MAX_FLOWS and np.all(flows["end"] >= flows["start"])


def test_search_finds_names_without_regard_to_case(analysis: TraceAnalysis) -> None:
    trace = analysis.trace
    names = [trace.strings[int(n)] for n in trace.events.name]
    answer = search(trace, analysis.depth, "SGEMM", None)
    expected = [i for i, name in enumerate(names) if "sgemm" in name.lower()]
    assert answer["total"] == len(expected) > 0 and not answer["truncated"]
    found = answer["events"]
    assert [answer["names"][i] for i in found["name"]] == [names[i] for i in expected]
    assert np.allclose(found["start"], trace.events.start[expected] - analysis.origin)
    assert np.all(np.diff(found["start"]) >= 0)
    few = search(trace, analysis.depth, "sgemm", 2)
    assert few["truncated"] and len(few["events"]["start"]) == 2 and few["total"] == len(expected)
    assert search(trace, analysis.depth, "no such event", None)["total"] == 0
    assert search(trace, analysis.depth, ".*", None)["total"] == 0  # plain text, not a pattern


def test_a_selection_sums_the_time_inside_it(analysis: TraceAnalysis) -> None:
    trace, origin = analysis.trace, analysis.origin
    events = trace.events
    lo, hi = 300.0, 900.0
    answer = selection_summary(trace, lo, hi, None)
    start, end = events.start - origin, events.start + events.dur - origin
    overlapping = ((start < hi) & (end > lo)) | ((start >= lo) & (start < hi))
    assert answer["events"] == int(overlapping.sum())
    rows = {r["name"]: r for r in answer["rows"]}
    for name in ("aten::mm", "cudaLaunchKernel"):
        mine = overlapping & (events.name == trace.strings.find(name))
        row = rows[name]
        assert row["count"] == int(mine.sum())
        assert row["total_us"] == pytest.approx(float(np.sum(np.minimum(end[mine], hi) - np.maximum(start[mine], lo))))
        assert row["mean_us"] == pytest.approx(float(events.dur[mine].mean()))
    totals = [r["total_us"] for r in answer["rows"]]
    assert totals == sorted(totals, reverse=True)
    device = [i for i, lane in enumerate(trace.lanes) if lane.device]
    only_device = selection_summary(trace, lo, hi, device)
    assert {r["kind"] for r in only_device["rows"]} <= {"kernel", "memcpy", "memset"}


@pytest.mark.parametrize(("query", "limit"), [("", None), ("x" * 201, None), ("mm", 0), ("mm", 10_001)])
def test_bad_searches(analysis: TraceAnalysis, query: str, limit: int | None) -> None:
    with pytest.raises(InvalidArgumentError):
        search(analysis.trace, analysis.depth, query, limit)


@pytest.mark.parametrize(("start", "end", "lanes"), [(None, 5.0, None), (5.0, 5.0, None), (0.0, 5.0, [999]),
                                                     (0.0, float("inf"), None), (float("nan"), 5.0, None)])
def test_bad_selections(analysis: TraceAnalysis, start: float | None, end: float | None, lanes: list[int] | None) -> None:
    with pytest.raises(InvalidArgumentError):
        selection_summary(analysis.trace, start, end, lanes)
