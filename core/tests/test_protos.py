"""Checks of tbcore's own protobuf definitions (core/tbcore/proto).

* the committed ``*_pb2`` modules are what ``scripts/gen_protos.py`` generates;
* they load next to TensorFlow / TensorBoard in one process, in either order;
* every message and enum is wire-compatible with its TensorBoard counterpart
  (field numbers, names, types, cardinality, presence, packing, enum values);
* rich TensorBoard messages survive a parse/re-serialize round trip through ours.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import warm_python
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool, json_format, message_factory, text_format
from google.protobuf import unknown_fields as _unknown_fields
from google.protobuf.message import Message

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
PROTO_DIR = CORE / "tbcore" / "proto"
GEN_SCRIPT = ROOT / "scripts" / "gen_protos.py"

if importlib.util.find_spec("tbcore") is None:  # not installed: use the checkout
    sys.path.insert(0, str(CORE))

OUR_MODULE_NAMES = sorted(f"tbcore.proto.{p.stem}" for p in PROTO_DIR.glob("*_pb2.py"))
OUR_MODULES: dict[str, ModuleType] = {
    name.rsplit(".", 1)[1]: importlib.import_module(name) for name in OUR_MODULE_NAMES
}

# Our module (stem) -> TensorBoard module(s) defining its counterparts.
TB_COUNTERPARTS: dict[str, list[str]] = {
    "allocation_description_pb2": ["tensorboard.compat.proto.allocation_description_pb2"],
    "attr_value_pb2": ["tensorboard.compat.proto.attr_value_pb2"],
    "config_pb2": ["tensorboard.compat.proto.config_pb2"],
    "cost_graph_pb2": ["tensorboard.compat.proto.cost_graph_pb2"],
    "event_pb2": ["tensorboard.compat.proto.event_pb2"],
    "full_type_pb2": ["tensorboard.compat.proto.full_type_pb2"],
    "function_pb2": ["tensorboard.compat.proto.function_pb2"],
    "graph_debug_info_pb2": ["tensorboard.compat.proto.graph_debug_info_pb2"],
    "graph_pb2": ["tensorboard.compat.proto.graph_pb2"],
    "histogram_pb2": ["tensorboard.compat.proto.histogram_pb2"],
    "meta_graph_pb2": ["tensorboard.compat.proto.meta_graph_pb2"],
    "node_def_pb2": ["tensorboard.compat.proto.node_def_pb2"],
    "op_def_pb2": ["tensorboard.compat.proto.op_def_pb2"],
    "plugin_audio_pb2": ["tensorboard.plugins.audio.plugin_data_pb2"],
    "plugin_custom_scalar_pb2": ["tensorboard.plugins.custom_scalar.layout_pb2"],
    "plugin_histogram_pb2": ["tensorboard.plugins.histogram.plugin_data_pb2"],
    "plugin_hparams_pb2": [
        "tensorboard.plugins.hparams.api_pb2",
        "tensorboard.plugins.hparams.plugin_data_pb2",
        "tensorboard.plugins.hparams.hparams_util_pb2",
    ],
    "plugin_image_pb2": ["tensorboard.plugins.image.plugin_data_pb2"],
    "plugin_mesh_pb2": ["tensorboard.plugins.mesh.plugin_data_pb2"],
    "plugin_pr_curve_pb2": ["tensorboard.plugins.pr_curve.plugin_data_pb2"],
    "plugin_scalar_pb2": ["tensorboard.plugins.scalar.plugin_data_pb2"],
    "plugin_text_pb2": ["tensorboard.plugins.text.plugin_data_pb2"],
    "projector_config_pb2": ["tensorboard.plugins.projector.projector_config_pb2"],
    "resource_handle_pb2": ["tensorboard.compat.proto.resource_handle_pb2"],
    "step_stats_pb2": ["tensorboard.compat.proto.step_stats_pb2"],
    "summary_pb2": ["tensorboard.compat.proto.summary_pb2"],
    "tensor_description_pb2": ["tensorboard.compat.proto.tensor_description_pb2"],
    "tensor_pb2": ["tensorboard.compat.proto.tensor_pb2"],
    "tensor_shape_pb2": ["tensorboard.compat.proto.tensor_shape_pb2"],
    "types_pb2": ["tensorboard.compat.proto.types_pb2"],
    "versions_pb2": ["tensorboard.compat.proto.versions_pb2"],
}

# Documented trims. Top-level messages/enums of a TensorBoard file we do not define:
# config.proto is TensorFlow's session configuration; only RunMetadata (and
# SessionMetadata, which it references) matter to a viewer. Of meta_graph.proto we keep
# MetaGraphDef (trimmed, below) and CollectionDef.
OMITTED_TOP_LEVEL: dict[str, set[str]] = {
    "config_pb2": {
        "GPUOptions",
        "OptimizerOptions",
        "GraphOptions",
        "ThreadPoolOptionProto",
        "ConfigProto",
        "RunOptions",
        "TensorConnection",
        "CallableOptions",
        "BatchingOptions",
    },
    "meta_graph_pb2": {"TensorInfo", "SignatureDef", "AssetFileDef"},
}

# Fields of TensorBoard messages that our counterpart leaves out (number -> name). Parsing
# keeps them as unknown fields, so re-serialization still carries them.
OMITTED_FIELDS: dict[str, dict[int, str]] = {
    "tensorboard.MetaGraphDef": {
        3: "saver_def",
        5: "signature_def",
        6: "asset_file_def",
        7: "object_graph_def",
    },
}

OUR_PACKAGES = {"tbcore", "tbcore.hparams", "tbcore.mesh", "tbcore.projector"}

requires_tensorflow = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed"
)
requires_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch is not installed"
)


def tb_name(our_full_name: str) -> str:
    """tbcore.X -> tensorboard.X, tbcore.hparams.X -> tensorboard.hparams.X."""
    assert our_full_name.startswith("tbcore."), our_full_name
    return "tensorboard" + our_full_name[len("tbcore") :]


def our_name(tb_full_name: str) -> str:
    assert tb_full_name.startswith("tensorboard."), tb_full_name
    return "tbcore" + tb_full_name[len("tensorboard") :]


def tb_modules(stem: str) -> list[ModuleType]:
    return [importlib.import_module(m) for m in TB_COUNTERPARTS[stem]]


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(CORE), env.get("PYTHONPATH", "")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    return env


def _run_python(code: str, timeout: int = 240, *, frameworks_first: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; ``frameworks_first``: in one that has already
    imported TensorFlow, TensorBoard and torch (a fork of the tests' warm interpreter)."""
    return (warm_python.run if frameworks_first else subprocess.run)(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------------------
# Generated code is current and well-formed.


def test_generated_modules_match_sources() -> None:
    proc = subprocess.run(
        [sys.executable, str(GEN_SCRIPT), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_source_has_a_module_and_a_counterpart_mapping() -> None:
    sources = {p.stem for p in PROTO_DIR.glob("*.proto")}
    assert sources, "no .proto sources found"
    assert {s + "_pb2" for s in sources} == set(OUR_MODULES)
    assert set(TB_COUNTERPARTS) == set(OUR_MODULES), (
        "map every tbcore proto module to its TensorBoard counterpart(s) in TB_COUNTERPARTS"
    )


@pytest.mark.parametrize("stem", sorted(OUR_MODULES))
def test_descriptor_names_are_our_own(stem: str) -> None:
    fd = OUR_MODULES[stem].DESCRIPTOR
    assert fd.name == f"tbcore/proto/{stem.removesuffix('_pb2')}.proto"
    assert fd.package in OUR_PACKAGES
    for dep in fd.dependencies:
        assert dep.name.startswith(("tbcore/proto/", "google/protobuf/")), dep.name


# ---------------------------------------------------------------------------
# Co-existence with TensorFlow / TensorBoard in one process.

_IMPORT_OURS = "\n".join(f"import {m}" for m in OUR_MODULE_NAMES)
_IMPORT_TB = "\n".join(
    f"import {m}" for m in sorted({m for ms in TB_COUNTERPARTS.values() for m in ms})
)
_SANITY = """
from tensorboard.compat.proto import event_pb2 as tb_event_pb2
from tbcore.proto import event_pb2 as our_event_pb2
import tensorflow as tf
tf_event = tf.compat.v1.Event(step=7, file_version="brain.Event:2")
tb_event = tb_event_pb2.Event.FromString(tf_event.SerializeToString())
ours = our_event_pb2.Event.FromString(tb_event.SerializeToString())
assert (ours.step, ours.file_version) == (7, "brain.Event:2"), ours
assert our_event_pb2.Event.DESCRIPTOR.full_name == "tbcore.Event"
assert tb_event_pb2.Event.DESCRIPTOR.full_name == "tensorboard.Event"
print("OK")
"""


@pytest.mark.slow
@requires_tensorflow
def test_import_tensorflow_and_tensorboard_then_ours() -> None:
    proc = _run_python(
        "import tensorflow, tensorboard\n"
        "from tensorboard.compat.proto import event_pb2\n"
        + _IMPORT_TB
        + "\n"
        + _IMPORT_OURS
        + "\n"
        + _SANITY,
        frameworks_first=True,
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-5000:]


# Ours first, then TensorFlow; then real TensorFlow output through our messages: a
# tf.function graph (with a function library), a full v1 MetaGraphDef (with the fields our
# trimmed MetaGraphDef leaves out), and the records of an events file written by tf.summary.
_TF_ROUND_TRIPS = """
import glob, tempfile
import numpy as np
from google.protobuf import text_format
from tbcore.proto import event_pb2, graph_pb2, meta_graph_pb2

@tf.function
def f(x):
    def body(i, x):
        return i + 1, tf.nn.relu(tf.matmul(x, tf.ones([3, 3])))
    return tf.while_loop(lambda i, x: i < 3, body, [tf.constant(0), x])

gd = f.get_concrete_function(tf.TensorSpec([2, 3], tf.float32)).graph.as_graph_def()
assert gd.library.function, "expected a function library"
ours = graph_pb2.GraphDef.FromString(gd.SerializeToString())
assert len(ours.node) == len(gd.node) and len(ours.library.function) == len(gd.library.function)
assert ours.SerializeToString(deterministic=True) == gd.SerializeToString(deterministic=True)
assert tf.compat.v1.GraphDef.FromString(ours.SerializeToString()) == gd
assert text_format.MessageToString(ours) == text_format.MessageToString(gd)

graph = tf.Graph()
with graph.as_default():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    w = tf.compat.v1.Variable(tf.zeros([3, 2]), name="w")
    tf.matmul(x, w, name="y")
    saver = tf.compat.v1.train.Saver()
    mg = tf.compat.v1.train.export_meta_graph(graph=graph, saver_def=saver.as_saver_def())
assert mg.HasField("saver_def")
our_mg = meta_graph_pb2.MetaGraphDef.FromString(mg.SerializeToString())
assert our_mg.meta_info_def.tensorflow_version == mg.meta_info_def.tensorflow_version
assert len(our_mg.graph_def.node) == len(mg.graph_def.node)
assert set(our_mg.collection_def) == set(mg.collection_def)
assert type(mg).FromString(our_mg.SerializeToString()) == mg

logdir = tempfile.mkdtemp()
writer = tf.summary.create_file_writer(logdir)
with writer.as_default(step=3):
    tf.summary.scalar("scalar", 1.5)
    tf.summary.histogram("histogram", np.arange(10.0))
    tf.summary.image("image", np.zeros((1, 4, 4, 3)))
    tf.summary.text("text", "hello")
    tf.summary.audio("audio", np.zeros((1, 100, 1), np.float32), 8000)
writer.close()
records = 0
for path in glob.glob(logdir + "/*"):
    for record in tf.data.TFRecordDataset(path):
        data = record.numpy()
        event = event_pb2.Event.FromString(data)
        assert event.SerializeToString() == data, event
        records += 1
assert records >= 6, records
"""


@pytest.mark.slow
@requires_tensorflow
def test_import_ours_then_tensorflow_and_tensorboard() -> None:
    proc = _run_python(
        _IMPORT_OURS
        + "\nimport tensorflow as tf, tensorboard\n"
        + "from tensorboard.compat.proto import event_pb2\n"
        + _IMPORT_TB
        + "\n"
        + _TF_ROUND_TRIPS
        + _SANITY
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-5000:]


@pytest.mark.slow
@requires_torch
def test_torch_graph_round_trip() -> None:
    """The GraphDef / RunMetadata torch.utils.tensorboard builds for add_graph."""
    proc = _run_python(
        _IMPORT_OURS
        + """
import warnings
warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.trace deprecation
import torch
from torch.utils.tensorboard._pytorch_graph import graph
from tbcore.proto import config_pb2, graph_pb2

model = torch.nn.Sequential(
    torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(144, 2)
)
graph_def, run_metadata = graph(model, torch.zeros(1, 3, 8, 8))
assert len(graph_def.node) > 5
for theirs, cls in ((graph_def, graph_pb2.GraphDef), (run_metadata, config_pb2.RunMetadata)):
    data = theirs.SerializeToString(deterministic=True)
    ours = cls.FromString(data)
    assert ours.SerializeToString(deterministic=True) == data
    assert type(theirs).FromString(ours.SerializeToString()) == theirs
print("OK")
""",
        frameworks_first=True,
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-5000:]


# ---------------------------------------------------------------------------
# Descriptor-level wire compatibility.

_TYPE_NAMES = {v: k for k, v in vars(_descriptor.FieldDescriptor).items() if k.startswith("TYPE_")}


def _oneof_name(field: _descriptor.FieldDescriptor) -> str | None:
    return field.containing_oneof.name if field.containing_oneof is not None else None


class _Comparer:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self._seen: set[str] = set()

    def enum(self, ours: _descriptor.EnumDescriptor, theirs: _descriptor.EnumDescriptor) -> None:
        if ours.full_name in self._seen:
            return
        self._seen.add(ours.full_name)
        where = ours.full_name
        if tb_name(ours.full_name) != theirs.full_name:
            self.problems.append(f"{where}: counterpart is {theirs.full_name}")
        ov = {(v.name, v.number) for v in ours.values}
        tv = {(v.name, v.number) for v in theirs.values}
        if ov != tv:
            self.problems.append(
                f"{where}: enum values only ours {sorted(ov - tv)}, only TensorBoard's "
                f"{sorted(tv - ov)}"
            )
        if ours.is_closed != theirs.is_closed:
            self.problems.append(f"{where}: closed={ours.is_closed} vs {theirs.is_closed}")

    def message(self, ours: _descriptor.Descriptor, theirs: _descriptor.Descriptor) -> None:
        if ours.full_name in self._seen:
            return
        self._seen.add(ours.full_name)
        where = ours.full_name
        if tb_name(ours.full_name) != theirs.full_name:
            self.problems.append(f"{where}: counterpart is {theirs.full_name}")
        if ours.GetOptions().map_entry != theirs.GetOptions().map_entry:
            self.problems.append(f"{where}: map_entry differs")
        omitted = OMITTED_FIELDS.get(theirs.full_name, {})
        for number, name in omitted.items():
            if number in ours.fields_by_number:
                self.problems.append(f"{where}: {name} = {number} is listed as omitted but exists")
            elif theirs.fields_by_number.get(number) is None or (
                theirs.fields_by_number[number].name != name
            ):
                self.problems.append(f"{where}: omitted {name} = {number} not in TensorBoard's")
        for tf in theirs.fields:
            of = ours.fields_by_number.get(tf.number)
            if of is None:
                if tf.number not in omitted:
                    self.problems.append(f"{where}: missing field {tf.name} = {tf.number}")
                continue
            self.field(of, tf)
        for of in ours.fields:
            if of.number not in theirs.fields_by_number:
                self.problems.append(f"{where}: extra field {of.name} = {of.number}")
        # Nested types that no field refers to (enums declared for API use).
        for nested in ours.enum_types:
            if nested.name in theirs.enum_types_by_name:
                self.enum(nested, theirs.enum_types_by_name[nested.name])
            else:
                self.problems.append(f"{where}: extra nested enum {nested.name}")
        for nested_msg in ours.nested_types:
            if nested_msg.name in theirs.nested_types_by_name:
                self.message(nested_msg, theirs.nested_types_by_name[nested_msg.name])
            else:
                self.problems.append(f"{where}: extra nested message {nested_msg.name}")

    def field(self, of: _descriptor.FieldDescriptor, tf: _descriptor.FieldDescriptor) -> None:
        where = f"{of.containing_type.full_name}.{of.name} (= {of.number})"

        def differs(what: str, a: Any, b: Any) -> None:
            if a != b:
                self.problems.append(f"{where}: {what} {a!r} != TensorBoard's {b!r}")

        differs("name", of.name, tf.name)
        differs("json_name", of.json_name, tf.json_name)
        differs("type", _TYPE_NAMES[of.type], _TYPE_NAMES[tf.type])
        differs("repeated", of.is_repeated, tf.is_repeated)
        differs("required", of.is_required, tf.is_required)
        differs("has_presence", of.has_presence, tf.has_presence)
        differs("packed", of.is_packed, tf.is_packed)
        differs("oneof", _oneof_name(of), _oneof_name(tf))
        if of.message_type is None and not of.is_repeated:
            differs("default", of.default_value, tf.default_value)
        if of.message_type is not None and tf.message_type is not None:
            om, tm = of.message_type, tf.message_type
            if om.full_name.startswith("google.protobuf.") or tm.full_name.startswith(
                "google.protobuf."
            ):
                differs("message type", om.full_name, tm.full_name)
            else:
                self.message(om, tm)
        if of.enum_type is not None and tf.enum_type is not None:
            self.enum(of.enum_type, tf.enum_type)


def _tb_pool() -> descriptor_pool.DescriptorPool:
    for stem in TB_COUNTERPARTS:
        tb_modules(stem)
    return descriptor_pool.Default()


@pytest.mark.parametrize("stem", sorted(OUR_MODULES))
def test_wire_compatible_with_tensorboard(stem: str) -> None:
    pool = _tb_pool()
    fd = OUR_MODULES[stem].DESCRIPTOR
    comparer = _Comparer()
    for msg in fd.message_types_by_name.values():
        comparer.message(msg, pool.FindMessageTypeByName(tb_name(msg.full_name)))
    for enum in fd.enum_types_by_name.values():
        comparer.enum(enum, pool.FindEnumTypeByName(tb_name(enum.full_name)))
    assert not comparer.problems, "\n".join(comparer.problems)


@pytest.mark.parametrize("stem", sorted(OUR_MODULES))
def test_covers_tensorboard_file(stem: str) -> None:
    ours_fd = OUR_MODULES[stem].DESCRIPTOR
    ours = set(ours_fd.message_types_by_name) | set(ours_fd.enum_types_by_name)
    theirs: set[str] = set()
    for mod in tb_modules(stem):
        fd = mod.DESCRIPTOR
        assert our_name(fd.package + ".X").rsplit(".", 1)[0] == ours_fd.package
        theirs |= set(fd.message_types_by_name) | set(fd.enum_types_by_name)
    omitted = OMITTED_TOP_LEVEL.get(stem, set())
    assert omitted <= theirs, f"stale OMITTED_TOP_LEVEL entries: {omitted - theirs}"
    assert not omitted & ours, f"listed as omitted but defined: {omitted & ours}"
    assert theirs - omitted == ours, {
        "missing": sorted(theirs - omitted - ours),
        "extra": sorted(ours - theirs),
    }


@pytest.mark.parametrize("stem", sorted(OUR_MODULES))
def test_module_exports_match_tensorboard(stem: str) -> None:
    """Module-level message/enum names, including re-exports of `import public`
    (TensorBoard's summary_pb2 exposes HistogramProto)."""
    from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

    def exported(mod: ModuleType) -> set[str]:
        return {
            name
            for name, value in vars(mod).items()
            if not name.startswith("_")
            and (
                isinstance(value, EnumTypeWrapper)
                or (isinstance(value, type) and issubclass(value, Message))
            )
        }

    theirs = set().union(*(exported(m) for m in tb_modules(stem)))
    missing = theirs - OMITTED_TOP_LEVEL.get(stem, set()) - exported(OUR_MODULES[stem])
    assert not missing, f"tbcore.proto.{stem} lacks {sorted(missing)}"


# ---------------------------------------------------------------------------
# Round trips of rich TensorBoard messages.


def _our_class(tb_message: Message) -> type[Message]:
    desc = descriptor_pool.Default().FindMessageTypeByName(
        our_name(tb_message.DESCRIPTOR.full_name)
    )
    return message_factory.GetMessageClass(desc)


def _submessages(msg: Message) -> Iterator[tuple[str, Message]]:
    for field, value in msg.ListFields():
        mt = field.message_type
        if mt is None:
            continue
        if mt.GetOptions().map_entry:
            value_field = mt.fields_by_name["value"]
            if value_field.message_type is not None:
                for key, item in value.items():
                    yield f"{field.name}[{key!r}]", item
        elif field.is_repeated:
            for i, item in enumerate(value):
                yield f"{field.name}[{i}]", item
        else:
            yield field.name, value


def _unknown_paths(msg: Message, path: str = "") -> list[str]:
    found = []
    unknown = _unknown_fields.UnknownFieldSet(msg)
    if len(unknown):
        numbers = sorted({unknown[i].field_number for i in range(len(unknown))})
        found.append(f"{path or '<root>'}: unknown fields {numbers}")
    for sub_path, sub in _submessages(msg):
        found += _unknown_paths(sub, f"{path}.{sub_path}" if path else sub_path)
    return found


def _round_trip(tb_message: Message, *, byte_identical: bool = True) -> Message:
    """TensorBoard bytes -> ours -> bytes -> TensorBoard; returns our parsed message."""
    data = tb_message.SerializeToString(deterministic=True)
    assert data, "empty test message"
    ours = _our_class(tb_message).FromString(data)
    if byte_identical:
        assert _unknown_paths(ours) == []
    again = ours.SerializeToString(deterministic=True)
    assert type(tb_message).FromString(again) == tb_message
    if byte_identical:
        assert again == data
    # Text format is what .pbtxt files (e.g. projector_config.pbtxt) use.
    if byte_identical:
        assert text_format.MessageToString(ours) == text_format.MessageToString(tb_message)
    return ours


def _tb_tensors() -> list[Message]:
    from tensorboard.compat.proto import tensor_pb2, types_pb2

    t_float = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, version_number=1)
    t_float.tensor_shape.dim.add(size=2, name="rows")
    t_float.tensor_shape.dim.add(size=3)
    t_float.float_val.extend([1.0, -2.5, 3.25, 0.0, 1e-7, 5.0])
    t_str = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b"a", b"\xff\x00"])
    t_str.tensor_shape.dim.add(size=2)
    t_misc = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_VARIANT,
        tensor_content=b"\x01\x02\x03",
        half_val=[15360, 0],
        double_val=[0.1, -1e300],
        int_val=[-1, 2**31 - 1],
        scomplex_val=[1.0, 2.0],
        int64_val=[-(2**63), 2**63 - 1],
        bool_val=[True, False, True],
        dcomplex_val=[3.0, 4.0],
        uint32_val=[2**32 - 1],
        uint64_val=[2**64 - 1],
        float8_val=b"\x3c\x00",
    )
    t_misc.tensor_shape.unknown_rank = True
    handle = t_misc.resource_handle_val.add(
        device="/cpu:0", container="c", name="v", hash_code=2**64 - 5, maybe_type_name="Var"
    )
    dts = handle.dtypes_and_shapes.add(dtype=types_pb2.DT_INT64)
    dts.shape.dim.add(size=-1)
    variant = t_misc.variant_val.add(type_name="List", metadata=b"m")
    variant.tensors.append(t_float)
    return [t_float, t_str, t_misc]


