"""PyTorch parity for every loss, over reductions, options and extreme inputs: value and gradients."""

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
import tinygrad_np.nn as nn  # noqa: E402
import tinygrad_np.nn.functional as F  # noqa: E402

TF = torch.nn.functional
REDUCTIONS = ["mean", "sum", "none"]


def rand(*shape, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def compare(ours_fn, theirs_fn, x, target, *, target_grad=False, atol=1e-5, rtol=1e-4):
    """Value, d/dinput (and d/dtarget) of ours_fn vs theirs_fn; asserts everything is finite."""
    xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    if target_grad:
        to, tt = tg.tensor(target, requires_grad=True), torch.tensor(target, requires_grad=True)
    else:
        to, tt = tg.tensor(target), torch.tensor(target)
    lo, lt = ours_fn(xo, to), theirs_fn(xt, tt)
    assert tuple(lo.shape) == tuple(lt.shape)
    np.testing.assert_allclose(lo.data, lt.detach().numpy(), atol=atol, rtol=rtol)
    assert np.all(np.isfinite(lo.data))
    g = rand(*lt.shape, seed=7) if lt.ndim else np.float32(1.0)
    lo.backward(tg.tensor(g))
    lt.backward(torch.tensor(g))
    assert np.all(np.isfinite(xo.grad.data))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), atol=atol, rtol=rtol)
    if target_grad:
        np.testing.assert_allclose(to.grad.data, tt.grad.numpy(), atol=atol, rtol=rtol)
    return lo


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("ours", "theirs", "kw"),
    [
        (nn.MSELoss, torch.nn.MSELoss, {}),
        (nn.L1Loss, torch.nn.L1Loss, {}),
        (nn.HuberLoss, torch.nn.HuberLoss, {}),
        (nn.HuberLoss, torch.nn.HuberLoss, {"delta": 0.3}),
        (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, {"beta": 0.5}),
    ],
)
def test_regression_losses(ours, theirs, kw, reduction):
    compare(
        ours(reduction=reduction, **kw),
        theirs(reduction=reduction, **kw),
        rand(4, 3),
        rand(4, 3, seed=1),
        target_grad=True,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"ignore_index": 1},
        {"weight": True},
        {"weight": True, "ignore_index": 2},
        {"label_smoothing": 0.2},
        {"label_smoothing": 0.1, "weight": True, "ignore_index": 0},
    ],
)
def test_cross_entropy_class_indices(kw, reduction):
    kw = dict(kw)
    x = rand(6, 4, scale=3)
    target = np.array([0, 1, 2, 3, 1, 2], np.int64)
    kt, ko = dict(kw), dict(kw)
    if kw.get("weight"):
        w = np.array([0.5, 1.0, 2.0, 0.25], np.float32)
        ko["weight"], kt["weight"] = tg.tensor(w), torch.tensor(w)
    compare(
        nn.CrossEntropyLoss(reduction=reduction, **ko),
        torch.nn.CrossEntropyLoss(reduction=reduction, **kt),
        x,
        target,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3}, {"weight": True}])
def test_cross_entropy_probabilities(kw, reduction):
    x = rand(5, 3, scale=2)
    p = np.random.default_rng(1).dirichlet(np.ones(3), size=5).astype(np.float32)
    ko, kt = dict(kw), dict(kw)
    if kw.get("weight"):
        w = np.array([1.0, 3.0, 0.5], np.float32)
        ko["weight"], kt["weight"] = tg.tensor(w), torch.tensor(w)
    compare(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, **ko),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **kt),
        x,
        p,
        target_grad=True,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_and_unbatched(reduction):
    x = rand(2, 3, 4, 5)
    t = np.random.default_rng(0).integers(0, 3, (2, 4, 5))
    t[0, 0, 0] = -100
    compare(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        x,
        t,
    )
    compare(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction),
        rand(4),
        np.array(2),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_extreme_logits(reduction):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0], [0.0, 0.0, -1000.0]], np.float32)
    t = np.array([1, 2, 0])
    compare(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        x,
        t,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    logp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=5)).astype(np.float32)
    t = np.array([3, 0, 1, -100, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
    compare(
        nn.NLLLoss(weight=tg.tensor(w), reduction=reduction),
        torch.nn.NLLLoss(weight=torch.tensor(w), reduction=reduction),
        logp,
        t,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    x = np.random.default_rng(0).uniform(0.01, 0.99, (4, 3)).astype(np.float32)
    y = np.random.default_rng(1).uniform(0, 1, (4, 3)).astype(np.float32)
    w = np.random.default_rng(2).uniform(0.5, 2, (3,)).astype(np.float32)
    compare(nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), x, y, target_grad=True)
    compare(
        nn.BCELoss(weight=tg.tensor(w), reduction=reduction),
        torch.nn.BCELoss(weight=torch.tensor(w), reduction=reduction),
        x,
        y,
    )


def test_bce_clamps_log_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-30], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    lo = compare(
        lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"),
        x,
        y,
        rtol=1e-4,
    )
    np.testing.assert_allclose(lo.data[:2], [100.0, 100.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    x = rand(4, 3, scale=3)
    y = np.random.default_rng(1).uniform(0, 1, (4, 3)).astype(np.float32)
    pw = np.array([0.5, 2.0, 3.0], np.float32)
    w = np.array([1.0, 0.5, 2.0], np.float32)
    compare(
        nn.BCEWithLogitsLoss(reduction=reduction),
        torch.nn.BCEWithLogitsLoss(reduction=reduction),
        x,
        y,
        target_grad=True,
    )
    compare(
        nn.BCEWithLogitsLoss(weight=tg.tensor(w), pos_weight=tg.tensor(pw), reduction=reduction),
        torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), pos_weight=torch.tensor(pw), reduction=reduction),
        x,
        y,
        target_grad=True,
    )


def test_bce_with_logits_extreme():
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0, 50.0, -50.0], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.5], np.float32)
    pw = np.full(6, 3.0, np.float32)
    compare(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none", pos_weight=tg.tensor(pw)),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none", pos_weight=torch.tensor(pw)),
        x,
        y,
    )


def test_weight_buffers_in_state_dict():
    w = np.ones(3, np.float32)
    assert list(nn.CrossEntropyLoss(weight=tg.tensor(w)).state_dict()) == list(
        torch.nn.CrossEntropyLoss(weight=torch.tensor(w)).state_dict()
    )
    assert list(nn.BCEWithLogitsLoss(pos_weight=tg.tensor(w)).state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
