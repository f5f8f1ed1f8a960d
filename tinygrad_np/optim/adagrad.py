"""Adagrad: per-coordinate step sizes from the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_non_negative, grad_of, new_step, step_state, zeros_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``. For each parameter :math:`\theta`, at step :math:`t`::

        g <- g + weight_decay * theta                      (if weight_decay != 0)
        clr <- lr / (1 + (t - 1) * lr_decay)
        s <- s + g^2                                       (s starts at initial_accumulator_value)
        theta <- theta - clr * g / (sqrt(s) + eps)

    State per parameter (created with the optimizer, as PyTorch does): ``step`` and ``sum`` (s).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("lr_decay", lr_decay)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("initial_accumulator_value", initial_accumulator_value)
        check_non_negative("eps", eps, "epsilon value")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_state()
                state["sum"] = zeros_state(p, group["initial_accumulator_value"])

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, weight_decay, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:  # a group added after construction
                state["step"] = step_state()
                state["sum"] = zeros_state(p, group["initial_accumulator_value"])
            step = new_step(state)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state["sum"]._data
            tmp = np.multiply(g, g, dtype=s.dtype)
            s += tmp
            std = np.sqrt(s, out=tmp)
            std += eps
            update = np.divide(g, std, out=tmp)
            update *= clr
            p._data -= update
            p._bump()
