"""The classic first network: fit y = sin(x) with 1 -> 20 sigmoid -> 1.

One input, twenty sigmoid hidden units, one linear output; mean-squared error;
plain full-batch gradient descent with momentum. Written exactly as in PyTorch:
swap the import for ``import torch`` and it runs there too.

    python examples/sine.py [--quick] [--out DIR]     # writes DIR/sine.png
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import tinygrad_np as torch
from tinygrad_np import nn, optim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 steps instead of 3000 (for CI)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the plot (default: out)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    # the data: 200 points of one period of the sine, shaped (samples, features)
    x = torch.linspace(-math.pi, math.pi, 200).reshape(-1, 1)
    y = torch.sin(x)

    # the network and its training parts
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    steps = 300 if args.quick else 3000
    for step in range(steps):
        optimizer.zero_grad()  # gradients accumulate: clear last step's
        loss = loss_fn(model(x), y)  # forward: builds the graph
        loss.backward()  # backward: fills p.grad for every parameter
        optimizer.step()  # p -= lr * (momentum-smoothed) p.grad
        if step % (steps // 6) == 0:
            print(f"step {step:5d}  mse {loss.item():.6f}")
    print(f"final mse {loss.item():.6f}")
    assert loss.item() < (0.05 if args.quick else 0.002), "the sine fit did not converge"

    # plot the fit against the truth
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with torch.no_grad():
        pred = model(x)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(x.numpy(), y.numpy(), color="0.6", lw=4, label="sin(x)")
    ax.plot(x.numpy(), pred.numpy(), color="C3", label="1 -> 20 sigmoid -> 1")
    ax.set_title(f"final MSE {loss.item():.5f}")
    ax.legend()
    args.out.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out / "sine.png", dpi=100)
    print(f"plot: {args.out / 'sine.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
