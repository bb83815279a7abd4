"""TensorFlow and JAX profiles (XPlane) for the profile dashboard: registration only (the
readers load when the first profile is read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tbcore import hookimpl

if TYPE_CHECKING:
    from tbcore_profile.importer import TraceImporter


@hookimpl(optionalhook=True)  # nothing to do where the profile dashboard is not installed
def tbcore_profile_register_importers() -> list[TraceImporter]:
    """The importer of ``plugins/profile/<session>/*.xplane.pb`` and ``*.trace.json.gz``."""
    from tbcore_xplane.importer import XPlaneImporter

    return [XPlaneImporter()]
