"""Flatten parameters into one vector and back, as ``torch.nn.utils``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...functions import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (differentiable)."""
    params = list(parameters)
    if not params:
        raise RuntimeError("parameters_to_vector: expected at least one parameter")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"expected a 1-D Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.numel() != total:
        raise RuntimeError(
            f"vector_to_parameters: vector has {vec.numel()} elements, parameters need {total}"
        )
    offsets = np.cumsum([0] + [p.numel() for p in params])
    with no_grad():
        for p, start, stop in zip(params, offsets[:-1], offsets[1:], strict=True):
            p.copy_(vec._data[start:stop].reshape(p.shape))
