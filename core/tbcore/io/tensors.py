"""Converting between ``TensorProto`` messages and numpy arrays, without TensorFlow.

Decoding accepts both encodings writers use: the packed ``tensor_content`` bytes
(little-endian) and the typed repeated fields (``float_val``, ``int_val``, ...). As in
TensorFlow, a typed field shorter than the shape is padded with its last value.
"""

from __future__ import annotations

import numpy as np

from tbcore.proto import tensor_pb2, types_pb2

_NUMPY_DTYPES: dict[int, np.dtype] = {
    types_pb2.DT_FLOAT: np.dtype("<f4"),
    types_pb2.DT_DOUBLE: np.dtype("<f8"),
    types_pb2.DT_HALF: np.dtype("<f2"),
    types_pb2.DT_INT8: np.dtype("i1"),
    types_pb2.DT_INT16: np.dtype("<i2"),
    types_pb2.DT_INT32: np.dtype("<i4"),
    types_pb2.DT_INT64: np.dtype("<i8"),
    types_pb2.DT_UINT8: np.dtype("u1"),
    types_pb2.DT_UINT16: np.dtype("<u2"),
    types_pb2.DT_UINT32: np.dtype("<u4"),
    types_pb2.DT_UINT64: np.dtype("<u8"),
    types_pb2.DT_BOOL: np.dtype("?"),
    types_pb2.DT_COMPLEX64: np.dtype("<c8"),
    types_pb2.DT_COMPLEX128: np.dtype("<c16"),
}

# Which repeated field holds the values of each dtype when tensor_content is empty.
_TYPED_FIELD: dict[int, str] = {
    types_pb2.DT_FLOAT: "float_val",
    types_pb2.DT_DOUBLE: "double_val",
    types_pb2.DT_HALF: "half_val",
    types_pb2.DT_BFLOAT16: "half_val",
    types_pb2.DT_INT8: "int_val",
    types_pb2.DT_INT16: "int_val",
    types_pb2.DT_INT32: "int_val",
    types_pb2.DT_UINT8: "int_val",
    types_pb2.DT_UINT16: "int_val",
    types_pb2.DT_INT64: "int64_val",
    types_pb2.DT_UINT32: "uint32_val",
    types_pb2.DT_UINT64: "uint64_val",
    types_pb2.DT_BOOL: "bool_val",
    types_pb2.DT_STRING: "string_val",
    types_pb2.DT_COMPLEX64: "scomplex_val",
    types_pb2.DT_COMPLEX128: "dcomplex_val",
}


class TensorDecodeError(ValueError):
    """The TensorProto cannot be turned into an array (unknown dtype, wrong sizes)."""


def tensor_shape(proto: tensor_pb2.TensorProto) -> tuple[int, ...]:
    """The shape of ``proto`` as a tuple of ints."""
    return tuple(int(d.size) for d in proto.tensor_shape.dim)


def to_numpy(proto: tensor_pb2.TensorProto) -> np.ndarray:
    """Decode ``proto`` into a numpy array.

    DT_BFLOAT16 becomes float32 (numpy has no bfloat16), DT_STRING an object array of
    ``bytes``. Raises :class:`TensorDecodeError` for what cannot be decoded.
    """
    shape = tensor_shape(proto)
    if any(d < 0 for d in shape):
        raise TensorDecodeError(f"tensor has an unknown dimension: {shape}")
    size = int(np.prod(shape, dtype=np.int64))
    dtype = proto.dtype
    if dtype == types_pb2.DT_STRING:
        strings = np.empty(len(proto.string_val), dtype=object)
        strings[:] = list(proto.string_val)
        return _fill(strings, size, shape)
    if dtype == types_pb2.DT_BFLOAT16:
        if proto.tensor_content:
            bits = np.frombuffer(proto.tensor_content, dtype="<u2")
        else:
            bits = np.array(proto.half_val, dtype=np.uint32).astype(np.uint16)
        as_f32 = (bits.astype(np.uint32) << 16).view(np.float32)
        return _fill(as_f32, size, shape)
    np_dtype = _NUMPY_DTYPES.get(dtype)
    if np_dtype is None:
        raise TensorDecodeError(f"unsupported tensor dtype {types_pb2.DataType.Name(dtype)}")
    if proto.tensor_content:
        content = proto.tensor_content
        if len(content) != size * np_dtype.itemsize:
            raise TensorDecodeError(
                f"tensor_content has {len(content)} bytes, shape {shape} of "
                f"{types_pb2.DataType.Name(dtype)} needs {size * np_dtype.itemsize}"
            )
        return np.frombuffer(content, dtype=np_dtype).reshape(shape).astype(np_dtype.newbyteorder("="))
    field = _TYPED_FIELD[dtype]
    raw = getattr(proto, field)
    if dtype == types_pb2.DT_HALF:
        values = np.array(raw, dtype=np.uint32).astype(np.uint16).view(np.float16)
    elif dtype in (types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128):
        pairs = np.array(raw, dtype=np.float64)
        values = (pairs[0::2] + 1j * pairs[1::2]).astype(np_dtype)
    else:
        values = np.array(raw, dtype=np_dtype.newbyteorder("="))
    return _fill(values, size, shape)


def _fill(values: np.ndarray, size: int, shape: tuple[int, ...]) -> np.ndarray:
    if values.shape[0] == size:
        return values.reshape(shape)
    if values.shape[0] == 0:
        if size == 0:
            return values.reshape(shape)
        raise TensorDecodeError(f"tensor of shape {shape} holds no values")
    if values.shape[0] > size:
        raise TensorDecodeError(f"tensor of shape {shape} holds {values.shape[0]} values")
    # TensorFlow's convention: a short typed field is padded with its last element.
    padded = np.empty(size, dtype=values.dtype)
    padded[: values.shape[0]] = values
    padded[values.shape[0] :] = values[-1]
    return padded.reshape(shape)


def from_numpy(array: np.ndarray | list | float | bytes | str) -> tensor_pb2.TensorProto:
    """Encode an array (or anything ``np.asarray`` takes) as a TensorProto.

    Strings and bytes become DT_STRING (``str`` is UTF-8 encoded); numbers keep their dtype
    and go into ``tensor_content``, the compact form TensorBoard writes.
    """
    arr = np.asarray(array)
    proto = tensor_pb2.TensorProto()
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=int(d))
    if arr.dtype.kind in ("U", "S", "O"):
        proto.dtype = types_pb2.DT_STRING
        proto.string_val.extend(
            v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1).tolist()
        )
        return proto
    for code, np_dtype in _NUMPY_DTYPES.items():
        if np_dtype == arr.dtype.newbyteorder("<"):
            proto.dtype = code  # type: ignore[assignment]  # stubs type the enum as DataType
            break
    else:
        raise TensorDecodeError(f"cannot encode numpy dtype {arr.dtype} as a TensorProto")
    proto.tensor_content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return proto
