"""Framework-free summary writing: event files TensorBoard and tbcore read, from numpy."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tbcore.summary.event_file_writer import EventFileWriter, ForkedWriterError, event_file_name
    from tbcore.summary.writer import SummaryWriter

__all__ = ["EventFileWriter", "ForkedWriterError", "SummaryWriter", "event_file_name"]

_MODULES = {
    "EventFileWriter": "event_file_writer",
    "ForkedWriterError": "event_file_writer",
    "event_file_name": "event_file_writer",
    "SummaryWriter": "writer",
}


def __getattr__(name: str) -> Any:
    # Readers (the server) import the format modules of this package (hparams, ...); the
    # writer and its dependencies load only when a program writes.
    if name in _MODULES:
        import importlib

        return getattr(importlib.import_module(f"tbcore.summary.{_MODULES[name]}"), name)
    raise AttributeError(f"module 'tbcore.summary' has no attribute {name!r}")
