"""Learning-rate schedulers without PyTorch, against the formulas of PyTorch's documentation
written out here (closed forms and a small plateau/1cycle reference), stepped side by side."""

import bisect
import math

import pytest

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter
from tinygrad_np.optim import lr_scheduler as S


def _sgd(lr=1.0, groups=1, momentum=0.9):
    return optim.SGD([{"params": [Parameter(tg.zeros(1))]} for _ in range(groups)], lr=lr, momentum=momentum)


def _lrs(sched, steps, metrics=None):
    out = [list(sched.get_last_lr())]
    for i in range(steps):
        sched.optimizer.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        out.append(list(sched.get_last_lr()))
        assert [g["lr"] for g in sched.optimizer.param_groups] == out[-1]
    return out


CLOSED = [
    (
        "MultiStepLR",
        {"milestones": [3, 7, 7, 20]},
        lambda b, e: b * 0.1 ** bisect.bisect_right([3, 7, 7, 20], e),
    ),
    (
        "MultiStepLR",
        {"milestones": (5, 10), "gamma": 0.5},
        lambda b, e: b * 0.5 ** bisect.bisect_right([5, 10], e),
    ),
    ("LinearLR", {}, lambda b, e: b * (1 / 3 + (1 - 1 / 3) * min(e, 5) / 5)),
    (
        "LinearLR",
        {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 12},
        lambda b, e: b * (0.1 + 0.8 * min(e, 12) / 12),
    ),
    ("ConstantLR", {}, lambda b, e: b * (1 / 3 if e < 5 else 1.0)),
    ("ConstantLR", {"factor": 0.25, "total_iters": 7}, lambda b, e: b * (0.25 if e < 7 else 1.0)),
    ("PolynomialLR", {}, lambda b, e: b * (1 - min(e, 5) / 5)),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}, lambda b, e: b * (1 - min(e, 20) / 20) ** 2),
    ("StepLR", {"step_size": 3, "gamma": 0.5}, lambda b, e: b * 0.5 ** (e // 3)),
    ("ExponentialLR", {"gamma": 0.9}, lambda b, e: b * 0.9**e),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (1 + e)}, lambda b, e: b / (1 + e)),
]


@pytest.mark.parametrize("name,kw,ref", CLOSED, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CLOSED)])
def test_scheduler_follows_its_closed_form_over_30_steps(name, kw, ref):
    opt = optim.SGD(
        [{"params": [Parameter(tg.zeros(1))]}, {"params": [Parameter(tg.zeros(1))], "lr": 0.3}], lr=0.8
    )
    got = _lrs(getattr(S, name)(opt, **kw), 30)
    for e, row in enumerate(got):
        assert row == pytest.approx([ref(0.8, e), ref(0.3, e)], rel=1e-9, abs=1e-15), (name, e)


@pytest.mark.parametrize(
    "name,kw,ref", CLOSED[:8], ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CLOSED[:8])]
)
def test_scheduler_step_with_an_epoch_jumps_to_the_closed_form(name, kw, ref):
    sched = getattr(S, name)(_sgd(0.8), **kw)
    for e in (4, 9, 2, 25):
        sched.step(e)
        assert sched.get_last_lr()[0] == pytest.approx(ref(0.8, e), rel=1e-9, abs=1e-15)


