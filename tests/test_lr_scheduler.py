"""Learning-rate schedulers without PyTorch: closed forms and errors."""

import math

import pytest

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter
from tinygrad_np.optim import lr_scheduler


def _opt(lr=1.0, groups=1):
    return optim.SGD([{"params": [Parameter(tg.zeros(1))]} for _ in range(groups)], lr=lr)


def _run(sched, steps):
    out = [sched.get_last_lr()[0]]
    for _ in range(steps):
        sched.optimizer.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def test_step_lr_closed_form():
    lrs = _run(lr_scheduler.StepLR(_opt(), step_size=3, gamma=0.1), 9)
    expected = [0.1 ** (e // 3) for e in range(10)]
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(lrs, expected))


def test_exponential_lr_closed_form():
    lrs = _run(lr_scheduler.ExponentialLR(_opt(0.5), gamma=0.9), 20)
    assert all(math.isclose(a, 0.5 * 0.9**e, rel_tol=1e-12) for e, a in enumerate(lrs))


def test_cosine_annealing_closed_form_and_minimum():
    sched = lr_scheduler.CosineAnnealingLR(_opt(0.1), T_max=8, eta_min=0.01)
    lrs = _run(sched, 8)
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * e / 8)) / 2 for e in range(9)]
    assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(lrs, expected))
    assert math.isclose(lrs[-1], 0.01)


def test_lambda_lr_per_group_and_state_dict():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    opt = _opt(0.2, groups=2)
    sched = lr_scheduler.LambdaLR(opt, [Warmup(4), lambda e: 0.5**e])
    sched.step()
    assert sched.get_last_lr() == [0.2 * 2 / 4, 0.2 * 0.5]
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"steps": 4}, None] and "optimizer" not in sd
    other = lr_scheduler.LambdaLR(_opt(0.2, groups=2), [Warmup(10), lambda e: 1.0])
    other.load_state_dict(sd)
    assert other.lr_lambdas[0].steps == 4 and other.last_epoch == 1
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])


def test_initial_lr_and_resume_errors():
    opt = _opt(0.3)
    lr_scheduler.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.3
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.StepLR(_opt(), step_size=2, last_epoch=4)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=2)
