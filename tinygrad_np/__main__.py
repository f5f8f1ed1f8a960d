"""``python -m tinygrad_np``: train the classic sine network (1 -> 20 sigmoid -> 1)."""

from __future__ import annotations

import argparse
import math

import numpy as np

import tinygrad_np as tg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinygrad-np", description=__doc__)
    parser.add_argument("--epochs", type=int, default=3000, help="full-batch SGD steps (default 3000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    tg.manual_seed(args.seed)
    x = tg.linspace(0, math.pi, 100).reshape(100, 1)
    y = x.sin()
    w1 = tg.randn(1, 20, requires_grad=True)
    b1 = tg.zeros(20, requires_grad=True)
    w2 = (tg.randn(20, 1) * 0.1).requires_grad_()
    b2 = tg.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(args.epochs):
        pred = (x @ w1 + b1).sigmoid() @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tg.no_grad():
            for p in params:
                p -= 0.5 * p.grad
        if step % max(args.epochs // 5, 1) == 0:
            print(f"step {step:5d}  mse {loss.item():.5f}")
    print(f"final mse {loss.item():.5f}")
    return 0 if np.isfinite(loss.item()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
