"""Optimizers without PyTorch: hand-computed steps, groups, state dicts, errors."""

import math
import warnings

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter


def _param(values):
    return Parameter(tg.tensor(np.asarray(values, dtype=np.float32)))


def _grad(p, values):
    p.grad = tg.tensor(np.asarray(values, dtype=np.float32))


def test_sgd_plain_step_by_hand():
    w = _param([1.0, -2.0])
    opt = optim.SGD([w], lr=0.5)
    _grad(w, [0.2, 0.4])
    opt.step()
    np.testing.assert_allclose(w._data, [0.9, -2.2], rtol=1e-6)
    assert opt.state_dict()["state"] == {}  # no momentum, no state


def test_sgd_momentum_nesterov_by_hand():
    w = _param([1.0])
    opt = optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.5)
    _grad(w, [1.0])
    opt.step()  # g = 1 + 0.5*1 = 1.5; b = 1.5; step = g + 0.9 b = 2.85
    np.testing.assert_allclose(w._data, [1 - 0.285], rtol=1e-6)
    _grad(w, [1.0])
    opt.step()  # g = 1 + 0.5*0.715 = 1.3575; b = 0.9*1.5 + 1.3575 = 2.7075; step = g + 0.9 b
    expected = 0.715 - 0.1 * (1.3575 + 0.9 * 2.7075)
    np.testing.assert_allclose(w._data, [expected], rtol=1e-6)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"]._data, [2.7075], rtol=1e-6)


def test_adam_first_step_is_lr_times_sign():
    """After one Adam step the bias-corrected update is lr * g / (|g| + eps) = lr * sign(g)."""
    w = _param([1.0, 1.0, 1.0])
    opt = optim.Adam([w], lr=0.01)
    _grad(w, [3.0, -0.5, 1e-3])
    opt.step()
    np.testing.assert_allclose(w._data, [0.99, 1.01, 0.99], rtol=1e-5)
    state = opt.state[w]
    assert float(state["step"]._data) == 1.0 and state["step"].dtype == tg.float32
    np.testing.assert_allclose(state["exp_avg"]._data, [0.3, -0.05, 1e-4], rtol=1e-5)


def test_adamw_decay_is_decoupled():
    """With a zero gradient Adam does not move, AdamW shrinks the weight by lr * wd."""
    a, b = _param([2.0]), _param([2.0])
    adam, adamw = optim.Adam([a], lr=0.1, weight_decay=0.1), optim.AdamW([b], lr=0.1, weight_decay=0.1)
    assert optim.AdamW([_param([0.0])]).defaults["weight_decay"] == 1e-2
    _grad(b, [0.0])
    adamw.step()
    np.testing.assert_allclose(b._data, [2.0 * (1 - 0.01)], rtol=1e-6)
    _grad(a, [0.0])
    adam.step()  # L2: g = 0 + 0.1 * 2 = 0.2, so a full lr-sized step
    np.testing.assert_allclose(a._data, [1.9], rtol=1e-5)


def test_rmsprop_and_adagrad_first_steps_by_hand():
    w = _param([1.0])
    opt = optim.RMSprop([w], lr=0.01, alpha=0.9)
    _grad(w, [2.0])
    opt.step()  # v = 0.1 * 4 = 0.4; w -= 0.01 * 2 / (sqrt(0.4) + 1e-8)
    np.testing.assert_allclose(w._data, [1 - 0.02 / math.sqrt(0.4)], rtol=1e-6)
    v = _param([1.0])
    ada = optim.Adagrad([v], lr=0.1, initial_accumulator_value=1.0)
    assert float(ada.state[v]["sum"]._data[0]) == 1.0  # state made at construction, as PyTorch
    _grad(v, [2.0])
    ada.step()  # s = 1 + 4 = 5
    np.testing.assert_allclose(v._data, [1 - 0.2 / math.sqrt(5)], rtol=1e-6)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad])
def test_step_is_in_place_bumps_version_and_leaves_grad_alone(cls):
    w = _param([1.0, 2.0])
    data, version = w._data, w._version
    g = tg.tensor([0.5, -0.5])
    w.grad = g
    grad_before = g._data.copy()
    opt = cls([w], lr=0.1)
    opt.step()
    assert w._data is data  # same memory, updated in place
    assert w._version == version + 1
    assert w.grad is g
    np.testing.assert_array_equal(g._data, grad_before)
    assert not np.allclose(w._data, [1.0, 2.0])


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_params_without_grad_are_skipped(cls):
    a, b = _param([1.0]), _param([1.0])
    opt = cls([a, b], lr=0.1)
    _grad(a, [1.0])
    opt.step()
    assert b._data[0] == 1.0 and a._data[0] != 1.0
    if cls is not optim.Adagrad:
        assert b not in opt.state or not opt.state[b]


