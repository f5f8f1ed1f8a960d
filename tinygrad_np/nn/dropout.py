"""``Dropout`` (elements), ``Dropout1d``/``Dropout2d`` (whole channels): random zeroing during
training, the identity in evaluation."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    """Shared by the dropouts: the probability ``p`` (checked) and ``inplace`` (accepted for
    PyTorch compatibility; the result is always a new tensor)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training and scale the survivors
    by 1/(1-p); pass input through unchanged in ``eval()`` mode. The mask comes
    from the seeded generator (``tinygrad_np.manual_seed``)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)


class _ChannelDropout(_DropoutNd):
    """Zero whole channels (dimension 1 of a batched input, dimension 0 of an unbatched
    one) with probability ``p`` while training and scale the survivors by 1/(1-p)."""

    _batched_ndim = 3
    _unbatched_channel_dims = 1  # how many leading dims the mask spans for an (nd-1)-D input

    def forward(self, input: Tensor) -> Tensor:
        nd = self._batched_ndim
        if input.ndim not in (nd - 1, nd):
            raise RuntimeError(
                f"{type(self).__name__}: expected {nd - 1}D or {nd}D input, but received a {input.ndim}D input "
                f"of shape {tuple(input.shape)}"
            )
        if not self.training or self.p == 0.0:
            return input
        channel_dims = 2 if input.ndim == nd else self._unbatched_channel_dims
        mask_shape = tuple(input.shape[:channel_dims]) + (1,) * (input.ndim - channel_dims)
        return F.Dropout.apply(input, self.p, mask_shape)


class Dropout1d(_ChannelDropout):
    """Channel dropout for ``(N, C, L)`` or ``(C, L)`` inputs."""

    _batched_ndim = 3


class Dropout2d(_ChannelDropout):
    """Channel dropout for ``(N, C, H, W)`` inputs (whole feature maps). A 3-D input is
    read as ``(N, C, L)``, as PyTorch does."""

    _batched_ndim = 4
    _unbatched_channel_dims = 2