def _tb_summary() -> Message:
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.scalar import plugin_data_pb2 as scalar_data

    summary = summary_pb2.Summary()
    v = summary.value.add(tag="loss", node_name="legacy", simple_value=0.25)
    v.metadata.plugin_data.plugin_name = "scalars"
    v.metadata.plugin_data.content = scalar_data.ScalarPluginData(version=1).SerializeToString()
    v.metadata.display_name = "Loss"
    v.metadata.summary_description = "training loss"
    v.metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
    summary.value.add(tag="zero", simple_value=0.0)  # oneof member set to its default
    summary.value.add(tag="old_histo", obsolete_old_style_histogram=b"\x00\x01")
    summary.value.add(tag="img").image.CopyFrom(
        summary_pb2.Summary.Image(
            height=2, width=3, colorspace=4, encoded_image_string=b"\x89PNG\r\n"
        )
    )
    h = summary.value.add(tag="histo").histo
    h.min, h.max, h.num, h.sum, h.sum_squares = -1.0, 2.0, 3.0, 1.5, 5.0
    h.bucket_limit.extend([-1.0, 0.0, 2.0, 1.7976931348623157e308])
    h.bucket.extend([1.0, 0.0, 2.0, 0.0])
    summary.value.add(tag="audio").audio.CopyFrom(
        summary_pb2.Summary.Audio(
            sample_rate=44100.0,
            num_channels=2,
            length_frames=10,
            encoded_audio_string=b"RIFF",
            content_type="audio/wav",
        )
    )
    for i, tensor in enumerate(_tb_tensors()):
        value = summary.value.add(tag=f"tensor/{i}")
        value.tensor.CopyFrom(tensor)
        value.metadata.data_class = summary_pb2.DATA_CLASS_TENSOR
    return summary


