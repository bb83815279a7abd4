"""The conceptual graph: a Keras model's config (``model.to_json()``) as a ``GraphDef`` of
layers, built with TensorBoard's rules so that both servers answer the same text.

* Every layer that is not itself a model becomes a node named by its scope (the names of
  the models around it, joined with ``/``) and its own name; its ``keras_class`` attribute
  is the layer's class, its ``dtype`` attribute the dtype of its config (or of its dtype
  policy) when that is a known dtype.
* Inputs come from ``inbound_nodes`` (Keras 3's form: ``args`` holding tensors whose
  ``keras_history`` names the layer). A layer without ``inbound_nodes`` (a Sequential's)
  takes the previous layer as input. A model used as a layer stands for its output layers;
  a model's input layers are fed by what feeds the model.

:func:`layer_shapes` reads what the config says of each layer's input and output shapes,
which the ``GraphDef`` has no room for; our UI shows them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from tbcore.errors import InvalidArgumentError
from tbcore.proto import graph_pb2, node_def_pb2, types_pb2

logger = logging.getLogger(__name__)

Layer = dict[str, Any]

_ALIASES = {"HALF": "float16", "FLOAT": "float32", "DOUBLE": "float64"}
_UNNAMED = ("INVALID", "FLOAT8", "INT4", "UINT4", "INT2", "UINT2", "FLOAT4")


def _dtype_table() -> dict[Any, int]:
    """dtype name (and enum number) -> ``DataType``: the names TensorFlow's ``as_dtype``
    accepts (``float32``, ``float``, ``int64_ref``, ...)."""
    table: dict[Any, int] = {}
    for value in types_pb2.DataType.DESCRIPTOR.values:
        base = value.name.removeprefix("DT_")
        ref = base.endswith("_REF")
        base = base.removesuffix("_REF")
        if base.startswith(_UNNAMED):
            continue  # types newer than TensorBoard's table: it does not know their names
        name = _ALIASES.get(base, base.lower()) + ("_ref" if ref else "")
        table[name] = table[value.number] = value.number
    for alias, canonical in (("half", "float16"), ("float", "float32"), ("double", "float64")):
        table[alias] = table[canonical]
        table[f"{alias}_ref"] = table[f"{canonical}_ref"]
    return table


DTYPES = _dtype_table()


def _dtype_enum(value: Any) -> int | None:
    """The ``DataType`` of a config's dtype value; None when it is not one."""
    try:
        return DTYPES.get(value)
    except TypeError:  # unhashable: a list or a dict
        return None


def _config(layer: Layer) -> dict[str, Any]:
    config = layer.get("config")
    if not isinstance(config, dict):
        raise InvalidArgumentError("a layer of the Keras model config has no config")
    return config


def _walk(layer: Layer) -> Iterator[tuple[Any, Layer]]:
    """``(scope, layer)`` for the layer and every layer nested in it, in preorder. A scope is
    normally a string; a model without a name gives its layers the scope None (no scope), as
    in TensorBoard."""
    yield "", layer
    config = _config(layer)
    if config.get("layers"):
        scope: Any = config.get("name")
        for child in config["layers"]:
            for sub_scope, sub_layer in _walk(child):
                yield (f"{scope}/{sub_scope}" if sub_scope else scope), sub_layer


def _scoped(scope: Any, name: Any) -> str:
    return f"{scope}/{name}" if scope else f"{name}"


def _is_model(layer: Layer) -> bool:
    return _config(layer).get("layers") is not None


def _as_list_of_layers(value: list[Any]) -> list[list[Any]]:
    """``output_layers`` is ``[name, i, j]`` for one layer, a list of those for several."""
    return value if isinstance(value[0], list) else [value]


def _inbound(layer: Layer) -> list[list[Any]]:
    """``[name, node_index, tensor_index]`` of each tensor the layer is called on."""
    found: list[list[Any]] = []
    for call in layer.get("inbound_nodes") or []:
        if not isinstance(call, dict):
            continue  # Keras 2's list form: not read (TensorBoard does not read it either)
        for args in call.get("args", []):
            for arg in args if isinstance(args, list) else [args]:
                history = arg.get("config", {}).get("keras_history", []) if isinstance(arg, dict) else []
                if len(history) >= 3:
                    found.append(history[:3])
    return found


