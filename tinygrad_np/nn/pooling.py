"""Max, average and adaptive average pooling (window columns from im2col, see ``nn/functional/conv.py``)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
]


class _MaxPoolNd(Module):
    """Shared by the max pools: the window settings, and ``pool``, the functional form."""

    pool = staticmethod(F.max_pool2d)

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        return type(self).pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """The maximum over each (kh, kw) window; ``stride`` defaults to ``kernel_size``."""

    pool = staticmethod(F.max_pool2d)


class MaxPool1d(_MaxPoolNd):
    """The maximum over each window of ``kernel_size`` along the last dimension."""

    pool = staticmethod(F.max_pool1d)


class AvgPool2d(Module):
    """The mean over each (kh, kw) window; ``stride`` defaults to ``kernel_size``."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(v: Any) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AvgPool1d(Module):
    """The mean over each window of ``kernel_size`` along the last dimension."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (an int, or a pair whose entries may be None)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average pooling of (N, C, L) or (C, L) input to ``output_size`` positions, with
    PyTorch's windows (the 2-D op on an (L, 1) map)."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (2, 3):
            raise RuntimeError(
                f"adaptive_avg_pool1d: expected 2D or 3D input, got shape {tuple(input.shape)}"
            )
        return F.adaptive_avg_pool2d(input.unsqueeze(-1), (self.output_size, 1)).squeeze(-1)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` (an int, or a pair whose entries may be None)
    when each output size divides the input size (global max pooling, ``output_size=1``,
    among them): then every window is ``input / output`` wide and it is ``max_pool2d``.
    Uneven windows raise ``NotImplementedError``; ``return_indices`` is not supported."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        if return_indices:
            raise NotImplementedError("AdaptiveMaxPool2d: return_indices=True is not supported")
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise RuntimeError(
                f"adaptive_max_pool2d: expected 3D or 4D input, got shape {tuple(input.shape)}"
            )
        h, w = input.shape[-2:]
        size = self.output_size
        size = (size, size) if isinstance(size, int) or size is None else tuple(size)
        oh, ow = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
        if h % oh or w % ow:
            raise NotImplementedError(
                f"AdaptiveMaxPool2d: input size {(h, w)} is not a multiple of output_size {(oh, ow)}; "
                "uneven windows are not supported"
            )
        kernel = (h // oh, w // ow)
        return F.max_pool2d(input, kernel, kernel)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
