"""The hparams data model: the experiment summary and the sessions (trials) of a logdir, read
through the data provider from the ``hparams`` plugin's summaries.

A *session* is a run holding a ``session_start_info`` summary (torch's and tensorboardX's
``add_hparams``, tf's ``hp.hparams`` and ``hp.KerasCallback``, ``tbcore.summary``): its hparam
values, its group name (sessions with the same one form a *session group*: the seeds of one
trial), its start time and, once a ``session_end_info`` was written, its status and end time.
This module is the one definition of a run's hparams; the routes, the downloads and the
scalars dashboard's grouping all read it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from google.protobuf import message

from tbcore.data.provider import DataProvider
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore_hparams import values
from tbcore_hparams.metadata import (
    EXPERIMENT_TAG,
    PLUGIN_DATA_VERSION,
    PLUGIN_NAME,
    SESSION_END_INFO_TAG,
    SESSION_START_INFO_TAG,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionStart:
    """What a ``session_start_info`` summary says (hparam values as Python values)."""

    hparams: Mapping[str, Any]
    group_name: str
    start_time_secs: float
    model_uri: str
    monitor_url: str


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """What a ``session_end_info`` summary says."""

    status: int
    end_time_secs: float


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One session: a run with a ``session_start_info`` summary."""

    name: str
    """The run."""
    start: SessionStart
    end: SessionEnd | None

    @property
    def group_name(self) -> str:
        """The group it belongs to: its start info's ``group_name``, else its own name."""
        return self.start.group_name or self.name

    @property
    def status(self) -> int:
        """``Status`` enum value; ``STATUS_UNKNOWN`` before an end info is written."""
        return self.end.status if self.end is not None else hp.STATUS_UNKNOWN


@dataclass(frozen=True, slots=True)
class HparamsData:
    """The hparams summaries of an experiment."""

    experiment: hp.Experiment | None
    """The ``experiment`` summary of the first run (by name) that has one; None if none does.
    A fresh copy, the caller's to change."""
    sessions: Mapping[str, SessionInfo]
    """Every session by run name, in run order."""


def read_hparams_data(provider: DataProvider) -> HparamsData:
    """The experiment summary and every session, read through ``provider``.

    A summary that cannot be parsed, or of another format version, is skipped with a logged
    warning (TensorBoard fails every hparams request instead).
    """
    listed = provider.list_tensors(plugin_name=PLUGIN_NAME)
    experiment: hp.Experiment | None = None
    sessions: dict[str, SessionInfo] = {}
    for run in sorted(listed):
        tags = listed[run]
        if experiment is None and EXPERIMENT_TAG in tags:
            experiment = _experiment(tags[EXPERIMENT_TAG].plugin_content)
        start_series = tags.get(SESSION_START_INFO_TAG)
        if start_series is None:
            continue
        start = _session_start(start_series.plugin_content)
        if start is None:
            continue
        end_series = tags.get(SESSION_END_INFO_TAG)
        end = _session_end(end_series.plugin_content) if end_series is not None else None
        sessions[run] = SessionInfo(run, start, end)
    return HparamsData(experiment, MappingProxyType(sessions))


def _plugin_data(content: bytes, field: str) -> hp.HParamsPluginData | None:
    data = hp.HParamsPluginData()
    try:
        data.ParseFromString(content)
    except message.DecodeError as e:
        logger.warning("malformed hparams %s summary (%s); ignored", field, e)
        return None
    if data.version != PLUGIN_DATA_VERSION:
        logger.warning("hparams %s summary of format version %d (only %d is known); ignored",
                       field, data.version, PLUGIN_DATA_VERSION)
        return None
    if not data.HasField(field):
        logger.warning("hparams summary tagged as %s holds no %s; ignored", field, field)
        return None
    return data


@functools.lru_cache(maxsize=16)
def _experiment_bytes(content: bytes) -> bytes | None:
    data = _plugin_data(content, "experiment")
    return data.experiment.SerializeToString() if data is not None else None


def _experiment(content: bytes) -> hp.Experiment | None:
    serialized = _experiment_bytes(content)
    return hp.Experiment.FromString(serialized) if serialized is not None else None


# Parsed once per distinct summary: 2,000 sessions cost a dict lookup each per request.
@functools.lru_cache(maxsize=1 << 16)
def _session_start(content: bytes) -> SessionStart | None:
    data = _plugin_data(content, "session_start_info")
    if data is None:
        return None
    info = data.session_start_info
    return SessionStart(
        hparams=MappingProxyType({name: values.to_python(v) for name, v in info.hparams.items()}),
        group_name=info.group_name,
        start_time_secs=info.start_time_secs,
        model_uri=info.model_uri,
        monitor_url=info.monitor_url,
    )


@functools.lru_cache(maxsize=1 << 16)
def _session_end(content: bytes) -> SessionEnd | None:
    data = _plugin_data(content, "session_end_info")
    if data is None:
        return None
    return SessionEnd(data.session_end_info.status, data.session_end_info.end_time_secs)
