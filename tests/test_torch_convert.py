"""tinygrad_np.utils.to_torch / from_torch against real PyTorch: the same tree, names,
hyperparameters and state; outputs and gradients equal (1e-6) both ways; a converted
model keeps training with the same loss curve."""

import numpy as np
import pytest
from conftest import requires_torch, torch  # noqa: E402

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
from tinygrad_np import nn  # noqa: E402
from tinygrad_np.utils import from_torch, to_torch  # noqa: E402

TOL = 1e-6


def _bn(m, shape):
    m.train()
    with tg.no_grad():
        m(tg.randn(8, *shape) * 2 + 1)
    return m


def cases():
    """(tinygrad_np model, input shape without the batch) for every convertible layer."""
    tg.manual_seed(0)
    acts = [
        nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.SiLU(), nn.ELU(0.5), nn.LeakyReLU(0.2), nn.GELU(),
        nn.GELU("tanh"), nn.Softplus(2.0, 3.0), nn.Softmax(1), nn.LogSoftmax(1), nn.Softmin(1),
        nn.Hardsigmoid(), nn.Hardswish(), nn.Hardtanh(-0.5, 0.7), nn.ReLU6(), nn.LogSigmoid(), nn.Mish(),
        nn.SELU(), nn.PReLU(), nn.PReLU(5), nn.Softsign(), nn.Tanhshrink(), nn.Threshold(0.1, -1.0),
    ]  # fmt: skip
    out = {
        f"act_{type(a).__name__}_{i}": (nn.Sequential(nn.Linear(4, 5), a), (4,)) for i, a in enumerate(acts)
    }
    out |= {
        "linear": (nn.Linear(4, 3), (4,)),
        "linear_nobias": (nn.Linear(4, 3, bias=False), (4,)),
        "conv1d": (nn.Conv1d(2, 3, 3, stride=2, padding=1), (2, 9)),
        "conv2d": (nn.Conv2d(2, 4, 3, padding=(1, 2), dilation=(1, 2), groups=2), (2, 7, 8)),
        "conv2d_same_reflect": (nn.Conv2d(2, 3, 3, padding="same", padding_mode="reflect"), (2, 6, 6)),
        "conv_transpose2d": (nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (3, 4, 4)),
        "maxpool": (nn.Sequential(nn.MaxPool2d(2), nn.Flatten(2), nn.MaxPool1d(2)), (3, 4, 8)),
        "avgpool": (
            nn.Sequential(nn.AvgPool2d(3, 2, 1, count_include_pad=False), nn.Flatten(2), nn.AvgPool1d(2)),
            (2, 7, 8),
        ),
        "adaptive": (nn.Sequential(nn.AdaptiveAvgPool2d((2, 2)), nn.AdaptiveMaxPool2d(1)), (3, 4, 6)),
        "adaptive1d": (nn.AdaptiveAvgPool1d(3), (2, 9)),
        "batchnorm1d": (_bn(nn.BatchNorm1d(4), (4,)), (4,)),
        "batchnorm2d": (_bn(nn.BatchNorm2d(3, momentum=0.3), (3, 4, 4)).eval(), (3, 4, 4)),
        "layernorm": (nn.LayerNorm((3, 4), eps=1e-3), (3, 4)),
        "groupnorm": (nn.GroupNorm(2, 4), (4, 3, 3)),
        "instancenorm": (nn.InstanceNorm2d(3, affine=True), (3, 4, 4)),
        "flatten_unflatten": (nn.Sequential(nn.Flatten(), nn.Unflatten(1, (4, 3))), (3, 4)),
        "identity_dropout": (nn.Sequential(nn.Identity(), nn.Dropout(0.3), nn.Linear(3, 3)).eval(), (3,)),
        "pads": (nn.Sequential(nn.ZeroPad2d(1), nn.ReflectionPad2d(1), nn.ConstantPad2d(1, 0.5)), (2, 3, 3)),
        "upsample": (nn.Upsample(scale_factor=2), (2, 3, 3)),
        "mlp": (nn.MLP([4, 6, 2], activation="tanh"), (4,)),
        "module_list_dict": (nn.Sequential(nn.ModuleList([nn.Linear(3, 3)])[0], nn.Tanh()), (3,)),
    }
    return out


