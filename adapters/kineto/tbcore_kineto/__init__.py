"""PyTorch profiler (Kineto) traces for the profile dashboard: registration only (the
parser is in ``chrome_trace.py`` and loads when the first trace is read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tbcore import hookimpl

if TYPE_CHECKING:
    from tbcore_profile.importer import TraceImporter


@hookimpl(optionalhook=True)  # nothing to do where the profile dashboard is not installed
def tbcore_profile_register_importers() -> list[TraceImporter]:
    """The importer of ``*.pt.trace.json[.gz]`` files."""
    from tbcore_kineto.importer import KinetoImporter

    return [KinetoImporter()]
