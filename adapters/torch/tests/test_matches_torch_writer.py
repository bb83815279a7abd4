"""tbcore_torch.SummaryWriter against torch.utils.tensorboard.SummaryWriter, call for call.

The same script runs once with each writer, in its own interpreter; for tbcore's, importing
``tensorboard`` or ``tensorflow`` fails. TensorBoard 2.21's own reader (``EventMultiplexer``)
then reads both logdirs, and the runs, tags, plugin names, plugin metadata, steps and values
must be the same (wall times aside). Images are compared by their decoded pixels (the PNG
and GIF encoders differ), GIFs frame by frame. The projector files of ``add_embedding`` are
compared file by file.

``add_hparams`` is called several times without ``run_name``: each writer makes one sub-run per
call, named by the time (``str(time.time())``), so those runs are compared in the order of their
names (the order of the calls), not by name.

Known, deliberate differences, asserted as such below:
* ``add_image_with_boxes(rescale=2)``: torch's image header keeps the size before rescaling,
  tbcore's gives the size of the PNG.
* ``add_video``: torch's GIF (moviepy 1.x through imageio) has no usable frame delay,
  tbcore's shows each frame for ``1 / fps`` seconds.
* ``add_histogram`` of values with NaN or ±inf among them: both leave those out of the
  bucket counts, but torch's ``min`` and ``max`` include them, and TensorBoard takes the
  outermost bucket edges from ``min`` and ``max``: torch's are NaN (with a NaN among the
  values) or ±inf, tbcore's those of the finite values. tbcore logs a warning instead.
"""

from __future__ import annotations

import io
import re
import types
import wave
from pathlib import Path
from typing import Any

import installed
import numpy as np
import pytest
from _blocked_imports import TENSORBOARD_AND_TENSORFLOW, run_script

# Found, not imported: torch's writer (which imports TensorFlow) runs in the scripts' processes.
pytestmark = installed.needs("torch", "tensorboard", "matplotlib", "moviepy")
Image = pytest.importorskip("PIL.Image")
ImageSequence = pytest.importorskip("PIL.ImageSequence")

# Each add_* method of the adapter, with the tags its calls below write (the placeholder
# for add_graph / add_onnx_graph: they are compared in test_graph.py).
METHODS = {
    "add_scalar": ["loss", "loss/new_style", "loss/double", "torch_scalar", "string_scalar"],
    "add_scalars": ["lr"],
    "add_histogram": ["weights", "weights/auto", "weights/max_bins", "grad/nan", "grad/inf"],
    "add_histogram_raw": ["weights/raw"],
    "add_image": ["image/chw", "image/hw", "image/hwc_u8", "image/grey_alpha"],
    "add_images": ["images/nchw", "images/chw", "images/hwc_u8", "images/hw"],
    "add_image_with_boxes": ["boxes", "boxes/hwc_u8", "boxes/rescaled", "boxes/grey"],
    "add_figure": ["figure", "figures"],
    "add_video": ["video", "video/u8"],
    "add_audio": ["audio"],
    "add_text": ["notes/text_summary"],
    "add_embedding": [],  # files, no event: compared in test_embedding_files_match
    "add_pr_curve": ["pr", "pr/weighted"],
    "add_pr_curve_raw": ["pr/raw"],
    "add_custom_scalars": ["custom_scalars__config__"],
    "add_custom_scalars_multilinechart": ["custom_scalars__config__"],
    "add_custom_scalars_marginchart": ["custom_scalars__config__"],
    "add_mesh": ["mesh_VERTEX", "mesh_FACE", "mesh_COLOR", "cloud_VERTEX"],
    "add_tensor": ["tensor"],
    "add_hparams": [
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
        "hp/accuracy",
    ],
    # "add_graph", "add_onnx_graph": see adapters/torch/tests/test_graph.py
}

