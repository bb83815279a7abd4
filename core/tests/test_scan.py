"""Tests of the event-file scanner (tbcore.io.scan): both implementations.

Files written by the real writers (tensorboard, torch, tensorboardX, tf.summary) are checked
against tensorboard's own record reader and protobuf classes; the C and the pure-Python
scanners are checked to give identical results (every array, byte for byte, tags, damage,
consumed, resync, records) on real, truncated, damaged, mutated and random input.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import random
import re
import struct
import subprocess
import sys
import threading
from pathlib import Path

import warm_python

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import crc32c
import numpy as np
import pytest
from tensorboard.compat.proto import (
    event_pb2,
    summary_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
)

from tbcore.io import _scan_py
from tbcore.io.scan import (
    DEFAULT_MAX_RECORD_LENGTH,
    KIND_DOUBLE_TENSOR,
    KIND_FLOAT_TENSOR,
    KIND_OTHER,
    KIND_SIMPLE_VALUE,
    ScanResult,
    _wrap_c,
)

try:
    from tbcore.io import _recordscan  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the build
    _recordscan = None

py_scan = _scan_py.scan
c_scan = _wrap_c(_recordscan.scan) if _recordscan is not None else None

needs_c = pytest.mark.skipif(
    _recordscan is None,
    reason="C extension tbcore.io._recordscan is not built "
    "(python setup.py build_ext --inplace); only the Python scanner was tested",
)

# --- helpers --------------------------------------------------------------------------------


def masked_crc(data: bytes) -> int:
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(payload: bytes) -> bytes:
    """A TFRecord: length, masked CRC of the length, payload, masked CRC of the payload."""
    length = struct.pack("<Q", len(payload))
    return (
        length
        + struct.pack("<I", masked_crc(length))
        + payload
        + struct.pack("<I", masked_crc(payload))
    )


def header(length: int) -> bytes:
    """A record header with a right CRC."""
    raw = struct.pack("<Q", length)
    return raw + struct.pack("<I", masked_crc(raw))


def record_spans(buf: bytes) -> list[tuple[int, bytes]]:
    """(offset, payload) of the records of an undamaged file."""
    spans, pos = [], 0
    while pos + 12 <= len(buf):
        (length,) = struct.unpack_from("<Q", buf, pos)
        if pos + 16 + length > len(buf):
            break
        spans.append((pos, buf[pos + 12 : pos + 12 + length]))
        pos += 16 + length
    return spans


def assert_same(a: ScanResult, b: ScanResult) -> None:
    """Identical results: every array byte for byte (NaN payloads included)."""
    for f in dataclasses.fields(ScanResult):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), f.name
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            assert x.tobytes() == y.tobytes(), f.name
        else:
            assert type(x) is type(y), f.name
            assert x == y, f.name


def check_consistent(r: ScanResult, n: int) -> None:
    """Invariants that hold for any result."""
    v = len(r.v_record)
    for name in ("v_tag", "v_kind", "v_step", "v_wall_time", "v_value", "v_offset", "v_length"):
        assert len(getattr(r, name)) == v
    assert len(r.v_meta_offset) == len(r.v_meta_length) == v
    assert len(r.o_offset) == len(r.o_length) == len(r.o_record)
    assert 0 <= r.consumed <= n
    assert all(0 <= t < len(r.tags) for t in r.v_tag.tolist())
    assert set(r.v_record.tolist()).isdisjoint(r.o_record.tolist())
    assert all(0 <= i < r.records for i in (*r.v_record.tolist(), *r.o_record.tolist()))
    assert len(set(r.tags)) == len(r.tags)


def scan_both(buf, base_offset=0, resync=False, max_record_length=DEFAULT_MAX_RECORD_LENGTH):
    """The Python result, checked against the C one when the extension is built."""
    expected = py_scan(buf, base_offset, resync, max_record_length)
    check_consistent(expected, len(memoryview(buf).cast("B")))
    if c_scan is not None:
        assert_same(expected, c_scan(buf, base_offset, resync, max_record_length))
    return expected


def rows(r: ScanResult, base_record: int = 0) -> list[tuple]:
    """The value and other rows of a result, tags resolved, in record order."""
    out: list[tuple] = []
    for i in range(len(r.v_record)):
        out.append(
            (
                int(r.v_record[i]) + base_record,
                r.tags[r.v_tag[i]],
                int(r.v_kind[i]),
                int(r.v_step[i]),
                r.v_wall_time[i].tobytes(),
                r.v_value[i].tobytes(),
                int(r.v_offset[i]),
                int(r.v_length[i]),
                int(r.v_meta_offset[i]),
                int(r.v_meta_length[i]),
            )
        )
    for i in range(len(r.o_record)):
        out.append((int(r.o_record[i]) + base_record, int(r.o_offset[i]), int(r.o_length[i])))
    return sorted(out, key=lambda row: row[0])


# protobuf wire encoding, for hand-made (and malformed) messages


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def ld(number: int, payload: bytes) -> bytes:
    return key(number, 2) + varint(len(payload)) + payload


def f64(number: int, value: float) -> bytes:
    return key(number, 1) + struct.pack("<d", value)


def f32(number: int, value: float) -> bytes:
    return key(number, 5) + struct.pack("<f", value)


def vint(number: int, value: int) -> bytes:
    return key(number, 0) + varint(value)


def simple_value(tag: bytes, value: float) -> bytes:
    return ld(1, tag) + f32(2, value)


def summary_event(*values: bytes, step: int = 0, wall_time: float = 0.0) -> bytes:
    return f64(1, wall_time) + vint(2, step) + ld(5, b"".join(ld(1, v) for v in values))


# --- fixtures: small files from the writers ---------------------------------------------------


def small_events() -> list[event_pb2.Event]:
    """Events of every shape the scanner distinguishes."""
    events = [event_pb2.Event(wall_time=10.0, file_version="brain.Event:2")]
    for step in range(3):
        e = event_pb2.Event(wall_time=10.5 + step, step=step)
        e.summary.value.add(tag="loss", simple_value=1.0 / (step + 1))
        v = e.summary.value.add(tag="acc", simple_value=0.25 * step)
        v.metadata.plugin_data.plugin_name = "scalars"
        events.append(e)
    e = event_pb2.Event(wall_time=20.0, step=7)
    e.summary.value.add(
        tag="t_float", tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[2.5])
    )
    e.summary.value.add(
        tag="t_double",
        tensor=tensor_pb2.TensorProto(
            dtype=types_pb2.DT_DOUBLE, tensor_content=struct.pack("<d", 1.0 / 3)
        ),
    )
    e.summary.value.add(
        tag="t_vector",
        tensor=tensor_pb2.TensorProto(
            dtype=types_pb2.DT_FLOAT,
            float_val=[1.0, 2.0],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=2)]
            ),
        ),
    )
    e.summary.value.add(tag="h", histo=summary_pb2.HistogramProto(min=0, max=1, num=2))
    e.summary.value.add(node_name="old_style", simple_value=-4.0)
    events.append(e)
    events.append(event_pb2.Event(wall_time=21.0, step=8, log_message=event_pb2.LogMessage()))
    events.append(
        event_pb2.Event(
            wall_time=22.0, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)
        )
    )
    return events


def small_file() -> bytes:
    return b"".join(frame(e.SerializeToString()) for e in small_events())


def write_with_tensorboard(logdir: Path) -> None:
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(logdir))
    for event in small_events()[1:]:
        writer.add_event(event)
    writer.close()


def write_with_torch(logdir: Path) -> None:
    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    writer = torch_tb.SummaryWriter(log_dir=str(logdir))
    rng = np.random.default_rng(0)
    for step in range(5):
        writer.add_scalar("train/loss", 1.0 / (step + 1), step)
        writer.add_scalar("train/new_style", 0.5 * step, step, new_style=True)
        writer.add_scalar("train/double", 0.1 * step, step, new_style=True, double_precision=True)
        writer.add_histogram("weights", rng.normal(size=100), step)
        writer.add_image("image", rng.random((3, 8, 8)), step)
        writer.add_text("note", f"step {step}", step)
    writer.close()


def write_with_tensorboardx(logdir: Path) -> None:
    tbx = pytest.importorskip("tensorboardX")
    writer = tbx.SummaryWriter(logdir=str(logdir))
    rng = np.random.default_rng(1)
    for step in range(5):
        writer.add_scalar("loss", 2.0 - 0.1 * step, step)
        writer.add_histogram("weights", rng.normal(size=50), step)
        writer.add_image("image", rng.random((3, 4, 4)), step)
        writer.add_text("note", "hello", step)
    writer.close()


TF_WRITER = """
import sys
import tensorflow as tf
writer = tf.summary.create_file_writer(sys.argv[1])
with writer.as_default():
    for step in range(5):
        tf.summary.scalar("loss", 0.5 * step, step=step)
        tf.summary.write("exact", tf.constant(0.25 * step, tf.float64), step=step)
        tf.summary.histogram("weights", tf.range(10, dtype=tf.float32) * step, step=step)
        tf.summary.image("image", tf.zeros([1, 4, 4, 3]), step=step)
        tf.summary.text("note", "hello", step=step)
