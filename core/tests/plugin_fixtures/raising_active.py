"""A dashboard whose is_active raises."""

from tbcore import hookimpl
from tbcore.plugin import Plugin


class Moody(Plugin):
    name = "moody"

    def is_active(self) -> bool:
        raise ValueError("cannot decide")


@hookimpl
def tbcore_register_plugins(context):  # type: ignore[no-untyped-def]
    return [Moody(context)]
