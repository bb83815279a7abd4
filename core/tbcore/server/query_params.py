"""Reading optional numeric query parameters, with errors that name the parameter."""

from __future__ import annotations

from collections.abc import Mapping

from tbcore.errors import InvalidArgumentError


def optional_int(params: Mapping[str, str], name: str) -> int | None:
    """``params[name]`` as an int; None when absent or empty; 400 when not an integer."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidArgumentError(f"{name} must be an integer, got {value!r}") from None


def optional_float(params: Mapping[str, str], name: str) -> float | None:
    """``params[name]`` as a float; None when absent or empty; 400 when not a number."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidArgumentError(f"{name} must be a number, got {value!r}") from None