writer.close()
"""


def write_with_tf(logdir: Path) -> None:
    """TF2 summaries, written in a subprocess so TensorFlow stays out of the test process."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    warm_python.run([sys.executable, "-c", TF_WRITER, str(logdir)], check=True, env=env, timeout=240)


def event_files(logdir: Path) -> list[Path]:
    files = sorted(logdir.rglob("events.out.tfevents.*"))
    assert files
    return files


# --- decoding real files ----------------------------------------------------------------------


def expected_scalar(value: summary_pb2.Summary.Value) -> tuple[int, float]:
    """(kind, value) by tbcore's rules, computed with protobuf."""
    which = value.WhichOneof("value")
    if which == "simple_value":
        return KIND_SIMPLE_VALUE, value.simple_value
    if which == "tensor":
        t = value.tensor
        if t.tensor_shape.dim or t.tensor_shape.unknown_rank:
            return KIND_OTHER, 0.0
        if t.dtype == types_pb2.DT_FLOAT:
            if t.tensor_content:
                if len(t.tensor_content) == 4:
                    return KIND_FLOAT_TENSOR, struct.unpack("<f", t.tensor_content)[0]
            elif len(t.float_val) == 1:
                return KIND_FLOAT_TENSOR, t.float_val[0]
        if t.dtype == types_pb2.DT_DOUBLE:
            if t.tensor_content:
                if len(t.tensor_content) == 8:
                    return KIND_DOUBLE_TENSOR, struct.unpack("<d", t.tensor_content)[0]
            elif len(t.double_val) == 1:
                return KIND_DOUBLE_TENSOR, t.double_val[0]
    return KIND_OTHER, 0.0


