import numpy as np
import pytest

from tbcore.io.tensors import TensorDecodeError, from_numpy, to_numpy
from tbcore.proto import tensor_pb2, types_pb2


def _proto(dtype: int, shape: list[int], **fields: object) -> tensor_pb2.TensorProto:
    proto = tensor_pb2.TensorProto(dtype=dtype, **fields)  # type: ignore[arg-type]
    for d in shape:
        proto.tensor_shape.dim.add(size=d)
    return proto


@pytest.mark.parametrize(
    "dtype, np_dtype, field",
    [
        (types_pb2.DT_FLOAT, np.float32, "float_val"),
        (types_pb2.DT_DOUBLE, np.float64, "double_val"),
        (types_pb2.DT_INT8, np.int8, "int_val"),
        (types_pb2.DT_INT16, np.int16, "int_val"),
        (types_pb2.DT_INT32, np.int32, "int_val"),
        (types_pb2.DT_INT64, np.int64, "int64_val"),
        (types_pb2.DT_UINT8, np.uint8, "int_val"),
        (types_pb2.DT_UINT16, np.uint16, "int_val"),
        (types_pb2.DT_UINT32, np.uint32, "uint32_val"),
        (types_pb2.DT_UINT64, np.uint64, "uint64_val"),
        (types_pb2.DT_BOOL, np.bool_, "bool_val"),
    ],
)
def test_numeric_dtypes_from_both_encodings(dtype: int, np_dtype: type, field: str) -> None:
    values = np.array([[1, 0, 3], [4, 5, 1]], dtype=np_dtype)
    packed = _proto(dtype, [2, 3], tensor_content=values.astype(np.dtype(np_dtype).newbyteorder("<")).tobytes())
    typed = _proto(dtype, [2, 3], **{field: values.reshape(-1).tolist()})
    for proto in (packed, typed):
        decoded = to_numpy(proto)
        assert decoded.dtype == np_dtype and decoded.shape == (2, 3)
        np.testing.assert_array_equal(decoded, values)


def test_half_and_bfloat16() -> None:
    values = np.array([1.5, -2.25, 0.0], dtype=np.float16)
    bits = values.view(np.uint16)
    assert to_numpy(_proto(types_pb2.DT_HALF, [3], half_val=bits.tolist())).tolist() == values.tolist()
    assert to_numpy(_proto(types_pb2.DT_HALF, [3], tensor_content=values.tobytes())).tolist() == values.tolist()
    as_f32 = np.array([1.5, -2.25, 3.0e38], dtype=np.float32)
    bf16 = (as_f32.view(np.uint32) >> 16).astype(np.uint16)
    for proto in (
        _proto(types_pb2.DT_BFLOAT16, [3], half_val=bf16.tolist()),
        _proto(types_pb2.DT_BFLOAT16, [3], tensor_content=bf16.tobytes()),
    ):
        decoded = to_numpy(proto)
        assert decoded.dtype == np.float32
        np.testing.assert_allclose(decoded, as_f32, rtol=1e-2)


def test_strings_and_scalar_padding() -> None:
    strings = to_numpy(_proto(types_pb2.DT_STRING, [2, 2], string_val=[b"a", b"b", b"c", b"d"]))
    assert strings.tolist() == [[b"a", b"b"], [b"c", b"d"]]
    # TensorFlow's convention: a short typed field is padded with its last value.
    assert to_numpy(_proto(types_pb2.DT_FLOAT, [4], float_val=[7.0])).tolist() == [7.0] * 4
    assert to_numpy(_proto(types_pb2.DT_FLOAT, [], float_val=[2.5])).shape == ()


def test_bad_tensors_raise_a_clear_error() -> None:
    with pytest.raises(TensorDecodeError, match="needs 12"):
        to_numpy(_proto(types_pb2.DT_FLOAT, [3], tensor_content=b"\0" * 8))
    with pytest.raises(TensorDecodeError, match="holds no values"):
        to_numpy(_proto(types_pb2.DT_FLOAT, [3]))
    with pytest.raises(TensorDecodeError, match="unsupported"):
        to_numpy(_proto(types_pb2.DT_RESOURCE, [1]))


def test_round_trip() -> None:
    for array in (np.arange(6, dtype=np.float64).reshape(2, 3), np.array(["x", "yz"]), np.float32(3.5)):
        back = to_numpy(from_numpy(array))
        expected = np.char.encode(array, "utf-8") if array.dtype.kind == "U" else array
        np.testing.assert_array_equal(back, expected)
