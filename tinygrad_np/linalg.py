"""``tinygrad_np.linalg``, as ``torch.linalg``: norms and singular values."""

from __future__ import annotations

from .ops.linalg import matrix_norm, norm, svdvals, vector_norm

__all__ = ["matrix_norm", "norm", "svdvals", "vector_norm"]
