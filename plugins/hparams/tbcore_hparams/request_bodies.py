"""The JSON request bodies of the hparams routes, as pydantic models.

They take what TensorBoard's routes take (the protobuf JSON of its request messages): field
names in camelCase or snake_case, enums by name or number, numbers also as strings; an
unknown field, a wrong type, or both members of a ``oneof`` is a 400 whose message names the
field.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from tbcore.errors import InvalidArgumentError
from tbcore.proto import plugin_hparams_pb2 as hp

INT32_MAX = 2**31 - 1


def _enum(enum: Any) -> BeforeValidator:
    """Accept an enum value by name (``"ORDER_ASC"``) or number."""
    names = list(enum.keys())

    def parse(value: Any) -> int:
        if isinstance(value, str) and value in names:
            return int(enum.Value(value))
        if isinstance(value, int) and not isinstance(value, bool) and value in enum.values():
            return value
        raise ValueError(f"must be one of {', '.join(names)} (or its number), got {value!r}")

    return BeforeValidator(parse)


def _discrete_value(value: Any) -> Any:
    """A ``filterDiscrete`` entry as the Python value an hparam is compared with."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    raise ValueError(f"must be a number, string, boolean or null, got {value!r}")


SortOrder = Annotated[int, _enum(hp.SortOrder)]
Status = Annotated[int, _enum(hp.Status)]
Aggregation = Annotated[int, _enum(hp.AggregationType)]
DiscreteValue = Annotated[Any, BeforeValidator(_discrete_value)]
Int32 = Annotated[int, Field(ge=0, le=INT32_MAX)]


class _Body(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


M = TypeVar("M", bound=_Body)


class MetricNameBody(_Body):
    """``MetricName``: a scalar tag in a run (``group``) relative to the session."""

    group: StrictStr = ""
    tag: StrictStr = ""


class IntervalBody(_Body):
    """``Interval``: a closed range of numbers."""

    min_value: float = 0.0
    max_value: float = 0.0


class ColParams(_Body):
    """How to sort and filter one column: a metric or an hparam."""

    metric: MetricNameBody | None = None
    hparam: StrictStr | None = None
    order: SortOrder = hp.ORDER_UNSPECIFIED
    missing_values_first: StrictBool = False
    filter_regexp: StrictStr | None = None
    filter_interval: IntervalBody | None = None
    filter_discrete: list[DiscreteValue] | None = None
    exclude_missing_values: StrictBool = False
    include_in_result: StrictBool | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> ColParams:
        if (self.metric is None) == (self.hparam is None):
            raise ValueError("exactly one of metric and hparam must be given")
        filters = [f for f in (self.filter_regexp, self.filter_interval, self.filter_discrete) if f is not None]
        if len(filters) > 1:
            raise ValueError("at most one of filterRegexp, filterInterval and filterDiscrete may be given")
        return self


class GetExperimentRequest(_Body):
    """Body of ``experiment``."""

    experiment_name: StrictStr = ""
    include_metrics: StrictBool | None = None
    hparams_limit: Int32 | None = None


class ListSessionGroupsRequest(_Body):
    """Body of ``session_groups`` (and the ``request`` of ``download_data``)."""

    experiment_name: StrictStr = ""
    allowed_statuses: list[Status] = []
    col_params: list[ColParams] = []
    aggregation_type: Aggregation = hp.AGGREGATION_UNSET
    aggregation_metric: MetricNameBody | None = None
    start_index: Int32 = 0
    slice_size: Int32 = 0
    include_metrics: StrictBool | None = None


class ListMetricEvalsRequest(_Body):
    """Body of ``metric_evals``."""

    experiment_name: StrictStr = ""
    session_name: StrictStr = ""
    metric_name: MetricNameBody = MetricNameBody()


def parse_body(model: type[M], raw: bytes | str | None) -> M:
    """``raw`` (a JSON object) as ``model``; :class:`InvalidArgumentError` naming what is wrong."""
    if raw is None or not raw.strip():
        raise InvalidArgumentError(f"the request must be a JSON object ({model.__name__}); got nothing")
    try:
        decoded = json.loads(raw)
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise InvalidArgumentError(f"the request is not valid JSON: {e}") from None
    if not isinstance(decoded, dict):
        raise InvalidArgumentError(
            f"the request must be a JSON object ({model.__name__}); got {type(decoded).__name__}"
        )
    try:
        return model.model_validate(decoded)
    except ValidationError as e:
        raise InvalidArgumentError(f"invalid {model.__name__}: {describe(e)}") from None
    except RecursionError:
        raise InvalidArgumentError("the request is nested too deeply") from None


def describe(error: ValidationError) -> str:
    """Each problem as ``field.path: message``, joined by ``; `` (at most 5)."""
    parts = []
    for item in error.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    more = len(error.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")

