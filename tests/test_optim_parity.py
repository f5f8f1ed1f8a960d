"""Every optimizer against torch.optim: same parameters, same gradients, 60 steps."""

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
from tinygrad_np import optim  # noqa: E402
from tinygrad_np.nn import Parameter  # noqa: E402

STEPS = 60
SHAPES = [(3, 4), (4,), (2, 3, 2)]

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("SGD", dict()),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.9, weight_decay=0.01, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.02)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)),
]


def _init(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _grad(arr, t, i):
    """A gradient that depends on the parameter's current value (so errors would compound)."""
    rng = np.random.default_rng(1000 * t + i)
    return (rng.standard_normal(arr.shape) + np.sin(arr)).astype(np.float32)


def _run_pair(ours, theirs, ours_params, torch_params, steps, skip=None):
    for t in range(steps):
        for i, (p, q) in enumerate(zip(ours_params, torch_params)):
            if skip is not None and skip(t, i):
                p.grad, q.grad = None, None
                continue
            p.grad = tg.tensor(_grad(p.data, t, i))
            q.grad = torch.from_numpy(_grad(q.detach().numpy(), t, i))
        ours.step()
        theirs.step()


def _make(name, kwargs, groups=None):
    arrays = _init()
    ours_params = [Parameter(tg.tensor(a)) for a in arrays]
    torch_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrays]
    if groups is None:
        ours = getattr(optim, name)(ours_params, **kwargs)
        theirs = getattr(torch.optim, name)(torch_params, **kwargs)
    else:
        ours = getattr(optim, name)(
            [dict(g, params=[ours_params[i] for i in g["params"]]) for g in groups], **kwargs
        )
        theirs = getattr(torch.optim, name)(
            [dict(g, params=[torch_params[i] for i in g["params"]]) for g in groups], **kwargs
        )
    return ours, theirs, ours_params, torch_params


def _assert_params(ours_params, torch_params):
    for p, q in zip(ours_params, torch_params):
        assert p.dtype == tg.float32
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name, kwargs):
    ours, theirs, ps, qs = _make(name, kwargs)
    _run_pair(ours, theirs, ps, qs, STEPS, skip=lambda t, i: i == 2 and t % 7 == 3)
    _assert_params(ps, qs)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_state_matches_torch(name, kwargs):
    ours, theirs, ps, qs = _make(name, kwargs)
    _run_pair(ours, theirs, ps, qs, 5)
    a, b = ours.state_dict(), theirs.state_dict()
    assert sorted(a["state"]) == sorted(b["state"])
    for idx, state in b["state"].items():
        assert sorted(a["state"][idx]) == sorted(state)
        for key, value in state.items():
            np.testing.assert_allclose(np.asarray(a["state"][idx][key]), value.numpy(), rtol=1e-5, atol=1e-6)
    for ga, gb in zip(a["param_groups"], b["param_groups"]):
        assert ga["params"] == gb["params"]
        for key, value in ga.items():
            assert gb[key] == value, key


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_groups_with_own_lr(name):
    groups = [{"params": [0, 1], "lr": 0.05}, {"params": [2], "lr": 0.001, "weight_decay": 0.1}]
    kwargs = {"lr": 0.01, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    ours, theirs, ps, qs = _make(name, kwargs, groups)
    assert (
        ours.param_groups[1]["lr"] == 0.001
        and ours.param_groups[0]["weight_decay"] == theirs.param_groups[0]["weight_decay"]
    )
    _run_pair(ours, theirs, ps, qs, STEPS)
    _assert_params(ps, qs)


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[1]], ids=[f"{n}-{k}" for n, k in CASES if k])
def test_state_dict_save_load_continue(name, kwargs, tmp_path):
    """Train 20 steps, save the optimizer to disk, load it into a fresh optimizer, train on:
    the trajectory is the uninterrupted one, and PyTorch's."""
    ours, theirs, ps, qs = _make(name, kwargs)
    _run_pair(ours, theirs, ps, qs, 20)
    tg.save(ours.state_dict(), tmp_path / "opt.pt")
    fresh = getattr(optim, name)(ps, lr=123.0)  # wrong lr on purpose: the state dict restores it
    fresh.load_state_dict(tg.load(tmp_path / "opt.pt"))
    assert fresh.param_groups[0]["lr"] == ours.param_groups[0]["lr"]
    for t in range(20, STEPS):
        for i, (p, q) in enumerate(zip(ps, qs)):
            p.grad = tg.tensor(_grad(p.data, t, i))
            q.grad = torch.from_numpy(_grad(q.detach().numpy(), t, i))
        fresh.step()
        theirs.step()
    _assert_params(ps, qs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_load_torch_state_dict(name):
    """A state dict from torch.optim, turned into arrays, continues identically here."""
    kwargs = {"lr": 0.05, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.05}
    ours, theirs, ps, qs = _make(name, kwargs)
    for t in range(10):
        for i, q in enumerate(qs):
            q.grad = torch.from_numpy(_grad(q.detach().numpy(), t, i))
        theirs.step()
    sd = theirs.state_dict()
    converted = {
        "state": {k: {n: tg.tensor(v.numpy()) for n, v in s.items()} for k, s in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    for p, q in zip(ps, qs):
        p.data[...] = q.detach().numpy()
    ours.load_state_dict(converted)
    _run_pair(ours, theirs, ps, qs, 20)
    _assert_params(ps, qs)


# ---- random hyperparameters (hypothesis) -------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_unit = st.floats(0.0, 0.99)
_HYPER = {
    "SGD": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.2),
            "momentum": _unit,
            "dampening": _unit,
            "weight_decay": st.floats(0, 0.1),
        },
        optional={"maximize": st.booleans()},
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.05),
            "betas": st.tuples(_unit, st.floats(0.5, 0.999)),
            "weight_decay": st.floats(0, 0.1),
        },
        optional={"amsgrad": st.booleans(), "eps": st.floats(1e-8, 1e-3), "maximize": st.booleans()},
    ),
    "AdamW": st.fixed_dictionaries(
        {"lr": st.floats(1e-4, 0.05), "weight_decay": st.floats(0, 0.5)}, optional={"amsgrad": st.booleans()}
    ),
    "RMSprop": st.fixed_dictionaries(
        {"lr": st.floats(1e-4, 0.02), "alpha": st.floats(0.5, 0.99), "momentum": _unit},
        optional={"centered": st.booleans(), "weight_decay": st.floats(0, 0.1), "eps": st.floats(1e-8, 1e-3)},
    ),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-3, 0.2),
            "lr_decay": st.floats(0, 0.1),
            "initial_accumulator_value": st.floats(0, 1),
        },
        optional={"weight_decay": st.floats(0, 0.1), "eps": st.floats(1e-10, 1e-4)},
    ),
}


@pytest.mark.parametrize("name", list(_HYPER))
def test_random_hyperparameters_match_torch(name):
    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(kwargs=_HYPER[name], nesterov=st.booleans())
    def check(kwargs, nesterov):
        if name == "SGD" and nesterov and kwargs["momentum"] > 0:
            kwargs = dict(kwargs, nesterov=True, dampening=0.0)
        ours, theirs, ps, qs = _make(name, kwargs)
        _run_pair(ours, theirs, ps, qs, 25)
        for p, q in zip(ps, qs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-4, atol=1e-5)

    check()
