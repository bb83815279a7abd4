"""Hand-made hparams logs for the unit tests: sessions with group names, statuses and metric
curves that no single writer produces all of (the writers' own logs are in ``writers.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore_hparams.metadata import (
    EXPERIMENT_TAG,
    PLUGIN_NAME,
    SESSION_END_INFO_TAG,
    SESSION_START_INFO_TAG,
)
from tbcore_hparams.values import to_value


def plugin_event(tag: str, data: hp.HParamsPluginData | bytes, wall: float = 1.0) -> event_pb2.Event:
    """An event holding one hparams summary (metadata only, as torch writes it)."""
    event = event_pb2.Event(wall_time=wall, step=0)
    value = event.summary.value.add(tag=tag)
    value.metadata.plugin_data.plugin_name = PLUGIN_NAME
    value.metadata.plugin_data.content = data if isinstance(data, bytes) else data.SerializeToString()
    return event


def scalar_event(tag: str, step: int, value: float, wall: float | None = None) -> event_pb2.Event:
    """An event holding one ``simple_value`` scalar."""
    event = event_pb2.Event(wall_time=1000.0 + step if wall is None else wall, step=step)
    event.summary.value.add(tag=tag, simple_value=value)
    return event


def write_events(root: Path, run: str, events: Sequence[event_pb2.Event], suffix: str = "0") -> None:
    """One event file in ``root/run`` (``.`` for the root itself)."""
    folder = root / run
    folder.mkdir(parents=True, exist_ok=True)
    header = event_pb2.Event(wall_time=0.5, file_version="brain.Event:2")
    records = [frame_record(e.SerializeToString()) for e in [header, *events]]
    (folder / f"events.out.tfevents.1.test.{suffix}").write_bytes(b"".join(records))


def write_session(
    root: Path,
    run: str,
    hparams: Mapping[str, Any],
    *,
    group: str = "",
    status: int | None = None,
    start_time: float = 0.0,
    metrics: Mapping[str, Sequence[tuple[int, float]]] | None = None,
) -> None:
    """A session: its start info, an end info with ``status`` when given, and ``metrics``
    (``{tag: [(step, value), ...]}``) as scalars in its own run."""
    start = hp.SessionStartInfo(group_name=group, start_time_secs=start_time)
    for name, value in hparams.items():
        start.hparams[name].CopyFrom(to_value(value))
    events = [plugin_event(SESSION_START_INFO_TAG, hp.HParamsPluginData(session_start_info=start))]
    if status is not None:
        end = hp.SessionEndInfo(status=status, end_time_secs=start_time + 10)  # type: ignore[arg-type]
        events.append(plugin_event(SESSION_END_INFO_TAG, hp.HParamsPluginData(session_end_info=end)))
    for tag, points in (metrics or {}).items():
        events += [scalar_event(tag, step, value) for step, value in points]
    write_events(root, run, events)


def write_experiment(root: Path, run: str, experiment: hp.Experiment) -> None:
    """An experiment summary in ``run``."""
    write_events(root, run, [plugin_event(EXPERIMENT_TAG, hp.HParamsPluginData(experiment=experiment))], "exp")
