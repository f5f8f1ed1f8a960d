"""Convolution and pooling as functions, built on im2col (``ops/conv.py``).

conv2d:  y[n, o] = sum_{c, i, j} w[o, c, i, j] * x_pad[n, c, y*s + i*d, x*s + j*d] + b[o]
         = (W reshaped to (O, C*kh*kw)) @ unfold(x)   -- one (batched) matmul.
max_pool2d: the largest entry of each window column (first one on ties, as PyTorch),
         picked with ``gather`` so the gradient goes to that entry only.
avg_pool2d: the mean of each window column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...functions import pad as _pad
from ...ops.conv import Fold, Unfold, out_size
from ...tensor import Tensor

__all__ = [
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "unfold",
    "fold",
    "conv1d",
    "max_pool1d",
    "avg_pool1d",
    "adaptive_avg_pool2d",
]


def _pair(v: Any, name: str) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v[0], v[0]
    if len(v) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {v}")
    return v  # type: ignore[return-value]


def _batched(x: Tensor, op: str) -> tuple[Tensor, bool]:
    """Accept (N, C, H, W) or unbatched (C, H, W) input."""
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim != 4:
        raise RuntimeError(
            f"{op}: Expected 3D (unbatched) or 4D (batched) input, but got input of size: {list(x.shape)}"
        )
    return x, False


def _check_out(
    x: Tensor, kernel: tuple[int, int], dilation: Any, padding: Any, stride: Any, op: str
) -> tuple[int, int]:
    oh, ow = out_size(tuple(x.shape[2:]), kernel, dilation, padding, stride)  # type: ignore[arg-type]
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"{op}: input of spatial size {tuple(x.shape[2:])} (padding {padding}) is too small for kernel "
            f"{kernel} with dilation {dilation}: output size would be ({oh}, {ow})"
        )
    return oh, ow


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding local blocks of a (N, C, H, W) batch as columns, shape (N, C*kh*kw, L)."""
    k, d, p, s = (
        _pair(kernel_size, "kernel_size"),
        _pair(dilation, "dilation"),
        _pair(padding, "padding"),
        _pair(stride, "stride"),
    )
    if input.ndim != 4:
        raise RuntimeError(f"unfold: expected 4-D input (N, C, H, W), got shape {tuple(input.shape)}")
    _check_out(input, k, d, p, s, "unfold")
    return Unfold.apply(input, k, d, p, s, 0.0)


def fold(
    input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """The adjoint of :func:`unfold`: sum columns (N, C*kh*kw, L) back into (N, C, H, W)."""
    size, k, d, p, s = (
        _pair(output_size, "output_size"),
        _pair(kernel_size, "kernel_size"),
        _pair(dilation, "dilation"),
        _pair(padding, "padding"),
        _pair(stride, "stride"),
    )
    oh, ow = out_size(size, k, d, p, s)
    if input.ndim != 3 or input.shape[1] % (k[0] * k[1]) or input.shape[2] != oh * ow:
        raise RuntimeError(
            f"fold: expected input of shape (N, C*{k[0] * k[1]}, {oh * ow}) for output_size {size}, "
            f"got {tuple(input.shape)}"
        )
    return Fold.apply(input, size, k, d, p, s)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) input with (O, C/groups, kh, kw) weight.
    ``padding`` may be an int, a pair, ``'valid'`` or ``'same'`` (stride 1)."""
    x, unbatched = _batched(input, "conv2d")
    if weight.ndim != 4:
        raise RuntimeError(
            f"conv2d: expected a 4-D weight (O, C/groups, kh, kw), got shape {tuple(weight.shape)}"
        )
    o, cg, kh, kw = weight.shape
    c = x.shape[1]
    if groups <= 0 or o % groups:
        raise RuntimeError(f"conv2d: out_channels ({o}) must be divisible by groups ({groups})")
    if c != cg * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(x.shape)} to have "
            f"{cg * groups} channels, but got {c} channels instead"
        )
    s, d = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            p = (0, 0)
        elif padding == "same":
            if s != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            total = (d[0] * (kh - 1), d[1] * (kw - 1))
            x = _pad(x, (total[1] // 2, total[1] - total[1] // 2, total[0] // 2, total[0] - total[0] // 2))
            p = (0, 0)
        else:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
    else:
        p = _pair(padding, "padding")
    oh, ow = _check_out(x, (kh, kw), d, p, s, "conv2d")
    n = x.shape[0]
    cols = Unfold.apply(x, (kh, kw), d, p, s, 0.0)  # (N, C*kh*kw, L)
    if groups == 1:
        out = weight.reshape(o, cg * kh * kw) @ cols  # (N, O, L)
    else:
        cols = cols.reshape(n, groups, cg * kh * kw, oh * ow)
        out = weight.reshape(groups, o // groups, cg * kh * kw) @ cols  # (N, g, O/g, L)
    out = out.reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out.squeeze(0) if unbatched else out


def _pool_args(kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool, op: str) -> tuple[Any, ...]:
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not supported")
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pair(stride, "stride")
    p = _pair(padding, "padding")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got pad={p} and kernel_size={k}"
        )
    return k, s, p


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each (kh, kw) window; padding counts as -inf. With
    ``return_indices`` also the flat index (into H*W) of each maximum."""
    x, unbatched = _batched(input, "max_pool2d")
    k, s, p = _pool_args(kernel_size, stride, padding, ceil_mode, "max_pool2d")
    d = _pair(dilation, "dilation")
    n, c, h, w = x.shape
    oh, ow = _check_out(x, k, d, p, s, "max_pool2d")
    cols = Unfold.apply(x.reshape(n * c, 1, h, w), k, d, p, s, -np.inf)  # (N*C, kh*kw, L)
    where = WindowArgmax.apply(cols)
    arg = where._data
    out = cols.gather(1, where).reshape(n, c, oh, ow)
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    ki, kj = np.divmod(arg[:, 0, :], k[1])
    oy, ox = np.divmod(np.arange(oh * ow), ow)
    rows = oy * s[0] - p[0] + ki * d[0]
    cols_ = ox * s[1] - p[1] + kj * d[1]
    idx = (rows * w + cols_).reshape(n, c, oh, ow).astype(np.int64)
    return out, Tensor._wrap(idx[0] if unbatched else idx)