def check_against_protobuf(path: Path) -> set[int]:
    """Scans a file and checks every row against tensorboard's reader; returns the kinds seen."""
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader

    buf = path.read_bytes()
    base = 1000
    result = scan_both(buf, base)
    spans = record_spans(buf)
    assert [payload for _, payload in spans] == list(RawEventFileLoader(str(path)).Load())
    assert result.consumed == len(buf)
    assert not result.resync and result.damage == []
    assert result.records == len(spans)

    v = o = 0
    for index, (offset, payload) in enumerate(spans):
        event = event_pb2.Event.FromString(payload)
        if event.WhichOneof("what") != "summary":
            assert result.o_record[o] == index
            assert result.o_offset[o] == base + offset + 12
            assert result.o_length[o] == len(payload)
            o += 1
            continue
        for value in event.summary.value:
            assert result.v_record[v] == index
            assert result.v_step[v] == event.step
            assert result.v_wall_time[v] == event.wall_time
            assert result.tags[result.v_tag[v]] == (value.tag or value.node_name).encode()
            kind, number = expected_scalar(value)
            assert result.v_kind[v] == kind
            assert result.v_value[v] == number
            start = int(result.v_offset[v]) - base
            parsed = summary_pb2.Summary.Value.FromString(buf[start : start + result.v_length[v]])
            assert parsed == value
            if value.HasField("metadata"):
                start = int(result.v_meta_offset[v]) - base
                meta = buf[start : start + result.v_meta_length[v]]
                assert summary_pb2.SummaryMetadata.FromString(meta) == value.metadata
            else:
                assert (result.v_meta_offset[v], result.v_meta_length[v]) == (-1, 0)
            v += 1
    assert v == len(result.v_record) and o == len(result.o_record)
    return set(result.v_kind.tolist())


def test_tensorboard_writer(tmp_path):
    write_with_tensorboard(tmp_path)
    kinds = set()
    for path in event_files(tmp_path):
        kinds |= check_against_protobuf(path)
    assert kinds == {KIND_SIMPLE_VALUE, KIND_FLOAT_TENSOR, KIND_DOUBLE_TENSOR, KIND_OTHER}


def test_torch_writer(tmp_path):
    write_with_torch(tmp_path)
    kinds = set()
    for path in event_files(tmp_path):
        kinds |= check_against_protobuf(path)
    assert kinds == {KIND_SIMPLE_VALUE, KIND_FLOAT_TENSOR, KIND_DOUBLE_TENSOR, KIND_OTHER}


def test_tensorboardx_writer(tmp_path):
    write_with_tensorboardx(tmp_path)
    kinds = set()
    for path in event_files(tmp_path):
        kinds |= check_against_protobuf(path)
    assert {KIND_SIMPLE_VALUE, KIND_OTHER} <= kinds


@pytest.mark.slow
def test_tf_summary_writer(tmp_path):
    write_with_tf(tmp_path)
    kinds = set()
    for path in event_files(tmp_path):
        kinds |= check_against_protobuf(path)
    assert kinds == {KIND_FLOAT_TENSOR, KIND_DOUBLE_TENSOR, KIND_OTHER}


# --- framing ----------------------------------------------------------------------------------


def test_empty_buffer():
    r = scan_both(b"")
    assert (r.consumed, r.resync, r.records, r.damage, r.tags) == (0, False, 0, [], [])
    r = scan_both(b"", 5, resync=True)
    assert (r.consumed, r.resync, r.records, r.damage) == (0, True, 0, [])


def test_every_truncation_point():
    buf = small_file()
    ends = [offset + 16 + len(payload) for offset, payload in record_spans(buf)]
    for k in range(len(buf) + 1):
        r = scan_both(buf[:k], 50)
        complete = [end for end in ends if end <= k]
        assert r.consumed == (complete[-1] if complete else 0)
        assert r.records == len(complete)
        assert not r.resync and r.damage == []


