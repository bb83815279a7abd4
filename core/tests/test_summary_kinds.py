"""tbcore.summary's video, boxes, figure, mesh and embedding kinds: what they write and how
they fail. Equality with torch's writer for each of them is checked call for call in
adapters/torch/tests/test_matches_torch_writer.py."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.proto import plugin_mesh_pb2, projector_config_pb2
from tbcore.summary import SummaryWriter
from tbcore.summary.video import tile_clips

Image = pytest.importorskip("PIL.Image")
ImageSequence = pytest.importorskip("PIL.ImageSequence")
RNG = np.random.default_rng(0)


def _provider(logdir: Path) -> LogdirDataProvider:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def _image_blob(logdir: Path, tag: str) -> tuple[list[bytes], bytes]:
    """(width and height as written, the encoded image) of the first image of ``tag``."""
    provider = _provider(logdir)
    datum = provider.read_blob_sequences(plugin_name="images")["."][tag][0]
    blobs = [provider.read_blob(blob_key=v.blob_key) for v in datum.values]
    return blobs[:2], blobs[2]


def _frames(encoded: bytes) -> list[tuple[np.ndarray, Any]]:
    """(grey pixels, delay in ms) of each frame of a GIF."""
    return [
        (np.asarray(f.convert("L")), f.info.get("duration"))
        for f in ImageSequence.Iterator(Image.open(io.BytesIO(encoded)))
    ]


def _run_without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where importing ``module`` fails."""
    block = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {module!r}:\n"
        "            raise ImportError('blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    return subprocess.run(
        [sys.executable, "-c", block + code], capture_output=True, text=True, check=False
    )


# --- video ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_video_tiles_clips_like_torch(count: int) -> None:
    prepare_video = pytest.importorskip("torch.utils.tensorboard._utils")._prepare_video
    clips = RNG.random((count, 2, 3, 4, 5))
    np.testing.assert_allclose(tile_clips(clips), prepare_video(clips))


def test_grey_video_is_an_animated_gif_at_fps(tmp_path: Path) -> None:
    clips = RNG.integers(0, 256, (1, 3, 1, 6, 8), dtype=np.uint8)
    with SummaryWriter(tmp_path) as w:
        w.add_video("v", clips, 2, fps=5)
    size, gif = _image_blob(tmp_path, "v")
    assert size == [b"8", b"6"]
    frames = _frames(gif)
    assert [delay for _, delay in frames] == [200, 200, 200]
    for (pixels, _), expected in zip(frames, clips[0, :, 0], strict=True):
        np.testing.assert_array_equal(pixels, expected)


def test_wrong_video_shape_names_the_layout(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"\(N, T, C, H, W\)"):
            w.add_video("v", np.zeros((3, 4, 5, 6)))
        with pytest.raises(ValueError, match=r"2 channels; expected 1 \(grey\), 3 \(RGB\)"):
            w.add_video("v", np.zeros((1, 2, 2, 4, 4)))
        with pytest.raises(ValueError, match="fps > 0"):
            w.add_video("v", np.zeros((1, 2, 3, 4, 4)), fps=0)


# --- image with boxes -------------------------------------------------------------------


