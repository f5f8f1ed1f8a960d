"""``Addmm``: the fused op behind ``F.linear``, y = x W^T + b.

Composing ``x @ W.T + b`` would leave three graph nodes per layer (a permute,
a matmul, a broadcasting add); one node with the three gradients written out is
about a third faster on small networks, where per-node overhead dominates.
The node is named as PyTorch names it (``AddmmBackward0``). Backward is written
with Tensor ops, so it is differentiable again:

    dL/dx = g W,   dL/dW = g^T x  (batch dimensions flattened),   dL/db = sum_batch g
"""

from __future__ import annotations

import numpy as np

from ...autograd.function import Function, saved_arrays
from ...ops.linalg import Matmul
from ...tensor import Tensor

_wrap = Tensor._wrap


def _rows(t: Tensor) -> Tensor:
    """View as a matrix of rows: (..., n) -> (prod(...), n)."""
    return t if t.ndim == 2 else t.reshape(-1, t.shape[-1])


class Addmm(Function):
    formula = "y = x W^T + b:  dL/dx = g W,  dL/dW = g^T x,  dL/db = sum over rows of g"

    @staticmethod
    def forward(ctx, x, w, b):
        need_x, need_w, _ = ctx.needs_input_grad or (False, False, False)
        ctx.save_for_backward(x if need_w else None, w if need_x else None)  # only what backward reads
        a = x._data
        # np.dot is np.matmul for matrices, without matmul's slow path for small inner sizes
        y = np.dot(a, w._data.T) if a.ndim == 2 else np.matmul(a, w._data.T)
        if b is not None:
            y += b._data
        return _wrap(y)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = Matmul.apply(grad, w) if need_x else None  # d(x W^T)/dx = W
        g2 = _rows(grad)
        gw = Matmul.apply(g2.mT, _rows(x)) if need_w else None  # d(x W^T)/dW = g^T x
        gb = g2.sum(0) if need_b else None  # each row adds b once
        return gx, gw, gb

    @staticmethod
    def backward_np(ctx, g):
        x, w = saved_arrays(ctx)
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
        gx = (np.dot(g, w) if g.ndim == 2 else g @ w) if need_x else None  # d(x W^T)/dx = W
        gw = np.dot(g2.T, x if x.ndim == 2 else x.reshape(-1, x.shape[-1])) if need_w else None  # g^T x
        gb = g2.sum(0) if need_b else None  # each row adds b once
        return gx, gw, gb


__all__ = ["Addmm"]
