"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_non_negative, grad_of, new_step, step_state, zeros_state

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``. For each parameter :math:`\theta`, at step :math:`t`::

        g <- g + weight_decay * theta          (Adam, if weight_decay != 0)
        theta <- theta * (1 - lr * weight_decay)   (AdamW: decoupled decay instead)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)                 (amsgrad; then v_max replaces v below)
        theta <- theta - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    ``amsgrad``, ``max_exp_avg_sq``.
    """

    _decoupled = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("eps", eps, "epsilon value")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        check_non_negative("weight_decay", weight_decay)
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize
        )
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay, amsgrad = group["lr"], group["eps"], group["weight_decay"], group["amsgrad"]
        beta1, beta2 = group["betas"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = step_state()
                state["exp_avg"] = zeros_state(p)
                state["exp_avg_sq"] = zeros_state(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = zeros_state(p)
            step = new_step(state)
            if weight_decay != 0:
                if self._decoupled:
                    p._data *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * p._data
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            tmp = np.subtract(g, m, dtype=m.dtype)  # the one scratch buffer of this step
            tmp *= 1 - beta1
            m += tmp  # m <- lerp(m, g, 1 - beta1)
            np.multiply(g, g, out=tmp)
            tmp *= 1 - beta2
            v *= beta2
            v += tmp
            if amsgrad:
                v_max = state["max_exp_avg_sq"]._data
                np.maximum(v_max, v, out=v_max)
                v = v_max
            denom = np.sqrt(v, out=tmp)
            denom /= math.sqrt(1 - beta2**step)
            denom += eps
            update = np.divide(m, denom, out=tmp)
            update *= lr / (1 - beta1**step)
            p._data -= update
            p._bump()


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``torch.optim.AdamW``: each step first
    shrinks :math:`\theta \leftarrow \theta (1 - lr \cdot weight\_decay)`, then takes
    the Adam step without adding the decay to the gradient. Default ``weight_decay=1e-2``.
    """

    _decoupled = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