def test_bad_payload_crc():
    records = [frame(summary_event(simple_value(b"a", i), step=i)) for i in range(3)]
    bad = bytearray(records[1])
    bad[14] ^= 0x01
    buf = records[0] + bytes(bad) + records[2]
    r = scan_both(buf)
    n = len(records[1]) - 16
    assert r.damage == [
        (len(records[0]), f"payload CRC mismatch in record of {n} bytes, record skipped")
    ]
    assert r.records == 2 and r.v_step.tolist() == [0, 2] and r.consumed == len(buf)


def test_bad_length_crc():
    records = [frame(summary_event(simple_value(b"a", i), step=i)) for i in range(3)]
    bad = bytearray(records[1])
    bad[9] ^= 0x40
    buf = records[0] + bytes(bad) + records[2]
    start, resumed = len(records[0]), len(records[0]) + len(bad)
    r = scan_both(buf, 100)
    assert r.damage == [
        (100 + start, "length header CRC mismatch, scanning for the next valid record"),
        (
            100 + start,
            f"skipped {len(bad)} bytes of damaged data, resumed at offset {100 + resumed}",
        ),
    ]
    assert r.records == 2 and r.v_step.tolist() == [0, 2] and not r.resync


def test_huge_length_header():
    """A right-CRC header claiming 2**40 bytes allocates nothing big and is skipped."""
    import tracemalloc

    good = frame(summary_event(simple_value(b"a", 1.0), step=1))
    buf = good + header(1 << 40) + b"\x00" * 5 + good
    tracemalloc.start()
    try:
        r = scan_both(buf)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
    assert r.damage == [
        (
            len(good),
            f"length {1 << 40} exceeds the limit of {DEFAULT_MAX_RECORD_LENGTH} bytes, "
            "scanning for the next valid record",
        ),
        (len(good), f"skipped 17 bytes of damaged data, resumed at offset {len(good) + 17}"),
    ]
    assert r.records == 2 and r.consumed == len(buf)

    # With a limit above it, the record is merely incomplete: the scan waits at its header.
    r = scan_both(buf, 0, False, 1 << 62)
    assert (r.records, r.consumed, r.resync, r.damage) == (1, len(good), False, [])


def test_max_record_length():
    payload = summary_event(simple_value(b"a", 1.0))
    buf = frame(payload) + frame(b"")
    r = scan_both(buf, 0, False, 10)
    assert r.damage[0][1].startswith(f"length {len(payload)} exceeds the limit of 10 bytes")
    assert r.records == 1 and r.o_length.tolist() == [0]


def test_resync_runs_off_the_end():
    good = frame(summary_event(simple_value(b"a", 1.0)))
    buf = good + b"\xff" * 40
    r = scan_both(buf)
    assert r.resync and r.consumed == len(buf) - 11
    assert r.damage == [
        (len(good), "length header CRC mismatch, scanning for the next valid record")
    ]
    # Continuing finds the next record, whose payload is not all there yet: wait at it.
    more = buf + good[:20]
    r2 = scan_both(more[r.consumed :], r.consumed, True)
    assert not r2.resync and r2.consumed == len(buf) - r.consumed
    assert r2.damage == [
        (r.consumed, f"skipped 11 bytes of damaged data, resumed at offset {len(buf)}")
    ]


def test_resync_continuation_equals_whole_scan():
    """Scanning in pieces, passing resync on, finds what one scan finds; only the "skipped"
    entry differs (it counts from where the continuing scan started)."""
    records = [frame(summary_event(simple_value(b"t%d" % i, i), step=i)) for i in range(4)]
    damaged = bytearray(records[1])
    damaged[2] ^= 0x10
    buf = records[0] + bytes(damaged) + b"\x00\x01\x02" + records[2] + frame(b"") + records[3]
    whole = scan_both(buf)
    assert len(whole.damage) == 2 and whole.records == 4
    for k in range(len(buf) + 1):
        first = scan_both(buf[:k])
        second = scan_both(buf[first.consumed :], first.consumed, first.resync)
        damage = first.damage + second.damage
        if first.resync:
            offset, message = second.damage[0]
            m = re.fullmatch(
                r"skipped (\d+) bytes of damaged data, resumed at offset (\d+)", message
            )
            assert m and offset == first.consumed
            resumed = int(m[2])
            assert int(m[1]) == resumed - first.consumed
            start = first.damage[-1][0]
            fixed = (
                start,
                f"skipped {resumed - start} bytes of damaged data, resumed at offset {resumed}",
            )
            damage = first.damage + [fixed] + second.damage[1:]
        assert damage == whole.damage
        assert rows(first) + rows(second, first.records) == rows(whole)
        assert first.records + second.records == whole.records
        assert first.consumed + second.consumed == whole.consumed


