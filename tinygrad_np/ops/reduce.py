"""Reductions: y = reduce(x) over some dimensions.

Backward of a reduction spreads dL/dy back over the reduced dimensions:
re-insert them as size 1 (``_unreduce``) and broadcast to x's shape.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor

_wrap = Tensor._wrap


def _unreduce(grad: Tensor, dims: tuple[int, ...] | None, keepdim: bool, shape: tuple[int, ...]) -> Tensor:
    """Broadcast a reduced gradient back to ``shape`` (differentiably)."""
    if not keepdim:
        axes = range(len(shape)) if dims is None else dims
        kshape = list(shape)
        for d in axes:
            kshape[d] = 1
        grad = grad.reshape(tuple(kshape))
    return grad.expand(*shape)


def _unreduce_np(
    g: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool, shape: tuple[int, ...]
) -> np.ndarray:
    """``_unreduce`` on arrays (the engine's fast path): a read-only broadcast view."""
    if not keepdim:
        kshape = list(shape)
        for d in range(len(shape)) if dims is None else dims:
            kshape[d] = 1
        g = g.reshape(kshape)
    return _broadcast_np(g, shape)


def _broadcast_np(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``g`` broadcast to ``shape``: a read-only view for large results, a small copy
    otherwise (``np.broadcast_to`` costs about 2 us of Python, a small copy 0.3 us)."""
    if g.shape == shape:
        return g
    if g.size <= 1 and len(shape) <= 4 and g.ndim <= len(shape):
        n = 1
        for s in shape:
            n *= s
        if n <= 4096:
            out = np.empty(shape, g.dtype)
            out[...] = g
            return out
    return np.broadcast_to(g, shape)


class Sum(Function):
    formula = "d sum(x)/dx_i = 1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        if a.dtype.char == "e":  # float16 (its type code: a cheap test); accumulate in float32 as PyTorch
            return _wrap(np.asarray(a.sum(axis=dims, keepdims=keepdim, dtype=np.float32), np.float16))
        return _wrap(a.sum(axis=dims, keepdims=keepdim))  # (np.sum adds ~1 us of dispatch)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.dims, ctx.keepdim, ctx.shape), None, None  # 1 for every x_i

    @staticmethod
    def backward_np(ctx, g):
        return _unreduce_np(g, ctx.dims, ctx.keepdim, ctx.shape), None, None  # 1 for every x_i


class Mean(Function):
    """The mean over ``dims``. float16 is summed and divided in float32 (as PyTorch): a
    float16 count above 65,504 would be inf."""

    formula = "d mean(x)/dx_i = 1/N"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        n = a.size if dims is None else math.prod(a.shape[d] for d in dims)
        ctx.n = n
        if a.dtype.char == "e":  # float16
            total = a.sum(axis=dims, keepdims=keepdim, dtype=np.float32)
        else:
            total = a.sum(axis=dims, keepdims=keepdim)
        # the mean of nothing is 0/0 = nan, as in PyTorch (written out: np.errstate costs ~0.8 us)
        return _wrap(np.asarray(total / n if n else total * np.nan, a.dtype))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.n:  # nothing to spread the gradient over
            return _wrap(np.zeros(ctx.shape, grad._data.dtype)), None, None
        if grad._data.dtype.char == "e":  # g / N in float32 (1/N may be below float16's range)
            return (
                _unreduce((grad.float() * (1 / ctx.n)).half(), ctx.dims, ctx.keepdim, ctx.shape),
                None,
                None,
            )
        return _unreduce(grad * (1 / ctx.n), ctx.dims, ctx.keepdim, ctx.shape), None, None  # 1/N

    @staticmethod
    def backward_np(ctx, g):
        if not ctx.n or g.dtype.char == "e":
            return NotImplemented  # the Tensor-level backward above
        return _unreduce_np(g * (1 / ctx.n), ctx.dims, ctx.keepdim, ctx.shape), None, None  # 1/N


class Amax(Function):
    """max (``is_max``) or min over ``dims``; ties share the gradient equally. A NaN
    makes the result NaN; as PyTorch, its gradient is NaN for ``amax``/``amin``, and for
    ``max()``/``min()`` of all elements (``nan_to_nan``) it goes to the NaN elements only."""

    formula = "d max(x)/dx_i = 1/k for the k maximal x_i, else 0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, is_max, nan_to_nan=False):
        if x._data.size == 0:
            name = "amax" if is_max else "amin"
            if dims is None:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            check_nonempty(x._data.shape, dims, name)
        ctx.dims, ctx.keepdim, ctx.nan_to_nan = dims, keepdim, nan_to_nan
        fn = np.max if is_max else np.min
        ctx.save_for_backward(x)
        out = fn(x._data, axis=dims, keepdims=True)
        ctx.out_keep = out
        return _wrap(out if keepdim else np.squeeze(out, axis=dims))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        hit = x._data == ctx.out_keep
        if ctx.nan_to_nan and np.isnan(ctx.out_keep).any():
            hit = np.isnan(x._data)  # max() of all elements: a NaN result came from the NaNs
        with np.errstate(invalid="ignore", divide="ignore"):  # a NaN row of amax: 0/0, as PyTorch
            share = hit / hit.sum(axis=ctx.dims, keepdims=True)
        g = _unreduce(grad, ctx.dims, ctx.keepdim, x._data.shape) * _wrap(share.astype(grad._data.dtype))
        return g, None, None, None, None


def check_nonempty(shape: tuple[int, ...], dims: tuple[int, ...] | None, name: str) -> None:
    """A max/min/argmax over a dimension of size 0 has no value: PyTorch's IndexError."""
    for d in range(len(shape)) if dims is None else dims:
        if shape[d] == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim {d} to have non-zero size (input of shape "
                f"{tuple(shape)}: the {name} of nothing is undefined)"
            )


class Prod(Function):
    """Product over ``dims``. The gradient is prod / x_i when no x_i is zero, and the
    product of the other elements when some are (prod / x_i would be 0/0 there).

    With zeros, the product of the others is a constant array (left and right
    running products) when only the first derivative is wanted; under
    ``create_graph=True`` it is built from Tensor ops instead (each element's row of
    the others, ``n x n`` per reduced group), so second derivatives are exact too.
    """

    formula = "d prod(x)/dx_i = prod_{j != i} x_j"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        y = _wrap(np.prod(x._data, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _unreduce(grad, ctx.dims, ctx.keepdim, x._data.shape)
        if not (x._data == 0).any():
            return g * _unreduce(y, ctx.dims, ctx.keepdim, x._data.shape) / x, None, None  # prod / x_i
        if grad_mode.state.grad_enabled:  # create_graph: keep the dependence on the others
            return g * _prod_of_others_tensor(x, ctx.dims), None, None
        # with zeros, prod/x_i is 0/0: multiply the products left and right of each x_i
        return g * _wrap(_prod_of_others(x._data, ctx.dims)), None, None


def _prod_of_others_tensor(x: Tensor, dims: tuple[int, ...] | None) -> Tensor:
    """prod_{j != i} x_j for each x_i of its reduced group, from differentiable Tensor ops:
    row i of an n x n matrix holds the group with x_i replaced by 1."""
    dims = tuple(range(x.ndim)) if dims is None else dims
    kept = [d for d in range(x.ndim) if d not in dims]
    perm = kept + list(dims)
    moved = x.permute(*perm)
    lead = tuple(moved._data.shape[: len(kept)])
    n = int(np.prod(moved._data.shape[len(kept) :], dtype=np.int64))
    eye = np.eye(n, dtype=x._data.dtype)
    rows = moved.reshape(*lead, 1, n) * _wrap(1 - eye) + _wrap(eye)  # (..., n, n)
    others = rows.prod(-1).reshape(*moved._data.shape)
    return others.permute(*np.argsort(perm).tolist())


def _prod_of_others(a: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray:
    """For each element, the product of the other elements in its reduced group."""
    dims = tuple(range(a.ndim)) if dims is None else dims
    kept = [d for d in range(a.ndim) if d not in dims]
    moved = np.transpose(a, kept + list(dims))
    flat = moved.reshape((*moved.shape[: len(kept)], -1))
    ones = np.ones((*flat.shape[:-1], 1), a.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    return np.transpose(others, np.argsort(kept + list(dims)))


def _keepdims_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced dimensions kept as size 1."""
    axes = range(len(shape)) if dims is None else dims
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


class LogSumExp(Function):
    """log sum_i exp(x_i) over ``dims``, as PyTorch computes it: shifted by the maximum
    m (m taken as 0 where it is infinite), log(sum(exp(x - m))) + m; the gradient is
    exp(x - logsumexp(x)), in the input's dtype."""

    formula = "d logsumexp(x)/dx_i = exp(x_i - logsumexp(x))"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim = dims, keepdim
        kshape = _keepdims_shape(a.shape, dims)
        m = a.max(axis=dims, keepdims=True) if a.size else np.zeros(kshape, a.dtype)
        m = np.where(np.isinf(m), 0, m).astype(a.dtype, copy=False)  # an all -inf row stays -inf
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            out = np.log(np.exp(a - m).sum(axis=dims, keepdims=True)) + m
        y = _wrap(np.asarray(out if keepdim else out.reshape(_reduced_shape(a.shape, dims)), a.dtype))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        kshape = _keepdims_shape(x._data.shape, ctx.dims)
        return grad.reshape(kshape) * (x - y.reshape(kshape)).exp(), None, None  # softmax(x)


def _reduced_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` without the reduced dimensions."""
    return () if dims is None else tuple(s for i, s in enumerate(shape) if i not in dims)


class Softmax(Function):
    formula = "d softmax(x)_i/dx_j = s_i (delta_ij - s_j)"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = x._data
        e = np.exp(a - (a.max(axis=dim, keepdims=True) if a.size else 0))  # (empty: nothing to shift)
        y = _wrap(e / e.sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None  # s * (g - <g, s>)

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        return y * (g - (g * y).sum(ctx.dim, keepdims=True)), None  # s * (g - <g, s>)


class LogSoftmax(Function):
    formula = "d log_softmax(x)_i/dx_j = delta_ij - softmax(x)_j"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = x._data
        if not a.size:  # empty in, empty out (the log of an empty sum would be -inf)
            y = _wrap(a.copy())
            ctx.save_for_backward(y)
            return y
        shifted = a - a.max(axis=dim, keepdims=True)
        y = _wrap(shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None  # g - softmax * sum(g)

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        return g - np.exp(y) * g.sum(ctx.dim, keepdims=True), None  # g - softmax * sum(g)


class Cumsum(Function):
    formula = "d cumsum(x)_i/dx_j = 1 if j <= i"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = x._data
        if a.dtype == np.float16:  # accumulate in float32, as PyTorch (a float16 running sum stalls)
            return _wrap(np.cumsum(a, axis=dim, dtype=np.float32).astype(np.float16))
        return _wrap(np.cumsum(a, axis=dim))

    @staticmethod
    def backward(ctx, grad):
        # reverse cumulative sum: x_j feeds every y_i with i >= j
        flipped = grad[(slice(None),) * ctx.dim + (slice(None, None, -1),)]
        return flipped.cumsum(ctx.dim)[(slice(None),) * ctx.dim + (slice(None, None, -1),)], None


class Cumprod(Function):
    """Running product along ``dim``. Without zeros the gradient is the reverse running
    sum of g * y, divided by x; with zeros (where that is 0/0) it is built from the
    products of the others (``_cumprod_grad_with_zeros``)."""

    formula = "d cumprod(x)_i/dx_j = prod_{k <= i, k != j} x_k if j <= i"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = _wrap(np.cumprod(x._data, axis=dim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = ctx.dim
        if (x._data == 0).any():
            return _cumprod_grad_with_zeros(x, grad, d), None
        rev = (slice(None),) * d + (slice(None, None, -1),)
        return (grad * y)[rev].cumsum(d)[rev] / x, None  # sum_{i >= j} g_i y_i / x_j


def _cumprod_grad_with_zeros(x: Tensor, grad: Tensor, dim: int) -> Tensor:
    """sum_{i >= j} g_i prod_{k <= i, k != j} x_k from Tensor ops: row j of an n x n matrix
    holds x with x_j replaced by 1, and its running product gives every product at once."""
    xt, gt = x.transpose(dim, -1), grad.transpose(dim, -1)
    n = xt._data.shape[-1]
    eye = np.eye(n, dtype=x._data.dtype)
    rows = xt.unsqueeze(-2) * _wrap(1 - eye) + _wrap(eye)  # (..., j, k)
    later = _wrap(np.triu(np.ones((n, n), x._data.dtype)))  # i >= j
    gx = (gt.unsqueeze(-2) * rows.cumprod(-1) * later).sum(-1)
    return gx.transpose(dim, -1)


class SumTo(Function):
    """Sum a broadcast gradient back down to ``shape``: the inverse of broadcasting."""

    formula = "d sum_to(x)/dx_i = 1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return _wrap(sum_to_array(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(*ctx.shape), None

    @staticmethod
    def backward_np(ctx, g):
        return _broadcast_np(g, ctx.shape), None  # each x_i feeds one sum


def sum_to_array(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``a`` over the leading axes broadcasting added and the axes where
    ``shape`` has size 1, giving an array of ``shape``."""
    axes = broadcast_axes(a.shape, shape)
    out = a.sum(axis=axes, keepdims=True) if axes else a
    return out.reshape(shape) if a.ndim != len(shape) or out.shape != shape else out


def broadcast_axes(big: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of ``big`` that broadcasting ``shape`` to it added or stretched: the leading
    ones, and those where ``shape`` has size 1 (``sum_to_array`` sums over them)."""
    lead = len(big) - len(shape)
    return tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and big[lead + i] != 1)
