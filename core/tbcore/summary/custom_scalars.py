"""The custom_scalars plugin's ``Layout``, from torch's nested-dict layout format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tbcore.proto import plugin_custom_scalar_pb2 as layout_pb2
from tbcore.proto import summary_pb2, tensor_pb2, types_pb2

PLUGIN_NAME = "custom_scalars"
CONFIG_TAG = "custom_scalars__config__"

LayoutDict = Mapping[str, Mapping[str, tuple[str, Sequence[str]] | list]]


def make_layout(layout: LayoutDict) -> layout_pb2.Layout:
    """``{category: {chart title: ["Multiline", [tag regexes]] or ["Margin", [value, lower,
    upper]]}}`` as a ``Layout`` proto."""
    proto = layout_pb2.Layout()
    for category_title, charts in layout.items():
        category = proto.category.add(title=category_title)
        for title, spec in charts.items():
            if len(spec) != 2 or spec[0] not in ("Multiline", "Margin"):
                raise ValueError(
                    f"chart {title!r} of {category_title!r}: expected ['Multiline', [tags...]] "
                    f"or ['Margin', [value, lower, upper]], got {spec!r}"
                )
            kind, tags = spec[0], list(spec[1])
            chart = category.chart.add(title=title)
            if kind == "Margin":
                if len(tags) != 3:
                    raise ValueError(f"margin chart {title!r} needs 3 tags (value, lower, upper)")
                chart.margin.series.add(value=tags[0], lower=tags[1], upper=tags[2])
            else:
                chart.multiline.tag.extend(tags)
    return proto


def layout_value(layout: LayoutDict) -> summary_pb2.Summary.Value:
    """The ``Summary.Value`` that carries a custom-scalars layout."""
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME)
    )
    # Built directly: numpy's bytes dtype would drop trailing NUL bytes of the proto.
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING, string_val=[make_layout(layout).SerializeToString()]
    )
    tensor.tensor_shape.SetInParent()
    return summary_pb2.Summary.Value(tag=CONFIG_TAG, metadata=metadata, tensor=tensor)