def test_one_byte_flipped_everywhere():
    """Any one damaged byte costs exactly the record it is in; both scanners agree."""
    buf = small_file()
    spans = record_spans(buf)
    total = len(spans)
    for pos in range(len(buf)):
        index = max(i for i, (offset, _) in enumerate(spans) if offset <= pos)
        offset, payload = spans[index]
        for flip in (0xFF, 0x01, 0x80):
            damaged = bytearray(buf)
            damaged[pos] ^= flip
            r = scan_both(bytes(damaged))
            assert r.records == total - 1
            assert r.damage and r.damage[0][0] == offset
            last = index == total - 1
            if last and pos < offset + 12:
                assert r.resync and r.consumed == len(buf) - 11
            else:
                assert not r.resync and r.consumed == len(buf)


def test_random_bytes():
    rng = random.Random(1234)
    for size in [*range(40), 100, 1000, 5000]:
        for _ in range(3):
            buf = rng.randbytes(size)
            scan_both(buf)
            scan_both(buf, 7, True)


def test_buffer_types_and_base_offset():
    buf = small_file()
    r = scan_both(buf)
    for other in (bytearray(buf), memoryview(buf), memoryview(bytearray(buf))):
        assert_same(r, scan_both(other))
    # A memoryview of another format is scanned as its bytes.
    as_int16 = memoryview(buf[: len(buf) // 2 * 2]).cast("h")
    assert_same(scan_both(buf[: len(buf) // 2 * 2]), scan_both(as_int16))
    # A slice at its own base offset sees the same records at the same offsets.
    second = record_spans(buf)[1][0]
    tail = scan_both(memoryview(buf)[second:], second)
    assert rows(tail, 1) == [row for row in rows(r) if row[0] >= 1]

    damaged = bytearray(buf)
    damaged[second + 3] ^= 1
    shifted, plain = scan_both(bytes(damaged), 12345), scan_both(bytes(damaged))
    assert len(plain.damage) == 2
    assert shifted.v_offset.tolist() == [x + 12345 for x in plain.v_offset.tolist()]
    assert shifted.o_offset.tolist() == [x + 12345 for x in plain.o_offset.tolist()]
    metas = plain.v_meta_offset.tolist()
    assert shifted.v_meta_offset.tolist() == [x + 12345 if x >= 0 else -1 for x in metas]

    def shift_message(message: str) -> str:
        return re.sub(r"offset (\d+)", lambda m: f"offset {int(m[1]) + 12345}", message)

    assert shifted.damage == [(o + 12345, shift_message(m)) for o, m in plain.damage]
    assert (shifted.consumed, shifted.records) == (plain.consumed, plain.records)


def test_bad_arguments():
    scans = [py_scan] + ([c_scan] if c_scan is not None else [])
    for scan in scans:
        with pytest.raises(ValueError):
            scan(b"", -1)
        with pytest.raises(ValueError):
            scan(b"", 0, False, -1)


# --- Event decoding rules ---------------------------------------------------------------------


def scan_payloads(*payloads: bytes) -> ScanResult:
    return scan_both(b"".join(frame(p) for p in payloads))


@pytest.mark.parametrize("number", [3, 4, 6, 7, 8, 9])
@pytest.mark.parametrize("after", [True, False])
def test_summary_with_other_field_is_other(number, after):
    summary, other = summary_event(simple_value(b"a", 1.0)), ld(number, b"")
    r = scan_payloads(summary + other if after else other + summary)
    assert r.records == 1 and len(r.v_record) == 0 and r.o_record.tolist() == [0]
    assert r.tags == []


def test_source_metadata_does_not_make_other():
    r = scan_payloads(summary_event(simple_value(b"a", 1.0)) + ld(10, ld(1, b"writer")))
    assert r.tags == [b"a"] and len(r.o_record) == 0


def test_empty_and_unknown_events_are_other():
    unknown = f64(1, 3.0) + vint(99, 5) + ld(50, b"x")
    r = scan_payloads(b"", unknown)
    assert r.o_length.tolist() == [0, len(unknown)] and r.o_record.tolist() == [0, 1]


def test_repeated_fields_merge():
    payload = (
        f64(1, 1.0)
        + ld(5, ld(1, simple_value(b"a", 1.0)))
        + vint(2, 3)
        + f64(1, 2.0)
        + ld(5, ld(1, simple_value(b"b", 2.0)) + ld(1, simple_value(b"a", 3.0)))
        + vint(2, -5)
    )
    r = scan_payloads(payload)
    assert r.tags == [b"a", b"b"]
    assert r.v_tag.tolist() == [0, 1, 0] and r.v_value.tolist() == [1.0, 2.0, 3.0]
    assert r.v_step.tolist() == [-5] * 3 and r.v_wall_time.tolist() == [2.0] * 3
    assert r.v_record.tolist() == [0, 0, 0]


def test_tag_node_name_and_metadata():
    meta1, meta2 = ld(1, ld(1, b"scalars")), ld(2, b"description")
    value = ld(7, b"node") + ld(9, meta1) + ld(1, b"") + f32(2, 1.5) + ld(9, meta2)
    buf = frame(summary_event(value, ld(1, b"tag") + ld(7, b"node") + f32(2, 2.0)))
    r = scan_both(buf, 10)
    assert r.tags == [b"node", b"tag"]
    offset = 10 + buf.index(meta2)
    assert r.v_meta_offset.tolist() == [offset, -1] and r.v_meta_length.tolist() == [13, 0]
    assert r.v_kind.tolist() == [KIND_SIMPLE_VALUE] * 2


def tensor(*fields: bytes) -> bytes:
    return ld(8, b"".join(fields))


SCALAR = ld(2, b"")  # an empty TensorShapeProto: rank 0
TENSOR_CASES = [
    (tensor(vint(1, 1), ld(5, struct.pack("<f", 2.5))), KIND_FLOAT_TENSOR, 2.5),
    (tensor(vint(1, 1), f32(5, 2.5)), KIND_FLOAT_TENSOR, 2.5),
    (tensor(vint(1, 1), SCALAR, ld(4, struct.pack("<f", -1.0))), KIND_FLOAT_TENSOR, -1.0),
    (tensor(vint(1, 2), ld(6, struct.pack("<d", 0.1))), KIND_DOUBLE_TENSOR, 0.1),
    (tensor(vint(1, 2), f64(6, 0.2)), KIND_DOUBLE_TENSOR, 0.2),
    (tensor(vint(1, 2), ld(4, struct.pack("<d", 0.3))), KIND_DOUBLE_TENSOR, 0.3),
    (tensor(vint(1, 2), ld(4, struct.pack("<d", 0.3)), f64(6, 1.0)), KIND_DOUBLE_TENSOR, 0.3),
    (tensor(vint(1, 1), f32(5, 1.0), f32(5, 2.0)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1), ld(4, b"\x00" * 8)), KIND_OTHER, 0.0),
    (tensor(vint(1, 2), ld(4, b"\x00" * 4)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1)), KIND_OTHER, 0.0),
    (tensor(vint(1, 3), vint(7, 5)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1), ld(2, ld(2, vint(1, 1))), f32(5, 1.0)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1), ld(2, vint(3, 1)), f32(5, 1.0)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1), ld(2, vint(3, 1) + vint(3, 0)), f32(5, 1.0)), KIND_FLOAT_TENSOR, 1.0),
    # Two tensor fields merge: dtype from one, value from the other.
    (tensor(vint(1, 1)) + tensor(f32(5, 4.0)), KIND_FLOAT_TENSOR, 4.0),
    (tensor(vint(1, 1), f32(5, 4.0)) + tensor(f32(5, 4.0)), KIND_OTHER, 0.0),
    (tensor(vint(1, 1 + (1 << 32)), f32(5, 4.0)), KIND_FLOAT_TENSOR, 4.0),  # enum is int32
    (tensor(vint(1, 1), f32(5, 4.0)) + f32(2, 1.0), KIND_OTHER, 0.0),
    (tensor(vint(1, 1), f32(5, 4.0)) + ld(5, b""), KIND_OTHER, 0.0),
    (f32(2, 1.0) + ld(4, b""), KIND_OTHER, 0.0),
    (ld(3, b"old histogram"), KIND_OTHER, 0.0),
    (f32(2, 7.0) + ld(2, b"wrong wire type"), KIND_SIMPLE_VALUE, 7.0),
    (vint(2, 7) + ld(8, b""), KIND_OTHER, 0.0),
]


