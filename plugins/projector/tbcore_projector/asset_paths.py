"""Paths written in a projector config, turned into the run-asset paths the data provider
serves, or refused when they lead out of the run.

A relative path is taken from the config's folder (as TensorBoard does). An absolute path is
accepted only when it lies under the run's own folder, which is known when the logdir is a
local folder; anything else (``..`` out of the run, ``~``, another folder) is refused.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import PurePosixPath


class AssetPathError(ValueError):
    """A config path that does not resolve inside its run."""


def run_folder(logdir: str, run: str) -> str | None:
    """The absolute folder of ``run`` when ``logdir`` is one local folder; ``None`` for a URL
    or a ``name:path,...`` list, where absolute paths in configs are then refused."""
    if "://" in logdir or "," in logdir or (":" in logdir and not os.path.isdir(logdir)):
        return None
    try:
        return os.path.realpath(os.path.join(logdir, run))
    except ValueError:  # a NUL in the name: no such folder
        return None


def resolve(path: str, config_folder: str, absolute_run_folder: str | None) -> str:
    """The run-asset path (relative to the run, ``/``-separated) that ``path`` names, read
    from a config in ``config_folder`` (itself an asset folder, ``""`` for the run's root).
    Raises :class:`AssetPathError` when it leads outside the run."""
    if not path:
        raise AssetPathError("empty path")
    if "\\" in path and not os.path.isabs(path):
        path = path.replace("\\", "/")
    if path.startswith("~"):
        raise AssetPathError(f"path {path!r} names a home folder, outside the run")
    if os.path.isabs(path) or PurePosixPath(path).is_absolute():
        if absolute_run_folder is None:
            raise AssetPathError(f"absolute path {path!r} cannot be placed in the run")
        real = os.path.realpath(path)
        if os.path.commonpath([absolute_run_folder, real]) != absolute_run_folder:
            raise AssetPathError(f"path {path!r} resolves outside the run")
        relative = os.path.relpath(real, absolute_run_folder).replace(os.sep, "/")
    else:
        relative = posixpath.normpath(posixpath.join(config_folder or ".", path))
    if relative in (".", "") or relative == ".." or relative.startswith("../"):
        raise AssetPathError(f"path {path!r} resolves outside the run")
    return relative
