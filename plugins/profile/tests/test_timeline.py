"""The timeline route's pure function: only the events of the window above the pixel
threshold, summaries for the rest, nesting depths, limits and argument checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tbcore.errors import InvalidArgumentError
from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.demo import kineto_trace
from tbcore_profile.queries import timeline_window
from tbcore_profile.timeline import Window, timeline


@pytest.fixture(scope="module")
def analysis() -> TraceAnalysis:
    document = kineto_trace(steps=4, gpu=True, seed=4)
    return TraceAnalysis(parse_chrome_trace(json.dumps(document).encode(), "t.pt.trace.json"))


def test_the_whole_trace_zoomed_out(analysis: TraceAnalysis) -> None:
    trace = analysis.trace
    duration = trace.time_range[1] - trace.time_range[0]
    answer = timeline(trace, analysis.depth, Window(0, duration, 100, 0, 20000))
    shown = answer["events"]
    pixel = duration / 100
    assert answer["threshold_us"] == pytest.approx(pixel)
    assert np.all(shown["dur"] >= pixel)
    assert answer["total"] == len(trace.events)
    # every event is either listed or summarized
    assert len(shown["start"]) + int(np.sum(answer["summaries"]["count"])) == len(trace.events)
    assert np.all(np.diff(shown["start"]) >= 0)
    names = {answer["names"][i] for i in shown["name"]}
    assert any(n.startswith("ProfilerStep#") for n in names)
    assert np.all(answer["summaries"]["pixel"] < 100) and np.all(answer["summaries"]["busy_us"] >= 0)


def test_zooming_in_shows_more_events_of_a_smaller_window(analysis: TraceAnalysis) -> None:
    trace = analysis.trace
    origin, end = trace.time_range
    names = [trace.strings[n] for n in trace.events.name]
    step = names.index("ProfilerStep#3")
    lo = float(trace.events.start[step]) - origin
    hi = lo + float(trace.events.dur[step])
    wide = timeline(trace, analysis.depth, Window(0, end - origin, 200, 0, 20000))
    narrow = timeline(trace, analysis.depth, Window(lo, hi, 200, 0, 20000))
    starts, ends = narrow["events"]["start"], narrow["events"]["start"] + narrow["events"]["dur"]
    assert np.all(ends > lo) and np.all(starts < hi)
    wide_starts = wide["events"]["start"]
    in_window = np.sum((wide_starts + wide["events"]["dur"] > lo) & (wide_starts < hi))
    assert len(starts) > in_window
    assert narrow["threshold_us"] < wide["threshold_us"]


def test_min_duration_and_limit(analysis: TraceAnalysis) -> None:
    trace = analysis.trace
    duration = trace.time_range[1] - trace.time_range[0]
    long_only = timeline(trace, analysis.depth, Window(0, duration, 8000, 100.0, 20000))
    assert np.all(long_only["events"]["dur"] >= 100.0)
    capped = timeline(trace, analysis.depth, Window(0, duration, 8000, 0, 5))
    assert capped["truncated"] and len(capped["events"]["dur"]) == 5
    everything = timeline(trace, analysis.depth, Window(0, duration, 8000, 0, 20000))
    assert sorted(capped["events"]["dur"]) == sorted(everything["events"]["dur"])[-5:]


def test_nesting_depth(analysis: TraceAnalysis) -> None:
    events, strings = analysis.trace.events, analysis.trace.strings
    names = [strings[n] for n in events.name]
    depth = analysis.depth
    step = names.index("ProfilerStep#2")
    linear = names.index("aten::linear")
    assert depth[linear] == depth[step] + 1
    addmm = names.index("aten::addmm")
    assert depth[addmm] == depth[linear] + 1
    kernels = [i for i, lane in enumerate(events.lane) if analysis.trace.lanes[lane].device]
    assert set(depth[kernels].tolist()) == {0}  # kernels on a stream do not nest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((float("nan"), None, None, None, None), "start"),
        ((0.0, float("inf"), None, None, None), "end"),
        ((10.0, 5.0, None, None, None), "after start"),
        ((None, None, 0, None, None), "width"),
        ((None, None, 10_000, None, None), "width"),
        ((None, None, None, -1.0, None), "min_duration"),
        ((None, None, None, None, 0), "limit"),
        ((1e300, None, None, None, None), "start"),
    ],
)
def test_bad_windows_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        timeline_window(*args, duration=1000.0)


def test_default_window_is_the_whole_trace() -> None:
    window = timeline_window(None, None, None, None, None, duration=1234.0)
    assert (window.start, window.end, window.width, window.limit) == (0.0, 1234.0, 1000, 20000)
