"""Each run's hyperparameters, for grouping runs by an hparam value in the scalars dashboard.

They are read through the data provider from the ``hparams`` plugin's session-start summaries
(``HParamsPluginData.session_start_info``, written by torch's ``add_hparams``, tf's hparams
API and ``tbcore.summary``). torch writes them into a child run named by a timestamp
(``<run>/<time>``) next to the run's curves, so a run without hparams of its own takes those
of its only child session.
"""

from __future__ import annotations

import logging

from google.protobuf import message, struct_pb2

from tbcore.data.provider import DataProvider, RunTagFilter
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore.summary.hparams import PLUGIN_NAME as HPARAMS_PLUGIN_NAME
from tbcore.summary.hparams import SESSION_START_INFO_TAG

logger = logging.getLogger(__name__)


HParamValue = float | str | bool


def run_hparams(provider: DataProvider) -> dict[str, object]:
    """``{"hparams": [name, ...], "runs": {run: {name: value}}}``: the hparam names in order,
    and each run's values (numbers, strings or booleans).

    With the hparams dashboard installed, its data model answers (one definition of a run's
    hparams for both dashboards); the reading below is for a scalars dashboard alone.
    """
    try:
        from tbcore_hparams.runs import run_hparams as from_hparams_model
    except ImportError:
        pass
    else:
        return from_hparams_model(provider)
    listed = provider.list_tensors(
        plugin_name=HPARAMS_PLUGIN_NAME, run_tag_filter=RunTagFilter.of(None, [SESSION_START_INFO_TAG])
    )
    sessions: dict[str, dict[str, HParamValue]] = {}
    for run, tags in listed.items():
        values = _session_hparams(run, tags[SESSION_START_INFO_TAG].plugin_content)
        if values:
            sessions[run] = values
    runs = dict(sessions)
    children: dict[str, list[str]] = {}
    for run in sessions:
        parent, _, _ = run.rpartition("/")
        if parent:
            children.setdefault(parent, []).append(run)
    known = {r.run_name for r in provider.list_runs()}
    for parent, kids in children.items():
        if parent in known and parent not in sessions and len(kids) == 1:
            runs[parent] = sessions[kids[0]]
    names = sorted({name for values in runs.values() for name in values})
    return {"hparams": names, "runs": dict(sorted(runs.items()))}


def _session_hparams(run: str, content: bytes) -> dict[str, HParamValue]:
    data = hp.HParamsPluginData()
    try:
        data.ParseFromString(content)
    except message.DecodeError as e:
        logger.warning("run %s: malformed hparams session_start_info (%s); ignored", run, e)
        return {}
    if not data.HasField("session_start_info"):
        return {}
    out: dict[str, HParamValue] = {}
    for name, value in data.session_start_info.hparams.items():
        converted = _value(value)
        if converted is not None:
            out[name] = converted
    return out


def _value(value: struct_pb2.Value) -> HParamValue | None:
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    return None
