"""The ``GraphDef`` of a torch module, traced by ``torch.jit`` as ``torch.utils.tensorboard`` does.

The module runs once (in eval mode) under ``torch.jit.trace``; submodule calls are inlined,
and every value of the traced graph becomes one ``NodeDef``, named by the module hierarchy it
was computed in, so that TensorBoard's graph dashboard groups ops by module. Names, ops and
attributes are the ones ``torch.utils.tensorboard.SummaryWriter.add_graph`` writes, so a graph
looks the same whichever of the two writers logged it:

* node ``<Model>/<Class>[<attr>]/.../<value>`` for each output of an op, op = the JIT kind
  (``aten::linear``, ``prim::Constant``, ...); parameters are ``prim::GetAttr`` nodes in the
  scope of the module that holds them;
* ``input/<name>`` and ``output/output.<i>`` for the model's inputs and outputs, op ``IO Node``;
* attr ``attr``: the JIT node's attributes as text (``{ value : 1}``), and
  ``_output_shapes``: the value's shape where the trace knows it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

from tbcore.proto import (
    attr_value_pb2,
    config_pb2,
    graph_pb2,
    node_def_pb2,
    tensor_shape_pb2,
    versions_pb2,
)
from tbcore.summary.graph import device_run_metadata

PRODUCER_VERSION = 22
"""``GraphDef.versions.producer`` torch writes (TensorBoard only displays it)."""
IO_OP = "IO Node"
_GET_ATTR = "prim::GetAttr"
_CLASS_TYPE = "ClassType"


@dataclass
class _Value:
    """One node-to-be: a traced value (an op output, a model input or output)."""

    name: str  # the scoped node name
    op: str
    inputs: list[str]  # debug names, resolved to node names at the end
    shape: list[int] | None
    attributes: str = ""


def trace_graph(
    model: torch.nn.Module,
    example_inputs: Any = None,
    verbose: bool = False,
    strict: bool = True,
) -> tuple[graph_pb2.GraphDef, config_pb2.RunMetadata]:
    """``(GraphDef, RunMetadata)`` of ``model`` called on ``example_inputs`` (a tensor or a
    tuple of tensors; ``None`` for a model without inputs). ``strict=False`` lets the tracer
    record lists and dicts. With ``verbose`` the traced JIT graph is printed. Devices are
    reported as CPU, as torch does.

    Raises ``TypeError`` when ``model`` is not an ``nn.Module``, and ``RuntimeError`` or
    ``TypeError`` naming the model when ``torch.jit.trace`` cannot run it on the inputs.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"add_graph draws a torch.nn.Module, not {type(model).__name__}")
    with _eval_mode(model):
        try:
            traced = torch.jit.trace(
                model, () if example_inputs is None else example_inputs, strict=strict
            )
        except (RuntimeError, TypeError) as e:
            hint = " without input_to_model" if example_inputs is None else ""
            message = (
                f"add_graph could not trace {type(model).__name__}{hint} (no graph written): {e}"
            )
            raise (RuntimeError if isinstance(e, RuntimeError) else TypeError)(message) from e
    jit_graph = traced.graph
    torch._C._jit_pass_inline(jit_graph)
    if verbose:
        print(jit_graph)
    nodes = [_node_def(v) for v in _values(jit_graph, _Scopes.of(traced))]
    graph_def = graph_pb2.GraphDef(
        node=nodes, versions=versions_pb2.VersionDef(producer=PRODUCER_VERSION)
    )
    return graph_def, device_run_metadata()


@contextlib.contextmanager
def _eval_mode(model: torch.nn.Module) -> Iterator[None]:
    """Trace in eval mode (dropout off, batch-norm statistics frozen), then restore."""
    training = model.training
    model.train(False)
    try:
        yield
    finally:
        model.train(training)


def _module_name(module: Any) -> str:
    if isinstance(module, torch.jit.TracedModule):
        return str(module._name)
    return str(getattr(module, "original_name", "Module"))


