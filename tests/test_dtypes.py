"""Dtype promotion and creation defaults (SPEC §1), asserted explicitly; the same
expressions are compared with PyTorch in ``test_tensor_parity.py``.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_dtypes.py``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_np as tg

# (expression over the module m, the dtype PyTorch gives)
DTYPE_CASES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "float32 + Python float": (lambda m: m.ones(2) + 2.5, "float32"),
    "float32 * Python int": (lambda m: m.ones(2) * 3, "float32"),
    "int64 / int64": (lambda m: m.tensor([1, 2]) / m.tensor([2, 2]), "float32"),
    "int64 / Python int": (lambda m: m.tensor([3]) / 2, "float32"),
    "int64 * Python float": (lambda m: m.tensor([1, 2]) * 1.5, "float32"),
    "int64 + Python int": (lambda m: m.tensor([1, 2]) + 1, "int64"),
    "int32 + Python int": (lambda m: m.tensor([1, 2], dtype=m.int32) + 1, "int32"),
    "int32 + 0-d int64": (lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor(1), "int32"),
    "float32 + 0-d float64": (lambda m: m.ones(2) + m.tensor(1.0, dtype=m.float64), "float32"),
    "float32 + 1-d float64": (lambda m: m.ones(2) + m.ones(2, dtype=m.float64), "float64"),
    "int64 + 0-d float32": (lambda m: m.tensor([1, 2]) + m.tensor(1.0), "float32"),
    "int64 / float32": (lambda m: m.tensor([3]) / m.tensor([2.0]), "float32"),
    "bool + bool": (lambda m: m.tensor([True]) + m.tensor([True]), "bool"),
    "bool + Python int": (lambda m: m.tensor([True]) + 1, "int64"),
    "bool * Python float": (lambda m: m.tensor([True]) * 1.5, "float32"),
    "float32 * NumPy float64 scalar": (lambda m: m.ones(2) * np.float64(2.0), "float32"),
    "float16 + float32": (lambda m: m.ones(2, dtype=m.float16) + m.ones(2), "float32"),
    "uint8 + int8": (lambda m: m.ones(2, dtype=m.uint8) + m.ones(2, dtype=m.int8), "int16"),
    "int ** Python float": (lambda m: m.tensor([1, 2]) ** 0.5, "float32"),
    "int ** Python int": (lambda m: m.tensor([1, 2]) ** 2, "int64"),
    "Python int ** int": (lambda m: 2 ** m.tensor([1, 2]), "int64"),
    "int @ int": (lambda m: m.tensor([[1, 2]]) @ m.tensor([[1], [2]]), "int64"),
    "int // Python int": (lambda m: m.tensor([5, 7]) // 2, "int64"),
    "float % Python int": (lambda m: m.tensor([5.0, 7.0]) % 2, "float32"),
    "cat int64, float32": (lambda m: m.cat([m.tensor([1]), m.tensor([1.0])]), "float32"),
    "where int64, Python float": (lambda m: m.where(m.tensor([True]), m.tensor([1]), 2.5), "float32"),
    "int.clamp(float)": (lambda m: m.tensor([1, 2]).clamp(0.5, 1.5), "float32"),
    "int.clamp(int)": (lambda m: m.tensor([1, 2]).clamp(0, 1), "int64"),
    "int32.sum()": (lambda m: m.tensor([1, 2], dtype=m.int32).sum(), "int64"),
    "bool.sum()": (lambda m: m.tensor([True, False]).sum(), "int64"),
    "int32.prod()": (lambda m: m.tensor([1, 2], dtype=m.int32).prod(), "int64"),
    "int.exp()": (lambda m: m.tensor([1, 2]).exp(), "float32"),
    "int.sqrt()": (lambda m: m.tensor([1, 2]).sqrt(), "float32"),
    "int.sigmoid()": (lambda m: m.tensor([1, 2]).sigmoid(), "float32"),
    "int.relu()": (lambda m: m.tensor([1, -2]).relu(), "int64"),
    "int.abs()": (lambda m: m.tensor([1, -2]).abs(), "int64"),
    "int.max()": (lambda m: m.tensor([1, -2]).max(), "int64"),
    "argmax": (lambda m: m.tensor([1.0, 2]).argmax(), "int64"),
    "comparison": (lambda m: m.tensor([1.0, 2]) == 1, "bool"),
    "float64.mean()": (lambda m: m.ones(2, dtype=m.float64).mean(), "float64"),
    # creation
    "tensor(Python float)": (lambda m: m.tensor(1.5), "float32"),
    "tensor(Python int)": (lambda m: m.tensor(1), "int64"),
    "tensor(Python bool)": (lambda m: m.tensor([True]), "bool"),
    "tensor([int, float])": (lambda m: m.tensor([1, 2.5]), "float32"),
    "tensor(float64 ndarray)": (lambda m: m.tensor(np.ones(2)), "float64"),
    "tensor(int32 ndarray)": (lambda m: m.tensor(np.ones(2, np.int32)), "int32"),
    "tensor(NumPy float64 scalar)": (lambda m: m.tensor(np.float64(2.0)), "float64"),
    "from_numpy(float64)": (lambda m: m.from_numpy(np.ones(2)), "float64"),
    "tensor([0-d float64 tensor, float])": (
        lambda m: m.tensor([m.tensor(1.0, dtype=m.float64), 2.5]),
        "float64",
    ),
    "tensor([0-d int tensor, float])": (lambda m: m.tensor([m.tensor(1), 2.5]), "float32"),
    "zeros": (lambda m: m.zeros(2), "float32"),
    "ones(dtype=int32)": (lambda m: m.ones(2, dtype=m.int32), "int32"),
    "empty": (lambda m: m.empty(2, 3), "float32"),
    "full(int)": (lambda m: m.full((2,), 3), "int64"),
    "full(float)": (lambda m: m.full((2,), 3.0), "float32"),
    "full(bool)": (lambda m: m.full((2,), True), "bool"),
    "arange(int)": (lambda m: m.arange(5), "int64"),
    "arange(float)": (lambda m: m.arange(5.0), "float32"),
    "arange(float step)": (lambda m: m.arange(0, 1, 0.25), "float32"),
    "linspace": (lambda m: m.linspace(0, 1, 5), "float32"),
    "rand": (lambda m: m.rand(2), "float32"),
    "randn": (lambda m: m.randn(2), "float32"),
    "randint(low, high, size)": (lambda m: m.randint(0, 5, (2,)), "int64"),
    "randint(high, size)": (lambda m: m.randint(5, (2,)), "int64"),
    "randperm": (lambda m: m.randperm(4), "int64"),
    "eye": (lambda m: m.eye(3), "float32"),
    "zeros_like(int)": (lambda m: m.zeros_like(m.tensor([1])), "int64"),
    "full_like(int, float)": (lambda m: m.full_like(m.tensor([1]), 2.5), "int64"),
    "ones_like(dtype=float64)": (lambda m: m.ones_like(m.ones(2), dtype=m.float64), "float64"),
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype(name: str) -> None:
    fn, expected = DTYPE_CASES[name]
    assert fn(tg).dtype.name == expected


def test_dtype_objects_and_aliases() -> None:
    assert tg.float is tg.float32 and tg.double is tg.float64 and tg.long is tg.int64
    assert tg.int is tg.int32 and tg.half is tg.float16
    assert repr(tg.float32) == "tinygrad_np.float32"
    assert tg.float32 == np.float32 and np.dtype(tg.float64) == np.float64
    assert tg.ones(2, dtype=float).dtype == tg.float64  # dtype=float means float64, as in PyTorch
    assert tg.ones(2, dtype="float64").dtype == tg.float64
    assert tg.float32.is_floating_point and not tg.int64.is_floating_point


def test_set_default_dtype() -> None:
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.tensor(1.5).dtype == tg.float64 and tg.zeros(2).dtype == tg.float64
        assert (tg.tensor([1]) / 2).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    with pytest.raises(TypeError, match="only floating dtypes"):
        tg.set_default_dtype(tg.int64)


def test_conversions() -> None:
    x = tg.tensor([1.7, -2.2])
    assert x.long().tolist() == [1, -2] and x.int().dtype == tg.int32
    assert x.double().dtype == tg.float64 and x.half().dtype == tg.float16
    assert x.bool().tolist() == [True, True]
    assert x.to(tg.float64).dtype == tg.float64 and x.to(tg.float32) is x
    assert x.type(tg.float64).dtype == tg.float64 and x.type() == "tinygrad_np.FloatTensor"
    assert x.to(tg.ones(1, dtype=tg.float64)).dtype == tg.float64
    assert x.to("cpu", tg.float64).dtype == tg.float64


def test_casting_keeps_the_gradient_flowing() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == tg.float32 and x.grad.tolist() == [3.0, 3.0]


def test_unsupported_numpy_dtype() -> None:
    with pytest.raises(TypeError, match="does not support NumPy dtype complex128"):
        tg.tensor(np.ones(2, np.complex128))


def test_float_valued_ops_on_integer_tensors_give_the_default_float() -> None:
    """PyTorch refuses some of these on integers; here they compute in float32, never float64."""
    x = tg.tensor([1, -2])
    for out in (x.leaky_relu(), x.softplus(), x.gelu(), x.exp(), x.tanh(), x.log_softmax(0)):
        assert out.dtype == tg.float32
