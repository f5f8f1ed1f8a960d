"""``torch.utils.data.dataloader``'s path: :mod:`tinygrad_np.data.dataloader`."""

from ...data.dataloader import *  # noqa: F403
from ...data.dataloader import __all__ as __all__
