"""XOR: the four points no single linear layer can separate, learned by 2 -> 4 tanh -> 1.

The hidden layer bends the plane so that the output layer can draw one line.
The loss is binary cross-entropy on the logits (``BCEWithLogitsLoss``, the
numerically stable pairing of a sigmoid and a log).

    python examples/xor.py [--quick]
"""

from __future__ import annotations

import argparse

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.data import datasets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (for CI)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    x, y = datasets.xor().tensors  # x: (4, 2) in {0, 1}; y: (4, 1), 1 where exactly one input is 1
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.05)

    for _step in range(200 if args.quick else 1000):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    print(f"final loss {loss.item():.5f}")

    with torch.no_grad():
        prob = torch.sigmoid(model(x))  # P(y = 1) for each corner
    for (a, b), p, t in zip(x.tolist(), prob.reshape(-1).tolist(), y.reshape(-1).tolist(), strict=True):
        print(f"{a:.0f} xor {b:.0f} = {t:.0f}   network: {p:.3f}")
    assert ((prob > 0.5).float() == y).float().mean().item() == 1.0, "XOR not learned"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
