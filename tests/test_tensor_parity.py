"""PyTorch parity for the Tensor object: dtype promotion and creation dtypes, printing,
creation values, and gradients through in-place writes and views.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_tensor_parity.py`` (skips without torch)
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

from test_dtypes import DTYPE_CASES  # noqa: E402

import tinygrad_np as tg  # noqa: E402


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype_matches_pytorch(name: str) -> None:
    fn, expected = DTYPE_CASES[name]
    with np.errstate(all="ignore"):
        ref = fn(torch)
    assert str(ref.dtype) == f"torch.{expected}"
    assert fn(tg).dtype.name == expected


def _suffixes_on_one_line(text: str) -> str:
    """``tinygrad_np.`` is 6 characters longer than ``torch.``, so a suffix may wrap in one
    repr and not the other: compare with the suffixes joined onto the last line."""
    return re.sub(r",\s*\n\s*(dtype|grad_fn|requires_grad|size)=", r", \1=", text)


def _same_repr(make: Any) -> None:
    ours = _suffixes_on_one_line(repr(make(tg)).replace("tinygrad_np.", "torch."))
    ref = _suffixes_on_one_line(repr(make(torch)))
    assert ours == ref  # grad_fn names too: MulBackward0, MmBackward0


REPR_DATA = [
    [0.1207, -1.0436],
    [1.0, 2.0, 3.0],
    [[1.5, -2.25], [3.0, 4.0]],
    [1, 2, -3],
    [True, False],
    3.5,
    -2.0,
    0.0,
    [1e-5, 1.0],
    [1e9, 1.0],
    [-1.0, 2.0],
    [0.0, 0.0],
    [0.001, 2.0],
    [1.0, 5000.0],
    [-0.0, 1.0],
    [[True]],
    [float("nan"), 1.5, float("inf")],
    [float("-inf"), 2.0],
    [123456.789, -0.5],
]


@pytest.mark.parametrize("data", REPR_DATA, ids=str)
def test_repr_matches_pytorch_on_literals(data: Any) -> None:
    _same_repr(lambda m: m.tensor(data))


@pytest.mark.parametrize(
    "shape", [(100,), (7, 13), (2, 3, 4), (40, 40), (2000,), (3, 500), (11, 11, 11), (4, 1, 300)]
)
@pytest.mark.parametrize("kind", ["normal", "big", "tiny", "int", "bool", "float64"])
def test_repr_matches_pytorch_on_random_tensors(shape: tuple[int, ...], kind: str) -> None:
    rng = np.random.default_rng(sum(shape))
    a = {
        "normal": lambda: rng.standard_normal(shape).astype(np.float32),
        "big": lambda: (rng.standard_normal(shape) * 1000).astype(np.float32),
        "tiny": lambda: (rng.standard_normal(shape) * 1e-6).astype(np.float32),
        "int": lambda: rng.integers(-100, 100, shape),
        "bool": lambda: rng.random(shape) > 0.5,
        "float64": lambda: rng.standard_normal(shape),
    }[kind]()
    _same_repr(lambda m: m.tensor(a))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.zeros(0),
        lambda m: m.zeros(2, 0),
        lambda m: m.zeros(0, dtype=m.int64),
        lambda m: m.zeros(3, dtype=m.float64, requires_grad=True),
        lambda m: m.ones(3, requires_grad=True),
        lambda m: m.arange(5, dtype=m.int32),
        lambda m: m.tensor(3, dtype=m.float64),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda m: m.tensor([[1.0, 2.0]], requires_grad=True) @ m.ones(2, 1),
        lambda m: m.ones(4, 30, requires_grad=True) * 2.5,
        lambda m: m.ones(2, 40, dtype=m.float64) / 3,
    ],
    ids=range(11),
)
def test_repr_matches_pytorch_with_suffixes(make: Any) -> None:
    _same_repr(make)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.arange(0, 1, 0.1),
        lambda m: m.arange(-3, 7, 2),
        lambda m: m.arange(10.0),
        lambda m: m.linspace(-1, 1, 7),
        lambda m: m.linspace(0, 10, 1),
        lambda m: m.eye(3, 2),
        lambda m: m.full((2, 2), 1.5),
        lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)),
    ],
    ids=range(8),
)
def test_creation_values_match_pytorch(make: Any) -> None:
    ours, ref = make(tg), make(torch)
    assert ours.shape == tuple(ref.shape) and ours.dtype.name == str(ref.dtype)[6:]
    np.testing.assert_allclose(ours.data, ref.numpy(), rtol=1e-6, atol=1e-7)


INPLACE = {
    "view-mul": lambda m, a: _view_mul(m, a),
    "transposed-view-setitem": lambda m, a: _t_setitem(m, a),
    "reshape-view-setitem": lambda m, a: _reshape_setitem(m, a),
    "nested-views": lambda m, a: _nested(m, a),
    "plain-tensor-receives": lambda m, a: _plain(m, a),
    "chain-of-in-place": lambda m, a: _chain(m, a),
    "fill-and-zero-through-views": lambda m, a: _fill(m, a),
    "int-index-view": lambda m, a: _int_index(m, a),
    "normal_-on-a-view": lambda m, a: _normal(m, a),
    "other-view-sees-the-write": lambda m, a: _other_view(m, a),
    "view-of-base-changed-in-place": lambda m, a: _base_changed(m, a),
    "view-of-plain-tensor-gains-history": lambda m, a: _plain_gains(m, a),
}


def _other_view(m, a):
    b = a * 2
    v1, v2 = b[0], b[:, 1:]
    v1 *= 3  # v2 overlaps v1: its history must now include the write
    return v2 * v2


def _base_changed(m, a):
    b = a * 2
    v = b.t()
    b.mul_(a)
    return v + 1


def _plain_gains(m, a):
    x = m.zeros(2, 3)
    v = x[1]
    x += a
    return v * v


def _fill(m, a):
    b = a * 2
    b[0, 0].fill_(0.5)
    b[1, 1:].zero_()
    return b * a


def _int_index(m, a):
    b = a * 1
    e = b[1, 2]  # a 0-d view
    e.mul_(a[0, 0])
    return b


def _normal(m, a):
    b = a * 3
    b[0].normal_()  # the values differ between libraries; the gradient must not
    return b[1:] * a[1:]


def _view_mul(m, a):
    b = a * 2
    v = b[1:]
    v *= a[0, :1]
    return b


def _t_setitem(m, a):
    b = a * 1
    v = b.t()
    v[0] = v[0] * 3
    return b


def _reshape_setitem(m, a):
    b = a * 1
    v = b.reshape(-1)
    v[1:3] = a[0, :2].exp()
    return b


def _nested(m, a):
    b = a * 1
    v = b[1]
    w = v[1:]
    w *= a[0, :1]
    return b * b


def _plain(m, a):
    x = m.zeros(2, 3)
    x[:, 1:] += a[:, :2] * a[:, 1:]
    return x * x


def _chain(m, a):
    b = a * 2
    b *= 3
    b /= a.abs() + 1
    b += a
    b -= 1
    b.clamp_(-2, 2)
    return b


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_gradients_match_pytorch(name: str) -> None:
    arr = np.random.default_rng(0).standard_normal((2, 3))
    outs = []
    for m in (tg, torch):
        a = m.tensor(arr, requires_grad=True)
        y = INPLACE[name](m, a)
        (y * m.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) + 1.0)).sum().backward()
        outs.append((y.detach().numpy().copy(), a.grad.numpy().copy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-12)
