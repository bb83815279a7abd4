"""A package whose hook name has a typo: it must fail loudly, not be silently ignored."""

from tbcore import hookimpl


@hookimpl
def tbcore_register_plugin(context):  # type: ignore[no-untyped-def]  # missing "s"
    return []
