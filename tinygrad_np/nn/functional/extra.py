"""More of ``nn.functional``, composed from Tensor ops: ``interpolate`` (nearest, nearest-exact,
linear, bilinear, trilinear), ``kl_div``, ``softmin``, ``glu``, ``hardshrink``, ``softshrink``,
``pixel_shuffle``/``pixel_unshuffle`` and the in-place activations ``relu_ elu_ leaky_relu_
hardtanh_ threshold_ selu_ celu_``.

``interpolate`` is separable: each spatial dimension is resampled in turn with
``index_select`` (nearest: one source per output; linear: two neighbours mixed by their
distances), so its gradient is the scatter of the output's back to the sources.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, where

_wrap = Tensor._wrap
_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _output_sizes(
    input: Tensor, size: Any, scale_factor: Any, recompute: bool | None
) -> tuple[list[int], list[float]]:
    """The output size of each spatial dim and the source step per output step (PyTorch's
    scale: in/out, or 1/scale_factor when a factor is given and not recomputed)."""
    spatial = list(input.shape[2:])
    k = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = [int(size)] * k if isinstance(size, int) else [int(s) for s in size]
        if len(out) != k:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {spatial} and output size of {out}. Please provide input tensor in (N, C, d1, d2, "
                "...,dK) format and output size in (o1, o2, ...,oK) format."
            )
        return out, [i / o for i, o in zip(spatial, out, strict=True)]
    factors = (
        [float(scale_factor)] * k
        if isinstance(scale_factor, (int, float))
        else [float(f) for f in scale_factor]
    )
    if len(factors) != k:
        raise ValueError(
            f"Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
            f"dimensions of {spatial} and scale_factor of shape {factors}."
        )
    out = [math.floor(i * f) for i, f in zip(spatial, factors, strict=True)]
    steps = [i / o if recompute else 1 / f for i, o, f in zip(spatial, out, factors, strict=True)]
    return out, steps


def _nearest(x: Tensor, dim: int, n_out: int, step: float, exact: bool) -> Tensor:
    n_in = x.shape[dim]
    dst = np.arange(n_out, dtype=np.float64)
    src = np.floor((dst + 0.5) * step) if exact else np.floor(dst * np.float32(step))
    return x.index_select(dim, _wrap(np.minimum(src, n_in - 1).astype(np.int64)))


def _linear(x: Tensor, dim: int, n_out: int, step: float, align_corners: bool) -> Tensor:
    n_in = x.shape[dim]
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * step - 0.5, 0.0)
    lo = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    shape = [1] * x.ndim
    shape[dim] = n_out
    w = _wrap((src - lo).astype(x._data.dtype).reshape(shape))
    a, b = x.index_select(dim, _wrap(lo)), x.index_select(dim, _wrap(hi))
    return a + (b - a) * w  # (1 - w) a + w b


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of (N, C, d1, ..., dK) ``input`` to ``size`` or by ``scale_factor``:
    ``nearest`` takes source floor(i * in/out), ``nearest-exact`` floor((i + 0.5) * in/out),
    ``linear``/``bilinear``/``trilinear`` mix the two nearest sources of (i + 0.5) * in/out - 0.5
    (or i * (in - 1)/(out - 1) with ``align_corners``), one dim after another."""
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input")
    if mode not in ("nearest", "nearest-exact", *_LINEAR):
        raise NotImplementedError(
            f"interpolate: mode={mode!r} is not supported (nearest, nearest-exact, linear, bilinear, trilinear are)"
        )
    if input.ndim < 3:
        raise ValueError(
            f"interpolate: expected an input with at least 3 dims (N, C, ...), got shape {tuple(input.shape)}"
        )
    if input._data.dtype.kind != "f" and mode in _LINEAR:
        raise RuntimeError(f'"upsample_{mode}" not implemented for {input.dtype}')
    sizes, steps = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    out = input
    for k, (n_out, step) in enumerate(zip(sizes, steps, strict=True)):
        dim = 2 + k
        if mode in _LINEAR:
            out = _linear(out, dim, n_out, step, bool(align_corners))
        else:
            out = _nearest(out, dim, n_out, step, exact=mode == "nearest-exact")
    return out


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: Any = None,
) -> Tensor:
    """Deprecated in PyTorch for ``interpolate``, which it calls."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL divergence with ``input`` as log-probabilities; see ``nn.KLDivLoss``."""
    from ..loss import KLDivLoss  # (nn.loss imports this package)

    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    return KLDivLoss(size_average, reduce, reduction, log_target)(input, target)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    from . import softmax

    return softmax(-input, dim, _stacklevel, dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: a * sigmoid(b), where a and b are the two halves of ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r block."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r}"
        )
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor, but got {h} and {w} for {r}"
        )
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def _inplace(input: Tensor, name: str, fn: Any) -> Tensor:
    return input._inplace_unary(name, fn)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    from . import elu

    return _inplace(input, "elu_", lambda x: elu(x, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _inplace(input, "leaky_relu_", lambda x: x.leaky_relu(negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    from . import hardtanh

    return _inplace(input, "hardtanh_", lambda x: hardtanh(x, min_val, max_val))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    from . import threshold as threshold_fn

    return _inplace(input, "threshold_", lambda x: threshold_fn(x, threshold, value))


def selu_(input: Tensor) -> Tensor:
    from . import selu

    return _inplace(input, "selu_", selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    from . import celu

    return _inplace(input, "celu_", lambda x: celu(x, alpha))


__all__: Sequence[str] = [
    "celu_",
    "elu_",
    "glu",
    "hardshrink",
    "hardtanh_",
    "interpolate",
    "kl_div",
    "leaky_relu_",
    "pixel_shuffle",
    "pixel_unshuffle",
    "relu_",
    "selu_",
    "softmin",
    "softshrink",
    "threshold_",
    "upsample",
]
