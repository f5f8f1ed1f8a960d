"""Hessian-vector products against PyTorch: grad of (grad(f) . v), with create_graph=True.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_autograd_higher_parity.py`` (skips without torch)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402


def F(m: Any) -> Any:
    return m.nn.functional if m.__name__ == "torch" else m


FUNCS = {
    "mlp": lambda m, x, w: ((x @ w).tanh() @ w.T).sigmoid().sum(),
    "logsumexp": lambda m, x, w: (x @ w).logsumexp(1).sum(),
    "log_softmax-nll": lambda m, x, w: -(x @ w).log_softmax(1)[:, 0].sum(),
    "softmax-sq": lambda m, x, w: ((x @ w).softmax(-1) ** 2).sum(),
    "gelu-softplus": lambda m, x, w: F(m).softplus(F(m).gelu(x) @ w).mean(),
    "var-std": lambda m, x, w: (x @ w).var(0).sum() + (x * w.sum(1)).std(),
    "div-pow-sqrt": lambda m, x, w: ((x * x + 1).sqrt() / (w.abs() + 1).sum(0)).pow(3).sum(),
    "max-prod": lambda m, x, w: (x @ w).amax(1).sum() + (w * w + 1).prod(),
    "prod-with-zeros": lambda m, x, w: (x.relu() * w[0]).prod(1).sum() + (w - w[0, 0]).prod(0).sum(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_hessian_vector_product_matches_pytorch(name: str, dtype: Any) -> None:
    rng = np.random.default_rng(3)
    xa = rng.standard_normal((4, 3)).astype(dtype)
    wa = rng.standard_normal((3, 3)).astype(dtype) * 0.5
    va = [rng.standard_normal(a.shape).astype(dtype) for a in (xa, wa)]
    results = []
    for m in (tg, torch):
        x = m.tensor(xa, requires_grad=True)
        w = m.tensor(wa, requires_grad=True)
        y = FUNCS[name](m, x, w)
        gx, gw = m.autograd.grad(y, [x, w], create_graph=True)
        dot = (gx * m.tensor(va[0])).sum() + (gw * m.tensor(va[1])).sum()
        hx, hw = m.autograd.grad(dot, [x, w])
        results.append([t.detach().numpy() for t in (y, gx, gw, hx, hw)])
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)
    for ours, ref, what in zip(*results, ["value", "grad x", "grad w", "Hv x", "Hv w"]):
        np.testing.assert_allclose(ours, ref, err_msg=what, **tol)
