"""``tinygrad_np.linalg``, as ``torch.linalg``: norms, singular values, inverse, determinants, solve."""

from __future__ import annotations

from .ops.linalg import matrix_norm, norm, svdvals, vector_norm
from .ops.products import cross as _cross
from .ops.products import matrix_power
from .ops.solve import LinAlgError, det, inv, slogdet, solve
from .tensor import Tensor


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The 3-vector cross product along ``dim`` (default the last)."""
    return _cross(input, other, dim, linalg_default=True)


__all__ = [
    "LinAlgError",
    "cross",
    "det",
    "inv",
    "matrix_norm",
    "matrix_power",
    "norm",
    "slogdet",
    "solve",
    "svdvals",
    "vector_norm",
]
