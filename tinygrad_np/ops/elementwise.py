"""Unary elementwise ops: y = f(x), and dL/dx = dL/dy * f'(x).

Each backward is written with Tensor ops, so it is differentiable again when
``create_graph=True``. Masks (where f' is piecewise constant) are constants.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor
from .special import erf, erfc, erfinv

_wrap = Tensor._wrap


def sign(a: np.ndarray) -> np.ndarray:
    """-1, 0 or 1, and +0 for NaN and -0 as PyTorch's ``sign`` (NumPy's gives NaN and -0)."""
    out = np.asarray(np.sign(a))  # (a 0-d input gives a NumPy scalar)
    if out.dtype.kind == "f":
        if np.isnan(out).any():
            out = np.where(np.isnan(out), 0, out).astype(out.dtype)
        out += out.dtype.type(0)  # -0 + 0 is +0
    return out


def _mask(condition: np.ndarray, like: np.ndarray) -> Tensor:
    """A 0/1 constant tensor in ``like``'s dtype."""
    return _wrap(condition.astype(like.dtype))


class Neg(Function):
    formula = "d(-x)/dx = -1"

    @staticmethod
    def forward(ctx, x):
        return _wrap(np.negative(x._data))

    @staticmethod
    def backward(ctx, grad):
        return -grad  # d(-x)/dx = -1

    @staticmethod
    def backward_np(ctx, g):
        return np.negative(g)  # d(-x)/dx = -1


