"""The ``tinygrad-np`` command (also ``python -m tinygrad_np``).

``tinygrad-np demo`` (the default command) trains a small network end to end on
a dataset generated in memory (no download), with a progress bar, then writes
two pictures: the computational graph of the loss (SVG) and the fit (PNG).

The training loop is the PyTorch one, line for line::

    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

EXTRA_HINT = 'pip install "tinygrad-np[examples]"'


# ---- datasets: built in (tinygrad_np.data.datasets), nothing to download ------------------
def _sine() -> Any:
    from .data import datasets

    return datasets.sine(200, low=-math.pi, high=math.pi)


def _xor() -> Any:
    from .data import datasets

    return datasets.xor()


def _moons() -> Any:
    from .data import datasets

    return datasets.two_moons(300, noise=0.1)


def _spirals() -> Any:
    from .data import datasets

    return datasets.spirals(100, classes=3, noise=0.2)


# ---- the four tasks ------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One demo: its data, network, loss and optimizer."""

    name: str
    summary: str
    epochs: int
    data: Callable[[], Any]  # a TensorDataset of (inputs, targets)
    model: Callable[[], Any]
    loss: Callable[[], Any]
    optimizer: Callable[[Iterable[Any]], Any]
    classify: bool  # report accuracy and draw a decision boundary


def _sine_model() -> Any:
    from . import nn

    return nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))


def _xor_model() -> Any:
    from . import nn

    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))


def _mlp(sizes: list[int]) -> Callable[[], Any]:
    def build() -> Any:
        from . import nn

        layers: list[Any] = []
        for i, (a, b) in enumerate(itertools.pairwise(sizes)):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    return build


def _loss(name: str) -> Callable[[], Any]:
    def build() -> Any:
        from . import nn

        return getattr(nn, name)()

    return build


def _sgd(lr: float, momentum: float) -> Callable[[Iterable[Any]], Any]:
    def build(params: Iterable[Any]) -> Any:
        from . import optim

        return optim.SGD(params, lr=lr, momentum=momentum)

    return build


def _adam(lr: float) -> Callable[[Iterable[Any]], Any]:
    def build(params: Iterable[Any]) -> Any:
        from . import optim

        return optim.Adam(params, lr=lr)

    return build


TASKS: dict[str, Task] = {
    "sine": Task(
        "sine",
        "fit y = sin(x): 1 -> 20 sigmoid -> 1, MSELoss, SGD(lr=0.1, momentum=0.9)",
        2000,
        _sine,
        _sine_model,
        _loss("MSELoss"),
        _sgd(0.1, 0.9),
        classify=False,
    ),
    "xor": Task(
        "xor",
        "XOR of two inputs: 2 -> 8 tanh -> 1, BCEWithLogitsLoss, SGD(lr=0.5, momentum=0.9)",
        500,
        _xor,
        _xor_model,
        _loss("BCEWithLogitsLoss"),
        _sgd(0.5, 0.9),
        classify=True,
    ),
    "moons": Task(
        "moons",
        "two moons: 2 -> 16 relu -> 16 relu -> 2, CrossEntropyLoss, Adam(lr=0.02)",
        500,
        _moons,
        _mlp([2, 16, 16, 2]),
        _loss("CrossEntropyLoss"),
        _adam(0.02),
        classify=True,
    ),
    "spirals": Task(
        "spirals",
        "three spirals: 2 -> 64 relu -> 64 relu -> 3, CrossEntropyLoss, Adam(lr=0.01)",
        1000,
        _spirals,
        _mlp([2, 64, 64, 3]),
        _loss("CrossEntropyLoss"),
        _adam(0.01),
        classify=True,
    ),
}


# ---- command line --------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tinygrad-np``."""
    from . import __version__

    tasks = "\n".join(f"  {t.name:8s} {t.summary} ({t.epochs} epochs)" for t in TASKS.values())
    parser = argparse.ArgumentParser(
        prog="tinygrad-np",
        description=(
            "tinygrad_np: a computational-graph autodiff engine on NumPy with PyTorch's API.\n\n"
            "demo (the default) trains a small network on a built-in dataset with a progress bar,\n"
            "prints the final loss and writes the graph drawing (SVG) and a plot of the result (PNG)."
        ),
        epilog=f"tasks:\n{tasks}\n\nexample: tinygrad-np demo --task moons --out pictures",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "command", nargs="?", default="demo", choices=["demo"], help="what to run (default: demo)"
    )
    parser.add_argument("--task", default="sine", choices=sorted(TASKS), help="what to learn (default: sine)")
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="full-batch training steps (default: per task)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("tinygrad-np-demo"),
        metavar="DIR",
        help="folder for the pictures (default: ./tinygrad-np-demo)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="random seed for data and weights (default: 0)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _prepare_out(out: Path) -> str | None:
    """Create ``out`` and check it is writable; return an error message or None."""
    if out.exists() and not out.is_dir():
        return f"cannot write to --out {str(out)!r}: it is a file, not a folder"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".tinygrad-np-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        return f"cannot write to --out {str(out)!r}: {e.strerror or e}"
    return None


