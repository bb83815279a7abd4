"""Session groups (trials) with their metric values, filtered, sorted, aggregated and paged as
TensorBoard's ``session_groups`` route does.

Sessions with the same group name form a group; a group's hparams are those of its first
session (by name), its metric values the sessions' aggregated: the average (the default), or
the values of the session with the median, smallest or largest value of one metric. Filters
and sort keys then apply to the groups' hparams and aggregated metric values.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tbcore.data.provider import DataProvider, RunTagFilter, ScalarDatum
from tbcore.errors import InvalidArgumentError
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore.user_regex import UserRegex
from tbcore_hparams import values
from tbcore_hparams.experiment import build_experiment
from tbcore_hparams.metadata import SCALARS_PLUGIN_NAME
from tbcore_hparams.metrics import metric_run
from tbcore_hparams.model import HparamsData, SessionInfo, read_hparams_data
from tbcore_hparams.request_bodies import ColParams, ListSessionGroupsRequest, MetricNameBody


@dataclass(frozen=True, slots=True)
class MetricValue:
    """The value of metric ``(group, tag)``: the latest point of its scalar series."""

    group: str
    tag: str
    value: float
    training_step: int
    wall_time_secs: float

    def json(self) -> dict[str, Any]:
        """TensorBoard's ``MetricValue`` JSON."""
        return {
            "name": {"group": self.group, "tag": self.tag},
            "value": self.value,
            "trainingStep": self.training_step,
            "wallTimeSecs": self.wall_time_secs,
        }


@dataclass(slots=True)
class Session:
    """A session and its metric values."""

    info: SessionInfo
    metric_values: list[MetricValue]

    def json(self) -> dict[str, Any]:
        """TensorBoard's ``Session`` JSON."""
        info = self.info
        return {
            "name": info.name,
            "startTimeSecs": info.start.start_time_secs,
            "endTimeSecs": info.end.end_time_secs if info.end else 0.0,
            "status": _enum_name(hp.Status, info.status),
            "modelUri": info.start.model_uri,
            "metricValues": [m.json() for m in self.metric_values],
            "monitorUrl": info.start.monitor_url,
        }


@dataclass(slots=True)
class SessionGroup:
    """A group of sessions (a trial and its repetitions)."""

    name: str
    hparams: dict[str, Any]
    sessions: list[Session]
    monitor_url: str = ""
    metric_values: list[MetricValue] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """TensorBoard's ``SessionGroup`` JSON."""
        return {
            "name": self.name,
            "hparams": self.hparams,
            "metricValues": [m.json() for m in self.metric_values],
            "sessions": [s.json() for s in self.sessions],
            "monitorUrl": self.monitor_url,
        }


@dataclass(frozen=True, slots=True)
class SessionGroups:
    """One page of the groups that pass the filters, and how many pass them."""

    groups: list[SessionGroup]
    total_size: int

    def json(self) -> dict[str, Any]:
        """TensorBoard's ``ListSessionGroupsResponse`` JSON."""
        return {"sessionGroups": [g.json() for g in self.groups], "totalSize": self.total_size}


def list_session_groups(
    provider: DataProvider, request: ListSessionGroupsRequest, data: HparamsData | None = None
) -> SessionGroups:
    """The groups ``request`` asks for, built from the sessions whose status it allows."""
    if data is None:
        data = read_hparams_data(provider)
    groups = filtered_sorted_groups(provider, request, data)
    start = request.start_index
    return SessionGroups(groups[start : start + request.slice_size], len(groups))


