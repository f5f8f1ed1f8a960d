"""PyTorch functions composed from other ops (ops/composite.py), ``scatter``/``scatter_add``
(ops/selection.py), ``erf``/``erfc`` as methods and the in-place forms added with them.

One table, ``CASES`` (``test_ops.Case`` rows: the same function text runs on tinygrad_np and on
torch), checked two ways: gradcheck in float64, and PyTorch parity of values, dtypes and every
input's gradient in float32 and float64. Then the cases a table cannot hold: integer results,
special values, errors.

Run: ``python -m pytest -q tests/test_composite.py``
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch
from test_ops import Case

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
CASES: list[Case] = []


def add(id: str, fn: Any, *shapes: tuple[int, ...], domain: tuple[str, ...] = (), tags: str = "") -> None:
    CASES.append(Case(id, fn, tuple(shapes), domain, frozenset(tags.split())))


def _idx(m: Any, rows: list[list[int]]) -> Any:
    return m.tensor(rows)


add("erf", lambda m, x: x.erf(), (3, 4))
add("erfc-fn", lambda m, x: m.erfc(x), (3, 4))
add("erf_-nonleaf", lambda m, x: (x * 1).erf_(), (3, 4))
add("clamp_min", lambda m, x: x.clamp_min(0.1), (3, 4))
add("clamp_max-fn-tensor", lambda m, x, y: m.clamp_max(x, y), (3, 4), (4,))
add("clamp_min_-nonleaf", lambda m, x: (x * 1).clamp_min_(-0.2), (3, 4))
add("clip_-nonleaf", lambda m, x: (x * 1).clip_(-0.5, 0.5), (3, 4))
add("masked_fill_-nonleaf", lambda m, x: (x * 1).masked_fill_(x > 0.3, -1.5), (3, 4))
add("masked_fill_-tensor-value", lambda m, x, v: (x * 1).masked_fill_(x > 0, v), (3, 4), ())
add("pow_-nonleaf", lambda m, x: (x * 1).pow_(3), (3, 4))
add("pow_-tensor-exponent", lambda m, x, e: (x * 1).pow_(e), (3, 4), (4,), domain=("pos", "any"))
add("lerp-scalar", lambda m, x, y: m.lerp(x, y, 0.3), (3, 4), (4,))
add("lerp-tensor-weight", lambda m, x, y, w: x.lerp(y, w), (3, 4), (3, 4), (3, 1))
add("lerp_-nonleaf", lambda m, x, y: (x * 1).lerp_(y, 0.75), (3, 4), (3, 4))
add("addcmul", lambda m, x, a, b: m.addcmul(x, a, b, value=-0.5), (3, 4), (3, 1), (4,))
add("addcmul_-nonleaf", lambda m, x, a, b: (x * 1).addcmul_(a, b), (3, 4), (3, 4), (3, 4))
add(
    "addcdiv",
    lambda m, x, a, b: x.addcdiv(a, b, value=2),
    (3, 4),
    (3, 4),
    (4,),
    domain=("any", "any", "away"),
)
add(
    "addcdiv_-nonleaf",
    lambda m, x, a, b: (x * 1).addcdiv_(a, b, value=-0.1),
    (3, 4),
    (3, 4),
    (3, 4),
    domain=("any", "any", "pos"),
)
add("logaddexp", lambda m, x, y: m.logaddexp(x, y), (3, 4), (4,))
add("logaddexp-far-apart", lambda m, x, y: (x * 50).logaddexp(y * 50 + 10), (3, 4), (3, 4))
add("logaddexp2", lambda m, x, y: x.logaddexp2(y), (3, 4), (3, 1))
add("logit", lambda m, x: m.logit(x.sigmoid()), (3, 4))
add("logit-eps", lambda m, x: (x.sigmoid()).logit(eps=0.3), (3, 4))
add("nan_to_num", lambda m, x: m.nan_to_num(x.log(), nan=0.5, neginf=-3.0), (3, 4))
add("nan_to_num_-nonleaf", lambda m, x: (x.log() * 1).nan_to_num_(nan=0.5), (3, 4))
add("cdist", lambda m, x, y: m.cdist(x, y), (3, 2), (4, 2))
add("cdist-p1-batched", lambda m, x, y: m.cdist(x, y, p=1), (2, 3, 5), (2, 4, 5), domain=("any", "any"))
add("cdist-pinf", lambda m, x, y: m.cdist(x, y, p=float("inf")), (3, 2), (4, 2))
add("diff", lambda m, x: x.diff(), (3, 4))
add("diff-n2-dim0", lambda m, x: m.diff(x, n=2, dim=0), (4, 3))
add("diff-prepend-append", lambda m, x, p, a: m.diff(x, dim=1, prepend=p, append=a), (3, 4), (3, 2), (3, 1))
add("repeat_interleave", lambda m, x: x.repeat_interleave(2), (3, 4))
add("repeat_interleave-dim-tensor", lambda m, x: m.repeat_interleave(x, m.tensor([1, 0, 3]), dim=0), (3, 4))
add("tile", lambda m, x: x.tile((2,)), (3, 4))
add("tile-fn-more-dims", lambda m, x: m.tile(x, (2, 1, 2)), (3, 4))
add("take_along_dim", lambda m, x: m.take_along_dim(x, _idx(m, [[1], [0], [3]]), dim=1), (3, 4))
add("take_along_dim-broadcast", lambda m, x: x.take_along_dim(_idx(m, [[0, 2, 2]]), dim=0), (3, 1))
add("take_along_dim-flat", lambda m, x: m.take_along_dim(x, _idx(m, [[11, 0]])), (3, 4))
add("movedim", lambda m, x: x.movedim(0, -1), (2, 3, 4))
add("moveaxis-fn-two", lambda m, x: m.moveaxis(x, (0, 1), (2, 0)), (2, 3, 4))
add("swapaxes", lambda m, x: m.swapaxes(x, 0, 2), (2, 3, 4))
add("swapdims-method", lambda m, x: x.swapdims(-1, 0), (2, 3))
add(
    "meshgrid-ij",
    lambda m, x, y: m.meshgrid(x, y, indexing="ij")[0] * m.meshgrid(x, y, indexing="ij")[1],
    (3,),
    (4,),
)
add("meshgrid-xy", lambda m, x, y: m.meshgrid([x, y], indexing="xy")[1] * 2, (3,), (4,))
add("hstack", lambda m, x, y: m.hstack([x, y]), (3, 2), (3, 4))
add("hstack-1d", lambda m, x, y: m.hstack((x, y)), (3,), (2,))
add("vstack", lambda m, x, y: m.vstack([x, y]), (4,), (2, 4))
add("row_stack", lambda m, x, y: m.row_stack([x, y]), (4,), (4,))
add("dstack", lambda m, x, y: m.dstack([x, y]), (3,), (3,))
add("column_stack", lambda m, x, y: m.column_stack([x, y]), (3,), (3, 2))
add("atleast_3d", lambda m, x: m.atleast_3d(x) * 2, (3, 4))
add(
    "broadcast_tensors",
    lambda m, x, y: m.broadcast_tensors(x, y)[0] * m.broadcast_tensors(x, y)[1],
    (3, 1),
    (4,),
)
add("scatter-src", lambda m, x, s: x.scatter(1, _idx(m, [[2, 0], [1, 3], [0, 1]]), s), (3, 4), (3, 2))
add("scatter-value", lambda m, x: x.scatter(1, _idx(m, [[3], [0], [1]]), 0.5), (3, 4))
add("scatter_-nonleaf", lambda m, x, s: (x * 1).scatter_(0, _idx(m, [[1, 2, 0, 1]]), s), (3, 4), (1, 4))
add("scatter_add", lambda m, x, s: x.scatter_add(1, _idx(m, [[2, 2], [1, 3], [0, 0]]), s), (3, 4), (3, 2))
add(
    "scatter_add-fn",
    lambda m, x, s: m.scatter_add(x, 0, _idx(m, [[1, 0, 0, 2], [1, 1, 0, 2]]), s),
    (3, 4),
    (2, 4),
)
add("scatter_add_-nonleaf", lambda m, x, s: (x * 1).scatter_add_(1, _idx(m, [[0, 0]]), s), (2, 3), (1, 2))


def test_scatter_from_a_src_larger_than_the_index_gradchecks() -> None:
    """Only src's leading index-shaped block is written, and only it gets a gradient (PyTorch
    refuses this backward: 'ScatterBackward0 returned an invalid gradient')."""
    x = tg.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    s = tg.tensor(np.random.default_rng(1).standard_normal((2, 4)), requires_grad=True)
    assert gradcheck(lambda a, b: a.scatter(0, tg.tensor([[2, 0, 1, 1]]), b), (x, s))
    x.scatter(0, tg.tensor([[2, 0, 1, 1]]), s).sum().backward()
    assert s.grad.tolist() == [[1.0] * 4, [0.0] * 4]


def test_scatter_reduce_add_is_differentiable_and_deprecated() -> None:
    """(PyTorch has no derivative for scatter(..., reduce='add'); scatter_add's is used here.)"""
    x = tg.tensor(np.ones((2, 3)), requires_grad=True)
    s = tg.tensor(np.full((1, 2), 2.0), requires_grad=True)
    with pytest.warns(UserWarning, match="deprecated"):
        assert gradcheck(lambda a, b: a.scatter(1, tg.tensor([[1, 1]]), b, reduce="add"), (x, s))


def _inputs(case: Case, dtype: Any, m: Any) -> list[Any]:
    return [m.tensor(a, requires_grad=True) for a in case.inputs(dtype)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradcheck(case: Case) -> None:
    xs = _inputs(case, np.float64, tg)
    assert gradcheck(lambda *a: case.fn(tg, *a), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


def assert_matches_pytorch(case: Case, dtype: Any, rtol32: float = 2e-5, atol32: float = 2e-6) -> None:
    """Run ``case`` in both libraries: values, shape, dtype, then the gradients of every input
    for the same random dL/d(output). Shared by the composite and nn.functional tables."""
    tol = dict(rtol=rtol32, atol=atol32) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    xs, ts = _inputs(case, dtype, tg), _inputs(case, dtype, torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (PyTorch's meshgrid warning when indexing is left out)
        out, ref = case.fn(tg, *xs), case.fn(torch, *ts)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype.name == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **tol)
    seed = np.random.default_rng(1).standard_normal(ref.shape).astype(dtype)
    out.backward(tg.tensor(seed))
    ref.backward(torch.tensor(seed))
    for i, (x, t) in enumerate(zip(xs, ts)):
        assert (x.grad is None) == (t.grad is None), f"input {i}"
        if t.grad is not None:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), err_msg=f"input {i}", **tol)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_and_gradients_match_pytorch(case: Case, dtype: Any) -> None:
    assert_matches_pytorch(case, dtype)


# ---- results without gradient, special values --------------------------------------------------------
NO_GRAD = {
    "searchsorted": lambda m: m.searchsorted(m.tensor([1, 3, 5, 7]), m.tensor([[3, 6], [0, 9]])),
    "searchsorted-right": lambda m: m.searchsorted(
        m.tensor([1.0, 3.0, 3.0]), m.tensor([3.0, 2.0]), right=True
    ),
    "searchsorted-side-int32": lambda m: m.searchsorted(
        m.tensor([1, 3]), m.tensor([3]), side="right", out_int32=True
    ),
    "searchsorted-rows": lambda m: m.searchsorted(
        m.tensor([[1, 3, 5], [2, 4, 6]]), m.tensor([[3, 6], [1, 4]])
    ),
    "searchsorted-sorter": lambda m: m.searchsorted(
        m.tensor([5, 1, 3]), m.tensor([2, 4]), sorter=m.tensor([1, 2, 0])
    ),
    "bucketize": lambda m: m.bucketize(m.tensor([[3, 6], [0, 1]]), m.tensor([1, 3, 5])),
    "bucketize-right": lambda m: m.bucketize(m.tensor([1.0, 3.0, 4.0]), m.tensor([1.0, 3.0]), right=True),
    "isin": lambda m: m.isin(m.tensor([[1, 2], [3, 4]]), m.tensor([2, 5, 4])),
    "isin-invert": lambda m: m.isin(m.tensor([1.0, 2.0]), m.tensor([2.0]), invert=True),
    "count_nonzero": lambda m: m.count_nonzero(m.tensor([[0, 1, 2], [0, 0, 3]])),
    "count_nonzero-dim": lambda m: m.tensor([[0, 1, 2], [0, 0, 3]]).count_nonzero(dim=0),
    "count_nonzero-dims": lambda m: m.count_nonzero(m.tensor([[0.0, 1.0], [2.0, 0.0]]), dim=(0, 1)),
    "repeat_interleave-counts": lambda m: m.repeat_interleave(m.tensor([2, 0, 3])),
    "repeat_interleave-int": lambda m: m.tensor([[1, 2], [3, 4]]).repeat_interleave(m.tensor([2, 1]), dim=1),
    "diff-bool": lambda m: m.diff(m.tensor([True, True, False, True])),
    "diff-int-n3": lambda m: m.tensor([1, 4, 9, 16, 25]).diff(n=3),
    "diff-too-many": lambda m: m.tensor([1.0, 2.0]).diff(n=4),
    "nan_to_num-defaults": lambda m: m.nan_to_num(m.tensor([float("nan"), float("inf"), -float("inf"), 1.0])),
    "nan_to_num-float64": lambda m: m.tensor([float("inf")], dtype=m.float64).nan_to_num(),
    "nan_to_num-int": lambda m: m.nan_to_num(m.tensor([1, 2])),
    "logit-edges": lambda m: m.logit(m.tensor([0.0, 1.0, 0.5])),
    "logaddexp-infinities": lambda m: m.logaddexp(
        m.tensor([-float("inf"), float("inf"), 1.0]), m.tensor([-float("inf"), 1.0, float("inf")])
    ),
    "logaddexp-int": lambda m: m.logaddexp(m.tensor([1, 2]), m.tensor([0.5, 0.5])),
    "scatter-one-hot": lambda m: m.zeros(3, 4).scatter_(1, m.tensor([[2], [0], [3]]), 1.0),
    "scatter-int": lambda m: m.zeros(2, 3, dtype=m.int64).scatter(0, m.tensor([[1, 0, 1]]), 7),
    "scatter_add-counts": lambda m: m.zeros(4, dtype=m.int64).scatter_add_(
        0, m.tensor([0, 2, 2, 3]), m.ones(4, dtype=m.int64)
    ),
    "scatter-reduce-add": lambda m: m.ones(2, 3).scatter(
        1, m.tensor([[1, 1]]), m.full((1, 2), 2.0), reduce="add"
    ),
    "clamp_min-int": lambda m: m.tensor([1, 2, 3]).clamp_min(2),
    "clamp_min-int-float-bound": lambda m: m.tensor([1, 2]).clamp_min(1.5),
    "erf-int": lambda m: m.erf(m.tensor([0, 1])),
    "masked_fill_-int": lambda m: m.tensor([1, 2, 3]).masked_fill_(m.tensor([True, False, True]), 0),
    "broadcast_shapes": lambda m: m.tensor(list(m.broadcast_shapes((2, 1), (3,), 1))),
    "cdist-same-point": lambda m: m.cdist(m.tensor([[1.0, 2.0]]), m.tensor([[1.0, 2.0], [4.0, 6.0]])),
    "atleast": lambda m: m.tensor([list(t.shape) for t in m.atleast_2d(m.tensor(1.0), m.tensor([1.0, 2.0]))]),
    "meshgrid-three": lambda m: m.stack(m.meshgrid(m.arange(2), m.arange(3), m.arange(2), indexing="xy")),
}


@needs_torch
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter:UserWarning")
@pytest.mark.parametrize("name", list(NO_GRAD))
def test_results_match_pytorch(name: str) -> None:
    ours, ref = NO_GRAD[name](tg), NO_GRAD[name](torch)
    assert ours.dtype.name == str(ref.dtype).replace("torch.", ""), name
    if ours.dtype.is_floating_point:
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)
    else:
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_cdist_gradient_is_zero_at_a_zero_distance() -> None:
    x = tg.tensor([[1.0, 2.0]], requires_grad=True)
    tg.cdist(x, tg.tensor([[1.0, 2.0]])).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0]]


