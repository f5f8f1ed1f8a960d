"""The workloads in tinygrad_np.

When ``tinygrad_np.nn`` (``Linear``, ``functional``) and ``tinygrad_np.optim.SGD``
exist, the training workloads use them, as a user would; otherwise they are written
with raw tensors (``x @ w + b`` with ``w`` of shape (in, out), and a hand-written
SGD update under ``no_grad``). ``STYLE`` says which was used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

import tinygrad_np as tg

Step = Callable[[], Any]


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


Linear = _optional("tinygrad_np.nn", "Linear")
Conv2d = _optional("tinygrad_np.nn", "Conv2d")
SGD = _optional("tinygrad_np.optim", "SGD")
F = _optional("tinygrad_np.nn", "functional")
HAS_NN = Linear is not None and F is not None and hasattr(F, "cross_entropy") and hasattr(F, "mse_loss")
HAS_OPTIM = SGD is not None
STYLE = ("nn.Linear + nn.functional" if HAS_NN else "raw tensors") + (
    ", optim.SGD" if HAS_OPTIM else ", hand-written SGD"
)


def _param(a: np.ndarray) -> tg.Tensor:
    return tg.tensor(a.copy(), requires_grad=True)


def _linear(w: np.ndarray, b: np.ndarray) -> Any:
    layer = Linear(w.shape[1], w.shape[0])
    with tg.no_grad():
        layer.weight.copy_(tg.tensor(w))
        layer.bias.copy_(tg.tensor(b))
    return layer


def _updater(params: list[tg.Tensor], lr: float) -> tuple[Callable[[], None], Callable[[], None]]:
    """(zero_grad, step) with optim.SGD when present, else by hand."""
    if HAS_OPTIM:
        opt = SGD(params, lr=lr)
        return opt.zero_grad, opt.step

    def zero_grad() -> None:
        for p in params:
            p.grad = None

    def step() -> None:
        with tg.no_grad():
            for p in params:
                p -= lr * p.grad

    return zero_grad, step


def _cross_entropy(logits: tg.Tensor, labels: tg.Tensor) -> tg.Tensor:
    if HAS_NN:
        return F.cross_entropy(logits, labels)
    return -logits.log_softmax(1).gather(1, labels.unsqueeze(1)).mean()


def mlp(init: dict[str, np.ndarray], size: int = 0) -> Step:
    from workloads import MLP_LR

    x, labels = tg.tensor(init["x"]), tg.tensor(init["y"])
    if HAS_NN:
        l1, l2, l3 = (_linear(init[f"W{i}"], init[f"b{i}"]) for i in (1, 2, 3))
        params = [p for layer in (l1, l2, l3) for p in (layer.weight, layer.bias)]

        def forward() -> tg.Tensor:
            return l3(l2(l1(x).relu()).relu())
    else:
        w1, w2, w3 = (_param(init[f"W{i}"].T) for i in (1, 2, 3))
        b1, b2, b3 = (_param(init[f"b{i}"]) for i in (1, 2, 3))
        params = [w1, b1, w2, b2, w3, b3]

        def forward() -> tg.Tensor:
            return ((x @ w1 + b1).relu() @ w2 + b2).relu() @ w3 + b3

    zero_grad, update = _updater(params, MLP_LR)

    def step() -> tg.Tensor:
        loss = _cross_entropy(forward(), labels)
        zero_grad()
        loss.backward()
        update()
        return loss

    return step


def sine(init: dict[str, np.ndarray], size: int = 0) -> Step:
    from workloads import SINE_LR

    x, y = tg.tensor(init["x"]), tg.tensor(init["y"])
    if HAS_NN:
        l1, l2 = _linear(init["W1"], init["b1"]), _linear(init["W2"], init["b2"])
        params = [l1.weight, l1.bias, l2.weight, l2.bias]

        def loss_fn() -> tg.Tensor:
            return F.mse_loss(l2(l1(x).sigmoid()), y)
    else:
        w1, b1, w2, b2 = _param(init["W1"].T), _param(init["b1"]), _param(init["W2"].T), _param(init["b2"])
        params = [w1, b1, w2, b2]

        def loss_fn() -> tg.Tensor:
            return (((x @ w1 + b1).sigmoid() @ w2 + b2 - y) ** 2).mean()

    zero_grad, update = _updater(params, SINE_LR)

    def step() -> tg.Tensor:
        loss = loss_fn()
        zero_grad()
        loss.backward()
        update()
        return loss

    return step


def elementwise(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """z = a * b, then the node's backward called directly with dL/dz (no engine), the
    way the engine calls it when create_graph=False: an array-level ``backward_np``
    where the op has one, else the Tensor-level ``backward`` under no_grad."""
    a, b, g = _param(init["a"]), _param(init["b"]), tg.tensor(init["g"])
    fn = (a * b).grad_fn
    if getattr(type(fn), "backward_np", None) is not None:
        g_np = g._data

        def step() -> Any:
            fn = (a * b).grad_fn
            return type(fn).backward_np(fn, g_np)

        return step

    def step() -> Any:
        fn = (a * b).grad_fn
        with tg.no_grad():  # as the engine runs it (create_graph=False)
            return type(fn).backward(fn, g)

    return step


def elementwise_chain(init: dict[str, np.ndarray], size: int = 0) -> Step:
    a, c, g = _param(init["a"]), tg.tensor(init["c"]), tg.tensor(init["g"])

    def step() -> float:
        y = a
        for _ in range(size):
            y = y * c
        a.grad = None
        y.backward(g)
        return float(y._data[0, 0])

    return step


def chain(init: Any, size: int = 0) -> Step:
    def step() -> None:
        x = tg.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(size):
            y = y + 1.0
        y.backward()
        del y

    return step


def cnn(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """Needs ``nn.Conv2d``, ``nn.Linear`` and ``nn.functional`` (max_pool2d, cross_entropy)."""
    from workloads import CNN_LR

    if Conv2d is None or not HAS_NN or not hasattr(F, "max_pool2d"):
        raise NotImplementedError("tinygrad_np.nn.Conv2d / nn.functional.max_pool2d not available yet")
    conv = Conv2d(1, init["K"].shape[0], 3)
    with tg.no_grad():
        conv.weight.copy_(tg.tensor(init["K"]))
        conv.bias.copy_(tg.tensor(init["kb"]))
    fc = _linear(init["W"], init["b"])
    x, labels = tg.tensor(init["x"]), tg.tensor(init["y"])
    zero_grad, update = _updater([conv.weight, conv.bias, fc.weight, fc.bias], CNN_LR)

    def step() -> tg.Tensor:
        h = F.max_pool2d(conv(x).relu(), 2)
        loss = F.cross_entropy(fc(h.reshape(h.shape[0], -1)), labels)
        zero_grad()
        loss.backward()
        update()
        return loss

    return step
