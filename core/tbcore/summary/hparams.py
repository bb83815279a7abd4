"""The hparams plugin's experiment, session-start and session-end summaries."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from google.protobuf import struct_pb2

from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore.proto import summary_pb2

PLUGIN_NAME = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"

HParamValue = bool | int | float | str


def _to_python(value: Any) -> Any:
    # numpy scalars (and 0-d arrays) count as the Python numbers they hold
    if isinstance(value, np.generic | np.ndarray) and np.ndim(value) == 0:
        return value.item()
    return value


def _kind(name: str, value: Any) -> tuple[int, struct_pb2.Value]:
    if isinstance(value, bool):  # before numbers: bool is an int
        return hp.DATA_TYPE_BOOL, struct_pb2.Value(bool_value=value)
    if isinstance(value, numbers.Real):
        return hp.DATA_TYPE_FLOAT64, struct_pb2.Value(number_value=float(value))
    if isinstance(value, str):
        return hp.DATA_TYPE_STRING, struct_pb2.Value(string_value=value)
    raise ValueError(
        f"hparam {name!r} is {value!r} of type {type(value).__name__}; "
        "expected bool, int, float or str"
    )


def hparams_values(
    hparam_dict: Mapping[str, Any],
    metric_dict: Mapping[str, Any],
    hparam_domain_discrete: Mapping[str, Sequence[Any]] | None = None,
) -> list[summary_pb2.Summary.Value]:
    """The experiment, session-start and session-end values for one session, in that order.

    ``None`` hparam values are skipped. ``hparam_domain_discrete`` lists the allowed values
    of some hparams; they must be of the hparam's type.
    """
    domains = dict(hparam_domain_discrete or {})
    for name in domains:
        if name not in hparam_dict:
            raise ValueError(f"hparam_domain_discrete names {name!r}, which is not in hparam_dict")
    start = hp.SessionStartInfo()
    infos = []
    for name, raw in hparam_dict.items():
        value = _to_python(raw)
        if value is None:
            continue
        data_type, proto_value = _kind(name, value)
        start.hparams[name].CopyFrom(proto_value)
        info = hp.HParamInfo(name=name, type=data_type)  # type: ignore[arg-type]
        if name in domains:
            for option in domains[name]:
                option_type, option_value = _kind(name, _to_python(option))
                if option_type != data_type:
                    raise ValueError(
                        f"hparam_domain_discrete[{name!r}] holds {option!r}, which is not of "
                        f"the type of hparam_dict[{name!r}] ({value!r})"
                    )
                info.domain_discrete.values.append(option_value)
        infos.append(info)
    metrics = [hp.MetricInfo(name=hp.MetricName(tag=tag)) for tag in metric_dict]
    experiment = hp.Experiment(hparam_infos=infos, metric_infos=metrics)
    end = hp.SessionEndInfo(status=hp.STATUS_SUCCESS)
    return [
        _value(EXPERIMENT_TAG, hp.HParamsPluginData(version=0, experiment=experiment)),
        _value(SESSION_START_INFO_TAG, hp.HParamsPluginData(version=0, session_start_info=start)),
        _value(SESSION_END_INFO_TAG, hp.HParamsPluginData(version=0, session_end_info=end)),
    ]


def _value(tag: str, data: hp.HParamsPluginData) -> summary_pb2.Summary.Value:
    # Metadata only, no tensor: what TensorBoard's and torch's hparams summaries write.
    plugin_data = summary_pb2.SummaryMetadata.PluginData(
        plugin_name=PLUGIN_NAME, content=data.SerializeToString()
    )
    return summary_pb2.Summary.Value(
        tag=tag, metadata=summary_pb2.SummaryMetadata(plugin_data=plugin_data)
    )
