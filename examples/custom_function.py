"""A user-defined op: an ``autograd.Function`` with its own forward and backward.

Softsign, y = x / (1 + |x|), is not built in. Writing it as a Function takes a
forward (Tensor ops, run with recording off) and a backward (the chain rule with Tensor ops), the
same pattern as every built-in op in ``tinygrad_np/ops/``. Then:

1. ``gradcheck`` compares the backward with finite differences (in float64);
2. a deliberately wrong backward is caught by the same check;
3. the op is used in a small network and the graph is drawn, with the op's
   ``formula`` on its node.

    python examples/custom_function.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_np as tg
from tinygrad_np import nn, optim
from tinygrad_np.autograd import Function, gradcheck


class Softsign(Function):
    """y = x / (1 + |x|)."""

    formula = "d softsign(x)/dx = 1 / (1 + |x|)^2"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())  # recording is off inside forward

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x.abs()) ** 2  # d/dx x/(1+|x|) = 1/(1+|x|)^2


class WrongSoftsign(Softsign):
    """The same forward with a mistake in backward (the square is missing)."""

    formula = "d softsign(x)/dx = 1 / (1 + |x|)   (wrong!)"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x.abs())  # wrong: forgets the square


class SoftsignLayer(nn.Module):
    """The op as a module, so it can go into nn.Sequential."""

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return Softsign.apply(x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer training steps (for CI)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the drawing (default: out)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tg.manual_seed(0)

    # 1. the backward agrees with finite differences (float64: float32 is too coarse for them)
    x = tg.randn(6, dtype=tg.float64, requires_grad=True)
    assert gradcheck(Softsign.apply, (x,))
    print("gradcheck(Softsign): passed")

    # 2. ... and a wrong backward does not
    ok = gradcheck(WrongSoftsign.apply, (x,), raise_exception=False)
    assert not ok
    print("gradcheck(WrongSoftsign): failed, as it should")

    # 3. use it in a network: fit y = x / 2 on [-2, 2]
    model = nn.Sequential(nn.Linear(1, 8), SoftsignLayer(), nn.Linear(8, 1))
    xs = tg.linspace(-2, 2, 64).reshape(64, 1)
    ys = xs / 2
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(50 if args.quick else 500):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xs), ys)
        loss.backward()
        opt.step()
    print(f"fit with the custom op: final MSE {loss.item():.5f}")

    # draw the graph of the loss; the Softsign node shows its formula
    from tinygrad_np.viz import draw_graph

    loss = nn.functional.mse_loss(model(xs[:3]), ys[:3])
    dot = draw_graph(loss, params=dict(model.named_parameters()))
    assert "SoftsignBackward" in dot.source
    path = args.out / "custom_function_graph.svg"
    path.write_bytes(dot.pipe(format="svg"))
    print(f"graph drawing: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
