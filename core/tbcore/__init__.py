"""tbcore: a fast, framework-agnostic, TensorBoard-compatible platform for ML experiments.

The package root re-exports the Python read API (``read_scalars`` and friends) and
``hookimpl``, the marker of plugin hook implementations. The data
layer lives in :mod:`tbcore.data`, event-file I/O in :mod:`tbcore.io`.
"""

__version__ = "0.1.0"

from tbcore.hookspecs import hookimpl
from tbcore.read import read_histograms, read_scalars, read_tensors, read_text

__all__ = ["__version__", "hookimpl", "read_histograms", "read_scalars", "read_tensors", "read_text"]
