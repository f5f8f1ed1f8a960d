"""Handwritten digits: an MLP (>= 95% test accuracy) and a small CNN, on a real dataset.

The data is scikit-learn's bundled ``load_digits`` (1797 grey 8x8 images, no
download), through ``tinygrad_np.data.datasets.digits``. The loop is the usual
PyTorch one: DataLoader mini-batches, ``model.train()`` / ``model.eval()``,
``no_grad`` for evaluation.

    python examples/digits.py [--quick]
"""

from __future__ import annotations

import argparse

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.data import DataLoader, datasets, random_split


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def fit(model: nn.Module, train_set, epochs: int, lr: float) -> None:
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        print(f"  epoch {epoch + 1:2d}  loss {total / len(train_set):.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for CI)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)

    # 1797 images, 80% to train, 20% held out for the test accuracy
    data = datasets.digits()  # inputs (1797, 64) in [0, 1], labels 0..9
    train_set, test_set = random_split(data, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    x_all, y_all = data.tensors
    x_test, y_test = x_all[test_set.indices], y_all[test_set.indices]

    print("MLP: 64 -> 128 relu -> 10")
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    fit(mlp, train_set, epochs=8 if args.quick else 20, lr=0.003)
    mlp_acc = accuracy(mlp, x_test, y_test)
    print(f"MLP test accuracy {mlp_acc:.1%}")

    print("CNN: conv 3x3 (8) -> relu -> maxpool 2 -> conv 3x3 (16) -> relu -> maxpool 2 -> linear")
    cnn = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),  # (N, 64) -> (N, 1, 8, 8): one grey channel
        nn.Conv2d(1, 8, kernel_size=3, padding=1),  # (N, 1, 8, 8) -> (N, 8, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> (N, 8, 4, 4)
        nn.Conv2d(8, 16, kernel_size=3, padding=1),  # -> (N, 16, 4, 4)
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> (N, 16, 2, 2)
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )
    fit(cnn, train_set, epochs=2 if args.quick else 15, lr=0.01)
    cnn_acc = accuracy(cnn, x_test, y_test)
    print(f"CNN test accuracy {cnn_acc:.1%}")

    assert mlp_acc >= 0.95, f"the MLP reached only {mlp_acc:.1%}"
    assert cnn_acc >= (0.8 if args.quick else 0.95), f"the CNN reached only {cnn_acc:.1%}"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
