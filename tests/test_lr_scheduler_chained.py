"""MultiplicativeLR and ChainedScheduler (and SequentialLR around them) against
torch.optim.lr_scheduler: the lr sequences over 20 steps, state_dict / load_state_dict, errors.

Run: ``python -m pytest -q tests/test_lr_scheduler_chained.py``
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter

S = optim.lr_scheduler
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
# PyTorch warns when SequentialLR restarts a ChainedScheduler before any optimizer.step(): its quirk
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`:UserWarning")


def _opt(m, lrs=(0.1, 0.02)):
    P = Parameter if m is tg else torch.nn.Parameter
    return m.optim.SGD([{"params": [P(m.zeros(2))], "lr": lr} for lr in lrs], lr=lrs[0])


def _sequence(sched, opt, steps=20):
    lrs = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs


class Halve:
    """A callable object: its state is saved by state_dict (a lambda's cannot be)."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def __call__(self, epoch: int) -> float:
        return self.factor


BUILDS = {
    "multiplicative": lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.95),
    "multiplicative-per-group": lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(
        o, [lambda e: 0.9 if e % 3 else 1.1, lambda e: 1 / (1 + 0.1 * e)]
    ),
    "chained": lambda m, o: m.optim.lr_scheduler.ChainedScheduler(
        [
            m.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=4),
            m.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        ]
    ),
    "chained-three": lambda m, o: m.optim.lr_scheduler.ChainedScheduler(
        [
            m.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=5),
            m.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
            m.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.97),
        ],
        optimizer=o,
    ),
    "sequential-of-chained": lambda m, o: m.optim.lr_scheduler.SequentialLR(
        o,
        [
            m.optim.lr_scheduler.ChainedScheduler(
                [
                    m.optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=3),
                    m.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.9),
                ]
            ),
            m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8),
        ],
        milestones=[6],
    ),
    "sequential-multiplicative": lambda m, o: m.optim.lr_scheduler.SequentialLR(
        o,
        [m.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.8), m.optim.lr_scheduler.StepLR(o, 3)],
        milestones=[5],
    ),
}


@needs_torch
@pytest.mark.parametrize("name", list(BUILDS))
def test_lr_sequence_over_20_steps_matches_torch(name: str) -> None:
    ours_opt, theirs_opt = _opt(tg), _opt(torch)
    ours, theirs = BUILDS[name](tg, ours_opt), BUILDS[name](torch, theirs_opt)
    a, b = _sequence(ours, ours_opt), _sequence(theirs, theirs_opt)
    np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12, atol=1e-15)


@needs_torch
@pytest.mark.parametrize("name", list(BUILDS))
def test_resume_from_state_dict_matches_torch(name: str) -> None:
    """Save after 7 steps, load into fresh schedulers (and optimizers), run 13 more."""
    runs = {}
    for m in (tg, torch):
        opt = _opt(m)
        sched = BUILDS[name](m, opt)
        _sequence(sched, opt, 7)
        saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
        opt2 = _opt(m)
        sched2 = BUILDS[name](m, opt2)
        opt2.load_state_dict(saved_opt)
        sched2.load_state_dict(saved_sched)
        runs[m.__name__] = _sequence(sched2, opt2, 13)
    np.testing.assert_allclose(np.array(runs["tinygrad_np"]), np.array(runs["torch"]), rtol=1e-12, atol=1e-15)


@needs_torch
def test_state_dict_keys_and_values_match_torch() -> None:
    for name in ("multiplicative", "chained"):
        ours_opt, theirs_opt = _opt(tg), _opt(torch)
        ours, theirs = BUILDS[name](tg, ours_opt), BUILDS[name](torch, theirs_opt)
        _sequence(ours, ours_opt, 3)
        _sequence(theirs, theirs_opt, 3)
        a, b = ours.state_dict(), theirs.state_dict()
        assert set(a) <= set(b), name  # (PyTorch also keeps its _get_lr_called_within_step flag)
        if name == "chained":
            for x, y in zip(a["_schedulers"], b["_schedulers"]):
                assert {k: v for k, v in x.items() if k in y} == {k: v for k, v in y.items() if k in x}
        else:
            assert a["lr_lambdas"] == b["lr_lambdas"] == [None, None]
            assert a["last_epoch"] == b["last_epoch"] and a["_last_lr"] == b["_last_lr"]


def test_multiplicative_factors_compound() -> None:
    opt = _opt(tg, lrs=(1.0,))
    sched = S.MultiplicativeLR(opt, lambda e: 0.5)
    lrs = _sequence(sched, opt, 4)
    assert lrs == [[1.0], [0.5], [0.25], [0.125], [0.0625]]


def test_multiplicative_saves_the_state_of_callable_objects() -> None:
    opt = _opt(tg, lrs=(1.0,))
    sched = S.MultiplicativeLR(opt, Halve(0.5))
    sched.lr_lambdas[0].factor = 0.25
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"factor": 0.25}]
    fresh = S.MultiplicativeLR(_opt(tg, lrs=(1.0,)), Halve(0.5))
    fresh.load_state_dict(saved)
    assert fresh.lr_lambdas[0].factor == 0.25 and "lr_lambdas" in saved  # the dict is left whole


def test_chained_scheduler_takes_no_step_of_its_own_when_made() -> None:
    opt = _opt(tg, lrs=(1.0,))
    exp = S.ExponentialLR(opt, gamma=0.5)
    chained = S.ChainedScheduler([exp])
    assert chained.get_last_lr() == [1.0] and exp.last_epoch == 0
    chained.step()
    assert chained.get_last_lr() == [0.5] and exp.last_epoch == 1


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda o, o2: S.ChainedScheduler([]), ValueError, "at least one scheduler"),
        (lambda o, o2: S.ChainedScheduler([S.StepLR(o, 2), S.StepLR(o2, 2)]), ValueError, "same optimizer"),
        (lambda o, o2: S.ChainedScheduler([S.ReduceLROnPlateau(o)]), ValueError, "ReduceLROnPlateau"),
        (lambda o, o2: S.ChainedScheduler([object()], optimizer=o), TypeError, "`optimizer`"),
        (lambda o, o2: S.MultiplicativeLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o, o2: S.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda should be a function"),
    ],
)
def test_errors(build, error, match) -> None:
    with pytest.raises(error, match=match):
        build(_opt(tg), _opt(tg))


@needs_torch
def test_error_types_match_torch() -> None:
    for build in (
        lambda m, o: m.optim.lr_scheduler.ChainedScheduler([]),
        lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(o, 0.9),
        lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(o, [lambda e: 1.0]),
        lambda m, o: m.optim.lr_scheduler.ChainedScheduler([m.optim.lr_scheduler.ReduceLROnPlateau(o)]),
    ):
        with pytest.raises(Exception) as ref:
            build(torch, _opt(torch))
        with pytest.raises(ref.type):
            build(tg, _opt(tg))


def test_cosine_under_chained_equals_cosine_alone() -> None:
    """A chain of one is the scheduler itself."""
    a_opt, b_opt = _opt(tg), _opt(tg)
    a = S.ChainedScheduler([S.CosineAnnealingLR(a_opt, T_max=6)])
    b = S.CosineAnnealingLR(b_opt, T_max=6)
    for x, y in zip(_sequence(a, a_opt, 12), _sequence(b, b_opt, 12)):
        assert all(math.isclose(p, q) for p, q in zip(x, y))
