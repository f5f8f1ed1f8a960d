"""A network from hyperparameters: ``nn.MLP`` built from a list of sizes and an activation name.

The from-scratch posts describe a network by its layer sizes, e.g.
``layers_dims = [2, 16, 16, 3]``, and an activation per layer. ``nn.MLP`` takes
exactly that and builds the ``nn.Sequential`` of Linear layers and activations.
This script tries a few settings on the spirals dataset and prints a table.

    python examples/hyperparameters.py [--quick]
"""

from __future__ import annotations

import argparse

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.data import datasets

SETTINGS = [
    # (layer sizes, hidden activation, learning rate)
    ([2, 16, 3], "relu", 0.01),
    ([2, 64, 64, 3], "relu", 0.01),
    ([2, 64, 64, 3], "tanh", 0.01),
    ([2, 64, 64, 3], "sigmoid", 0.01),
]


def train(sizes: list[int], activation: str, lr: float, epochs: int) -> tuple[float, float]:
    torch.manual_seed(0)
    x, y = datasets.spirals(100, classes=3, noise=0.2).tensors
    model = nn.MLP(sizes, activation=activation)  # Linear, act, Linear, act, ..., Linear
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == y).float().mean().item()
    return loss.item(), acc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for CI)")
    args = parser.parse_args(argv)
    epochs = 60 if args.quick else 600

    print(nn.MLP([2, 64, 64, 3], activation="relu"))  # what a list of sizes builds
    print(f"\n{'sizes':18s} {'activation':10s} {'lr':>6s} {'loss':>8s} {'accuracy':>9s}")
    results = []
    for sizes, activation, lr in SETTINGS:
        loss, acc = train(sizes, activation, lr, epochs)
        results.append(acc)
        print(f"{sizes!s:18s} {activation:10s} {lr:6.3f} {loss:8.4f} {acc:9.1%}")
    if not args.quick:
        assert max(results) > 0.95, "no setting learned the spirals"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
