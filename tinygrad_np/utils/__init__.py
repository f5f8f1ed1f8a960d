"""``tinygrad_np.utils`` mirrors ``torch.utils``: ``utils.data`` is the same package as
``tinygrad_np.data``; ``utils.tensorboard`` (imported on its own, as in PyTorch) holds the
``SummaryWriter``."""

from . import data
from .convert import from_torch, to_torch

__all__ = ["data", "from_torch", "to_torch"]
