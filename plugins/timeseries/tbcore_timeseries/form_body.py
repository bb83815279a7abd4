"""One field of a POSTed form, URL-encoded (scripts) or multipart (TensorBoard's page sends a
``FormData``), read with the standard library."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs


def form_field(body: bytes, content_type: str, name: str) -> str | None:
    """The first value of field ``name`` in a form ``body`` of ``content_type``, or None."""
    if content_type.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
        )
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == name:
                payload = part.get_payload(decode=True)
                return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
        return None
    return parse_qs(body.decode("utf-8", "replace")).get(name, [None])[0]
