"""Framework-free summary writing: event files TensorBoard and tbcore read, from numpy."""

from tbcore.summary.event_file_writer import EventFileWriter, ForkedWriterError, event_file_name
from tbcore.summary.writer import SummaryWriter

__all__ = ["EventFileWriter", "ForkedWriterError", "SummaryWriter", "event_file_name"]
