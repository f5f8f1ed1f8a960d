"""Similarity and distance between batches of vectors: ``CosineSimilarity`` and
``PairwiseDistance`` (composed from tensor ops, so differentiable to any order)."""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """cos(x1, x2) = x1 . x2 / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``
    (inputs broadcast against each other)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        n1 = (x1 * x1).sum(dim=self.dim).sqrt().clamp(min=self.eps)
        n2 = (x2 * x2).sum(dim=self.dim).sqrt().clamp(min=self.eps)
        return (x1 * x2).sum(dim=self.dim) / (n1 * n2)

    def extra_repr(self) -> str:
        return ""


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last dimension, per row (``keepdim`` keeps it)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        diff = (x1 - x2 + self.eps).abs()
        p = self.norm
        if p == float("inf"):
            return diff.amax(dim=-1, keepdim=self.keepdim)
        if p == 1:
            return diff.sum(dim=-1, keepdim=self.keepdim)
        return (diff**p).sum(dim=-1, keepdim=self.keepdim) ** (1.0 / p)

    def extra_repr(self) -> str:
        return ""