def _tb_graph_def() -> Message:
    from tensorboard.compat.proto import (
        attr_value_pb2,
        full_type_pb2,
        graph_pb2,
        types_pb2,
    )

    g = graph_pb2.GraphDef(version=17)
    g.versions.producer = 1234
    g.versions.min_consumer = 12
    g.versions.bad_consumers.extend([3, 5])
    node = g.node.add(name="scope/matmul", op="MatMul", device="/device:CPU:0")
    node.input.extend(["scope/a", "scope/b:1", "^init"])
    attrs = {
        "s": attr_value_pb2.AttrValue(s=b"str"),
        "i": attr_value_pb2.AttrValue(i=-3),
        "i0": attr_value_pb2.AttrValue(i=0),
        "f": attr_value_pb2.AttrValue(f=0.5),
        "b": attr_value_pb2.AttrValue(b=True),
        "T": attr_value_pb2.AttrValue(type=types_pb2.DT_BFLOAT16),
        "placeholder": attr_value_pb2.AttrValue(placeholder="T"),
    }
    for key, value in attrs.items():
        node.attr[key].CopyFrom(value)
    node.attr["shape"].shape.dim.add(size=4)
    node.attr["unknown_shape"].shape.unknown_rank = True
    node.attr["value"].tensor.CopyFrom(_tb_tensors()[0])
    lst = node.attr["list"].list
    lst.s.extend([b"x", b"y"])
    lst.i.extend([1, -2])
    lst.f.extend([1.5])
    lst.b.extend([False, True])
    lst.type.extend([types_pb2.DT_INT32, types_pb2.DT_FLOAT8_E4M3FN])
    lst.shape.add().dim.add(size=2)
    lst.tensor.append(_tb_tensors()[1])
    lst.func.add(name="g").attr["k"].i = 1
    node.attr["empty_list"].list.SetInParent()
    node.attr["func"].func.name = "body"
    node.attr["func"].func.attr["T"].type = types_pb2.DT_FLOAT
    node.experimental_debug_info.original_node_names.extend(["orig"])
    node.experimental_debug_info.original_func_names.extend(["origf"])
    ft = node.experimental_type
    ft.type_id = full_type_pb2.TFT_PRODUCT
    ft.args.add(type_id=full_type_pb2.TFT_TENSOR).args.add(type_id=full_type_pb2.TFT_FLOAT)
    ft.args.add(type_id=full_type_pb2.TFT_VAR, s="T")
    ft.args.add(type_id=full_type_pb2.TFT_LITERAL, i=0)
    g.node.add(name="scope/a", op="Const")

    fn = g.library.function.add()
    sig = fn.signature
    sig.name = "body"
    arg = sig.input_arg.add(name="x", description="d", type_attr="T", is_ref=True)
    arg.handle_data.add(dtype=types_pb2.DT_FLOAT).shape.dim.add(size=1)
    arg.experimental_full_type.type_id = full_type_pb2.TFT_TENSOR
    sig.output_arg.add(name="y", type=types_pb2.DT_FLOAT, number_attr="N", type_list_attr="L")
    sig.control_output.append("ctl")
    attr_def = sig.attr.add(name="T", type="type", has_minimum=True, minimum=-1)
    attr_def.default_value.type = types_pb2.DT_FLOAT
    attr_def.allowed_values.list.type.extend([types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE])
    sig.deprecation.version = 9
    sig.deprecation.explanation = "gone"
    sig.summary, sig.description = "sum", "desc"
    sig.is_commutative = sig.is_aggregate = sig.is_stateful = True
    sig.allows_uninitialized_input = sig.is_distributed_communication = True
    fn.attr["_noinline"].b = True
    fn.arg_attr[0].attr["_output_shapes"].list.shape.add()
    fn.resource_arg_unique_id[0] = 7
    fn.node_def.add(name="inner", op="Relu", input=["x"]).attr["T"].type = types_pb2.DT_FLOAT
    fn.ret["y"] = "inner:features:0"
    fn.control_ret["ctl"] = "inner"
    g.library.gradient.add(function_name="body", gradient_func="body_grad")
    g.library.registered_gradients.add(gradient_func="gf", registered_op_type="Op")

    dbg = g.debug_info
    dbg.files.extend(["model.py", "train.py"])
    # proto2 presence: explicitly set zero values must survive.
    dbg.frames_by_id[1].CopyFrom(
        type(dbg).FileLineCol(file_index=0, line=0, col=3, func="f", code="x = 1")
    )
    dbg.frames_by_id[2**64 - 1].line = 10
    st = dbg.traces_by_id[5]
    st.frame_id.extend([1, 2**64 - 1])
    st.file_line_cols.add(file_index=1, line=2)
    dbg.traces["scope/matmul@body"].frame_id.append(1)
    dbg.name_to_trace_id["scope/matmul"] = 5
    return g


