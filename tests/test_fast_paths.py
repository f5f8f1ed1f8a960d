"""The engine's array-level fast path (``backward_np``) against the Tensor-level ``backward``.

Every op that defines ``backward_np`` must be listed in ``CASES``; for each case the two
backward definitions run on the same node and the same incoming gradient, on
broadcasting shapes and in float32 and float64, and must give the same gradients.
Then whole backward passes in array mode are compared with the Tensor-level mode
(``create_graph=True`` runs every node's ``backward``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd.function import Function
from tinygrad_np.nn import functional as F
from tinygrad_np.nn.functional.linear import Addmm
from tinygrad_np.nn.functional.loss import CrossEntropy, MseLoss
from tinygrad_np.ops import binary, elementwise, linalg, movement, reduce, trig
from tinygrad_np.tensor import Tensor

rng = np.random.default_rng(0)


def _t(shape, dt, positive=False, grad=True):
    a = rng.standard_normal(shape).astype(dt)
    if positive:
        a = np.abs(a) + 0.5
    return tg.tensor(a, requires_grad=grad)


# name -> list of builders(dtype) -> (op, args); args are the forward arguments
CASES = {
    binary.Add: [
        lambda dt: (binary.Add, (_t((3, 1, 4), dt), _t((2, 4), dt))),
        lambda dt: (binary.Add, (_t((2, 3), dt), _t((2, 3), dt, grad=False))),
    ],
    binary.Sub: [
        lambda dt: (binary.Sub, (_t((3, 1, 4), dt), _t((2, 4), dt))),
        lambda dt: (binary.Sub, (_t((2, 3), dt), _t((3,), dt, grad=False))),
    ],
    binary.Mul: [
        lambda dt: (binary.Mul, (_t((3, 1, 4), dt), _t((2, 4), dt))),
        lambda dt: (binary.Mul, (_t((2, 3), dt, grad=False), _t((2, 3), dt))),
    ],
    binary.Div: [
        lambda dt: (binary.Div, (_t((3, 1, 4), dt), _t((2, 4), dt, positive=True))),
        lambda dt: (binary.Div, (_t((2, 3), dt), _t((), dt, positive=True, grad=False))),
    ],
    elementwise.Neg: [lambda dt: (elementwise.Neg, (_t((2, 3), dt),))],
    elementwise.Exp: [lambda dt: (elementwise.Exp, (_t((2, 3), dt),))],
    elementwise.Log: [lambda dt: (elementwise.Log, (_t((2, 3), dt, positive=True),))],
    elementwise.Tanh: [lambda dt: (elementwise.Tanh, (_t((4, 3), dt),))],
    elementwise.Sigmoid: [lambda dt: (elementwise.Sigmoid, (_t((4, 3), dt),))],
    elementwise.Relu: [lambda dt: (elementwise.Relu, (_t((5, 4), dt),))],
    trig.Tan: [lambda dt: (trig.Tan, (_t((2, 3), dt),))],
    trig.Asin: [
        lambda dt: (trig.Asin, (tg.tensor(rng.uniform(-0.9, 0.9, (2, 3)).astype(dt), requires_grad=True),))
    ],
    trig.Acos: [
        lambda dt: (trig.Acos, (tg.tensor(rng.uniform(-0.9, 0.9, (2, 3)).astype(dt), requires_grad=True),))
    ],
    trig.Atan: [lambda dt: (trig.Atan, (_t((2, 3), dt),))],
    trig.Sinh: [lambda dt: (trig.Sinh, (_t((2, 3), dt),))],
    trig.Cosh: [lambda dt: (trig.Cosh, (_t((2, 3), dt),))],
    trig.Asinh: [lambda dt: (trig.Asinh, (_t((2, 3), dt),))],
    trig.Acosh: [
        lambda dt: (trig.Acosh, (tg.tensor(rng.uniform(1.1, 3, (2, 3)).astype(dt), requires_grad=True),))
    ],
    trig.Atanh: [
        lambda dt: (trig.Atanh, (tg.tensor(rng.uniform(-0.9, 0.9, (2, 3)).astype(dt), requires_grad=True),))
    ],
    trig.Atan2: [
        lambda dt: (trig.Atan2, (_t((3, 1, 4), dt), _t((2, 4), dt, positive=True))),
        lambda dt: (trig.Atan2, (_t((2, 3), dt, grad=False), _t((2, 3), dt))),
    ],
    reduce.Sum: [
        lambda dt: (reduce.Sum, (_t((2, 3, 4), dt), (1,), False)),
        lambda dt: (reduce.Sum, (_t((2, 3, 4), dt), (0, 2), True)),
        lambda dt: (reduce.Sum, (_t((2, 3), dt), None, False)),
    ],
    reduce.Mean: [
        lambda dt: (reduce.Mean, (_t((2, 3, 4), dt), (2,), False)),
        lambda dt: (reduce.Mean, (_t((2, 3), dt), None, False)),
    ],
    reduce.Softmax: [lambda dt: (reduce.Softmax, (_t((3, 5), dt), 1))],
    reduce.LogSoftmax: [lambda dt: (reduce.LogSoftmax, (_t((3, 5), dt), 1))],
    reduce.SumTo: [lambda dt: (reduce.SumTo, (_t((3, 4), dt), (1, 4)))],
    movement.Cast: [lambda dt: (movement.Cast, (_t((2, 3), dt), np.dtype(np.float16)))],
    movement.Reshape: [lambda dt: (movement.Reshape, (_t((2, 6), dt), (3, 4)))],
    movement.Permute: [lambda dt: (movement.Permute, (_t((2, 3, 4), dt), (2, 0, 1)))],
    movement.Expand: [lambda dt: (movement.Expand, (_t((3, 1), dt), (2, 3, 4)))],
    linalg.Matmul: [
        lambda dt: (linalg.Matmul, (_t((4, 3), dt), _t((3, 5), dt))),
        lambda dt: (linalg.Matmul, (_t((2, 4, 3), dt), _t((3, 5), dt))),
        lambda dt: (linalg.Matmul, (_t((4, 3), dt, grad=False), _t((3, 5), dt))),
    ],
    Addmm: [
        lambda dt: (Addmm, (_t((5, 3), dt), _t((4, 3), dt), _t((4,), dt))),
        lambda dt: (Addmm, (_t((2, 5, 3), dt), _t((4, 3), dt), _t((4,), dt))),
        lambda dt: (Addmm, (_t((5, 3), dt, grad=False), _t((4, 3), dt), None)),
    ],
    MseLoss: [
        lambda dt: (MseLoss, (_t((6, 2), dt), _t((6, 2), dt), True)),
        lambda dt: (MseLoss, (_t((5,), dt), _t((5,), dt, grad=False), False)),
    ],
    CrossEntropy: [
        lambda dt: (CrossEntropy, (_t((6, 4), dt), np.array([0, 3, 1, 1, 2, 0]), np.ones(6, bool), True)),
        lambda dt: (CrossEntropy, (_t((5, 3), dt), np.array([2, 0, 0, 1, 2]), np.arange(5) != 2, False)),
    ],
    F.Dropout: [
        lambda dt: (F.Dropout, (_t((6, 5), dt), 0.4, (6, 5))),
        lambda dt: (F.Dropout, (_t((2, 3, 4), dt), 0.5, (2, 3, 1))),  # channel dropout: a broadcast mask
        lambda dt: (F.Dropout, (_t((3,), dt), 1.0, (3,))),
    ],
}


def _all_subclasses(cls):
    out, stack = set(), [cls]
    while stack:
        c = stack.pop()
        for s in c.__subclasses__():
            if s not in out:
                out.add(s)
                stack.append(s)
    return out


def test_every_op_with_backward_np_has_a_parity_case():
    with_fast = {
        c
        for c in _all_subclasses(Function)
        if c.__dict__.get("backward_np") is not None
        and not c.__module__.endswith(".__init__")  # (a package file imported again by the doctests)
    }
    assert with_fast == set(CASES), "add a case to CASES for each op that defines backward_np"


def _as_tuple(r):
    return r if isinstance(r, tuple) else (r,)


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(
    "op,k", [(op, k) for op, builders in CASES.items() for k in range(len(builders))], ids=str
)
def test_backward_np_matches_backward(op, k, dt):
    _, args = CASES[op][k](dt)
    out = op.apply(*args)
    node = out.grad_fn
    assert type(node) is op
    g = rng.standard_normal(out._data.shape).astype(out._data.dtype)
    fast = _as_tuple(op.backward_np(node, g.copy()))
    with tg.no_grad():
        slow = _as_tuple(op.backward(node, Tensor._wrap(g.copy())))
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        if s is None:
            assert f is None
            continue
        s = s._data if isinstance(s, Tensor) else np.asarray(s)
        f = np.asarray(f)
        assert f.shape == s.shape
        assert f.dtype == s.dtype
        tol = 1e-6 if s.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(f, s, rtol=tol, atol=tol)


def _ce_composed(x, y, ignore_index=-100, reduction="mean"):
    logp = x.log_softmax(1)
    return F.nll_loss(logp, y, ignore_index=ignore_index, reduction=reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
def test_fused_cross_entropy_equals_log_softmax_then_nll(reduction, dt):
    y = tg.tensor([0, 3, 1, -100, 2, 0])
    a = rng.standard_normal((6, 4)).astype(dt) * 5
    x1, x2 = tg.tensor(a, requires_grad=True), tg.tensor(a, requires_grad=True)
    l1 = F.cross_entropy(x1, y, reduction=reduction)
    l2 = _ce_composed(x2, y, reduction=reduction)
    assert type(l1.grad_fn) is CrossEntropy
    assert l1.dtype == l2.dtype
    tol = 1e-5 if dt == np.float32 else 1e-12
    np.testing.assert_allclose(l1._data, l2._data, rtol=tol)
    l1.backward()
    l2.backward()
    np.testing.assert_allclose(x1.grad._data, x2.grad._data, rtol=tol, atol=tol)
    # second derivatives through the Tensor-level backward
    x3, x4 = tg.tensor(a, requires_grad=True), tg.tensor(a, requires_grad=True)
    (g3,) = tg.autograd.grad(F.cross_entropy(x3, y, reduction=reduction), x3, create_graph=True)
    (g4,) = tg.autograd.grad(_ce_composed(x4, y, reduction=reduction), x4, create_graph=True)
    np.testing.assert_allclose(g3._data, g4._data, rtol=tol, atol=tol)
    (h3,) = tg.autograd.grad((g3 * g3).sum(), x3)
    (h4,) = tg.autograd.grad((g4 * g4).sum(), x4)
    np.testing.assert_allclose(h3._data, h4._data, rtol=1e-4 if dt == np.float32 else 1e-10, atol=tol)


def test_fused_cross_entropy_all_ignored_is_nan_and_bad_target_raises():
    x = tg.randn(2, 3, requires_grad=True)
    assert np.isnan(F.cross_entropy(x, tg.tensor([-100, -100])).item())
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, tg.tensor([0, 3]))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_mse_equals_composed(reduction):
    a, b = rng.standard_normal((7, 3)), rng.standard_normal((7, 3))
    x1, y1 = tg.tensor(a, requires_grad=True), tg.tensor(b, requires_grad=True)
    x2, y2 = tg.tensor(a, requires_grad=True), tg.tensor(b, requires_grad=True)
    l1 = F.mse_loss(x1, y1, reduction=reduction)
    d = x2 - y2
    l2 = (d * d).mean() if reduction == "mean" else (d * d).sum()
    assert type(l1.grad_fn) is MseLoss
    np.testing.assert_allclose(l1._data, l2._data, rtol=1e-12)
    (g1x, g1y) = tg.autograd.grad(l1, (x1, y1), create_graph=True)
    (g2x, g2y) = tg.autograd.grad(l2, (x2, y2), create_graph=True)
    np.testing.assert_allclose(g1x._data, g2x._data, rtol=1e-12)
    np.testing.assert_allclose(g1y._data, g2y._data, rtol=1e-12)
    (h1,) = tg.autograd.grad((g1x * g1x).sum(), x1)
    (h2,) = tg.autograd.grad((g2x * g2x).sum(), x2)
    np.testing.assert_allclose(h1._data, h2._data, rtol=1e-12)


def test_fused_mse_of_empty_tensors_is_nan():
    x = tg.zeros(0, requires_grad=True)
    loss = F.mse_loss(x, tg.zeros(0))
    assert np.isnan(loss.item())
    loss.backward()
    assert x.grad.shape == (0,)


def test_backward_np_refuses_vector_matmul():
    a, b = _t((3,), np.float64), _t((3, 2), np.float64)
    out = linalg.Matmul.apply(a, b)
    assert linalg.Matmul.backward_np(out.grad_fn, np.ones(2)) is NotImplemented
    out.sum().backward()  # the engine falls back to the Tensor-level backward
    np.testing.assert_allclose(a.grad._data, b._data.sum(1))


def _mlp_grads(create_graph):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    x = tg.tensor(np.random.default_rng(1).standard_normal((7, 6)).astype(np.float32))
    y = tg.tensor([0, 2, 1, 1, 0, 2, 1])
    h = model(x)
    loss = F.cross_entropy(h, y) + (h.sigmoid() * h.exp()).mean() + F.mse_loss(h.softmax(1), h.log_softmax(1))
    loss.backward(create_graph=create_graph)
    return [p.grad._data.copy() for p in model.parameters()]


def test_whole_pass_array_mode_equals_tensor_mode():
    fast, slow = _mlp_grads(False), _mlp_grads(True)
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s, rtol=1e-5, atol=1e-6)


def test_weight_gradients_of_linear_are_contiguous_out_by_in():
    layer = nn.Linear(7, 3)
    layer(tg.randn(5, 7)).sum().backward()
    assert layer.weight.grad.shape == (3, 7)
    assert layer.weight.grad._data.flags.c_contiguous


def test_leaf_grads_are_writable_and_not_shared():
    x = tg.randn(3, 4, requires_grad=True)
    y = tg.randn(3, 4, requires_grad=True)
    (x + y).sum().backward()  # Add hands the same array to both leaves; Sum gives a broadcast view
    assert x.grad._data.flags.writeable and y.grad._data.flags.writeable
    assert not np.shares_memory(x.grad._data, y.grad._data)
    x.grad._data += 1
    np.testing.assert_array_equal(y.grad._data, np.ones((3, 4), np.float32))


def _hooked(create_graph):
    x = tg.tensor([0.5, -1.0, 2.0, 0.1], requires_grad=True)
    seen = []
    y = x.exp()
    y.retain_grad()
    y.register_hook(lambda g: seen.append(g._data.copy()) or g * 2)
    z = (y * y).sum()
    (gx,) = tg.autograd.grad(z, x, retain_graph=True, create_graph=create_graph)
    z.backward(create_graph=create_graph)
    return y._data, gx._data, y.grad._data, x.grad._data, seen


def test_hooks_retain_grad_and_autograd_grad_in_array_mode():
    y, gx, yg, xg, seen = _hooked(False)
    np.testing.assert_allclose(seen[0], 2 * y, rtol=1e-6)  # the hook sees dz/dy = 2y
    np.testing.assert_allclose(gx, 4 * y * y, rtol=1e-6)  # and doubles it: 4y * dy/dx
    np.testing.assert_allclose(xg, 4 * y * y, rtol=1e-6)
    for a, b in zip((y, gx, yg, xg), _hooked(True)[:4], strict=True):  # Tensor-level mode agrees
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_in_place_change_is_caught_in_array_mode():
    x = tg.randn(3, requires_grad=True)
    y = x.exp()
    z = y * 2
    y._data  # noqa: B018
    with tg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    w = x.tanh()
    s = w.sum()
    with tg.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="TanhBackward0.*modified by an in-place operation"):
        s.backward()


def test_second_backward_through_freed_graph_is_refused_in_array_mode():
    x = tg.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_linear_reads_its_parameters_and_follows_replaced_ones():
    """Linear.forward reads the registered parameters directly; a weight deleted and
    replaced by a plain attribute (weight-reparametrising code does this) is still used."""
    tg.manual_seed(0)
    layer = nn.Linear(3, 2)
    x = tg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    w, b = layer.weight._data, layer.bias._data
    np.testing.assert_allclose(layer(x)._data, x._data @ w.T + b, rtol=1e-6)

    no_bias = nn.Linear(3, 2, bias=False)
    np.testing.assert_allclose(no_bias(x)._data, x._data @ no_bias.weight._data.T, rtol=1e-6)

    del layer.weight
    layer.weight = tg.tensor(np.ones((2, 3), np.float32))
    assert "weight" not in layer._parameters
    np.testing.assert_allclose(layer(x)._data, x._data.sum(1, keepdims=True) + b, rtol=1e-6)


def test_mse_loss_of_an_empty_input_is_nan_without_a_warning():
    """MseLoss writes the empty mean (0/0) out instead of using np.errstate on every call."""
    x = tg.tensor(np.ones((0, 3), np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = F.mse_loss(x, tg.zeros(0, 3))
        total = F.mse_loss(x, tg.zeros(0, 3), reduction="sum")
        mean.backward()
    assert np.isnan(mean.item()) and total.item() == 0.0
    assert x.grad.shape == (0, 3)


# ---- forwards that skip np.errstate where no floating-point warning can occur -------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (lambda x: x / 2, [0.0, -0.5, 1.0, np.inf]),
        (lambda x: x / 0, [np.nan, -np.inf, np.inf, np.inf]),
        (lambda x: x / np.inf, [0.0, -0.0, 0.0, np.nan]),
        (lambda x: x**2, [0.0, 1.0, 4.0, np.inf]),
        (lambda x: x**0.5, [0.0, np.nan, np.sqrt(2.0), np.inf]),
        (lambda x: x**-1, [np.inf, -1.0, 0.5, 0.0]),
        (lambda x: x.sigmoid(), [0.5, 1 / (1 + np.e), 1 / (1 + np.exp(-2.0)), 1.0]),
        (lambda x: (-1000 * x).sigmoid(), [0.5, 1.0, 0.0, 0.0]),
    ],
)
def test_special_values_give_pytorchs_results_and_no_warnings(expr, expected) -> None:
    x = tg.tensor([0.0, -1.0, 2.0, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(expr(x)._data, expected, rtol=1e-6)


def test_mean_of_nothing_is_nan_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(tg.zeros(0).mean().item())
        np.testing.assert_array_equal(tg.zeros(2, 0).mean(1)._data, [np.nan, np.nan])
        assert tg.zeros(0, dtype=tg.float16).mean().dtype == tg.float16


# ---- one table of whole passes, run through both engines -----------------------------------------
# ``engine._Pass`` is the readable reference walk; ``fast_backward.ArrayPass`` the speed path a plain
# ``backward()`` takes. Forcing the reference (as CPython's tests import a module without its C
# accelerator) must give the same gradients, hooks calls and errors.


def _pass_mlp():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    x = tg.tensor(np.random.default_rng(2).standard_normal((6, 4)).astype(np.float32))
    loss = F.cross_entropy(model(x), tg.tensor([0, 2, 1, 1, 0, 2])) + model(x).relu().mean()
    loss.backward()
    return [p.grad for p in model.parameters()]


def _pass_reuse_and_broadcast():
    a = tg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    b = tg.tensor([[0.5], [-1.0]], requires_grad=True)
    c = a * b + a / (b * b + 1)  # a and b used twice, both broadcast to (2, 3)
    (c * c).sum().backward()
    return [a.grad, b.grad]


def _pass_hooks():
    x = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()) or g + 1)
    y = x.sin()
    y.retain_grad()
    y.register_hook(lambda g: g * 3)
    (y * y).sum().backward()
    return [x.grad, y.grad, tg.tensor(seen[0])]


def _pass_autograd_grad_subset():
    x = tg.tensor([0.3, 0.7], requires_grad=True)
    w = tg.tensor([1.5, -2.0], requires_grad=True)
    h = (x * w).tanh()
    out = (h * h).sum() + w.sum()
    return list(tg.autograd.grad(out, [h, x]))  # a non-leaf input and a leaf; w's branch pruned


def _pass_multi_output_and_accumulate_twice():
    x = tg.tensor([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]], requires_grad=True)
    values, _ = x.max(dim=1)  # a two-output op; only the values get a gradient
    s = (values * values).sum() + x.split(2, dim=1)[1].sum()
    s.backward(retain_graph=True)
    s.backward()  # accumulates into x.grad
    return [x.grad]


def _pass_inputs_and_dtypes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)  # float32 leaf in a float64 computation
    y = tg.tensor([3.0, 4.0], dtype=tg.float64, requires_grad=True)
    z = (x.double() * y).sum() + (x * x).sum()
    z.backward(inputs=[x])
    return [x.grad, y.grad]


class _NoFast(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * x


def _pass_custom_function_and_seed():
    x = tg.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    _NoFast.apply(x).exp().backward(tg.tensor([[1.0, 0.0], [2.0, -1.0]]))
    return [x.grad]


def _pass_second_backward_refused():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    y.backward()


def _pass_bad_gradient_shape():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g.sum(0)

    Bad.apply(tg.ones(2, 3, requires_grad=True)).sum().backward()


PASSES = [
    _pass_mlp,
    _pass_reuse_and_broadcast,
    _pass_hooks,
    _pass_autograd_grad_subset,
    _pass_multi_output_and_accumulate_twice,
    _pass_inputs_and_dtypes,
    _pass_custom_function_and_seed,
]


def _run_with(engine_pass, fn, monkeypatch):
    from tinygrad_np.autograd import engine

    with monkeypatch.context() as m:
        if engine_pass == "reference":
            m.setattr(engine, "ArrayPass", engine._Pass)
        return fn()


@pytest.mark.parametrize("fn", PASSES, ids=lambda f: f.__name__[6:])
def test_reference_walk_and_array_walk_agree(fn, monkeypatch):
    fast = _run_with("fast", fn, monkeypatch)
    ref = _run_with("reference", fn, monkeypatch)
    assert len(fast) == len(ref)
    for f, r in zip(fast, ref, strict=True):
        assert (f is None) == (r is None)
        if f is not None:
            assert f.dtype == r.dtype and f.shape == r.shape
            np.testing.assert_allclose(f.numpy(), r.numpy(), rtol=1e-6, atol=1e-7)
            assert f.grad_fn is None and r.grad_fn is None


@pytest.mark.parametrize(
    "fn, message",
    [
        (_pass_second_backward_refused, "backward through the graph a second time"),
        (_pass_bad_gradient_shape, r"BadBackward returned an invalid gradient for input 0: got shape \(3,\)"),
    ],
)
def test_reference_walk_and_array_walk_refuse_alike(fn, message, monkeypatch):
    for engine_pass in ("fast", "reference"):
        with pytest.raises(RuntimeError, match=message):
            _run_with(engine_pass, fn, monkeypatch)


def test_plain_backward_takes_the_array_walk(monkeypatch):
    from tinygrad_np.autograd import engine, fast_backward

    used = []
    monkeypatch.setattr(fast_backward.ArrayPass, "__init__", _spy(fast_backward.ArrayPass.__init__, used))
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert len(used) == 1
    (x * x).sum().backward(create_graph=True)  # create_graph: the reference walk, Tensor-level backward
    assert len(used) == 1 and engine.ArrayPass is fast_backward.ArrayPass


def _spy(init, used):
    def wrapper(self, *args):
        used.append(self)
        init(self, *args)

    return wrapper
