"""Attention and transformer layers without PyTorch: NumPy references written from the
definitions (softmax(Q K^T / sqrt(E) + mask) V, the multi-head projections, post-norm and
pre-norm residual blocks) fed the modules' own parameters, plus float64 gradchecks."""

import math

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd import gradcheck
from tinygrad_np.nn import functional as F


def _softmax(s):
    with np.errstate(invalid="ignore"):  # a fully masked row is NaN here, zeros after nan_to_num
        e = np.exp(s - s.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)


def _sdpa(q, k, v, mask=None, causal=False, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    if causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), bool))
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    w = _softmax(s)
    return np.nan_to_num(w) @ v, np.nan_to_num(w)


@pytest.mark.parametrize(
    "kind",
    ["plain", "bool", "float", "causal", "scale", "broadcast"],
)
def test_sdpa_matches_the_definition(kind):
    rng = np.random.default_rng(0)
    q, k, v = (
        rng.standard_normal((2, 3, 4, 5)),
        rng.standard_normal((2, 3, 6, 5)),
        rng.standard_normal((2, 3, 6, 7)),
    )
    mask, kw = None, {}
    if kind == "bool":
        mask = rng.random((4, 6)) > 0.3
        mask[:, 0] = True
    elif kind == "float":
        mask = rng.standard_normal((2, 3, 4, 6))
    elif kind == "causal":
        q, k, v = q, rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 4, 7))
        kw["is_causal"] = True
    elif kind == "scale":
        kw["scale"] = 0.3
    elif kind == "broadcast":
        k, v = k[:1], v[:1]
    want, _ = _sdpa(q, k, v, mask, kw.get("is_causal", False), kw.get("scale"))
    got = F.scaled_dot_product_attention(
        tg.tensor(q), tg.tensor(k), tg.tensor(v), None if mask is None else tg.tensor(mask), **kw
    )
    assert got.dtype == tg.float64 and got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


def test_sdpa_fully_masked_row_gives_zeros_and_gqa_repeats_heads():
    rng = np.random.default_rng(1)
    q, k, v = (
        rng.standard_normal((1, 4, 3, 2)),
        rng.standard_normal((1, 2, 5, 2)),
        rng.standard_normal((1, 2, 5, 3)),
    )
    mask = np.ones((3, 5), bool)
    mask[1] = False
    got = F.scaled_dot_product_attention(
        tg.tensor(q), tg.tensor(k), tg.tensor(v), tg.tensor(mask), enable_gqa=True
    )
    want, _ = _sdpa(q, np.repeat(k, 2, axis=1), np.repeat(v, 2, axis=1), mask)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    assert np.all(got.numpy()[:, :, 1] == 0)


def test_sdpa_errors_and_dropout():
    q = tg.randn(1, 2, 3, 4)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, q, q, tg.ones(3, 3, dtype=tg.bool), is_causal=True)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, tg.randn(1, 2, 3, 5), q)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, tg.randn(1, 3, 3, 4), tg.randn(1, 3, 3, 4))
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, q, q, tg.ones(3, 3, dtype=tg.int64))
    tg.manual_seed(0)
    ones = tg.ones(1, 1, 200, 4)
    v = tg.tensor(np.random.default_rng(2).standard_normal((1, 1, 200, 4)).astype(np.float32))
    a = F.scaled_dot_product_attention(ones, ones, v, dropout_p=0.5).numpy()
    b = F.scaled_dot_product_attention(ones, ones, v, dropout_p=0.0).numpy()
    assert not np.allclose(a, b)  # dropout applied even outside a module, as in PyTorch


def test_sdpa_gradcheck_float64():
    rng = np.random.default_rng(3)
    q, k, v = (tg.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True) for _ in range(3))
    mask = tg.tensor(rng.standard_normal((3, 3)))
    assert gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask), (q, k, v), eps=1e-6, atol=1e-5
    )