def test_step_works_after_real_backward():
    w = Parameter(tg.tensor([1.0, 2.0, 3.0]))
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    np.testing.assert_allclose(w._data, [0.8, 1.6, 2.4], rtol=1e-6)
    opt.zero_grad()
    assert w.grad is None


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    w = Parameter(tg.tensor([3.0]))
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(w._data, [2.4], rtol=1e-6)


def test_zero_grad_set_to_none_false_gives_fresh_zeros():
    w = _param([1.0, 2.0])
    shared = tg.tensor([5.0, 5.0])
    w.grad = shared
    optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad._data, [0.0, 0.0])
    np.testing.assert_array_equal(shared._data, [5.0, 5.0])  # a shared gradient is not written into


def test_param_groups_defaults_filled_and_add_param_group():
    a, b, c = _param([1.0]), _param([1.0]), _param([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["params"] == [b]
    opt.add_param_group({"params": [c], "lr": 0.01})
    assert opt.param_groups[2]["lr"] == 0.01 and opt.param_groups[2]["nesterov"] is False
    for p in (a, b, c):
        _grad(p, [1.0])
    opt.step()
    np.testing.assert_allclose([a._data[0], b._data[0], c._data[0]], [0.9, 0.5, 0.99], rtol=1e-6)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_state_dict_layout_is_pytorchs():
    a, b = _param([1.0, 2.0]), _param([3.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    _grad(a, [1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [0]  # b has no gradient yet, so no state
    np.testing.assert_allclose(sd["state"][0]["momentum_buffer"]._data, [1.0, 1.0])
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][1]["params"] == [1]
    assert sd["param_groups"][1] == {
        "lr": 0.5,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "params": [1],
    }


def test_load_state_dict_copies_and_casts_state():
    w = _param([1.0, 2.0])
    opt = optim.Adam([w], lr=0.1)
    sd = {
        "state": {
            0: {
                "step": tg.tensor(3.0),
                "exp_avg": tg.tensor(np.array([0.1, 0.2])),
                "exp_avg_sq": tg.tensor(np.array([0.3, 0.4])),
            }
        },
        "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.05)],
    }
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.05 and opt.param_groups[0]["params"] == [w]
    state = opt.state[w]
    assert state["exp_avg"].dtype == tg.float32  # cast to the parameter's dtype
    assert state["exp_avg"]._data is not sd["state"][0]["exp_avg"]._data
    _grad(w, [1.0, 1.0])
    opt.step()
    assert float(state["step"]._data) == 4.0
    np.testing.assert_allclose(sd["state"][0]["exp_avg"]._data, [0.1, 0.2])  # the given dict is untouched


def test_load_state_dict_mismatches():
    a, b = _param([1.0]), _param([1.0])
    opt = optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    other = optim.SGD([a], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(other)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: optim.SGD(p, weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda p: optim.Adam(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.AdamW(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.AdamW(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.RMSprop(p, alpha=-0.9), "Invalid alpha value: -0.9"),
        (lambda p: optim.RMSprop(p, momentum=-1), "Invalid momentum value: -1"),
        (lambda p: optim.RMSprop(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (
            lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
            "Invalid initial_accumulator_value value: -1",
        ),
        (lambda p: optim.Adagrad(p, eps=-1), "Invalid epsilon value: -1"),
    ],
)
def test_invalid_hyperparameters(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make([_param([1.0])])


def test_invalid_params():
    w = _param([1.0])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is"):
        optim.SGD([w, 1.0], lr=0.1)
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optim.SGD([w, w], lr=0.1)
    assert any("duplicate parameters" in str(c.message) for c in caught)


def test_gradient_shape_mismatch_is_a_clear_error():
    w = _param([1.0, 2.0])
    with pytest.raises(RuntimeError, match="gradient of size '\\[3\\]' to a tensor of size '\\[2\\]'"):
        w.grad = tg.tensor([1.0, 2.0, 3.0])  # refused where it is made, as in PyTorch
    w.grad = tg.tensor([1.0, 2.0])
    w.data = tg.tensor([1.0, 2.0, 3.0])  # the parameter's memory rebound to another shape
    with pytest.raises(
        RuntimeError, match=r"gradient of shape \(2,\) doesn't match its parameter of shape \(3,\)"
    ):
        optim.SGD([w], lr=0.1).step()


def test_custom_optimizer_subclass():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.01):
            super().__init__(params, {"lr": lr})

        def _step_group(self, group):
            for p in group["params"]:
                if p.grad is not None:
                    p._data -= group["lr"] * np.sign(p.grad._data)

    w = _param([1.0, -1.0])
    _grad(w, [3.0, -0.1])
    SignSGD([w], lr=0.5).step()
    np.testing.assert_allclose(w._data, [0.5, -0.5])
    assert "SignSGD (" in repr(SignSGD([w]))
