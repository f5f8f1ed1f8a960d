"""Products (ops/products.py), statistics (ops/statistics.py) and the second half of
ops/composite.py: the same two checks as ``test_composite.py`` (gradcheck in float64, PyTorch
parity of values and gradients in float32 and float64), then results without gradient and errors.

Run: ``python -m pytest -q tests/test_composite_more.py``
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch
from test_composite import _inputs, assert_matches_pytorch
from test_ops import Case

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
CASES: list[Case] = []


def add(id: str, fn: Any, *shapes: tuple[int, ...], domain: tuple[str, ...] = ()) -> None:
    CASES.append(Case(id, fn, tuple(shapes), domain))


add("addmm", lambda m, b, x, y: m.addmm(b, x, y), (4,), (3, 2), (2, 4))
add("addmm-beta-alpha", lambda m, b, x, y: b.addmm(x, y, beta=0.5, alpha=-2), (3, 4), (3, 2), (2, 4))
add("addmv", lambda m, b, x, v: m.addmv(b, x, v, alpha=3), (3,), (3, 2), (2,))
add("mv", lambda m, x, v: x.mv(v), (3, 2), (2,))
add("baddbmm", lambda m, b, x, y: m.baddbmm(b, x, y, beta=2), (1, 3, 4), (2, 3, 5), (2, 5, 4))
add("addbmm", lambda m, b, x, y: b.addbmm(x, y), (3, 4), (2, 3, 5), (2, 5, 4))
add("inner", lambda m, x, y: m.inner(x, y), (2, 3), (4, 3))
add("inner-0d", lambda m, x, y: x.inner(y), (), (3,), domain=("any", "any"))
add("tensordot-int", lambda m, x, y: m.tensordot(x, y, dims=2), (2, 3, 4), (3, 4, 2))
add("tensordot-lists", lambda m, x, y: m.tensordot(x, y, dims=([1, 0], [0, 2])), (2, 3, 4), (3, 5, 2))
add("kron", lambda m, x, y: m.kron(x, y), (2, 3), (2, 2))
add("kron-mixed-ndim", lambda m, x, y: x.kron(y), (3,), (2, 2))
add("cross", lambda m, x, y: m.cross(x, y, dim=1), (4, 3), (4, 3))
add("cross-broadcast", lambda m, x, y: x.cross(y, dim=-1), (2, 1, 3), (1, 4, 3))
add("linalg.cross", lambda m, x, y: m.linalg.cross(x, y), (3, 3), (1, 3))
add("dist", lambda m, x, y: m.dist(x, y), (3, 4), (4,))
add("dist-p1", lambda m, x, y: x.dist(y, p=1), (3, 4), (3, 4))
add("cartesian_prod", lambda m, x, y: m.cartesian_prod(x, y), (2,), (3,))
add("nansum", lambda m, x: m.nansum(x.log(), dim=1), (3, 4))
add("nanmean", lambda m, x: x.log().nanmean(), (3, 4))
add("nanmean-keepdim", lambda m, x: m.nanmean(x.log(), 0, keepdim=True), (3, 4))
add("quantile", lambda m, x: m.quantile(x, 0.4, dim=1), (3, 5))
add("quantile-q-tensor", lambda m, x: x.quantile(m.tensor([0.1, 0.5, 0.9], dtype=x.dtype)), (3, 4))
add("quantile-keepdim", lambda m, x: x.quantile(0.75, dim=0, keepdim=True), (4, 3))
add("quantile-midpoint", lambda m, x: m.quantile(x, 0.5, dim=1, interpolation="midpoint"), (3, 4))
add("quantile-lower", lambda m, x: m.quantile(x, 0.3, interpolation="lower"), (3, 4))
add("nanquantile", lambda m, x: m.nanquantile((x - 1).log(), 0.5, dim=1), (3, 6), domain=("pos",))
add("std_mean", lambda m, x: m.std_mean(x, dim=1)[0] + m.std_mean(x, dim=1)[1] * 2, (3, 4))
add("var_mean", lambda m, x: m.var_mean(x, 0, correction=0)[0] * m.var_mean(x, 0)[1], (3, 4))
add("aminmax", lambda m, x: m.aminmax(x, dim=0).min - x.aminmax(dim=0).max, (3, 4))
add("cummax", lambda m, x: x.cummax(1).values, (3, 5))
add("cummin", lambda m, x: m.cummin(x, dim=0)[0], (4, 3))
add("xlogy", lambda m, x, y: m.xlogy(x, y), (3, 4), (4,), domain=("any", "pos"))
add("xlogy-zeros", lambda m, x, y: (x * (x > 0)).xlogy(y), (3, 4), (3, 4), domain=("any", "pos"))
add("hypot", lambda m, x, y: m.hypot(x, y), (3, 4), (4,), domain=("away", "away"))
add("deg2rad", lambda m, x: x.deg2rad(), (3, 4))
add("rad2deg-fn", lambda m, x: m.rad2deg(x), (3, 4))
add("rot90", lambda m, x: x.rot90(), (3, 4))
add("rot90-k3", lambda m, x: m.rot90(x, 3, [1, 2]), (2, 3, 4))
add("rot90-k2-neg", lambda m, x: m.rot90(x, -2), (3, 4))
add("index_add", lambda m, x, s: x.index_add(0, m.tensor([2, 0, 2]), s, alpha=2), (3, 4), (3, 4))
add("index_add_-nonleaf", lambda m, x, s: (x * 1).index_add_(1, m.tensor([1, 1]), s), (3, 4), (3, 2))
add("index_fill", lambda m, x: x.index_fill(1, m.tensor([0, 3]), -1.0), (3, 4))
add("index_fill-tensor-value", lambda m, x, v: m.index_fill(x, 0, m.tensor([1]), v), (3, 4), ())
add("index_copy", lambda m, x, s: x.index_copy(0, m.tensor([2, 0]), s), (3, 4), (2, 4))
add("index_copy_-nonleaf", lambda m, x, s: (x * 1).index_copy_(1, m.tensor([3]), s), (3, 4), (3, 1))
add(
    "tensor_split",
    lambda m, x: m.cat([p * (i + 1) for i, p in enumerate(m.tensor_split(x, 3, dim=1))], 1),
    (2, 7),
)
add("tensor_split-indices", lambda m, x: x.tensor_split([1, 5])[1] * 3, (7, 2))
add("hsplit", lambda m, x: m.hsplit(x, 2)[1], (3, 4))
add("vsplit-indices", lambda m, x: x.vsplit([2])[0], (3, 4))
add("dsplit", lambda m, x: m.dsplit(x, 2)[0], (2, 2, 4))
add("msort", lambda m, x: m.msort(x), (3, 4))
add("true_divide", lambda m, x, y: m.true_divide(x, y), (3, 4), (4,), domain=("any", "away"))
add("nanmedian-dim", lambda m, x: m.nanmedian((x - 1).log(), 1).values, (3, 5), domain=("pos",))
add("nanmedian-all", lambda m, x: (x - 1).log().nanmedian(), (3, 5), domain=("pos",))
add("matrix_power-3", lambda m, x: m.matrix_power(x, 3), (3, 3))
add(
    "matrix_power-neg-batched",
    lambda m, x: m.linalg.matrix_power(x + 3 * m.eye(3, dtype=x.dtype), -2),
    (2, 3, 3),
)
add("diag_embed", lambda m, x: m.diag_embed(x), (2, 3))
add("diag_embed-offset-dims", lambda m, x: x.diag_embed(offset=-1, dim1=0, dim2=2), (2, 3))
add("block_diag", lambda m, x, y, z: m.block_diag(x, y, z), (2, 2), (3,), ())
add("logcumsumexp", lambda m, x: m.logcumsumexp(x * 30, 1), (3, 5))
add("logcumsumexp-dim0-method", lambda m, x: x.logcumsumexp(dim=0), (4, 3))
add("logcumsumexp-0d", lambda m, x: m.logcumsumexp(x, 0), (), domain=("any",))
add("cov", lambda m, x: m.cov(x), (3, 5))
add("cov-1d-correction0", lambda m, x: x.cov(correction=0), (5,))
add("corrcoef", lambda m, x: m.corrcoef(x), (3, 6))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradcheck(case: Case) -> None:
    xs = _inputs(case, np.float64, tg)
    assert gradcheck(lambda *a: case.fn(tg, *a), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_and_gradients_match_pytorch(case: Case, dtype: Any) -> None:
    assert_matches_pytorch(case, dtype, rtol32=5e-5, atol32=5e-6)


NAN, INF = float("nan"), float("inf")
NO_GRAD = {
    "tril_indices": lambda m: m.tril_indices(3, 4, -1),
    "triu_indices-offset": lambda m: m.triu_indices(4, 3, 1),
    "cummax-ties-nan": lambda m: m.cummax(m.tensor([1.0, 3.0, 2.0, 3.0, NAN, 5.0]), 0).indices,
    "cummax-values-nan": lambda m: m.cummax(m.tensor([1.0, NAN, 2.0]), 0).values,
    "cummin-int": lambda m: m.tensor([[3, 1, 2], [0, 5, 0]]).cummin(1).indices,
    "quantile-nan": lambda m: m.quantile(m.tensor([[1.0, NAN, 3.0], [1.0, 2.0, 3.0]]), 0.5, dim=1),
    "nanquantile-all-nan": lambda m: m.nanquantile(m.tensor([[NAN, NAN], [1.0, 2.0]]), 0.5, dim=1),
    "quantile-nearest-halves": lambda m: m.quantile(
        m.arange(4.0), m.tensor([0.5, 1 / 6, 0.25]), interpolation="nearest"
    ),
    "quantile-higher-keepdim-all": lambda m: m.quantile(
        m.arange(6.0).reshape(2, 3), 0.3, keepdim=True, interpolation="higher"
    ),
    "nansum-int": lambda m: m.nansum(m.tensor([[1, 2], [3, 4]]), dim=0),
    "aminmax-all": lambda m: m.stack(list(m.aminmax(m.tensor([[1.0, -2.0], [5.0, 0.0]])))),
    "aminmax-keepdim": lambda m: m.aminmax(m.tensor([[1, -2], [5, 0]]), dim=1, keepdim=True).max,
    "heaviside": lambda m: m.heaviside(m.tensor([-1.0, 0.0, 2.0]), m.tensor(0.5)),
    "heaviside-int": lambda m: m.tensor([-1, 0, 2]).heaviside(m.tensor([7, 8, 9])),
    "signbit": lambda m: m.signbit(m.tensor([-1.0, 0.0, -0.0, 2.0, -INF])),
    "xlogy-special": lambda m: m.xlogy(m.tensor([0.0, 0.0, 1.0, 2.0]), m.tensor([0.0, NAN, 0.0, -1.0])),
    "xlogy-int": lambda m: m.xlogy(m.tensor([0, 2]), m.tensor([3, 3])),
    "float_power-int": lambda m: m.float_power(m.tensor([2, 3]), 2),
    "deg2rad-int": lambda m: m.deg2rad(m.tensor([180, 90])),
    "kron-int": lambda m: m.kron(m.tensor([[1, 2], [3, 4]]), m.eye(2, dtype=m.int64)),
    "index_add-int": lambda m: m.zeros(3, 2, dtype=m.int64).index_add_(
        0, m.tensor([0, 2, 0]), m.ones(3, 2, dtype=m.int64)
    ),
    "index_fill-negative-index": lambda m: m.zeros(2, 3).index_fill(1, m.tensor([-1]), 5.0),
    "tensor_split-more-than-size": lambda m: m.stack(
        [m.tensor(p.numel()) for p in m.arange(3).tensor_split(5)]
    ),
    "tensor_split-index-tensor": lambda m: m.arange(6).tensor_split(m.tensor([2, 4]))[1],
    "cartesian_prod-one": lambda m: m.cartesian_prod(m.tensor([1, 2])),
    "inner-int": lambda m: m.inner(m.tensor([1, 2]), m.tensor([[3, 4], [5, 6]])),
    "addmm-beta0-ignores-nan": lambda m: m.addmm(m.full((2, 2), NAN), m.eye(2), m.eye(2), beta=0),
    "cross-default-dim": lambda m: m.cross(m.eye(3), m.ones(3, 3)),
    "nanmedian-rows": lambda m: m.stack(
        list(m.tensor([[NAN, 1.0, 3.0, 2.0], [5.0, NAN, 1.0, 0.0]]).nanmedian(1))
    ),
    "nanmedian-int": lambda m: m.nanmedian(m.tensor([[3, 1, 2], [5, 5, 0]]), 0).indices,
    "nanmedian-all-nan": lambda m: m.nanmedian(m.tensor([NAN, NAN])),
    "matrix_power-0": lambda m: m.matrix_power(m.tensor([[2.0, 1.0], [0.0, 4.0]]), 0),
    "matrix_power-int": lambda m: m.matrix_power(m.tensor([[1, 1], [0, 1]]), 5),
    "block_diag-int": lambda m: m.block_diag(m.tensor([[1, 2]]), m.tensor(3)),
    "cov-int": lambda m: m.cov(m.tensor([[1, 2, 4], [0, 3, 3]])),
    "logcumsumexp-infinities": lambda m: m.logcumsumexp(m.tensor([-INF, -INF, 0.0, 1000.0, -INF, INF]), 0),
    "logcumsumexp-large": lambda m: m.logcumsumexp(m.tensor([[1000.0, -1000.0, 999.0], [-5.0, 3.0, 3.0]]), 1),
}


@needs_torch
@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim:UserWarning")
@pytest.mark.parametrize("name", list(NO_GRAD))
def test_results_match_pytorch(name: str) -> None:
    ours, ref = NO_GRAD[name](tg), NO_GRAD[name](torch)
    assert ours.dtype.name == str(ref.dtype).replace("torch.", ""), name
    assert tuple(ours.shape) == tuple(ref.shape)
    if ours.dtype.is_floating_point:
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6, equal_nan=True)
    else:
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_cross_without_dim_warns_as_pytorch() -> None:
    with pytest.warns(UserWarning, match="without specifying the dim"):
        tg.cross(tg.eye(3), tg.ones(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.linalg.cross(tg.eye(3), tg.ones(3, 3))


def test_statistics_named_results() -> None:
    r = tg.aminmax(tg.tensor([3.0, 1.0]))
    assert type(r).__name__ == "aminmax" and r._fields == ("min", "max")
    c = tg.tensor([1.0, 2.0]).cummax(0)
    assert type(c).__name__ == "cummax" and c._fields == ("values", "indices")


ERRORS = [
    lambda m: m.addmm(m.ones(2), m.ones(2), m.ones(2, 2)),
    lambda m: m.mv(m.ones(2, 2), m.ones(2, 1)),
    lambda m: m.inner(m.ones(2, 3), m.ones(2)),
    lambda m: m.tensordot(m.ones(2, 3), m.ones(2, 3), dims=([0], [1])),
    lambda m: m.cross(m.ones(2, 4), m.ones(2, 4), dim=1),
    lambda m: m.quantile(m.ones(3), 1.5),
    lambda m: m.quantile(m.ones(3, dtype=m.int64), 0.5),
    lambda m: m.quantile(m.ones(3), 0.5, interpolation="cubic"),
    lambda m: m.nanmean(m.ones(3, dtype=m.int64)),
    lambda m: m.rot90(m.ones(3), 1),
    lambda m: m.rot90(m.ones(2, 2), 1, [0, 0]),
    lambda m: m.zeros(3).index_add(0, m.tensor([0.0]), m.ones(1)),
    lambda m: m.zeros(3, 2).index_add(0, m.tensor([0]), m.ones(2, 2)),
    lambda m: m.zeros(3).index_fill(0, m.tensor([0]), m.ones(2)),
    lambda m: m.hsplit(m.ones(2, 3), 2),
    lambda m: m.vsplit(m.ones(3), 3),
    lambda m: m.tensor_split(m.ones(3), 0),
    lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1])),
    lambda m: m.aminmax(m.ones(0)),
]


@pytest.mark.parametrize("call", ERRORS, ids=range(len(ERRORS)))
def test_errors_are_runtime_errors(call: Any) -> None:
    with pytest.raises(RuntimeError):
        call(tg)


@needs_torch
@pytest.mark.parametrize("call", ERRORS, ids=range(len(ERRORS)))
def test_pytorch_raises_runtime_errors_for_them_too(call: Any) -> None:
    with pytest.raises(RuntimeError):
        call(torch)


def test_index_out_of_range_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        tg.zeros(3).index_fill(0, tg.tensor([3]), 1.0)
    with pytest.raises(IndexError):
        tg.zeros(3, 2).index_add(0, tg.tensor([-4]), tg.ones(1, 2))
    with pytest.raises(IndexError, match="Number of indices"):
        tg.zeros(3, 2).index_copy(0, tg.tensor([0, 1]), tg.ones(1, 2))


@needs_torch
def test_index_copy_count_mismatch_is_an_index_error_in_pytorch() -> None:
    with pytest.raises(IndexError):
        torch.zeros(3, 2).index_copy(0, torch.tensor([0, 1]), torch.ones(1, 2))


def test_logcumsumexp_second_order_and_large_values() -> None:
    from tinygrad_np.autograd import gradgradcheck

    x = tg.tensor(np.random.default_rng(2).standard_normal((2, 4)), requires_grad=True)
    assert gradgradcheck(lambda t: t.logcumsumexp(1), (x,))
    big = tg.tensor([[800.0, 0.0, -800.0]], dtype=tg.float64, requires_grad=True)
    big.logcumsumexp(1).sum().backward()  # d/dx_0 = sum_i e^(x_0 - y_i) = 3, the others ~0
    np.testing.assert_allclose(big.grad.numpy(), [[3.0, 0.0, 0.0]], atol=1e-300)


def test_logcumsumexp_of_integers_is_refused() -> None:
    with pytest.raises(NotImplementedError, match="logcumsumexp_out_cpu"):
        tg.logcumsumexp(tg.tensor([1, 2]), 0)
