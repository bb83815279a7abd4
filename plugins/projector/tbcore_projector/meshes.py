"""The mesh dashboard's answers: TensorBoard's ``tags``, ``meshes`` and ``data``.

A mesh written by ``add_mesh`` is up to three tensor series (``<name>_VERTEX``, ``_FACE``,
``_COLOR``), each with a ``MeshPluginData`` naming the mesh, its part and the shape of the
batch. The routes speak of the mesh's name and gather its parts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from tbcore.data.provider import DataProvider, RunTagFilter, TensorDatum
from tbcore.errors import InvalidArgumentError
from tbcore.proto import plugin_mesh_pb2
from tbcore_projector.metadata import MESH_PLUGIN_NAME

logger = logging.getLogger(__name__)

LATEST_VERSION = 0
ContentType = plugin_mesh_pb2.MeshPluginData.ContentType
DATA_TYPES = {
    ContentType.VERTEX: np.float32,
    ContentType.FACE: np.int32,
    ContentType.COLOR: np.uint8,
}
"""How each part's values are sent by ``data``."""


@dataclass(frozen=True, slots=True)
class MeshPart:
    """One series of a mesh: its instance tag and ``MeshPluginData``."""

    instance_tag: str
    meta: plugin_mesh_pb2.MeshPluginData


def _parts(provider: DataProvider, run: str | None = None) -> dict[str, list[MeshPart]]:
    """``{run: [parts]}``, each run's parts in (content type, tag) order; parts of a newer
    format version than this reader knows are left out with a warning."""
    run_filter = RunTagFilter.of(runs=[run]) if run is not None else None
    listing = provider.list_tensors(plugin_name=MESH_PLUGIN_NAME, run_tag_filter=run_filter)
    out: dict[str, list[MeshPart]] = {}
    for run_name, series in listing.items():
        parts = out.setdefault(run_name, [])
        for instance_tag, info in series.items():
            meta = plugin_mesh_pb2.MeshPluginData()
            try:
                meta.ParseFromString(info.plugin_content)
            except Exception:  # noqa: BLE001  # a bad proto costs that series alone
                logger.warning("mesh %r of run %r: unreadable metadata", instance_tag, run_name)
                continue
            if meta.version > LATEST_VERSION:
                logger.warning(
                    "mesh %r of run %r: version %d is newer than this reader's",
                    instance_tag, run_name, meta.version,
                )
                continue
            parts.append(MeshPart(instance_tag, meta))
        parts.sort(key=lambda p: (p.meta.content_type, p.instance_tag))
    return out


def mesh_tags(provider: DataProvider) -> dict[str, dict[str, dict[str, int]]]:
    """``{run: {mesh name: {"samples": batch size}}}``."""
    return {
        run: {p.meta.name: {"samples": p.meta.shape[0] if p.meta.shape else 0} for p in parts}
        for run, parts in _parts(provider).items()
    }


def _events(
    provider: DataProvider, run: str, tag: str
) -> list[tuple[plugin_mesh_pb2.MeshPluginData, TensorDatum]]:
    """Every point of every part of mesh ``tag`` in ``run``, sorted by step (stable)."""
    parts = [p for p in _parts(provider, run).get(run, []) if p.meta.name == tag]
    if not parts:
        return []
    data = provider.read_tensors(
        plugin_name=MESH_PLUGIN_NAME,
        run_tag_filter=RunTagFilter.of(runs=[run], tags=[p.instance_tag for p in parts]),
    ).get(run, {})
    events = [(p.meta, datum) for p in parts for datum in data.get(p.instance_tag, [])]
    return sorted(events, key=lambda event: event[1].step)


def mesh_metadata(provider: DataProvider, run: str, tag: str) -> list[dict[str, object]]:
    """One entry per part and step: ``wall_time``, ``step``, ``content_type`` (the enum's
    number), ``components`` (bit mask of the parts), ``config`` (JSON text) and
    ``data_shape``."""
    return [
        {
            "wall_time": datum.wall_time,
            "step": datum.step,
            "content_type": meta.content_type,
            "components": meta.components,
            "config": meta.json_config,
            "data_shape": list(meta.shape),
        }
        for meta, datum in _events(provider, run, tag)
    ]


def mesh_data(
    provider: DataProvider, run: str, tag: str, step: float, content_type: str, sample: int
) -> bytes:
    """The values of one part (``VERTEX`` float32, ``FACE`` int32, ``COLOR`` uint8) of sample
    ``sample`` at ``step``, as raw little-endian bytes."""
    try:
        kind = ContentType.Value(content_type)
    except ValueError:
        raise InvalidArgumentError("Bad content_type") from None
    if kind not in DATA_TYPES:
        raise InvalidArgumentError("Bad content_type")
    rows = []
    for meta, datum in _events(provider, run, tag):
        if datum.step != step or meta.content_type != kind:
            continue
        if not 0 <= sample < len(datum.numpy):
            raise InvalidArgumentError(f"sample {sample} is out of range")
        rows.append(np.asarray(datum.numpy[sample]))
    values = np.array(rows, dtype=DATA_TYPES[kind])
    return values.astype(values.dtype.newbyteorder("<"), copy=False).reshape(-1).tobytes()
