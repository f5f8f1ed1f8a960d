"""Reductions composed from the others: ``nansum nanmean quantile nanquantile std_mean var_mean
aminmax cummax cummin cov corrcoef``, and one op of its own, ``logcumsumexp``. Values picked from the input (quantiles, running maxima) are a
``gather`` of it, so their gradient goes back to where they came from.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim, where
from .sorting import argsort_array

_wrap = Tensor._wrap

aminmax_result = namedtuple("aminmax", ["min", "max"])
cummax_result = namedtuple("cummax", ["values", "indices"])
cummin_result = namedtuple("cummin", ["values", "indices"])


def _not_nan(x: Tensor) -> np.ndarray:
    return ~np.isnan(x._data) if x._data.dtype.kind == "f" else np.ones(x._data.shape, bool)


def nansum(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum with NaN counted as 0 (their gradient is 0)."""
    kept = where(_wrap(_not_nan(x)), x, 0)
    return kept.sum(dim, keepdim=keepdim, dtype=dtype) if dim is not None else kept.sum(dtype=dtype)


def nanmean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the entries that are not NaN (NaN where all are)."""
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got {x.dtype}")
    count = _wrap(_not_nan(x)).sum(dim, keepdim=keepdim) if dim is not None else _wrap(_not_nan(x)).sum()
    return nansum(x, dim, keepdim, dtype=dtype) / count


def std_mean(
    x: Tensor, dim: Any = None, *, correction: Any = None, keepdim: bool = False, unbiased: Any = None
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim``."""
    return x.std(dim, unbiased=unbiased, keepdim=keepdim, correction=correction), x.mean(dim, keepdim=keepdim)


def var_mean(
    x: Tensor, dim: Any = None, *, correction: Any = None, keepdim: bool = False, unbiased: Any = None
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim``."""
    return x.var(dim, unbiased=unbiased, keepdim=keepdim, correction=correction), x.mean(dim, keepdim=keepdim)


def aminmax(x: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all elements when None)."""
    if x.numel() == 0 and dim is None:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
        )
    if dim is None:
        return (
            aminmax_result(x.amin(), x.amax())
            if not keepdim
            else aminmax_result(
                x.amin(tuple(range(x.ndim)), keepdim=True), x.amax(tuple(range(x.ndim)), keepdim=True)
            )
        )
    return aminmax_result(x.amin(dim, keepdim=keepdim), x.amax(dim, keepdim=keepdim))


def _cumulative(x: Tensor, dim: int, largest: bool, op: str) -> tuple[Tensor, Tensor]:
    """The running max (min) along ``dim`` and the index it was last reached at; NaN, once met,
    stays (at the index of the latest NaN)."""
    if x.ndim == 0:
        return x.clone(), _wrap(np.zeros((), np.int64))
    d = _wrap_dim(dim, x.ndim, op)
    a = x._data
    run = (np.maximum if largest else np.minimum).accumulate(a, axis=d)  # NaN spreads, as PyTorch's
    reached = a == run
    if a.dtype.kind == "f":
        reached |= np.isnan(a)
    shape = [1] * a.ndim
    shape[d] = a.shape[d]
    positions = np.where(reached, np.arange(a.shape[d]).reshape(shape), 0)
    idx = (
        np.maximum.accumulate(positions, axis=d).astype(np.int64)
        if a.shape[d]
        else positions.astype(np.int64)
    )
    return x.gather(d, _wrap(idx)), _wrap(idx)


def cummax(x: Tensor, dim: int) -> Any:
    """``(values, indices)``: the largest value so far along ``dim`` and where it was (the
    latest index among ties)."""
    return cummax_result(*_cumulative(x, dim, True, "cummax"))


def cummin(x: Tensor, dim: int) -> Any:
    """``(values, indices)``: the smallest value so far along ``dim`` and where it was."""
    return cummin_result(*_cumulative(x, dim, False, "cummin"))


