"""The workloads in PyTorch (CPU, 2 threads), written like ``impl_tinygrad``.

The training workloads use the same style as tinygrad_np's run (``nn.Linear`` +
``torch.optim.SGD`` when tinygrad_np has ``nn``/``optim``, raw tensors and a
hand-written update otherwise; the runner sets ``HAS_NN``/``HAS_OPTIM``), so both
libraries do the same work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

Step = Callable[[], Any]


# set by the runner to tinygrad_np's style (impl_tinygrad.HAS_NN / HAS_OPTIM)
HAS_NN = False
HAS_OPTIM = False


def _param(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(np.ascontiguousarray(a), requires_grad=True)


def _linear(w: np.ndarray, b: np.ndarray) -> torch.nn.Linear:
    layer = torch.nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
    return layer


def _updater(params: list[torch.Tensor], lr: float) -> tuple[Callable[[], None], Callable[[], None]]:
    if HAS_OPTIM:
        opt = torch.optim.SGD(params, lr=lr)
        return opt.zero_grad, opt.step

    def zero_grad() -> None:
        for p in params:
            p.grad = None

    def step() -> None:
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad

    return zero_grad, step


def mlp(init: dict[str, np.ndarray], size: int = 0) -> Step:
    from workloads import MLP_LR

    x, labels = torch.from_numpy(init["x"].copy()), torch.from_numpy(init["y"].copy())
    if HAS_NN:
        layers = [_linear(init[f"W{i}"], init[f"b{i}"]) for i in (1, 2, 3)]
        params = [p for layer in layers for p in (layer.weight, layer.bias)]

        def forward() -> torch.Tensor:
            return layers[2](layers[1](layers[0](x).relu()).relu())
    else:
        w1, w2, w3 = (_param(init[f"W{i}"].T) for i in (1, 2, 3))
        b1, b2, b3 = (_param(init[f"b{i}"]) for i in (1, 2, 3))
        params = [w1, b1, w2, b2, w3, b3]

        def forward() -> torch.Tensor:
            return ((x @ w1 + b1).relu() @ w2 + b2).relu() @ w3 + b3

    zero_grad, update = _updater(params, MLP_LR)

    def step() -> torch.Tensor:
        loss = F.cross_entropy(forward(), labels)
        zero_grad()
        loss.backward()
        update()
        return loss

    return step


def sine(init: dict[str, np.ndarray], size: int = 0) -> Step:
    from workloads import SINE_LR

    x, y = torch.from_numpy(init["x"].copy()), torch.from_numpy(init["y"].copy())
    if HAS_NN:
        l1, l2 = _linear(init["W1"], init["b1"]), _linear(init["W2"], init["b2"])
        params = [l1.weight, l1.bias, l2.weight, l2.bias]

        def loss_fn() -> torch.Tensor:
            return F.mse_loss(l2(l1(x).sigmoid()), y)
    else:
        w1, b1, w2, b2 = _param(init["W1"].T), _param(init["b1"]), _param(init["W2"].T), _param(init["b2"])
        params = [w1, b1, w2, b2]

        def loss_fn() -> torch.Tensor:
            return (((x @ w1 + b1).sigmoid() @ w2 + b2 - y) ** 2).mean()

    zero_grad, update = _updater(params, SINE_LR)

    def step() -> torch.Tensor:
        loss = loss_fn()
        zero_grad()
        loss.backward()
        update()
        return loss

    return step


def elementwise(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """z = a * b, then the node's backward called directly with dL/dz (no engine)."""
    a, b, g = _param(init["a"]), _param(init["b"]), torch.from_numpy(init["g"].copy())

    def step() -> Any:
        fn = (a * b).grad_fn
        with torch.no_grad():
            return fn(g)

    return step


def elementwise_chain(init: dict[str, np.ndarray], size: int = 0) -> Step:
    a, c, g = _param(init["a"]), torch.from_numpy(init["c"].copy()), torch.from_numpy(init["g"].copy())

    def step() -> float:
        y = a
        for _ in range(size):
            y = y * c
        a.grad = None
        y.backward(g)
        return y[0, 0].item()

    return step


def chain(init: Any, size: int = 0) -> Step:
    def step() -> None:
        x = torch.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(size):
            y = y + 1.0
        y.backward()
        del y

    return step


def cnn(init: dict[str, np.ndarray], size: int = 0) -> Step:
    from workloads import CNN_LR

    conv = torch.nn.Conv2d(1, init["K"].shape[0], 3)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(init["K"]))
        conv.bias.copy_(torch.from_numpy(init["kb"]))
    fc = _linear(init["W"], init["b"])
    x, labels = torch.from_numpy(init["x"].copy()), torch.from_numpy(init["y"].copy())
    zero_grad, update = _updater([conv.weight, conv.bias, fc.weight, fc.bias], CNN_LR)

    def step() -> torch.Tensor:
        h = F.max_pool2d(conv(x).relu(), 2)
        loss = F.cross_entropy(fc(h.reshape(h.shape[0], -1)), labels)
        zero_grad()
        loss.backward()
        update()
        return loss

    return step
