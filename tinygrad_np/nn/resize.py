"""Layers that change the spatial size of a feature map without weights: the padding
modules (``ZeroPad2d``, ``ConstantPad1d/2d``, ``ReflectionPad1d/2d``,
``ReplicationPad1d/2d``, thin wrappers of ``F.pad``) and nearest-neighbour ``Upsample``.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [
    "ConstantPad1d",
    "ConstantPad2d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "Upsample",
    "ZeroPad1d",
    "ZeroPad2d",
]


class _PadNd(Module):
    """Pad the last ``_ndim`` dimensions: ``padding`` is an int (every side) or
    ``(left, right)`` / ``(left, right, top, bottom)``, as ``F.pad`` reads it."""

    _ndim = 2
    _mode = "constant"

    def __init__(self, padding: int | tuple[int, ...], value: float = 0.0) -> None:
        super().__init__()
        sides = 2 * self._ndim
        self.padding = (padding,) * sides if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != sides:
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or a {sides}-tuple, got {padding}"
            )
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if self._mode == "constant":
            return F.pad(input, self.padding, mode="constant", value=self.value)
        return F.pad(input, self.padding, mode=self._mode)

    def extra_repr(self) -> str:
        if self._mode == "constant" and not isinstance(self, (ZeroPad1d, ZeroPad2d)):
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


class ZeroPad1d(_PadNd):
    _ndim = 1

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__(padding, 0.0)


class ZeroPad2d(_PadNd):
    """Pad (N, C, H, W) with zeros: ``padding = (left, right, top, bottom)`` or one int."""

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__(padding, 0.0)


class ConstantPad1d(_PadNd):
    _ndim = 1


class ConstantPad2d(_PadNd):
    """Pad (N, C, H, W) with ``value``."""


class _CopyPadNd(_PadNd):
    """Padding that copies input values (reflection, replication): no fill value."""

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__(padding)


class ReflectionPad1d(_CopyPadNd):
    _ndim = 1
    _mode = "reflect"


class ReflectionPad2d(_CopyPadNd):
    """Mirror the edge pixels (without repeating them), as style-transfer networks pad."""

    _mode = "reflect"


class ReplicationPad1d(_CopyPadNd):
    _ndim = 1
    _mode = "replicate"


class ReplicationPad2d(_CopyPadNd):
    """Repeat the edge pixels."""

    _mode = "replicate"


class Upsample(Module):
    """Nearest-neighbour upsampling of (N, C, L), (N, C, H, W) input by a whole-number
    ``scale_factor`` (or to a ``size`` that is a whole multiple): every value is repeated
    ``scale`` times along each spatial dimension, so the gradient of an input value is the
    sum of the gradients of its copies. Other modes raise ``NotImplementedError``."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        if mode != "nearest":
            raise NotImplementedError(
                f"Upsample: mode={mode!r} is not supported; only 'nearest' (whole-number scales) is"
            )
        if (size is None) == (scale_factor is None):
            raise ValueError("either size or scale_factor should be defined")
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else scale_factor
        self.mode = mode
        self.align_corners = align_corners

    def _scales(self, input: Tensor) -> tuple[int, ...]:
        spatial = tuple(input.shape[2:])
        if self.size is not None:
            size = (self.size,) * len(spatial) if isinstance(self.size, int) else tuple(self.size)
            ratios = [o / i for o, i in zip(size, spatial, strict=True)]
        else:
            sf = self.scale_factor
            ratios = list(sf) if isinstance(sf, (tuple, list)) else [sf] * len(spatial)
        if any(r != int(r) or r < 1 for r in ratios):
            raise NotImplementedError(
                f"Upsample: only whole-number scales are supported, got {ratios} for input of shape "
                f"{tuple(input.shape)}"
            )
        return tuple(int(r) for r in ratios)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise RuntimeError(f"Upsample: expected a 3-D or 4-D input, got shape {tuple(input.shape)}")
        scales = self._scales(input)
        n, c, *spatial = input.shape
        # (N, C, H, W) -> (N, C, H, 1, W, 1) -> expand to (N, C, H, sh, W, sw) -> (N, C, H*sh, W*sw)
        inter = [n, c]
        expanded = [n, c]
        for size, s in zip(spatial, scales, strict=True):
            inter += [size, 1]
            expanded += [size, s]
        out = input.reshape(*inter).expand(*expanded)
        return out.reshape(n, c, *(size * s for size, s in zip(spatial, scales, strict=True)))

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"