@pytest.mark.parametrize(("fields", "kind", "value"), TENSOR_CASES)
def test_value_kinds(fields, kind, value):
    r = scan_payloads(summary_event(ld(1, b"x") + fields))
    assert r.v_kind.tolist() == [kind]
    assert r.v_value.tolist() == [pytest.approx(value, rel=1e-7)]


MALFORMED_EVENTS = [
    b"\x08",  # truncated varint
    b"\x10\xff",  # truncated varint
    b"\x10" + b"\xff" * 10 + b"\x01",  # 11-byte varint
    b"\x09\x00\x00",  # truncated double
    b"\x2a\x05\x0a",  # length beyond the end
    b"\x2a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # huge length
    b"\x0b\x0c",  # group (start)
    b"\x0c",  # group (end)
    b"\x07\x00",  # wire type 7
    b"\x06\x00",  # wire type 6
    b"\x00\x00",  # field 0
    varint(1 << 35) + b"\x00",  # key beyond 32 bits
    summary_event(ld(1, b"a") + b"\x15\x00"),  # truncated float in the Value
    summary_event(ld(1, b"a") + ld(8, ld(5, b"\x00" * 5))),  # packed floats, bad length
    summary_event(ld(1, b"a") + ld(8, ld(5, b"\x00" * 6))),  # packed floats, bad length
    summary_event(ld(1, b"a") + ld(8, ld(6, b"\x00" * 12))),  # packed doubles, bad length
    summary_event(ld(1, b"a") + ld(8, ld(6, b"\x00" * 4))),  # packed doubles, bad length
    summary_event(ld(1, b"a") + ld(8, ld(2, b"\x18"))),  # truncated unknown_rank
    summary_event(ld(1, b"a") + ld(8, ld(2, b"\x12\x05"))),  # dim beyond the shape
    summary_event(ld(1, b"new tag"), ld(1, b"b") + b"\x0f"),  # second value broken
    f64(1, 1.0) + ld(5, b"\x0a\x03\x0a\x01"),  # value beyond the summary
]


