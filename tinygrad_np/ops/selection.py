"""Picking elements by position or by rank, and writing them by position: ``index_select
median kthvalue unique_consecutive scatter scatter_add``.

``index_select`` is indexing with a vector along one dimension (its gradient adds up over
repeated indices). ``median`` and ``kthvalue`` pick one element per slice by its rank in a
stable ascending sort (NaN ranks above every number): the k-th smallest, and for the median
the lower of the two middle ones, ``(n - 1) // 2``; a slice holding NaN has the median NaN,
at its first NaN, as in PyTorch. The picked value's gradient goes to the position it came from.
The median of all elements (no ``dim``) shares its gradient equally among the elements equal
to it, as PyTorch does. ``unique_consecutive`` has no gradient. ``scatter`` writes ``src`` into
a copy of ``x`` at ``index`` along ``dim`` (the inverse of ``gather``): ``x``'s gradient is cut
where it was overwritten and ``src``'s is gathered back; ``scatter_add`` adds instead.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from .movement import ScatterAdd, check_gather_index
from .sorting import argsort_array

_wrap = Tensor._wrap

# What PyTorch returns as ``torch.return_types.median`` and ``.kthvalue``.
median_result = namedtuple("median", ["values", "indices"])
nanmedian_result = namedtuple("nanmedian", ["values", "indices"])
kthvalue_result = namedtuple("kthvalue", ["values", "indices"])


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """``x`` at the positions ``index`` (a 1-D int32/int64 tensor) along ``dim``; the other
    dimensions are kept whole. Differentiable in ``x``."""
    if not isinstance(index, Tensor):
        raise TypeError(
            f"index_select(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}"
        )
    idx = index._data
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(
            f"index_select(): Expected dtype int32 or int64 for index, got {index.dtype}; use index.long()"
        )
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {tuple(index.shape)}")
    if x.ndim == 0:
        _wrap_dim(dim, 0, "index_select")
        if idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        if int(idx.reshape(())) != 0:
            raise IndexOutOfRangeError(
                "index_select(): index out of range in self (a 0-d tensor has only index 0)"
            )
        return x.reshape(1)[_wrap(idx.reshape(1))].reshape(())
    d = _wrap_dim(dim, x.ndim, "index_select")
    n = x._data.shape[d]
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        raise IndexOutOfRangeError(
            f"index_select(): index out of range in self: index {int(idx[bad].flat[0])} is out of range for "
            f"dimension {d} of size {n} (input shape {tuple(x.shape)}; negative indices are not allowed)"
        )
    return x[(slice(None),) * d + (_wrap(idx.reshape(-1).astype(np.int64, copy=False)),)]


class IndexOutOfRangeError(IndexError, RuntimeError):
    """An index outside its dimension. PyTorch raises IndexError ('index out of range in
    self') or RuntimeError ('INDICES element is out of DATA bounds') depending on the dim and
    its kernel; this is both, so either ``except`` catches it."""


class _Picked(Function):
    """One element per slice along ``dim``, at ``idx`` (shape of ``x`` with ``dim`` of size 1)."""

    @staticmethod
    def forward(ctx, x, dim, idx, keepdim):
        ctx.dim, ctx.idx, ctx.shape, ctx.keepdim = dim, idx, x._data.shape, keepdim
        out = np.take_along_axis(x._data, idx, axis=dim)
        return _wrap(out if keepdim else np.squeeze(out, dim))

    @staticmethod
    def backward(ctx, grad):
        g = grad if ctx.keepdim else grad.unsqueeze(ctx.dim)
        return ScatterAdd.apply(g, ctx.dim, ctx.idx, ctx.shape), None, None, None  # 1 at the picked x


class Median(_Picked):
    formula = "d median(x, dim)/dx = 1 at the median's position, 0 elsewhere"
    node_name = "MedianBackward1"  # as PyTorch names the one with a dim


class Kthvalue(_Picked):
    formula = "d kthvalue(x, k, dim)/dx = 1 at the k-th smallest's position, 0 elsewhere"


class MedianAll(Function):
    formula = "d median(x)/dx = 1/m at each of the m elements equal to the median"
    node_name = "MedianBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, i):
        a = x._data
        value = a.reshape(-1)[i] if a.size else np.array(np.nan, a.dtype)  # empty: NaN
        ctx.share = (a == value) | (np.isnan(a) & np.isnan(value))  # ties (or NaNs) share
        return _wrap(np.asarray(value))

    @staticmethod
    def backward(ctx, grad):
        share = ctx.share.astype(grad._data.dtype)
        return grad * _wrap(share / max(share.sum(), 1)), None  # g / m at each equal element


def _check_sortable(x: Tensor, op: str) -> None:
    if x._data.dtype == np.bool_:
        raise NotImplementedError(
            f"\"{op}_cpu\" not implemented for 'Bool': convert with .long() or .float()"
        )


def _ranked(a: np.ndarray, d: int, k: int) -> np.ndarray:
    """The positions of the element of rank ``k`` (0-based, stable ascending, NaN last) along
    ``d``, with ``d`` kept as size 1."""
    return np.take(argsort_array(a, d, False), [k], axis=d).astype(np.int64, copy=False)


def median(x: Tensor, dim: int | None = None, keepdim: bool = False, *, ignore_nan: bool = False) -> Any:
    """The lower median of all elements (a 0-d tensor), or ``(values, indices)`` along ``dim``;
    with ``ignore_nan`` (``nanmedian``) the median of the values that are not NaN (NaN only
    where all are)."""
    op = "nanmedian" if ignore_nan else "median"
    _check_sortable(x, op)
    a = x._data
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    if dim is None:
        if a.size == 0:
            if a.dtype.kind != "f":
                raise RuntimeError(f"{op}(): the median of an empty {x.dtype} tensor is undefined")
            return MedianAll.apply(x, 0)
        flat, nan_flat = a.reshape(-1), nan.reshape(-1)
        count = int((~nan_flat).sum()) if ignore_nan else flat.size
        if nan_flat.any() and (not ignore_nan or count == 0):
            i = int(np.argmax(nan_flat))
        else:
            i = int(argsort_array(flat, 0, False)[(count - 1) // 2])  # NaN sort last
        return MedianAll.apply(x, i)
    if x.ndim == 0:
        _wrap_dim(dim, 0, op)
        values, indices = median(x.reshape(1), 0, keepdim, ignore_nan=ignore_nan)
        return (nanmedian_result if ignore_nan else median_result)(values.reshape(()), indices.reshape(()))
    d = _wrap_dim(dim, x.ndim, op)
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    has_nan = nan.any(axis=d, keepdims=True)
    if ignore_nan:  # rank (count - 1) // 2 among the numbers, which sort before the NaN
        ranks = np.maximum(((~nan).sum(axis=d, keepdims=True) - 1) // 2, 0)
        idx = np.take_along_axis(argsort_array(a, d, False), ranks, axis=d).astype(np.int64)
    else:
        idx = _ranked(a, d, (n - 1) // 2)
        if has_nan.any():  # a slice with NaN has the median NaN, at its first NaN
            idx = np.where(has_nan, np.argmax(nan, axis=d, keepdims=True), idx)
    values = Median.apply(x, d, idx, keepdim)
    result = nanmedian_result if ignore_nan else median_result
    return result(values, _wrap(idx if keepdim else np.squeeze(idx, d)))


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``; among
    equal values the one first in the input (PyTorch may pick another of the ties)."""
    _check_sortable(x, "kthvalue")
    k = int(k)
    if x.ndim == 0:
        d = _wrap_dim(dim, 0, "kthvalue")
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        values, indices = kthvalue(x.reshape(1), k, 0, keepdim)
        return kthvalue_result(values.reshape(()), indices.reshape(()))
    d = _wrap_dim(dim, x.ndim, "kthvalue")
    n = x._data.shape[d]
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {d} (k = {k}, the dimension has size {n})"
        )
    idx = _ranked(x._data, d, k - 1)
    values = Kthvalue.apply(x, d, idx, keepdim)
    return kthvalue_result(values, _wrap(idx if keepdim else np.squeeze(idx, d)))


