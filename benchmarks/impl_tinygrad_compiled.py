"""The workloads in tinygrad_np with the training step compiled by ``tinygrad_np.compile``.

Each builder takes the eager step of ``impl_tinygrad`` (the same code a user writes) and
compiles it: the first two calls trace it, later calls replay the recorded kernels.
Workloads that are not a repeated step (one op's backward called by hand, a graph rebuilt
from a fresh leaf each time) have no compiled form and are skipped.
"""

from __future__ import annotations

from typing import Any

import impl_tinygrad as eager
import numpy as np

import tinygrad_np as tg

HAS_NN, HAS_OPTIM, STYLE = eager.HAS_NN, eager.HAS_OPTIM, eager.STYLE
Step = eager.Step


def mlp(init: dict[str, np.ndarray], size: int = 0) -> Step:
    return tg.compile(eager.mlp(init, size))


def sine(init: dict[str, np.ndarray], size: int = 0) -> Step:
    return tg.compile(eager.sine(init, size))


def cnn(init: dict[str, np.ndarray], size: int = 0) -> Step:
    return tg.compile(eager.cnn(init, size))


def elementwise_chain(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """``impl_tinygrad.elementwise_chain`` with the chain and its backward compiled; the
    reset of ``a.grad`` and the read of the result stay outside (Python, not kernels)."""
    a, c, g = eager._param(init["a"]), tg.tensor(init["c"]), tg.tensor(init["g"])

    def chain() -> tg.Tensor:
        y = a
        for _ in range(size):
            y = y * c
        y.backward(g)
        return y

    compiled = tg.compile(chain)

    def step() -> float:
        a.grad = None
        return float(compiled()._data[0, 0])

    return step


def elementwise(init: Any, size: int = 0) -> Step:
    raise NotImplementedError("one op's backward called by hand: not a step to compile")


def chain(init: Any, size: int = 0) -> Step:
    raise NotImplementedError("a new leaf and graph each call: not a step to compile")
