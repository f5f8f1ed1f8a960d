"""Sorting, selecting and counting: ``sort argsort topk unique bincount histc histogram
nonzero masked_select``.

Only the values picked by ``sort`` and ``topk`` (and ``masked_select``) are
differentiable: they are a ``gather`` of the input at the sorted positions, so
their gradient is scattered back to where each value came from. Indices and
counts are int64 (bool for masks) and carry no gradient, as in PyTorch.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap_dim

_wrap = Tensor._wrap

# What PyTorch returns as ``torch.return_types.sort`` etc.: tuples with named fields.
sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])
histogram_result = namedtuple("histogram", ["hist", "bin_edges"])


def argsort_array(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sort order along ``dim`` (equal values keep their order, NaN counts as the
    largest value), ascending or descending."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # descending and stable: sort the reversed array ascending, then read the order backwards
    n = a.shape[dim]
    order = np.argsort(np.flip(a, axis=dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(order, axis=dim)


def sort_arguments(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, bool]:
    """``(dim, descending)`` from PyTorch's two signatures of ``sort``/``argsort``:
    ``(dim=-1, descending=False)``, or ``(*, stable, dim=-1, descending=False)`` where, once
    ``stable`` is given, the others are keywords too. (The sort is always stable here.)"""
    unknown = sorted(set(kwargs) - {"dim", "axis", "descending", "stable"})
    if unknown:
        raise TypeError(f"{op}() got an unexpected keyword argument {unknown[0]!r}")
    if "axis" in kwargs:  # NumPy's name, which PyTorch accepts too
        if "dim" in kwargs:
            raise TypeError(f"{op}(): pass either dim or axis, not both")
        kwargs = {("dim" if k == "axis" else k): v for k, v in kwargs.items()}
    if args and "stable" in kwargs:
        raise TypeError(
            f"{op}(): with stable=, dim and descending are keyword-only too, as in PyTorch's "
            f"{op}(*, stable, dim=-1, descending=False): write {op}(dim=..., stable=...)"
        )
    if len(args) > 2:
        raise TypeError(f"{op}() takes from 0 to 2 positional arguments but {len(args)} were given")
    values = dict(kwargs)
    for name, value in zip(("dim", "descending"), args, strict=False):
        if name in values:
            raise TypeError(f"{op}() got multiple values for argument {name!r}")
        values[name] = value
    return values.get("dim", -1), bool(values.get("descending", False))


def sort(x: Tensor, dim: int = -1, descending: bool = False) -> tuple[Tensor, Tensor]:
    """``(values, indices)``: ``values = x.gather(dim, indices)`` (differentiable)."""
    if x.ndim == 0:
        return sort_result(x.clone(), _wrap(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "sort")
    idx = argsort_array(x._data, d, descending).astype(np.int64, copy=False)
    return sort_result(x.gather(d, _wrap(idx)), _wrap(idx))


def argsort(x: Tensor, dim: int = -1, descending: bool = False) -> Tensor:
    if x.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    d = _wrap_dim(dim, x.ndim, "argsort")
    return _wrap(argsort_array(x._data, d, descending).astype(np.int64, copy=False))


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True) -> tuple[Tensor, Tensor]:
    """The ``k`` largest (or smallest) values along ``dim``, in sorted order, and their
    indices; ties keep the earlier index first."""
    k = int(k)
    n = x._data.shape[_wrap_dim(dim, x.ndim, "topk")] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range (k = {k}, dimension {dim} has size {n})")
    if x.ndim == 0:
        return topk_result(x.clone(), _wrap(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "topk")
    idx = argsort_array(x._data, d, largest)
    idx = np.take(idx, np.arange(k), axis=d).astype(np.int64, copy=False)
    return topk_result(x.gather(d, _wrap(idx)), _wrap(idx))


def unique(
    x: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """The distinct values (sorted; rows/slices along ``dim`` when given), optionally with
    the int64 index of each element's value in them and how often each occurs."""
    a = x._data
    axis = None if dim is None else _wrap_dim(dim, x.ndim, "unique")
    if axis is not None and any(n == 0 for i, n in enumerate(a.shape) if i != axis):
        raise RuntimeError(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
        )
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(a.shape if axis is None else (a.shape[axis],)).astype(np.int64)
    out = [_wrap(values)]
    if return_inverse:
        out.append(_wrap(inverse))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in the 1-D non-negative integer ``x`` (int64),
    or the sum of ``weights`` at each value (in the weights' dtype)."""
    a = x._data
    if a.dtype.kind not in "iub":
        raise NotImplementedError(
            f'"bincount_cpu" not implemented for {x.dtype}: pass integer values (.long())'
        )
    if a.ndim != 1:
        raise RuntimeError(
            f"bincount only supports 1-d non-negative integral inputs, got {x.dtype} of shape {tuple(x.shape)}"
        )
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs (found a negative value)")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return _wrap(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data if isinstance(weights, Tensor) else np.asarray(weights)
    if w.shape != a.shape:
        raise RuntimeError(f"bincount: weights {w.shape} should have the same length as the input {a.shape}")
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return _wrap(np.bincount(a, weights=w, minlength=minlength).astype(dt))


def _floating_only(x: Tensor, op: str) -> np.ndarray:
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for {x.dtype}: convert with .float() first')
    return x._data


def histc(x: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts in ``bins`` equal-width bins over [min, max] (the data's range when min == max;
    values outside are ignored, the last bin includes ``max``), in the input's dtype."""
    a = _floating_only(x, "histogram_cpu").reshape(-1)
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, got min {lo} and max {hi}")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    lo_, hi_ = a.dtype.type(lo), a.dtype.type(hi)
    inside = (a >= lo_) & (a <= hi_)
    v = a[inside]
    # the bin as PyTorch computes it, in the input's precision: (x - lo) * bins / (hi - lo)
    pos = ((v - lo_) * a.dtype.type(bins) / (hi_ - lo_)).astype(np.int64)
    pos[pos == bins] = bins - 1  # the last bin includes its right edge
    return _wrap(np.bincount(pos, minlength=bins).astype(a.dtype))


def _linspace(lo: float, hi: float, steps: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's linspace: from the start for the first half, from the end for the second."""
    i = np.arange(steps)
    step = (dt.type(hi) - dt.type(lo)) / dt.type(max(steps - 1, 1))
    return np.where(i < steps // 2, dt.type(lo) + step * i, dt.type(hi) - step * (steps - 1 - i)).astype(dt)


def histogram(
    x: Tensor, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
) -> tuple[Tensor, Tensor]:
    """``(hist, bin_edges)``: ``bins`` equal-width bins over ``range`` (default: the data's
    range), or the given bin edges (a 1-D tensor); the last bin includes its right edge."""
    a = _floating_only(x, "histogram_cpu").reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(a.dtype)
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        else:
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace(lo, hi, int(bins) + 1, a.dtype)
    n = edges.size - 1
    pos = np.searchsorted(edges, a, side="right") - 1
    pos[a == edges[-1]] = n - 1
    keep = (pos >= 0) & (pos < n) & (a >= edges[0]) & (a <= edges[-1])
    w = (
        None
        if weight is None
        else np.asarray(weight._data if isinstance(weight, Tensor) else weight).reshape(-1)
    )
    hist = np.bincount(pos[keep], weights=None if w is None else w[keep], minlength=n).astype(a.dtype)
    if density:
        total = hist.sum()
        with np.errstate(invalid="ignore", divide="ignore"):  # no counts: nan, as PyTorch
            hist = (hist / (total * np.diff(edges))).astype(a.dtype)
    return histogram_result(_wrap(hist), _wrap(edges))


def nonzero(x: Tensor, as_tuple: bool = False) -> Any:
    """The int64 indices of the nonzero elements: an (N, ndim) tensor, or one 1-D tensor
    per dimension with ``as_tuple=True`` (``x[x.nonzero(as_tuple=True)]`` picks them)."""
    a = x._data
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return _wrap(np.argwhere(a).astype(np.int64))


def masked_select(x: Tensor, mask: Any) -> Tensor:
    """The elements of ``x`` where ``mask`` is True (both broadcast), as a 1-D tensor."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_select: expected BoolTensor for mask, got {dtypes.from_numpy_dtype(m.dtype)}"
        )
    try:
        shape = np.broadcast_shapes(x._data.shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: the shapes of input {tuple(x.shape)} and mask {m.shape} are not broadcastable"
        ) from None
    return x.expand(*shape)[_wrap(np.broadcast_to(m, shape))]