def _tb_run_metadata() -> Message:
    from tensorboard.compat.proto import config_pb2, types_pb2

    rm = config_pb2.RunMetadata()
    dev = rm.step_stats.dev_stats.add(device="/job:localhost/replica:0/task:0/device:CPU:0")
    dev.thread_names[3] = "worker"
    ns = dev.node_stats.add(
        node_name="scope/matmul",
        all_start_micros=100,
        op_start_rel_micros=1,
        op_end_rel_micros=5,
        all_end_rel_micros=6,
        timeline_label="MatMul",
        scheduled_micros=99,
        thread_id=3,
        all_start_nanos=100000,
        op_start_rel_nanos=1000,
        op_end_rel_nanos=5000,
        all_end_rel_nanos=6000,
        scheduled_nanos=99000,
    )
    mem = ns.memory.add(
        allocator_name="cpu",
        total_bytes=1024,
        peak_bytes=512,
        live_bytes=256,
        allocator_bytes_in_use=128,
    )
    mem.allocation_records.add(alloc_micros=5, alloc_bytes=-64)
    out = ns.output.add(slot=0)
    out.tensor_description.dtype = types_pb2.DT_FLOAT
    out.tensor_description.shape.dim.add(size=2)
    ad = out.tensor_description.allocation_description
    ad.requested_bytes, ad.allocated_bytes, ad.allocator_name = 8, 16, "cpu"
    ad.allocation_id, ad.has_single_reference, ad.ptr = 4, True, 2**64 - 8
    ns.referenced_tensor.add(requested_bytes=1, allocator_name="gpu")
    ms = ns.memory_stats
    ms.temp_memory_size, ms.persistent_memory_size = 10, 20
    ms.persistent_tensor_alloc_ids.extend([1, 2])
    ms.device_temp_memory_size, ms.device_persistent_memory_size = 30, 40
    ms.device_persistent_tensor_alloc_ids.extend([3])

    cn = rm.cost_graph.node.add(
        name="scope/matmul",
        device="/cpu:0",
        id=1,
        temporary_memory_size=5,
        persistent_memory_size=6,
        host_temp_memory_size=7,
        device_temp_memory_size=8,
        device_persistent_memory_size=9,
        compute_cost=10,
        compute_time=11,
        memory_time=12,
        is_final=True,
        control_input=[0, 2],
        inaccurate=True,
    )
    cn.input_info.add(preceding_node=0, preceding_port=1)
    oi = cn.output_info.add(size=64, alias_input_port=-1, dtype=types_pb2.DT_HALF)
    oi.shape.dim.add(size=8)
    rm.cost_graph.cost.add(cost=1.5, dimension="flops")
    rm.partition_graphs.append(_tb_graph_def())
    fg = rm.function_graphs.add()
    fg.partition_graphs.add().node.add(name="p")
    fg.pre_optimization_graph.node.add(name="pre")
    fg.post_optimization_graph.node.add(name="post")
    rm.session_metadata.name = "sess"
    rm.session_metadata.version = 2
    return rm


