"""``tinygrad_np.utils.data`` is :mod:`tinygrad_np.data` under PyTorch's path
(``torch.utils.data``), with the submodules ``dataset``, ``dataloader`` and ``sampler``
at PyTorch's paths too: ``from tinygrad_np.utils.data.dataloader import DataLoader``.
Every name is the same object as in :mod:`tinygrad_np.data`."""

from ...data import *  # noqa: F403
from ...data import __all__ as __all__
from . import dataloader as dataloader
from . import dataset as dataset
from . import sampler as sampler