def _mha_ref(m, q, k, v, key_padding_mask=None, attn_mask=None, average=True):
    """(L, N, E) inputs; PyTorch's documented multi-head attention with the module's parameters."""
    p = {n: t.detach().numpy() for n, t in m.named_parameters()}
    E, H = m.embed_dim, m.num_heads
    if "in_proj_weight" in p:
        wq, wk, wv = np.split(p["in_proj_weight"], 3)
    else:
        wq, wk, wv = p["q_proj_weight"], p["k_proj_weight"], p["v_proj_weight"]
    bq, bk, bv = np.split(p["in_proj_bias"], 3) if "in_proj_bias" in p else (0, 0, 0)
    Q, K, V = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv
    N = q.shape[1]
    if "bias_k" in p:
        K = np.concatenate([K, np.broadcast_to(p["bias_k"], (1, N, E))])
        V = np.concatenate([V, np.broadcast_to(p["bias_v"], (1, N, E))])
        if key_padding_mask is not None:
            key_padding_mask = np.concatenate([key_padding_mask, np.zeros((N, 1), bool)], axis=1)
    if m.add_zero_attn:
        K = np.concatenate([K, np.zeros((1, N, E))])
        V = np.concatenate([V, np.zeros((1, N, E))])
        if key_padding_mask is not None:
            key_padding_mask = np.concatenate([key_padding_mask, np.zeros((N, 1), bool)], axis=1)

    def heads(x):  # (T, N, E) -> (N, H, T, E/H)
        return x.reshape(x.shape[0], N, H, E // H).transpose(1, 2, 0, 3)

    S = K.shape[0]
    bias = np.zeros((N, 1, q.shape[0], S))
    if attn_mask is not None:
        am = attn_mask
        if am.shape[-1] < S:
            am = np.concatenate([am, np.zeros(am.shape[:-1] + (S - am.shape[-1],), am.dtype)], axis=-1)
        bias = bias + np.where(am, -np.inf, 0.0) if am.dtype == bool else bias + am
    if key_padding_mask is not None:
        bias = bias + np.where(key_padding_mask, -np.inf, 0.0)[:, None, None, :]
    out, w = _sdpa(heads(Q), heads(K), heads(V), bias)
    out = out.transpose(2, 0, 1, 3).reshape(q.shape[0], N, E) @ p["out_proj.weight"].T
    if "out_proj.bias" in p:
        out = out + p["out_proj.bias"]
    return out, (w.mean(1) if average else w)


MHA = [
    {},
    {"bias": False},
    {"add_bias_kv": True, "add_zero_attn": True},
    {"kdim": 3, "vdim": 5},
    {"batch_first": True},
]


@pytest.mark.parametrize("ctor", MHA, ids=[str(i) for i in range(len(MHA))])
@pytest.mark.parametrize("masks", [False, True])
def test_multihead_attention_matches_the_definition(ctor, masks):
    tg.manual_seed(0)
    rng = np.random.default_rng(4)
    m = nn.MultiheadAttention(6, 2, dtype=tg.float64, **ctor)
    q = rng.standard_normal((4, 2, 6))
    k = rng.standard_normal((5, 2, ctor.get("kdim", 6)))
    v = rng.standard_normal((5, 2, ctor.get("vdim", 6)))
    kpm = am = None
    if masks:
        kpm = np.zeros((2, 5), bool)
        kpm[1, 3:] = True
        am = rng.standard_normal((4, 5))
    want, want_w = _mha_ref(m, q, k, v, kpm, am)
    bf = ctor.get("batch_first", False)

    def t(x):
        return tg.tensor(x.transpose(1, 0, 2) if bf else x)

    out, w = m(
        t(q),
        t(k),
        t(v),
        key_padding_mask=None if kpm is None else tg.tensor(kpm),
        attn_mask=None if am is None else tg.tensor(am),
    )
    got = out.detach().numpy()
    np.testing.assert_allclose(got.transpose(1, 0, 2) if bf else got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), want_w, rtol=1e-9, atol=1e-12)
    _, w_all = m(
        t(q),
        t(k),
        t(v),
        average_attn_weights=False,
        attn_mask=None if am is None else tg.tensor(am),
        key_padding_mask=None if kpm is None else tg.tensor(kpm),
    )
    assert w_all.shape == (2, 2, 4, want_w.shape[-1])
    _, none = m(t(q), t(k), t(v), need_weights=False)
    assert none is None


def test_multihead_attention_bool_causal_mask_unbatched_and_repr():
    tg.manual_seed(1)
    m = nn.MultiheadAttention(4, 2, dtype=tg.float64)
    x = np.random.default_rng(5).standard_normal((3, 1, 4))
    causal = np.triu(np.ones((3, 3), bool), 1)  # True = may NOT attend, PyTorch's bool attn_mask
    want, _ = _mha_ref(m, x, x, x, attn_mask=causal)
    out, w = m(tg.tensor(x[:, 0]), tg.tensor(x[:, 0]), tg.tensor(x[:, 0]), attn_mask=tg.tensor(causal))
    assert out.shape == (3, 4) and w.shape == (3, 3)
    np.testing.assert_allclose(out.detach().numpy(), want[:, 0], rtol=1e-9, atol=1e-12)
    sq = nn.Transformer.generate_square_subsequent_mask(3)
    assert np.array_equal(sq.numpy(), np.where(causal, -np.inf, 0.0))
    assert "NonDynamicallyQuantizableLinear" in repr(m)
    with pytest.raises((ValueError, AssertionError)):
        nn.MultiheadAttention(5, 2)


def test_multihead_attention_gradcheck_float64():
    tg.manual_seed(2)
    m = nn.MultiheadAttention(4, 2, dtype=tg.float64)
    x = tg.tensor(np.random.default_rng(6).standard_normal((3, 2, 4)), requires_grad=True)
    assert gradcheck(lambda x, w: m(x, x, x)[0], (x, m.in_proj_weight), eps=1e-6, atol=1e-5)