def unique_consecutive(
    x: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """Each run of equal consecutive values (slices along ``dim`` when given; else of the
    flattened input) kept once; optionally the int64 index of each element's run (the
    input's shape, or ``(size of dim,)``) and the length of each run."""
    a = x._data
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values, inverse_shape = flat[starts], a.shape
    else:
        d = _wrap_dim(dim, x.ndim, "unique_consecutive")
        if any(n == 0 for i, n in enumerate(a.shape) if i != d):
            raise RuntimeError(
                "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
            )
        rows = np.moveaxis(a, d, 0).reshape(a.shape[d], a.size // max(a.shape[d], 1))
        starts = np.ones(a.shape[d], bool)
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        values, inverse_shape = np.compress(starts, a, axis=d), (a.shape[d],)
    out = [_wrap(values)]
    if return_inverse:
        out.append(_wrap((np.cumsum(starts) - 1).astype(np.int64).reshape(inverse_shape)))
    if return_counts:
        edges = np.append(np.flatnonzero(starts), starts.size)
        out.append(_wrap(np.diff(edges).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


class Scatter(Function):
    """A copy of ``x`` with ``src[i][j]`` written at ``[index[i][j]][j]`` (for dim 0);
    ``src`` has ``index``'s shape. Where an index repeats, one of the writes is kept."""

    formula = "d scatter(x, idx, src)/dx = 0 at the written positions, else 1;  d/dsrc = 1 where written"

    @staticmethod
    def forward(ctx, x, dim, idx, src):
        where = list(np.indices(idx.shape, sparse=True))
        where[dim] = idx
        ctx.dim, ctx.idx, ctx.where = dim, idx, tuple(where)
        out = x._data.copy()
        out[ctx.where] = src._data
        return _wrap(out)

    @staticmethod
    def backward(ctx, grad):
        kept = np.ones(grad._data.shape, grad._data.dtype)
        kept[ctx.where] = 0
        gx = grad * _wrap(kept)  # 0 where overwritten, else 1
        gsrc = grad.gather(ctx.dim, _wrap(ctx.idx))  # 1 from each src entry to where it was written
        return gx, None, None, gsrc


def _scatter_operands(x: Tensor, dim: int, index: Any, src: Any, op: str) -> tuple[int, np.ndarray, Tensor]:
    """PyTorch's checks on ``scatter``'s index; ``src`` (a tensor or a number) as a tensor of
    the index's shape and ``x``'s dtype."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype.kind not in "iu" or idx.dtype == np.uint8:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {index.dtype}")
    if x.ndim == 0:
        raise RuntimeError(f"{op}(): the input is 0-d; scatter into x.reshape(1) instead")
    d = _wrap_dim(dim, x.ndim, op)
    check_gather_index(x._data.shape, d, idx, op)
    idx = idx.astype(np.int64, copy=False)
    if isinstance(src, Tensor):
        if src.ndim != idx.ndim:
            raise RuntimeError(
                f"{op}(): Index tensor must have the same number of dimensions as src tensor "
                f"(index {tuple(index.shape)}, src {tuple(src.shape)})"
            )
        if any(n > s for n, s in zip(idx.shape, src._data.shape, strict=True)):
            raise RuntimeError(
                f"{op}(): Expected index {tuple(index.shape)} to be smaller than src {tuple(src.shape)} in every dimension"
            )
        if src._data.dtype != x._data.dtype:
            raise RuntimeError(
                f"{op}(): Expected self.dtype to be equal to src.dtype ({x.dtype} and {src.dtype})"
            )
        part = src if src._data.shape == idx.shape else src[tuple(slice(0, n) for n in idx.shape)]
    else:
        part = _wrap(np.full(idx.shape, src, x._data.dtype))
    return d, idx, part


def scatter(
    x: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None
) -> Tensor:
    """``x`` with ``src`` (a tensor, or the number ``value``) written at ``index`` along ``dim``:
    ``out[index[i][j]][j] = src[i][j]`` for dim 0; ``reduce='add'`` adds (``scatter_add``)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter(): pass src (a tensor) or value (a number)")
    if reduce not in (None, "add"):
        raise NotImplementedError(
            f"scatter(): reduce={reduce!r} is not supported here (only 'add'); use scatter_reduce's "
            "equivalent composed from gather and arithmetic"
        )
    if reduce == "add":
        warnings.warn(
            "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a future "
            "PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
            UserWarning,
            stacklevel=3,
        )
        return scatter_add(x, dim, index, src)
    d, idx, part = _scatter_operands(x, dim, index, src, "scatter")
    return Scatter.apply(x, d, idx, part)


def scatter_add(x: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """``x`` plus ``src`` added at ``index`` along ``dim`` (repeated indices add up):
    ``out[index[i][j]][j] += src[i][j]`` for dim 0."""
    d, idx, part = _scatter_operands(x, dim, index, src, "scatter_add")
    return x + ScatterAdd.apply(part, d, idx, x._data.shape)
