"""``ConvTranspose2d``: the gradient of ``Conv2d`` with respect to its input, used as a
learnable upsampling layer (decoders, GAN generators).

It is composed from existing ops, so its backward comes for free: insert ``stride - 1``
zeros between input pixels, pad by ``dilation * (kernel - 1) - padding`` (plus
``output_padding`` on the bottom/right), and run an ordinary stride-1 convolution with the
kernel flipped and its in/out channel axes swapped. Output size per spatial dimension:
``(H - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from .conv import _ConvNd, _ntuple
from .parameter import Parameter

__all__ = ["ConvTranspose2d"]


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution over (N, C, H, W) input; ``weight`` is
    (in_channels, out_channels / groups, kh, kw), initialised as PyTorch does."""

    _ndim = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or a tuple of ints, got {padding!r}"
            )
        # _ConvNd builds an (out, in / groups, ...) weight; build it for the swapped roles and rename.
        super().__init__(
            out_channels,
            in_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            "zeros",
            device,
            dtype,
        )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.output_padding = _ntuple(output_padding, 2, "output_padding")
        if bias:  # one bias per output channel; its bound uses fan_in = (out / groups) * kh * kw, as PyTorch
            self.bias = Parameter(np.empty(out_channels, self.weight._data.dtype))
            self.reset_parameters()
        for op, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if op >= max(s, d):
                raise ValueError("output padding must be smaller than either stride or dilation")

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        if output_size is not None:
            raise NotImplementedError("ConvTranspose2d: output_size is not supported; use output_padding")
        unbatched = input.ndim == 3
        x = input.unsqueeze(0) if unbatched else input
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise RuntimeError(
                f"ConvTranspose2d: expected input of shape (N, {self.in_channels}, H, W) or "
                f"({self.in_channels}, H, W), got {tuple(input.shape)}"
            )
        n, c, h, w = x.shape
        sh, sw = self.stride
        if sh > 1 or sw > 1:  # zero insertion: (N, C, H, W) -> (N, C, (H-1)*sh+1, (W-1)*sw+1)
            x = F.pad(x.reshape(n, c, h, 1, w, 1), (0, sw - 1, 0, 0, 0, sh - 1))
            x = x.reshape(n, c, h * sh, w * sw)[:, :, : (h - 1) * sh + 1, : (w - 1) * sw + 1]
        lo = [d * (k - 1) - p for d, k, p in zip(self.dilation, self.kernel_size, self.padding, strict=True)]
        hi = [a + op for a, op in zip(lo, self.output_padding, strict=True)]
        x = F.pad(x, (max(lo[1], 0), max(hi[1], 0), max(lo[0], 0), max(hi[0], 0)))
        if min(lo + hi) < 0:  # padding beyond d*(k-1) crops instead
            x = x[
                :,
                :,
                max(-lo[0], 0) : x.shape[2] - max(-hi[0], 0),
                max(-lo[1], 0) : x.shape[3] - max(-hi[1], 0),
            ]
        g, kh, kw = self.groups, *self.kernel_size
        weight = self.weight[:, :, ::-1, ::-1]
        weight = weight.reshape(g, self.in_channels // g, self.out_channels // g, kh, kw).transpose(1, 2)
        weight = weight.reshape(self.out_channels, self.in_channels // g, kh, kw)
        out = F.conv2d(x, weight, self.bias, 1, 0, self.dilation, g)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
