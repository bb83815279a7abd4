"""docs/plugin_hooks.md lists every hook with its exact signature, and nothing else."""

import inspect
import re
from pathlib import Path

from tbcore import hookspecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin_hooks.md"


def _specs() -> dict[str, str]:
    return {
        name: f"{name}{inspect.signature(fn)}".replace("'", "")
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("tbcore_")
    }


def test_every_hook_is_documented_with_its_signature() -> None:
    documented = dict(
        (m.group(1), m.group(0)[4:-1])
        for m in re.finditer(r"^## `(tbcore_\w+)\(.*\)( -> .*)?`$", DOC.read_text(), re.M)
    )
    assert documented == _specs()


def test_every_hook_has_a_docstring_saying_when_it_is_called() -> None:
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("tbcore_"):
            doc = inspect.getdoc(fn) or ""
            assert "Called" in doc, name
            assert name.startswith("tbcore_")
