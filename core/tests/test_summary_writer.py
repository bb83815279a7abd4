"""tbcore.summary against torch.utils.tensorboard, read back by TensorBoard and by tbcore."""

from __future__ import annotations

import errno
import io
import logging
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.io.records import masked_crc32c
from tbcore.proto import (
    event_pb2,
    plugin_custom_scalar_pb2,
    plugin_hparams_pb2,
    plugin_pr_curve_pb2,
    summary_pb2,
)
from tbcore.summary import EventFileWriter, ForkedWriterError, SummaryWriter
from tbcore.summary.scalars import scalar_event, scalar_prefix

PLUGINS = [
    "scalars",
    "histograms",
    "images",
    "audio",
    "text",
    "pr_curves",
    "custom_scalars",
    "hparams",
]
RNG = np.random.default_rng(0)
INPUTS: dict[str, Any] = {
    "hist": RNG.normal(size=1000),
    "chw": RNG.random((3, 8, 10), dtype=np.float32),
    "hwc_u8": RNG.integers(0, 256, (6, 5, 3), dtype=np.uint8),
    "hw": RNG.random((7, 9)),
    "rgba": RNG.random((4, 6, 4)),
    "nchw": RNG.random((10, 3, 4, 5)),
    "nhwc_gray": RNG.integers(0, 256, (3, 4, 5, 1), dtype=np.uint8),
    "audio": np.sin(np.linspace(0, 40, 4000)) * 0.8,
    "labels": RNG.integers(0, 2, 200),
    "predictions": RNG.random(200),
    "weights": RNG.random(200),
}
LAYOUT = {
    "Losses": {"both": ["Multiline", ["loss/train", "loss/test"]]},
    "Margins": {"band": ["Margin", ["m/mid", "m/low", "m/high"]]},
}


def log_everything(w: Any) -> None:
    """The same calls for torch's writer and ours."""
    for step in range(5):
        w.add_scalar("loss/train", 1.0 / (step + 1), step)
        w.add_scalar("loss/new_style", np.float32(step * 0.25), step, new_style=True)
        w.add_scalars("group", {"a": step, "b": -step * 2.5}, step)
        w.add_histogram("hist/tf", INPUTS["hist"] + step, step)
    w.add_histogram("hist/auto", INPUTS["hist"], 3, bins="auto")
    w.add_histogram("hist/max_bins", INPUTS["hist"], 3, max_bins=30)
    w.add_histogram("hist/max_bins_odd", INPUTS["hist"], 3, bins=100, max_bins=7)
    w.add_histogram("hist/edges", INPUTS["hist"], 4, bins=np.linspace(-2, 2, 9))
    w.add_histogram_raw("hist/raw", -1.0, 2.0, 6, 3.0, 9.0, [0.0, 1.0, 2.0], [1, 3, 2], 7)
    w.add_image("img/chw", INPUTS["chw"], 1)
    w.add_image("img/hwc", INPUTS["hwc_u8"], 2, dataformats="HWC")
    w.add_image("img/hw", INPUTS["hw"], 3, dataformats="HW")
    w.add_image("img/rgba", INPUTS["rgba"], 3, dataformats="HWC")
    w.add_images("imgs/nchw", INPUTS["nchw"], 4)
    w.add_images("imgs/nhwc", INPUTS["nhwc_gray"], 5, dataformats="NHWC")
    w.add_images("imgs/chw", INPUTS["chw"], 6, dataformats="CHW")  # one image, no batch axis
    w.add_images("imgs/hwc", INPUTS["hwc_u8"], 6, dataformats="HWC")
    w.add_images("imgs/hw", INPUTS["hw"], 6, dataformats="hw")
    w.add_audio("sound", INPUTS["audio"], 6, sample_rate=16000)
    w.add_text("notes", "hello **world**", 2)
    w.add_pr_curve("pr", INPUTS["labels"], INPUTS["predictions"], 1)
    w.add_pr_curve(
        "pr/weighted",
        INPUTS["labels"],
        INPUTS["predictions"],
        2,
        num_thresholds=20,
        weights=INPUTS["weights"],
    )
    w.add_pr_curve_raw(
        "pr/raw",
        [5, 3, 0],
        [4, 1, 0],
        [0, 3, 4],
        [0, 2, 5],
        [0.55, 0.75, 0],
        [1.0, 0.6, 0],
        3,
        num_thresholds=3,
    )
    w.add_custom_scalars(LAYOUT)
    w.add_hparams(
        {"lr": 0.01, "layers": 3, "opt": "adam"},
        {"hparam/accuracy": 0.9},
        hparam_domain_discrete={"opt": ["adam", "sgd"], "layers": [2, 3]},
    )