@pytest.mark.parametrize("payload", MALFORMED_EVENTS)
def test_malformed_events(payload):
    good = summary_event(simple_value(b"good", 1.0), step=3)
    r = scan_payloads(good, payload, good)
    assert r.records == 2 and r.v_record.tolist() == [0, 1] and r.v_step.tolist() == [3, 3]
    assert r.tags == [b"good"]  # nothing from the invalid record
    assert r.damage == [
        (len(frame(good)), f"record of {len(payload)} bytes is not a valid Event, record skipped")
    ]


def test_malformed_parts_not_decoded_are_ignored():
    """Only what the scanner decodes is checked: a broken graph or summary in an event that
    is not a summary event, or broken metadata, does not matter."""
    r = scan_payloads(
        ld(4, b"\xff\xff") + ld(5, b"\x0f"),
        summary_event(ld(1, b"a") + ld(9, b"\x0f\x0f") + ld(5, b"\x07")),
    )
    assert r.records == 2 and r.damage == [] and r.tags == [b"a"]


def test_unknown_fields_and_long_varints():
    value = (
        ld(1, b"a") + vint(100, 1) + f64(101, 1.0) + f32(102, 1.0) + ld(103, b"xyz") + f32(2, 9.0)
    )
    payload = (
        key(1, 1)
        + struct.pack("<d", 5.0)
        + b"\x10"
        + b"\xff" * 9
        + b"\x01"  # step -1 in ten bytes
        + b"\xaa\x80\x80\x00"
        + varint(len(ld(1, value)))
        + ld(1, value)  # padded key for field 5
        + vint(1000, 1)
    )
    r = scan_payloads(payload)
    assert r.v_step.tolist() == [-1] and r.v_value.tolist() == [9.0] and r.tags == [b"a"]
    assert r.v_wall_time.tolist() == [5.0]
    # Bits beyond 64 in the tenth byte are dropped.
    r = scan_payloads(b"\x10" + b"\xff" * 9 + b"\x7f" + ld(5, ld(1, value)))
    assert r.v_step.tolist() == [-1]


def test_record_index_counts_valid_records_only():
    other = ld(3, b"brain.Event:2")
    r = scan_payloads(
        other,
        summary_event(simple_value(b"a", 1.0)),
        b"\xff",
        summary_event(),
        summary_event(simple_value(b"b", 2.0), simple_value(b"a", 3.0)),
        other,
    )
    assert r.records == 5
    assert r.o_record.tolist() == [0, 4] and r.v_record.tolist() == [1, 3, 3]


# --- C and Python agree on mutated and random input -------------------------------------------


def seed_payloads() -> list[bytes]:
    payloads = [e.SerializeToString() for e in small_events()]
    payloads += [summary_event(ld(1, b"x") + fields) for fields, _, _ in TENSOR_CASES]
    return payloads


def test_mutated_payloads_with_valid_crcs():
    """Every payload byte set to a few values, and every payload prefix, reframed with right
    CRCs so that the protobuf decoding (not the CRC check) meets the damage."""
    good = frame(summary_event(simple_value(b"good", 1.0)))
    for payload in seed_payloads() + MALFORMED_EVENTS:
        variants = [payload[:k] for k in range(len(payload))]
        for pos in range(len(payload)):
            for byte in (0x00, 0x7F, 0x80, 0xFF, payload[pos] ^ 0x08):
                variants.append(payload[:pos] + bytes([byte]) + payload[pos + 1 :])
        for variant in variants:
            r = scan_both(good + frame(variant) + good)
            assert r.records >= 2


def test_threads():
    """The C scanner releases the GIL: scanning from several threads at once gives the same
    results as scanning one at a time."""
    if c_scan is None:
        pytest.skip("C extension tbcore.io._recordscan is not built")
    buf = b"".join(
        frame(summary_event(simple_value(b"tag%d" % (i % 7), i), step=i)) for i in range(20000)
    )
    expected = c_scan(buf)
    failures = []

    def work():
        try:
            for _ in range(5):
                assert_same(expected, c_scan(buf))
                assert_same(expected, c_scan(bytearray(buf)))
        except AssertionError as e:  # pragma: no cover - reported below
            failures.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert expected.records == 20000 and len(expected.tags) == 7


try:
    import hypothesis
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    hypothesis = None  # type: ignore[assignment]

