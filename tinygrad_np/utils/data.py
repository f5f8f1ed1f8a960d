"""``tinygrad_np.utils.data`` is :mod:`tinygrad_np.data` under PyTorch's path."""

from ..data import *  # noqa: F403
from ..data import __all__ as __all__
