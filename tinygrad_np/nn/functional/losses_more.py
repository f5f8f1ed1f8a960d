"""More of ``nn.functional``'s losses and normalisations, composed from Tensor ops:
``margin_ranking_loss hinge_embedding_loss soft_margin_loss cosine_embedding_loss
triplet_margin_loss gaussian_nll_loss poisson_nll_loss group_norm rms_norm
adaptive_avg_pool1d``. Each states its pointwise loss; ``reduction`` is 'mean', 'sum' or 'none'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, where
from .loss import _reduce


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: x1 should rank above x2 where y = 1, below where y = -1."""
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1."""
    positive = where(target == 1, input, 0.0)
    negative = where(target == -1, (margin - input).clamp(min=0), 0.0)
    return _reduce(positive + negative, reduction)


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """``log(1 + exp(-y x))``, the logistic loss for labels y in {-1, 1}."""
    return _reduce((-target * input).softplus(), reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where y = 1, ``max(0, cos(x1, x2) - margin)`` where y = -1 (cosine over
    the last dim, with PyTorch's eps of 1e-12 on the squared norms)."""
    dot = (input1 * input2).sum(-1)
    norms = ((input1 * input1).sum(-1) + 1e-12) * ((input2 * input2).sum(-1) + 1e-12)
    cos = dot / norms.sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with d the p-norm distance over the last dim
    (``pairwise_distance``); ``swap`` uses min(d(a, n), d(p, n))."""
    from . import pairwise_distance

    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


def gaussian_nll_loss(
    input: Tensor, target: Tensor, var: Any, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Tensor:
    """``(log(max(var, eps)) + (input - target)^2 / max(var, eps)) / 2`` (+ log(2 pi)/2 with
    ``full``); ``var`` is clamped without passing a gradient through the clamp."""
    var = var if isinstance(var, Tensor) else Tensor(np.full(input._data.shape, var, input._data.dtype))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)  # one variance per sample
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    with_floor = var + Tensor._wrap(np.maximum(var._data, eps) - var._data)  # max(var, eps), gradient 1
    loss = 0.5 * (with_floor.log() + (input - target) ** 2 / with_floor)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``exp(x) - y x`` (``log_input``), else ``x - y log(x + eps)``; with ``full``, plus
    Stirling's ``y log y - y + log(2 pi y)/2`` where y > 1."""
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        y = target
        safe = where(y > 1, y, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(y > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each of ``num_groups`` channel groups of each sample over its channels and
    positions (biased variance), then scale and shift per channel."""
    shape = tuple(input.shape)
    if len(shape) < 2 or shape[1] % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape {list(shape)} "
            f"and num_groups={num_groups}"
        )
    grouped = input.reshape(shape[0], num_groups, -1)
    mean = grouped.mean(-1, keepdim=True)
    var = ((grouped - mean) ** 2).mean(-1, keepdim=True)
    out = ((grouped - mean) / (var + eps).sqrt()).reshape(shape)
    view = (1, shape[1]) + (1,) * (len(shape) - 2)
    if weight is not None:
        out = out * weight.reshape(view)
    if bias is not None:
        out = out + bias.reshape(view)
    return out


def rms_norm(
    input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last ``len(normalized_shape)`` dims
    (eps defaults to the dtype's machine epsilon, as PyTorch)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average over ``output_size`` equal windows of the last dim of (N, C, L) or (C, L)."""
    from . import adaptive_avg_pool2d

    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return adaptive_avg_pool2d(input.unsqueeze(-1), (size, 1)).squeeze(-1)


__all__: Sequence[str] = [
    "adaptive_avg_pool1d",
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "group_norm",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "poisson_nll_loss",
    "rms_norm",
    "soft_margin_loss",
    "triplet_margin_loss",
]
