"""multinomial, bernoulli, poisson and normal without PyTorch: exact properties (zero weights
never drawn, distinct draws without replacement, shapes and dtypes, the reparameterised
gradient of normal) and frequencies against the weights within a few standard errors."""

import numpy as np
import pytest

import tinygrad_np as tg


def _close_to(freq, p, n):
    """Each observed frequency within 5 standard errors of its probability."""
    se = np.sqrt(p * (1 - p) / n) + 1e-12
    assert np.all(np.abs(freq - p) <= 5 * se + 1e-9), (freq, p)


def test_multinomial_with_replacement_follows_the_normalised_weights():
    w = np.array([[1.0, 0.0, 3.0, 4.0], [0.5, 0.5, 0.0, 0.0]])
    g = tg.Generator().manual_seed(0)
    idx = tg.multinomial(tg.tensor(w), 20000, replacement=True, generator=g)
    assert idx.dtype == tg.int64 and idx.shape == (2, 20000)
    a = idx.numpy()
    for r in range(2):
        _close_to(np.bincount(a[r], minlength=4) / 20000, w[r] / w[r].sum(), 20000)
    again = tg.multinomial(tg.tensor(w), 20000, replacement=True, generator=tg.Generator().manual_seed(0))
    assert np.array_equal(again.numpy(), a)


def test_multinomial_without_replacement_draws_distinct_categories_one_by_one():
    w = np.array([1.0, 2.0, 0.0, 7.0])
    draws = tg.multinomial(
        tg.tensor(np.tile(w, (6000, 1))), 3, generator=tg.Generator().manual_seed(1)
    ).numpy()
    assert draws.shape == (6000, 3)
    assert all(len(set(r)) == 3 for r in draws[:200])
    assert not np.any(draws == 2)  # zero weight: never drawn while others remain
    p1 = w / w.sum()
    _close_to(np.bincount(draws[:, 0], minlength=4) / 6000, p1, 6000)
    # second draw given the first was 3: weights of the rest renormalised
    rest = draws[draws[:, 0] == 3][:, 1]
    _close_to(np.bincount(rest, minlength=4)[:2] / len(rest), np.array([1.0, 2.0]) / 3, len(rest))
    full = tg.multinomial(tg.tensor(w), 4).numpy()
    assert sorted(full) == [0, 1, 2, 3] and full[-1] == 2  # zero weight comes last
    one = tg.multinomial(tg.tensor([0.0, 0.0, 1.0]), 1)
    assert one.shape == (1,) and one.item() == 2
    assert tg.multinomial(tg.zeros(0, 3), 2).shape == (0, 2)
    out = tg.zeros(2, dtype=tg.int64)
    assert tg.multinomial(tg.tensor([0.0, 1.0]), 2, True, out=out) is out and out.tolist() == [1, 1]


@pytest.mark.parametrize(
    "args,exc",
    [
        (([1.0, 2.0], 1), TypeError),
        ((tg.tensor([1.0, 2.0]), 1.5), TypeError),
        ((tg.tensor([1, 2]), 1), RuntimeError),
        ((tg.ones(2, 2, 2), 1), RuntimeError),
        ((tg.ones(3), 0), RuntimeError),
        ((tg.ones(3), 4), RuntimeError),
        ((tg.tensor([1.0, -1.0]), 1), RuntimeError),
        ((tg.tensor([0.0, 0.0]), 1), RuntimeError),
    ],
)
def test_multinomial_errors(args, exc):
    with pytest.raises(exc):
        tg.multinomial(*args)


@pytest.mark.parametrize("bad", [[1.0, -1.0], [1.0, float("inf")], [float("nan"), 1.0], [0.0, 0.0]])
def test_multinomial_with_replacement_rejects_bad_weights(bad):
    with pytest.raises(RuntimeError):
        tg.multinomial(tg.tensor(bad), 3, replacement=True)


