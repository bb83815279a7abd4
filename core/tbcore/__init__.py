"""tbcore: a fast, framework-agnostic, TensorBoard-compatible platform for ML experiments.

The package root re-exports the Python read API (``read_scalars`` and friends) and
``hookimpl``, the marker of plugin hook implementations. The data
layer lives in :mod:`tbcore.data`, event-file I/O in :mod:`tbcore.io`.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from tbcore.hookspecs import hookimpl

if TYPE_CHECKING:
    from tbcore.read import read_histograms, read_scalars, read_tensors, read_text

__all__ = ["__version__", "hookimpl", "read_histograms", "read_scalars", "read_tensors", "read_text"]

_READ_API = {"read_histograms", "read_scalars", "read_tensors", "read_text"}


def __getattr__(name: str) -> Any:
    # The read API pulls in the whole data layer: imported on first use, so that importing
    # ``tbcore`` for ``hookimpl`` (every plugin does) stays cheap.
    if name in _READ_API:
        from tbcore import read

        return getattr(read, name)
    raise AttributeError(f"module 'tbcore' has no attribute {name!r}")