def _grads(params):
    return [p.grad.numpy() for p in params]


def _compare(a, t, x, what):
    """a: tinygrad_np model, t: torch model; outputs and parameter/input gradients."""
    xa = tg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ya, yt = a(xa), t(xt)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=TOL, atol=TOL, err_msg=what)
    w = np.random.default_rng(1).standard_normal(ya.shape).astype(x.dtype)
    (ya * tg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=TOL, atol=TOL, err_msg=what)
    pa, pt = dict(a.named_parameters()), dict(t.named_parameters())
    assert list(pa) == list(pt)
    for k in pa:
        np.testing.assert_allclose(
            pa[k].grad.numpy(), pt[k].grad.numpy(), rtol=TOL, atol=TOL, err_msg=f"{what}: {k}"
        )


def _same_structure(a, t):
    assert [(n, type(m).__name__) for n, m in a.named_modules()] == [
        (
            n,
            "MLP"
            if type(m).__name__ == "Sequential" and type(dict(a.named_modules())[n]).__name__ == "MLP"
            else type(m).__name__,
        )
        for n, m in t.named_modules()
    ]
    sa, st = a.state_dict(), t.state_dict()
    assert list(sa) == list(st)
    for k in sa:
        assert sa[k].numpy().dtype == st[k].numpy().dtype, k
        np.testing.assert_array_equal(sa[k].numpy(), st[k].numpy())
    assert [m.training for m in a.modules()] == [m.training for m in t.modules()]


@pytest.mark.parametrize("name", list(cases()))
def test_to_torch_and_back(name):
    model, shape = cases()[name]
    model.eval().double()  # float64: the two libraries sum in different orders
    x = np.random.default_rng(0).standard_normal((3, *shape))
    t = to_torch(model)
    assert isinstance(t, torch.nn.Module)
    _same_structure(model, t)
    assert repr(model).replace("MLP", "Sequential") == repr(t)  # class names and hyperparameters
    _compare(model, t, x, f"{name} to_torch")
    back = from_torch(t)
    assert isinstance(back, nn.Module)
    assert repr(back) == repr(t)
    _compare(back, to_torch(back), x, f"{name} from_torch")


def test_float64_and_training_modes_and_requires_grad_are_kept():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.2)).double()
    model[1].eval()
    model[0].bias.requires_grad_(False)
    t = to_torch(model)
    assert t[0].weight.dtype == torch.float64 and t[1].running_mean.dtype == torch.float64
    assert t.training and not t[1].training and t[2].training
    assert not t[0].bias.requires_grad and t[0].weight.requires_grad
    assert t[1].num_batches_tracked.dtype == torch.int64
    back = from_torch(t)
    assert back[0].weight.dtype == tg.float64 and not back[1].training and not back[0].bias.requires_grad


def test_conversion_copies_memory():
    model = nn.Linear(2, 2)
    t = to_torch(model)
    with torch.no_grad():
        t.weight.add_(1.0)
    assert not np.allclose(model.weight.detach().numpy(), t.weight.detach().numpy())


def test_from_torch_of_a_torch_built_model():
    torch.manual_seed(0)
    t = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16, 5), torch.nn.LogSoftmax(dim=1),
    )  # fmt: skip
    t.eval().double()
    a = from_torch(t)
    assert [type(m).__name__ for m in a] == [type(m).__name__ for m in t]
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4))
    _compare(a, t, x, "torch-built")


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x) * 2


def test_custom_module_is_refused_with_state_dict_advice():
    with pytest.raises(TypeError, match=r"'1' is a Custom .*state_dict") as info:
        to_torch(nn.Sequential(nn.ReLU(), Custom()))
    assert "load_state_dict" in str(info.value)
    with pytest.raises(TypeError, match=r"the model is a Custom"):
        to_torch(Custom())

    class TorchCustom(torch.nn.Linear):
        pass

    with pytest.raises(TypeError, match=r"'0' is a TorchCustom .*state_dict"):
        from_torch(torch.nn.Sequential(TorchCustom(2, 2)))


