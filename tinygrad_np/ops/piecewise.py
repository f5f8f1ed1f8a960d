"""Piecewise activations with PyTorch's conventions at their kinks and for NaN.

Each op compares the input exactly as PyTorch's kernel does, so the value and the
gradient agree at the breakpoints (a subgradient has to be chosen there) and NaN
passes through as in PyTorch:

* ``hardtanh`` (``relu6``): gradient 0 *at* the bounds (``x <= lo or x >= hi``), 1 inside;
  ``clamp`` keeps its own convention (1 at the bounds), see ``elementwise.Clamp``.
* ``threshold``: ``value`` where ``x <= threshold``; NaN is not ``<=``, so it stays NaN
  and gets the gradient.
* ``elu`` (``selu``, ``celu``): the exponential branch where ``x <= 0``.
* ``hardsigmoid``: slope 1/6 strictly inside (-3, 3); ``hardswish``: 0 up to -3, x/3 + 1/2
  on (-3, 3), 1 from 3 (so 1 at +inf and 0 at -inf, never NaN).

Backward is written with Tensor ops (``where`` with constant conditions), so it is
differentiable again; ``where`` selects, so an infinite incoming gradient on the
zero side gives 0, not inf * 0 = NaN.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, where

_wrap = Tensor._wrap


class Hardtanh(Function):
    formula = "d hardtanh(x)/dx = 1 if lo < x < hi else 0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _wrap(np.clip(x._data, lo, hi).astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        outside = (x._data <= ctx.lo) | (x._data >= ctx.hi)  # NaN is neither: it keeps the gradient
        return where(outside, 0.0, grad), None, None  # 0 at and beyond the bounds, else 1


class Threshold(Function):
    formula = "d threshold(x)/dx = 0 if x <= threshold else 1"

    @staticmethod
    def forward(ctx, x, threshold, value):
        below = x._data <= threshold
        ctx.below = below
        return _wrap(np.where(below, np.asarray(value, x._data.dtype), x._data))

    @staticmethod
    def backward(ctx, grad):
        return where(ctx.below, 0.0, grad), None, None  # 0 where replaced by value, else 1


class Elu(Function):
    """PyTorch's elu kernel: scale * x for x > 0, scale * alpha * (e^(input_scale x) - 1)
    for x <= 0; ``elu`` is (alpha, 1, 1), ``selu`` its fixed constants, ``celu``
    (alpha, 1, 1/alpha)."""

    formula = "d elu(x)/dx = scale if x > 0 else scale alpha input_scale e^(input_scale x)"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.save_for_backward(x)
        ctx.coefs = alpha, scale, input_scale
        a = x._data
        neg = a <= 0
        ctx.neg = neg
        with np.errstate(over="ignore", invalid="ignore"):
            y = np.where(neg, np.expm1(np.minimum(a, 0) * input_scale) * (alpha * scale), a * scale)
        return _wrap(y.astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefs
        slope = (x.clamp(max=0.0) * input_scale).exp() * (alpha * scale * input_scale)
        return where(ctx.neg, grad * slope, grad * scale), None, None, None


_ONE_SIXTH = float(np.float32(1 / 6))  # PyTorch's constant, a float32 even for float64 tensors


class Hardsigmoid(Function):
    formula = "d hardsigmoid(x)/dx = 1/6 if -3 < x < 3 else 0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        return _wrap((np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = (x._data > -3) & (x._data < 3)
        return where(inside, grad * _ONE_SIXTH, 0.0)  # 1/6 inside (-3, 3), 0 at and beyond


class Hardswish(Function):
    formula = "d hardswish(x)/dx = 0 if x <= -3, x/3 + 1/2 if x < 3, else 1"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        with np.errstate(invalid="ignore"):  # -inf * 0 = nan, as in PyTorch
            return _wrap((a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = x._data
        middle = where(a < 3, grad * (x / 3 + 0.5), grad)  # NaN and +inf: 1
        return where(a <= -3, 0.0, middle)


class ClampTensor(Function):
    """clamp(x, lo, hi) = min(max(x, lo), hi) with tensor bounds (broadcasting); a NaN in
    x or in a bound gives NaN, as in PyTorch. ``lo``/``hi`` may be None."""

    formula = "d clamp(x, lo, hi)/dx = 1 if lo <= x <= hi;  d/dlo = 1 if x < lo;  d/dhi = 1 if x > hi"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        out = x._data
        if lo is not None:
            out = np.maximum(out, lo._data)
        if hi is not None:
            out = np.minimum(out, hi._data)
        return _wrap(np.asarray(out, x._data.dtype))

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        a = x._data
        need_x, need_lo, need_hi = ctx.needs_input_grad
        ok = np.ones(a.shape, bool)
        if lo is not None:
            ok = ok & (a >= lo._data)
        if hi is not None:
            ok = ok & (a <= hi._data)
        gx = where(ok, grad, 0.0) if need_x else None  # 1 inside [lo, hi], bounds included
        glo = ghi = None
        if need_lo:  # x below lo (and lo < hi, else hi wins)
            below = a < lo._data if hi is None else (a < lo._data) & (lo._data < hi._data)
            glo = where(below, grad, 0.0)
        if need_hi:  # x above hi, or hi below lo (then the result is hi)
            above = a > hi._data if lo is None else (a > hi._data) | (hi._data < lo._data)
            ghi = where(above, grad, 0.0)
        return gx, glo, ghi