class Exp(Function):
    formula = "d exp(x)/dx = exp(x)"

    @staticmethod
    def forward(ctx, x):
        y = _wrap(np.exp(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y  # d/dx e^x = e^x

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        return g * y  # d/dx e^x = e^x


class Log(Function):
    formula = "d log(x)/dx = 1/x"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x  # d/dx log x = 1/x

    @staticmethod
    def backward_np(ctx, g):
        (x,) = saved_arrays(ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / x  # d/dx log x = 1/x


class Sqrt(Function):
    formula = "d sqrt(x)/dx = 1/(2 sqrt(x))"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            y = _wrap(np.sqrt(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)  # d/dx sqrt(x) = 1 / (2 sqrt(x))


class Sin(Function):
    formula = "d sin(x)/dx = cos(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.sin(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()  # d/dx sin x = cos x


class Cos(Function):
    formula = "d cos(x)/dx = -sin(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.cos(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.sin()  # d/dx cos x = -sin x


class Tanh(Function):
    formula = "d tanh(x)/dx = 1 - tanh(x)^2"

    @staticmethod
    def forward(ctx, x):
        y = _wrap(np.tanh(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)  # d/dx tanh x = 1 - tanh^2 x

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        return g * (1 - y * y)  # d/dx tanh x = 1 - tanh^2 x


class Sigmoid(Function):
    formula = "d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))"

    @staticmethod
    def forward(ctx, x):
        # 1 / (1 + e^-x), in place in one buffer. Where e^-x overflows to inf (x < -88.7 in
        # float32) the result is 1/inf = 0, as PyTorch's; elsewhere each step is accurate to
        # the last bit, tiny results included (no 1 - something cancellation).
        e = np.negative(x._data) if x._data.ndim else np.array(-x._data)  # (a 0-d result is a scalar)
        with np.errstate(over="ignore"):
            np.exp(e, out=e)
        e += 1
        y = _wrap(np.reciprocal(e, out=e))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y * (1 - y))  # d/dx s(x) = s(x)(1 - s(x))

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        d = 1 - y  # d/dx s(x) = s(x)(1 - s(x)), in one buffer
        d *= y
        d *= g
        return d


class Relu(Function):
    formula = "d relu(x)/dx = 1 if x > 0 else 0 (1 at NaN, as PyTorch)"

    @staticmethod
    def forward(ctx, x):
        y = _wrap(np.maximum(x._data, 0))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * _mask(y._data != 0, grad._data)  # 0 where relu(x) = 0 (x <= 0), else 1

    @staticmethod
    def backward_np(ctx, g):
        (y,) = saved_arrays(ctx)
        # 0 where relu(x) = 0, else 1: as PyTorch's `y <= 0 ? 0 : g`, so NaN keeps its gradient
        # (y is >= 0 or NaN, so y != 0 is that test; a bool mask: no float mask, no branchy where)
        return g * (y != 0)


class LeakyRelu(Function):
    formula = "d leaky_relu(x)/dx = 1 if x > 0 else slope"

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return _wrap(np.where(x._data > 0, x._data, x._data * slope))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        slope = np.asarray(ctx.slope, grad._data.dtype)
        return grad * _wrap(np.where(x._data > 0, np.ones((), grad._data.dtype), slope)), None


class Erf(Function):
    formula = "d erf(x)/dx = 2/sqrt(pi) exp(-x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(erf(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()  # d erf = 2/sqrt(pi) e^(-x^2)


class Erfc(Function):
    formula = "d erfc(x)/dx = -2/sqrt(pi) exp(-x^2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(erfc(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-2 / math.sqrt(math.pi)) * (-(x * x)).exp()  # d erfc = -2/sqrt(pi) e^(-x^2)


class Erfinv(Function):
    formula = "d erfinv(y)/dy = sqrt(pi)/2 exp(erfinv(y)^2)"

    @staticmethod
    def forward(ctx, y):
        x = _wrap(erfinv(y._data))
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (math.sqrt(math.pi) / 2) * (x * x).exp()  # d erfinv = sqrt(pi)/2 e^(erfinv(y)^2)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _opmath(a: np.ndarray) -> np.ndarray:
    """float16 data as float32, the precision PyTorch's CPU kernels compute half in."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


class Gelu(Function):
    formula = "d gelu(x)/dx = Phi(x) + x phi(x)"

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        a = _opmath(x._data)
        if approximate == "tanh":
            y = 0.5 * a * (1 + np.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a**3)))
        else:
            # Phi(x) = erfc(-x/sqrt 2)/2: no cancellation in 1 + erf(x/sqrt 2) for x << 0
            y = 0.5 * a * erfc(a * (-1 / math.sqrt(2)))
        return _wrap(y.astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        half = x._data.dtype == np.float16
        if half:  # in float32, as PyTorch: x^3 overflows float16 from |x| = 40 (then inf * 0 = nan)
            x, grad = x.float(), grad.float()
        if ctx.approximate == "tanh":
            # y = x/2 (1 + tanh(u)), u = c (x + 0.044715 x^3)
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh()
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            g = grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        else:
            cdf = 0.5 * Erfc.apply(x * (-1 / math.sqrt(2)))
            pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
            g = grad * (cdf + x * pdf)  # d/dx x Phi(x) = Phi(x) + x phi(x)
        return (g.half() if half else g), None


class Softplus(Function):
    formula = "d softplus(x)/dx = sigmoid(beta x)"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x._data * beta
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), linear where z > threshold
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return _wrap(np.where(bx > threshold, x._data, soft).astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        linear = _mask(bx._data > ctx.threshold, grad._data)
        return grad * (linear + (1 - linear) * bx.sigmoid()), None, None


class Abs(Function):
    formula = "d |x|/dx = sign(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.abs(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _wrap(sign(x._data).astype(grad._data.dtype))  # sign(x), 0 at 0 and at NaN


class Clamp(Function):
    formula = "d clamp(x)/dx = 1 if min <= x <= max else 0"
    node_name = "ClampBackward1"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _wrap(np.clip(x._data, lo, hi).astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = np.ones(x._data.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= x._data >= ctx.lo
        if ctx.hi is not None:
            inside &= x._data <= ctx.hi
        return grad * _mask(inside, grad._data), None, None


class _Rounding(Function):
    """Piecewise constant ops: the gradient is zero almost everywhere (and taken as zero
    at the jumps, as PyTorch does)."""

    formula = "d round(x)/dx = 0"
    fn = staticmethod(np.round)

    @classmethod
    def forward(cls, ctx, x):  # type: ignore[override]
        ctx.shape = x._data.shape
        return _wrap(cls.fn(x._data))

    @staticmethod
    def backward(ctx, grad):
        return grad * 0  # zero almost everywhere


class Floor(_Rounding):
    formula = "d floor(x)/dx = 0"
    fn = staticmethod(np.floor)


class Ceil(_Rounding):
    formula = "d ceil(x)/dx = 0"
    fn = staticmethod(np.ceil)


class Round(_Rounding):
    formula = "d round(x)/dx = 0"
    fn = staticmethod(np.round)


class RoundDecimals(Function):
    """round(x, decimals): round(x * 10^d) / 10^d, halves to even, as PyTorch."""

    formula = "d round(x, decimals)/dx = 0"
    node_name = "RoundBackward1"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, decimals):
        return _wrap(np.round(x._data, decimals))

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None  # zero almost everywhere


class Trunc(_Rounding):
    formula = "d trunc(x)/dx = 0"
    fn = staticmethod(np.trunc)


class Sign(_Rounding):
    formula = "d sign(x)/dx = 0"
    fn = staticmethod(sign)


class Sgn(_Rounding):
    formula = "d sgn(x)/dx = 0"
    fn = staticmethod(sign)


class Frac(Function):
    formula = "d frac(x)/dx = 1"

    @staticmethod
    def forward(ctx, x):
        return _wrap(x._data - np.trunc(x._data))  # x - trunc(x), keeps the sign of x

    @staticmethod
    def backward(ctx, grad):
        return grad  # d/dx (x - trunc(x)) = 1 almost everywhere


# ---- logarithms and exponentials in other bases, and their accurate forms near 0 -------------------


class Log2(Function):
    formula = "d log2(x)/dx = 1/(x ln 2)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log2(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(2))  # d/dx log2 x = 1 / (x ln 2)


class Log10(Function):
    formula = "d log10(x)/dx = 1/(x ln 10)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log10(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(10))  # d/dx log10 x = 1 / (x ln 10)


class Log1p(Function):
    formula = "d log1p(x)/dx = 1/(1 + x)"
    node_name = "Log1PBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log1p(x._data))  # log(1 + x), exact for tiny x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)  # d/dx log(1 + x) = 1 / (1 + x)


class Expm1(Function):
    formula = "d expm1(x)/dx = exp(x)"

    @staticmethod
    def forward(ctx, x):
        y = _wrap(np.expm1(x._data))  # e^x - 1, exact for tiny x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)  # d/dx (e^x - 1) = e^x = y + 1


class Exp2(Function):
    formula = "d exp2(x)/dx = 2^x ln 2"

    @staticmethod
    def forward(ctx, x):
        y = _wrap(np.exp2(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * math.log(2)  # d/dx 2^x = 2^x ln 2


class Reciprocal(Function):
    formula = "d (1/x)/dx = -1/x^2"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            y = _wrap(np.reciprocal(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * y * y  # d/dx 1/x = -1/x^2 = -y^2


class Rsqrt(Function):
    formula = "d x^(-1/2)/dx = -x^(-3/2) / 2"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = _wrap(np.reciprocal(np.sqrt(x._data)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * y * y * -0.5  # d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