def test_torch_layer_tinygrad_np_lacks_is_refused():
    # (tinygrad_np has LSTM now: Bilinear is a layer it lacks)
    with pytest.raises(TypeError, match="Bilinear, which tinygrad_np.nn does not have"):
        from_torch(torch.nn.Sequential(torch.nn.Bilinear(2, 2, 2)))


@pytest.mark.parametrize(
    "make",
    [
        lambda nn_: nn_.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
        lambda nn_: nn_.LSTM(3, 5, proj_size=2),
        lambda nn_: nn_.GRU(3, 4, bias=False),
        lambda nn_: nn_.RNN(3, 4, nonlinearity="relu"),
    ],
    ids=["lstm", "lstm_proj", "gru", "rnn_relu"],
)
def test_recurrent_layers_both_ways(make):
    """RNN/LSTM/GRU take (*args, **kwargs): their hyperparameters come from RNNBase's
    signature (mode is their own; RNN's nonlinearity is a keyword)."""
    torch.manual_seed(0)
    t = make(torch.nn).double()
    a = from_torch(t)
    assert type(a) is type(make(nn)) and repr(a) == repr(t)
    assert getattr(a, "nonlinearity", None) == getattr(t, "nonlinearity", None)
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    ya, yt = a(tg.tensor(x))[0], t(torch.tensor(x))[0]
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=TOL, atol=TOL)
    back = to_torch(a)
    assert repr(back) == repr(t) and list(back.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(back(torch.tensor(x))[0].detach().numpy(), yt.detach().numpy(), rtol=0, atol=0)


def test_torch_is_imported_only_by_the_functions():
    import subprocess
    import sys

    code = "import sys, tinygrad_np, tinygrad_np.utils; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_training_continues_in_pytorch_with_the_same_loss_curve(arch):
    """20 steps of SGD with momentum from the same start give the same losses."""
    from tinygrad_np.data import datasets

    tg.manual_seed(0)
    x, y = datasets.digits().tensors
    x, y = x[:64], y[:64]
    if arch == "mlp":
        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    else:
        model = nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64, 10),
        )  # fmt: skip
    t = to_torch(model)
    opt_a = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9)
    xt, yt = torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy())
    losses_a, losses_t = [], []
    for _ in range(20):
        opt_a.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt_a.step()
        losses_a.append(loss.item())
        opt_t.zero_grad()
        loss_t = torch.nn.CrossEntropyLoss()(t(xt), yt)
        loss_t.backward()
        opt_t.step()
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses_a, losses_t, rtol=1e-4, atol=1e-5)
    assert losses_t[-1] < losses_t[0]


def test_parameter_containers():
    tg.manual_seed(0)
    box = nn.Sequential()
    box.add_module("plist", nn.ParameterList([nn.Parameter(tg.randn(2)), nn.Parameter(tg.randn(3))]))
    box.add_module("pdict", nn.ParameterDict({"a": nn.Parameter(tg.randn(2, 2))}))
    t = to_torch(box)
    assert isinstance(t.plist, torch.nn.ParameterList) and len(t.plist) == 2
    assert isinstance(t.pdict, torch.nn.ParameterDict) and list(t.pdict.keys()) == ["a"]
    _same_structure(box, t)
    back = from_torch(t)
    assert len(back.plist) == 2 and list(back.pdict.keys()) == ["a"]
    _same_structure(back, t)


def test_shared_module_stays_shared():
    lin = nn.Linear(3, 3)
    model = nn.Sequential(lin, nn.Tanh(), lin)
    t = to_torch(model)
    assert t[0] is t[2]
    back = from_torch(t)
    assert back[0] is back[2]
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(
            t(torch.from_numpy(x)).numpy(), model(tg.tensor(x)).detach().numpy(), rtol=TOL, atol=TOL
        )