def _tb_meta_graph_def(*, with_omitted_fields: bool) -> Message:
    from tensorboard.compat.proto import meta_graph_pb2, versions_pb2

    mg = meta_graph_pb2.MetaGraphDef()
    info = mg.meta_info_def
    info.meta_graph_version = "v1"
    info.stripped_op_list.op.add(name="MatMul").input_arg.add(name="a", type_attr="T")
    info.any_info.Pack(versions_pb2.VersionDef(producer=3))
    info.tags.extend(["serve", "train"])
    info.tensorflow_version, info.tensorflow_git_version = "2.21.0", "v2.21.0-0-g0"
    info.stripped_default_attrs = True
    info.function_aliases["f"] = "alias"
    mg.graph_def.CopyFrom(_tb_graph_def())
    mg.collection_def["nodes"].node_list.value.extend(["a", "b"])
    mg.collection_def["bytes"].bytes_list.value.extend([b"\x00"])
    mg.collection_def["ints"].int64_list.value.extend([1, -1])
    mg.collection_def["floats"].float_list.value.extend([0.5])
    mg.collection_def["any"].any_list.value.add().Pack(versions_pb2.VersionDef(producer=4))
    if with_omitted_fields:
        mg.saver_def.filename_tensor_name = "save/Const:0"
        mg.signature_def["serving_default"].method_name = "predict"
        mg.signature_def["serving_default"].inputs["x"].name = "x:0"
        mg.asset_file_def.add(filename="vocab.txt").tensor_info.name = "asset:0"
        mg.object_graph_def.nodes.add()
    return mg


