"""Finite-difference checks (float64) of conv, pooling, normalisation and losses,
including second derivatives through im2col/col2im. No PyTorch needed."""

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np.autograd import gradcheck, gradgradcheck


def r(*shape, seed=0):
    return tg.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=tg.float64, requires_grad=True)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2, "padding": 1},
        {"dilation": 2, "padding": 1},
        {"groups": 2},
        {"padding": "same"},
    ],
)
def test_conv2d_gradcheck(kw):
    x, w, b = r(2, 2, 5, 4), r(4, 2 // kw.get("groups", 1), 3, 2, seed=1), r(4, seed=2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), (x, w, b))


def test_conv2d_second_order():
    x, w = r(1, 2, 4, 4), r(2, 2, 2, 2, seed=1)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, stride=1, padding=1), (x, w))


def test_unfold_fold_are_adjoint_and_twice_differentiable():
    x = r(1, 2, 5, 5)
    cols = F.unfold(x, 3, padding=1, stride=2)
    y = r(*cols.shape, seed=3)
    folded = F.fold(y, (5, 5), 3, padding=1, stride=2)
    # <unfold(x), y> == <x, fold(y)>
    np.testing.assert_allclose((cols * y).sum().item(), (x * folded).sum().item(), rtol=1e-12)
    assert gradgradcheck(lambda a: F.unfold(a, 2, stride=1) * 1.0, (r(1, 1, 3, 3, seed=4),))
    assert gradgradcheck(lambda c: F.fold(c, (3, 3), 2), (r(1, 4, 4, seed=5),))


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}])
def test_pool_gradcheck(kw):
    x = r(2, 2, 5, 6)
    assert gradcheck(lambda a: F.max_pool2d(a, **kw), (x,))
    assert gradcheck(lambda a: F.avg_pool2d(a, **kw), (x,))
    assert gradcheck(lambda a: F.avg_pool2d(a, count_include_pad=False, **kw), (x,))


def test_norm_gradcheck():
    x, w, b = r(4, 3, 2, 2), r(3, seed=1), r(3, seed=2)
    rm, rv = tg.zeros(3, dtype=tg.float64), tg.ones(3, dtype=tg.float64)
    assert gradcheck(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True), (x, w, b))
    assert gradcheck(lambda a, w, b: F.batch_norm(a, rm, rv, w, b, training=False), (x, w, b))
    lw, lb = r(2, 2, seed=3), r(2, 2, seed=4)
    assert gradcheck(lambda a, w, b: F.layer_norm(a, (2, 2), w, b), (x, lw, lb))


def test_loss_gradcheck():
    x = r(4, 3)
    t = tg.tensor([0, 2, 1, 2])
    p = tg.tensor(np.random.default_rng(1).dirichlet(np.ones(3), 4))
    assert gradcheck(lambda a: F.cross_entropy(a, t, label_smoothing=0.2), (x,))
    assert gradcheck(lambda a: F.cross_entropy(a, p), (x,))
    assert gradcheck(
        lambda a: F.binary_cross_entropy_with_logits(a, p, pos_weight=tg.tensor([2.0, 1.0, 0.5])), (x,)
    )
    probs = tg.tensor(np.random.default_rng(2).uniform(0.1, 0.9, (4, 3)), requires_grad=True)
    assert gradcheck(lambda a, y: F.binary_cross_entropy(a, y), (probs, p.requires_grad_()))
    assert gradcheck(lambda a: F.huber_loss(a, p, delta=0.5), (x,))


def test_embedding_gradient_accumulates_and_skips_padding():
    w = tg.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    out = F.embedding(tg.tensor([[1, 1], [0, 3]]), w, padding_idx=0)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.data[:, 0], [0.0, 2.0, 0.0, 1.0])
    np.testing.assert_array_equal(out.data[1, 0], w.data[0])


def test_cross_entropy_extreme_logits_finite_without_torch():
    x = tg.tensor([[1e4, -1e4], [-1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([1, 1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(loss.item(), 1e4)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_fused_op_gradcheck(shape, bias):
    x, w = r(*shape), r(2, 3, seed=1)
    b = r(2, seed=2) if bias else None
    args = (x, w, b) if bias else (x, w)
    assert gradcheck(lambda *a: F.linear(*a), args)
    assert gradgradcheck(lambda *a: F.linear(*a), args)
    out = F.linear(*args)
    assert out.grad_fn.name() == "AddmmBackward0" and out.shape == (*shape[:-1], 2)


def test_linear_wants_one_dtype_and_falls_back():
    x = tg.ones(2, 3, dtype=tg.float64)
    w = tg.ones(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"linear: .*one floating dtype.*float64, tinygrad_np.float32"):
        F.linear(x, w)  # as PyTorch: mat1 and mat2 must have the same dtype
    with pytest.raises(RuntimeError, match="int64"):
        F.linear(tg.ones(2, 3, dtype=tg.int64), w)
    b2 = tg.zeros(1, 4, requires_grad=True)  # a 2-D bias broadcasts through the composed path
    out = F.linear(tg.ones(2, 3), w, b2)
    out.sum().backward()
    np.testing.assert_array_equal(b2.grad.data, [[2.0] * 4])
    with pytest.raises(RuntimeError, match="has 2 features but weight of shape"):
        F.linear(tg.ones(2, 2), w)
