"""``tinygrad_np.utils`` mirrors ``torch.utils``: ``utils.data`` is the same package as
``tinygrad_np.data``; ``utils.tensorboard`` (imported on its own, as in PyTorch) holds the
``SummaryWriter``."""

from . import data

__all__ = ["data"]
