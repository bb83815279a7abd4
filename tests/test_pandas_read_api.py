"""``tbcore.read_*``: the tables they return hold exactly what the provider serves.

Logs come from the real writers (``tests/writers.py``, PyTorch and TF2 fixtures).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tbcore
from tbcore.data import LogdirDataProvider

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.slow

SCALAR_COLUMNS = ["run", "tag", "step", "wall_time", "value"]


@pytest.fixture
def torch_logdir(writer_logdir: Callable[[str], str]) -> str:
    return writer_logdir("torch")


@pytest.fixture
def torch_provider(torch_logdir: str) -> LogdirDataProvider:
    provider = LogdirDataProvider(torch_logdir)
    provider.reload()
    return provider


def _expected_scalar_rows(provider: LogdirDataProvider) -> dict[str, np.ndarray]:
    """Every scalar point of the provider, ordered by run, tag and step."""
    data = provider.read_scalars(plugin_name="scalars")
    rows: dict[str, list] = {name: [] for name in SCALAR_COLUMNS}
    for run in sorted(data):
        for tag in sorted(data[run]):
            cols = data[run][tag]
            rows["run"] += [run] * len(cols)
            rows["tag"] += [tag] * len(cols)
            rows["step"] += cols.step.tolist()
            rows["wall_time"] += cols.wall_time.tolist()
            rows["value"] += cols.value.astype(np.float64).tolist()
    return {name: np.array(values) for name, values in rows.items()}


def _assert_columns_equal(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert list(actual) == SCALAR_COLUMNS
    for name in SCALAR_COLUMNS:
        assert len(actual[name]) == len(expected[name]), name
        if name in ("run", "tag"):
            assert list(actual[name]) == list(expected[name]), name
        else:  # NaN and ±inf included (torch's odd_values tag)
            np.testing.assert_array_equal(np.asarray(actual[name]), expected[name], err_msg=name)


def test_read_scalars_dataframe_matches_provider(
    torch_logdir: str, torch_provider: LogdirDataProvider
) -> None:
    df = tbcore.read_scalars(torch_logdir)
    assert isinstance(df, pd.DataFrame)
    expected = _expected_scalar_rows(torch_provider)
    assert len(df) == len(expected["step"]) > 50
    _assert_columns_equal({name: df[name].to_numpy() for name in df.columns}, expected)
    assert df["step"].dtype == np.int64
    assert df["wall_time"].dtype == np.float64
    assert df["value"].dtype == np.float64
    # Every run of the logdir with scalars, the add_scalars sub-runs included.
    assert set(df["run"]) == {
        "run_a",
        "run_b",
        "run_a/pair_train",
        "run_a/pair_eval",
        "run_b/pair_train",
        "run_b/pair_eval",
        "run_a/hparams",
    }
    odd = df[(df.run == "run_a") & (df.tag == "odd_values")]
    np.testing.assert_array_equal(odd["value"], [0.5, np.nan, np.inf, -np.inf, 2.0])


def test_read_scalars_as_numpy_columns(
    torch_logdir: str, torch_provider: LogdirDataProvider
) -> None:
    columns = tbcore.read_scalars(torch_logdir, as_pandas=False)
    assert isinstance(columns, dict)
    assert all(isinstance(v, np.ndarray) for v in columns.values())
    assert columns["step"].dtype == np.int64
    assert columns["wall_time"].dtype == np.float64
    assert columns["value"].dtype == np.float64
    _assert_columns_equal(columns, _expected_scalar_rows(torch_provider))


def test_read_scalars_filters(torch_logdir: str) -> None:
    df = tbcore.read_scalars(torch_logdir, runs=["run_b"], tags=["loss", "tensor_scalar"])
    assert set(df["run"]) == {"run_b"}
    assert df["tag"].tolist() == ["loss"] * 6 + ["tensor_scalar"] * 6
    assert df["step"].tolist() == list(range(6)) * 2
    loss = np.array([1.0 / (s + 1) + 1 for s in range(6)])
    np.testing.assert_allclose(df["value"], np.r_[loss, 2 * loss], rtol=1e-6)


def test_read_histograms(torch_logdir: str, torch_provider: LogdirDataProvider) -> None:
    df = tbcore.read_histograms(torch_logdir)
    assert list(df.columns) == ["run", "tag", "step", "wall_time", "left", "right", "count"]
    data = torch_provider.read_tensors(plugin_name="histograms")
    expected = [
        (run, tag, d) for run in sorted(data) for tag in sorted(data[run]) for d in data[run][tag]
    ]
    assert len(df) == len(expected) == 2 * (3 * 3 + 1)
    for row, (run, tag, datum) in zip(df.itertuples(index=False), expected):
        assert (row.run, row.tag, row.step, row.wall_time) == (
            run,
            tag,
            datum.step,
            datum.wall_time,
        )
        np.testing.assert_array_equal(row.left, datum.numpy[:, 0])
        np.testing.assert_array_equal(row.right, datum.numpy[:, 1])
        np.testing.assert_array_equal(row.count, datum.numpy[:, 2])
    # add_histogram_raw: limits [1, 2, 3], counts [1, 2, 3], min 0, max 3.
    raw = df[(df.run == "run_a") & (df.tag == "raw_hist")].iloc[0]
    np.testing.assert_array_equal(raw["left"], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(raw["right"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(raw["count"], [1.0, 2.0, 3.0])
    # Each histogram counts all its samples.
    sizes = {"weights": 200, "weights_auto": 300, "int_values": 100, "raw_hist": 6}
    for row in df.itertuples(index=False):
        assert row.count.sum() == sizes[row.tag], (row.run, row.tag, row.step)


def test_read_tensors_pr_curves(torch_logdir: str, torch_provider: LogdirDataProvider) -> None:
    df = tbcore.read_tensors(torch_logdir, plugin="pr_curves")
    assert list(df.columns) == ["run", "tag", "step", "wall_time", "value"]
    assert list(zip(df["run"], df["tag"], df["step"])) == [
        ("run_a", "pr", 0),
        ("run_a", "pr", 1),
        ("run_b", "pr", 0),
        ("run_b", "pr", 1),
    ]
    # Six rows (TP, FP, TN, FN, precision, recall) by num_thresholds columns.
    assert [v.shape for v in df["value"]] == [(6, 127), (6, 21), (6, 127), (6, 21)]
    data = torch_provider.read_tensors(plugin_name="pr_curves")
    for row in df.itertuples(index=False):
        (datum,) = [d for d in data[row.run][row.tag] if d.step == row.step]
        assert row.wall_time == datum.wall_time
        np.testing.assert_array_equal(row.value, datum.numpy)


def test_read_tensors_filters_and_unknown_plugin(torch_logdir: str) -> None:
    df = tbcore.read_tensors(torch_logdir, plugin="pr_curves", runs=["run_b"], tags=["pr"])
    assert df["run"].tolist() == ["run_b", "run_b"]
    assert len(tbcore.read_tensors(torch_logdir, plugin="no_such_plugin")) == 0


def test_read_text_torch(torch_logdir: str) -> None:
    df = tbcore.read_text(torch_logdir)
    assert list(df.columns) == ["run", "tag", "step", "wall_time", "text"]
    assert list(zip(df["run"], df["tag"], df["step"])) == [
        (run, tag, step)
        for run in ["run_a", "run_b"]
        for tag in ["markdown/text_summary", "note/text_summary"]
        for step in [0, 1]
    ]
    by_key = {(r.run, r.tag, r.step): r.text for r in df.itertuples(index=False)}
    # PyTorch writes text as a one-element string vector: one str in an array.
    note = by_key[("run_a", "note/text_summary", 1)]
    assert isinstance(note, np.ndarray) and note.tolist() == ["plain text at step 1"]
    markdown = by_key[("run_b", "markdown/text_summary", 0)]
    assert markdown.tolist() == ["# Heading 0\n\n* a **bold** item\n* `code`"]


def test_read_text_tf2_scalar_and_table(writer_logdir: Callable[[str], str]) -> None:
    df = tbcore.read_text(writer_logdir("tf2"), runs=["alpha"])
    texts = {(r.tag, r.step): r.text for r in df.itertuples(index=False)}
    assert sorted(texts) == [("table", 0), ("table", 1), ("text", 0), ("text", 1)]
    assert texts[("text", 1)] == "hello *markdown* 1"
    assert isinstance(texts[("text", 1)], str)
    table = texts[("table", 1)]
    assert isinstance(table, np.ndarray) and table.shape == (2, 3)
    assert table.tolist() == [["a", "b", "c"], ["d", "e", "1"]]