WRITE = r"""
import sys

kind, logdir = sys.argv[1], sys.argv[2]

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

if kind == "torch":
    from torch.utils.tensorboard import SummaryWriter
else:
    from tbcore_torch import SummaryWriter

g = torch.Generator().manual_seed(0)


def rand(*shape):
    return torch.rand(*shape, generator=g)


def u8(*shape):
    return (rand(*shape) * 255).to(torch.uint8)


def figure(n):
    fig = plt.figure(figsize=(2, 1.5), dpi=40)
    plt.plot([0, 1, 2], [n, 0, 2 - n])
    plt.title(f"figure {n}")
    return fig


vertices = torch.tensor([[[1.0, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]])
colors = torch.tensor([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]], dtype=torch.int)
faces = torch.tensor([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=torch.int)
labels = torch.randint(0, 2, (200,), generator=g)
predictions = rand(200)

with SummaryWriter(logdir) as w:
    for step in range(3):
        w.add_scalar("loss", torch.tensor(1.0 / (step + 1)), step)
        w.add_scalar("loss/new_style", 0.25 * step, step, new_style=True)
        w.add_scalar("loss/double", 0.1 + step, step, new_style=True, double_precision=True)
        w.add_scalars("lr", {"a": torch.tensor(0.1 * step), "b": -step}, step)
        w.add_histogram("weights", torch.randn(500, generator=g) + step, step)
    w.add_scalar("torch_scalar", torch.tensor([2.5], dtype=torch.float64), 7)
    w.add_scalar("string_scalar", "1.5", 4)
    w.add_histogram("weights/auto", rand(300), 1, bins="auto")
    w.add_histogram("weights/max_bins", torch.randn(1000, generator=g), 2, max_bins=20)
    nan, inf = float("nan"), float("inf")
    for step in range(2):  # tbcore warns for the first of these steps only
        w.add_histogram("grad/nan", torch.tensor([0.5, nan, 1.5, inf, -2.0, -inf, 1.5]), step)
    w.add_histogram("grad/inf", torch.tensor([inf, 0.5, 3.0, -inf, 3.0]), 1)
    w.add_histogram_raw("weights/raw", -1.0, 2.0, 6, 3.0, 9.0, [0.0, 1.0, 2.0], [1, 3, 2], 3)
    w.add_image("image/chw", rand(3, 8, 10), 1)
    w.add_image("image/hw", rand(7, 9), 2, dataformats="HW")
    w.add_image("image/hwc_u8", u8(6, 5, 3), 3, dataformats="HWC")
    w.add_image("image/grey_alpha", rand(2, 5, 6), 4)
    w.add_images("images/nchw", rand(10, 3, 4, 5), 1)
    w.add_images("images/chw", rand(3, 4, 5), 2, dataformats="CHW")  # one image, no batch axis
    w.add_images("images/hwc_u8", u8(4, 5, 3), 3, dataformats="HWC")
    w.add_images("images/hw", rand(4, 5), 4, dataformats="HW")
    boxes = torch.tensor([[2.0, 3.0, 30.0, 25.0], [10.0, 12.0, 45.0, 38.0]])
    w.add_image_with_boxes("boxes", rand(3, 40, 50), boxes, 1, labels=["cat", "dog"])
    w.add_image_with_boxes("boxes/hwc_u8", u8(40, 50, 3), boxes[:1], 2, dataformats="HWC",
                           labels="one")
    w.add_image_with_boxes("boxes/rescaled", rand(3, 20, 30), torch.tensor([[1.0, 2, 15, 18]]),
                           3, rescale=2)
    w.add_image_with_boxes("boxes/grey", rand(20, 30), torch.tensor([[1.0, 2, 15, 18]]), 4,
                           dataformats="HW")
    w.add_figure("figure", figure(0), 1)
    w.add_figure("figures", [figure(1), figure(2)], 2)
    w.add_video("video", rand(3, 4, 3, 6, 8), 1, fps=4)
    w.add_video("video/u8", u8(2, 3, 3, 6, 8), 2, fps=2)
    w.add_audio("audio", torch.sin(torch.linspace(0, 40, 4000)) * 0.8, 1, sample_rate=16000)
    w.add_text("notes", "hello **world**", 1)
    w.add_embedding(rand(12, 4), metadata=[f"p{i}" for i in range(12)],
                    label_img=rand(12, 3, 6, 6), global_step=1, tag="emb/a")
    w.add_embedding(rand(12, 4).double(), metadata=[[i, i % 3] for i in range(12)],
                    metadata_header=["index", "class"], global_step=2)
    w.add_embedding(rand(5, 3), label_img=rand(5, 1, 4, 4), tag="grey")
    w.add_pr_curve("pr", labels, predictions, 1)
    w.add_pr_curve("pr/weighted", labels, predictions, 2, num_thresholds=20,
                   weights=rand(200).numpy())  # torch needs numpy weights
    w.add_pr_curve_raw("pr/raw", [5, 3, 0], [4, 1, 0], [0, 3, 4], [0, 2, 5], [0.55, 0.75, 0],
                       [1.0, 0.6, 0], 3, num_thresholds=3)
    w.add_custom_scalars({"Losses": {"both": ["Multiline", ["loss", "loss/new_style"]]}})
    w.add_custom_scalars_multilinechart(["loss", "torch_scalar"], category="More", title="lines")
    w.add_custom_scalars_marginchart(["loss", "lr", "torch_scalar"])
    w.add_mesh("mesh", vertices, colors=colors, faces=faces,
               config_dict={"camera": {"cls": "PerspectiveCamera", "fov": 75}}, global_step=1)
    w.add_mesh("cloud", rand(1, 50, 3), global_step=2)
    w.add_tensor("tensor", torch.arange(6.0).reshape(2, 3), 1)
    for i in range(3):  # a grid search: one trial per call, each in a sub-run of its own
        w.add_hparams({"lr": 0.01 * (i + 1), "layers": 3 + i, "opt": "adam",
                       "scale": torch.tensor([0.5 * i, 9.0])},  # a tensor: its first element
                      {"hp/accuracy": 0.9 - 0.1 * i},
                      hparam_domain_discrete={"opt": ["adam", "sgd"]})
"""