def _tb_events() -> list[Message]:
    from tensorboard.compat.proto import event_pb2

    rm_bytes = _tb_run_metadata().SerializeToString()
    events = [
        event_pb2.Event(wall_time=1700000000.25, step=0, file_version="brain.Event:2"),
        event_pb2.Event(wall_time=1.0, step=-1, summary=_tb_summary()),
        event_pb2.Event(wall_time=2.0, graph_def=_tb_graph_def().SerializeToString()),
        event_pb2.Event(
            step=3,
            log_message=event_pb2.LogMessage(level=event_pb2.LogMessage.WARN, message="w"),
        ),
        event_pb2.Event(
            step=4,
            session_log=event_pb2.SessionLog(
                status=event_pb2.SessionLog.CHECKPOINT, checkpoint_path="/ckpt", msg="m"
            ),
        ),
        event_pb2.Event(
            step=5,
            tagged_run_metadata=event_pb2.TaggedRunMetadata(tag="step5", run_metadata=rm_bytes),
        ),
        event_pb2.Event(
            meta_graph_def=_tb_meta_graph_def(with_omitted_fields=False).SerializeToString()
        ),
        event_pb2.Event(file_version=""),  # oneof member set to its default
    ]
    events[0].source_metadata.writer = "tbcore-test"
    return events