def _progress(epochs: int, enabled: bool) -> Any:
    """A tqdm bar over the epochs, or a plain range (with a hint) when tqdm is missing."""
    if enabled:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            print(f"(no progress bar: tqdm is not installed; {EXTRA_HINT})", file=sys.stderr)
        else:
            return tqdm(range(epochs), desc="training", unit="epoch", ncols=80, mininterval=0.2)
    return range(epochs)


def train(task: Task, epochs: int, seed: int, progress: bool = True) -> tuple[Any, Any, Any, Any, float]:
    """Train ``task``'s network full-batch; return (model, criterion, x, y, final loss)."""
    import tinygrad_np as tg

    tg.manual_seed(seed)
    x, y = task.data().tensors
    model = task.model()
    criterion = task.loss()
    optimizer = task.optimizer(model.parameters())
    bar = _progress(epochs, progress)
    loss = None
    for epoch in bar:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if hasattr(bar, "set_postfix_str") and (epoch % 25 == 0 or epoch == epochs - 1):
            bar.set_postfix_str(f"loss={loss.item():.5f}", refresh=False)
    if hasattr(bar, "close"):
        bar.close()
    return model, criterion, x, y, float(loss.item())


def accuracy(task: Task, model: Any, x: Any, y: Any) -> float:
    """Fraction of training points classified correctly."""
    import tinygrad_np as tg

    with tg.no_grad():
        out = model(x).numpy()
    pred = (out[:, 0] > 0).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)
    return float((pred == y.numpy().reshape(-1).astype(np.int64)).mean())


def write_graph(model: Any, criterion: Any, x: Any, y: Any, path: Path) -> Path:
    """Draw the graph of the loss (on the first four samples, so the values stay readable)."""
    from .viz import draw_graph

    x, y = x[:4], y[:4]  # locals named as in the README's picture: x, y, pred, loss
    pred = model(x)
    loss = criterion(pred, y)
    dot = draw_graph(loss, params=model, show_data=True, show_grad=True)
    try:
        svg = dot.pipe(format="svg")
    except Exception as e:  # no renderer: keep the DOT source, which any Graphviz can render
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(dot.source, encoding="utf-8")
        print(f"(could not render SVG: {e}; wrote the DOT source instead)", file=sys.stderr)
        return dot_path
    path.write_bytes(svg)
    return path


def write_plot(task: Task, model: Any, x: Any, y: Any, loss: float, path: Path) -> Path | None:
    """Plot the fit (sine) or the decision regions (classifiers) to a PNG with matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
    except ImportError:
        print(f"(no plot: matplotlib is not installed; {EXTRA_HINT})", file=sys.stderr)
        return None
    import tinygrad_np as tg

    xs, ys = x.numpy(), y.numpy()
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    if not task.classify:
        with tg.no_grad():
            pred = model(x).numpy()
        ax.plot(xs[:, 0], ys[:, 0], color="0.6", lw=4, label="truth: sin(x)")
        ax.plot(xs[:, 0], pred[:, 0], color="C3", lw=1.5, label="network")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend()
        ax.set_title(f"{task.name}: final MSE {loss:.5f}")
    else:
        lo, hi = xs.min(axis=0) - 0.5, xs.max(axis=0) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
        grid = tg.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
        with tg.no_grad():
            out = model(grid).numpy()
        region = (out[:, 0] > 0).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
        labels = ys.reshape(-1).astype(int)
        k = max(int(labels.max()) + 1, 2)
        colors = ListedColormap(["#3b75af", "#d1495b", "#5a9e4b"][:k])  # one colour per class
        ax.contourf(gx, gy, region.reshape(gx.shape), levels=np.arange(k + 1) - 0.5, cmap=colors, alpha=0.3)
        ax.scatter(
            xs[:, 0],
            xs[:, 1],
            c=labels,
            cmap=colors,
            vmin=-0.5,
            vmax=k - 0.5,
            s=80 if len(labels) < 50 else 14,
            edgecolors="k",
            linewidths=0.4,
        )
        ax.set_title(f"{task.name}: loss {loss:.4f}, train accuracy {accuracy(task, model, x, y):.1%}")
        ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def demo(args: argparse.Namespace) -> int:
    """Train, report, draw; return the exit code."""
    task = TASKS[args.task]
    epochs = args.epochs or task.epochs
    print(f"tinygrad-np demo --task {task.name}: {task.summary}, {epochs} epochs")
    model, criterion, x, y, loss = train(task, epochs, args.seed, progress=not args.no_progress)
    print(f"final loss {loss:.6f}")
    if task.classify:
        print(f"train accuracy {accuracy(task, model, x, y):.1%}")
    graph = write_graph(model, criterion, x, y, args.out / f"{task.name}_graph.svg")
    print(f"graph drawing: {graph}")
    plot = write_plot(task, model, x, y, loss, args.out / f"{task.name}_fit.png")
    if plot is not None:
        print(f"plot: {plot}")
    return 0 if math.isfinite(loss) else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tinygrad-np`` console script and ``python -m tinygrad_np``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = _prepare_out(args.out)
    if problem is not None:
        parser.exit(2, f"{parser.prog}: error: {problem}\n")
    os.environ.setdefault("MPLBACKEND", "Agg")
    return demo(args)
