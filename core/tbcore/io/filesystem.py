"""The storage a logdir lives on: the local disk, or anything fsspec reaches (``s3://``, ...).

The data layer asks three things of storage: walk a directory tree for files and their sizes,
read a byte range of a file, and join paths. Local paths use ``os`` directly (fast, no
dependency); URLs with a scheme go through fsspec, whose protocol packages (``s3fs`` for S3)
the user installs.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


MAX_DEPTH = 64
"""Folders deeper than this below a logdir are not walked (a bound against pathological
trees; symlink loops are caught before it)."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A file found by :meth:`FileSystem.walk`."""

    path: str
    size: int
    identity: object = None
    """What names this file and not another one at the same path (device and inode on a
    local disk), or None where the storage has no such thing."""
    version: object = None
    """Changes whenever the file's content may have changed (its modification time, an
    object's ETag), or None where unknown."""

WalkErrors = list[tuple[str, str]]
"""``(path, reason)`` of what a walk could not read or would not follow."""


class FileSystem(Protocol):
    """What the data layer needs of a storage backend."""

    def walk(self, root: str, errors: WalkErrors | None = None) -> Iterator[FileInfo]:
        """Every regular file below ``root`` (recursively) with its current size; what could
        not be read below ``root`` is appended to ``errors``."""
        ...

    def read(self, path: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of ``path`` (to the end of the file when ``end`` is None)."""
        ...

    def exists(self, path: str) -> bool:
        """Whether ``path`` is an existing file or directory."""
        ...

    def join(self, *parts: str) -> str:
        """Join path components with this storage's separator."""
        ...

    def relpath(self, path: str, root: str) -> str:
        """``path`` relative to ``root`` (``.`` for ``root`` itself), with ``/`` separators."""
        ...


def _note(errors: WalkErrors | None, path: str, reason: str) -> None:
    if errors is not None:
        errors.append((path, reason))


def is_url(path: str) -> bool:
    """Whether ``path`` names a remote location (has a ``scheme://`` prefix)."""
    return bool(_URL.match(path))


class LocalFileSystem:
    """The local disk."""

    def walk(self, root: str, errors: WalkErrors | None = None) -> Iterator[FileInfo]:
        """Every regular file below ``root`` with its size, following symbolic links; a
        missing ``root`` is empty.

        Each real folder is walked once, however many links lead to it (``ln -s . loop``
        would otherwise be endless), and not deeper than :data:`MAX_DEPTH`. Folders and files
        that cannot be read, and links not followed, are skipped and listed in ``errors``.

        Raises:
            OSError: ``root`` exists but cannot be listed (so its runs are not taken as gone).
        """
        try:
            top = os.stat(root)
        except (FileNotFoundError, NotADirectoryError):
            return
        seen = {(top.st_dev, top.st_ino)}
        stack = [(root, 0)]
        while stack:
            folder, depth = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as e:
                if folder == root:
                    raise
                _note(errors, folder, f"cannot list folder: {e.strerror or e}")
                continue
            for entry in entries:
                try:
                    st = entry.stat()  # follows links
                except OSError as e:
                    _note(errors, entry.path, f"cannot read: {e.strerror or e}")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    key = (st.st_dev, st.st_ino)
                    if key in seen:
                        _note(errors, entry.path, "not followed: a folder already walked (a link loop?)")
                    elif depth + 1 >= MAX_DEPTH:
                        _note(errors, entry.path, f"not walked: more than {MAX_DEPTH} folders deep")
                    else:
                        seen.add(key)
                        stack.append((entry.path, depth + 1))
                elif stat.S_ISREG(st.st_mode):
                    yield FileInfo(entry.path, st.st_size, (st.st_dev, st.st_ino), st.st_mtime_ns)

    def read(self, path: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of the file."""
        with open(path, "rb") as f:
            f.seek(start)
            return f.read() if end is None else f.read(max(0, end - start))

    def exists(self, path: str) -> bool:
        """Whether the path exists."""
        return os.path.exists(path)

    def join(self, *parts: str) -> str:
        """``os.path.join``."""
        return os.path.join(*parts)

    def relpath(self, path: str, root: str) -> str:
        """Relative path with ``/`` separators."""
        return os.path.relpath(path, root).replace(os.sep, "/")


class FsspecFileSystem:
    """Any fsspec protocol. Listings are never cached across calls, so growth is seen."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        try:
            import fsspec
        except ImportError as e:  # pragma: no cover - fsspec is a core dependency
            raise RuntimeError("remote logdirs need fsspec: pip install fsspec") from e
        protocol = url.split("://", 1)[0]
        try:
            self._fs = fsspec.filesystem(protocol, **(storage_options or {}))
        except ImportError as e:
            extra = " (pip install 'tbcore[s3]')" if protocol in ("s3", "s3a") else ""
            raise RuntimeError(f"cannot open {protocol}:// logdirs: {e}{extra}") from e
        self._protocol = protocol

    def _strip(self, path: str) -> str:
        return str(self._fs._strip_protocol(path))

    def _url(self, path: str) -> str:
        return f"{self._protocol}://{path}"

    def walk(self, root: str, errors: WalkErrors | None = None) -> Iterator[FileInfo]:
        """Every file below ``root`` with its size and version (ETag or modification time),
        listed afresh (none for a missing root).

        Raises:
            OSError: the listing failed (whatever the backend raised, as an OSError).
        """
        self._fs.invalidate_cache()
        try:
            found = self._fs.find(self._strip(root), detail=True)
        except FileNotFoundError:
            return
        except Exception as e:
            raise _as_os_error(e) from e
        for path, info in sorted(found.items()):
            if info.get("type", "file") == "file":
                version = next((info[k] for k in _VERSION_KEYS if info.get(k) is not None), None)
                yield FileInfo(self._url(path), int(info.get("size") or 0), None, version)

    def read(self, path: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of the object."""
        try:
            return bytes(self._fs.cat_file(self._strip(path), start=start, end=end))
        except Exception as e:
            raise _as_os_error(e) from e

    def exists(self, path: str) -> bool:
        """Whether the object or prefix exists."""
        self._fs.invalidate_cache()
        return bool(self._fs.exists(self._strip(path)))

    def join(self, *parts: str) -> str:
        """Join with ``/``."""
        return posixpath.join(*parts)

    def relpath(self, path: str, root: str) -> str:
        """Relative path with ``/`` separators."""
        rel = posixpath.relpath(self._strip(path), self._strip(root))
        return rel


_VERSION_KEYS = ("ETag", "etag", "md5Hash", "generation", "mtime", "LastModified", "last_modified")
"""Listing fields that change with an object's content, by backend (S3, GCS, others)."""


def _as_os_error(error: Exception) -> OSError:
    """``error`` as an OSError: fsspec backends also raise their own types (botocore's
    ``EndpointConnectionError`` when S3 is unreachable), and callers handle storage failures
    as OSError."""
    if isinstance(error, OSError):
        return error
    return OSError(f"{type(error).__name__}: {error}")


def filesystem_for(path: str, storage_options: dict[str, Any] | None = None) -> FileSystem:
    """The storage backend that serves ``path``."""
    if is_url(path) and not path.startswith("file://"):
        return FsspecFileSystem(path, storage_options)
    return LocalFileSystem()