def test_round_trip_events() -> None:
    from tensorboard.compat.proto import event_pb2

    for event in _tb_events():
        ours = _round_trip(event)
        assert ours.WhichOneof("what") == event.WhichOneof("what")
        assert ours.HasField("source_metadata") == event.HasField("source_metadata")
    heartbeat = event_pb2.WorkerHeartbeatResponse(
        health_status=event_pb2.SHUTTING_DOWN, worker_log=_tb_events()[:2], hostname="h"
    )
    _round_trip(heartbeat)
    request = event_pb2.WorkerHeartbeatRequest(
        shutdown_mode=event_pb2.WAIT_FOR_COORDINATOR,
        watchdog_config=event_pb2.WatchdogConfig(timeout_ms=5),
        exit_code=event_pb2.RequestedExitCode(exit_code=0),
    )
    ours = _round_trip(request)
    assert ours.HasField("exit_code")


def test_round_trip_summary_and_tensors() -> None:
    from tensorboard.compat.proto import summary_pb2

    summary = _tb_summary()
    ours = _round_trip(summary)
    assert [v.WhichOneof("value") for v in ours.value] == [
        v.WhichOneof("value") for v in summary.value
    ]
    assert ours.value[1].HasField("simple_value") and ours.value[1].simple_value == 0.0
    for tensor in _tb_tensors():
        _round_trip(tensor)
    _round_trip(summary_pb2.SummaryDescription(type_hint="scalar"))


def test_round_trip_graph_def() -> None:
    graph = _tb_graph_def()
    ours = _round_trip(graph)
    # proto2 presence in GraphDebugInfo: explicit zeros are kept, unset stays unset.
    frame = ours.debug_info.frames_by_id[1]
    assert frame.HasField("file_index") and frame.file_index == 0
    assert frame.HasField("line") and frame.line == 0
    assert not ours.debug_info.frames_by_id[2**64 - 1].HasField("file_index")
    assert ours.node[0].attr["i0"].WhichOneof("value") == "i"
    assert ours.node[0].attr["empty_list"].WhichOneof("value") == "list"


def test_round_trip_run_metadata() -> None:
    _round_trip(_tb_run_metadata())


def test_round_trip_meta_graph_def() -> None:
    _round_trip(_tb_meta_graph_def(with_omitted_fields=False))


def test_trimmed_meta_graph_def_keeps_omitted_fields() -> None:
    theirs = _tb_meta_graph_def(with_omitted_fields=True)
    ours = _round_trip(theirs, byte_identical=False)
    unknown = _unknown_fields.UnknownFieldSet(ours)
    numbers = {unknown[i].field_number for i in range(len(unknown))}
    assert numbers == set(OMITTED_FIELDS["tensorboard.MetaGraphDef"])
    assert ours.graph_def.node[0].name == "scope/matmul"


def test_round_trip_projector_config() -> None:
    from tensorboard.plugins.projector import projector_config_pb2 as pc

    config = pc.ProjectorConfig(model_checkpoint_path="/m/ckpt", model_checkpoint_dir="/m")
    emb = config.embeddings.add(
        tensor_name="emb",
        metadata_path="meta.tsv",
        bookmarks_path="b.json",
        tensor_shape=[100, 8],
        tensor_path="t.tsv",
    )
    emb.sprite.image_path = "sprite.png"
    emb.sprite.single_image_dim.extend([28, 28])
    config.embeddings.add(tensor_name="other")
    ours = _round_trip(config)
    # projector_config.pbtxt files are text format.
    parsed = text_format.Parse(text_format.MessageToString(config), type(ours)())
    assert parsed == ours


def test_round_trip_custom_scalar_layout() -> None:
    from tensorboard.plugins.custom_scalar import layout_pb2

    layout = layout_pb2.Layout(version=1)
    cat = layout.category.add(title="losses", closed=True)
    cat.chart.add(title="multi").multiline.tag.extend([r"loss/.*", "acc"])
    margin = cat.chart.add(title="margin").margin
    margin.series.add(value="mean", lower="lo", upper="hi")
    layout.category.add(title="empty").chart.add(title="no content")
    _round_trip(layout)


