"""Blob keys: the opaque strings by which clients ask for one image, clip or graph.

A key names the run and tag, where the blob lies in which file (index in the run's file list,
offset and length of its value, position among the value's blobs), the generation of that
file (a replaced file gets a new one), and the bytes of a small blob themselves. It is signed with a secret made when the
provider is created, so a client can only hand back keys the server issued: no byte range of
a file, no other series, nothing crafted reaches the parser (a forged key of nested brackets
or of huge offsets fails the signature first). Keys of a file that was replaced or deleted
since, or issued before a restart, are not found.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import NamedTuple

from tbcore.data.run_data import BlobLocation
from tbcore.errors import NotFoundError

MAX_KEY_CHARS = 8192
"""Longer keys are refused before any work (a run and tag name of ~6 KB still fit)."""


class BlobAddress(NamedTuple):
    """What a verified key names."""

    run: str
    tag: str
    location: BlobLocation
    generation: int


class BlobKeys:
    """Issues and verifies the blob keys of one provider."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    @staticmethod
    def series_part(run: str, tag: str) -> str:
        """The run-and-tag part of a key, made once per series."""
        raw = json.dumps([run, tag], separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def key(self, series_part: str, location: BlobLocation, generation: int) -> str:
        """The key of the blob at ``location`` of a file of that ``generation``."""
        # "." never occurs in URL-safe base64, so the parts split back apart.
        loc = location
        inline = "" if loc.inline is None else "i" + base64.urlsafe_b64encode(loc.inline).decode()
        body = (
            f"{series_part}.{loc.file_index}.{loc.offset}.{loc.length}.{loc.index}."
            f"{int(loc.whole_event)}.{generation}.{inline.rstrip('=')}"
        )
        return f"{body}.{self._signature(body)}"

    def parse(self, key: str) -> BlobAddress:
        """What ``key`` names.

        Raises:
            NotFoundError: the key was not issued by this provider (malformed, forged, or from
                before a restart).
        """
        body, dot, signature = key.rpartition(".")
        if len(key) > MAX_KEY_CHARS or not dot or not hmac.compare_digest(
            signature.encode("ascii", "replace"), self._signature(body).encode("ascii")
        ):
            raise NotFoundError(
                "unknown blob key: keys are valid only on the server that issued them, "
                "until it restarts"
            )
        series_part, *numbers, inline = body.split(".")
        run, tag = json.loads(_unbase64(series_part))
        file_index, offset, length, index, whole, generation = map(int, numbers)
        data = _unbase64(inline[1:]) if inline else None
        location = BlobLocation(file_index, offset, length, index, bool(whole), data)
        return BlobAddress(run, tag, location, generation)

    def _signature(self, body: str) -> str:
        digest = hmac.digest(self._secret, body.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def _unbase64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
