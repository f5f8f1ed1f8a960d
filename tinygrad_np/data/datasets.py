"""Small datasets built in code (no download), and one real dataset from a package.

Every generator draws its randomness from tinygrad_np's default generator (or
the ``generator`` given), so ``tinygrad_np.manual_seed(s)`` reproduces it.
Each function returns a :class:`~tinygrad_np.data.TensorDataset` of
``(inputs, targets)``:

============================  =======================  =====================================
function                      inputs                   targets
============================  =======================  =====================================
``sine(n)``                   ``(n, 1)`` float32       ``(n, 1)`` float32, ``sin(x)``
``xor()``                     ``(4, 2)`` float32       ``(4, 1)`` float32 in {0, 1}
``two_moons(n, noise)``       ``(n, 2)`` float32       ``(n,)`` int64 in {0, 1}
``spirals(n, classes)``       ``(n * classes, 2)``     ``(n * classes,)`` int64 in
                              float32                  ``0 .. classes - 1``
``digits()``                  ``(1797, 64)`` float32   ``(1797,)`` int64 in ``0 .. 9``
                              in [0, 1]
============================  =======================  =====================================
"""

from __future__ import annotations

import math

import numpy as np

from ..random import Generator, rng
from ..tensor import Tensor
from .dataset import TensorDataset

__all__ = ["digits", "sine", "spirals", "two_moons", "xor"]


def _dataset(x: np.ndarray, y: np.ndarray) -> TensorDataset:
    return TensorDataset(
        Tensor._wrap(np.ascontiguousarray(x)), Tensor._wrap(np.ascontiguousarray(y))
    )  # both >= 1-D


def sine(
    n: int = 200,
    low: float = 0.0,
    high: float = math.pi,
    noise: float = 0.0,
    generator: Generator | None = None,
) -> TensorDataset:
    """``n`` evenly spaced points ``x`` in ``[low, high]`` (default ``[0, pi]``) and
    ``y = sin(x)`` (plus Gaussian noise of std ``noise``); both ``(n, 1)`` float32.

    >>> x, y = sine(5).tensors
    >>> tuple(x.shape), y.dtype
    ((5, 1), tinygrad_np.float32)
    """
    x = np.linspace(low, high, n, dtype=np.float64)[:, None]
    y = np.sin(x)
    if noise:
        y = y + noise * rng(generator).standard_normal(y.shape)
    return _dataset(x.astype(np.float32), y.astype(np.float32))


def xor() -> TensorDataset:
    """The four points of XOR: inputs ``(4, 2)`` float32 in {0, 1}, targets ``(4, 1)``
    float32, 1 where exactly one input is 1."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return _dataset(x, y)


def two_moons(n: int = 200, noise: float = 0.1, generator: Generator | None = None) -> TensorDataset:
    """Two interleaving half circles: class 0 on ``(cos t, sin t)``, class 1 on
    ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in ``[0, pi]``, plus Gaussian
    noise of std ``noise``, in shuffled order. Inputs ``(n, 2)`` float32, labels
    ``(n,)`` int64 (``n // 2`` of class 0, the rest class 1)."""
    g = rng(generator)
    n0 = n // 2
    t0, t1 = np.linspace(0, math.pi, n0), np.linspace(0, math.pi, n - n0)
    x = np.concatenate(
        [np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)]
    )
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    if noise:
        x = x + noise * g.standard_normal(x.shape)
    order = g.permutation(n)
    return _dataset(x[order].astype(np.float32), y[order])


def spirals(
    n: int = 100, classes: int = 3, noise: float = 0.2, generator: Generator | None = None
) -> TensorDataset:
    """``classes`` interleaved spiral arms of ``n`` points each (the classic
    linearly inseparable toy problem): for arm ``k``, radius ``r`` runs over
    ``[0, 1]`` and angle ``4k .. 4(k + 1)`` plus Gaussian noise of std ``noise``;
    the point is ``(r sin angle, r cos angle)``. Inputs ``(n * classes, 2)``
    float32, labels ``(n * classes,)`` int64, grouped by class."""
    g = rng(generator)
    r = np.tile(np.linspace(0.0, 1.0, n), classes)
    k = np.repeat(np.arange(classes), n)
    angle = 4.0 * k + np.tile(np.linspace(0.0, 4.0, n), classes) + noise * g.standard_normal(n * classes)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    return _dataset(x.astype(np.float32), k.astype(np.int64))


def digits(flatten: bool = True) -> TensorDataset:
    """The UCI handwritten digits shipped inside scikit-learn (``load_digits``, no
    download): 1797 grey 8x8 images scaled to [0, 1] (the raw pixels are 0..16),
    as inputs ``(1797, 64)`` float32 (``(1797, 8, 8)`` with ``flatten=False``) and
    labels ``(1797,)`` int64 in 0..9. Needs ``pip install scikit-learn``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "tinygrad_np.data.datasets.digits() loads scikit-learn's bundled digits dataset; "
            "install it with `pip install scikit-learn` (or `pip install tinygrad-np[examples]`)"
        ) from exc
    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float32) / np.float32(16.0)
    x = images.reshape(len(images), -1) if flatten else images
    return _dataset(x, np.asarray(bunch.target, dtype=np.int64))
