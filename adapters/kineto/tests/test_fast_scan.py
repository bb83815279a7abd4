"""The C scanner and the pure-Python reader give identical traces: on torch.profiler's traces,
on the demo's CUDA traces, on documents with every unusual value the reader meets, and on
randomly damaged ones (where the scanner declines, the Python reader answers)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore_kineto import chrome_trace, fast_scan
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.model import EVENT_COLUMNS, Trace

needs_c = pytest.mark.skipif(fast_scan.IMPLEMENTATION != "c", reason="the C scanner is not built")


@contextmanager
def _pure_python() -> Iterator[None]:
    saved = fast_scan._kinetoscan
    fast_scan._kinetoscan = None
    try:
        yield
    finally:
        fast_scan._kinetoscan = saved


def _assert_same(a: Trace, b: Trace) -> None:
    assert a.strings.values == b.strings.values
    assert a.lanes == b.lanes
    for key in EVENT_COLUMNS:
        x, y = getattr(a.events, key), getattr(b.events, key)
        assert x.dtype == y.dtype, key
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True) and np.array_equal(np.signbit(x), np.signbit(y)), key
        else:
            assert np.array_equal(x, y), key
    for part in ("counters", "memory", "flows"):
        for key, x in vars(getattr(a, part)).items():
            y = vars(getattr(b, part))[key]
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (part, key)
    assert a.devices == b.devices
    assert a.metadata == b.metadata


def _both(text: bytes) -> tuple[Trace | str, Trace | str, bool]:
    """Both readers' answers (a trace, or the error raised) and whether the scanner read the
    document itself."""
    def parse() -> Trace | str:
        try:
            return chrome_trace.parse_chrome_trace(text, "t.pt.trace.json")
        except (TraceFormatError, OverflowError) as e:  # OverflowError: an id past int64
            return f"{type(e).__name__}: {e}"

    scanned = fast_scan.scan(chrome_trace._inflate(text, "t")) is not None
    fast = parse()
    with _pure_python():
        slow = parse()
    return fast, slow, scanned


def _check(text: bytes) -> bool:
    fast, slow, scanned = _both(text)
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
    else:
        _assert_same(fast, slow)
    return scanned


@needs_c
def test_torch_profiler_traces_are_scanned_identically(torch_logdir: Path) -> None:
    paths = sorted(torch_logdir.rglob("*.pt.trace.json*"))
    assert paths
    for path in paths:
        assert _check(path.read_bytes()), f"the scanner declined {path.name}"


@needs_c
@pytest.mark.parametrize("gpu", [True, False])
def test_demo_traces_are_scanned_identically(gpu: bool) -> None:
    from tbcore_profile.demo import kineto_trace

    assert _check(json.dumps(kineto_trace(steps=3, gpu=gpu)).encode())


def _event(**fields: Any) -> dict[str, Any]:
    base = {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 2, "ts": 10.5, "dur": 2.0}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not _ABSENT}


_ABSENT = object()
KERNEL_ARGS = {"device": 0, "stream": 7, "correlation": 9, "External id": 4, "grid": [1, 2, 3],
               "block": [128, 1, 1], "registers per thread": 32, "shared memory": 0, "blocks per SM": 0.5,
               "est. achieved occupancy %": 25}
UNUSUAL: list[Any] = [
    _event(name="a\u00e9\u4e2d\U0001f600", cat="CPU_OP"),
    _event(name="esc\\aped \"quote\" \n tab\t", args={"Call stack": "a.py(1): f;C:\\b.py(2): g"}),
    _event(name=""),
    _event(name=_ABSENT, cat=_ABSENT),
    _event(dur=-0.0, ts=-0.0),
    _event(dur=0, ts=7),
    _event(dur=None),
    _event(ts=1e-7, dur=123456789.123456789),
    _event(ts=1.5e3, dur=2E+2),
    _event(ts=12345678901234567890),
    _event(pid="Spans", tid="PyTorch Profiler"),
    _event(pid="1", tid=2),
    _event(pid=None, tid=True),
    _event(pid=[1, 2], tid=_ABSENT),
    _event(args={"Input Dims": [[256, 32], [], [1]], "External id": 0}),
    _event(args={"Input Dims": None, "Input dims": [[3]]}),
    _event(args={"Input dims": None}),
    _event(args={"Input Dims": "scalar"}),
    _event(args={"Input Dims": [["a", "b'c"], [True, None]]}),
    _event(args={"Input Dims": [[1.5]]}),
    _event(args={"Input Dims": [{"a": 1}]}),
    _event(args={"Input Dims": [-0, 5]}),
    _event(args={"Input Dims": 5}),
    _event(args={"External id": 3, "external id": 4}),
    _event(args={"external id": 4, "correlation": None}),
    _event(args={"External id": 2.0}),
    _event(args={"External id": 123456789012345678901234}),
    _event(args=None),
    _event(args=[]),
    _event(cat="python_function", args={"Python module id": 0}),
    _event(cat="python_function", args={"Python module id": None}),
    _event(cat="python", args={"Input Dims": [[2]]}),
    _event(cat="kernel", args=KERNEL_ARGS),
    _event(cat="Kernel", args={**KERNEL_ARGS, "device": "cuda", "grid": "1x2", "blocks per SM": "n/a"}),
    _event(cat="kernel", args={**KERNEL_ARGS, "registers per thread": 3.5}),
    _event(cat="kernel", args={**KERNEL_ARGS, "registers per thread": True}),
    _event(cat="kernel", args={**KERNEL_ARGS, "device": 2**40}),
    _event(cat="gpu_memcpy", args={"bytes": 1 << 40, "device": 0, "stream": 7}),
    _event(cat="gpu_user_annotation", args={"device": 0}),
    _event(cat="cuda_runtime", args={"correlation": 9, "External id": 4}),
    _event(cat="weird category"),
    _event(cat="c\u00e2t"),
    {"ph": "X", "ph2": "i", "cat": "cpu_op", "name": "dup", "name ": 1, "ts": 1, "dur": 1, "ts ": 0},
    json.loads('{"ph": "X", "name": "first", "name": "second", "ts": 1, "ts": 2, "pid": 1, "tid": 1}'),
    {"ph": "i", "name": "[memory]", "pid": 1, "tid": 1, "ts": 5,
     "args": {"Device Type": 1, "Device Id": 0, "Addr": 140000000000000, "Bytes": -512,
              "Total Allocated": 1024, "Total Reserved": 2048.5}},
    {"ph": "i", "name": "[memory]", "pid": 1, "tid": 1, "ts": 4, "args": {"Device Type": 300}},
    {"ph": "i", "name": "[memory]", "pid": 1, "tid": 1, "ts": 3},
    {"ph": "I", "name": "[memory]", "pid": 1, "tid": 1, "ts": 3, "args": {"Bytes": None}},
    {"ph": "i", "name": "other instant", "ts": "whenever"},
    {"ph": "s", "id": 5, "cat": "ac2g", "pid": 1, "tid": 2, "ts": 10},
    {"ph": "f", "id": 5, "cat": "ac2g", "pid": 0, "tid": 7, "ts": 12, "bp": "e"},
    {"ph": "t", "id": 6, "ts": 13},
    {"ph": "s", "id": 7, "cat": 3, "ts": 13},
    {"ph": "C", "name": "GPU 0 Utilization", "pid": 0, "tid": 0, "ts": 1,
     "args": {"GPU Utilization": 0.5, "flag": True, "text": "x", "n": 3}},
    {"ph": "C", "name": 5, "ts": 1, "args": {"a": 1}},
    json.loads('{"ph": "C", "name": "dup", "ts": 1, "args": {"a": 1, "b": 2, "a": 3}}'),
    {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "python"}},
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 2, "args": {"name": "main thread"}},
    {"ph": "M", "name": "process_labels", "pid": 0, "args": {"labels": "GPU 0"}},
    {"ph": "B", "name": "begin", "ts": 1},
    {"ph": 3},
    {"no phase": True},
    {},
    "not an event",
    [1, 2],
]


@pytest.mark.parametrize("event", UNUSUAL, ids=range(len(UNUSUAL)))
def test_unusual_events_read_identically(event: Any) -> None:
    document = {"schemaVersion": 1, "traceEvents": [_event(), event, _event(name="after", ts=20)]}
    _check(json.dumps(document).encode())
    _check(json.dumps(document, ensure_ascii=False, indent=1).encode())


@pytest.mark.parametrize(
    "text",
    [
        b'{"traceEvents": []}',
        b' \n{"traceEvents": [], "deviceProperties": [{"id": 0}, 3], "x": {"a": [1, 2.5, null]}}\n ',
        b'{"a": 1, "traceEvents": [], "a": 2}',
        b'{"traceEvents": [], "traceEvents": [{"ph": "X", "ts": 1}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1}]} trailing',
        b'{"traceEvents": [{"ph": "X", "ts": NaN}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "name": "\xff"}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "name": "\xed\xa0\x80"}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "name": "\\ud800"}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "name": "\\u0041\\/"}]}',
        b'{"traceEvents": [{"ph": "\\u0058", "ts": 1}]}',
        b'{"traceEvents": [{"p\\u0068": "X", "ts": 1}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 01}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1.}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "args": {"x": [[[[[[[[[[[[1]]]]]]]]]]]]}}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "dur": 1e999}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1, "dur": 2}',
        b'{"traceEvents": [{"ph": "X", "ts": 1 "dur": 2}]}',
        b'{"traceEvents": [{"ph": "X", "ts": 1,}]}',
        b'{"traceEvents": {}}',
        b'{}',
        b'[]',
        b'',
    ],
)
def test_unusual_documents_read_identically(text: bytes) -> None:
    _check(text)


def _mutations(document: dict[str, Any], rng: random.Random) -> Iterator[dict[str, Any]]:
    values: list[Any] = [None, True, 0, -1, 2**33, 1.25, -0.0, "", "x", "N/A", [], [1, [2]], {}, {"a": 1}]
    for _ in range(60):
        mutated = copy.deepcopy(document)
        for _ in range(3):
            event = rng.choice(mutated["traceEvents"])
            target = event.get("args") if isinstance(event.get("args"), dict) and rng.random() < 0.5 else event
            keys = list(target) or ["x"]
            if rng.random() < 0.2:
                target.pop(rng.choice(keys), None)
            else:
                target[rng.choice(keys)] = rng.choice(values)
        yield mutated


@needs_c
def test_randomly_damaged_traces_read_identically() -> None:
    from tbcore_profile.demo import kineto_trace

    rng = random.Random(16)
    document = kineto_trace(steps=1, gpu=True)
    declined = 0
    for mutated in _mutations(document, rng):
        declined += not _check(json.dumps(mutated).encode())
    assert 0 < declined < 60
