"""``require(*names)``: skip a test unless these packages are installed, without importing them.

``pytest.importorskip("tensorflow")`` imports TensorFlow into the pytest worker, seconds of CPU
and a GB of memory, when the framework only ever runs in the writer scripts' own processes.
Here the packages are found, not imported.
"""

from __future__ import annotations

import importlib.util

import pytest


def missing(*names: str) -> list[str]:
    """Those of the top-level packages ``names`` that are not installed."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def require(*names: str) -> None:
    """Skip the calling test (or fixture) unless every package in ``names`` is installed."""
    absent = missing(*names)
    if absent:
        pytest.skip(f"needs {', '.join(absent)}")


def needs(*names: str) -> pytest.MarkDecorator:
    """A mark skipping a test, or a module as its ``pytestmark``, unless ``names`` are installed."""
    absent = missing(*names)
    return pytest.mark.skipif(bool(absent), reason=f"needs {', '.join(absent)}")
