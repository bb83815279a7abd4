"""Turning torch tensors into numpy arrays for the framework-free writer."""

from __future__ import annotations

from typing import Any

try:
    import torch
except ImportError as e:  # the adapter is useless without torch: say which extra brings it
    raise ImportError("tbcore_torch needs PyTorch: pip install 'tbcore[torch]'") from e


def to_numpy(value: Any) -> Any:
    """``value`` as a numpy array when it is a tensor (moved to the CPU, detached; bfloat16,
    which numpy lacks, as float32); anything else unchanged."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.cpu().numpy()
    return value


def to_scalar(value: Any) -> Any:
    """A one-element tensor as a Python number; anything else unchanged."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().item()
    return value


def first_element(name: str, value: Any) -> Any:
    """A tensor hparam as the Python number of its first element, as torch's ``add_hparams``
    takes it (so that a one-element tensor counts as its value); anything else unchanged."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().reshape(-1)
        if flat.numel() == 0:
            raise ValueError(f"hparam {name!r} is an empty tensor; expected a number")
        return flat[0].cpu().item()
    return value
