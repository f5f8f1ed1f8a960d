"""Leave tinygrad_np with the examples' networks: export each to ONNX and convert it to PyTorch.

Trains the networks of the sine, moons and digits examples (the digits MLP and CNN), then
for each one measures the ONNX export time and file size, and the largest difference
between tinygrad_np's outputs and onnxruntime's (traced at batch 8, run on the whole data
set: the batch axis is dynamic) and PyTorch's after ``tinygrad_np.utils.to_torch``.

    python examples/export_models.py [--quick] [--out DIR]

Needs the onnx extra and PyTorch: pip install "tinygrad-np[onnx]" torch
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tinygrad_np as tg
from tinygrad_np import cli, nn, optim
from tinygrad_np.data import DataLoader, datasets
from tinygrad_np.utils import to_torch


def example_task(name: str, epochs: int) -> tuple[nn.Module, tg.Tensor]:
    """The CLI's sine or moons network (the sine/moons examples' tasks), trained."""
    task = cli.TASKS[name]
    model, _, x, _, _ = cli.train(task, epochs, seed=0, progress=False)
    return model, x


def digits_networks(epochs: int) -> tuple[nn.Module, nn.Module, tg.Tensor]:
    """examples/digits.py's MLP and CNN, trained with its recipe (Adam, batches of 64)."""
    tg.manual_seed(0)
    data = datasets.digits()
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    cnn = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 8, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )
    for model in (mlp, cnn):
        optimizer = optim.Adam(model.parameters(), lr=0.003)
        for _ in range(epochs):
            for xb, yb in DataLoader(data, batch_size=64, shuffle=True):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(xb), yb).backward()
                optimizer.step()
    return mlp, cnn, data.tensors[0]


def measure(name: str, model: nn.Module, x: tg.Tensor, out: Path) -> dict[str, float]:
    import onnxruntime
    import torch

    model.eval()
    path = out / f"{name}.onnx"
    axes = {"input": {0: "batch"}, "output": {0: "batch"}}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        tg.onnx.export(model, x[:8], path, input_names=["input"], output_names=["output"], dynamic_axes=axes)
        times.append(time.perf_counter() - start)
    with tg.no_grad():
        expected = model(x).numpy()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": x.numpy()})
    tm = to_torch(model)
    with torch.no_grad():
        got_torch = tm(torch.from_numpy(x.numpy())).numpy()
    return {
        "export_ms": 1000 * min(times),
        "bytes": path.stat().st_size,
        "onnx_diff": float(np.abs(got - expected).max()),
        "torch_diff": float(np.abs(got_torch - expected).max()),
        "rows": x.shape[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter training (for CI)")
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="folder for the .onnx files (default: out)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    sine, x_sine = example_task("sine", 200 if args.quick else cli.TASKS["sine"].epochs)
    moons, x_moons = example_task("moons", 100 if args.quick else cli.TASKS["moons"].epochs)
    mlp, cnn, x_digits = digits_networks(1 if args.quick else 8)
    networks = {"sine": (sine, x_sine), "moons": (moons, x_moons), "digits MLP": (mlp, x_digits)}
    networks["digits CNN"] = (cnn, x_digits)

    print(
        "| network | export time (best of 3) | file size | max abs diff vs onnxruntime | max abs diff vs PyTorch |"
    )
    print("|---|---|---|---|---|")
    for name, (model, x) in networks.items():
        r = measure(name.replace(" ", "_"), model, x, args.out)
        print(
            f"| {name} | {r['export_ms']:.1f} ms | {r['bytes'] / 1024:.1f} KiB | "
            f"{r['onnx_diff']:.2e} | {r['torch_diff']:.2e} |"
        )
        assert r["onnx_diff"] < 1e-4 and r["torch_diff"] < 1e-4, (name, r)
    print(f"(float32; traced at batch 8, compared on all {x_digits.shape[0]} digits / every data point)")
    print(f"onnx files: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
