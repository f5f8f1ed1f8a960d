"""Kernel rules: each op's ``forward`` and ``backward_np`` as the NumPy calls they make.

A rule is a pair of functions, forward and backward, side by side like the op's own methods:

* ``forward(k, *args) -> y``: the op's arguments are buffers (arrays) and constants, in the
  order ``Function.apply`` got them; it emits the calls of the op's ``forward`` with
  ``k.out(fn, *args)`` (a new buffer, ``fn(*args, out=buffer)``) or ``k.emit`` (in place).
* ``backward(k, needs, g, y, *args) -> (dL/darg, ...)``: ``g`` is dL/dy, ``y`` the output
  buffer; one gradient buffer (or None) per argument, as the op's ``backward_np`` returns.

A forward rule may answer ``NotImplemented`` (before emitting anything) for cases it leaves to
the op's own code (float16, vector operands): the op then runs as an opaque kernel.

A rule must make the very calls of the op's own code, in the same order, on the same
operands (only with ``out=``): a compiled step is bit for bit an eager one, and
``tests/test_compiled.py`` checks it. When an op's code changes, its rule changes with it.

``OPAQUE`` lists the ops without a rule of their own that may still run inside a program as
one kernel each (see ``program.Opaque``): those whose output shape depends only on their
inputs' shapes and constant arguments.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..nn.functional import Dropout
from ..nn.functional.conv import WindowArgmax
from ..nn.functional.linear import Addmm
from ..nn.functional.loss import BinaryCrossEntropy, CrossEntropy, MseLoss
from ..ops import binary, conv, elementwise, linalg, movement, piecewise, reduce, solve, trig
from ..optim.sgd import SGD
from .program import Builder, sum_into

# ---- binary elementwise (ops/binary.py) ----------------------------------------------------------


def add_forward(k: Builder, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return k.out(np.add, x, y)


def add_backward(k: Builder, needs: tuple, g: np.ndarray, z: np.ndarray, x: Any, y: Any) -> tuple:
    return g, g  # both partials are 1


def sub_forward(k: Builder, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return k.out(np.subtract, x, y)


def sub_backward(k: Builder, needs: tuple, g: np.ndarray, z: np.ndarray, x: Any, y: Any) -> tuple:
    return g, (k.out(np.negative, g) if needs[1] else None)  # partials 1 and -1


def mul_forward(k: Builder, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return k.out(np.multiply, x, y)


def mul_backward(k: Builder, needs: tuple, g: np.ndarray, z: np.ndarray, x: Any, y: Any) -> tuple:
    return (k.out(np.multiply, g, y) if needs[0] else None), (k.out(np.multiply, g, x) if needs[1] else None)


def div_forward(k: Builder, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return k.out(np.true_divide, x, y)


def div_backward(k: Builder, needs: tuple, g: np.ndarray, z: np.ndarray, x: Any, y: Any) -> tuple:
    gx = k.out(np.true_divide, g, y) if needs[0] else None  # 1/y
    gy = None
    if needs[1]:  # -x/y^2, as `-g * x / (y * y)` evaluates
        num = k.out(np.multiply, k.out(np.negative, g), x)
        gy = k.out(np.true_divide, num, k.out(np.multiply, y, y))
    return gx, gy


# ---- unary elementwise (ops/elementwise.py) ------------------------------------------------------


def neg_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    return k.out(np.negative, x)


def neg_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    return k.out(np.negative, g)  # d(-x)/dx = -1


def exp_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    return k.out(np.exp, x)


def exp_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    return k.out(np.multiply, g, y)  # d/dx e^x = e^x


def log_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    return k.out(np.log, x)


def log_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    return k.out(np.true_divide, g, x)  # d/dx log x = 1/x


def tanh_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    return k.out(np.tanh, x)


def tanh_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    return k.out(np.multiply, g, k.out(np.subtract, 1, k.out(np.multiply, y, y)))  # 1 - tanh^2 x


def sigmoid_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    e = k.out(np.negative, x)  # 1 / (1 + e^-x), in place in one buffer
    k.emit(np.exp, (e, e))
    k.emit(np.add, (e, 1, e))
    k.emit(np.reciprocal, (e, e))
    return e


def sigmoid_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    d = k.out(np.subtract, 1, y)  # s(x)(1 - s(x)), in one buffer
    k.emit(np.multiply, (d, y, d))
    k.emit(np.multiply, (d, g, d))
    return d


def relu_forward(k: Builder, x: np.ndarray) -> np.ndarray:
    return k.out(maximum_zero, x)


def maximum_zero(x: np.ndarray, out: np.ndarray | None = None) -> Any:
    """``np.maximum(x, 0)`` (``out`` by keyword: NumPy deprecates a third positional here)."""
    return np.maximum(x, 0, out=out)


def relu_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any) -> np.ndarray:
    return k.out(np.multiply, g, k.out(np.not_equal, y, 0))  # 0 where relu(x) = 0, else 1


# ---- reductions and the matrix product (ops/reduce.py, ops/linalg.py) ----------------------------
# A forward rule may answer NotImplemented (before emitting anything) for the cases it leaves
# to the op itself: the op then runs as an opaque kernel.


def sum_forward(k: Builder, x: np.ndarray, dims: Any, keepdim: bool) -> Any:
    if x.dtype.char == "e":  # float16 accumulates in float32: left to the op
        return NotImplemented
    return k.out(sum_into, x, dims, keepdim)


def sum_backward(
    k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any, dims: Any, keepdim: bool
) -> tuple:
    return unreduce(k, g, dims, keepdim, x.shape), None, None  # 1 for every x_i


def mean_forward(k: Builder, x: np.ndarray, dims: Any, keepdim: bool) -> Any:
    n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
    if x.dtype.kind != "f" or x.dtype.char == "e" or not n:  # (float16, ints, empty: left to the op)
        return NotImplemented
    return k.out(np.true_divide, k.out(sum_into, x, dims, keepdim), n)


def mean_backward(
    k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any, dims: Any, keepdim: bool
) -> tuple:
    n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
    return unreduce(k, k.out(np.multiply, g, 1 / n), dims, keepdim, x.shape), None, None  # 1/N


def unreduce(k: Builder, g: np.ndarray, dims: Any, keepdim: bool, shape: tuple) -> np.ndarray:
    """``ops.reduce._unreduce_np``: g with the reduced dims put back (size 1), broadcast to
    ``shape``; both views, made once."""
    if not keepdim:
        kshape = list(shape)
        for d in range(len(shape)) if dims is None else dims:
            kshape[d] = 1
        g = k.view(g, f".reshape{tuple(kshape)}", np.reshape, kshape)
    return g if g.shape == shape else k.view(g, f".broadcast_to{shape}", np.broadcast_to, shape)


def matmul_forward(k: Builder, a: np.ndarray, b: np.ndarray) -> Any:
    if a.ndim < 2 or b.ndim < 2:  # vector operands: left to the op
        return NotImplemented
    return k.out(np.dot if a.ndim == 2 and b.ndim == 2 else np.matmul, a, b)


def matmul_backward(k: Builder, needs: tuple, g: np.ndarray, c: np.ndarray, a: Any, b: Any) -> tuple:
    mm = np.dot if a.ndim == 2 and b.ndim == 2 else np.matmul
    ga = k.out(mm, g, k.view(b, ".mT", np.swapaxes, -1, -2)) if needs[0] else None  # dL/dA = dL/dC B^T
    gb = k.out(mm, k.view(a, ".mT", np.swapaxes, -1, -2), g) if needs[1] else None  # dL/dB = A^T dL/dC
    return ga, gb


# ---- a layer and a loss (nn/functional/linear.py, loss.py) ----------------------------------------


def addmm_forward(k: Builder, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    wt = k.view(w, ".T", np.transpose)
    y = k.out(np.dot if x.ndim == 2 else np.matmul, x, wt)  # y = x W^T (+ b, in place)
    if b is not None:
        k.emit(np.add, (y, b, y))
    return y


def addmm_backward(k: Builder, needs: tuple, g: np.ndarray, y: np.ndarray, x: Any, w: Any, b: Any) -> tuple:
    g2 = g if g.ndim == 2 else k.view(g, ".reshape(-1, n)", np.reshape, (-1, g.shape[-1]))
    gx = k.out(np.dot if g.ndim == 2 else np.matmul, g, w) if needs[0] else None  # d(x W^T)/dx = W
    gw = None
    if needs[1]:  # g^T x
        x2 = x if x.ndim == 2 else k.view(x, ".reshape(-1, n)", np.reshape, (-1, x.shape[-1]))
        gw = k.out(np.dot, k.view(g2, ".T", np.transpose), x2)
    gb = k.out(sum_rows, g2) if needs[2] else None  # each row adds b once
    return gx, gw, gb


def sum_rows(a: np.ndarray, out: np.ndarray | None = None) -> Any:
    """``out = a.sum(0)`` (a kernel: see ``program.sum_into``)."""
    return np.add.reduce(a, 0, None, out)


def mse_forward(k: Builder, x: np.ndarray, y: np.ndarray, mean: bool) -> np.ndarray:
    d = k.out(np.subtract, x, y)
    loss = k.temp(np.empty((), d.dtype))
    k.emit(mse_total, (d, mean, loss), result=loss)
    return loss


def mse_total(d: np.ndarray, mean: bool, out: np.ndarray) -> None:  # (emitted with its buffer)
    """``out = sum(d^2)`` (``/ N`` when ``mean``), as ``MseLoss.forward`` computes it."""
    total = np.vdot(d, d) if d.dtype.kind == "f" else (d * d).sum()
    if mean:
        total = total / d.size if d.size else np.nan
    out[...] = total


def mse_backward(
    k: Builder, needs: tuple, g: np.ndarray, loss: np.ndarray, x: Any, y: Any, mean: bool
) -> tuple:
    scale = 2.0 / max(x.size, 1) if mean else 2.0
    gx = k.out(np.subtract, x, y)
    k.emit(scale_by_loss_grad, (gx, g, scale))  # 2 (x - y) / N
    return (gx if needs[0] else None), (k.out(np.negative, gx) if needs[1] else None), None


def scale_by_loss_grad(a: np.ndarray, g: np.ndarray, scale: float) -> None:
    """``a *= float(g) * scale`` (g: the loss's gradient, one number)."""
    np.multiply(a, float(g) * scale, out=a)


# ---- the optimizer's update ---------------------------------------------------------------------


def sgd_plan(opt: SGD) -> tuple:
    """What ``sgd_step`` needs of an ``SGD``: per group, its list of parameters and for each
    parameter the scratch buffer ``SGD._step_group`` uses (one per shape and dtype)."""
    return tuple((g["params"], [(p, opt._scratch(p._data)) for p in g["params"]]) for g in opt.param_groups)


def sgd_step(opt: SGD, plan: tuple) -> None:
    """``opt.step()`` where it is the plain update ``p -= lr * g``: the very calls of
    ``SGD._step_group`` (``lr`` read from the group at each call, so schedulers work).
    A group with momentum, weight decay or maximize, or changed groups, run the optimizer's
    own code."""
    groups = opt.param_groups
    if len(groups) != len(plan):
        opt.step()
        return
    for group, (params, pairs) in zip(groups, plan, strict=True):
        if group["momentum"] or group["weight_decay"] or group["maximize"] or group["params"] is not params:
            opt._step_group(group)
            continue
        lr = group["lr"]
        for p, scratch in pairs:
            g = p._grad
            if g is not None:
                np.multiply(g._data, lr, scratch)  # p -= lr * g
                np.subtract(p._data, scratch, p._data)
                p._bump()


RULES: dict[type, tuple[Any, Any]] = {
    binary.Add: (add_forward, add_backward),
    binary.Sub: (sub_forward, sub_backward),
    binary.Mul: (mul_forward, mul_backward),
    binary.Div: (div_forward, div_backward),
    elementwise.Neg: (neg_forward, neg_backward),
    elementwise.Exp: (exp_forward, exp_backward),
    elementwise.Log: (log_forward, log_backward),
    elementwise.Tanh: (tanh_forward, tanh_backward),
    elementwise.Sigmoid: (sigmoid_forward, sigmoid_backward),
    elementwise.Relu: (relu_forward, relu_backward),
    reduce.Sum: (sum_forward, sum_backward),
    reduce.Mean: (mean_forward, mean_backward),
    linalg.Matmul: (matmul_forward, matmul_backward),
    Addmm: (addmm_forward, addmm_backward),
    MseLoss: (mse_forward, mse_backward),
}

# Ops run as one opaque kernel each: the output's shape follows from the inputs' shapes and
# the constant arguments (not from the data, as it would for x[x > 0] or unique).
_OPAQUE_NAMES = {
    binary: "Pow Maximum Minimum Remainder Fmod Where RoundedDiv",
    elementwise: "Sqrt Sin Cos LeakyRelu Erf Erfc Erfinv Gelu Softplus Abs Clamp Frac Log2 Log10 Log1p Expm1 "
    "Exp2 Reciprocal Rsqrt",
    piecewise: "Hardtanh Threshold Elu Hardsigmoid Hardswish ClampTensor",
    reduce: "Amax Prod LogSumExp Softmax LogSoftmax Cumsum Cumprod SumTo",
    # (Index: its index is a constant on the tape, slices and integers; see tape._const_key)
    movement: "Reshape Permute Expand Clone Cast Cat Pad Flip Roll Gather Index",
    trig: "Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Atan2",
    solve: "Inverse Det LogAbsDet Solve",
    linalg: "VectorNorm Tril Triu Diagonal Einsum",
    conv: "Unfold Fold",
}
OPAQUE: frozenset[type] = frozenset(
    [getattr(module, name) for module, names in _OPAQUE_NAMES.items() for name in names.split()]
    + [WindowArgmax, CrossEntropy, BinaryCrossEntropy, Dropout]  # (Dropout draws its mask: see lower())
)
