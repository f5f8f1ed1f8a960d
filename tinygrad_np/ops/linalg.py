"""Matrix product with NumPy's (and PyTorch's) rules for 1-D and batched operands.

For C = A @ B:  dL/dA = dL/dC @ B^T  and  dL/dB = A^T @ dL/dC.
A 1-D operand is treated as a row (A) or column (B) vector and the added
dimension removed again; batch dimensions broadcast, and the engine sums the
gradient back over them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor, _operand

_wrap = Tensor._wrap


class Matmul(Function):
    formula = "d(A @ B)/dA = dL/dC @ B^T,  d(A @ B)/dB = A^T @ dL/dC"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a._data, b._data
        # np.dot is np.matmul for matrices, without matmul's slow path for small inner sizes
        return _wrap(np.dot(x, y) if x.ndim == 2 and y.ndim == 2 else np.matmul(x, y))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # the dot product: d(a.b)/da = b, d(a.b)/db = a
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # view 1-D operands as matrices: a row vector (1, k) and a column vector (k, 1)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad.unsqueeze(-2) if a.ndim == 1 else grad
        g = g.unsqueeze(-1) if b.ndim == 1 else g
        ga = gb = None
        if need_a:
            ga = g @ b2.mT  # dL/dA = dL/dC B^T
            ga = ga.squeeze(-2) if a.ndim == 1 else ga
        if need_b:
            gb = a2.mT @ g  # dL/dB = A^T dL/dC
            gb = gb.squeeze(-1) if b.ndim == 1 else gb
        return ga, gb

    @staticmethod
    def backward_np(ctx, g):
        a, b = saved_arrays(ctx)
        if a.ndim < 2 or b.ndim < 2:
            return NotImplemented  # vector operands: the Tensor-level backward above
        need_a, need_b = ctx.needs_input_grad
        mm = np.dot if a.ndim == 2 and b.ndim == 2 else np.matmul
        ga = mm(g, b.swapaxes(-1, -2)) if need_a else None  # dL/dA = dL/dC B^T
        gb = mm(a.swapaxes(-1, -2), g) if need_b else None  # dL/dB = A^T dL/dC
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b``; errors name both shapes. Two tensors must share a dtype, as in PyTorch
    (no promotion: a float32 activation times a float64 weight is refused)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype} "
            "(as PyTorch: expected m1 and m2 to have the same dtype); convert one, e.g. x.float() or x.double()"
        )
    dt = dtypes.result_type(a, b)
    x, y = _operand(a, dt), _operand(b, dt)
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {tuple(x.shape)} "
            f"and {tuple(y.shape)}"
        )
    k_a = x._data.shape[-1]
    k_b = y._data.shape[0] if y.ndim == 1 else y._data.shape[-2]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(x.shape)} and {tuple(y.shape)} cannot be multiplied "
            f"({k_a} != {k_b}: the last dimension of the first operand must equal the "
            f"{'first' if y.ndim == 1 else 'second-to-last'} dimension of the second)"
        )
    try:
        return Matmul.apply(x, y)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of shapes {tuple(x.shape)} and {tuple(y.shape)} are not broadcastable"
        ) from None
