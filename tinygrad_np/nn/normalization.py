"""``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``.

BatchNorm keeps per-channel running statistics as buffers (``running_mean``,
``running_var``, ``num_batches_tracked``; the ``state_dict`` keys PyTorch uses):
in training it normalises with the batch statistics and updates the running
ones, in evaluation it normalises with the running ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import functional as F
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "LayerNorm"]


def _float_dtype(dtype: Any) -> np.dtype:
    return (dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)).np


def _register_affine(module: Module, shape: Any, affine: bool, bias: bool, dt: np.dtype) -> None:
    """The learnable scale (ones) and shift (zeros) of ``shape``; ``None`` where switched off."""
    module.register_parameter("weight", Parameter(np.ones(shape, dt)) if affine else None)
    module.register_parameter("bias", Parameter(np.zeros(shape, dt)) if affine and bias else None)


def _channel_affine(out: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """y = out * weight[c] + bias[c], the per-channel scale and shift over dimension 1."""
    if weight is None:
        return out
    shape = (1, -1) + (1,) * (out.ndim - 2)
    out = out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


class _BatchNorm(Module):
    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dt = _float_dtype(dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, num_features, affine, bias, dt)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features, dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features, dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight._data[...] = 1
            if self.bias is not None:
                self.bias._data[...] = 0

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{type(self).__name__}: expected input with {self.num_features} channels (dimension 1), "
                f"got input of shape {tuple(input.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep_running else None,
            self.running_var if keep_running else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def _state_dict_fixups(self, prefix: str, state_dict: dict[str, Any]) -> None:
        # as PyTorch: a checkpoint without num_batches_tracked keeps the current count
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict and self.num_batches_tracked is not None:
            state_dict[key] = self.num_batches_tracked._data.copy()

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input, per channel C:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dimensions of each sample:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance)."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _float_dtype(dtype)
        _register_affine(self, shape, elementwise_affine, bias, dt)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Split the ``num_channels`` channels (dimension 1) into ``num_groups`` groups and
    normalise each group of each sample over its channels and positions:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight[c] + bias[c] (biased variance).
    Composed from tensor ops, so it is differentiable to any order."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        dt = _float_dtype(dtype)
        _register_affine(self, num_channels, affine, bias, dt)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise RuntimeError(f"GroupNorm: expected input of shape (N, {self.num_channels}, *), got {shape}")
        if input._data.dtype == np.float16:  # in float32, as PyTorch (a float16 count overflows)
            return self.forward(input.float()).half()
        grouped = input.reshape(shape[0], self.num_groups, math.prod(shape[1:]) // self.num_groups)
        mean = grouped.mean(dim=-1, keepdim=True)
        var = ((grouped - mean) ** 2).mean(dim=-1, keepdim=True)
        out = ((grouped - mean) / (var + self.eps).sqrt()).reshape(shape)
        return _channel_affine(out, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(Module):
    """Normalise each channel of each sample over its positions:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight[c] + bias[c] (biased variance), the
    statistics of the sample itself (``track_running_stats=True`` is not supported)."""

    _spatial = 1

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if track_running_stats:
            raise NotImplementedError(
                f"{type(self).__name__}: track_running_stats=True is not supported; use BatchNorm for running statistics"
            )
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = _float_dtype(dtype)
        _register_affine(self, num_features, affine, bias, dt)

    def forward(self, input: Tensor) -> Tensor:
        nd = self._spatial + 2
        if input.ndim not in (nd - 1, nd):
            raise ValueError(
                f"{type(self).__name__}: expected {nd - 1}D or {nd}D input (got {input.ndim}D input)"
            )
        if input._data.dtype == np.float16:  # in float32, as PyTorch (a float16 count overflows)
            return self.forward(input.float()).half()
        x = input.unsqueeze(0) if input.ndim == nd - 1 else input
        if x.shape[1] != self.num_features and self.affine:
            raise RuntimeError(
                f"{type(self).__name__}: expected input with {self.num_features} channels, got shape {tuple(input.shape)}"
            )
        dims = tuple(range(2, nd))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = _channel_affine((x - mean) / (var + self.eps).sqrt(), self.weight, self.bias)
        return out.squeeze(0) if input.ndim == nd - 1 else out

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input (style transfer)."""

    _spatial = 2
