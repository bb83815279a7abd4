"""tbcore's PyTorch adapter: ``from tbcore_torch import SummaryWriter``.

A drop-in replacement for ``torch.utils.tensorboard.SummaryWriter`` that converts torch
tensors (on any device, with or without autograd) and hands them to the framework-free
writer ``tbcore.summary``; it never imports ``tensorboard`` or ``tensorflow``.
``tbcore_torch.profiler.trace_handler(run_dir)`` is the ``on_trace_ready`` hook for
``torch.profiler`` that writes traces into a run directory. The package has no entry point:
only training code imports it, never the server (which must not import torch).
"""

from tbcore_torch.writer import SummaryWriter

__all__ = ["SummaryWriter"]
