"""``tinygrad_np.utils.tensorboard`` at ``torch.utils.tensorboard``'s path: :class:`SummaryWriter`
writes TensorBoard event files through the ``tensorboardX`` package, an optional extra
(``pip install "tinygrad-np[tensorboard]"``). Importing this module never needs it; making a
writer does."""

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
