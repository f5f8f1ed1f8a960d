"""Recurrent layers and attention side by side with PyTorch: ``RNN``/``LSTM``/``GRU`` and their
cells, ``F.scaled_dot_product_attention``, ``MultiheadAttention``, ``TransformerEncoderLayer``.

Each test builds the PyTorch module, loads its state dict into ours (so both start equal),
runs both on the same input, and compares outputs, final states and the gradients of the
input and of every parameter. State dicts also travel the other way, and the learners'
programs (an LSTM predicting a sine wave, a tiny GPT block) train side by side.
"""

import numpy as np
import pytest
from conftest import requires_torch, torch  # noqa: E402

import tinygrad_np as tg

pytestmark = requires_torch

RTOL, ATOL = 1e-4, 1e-5


def to_tg(x):
    return tg.tensor(x.detach().numpy()) if isinstance(x, torch.Tensor) else x


def load_from_torch(ours, theirs):
    ours.load_state_dict({k: to_tg(v) for k, v in theirs.state_dict().items()})


def close(a, b, what=""):
    a = a.detach().numpy() if isinstance(a, tg.Tensor) else a
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=what)


def flat(out):
    """Every tensor in a (nested) output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [] if out is None else [out]


def both(make, inputs, call=lambda m, *xs: m(*xs), seed=0):
    """Run ``make(torch)`` and ``make(tg)`` (weights copied from torch) on the same inputs and
    compare every output and every gradient."""
    torch.manual_seed(seed)
    theirs = make(torch)
    ours = make(tg)
    load_from_torch(ours, theirs)
    t_in = [torch.tensor(x, requires_grad=np.issubdtype(x.dtype, np.floating)) for x in inputs]
    o_in = [tg.tensor(x, requires_grad=np.issubdtype(x.dtype, np.floating)) for x in inputs]
    t_out, o_out = flat(call(theirs, *t_in)), flat(call(ours, *o_in))
    assert len(t_out) == len(o_out)
    rng = np.random.default_rng(seed + 1)
    t_loss, o_loss = 0, 0
    for i, (t, o) in enumerate(zip(t_out, o_out, strict=True)):
        assert tuple(t.shape) == tuple(o.shape), f"output {i}: {tuple(o.shape)} vs {tuple(t.shape)}"
        close(o, t, f"output {i}")
        w = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        t_loss = t_loss + (t * torch.tensor(w)).sum()
        o_loss = o_loss + (o * tg.tensor(w)).sum()
    t_loss.backward()
    o_loss.backward()
    for i, (t, o) in enumerate(zip(t_in, o_in, strict=True)):
        if t.grad is not None:
            close(o.grad, t.grad, f"grad of input {i}")
    t_params, o_params = dict(theirs.named_parameters()), dict(ours.named_parameters())
    assert list(t_params) == list(o_params)
    for name, p in t_params.items():
        if p.grad is not None:
            close(o_params[name].grad, p.grad, f"grad of {name}")
    return ours, theirs


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---- RNN / LSTM / GRU ---------------------------------------------------------------------------

RNN_CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "bias": False}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "num_layers": 3}),
    ("LSTM", {"proj_size": 3}),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "num_layers": 2, "batch_first": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False}),
]


@pytest.mark.parametrize("kind,kw", RNN_CONFIGS)
def test_recurrent_layer_matches_pytorch(kind, kw):
    x = randn(4, 3, 5) if not kw.get("batch_first") else randn(3, 4, 5)
    both(lambda M: getattr(M.nn, kind)(5, 6, **kw), [x])


@pytest.mark.parametrize("kind,kw", RNN_CONFIGS)
def test_recurrent_layer_with_initial_state_matches_pytorch(kind, kw):
    d = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    x = randn(4, 3, 5) if not kw.get("batch_first") else randn(3, 4, 5)
    h0 = randn(d * layers, 3, kw.get("proj_size") or 6, seed=2)
    if kind == "LSTM":
        c0 = randn(d * layers, 3, 6, seed=3)
        both(lambda M: M.nn.LSTM(5, 6, **kw), [x, h0, c0], call=lambda m, x, h, c: m(x, (h, c)))
    else:
        both(lambda M: getattr(M.nn, kind)(5, 6, **kw), [x, h0])


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_pytorch(kind):
    both(lambda M: getattr(M.nn, kind)(5, 6, num_layers=2, bidirectional=True), [randn(4, 5)])


def test_rnn_positional_nonlinearity_and_parameter_names():
    t, o = torch.nn.RNN(3, 4, 1, "relu"), tg.nn.RNN(3, 4, 1, "relu")
    assert o.nonlinearity == t.nonlinearity == "relu"
    for kind, kw in RNN_CONFIGS:
        tm, om = getattr(torch.nn, kind)(5, 6, **kw), getattr(tg.nn, kind)(5, 6, **kw)
        assert [(n, tuple(p.shape)) for n, p in om.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in tm.named_parameters()
        ]
        assert repr(om) == repr(tm)
        assert om._flat_weights_names == tm._flat_weights_names


def test_state_dict_from_tinygrad_np_loads_into_pytorch():
    ours = tg.nn.LSTM(5, 6, num_layers=2, bidirectional=True)
    theirs = torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = randn(7, 2, 5)
    (o_out, (o_h, o_c)), (t_out, (t_h, t_c)) = ours(tg.tensor(x)), theirs(torch.tensor(x))
    close(o_out, t_out)
    close(o_h, t_h)
    close(o_c, t_c)


def test_initialisation_follows_pytorch():
    tg.manual_seed(0)
    m = tg.nn.GRU(8, 25, num_layers=2)
    for p in m.parameters():
        a = p.detach().numpy()
        assert np.abs(a).max() <= 1 / 5 and np.abs(a).max() > 0.19  # U(-1/sqrt(25), 1/sqrt(25))
        assert abs(a.mean()) < 0.02


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    m = tg.nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = tg.randn(5, 2, 3)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    m.train()
    c, d = m(x)[0], m(x)[0]
    assert not np.array_equal(c.detach().numpy(), d.detach().numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        tg.nn.GRU(3, 4, dropout=0.2)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_pytorch(kind, with_state, bias):
    x = randn(3, 5)
    if not with_state:
        both(lambda M: getattr(M.nn, kind)(5, 6, bias=bias), [x])
    elif kind == "LSTMCell":
        both(
            lambda M: M.nn.LSTMCell(5, 6, bias=bias),
            [x, randn(3, 6, seed=1), randn(3, 6, seed=2)],
            call=lambda m, x, h, c: m(x, (h, c)),
        )
    else:
        both(lambda M: getattr(M.nn, kind)(5, 6, bias=bias), [x, randn(3, 6, seed=1)])


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_unbatched_and_repr(kind):
    both(lambda M: getattr(M.nn, kind)(5, 6), [randn(5)])
    assert repr(getattr(tg.nn, kind)(2, 3, bias=False)) == repr(getattr(torch.nn, kind)(2, 3, bias=False))
    assert repr(tg.nn.RNNCell(2, 3, nonlinearity="relu")) == repr(torch.nn.RNNCell(2, 3, nonlinearity="relu"))


RNN_ERRORS = [
    "M.nn.RNN(3, 4, nonlinearity='gelu')",
    "M.nn.RNN(3, 0)",
    "M.nn.RNN(3, 4, num_layers=0)",
    "M.nn.RNN(3, 4, dropout=1.5)",
    "M.nn.LSTM(3, 4, proj_size=4)",
    "M.nn.GRU(3, 4, proj_size=2)",
    "M.nn.LSTM(3, 4)(M.zeros(2, 2, 2, 3))",
    "M.nn.LSTM(3, 4)(M.zeros(2, 2, 5))",
    "M.nn.GRU(3, 4)(M.zeros(2, 2, 3), M.zeros(1, 3, 4))",
    "M.nn.GRU(3, 4)(M.zeros(2, 3), M.zeros(1, 1, 4))",
    "M.nn.GRU(3, 4)(M.zeros(2, 2, 3), M.zeros(1, 4))",
    "M.nn.GRU(3, 4)(M.zeros(2, 2, 3, dtype=M.float64))",
    "M.nn.LSTM(3, 4)(M.zeros(2, 2, 3), (M.zeros(1, 2, 4), M.zeros(1, 3, 4)))",
    "M.nn.LSTM(3, 4)(M.zeros(2, 2, 3), (M.zeros(1, 3, 4), M.zeros(1, 2, 4)))",
    "M.nn.RNN(3, 4)(M.zeros(0, 2, 3))",
    "M.nn.RNNCell(3, 4)(M.zeros(2, 2, 3))",
    "M.nn.RNNCell(3, 4)(M.zeros(2, 5))",
    "M.nn.RNNCell(3, 4)(M.zeros(2, 3), M.zeros(3, 4))",
    "M.nn.LSTMCell(3, 4)(M.zeros(2, 3), M.zeros(2, 4))",
    "M.nn.GRUCell(3, 4)(M.zeros(3), M.zeros(2, 4))",
]


def outcome(src, M):
    try:
        r = eval(src, {"M": M})
    except Exception as e:  # noqa: BLE001 - the exception is the observation
        return type(e).__name__, str(e).split("\n")[0].replace("tinygrad_np", "torch")
    return type(r).__name__


@pytest.mark.parametrize("src", RNN_ERRORS)
def test_recurrent_errors_match_pytorch(src):
    ours, theirs = outcome(src, tg), outcome(src, torch)
    if "M.zeros(3), M.zeros(2, 4)" in src:  # ours names the real problem: hx is not 1-D
        assert ours[0] == theirs[0] and "unbatched" in ours[1]
    else:
        assert ours == theirs


def test_empty_batch_runs():
    out, h = tg.nn.GRU(3, 4)(tg.zeros(2, 0, 3))
    assert tuple(out.shape) == (2, 0, 4) and tuple(h.shape) == (1, 0, 4)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_gradcheck_float64(kind):
    tg.manual_seed(0)
    m = getattr(tg.nn, kind)(2, 3, num_layers=2, bidirectional=True).double()
    x = tg.randn(3, 2, 2, dtype=tg.float64, requires_grad=True)
    h = tg.randn(4, 2, 3, dtype=tg.float64, requires_grad=True)

    def f(x, h, w):
        m.weight_hh_l0 = w
        if kind == "LSTM":
            out, (hn, cn) = m(x, (h, h * 0.5))
            return out, hn, cn
        out, hn = m(x, h)
        return out, hn

    w = tg.nn.Parameter(m.weight_hh_l0.detach().clone())
    assert tg.autograd.gradcheck(f, (x, h, w))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradgradcheck_float64(kind):
    tg.manual_seed(1)
    m = getattr(tg.nn, kind)(2, 3).double()
    x = tg.randn(2, 2, dtype=tg.float64, requires_grad=True)
    h = tg.randn(2, 3, dtype=tg.float64, requires_grad=True)
    f = (lambda x, h: m(x, (h, h))) if kind == "LSTMCell" else (lambda x, h: m(x, h))
    assert tg.autograd.gradcheck(f, (x, h))
    assert tg.autograd.gradgradcheck(f, (x, h))


# ---- scaled_dot_product_attention ------------------------------------------------------------------


def _sdpa(M, q, k, v, **kw):
    return M.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


SDPA_CASES = [
    ({}, (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)),
    ({"is_causal": True}, (2, 3, 4, 8), (2, 3, 4, 8), (2, 3, 4, 8)),
    ({"is_causal": True}, (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    ({"scale": 0.3}, (3, 4, 8), (3, 6, 8), (3, 6, 8)),
    ({"mask": "bool"}, (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8)),
    ({"mask": "float"}, (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8)),
    ({"mask": "bool_dead_row"}, (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8)),
    ({"enable_gqa": True}, (2, 4, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)),
    ({}, (4, 8), (6, 8), (6, 3)),
]


@pytest.mark.parametrize("kw,qs,ks,vs", SDPA_CASES)
def test_sdpa_matches_pytorch(kw, qs, ks, vs):
    kw = dict(kw)
    mask = kw.pop("mask", None)
    L, S = qs[-2], ks[-2]
    inputs = [randn(*qs, seed=1), randn(*ks, seed=2), randn(*vs, seed=3)]
    if mask == "float":
        inputs.append(randn(L, S, seed=4))
    elif mask is not None:
        m = np.random.default_rng(5).random((L, S)) > 0.4
        m[:, 0] = True
        if mask == "bool_dead_row":
            m[1] = False  # query 1 may attend to nothing: zeros, as PyTorch
        inputs.append(m)

    class Wrap:
        def __init__(self, M):
            self.M = M

    def call(w, q, k, v, *m):
        return _sdpa(w.M, q, k, v, attn_mask=m[0] if m else None, **kw)

    def make(M):
        mod = M.nn.Module()
        mod.M = M
        return mod

    both(make, inputs, call=lambda mod, *xs: call(mod, *xs))


def test_sdpa_errors_match_pytorch():
    for src in [
        "M.nn.functional.scaled_dot_product_attention(M.zeros(1, 3, 4), M.zeros(1, 5, 4), M.zeros(1, 5, 4), "
        "attn_mask=M.ones(3, 5, dtype=M.bool), is_causal=True)",
        "M.nn.functional.scaled_dot_product_attention(M.zeros(1, 3, 4), M.zeros(1, 5, 4), M.zeros(1, 5, 4, dtype=M.float64))",
    ]:
        ours, theirs = outcome(src, tg), outcome(src, torch)
        assert ours[0] == theirs[0]
        assert ours == theirs or "dtype" in ours[1]


def test_sdpa_gradcheck_float64():
    q = tg.randn(2, 3, 4, dtype=tg.float64, requires_grad=True)
    k = tg.randn(2, 5, 4, dtype=tg.float64, requires_grad=True)
    v = tg.randn(2, 5, 3, dtype=tg.float64, requires_grad=True)
    mask = tg.tensor(np.random.default_rng(0).random((3, 5)) > 0.3)
    F = tg.nn.functional
    assert tg.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), (q, k, v))
    assert tg.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v)
    )
    assert tg.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v)
    )
    assert tg.autograd.gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), (q, k, v))


def test_sdpa_dropout_is_applied():
    q = tg.randn(1, 4, 8)
    F = tg.nn.functional
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert not np.allclose(a.numpy(), b.numpy())


# ---- MultiheadAttention ------------------------------------------------------------------------

MHA_CASES = [
    ({}, {}),
    ({"batch_first": True}, {}),
    ({}, {"need_weights": False}),
    ({}, {"average_attn_weights": False}),
    ({}, {"kpm": "bool"}),
    ({}, {"kpm": "float"}),
    ({}, {"attn_mask": "bool"}),
    ({}, {"attn_mask": "float"}),
    ({}, {"attn_mask": "bool3d"}),
    ({}, {"attn_mask": "causal", "is_causal": True}),
    ({"batch_first": True}, {"attn_mask": "bool", "kpm": "bool", "need_weights": False}),
    ({"bias": False}, {}),
    ({"add_bias_kv": True}, {"kpm": "bool", "attn_mask": "bool"}),
    ({"add_zero_attn": True}, {"attn_mask": "float"}),
    ({"kdim": 3, "vdim": 5}, {"cross": True}),
]


@pytest.mark.parametrize("ctor,fwd", MHA_CASES)
def test_multihead_attention_matches_pytorch(ctor, fwd):
    E, H, L, S, N = 8, 2, 4, 6, 3
    fwd = dict(fwd)
    bf = ctor.get("batch_first", False)
    cross = fwd.pop("cross", False)
    shape = (lambda n: (N, n, E)) if bf else (lambda n: (n, N, E))
    q = randn(*shape(L), seed=1)
    if cross:
        inputs = [q, randn(S, N, ctor["kdim"], seed=2), randn(S, N, ctor["vdim"], seed=3)]
    else:
        inputs = [q, randn(*shape(S), seed=2), randn(*shape(S), seed=3)]
    names = ["q", "k", "v"]
    kpm = fwd.pop("kpm", None)
    if kpm is not None:
        m = np.zeros((N, S), bool)
        m[0, -2:] = True
        m[2, 1] = True
        inputs.append(m if kpm == "bool" else np.where(m, -1e9, 0.0).astype(np.float32))
        names.append("key_padding_mask")
    am = fwd.pop("attn_mask", None)
    if am == "causal":
        inputs = [q, q.copy(), q.copy()]
        inputs.append(np.triu(np.ones((L, L), bool), 1))
        names.append("attn_mask")
    elif am is not None:
        rows = (N * H, L, S) if am == "bool3d" else (L, S)
        m = np.random.default_rng(7).random(rows) > 0.7
        m[..., 0] = False
        inputs.append(m if am.startswith("bool") else randn(*rows, seed=8))
        names.append("attn_mask")

    def call(mod, q, k, v, *masks):
        return mod(q, k, v, **dict(zip(names[3:], masks, strict=True)), **fwd)

    both(lambda M: M.nn.MultiheadAttention(E, H, **ctor), inputs, call=call)


def test_multihead_attention_names_repr_init_and_unbatched():
    tm, om = torch.nn.MultiheadAttention(8, 2), tg.nn.MultiheadAttention(8, 2)
    assert repr(om) == repr(tm)
    assert list(om.state_dict()) == list(tm.state_dict())
    tm2 = torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    om2 = tg.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    assert [(n, tuple(p.shape)) for n, p in om2.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in tm2.named_parameters()
    ]
    assert np.all(om.in_proj_bias.detach().numpy() == 0) and np.all(om.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    assert np.abs(om.in_proj_weight.detach().numpy()).max() <= bound
    x = randn(5, 8)
    both(lambda M: M.nn.MultiheadAttention(8, 2), [x, x.copy(), x.copy()])
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        tg.nn.MultiheadAttention(5, 2)


def test_multihead_attention_dropout_only_in_training():
    m = tg.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = tg.randn(4, 2, 8)
    m.eval()
    assert np.array_equal(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())
    m.train()
    assert not np.array_equal(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())


def test_multihead_attention_gradcheck_float64():
    tg.manual_seed(0)
    m = tg.nn.MultiheadAttention(4, 2).double()
    x = tg.randn(3, 2, 4, dtype=tg.float64, requires_grad=True)
    kpm = tg.tensor([[False, False, True], [False, False, False]])
    assert tg.autograd.gradcheck(lambda x: m(x, x, x, key_padding_mask=kpm)[0], (x,))
    assert tg.autograd.gradcheck(lambda x: m(x, x, x, need_weights=False)[0], (x,))


# ---- TransformerEncoderLayer ----------------------------------------------------------------------

ENC_CASES = [
    {},
    {"norm_first": True},
    {"activation": "gelu", "batch_first": True},
    {"activation": "module"},
    {"norm_first": True, "mask": True},
    {"batch_first": True, "kpm": True},
]


@pytest.mark.parametrize("cfg", ENC_CASES)
def test_transformer_encoder_layer_matches_pytorch(cfg):
    cfg = dict(cfg)
    mask, kpm = cfg.pop("mask", False), cfg.pop("kpm", False)
    bf = cfg.get("batch_first", False)
    act = cfg.pop("activation", "relu")

    def make(M):
        a = M.nn.GELU() if act == "module" else act
        return M.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=a, **cfg)

    x = randn(3, 5, 8) if bf else randn(5, 3, 8)
    inputs, names = [x], []
    if mask:
        inputs.append(np.triu(np.full((5, 5), -np.inf, np.float32), 1))
        names.append("src_mask")
    if kpm:
        m = np.zeros((3, 5), bool)
        m[1, -2:] = True
        inputs.append(m)
        names.append("src_key_padding_mask")
    both(make, inputs, call=lambda mod, x, *ms: mod(x, **dict(zip(names, ms, strict=True))))


def test_transformer_encoder_layer_eval_and_repr():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    ours = tg.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    load_from_torch(ours, theirs)
    theirs.eval()
    ours.eval()
    x = randn(2, 5, 8)
    with torch.no_grad(), tg.no_grad():  # PyTorch takes its fused fast path here
        close(ours(tg.tensor(x)), theirs(torch.tensor(x)))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        tg.nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_transformer_encoder_stack_matches_pytorch():
    def make(M):
        layer = M.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return M.nn.TransformerEncoder(
            layer, num_layers=2, norm=M.nn.LayerNorm(8), enable_nested_tensor=False
        )

    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    both(make, [randn(3, 5, 8), causal], call=lambda m, x, mask: m(x, mask=mask))


# ---- learners' programs, side by side ----------------------------------------------------------


def sine_wave_lstm(T, steps=3):
    """PyTorch's time-sequence-prediction example: two LSTMCells and a Linear learn sine waves,
    then predict the future (here with Adam, a few steps, in float64)."""
    T.manual_seed(0)

    class Sequence(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = T.nn.LSTMCell(1, 16)
            self.lstm2 = T.nn.LSTMCell(16, 16)
            self.linear = T.nn.Linear(16, 1)

        def forward(self, input, future=0):
            outputs = []
            h_t = T.zeros(input.size(0), 16, dtype=T.double)
            c_t = T.zeros(input.size(0), 16, dtype=T.double)
            h_t2 = T.zeros(input.size(0), 16, dtype=T.double)
            c_t2 = T.zeros(input.size(0), 16, dtype=T.double)
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for _ in range(future):
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            return T.cat(outputs, dim=1)

    x = np.array(range(24)) + np.random.default_rng(0).integers(-8, 8, (6, 1))
    data = np.sin(x / 20.0).astype("float64")
    inp, target = T.from_numpy(data[:, :-1]), T.from_numpy(data[:, 1:])
    seq = Sequence().double()
    return seq, inp, target, steps


def test_sine_wave_lstm_cells_train_like_pytorch():
    seq_t, inp_t, tgt_t, steps = sine_wave_lstm(torch)
    seq_o, inp_o, tgt_o, _ = sine_wave_lstm(tg)
    load_from_torch(seq_o, seq_t)
    opt_t = torch.optim.Adam(seq_t.parameters(), lr=0.01)
    opt_o = tg.optim.Adam(seq_o.parameters(), lr=0.01)
    for _ in range(steps):
        losses = []
        for seq, opt, inp, tgt, M in ((seq_t, opt_t, inp_t, tgt_t, torch), (seq_o, opt_o, inp_o, tgt_o, tg)):
            opt.zero_grad()
            loss = M.nn.MSELoss()(seq(inp), tgt)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[1] == pytest.approx(losses[0], rel=1e-9)
    with torch.no_grad(), tg.no_grad():
        close(seq_o(inp_o[:2], future=10), seq_t(inp_t[:2], future=10))


def test_lstm_sequence_regression_trains_like_pytorch():
    """nn.LSTM(batch_first=True) + Linear on the last step, the usual time-series tutorial."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    t = np.linspace(0, 8 * np.pi, 400)
    wave = np.sin(t).astype(np.float32)
    idx = rng.integers(0, 380, 16)
    X = np.stack([wave[i : i + 20] for i in idx])[..., None]
    Y = np.stack([wave[i + 20] for i in idx])[:, None]

    def build(M):
        class Net(M.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = M.nn.LSTM(1, 12, num_layers=2, batch_first=True)
                self.head = M.nn.Linear(12, 1)

            def forward(self, x):
                out, _ = self.lstm(x)
                return self.head(out[:, -1, :])

        return Net()

    theirs, ours = build(torch), build(tg)
    load_from_torch(ours, theirs)
    ot, oo = torch.optim.Adam(theirs.parameters(), 1e-2), tg.optim.Adam(ours.parameters(), 1e-2)
    for _ in range(5):
        lt = torch.nn.functional.mse_loss(theirs(torch.tensor(X)), torch.tensor(Y))
        lo = tg.nn.functional.mse_loss(ours(tg.tensor(X)), tg.tensor(Y))
        ot.zero_grad()
        oo.zero_grad()
        lt.backward()
        lo.backward()
        ot.step()
        oo.step()
        assert lo.item() == pytest.approx(lt.item(), rel=1e-4)


def tiny_gpt(M, vocab=11, block=6, d=16):
    class Block(M.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = M.nn.LayerNorm(d)
            self.attn = M.nn.MultiheadAttention(d, 4, batch_first=True)
            self.ln2 = M.nn.LayerNorm(d)
            self.ff = M.nn.Sequential(M.nn.Linear(d, 4 * d), M.nn.GELU(), M.nn.Linear(4 * d, d))

        def forward(self, x):
            T_ = x.shape[1]
            mask = M.triu(M.ones(T_, T_, dtype=M.bool), diagonal=1) if hasattr(M, "triu") else None
            if mask is None:
                mask = M.tensor(np.triu(np.ones((T_, T_), bool), 1))
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.ff(self.ln2(x))

    class GPT(M.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = M.nn.Embedding(vocab, d)
            self.pos = M.nn.Embedding(block, d)
            self.block = Block()
            self.enc = M.nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, batch_first=True, norm_first=True)
            self.head = M.nn.Linear(d, vocab)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(M.arange(idx.shape[1]))
            x = self.block(x)
            causal = M.tensor(np.triu(np.full((idx.shape[1],) * 2, -np.inf, np.float32), 1))
            x = self.enc(x, src_mask=causal)
            return self.head(x)

    return GPT()


def test_tiny_gpt_trains_like_pytorch_and_samples():
    torch.manual_seed(0)
    theirs, ours = tiny_gpt(torch), tiny_gpt(tg)
    load_from_torch(ours, theirs)
    data = np.random.default_rng(0).integers(0, 11, (8, 7))
    x, y = data[:, :-1], data[:, 1:]
    ot, oo = torch.optim.AdamW(theirs.parameters(), 3e-3), tg.optim.AdamW(ours.parameters(), 3e-3)
    for _ in range(4):
        lt = torch.nn.functional.cross_entropy(
            theirs(torch.tensor(x)).reshape(-1, 11), torch.tensor(y).reshape(-1)
        )
        lo = tg.nn.functional.cross_entropy(ours(tg.tensor(x)).reshape(-1, 11), tg.tensor(y).reshape(-1))
        for opt, loss in ((ot, lt), (oo, lo)):
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert lo.item() == pytest.approx(lt.item(), rel=1e-4)
    # generation as in the lectures: crop the context, softmax of the last step, multinomial
    idx = tg.zeros((1, 1), dtype=tg.long)
    g = tg.Generator().manual_seed(0)
    with tg.no_grad():
        for _ in range(8):
            logits = ours(idx[:, -6:])[:, -1, :]
            probs = tg.nn.functional.softmax(logits, dim=-1)
            idx = tg.cat((idx, tg.multinomial(probs, num_samples=1, generator=g)), dim=1)
    assert tuple(idx.shape) == (1, 9) and idx.dtype == tg.int64


def test_mask_dtypes_are_checked_as_pytorch():
    x = randn(3, 1, 4)
    for src in [
        "M.nn.MultiheadAttention(4, 2)(X, X, X, key_padding_mask=M.zeros(1, 3, dtype=M.long))",
        "M.nn.MultiheadAttention(4, 2)(X, X, X, attn_mask=M.zeros(3, 3, dtype=M.int32))",
        "M.nn.functional.scaled_dot_product_attention(X, X, X, attn_mask=M.ones(3, 3, dtype=M.long))",
        "M.nn.MultiheadAttention(4, 2)(X, X, X, attn_mask=M.zeros(2, 3, dtype=M.bool))",
    ]:
        ours = _outcome_with(src, tg, x)
        theirs = _outcome_with(src, torch, x)
        assert ours[0] == theirs[0], (src, ours, theirs)


def _outcome_with(src, M, x):
    try:
        eval(src, {"M": M, "X": M.tensor(x)})
    except Exception as e:  # noqa: BLE001 - the exception is the observation
        return type(e).__name__, str(e)
    return ("ok",)


def test_pad_sequence_matches_pytorch_and_feeds_an_lstm():
    from torch.nn.utils.rnn import pad_sequence as t_pad

    from tinygrad_np.nn.utils.rnn import pack_padded_sequence, pad_sequence

    seqs = [randn(4, 3, seed=1), randn(2, 3, seed=2), randn(3, 3, seed=3)]
    for kw in (
        {},
        {"batch_first": True, "padding_value": -1.0},
        {"batch_first": True, "padding_side": "left"},
    ):
        close(pad_sequence([tg.tensor(s) for s in seqs], **kw), t_pad([torch.tensor(s) for s in seqs], **kw))
    both(
        lambda M: M.nn.GRU(3, 5, batch_first=True),
        [t_pad([torch.tensor(s) for s in seqs], batch_first=True).numpy()],
    )
    parts = [tg.tensor(s, requires_grad=True) for s in seqs]
    pad_sequence(parts).sum().backward()
    assert all(p.grad.tolist() == np.ones_like(s).tolist() for p, s in zip(parts, seqs, strict=True))
    with pytest.raises(NotImplementedError, match="packed sequences are not supported"):
        pack_padded_sequence(tg.zeros(3, 2, 1), [3, 2])
    with pytest.raises(RuntimeError, match="empty list of sequences"):
        pad_sequence([])


@pytest.mark.parametrize("cfg", [{}, {"norm_first": True, "batch_first": True}, {"activation": "gelu"}])
def test_transformer_decoder_layer_matches_pytorch(cfg):
    bf = cfg.get("batch_first", False)
    tgt, mem = (randn(3, 4, 8), randn(3, 6, 8, seed=1)) if bf else (randn(4, 3, 8), randn(6, 3, 8, seed=1))
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    kpm = np.zeros((3, 6), bool)
    kpm[0, -2:] = True

    def call(m, t, mem, mask, kpm):
        return m(t, mem, tgt_mask=mask, memory_key_padding_mask=kpm)

    both(
        lambda M: M.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **cfg),
        [tgt, mem, causal, kpm],
        call=call,
    )


def test_transformer_matches_pytorch():
    import warnings

    def make(M):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's nested-tensor notice
            return M.nn.Transformer(
                8, 2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0
            )

    src, tgt = randn(5, 2, 8), randn(4, 2, 8, seed=1)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    np.testing.assert_array_equal(tg.nn.Transformer.generate_square_subsequent_mask(4).numpy(), mask)
    both(make, [src, tgt, mask], call=lambda m, s, t, mask: m(s, t, tgt_mask=mask))
    ours, theirs = make(tg), make(torch)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    for name, p in ours.named_parameters():  # xavier_uniform_ on every matrix, as PyTorch
        if p.ndim > 1:
            bound = np.sqrt(6 / (p.shape[0] + p.shape[1]))
            assert np.abs(p.detach().numpy()).max() <= bound, name
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        ours(tg.zeros(5, 2, 8), tg.zeros(4, 3, 8))


def test_recurrent_layer_gradgradcheck_float64():
    """Second derivatives through the layers' multi-output ops (time steps and gates)."""
    tg.manual_seed(2)
    for kind in ("LSTM", "GRU"):
        m = getattr(tg.nn, kind)(2, 2, bidirectional=True).double()
        x = tg.randn(3, 1, 2, dtype=tg.float64, requires_grad=True)
        assert tg.autograd.gradgradcheck(lambda x, m=m: m(x)[0], (x,))