class _Builder:
    """State of one walk through a model config."""

    def __init__(self) -> None:
        self.graph = graph_pb2.GraphDef()
        self.input_feeds: dict[str, str] = {}  # a nested model's input layer -> its feeder
        self.model_outputs: dict[str, list[str]] = {}  # a model's scoped name -> output layers
        self.previous: str | None = None  # the layer before, in a Sequential's order

    def enter_model(self, scope: Any, model: Layer) -> None:
        config = _config(model)
        name = _scoped(scope, config.get("name"))
        inputs, outputs = config.get("input_layers"), config.get("output_layers")
        inbound = _inbound(model)
        functional, inside_functional = bool(inputs and outputs), bool(inbound)
        if inside_functional and functional:
            for layer_input, feeder in zip(inputs, inbound):  # type: ignore[arg-type]
                self.input_feeds[_scoped(name, layer_input)] = _scoped(scope, feeder[0])
        elif inside_functional:
            self.previous = _scoped(scope, inbound[0][0])  # a Sequential has one input
        elif self.previous and functional:
            if len(inputs) != 1:  # type: ignore[arg-type]
                raise InvalidArgumentError("a multi-input model inside a Sequential model")
            self.input_feeds[_scoped(name, inputs[0])] = self.previous  # type: ignore[index]
        if functional:
            self.model_outputs[name] = [
                _scoped(name, out[0]) for out in _as_list_of_layers(outputs)  # type: ignore[arg-type]
            ]
        else:
            last = _config(config["layers"][-1]).get("name")
            self.model_outputs[name] = [_scoped(name, last)]

    def add_layer(self, scope: Any, layer: Layer) -> None:
        config = _config(layer)
        node = self.graph.node.add(name=_scoped(scope, config.get("name")))
        if layer.get("class_name") is not None:
            node.attr["keras_class"].s = str(layer["class_name"]).encode("ascii")
        self._set_dtype(node, config.get("dtype"))
        if layer.get("inbound_nodes") is not None:
            for name, _, index in _inbound(layer):
                candidates = self.model_outputs.get(_scoped(scope, name), [_scoped(scope, name)])
                # Several calls of one model may name output indices beyond its outputs:
                # take the last output then, as TensorBoard does.
                node.input.append(candidates[index] if index < len(candidates) else candidates[-1])
        elif self.previous is not None:
            node.input.append(self.previous)
        if node.name in self.input_feeds:
            node.input.append(self.input_feeds[node.name])
        self.previous = node.name

    @staticmethod
    def _set_dtype(node: node_def_pb2.NodeDef, value: Any) -> None:
        dtype: Any = value["config"].get("name") if isinstance(value, dict) and "config" in value else value
        if dtype is None:
            return
        enum = _dtype_enum(dtype)
        if enum is None:
            logger.warning("unsupported dtype in a Keras model config: %r", value)
            return
        node.attr["dtype"].type = enum


def keras_model_to_graph_def(model: Layer) -> graph_pb2.GraphDef:
    """The conceptual graph of ``model`` (a decoded ``model.to_json()``).

    Raises :class:`InvalidArgumentError` when the config is not shaped like a Keras model's.
    """
    if not isinstance(model, dict):
        raise InvalidArgumentError("the Keras model config is not a JSON object")
    builder = _Builder()
    try:
        for scope, layer in _walk(model):
            if _is_model(layer):
                builder.enter_model(scope, layer)
            else:
                builder.add_layer(scope, layer)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        raise InvalidArgumentError(f"the Keras model config is malformed: {e}") from None
    return builder.graph


Shape = list[int | None] | None


def _shape(value: Any) -> Shape:
    if isinstance(value, list) and all(d is None or isinstance(d, int) for d in value):
        return list(value)
    return None


def layer_shapes(model: Layer) -> dict[str, dict[str, list[Shape]]]:
    """``{node name: {"input": [shape, ...], "output": [shape, ...]}}`` for the layers of
    ``model`` whose shapes its config tells (``None`` for an unknown dimension): the shapes of
    the tensors a layer is called on, the input shape a layer was built for, and the shape of
    a layer's outputs as its consumers receive them. Best effort: an odd config gives ``{}``."""
    shapes: dict[str, dict[str, list[Shape]]] = {}
    try:
        for scope, layer in _walk(model):
            config = _config(layer)
            name = _scoped(scope, config.get("name"))
            entry = shapes.setdefault(name, {"input": [], "output": []})
            for call in layer.get("inbound_nodes") or []:
                for args in call.get("args", []) if isinstance(call, dict) else []:
                    for arg in args if isinstance(args, list) else [args]:
                        tensor = arg.get("config", {}) if isinstance(arg, dict) else {}
                        history, shape = tensor.get("keras_history"), _shape(tensor.get("shape"))
                        if shape is None:
                            continue
                        entry["input"].append(shape)
                        if isinstance(history, list) and history:
                            producer = shapes.setdefault(
                                _scoped(scope, history[0]), {"input": [], "output": []}
                            )
                            if shape not in producer["output"]:
                                producer["output"].append(shape)
            if not entry["input"]:
                built = _shape((layer.get("build_config") or {}).get("input_shape"))
                batch = _shape(config.get("batch_shape"))
                if built is not None or batch is not None:
                    entry["input"].append(built if built is not None else batch)
                if batch is not None and not entry["output"]:
                    entry["output"].append(batch)  # an InputLayer passes its input on
        _sequential_outputs(model, "", shapes)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, InvalidArgumentError):
        return {}
    return {name: entry for name, entry in shapes.items() if entry["input"] or entry["output"]}


def _sequential_outputs(model: Layer, scope: str, shapes: dict[str, dict[str, list[Shape]]]) -> None:
    """In a Sequential model, a layer's output shape is the next layer's input shape."""
    config = _config(model)
    layers = config.get("layers") or []
    name = _scoped(scope, config.get("name"))
    for before, after in zip(layers, layers[1:]):
        first = shapes.get(_scoped(name, _config(before).get("name")))
        second = shapes.get(_scoped(name, _config(after).get("name")))
        if first is not None and second is not None and not first["output"] and second["input"]:
            first["output"] = list(second["input"][:1])
    for layer in layers:
        if _is_model(layer):
            _sequential_outputs(layer, name, shapes)
