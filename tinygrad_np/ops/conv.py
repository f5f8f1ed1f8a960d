"""im2col and col2im: the two ops convolution and pooling are built from.

``Unfold`` (im2col) copies every kernel-sized window of a padded image into a
column: for input (N, C, H, W) and kernel (kh, kw) the output is
(N, C*kh*kw, L) with L = out_h * out_w windows, where

    out_h = (H + 2 ph - dh (kh - 1) - 1) // sh + 1      (likewise out_w)

and column entry [n, (c, i, j), (y, x)] = padded[n, c, y sh + i dh, x sw + j dw].
It is built with ``np.lib.stride_tricks.sliding_window_view`` (a strided view,
no loop) and one copy. A convolution is then a single matmul of the weight
(O, C*kh*kw) with the columns.

``Fold`` (col2im) is the adjoint: it adds every column entry back onto the pixel
it was copied from. Windows overlap when the stride is smaller than the kernel,
so the scatter-add is done as one strided slice-add per kernel offset: a loop
of kh*kw whole-array steps (never a loop over pixels or batch elements).

Each is the other's backward, so both are differentiable to any order:
d unfold(x)/dx applied to g is fold(g), and d fold(g)/dg applied to h is unfold(h).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

_wrap = Tensor._wrap

Pair = tuple[int, int]


def out_size(size: Pair, kernel: Pair, dilation: Pair, padding: Pair, stride: Pair) -> Pair:
    """Number of window positions along each spatial axis."""
    return tuple(  # type: ignore[return-value]
        (s + 2 * p - d * (k - 1) - 1) // st + 1
        for s, k, d, p, st in zip(size, kernel, dilation, padding, stride, strict=False)
    )


def im2col(
    x: np.ndarray, kernel: Pair, dilation: Pair, padding: Pair, stride: Pair, pad_value: float = 0.0
) -> np.ndarray:
    """(N, C, H, W) -> (N, C*kh*kw, L) with NumPy stride tricks and a single copy."""
    n, c = x.shape[:2]
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    if ph or pw:  # a frame of pad_value around each image (np.pad does the same, ~3x slower)
        h, w = x.shape[2:]
        padded = np.full((n, c, h + 2 * ph, w + 2 * pw), pad_value, x.dtype)
        padded[:, :, ph : ph + h, pw : pw + w] = x
        x = padded
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, oh, ow, kh, kw), still a view
    oh, ow = win.shape[2:4]
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * kh * kw, oh * ow)


def col2im(
    cols: np.ndarray, size: Pair, kernel: Pair, dilation: Pair, padding: Pair, stride: Pair
) -> np.ndarray:
    """(N, C*kh*kw, L) -> (N, C, H, W): add each column entry onto its source pixel."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    h, w = size
    oh, ow = out_size(size, kernel, dilation, padding, stride)
    n = cols.shape[0]
    c = cols.shape[1] // (kh * kw)
    blocks = cols.reshape(n, c, kh, kw, oh, ow)
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), cols.dtype)
    for i in range(kh):  # one strided slice-add per kernel offset (kh*kw steps)
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            colz = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            out[:, :, rows, colz] += blocks[:, :, i, j]
    return out[:, :, ph : ph + h, pw : pw + w]


class Unfold(Function):
    """im2col: the (N, C*kh*kw, L) matrix of sliding windows of a (N, C, H, W) image."""

    formula = "d unfold(x)/dx = fold (each window entry's gradient goes back to its pixel)"

    @staticmethod
    def forward(ctx, x, kernel, dilation, padding, stride, pad_value=0.0):
        ctx.args = (x._data.shape[2:], kernel, dilation, padding, stride)
        return _wrap(im2col(x._data, kernel, dilation, padding, stride, pad_value))

    @staticmethod
    def backward(ctx, grad):
        # d/dx unfold(x) . g = fold(g): every window copy sends its gradient home
        return Fold.apply(grad, *ctx.args), None, None, None, None, None


class Fold(Function):
    """col2im: sum sliding-window columns (N, C*kh*kw, L) back into an image (N, C, H, W)."""

    formula = "d fold(g)/dg = unfold (each pixel's gradient is copied to every window holding it)"

    @staticmethod
    def forward(ctx, cols, size, kernel, dilation, padding, stride):
        ctx.args = (kernel, dilation, padding, stride)
        return _wrap(col2im(cols._data, tuple(size), kernel, dilation, padding, stride))

    @staticmethod
    def backward(ctx, grad):
        # d/dg fold(g) . h = unfold(h): the adjoint of a scatter-add is a gather
        return Unfold.apply(grad, *ctx.args, 0.0), None, None, None, None, None


__all__ = ["Unfold", "Fold", "im2col", "col2im", "out_size"]