def test_bernoulli_frequencies_dtype_and_zero_gradient():
    tg.manual_seed(0)
    p = tg.tensor(np.array([0.0, 0.2, 0.9, 1.0]).repeat(5000).reshape(4, 5000), requires_grad=True)
    s = tg.bernoulli(p)
    assert s.dtype == tg.float64 and set(np.unique(s.detach().numpy())) <= {0.0, 1.0}
    _close_to(s.detach().numpy().mean(1), np.array([0.0, 0.2, 0.9, 1.0]), 5000)
    s.sum().backward()
    assert np.all(p.grad.numpy() == 0)
    fixed = tg.bernoulli(tg.zeros(20000, dtype=tg.float64), 0.3)
    assert fixed.dtype == tg.float64
    _close_to(np.array([fixed.numpy().mean()]), np.array([0.3]), 20000)
    out = tg.zeros(3)
    assert tg.bernoulli(tg.ones(3), out=out) is out and out.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(NotImplementedError):
        tg.bernoulli(tg.tensor([0, 1]))
    with pytest.raises(RuntimeError):
        tg.bernoulli(tg.zeros(3), 1.5)
    with pytest.raises(RuntimeError):
        tg.bernoulli(tg.tensor([0.5, 1.5]))
    with pytest.raises(TypeError):
        tg.bernoulli([0.5])


def test_bernoulli_in_place_with_a_float_or_a_tensor_of_probabilities():
    t = tg.zeros(2, 10000)
    assert t.bernoulli_(tg.tensor([[0.0], [1.0]])) is t
    assert np.all(t.numpy()[0] == 0) and np.all(t.numpy()[1] == 1)
    t.bernoulli_(0.25)
    _close_to(np.array([t.numpy().mean()]), np.array([0.25]), 20000)
    with pytest.raises(RuntimeError):
        t.bernoulli_(-0.1)


def test_poisson_mean_variance_and_checks():
    tg.manual_seed(1)
    rate = tg.tensor(np.full(20000, 3.0), requires_grad=True)
    s = tg.poisson(rate)
    a = s.detach().numpy()
    assert s.dtype == tg.float64 and np.all(a == np.round(a))
    assert abs(a.mean() - 3.0) < 5 * np.sqrt(3.0 / 20000) and abs(a.var() - 3.0) < 0.2
    s.sum().backward()
    assert np.all(rate.grad.numpy() == 0)
    with pytest.raises(NotImplementedError):
        tg.poisson(tg.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        tg.poisson(tg.tensor([-1.0]))


def test_normal_tensor_overloads_and_reparameterised_gradient():
    tg.manual_seed(2)
    mean = tg.tensor(np.linspace(-1, 1, 6), requires_grad=True)
    std = tg.tensor(np.linspace(0.5, 2, 6), requires_grad=True)
    x = tg.normal(mean, std)
    x.sum().backward()
    eps = (x.detach().numpy() - mean.detach().numpy()) / std.detach().numpy()
    np.testing.assert_allclose(mean.grad.numpy(), np.ones(6))  # d(mean + std * eps)/dmean = 1
    np.testing.assert_allclose(std.grad.numpy(), eps, rtol=1e-12)  # ... /dstd = eps
    big = tg.normal(tg.zeros(2, 20000), 2.0).numpy()
    assert abs(big.mean()) < 0.05 and abs(big.std() - 2.0) < 0.05
    mixed = tg.normal(1.0, tg.full((20000,), 0.5)).numpy()
    assert abs(mixed.mean() - 1.0) < 0.02 and abs(mixed.std() - 0.5) < 0.02
    floats = tg.normal(3.0, 0.1, size=(20000,), dtype=tg.float64)
    assert floats.dtype == tg.float64 and abs(floats.numpy().mean() - 3.0) < 0.005
    assert tg.normal(0.0, 1.0, (2, 3), requires_grad=True).requires_grad
    out = tg.zeros(3)
    assert tg.normal(tg.zeros(3), 0.0, out=out) is out and out.tolist() == [0.0, 0.0, 0.0]
    assert tg.normal(0.0, 0.0, (2,), out=tg.zeros(2)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: tg.normal(tg.zeros(2), -1.0), RuntimeError),
        (lambda: tg.normal(tg.zeros(2), tg.tensor([1.0, -1.0])), RuntimeError),
        (lambda: tg.normal(tg.zeros(2), tg.ones(3)), RuntimeError),
        (lambda: tg.normal(tg.tensor([0, 1]), 1.0), NotImplementedError),
        (lambda: tg.normal(tg.zeros(2), 1.0, size=(2,)), TypeError),
        (lambda: tg.normal(0.0, -1.0, (2,)), RuntimeError),
        (lambda: tg.normal(0.0, 1.0, (2,), dtype=tg.int64), NotImplementedError),
    ],
)
def test_normal_errors(call, exc):
    with pytest.raises(exc):
        call()
