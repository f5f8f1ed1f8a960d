"""PyTorch parity for nn layers: forward values, input and parameter gradients (train and
eval), running statistics, state_dict keys, repr, and state_dict exchange as NumPy arrays."""

from collections import OrderedDict

import numpy as np
import pytest
from conftest import requires_torch, torch, torch_free  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
import tinygrad_np.nn as nn  # noqa: E402
import tinygrad_np.nn.functional as F  # noqa: E402

TNN = torch.nn


def load_from_torch(ours, theirs):
    """Copy a torch state_dict, as NumPy arrays, into our module."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def run_both(ours, theirs, x, *, train=True, atol=1e-5, rtol=1e-4, integer_input=False, seed=0):
    """Forward + backward through both modules; compare output, input grad and parameter grads."""
    ours.train(train)
    theirs.train(train)
    if integer_input:
        xo, xt = tg.tensor(x), torch.tensor(x)
    else:
        xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo._data, yt.detach().numpy(), atol=atol, rtol=rtol)
    g = (
        np.random.default_rng(seed)
        .standard_normal(yt.shape)
        .astype(np.asarray(x).dtype if not integer_input else np.float32)
    )
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    if not integer_input:
        np.testing.assert_allclose(xo.grad._data, xt.grad.numpy(), atol=atol, rtol=rtol)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        tp = theirs_params[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad._data), name
            continue
        np.testing.assert_allclose(p.grad._data, tp.grad.numpy(), atol=atol, rtol=rtol, err_msg=name)
    return yo, yt


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def pair(ours, theirs):
    load_from_torch(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    return ours, theirs


# ---- Linear, activations, containers ---------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    ours, theirs = pair(nn.Linear(5, 3, bias=bias), TNN.Linear(5, 3, bias=bias))
    run_both(ours, theirs, rand(4, 5))
    run_both(ours, theirs, rand(2, 6, 5, seed=1))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.ReLU(),
        lambda m: m.Sigmoid(),
        lambda m: m.Tanh(),
        lambda m: m.LeakyReLU(0.2),
        lambda m: m.GELU(),
        lambda m: m.GELU(approximate="tanh"),
        lambda m: m.Softplus(beta=2.0, threshold=5.0),
        lambda m: m.Softmax(dim=1),
        lambda m: m.LogSoftmax(dim=-1),
        lambda m: m.Identity(),
        lambda m: m.Flatten(),
        lambda m: m.SiLU(),
        lambda m: m.ELU(alpha=0.5),
    ],
)
def test_activation_modules(make):
    ours, theirs = pair(make(nn), make(TNN))
    run_both(ours, theirs, rand(3, 4, 2) * 3)


def test_mlp_matches_sequential():
    torch.manual_seed(0)
    theirs = TNN.Sequential(TNN.Linear(3, 8), TNN.Tanh(), TNN.Linear(8, 8), TNN.Tanh(), TNN.Linear(8, 2))
    ours = nn.MLP([3, 8, 8, 2], activation="tanh")
    load_from_torch(ours, theirs)
    assert list(ours.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert repr(ours).replace("MLP(", "Sequential(", 1) == repr(theirs)
    run_both(ours, theirs, rand(5, 3))


def test_nested_repr_and_keys():
    def build(m):
        return m.Sequential(
            OrderedDict(
                [
                    (
                        "features",
                        m.Sequential(m.Conv2d(3, 4, 3, padding=1, bias=False), m.BatchNorm2d(4), m.ReLU()),
                    ),
                    ("pool", m.MaxPool2d(2)),
                    ("flat", m.Flatten()),
                    ("heads", m.ModuleList([m.Linear(16, 2) for _ in range(3)])),
                    ("extra", m.ModuleDict({"drop": m.Dropout(0.1), "ln": m.LayerNorm(16)})),
                    ("emb", m.Embedding(10, 3, padding_idx=0)),
                    ("conv2", m.Conv2d(4, 8, (3, 2), stride=2, padding=1, dilation=2, groups=2)),
                    ("avg", m.AvgPool2d(3, stride=1, padding=1)),
                    ("bn1", m.BatchNorm1d(5, momentum=None, affine=False)),
                    ("losses", m.ModuleList([m.CrossEntropyLoss(), m.MSELoss(), m.HuberLoss(delta=2.0)])),
                ]
            )
        )

    ours, theirs = build(nn), build(TNN)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


def test_state_dict_roundtrip_both_ways():
    torch.manual_seed(1)
    theirs = TNN.Sequential(
        TNN.Conv2d(2, 3, 3), TNN.BatchNorm2d(3), TNN.ReLU(), TNN.Flatten(), TNN.Linear(12, 2)
    )
    ours = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
    theirs.train()(torch.randn(4, 2, 4, 4))  # non-trivial running stats
    load_from_torch(ours, theirs)
    assert int(ours[1].num_batches_tracked.item()) == 1
    back = TNN.Sequential(
        TNN.Conv2d(2, 3, 3), TNN.BatchNorm2d(3), TNN.ReLU(), TNN.Flatten(), TNN.Linear(12, 2)
    )
    back.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[k].numpy(), v.numpy())
    x = rand(2, 2, 4, 4)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(tg.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)


# ---- convolution and pooling ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cin", "cout", "k", "kw"),
    [
        (3, 4, 3, {}),
        (2, 3, (3, 2), {"stride": 2, "padding": 1}),
        (2, 2, 3, {"dilation": 2, "padding": 2, "bias": False}),
        (4, 6, 3, {"groups": 2, "stride": (2, 1)}),
        (4, 4, 3, {"groups": 4, "padding": (1, 0)}),
        (3, 5, 3, {"padding": "same"}),
        (3, 5, 4, {"padding": "same", "dilation": 1}),
        (1, 2, 2, {"padding": "valid", "stride": 3}),
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv2d(cin, cout, k, kw):
    torch.manual_seed(0)
    ours, theirs = pair(nn.Conv2d(cin, cout, k, **kw), TNN.Conv2d(cin, cout, k, **kw))
    run_both(ours, theirs, rand(2, cin, 7, 6))


def test_conv2d_unbatched_and_float64():
    torch.manual_seed(0)
    ours, theirs = pair(nn.Conv2d(2, 3, 3).double(), TNN.Conv2d(2, 3, 3).double())
    run_both(ours, theirs, rand(2, 5, 5, dtype=np.float64), atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "stride": (1, 2)},
        {"kernel_size": 3, "stride": 1, "dilation": 2, "padding": 1},
    ],
)
def test_max_pool2d(kw):
    ours, theirs = pair(nn.MaxPool2d(**kw), TNN.MaxPool2d(**kw))
    run_both(ours, theirs, rand(2, 3, 7, 8))
    out_o, idx_o = F.max_pool2d(tg.tensor(rand(2, 3, 7, 8)), return_indices=True, **kw)
    out_t, idx_t = torch.nn.functional.max_pool2d(torch.tensor(rand(2, 3, 7, 8)), return_indices=True, **kw)
    np.testing.assert_array_equal(idx_o._data, idx_t.numpy())
    np.testing.assert_allclose(out_o._data, out_t.numpy())


def test_max_pool2d_ties_go_to_first_maximum():
    x = np.ones((1, 1, 4, 4), np.float32)
    ours, theirs = nn.MaxPool2d(2), TNN.MaxPool2d(2)
    run_both(ours, theirs, x)


@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False},
        {"kernel_size": (2, 3), "stride": (2, 1), "divisor_override": 5},
    ],
)
def test_avg_pool2d(kw):
    ours, theirs = pair(nn.AvgPool2d(**kw), TNN.AvgPool2d(**kw))
    run_both(ours, theirs, rand(2, 3, 7, 8))


def test_small_cnn_end_to_end():
    torch.manual_seed(2)

    def build(m):
        return m.Sequential(
            m.Conv2d(1, 4, 3, padding=1),
            m.BatchNorm2d(4),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Conv2d(4, 8, 3, stride=2, padding=1, groups=2),
            m.ReLU(),
            m.AvgPool2d(2),
            m.Flatten(),
            m.Linear(8, 10),
            m.LogSoftmax(dim=1),
        )

    ours, theirs = pair(build(nn), build(TNN))
    run_both(ours, theirs, rand(3, 1, 8, 8), atol=1e-4)
    run_both(ours, theirs, rand(3, 1, 8, 8, seed=3), train=False, atol=1e-4)


# ---- normalisation, embedding, dropout ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda m: m.BatchNorm1d(4), (6, 4)),
        (lambda m: m.BatchNorm1d(4), (3, 4, 5)),
        (lambda m: m.BatchNorm2d(3), (2, 3, 4, 5)),
        (lambda m: m.BatchNorm2d(3, momentum=None), (2, 3, 4, 5)),
        (lambda m: m.BatchNorm2d(3, affine=False, eps=1e-3, momentum=0.3), (2, 3, 4, 5)),
        (lambda m: m.BatchNorm1d(4, track_running_stats=False), (6, 4)),
    ],
)
def test_batchnorm_train_then_eval(make, shape):
    ours, theirs = pair(make(nn), make(TNN))
    with torch.no_grad():
        if theirs.affine:
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    load_from_torch(ours, theirs)
    for step in range(3):  # running statistics evolve identically
        run_both(ours, theirs, rand(*shape, seed=step) * 2 + 1, train=True)
        for name, buf in theirs.named_buffers():
            np.testing.assert_allclose(
                dict(ours.named_buffers())[name]._data, buf.numpy(), rtol=1e-5, atol=1e-6, err_msg=name
            )
    ours.zero_grad()
    theirs.zero_grad()
    run_both(ours, theirs, rand(*shape, seed=9), train=False)
    if theirs.track_running_stats:
        assert ours.num_batches_tracked.dtype == tg.int64 and int(ours.num_batches_tracked.item()) == 3


@torch_free
def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(tg.zeros(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(tg.zeros(1, 3))


@pytest.mark.parametrize(("shape", "norm"), [((4, 5), 5), ((2, 3, 4), (3, 4)), ((2, 3, 4), 4)])
def test_layer_norm(shape, norm):
    ours, theirs = pair(nn.LayerNorm(norm), TNN.LayerNorm(norm))
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
    load_from_torch(ours, theirs)
    run_both(ours, theirs, rand(*shape) * 3 + 2)


def test_layer_norm_no_affine():
    ours, theirs = pair(
        nn.LayerNorm(6, elementwise_affine=False, eps=1e-3),
        TNN.LayerNorm(6, elementwise_affine=False, eps=1e-3),
    )
    run_both(ours, theirs, rand(3, 6))


@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_embedding(padding_idx):
    torch.manual_seed(0)
    ours, theirs = pair(
        nn.Embedding(7, 3, padding_idx=padding_idx), TNN.Embedding(7, 3, padding_idx=padding_idx)
    )
    idx = np.array([[0, 2, 6, 2], [1, 0, 6, 3]], np.int64)
    run_both(ours, theirs, idx, integer_input=True)
    if padding_idx is not None:
        tg.manual_seed(0)
        fresh = nn.Embedding(7, 3, padding_idx=padding_idx)
        np.testing.assert_array_equal(fresh.weight._data[padding_idx], 0)


def test_dropout_eval_is_identity_and_train_matches_expectation():
    ours, theirs = pair(nn.Dropout(0.3), TNN.Dropout(0.3))
    run_both(ours, theirs, rand(4, 5), train=False)
    x = tg.ones(200, 100)
    tg.manual_seed(0)
    y = ours.train()(x)
    vals = np.unique(y._data)
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((y._data == 0).mean() - 0.3) < 0.02


# ---- functional API against torch.nn.functional ------------------------------------------------------


def test_functional_mirrors_torch():
    TF = torch.nn.functional
    x = rand(3, 4) * 2
    xo, xt = tg.tensor(x), torch.tensor(x)
    for name, args in [
        ("relu", ()),
        ("sigmoid", ()),
        ("tanh", ()),
        ("leaky_relu", (0.1,)),
        ("gelu", ()),
        ("softplus", ()),
        ("softmax", (1,)),
        ("log_softmax", (0,)),
        ("silu", ()),
        ("elu", ()),
    ]:
        np.testing.assert_allclose(
            getattr(F, name)(xo, *args)._data,
            getattr(TF, name)(xt, *args).numpy(),
            rtol=1e-5,
            atol=1e-6,
            err_msg=name,
        )
    w, b = rand(2, 4, seed=1), rand(2, seed=2)
    np.testing.assert_allclose(
        F.linear(xo, tg.tensor(w), tg.tensor(b))._data,
        TF.linear(xt, torch.tensor(w), torch.tensor(b)).numpy(),
        rtol=1e-5,
    )
    np.testing.assert_allclose(F.pad(xo, (1, 2))._data, TF.pad(xt, (1, 2)).numpy())
    idx = np.array([0, 3, 1])
    np.testing.assert_array_equal(
        F.one_hot(tg.tensor(idx), 5)._data, TF.one_hot(torch.tensor(idx), 5).numpy()
    )
    np.testing.assert_array_equal(F.one_hot(tg.tensor(idx))._data, TF.one_hot(torch.tensor(idx)).numpy())
    assert F.one_hot(tg.tensor(idx)).dtype == tg.int64
    img = rand(1, 2, 5, 5)
    cols_o = F.unfold(tg.tensor(img), 3, padding=1, stride=2)
    cols_t = TF.unfold(torch.tensor(img), 3, padding=1, stride=2)
    np.testing.assert_allclose(cols_o._data, cols_t.numpy())
    np.testing.assert_allclose(
        F.fold(cols_o, (5, 5), 3, padding=1, stride=2)._data,
        TF.fold(cols_t, (5, 5), 3, padding=1, stride=2).numpy(),
        rtol=1e-6,
    )
    rm, rv = tg.zeros(4), tg.ones(4)
    trm, trv = torch.zeros(4), torch.ones(4)
    np.testing.assert_allclose(
        F.batch_norm(xo, rm, rv, training=True)._data,
        TF.batch_norm(xt, trm, trv, training=True).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(rv._data, trv.numpy(), rtol=1e-6)


# ---- init and gradient clipping --------------------------------------------------------------------


def test_init_fans_and_gains_match_torch():
    from torch.nn import init as tinit

    for shape in [(3, 4), (8, 3, 3, 3), (5, 2, 7)]:
        ours_fans = nn.init._calculate_fan_in_and_fan_out(tg.zeros(*shape))
        assert ours_fans == tinit._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    for name, param in [
        ("relu", None),
        ("tanh", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", None),
        ("sigmoid", None),
        ("conv2d", None),
        ("selu", None),
    ]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(tinit.calculate_gain(name, param))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
def test_clip_grad_norm_matches_torch(norm_type):
    torch.manual_seed(0)
    theirs = TNN.Linear(6, 4)
    ours = nn.Linear(6, 4)
    load_from_torch(ours, theirs)
    x = rand(5, 6) * 10
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    (ours(tg.tensor(x)) ** 2).sum().backward()
    tot_t = TNN.utils.clip_grad_norm_(theirs.parameters(), 1.5, norm_type=norm_type)
    tot_o = nn.utils.clip_grad_norm_(ours.parameters(), 1.5, norm_type=norm_type)
    assert isinstance(tot_o, tg.Tensor)
    np.testing.assert_allclose(tot_o.item(), tot_t.item(), rtol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad._data, tp.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_load_torch_tensors_directly():
    torch.manual_seed(0)
    theirs = TNN.Sequential(TNN.Linear(3, 2), TNN.BatchNorm1d(2))
    ours = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ours.load_state_dict(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].numpy(), v.numpy())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize("widths", [(1, 2), (2, 1, 3, 0), (3, 3, 1, 4)])
def test_pad_modes(mode, widths):
    x = rand(2, 3, 5, 4)
    xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kw = {"value": 1.5} if mode == "constant" else {}
    if mode != "constant" and len(widths) == 2:
        xo, xt = (
            tg.tensor(x[0], requires_grad=True),
            torch.tensor(x[0], requires_grad=True),
        )  # torch: 3-D for 1 dim
    yo, yt = F.pad(xo, widths, mode=mode, **kw), TNN.functional.pad(xt, widths, mode=mode, **kw)
    np.testing.assert_array_equal(yo._data, yt.detach().numpy())
    g = rand(*yt.shape, seed=1)
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad._data, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_padding_modes(mode, padding):
    torch.manual_seed(0)
    ours, theirs = pair(
        nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode),
        TNN.Conv2d(2, 3, 3, padding=padding, padding_mode=mode),
    )
    run_both(ours, theirs, rand(2, 2, 6, 5))


def test_max_pool2d_nan_and_inf_like_torch():
    x = rand(1, 2, 4, 4)
    x[0, 0, 0, 1] = np.nan
    x[0, 1, 2, 2] = np.inf
    x[0, 1, 3, 3] = -np.inf
    xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo = F.max_pool2d(xo, 2, padding=1)
    yt = TNN.functional.max_pool2d(xt, 2, padding=1)
    np.testing.assert_array_equal(yo._data, yt.detach().numpy())
    yo.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xo.grad._data, xt.grad.numpy())


def test_sequential_editing_like_torch():
    def edit(m):
        s = m.Sequential(m.ReLU(), m.Tanh(), m.Sigmoid())
        s.insert(-1, m.Identity())
        del s[0]
        s.append(m.Linear(2, 2))
        s2 = m.Sequential(OrderedDict([("a", m.ReLU()), ("b", m.Tanh())]))
        del s2[0]
        return repr(s) + repr(s2) + repr(s[1:3]) + repr(m.ModuleList([m.ReLU(), m.ReLU(), m.Tanh()])[1:])

    assert edit(nn) == edit(TNN)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2, "padding": 1},
        {"dilation": 2, "padding": 2, "bias": False},
        {"groups": 2, "padding": "same"},
        {"padding": 1, "padding_mode": "reflect"},
        {"padding": "same", "padding_mode": "circular"},
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv1d(kw):
    torch.manual_seed(0)
    ours, theirs = pair(nn.Conv1d(4, 6, 3, **kw), TNN.Conv1d(4, 6, 3, **kw))
    run_both(ours, theirs, rand(2, 4, 9))
    run_both(ours, theirs, rand(4, 7, seed=1))  # unbatched


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}])
def test_pools_1d(kw):
    ours, theirs = pair(nn.MaxPool1d(**kw), TNN.MaxPool1d(**kw))
    run_both(ours, theirs, rand(2, 3, 9))
    ours, theirs = pair(nn.AvgPool1d(**kw), TNN.AvgPool1d(**kw))
    run_both(ours, theirs, rand(2, 3, 9))
    run_both(ours, theirs, rand(3, 8, seed=1))
    o_out, o_idx = F.max_pool1d(tg.tensor(rand(2, 3, 9)), return_indices=True, **kw)
    t_out, t_idx = TNN.functional.max_pool1d(torch.tensor(rand(2, 3, 9)), return_indices=True, **kw)
    np.testing.assert_array_equal(o_idx._data, t_idx.numpy())


@pytest.mark.parametrize("size", [1, (2, 3), (3, None), 5, (4, 1)])
def test_adaptive_avg_pool2d(size):
    ours, theirs = pair(nn.AdaptiveAvgPool2d(size), TNN.AdaptiveAvgPool2d(size))
    run_both(ours, theirs, rand(2, 3, 7, 5))
    run_both(ours, theirs, rand(3, 6, 4, seed=1))
