"""Losses, module lookup, pad_sequence, padded convolutions, generator state and creation
keyword forms without PyTorch: NumPy formulas from the definitions and hand-computed values."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F
from tinygrad_np.nn.utils.rnn import pad_sequence

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))


def _red(a, reduction):
    return {"mean": a.mean(), "sum": a.sum(), "none": a}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_match_their_formulas(reduction):
    x, y = tg.tensor(X), tg.tensor(Y)
    d = X - Y
    cases = [
        (F.mse_loss(x, y, reduction=reduction), d**2),
        (nn.L1Loss(reduction=reduction)(x, y), np.abs(d)),
        (
            nn.HuberLoss(reduction=reduction, delta=0.7)(x, y),
            np.where(np.abs(d) < 0.7, 0.5 * d**2, 0.7 * (np.abs(d) - 0.35)),
        ),
        (
            nn.SmoothL1Loss(reduction=reduction, beta=0.5)(x, y),
            np.where(np.abs(d) < 0.5, 0.5 * d**2 / 0.5, np.abs(d) - 0.25),
        ),
        (nn.SmoothL1Loss(reduction=reduction, beta=0.0)(x, y), np.abs(d)),
    ]
    for got, want in cases:
        np.testing.assert_allclose(got.numpy(), _red(want, reduction), rtol=1e-12)
    ints = F.mse_loss(tg.tensor([1, 2]).float(), tg.tensor([0, 0]), reduction=reduction)
    np.testing.assert_allclose(ints.numpy(), _red(np.array([1.0, 4.0]), reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_classification_losses_match_their_formulas(reduction):
    logits = RNG.standard_normal((5, 4))
    target = np.array([0, 3, 1, 1, 2])
    w = np.array([0.5, 1.0, 2.0, 1.5])
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    picked = -w[target] * logp[np.arange(5), target]
    want = picked.sum() / w[target].sum() if reduction == "mean" else _red(picked, reduction)
    got = nn.NLLLoss(weight=tg.tensor(w), reduction=reduction)(tg.tensor(logp), tg.tensor(target))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    # unbatched: one sample
    one = F.nll_loss(tg.tensor(logp[0]), tg.tensor(target[0]), reduction=reduction)
    np.testing.assert_allclose(one.numpy(), -logp[0, target[0]], rtol=1e-12)
    # label smoothing with class weights: (1 - e) nll + e/C * smooth, both normalised by sum w[y]
    eps = 0.2
    got = F.cross_entropy(
        tg.tensor(logits), tg.tensor(target), weight=tg.tensor(w), label_smoothing=eps, reduction=reduction
    )
    smooth = -(logp * w).sum(1)
    if reduction == "mean":
        want = (1 - eps) * picked.sum() / w[target].sum() + eps / 4 * smooth.sum() / w[target].sum()
    else:
        want = (1 - eps) * _red(picked, reduction) + eps / 4 * _red(smooth, reduction)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    # probability targets with label smoothing
    probs = np.abs(RNG.standard_normal((5, 4)))
    probs /= probs.sum(1, keepdims=True)
    sm = probs * (1 - eps) + eps / 4
    got = F.cross_entropy(tg.tensor(logits), tg.tensor(probs), label_smoothing=eps, reduction=reduction)
    np.testing.assert_allclose(got.numpy(), _red(-(logp * sm).sum(1), reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_losses_with_weights_match_their_formulas(reduction):
    p = 1 / (1 + np.exp(-X))
    t = (Y > 0).astype(np.float64)
    w = np.abs(Y) + 0.1
    bce = -w * (t * np.log(p) + (1 - t) * np.log(1 - p))
    got = nn.BCELoss(weight=tg.tensor(w), reduction=reduction)(tg.tensor(p), tg.tensor(t))
    np.testing.assert_allclose(got.numpy(), _red(bce, reduction), rtol=1e-10)
    pw = np.array([0.5, 2.0, 3.0])
    logits_loss = -w * (pw * t * np.log(p) + (1 - t) * np.log(1 - p))
    got = nn.BCEWithLogitsLoss(weight=tg.tensor(w), pos_weight=tg.tensor(pw), reduction=reduction)(
        tg.tensor(X), tg.tensor(t)
    )
    np.testing.assert_allclose(got.numpy(), _red(logits_loss, reduction), rtol=1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_its_formula(reduction, log_target):
    logq = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    p = np.array([[0.0, 0.5, 0.5], [0.3, 0.3, 0.4]])
    if log_target:  # the target holds log-probabilities: exp(t) (t - log q)
        target = np.log(np.where(p > 0, p, 1e-300))
        point = np.exp(target) * (target - logq)
    else:  # xlogy: 0 log 0 counts as 0
        target = p
        point = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - logq), 0.0)
    want = point.sum() / 2 if reduction == "batchmean" else _red(point, reduction)
    got = nn.KLDivLoss(reduction=reduction, log_target=log_target)(tg.tensor(logq), tg.tensor(target))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-300)


def test_module_lookup_by_dotted_path_and_assignment_of_none():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.get_submodule("") is model and model.get_submodule("1") is model[1]
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.running_mean") is model[1].running_mean
    with pytest.raises(AttributeError):
        model.get_submodule("2")
    with pytest.raises(AttributeError):
        model.get_parameter("0.nothing")
    with pytest.raises(AttributeError):
        model.get_buffer("1.weight")  # a parameter, not a buffer
    with pytest.raises(AttributeError):
        model.get_buffer("1.nothing")
    head = nn.Linear(3, 1)
    model.set_submodule("0", head)
    assert model[0] is head
    with pytest.raises(ValueError):
        model.set_submodule("", head)
    with pytest.raises(AttributeError):
        model.set_submodule("7", head, strict=True)
    with pytest.raises(ValueError):
        model.set_submodule("0", "not a module")
    assert model.share_memory() is model
    bn = model[1]
    bn.running_mean = None
    assert "running_mean" in bn._buffers and bn._buffers["running_mean"] is None
    with pytest.raises(AttributeError):
        model.get_buffer("1.running_mean")  # registered, but None: not a buffer to hand out
    with pytest.raises(TypeError):
        bn.running_var = [1.0, 2.0]
    model[0] = nn.Linear(3, 3)
    model.__setattr__("0", None)
    assert model._modules["0"] is None
    with pytest.raises(TypeError):
        model.__setattr__("1", 3)


def test_pad_sequence_right_left_and_batch_first():
    a, b = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([4.0])
    assert pad_sequence([a, b]).tolist() == [[1.0, 4.0], [2.0, 0.0], [3.0, 0.0]]
    assert pad_sequence([a, b], batch_first=True, padding_value=-1).tolist() == [
        [1.0, 2.0, 3.0],
        [4.0, -1.0, -1.0],
    ]
    assert pad_sequence([a, b], batch_first=True, padding_side="left").tolist() == [
        [1.0, 2.0, 3.0],
        [0.0, 0.0, 4.0],
    ]
    assert pad_sequence(tg.ones(2, 2), batch_first=True).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(RuntimeError):
        pad_sequence([])
    with pytest.raises(ValueError):
        pad_sequence([a], padding_side="middle")
    with pytest.raises(RuntimeError):
        pad_sequence([tg.ones(2, 3), tg.ones(2, 4)])
    with pytest.raises(NotImplementedError):
        nn.utils.rnn.pack_padded_sequence(tg.ones(2, 2), [2, 1])


def _corr2d(x, w):
    """Valid cross-correlation of (C, H, W) with (out, C, kh, kw)."""
    n_out, _, kh, kw = w.shape
    H, W = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((n_out, H, W))
    for i in range(H):
        for j in range(W):
            out[:, i, j] = np.tensordot(w, x[:, i : i + kh, j : j + kw], axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, "same"])
def test_conv2d_padding_modes_pad_the_input_then_correlate(mode, padding):
    tg.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode, dtype=tg.float64)
    x = RNG.standard_normal((1, 2, 5, 6))
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    xp = np.pad(x[0], ((0, 0), (1, 1), (1, 1)), mode=np_mode)
    want = _corr2d(xp, conv.weight.detach().numpy()) + conv.bias.detach().numpy()[:, None, None]
    np.testing.assert_allclose(conv(tg.tensor(x)).detach().numpy()[0], want, rtol=1e-10)
    assert f"padding_mode={mode}" in repr(conv)


def test_conv_reprs_list_the_non_default_options():
    c = nn.Conv2d(4, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False)
    assert (
        repr(c)
        == "Conv2d(4, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False)"
    )
    t = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=1, bias=False)
    assert repr(t) == (
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), "
        "groups=2, bias=False)"
    )
    assert "dilation=(2, 2)" in repr(nn.ConvTranspose2d(1, 1, 2, dilation=2))


def test_generator_state_round_trip_replays_the_draws():
    g = tg.Generator().manual_seed(7)
    state = g.get_state()
    assert state.dtype == tg.uint8 and state.shape == (40,)
    first = tg.rand(5, generator=g).tolist()
    g.set_state(state)
    assert tg.rand(5, generator=g).tolist() == first
    with pytest.raises(RuntimeError):
        g.set_state(tg.zeros(3, dtype=tg.uint8))
    g.set_state(g.np.bit_generator.state)
    s = tg.get_rng_state()
    a = tg.randn(3).tolist()
    tg.set_rng_state(s)
    assert tg.randn(3).tolist() == a
    assert isinstance(tg.Generator().seed(), int)


def test_creation_keyword_forms_and_errors():
    assert tg.zeros(size=(2, 3)).shape == (2, 3)
    assert tg.ones([2]).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError):
        tg.zeros(2, size=(2,))
    with pytest.raises(TypeError):
        tg.zeros()
    with pytest.raises(TypeError):
        tg.zeros(2.0)
    with pytest.raises(RuntimeError):
        tg.zeros(-1)
    with pytest.raises(NotImplementedError):
        tg.rand(2, dtype=tg.int64)
    assert tg.full((2,), tg.tensor(3.5)).tolist() == [3.5, 3.5]
    x = tg.zeros(2, 3, dtype=tg.float64)
    assert tg.zeros_like(x).dtype == tg.float64 and tg.ones_like(x, dtype=tg.int32).dtype == tg.int32
    assert tg.full_like(x, 2).tolist() == [[2.0] * 3] * 2 and tg.empty_like(x).shape == (2, 3)
    assert tg.rand_like(x).dtype == tg.float64 and tg.randn_like(x).shape == (2, 3)
    r = tg.randint_like(x, 5)
    assert r.shape == (2, 3) and r.numpy().min() >= 0 and r.numpy().max() < 5
    r = tg.randint_like(x, 3, 5)
    assert r.numpy().min() >= 3 and r.numpy().max() < 5
    with pytest.raises(RuntimeError):
        tg.randint(5, 2, (3,))
    v = tg.randint(2, 4, (1000,)).numpy()
    assert set(np.unique(v)) == {2, 3}
