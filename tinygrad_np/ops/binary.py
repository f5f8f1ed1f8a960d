"""Binary elementwise ops with broadcasting: z = f(x, y).

Operands arrive with one dtype (``Tensor`` promotes them first). A gradient
may come back with the broadcast shape; the engine sums it down to each
input's shape in one place (``autograd/engine.py: sum_to``), so no op here
has to think about broadcasting.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor, where

_wrap = Tensor._wrap


class Add(Function):
    formula = "d(x + y)/dx = 1,  d(x + y)/dy = 1"
    ufunc = np.add
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        return _wrap(x._data + y._data)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad  # both partials are 1

    @staticmethod
    def backward_np(ctx, g):
        return g, g  # both partials are 1


class Sub(Function):
    formula = "d(x - y)/dx = 1,  d(x - y)/dy = -1"
    ufunc = np.subtract
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        return _wrap(x._data - y._data)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)

    @staticmethod
    def backward_np(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)  # partials 1 and -1


class Mul(Function):
    formula = "d(x * y)/dx = y,  d(x * y)/dy = x"
    ufunc = np.multiply
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad or (False, False)
        # save only what backward reads, so `x *= 2` on a non-leaf keeps its gradient
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        return _wrap(x._data * y._data)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (grad * y if need_x else None), (grad * x if need_y else None)

    @staticmethod
    def backward_np(ctx, g):
        x, y = saved_arrays(ctx)
        need_x, need_y = ctx.needs_input_grad
        return (g * y if need_x else None), (g * x if need_y else None)  # y and x


class Div(Function):
    formula = "d(x / y)/dx = 1/y,  d(x / y)/dy = -x/y^2"
    ufunc = np.true_divide
    float_result = True

    @staticmethod
    def forward(ctx, x, y):
        need_y = ctx.needs_input_grad[1] if ctx.needs_input_grad else False
        ctx.save_for_backward(x if need_y else None, y)  # x only for d/dy
        if y._data.ndim == 0 and _finite_nonzero(float(y._data)):
            return _wrap(x._data / y._data)  # x / c: no 0 divisor, no inf / inf (np.errstate costs ~0.8 us)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(x._data / y._data)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = grad / y if need_x else None  # 1/y
        gy = -grad * x / (y * y) if need_y else None  # -x/y^2
        return gx, gy

    @staticmethod
    def backward_np(ctx, g):
        x, y = saved_arrays(ctx)
        need_x, need_y = ctx.needs_input_grad
        gx = g / y if need_x else None  # 1/y
        gy = -g * x / (y * y) if need_y else None  # -x/y^2
        return gx, gy


class Pow(Function):
    formula = "d(x^y)/dx = y x^(y-1),  d(x^y)/dy = x^y log(x)"
    ufunc = np.power
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        if y._data.dtype.kind in "iu" and (y._data < 0).any():
            raise RuntimeError("pow: integers to negative integer powers are not allowed")
        ctx.save_for_backward(x, y)
        if y._data.ndim == 0 and y._data >= 0 and float(y._data).is_integer():
            return _wrap(np.power(x._data, y._data))  # x^k, whole k >= 0: no 0^-k, no (-x)^(1/2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.power(x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = grad * y * x ** (y - 1)  # y x^(y-1)
            zero_exp = y._data == 0
            if zero_exp.any():  # d(x^0)/dx = 0 everywhere, x = 0 included (where 0 * 0^-1 is nan)
                gx = where(zero_exp, 0.0, gx)
        if need_y:
            # x^y log x, taken as 0 where x == 0 and y >= 0 (the limit), as PyTorch does
            safe_x = x + _wrap(((x._data == 0) & (y._data >= 0)).astype(x._data.dtype))
            gy = grad * x**y * safe_x.log()
        return gx, gy


class Maximum(Function):
    formula = "d max(x, y)/dx = 1 if x > y, 1/2 if x == y, else 0 (1 to both where one is NaN)"
    ufunc = np.maximum
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _wrap(np.maximum(x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _shares(grad, x._data < y._data, x._data > y._data, x._data == y._data)


class Minimum(Function):
    formula = "d min(x, y)/dx = 1 if x < y, 1/2 if x == y, else 0 (1 to both where one is NaN)"
    ufunc = np.minimum
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _wrap(np.minimum(x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _shares(grad, x._data > y._data, x._data < y._data, x._data == y._data)


def _shares(
    grad: Tensor, x_loses: np.ndarray, y_loses: np.ndarray, ties: np.ndarray
) -> tuple[Tensor, Tensor]:
    """Each operand's gradient as PyTorch shares it: all of it where it wins, half on a
    tie, none where it loses; where a NaN is involved neither loses, and both get it all."""
    dt = grad._data.dtype
    x_share = np.where(x_loses, 0, 1 - 0.5 * ties).astype(dt)
    y_share = np.where(y_loses, 0, 1 - 0.5 * ties).astype(dt)
    return grad * _wrap(x_share), grad * _wrap(y_share)


class Remainder(Function):
    formula = "d(x mod y)/dx = 1,  d(x mod y)/dy = -floor(x/y)"
    ufunc = np.remainder
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        check_int_divisor(y._data, "remainder")
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):  # a float x mod 0 is nan, as PyTorch
            return _wrap(np.remainder(x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * _wrap(np.floor(x._data / y._data))  # x mod y = x - floor(x/y) y


class Fmod(Function):
    """The C remainder: x - trunc(x/y) y, with the sign of x (``remainder`` has y's)."""

    formula = "d fmod(x, y)/dx = 1,  d fmod(x, y)/dy = -trunc(x/y)"
    ufunc = np.fmod
    float_result = False

    @staticmethod
    def forward(ctx, x, y):
        check_int_divisor(y._data, "fmod")
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):  # a float fmod by 0 is nan, as PyTorch
            return _wrap(np.fmod(x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * _wrap(np.trunc(x._data / y._data))  # x - trunc(x/y) y


class Where(Function):
    formula = "d where(c, x, y)/dx = c,  d/dy = not c"

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.cond = cond
        return _wrap(np.where(cond, x._data, y._data))

    @staticmethod
    def backward(ctx, grad):
        c = ctx.cond
        zero = np.zeros((), grad._data.dtype)
        _, need_x, need_y = ctx.needs_input_grad
        gx = grad * _wrap(np.where(c, 1, zero)) if need_x else None
        gy = grad * _wrap(np.where(c, zero, 1)) if need_y else None
        return None, gx, gy


class RoundedDiv(Function):
    """x / y rounded towards zero (``mode='trunc'``) or down (``'floor'``): ``div`` with a
    ``rounding_mode``. Piecewise constant, so its gradient is zero, as PyTorch's."""

    formula = "d round(x / y)/dx = 0,  d/dy = 0"

    @staticmethod
    def forward(ctx, x, y, mode):
        a, b = x._data, y._data
        check_int_divisor(b, "div")
        with np.errstate(divide="ignore", invalid="ignore"):  # a float x / 0 is inf or nan
            if mode == "floor":
                return _wrap(np.floor_divide(a, b))
            if a.dtype.kind in "iu":  # integers stay integers (no float round trip)
                q = np.abs(a) // np.abs(b)
                return _wrap(np.where((a < 0) != (b < 0), -q, q).astype(a.dtype))
            return _wrap(np.trunc(a / b))

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0.0
        return zero, zero, None


def check_int_divisor(d: np.ndarray, op: str) -> None:
    """Integer division by zero raises, as in PyTorch (NumPy would give 0 with a warning)."""
    if d.dtype.kind in "iub" and not d.all():
        raise RuntimeError(
            f"ZeroDivisionError: {op}: integer division by zero (divisor of dtype {d.dtype} "
            "contains 0); as PyTorch, this is refused: use a float tensor for inf/nan results"
        )


def _finite_nonzero(v: float) -> bool:
    return v != 0 and math.isfinite(v)