def filtered_sorted_groups(
    provider: DataProvider, request: ListSessionGroupsRequest, data: HparamsData
) -> list[SessionGroup]:
    """Every group that passes ``request``'s filters, in its order (no paging)."""
    include_metrics = request.include_metrics is not False
    experiment = build_experiment(provider, data, include_metrics=include_metrics)
    metrics = [(m.name.group, m.name.tag) for m in experiment.metric_infos]
    groups = build_groups(provider, data, metrics, set(request.allowed_statuses), include_metrics)
    aggregate = _aggregator(request)
    for group in groups:
        aggregate(group)
    extractors = [_extractor(col) for col in request.col_params]
    filters = [f for col, get in zip(request.col_params, extractors) if (f := _filter(col, get))]
    groups = [g for g in groups if all(f(g) for f in filters)]
    groups.sort(key=operator.attrgetter("name"))
    for col, get in reversed(list(zip(request.col_params, extractors))):
        if col.order == hp.ORDER_ASC:
            groups.sort(key=_sort_key(get, missing_largest=not col.missing_values_first))
        elif col.order == hp.ORDER_DESC:
            groups.sort(key=_sort_key(get, missing_largest=col.missing_values_first), reverse=True)
    if any(col.include_in_result is not None for col in request.col_params):
        kept = {c.hparam for c in request.col_params if c.hparam and c.include_in_result is not False}
        for group in groups:
            group.hparams = {k: v for k, v in group.hparams.items() if k in kept}
    return groups


def build_groups(
    provider: DataProvider,
    data: HparamsData,
    metrics: Sequence[tuple[str, str]],
    allowed_statuses: set[int],
    include_metrics: bool = True,
) -> list[SessionGroup]:
    """The groups of the sessions whose status is allowed, sessions sorted by name, each
    session with the latest value of each of ``metrics`` (``(group, tag)``) it has."""
    evals: dict[str, dict[str, ScalarDatum]] = {}
    if include_metrics and metrics and data.sessions:
        runs = {metric_run(s, group) for s in data.sessions for group, _ in metrics}
        tags = {tag for _, tag in metrics}
        evals = provider.read_last_scalars(
            plugin_name=SCALARS_PLUGIN_NAME, run_tag_filter=RunTagFilter.of(runs, tags)
        )
    groups: dict[str, SessionGroup] = {}
    for name, info in data.sessions.items():
        if info.status not in allowed_statuses:
            continue
        session = Session(info, _session_metrics(name, metrics, evals))
        group = groups.get(info.group_name)
        if group is None:
            hparams = {k: v for k, v in info.start.hparams.items() if values.is_finite_or_not_number(v)}
            groups[info.group_name] = SessionGroup(info.group_name, hparams, [session], info.start.monitor_url)
        else:
            group.sessions.append(session)
    for group in groups.values():
        group.sessions.sort(key=lambda s: s.info.name)
    return list(groups.values())


def _session_metrics(
    session: str, metrics: Sequence[tuple[str, str]], evals: dict[str, dict[str, ScalarDatum]]
) -> list[MetricValue]:
    out = []
    for group, tag in metrics:
        datum = evals.get(metric_run(session, group), {}).get(tag)
        if datum is not None:
            out.append(MetricValue(group, tag, float(datum.value), int(datum.step), float(datum.wall_time)))
    return out


# --- aggregation --------------------------------------------------------------------------

def _aggregator(request: ListSessionGroupsRequest) -> Callable[[SessionGroup], None]:
    kind = request.aggregation_type
    if kind in (hp.AGGREGATION_UNSET, hp.AGGREGATION_AVG):
        return _set_average
    metric = request.aggregation_metric or MetricNameBody()
    if kind == hp.AGGREGATION_MEDIAN:
        return lambda group: _set_from_session(group, metric, _median)
    if kind == hp.AGGREGATION_MIN:
        return lambda group: _set_from_session(group, metric, _minimum)
    return lambda group: _set_from_session(group, metric, _maximum)


