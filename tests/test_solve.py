"""inverse, det, logdet, slogdet and linalg.solve (ops/solve.py): gradcheck in float64 (second
order too), PyTorch parity of values, node names and gradients, singular matrices, errors.

Run: ``python -m pytest -q tests/test_solve.py``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
rng = np.random.default_rng(0)
A3 = rng.standard_normal((3, 3)) + 3 * np.eye(3)  # well conditioned
BATCH = rng.standard_normal((2, 4, 4)) + 4 * np.eye(4)

CASES = {
    "inverse": (lambda m, a: m.inverse(a), [A3]),
    "linalg.inv-batched": (lambda m, a: m.linalg.inv(a), [BATCH]),
    "det": (lambda m, a: a.det(), [A3]),
    "linalg.det-batched": (lambda m, a: m.linalg.det(a), [BATCH]),
    "logdet": (lambda m, a: m.logdet(a @ a.mT), [A3]),
    "slogdet": (lambda m, a: m.linalg.slogdet(a).logabsdet, [-A3]),
    "slogdet-method": (lambda m, a: a.slogdet()[1], [BATCH]),
    "solve-vector": (lambda m, a, b: m.linalg.solve(a, b), [A3, rng.standard_normal(3)]),
    "solve-matrix": (lambda m, a, b: m.linalg.solve(a, b), [A3, rng.standard_normal((3, 2))]),
    "solve-batched-vectors": (lambda m, a, b: m.linalg.solve(a, b), [BATCH, rng.standard_normal((2, 4))]),
    "solve-broadcast-A": (lambda m, a, b: m.linalg.solve(a, b), [A3, rng.standard_normal((2, 3, 2))]),
    "solve-right": (lambda m, a, b: m.linalg.solve(a, b, left=False), [A3, rng.standard_normal((2, 3))]),
    "normal-equations": (
        lambda m, x, y: m.inverse(x.T @ x) @ x.T @ y,
        [rng.standard_normal((6, 3)), rng.standard_normal(6)],
    ),
}


def _tensors(m: Any, arrays: list[np.ndarray], dtype: Any) -> list[Any]:
    return [m.tensor(a.astype(dtype), requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_first_and_second_order(name: str) -> None:
    fn, arrays = CASES[name]
    xs = _tensors(tg, arrays, np.float64)
    assert gradcheck(lambda *a: fn(tg, *a), xs)
    assert gradgradcheck(lambda *a: fn(tg, *a), xs)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_pytorch(name: str, dtype: Any) -> None:
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)
    fn, arrays = CASES[name]
    xs, ts = _tensors(tg, arrays, dtype), _tensors(torch, arrays, dtype)
    out, ref = fn(tg, *xs), fn(torch, *ts)
    assert out.dtype.name == str(ref.dtype).replace("torch.", "") and tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **tol)
    seed = rng.standard_normal(ref.shape).astype(dtype)
    out.backward(tg.tensor(seed))
    ref.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)


@needs_torch
def test_node_names_match_pytorch() -> None:
    a = A3.astype(np.float32)
    for fn in (
        lambda m, x: m.linalg.inv(x),
        lambda m, x: m.linalg.det(x),
        lambda m, x: m.linalg.slogdet(x)[1],
    ):
        x, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        assert fn(tg, x).grad_fn.name() == fn(torch, t).grad_fn.name()


@needs_torch
def test_slogdet_sign_and_logdet_of_negative_and_singular_match_pytorch() -> None:
    for a in (-A3, np.array([[0.0, 1.0], [1.0, 0.0]]), np.zeros((2, 2)), BATCH):
        ours, ref = tg.linalg.slogdet(tg.tensor(a)), torch.linalg.slogdet(torch.tensor(a))
        assert type(ours).__name__ == "linalg_slogdet" and ours._fields == ("sign", "logabsdet")
        np.testing.assert_allclose(ours.sign.numpy(), ref.sign.numpy())
        np.testing.assert_allclose(ours.logabsdet.numpy(), ref.logabsdet.numpy(), rtol=1e-12)
        np.testing.assert_allclose(
            tg.logdet(tg.tensor(a)).numpy(), torch.logdet(torch.tensor(a)).numpy(), rtol=1e-12
        )


def test_det_gradient_of_a_singular_matrix_is_the_adjugate() -> None:
    """d det/dA = adj(A)ᵀ, which is not zero for a matrix of rank n - 1 (PyTorch returns zeros here)."""
    a = tg.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=tg.float64, requires_grad=True)
    a.det().backward()
    np.testing.assert_allclose(a.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    b = tg.tensor(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]]), requires_grad=True)
    assert gradcheck(lambda t: t.det(), (b,))
    c = tg.tensor(np.zeros((3, 3)), requires_grad=True)
    c.det().backward()
    assert c.grad.tolist() == [[0.0] * 3] * 3


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: tg.linalg.inv(tg.zeros(2, 2)), tg.linalg.LinAlgError, "singular"),
        (lambda: tg.linalg.solve(tg.zeros(2, 2), tg.ones(2)), RuntimeError, "singular"),
        (lambda: tg.inverse(tg.ones(2, 3)), RuntimeError, "square matrices, but they are 2 by 3"),
        (lambda: tg.det(tg.tensor(2.0)), RuntimeError, "at least 2 dimensions"),
        (lambda: tg.inverse(tg.eye(2, dtype=tg.int64)), RuntimeError, "floating point"),
        (lambda: tg.linalg.solve(tg.eye(2), tg.ones(3)), RuntimeError, "Incompatible shapes"),
        (lambda: tg.linalg.solve(tg.eye(2), tg.ones(2, dtype=tg.float64)), RuntimeError, "same dtype"),
    ],
)
def test_errors(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


@needs_torch
def test_error_types_match_pytorch() -> None:
    calls = [
        lambda m: m.linalg.inv(m.zeros(2, 2)),
        lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)),
        lambda m: m.inverse(m.ones(2, 3)),
        lambda m: m.det(m.tensor(2.0)),
        lambda m: m.inverse(m.eye(2, dtype=m.int64)),
        lambda m: m.linalg.solve(m.eye(2), m.ones(3)),
    ]
    for call in calls:
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(tg)
