"""The random expression graphs of ``test_hypothesis_graphs.py`` against PyTorch: value
and every leaf's gradient, float32 and float64.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_hypothesis_graphs_parity.py`` (skips without torch)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_hypothesis_graphs import build, leaf_arrays, programs  # noqa: E402

import tinygrad_np as tg  # noqa: E402


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.sampled_from([np.float32, np.float64]))
def test_random_graphs_match_pytorch(program: dict[str, Any], dtype: Any) -> None:
    arrays = leaf_arrays(program, dtype)
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    refs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = build(tg, program, ours), build(torch, program, refs)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.item(), ref.item(), **tol)
    out.backward()
    ref.backward()
    for a, t in zip(ours, refs):
        assert a.grad.dtype.name == str(t.grad.dtype)[6:]
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), **tol)
