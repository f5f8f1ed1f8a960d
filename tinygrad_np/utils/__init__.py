"""``tinygrad_np.utils.data`` mirrors ``torch.utils.data``: the same package as ``tinygrad_np.data``."""

from . import data

__all__ = ["data"]
