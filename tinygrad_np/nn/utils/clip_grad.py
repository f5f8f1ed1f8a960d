"""Gradient clipping, as ``torch.nn.utils``."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _params(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

    total = (sum_p ||g_p||^q)^(1/q) (the max of |g| for q = inf); every gradient
    is multiplied by min(max_norm / (total + 1e-6), 1). Returns ``total``.
    """
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.asarray(0.0, np.float32))
    with no_grad():
        if math.isinf(norm_type):
            norms = [np.abs(g._data).max() if g._data.size else np.asarray(0, g._data.dtype) for g in grads]
            total = np.max(np.stack([np.asarray(n, np.float64) for n in norms]))
        else:
            norms = [
                np.sum(np.abs(g._data.astype(np.float64)) ** norm_type) ** (1.0 / norm_type) for g in grads
            ]
            total = np.sum(np.asarray(norms) ** norm_type) ** (1.0 / norm_type)
        dt = grads[0]._data.dtype
        total_t = Tensor._wrap(np.asarray(total, dt))
        if error_if_nonfinite and not np.isfinite(total):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot "
                "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`"
            )
        coef = min(float(max_norm) / (float(total_t._data) + 1e-6), 1.0)
        for g in grads:
            g._data *= np.asarray(coef, g._data.dtype)
            g._bump()
    return total_t


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    for p in _params(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
            p.grad._bump()