def _warm_restarts(base, eta_min, T_0, T_mult, epochs):
    out = []
    for e in epochs:  # the documented schedule: T_cur counts within the current period T_i
        if T_mult == 1:
            T_i, T_cur = T_0, e % T_0
        else:
            n = int(math.log(e / T_0 * (T_mult - 1) + 1, T_mult)) if e >= T_0 else 0
            T_cur = e - T_0 * (T_mult**n - 1) / (T_mult - 1)
            T_i = T_0 * T_mult**n
        out.append(eta_min + (base - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2)
    return out


@pytest.mark.parametrize("T_0,T_mult,eta_min", [(5, 1, 0.0), (3, 2, 1e-4), (2, 3, 0.01)])
def test_cosine_warm_restarts_follow_the_documented_periods(T_0, T_mult, eta_min):
    sched = S.CosineAnnealingWarmRestarts(_sgd(0.5), T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    got = [r[0] for r in _lrs(sched, 40)]
    assert got == pytest.approx(_warm_restarts(0.5, eta_min, T_0, T_mult, range(41)), rel=1e-9, abs=1e-12)
    sched.step(7.5)  # fractional epochs are allowed
    assert sched.get_last_lr()[0] == pytest.approx(
        _warm_restarts(0.5, eta_min, T_0, T_mult, [7.5])[0], rel=1e-9
    )


def test_cosine_warm_restarts_errors():
    with pytest.raises(ValueError):
        S.CosineAnnealingWarmRestarts(_sgd(), T_0=0)
    with pytest.raises(ValueError):
        S.CosineAnnealingWarmRestarts(_sgd(), T_0=2, T_mult=0)
    sched = S.CosineAnnealingWarmRestarts(_sgd(), T_0=2)
    with pytest.raises(ValueError):
        sched.step(-1)


def _one_cycle(step, total, max_lr, pct, div, final_div, three, linear, base_m=0.85, max_m=0.95):
    init, low = max_lr / div, max_lr / div / final_div
    if three:
        phases = [
            (pct * total - 1, init, max_lr, max_m, base_m),
            (2 * pct * total - 2, max_lr, init, base_m, max_m),
            (total - 1, init, low, max_m, max_m),
        ]
    else:
        phases = [(pct * total - 1, init, max_lr, max_m, base_m), (total - 1, max_lr, low, base_m, max_m)]
    start = 0.0
    for end, lr0, lr1, m0, m1 in phases:
        if step <= end or end == phases[-1][0]:
            p = (step - start) / (end - start)
            if linear:
                return lr0 + (lr1 - lr0) * p, m0 + (m1 - m0) * p
            c = (1 + math.cos(math.pi * p)) / 2
            return lr1 + (lr0 - lr1) * c, m1 + (m0 - m1) * c
        start = end
    raise AssertionError


@pytest.mark.parametrize(
    "kw",
    [
        {"total_steps": 40},
        {"epochs": 4, "steps_per_epoch": 10, "anneal_strategy": "linear"},
        {"total_steps": 40, "three_phase": True, "pct_start": 0.25},
        {"total_steps": 40, "div_factor": 10.0, "final_div_factor": 100.0},
    ],
)
def test_one_cycle_lr_and_momentum_follow_the_three_phase_formula(kw):
    opt = _sgd(0.1)
    sched = S.OneCycleLR(opt, max_lr=0.5, **kw)
    got_lr, got_m = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["momentum"]]
    for _ in range(39):
        opt.step()
        sched.step()
        got_lr.append(opt.param_groups[0]["lr"])
        got_m.append(opt.param_groups[0]["momentum"])
    ref = [
        _one_cycle(
            s,
            40,
            0.5,
            kw.get("pct_start", 0.3),
            kw.get("div_factor", 25.0),
            kw.get("final_div_factor", 1e4),
            kw.get("three_phase", False),
            kw.get("anneal_strategy") == "linear",
        )
        for s in range(40)
    ]
    assert got_lr == pytest.approx([r[0] for r in ref], rel=1e-9, abs=1e-15)
    assert got_m == pytest.approx([r[1] for r in ref], rel=1e-9)
    sched.step()  # step total_steps itself is allowed, as in PyTorch
    with pytest.raises(ValueError):
        sched.step()  # one step past total_steps


def test_one_cycle_drives_adam_beta1_and_per_group_max_lr():
    opt = optim.Adam([{"params": [Parameter(tg.zeros(1))]}, {"params": [Parameter(tg.zeros(1))]}], lr=0.1)
    sched = S.OneCycleLR(opt, max_lr=[0.5, 0.1], total_steps=10)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.02, 0.004])
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.95)
    for _ in range(2):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)  # the peak at pct_start * total - 1 = 2
    assert opt.param_groups[1]["lr"] == pytest.approx(0.1)
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.85)


def test_one_cycle_errors():
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1)  # neither total_steps nor epochs * steps_per_epoch
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1, total_steps=0)
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1, epochs=0, steps_per_epoch=3)
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1, epochs=2, steps_per_epoch=-1)
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=0.1, total_steps=10, anneal_strategy="step")
    with pytest.raises(ValueError):
        S.OneCycleLR(_sgd(), max_lr=[0.1, 0.2], total_steps=10)
    with pytest.raises(TypeError):
        S.OneCycleLR(object(), max_lr=0.1, total_steps=10)