def test_meshgrid_without_indexing_warns_and_uses_ij() -> None:
    with pytest.warns(UserWarning, match="indexing argument"):
        a, b = tg.meshgrid(tg.arange(2), tg.arange(3))
    assert a.shape == b.shape == (2, 3) and a.tolist() == [[0, 0, 0], [1, 1, 1]]


def test_inplace_forms_return_self_and_refuse_a_leaf_that_requires_grad() -> None:
    x = tg.tensor([1.0, -2.0, 3.0])
    for call in (
        lambda t: t.masked_fill_(t < 0, 0.0),
        lambda t: t.clamp_min_(0.5),
        lambda t: t.lerp_(tg.zeros(3), 0.5),
        lambda t: t.addcmul_(t, t, value=0.1),
        lambda t: t.addcdiv_(t, t + 10),
        lambda t: t.pow_(2),
        lambda t: t.scatter_(0, tg.tensor([0]), 9.0),
        lambda t: t.nan_to_num_(),
    ):
        assert call(x) is x
    leaf = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.masked_fill_(leaf > 0, 0.0)


def test_inplace_with_a_grad_operand_is_recorded() -> None:
    """``x.lerp_(y, w)`` on a tensor without grad, with ``y`` requiring it: y gets a gradient."""
    x = tg.zeros(3)
    y = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.lerp_(y, 0.25)
    assert x.requires_grad
    x.sum().backward()
    assert y.grad.tolist() == [0.25, 0.25, 0.25]