@dataclass
class _Scopes:
    """Turns JIT scopes (``__module.features/__module.features.0``) into node-name prefixes
    (``Net/Sequential[features]/Conv2d[0]``)."""

    root: str
    aliases: dict[str, str]  # ``__module.features.0`` -> ``Conv2d[0]``

    @classmethod
    def of(cls, traced: Any) -> _Scopes:
        aliases = {
            alias: f"{_module_name(module)}[{alias.split('.')[-1]}]"
            for alias, module in traced.named_modules(prefix="__module")
        }
        return cls(_module_name(traced), aliases)

    def display(self, jit_scope: str) -> str:
        parts = [self.aliases.get(a, a.split(".")[-1]) for a in jit_scope.split("/")]
        return "/".join([self.root, *parts]) if any(parts) else self.root


def _io_shape(value: Any) -> list[int] | None:
    try:
        sizes = value.type().sizes()
    except RuntimeError:  # not a tensor (a tuple, a constant model's output)
        return [1]
    return None if sizes is None else list(sizes)


def _op_shape(value: Any) -> list[int] | None:
    return list(value.type().sizes()) if value.isCompleteTensor() else None


def _attributes(node: Any) -> str:
    # Single quotes confuse TensorBoard's attribute display; torch writes them as spaces.
    values = {name: getattr(node, node.kindOf(name))(name) for name in node.attributeNames()}
    return str(values).replace("'", " ")


def _values(jit_graph: Any, scopes: _Scopes) -> list[_Value]:
    """Every value of ``jit_graph`` that becomes a node: inputs, outputs, op outputs."""
    # Keyed by debug name; a later value with the same key takes the earlier one's place.
    values: dict[str, _Value] = {}
    for value in jit_graph.inputs():
        if value.uses() and value.type().kind() != _CLASS_TYPE:
            key = value.debugName()
            values[key] = _Value(f"input/{key}", IO_OP, [], _io_shape(value))
    for i, value in enumerate(jit_graph.outputs(), start=1):
        key = f"output.{i}"
        values[key] = _Value(f"output/{key}", IO_OP, [value.debugName()], _io_shape(value))

    # Node names of values no node stands for (the module objects fed to prim::GetAttr):
    # the scope of the last op that reads them.
    consumer_names: dict[str, str] = {}
    attr_scopes: dict[str, str] = {}  # GetAttr output -> scope of the attribute
    for node in jit_graph.nodes():
        if node.kind() == _GET_ATTR:
            jit_scope = _attribute_scope(node, attr_scopes)
            if node.output().type().kind() == _CLASS_TYPE:
                continue  # a submodule: it appears as a scope, not as a node
        else:
            jit_scope = node.scopeName()
        scope = scopes.display(jit_scope)
        inputs = [v.debugName() for v in node.inputs()]
        for key in inputs:
            consumer_names[key] = f"{scope}/{key}"
        attributes, op = _attributes(node), node.kind()
        for out in node.outputs():
            key = out.debugName()
            values[key] = _Value(f"{scope}/{key}", op, inputs, _op_shape(out), attributes)

    node_names = {**consumer_names, **{key: v.name for key, v in values.items()}}
    for v in values.values():
        v.inputs = [node_names[key] for key in v.inputs]
    return list(values.values())


def _attribute_scope(node: Any, attr_scopes: dict[str, str]) -> str:
    """JIT scope of a ``prim::GetAttr`` output: ``__module.<name>`` under the model, nested
    as ``<parent scope>/<parent alias>.<name>`` under a submodule."""
    parent = node.input().node()
    name = node.s("name")
    if parent.kind() == _GET_ATTR:
        parent_scope = attr_scopes[parent.output().debugName()]
        scope = f"{parent_scope}/{parent_scope.split('/')[-1]}.{name}"
    else:
        scope = f"__module.{name}"
    attr_scopes[node.output().debugName()] = scope
    return scope


def _node_def(value: _Value) -> node_def_pb2.NodeDef:
    attr = {"attr": attr_value_pb2.AttrValue(s=value.attributes.encode("utf-8"))}
    if value.shape is not None:
        shape = tensor_shape_pb2.TensorShapeProto(
            dim=[
                tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d)
                for d in value.shape
            ]
        )
        attr["_output_shapes"] = attr_value_pb2.AttrValue(
            list=attr_value_pb2.AttrValue.ListValue(shape=[shape])
        )
    return node_def_pb2.NodeDef(name=value.name, op=value.op, input=value.inputs, attr=attr)
