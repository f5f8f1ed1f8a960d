"""Stateful and normalising layers beside NumPy references written from their definitions
(no torch needed): BatchNorm's batch statistics and running statistics over several
steps, train and eval; InstanceNorm, GroupNorm and LayerNorm; Dropout's scaling and mask.

The references use float64 NumPy and the formulas of PyTorch's documentation:
normalise with the *biased* batch variance, update the running variance with the
*unbiased* one, ``running = (1 - momentum) * running + momentum * batch`` (or the
cumulative average when ``momentum=None``).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

EPS = 1e-5


def _normalise(x: np.ndarray, axes: tuple[int, ...], eps: float = EPS) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)  # biased
    return (x - mean) / np.sqrt(var + eps)


def _channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """A per-channel vector shaped to broadcast over (N, C, *)."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


@pytest.mark.parametrize(
    ("cls", "shape"),
    [(nn.BatchNorm1d, (6, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (4, 3, 2, 5))],
)
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm_train_and_running_statistics_over_steps(cls, shape, momentum):
    rng = np.random.default_rng(0)
    bn = cls(shape[1], momentum=momentum).double()
    w, b = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    with tg.no_grad():
        bn.weight.copy_(tg.tensor(w))
        bn.bias.copy_(tg.tensor(b))
    axes = (0,) + tuple(range(2, len(shape)))
    n = shape[0] * int(np.prod(shape[2:]))
    run_mean, run_var = np.zeros(shape[1]), np.ones(shape[1])
    for step in range(1, 6):
        x = rng.standard_normal(shape) * 3 + step
        out = bn(tg.tensor(x)).detach().numpy()
        expected = _normalise(x, axes) * _channel(w, len(shape)) + _channel(b, len(shape))
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
        factor = 1.0 / step if momentum is None else momentum
        batch_mean = x.mean(axis=axes)
        batch_var_unbiased = x.var(axis=axes) * n / (n - 1)
        run_mean = (1 - factor) * run_mean + factor * batch_mean
        run_var = (1 - factor) * run_var + factor * batch_var_unbiased
        np.testing.assert_allclose(bn.running_mean.numpy(), run_mean, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(bn.running_var.numpy(), run_var, rtol=1e-12, atol=1e-12)
        assert int(bn.num_batches_tracked.item()) == step
    # eval: the running statistics, not the batch's
    bn.eval()
    x = rng.standard_normal(shape)
    expected = (x - _channel(run_mean, len(shape))) / np.sqrt(_channel(run_var, len(shape)) + EPS)
    expected = expected * _channel(w, len(shape)) + _channel(b, len(shape))
    np.testing.assert_allclose(bn(tg.tensor(x)).detach().numpy(), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(bn.running_mean.numpy(), run_mean, rtol=1e-12)  # eval leaves them


def test_batchnorm_without_running_stats_uses_batch_statistics_in_eval():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(4, track_running_stats=False, affine=False).double().eval()
    x = rng.standard_normal((7, 4))
    np.testing.assert_allclose(bn(tg.tensor(x)).numpy(), _normalise(x, (0,)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("groups", "shape"), [(1, (2, 6, 4)), (2, (2, 6, 4)), (3, (3, 6, 2, 2)), (6, (2, 6, 5))]
)
def test_groupnorm_normalises_each_group_of_each_sample(groups, shape):
    rng = np.random.default_rng(2)
    gn = nn.GroupNorm(groups, shape[1]).double()
    w, b = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    with tg.no_grad():
        gn.weight.copy_(tg.tensor(w))
        gn.bias.copy_(tg.tensor(b))
    # channels differ in scale, so per-channel statistics give a different answer than per-group
    x = rng.standard_normal(shape) * _channel(np.arange(1.0, shape[1] + 1), len(shape))
    g = x.reshape(shape[0], groups, -1)
    expected = _normalise(g, (2,)).reshape(shape) * _channel(w, len(shape)) + _channel(b, len(shape))
    np.testing.assert_allclose(gn(tg.tensor(x)).detach().numpy(), expected, rtol=1e-10, atol=1e-10)
    if groups < shape[1]:
        per_channel = _normalise(x, tuple(range(2, len(shape))))
        per_channel = per_channel * _channel(w, len(shape)) + _channel(b, len(shape))
        assert not np.allclose(expected, per_channel)  # the oracle tells the two apart


@pytest.mark.parametrize(
    ("cls", "shape"), [(nn.InstanceNorm1d, (3, 4, 6)), (nn.InstanceNorm2d, (2, 3, 4, 5))]
)
@pytest.mark.parametrize("affine", [False, True])
def test_instancenorm_normalises_each_channel_of_each_sample(cls, shape, affine):
    rng = np.random.default_rng(3)
    m = cls(shape[1], affine=affine).double()
    x = rng.standard_normal(shape) * 2 + 1
    expected = _normalise(x, tuple(range(2, len(shape))))
    if affine:
        w, b = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
        with tg.no_grad():
            m.weight.copy_(tg.tensor(w))
            m.bias.copy_(tg.tensor(b))
        expected = expected * _channel(w, len(shape)) + _channel(b, len(shape))
    for mode in (m.train(), m.eval()):  # no running statistics: the same in both modes
        np.testing.assert_allclose(mode(tg.tensor(x)).detach().numpy(), expected, rtol=1e-10, atol=1e-10)
    unbatched = m(tg.tensor(x[0])).detach().numpy()
    np.testing.assert_allclose(unbatched, expected[0], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("shape", "normalized"), [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_layernorm_normalises_the_last_dimensions(shape, normalized):
    rng = np.random.default_rng(4)
    ln = nn.LayerNorm(normalized).double()
    w, b = rng.standard_normal(normalized), rng.standard_normal(normalized)
    with tg.no_grad():
        ln.weight.copy_(tg.tensor(w))
        ln.bias.copy_(tg.tensor(b))
    x = rng.standard_normal(shape) * 4 - 2
    axes = tuple(range(len(shape) - len(normalized), len(shape)))
    expected = _normalise(x, axes) * w + b
    for mode in (ln.train(), ln.eval()):
        np.testing.assert_allclose(mode(tg.tensor(x)).detach().numpy(), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_scales_kept_values_and_drops_about_p(p):
    tg.manual_seed(0)
    drop = nn.Dropout(p)
    x = np.random.default_rng(5).uniform(1.0, 2.0, (200, 500))
    out = drop(tg.tensor(x)).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-6)  # inverted dropout
    frac = 1 - kept.mean()
    sigma = np.sqrt(p * (1 - p) / x.size)
    assert abs(frac - p) < 6 * sigma, (frac, p)
    assert np.array_equal(drop.eval()(tg.tensor(x)).numpy(), x)  # eval: identity


def test_dropout_masks_differ_between_calls_and_follow_the_seed():
    drop = nn.Dropout(0.5)
    x = tg.ones(50, 50)
    tg.manual_seed(7)
    a, b = drop(x).numpy(), drop(x).numpy()
    tg.manual_seed(7)
    assert not np.array_equal(a, b) and np.array_equal(drop(x).numpy(), a)


def test_dropout_gradient_uses_the_same_mask_and_scale():
    tg.manual_seed(3)
    x = tg.ones(30, 40, requires_grad=True)
    out = nn.functional.dropout(x, 0.25, training=True)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.detach().numpy())  # d out/dx = mask / (1 - p)
