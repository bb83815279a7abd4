"""Tensor files: TSV as torch's and tbcore's ``add_embedding`` write it, parsed by pandas
(large files, when installed) and by numpy with the same values; ragged rows and bad values
refused with the row named; blank lines skipped; the shape read without parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tbcore.summary.embedding import tensors_tsv
from tbcore_projector import tensor_files
from tbcore_projector.tensor_files import TensorFileError, parse_tensor_file, tsv_shape


@pytest.fixture(params=["pandas", "numpy"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with pandas' reader (when installed) and with numpy's."""
    if request.param == "pandas":
        pytest.importorskip("pandas")
        monkeypatch.setattr(tensor_files, "PANDAS_BYTES", 0)
    else:
        monkeypatch.setattr(tensor_files, "available", lambda package: False)
    return str(request.param)


def test_tsv_of_add_embedding_round_trips(parser: str) -> None:
    values = np.random.default_rng(0).normal(size=(300, 17)).astype(np.float32)
    values[3, 4] = np.nan
    values[5, 6] = -np.inf
    parsed = parse_tensor_file(tensors_tsv(values), [])
    np.testing.assert_array_equal(parsed, values)  # float32 written as Python prints it
    assert parsed.dtype == np.float32


def test_blank_lines_and_crlf(parser: str) -> None:
    parsed = parse_tensor_file(b"\n1\t2.5\r\n\n\n-3e2\t+4\n\n", [])
    np.testing.assert_array_equal(parsed, np.float32([[1, 2.5], [-300, 4]]))
    assert parse_tensor_file(b"\n \n", []).shape == (0, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"1\t2\t3\n4\t5\t6\n7\t8\n", "row 3"),
        (b"1\t2\n3\t4\t5\n", "row 2"),
        (b"1\t2\n3\tNA\n", "NA"),
        (b"1\t2\n3\t\n", "could not convert string"),
    ],
)
def test_ragged_rows_and_bad_values_name_the_row(parser: str, text: bytes, message: str) -> None:
    with pytest.raises(TensorFileError, match="not a TSV file of numbers") as error:
        parse_tensor_file(text, [])
    assert message in str(error.value)


def test_binary_when_not_utf8() -> None:
    values = np.float32([[1.5, -2], [3, 4e-30]])
    np.testing.assert_array_equal(parse_tensor_file(values.tobytes(), [2, 2]), values)
    with pytest.raises(TensorFileError, match="do not hold"):
        parse_tensor_file(values.tobytes(), [3, 2])


def test_shape_without_parsing(tmp_path: Path) -> None:
    assert tsv_shape(b"1\t2\t3\n4\t5\t6\n") == [2, 3]
    assert tsv_shape(b"\n\n1\t2\n\n3\t4") == [2, 2]
    assert tsv_shape(b"") == [0, 0]
    assert tsv_shape(np.float32([1e-30, 2e-30]).tobytes()) is None