PLUGINS_WITH_CONTENT_PROTOS = {"hparams", "pr_curves", "mesh"}


@pytest.fixture(scope="module")
def logdirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(tbcore's logdir, torch's logdir), written by the same calls; tbcore's writer runs
    where importing tensorboard or tensorflow fails."""
    root = tmp_path_factory.mktemp("writers")
    for kind in ("tbcore", "torch"):
        done = run_script(
            WRITE, kind, str(root / kind),
            blocked=TENSORBOARD_AND_TENSORFLOW if kind == "tbcore" else (),
            env={"MPLBACKEND": "Agg"},
            timeout=240,
        )
        (root / f"{kind}.stderr").write_text(done.stderr)
    return root / "tbcore", root / "torch"


def _load(tensorboard_readers: types.SimpleNamespace, logdir: Path) -> Any:
    mux = tensorboard_readers.EventMultiplexer(size_guidance={tensorboard_readers.TENSORS: 0})
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    return mux


def _parse_content(plugin: str, content: bytes) -> Any:
    from tensorboard.plugins.hparams import plugin_data_pb2 as hparams_pb2
    from tensorboard.plugins.mesh import plugin_data_pb2 as mesh_pb2
    from tensorboard.plugins.pr_curve import plugin_data_pb2 as pr_pb2

    parser = {
        "hparams": hparams_pb2.HParamsPluginData,
        "pr_curves": pr_pb2.PrCurvePluginData,
        "mesh": mesh_pb2.MeshPluginData,
    }.get(plugin)
    return content if parser is None else parser.FromString(content)


def _frames(encoded: bytes) -> np.ndarray:
    """Every frame of a PNG or GIF, decoded to RGBA."""
    image = Image.open(io.BytesIO(encoded))
    return np.stack([np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(image)])


def _gif_delays_ms(encoded: bytes) -> list[Any]:
    image = Image.open(io.BytesIO(encoded))
    return [f.info.get("duration") for f in ImageSequence.Iterator(image)]


def _samples(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as f:
        return np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")


def _compare_values(plugin: str, tag: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    if plugin == "images":
        a, b = _frames(ours[2]), _frames(theirs[2])
        np.testing.assert_array_equal(a, b, err_msg=tag)
        if tag == "boxes/rescaled":  # torch's header: the size before rescaling
            assert [int(v) for v in theirs[:2]] == [30, 20]
            assert [int(v) for v in ours[:2]] == [60, 40] == [a.shape[2], a.shape[1]]
        else:
            assert list(ours[:2]) == list(theirs[:2]), tag  # width, height
        if tag.startswith("video"):
            fps = 4 if tag == "video" else 2
            assert a.shape[0] > 1 and set(_gif_delays_ms(ours[2])) == {1000 // fps}
    elif plugin == "audio":
        np.testing.assert_array_equal(
            _samples(ours.reshape(-1)[0]), _samples(theirs.reshape(-1)[0])
        )
    elif plugin == "histograms" and tag.startswith("grad/"):
        _compare_non_finite_histogram(tag, ours, theirs)
    elif plugin == "custom_scalars":
        from tensorboard.plugins.custom_scalar import layout_pb2

        assert layout_pb2.Layout.FromString(ours.item()) == layout_pb2.Layout.FromString(
            theirs.item()
        )
    elif ours.dtype == object:
        np.testing.assert_array_equal(ours, theirs, err_msg=tag)
    else:
        assert ours.shape == theirs.shape, tag
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=tag)


# The outermost bucket edges of the histograms of values with NaN or ±inf among them, as
# TensorBoard reads them from (torch's, tbcore's) files: from min and max over every value
# for torch, over the finite values for tbcore.
NON_FINITE_HISTOGRAM_EDGES = {
    "grad/nan": ([np.nan, np.nan], [-2.0, 1.5]),
    "grad/inf": ([-np.inf, np.inf], [0.5, 3.0]),
}


def _compare_non_finite_histogram(tag: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    """Same buckets (``[left, right, count]`` rows) but for the outermost edges."""
    assert ours.shape == theirs.shape, tag
    np.testing.assert_array_equal(ours[:, 2], theirs[:, 2], err_msg=tag)
    np.testing.assert_allclose(ours[1:, 0], theirs[1:, 0], rtol=1e-6, err_msg=tag)
    np.testing.assert_allclose(ours[:-1, 1], theirs[:-1, 1], rtol=1e-6, err_msg=tag)
    torch_edges, our_edges = NON_FINITE_HISTOGRAM_EDGES[tag]
    np.testing.assert_array_equal([theirs[0, 0], theirs[-1, 1]], torch_edges, err_msg=tag)
    np.testing.assert_array_equal([ours[0, 0], ours[-1, 1]], our_edges, err_msg=tag)


def _run_names(mux: Any) -> dict[str, str]:
    """Each run's name, with the sub-runs that ``add_hparams`` names by the time renamed
    ``hparams call <i>`` in the order of their times."""
    runs = list(mux.Runs())
    timed = sorted((r for r in runs if re.fullmatch(r"\d+\.\d+", r)), key=float)
    return {r: f"hparams call {timed.index(r)}" if r in timed else r for r in runs}


def test_event_files_match_torch_for_every_add_method(
    logdirs: tuple[Path, Path], tensorboard_readers: types.SimpleNamespace
) -> None:
    from tensorboard.util import tensor_util

    mux_ours, mux_theirs = (_load(tensorboard_readers, logdir) for logdir in logdirs)
    ours_names, theirs_names = _run_names(mux_ours), _run_names(mux_theirs)
    assert sorted(ours_names.values()) == sorted(theirs_names.values()) == [
        ".", "hparams call 0", "hparams call 1", "hparams call 2", "lr_a", "lr_b",
    ]
    plugins = set(mux_theirs.ActivePlugins())
    assert set(mux_ours.ActivePlugins()) == plugins
    seen_tags: set[str] = set()
    for plugin in sorted(plugins):
        ours = {ours_names[r]: (r, t) for r, t in mux_ours.PluginRunToTagToContent(plugin).items()}
        theirs = {
            theirs_names[r]: (r, t) for r, t in mux_theirs.PluginRunToTagToContent(plugin).items()
        }
        assert ours.keys() == theirs.keys(), plugin
        for name, (torch_run, tags) in theirs.items():
            run, our_tags = ours[name]
            assert our_tags.keys() == tags.keys(), (plugin, name)
            for tag, content in tags.items():
                seen_tags.add(tag)
                assert _parse_content(plugin, our_tags[tag]) == _parse_content(plugin, content), (
                    tag
                )
                mine, torch_events = mux_ours.Tensors(run, tag), mux_theirs.Tensors(torch_run, tag)
                assert [e.step for e in mine] == [e.step for e in torch_events], tag
                for a, b in zip(mine, torch_events, strict=True):
                    assert a.tensor_proto.dtype == b.tensor_proto.dtype, tag
                    _compare_values(
                        plugin,
                        tag,
                        tensor_util.make_ndarray(a.tensor_proto),
                        tensor_util.make_ndarray(b.tensor_proto),
                    )
    expected_tags = {tag for tags in METHODS.values() for tag in tags}
    assert expected_tags <= seen_tags, expected_tags - seen_tags
    assert {"mesh", "images", "tensor", "custom_scalars"} <= plugins


def test_every_add_method_of_torch_is_covered() -> None:
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from tbcore_torch import SummaryWriter

    torch_methods = {name for name in dir(TorchWriter) if name.startswith("add_")}
    # add_event / add_summary take tensorboard protos; add_graph / add_onnx_graph: test_graph.py
    not_here = {"add_event", "add_summary", "add_graph", "add_onnx_graph"}
    assert torch_methods - not_here <= set(METHODS)
    assert torch_methods - {"add_event", "add_summary"} <= set(dir(SummaryWriter))


def test_non_finite_histogram_values_are_warned_about_once_per_tag(
    logdirs: tuple[Path, Path],
) -> None:
    stderr = (logdirs[0].parent / "tbcore.stderr").read_text()
    warnings = [line for line in stderr.splitlines() if line.startswith("add_histogram(")]
    assert warnings == [
        "add_histogram('grad/nan') at step 0: left out 1 NaN, 1 +inf and 1 -inf of 7 values; "
        "the histogram shows the 4 finite ones (later steps of this tag are logged at debug "
        "level)",
        "add_histogram('grad/inf') at step 1: left out 0 NaN, 1 +inf and 1 -inf of 5 values; "
        "the histogram shows the 3 finite ones (later steps of this tag are logged at debug "
        "level)",
    ]


def _projector_files(logdir: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(logdir)): path.read_bytes()
        for path in sorted(logdir.rglob("*"))
        if path.is_file() and not path.name.startswith("events.out.tfevents")
    }


def test_embedding_files_match(logdirs: tuple[Path, Path]) -> None:
    ours, theirs = _projector_files(logdirs[0]), _projector_files(logdirs[1])
    assert ours.keys() == theirs.keys()
    assert {
        "projector_config.pbtxt",
        "00001/emb%2fa/tensors.tsv",
        "00001/emb%2fa/metadata.tsv",
        "00001/emb%2fa/sprite.png",
        "00002/default/metadata.tsv",
        "00000/grey/sprite.png",
    } <= ours.keys()
    for name, data in theirs.items():
        if name.endswith(".png"):
            np.testing.assert_array_equal(_frames(ours[name]), _frames(data), err_msg=name)
        else:
            assert ours[name] == data, name
    from google.protobuf import text_format
    from tensorboard.plugins.projector import projector_config_pb2

    config = text_format.Parse(
        ours["projector_config.pbtxt"].decode(), projector_config_pb2.ProjectorConfig()
    )
    assert [e.tensor_name for e in config.embeddings] == [
        "emb/a:00001",
        "default:00002",
        "grey:00000",
    ]
