"""Every optimizer, every option, stepped 50 times beside a NumPy reference (no torch needed).

Each reference is the update rule as PyTorch's documentation writes it (the
algorithm box of ``torch.optim.X``), coded here from the formulas in plain NumPy
float64, one function per optimizer. The gradients are fixed random arrays fed
to both sides, so the test checks the update rule alone, independent of
autograd. A wrong bias correction, a dropped momentum term, a sign error in
``maximize`` or a weight decay applied at the wrong place moves the parameters
away from the reference within a few steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter

STEPS = 50
SHAPES = [(3, 4), (5,)]


def _grads(seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]


# ---- references: one state dict per parameter, step(p, g, state, t) updates p in place --------


def sgd_ref(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    def step(p: np.ndarray, g: np.ndarray, st: dict, t: int) -> None:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            st["b"] = g.copy() if t == 1 else momentum * st["b"] + (1 - dampening) * g
            g = g + momentum * st["b"] if nesterov else st["b"]
        p -= lr * g

    return step


def adam_ref(
    lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False
):
    b1, b2 = betas

    def step(p: np.ndarray, g: np.ndarray, st: dict, t: int) -> None:
        g = -g if maximize else g
        if decoupled:
            p *= 1 - lr * weight_decay  # AdamW: decay the weight, not the gradient
        elif weight_decay:
            g = g + weight_decay * p
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * g
        st["v"] = b2 * st.get("v", 0.0) + (1 - b2) * g * g
        m_hat = st["m"] / (1 - b1**t)
        if amsgrad:  # the running maximum is kept of v itself, then bias-corrected
            st["v_max"] = np.maximum(st.get("v_max", 0.0), st["v"])
            v_hat = st["v_max"] / (1 - b2**t)
        else:
            v_hat = st["v"] / (1 - b2**t)
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)

    return step


def adamw_ref(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False):
    return adam_ref(lr, betas, eps, weight_decay, amsgrad, maximize, decoupled=True)


def rmsprop_ref(
    lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False
):
    def step(p: np.ndarray, g: np.ndarray, st: dict, t: int) -> None:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        st["v"] = alpha * st.get("v", 0.0) + (1 - alpha) * g * g
        v = st["v"]
        if centered:
            st["g_avg"] = alpha * st.get("g_avg", 0.0) + (1 - alpha) * g
            v = v - st["g_avg"] ** 2
        if momentum > 0:
            st["b"] = momentum * st.get("b", 0.0) + g / (np.sqrt(v) + eps)
            p -= lr * st["b"]
        else:
            p -= lr * g / (np.sqrt(v) + eps)

    return step


def adagrad_ref(
    lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    def step(p: np.ndarray, g: np.ndarray, st: dict, t: int) -> None:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        st["sum"] = st.get("sum", initial_accumulator_value) + g * g
        p -= clr * g / (np.sqrt(st["sum"]) + eps)

    return step


CASES: list[tuple[str, Any, Callable[..., Any], dict[str, Any]]] = []
for kw in [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.1, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1},
    {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "maximize": True},
]:
    CASES.append(("SGD", optim.SGD, sgd_ref, kw))
for kw in [
    {},
    {"lr": 0.01, "betas": (0.8, 0.9)},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "maximize": True, "eps": 1e-3},
    {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
]:
    CASES.append(("Adam", optim.Adam, adam_ref, kw))
    CASES.append(("AdamW", optim.AdamW, adamw_ref, kw))
for kw in [
    {},
    {"lr": 0.01, "alpha": 0.9},
    {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "centered": True},
    {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
    {"lr": 0.01, "maximize": True, "eps": 1e-4},
]:
    CASES.append(("RMSprop", optim.RMSprop, rmsprop_ref, kw))
for kw in [
    {},
    {"lr": 0.1, "lr_decay": 0.05},
    {"lr": 0.1, "weight_decay": 0.1},
    {"lr": 0.1, "initial_accumulator_value": 0.5},
    {"lr": 0.1, "maximize": True, "eps": 1e-3},
]:
    CASES.append(("Adagrad", optim.Adagrad, adagrad_ref, kw))


@pytest.mark.parametrize(
    ("name", "cls", "ref", "kw"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_fifty_steps_match_the_documented_update_rule(name, cls, ref, kw):
    rng = np.random.default_rng(1)
    start = [rng.standard_normal(s) for s in SHAPES]
    params = [Parameter(tg.tensor(a, dtype=tg.float64)) for a in start]
    opt = cls(params, **kw)
    ref_params = [a.copy() for a in start]
    ref_state: list[dict] = [{} for _ in SHAPES]
    step = ref(**kw)
    for t, grads in enumerate(_grads(2), start=1):
        for p, g in zip(params, grads):
            p.grad = tg.tensor(g)
        opt.step()
        for rp, g, st in zip(ref_params, grads, ref_state):
            step(rp, g, st, t)
        for p, rp in zip(params, ref_params):
            np.testing.assert_allclose(p.detach().numpy(), rp, rtol=1e-10, atol=1e-12, err_msg=f"step {t}")


def test_the_references_are_not_trivially_equal():
    """Guard for the oracle itself: each option changes the trajectory, so a library that
    ignored it would fail the comparison above."""
    grads = _grads(2)

    def run(step: Callable[..., Any]) -> np.ndarray:
        p, st = np.ones(SHAPES[0]), {}
        for t, g in enumerate(grads, start=1):
            step(p, g[0], st, t)
        return p

    pairs = [
        (sgd_ref(lr=0.1, momentum=0.9), sgd_ref(lr=0.1, momentum=0.9, nesterov=True)),
        (adam_ref(lr=0.01), adam_ref(lr=0.01, amsgrad=True)),
        (adam_ref(lr=0.01, weight_decay=0.1), adamw_ref(lr=0.01, weight_decay=0.1)),
        (rmsprop_ref(lr=0.01), rmsprop_ref(lr=0.01, centered=True)),
        (adagrad_ref(lr=0.1), adagrad_ref(lr=0.1, lr_decay=0.05)),
    ]
    for a, b in pairs:
        assert not np.allclose(run(a), run(b))
    # bias correction matters: without it the first Adam step is ~10x smaller
    p, st = np.zeros(3), {}
    adam_ref(lr=1.0)(p, np.ones(3), st, 1)
    assert math.isclose(p[0], -1.0, rel_tol=1e-6)