def _load(logdir: Path) -> Any:
    from tensorboard.backend.event_processing.plugin_event_multiplexer import EventMultiplexer

    mux = EventMultiplexer(tensor_size_guidance={p: 0 for p in PLUGINS})
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    return mux


def _plugin_runs(
    mux: Any, plugin: str, hparams_run: str | None
) -> dict[str, dict[str, tuple[bytes, str]]]:
    """run -> tag -> (plugin content, run it is in), with ``hparams_run`` merged into "."."""
    out: dict[str, dict[str, tuple[bytes, str]]] = {}
    for run, tags in mux.PluginRunToTagToContent(plugin).items():
        merged = out.setdefault("." if run == hparams_run else run, {})
        merged.update({tag: (content, run) for tag, content in tags.items()})
    return out


def _parse_content(plugin: str, content: bytes) -> Any:
    if plugin == "hparams":
        return plugin_hparams_pb2.HParamsPluginData.FromString(content)
    if plugin == "pr_curves":
        return plugin_pr_curve_pb2.PrCurvePluginData.FromString(content)
    return content


def _pixels(png: bytes) -> np.ndarray:
    image = pytest.importorskip("PIL.Image")
    return np.asarray(image.open(io.BytesIO(png)).convert("RGBA"))


def _samples(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as f:
        return np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")


def _compare_values(plugin: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    if plugin == "images":
        assert list(ours[:2]) == list(theirs[:2])  # width, height
        np.testing.assert_array_equal(_pixels(ours[2]), _pixels(theirs[2]))
    elif plugin == "audio":
        np.testing.assert_array_equal(
            _samples(ours.reshape(-1)[0]), _samples(theirs.reshape(-1)[0])
        )
    elif plugin == "custom_scalars":
        layout = plugin_custom_scalar_pb2.Layout
        assert layout.FromString(ours.item()) == layout.FromString(theirs.item())
    elif ours.dtype == object:
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_same_data_as_torch_writer_read_by_tensorboard(tmp_path: Path) -> None:
    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    from tensorboard.util import tensor_util

    with torch_tb.SummaryWriter(str(tmp_path / "torch")) as torch_writer:
        log_everything(torch_writer)
    with SummaryWriter(tmp_path / "ours") as writer:
        log_everything(writer)
    mux_ours, mux_theirs = _load(tmp_path / "ours"), _load(tmp_path / "torch")
    # torch writes hparams into a sub-run named by the time; ours go into the writer's run.
    extra = set(mux_theirs.Runs()) - {".", "group_a", "group_b"}
    assert len(extra) == 1
    hparams_run = extra.pop()
    assert sorted(mux_ours.Runs()) == [".", "group_a", "group_b"]
    for plugin in PLUGINS:
        ours, theirs = (
            _plugin_runs(mux_ours, plugin, None),
            _plugin_runs(mux_theirs, plugin, hparams_run),
        )
        assert theirs and ours.keys() == theirs.keys(), plugin
        for run, tags in theirs.items():
            assert ours[run].keys() == tags.keys(), (plugin, run)
            for tag, (content, torch_run) in tags.items():
                assert _parse_content(plugin, ours[run][tag][0]) == _parse_content(
                    plugin, content
                ), tag
                if plugin == "hparams":
                    continue  # metadata only
                mine = mux_ours.Tensors(run, tag)
                torch_events = mux_theirs.Tensors(torch_run, tag)
                assert [e.step for e in mine] == [e.step for e in torch_events], tag
                for a, b in zip(mine, torch_events):
                    _compare_values(
                        plugin,
                        tensor_util.make_ndarray(a.tensor_proto),
                        tensor_util.make_ndarray(b.tensor_proto),
                    )


def test_tbcore_provider_reads_the_writer(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        log_everything(w)
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert [r.run_name for r in provider.list_runs()] == [".", "group_a", "group_b"]
    scalars = provider.read_scalars(plugin_name="scalars")
    np.testing.assert_allclose(
        scalars["."]["loss/train"].value, [1.0 / (s + 1) for s in range(5)], rtol=1e-6
    )
    np.testing.assert_allclose(scalars["."]["loss/new_style"].value, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(scalars["group_b"]["group"].value, [0, -2.5, -5, -7.5, -10])
    assert scalars["."]["hparam/accuracy"].value.tolist() == pytest.approx([0.9])
    hist = provider.read_tensors(plugin_name="histograms")["."]["hist/edges"][0].numpy
    assert hist[:, 2].sum() == np.sum(np.abs(INPUTS["hist"]) <= 2)
    blobs = provider.read_blob_sequences(plugin_name="images")["."]["img/hwc"][0]
    png = provider.read_blob(blob_key=blobs.values[2].blob_key)  # width, height, PNG
    np.testing.assert_array_equal(_pixels(png)[:, :, :3], INPUTS["hwc_u8"])
    text = provider.read_tensors(plugin_name="text")["."]["notes/text_summary"][0].numpy
    assert text.reshape(-1)[0] == b"hello **world**"
    pr = provider.read_tensors(plugin_name="pr_curves")["."]["pr/raw"][0].numpy
    np.testing.assert_allclose(pr[0], [5, 3, 0])
    hparams = provider.list_tensors(plugin_name="hparams")["."]
    assert set(hparams) == {
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
    }


def test_add_tensor_for_third_party_dashboards(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        w.add_tensor(
            "points",
            np.arange(6, dtype=np.int32).reshape(2, 3),
            4,
            plugin_name="mine",
            plugin_content=b"v1",
        )
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    series = provider.list_tensors(plugin_name="mine")["."]["points"]
    assert series.plugin_content == b"v1"
    datum = provider.read_tensors(plugin_name="mine")["."]["points"][0]
    assert datum.step == 4
    np.testing.assert_array_equal(datum.numpy, np.arange(6).reshape(2, 3))


@pytest.mark.parametrize(
    ("tag", "value", "step"),
    [
        ("loss", 1.5, 3),
        ("a/b", 0.0, None),
        ("x" * 200, -2.5, -7),
        ("é", 1e39, 2**40),
        ("n", float("nan"), 1),
    ],
)
def test_hand_encoded_scalar_matches_protobuf(tag: str, value: float, step: int | None) -> None:
    event = event_pb2.Event(
        wall_time=1234.5,
        summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]),
    )
    if step is not None:
        event.step = step
    assert scalar_event(scalar_prefix(tag), value, step, 1234.5) == event.SerializeToString()


def test_purge_step_drops_later_points_in_tensorboard(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        for step in range(10):
            w.add_scalar("x", step, step)
    time.sleep(1.1)  # a later file name, as a restarted job gets
    with SummaryWriter(tmp_path, purge_step=5) as w:
        for step in range(5, 8):
            w.add_scalar("x", step * 10, step)
    events = _load(tmp_path).Tensors(".", "x")
    assert [e.step for e in events] == [0, 1, 2, 3, 4, 5, 6, 7]
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    column = provider.read_scalars(plugin_name="scalars")["."]["x"]
    assert column.step.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert column.value.tolist() == [0, 1, 2, 3, 4, 50, 60, 70]


# --- errors a user can act on -----------------------------------------------------------


def test_wrong_image_shape_names_the_layouts(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="CHW, HWC, HW"):
            w.add_image("x", np.zeros((2, 3, 4, 5)))
        with pytest.raises(ValueError, match="NCHW, NHWC"):
            w.add_images("x", np.zeros((3, 4, 5)))
        with pytest.raises(ValueError, match="'WHC' is not one of NCHW, NHWC, CHW, HWC, HW"):
            w.add_images("x", np.zeros((3, 4, 5)), dataformats="WHC")
        with pytest.raises(ValueError, match="channels"):
            w.add_images("x", np.zeros((5, 4, 4)), dataformats="CHW")
        with pytest.raises(ValueError, match="channels"):
            w.add_image("x", np.zeros((5, 4, 4)))


def test_non_finite_histogram_values_are_left_out_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nan, inf = np.nan, np.inf
    with SummaryWriter(tmp_path) as w, caplog.at_level(logging.DEBUG, "tbcore.summary.writer"):
        w.add_histogram("grad", [1.0, nan, 2.0, inf, -inf, nan, 2.5], 3)
        w.add_histogram("grad", [nan, 1.0, 2.0, 2.5], 4)
        w.add_histogram("grad/auto", [1.0, inf, 2.0, 2.5], 4, bins="auto")  # torch raises
        w.add_histogram("clean", [1.0, 2.0, 2.5], 3)
        w.add_histogram("clean/auto", [1.0, 2.0, 2.5], 4, bins="auto")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "add_histogram('grad') at step 3: left out 2 NaN, 1 +inf and 1 -inf of 7 values; the "
        "histogram shows the 3 finite ones (later steps of this tag are logged at debug level)",
        "add_histogram('grad/auto') at step 4: left out 0 NaN, 1 +inf and 0 -inf of 4 values; "
        "the histogram shows the 3 finite ones (later steps of this tag are logged at debug "
        "level)",
    ]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("add_histogram('grad') at step 4: left out 1 NaN" in m for m in debug)
    mux = _load(tmp_path)  # as TensorBoard reads them: [left, right, count] per bucket
    from tensorboard.util import tensor_util

    def buckets(tag: str) -> list[np.ndarray]:
        return [tensor_util.make_ndarray(e.tensor_proto) for e in mux.Tensors(".", tag)]

    clean, clean_auto = buckets("clean")[0], buckets("clean/auto")[0]
    assert clean[0, 0] == 1.0 and clean[-1, 1] == 2.5 and clean[:, 2].sum() == 3
    for histogram in buckets("grad"):
        np.testing.assert_array_equal(histogram, clean)
    np.testing.assert_array_equal(buckets("grad/auto")[0], clean_auto)


@pytest.mark.parametrize("values", [[np.nan], [np.inf, np.nan, -np.inf, np.inf] * 2])
def test_histogram_without_a_finite_value_says_which_values(
    tmp_path: Path, values: list[float]
) -> None:
    shown = ", ".join(f"{v} at index {i}" for i, v in enumerate(values[:5]))
    more = " and 3 more" if len(values) > 5 else ""
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"must include a finite value; all {len(values)} are non-finite "
                f"(flat indices): {shown}{more}"
            ),
        ):
            w.add_histogram("h", values, 1)
        w.add_scalar("after", 1.0, 1)  # the writer still works
    assert _load(tmp_path).Runs()["."]["tensors"] == ["after"]


def test_close_twice_and_write_after_close(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path)
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.close()
    for call in (
        lambda: w.add_scalar("x", 2.0, 1),
        lambda: w.add_text("t", "x"),
        lambda: w.add_scalars("m", {"a": 1}),
    ):
        with pytest.raises(
            ValueError, match=re.escape(f"SummaryWriter({str(tmp_path)!r}) is closed")
        ):
            call()
    w.flush()  # nothing to write: a no-op, as in torch
    assert [e.step for e in _load(tmp_path).Tensors(".", "x")] == [0]


# --- robustness --------------------------------------------------------------------------


def _records(path: Path) -> list[event_pb2.Event]:
    data = path.read_bytes()
    events, pos = [], 0
    while pos < len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        assert struct.unpack_from("<I", data, pos + 8)[0] == masked_crc32c(data[pos : pos + 8])
        payload = data[pos + 12 : pos + 12 + length]
        assert struct.unpack_from("<I", data, pos + 12 + length)[0] == masked_crc32c(payload)
        events.append(event_pb2.Event.FromString(payload))
        pos += 16 + length
    return events


def _points(directory: Path) -> list[tuple[str, int]]:
    (path,) = directory.glob("events.out.tfevents.*")
    events = _records(path)
    assert events[0].file_version == "brain.Event:2"
    return [(e.summary.value[0].tag, e.step) for e in events[1:] if e.HasField("summary")]


def test_many_threads_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path, max_queue=7)

    def work(i: int) -> None:
        for step in range(3000):
            w.add_scalar(f"t{i}", step, step)
            if step % 1000 == 0:
                w.flush()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w.close()
    points = _points(tmp_path)
    assert sorted(points) == sorted((f"t{i}", s) for i in range(8) for s in range(3000))


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_fork_child_gets_clear_error_and_parent_continues(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path / "parent", max_queue=1000, flush_secs=1000)
    for step in range(100):
        w.add_scalar("x", step, step)  # still queued when forking
    pid = os.fork()
    if pid == 0:  # child: report through the exit status, never return into pytest
        code = 1
        try:
            try:
                w.add_scalar("x", -1, 1000)
            except ForkedWriterError:
                w.close()  # does nothing in the child
                with SummaryWriter(tmp_path / "child") as own:
                    own.add_scalar("y", 1.0, 1)
                code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done[0] == pid and os.waitstatus_to_exitcode(done[1]) == 0
    for step in range(100, 150):
        w.add_scalar("x", step, step)
    w.close()
    assert _points(tmp_path / "parent") == [("x", s) for s in range(150)]
    assert _points(tmp_path / "child") == [("y", 1)]


