"""The workloads written by hand in NumPy: the classic blog-post equations.

Columns are samples: ``Z = W A + b``, ``A = f(Z)``; backward ``dW = dZ Aᵀ``,
``db = Σ dZ`` (over samples), ``dA_prev = Wᵀ dZ``. This is the speed a graph
engine on NumPy is measured against: it does the same array work with no graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Step = Callable[[], Any]


def mlp(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """784-512-256-10 ReLU MLP, softmax cross-entropy, one SGD step."""
    from workloads import MLP_LR

    w1, b1, w2, b2, w3, b3 = (init[k].copy() for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    x = np.ascontiguousarray(init["x"].T)  # (784, B): columns are samples
    labels = init["y"]
    n = x.shape[1]
    onehot = np.zeros((w3.shape[0], n), np.float32)
    onehot[labels, np.arange(n)] = 1.0
    lr = np.float32(MLP_LR)

    def step() -> float:
        z1 = w1 @ x + b1[:, None]
        a1 = np.maximum(z1, 0)
        z2 = w2 @ a1 + b2[:, None]
        a2 = np.maximum(z2, 0)
        z3 = w3 @ a2 + b3[:, None]
        shifted = z3 - z3.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=0, keepdims=True)
        loss = np.mean(np.log(s[0]) - shifted[labels, np.arange(n)])
        dz3 = (e / s - onehot) / np.float32(n)  # softmax - onehot
        dw3 = dz3 @ a2.T
        db3 = dz3.sum(axis=1)
        dz2 = (w3.T @ dz3) * (z2 > 0)
        dw2 = dz2 @ a1.T
        db2 = dz2.sum(axis=1)
        dz1 = (w2.T @ dz2) * (z1 > 0)
        dw1 = dz1 @ x.T
        db1 = dz1.sum(axis=1)
        for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2), (w3, dw3), (b3, db3)):
            p -= lr * g
        return loss

    return step


def mlp_blas_floor(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """Only the 8 matrix products of the MLP step, on arrays of the right shapes."""
    w1, w2, w3 = init["W1"], init["W2"], init["W3"]
    x = np.ascontiguousarray(init["x"].T)
    a1 = np.maximum(w1 @ x, 0)
    a2 = np.maximum(w2 @ a1, 0)
    dz3 = w3 @ a2
    dz2 = w3.T @ dz3
    dz1 = w2.T @ dz2

    def step() -> None:
        w1 @ x
        w2 @ a1
        w3 @ a2
        dz3 @ a2.T
        w3.T @ dz3
        dz2 @ a1.T
        w2.T @ dz2
        dz1 @ x.T

    return step


def sine(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """1 -> 20 sigmoid -> 1, mean squared error, one SGD step."""
    from workloads import SINE_LR

    x = np.ascontiguousarray(init["x"].T)  # (1, N)
    y = np.ascontiguousarray(init["y"].T)
    w1, b1, w2, b2 = (init[k].copy() for k in ("W1", "b1", "W2", "b2"))
    n = np.float32(x.shape[1])
    lr = np.float32(SINE_LR)

    def step() -> float:
        a1 = 1.0 / (1.0 + np.exp(-(w1 @ x + b1[:, None])))
        diff = w2 @ a1 + b2[:, None] - y
        loss = np.mean(diff * diff)
        dz2 = (2.0 / n) * diff
        dw2 = dz2 @ a1.T
        db2 = dz2.sum(axis=1)
        dz1 = (w2.T @ dz2) * a1 * (1.0 - a1)
        dw1 = dz1 @ x.T
        db1 = dz1.sum(axis=1)
        for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
            p -= lr * g
        return loss

    return step


def elementwise(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """z = a * b, then dL/da = g * b and dL/db = g * a."""
    a, b, g = init["a"].copy(), init["b"].copy(), init["g"]

    def step() -> None:
        a * b
        g * b
        g * a

    return step


def elementwise_chain(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """y = a * c, ``size`` times; then the gradient back through all of them."""
    a, c, g = init["a"].copy(), init["c"], init["g"]

    def step() -> float:
        y = a
        for _ in range(size):
            y = y * c
        d = g
        for _ in range(size):
            d = d * c
        return float(y[0, 0])

    return step


def cnn(init: dict[str, np.ndarray], size: int = 0) -> Step:
    """conv 1->8 3x3 as im2col + one matrix product, ReLU, 2x2 max pool, linear, cross-entropy."""
    from workloads import CNN_LR

    k, kb, w, b = (init[n].copy() for n in ("K", "kb", "W", "b"))
    x = init["x"][:, 0]  # (B, 28, 28): one input channel
    labels = init["y"]
    bsz, rows = x.shape[0], np.arange(x.shape[0])
    lr = np.float32(CNN_LR)
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # (B, 26, 26, 3, 3)
    cols = np.ascontiguousarray(windows).reshape(-1, 9)  # im2col, built once: x needs no gradient

    def step() -> float:
        z = (cols @ k.reshape(k.shape[0], 9).T + kb).reshape(bsz, 26, 26, -1).transpose(0, 3, 1, 2)
        a = np.maximum(z, 0)
        blocks = a.reshape(bsz, a.shape[1], 13, 2, 13, 2)
        p = blocks.max(axis=(3, 5))  # (B, 8, 13, 13)
        flat = p.reshape(bsz, -1)
        logits = flat @ w.T + b
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - shifted[rows, labels])
        dlogits = e / s
        dlogits[rows, labels] -= 1.0
        dlogits /= np.float32(bsz)
        dw = dlogits.T @ flat
        db = dlogits.sum(axis=0)
        dp = (dlogits @ w).reshape(p.shape)
        # max pool: the gradient goes to the maximal element of each 2x2 block (ties share it)
        hit = blocks == p[:, :, :, None, :, None]
        share = hit / hit.sum(axis=(3, 5), keepdims=True)
        dz = (share * dp[:, :, :, None, :, None]).reshape(a.shape) * (z > 0)
        dzr = dz.transpose(0, 2, 3, 1).reshape(-1, k.shape[0])  # (B*26*26, C)
        dk = (dzr.T @ cols).reshape(k.shape)
        dkb = dzr.sum(axis=0)
        for prm, grd in ((k, dk), (kb, dkb), (w, dw), (b, db)):
            prm -= lr * grd
        return loss

    return step
