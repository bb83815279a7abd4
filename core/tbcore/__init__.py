"""tbcore: a fast, framework-agnostic, TensorBoard-compatible platform for ML experiments.

The package root re-exports the Python read API (``read_scalars`` and friends). The data
layer lives in :mod:`tbcore.data`, event-file I/O in :mod:`tbcore.io`.
"""

from tbcore.read import read_histograms, read_scalars, read_tensors, read_text

__version__ = "0.1.0"

__all__ = ["__version__", "read_histograms", "read_scalars", "read_tensors", "read_text"]
