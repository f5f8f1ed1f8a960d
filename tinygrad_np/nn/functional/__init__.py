"""``nn.functional``: the stateless form of every layer, activation and loss.

Use as ``import tinygrad_np.nn.functional as F``. Everything here is composed
from Tensor ops (so gradients, including higher-order ones, come from the ops'
own backward rules), except three dedicated ops: ``linear`` (one fused node,
``nn/functional/linear.py``), convolution and pooling (the im2col/col2im ops in
``ops/conv.py``) and binary cross-entropy (clamped logs, ``nn/functional/loss.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import random as _random
from ...autograd.function import Function
from ...autograd.grad_mode import no_grad
from ...functions import pad as _constant_pad
from ...ops import linalg as _la
from ...ops import piecewise as _pw
from ...tensor import Tensor, _dims, _floating, where
from .attention import scaled_dot_product_attention
from .conv import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    fold,
    max_pool1d,
    max_pool2d,
    unfold,
)
from .extra import (
    celu_,
    elu_,
    glu,
    hardshrink,
    hardtanh_,
    interpolate,
    kl_div,
    leaky_relu_,
    pixel_shuffle,
    pixel_unshuffle,
    relu_,
    selu_,
    softmin,
    softshrink,
    threshold_,
    upsample,
)
from .linear import Addmm
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .losses_more import (
    adaptive_avg_pool1d,
    cosine_embedding_loss,
    gaussian_nll_loss,
    group_norm,
    hinge_embedding_loss,
    margin_ranking_loss,
    poisson_nll_loss,
    rms_norm,
    soft_margin_loss,
    triplet_margin_loss,
)

__all__ = [
    "scaled_dot_product_attention",
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "gelu",
    "softplus",
    "silu",
    "elu",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "layer_norm",
    "embedding",
    "one_hot",
    "pad",
    "conv2d",
    "conv1d",
    "max_pool1d",
    "avg_pool1d",
    "adaptive_avg_pool2d",
    "max_pool2d",
    "avg_pool2d",
    "unfold",
    "fold",
    "mse_loss",
    "l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "huber_loss",
    "smooth_l1_loss",
    "normalize",
    "selu",
    "celu",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "threshold",
    "prelu",
    "logsigmoid",
    "softsign",
    "tanhshrink",
    "mish",
    "cosine_similarity",
    "pairwise_distance",
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


# ---- linear and activations ---------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, with ``weight`` of shape (out_features, in_features)."""
    x, w = input._data, weight._data
    dt = x.dtype
    if (  # the common case first: float, one dtype throughout, matching features
        w.ndim == 2
        and x.ndim >= 1
        and x.shape[-1] == w.shape[1]
        and dt.kind == "f"
        and w.dtype is dt
        and (bias is None or (bias._data.ndim == 1 and bias._data.dtype is dt))
    ):
        return Addmm.apply(input, weight, bias)
    if x.shape[-1:] != w.shape[-1:]:
        raise RuntimeError(
            f"linear: input of shape {tuple(input.shape)} has {input.shape[-1]} features but weight of shape "
            f"{tuple(weight.shape)} expects {weight.shape[-1]} (mat1 and mat2 shapes cannot be multiplied)"
        )
    if w.dtype != dt or (bias is not None and bias._data.dtype != dt) or dt.kind != "f":
        got = ", ".join(str(t.dtype) for t in (input, weight, bias) if t is not None)
        raise RuntimeError(
            f"linear: input, weight and bias must share one floating dtype (as PyTorch: mat1 and mat2 "
            f"must have the same dtype), got {got}; convert the input (x.float()) or the module (.double())"
        )
    if w.ndim == 2 and x.ndim >= 1 and (bias is None or bias._data.ndim == 1):
        return Addmm.apply(input, weight, bias)
    out = input @ weight.T
    return out if bias is None else out + bias


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0). ``inplace`` is accepted and ignored (the result is a new tensor)."""
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    return input.leaky_relu(negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi the standard normal CDF); ``approximate='tanh'`` for the tanh formula."""
    return input.gelu(approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    return input.softplus(beta, threshold)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    return input * input.sigmoid()


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^x - 1)."""
    return _pw.Elu.apply(_floating(input), alpha, 1.0, 1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _pw.Elu.apply(_floating(input), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^(x/alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu: alpha must not be 0 (it divides x)")
    return _pw.Elu.apply(_floating(input), alpha, 1.0, 1.0 / alpha)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); the gradient is 0 at the bounds, as PyTorch."""
    if max_val < min_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _pw.Hardtanh.apply(_floating(input), min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return _pw.Hardsigmoid.apply(_floating(input))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    return _pw.Hardswish.apply(_floating(input))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x if x > threshold else value (NaN stays NaN)."""
    return _pw.Threshold.apply(input, threshold, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, ``weight`` one slope or one per channel (dimension 1)."""
    if weight.numel() > 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise RuntimeError(
                f"prelu: {weight.numel()} parameters need an input with {weight.numel()} channels in "
                f"dimension 1, got shape {tuple(input.shape)}"
            )
        weight = weight.reshape((1, weight.numel()) + (1,) * (input.ndim - 2))
    return where(input._data > 0, input, input * weight)  # the slope at 0 is weight, as PyTorch


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -(-input).softplus()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return input * input.softplus().tanh()


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """x_i - log sum_j exp(x_j) along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return input.log_softmax(dim, dtype=dtype)


# ---- padding -------------------------------------------------------------------------------------------


def _pad_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Source position of every output position along one padded axis."""
    i = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i >= n, period - i, i)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions, ``pad = (left, right, top, bottom, ...)``
    from the last dimension backwards. ``mode`` is 'constant' (with ``value``), 'reflect'
    (mirror without repeating the edge), 'replicate' (repeat the edge) or 'circular' (wrap).
    The non-constant modes gather with integer indices, so the gradient of a padded
    element flows back to (and accumulates on) the element it copies."""
    if mode == "constant":
        return _constant_pad(input, pad, "constant", 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"pad: mode {mode!r} is not supported (constant, reflect, replicate, circular)"
        )
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(
            f"pad: padding length {len(pad)} must be even and at most 2 * ndim ({2 * input.ndim})"
        )
    out = input
    for k in range(len(pad) // 2):
        dim = input.ndim - 1 - k
        lo, hi = pad[2 * k], pad[2 * k + 1]
        n = input.shape[dim]
        if lo < 0 or hi < 0:
            raise NotImplementedError("pad: negative padding is only supported in constant mode")
        limit = n - 1 if mode == "reflect" else n
        if max(lo, hi) > limit:
            raise RuntimeError(
                f"pad: padding ({lo}, {hi}) in {mode} mode must be at most {limit} for dimension {dim} of size {n} "
                f"(input shape {tuple(input.shape)})"
            )
        if lo or hi:
            out = out[(slice(None),) * dim + (_pad_index(n, lo, hi, mode),)]
    return out


# ---- dropout ---------------------------------------------------------------------------------------


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p)
    (so the expectation is unchanged); the identity when not training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    return Dropout.apply(input, p, tuple(input._data.shape))


class Dropout(Function):
    """y = x * m, with the mask m (of ``mask_shape``: x's shape, or one entry per channel
    for ``nn.Dropout2d``, broadcast) drawn in forward from the global generator: each entry
    kept (m = 1/(1-p)) with probability 1 - p, else zeroed (m = 0). One op, so that a
    compiled step draws a new mask on every call, as eager mode does."""

    formula = "d(x * m)/dx = m (the mask drawn in forward)"
    node_name = "NativeDropoutBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, p, mask_shape):
        dt = x._data.dtype
        if p == 1.0:
            mask = np.zeros(mask_shape, dt)
        else:
            keep = _random.rng().random(mask_shape) >= p
            mask = keep.astype(dt) * np.asarray(1.0 / (1.0 - p), dt)
        ctx.mask = mask
        return Tensor._wrap(x._data * mask)

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor._wrap(ctx.mask), None, None  # dy/dx = m

    @staticmethod
    def backward_np(ctx, g):
        return g * ctx.mask, None, None  # dy/dx = m


# ---- normalisation -----------------------------------------------------------------------------------


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dimension 1).

    Training uses the batch's mean and biased variance over every dimension but
    the channel one, and updates the running statistics in place:
    ``running = (1 - momentum) * running + momentum * batch`` (the running
    variance takes the unbiased batch variance, n / (n - 1) times the biased
    one). Evaluation uses the running statistics.
    """
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected at least 2-D input (N, C, ...), got shape {tuple(input.shape)}"
        )
    if input._data.dtype == np.float16:  # in float32, as PyTorch (a float16 count overflows)
        out = batch_norm(input.float(), running_mean, running_var, weight, bias, training, momentum, eps)
        return out.half()
    dims = (0, *tuple(range(2, input.ndim)))
    bshape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    n = input._data.size // input.shape[1]
    if training:
        if n == 1:  # (an empty batch gives an empty result and leaves the statistics, as PyTorch)
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape!r}"
            )
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dims, keepdim=True)
        if running_mean is not None and running_var is not None and n > 0:
            with no_grad():
                m = np.asarray(momentum, running_mean._data.dtype)
                running_mean._data *= 1 - m
                running_mean._data += m * mean._data.reshape(-1).astype(running_mean._data.dtype)
                running_var._data *= 1 - m
                running_var._data += m * (var._data.reshape(-1) * (n / (n - 1))).astype(
                    running_var._data.dtype
                )
                running_mean._bump()
                running_var._bump()
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var are needed when training=False")
        centered = input - running_mean.reshape(bshape).to(input.dtype)
        var = running_var.reshape(bshape).to(input.dtype)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(bshape)
    if bias is not None:
        out = out + bias.reshape(bshape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dimensions:
    y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    if input._data.dtype == np.float16:  # in float32, as PyTorch (a float16 count overflows)
        return layer_norm(input.float(), shape, weight, bias, eps).half()
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    centered = input - input.mean(dims, keepdim=True)
    var = (centered * centered).mean(dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _norm(input: Tensor, p: float, dim: Any, keepdim: bool) -> Tensor:
    """||x||_p along ``dim`` (one node; the gradient is 0 where the norm is 0, as PyTorch)."""
    dims = None if dim is None else _dims(dim, None, input.ndim, "norm")
    return _la.VectorNorm.apply(input, float(p), dims, keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``; a zero vector stays zero with finite gradient 1/eps."""
    if input._data.dtype == np.float16:  # in float32, as PyTorch
        return normalize(input.float(), p, dim, eps).half()
    return input / _norm(input, p, dim, True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1/n1 * x2/n2) along ``dim``, n = max(||x||, eps), as PyTorch: the norms are
    clamped without cutting their gradient (so zero vectors give finite gradients)."""
    if x1._data.dtype == np.float16 or x2._data.dtype == np.float16:  # in float32, as PyTorch
        return cosine_similarity(x1.float(), x2.float(), dim, eps).half()
    shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
    x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = _ClampMinNoGrad.apply(_norm(x1, 2.0, dim, True), eps)
    n2 = _ClampMinNoGrad.apply(_norm(x2, 2.0, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p along the last dimension."""
    diff = x1 - x2 + eps
    if diff._data.dtype == np.float16:  # in float32, as PyTorch
        return _norm(diff.float(), p, -1, keepdim).half()
    return _norm(diff, p, max(diff.ndim - 1, 0) if diff.ndim else None, keepdim)


class _ClampMinNoGrad(Function):
    """max(x, eps) whose gradient is that of x itself: PyTorch's ``clamp_min_`` under
    ``no_grad`` in cosine_similarity."""

    formula = "d/dx = 1 (the clamp is not differentiated)"

    @staticmethod
    def forward(ctx, x, eps):
        return Tensor._wrap(np.maximum(x._data, np.asarray(eps, x._data.dtype)))

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# ---- embedding and one-hot -----------------------------------------------------------------------------


def _index_array(input: Any, op: str) -> np.ndarray:
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: expected an integer (Long or Int) index tensor, got {idx.dtype}; convert with .long()"
        )
    return idx


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: out[..., :] = weight[input[...], :].
    The row ``padding_idx`` receives no gradient."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not supported")
    idx = _index_array(input, "embedding")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index out of range in self (indices must be in [0, {n}), got {bad})")
    out = weight[idx]
    if padding_idx is not None:
        keep = (idx != padding_idx % n)[..., None]
        if not keep.all():
            out = where(keep, out, Tensor._wrap(weight._data[idx]))
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor with a trailing dimension of ``num_classes``: 1 at each index, 0 elsewhere."""
    idx = _index_array(tensor, "one_hot")
    if idx.size and idx.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError("one_hot: Class values must be smaller than num_classes.")
    return Tensor._wrap((idx[..., None] == np.arange(num_classes)).astype(np.int64))
