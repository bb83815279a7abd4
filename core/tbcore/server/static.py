"""Serving static files from a list made at start-up: no request path ever reaches the disk.

A request names a key of the list; anything else (``..``, absolute paths, files added later)
is simply not in it and gets 404.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from tbcore.server.responses import error_response

_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".map": "application/json"}


class StaticFiles:
    """The files under one folder, listed once."""

    def __init__(self, folder: Path | None) -> None:
        self.files: dict[str, Path] = {}
        if folder is not None and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts):
                    self.files[path.relative_to(folder).as_posix()] = path.resolve()

    def __contains__(self, key: str) -> bool:
        return key in self.files

    def response(self, key: str) -> Response:
        """The file listed under ``key``, or 404."""
        path = self.files.get(key)
        if path is None:
            return error_response(404, "no such file")
        media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media, headers={"cache-control": "no-cache"})

    async def endpoint(self, request: Request) -> Response:
        """Starlette endpoint for a route with a ``{path:path}`` parameter."""
        return self.response(request.path_params["path"])
