"""A package whose registration hook raises."""

from tbcore import hookimpl


@hookimpl
def tbcore_register_plugins(context):  # type: ignore[no-untyped-def]
    raise RuntimeError("registration failed")
