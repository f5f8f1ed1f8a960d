"""Trigonometric and hyperbolic ops and their inverses: ``tan asin acos atan sinh cosh asinh
acosh atanh`` and the two-argument ``atan2(y, x)``.

Each derivative is the textbook one (d/dx tan x = 1 + tan^2 x, d/dx asin x = 1/sqrt(1 - x^2),
...). Outside an inverse's domain (``asin(2)``, ``acosh(0.5)``) the value is NaN and at its
edge (``atanh(1)``) infinite, silently, as in PyTorch; the gradient there is NaN or infinite
too. ``sin``, ``cos`` and ``tanh`` are in ``elementwise.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor

_wrap = Tensor._wrap


def _quiet(fn: np.ufunc, a: np.ndarray) -> Tensor:
    """``fn(a)`` without NumPy's warnings for NaN (out of domain), inf and overflow."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _wrap(fn(a))


class Tan(Function):
    formula = "d tan(x)/dx = 1 + tan(x)^2"

    @staticmethod
    def forward(ctx, x):
        y = _quiet(np.tan, x._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)  # d/dx tan x = 1 + tan^2 x

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        with np.errstate(over="ignore", invalid="ignore"):
            return g * (1 + y * y)  # d/dx tan x = 1 + tan^2 x


class Asin(Function):
    formula = "d asin(x)/dx = 1/sqrt(1 - x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arcsin, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 - x * x).rsqrt()  # d/dx asin x = 1 / sqrt(1 - x^2)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / np.sqrt(1 - x * x)  # d/dx asin x = 1 / sqrt(1 - x^2)


class Acos(Function):
    formula = "d acos(x)/dx = -1/sqrt(1 - x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arccos, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * (1 - x * x).rsqrt()  # d/dx acos x = -1 / sqrt(1 - x^2)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g / np.sqrt(1 - x * x)  # d/dx acos x = -1 / sqrt(1 - x^2)


class Atan(Function):
    formula = "d atan(x)/dx = 1/(1 + x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.arctan(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)  # d/dx atan x = 1 / (1 + x^2)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(over="ignore"):
            return g / (x * x + 1)  # d/dx atan x = 1 / (1 + x^2)


class Sinh(Function):
    formula = "d sinh(x)/dx = cosh(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.sinh, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()  # d/dx sinh x = cosh x

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(over="ignore", invalid="ignore"):
            return g * np.cosh(x)  # d/dx sinh x = cosh x


class Cosh(Function):
    formula = "d cosh(x)/dx = sinh(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.cosh, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()  # d/dx cosh x = sinh x

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(over="ignore", invalid="ignore"):
            return g * np.sinh(x)  # d/dx cosh x = sinh x


class Asinh(Function):
    formula = "d asinh(x)/dx = 1/sqrt(x^2 + 1)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.arcsinh(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1).rsqrt()  # d/dx asinh x = 1 / sqrt(x^2 + 1)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(over="ignore"):
            return g / np.sqrt(x * x + 1)  # d/dx asinh x = 1 / sqrt(x^2 + 1)


class Acosh(Function):
    formula = "d acosh(x)/dx = 1/sqrt(x^2 - 1)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arccosh, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x - 1).rsqrt()  # d/dx acosh x = 1 / sqrt(x^2 - 1)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g / np.sqrt(x * x - 1)  # d/dx acosh x = 1 / sqrt(x^2 - 1)


class Atanh(Function):
    formula = "d atanh(x)/dx = 1/(1 - x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arctanh, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)  # d/dx atanh x = 1 / (1 - x^2)

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (1 - x * x)  # d/dx atanh x = 1 / (1 - x^2)


class Atan2(Function):
    """The angle of the point (x, y): ``atan2(y, x)`` in (-pi, pi], quadrant-aware."""

    formula = "d atan2(y, x)/dy = x/(x^2 + y^2),  d atan2(y, x)/dx = -y/(x^2 + y^2)"
    ufunc = np.arctan2
    float_result = True

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return _wrap(np.arctan2(y._data, x._data))

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        need_y, need_x = ctx.needs_input_grad
        r2 = x * x + y * y
        gy = grad * x / r2 if need_y else None  # x / (x^2 + y^2)
        gx = -grad * y / r2 if need_x else None  # -y / (x^2 + y^2)
        return gy, gx

    @staticmethod
    def backward_np(ctx, g):
        y, x = saved_arrays(ctx)
        need_y, need_x = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = x * x + y * y
            gy = g * x / r2 if need_y else None  # x / (x^2 + y^2)
            gx = -g * y / r2 if need_x else None  # -y / (x^2 + y^2)
        return gy, gx
