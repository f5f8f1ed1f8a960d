"""Inverse, determinant and linear solves of square matrices (batched over leading dims):
``linalg.inv det slogdet solve`` and ``inverse logdet``.

With Y = inv(A): dY = -Y dA Y, so dL/dA = -Yᵀ g Yᵀ. d det(A) = det(A) tr(inv(A) dA), so
dL/dA = g det(A) inv(A)ᵀ, the transposed adjugate, which is computed from an SVD where A is
singular. d log|det A| = tr(inv(A) dA). X = solve(A, B) = inv(A) B: dL/dB = solve(Aᵀ, g) and
dL/dA = -dL/dB Xᵀ. Each backward is written with Tensor ops (with these same ops), so it is
differentiable again; a singular matrix is refused as PyTorch does (``inv``, ``solve``).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

_wrap = Tensor._wrap

slogdet_result = namedtuple("linalg_slogdet", ["sign", "logabsdet"])


class LinAlgError(RuntimeError):
    """A singular matrix where an inverse is needed (PyTorch's ``torch.linalg.LinAlgError``)."""


def _square(A: Tensor, op: str) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {n} by {m} matrices")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {A.dtype}")


class Inverse(Function):
    formula = "d inv(A) = -inv(A) dA inv(A)"
    node_name = "LinalgInvExBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, A):
        try:
            y = _wrap(np.linalg.inv(A._data))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "linalg.inv: the input matrix is singular, so the inversion could not be completed"
            ) from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -(y.mT @ grad @ y.mT)  # dL/dA = -Y^T g Y^T


class Det(Function):
    formula = "d det(A)/dA = det(A) inv(A)^T (the transposed adjugate)"
    node_name = "LinalgDetBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, A):
        d = _wrap(np.asarray(np.linalg.det(A._data)))
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        A, d = ctx.saved_tensors
        g = (grad * d).unsqueeze(-1).unsqueeze(-1)
        if np.all(d._data != 0):
            return g.expand(*A.shape) * Inverse.apply(A).mT  # g det(A) inv(A)^T
        return grad.unsqueeze(-1).unsqueeze(-1) * _wrap(_adjugate(A._data)).mT  # g adj(A)^T, A singular


def _adjugate(a: np.ndarray) -> np.ndarray:
    """adj(A) = det(A) inv(A), also for a singular A: with A = U S Vᵀ, adj(A) =
    det(U) det(V) V diag(prod_{j != i} s_j) Uᵀ (the products taken without dividing)."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    left = np.cumprod(np.concatenate([np.ones_like(s[..., :1]), s[..., :-1]], -1), -1)
    right = np.flip(
        np.cumprod(np.flip(np.concatenate([s[..., 1:], np.ones_like(s[..., :1])], -1), -1), -1), -1
    )
    others = left * right  # prod_{j != i} s_j
    sign = np.linalg.det(u) * np.linalg.det(vt)
    adj = np.swapaxes(vt, -1, -2) @ (others[..., :, None] * np.swapaxes(u, -1, -2))
    return (sign[..., None, None] * adj).astype(a.dtype) if n else adj


class LogAbsDet(Function):
    formula = "d log|det(A)|/dA = inv(A)^T"
    node_name = "LinalgSlogdetBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A._data)
        ctx.sign = np.asarray(sign)
        return _wrap(np.asarray(logabs))

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        return grad.unsqueeze(-1).unsqueeze(-1) * Inverse.apply(A).mT  # inv(A)^T


class Solve(Function):
    formula = "X = inv(A) B: dL/dB = solve(A^T, g),  dL/dA = -solve(A^T, g) X^T"
    node_name = "LinalgSolveExBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, A, B):
        try:
            x = _wrap(np.linalg.solve(A._data, B._data))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(A, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        A, x = ctx.saved_tensors
        gb = Solve.apply(A.mT, grad)  # solve(A^T, g)
        return -(gb @ x.mT), gb  # dL/dA = -solve(A^T, g) X^T


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix in the last two dims."""
    _square(A, "linalg.inv")
    return Inverse.apply(A)


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix in the last two dims."""
    _square(A, "linalg.det")
    return Det.apply(A)


def slogdet(A: Tensor) -> Any:
    """``(sign, logabsdet)``: det(A) = sign * exp(logabsdet), without overflow; sign is 0 and
    logabsdet -inf for a singular A. Only ``logabsdet`` is differentiable."""
    _square(A, "linalg.slogdet")
    logabs = LogAbsDet.apply(A)
    sign = np.sign(np.linalg.det(A._data)).astype(A._data.dtype)
    return slogdet_result(_wrap(np.asarray(sign)), logabs)


def logdet(A: Tensor) -> Tensor:
    """log(det(A)): NaN where det(A) < 0, -inf where it is 0."""
    sign, logabs = slogdet(A)
    return logabs + _wrap(np.where(sign._data < 0, np.nan, 0).astype(A._data.dtype))


def solve(A: Tensor, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B). B is a vector, or a batch of vectors, when it
    has A's shape without the last dim (or is 1-D); else a matrix of columns."""
    B = B if isinstance(B, Tensor) else Tensor(B)
    _square(A, "linalg.solve")
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type {A.dtype} and B of "
            f"type {B.dtype} instead"
        )
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    Bm = B.unsqueeze(-1) if vector else B
    n = A._data.shape[-1]
    if Bm._data.shape[-2] != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({n}x{n} and {Bm._data.shape[-2]}x{Bm._data.shape[-1]})"
        )
    X = Solve.apply(A, Bm)
    return X.squeeze(-1) if vector else X
