"""Second derivatives: ``gradgradcheck`` (finite differences of the gradient computed with
``create_graph=True``) for every differentiable op of the table in ``test_ops.py``, and
double ``autograd.grad`` on elementwise ops against closed forms.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_autograd_higher.py``
"""

from __future__ import annotations

import numpy as np
import pytest
from test_ops import OPS, Case

import tinygrad_np as tg
from tinygrad_np.autograd import gradgradcheck

# Cases whose second derivative is checked. Piecewise-linear ops (relu, clamp, max, indexing...)
# have a zero second derivative, which gradgradcheck confirms as well.
# "once": first derivatives only (svd-based norms hold the singular vectors as constants)
SECOND = [c for c in OPS if not {"nograd", "once"} & c.tags and not c.id.endswith("(2, 1, 3)")]


@pytest.mark.parametrize("case", SECOND, ids=lambda c: c.id)
def test_gradgradcheck(case: Case) -> None:
    xs = [tg.tensor(a, requires_grad=True) for a in case.inputs(np.float64)]
    assert gradgradcheck(lambda *a: case.fn(tg, *a), xs, atol=1e-5, rtol=1e-4)


# d2/dx2 of f at x, in closed form
CLOSED = {
    "exp": (lambda x: x.exp(), lambda v: np.exp(v)),
    "log": (lambda x: x.log(), lambda v: -1 / v**2),
    "sqrt": (lambda x: x.sqrt(), lambda v: -0.25 * v**-1.5),
    "sin": (lambda x: x.sin(), lambda v: -np.sin(v)),
    "cos": (lambda x: x.cos(), lambda v: -np.cos(v)),
    "tanh": (lambda x: x.tanh(), lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda v: (s := 1 / (1 + np.exp(-v))) * (1 - s) * (1 - 2 * s),
    ),
    "softplus": (lambda x: tg.softplus(x), lambda v: np.exp(-v) / (1 + np.exp(-v)) ** 2),
    "gelu": (
        lambda x: x.gelu(),
        lambda v: np.exp(-(v**2) / 2) / np.sqrt(2 * np.pi) * (2 - v**2),
    ),
    "pow3": (lambda x: x**3, lambda v: 6 * v),
    "rpow": (lambda x: 2.0**x, lambda v: np.log(2) ** 2 * 2.0**v),
    "reciprocal": (lambda x: 1 / x, lambda v: 2 / v**3),
    "relu": (lambda x: x.relu() * x, lambda v: 2.0 * (v > 0)),
}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_double_grad_matches_closed_form(name: str) -> None:
    f, d2 = CLOSED[name]
    v = np.array([0.3, 0.9, 1.7, 2.5])
    x = tg.tensor(v, requires_grad=True)
    (g,) = tg.autograd.grad(f(x).sum(), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, d2(v), rtol=1e-9, atol=1e-12)


def test_prod_second_derivative_without_zeros() -> None:
    x = tg.tensor([1.5, -2.0, 0.5], dtype=tg.float64, requires_grad=True)
    assert gradgradcheck(lambda t: t.prod(), (x,))


@pytest.mark.parametrize(
    "values, dim",
    [
        ([2.0, 0.0, 3.0], None),
        ([0.0, 0.0, 2.0], None),
        ([[0.0, 2.0, 0.5], [1.0, 0.0, 0.0]], 1),
        ([[0.0, 2.0], [1.5, 0.0]], 0),
    ],
)
def test_prod_with_zeros_has_exact_first_and_second_derivatives(values, dim) -> None:
    """prod/x_i is 0/0 at a zero: the product of the others is used, built from Tensor ops
    under create_graph so the second derivative is exact as well."""
    x = tg.tensor(values, dtype=tg.float64, requires_grad=True)
    f = (lambda t: t.prod()) if dim is None else (lambda t: t.prod(dim))
    assert gradgradcheck(f, (x,))
    (g,) = tg.autograd.grad(f(x).sum(), x)
    assert not g.requires_grad  # without create_graph: the constant fast path