def test_adam_written_by_hand_with_the_inplace_forms() -> None:
    """The update of a from-scratch Adam (mul_, add_, addcmul_, addcdiv_) equals optim.Adam's."""
    p1 = tg.nn.Parameter(tg.tensor([1.0, -2.0, 0.5]))
    p2 = tg.nn.Parameter(tg.tensor([1.0, -2.0, 0.5]))
    opt = tg.optim.Adam([p2], lr=0.1)
    m, v = tg.zeros(3), tg.zeros(3)
    for step in range(1, 4):
        for p in (p1, p2):
            p.grad = None
            (p * p).sum().backward()
        g = p1.grad
        m.mul_(0.9).add_(g, alpha=0.1)
        v.mul_(0.999).addcmul_(g, g, value=0.001)
        denom = (v / (1 - 0.999**step)).sqrt().add_(1e-8)
        with tg.no_grad():
            p1.addcdiv_(m, denom, value=-0.1 / (1 - 0.9**step))
        opt.step()
    np.testing.assert_allclose(p1.detach().numpy(), p2.detach().numpy(), rtol=1e-6)


ERRORS = [
    (lambda m: m.lerp(m.tensor([1, 2]), m.tensor([3, 4]), 0.5), NotImplementedError),
    (lambda m: m.addcdiv(m.tensor([1, 2]), m.tensor([1, 2]), m.tensor([1, 2])), RuntimeError),
    (lambda m: m.zeros(2, 3).scatter(1, m.tensor([[3]]), 1.0), RuntimeError),
    (lambda m: m.zeros(2, 3).scatter(1, m.tensor([[1.0]]), 1.0), RuntimeError),
    (lambda m: m.zeros(2, 3).scatter(1, m.tensor([1]), 1.0), RuntimeError),
    (lambda m: m.zeros(2, 3).scatter_add(1, m.tensor([[0, 1, 2]]), m.ones(1, 2)), RuntimeError),
    (lambda m: m.zeros(2, 3).scatter(1, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)), RuntimeError),
    (lambda m: m.cdist(m.ones(3), m.ones(2, 3)), RuntimeError),
    (lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)), RuntimeError),
    (lambda m: m.diff(m.tensor(1.0)), RuntimeError),
    (lambda m: m.repeat_interleave(m.ones(3), m.tensor([1, 2])), RuntimeError),
    (lambda m: m.repeat_interleave(m.tensor([1, -1])), RuntimeError),
    (lambda m: m.meshgrid(m.ones(2, 2), m.ones(2), indexing="ij"), RuntimeError),
    (lambda m: m.meshgrid(m.ones(2), indexing="yx"), RuntimeError),
    (lambda m: m.broadcast_shapes((2,), (3,)), RuntimeError),
    (lambda m: m.broadcast_tensors(m.ones(2), m.ones(3)), RuntimeError),
    (lambda m: m.movedim(m.ones(2, 3), (0, 1), (1,)), RuntimeError),
    (lambda m: m.movedim(m.ones(2, 3), 2, 0), IndexError),
    (lambda m: m.searchsorted(m.tensor([[1, 2]]), m.tensor([[1], [2]])), RuntimeError),
    (lambda m: m.searchsorted(m.tensor([1, 2]), m.tensor([1]), side="middle"), RuntimeError),
    (lambda m: m.bucketize(m.tensor([1]), m.tensor([[1, 2]])), RuntimeError),
    (lambda m: m.ones(3).masked_fill_(m.ones(2, 3) > 0, 0.0), RuntimeError),
    (lambda m: m.tensor([1, 2]).logit_(), RuntimeError),
    (lambda m: m.take_along_dim(m.ones(2, 3), m.tensor([0]), dim=1), RuntimeError),
    (lambda m: m.count_nonzero(m.ones(2, 3), dim=(0, 0)), RuntimeError),
]


@pytest.mark.parametrize("call, error", ERRORS, ids=range(len(ERRORS)))
def test_errors(call: Any, error: type) -> None:
    with pytest.raises(error):
        call(tg)


@needs_torch
@pytest.mark.parametrize("call, error", ERRORS, ids=range(len(ERRORS)))
def test_pytorch_raises_the_same_error_type(call: Any, error: type) -> None:
    with pytest.raises(error):
        call(torch)
