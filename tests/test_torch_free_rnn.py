"""RNN, LSTM, GRU and their cells without PyTorch: a NumPy reference written from the
equations of PyTorch's documentation (gate order i, f, g, o for LSTM and r, z, n for GRU),
fed the module's own parameters, plus float64 gradchecks and the argument checks."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd import gradcheck


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _cell(mode, x, state, w_ih, w_hh, b_ih, b_hh, w_hr=None, relu=False):
    """One time step from the documented equations; ``state`` is (h,) or (h, c)."""
    h = state[0]
    gi = x @ w_ih.T + (b_ih if b_ih is not None else 0)
    gh = h @ w_hh.T + (b_hh if b_hh is not None else 0)
    if mode == "RNN":
        a = gi + gh
        return (np.maximum(a, 0) if relu else np.tanh(a),)
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sig(f) * state[1] + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        return (h @ w_hr.T if w_hr is not None else h, c)
    ir, iz, in_ = np.split(gi, 3, axis=-1)
    hr, hz, hn = np.split(gh, 3, axis=-1)
    r, z = _sig(ir + hr), _sig(iz + hz)
    n = np.tanh(in_ + r * hn)
    return ((1 - z) * n + z * h,)


def _reference(m, x, hx=None):
    """The stacked, optionally bidirectional, layer loop; x is (L, N, input)."""
    p = {k: v.detach().numpy() for k, v in m.named_parameters()}
    dirs = 2 if m.bidirectional else 1
    H = m.hidden_size
    out_h = m.proj_size or H
    L, N, _ = x.shape
    if hx is None:
        hx = [np.zeros((m.num_layers * dirs, N, out_h))]
        if m.mode == "LSTM":
            hx.append(np.zeros((m.num_layers * dirs, N, H)))
    finals = [[] for _ in hx]
    inp = x
    for layer in range(m.num_layers):
        outs = []
        for d in range(dirs):
            s = f"_l{layer}" + ("_reverse" if d else "")
            state = tuple(h[layer * dirs + d] for h in hx)
            seq = []
            for t in range(L)[:: -1 if d else 1]:
                state = _cell(
                    "RNN" if m.mode.startswith("RNN") else m.mode,
                    inp[t],
                    state,
                    p["weight_ih" + s],
                    p["weight_hh" + s],
                    p.get("bias_ih" + s),
                    p.get("bias_hh" + s),
                    p.get("weight_hr" + s),
                    relu=m.mode == "RNN_RELU",
                )
                seq.append(state[0])
            outs.append(np.stack(seq[:: -1 if d else 1]))
            for k, v in enumerate(state):
                finals[k].append(v)
        inp = np.concatenate(outs, axis=-1)
    return inp, [np.stack(f) for f in finals]


CASES = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bias": False}),
    ("RNN", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2, "batch_first": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "batch_first": True}),
    ("GRU", {"bidirectional": True, "bias": False}),
]


def _np_states(out):
    return [s.detach().numpy() for s in (out if isinstance(out, tuple) else (out,))]


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("mode,kw", CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_recurrent_layer_matches_the_numpy_equations(mode, kw, with_state):
    tg.manual_seed(0)
    rng = np.random.default_rng(1)
    m = getattr(nn, mode)(3, 4, dtype=tg.float64, **kw)
    x = rng.standard_normal((5, 2, 3))  # (L, N, input)
    dirs = 2 if m.bidirectional else 1
    hx = None
    if with_state:
        hx = [rng.standard_normal((m.num_layers * dirs, 2, m.proj_size or 4))]
        if mode == "LSTM":
            hx.append(rng.standard_normal((m.num_layers * dirs, 2, 4)))
    want_out, want_states = _reference(m, x, hx)
    xin = x.transpose(1, 0, 2) if m.batch_first else x
    arg = None if hx is None else (tuple(tg.tensor(h) for h in hx) if mode == "LSTM" else tg.tensor(hx[0]))
    out, states = m(tg.tensor(xin), arg)
    got = out.detach().numpy()
    assert out.dtype == tg.float64
    np.testing.assert_allclose(
        got.transpose(1, 0, 2) if m.batch_first else got, want_out, rtol=1e-10, atol=1e-12
    )
    for g, w in zip(_np_states(states), want_states, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_is_a_batch_of_one(mode):
    tg.manual_seed(1)
    m = getattr(nn, mode)(3, 4, num_layers=2, dtype=tg.float64)
    x = np.random.default_rng(2).standard_normal((6, 3))
    out, states = m(tg.tensor(x))
    want_out, want_states = _reference(m, x[:, None, :])
    assert out.shape == (6, 4)
    np.testing.assert_allclose(out.detach().numpy(), want_out[:, 0], rtol=1e-10)
    for g, w in zip(_np_states(states), want_states, strict=True):
        assert g.shape == (2, 4)
        np.testing.assert_allclose(g, w[:, 0], rtol=1e-10)


@pytest.mark.parametrize("mode", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_one_step_of_the_equations(mode, bias):
    tg.manual_seed(2)
    rng = np.random.default_rng(3)
    kw = {"nonlinearity": "relu"} if mode == "RNNCell" and not bias else {}
    cell = getattr(nn, mode)(3, 5, bias=bias, dtype=tg.float64, **kw)
    p = {k: v.detach().numpy() for k, v in cell.named_parameters()}
    x = rng.standard_normal((4, 3))
    state = (rng.standard_normal((4, 5)),) + ((rng.standard_normal((4, 5)),) if mode == "LSTMCell" else ())
    want = _cell(
        mode[:-4] or "RNN",
        x,
        state,
        p["weight_ih"],
        p["weight_hh"],
        p.get("bias_ih"),
        p.get("bias_hh"),
        relu=bool(kw),
    )
    arg = tuple(tg.tensor(s) for s in state) if mode == "LSTMCell" else tg.tensor(state[0])
    got = _np_states(cell(tg.tensor(x), arg))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    # no state: zeros; a 1-D input is a batch of one
    zero = tuple(np.zeros((1, 5)) for _ in state)
    want0 = _cell(
        mode[:-4] or "RNN",
        x[:1],
        zero,
        p["weight_ih"],
        p["weight_hh"],
        p.get("bias_ih"),
        p.get("bias_hh"),
        relu=bool(kw),
    )
    got0 = _np_states(cell(tg.tensor(x[0])))
    for g, w in zip(got0, want0, strict=True):
        assert g.shape == (5,)
        np.testing.assert_allclose(g, w[0], rtol=1e-10, atol=1e-12)
    assert repr(cell).startswith(f"{mode}(3, 5")


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_recurrent_layer_gradcheck_float64(mode):
    tg.manual_seed(3)
    m = getattr(nn, mode)(2, 3, num_layers=2, bidirectional=True, dtype=tg.float64)
    x = tg.tensor(np.random.default_rng(4).standard_normal((3, 2, 2)), requires_grad=True)
    params = list(m.parameters())[:4]

    def f(x, *ps):
        out, _ = m(x)
        return out

    assert gradcheck(f, (x, *params), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck_float64(mode):
    tg.manual_seed(4)
    cell = getattr(nn, mode)(2, 3, dtype=tg.float64)
    rng = np.random.default_rng(5)
    x = tg.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    h = tg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    if mode == "LSTMCell":
        c = tg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
        assert gradcheck(lambda x, h, c: cell(x, (h, c))[1], (x, h, c), eps=1e-6, atol=1e-5)
    else:
        assert gradcheck(lambda x, h: cell(x, h), (x, h), eps=1e-6, atol=1e-5)


def test_parameter_names_shapes_init_range_and_repr():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    names = [n for n, _ in m.named_parameters()]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert "weight_ih_l1_reverse" in names
    assert (
        m.weight_ih_l0.shape == (16, 3)
        and m.weight_hh_l0.shape == (16, 2)
        and m.weight_ih_l1.shape == (16, 4)
    )
    bound = 1 / np.sqrt(4)
    for p in m.parameters():
        assert np.abs(p.detach().numpy()).max() <= bound
    assert len(m.all_weights) == 4 and len(m._flat_weights) == len(names)
    m.flatten_parameters()
    assert repr(m) == "LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True)"
    assert repr(nn.GRU(3, 4, batch_first=True, bias=False)) == "GRU(3, 4, bias=False, batch_first=True)"
    relu = nn.RNN(3, 4, 1, "relu")  # PyTorch's positional order: num_layers, then nonlinearity
    assert relu.nonlinearity == "relu" and repr(relu) == "RNN(3, 4)"  # PyTorch's repr omits it


def test_dropout_between_layers_applies_only_in_training():
    tg.manual_seed(5)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=tg.float64)
    x = tg.tensor(np.random.default_rng(6).standard_normal((4, 2, 3)))
    m.eval()
    np.testing.assert_allclose(m(x)[0].detach().numpy(), _reference(m, x.numpy())[0], rtol=1e-10)
    m.train()
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(a, b)  # a fresh mask each call
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.RNN(3, 4, dropout=0.2)


def test_argument_checks():
    with pytest.raises(ValueError):
        nn.RNN(3, 4, dropout=1.5)
    with pytest.raises(TypeError):
        nn.RNN(3, 4.0)
    with pytest.raises(ValueError):
        nn.RNN(3, 0)
    with pytest.raises(ValueError):
        nn.RNN(3, 4, num_layers=0)
    with pytest.raises(ValueError):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(ValueError):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    m = nn.LSTM(3, 4)
    with pytest.raises(TypeError):
        m(np.zeros((2, 1, 3), np.float32))
    with pytest.raises(ValueError):
        m(tg.zeros(3))
    with pytest.raises(RuntimeError):
        m(tg.zeros(2, 1, 5))
    with pytest.raises(ValueError):
        m(tg.zeros(2, 1, 3, dtype=tg.float64))
    with pytest.raises(RuntimeError):
        m(tg.zeros(2, 1, 3), (tg.zeros(1, 2, 4), tg.zeros(1, 1, 4)))  # wrong batch in h0
    with pytest.raises(RuntimeError):
        m(tg.zeros(2, 1, 3), (tg.zeros(1, 4), tg.zeros(1, 4)))  # 2-D states for batched input
    with pytest.raises(RuntimeError):
        m(tg.zeros(2, 3), (tg.zeros(1, 1, 4), tg.zeros(1, 1, 4)))  # 3-D states for unbatched input
    with pytest.raises(TypeError):
        nn.GRU(3, 4)(tg.zeros(2, 1, 3), [[0.0] * 4])
    cell = nn.GRUCell(3, 4)
    with pytest.raises(TypeError):
        cell([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        cell(tg.zeros(1, 1, 3))
    with pytest.raises(RuntimeError):
        cell(tg.zeros(2, 5))
    with pytest.raises(RuntimeError):
        cell(tg.zeros(2, 3, dtype=tg.float64))
    with pytest.raises(ValueError):
        cell(tg.zeros(2, 3), tg.zeros(1, 2, 4))
    with pytest.raises(RuntimeError):
        cell(tg.zeros(3), tg.zeros(2, 4))


def test_empty_batch_runs():
    out, (h, c) = nn.LSTM(3, 4)(tg.zeros(5, 0, 3))
    assert out.shape == (5, 0, 4) and h.shape == (1, 0, 4) and c.shape == (1, 0, 4)
