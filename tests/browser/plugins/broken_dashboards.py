"""Test-only dashboards that fail in the browser or on the server, each in its own way."""

from __future__ import annotations

from pathlib import Path

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext

STATIC = Path(__file__).parent / "static"


class ThrowingMount(Plugin):
    """Its module loads, but ``mount`` throws synchronously."""

    name = "throwing"
    title = "Throwing"
    order = 30
    static_dir = STATIC
    frontend = "throwing.js"


class RejectingMount(Plugin):
    """Its ``mount`` is async and rejects with a message full of markup."""

    name = "rejecting"
    title = "Rejecting"
    order = 31
    static_dir = STATIC
    frontend = "rejecting.js"


class MissingModule(Plugin):
    """Its module file does not exist (the import gets a 404)."""

    name = "missing"
    title = "Missing"
    order = 32
    static_dir = STATIC
    frontend = "does_not_exist.js"


class BrokenOnServer(Plugin):
    """``is_active`` raises, so the server lists it as broken."""

    name = "serverbroken"
    title = "Server broken"
    order = 33

    def is_active(self) -> bool:
        raise RuntimeError("is_active exploded <script>alert(3)</script>")


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    return [
        ThrowingMount(context),
        RejectingMount(context),
        MissingModule(context),
        BrokenOnServer(context),
    ]
