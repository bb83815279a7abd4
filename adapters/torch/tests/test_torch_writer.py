"""The torch adapter writes what the numpy writer writes, from tensors, without TensorBoard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _blocked_imports import run_script

from tbcore.data import LogdirDataProvider

pytest.importorskip("torch")

# Runs in a fresh interpreter where importing tensorboard or tensorflow fails.
WRITE = r'''
import sys

import numpy as np
import torch
from tbcore_torch import SummaryWriter

kind, logdir = sys.argv[1], sys.argv[2]
t = (lambda a: torch.tensor(np.asarray(a))) if kind == "torch" else (lambda a: np.asarray(a))
weights = np.linspace(-1, 1, 1000) ** 3
image = np.linspace(0, 1, 3 * 8 * 8, dtype=np.float32).reshape(3, 8, 8)
with SummaryWriter(logdir) as w:
    for step in range(5):
        loss = t(np.float32(1.0 / (step + 1)))
        if kind == "torch":
            loss = loss.requires_grad_(True) * 1  # a tensor that is part of a graph
        w.add_scalar("loss", loss, step)
        w.add_scalars("lr", {"a": t(np.float32(0.1 * step)), "b": 0.5}, step)
        w.add_histogram("weights", t(weights * (step + 1)), step)
        w.add_image("image", t(image), step)
        w.add_audio("audio", t(np.sin(np.linspace(0, 20, 800)).astype(np.float32)), step, sample_rate=8000)
        w.add_pr_curve("pr", t(np.arange(20) % 2), t(np.linspace(0, 1, 20)), step)
        w.add_tensor("custom", t(np.arange(6).reshape(2, 3)), step, plugin_name="mine")
    if kind == "torch":
        w.add_scalar("bf16", torch.tensor(0.5, dtype=torch.bfloat16), 0)
    else:
        w.add_scalar("bf16", 0.5, 0)
    w.add_hparams({"lr": t(np.float32(0.1)), "opt": "adam"}, {"hp/acc": t(np.float32(0.9))},
                  run_name="trial")
    boxes = t(np.array([[1.0, 1.0, 6.0, 5.0]]))
    w.add_image_with_boxes("boxes", t(image), boxes, 1, labels=["x"])
    video = np.linspace(0, 1, 2 * 3 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 3, 4, 5)
    w.add_video("video", t(video), 1, fps=t(np.float32(5)))
    cube = np.array([[[1.0, 1, 1], [-1, -1, 1], [1, -1, -1]]], dtype=np.float32)
    w.add_mesh("mesh", t(cube), colors=t(np.full((1, 3, 3), 200, dtype=np.int32)),
               faces=t(np.array([[[0, 1, 2]]], dtype=np.int32)), global_step=1)
    w.add_embedding(t(np.eye(4, 3)), metadata=t(np.arange(4)),
                    label_img=t(np.linspace(0, 1, 4 * 3 * 2 * 2).reshape(4, 3, 2, 2)), global_step=1)
'''


def _load(logdir: Path) -> LogdirDataProvider:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def test_tensors_write_exactly_what_arrays_write(tmp_path: Path) -> None:
    for kind in ("torch", "numpy"):  # neither needs tensorboard or tensorflow
        run_script(WRITE, kind, str(tmp_path / kind), timeout=240)
    ours, ref = _load(tmp_path / "torch"), _load(tmp_path / "numpy")
    assert [r.run_name for r in ours.list_runs()] == [r.run_name for r in ref.list_runs()]
    assert ours.list_plugins() == ref.list_plugins()
    for plugin in ref.list_plugins():
        a = ours.read_scalars(plugin_name=plugin)
        b = ref.read_scalars(plugin_name=plugin)
        assert a.keys() == b.keys()
        for run in b:
            for tag in b[run]:
                np.testing.assert_array_equal(a[run][tag].step, b[run][tag].step)
                np.testing.assert_array_equal(a[run][tag].value, b[run][tag].value)
        ta, tb = ours.read_tensors(plugin_name=plugin), ref.read_tensors(plugin_name=plugin)
        assert ta.keys() == tb.keys()
        for run in tb:
            for tag in tb[run]:
                for x, y in zip(ta[run][tag], tb[run][tag], strict=True):
                    assert x.step == y.step
                    np.testing.assert_array_equal(x.numpy, y.numpy)
        sa, sb = ours.read_blob_sequences(plugin_name=plugin), ref.read_blob_sequences(plugin_name=plugin)
        for run in sb:
            for tag in sb[run]:
                for x, y in zip(sa[run][tag], sb[run][tag], strict=True):
                    got = [ours.read_blob(blob_key=v.blob_key) for v in x.values]
                    assert got == [ref.read_blob(blob_key=v.blob_key) for v in y.values]
    assert {"scalars", "histograms", "images", "audio", "pr_curves", "mine", "hparams", "mesh"} <= set(
        ref.list_plugins()
    )
    assert "boxes" in ref.list_blob_sequences(plugin_name="images")["."]
    assert _projector_files(tmp_path / "torch") == _projector_files(tmp_path / "numpy")
    assert (tmp_path / "numpy" / "00001" / "default" / "metadata.tsv").read_text() == "0\n1\n2\n3\n"


def _projector_files(logdir: Path) -> dict[str, bytes]:
    files = {
        str(p.relative_to(logdir)): p.read_bytes()
        for p in logdir.rglob("*")
        if p.is_file() and not p.name.startswith("events.out")
    }
    assert {"projector_config.pbtxt", "00001/default/sprite.png"} <= files.keys()
    return files


def test_missing_torch_names_the_extra(tmp_path: Path) -> None:
    done = run_script("import tbcore_torch\n", blocked=["torch"], check=False)
    assert done.returncode != 0 and "pip install 'tbcore[torch]'" in done.stderr


def test_public_attributes_are_torchs(tmp_path: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from tbcore_torch import SummaryWriter

    names = ("log_dir", "purge_step", "max_queue", "flush_secs", "filename_suffix")
    options = {"purge_step": 2, "max_queue": 3, "flush_secs": 9, "filename_suffix": ".s"}
    writers = [cls(str(tmp_path / cls.__module__), **options) for cls in (TorchWriter, SummaryWriter)]
    theirs, ours = ({name: getattr(w, name) for name in names} for w in writers)
    assert ours == {**theirs, "log_dir": str(tmp_path / SummaryWriter.__module__)}
    for w in writers:
        w.add_scalars("m", {"a": 1.0}, 0)
        assert w.file_writer is w._get_file_writer()
        assert w.file_writer.get_logdir() == w.get_logdir() == w.log_dir
        assert sorted(w.all_writers) == [w.log_dir, f"{w.log_dir}/m_a"]
        w.close()
        assert w.file_writer is None and w.all_writers is None
        w.flush()  # a no-op after close in both


def test_hparam_tensors_count_as_their_first_element(tmp_path: Path) -> None:
    import torch

    from tbcore_torch import SummaryWriter

    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"a": torch.tensor([0.5, 2.0]), "b": torch.tensor(3)}, {"m": 1.0}, run_name="x")
        with pytest.raises(ValueError, match="hparam 'e' is an empty tensor"):
            w.add_hparams({"e": torch.tensor([])}, {"m": 1.0})
        with pytest.raises(ValueError, match=r"add_hparams metric\('m'\) needs one real number"):
            w.add_hparams({"a": 1.0}, {"m": torch.tensor([1.0, 2.0])})
    hparams = _load(tmp_path).list_tensors(plugin_name="hparams")
    assert list(hparams) == ["x"]  # the failed calls wrote no trial
