"""Learning-rate schedulers against torch.optim.lr_scheduler: the same lr sequences."""

import math

import numpy as np
import pytest
from conftest import requires_torch, torch, torch_free  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
from tinygrad_np import optim  # noqa: E402
from tinygrad_np.nn import Parameter  # noqa: E402


def _pair(opt_name="SGD", lrs=(0.1, 0.02), **kwargs):
    ours = getattr(optim, opt_name)(
        [{"params": [Parameter(tg.zeros(2))], "lr": lr} for lr in lrs], lr=lrs[0], **kwargs
    )
    theirs = getattr(torch.optim, opt_name)(
        [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs], lr=lrs[0], **kwargs
    )
    return ours, theirs


def _sequence(scheduler, opt, steps):
    lrs = [scheduler.get_last_lr()]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs


SCHEDULERS = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=5, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1 / (1 + epoch))),
    ("LambdaLR", dict(lr_lambda=[lambda e: 0.95**e, lambda e: min(1.0, (e + 1) / 5)])),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_lr_sequence_matches_torch(name, kwargs):
    ours_opt, torch_opt = _pair()
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **kwargs)
    a, b = _sequence(ours, ours_opt, 35), _sequence(theirs, torch_opt, 35)
    np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12, atol=1e-15)
    assert ours.last_epoch == theirs.last_epoch == 35
    assert ours.base_lrs == theirs.base_lrs
    assert ours_opt.param_groups[0]["initial_lr"] == torch_opt.param_groups[0]["initial_lr"]


@pytest.mark.parametrize("name,kwargs", SCHEDULERS[:5], ids=[n for n, _ in SCHEDULERS[:5]])
def test_state_dict_matches_torch(name, kwargs):
    ours_opt, torch_opt = _pair()
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **kwargs)
    _sequence(ours, ours_opt, 4)
    _sequence(theirs, torch_opt, 4)
    a, b = ours.state_dict(), theirs.state_dict()
    for key, value in a.items():
        if key in b:
            assert value == b[key], key
    for key in ("base_lrs", "last_epoch", "_step_count", "_last_lr"):
        assert key in a


def test_resume_from_state_dict_continues_the_sequence():
    ours_opt, torch_opt = _pair()
    ours = optim.lr_scheduler.CosineAnnealingLR(ours_opt, T_max=10)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, T_max=10)
    _sequence(ours, ours_opt, 6)
    _sequence(theirs, torch_opt, 6)
    saved_sched, saved_opt = ours.state_dict(), ours_opt.state_dict()
    fresh_opt = optim.SGD([{"params": [Parameter(tg.zeros(2))]} for _ in range(2)], lr=1.0)
    fresh_opt.load_state_dict(saved_opt)
    fresh = optim.lr_scheduler.CosineAnnealingLR(fresh_opt, T_max=10, last_epoch=5)
    fresh.load_state_dict(saved_sched)
    a, b = _sequence(fresh, fresh_opt, 10), _sequence(theirs, torch_opt, 10)
    np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12)


@torch_free
def test_step_with_explicit_epoch_uses_the_closed_form():
    ours_opt, _ = _pair(lrs=(0.1,))
    sched = optim.lr_scheduler.StepLR(ours_opt, step_size=2, gamma=0.5)
    sched.step(5)
    assert sched.last_epoch == 5 and math.isclose(sched.get_last_lr()[0], 0.1 * 0.5**2)
    cos_opt, _ = _pair(lrs=(0.1,))
    cos = optim.lr_scheduler.CosineAnnealingLR(cos_opt, T_max=4)
    cos.step(2)
    assert math.isclose(cos.get_last_lr()[0], 0.05)
