"""Parsing the ``--logdir`` value: one path, or ``name:path,name2:path2``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tbcore.io.filesystem import is_url

_NAMED = re.compile(r"^([^:/\\,]+):(.+)$")


@dataclass(frozen=True, slots=True)
class LogdirEntry:
    """One logdir of the spec. Runs under a named entry are prefixed with ``name/``."""

    name: str | None
    path: str

    def run_name(self, relative: str) -> str:
        """The run name of a directory at ``relative`` (``.`` for the logdir itself)."""
        if self.name is None:
            return relative
        return self.name if relative == "." else f"{self.name}/{relative}"


def parse_logdir_spec(spec: str) -> list[LogdirEntry]:
    """Split a logdir spec into entries.

    ``runs`` is one unnamed logdir, ``a:runs/a`` one named logdir, ``a:runs/a,b:s3://bucket/b``
    two named ones. A URL
    (``s3://...``) or a Windows drive path (``C:\\runs``) is never split at its colon.
    Raises ``ValueError`` with a message naming the problem.
    """
    if not spec or not spec.strip():
        raise ValueError("the logdir spec is empty")
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) == 1 and (_NAMED.match(parts[0]) is None or _is_drive(spec) or is_url(spec)):
        return [LogdirEntry(None, _local(parts[0]))]
    entries: list[LogdirEntry] = []
    names: set[str] = set()
    for part in parts:
        match = _NAMED.match(part)
        if not part or match is None or _is_drive(part) or is_url(part):
            raise ValueError(
                f"in a logdir spec with several entries each must be name:path, got {part!r}"
            )
        name, path = match.group(1), match.group(2)
        if name in names:
            raise ValueError(f"logdir name {name!r} is used twice")
        names.add(name)
        entries.append(LogdirEntry(name, _local(path)))
    return entries


def _is_drive(part: str) -> bool:
    return bool(re.match(r"^[a-zA-Z]:[\\/]", part))


def _local(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path
