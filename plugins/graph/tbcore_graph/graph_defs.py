"""Operations on ``GraphDef`` protos that the routes apply before answering.

* :func:`merge_function_graphs`: the op graph of a TF2 trace is the function graphs of its
  ``RunMetadata``, merged into one ``GraphDef`` the way TensorBoard merges them (each under a
  scope ``graph_<i>`` when there are several), so node names match TensorBoard's.
* :func:`cut_large_attrs`: attribute values too large to show are dropped and their keys
  listed under another attribute, as TensorBoard's ``limit_attr_size`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

from tbcore.errors import InvalidArgumentError
from tbcore.proto import graph_pb2


def _scoped(prefix: str, name: str) -> str:
    return f"{prefix}/{name}"


def _function_name(prefix: str, name: str) -> str:
    # Function names are joined with "_", not "/": TensorBoard lists library functions by
    # name, and a scope there would add a level of nesting that means nothing.
    return f"{prefix}_{name}"


def _append_scoped(prefix: str, source: graph_pb2.GraphDef, into: graph_pb2.GraphDef) -> None:
    for node in source.node:
        copy = into.node.add()
        copy.CopyFrom(node)
        copy.name = _scoped(prefix, node.name)
        # Every input is prefixed as a whole, control inputs ("^name") included, as
        # TensorBoard does: its UI parses the same strings, so the answers stay equal.
        copy.input[:] = [_scoped(prefix, name) for name in node.input]
        if copy.op == "PartitionedCall":
            copy.attr["f"].func.name = _function_name(prefix, copy.attr["f"].func.name)
    for function in source.library.function:
        added = into.library.function.add()
        added.CopyFrom(function)
        added.signature.name = _function_name(prefix, function.signature.name)
    for gradient in source.library.gradient:
        added_gradient = into.library.gradient.add()
        added_gradient.CopyFrom(gradient)
        added_gradient.function_name = _function_name(prefix, gradient.function_name)
        added_gradient.gradient_func = _function_name(prefix, gradient.gradient_func)


def merge_function_graphs(graphs: Sequence[graph_pb2.GraphDef]) -> graph_pb2.GraphDef:
    """One ``GraphDef`` of ``graphs``: the graph itself when there is one, an empty one when
    there is none, else every graph's nodes and library under the scope ``graph_<i>`` (1-based).

    Raises :class:`InvalidArgumentError` when the graphs were produced by different GraphDef
    versions (TensorBoard refuses them too).
    """
    if len(graphs) == 1:
        return graphs[0]
    merged = graph_pb2.GraphDef()
    if not graphs:
        return merged
    if graphs[0].versions.producer:
        merged.versions.CopyFrom(graphs[0].versions)
    for index, graph in enumerate(graphs, start=1):
        if merged.versions.producer != graph.versions.producer:
            raise InvalidArgumentError("cannot merge function graphs of different GraphDef versions")
        _append_scoped(f"graph_{index}", graph, merged)
    return merged


def check_attr_limits(limit_attr_size: int | None, large_attrs_key: str | None) -> None:
    """Raise :class:`InvalidArgumentError` unless the two parameters of
    :func:`cut_large_attrs` make sense together."""
    if limit_attr_size is None:
        return
    if large_attrs_key is None:
        raise InvalidArgumentError("large_attrs_key must be given with limit_attr_size")
    if limit_attr_size <= 0:
        raise InvalidArgumentError(f"limit_attr_size must be > 0, got {limit_attr_size}")


def cut_large_attrs(
    graph: graph_pb2.GraphDef, limit_attr_size: int | None, large_attrs_key: str | None
) -> None:
    """Drop (in place) every attribute value whose serialized size exceeds
    ``limit_attr_size`` bytes, and list the dropped keys, in the order the node's attribute
    map yields them, in the ``list.s`` of the attribute ``large_attrs_key``. Nothing is cut
    when ``limit_attr_size`` is None."""
    check_attr_limits(limit_attr_size, large_attrs_key)
    if limit_attr_size is None or large_attrs_key is None:
        return
    for node in graph.node:
        for key in list(node.attr.keys()):
            if node.attr[key].ByteSize() > limit_attr_size:
                del node.attr[key]
                node.attr[large_attrs_key].list.s.append(key.encode("utf-8"))
