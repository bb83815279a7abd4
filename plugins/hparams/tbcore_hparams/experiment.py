"""The experiment: the hparams and metrics of a sweep, as TensorBoard's ``experiment`` route
gives them.

Taken from an ``experiment`` summary when a run holds one (``hp.hparams_config``, and torch's,
tensorboardX's and ``tbcore.summary``'s ``add_hparams`` write one into every trial); otherwise
inferred, as TensorBoard does, from the sessions: each hparam's type from its values (a name
with values of several types is a string), a discrete domain of the distinct values for
strings and booleans, the interval of the values for numbers; and a metric for every scalar
tag of every run that is a session or lies below one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import json_format

from tbcore.data.provider import DataProvider
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore_hparams import values
from tbcore_hparams.metadata import SCALARS_PLUGIN_NAME
from tbcore_hparams.metrics import metric_group, owning_session
from tbcore_hparams.model import HparamsData, SessionInfo


def build_experiment(
    provider: DataProvider,
    data: HparamsData,
    *,
    include_metrics: bool = True,
    hparams_limit: int | None = None,
) -> hp.Experiment:
    """The experiment of ``data`` (see the module's docstring); an empty one when there are
    no hparams summaries. The hparams whose values differ between sessions come first, then
    by name; ``hparams_limit`` (when positive) keeps that many."""
    if data.experiment is not None:
        experiment = data.experiment
        if not include_metrics:
            experiment.ClearField("metric_infos")
    else:
        infos = infer_hparam_infos(data.sessions.values())
        metrics = metric_infos_from_runs(provider, data.sessions) if infos and include_metrics else []
        experiment = hp.Experiment(hparam_infos=infos, metric_infos=metrics)
    limited = sorted(experiment.hparam_infos, key=lambda info: (not info.differs, info.name))
    del experiment.hparam_infos[:]
    experiment.hparam_infos.extend(limited[: hparams_limit or None])
    return experiment


def infer_hparam_infos(sessions: Iterable[SessionInfo]) -> list[hp.HParamInfo]:
    """An ``HParamInfo`` per hparam name the sessions use (see the module's docstring)."""
    by_name: dict[str, list[Any]] = {}
    for session in sessions:
        for name, value in session.start.hparams.items():
            by_name.setdefault(name, []).append(value)
    infos = []
    for name, seen in by_name.items():
        info = _infer_hparam_info(name, seen)
        if info is not None:
            infos.append(info)
    return infos


def _infer_hparam_info(name: str, seen: list[Any]) -> hp.HParamInfo | None:
    kind: int | None = None
    for value in seen:
        value_kind = values.data_type(value)
        if value_kind is None:
            continue
        if kind is None:
            kind = value_kind
        elif kind != value_kind:
            kind = hp.DATA_TYPE_STRING
            break
    if kind is None:
        return None
    info = hp.HParamInfo(name=name, type=kind)  # type: ignore[arg-type]
    typed = [v for v in seen if values.data_type(v) is not None]
    if kind == hp.DATA_TYPE_STRING:
        # Sorted (TensorBoard lists them in the order of a Python set: any order).
        strings = sorted({values.as_domain_string(v) for v in typed if values.is_finite_or_not_number(v)})
        info.domain_discrete.extend(strings)
        info.differs = len(strings) > 1
    elif kind == hp.DATA_TYPE_BOOL:
        flags = sorted(set(typed))
        info.domain_discrete.extend(flags)
        info.differs = len(flags) > 1
    else:
        numbers = sorted(typed)
        info.domain_interval.min_value = numbers[0]
        info.domain_interval.max_value = numbers[-1]
        info.differs = len(set(numbers)) > 1
    return info


def metric_infos_from_runs(provider: DataProvider, sessions: Mapping[str, SessionInfo]) -> list[hp.MetricInfo]:
    """A ``MetricInfo`` for every ``(tag, group)`` of the scalar series in the sessions' runs
    and the runs below them, sorted by tag, then group."""
    names: set[tuple[str, str]] = set()
    for run, tags in provider.list_scalars(plugin_name=SCALARS_PLUGIN_NAME).items():
        session = owning_session(sessions, run)
        if session is None:
            continue
        group = metric_group(run, session)
        names.update((tag, group) for tag in tags)
    return [hp.MetricInfo(name=hp.MetricName(group=group, tag=tag)) for tag, group in sorted(names)]


def experiment_json(experiment: hp.Experiment) -> dict[str, Any]:
    """The protobuf JSON of ``experiment`` with every field written, as TensorBoard sends it."""
    answer: dict[str, Any] = json_format.MessageToDict(experiment, always_print_fields_with_no_presence=True)
    return answer
