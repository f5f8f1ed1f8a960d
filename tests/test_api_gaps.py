"""Small PyTorch-parity gaps: a bool ``dim`` is refused (Python's True is an int, PyTorch's
argument parser says no), ``trace`` of a bool matrix raises, ``sort``/``argsort`` take
``dim, descending`` positionally and ``stable`` by keyword only, and a custom
``Function.backward`` must return Tensors.

Run: ``python -m pytest -q tests/test_api_gaps.py``
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")

BOOL_DIM_CALLS = {
    "sort": lambda m, x: x.sort(True),
    "sort-keyword": lambda m, x: m.sort(x, dim=True),
    "argsort": lambda m, x: x.argsort(True),
    "sum": lambda m, x: x.sum(dim=True),
    "softmax": lambda m, x: x.softmax(True),
    "unsqueeze": lambda m, x: x.unsqueeze(True),
    "topk": lambda m, x: x.topk(1, True),
    "cumsum": lambda m, x: x.cumsum(True),
}


@pytest.mark.parametrize("name", list(BOOL_DIM_CALLS))
def test_a_bool_dim_is_a_type_error(name: str) -> None:
    with pytest.raises(TypeError, match="must be int, not bool"):
        BOOL_DIM_CALLS[name](tg, tg.ones(2, 3))


@needs_torch
@pytest.mark.parametrize("name", list(BOOL_DIM_CALLS))
def test_a_bool_dim_is_refused_as_by_pytorch(name: str) -> None:
    with pytest.raises(TypeError):
        BOOL_DIM_CALLS[name](torch, torch.ones(2, 3))


def test_numpy_integer_dims_are_still_accepted() -> None:
    x = tg.tensor([[3.0, 1.0], [2.0, 4.0]])
    assert x.sum(np.int64(1)).tolist() == [4.0, 6.0]
    assert x.sort(np.int32(0)).indices.tolist() == [[1, 0], [0, 1]]


SORT_CALLS_ACCEPTED = {
    "dim-positional": lambda m, x: x.sort(1),
    "dim-descending-positional": lambda m, x: x.sort(1, True),
    "stable-all-keywords": lambda m, x: x.sort(dim=1, stable=True),
    "stable-descending-keywords": lambda m, x: m.sort(x, stable=True, dim=0, descending=True),
    "stable-alone": lambda m, x: x.sort(stable=False),
    "argsort-stable-keywords": lambda m, x: m.argsort(x, stable=True, dim=1),
    "argsort-descending-keyword": lambda m, x: x.argsort(0, descending=True),
    "numpy-axis": lambda m, x: x.sort(axis=0),
    "argsort-numpy-axis-stable": lambda m, x: m.argsort(x, axis=1, stable=True),
}
SORT_CALLS_REFUSED = {  # PyTorch: once stable= is given, dim and descending are keyword-only
    "dim-positional-with-stable": lambda m, x: x.sort(1, stable=True),
    "fn-dim-positional-with-stable": lambda m, x: m.sort(x, 1, stable=True),
    "stable-false-still-refused": lambda m, x: x.sort(0, stable=False),
    "three-positional": lambda m, x: x.sort(1, True, True),
    "argsort-dim-positional-with-stable": lambda m, x: x.argsort(1, stable=True),
    "argsort-three-positional": lambda m, x: m.argsort(x, 1, True, True),
    "dim-twice": lambda m, x: x.sort(1, dim=0),
    "unknown-keyword": lambda m, x: x.sort(order=0),
    "axis-and-dim-positional": lambda m, x: x.sort(1, axis=0),
}
A = np.array([[2.0, 1.0, 2.0], [0.0, 0.0, 1.0]], np.float32)


@pytest.mark.parametrize("name", list(SORT_CALLS_ACCEPTED))
def test_sort_forms_pytorch_accepts(name: str) -> None:
    out = SORT_CALLS_ACCEPTED[name](tg, tg.tensor(A))
    assert out is not None


@pytest.mark.parametrize("name", list(SORT_CALLS_REFUSED))
def test_sort_forms_pytorch_refuses(name: str) -> None:
    with pytest.raises(TypeError):
        SORT_CALLS_REFUSED[name](tg, tg.tensor(A))


def test_stable_with_positional_dim_names_the_fix() -> None:
    with pytest.raises(TypeError, match=r"keyword-only.*sort\(dim=\.\.\., stable=\.\.\.\)"):
        tg.ones(3).sort(0, stable=True)


@needs_torch
@pytest.mark.parametrize("name", list(SORT_CALLS_ACCEPTED))
def test_accepted_sort_forms_match_pytorch(name: str) -> None:
    ours, ref = SORT_CALLS_ACCEPTED[name](tg, tg.tensor(A)), SORT_CALLS_ACCEPTED[name](torch, torch.tensor(A))
    for o, r in zip(ours if isinstance(ours, tuple) else (ours,), ref if isinstance(ref, tuple) else (ref,)):
        np.testing.assert_array_equal(o.numpy(), r.numpy())


@needs_torch
@pytest.mark.parametrize("name", list(SORT_CALLS_REFUSED))
def test_refused_sort_forms_are_refused_by_pytorch(name: str) -> None:
    with pytest.raises(TypeError):
        SORT_CALLS_REFUSED[name](torch, torch.tensor(A))


def test_trace_of_a_bool_matrix_raises() -> None:
    with pytest.raises(NotImplementedError, match="\"trace\" not implemented for 'Bool'"):
        tg.trace(tg.ones(2, 2, dtype=tg.bool))
    assert tg.trace(tg.ones(2, 2, dtype=tg.int32)).dtype == tg.int64
    assert tg.ones(2, 2, dtype=tg.uint8).trace().dtype == tg.int64


@needs_torch
def test_trace_of_a_bool_matrix_raises_as_in_pytorch() -> None:
    with pytest.raises(NotImplementedError, match="\"trace\" not implemented for 'Bool'"):
        torch.trace(torch.ones(2, 2, dtype=torch.bool))
    assert torch.trace(torch.ones(2, 2, dtype=torch.uint8)).dtype == torch.int64


def _returns_ndarray(m):
    class Twice(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return np.full(3, 2.0, np.float32)  # an ndarray, not a Tensor

    return Twice


@needs_torch
def test_pytorch_refuses_an_ndarray_from_backward() -> None:
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="expected Variable or None"):
        _returns_ndarray(torch).apply(x).sum().backward()


def test_an_ndarray_from_a_custom_backward_is_refused() -> None:
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Twice.*ndarray"):
        _returns_ndarray(tg).apply(x).sum().backward()
