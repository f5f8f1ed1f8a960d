"""``torch.utils.data.sampler``'s path: the samplers of :mod:`tinygrad_np.data.sampler`."""

from ...data.sampler import *  # noqa: F403
from ...data.sampler import __all__ as __all__
