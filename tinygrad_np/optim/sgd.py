"""Stochastic gradient descent, with momentum, dampening, weight decay and Nesterov."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_non_negative, grad_of

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated if ``maximize``)::

        g <- g + weight_decay * theta                    (if weight_decay != 0)
        b <- g                                           (first step)
        b <- momentum * b + (1 - dampening) * g          (later steps; if momentum != 0)
        g <- g + momentum * b   if nesterov  else  b     (if momentum != 0)
        theta <- theta - lr * g

    The momentum buffer ``b`` is kept in ``state[p]['momentum_buffer']``.

    >>> import tinygrad_np as tg
    >>> from tinygrad_np.nn import Parameter
    >>> w = Parameter(tg.tensor([1.0, 2.0]))
    >>> opt = tg.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.8000, 1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        scratch_buffers = self.__dict__.get("_scratch_buffers", {})
        maximize = group["maximize"]
        for p in group["params"]:
            g = grad_of(p, maximize)
            if g is None:
                continue
            if weight_decay != 0:
                g = g + weight_decay * p._data
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = Tensor._wrap(np.array(g, copy=True))
                else:
                    b = buf._data
                    b *= momentum
                    b += g if dampening == 0 else (1 - dampening) * g
                g = g + momentum * buf._data if nesterov else buf._data
            # p -= lr * g with no temporary: lr * g goes into a scratch buffer kept per shape
            scratch = scratch_buffers.get((g.shape, g.dtype))
            if scratch is None:
                scratch = self._scratch(g)
            np.multiply(g, lr, scratch)  # (out= given by position: no keyword parsing, 0.1 us less)
            data = p._data
            np.subtract(data, scratch, data)
            p._bump()

    def _scratch(self, g: np.ndarray) -> np.ndarray:
        """A reusable buffer of ``g``'s shape and dtype (allocated once, not per step)."""
        bufs = self.__dict__.setdefault("_scratch_buffers", {})
        key = (g.shape, g.dtype)
        buf = bufs.get(key)
        if buf is None:
            buf = bufs[key] = np.empty(g.shape, g.dtype)
        return buf
