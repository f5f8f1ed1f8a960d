"""PyTorch parity of every op in the table of ``test_ops.py``: values, output dtype and
the gradients of every input, in float32 and float64.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_ops_parity.py`` (skips without torch)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

from test_ops import OPS, Case  # noqa: E402

import tinygrad_np as tg  # noqa: E402

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def _run(case: Case, dtype: Any) -> tuple[Any, Any, list[Any], list[Any]]:
    arrays = case.inputs(dtype)
    xs = [tg.tensor(a, requires_grad="nograd" not in case.tags) for a in arrays]
    ts = [torch.tensor(a, requires_grad="nograd" not in case.tags) for a in arrays]
    return case.fn(tg, *xs), case.fn(torch, *ts), xs, ts


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_values_and_gradients_match_pytorch(case: Case, dtype: Any) -> None:
    out, ref, xs, ts = _run(case, dtype)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype.name == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL[dtype])
    if "nograd" in case.tags:
        return
    seed = np.random.default_rng(1).standard_normal(ref.shape).astype(dtype)
    out.backward(tg.tensor(seed))
    ref.backward(torch.tensor(seed))
    for i, (x, t) in enumerate(zip(xs, ts)):
        assert (x.grad is None) == (t.grad is None), f"input {i}"
        if t.grad is not None:
            assert x.grad.dtype.name == str(t.grad.dtype).replace("torch.", "")
            np.testing.assert_allclose(x.grad.data, t.grad.numpy(), err_msg=f"input {i}", **TOL[dtype])


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float32_matches_pytorch_over_a_wide_range(approximate: str) -> None:
    xs = np.linspace(-10, 10, 4001).astype(np.float32)
    a = tg.tensor(xs, requires_grad=True)
    t = torch.tensor(xs, requires_grad=True)
    ya = a.gelu(approximate)
    yt = torch.nn.functional.gelu(t, approximate=approximate)
    # near x = -5.4 PyTorch's float32 1 + tanh(u) rounds to 0 where ours keeps ~1e-6: atol 2e-6
    np.testing.assert_allclose(ya.data, yt.detach().numpy(), rtol=1e-5, atol=2e-6)
    ya.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-5, atol=2e-6)


def test_softplus_and_sigmoid_at_extremes_match_pytorch() -> None:
    xs = np.array([-200.0, -30.0, -1.0, 0.0, 1.0, 19.9, 20.1, 30.0, 200.0], np.float32)
    for name in ("softplus", "sigmoid"):
        a = tg.tensor(xs, requires_grad=True)
        t = torch.tensor(xs, requires_grad=True)
        ya = getattr(a, name)()
        yt = getattr(torch.nn.functional, name)(t) if name == "softplus" else t.sigmoid()
        np.testing.assert_allclose(ya.data, yt.detach().numpy(), rtol=1e-6, atol=1e-30)
        ya.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-30)


def test_logsumexp_with_infinities_matches_pytorch() -> None:
    xs = np.array([[-np.inf, -np.inf], [1.0, -np.inf], [1000.0, 1000.0]], np.float32)
    np.testing.assert_allclose(tg.tensor(xs).logsumexp(1).data, torch.tensor(xs).logsumexp(1).numpy())


@pytest.mark.parametrize(
    ("a_dtype", "b_dtype"), [("float32", "float64"), ("int64", "float32"), ("float64", "float32")]
)
def test_matmul_of_two_dtypes_is_refused_as_in_pytorch(a_dtype, b_dtype) -> None:
    a, b = np.ones((2, 3), a_dtype), np.ones((3, 2), b_dtype)
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.from_numpy(a) @ torch.from_numpy(b)
    with pytest.raises(RuntimeError, match="same dtype"):
        tg.tensor(a) @ tg.tensor(b)