if hypothesis is not None:

    @st.composite
    def damaged_buffers(draw):
        """Records (real and mutated payloads, right or wrong CRCs) with garbage between."""
        seeds = seed_payloads()
        parts = []
        for _ in range(draw(st.integers(0, 6))):
            choice = draw(st.integers(0, 3))
            if choice == 0:
                parts.append(draw(st.binary(max_size=40)))
                continue
            if choice < 3:
                payload = bytearray(draw(st.sampled_from(seeds)))
            else:
                payload = bytearray(draw(st.binary(max_size=60)))
            for _ in range(draw(st.integers(0, 3))):
                if payload:
                    payload[draw(st.integers(0, len(payload) - 1))] = draw(st.integers(0, 255))
            record = bytearray(frame(bytes(payload)))
            if draw(st.integers(0, 5)) == 0:
                record[draw(st.integers(0, len(record) - 1))] ^= draw(st.integers(1, 255))
            parts.append(bytes(record))
        return b"".join(parts)

    @needs_c
    @hypothesis.settings(max_examples=200, deadline=None, database=None)
    @hypothesis.given(
        buf=st.one_of(st.binary(max_size=300), damaged_buffers()),
        base=st.integers(0, 1 << 40),
        resync=st.booleans(),
        limit=st.sampled_from([DEFAULT_MAX_RECORD_LENGTH, 0, 30, 1 << 62]),
        cut=st.integers(0, 400),
    )
    def test_property_c_equals_python(buf, base, resync, limit, cut):
        r = scan_both(buf, base, resync, limit)
        scan_both(buf[:cut], base, resync, limit)
        scan_both(buf[r.consumed :], base + r.consumed, r.resync, limit)

else:  # pragma: no cover

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_property_c_equals_python():
        pass


# --- packaging --------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["tbcore.io.scan", "tbcore.io._scan_py"])
def test_pure_python_import(first):
    """Either module can be imported first, with TBCORE_PURE_PYTHON=1 or without."""
    core = str(Path(_scan_py.__file__).resolve().parents[2])
    for pure in ("1", "0"):
        env = {**os.environ, "TBCORE_PURE_PYTHON": pure, "PYTHONPATH": core}
        code = (
            f"import {first}; import tbcore.io.scan as s; "
            "assert s.IMPLEMENTATION in ('c', 'python'); "
            f"assert {pure!r} == '0' or s.IMPLEMENTATION == 'python'; "
            "print(s.scan(b'').consumed)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "0"


@needs_c
def test_portable_crc32c():
    """The table-driven CRC (used where the CPU has no CRC32C instruction) gives the same
    results: records of every length from 0 to 100 bytes at every alignment, and damage."""
    if _recordscan.CRC32C == "table":
        pytest.skip("the table-driven CRC is the one in use; the other tests cover it")
    core = str(Path(_scan_py.__file__).resolve().parents[2])
    code = """if True:
        import random, sys
        from tbcore.io import _recordscan, _scan_py
        from tbcore.io.scan import _wrap_c
        assert _recordscan.CRC32C == "table", _recordscan.CRC32C
        c_scan = _wrap_c(_recordscan.scan)
        rng = random.Random(5)
        buf = sys.stdin.buffer.read()
        for start in range(8):
            for data in (buf[start:], bytes(b ^ rng.randrange(256) if rng.random() < 0.01 else b
                                            for b in buf[start:])):
                a, b = _scan_py.scan(data), c_scan(data)
                assert a.records == b.records and a.damage == b.damage, start
                assert a.consumed == b.consumed and a.resync == b.resync
        print(_scan_py.scan(buf).records)
    """
    payloads = [bytes(range(n)) for n in range(101)]
    buf = b"".join(frame(ld(3, p)) for p in payloads) + small_file()
    env = {**os.environ, "TBCORE_CRC32C_PORTABLE": "1", "PYTHONPATH": core}
    out = subprocess.run(
        [sys.executable, "-c", code], input=buf, env=env, capture_output=True, check=False
    )
    assert out.returncode == 0, out.stderr.decode()
    assert int(out.stdout) == len(payloads) + len(small_events())


def test_python_default_limit_matches_contract():
    import inspect

    default = inspect.signature(py_scan).parameters["max_record_length"].default
    assert default == DEFAULT_MAX_RECORD_LENGTH


def test_damage_messages_are_those_of_the_c_extension():
    """The message templates appear verbatim in the C source (the scans above compare the
    formatted messages themselves)."""
    source = Path(_scan_py.__file__).with_name("_recordscan.c")
    if not source.exists():
        pytest.skip("C source not present")
    text = source.read_text()
    for template in (
        _scan_py.MSG_PAYLOAD_CRC,
        _scan_py.MSG_HEADER_CRC,
        _scan_py.MSG_TOO_LONG,
        _scan_py.MSG_SKIPPED,
        _scan_py.MSG_NOT_EVENT,
    ):
        c_form = re.sub(r"\{(length|count)\}", "%llu", template)
        c_form = re.sub(r"\{(limit|offset)\}", "%lld", c_form)
        assert f'"{c_form}"' in text, template
