"""``tinygrad_np.utils.data`` mirrors ``torch.utils.data``: the same package as ``tinygrad_np.data``."""

from . import data
from .convert import from_torch, to_torch

__all__ = ["data", "from_torch", "to_torch"]