def _tb_hparams_messages() -> list[Message]:
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, hparams_util_pb2, plugin_data_pb2

    lr = api_pb2.HParamInfo(
        name="lr",
        display_name="Learning rate",
        description="d",
        type=api_pb2.DATA_TYPE_FLOAT64,
        domain_interval=api_pb2.Interval(min_value=1e-5, max_value=0.1),
        differs=True,
    )
    opt = api_pb2.HParamInfo(name="optimizer", type=api_pb2.DATA_TYPE_STRING)
    opt.domain_discrete.values.add(string_value="adam")
    opt.domain_discrete.values.add(string_value="sgd")
    flag = api_pb2.HParamInfo(name="flag", type=api_pb2.DATA_TYPE_BOOL)
    flag.domain_discrete.values.add(bool_value=False)
    metric_name = api_pb2.MetricName(group="validation", tag="epoch_accuracy")
    metric = api_pb2.MetricInfo(
        name=metric_name,
        display_name="Accuracy",
        description="acc",
        dataset_type=api_pb2.DATASET_VALIDATION,
    )
    experiment = api_pb2.Experiment(
        name="exp",
        description="desc",
        user="me",
        time_created_secs=1.5,
        hparam_infos=[lr, opt, flag],
        metric_infos=[metric],
    )
    start = plugin_data_pb2.SessionStartInfo(
        model_uri="m", monitor_url="u", group_name="g", start_time_secs=10.0
    )
    start.hparams["lr"].number_value = 0.01
    start.hparams["optimizer"].string_value = "adam"
    start.hparams["flag"].bool_value = False
    start.hparams["nothing"].null_value = struct_pb2.NULL_VALUE
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_FAILURE, end_time_secs=20.0)

    metric_value = api_pb2.MetricValue(
        name=metric_name, value=0.75, training_step=100, wall_time_secs=30.0
    )
    session = api_pb2.Session(
        name="run/1",
        start_time_secs=10.0,
        end_time_secs=20.0,
        status=api_pb2.STATUS_SUCCESS,
        model_uri="m",
        metric_values=[metric_value],
        monitor_url="u",
    )
    group = api_pb2.SessionGroup(
        name="g", metric_values=[metric_value], sessions=[session], monitor_url="u"
    )
    group.hparams["lr"].number_value = 0.01
    col_metric = api_pb2.ColParams(
        metric=metric_name,
        order=api_pb2.ORDER_DESC,
        missing_values_first=True,
        filter_interval=api_pb2.Interval(min_value=0.5, max_value=1.0),
        exclude_missing_values=True,
        include_in_result=False,  # proto3 `optional`: explicit false must survive
    )
    col_regexp = api_pb2.ColParams(hparam="optimizer", filter_regexp="a.*")
    col_discrete = api_pb2.ColParams(hparam="flag", include_in_result=True)
    col_discrete.filter_discrete.values.add(bool_value=True)
    list_request = api_pb2.ListSessionGroupsRequest(
        experiment_name="exp",
        allowed_statuses=[api_pb2.STATUS_SUCCESS, api_pb2.STATUS_RUNNING],
        col_params=[col_metric, col_regexp, col_discrete],
        aggregation_type=api_pb2.AGGREGATION_MEDIAN,
        aggregation_metric=metric_name,
        start_index=10,
        slice_size=20,
        include_metrics=False,
    )
    return [
        plugin_data_pb2.HParamsPluginData(version=1, experiment=experiment),
        plugin_data_pb2.HParamsPluginData(session_start_info=start),
        plugin_data_pb2.HParamsPluginData(session_end_info=end),
        api_pb2.GetExperimentRequest(experiment_name="exp", include_metrics=False, hparams_limit=0),
        list_request,
        api_pb2.ListSessionGroupsResponse(session_groups=[group], total_size=-1),
        api_pb2.ListMetricEvalsRequest(
            experiment_name="exp", session_name="run/1", metric_name=metric_name
        ),
        hparams_util_pb2.HParamInfosList(hparam_infos=[lr, opt]),
        hparams_util_pb2.MetricInfosList(metric_infos=[metric]),
        hparams_util_pb2.HParams(hparams={"lr": struct_pb2.Value(number_value=0.1)}),
    ]


@pytest.mark.parametrize("index", range(len(_tb_hparams_messages())), ids=lambda i: f"hparams{i}")
def test_round_trip_hparams(index: int) -> None:
    theirs = _tb_hparams_messages()[index]
    ours = _round_trip(theirs)
    # The hparams HTTP API speaks JSON.
    as_json = json_format.MessageToJson(theirs)
    # json.loads: map entries come out in (unspecified) iteration order.
    assert json.loads(json_format.MessageToJson(ours)) == json.loads(as_json)
    assert json_format.Parse(as_json, type(ours)()) == ours


def test_hparams_proto3_optional_presence() -> None:
    from tensorboard.plugins.hparams import api_pb2

    request = api_pb2.GetExperimentRequest(include_metrics=False)
    ours = _round_trip(request)
    assert ours.HasField("include_metrics") and not ours.HasField("hparams_limit")


def _tb_plugin_data_messages() -> list[Message]:
    from tensorboard.plugins.audio import plugin_data_pb2 as audio
    from tensorboard.plugins.histogram import plugin_data_pb2 as histogram
    from tensorboard.plugins.image import plugin_data_pb2 as image
    from tensorboard.plugins.mesh import plugin_data_pb2 as mesh
    from tensorboard.plugins.pr_curve import plugin_data_pb2 as pr_curve
    from tensorboard.plugins.scalar import plugin_data_pb2 as scalar
    from tensorboard.plugins.text import plugin_data_pb2 as text

    return [
        scalar.ScalarPluginData(version=1),
        histogram.HistogramPluginData(version=1),
        image.ImagePluginData(version=1, converted_to_tensor=True),
        audio.AudioPluginData(version=1, encoding=audio.AudioPluginData.WAV),
        audio.AudioPluginData(converted_to_tensor=True),
        text.TextPluginData(version=1),
        pr_curve.PrCurvePluginData(version=1, num_thresholds=201),
        mesh.MeshPluginData(
            version=1,
            name="mesh",
            content_type=mesh.MeshPluginData.FACE,
            json_config='{"camera": {}}',
            shape=[1, 100, 3],
            components=7,
        ),
    ]


@pytest.mark.parametrize(
    "index", range(len(_tb_plugin_data_messages())), ids=lambda i: f"plugin_data{i}"
)
def test_round_trip_plugin_data(index: int) -> None:
    _round_trip(_tb_plugin_data_messages()[index])