def _set_average(group: SessionGroup) -> None:
    """Each metric's average over the sessions that have it (step: the truncated average)."""
    sums: dict[tuple[str, str], list[float]] = {}
    for session in group.sessions:
        for m in session.metric_values:
            acc = sums.setdefault((m.group, m.tag), [0.0, 0, 0, 0.0])
            acc[0] += m.value
            acc[1] += 1
            acc[2] += m.training_step
            acc[3] += m.wall_time_secs
    group.metric_values = [
        MetricValue(g, tag, total / count, int(steps) // int(count), wall / count)
        for (g, tag), (total, count, steps, wall) in sums.items()
    ]


Measurement = tuple[float, int]
"""(the aggregation metric's value in a session, that session's index in its group)"""


def _set_from_session(
    group: SessionGroup, metric: MetricNameBody, pick: Callable[[list[Measurement]], int]
) -> None:
    """The metric values of the session ``pick`` chooses by ``metric``'s value. A group none
    of whose sessions has ``metric`` gets no metric values (TensorBoard fails the request)."""
    measured: list[Measurement] = []
    for index, session in enumerate(group.sessions):
        for m in session.metric_values:
            if m.group == metric.group and m.tag == metric.tag:
                measured.append((m.value, index))
                break
    group.metric_values = list(group.sessions[pick(measured)].metric_values) if measured else []


def _median(measured: list[Measurement]) -> int:
    ordered = sorted(measured, key=operator.itemgetter(0))
    return ordered[(len(ordered) - 1) // 2][1]


def _minimum(measured: list[Measurement]) -> int:
    return min(measured, key=operator.itemgetter(0))[1]


def _maximum(measured: list[Measurement]) -> int:
    return max(measured, key=operator.itemgetter(0))[1]


# --- columns: extraction, filters, sort keys ------------------------------------------------

Extractor = Callable[[SessionGroup], Any]


def _extractor(col: ColParams) -> Extractor:
    if col.metric is not None:
        group, tag = col.metric.group, col.metric.tag

        def metric(g: SessionGroup) -> float | None:
            for m in g.metric_values:
                if m.tag == tag and m.group == group:
                    return m.value
            return None

        return metric
    name = col.hparam or ""
    return lambda g: g.hparams.get(name)


def _filter(col: ColParams, get: Extractor) -> Callable[[SessionGroup], bool] | None:
    include_missing = not col.exclude_missing_values
    test: Callable[[Any], bool]
    if col.filter_regexp is not None:
        test = _regexp_test(col.filter_regexp, _column_label(col))
    elif col.filter_interval is not None:
        test = _interval_test(col.filter_interval.min_value, col.filter_interval.max_value, _column_label(col))
    elif col.filter_discrete is not None:
        allowed = list(col.filter_discrete)
        test = lambda value: value in allowed  # noqa: E731 - Python equality: 1 == 1.0 == True
    elif include_missing:
        return None
    else:
        test = lambda value: True  # noqa: E731

    def passes(group: SessionGroup) -> bool:
        value = get(group)
        return include_missing if value is None else test(value)

    return passes


def _regexp_test(pattern: str, label: str) -> Callable[[Any], bool]:
    regex = UserRegex(pattern)

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            raise InvalidArgumentError(f"filterRegexp of {label} needs string values; found {value!r}")
        return regex.search(value)

    return test


def _interval_test(low: float, high: float, label: str) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if not isinstance(value, int | float):
            raise InvalidArgumentError(f"filterInterval of {label} needs numeric values; found {value!r}")
        return low <= value <= high

    return test


def _column_label(col: ColParams) -> str:
    if col.metric is not None:
        return f"metric {col.metric.group + '/' if col.metric.group else ''}{col.metric.tag!r}"
    return f"hparam {col.hparam!r}"


def _sort_key(get: Extractor, *, missing_largest: bool) -> Callable[[SessionGroup], tuple[Any, ...]]:
    """Missing values last (or first), as TensorBoard sorts; strings after numbers and
    booleans, so that a column mixing them sorts (TensorBoard fails on it)."""

    def key(group: SessionGroup) -> tuple[Any, ...]:
        value = get(group)
        if value is None:
            return (missing_largest, False, 0.0)
        if not isinstance(value, bool | int | float | str):
            value = repr(value)  # a list or struct value: ordered by its text
        return (not missing_largest, isinstance(value, str), value)

    return key


def _enum_name(enum: Any, number: int) -> str | int:
    try:
        return str(enum.Name(number))
    except ValueError:
        return number  # an enum value this proto does not name: protobuf JSON writes the number
