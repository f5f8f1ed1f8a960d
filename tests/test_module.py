"""nn.Module registration, traversal, state_dict, hooks, repr and errors (no PyTorch needed)."""

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(4, 2, bias=False)
        self.register_buffer("steps", tg.zeros(1))
        self.register_buffer("scratch", tg.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_registration_and_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(net.state_dict()) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert net.fc2.bias is None
    assert isinstance(net.fc1.weight, nn.Parameter) and net.fc1.weight.requires_grad


def test_state_dict_values_are_detached_and_share_memory():
    net = Net()
    sd = net.state_dict()
    assert not sd["fc1.weight"].requires_grad
    assert np.shares_memory(sd["fc1.weight"].data, net.fc1.weight.data)


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]


def test_unknown_attribute_message():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        nn.Linear(2, 2).wieght  # noqa: B018


def test_assigning_tensor_to_parameter_slot_is_a_type_error():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = tg.zeros(2, 2)
    m.weight = None
    assert "weight" not in dict(m.named_parameters())


def test_delattr_and_dir():
    net = Net()
    assert "fc1" in dir(net) and "steps" in dir(net)
    del net.fc1
    assert "fc1" not in dict(net.named_children())
    with pytest.raises(AttributeError):
        net.fc1  # noqa: B018


def test_load_state_dict_roundtrip_numpy_in_place():
    a, b = Net(), Net()
    w = b.fc1.weight
    v0 = w._version
    result = b.load_state_dict({k: v.numpy().copy() for k, v in a.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert b.fc1.weight is w and w._version > v0
    np.testing.assert_array_equal(b.fc1.weight.data, a.fc1.weight.data)


def test_load_state_dict_errors_list_keys():
    m = nn.Linear(2, 3)
    bad = {"weight": np.zeros((2, 2), np.float32), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(bad)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Linear:")
    assert 'Missing key(s) in state_dict: "bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra".' in msg
    assert "size mismatch for weight: copying a param with shape" in msg
    assert "[2, 2]" in msg and "[3, 2]" in msg


def test_load_state_dict_non_strict_returns_keys():
    m = nn.Linear(2, 3)
    res = m.load_state_dict({"weight": np.ones((3, 2)), "junk": np.ones(2)}, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["junk"]
    missing, unexpected = res
    assert missing == ["bias"]
    np.testing.assert_array_equal(m.weight.data, np.ones((3, 2), np.float32))
    assert m.weight.dtype == tg.float32


def test_train_eval_and_apply_order():
    net = Net()
    assert net.training and net.fc1.training
    net.eval()
    assert not net.training and not net.fc1.training
    assert net.train() is net and net.act.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    seen = []
    nn.Sequential(nn.Sequential(nn.ReLU(), nn.Tanh()), nn.Sigmoid()).apply(
        lambda m: seen.append(type(m).__name__)
    )
    assert seen == ["ReLU", "Tanh", "Sequential", "Sigmoid", "Sequential"]


def test_zero_grad_and_requires_grad():
    m = nn.Linear(2, 1)
    m(tg.ones(1, 2)).sum().backward()
    m.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(m.weight.grad.data, 0)
    m.zero_grad()
    assert m.weight.grad is None
    m.requires_grad_(False)
    assert not m.weight.requires_grad


def test_to_double_keeps_parameter_objects():
    m = nn.Linear(2, 2)
    w = m.weight
    assert m.double() is m and m.weight is w and m.weight.dtype == tg.float64
    m.to(tg.float32)
    assert m.weight.dtype == tg.float32
    m.to("cpu")
    with pytest.raises(TypeError, match="floating point"):
        m.to(tg.int64)


def test_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    y = m(tg.ones(1, 2))
    np.testing.assert_allclose(y.data, m.bias.data[None] + 1, rtol=1e-6)
    assert calls == [tg.Size([1, 2])]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(m(tg.zeros(1, 2)).data, m.bias.data[None], rtol=1e-6)


def test_repr_nested():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1, bias=False)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")"
    )


def test_sequential_containers():
    seq = nn.Sequential(OrderedDict([("lin", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["lin.weight", "lin.bias"]
    assert isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.ReLU)
    assert isinstance(seq[:1], nn.Sequential) and len(seq[:1]) == 1
    seq.append(nn.Tanh())
    assert len(seq) == 3 and [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Tanh"]
    with pytest.raises(IndexError):
        seq[5]
    ml = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    assert len(ml) == 3 and [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    md = nn.ModuleDict({"a": nn.Linear(1, 2)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md
    assert list(md.state_dict()) == ["a.weight", "a.bias"]


def test_linear_init_is_seeded_and_bounded():
    tg.manual_seed(3)
    a = nn.Linear(16, 8)
    tg.manual_seed(3)
    b = nn.Linear(16, 8)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert a.weight.shape == (8, 16) and a.weight.dtype == tg.float32
    assert np.abs(a.weight.data).max() <= 0.25 and np.abs(a.bias.data).max() <= 0.25


def test_package_exposes_nn_like_torch():
    import tinygrad_np.nn.functional as F

    assert tg.nn is nn and tg.nn.functional is F
    assert isinstance(tg.nn.Linear(1, 1), tg.nn.Module)


def test_hooks_with_kwargs_and_prepend():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    order = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
    m.register_forward_hook(
        lambda mod, args, kwargs, out: order.append(("kw", kwargs["factor"])), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    np.testing.assert_allclose(m(tg.ones(2)).data, [3.0, 3.0])
    assert order == ["first", ("kw", 3.0)]


def test_load_state_dict_rejects_non_numeric_values():
    m = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight"'):
        m.load_state_dict({"weight": "abc", "bias": np.zeros(1)})


def test_deepcopy_model():
    import copy

    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    m[0].weight.grad = tg.ones(3, 2)
    m2 = copy.deepcopy(m)
    assert isinstance(m2[0].weight, nn.Parameter) and m2[0].weight is not m[0].weight
    assert m2[0].weight.requires_grad and m2[0].weight.grad is None
    m2[0].weight.data[0, 0] = 100.0
    assert m[0].weight.data[0, 0] != 100.0
    np.testing.assert_array_equal(m2[1].running_var.data, m[1].running_var.data)
    shared = nn.Linear(1, 1)
    s2 = copy.deepcopy(nn.Sequential(shared, shared))
    assert s2[0] is s2[1] and len(list(s2.parameters())) == 2
