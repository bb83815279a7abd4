"""Importing the optional packages some kinds need, with an error that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, package: str, feature: str) -> ModuleType:
    """Import ``module``; without it, raise ``ImportError`` naming the pip ``package`` that
    ``feature`` (a method name, for the message) needs."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{feature} needs the {package} package: pip install {package}") from e