def test_boxes_are_drawn_in_red_on_the_image(tmp_path: Path) -> None:
    image = np.zeros((3, 20, 30), dtype=np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_image_with_boxes("b", image, np.array([[5, 4, 25, 15]]), 1)
    size, png = _image_blob(tmp_path, "b")
    assert size == [b"30", b"20"]
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert pixels[4, 10].tolist() == [255, 0, 0]  # top edge
    assert pixels[10, 25].tolist() == [255, 0, 0]  # right edge
    assert pixels[10, 15].tolist() == [0, 0, 0]  # inside stays black


def test_labels_that_do_not_fit_the_boxes_are_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    image = RNG.random((3, 20, 30))
    boxes = np.array([[1, 1, 10, 10], [5, 5, 20, 18]])
    with SummaryWriter(tmp_path / "a") as w, caplog.at_level(logging.WARNING):
        w.add_image_with_boxes("b", image, boxes, 1, labels=["only one"])
    assert "1 labels for 2 boxes" in caplog.text
    with SummaryWriter(tmp_path / "b") as w:
        w.add_image_with_boxes("b", image, boxes, 1)
    assert _image_blob(tmp_path / "a", "b") == _image_blob(tmp_path / "b", "b")


def test_bad_boxes_and_layouts_say_what_is_expected(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
            w.add_image_with_boxes("b", np.zeros((3, 8, 8)), np.array([1, 2, 3, 4]))
        with pytest.raises(ValueError, match="CHW, HWC, HW"):
            w.add_image_with_boxes("b", np.zeros((8, 8)), np.zeros((1, 4)))
        with pytest.raises(ValueError, match="is not one of CHW, HWC, HW, NCHW, NHWC"):
            w.add_image_with_boxes("b", np.zeros((8, 8)), np.zeros((1, 4)), dataformats="WH C")


def test_without_pillow_boxes_and_video_name_the_package(tmp_path: Path) -> None:
    code = (
        "import numpy as np\n"
        "from tbcore.summary import SummaryWriter\n"
        f"w = SummaryWriter({str(tmp_path)!r})\n"
        "for call in (lambda: w.add_image_with_boxes('b', np.zeros((3, 4, 4)), np.zeros((1, 4))),\n"
        "             lambda: w.add_video('v', np.zeros((1, 2, 3, 4, 4)))):\n"
        "    try:\n"
        "        call()\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
        "w.add_scalar('still', 1.0, 0)\n"
        "w.close()\n"
    )
    done = _run_without("PIL", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "add_image_with_boxes needs the Pillow package: pip install Pillow",
        "add_video needs the Pillow package: pip install Pillow",
    ]
    assert "still" in _provider(tmp_path).list_scalars(plugin_name="scalars")["."]


# --- figures ----------------------------------------------------------------------------


def test_figure_is_rendered_and_closed(tmp_path: Path) -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure(figsize=(2, 1), dpi=50)
    fig.patch.set_facecolor((0, 0, 1))
    kept = plt.figure(figsize=(2, 1), dpi=50)
    with SummaryWriter(tmp_path) as w:
        w.add_figure("f", fig, 1)
        w.add_figure("kept", kept, 1, close=False)
    assert not plt.fignum_exists(fig.number) and plt.fignum_exists(kept.number)
    plt.close(kept)
    size, png = _image_blob(tmp_path, "f")
    assert size == [b"100", b"50"]
    pixels = np.asarray(Image.open(io.BytesIO(png)))
    assert pixels.shape == (50, 100, 3) and pixels[0, 0].tolist() == [0, 0, 255]


def test_figure_errors(tmp_path: Path) -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(TypeError, match="matplotlib Figure"):
            w.add_figure("f", np.zeros((3, 4, 4)))
        figs = [plt.figure(figsize=(2, 1), dpi=50), plt.figure(figsize=(1, 1), dpi=50)]
        with pytest.raises(ValueError, match="figures of one size"):
            w.add_figure("f", figs)
        with pytest.raises(ValueError, match="empty list"):
            w.add_figure("f", [])


def test_without_matplotlib_figure_names_the_package(tmp_path: Path) -> None:
    code = (
        "from tbcore.summary import SummaryWriter\n"
        f"with SummaryWriter({str(tmp_path)!r}) as w:\n"
        "    try:\n"
        "        w.add_figure('f', object())\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
    )
    done = _run_without("matplotlib", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "add_figure needs the matplotlib package: pip install matplotlib"


# --- meshes -----------------------------------------------------------------------------


def test_mesh_parts_share_one_event_with_the_mesh_metadata(tmp_path: Path) -> None:
    vertices = RNG.random((2, 5, 3)).astype(np.float32)
    faces = np.array([[[0, 1, 2], [1, 2, 3]]] * 2)
    with SummaryWriter(tmp_path) as w:
        w.add_mesh("m", vertices, faces=faces, config_dict={"b": 1, "a": 2}, global_step=4)
    provider = _provider(tmp_path)
    series = provider.list_tensors(plugin_name="mesh")["."]
    assert set(series) == {"m_VERTEX", "m_FACE"}
    data = plugin_mesh_pb2.MeshPluginData.FromString(series["m_FACE"].plugin_content)
    assert data.name == "m" and data.content_type == plugin_mesh_pb2.MeshPluginData.FACE
    assert data.components == 0b110 and list(data.shape) == [2, 2, 3]
    assert data.json_config == '{"a": 2, "b": 1}'
    read = provider.read_tensors(plugin_name="mesh")["."]
    assert read["m_VERTEX"][0].step == 4
    np.testing.assert_array_equal(read["m_VERTEX"][0].numpy, vertices)
    np.testing.assert_array_equal(read["m_FACE"][0].numpy, faces.astype(np.float32))


def test_mesh_shape_errors_name_the_layout(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"vertices of shape \(5, 3\) .*\(B, N, 3\)"):
            w.add_mesh("m", np.zeros((5, 3)))
        with pytest.raises(ValueError, match=r"colors of shape \(1, 5, 4\)"):
            w.add_mesh("m", np.zeros((1, 5, 3)), colors=np.zeros((1, 5, 4)))


# --- embeddings -------------------------------------------------------------------------


def _config(logdir: Path) -> projector_config_pb2.ProjectorConfig:
    from google.protobuf import text_format

    text = (logdir / "projector_config.pbtxt").read_text()
    return text_format.Parse(text, projector_config_pb2.ProjectorConfig())


def test_embedding_with_tall_uint8_thumbnails(tmp_path: Path) -> None:
    thumbs = RNG.integers(0, 256, (5, 3, 6, 4), dtype=np.uint8)  # taller than wide
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(np.eye(5, 2), metadata=[1, 2, 3, 4, 5], label_img=thumbs, tag="t")
    (info,) = _config(tmp_path).embeddings
    assert list(info.sprite.single_image_dim) == [4, 6]
    sprite = np.asarray(Image.open(tmp_path / "00000/t/sprite.png"))
    assert sprite.shape == (12, 12, 3)  # 3 per row, 2 rows of 6 pixels on a 12 by 12 square
    np.testing.assert_array_equal(sprite[6:12, 4:8], thumbs[4].transpose(1, 2, 0))
    assert (tmp_path / "00000/t/metadata.tsv").read_text() == "1\n2\n3\n4\n5\n"
    assert (tmp_path / "00000/t/tensors.tsv").read_text().splitlines()[1] == "0.0\t1.0"


def test_embedding_input_errors_say_what_to_change(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"mat of shape \(4,\) must be 2-D"):
            w.add_embedding(np.zeros(4))
        with pytest.raises(ValueError, match="3 metadata rows for 4 points"):
            w.add_embedding(np.zeros((4, 2)), metadata=["a", "b", "c"])
        with pytest.raises(ValueError, match="metadata row 1 must have one value per header"):
            w.add_embedding(np.zeros((2, 2)), [[1, 2], [3]], metadata_header=["x", "y"])
        with pytest.raises(ValueError, match=r"\(N, C, H, W\) with C 1 \(grey\) or 3"):
            w.add_embedding(np.zeros((2, 2)), label_img=np.zeros((2, 4, 4)))
        with pytest.raises(ValueError, match="3 label images for 2 points"):
            w.add_embedding(np.zeros((2, 2)), label_img=np.zeros((3, 3, 4, 4)))
    assert not (tmp_path / "projector_config.pbtxt").exists()  # nothing half-written


def test_embedding_at_the_same_step_warns_and_replaces(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with SummaryWriter(tmp_path) as w, caplog.at_level(logging.WARNING):
        w.add_embedding(np.zeros((2, 2)), tag="e")
        w.add_embedding(np.ones((2, 2)), tag="e")
    assert "give each call its own global_step" in caplog.text
    assert (tmp_path / "00000/e/tensors.tsv").read_text() == "1.0\t1.0\n1.0\t1.0\n"
    assert len(_config(tmp_path).embeddings) == 2  # one entry per call, as torch writes


def test_closed_writer_says_so_for_every_new_kind(tmp_path: Path) -> None:
    w = SummaryWriter(tmp_path)
    w.close()
    for call in (
        lambda: w.add_embedding(np.zeros((2, 2))),
        lambda: w.add_video("v", np.zeros((1, 2, 3, 4, 4))),
        lambda: w.add_mesh("m", np.zeros((1, 3, 3))),
        lambda: w.add_image_with_boxes("b", np.zeros((3, 4, 4)), np.zeros((1, 4))),
        lambda: w.add_custom_scalars_multilinechart(["a", "b"]),
    ):
        with pytest.raises(ValueError, match="is closed"):
            call()
    assert not (tmp_path / "00000").exists()


def test_marginchart_needs_three_tags(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as w, pytest.raises(ValueError, match="3 tags"):
        w.add_custom_scalars_marginchart(["a", "b"])
