"""``Conv1d`` and ``Conv2d``: cross-correlation computed as im2col + one matmul (see ``nn/functional/conv.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(v: Any, n: int, name: str) -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise ValueError(f"{name} must be an int or a {n}-tuple of ints, got {v}")
    return v


class _ConvNd(Module):
    """Shared set-up of Conv1d/Conv2d: ``weight`` (out_channels, in_channels / groups, *kernel_size),
    initialised as PyTorch does (kaiming_uniform(a=sqrt(5)) for the weight,
    U(+-1/sqrt(fan_in)) for the bias)."""

    _ndim = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        n = self._ndim
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {list(_PADDING_MODES)}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n, "kernel_size")
        self.stride = _ntuple(stride, n, "stride")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _ntuple(padding, n, "padding")
        self.dilation = _ntuple(dilation, n, "dilation")
        self.output_padding = (0,) * n
        self.groups = groups
        self.padding_mode = padding_mode
        dt = (dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)).np
        self.weight = Parameter(np.empty((out_channels, in_channels // groups, *self.kernel_size), dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_defaults_(self.weight, self.bias)

    def _explicit_padding(self, input: Tensor) -> tuple[Tensor, Any]:
        """For padding_mode other than 'zeros': pad the input with F.pad and convolve unpadded."""
        n = self._ndim
        if self.padding_mode == "zeros" or self.padding == "valid" or self.padding == (0,) * n:
            return input, self.padding
        if isinstance(self.padding, str):  # 'same': total d (k - 1), the extra one on the right
            total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size, strict=True)]
            lr = [(t // 2, t - t // 2) for t in total]
        else:
            lr = [(p, p) for p in self.padding]
        widths = tuple(w for pair in reversed(lr) for w in pair)  # last dimension first
        return F.pad(input, widths, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        n = self._ndim
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D cross-correlation over (N, C, L) input; ``weight`` is (out, in / groups, k)."""

    _ndim = 1

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._explicit_padding(input)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """y[n, o] = b[o] + sum_c w[o, c] (star) x[n, c] over (N, C, H, W) input, with ``weight``
    of shape (out_channels, in_channels / groups, kh, kw)."""

    _ndim = 2

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._explicit_padding(input)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)
