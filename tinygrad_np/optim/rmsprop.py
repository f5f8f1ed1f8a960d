"""RMSprop: divide the gradient by a running root-mean-square of its history."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_non_negative, grad_of, new_step, step_state, zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``. For each parameter :math:`\theta`::

        g <- g + weight_decay * theta                        (if weight_decay != 0)
        v <- alpha * v + (1 - alpha) * g^2
        avg <- sqrt(v - gbar^2), gbar <- alpha * gbar + (1 - alpha) * g   (centered)
        avg <- sqrt(v)                                       (otherwise)
        b <- momentum * b + g / (avg + eps);  theta <- theta - lr * b     (momentum > 0)
        theta <- theta - lr * g / (avg + eps)                (otherwise)

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, when
    ``momentum > 0``) and ``grad_avg`` (gbar, when ``centered``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("eps", eps, "epsilon value")
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("alpha", alpha)
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = step_state()
                state["square_avg"] = zeros_state(p)
                if momentum > 0:
                    state["momentum_buffer"] = zeros_state(p)
                if centered:
                    state["grad_avg"] = zeros_state(p)
            new_step(state)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            v = state["square_avg"]._data
            tmp = np.multiply(g, g, dtype=v.dtype)
            tmp *= 1 - alpha
            v *= alpha
            v += tmp
            if centered:
                gbar = state["grad_avg"]._data
                np.subtract(g, gbar, out=tmp)
                tmp *= 1 - alpha
                gbar += tmp  # gbar <- lerp(gbar, g, 1 - alpha)
                np.multiply(gbar, gbar, out=tmp)
                avg = np.subtract(v, tmp, out=tmp)
                np.sqrt(avg, out=avg)
            else:
                avg = np.sqrt(v, out=tmp)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += np.divide(g, avg, out=avg)
                np.multiply(buf, lr, out=avg)
                p._data -= avg
            else:
                update = np.divide(g, avg, out=avg)
                update *= lr
                p._data -= update
            p._bump()
