"""Two moons: a small MLP learns a curved decision boundary, drawn with matplotlib.

python examples/moons.py [--quick] [--out DIR]    # writes DIR/moons.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.data import DataLoader, datasets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for CI)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the plot (default: out)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    data = datasets.two_moons(400, noise=0.15)  # inputs (400, 2), labels (400,) in {0, 1}
    loader = DataLoader(data, batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()  # takes logits and class indices
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    for _epoch in range(10 if args.quick else 60):
        for xb, yb in loader:  # mini-batches, reshuffled every epoch
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

    x, y = data.tensors
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == y).float().mean().item()
    print(f"train accuracy {acc:.1%}")
    assert acc > (0.85 if args.quick else 0.97), "the moons were not separated"

    # the decision boundary: classify every point of a grid and colour the regions
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gx, gy = np.meshgrid(np.linspace(-1.7, 2.7, 200), np.linspace(-1.2, 1.7, 200))
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32)
    with torch.no_grad():
        region = model(grid).argmax(dim=1).numpy().reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.contourf(gx, gy, region, levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.35)
    ax.scatter(
        x.numpy()[:, 0], x.numpy()[:, 1], c=y.numpy(), cmap="coolwarm", s=10, edgecolors="k", linewidths=0.3
    )
    ax.set_title(f"two moons, train accuracy {acc:.1%}")
    args.out.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out / "moons.png", dpi=100)
    print(f"plot: {args.out / 'moons.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