class _FullDisk:
    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self) -> None:
        self.closed = True


@pytest.mark.timeout(30)
def test_disk_full_raises_on_next_call_without_hanging(tmp_path: Path) -> None:
    w = EventFileWriter(str(tmp_path), flush_secs=1000)
    w.flush()
    w._file.close()
    w._file = _FullDisk()  # type: ignore[assignment]
    w.add_event(event_pb2.Event(step=1))
    with pytest.raises(OSError, match="could not write event file .*No space left") as info:
        w.flush()
    assert info.value.errno == errno.ENOSPC
    with pytest.raises(OSError, match="No space left"):
        w.add_event(event_pb2.Event(step=2))
    with pytest.raises(OSError, match="No space left"):
        w.close()
    w.close()  # the second close does nothing


def test_summary_writer_surfaces_background_disk_error(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path, max_queue=2, flush_secs=1000)
    w._writer.flush()
    w._writer._file.close()
    w._writer._file = _FullDisk()  # type: ignore[assignment]
    deadline = time.monotonic() + 10
    with pytest.raises(OSError, match="No space left"):
        while time.monotonic() < deadline:  # the thread writes after max_queue records
            w.add_scalar("x", 1.0, 1)
            time.sleep(0.01)
    with pytest.raises(OSError, match="No space left"):
        w.close()


