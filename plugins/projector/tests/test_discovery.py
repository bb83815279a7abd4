"""Discovery through run assets, without HTTP: configs in a run and in TensorFlow 1's
plugin-asset folder, absolute paths inside the run, paths out of the run refused with a
warning, checkpoints found by the ``checkpoint`` file, and the pure projections."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.errors import InvalidArgumentError
from tbcore.summary import SummaryWriter
from tbcore_projector import projections
from tbcore_projector.asset_paths import AssetPathError, resolve
from tbcore_projector.projector_files import ProjectorFiles


def _run(logdir: Path, name: str, config: str, files: dict[str, bytes] | None = None) -> Path:
    run = logdir / name
    with SummaryWriter(run) as writer:
        writer.add_scalar("x", 1.0, 0)
    (run / "projector_config.pbtxt").write_text(config)
    for path, data in (files or {}).items():
        (run / path).parent.mkdir(parents=True, exist_ok=True)
        (run / path).write_bytes(data)
    return run


def _files(logdir: Path) -> ProjectorFiles:
    provider = LogdirDataProvider(str(logdir), reload_interval=0)
    provider.reload()
    return ProjectorFiles(provider, str(logdir))


TSV = b"1\t2\t3\n4\t5\t6\n"


def test_paths_resolve_inside_the_run_only(tmp_path: Path) -> None:
    run = str(tmp_path / "run")
    assert resolve("a/b.tsv", "", run) == "a/b.tsv"
    assert resolve("../x.tsv", "sub", run) == "x.tsv"
    assert resolve(f"{run}/a.tsv", "", run) == "a.tsv"
    for bad in ["../x", "a/../../x", "~/x", "/etc/passwd", f"{run}/../other/a.tsv", "", "."]:
        with pytest.raises(AssetPathError):
            resolve(bad, "", run)
    with pytest.raises(AssetPathError, match="cannot be placed"):
        resolve(f"{run}/a.tsv", "", None)


def test_absolute_paths_inside_the_run_are_read(tmp_path: Path) -> None:
    run = tmp_path / "run"
    _run(tmp_path, "run", f'embeddings {{ tensor_name: "t" tensor_path: "{run}/data/t.tsv" }}',
         {"data/t.tsv": TSV})
    files = _files(tmp_path)
    assert files.runs() == ["run"]
    np.testing.assert_array_equal(files.tensor("run", "t"), [[1, 2, 3], [4, 5, 6]])
    assert '"tensorShape": [\n        2,\n        3\n      ]' in files.info("run")


def test_paths_out_of_the_run_are_refused_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secret.tsv").write_bytes(TSV)
    _run(tmp_path, "run", f'embeddings {{ tensor_name: "t" tensor_path: "{tmp_path}/secret.tsv" }}'
         '\nembeddings { tensor_name: "u" tensor_path: "../secret.tsv" }')
    _run(tmp_path, "ckpt", 'model_checkpoint_path: "../run/model.ckpt-1"')
    files = _files(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tbcore_projector"):
        assert files.runs() == ["run"]
    refused = [r.getMessage() for r in caplog.records]
    assert any("'ckpt'" in m and "checkpoint refused" in m for m in refused), refused
    assert sum("outside the run" in m for m in refused) >= 2, refused
    for name in ["t", "u"]:
        with pytest.raises(InvalidArgumentError, match="outside the run"):
            files.tensor("run", name)


def test_plugin_asset_folder_config_wins(tmp_path: Path) -> None:
    folder = "plugins/org_tensorflow_tensorboard_projector"
    _run(
        tmp_path, "run", 'embeddings { tensor_name: "root" tensor_path: "t.tsv" }',
        {
            "t.tsv": TSV,
            f"{folder}/projector_config.pbtxt": b'embeddings { tensor_path: "u.tsv" '
            b'metadata_path: "labels.tsv" }',
            f"{folder}/u.tsv": b"1\t1\n2\t2\n3\t3\n",
            f"{folder}/labels.tsv": b"a\nb\nc\n",
        },
    )
    files = _files(tmp_path)
    assert files.tensor("run", "u.tsv").shape == (3, 2)
    assert files.metadata("run", "u.tsv", 2) == "a\nb\n"
    with pytest.raises(InvalidArgumentError):
        files.tensor("run", "root")


def test_bad_config_and_bad_tensor_cost_only_themselves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _run(tmp_path, "broken", "embeddings { tensor_name: ")
    _run(tmp_path, "ragged", 'embeddings { tensor_name: "r" tensor_path: "r.tsv" }',
         {"r.tsv": b"1\t2\n3\n"})
    _run(tmp_path, "binary", 'embeddings { tensor_name: "b" tensor_path: "b.bin" }',
         {"b.bin": b"\x80\x00\x00\x00"})
    files = _files(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tbcore_projector"):
        assert files.runs() == ["binary", "ragged"]
    assert any("cannot parse" in r.getMessage() for r in caplog.records)
    with pytest.raises(InvalidArgumentError, match="TSV"):
        files.tensor("ragged", "r")
    with pytest.raises(InvalidArgumentError, match="2-D tensor_shape"):
        files.tensor("binary", "b")


def test_pca_is_exact_and_ordered() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 6)) * np.array([10, 5, 2, 1, 0.5, 0.1])
    result = projections.pca(x.astype(np.float32), 3)
    assert result.positions.shape == (500, 3)
    assert result.variance_explained == sorted(result.variance_explained, reverse=True)
    centred = x - x.mean(0)
    singular = np.linalg.svd(centred, compute_uv=False)
    want = singular**2 / np.sum(singular**2)
    np.testing.assert_allclose(result.variance_explained, want[:3], rtol=1e-4)
    np.testing.assert_allclose(np.abs(result.positions).std(0), np.abs(
        np.linalg.svd(centred, full_matrices=False)[0][:, :3] * singular[:3]).std(0), rtol=1e-3)
    wide = projections.pca(rng.normal(size=(5, 40)).astype(np.float32), 8)
    assert wide.positions.shape == (5, 8)
    assert wide.variance_explained[4:] == pytest.approx([0, 0, 0, 0], abs=1e-9)
    with pytest.raises(InvalidArgumentError):
        projections.pca(x, 0)


def test_neighbors() -> None:
    x = np.array([[0, 0], [1, 0], [0, 3], [10, 10], [-1, 0]], np.float32)
    got = projections.neighbors(x, 0, 3, "euclidean")
    assert [n["index"] for n in got] == [1, 4, 2]
    assert [n["distance"] for n in got] == pytest.approx([1, 1, 3])
    cosine = projections.neighbors(x, 1, 2, "cosine")
    assert [n["index"] for n in cosine] == [3, 0]  # ties (0 and 2 at distance 1) by index
    for bad in [(9, 3, "cosine"), (0, 0, "cosine"), (0, 3, "manhattan")]:
        with pytest.raises(InvalidArgumentError):
            projections.neighbors(x, *bad)


def test_custom_projection_runs_from_group_to_group() -> None:
    x = np.array([[0, 0, 0], [0, 0, 1], [4, 0, 0], [4, 0, 1], [0, 3, 0]], np.float32)
    positions = projections.custom_projection(x, ([0, 1], [2, 3]), ([], [4]))
    assert positions[2, 0] - positions[0, 0] == pytest.approx(4)
    assert positions[4, 1] > positions[0, 1]
    assert positions[2, 1] == pytest.approx(positions[0, 1])  # y is orthogonal to x
    with pytest.raises(InvalidArgumentError):
        projections.custom_projection(x, ([9], [0]), ([], []))


def test_landmark_tsne_places_every_point_near_its_cluster() -> None:
    from tbcore_projector.landmark_tsne import LandmarkTsne

    rng = np.random.default_rng(1)
    centres = rng.normal(scale=6, size=(3, 60))
    labels = rng.integers(0, 3, 3000)
    values = (centres[labels] + rng.normal(size=(3000, 60))).astype(np.float32)
    tsne = LandmarkTsne(values, perplexity=20, landmarks=300)
    for _ in range(300):
        tsne.step()
    layout = tsne.positions
    assert layout.shape == (3000, 2) and tsne.iteration == 300
    np.testing.assert_array_equal(layout[tsne.landmarks], tsne.tsne.positions)
    sample = rng.choice(3000, 500, replace=False)
    distances = np.linalg.norm(layout[sample, None] - layout[None, sample], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    assert np.mean(labels[sample][nearest] == labels[sample]) > 0.98
