"""The benchmark workloads: their shared data and initial weights, and their metadata.

Every implementation (``impl_tinygrad``, ``impl_numpy``, ``impl_torch``) builds its
step from the arrays made here, so all three start from the same numbers and their
first losses can be compared. Weights are stored as PyTorch's ``nn.Linear`` keeps
them: ``W`` of shape (out, in), ``b`` of shape (out,).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 256
MLP_LR = 0.01
SINE_HIDDEN = 20
SINE_BATCH = 100
SINE_LR = 0.5
EW_SHAPE = (16, 16)
EW_CHAIN_OPS = 100
CHAIN_NODES = 100_000
CNN_BATCH = 8
CNN_CHANNELS = 8
CNN_LR = 0.01


def _linear_init(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """U(-1/sqrt(in), 1/sqrt(in)) for W and b, as ``nn.Linear`` initialises."""
    bound = 1.0 / math.sqrt(n_in)
    w = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
    b = rng.uniform(-bound, bound, (n_out,)).astype(np.float32)
    return w, b


def mlp_init(seed: int = 0) -> dict[str, np.ndarray]:
    """784-512-256-10 weights, a batch of 256 inputs and integer labels."""
    rng = np.random.default_rng(seed)
    init: dict[str, np.ndarray] = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(MLP_SIZES), start=1):
        init[f"W{i}"], init[f"b{i}"] = _linear_init(rng, n_in, n_out)
    init["x"] = rng.standard_normal((MLP_BATCH, MLP_SIZES[0])).astype(np.float32)
    init["y"] = rng.integers(0, MLP_SIZES[-1], MLP_BATCH).astype(np.int64)
    return init


def sine_init(seed: int = 0) -> dict[str, np.ndarray]:
    """The classic sine network 1 -> 20 (sigmoid) -> 1 on 100 points of [0, pi]."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, math.pi, SINE_BATCH).astype(np.float32).reshape(SINE_BATCH, 1)
    return {
        "x": x,
        "y": np.sin(x),
        "W1": rng.standard_normal((SINE_HIDDEN, 1)).astype(np.float32),
        "b1": np.zeros(SINE_HIDDEN, np.float32),
        "W2": (0.1 * rng.standard_normal((1, SINE_HIDDEN))).astype(np.float32),
        "b2": np.zeros(1, np.float32),
    }


def elementwise_init(seed: int = 0) -> dict[str, np.ndarray]:
    """Two 16x16 operands and the incoming gradient dL/dz."""
    rng = np.random.default_rng(seed)
    return {
        "a": rng.standard_normal(EW_SHAPE).astype(np.float32),
        "b": rng.standard_normal(EW_SHAPE).astype(np.float32),
        "c": (1.0 + 0.001 * rng.standard_normal(EW_SHAPE)).astype(np.float32),
        "g": np.ones(EW_SHAPE, np.float32),
    }


def cnn_init(seed: int = 0) -> dict[str, np.ndarray]:
    """conv 1->8 3x3 (no padding), relu, maxpool 2, linear 8*13*13 -> 10 on 8x1x28x28."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / math.sqrt(9)
    flat = CNN_CHANNELS * 13 * 13
    w2, b2 = _linear_init(rng, flat, 10)
    return {
        "K": rng.uniform(-bound, bound, (CNN_CHANNELS, 1, 3, 3)).astype(np.float32),
        "kb": rng.uniform(-bound, bound, (CNN_CHANNELS,)).astype(np.float32),
        "W": w2,
        "b": b2,
        "x": rng.standard_normal((CNN_BATCH, 1, 28, 28)).astype(np.float32),
        "y": rng.integers(0, 10, CNN_BATCH).astype(np.int64),
    }


@dataclass
class Workload:
    """One row of the table.

    ``label`` may use ``{n}``, the size of the run. ``builder`` names the function each implementation module defines; it takes
    ``(init, size)`` and returns a zero-argument ``step`` that does one unit of
    work and returns the loss (or None). ``per`` divides the time of one step
    (e.g. per node of the chain). ``target`` is the issue's goal for the row.
    """

    name: str
    label: str
    init: object
    builder: str
    size: int = 0
    quick_size: int = 0
    per: int = 1
    unit: str = "step"
    trains: bool = True
    target: str = ""
    impls: tuple[str, ...] = ("tinygrad_np", "compiled", "numpy", "torch")
    extra: dict[str, object] = field(default_factory=dict)


WORKLOADS: list[Workload] = [
    Workload(
        "mlp",
        "MLP 784-512-256-10 ReLU, cross-entropy, batch 256, SGD step (float32)",
        mlp_init,
        "mlp",
        target="<= 0.75x PyTorch, <= 1.05x NumPy, <= 1.6x BLAS floor",
    ),
    Workload(
        "mlp_blas",
        "the 8 matrix products of that step alone (BLAS floor)",
        mlp_init,
        "mlp_blas_floor",
        trains=False,
        impls=("numpy",),
    ),
    Workload(
        "sine",
        "sine network 1-20-1 sigmoid, MSE, batch 100, SGD step",
        sine_init,
        "sine",
        target="<= 0.5x PyTorch",
    ),
    Workload(
        "elementwise",
        "one elementwise op (x * y) on 16x16, forward + the node's backward",
        elementwise_init,
        "elementwise",
        trains=False,
        target="<= 0.65x PyTorch",
    ),
    Workload(
        "elementwise_chain",
        "{n} elementwise ops (y * c) on 16x16, forward + backward() through the engine",
        elementwise_init,
        "elementwise_chain",
        size=EW_CHAIN_OPS,
        quick_size=EW_CHAIN_OPS,
        per=EW_CHAIN_OPS,
        unit="op",
        trains=False,
    ),
    Workload(
        "chain",
        "chain of {n:,} adds (y = y + 1), build + backward",
        None,
        "chain",
        size=CHAIN_NODES,
        quick_size=1_000,
        per=CHAIN_NODES,
        unit="node",
        trains=False,
        target="<= 3 us per node",
        impls=("tinygrad_np", "torch"),
    ),
    Workload(
        "cnn",
        "small CNN: conv 1->8 3x3, ReLU, maxpool 2, linear ->10, batch 8x1x28x28, SGD step",
        cnn_init,
        "cnn",
    ),
]

BY_NAME = {w.name: w for w in WORKLOADS}