@pytest.mark.timeout(60)
def test_atexit_writes_what_was_not_closed(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from tbcore.summary import SummaryWriter\n"
        "w = SummaryWriter(sys.argv[1], flush_secs=1000, max_queue=100000)\n"
        "for step in range(500):\n"
        "    w.add_scalar('x', step, step)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=50)
    assert _points(tmp_path) == [("x", s) for s in range(500)]


def test_file_name_follows_tensorboard_pattern(tmp_path: Path) -> None:
    with EventFileWriter(str(tmp_path), filename_suffix=".v2") as w:
        name = os.path.basename(w.path)
    host, pid = re.escape(socket.gethostname()), os.getpid()
    match = re.fullmatch(rf"events\.out\.tfevents\.(\d{{10}})\.{host}\.{pid}\.\d+\.v2", name)
    assert match and abs(int(match[1]) - time.time()) < 60


@pytest.mark.timeout(30)
def test_a_crashed_writer_thread_is_reported_not_hung(tmp_path: Path) -> None:
    w = EventFileWriter(str(tmp_path))
    w.add_record("not bytes")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="writer thread of .* failed"):
        w.flush()
    with pytest.raises(RuntimeError, match="writer thread"):
        w.add_record(b"")
    with pytest.raises(RuntimeError, match="writer thread"):
        w.close()


def test_hparams_in_own_run_keep_logged_metric_series(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalar("acc", step / 10, step)
        w.add_hparams({"lr": 0.1, "fast": True}, {"acc": 0.2, "loss": 1.5})
        w.add_hparams({"lr": 0.2}, {"acc": 0.3}, run_name="other")
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    scalars = provider.read_scalars(plugin_name="scalars")
    assert scalars["."]["acc"].step.tolist() == [0, 1, 2]  # not overwritten at step 0
    assert scalars["."]["loss"].value.tolist() == [1.5]
    assert scalars["other"]["acc"].value.tolist() == pytest.approx([0.3])
    mux = _load(tmp_path)
    start = mux.PluginRunToTagToContent("hparams")["."]["_hparams_/session_start_info"]
    hparams = plugin_hparams_pb2.HParamsPluginData.FromString(start).session_start_info.hparams
    assert hparams["fast"].bool_value is True and hparams["lr"].number_value == 0.1
    with SummaryWriter(tmp_path / "bad") as w, pytest.raises(ValueError, match="expected bool"):
        w.add_hparams({"x": [1]}, {})