def _ln(x, mod):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + mod.eps) * mod.weight.detach().numpy() + mod.bias.detach().numpy()


def _lin(x, mod):
    return x @ mod.weight.detach().numpy().T + mod.bias.detach().numpy()


def _gelu(x):
    from math import erf

    return 0.5 * x * (1 + np.vectorize(erf)(x / math.sqrt(2)))


def _ff(x, layer, act):
    return _lin(act(_lin(x, layer.linear1)), layer.linear2)


def _enc_layer(x, layer, act, norm_first, mask=None):
    def sa(y):
        return _mha_ref(layer.self_attn, y, y, y, attn_mask=mask)[0]

    if norm_first:
        x = x + sa(_ln(x, layer.norm1))
        return x + _ff(_ln(x, layer.norm2), layer, act)
    x = _ln(x + sa(x), layer.norm1)
    return _ln(x + _ff(x, layer, act), layer.norm2)


def _dec_layer(x, mem, layer, act, norm_first, tgt_mask=None):
    def sa(y):
        return _mha_ref(layer.self_attn, y, y, y, attn_mask=tgt_mask)[0]

    def ca(y):
        return _mha_ref(layer.multihead_attn, y, mem, mem)[0]

    if norm_first:
        x = x + sa(_ln(x, layer.norm1))
        x = x + ca(_ln(x, layer.norm2))
        return x + _ff(_ln(x, layer.norm3), layer, act)
    x = _ln(x + sa(x), layer.norm1)
    x = _ln(x + ca(x), layer.norm2)
    return _ln(x + _ff(x, layer, act), layer.norm3)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_layers_match_the_residual_block_equations(norm_first, activation):
    tg.manual_seed(3)
    rng = np.random.default_rng(7)
    act = (lambda x: np.maximum(x, 0)) if activation == "relu" else _gelu
    kw = {"dim_feedforward": 8, "dropout": 0.0, "activation": activation, "norm_first": norm_first}
    enc = nn.TransformerEncoderLayer(4, 2, dtype=tg.float64, **kw)
    dec = nn.TransformerDecoderLayer(4, 2, dtype=tg.float64, **kw)
    x, mem = rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, 4))
    mask = np.triu(np.full((3, 3), -np.inf), 1)
    got = enc(tg.tensor(x), src_mask=tg.tensor(mask)).detach().numpy()
    np.testing.assert_allclose(got, _enc_layer(x, enc, act, norm_first, mask), rtol=1e-9, atol=1e-12)
    got = dec(tg.tensor(x), tg.tensor(mem), tgt_mask=tg.tensor(mask)).detach().numpy()
    np.testing.assert_allclose(got, _dec_layer(x, mem, dec, act, norm_first, mask), rtol=1e-9, atol=1e-12)


def test_transformer_stacks_and_full_model_match_the_reference():
    tg.manual_seed(4)
    rng = np.random.default_rng(8)
    model = nn.Transformer(
        d_model=4,
        nhead=2,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=8,
        dropout=0.0,
        dtype=tg.float64,
    )
    src, tgt = rng.standard_normal((5, 2, 4)), rng.standard_normal((3, 2, 4))
    relu = lambda x: np.maximum(x, 0)  # noqa: E731
    mem = src
    for layer in model.encoder.layers:
        mem = _enc_layer(mem, layer, relu, False)
    mem = _ln(mem, model.encoder.norm)
    mask = np.triu(np.full((3, 3), -np.inf), 1)
    out = tgt
    for layer in model.decoder.layers:
        out = _dec_layer(out, mem, layer, relu, False, mask)
    out = _ln(out, model.decoder.norm)
    got = model(tg.tensor(src), tg.tensor(tgt), tgt_mask=tg.tensor(mask)).detach().numpy()
    np.testing.assert_allclose(got, out, rtol=1e-9, atol=1e-12)
    enc = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True, dtype=tg.float64),
        num_layers=2,
        enable_nested_tensor=False,
    )
    x = rng.standard_normal((2, 3, 4))
    want = x.transpose(1, 0, 2)
    for layer in enc.layers:
        want = _enc_layer(want, layer, relu, False)
    np.testing.assert_allclose(
        enc(tg.tensor(x)).detach().numpy(), want.transpose(1, 0, 2), rtol=1e-9, atol=1e-12
    )


def test_transformer_encoder_layer_dropout_only_in_training_and_gradcheck():
    tg.manual_seed(5)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.5, dtype=tg.float64)
    x = tg.tensor(np.random.default_rng(9).standard_normal((3, 2, 4)))
    layer.eval()
    np.testing.assert_allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.eval()
    xg = tg.tensor(x.numpy(), requires_grad=True)
    assert gradcheck(lambda x: layer(x), (xg,), eps=1e-6, atol=1e-5)
