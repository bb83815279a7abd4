"""``XPlaneImporter``: which run assets are TensorFlow / JAX profiles, and how they are named."""

from __future__ import annotations

import re

from tbcore_profile.importer import TraceImporter, TraceName
from tbcore_profile.model import Trace

PROFILE_FILE = re.compile(
    r"^(?:(?P<prefix>.*)/)?plugins/profile/(?P<session>[^/]+)/"
    r"(?P<host>[^/]+?)\.(?P<format>xplane\.pb|trace\.json\.gz)$"
)
"""``[<folder>/]plugins/profile/<session>/<host>.xplane.pb`` (and ``<host>.trace.json.gz``):
where ``tf.profiler.experimental`` and ``jax.profiler`` save a profile under their log
directory; the session folder is named after the time the profile was taken."""
JSON_PREFIX = "(trace.json) "
"""Put before the worker of a ``trace.json.gz``, which repeats its ``xplane.pb`` sibling's
data, so that the two are told apart in the trace list and the ``xplane.pb`` sorts last (the
dashboard's default is a run's last trace)."""


class XPlaneImporter(TraceImporter):
    """XSpace protobufs (``*.xplane.pb``) and XProf chrome traces (``*.trace.json.gz``)
    written by TensorFlow's and JAX's profilers."""

    name = "xplane"

    def matches(self, path: str) -> bool:
        """``plugins/profile/<session>/<host>.xplane.pb`` or ``.trace.json.gz`` files that
        are not hidden."""
        base = path.rsplit("/", 1)[-1]
        return not base.startswith(".") and PROFILE_FILE.match(path) is not None

    def describe(self, path: str) -> TraceName:
        """Worker: the host (with the folder above ``plugins/`` if any, and ``(trace.json)``
        before it for the JSON form); span: the session folder."""
        match = PROFILE_FILE.match(path)
        if match is None:
            return TraceName(path, "")
        worker = match.group("host")
        if match.group("prefix"):
            worker = f"{match.group('prefix')}/{worker}"
        if match.group("format") != "xplane.pb":
            worker = JSON_PREFIX + worker
        return TraceName(worker, match.group("session"))

    def parse(self, data: bytes, path: str) -> Trace:
        """The profile in ``data``: an XSpace, or a chrome trace for ``.trace.json.gz``."""
        from tbcore_xplane.mapping import build_trace

        if path.endswith(".xplane.pb"):
            from tbcore_xplane.xspace import read_xspace

            return build_trace(read_xspace(data, path))
        from tbcore_xplane.trace_json import read_trace_json

        return build_trace(read_trace_json(data, path))
