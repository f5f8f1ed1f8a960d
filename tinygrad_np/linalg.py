"""``tinygrad_np.linalg``, as ``torch.linalg``: norms, singular values, inverse, determinants, solve."""

from __future__ import annotations

from .ops.linalg import matrix_norm, norm, svdvals, vector_norm
from .ops.solve import LinAlgError, det, inv, slogdet, solve

__all__ = ["LinAlgError", "det", "inv", "matrix_norm", "norm", "slogdet", "solve", "svdvals", "vector_norm"]
