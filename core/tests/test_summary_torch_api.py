"""``tbcore.summary.SummaryWriter`` where torch's writer sets the expectations: repeated
``add_hparams``, ``double_precision`` scalars, torch's public attributes, int64 steps, the
writer after ``close()``, and inputs torch accepts. Files are read back by TensorBoard's reader.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.proto import event_pb2, plugin_hparams_pb2, summary_pb2
from tbcore.summary import EventFileWriter, SummaryWriter

Image = pytest.importorskip("PIL.Image")

START_TAG = "_hparams_/session_start_info"


def _load(logdir: Path) -> Any:
    from tensorboard.backend.event_processing.plugin_event_multiplexer import EventMultiplexer

    mux = EventMultiplexer(tensor_size_guidance={"scalars": 0, "hparams": 0, "images": 0})
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    return mux


def _sessions(mux: Any) -> dict[str, dict[str, Any]]:
    """run -> its session's hparams, for every run holding a session (one trial each, as the
    hparams dashboard counts them)."""
    out = {}
    for run, tags in mux.PluginRunToTagToContent("hparams").items():
        if START_TAG in tags:
            data = plugin_hparams_pb2.HParamsPluginData.FromString(tags[START_TAG])
            hparams = data.session_start_info.hparams
            out[run] = {k: getattr(v, str(v.WhichOneof("kind"))) for k, v in hparams.items()}
    return out


def _scalar(mux: Any, run: str, tag: str) -> list[tuple[int, float]]:
    from tensorboard.util import tensor_util

    return [
        (e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in mux.Tensors(run, tag)
    ]


def test_grid_search_loop_keeps_every_trial(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with SummaryWriter(tmp_path) as w, caplog.at_level(logging.INFO, "tbcore.summary.writer"):
        for i in range(5):
            w.add_hparams({"lr": 0.1 * i, "bsize": i}, {"hparam/accuracy": 10.0 * i})
    mux = _load(tmp_path)
    sessions = _sessions(mux)
    assert len(sessions) == 5
    assert sessions["."] == {"lr": 0.0, "bsize": 0.0}  # the first trial: this run, as documented
    by_bsize = {int(hp["bsize"]): run for run, hp in sessions.items()}
    assert sorted(by_bsize) == [0, 1, 2, 3, 4]
    for bsize, run in by_bsize.items():
        assert sessions[run]["lr"] == pytest.approx(0.1 * bsize)
        assert _scalar(mux, run, "hparam/accuracy") == [(0, 10.0 * bsize)]
        if run != ".":
            assert re.fullmatch(r"\d+\.\d+", run), run  # torch's str(time.time()) names
    notes = [r.getMessage() for r in caplog.records if "add_hparams" in r.getMessage()]
    assert len(notes) == 4 and all("already holds a trial" in n for n in notes)


def test_named_trials_are_not_moved(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with SummaryWriter(tmp_path) as w, caplog.at_level(logging.INFO, "tbcore.summary.writer"):
        w.add_hparams({"lr": 0.1}, {"m": 1.0}, run_name="a")
        w.add_hparams({"lr": 0.2}, {"m": 2.0}, run_name="b")
        w.add_hparams({"lr": 0.3}, {"m": 3.0})  # the run's own, first trial
    assert {run: hp["lr"] for run, hp in _sessions(_load(tmp_path)).items()} == {
        "a": 0.1,
        "b": 0.2,
        ".": 0.3,
    }
    assert not [r for r in caplog.records if "add_hparams" in r.getMessage()]


def test_double_precision_scalars_are_float64_tensors(tmp_path: Path) -> None:
    value = 0.1 + 1e-12  # not a float32
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("double", value, 1, new_style=True, double_precision=True)
        w.add_scalar("single", value, 1, new_style=True)
        w.add_scalar("legacy", value, 1, double_precision=True)  # ignored, as in torch
    mux = _load(tmp_path)
    (double,) = mux.Tensors(".", "double")
    assert double.tensor_proto.dtype == 2  # DT_DOUBLE
    assert list(double.tensor_proto.double_val) == [value]
    (single,) = mux.Tensors(".", "single")
    assert single.tensor_proto.dtype == 1 and single.tensor_proto.float_val[0] != value
    (legacy,) = mux.Tensors(".", "legacy")
    assert legacy.tensor_proto.dtype == 1  # simple_value, read as a float32 tensor
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert provider.read_scalars(plugin_name="scalars")["."]["double"].value.tolist() == [value]


def test_torch_attributes_and_file_writers(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path, purge_step=3, max_queue=5, flush_secs=7, filename_suffix=".x")
    assert w.log_dir == w.get_logdir() == str(tmp_path)
    assert (w.max_queue, w.flush_secs, w.filename_suffix) == (5, 7, ".x")
    assert w.purge_step is None  # torch's is None once the restart marker is written
    main = w.file_writer
    assert isinstance(main, EventFileWriter) and main is w._get_file_writer()
    assert main.get_logdir() == str(tmp_path) and main.path.endswith(".x")
    w.add_scalars("m", {"a": 1.0}, 0)
    assert w.all_writers is not None
    assert set(w.all_writers) == {str(tmp_path), str(tmp_path / "m_a")}
    # torch's FileWriter.add_event / add_summary: step and walltime set on the event
    value = summary_pb2.Summary.Value(tag="raw", simple_value=2.5)
    main.add_event(event_pb2.Event(summary=summary_pb2.Summary(value=[value])), 4, 123.0)
    main.add_summary(summary_pb2.Summary(value=[value]), 5)
    w.flush()
    w.close()
    assert w.file_writer is None and w.all_writers is None
    w.flush()  # a no-op after close, as in torch
    events = _load(tmp_path).Tensors(".", "raw")
    assert [(e.step, e.wall_time) for e in events][:1] == [(4, 123.0)]
    assert [e.step for e in events] == [4, 5]


def test_add_after_close_names_the_summary_writer(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path / "run")
    w.close()
    expected = re.escape(f"SummaryWriter({str(tmp_path / 'run')!r}) is closed")
    for call in (
        lambda: w.add_scalar("x", 1.0, 1),
        lambda: w.add_histogram("h", [1.0, 2.0], 1),
        lambda: w.add_hparams({"a": 1}, {"m": 1.0}),
    ):
        with pytest.raises(ValueError, match=expected):
            call()


@pytest.mark.parametrize("step", [2**63, -(2**63) - 1, 2**70])
def test_step_outside_int64_is_an_error_not_a_wrap(tmp_path: Path, step: int) -> None:
    with SummaryWriter(tmp_path) as w:
        for call in (
            lambda: w.add_scalar("x", 1.0, step),
            lambda: w.add_scalar("x", 1.0, step, new_style=True),
            lambda: w.add_histogram("h", [1.0, 2.0], step),
            lambda: w.add_text("t", "x", step),
        ):
            with pytest.raises(ValueError, match=f"global_step {step} is outside the int64"):
                call()
        w.add_scalar("x", 1.0, 2**63 - 1)
        w.add_histogram("h", [1.0, 2.0], -(2**63))
    mux = _load(tmp_path)
    assert [e.step for e in mux.Tensors(".", "x")] == [2**63 - 1]
    assert [e.step for e in mux.Tensors(".", "h")] == [-(2**63)]


def test_scalar_strings_are_numbers_as_in_torch(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("a", "1.5", 0)
        w.add_scalar("a", " -2e3 ", 1)
        with pytest.raises(ValueError, match=r"add_scalar\('a'\) needs a number, got the string"):
            w.add_scalar("a", "fast", 2)
    assert _scalar(_load(tmp_path), ".", "a") == [(0, 1.5), (1, -2000.0)]


def test_two_channel_image_is_grey_and_alpha(tmp_path: Path) -> None:
    chw = np.stack([np.full((4, 5), 0.5), np.linspace(0, 1, 20).reshape(4, 5)])
    with SummaryWriter(tmp_path) as w:
        w.add_image("la", chw, 0)
        with pytest.raises(ValueError, match=r"5 channels; expected 1 \(grey\), 2 \(grey, alpha\)"):
            w.add_image("bad", np.zeros((5, 4, 4)), 0)
    (event,) = _load(tmp_path).Tensors(".", "la")
    width, height, png = event.tensor_proto.string_val
    assert (int(width), int(height)) == (5, 4)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "LA"
    expected = (chw.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(image), expected)


def test_bad_hparams_call_writes_no_half_trial(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"add_hparams metric\('m'\) needs one real number"):
            w.add_hparams({"lr": 0.1}, {"m": np.ones(2)})
        with pytest.raises(ValueError, match="global_step 9223372036854775808"):
            w.add_hparams({"lr": 0.1}, {"m": 1.0}, run_name="late", global_step=2**63)
        w.add_hparams({"lr": 0.2}, {"m": 2.0})  # still the run's first trial
    assert {run: hp["lr"] for run, hp in _sessions(_load(tmp_path)).items()} == {".": 0.2}
    assert not (tmp_path / "late").exists()