class WindowArgmax(Function):
    """The index of each window's first maximum (or first NaN, as PyTorch), shape
    (N*C, 1, L); no gradient. An op rather than NumPy inline, so that a step compiled by
    ``tinygrad_np.compile`` recomputes it from each step's data."""

    @staticmethod
    def forward(ctx, cols):
        return Tensor._wrap(np.argmax(cols._data, axis=1)[:, None, :])

    @staticmethod
    def backward(ctx, grad):  # (never called: the output is an integer tensor)
        return None


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each (kh, kw) window (padding counts as zeros, and in the divisor
    unless ``count_include_pad=False``)."""
    x, unbatched = _batched(input, "avg_pool2d")
    k, s, p = _pool_args(kernel_size, stride, padding, ceil_mode, "avg_pool2d")
    n, c, h, w = x.shape
    oh, ow = _check_out(x, k, (1, 1), p, s, "avg_pool2d")
    cols = Unfold.apply(x.reshape(n * c, 1, h, w), k, (1, 1), p, s, 0.0)  # (N*C, kh*kw, L)
    if divisor_override is not None:
        out = cols.sum(1) * (1.0 / divisor_override)
    elif count_include_pad or p == (0, 0):
        out = cols.mean(1)
    else:
        ones = np.ones((1, 1, h, w), x._data.dtype)
        from ...ops.conv import im2col

        counts = im2col(ones, k, (1, 1), p, s).sum(axis=1)  # real pixels per window, (1, L)
        out = cols.sum(1) / Tensor._wrap(counts)
    out = out.reshape(n, c, oh, ow)
    return out.squeeze(0) if unbatched else out


# ---- 1-D versions (a 2-D op over a height of 1) and adaptive average pooling ---------------------------


def _single(v: Any, name: str) -> int:
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = tuple(v)
    if len(v) != 1:
        raise ValueError(f"{name} must be an int or a 1-tuple, got {v}")
    return int(v[0])


def _as_2d(x: Tensor, op: str) -> tuple[Tensor, bool]:
    """(N, C, L) -> (N, C, 1, L); unbatched (C, L) -> (1, C, 1, L)."""
    if x.ndim == 2:
        return x.unsqueeze(0).unsqueeze(2), True
    if x.ndim != 3:
        raise RuntimeError(
            f"{op}: Expected 2D (unbatched) or 3D (batched) input, but got input of size: {list(x.shape)}"
        )
    return x.unsqueeze(2), False


def _from_2d(y: Tensor, unbatched: bool) -> Tensor:
    y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation of (N, C, L) input with (O, C/groups, k) weight."""
    x, unbatched = _as_2d(input, "conv1d")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (O, C/groups, k), got shape {tuple(weight.shape)}")
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    y = conv2d(
        x,
        weight.unsqueeze(2),
        bias,
        (1, _single(stride, "stride")),
        pad,
        (1, _single(dilation, "dilation")),
        groups,
    )
    return _from_2d(y, unbatched)


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``kernel_size`` along the last dimension."""
    x, unbatched = _as_2d(input, "max_pool1d")
    k = _single(kernel_size, "kernel_size")
    s = k if stride is None else _single(stride, "stride")
    out = max_pool2d(
        x,
        (1, k),
        (1, s),
        (0, _single(padding, "padding")),
        (1, _single(dilation, "dilation")),
        ceil_mode,
        return_indices,
    )
    if return_indices:
        return _from_2d(out[0], unbatched), _from_2d(out[1], unbatched)
    return _from_2d(out, unbatched)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of ``kernel_size`` along the last dimension."""
    x, unbatched = _as_2d(input, "avg_pool1d")
    k = _single(kernel_size, "kernel_size")
    s = k if stride is None else _single(stride, "stride")
    y = avg_pool2d(x, (1, k), (1, s), (0, _single(padding, "padding")), ceil_mode, count_include_pad)
    return _from_2d(y, unbatched)


def _adaptive_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """(out, size) averaging matrix: row i averages x[floor(i size/out) : ceil((i+1) size/out)]."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average over the windows PyTorch uses to shrink (H, W) to ``output_size``
    (``None`` keeps a size). Each window average is linear in x, so the whole op is
    y = A_h x A_w^T with two constant averaging matrices: two matmuls, no loops."""
    x, unbatched = _batched(input, "adaptive_avg_pool2d")
    h, w = x.shape[2:]
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size, output_size)
    oh, ow = (
        h if output_size[0] is None else int(output_size[0]),
        w if output_size[1] is None else int(output_size[1]),
    )
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {(oh, ow)}")
    dt = x._data.dtype if x._data.dtype.kind == "f" else np.float32
    a_h = Tensor._wrap(_adaptive_matrix(h, oh, dt))
    a_w_t = Tensor._wrap(_adaptive_matrix(w, ow, dt).T.copy())
    y = a_h @ x @ a_w_t
    return y.squeeze(0) if unbatched else y