def quantile(
    x: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
    ignore_nan: bool = False,
) -> Tensor:
    """The q-th quantiles along ``dim`` (of all elements when None): the value at position
    q (n - 1) of the sorted slice, interpolated between its neighbours (``interpolation``:
    linear, lower, higher, midpoint, nearest). A slice holding NaN gives NaN, unless
    ``ignore_nan`` (``nanquantile``), which uses the other values. A tensor ``q`` adds a
    first dimension, one entry per q."""
    op = "nanquantile" if ignore_nan else "quantile"
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    qs = q._data if isinstance(q, Tensor) else np.asarray(q, dtype=x._data.dtype)
    if qs.ndim > 1:
        raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    if x.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest. Found {interpolation}"
        )
    if dim is None:
        src, d = x.reshape(-1), 0
    else:
        src, d = x, _wrap_dim(dim, x.ndim, op)
    if src.ndim == 0:
        src, d = src.reshape(1), 0
    moved = src.movedim(d, -1)
    a = moved._data
    order = argsort_array(a, a.ndim - 1, False)  # NaN last
    values = moved.gather(-1, _wrap(order.astype(np.int64)))
    nan = np.isnan(a)
    count = (~nan).sum(-1, keepdims=True) if ignore_nan else np.full((*a.shape[:-1], 1), a.shape[-1])
    pos = qs.reshape(-1).astype(a.dtype) * np.maximum(count - 1, 0).astype(
        a.dtype
    )  # (..., Q), in x's precision
    lo = np.floor(pos).astype(np.int64)
    hi = np.ceil(pos).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(pos).astype(np.int64)  # halves to even, as PyTorch
    elif interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    v_lo, v_hi = values.gather(-1, _wrap(lo)), values.gather(-1, _wrap(hi))
    if interpolation == "midpoint":
        out = v_lo + (v_hi - v_lo) * 0.5
    elif interpolation == "linear":
        out = v_lo + (v_hi - v_lo) * _wrap((pos - lo).astype(a.dtype))
    else:
        out = v_lo
    bad = (count == 0) if ignore_nan else nan.any(-1, keepdims=True)
    if bad.any():
        out = where(_wrap(np.broadcast_to(bad, out.shape)), float("nan"), out)
    out = out.movedim(-1, 0)  # (Q, ...)
    if keepdim and x.ndim:
        out = out.unsqueeze(d + 1) if dim is not None else out.reshape(out.shape[:1] + (1,) * x.ndim)
    return out if qs.ndim == 1 else out.squeeze(0)


def cov(x: Tensor, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``x`` (observations in the columns):
    ``(x - mean) (x - mean)^T / (N - correction)``; a 1-D ``x`` is one variable (a 0-d result)."""
    if fweights is not None or aweights is not None:
        raise NotImplementedError(
            "cov: fweights and aweights are not supported; weight the observations first"
        )
    if x.ndim > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with {x.ndim} dimensions"
        )
    if x._data.dtype.kind != "f":
        x = x.float()
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    n = rows.shape[1]
    centered = rows - rows.mean(1, keepdim=True)
    out = (centered @ centered.mT) / max(n - correction, 0)
    return out.reshape(()) if rows.shape[0] == 1 else out  # one variable: its variance, 0-d


def corrcoef(x: Tensor) -> Tensor:
    """Pearson's correlation coefficients: ``cov / sqrt(var_i var_j)``, clipped to [-1, 1]."""
    c = cov(x)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1, 1)


class LogCumSumExp(Function):
    """y_i = log(sum_{j <= i} e^(x_j)) along ``dim``, accumulated with NumPy's
    ``logaddexp`` (no overflow, -inf allowed). In backward, ``lowest - y`` may overflow to
    -inf, which is a zero term, so NumPy's warning is silenced there."""

    formula = "d logcumsumexp(x)_i/dx_j = exp(x_j - y_i) for j <= i"

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        work = a.astype(np.float32) if a.dtype == np.float16 else a  # (float16 in float32, as PyTorch)
        y = _wrap(np.logaddexp.accumulate(work, axis=dim).astype(a.dtype, copy=False))
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = ctx.dim
        # dL/dx_j = sum_{i >= j} g_i e^(x_j - y_i), summed in log space for the positive and the
        # negative parts of g separately (PyTorch's and TensorFlow's form): no overflow
        lowest = float(np.finfo(grad._data.dtype).min)
        log_abs = grad.abs().log()
        parts = []
        with np.errstate(over="ignore", invalid="ignore"):
            for mask in (grad._data > 0, grad._data < 0):
                log_g = where(_wrap(mask), log_abs, lowest)
                rev = LogCumSumExp.apply((log_g - y).flip(d), d).flip(d)  # log sum_{i >= j} g_i e^(-y_i)
                parts.append((rev + x).exp())
        return parts[0] - parts[1], None


def logcumsumexp(x: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, without overflow."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(
            f'"logcumsumexp_out_cpu" not implemented for {x.dtype}: convert with .float() first'
        )
    if x.ndim == 0:
        _wrap_dim(dim, 0, "logcumsumexp")
        return LogCumSumExp.apply(x.reshape(1), 0).reshape(())
    return LogCumSumExp.apply(x, _wrap_dim(dim, x.ndim, "logcumsumexp"))