def _plateau(metrics, lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps=1e-8):
    """ReduceLROnPlateau from its documentation, one epoch per metric."""
    best = math.inf if mode == "min" else -math.inf
    bad = cool = 0
    out = []
    for m in metrics:
        if mode == "min":
            better = m < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            better = m > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        if better:
            best, bad = m, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 1},
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 1, "min_lr": 0.02},
        {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 0, "factor": 0.9},
    ],
)
def test_reduce_on_plateau_follows_the_documented_rule_for_60_epochs(kw):
    metrics = [1.0 / (1 + i) if i < 10 else 0.1 + 0.01 * ((i * 7) % 5) for i in range(60)]
    if kw.get("mode") == "max":
        metrics = [-m for m in metrics]
    sched = S.ReduceLROnPlateau(_sgd(1.0), **kw)
    got = [r[0] for r in _lrs(sched, 60, metrics)[1:]]
    full = {
        "mode": "min",
        "factor": 0.1,
        "patience": 10,
        "threshold": 1e-4,
        "threshold_mode": "rel",
        "cooldown": 0,
        "min_lr": 0.0,
    }
    full.update(kw)
    assert got == pytest.approx(_plateau(metrics, 1.0, **full), rel=1e-12)
    assert got[-1] < 1.0  # the rule did fire


def test_reduce_on_plateau_errors_and_state_dict():
    with pytest.raises(ValueError):
        S.ReduceLROnPlateau(_sgd(), factor=1.0)
    with pytest.raises(ValueError):
        S.ReduceLROnPlateau(_sgd(), mode="middle")
    with pytest.raises(ValueError):
        S.ReduceLROnPlateau(_sgd(), threshold_mode="pct")
    with pytest.raises(ValueError):
        S.ReduceLROnPlateau(_sgd(groups=2), min_lr=[0.1])
    with pytest.raises(TypeError):
        S.ReduceLROnPlateau(object())
    sched = S.ReduceLROnPlateau(_sgd(), patience=0)
    sched.step(1.0)
    sched.step(2.0)
    state = sched.state_dict()
    assert "optimizer" not in state
    other = S.ReduceLROnPlateau(_sgd(), patience=0)
    other.load_state_dict(state)
    assert other.best == 1.0 and other.get_last_lr() == sched.get_last_lr() == [pytest.approx(0.1)]


def test_sequential_lr_switches_at_the_milestone_and_restarts_the_next():
    opt = _sgd(1.0)
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=4)
    decay = S.ExponentialLR(opt, gamma=0.5)
    seq = S.SequentialLR(opt, schedulers=[warm, decay], milestones=[4])
    got = [r[0] for r in _lrs(seq, 10)]
    want = [0.1 + 0.9 * e / 4 for e in range(4)] + [0.5 ** (e - 4) for e in range(4, 11)]
    assert got == pytest.approx(want)
    state = seq.state_dict()
    assert "optimizer" not in state and len(state["_schedulers"]) == 2


def test_sequential_lr_errors():
    opt = _sgd()
    with pytest.raises(ValueError):
        S.SequentialLR(opt, schedulers=[], milestones=[])
    with pytest.raises(ValueError):
        S.SequentialLR(opt, schedulers=[S.StepLR(opt, 2), S.StepLR(opt, 2)], milestones=[1, 2])
    with pytest.raises(ValueError):
        S.SequentialLR(opt, schedulers=[S.StepLR(opt, 2), S.StepLR(_sgd(), 2)], milestones=[1])
    with pytest.raises(ValueError):
        S.SequentialLR(opt, schedulers=[S.ReduceLROnPlateau(opt)], milestones=[])
    with pytest.raises(TypeError):
        S.SequentialLR(opt, schedulers=[object()], milestones=[])


def test_linear_and_multistep_errors():
    with pytest.raises(ValueError):
        S.LinearLR(_sgd(), start_factor=0.0)
    with pytest.raises(ValueError):
        S.LinearLR(_sgd(), end_factor=1.5)
    with pytest.raises(ValueError):
        S.ConstantLR(_sgd(), factor=2.0)
