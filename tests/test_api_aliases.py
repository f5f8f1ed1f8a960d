"""The ``torch.*`` function forms of Tensor methods (``torch.eq``, ``torch.clone``,
``torch.relu_`` ...), comparison and logical aliases, dtype queries (``result_type``,
``promote_types``, ``can_cast``), ``scalar_tensor``, ``logspace``, ``sinc``, ``copysign``:
each against PyTorch, with gradients where there are any.

Run: ``python -m pytest -q tests/test_api_aliases.py``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
A = np.array([[1.5, -2.0, 0.0], [3.0, 0.25, -0.5]], np.float32)
INTS = np.array([[3, 0, -2], [1, 1, 5]], np.int64)

CALLS = {
    "clone": lambda m: m.clone(m.tensor(A)),
    "detach": lambda m: m.detach(m.tensor(A)),
    "masked_fill": lambda m: m.masked_fill(m.tensor(A), m.tensor(A) > 0, -1.0),
    "narrow": lambda m: m.narrow(m.tensor(A), 1, 1, 2),
    "select": lambda m: m.select(m.tensor(A), 1, -1),
    "ravel": lambda m: m.ravel(m.tensor(A).T),
    "eq": lambda m: m.eq(m.tensor(A), 0.0),
    "ne-fn": lambda m: m.ne(m.tensor(INTS), m.tensor([3, 1, 5])),
    "greater": lambda m: m.tensor(A).greater(0.0),
    "greater_equal-fn": lambda m: m.greater_equal(m.tensor(A), 0.0),
    "less": lambda m: m.less(m.tensor(INTS), 1),
    "less_equal": lambda m: m.tensor(INTS).less_equal(1),
    "not_equal": lambda m: m.not_equal(m.tensor(INTS), 1),
    "gt-lt-ge-le": lambda m: m.stack(
        [m.gt(m.tensor(A), 0), m.lt(m.tensor(A), 0), m.ge(m.tensor(A), 0), m.le(m.tensor(A), 0)]
    ),
    "logical_and": lambda m: m.logical_and(m.tensor(INTS), m.tensor(A)),
    "logical_or": lambda m: m.tensor(A).logical_or(m.tensor([0.0, 0.0, 1.0])),
    "logical_xor": lambda m: m.logical_xor(m.tensor(INTS) > 0, m.tensor(A) > 0),
    "logical_not": lambda m: m.logical_not(m.tensor(INTS)),
    "bitwise_and": lambda m: m.bitwise_and(m.tensor(INTS), 6),
    "bitwise_or": lambda m: m.tensor(INTS).bitwise_or(m.tensor(INTS) * 2),
    "bitwise_xor": lambda m: m.bitwise_xor(m.tensor(INTS) > 0, m.tensor([True, False, True])),
    "bitwise_not": lambda m: m.bitwise_not(m.tensor(INTS)),
    "negative": lambda m: m.negative(m.tensor(A)),
    "multiply-subtract": lambda m: m.subtract(m.multiply(m.tensor(A), 2), 1),
    "positive": lambda m: m.positive(m.tensor(A)),
    "isposinf-isneginf": lambda m: m.stack(
        [
            m.isposinf(m.tensor([1.0, float("inf"), -float("inf")])),
            m.tensor([float("-inf"), 0.0, 2.0]).isneginf(),
        ]
    ),
    "isreal": lambda m: m.isreal(m.tensor(A)),
    "concatenate": lambda m: m.concatenate([m.tensor(A), m.tensor(A)], 1),
    "scalar_tensor": lambda m: m.scalar_tensor(3),
    "scalar_tensor-dtype": lambda m: m.scalar_tensor(2.5, dtype=m.float64),
    "logspace": lambda m: m.logspace(-2, 2, 5),
    "logspace-base2": lambda m: m.logspace(0, 10, 11, base=2, dtype=m.float64),
    "sinc": lambda m: m.sinc(m.tensor([0.0, 0.5, -1.0, 2.5, 1e-8])),
    "sinc-int": lambda m: m.tensor([0, 1, 2]).sinc(),
    "copysign": lambda m: m.copysign(m.tensor([1.0, -2.0, 3.0, 0.0]), m.tensor([-0.0, 1.0, -1.0, -2.0])),
    "copysign-scalar": lambda m: m.tensor([1.0, -2.0]).copysign(-1.0),
    "copysign-int": lambda m: m.copysign(m.tensor([1, -2]), m.tensor([-1, 1])),
    "relu_-fn": lambda m: m.relu_(m.tensor(A)),
    "sigmoid_-fn": lambda m: m.sigmoid_(m.tensor(A)),
    "exp_-fn": lambda m: m.exp_(m.tensor(A)),
    "floor_-fn": lambda m: m.floor_(m.tensor(A)),
    "abs_-neg_-fn": lambda m: m.neg_(m.abs_(m.tensor(A))),
    "asin_-fn": lambda m: m.asin_(m.tensor(A) / 4),
    "clamp_-fn": lambda m: m.clamp_(m.tensor(A), -1, 1),
    "square_-fn": lambda m: m.square_(m.tensor(A)),
}


@needs_torch
@pytest.mark.parametrize("name", list(CALLS))
def test_matches_pytorch(name: str) -> None:
    ours, ref = CALLS[name](tg), CALLS[name](torch)
    assert ours.dtype.name == str(ref.dtype).replace("torch.", ""), name
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)


DTYPE_QUERIES = {
    "result_type-int-float": lambda m: m.result_type(m.tensor([1]), 1.0),
    "result_type-tensors": lambda m: m.result_type(
        m.tensor([1], dtype=m.int32), m.tensor([1], dtype=m.int64)
    ),
    "result_type-0d-float64": lambda m: m.result_type(m.tensor([1.0]), m.tensor(1.0, dtype=m.float64)),
    "promote_types-int-float": lambda m: m.promote_types(m.int32, m.float32),
    "promote_types-uint8-int8": lambda m: m.promote_types(m.uint8, m.int8),
    "promote_types-bool-int16": lambda m: m.promote_types(m.bool, m.int16),
    "promote_types-half-float": lambda m: m.promote_types(m.float16, m.float32),
    "can_cast-float-int": lambda m: m.can_cast(m.float32, m.int32),
    "can_cast-int-half": lambda m: m.can_cast(m.int64, m.float16),
    "can_cast-int-bool": lambda m: m.can_cast(m.int32, m.bool),
    "can_cast-bool-int": lambda m: m.can_cast(m.bool, m.int8),
    "is_floating_point": lambda m: m.is_floating_point(m.tensor([1])),
    "is_complex": lambda m: m.is_complex(m.tensor([1.0])),
    "is_nonzero": lambda m: m.is_nonzero(m.tensor([0.0])),
}


@needs_torch
@pytest.mark.parametrize("name", list(DTYPE_QUERIES))
def test_dtype_queries_match_pytorch(name: str) -> None:
    ours, ref = DTYPE_QUERIES[name](tg), DTYPE_QUERIES[name](torch)
    assert str(ours).replace("tinygrad_np.", "") == str(ref).replace("torch.", "")


def test_is_nonzero_needs_one_element() -> None:
    with pytest.raises(RuntimeError, match="more than one value"):
        tg.is_nonzero(tg.ones(2))
    with pytest.raises(RuntimeError, match="no values"):
        tg.ones(0).is_nonzero()


def test_sinc_and_copysign_gradcheck() -> None:
    x = tg.tensor(np.array([0.0, 0.3, -1.7, 2.2]), requires_grad=True)
    assert gradcheck(tg.sinc, (x,))
    y = tg.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert gradcheck(lambda t: tg.copysign(t, tg.tensor([-1.0, -1.0, 1.0], dtype=tg.float64)), (y,))


@needs_torch
def test_sinc_and_copysign_gradients_match_pytorch() -> None:
    a = np.array([0.0, 0.3, -1.7, 2.2, -0.0], np.float64)
    for fn in (
        lambda m, t: m.sinc(t),
        lambda m, t: m.copysign(t, m.tensor([-1.0, 1.0, -0.0, 1.0, 1.0], dtype=t.dtype)),
    ):
        x, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        fn(tg, x).sum().backward()
        fn(torch, t).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_detach_in_place_makes_a_leaf() -> None:
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    assert y.detach_() is y and y.grad_fn is None and not y.requires_grad and y.is_leaf


def _all_inplace_function_forms() -> list[str]:
    return [n for n in tg.functions.__all__ if n.endswith("_")]


@pytest.mark.parametrize("name", _all_inplace_function_forms())
def test_every_torch_inplace_function_is_the_method(name: str) -> None:
    x = tg.tensor([0.25, 0.5])
    args: tuple[Any, ...] = (
        (-1, 1) if name.startswith(("clamp_", "clip_")) and name in ("clamp_", "clip_") else ()
    )
    if name in ("clamp_min_", "clamp_max_"):
        args = (0.3,)
    assert getattr(tg, name)(x, *args) is x
