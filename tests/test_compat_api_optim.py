"""``optim.LBFGS`` and the schedulers ``MultiStepLR``, ``LinearLR``, ``CosineAnnealingWarmRestarts``,
``OneCycleLR``, ``ReduceLROnPlateau`` and ``SequentialLR``, side by side with PyTorch over many
steps: the same learning rates (and momenta), the same L-BFGS iterates."""

import math

import numpy as np
import pytest
from conftest import requires_torch, torch  # noqa: E402

import tinygrad_np as tg

pytestmark = requires_torch


def pair(opt="SGD", lrs=(0.1, 0.02), **kw):
    def make(M):
        groups = [{"params": [M.nn.Parameter(M.zeros(2))], "lr": lr} for lr in lrs]
        return getattr(M.optim, opt)(groups, lr=lrs[0], **kw)

    return make(tg), make(torch)


def run(sched, opt, steps, metrics=None, epochs=None):
    lrs, moms = [sched.get_last_lr()], []
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        elif epochs is not None:
            sched.step(epochs[i])
        else:
            sched.step()
        lrs.append(list(sched.get_last_lr()))
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
        g = opt.param_groups[0]
        moms.append(g.get("momentum", g.get("betas", (None,))[0]))
    return lrs, moms


SCHEDULERS = [
    ("MultiStepLR", {"milestones": [3, 7, 7, 20]}),
    ("MultiStepLR", {"milestones": (5, 10), "gamma": 0.5}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 12}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 30}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 7}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 1e-4}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 40}),
    ("OneCycleLR", {"max_lr": [0.5, 0.1], "epochs": 4, "steps_per_epoch": 10, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": 40, "three_phase": True, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": 40, "cycle_momentum": False, "div_factor": 10.0}),
]


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_scheduler_sequence_matches_pytorch(name, kw):
    steps = 39 if name == "OneCycleLR" else 45
    ours_opt, torch_opt = pair(momentum=0.9)
    ours = getattr(tg.optim.lr_scheduler, name)(ours_opt, **kw)
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **kw)
    (a, ma), (b, mb) = run(ours, ours_opt, steps), run(theirs, torch_opt, steps)
    np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12, atol=1e-15)
    assert ma == pytest.approx(mb, rel=1e-12)
    assert ours.last_epoch == theirs.last_epoch
    assert ours.base_lrs == pytest.approx(theirs.base_lrs)


def test_one_cycle_with_adam_cycles_beta1_and_stops_at_total_steps():
    ours_opt, torch_opt = pair("Adam", lrs=(1e-3,))
    ours = tg.optim.lr_scheduler.OneCycleLR(ours_opt, max_lr=1e-2, total_steps=20)
    theirs = torch.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=1e-2, total_steps=20)
    (a, ma), (b, mb) = run(ours, ours_opt, 19), run(theirs, torch_opt, 19)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert ma == pytest.approx(mb, rel=1e-12)
    assert ours_opt.param_groups[0]["betas"][1] == torch_opt.param_groups[0]["betas"][1]
    ours.step()
    with pytest.raises(ValueError, match="Tried to step 21 times. The specified number of total steps is 20"):
        ours.step()
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        tg.optim.lr_scheduler.OneCycleLR(
            tg.optim.Adagrad([tg.nn.Parameter(tg.zeros(1))]), max_lr=0.1, total_steps=5
        )
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        tg.optim.lr_scheduler.OneCycleLR(ours_opt, max_lr=0.1)


def test_warm_restarts_with_fractional_epochs_matches_pytorch():
    """The documented use: ``scheduler.step(epoch + i / iters)`` inside the batch loop."""
    epochs = [e + i / 4 for e in range(12) for i in range(4)]
    for kw in ({"T_0": 3}, {"T_0": 2, "T_mult": 2, "eta_min": 0.001}):
        ours_opt, torch_opt = pair()
        ours = tg.optim.lr_scheduler.CosineAnnealingWarmRestarts(ours_opt, **kw)
        theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(torch_opt, **kw)
        b, _ = run(theirs, torch_opt, len(epochs), epochs=epochs)
        a, _ = run(ours, ours_opt, len(epochs), epochs=epochs)
        np.testing.assert_allclose(a, b, rtol=1e-12)
        assert ours.T_i == theirs.T_i and ours.T_cur == pytest.approx(theirs.T_cur)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"patience": 2, "factor": 0.5},
        {"mode": "max", "patience": 1, "threshold": 0.05, "cooldown": 2},
        {"patience": 0, "threshold_mode": "abs", "threshold": 0.1, "min_lr": [0.01, 0.015]},
        {"patience": 1, "min_lr": 0.05, "eps": 1e-3},
    ],
)
def test_reduce_on_plateau_matches_pytorch(kw):
    rng = np.random.default_rng(0)
    metrics = list(
        np.concatenate([np.linspace(2, 1, 10), 1 + 0.05 * rng.random(30), np.linspace(1, 0.5, 10)])
    )
    ours_opt, torch_opt = pair()
    ours = tg.optim.lr_scheduler.ReduceLROnPlateau(ours_opt, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kw)
    a, _ = run(ours, ours_opt, len(metrics), metrics=[tg.tensor(m) for m in metrics])
    b, _ = run(theirs, torch_opt, len(metrics), metrics=metrics)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
        theirs.best,
        theirs.num_bad_epochs,
        theirs.cooldown_counter,
    )
    assert ours.state_dict().keys() <= theirs.state_dict().keys() | {"_is_initial"}


def test_reduce_on_plateau_errors():
    opt, _ = pair()
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        tg.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode other is unknown!"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="other")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1])


def _sequential(M, opt, kind):
    S = M.optim.lr_scheduler
    if kind == "warmup_cosine":
        return S.SequentialLR(
            opt,
            [S.LinearLR(opt, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(opt, T_max=20)],
            milestones=[5],
        )
    return S.SequentialLR(opt, [S.ExponentialLR(opt, 0.8), S.StepLR(opt, 3)], milestones=[6])


@pytest.mark.parametrize("kind", ["warmup_cosine", "three", "exp_step"])
def test_sequential_lr_matches_pytorch(kind):
    ours_opt, torch_opt = pair()
    if kind == "three":  # a constant warm-up, an exponential decay, then milestones
        S_t, S_o = torch.optim.lr_scheduler, tg.optim.lr_scheduler
        theirs = S_t.SequentialLR(
            torch_opt,
            [
                S_t.LinearLR(torch_opt, 0.5, 0.5, 3),
                S_t.ExponentialLR(torch_opt, 0.9),
                S_t.MultiStepLR(torch_opt, [4, 8]),
            ],
            milestones=[3, 10],
        )
        ours = S_o.SequentialLR(
            ours_opt,
            [
                S_o.LinearLR(ours_opt, 0.5, 0.5, 3),
                S_o.ExponentialLR(ours_opt, 0.9),
                S_o.MultiStepLR(ours_opt, [4, 8]),
            ],
            milestones=[3, 10],
        )
    else:
        ours, theirs = _sequential(tg, ours_opt, kind), _sequential(torch, torch_opt, kind)
    a, _ = run(ours, ours_opt, 30)
    b, _ = run(theirs, torch_opt, 30)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert ours.last_epoch == theirs.last_epoch


def test_sequential_lr_errors():
    opt, _ = pair()
    other, _ = pair()
    S = tg.optim.lr_scheduler
    with pytest.raises(ValueError, match="expects at least one scheduler"):
        S.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="number of milestones to be equal to 2"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 2)], milestones=[1, 2])
    with pytest.raises(ValueError, match="belong to the same optimizer"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(other, 2)], milestones=[1])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S.SequentialLR(opt, [S.ReduceLROnPlateau(opt)], milestones=[])


def test_multistep_closed_form_and_linear_errors():
    opt, _ = pair(lrs=(1.0,))
    s = tg.optim.lr_scheduler.MultiStepLR(opt, [2, 4], gamma=0.5)
    s.step(5)
    assert s.get_last_lr() == [0.25]
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        tg.optim.lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        tg.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)


# ---- LBFGS -------------------------------------------------------------------------------------


def least_squares(M, line_search, history=100, max_iter=20, steps=3, dtype="float64"):
    rng = np.random.default_rng(0)
    A = M.tensor(rng.standard_normal((30, 6)).astype(dtype))
    b = M.tensor(rng.standard_normal(30).astype(dtype))
    w = M.nn.Parameter(M.zeros(6, dtype=getattr(M, dtype)))
    c = M.nn.Parameter(M.zeros(1, dtype=getattr(M, dtype)))
    opt = M.optim.LBFGS([w, c], lr=0.5 if line_search is None else 1, max_iter=max_iter,
                        history_size=history, line_search_fn=line_search)  # fmt: skip
    seen = []

    def closure():
        opt.zero_grad()
        r = A @ w + c - b
        loss = (r * r).mean() + 0.1 * (w * w).sum()
        loss.backward()
        seen.append(loss.item())
        return loss

    returned = [float(opt.step(closure)) for _ in range(steps)]
    state = opt.state[w]
    return returned, seen, w.detach().numpy().copy(), state["n_iter"], state["func_evals"]


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
@pytest.mark.parametrize("history", [100, 3])
def test_lbfgs_matches_pytorch(line_search, history):
    ours = least_squares(tg, line_search, history)
    theirs = least_squares(torch, line_search, history)
    assert ours[3:] == theirs[3:]  # iterations and closure evaluations
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-7, atol=1e-10)


def test_lbfgs_float32_matches_pytorch_closely():
    ours = least_squares(tg, "strong_wolfe", dtype="float32", steps=1, max_iter=8)
    theirs = least_squares(torch, "strong_wolfe", dtype="float32", steps=1, max_iter=8)
    np.testing.assert_allclose(ours[1][:5], theirs[1][:5], rtol=1e-4)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-3, atol=1e-4)


def rosenbrock(M):
    p = M.nn.Parameter(M.tensor([-1.5, 2.0], dtype=M.float64))
    opt = M.optim.LBFGS([p], lr=1, max_iter=100, tolerance_grad=1e-10, tolerance_change=1e-14,
                        history_size=10, line_search_fn="strong_wolfe")  # fmt: skip

    def closure():
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        return loss

    first = opt.step(closure)
    return first, p.detach().numpy()


def test_lbfgs_strong_wolfe_solves_rosenbrock_like_pytorch():
    (f_o, p_o), (f_t, p_t) = rosenbrock(tg), rosenbrock(torch)
    assert float(f_o) == pytest.approx(float(f_t.detach()), rel=1e-12)
    np.testing.assert_allclose(p_o, [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(p_o, p_t.copy(), atol=1e-6)


def test_lbfgs_errors_and_stops_early_at_a_minimum():
    p = tg.nn.Parameter(tg.zeros(2))
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        tg.optim.LBFGS([{"params": [p]}, {"params": [tg.nn.Parameter(tg.zeros(1))]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        tg.optim.LBFGS([p], lr=-1)
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        tg.optim.LBFGS([p], line_search_fn="armijo")
    opt = tg.optim.LBFGS([p])
    calls = []

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        calls.append(1)
        return loss

    assert opt.step(closure).item() == 0.0 and len(calls) == 1  # gradient already 0: no iteration
    with pytest.raises(RuntimeError, match="closure"):
        opt.step(None)


def test_sine_wave_lstm_with_lbfgs_like_pytorch():
    """PyTorch's time-sequence-prediction example trains its two LSTMCells with LBFGS(lr=0.8)."""
    from test_compat_api_nn import load_from_torch, sine_wave_lstm

    seq_t, inp_t, tgt_t, _ = sine_wave_lstm(torch)
    seq_o, inp_o, tgt_o, _ = sine_wave_lstm(tg)
    load_from_torch(seq_o, seq_t)
    losses = {}
    for name, M, seq, inp, tgt in (("t", torch, seq_t, inp_t, tgt_t), ("o", tg, seq_o, inp_o, tgt_o)):
        opt = M.optim.LBFGS(seq.parameters(), lr=0.8, max_iter=4)
        seen = losses[name] = []

        def closure(opt=opt, seq=seq, inp=inp, tgt=tgt, M=M, seen=seen):
            opt.zero_grad()
            loss = M.nn.MSELoss()(seq(inp), tgt)
            loss.backward()
            seen.append(loss.item())
            return loss

        opt.step(closure)
    assert len(losses["o"]) == len(losses["t"])
    np.testing.assert_allclose(losses["o"], losses["t"], rtol=1e-7)
    assert not math.isnan(losses["o"][-1])


def test_lbfgs_resumes_from_a_saved_state_dict(tmp_path):
    def setup():
        w = tg.nn.Parameter(tg.tensor([1.5, -2.0, 0.5], dtype=tg.float64))
        opt = tg.optim.LBFGS([w], max_iter=3, history_size=4, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((w - tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)) ** 4).sum() + (w * w).sum()
            loss.backward()
            return loss

        return w, opt, closure

    w, opt, closure = setup()
    for _ in range(4):
        opt.step(closure)
    straight = w.detach().numpy().copy()
    w2, opt2, closure2 = setup()
    for _ in range(2):
        opt2.step(closure2)
    tg.save({"w": w2.detach(), "opt": opt2.state_dict()}, tmp_path / "ckpt.npz")
    ckpt = tg.load(tmp_path / "ckpt.npz")
    w3, opt3, closure3 = setup()
    with tg.no_grad():
        w3.copy_(ckpt["w"])
    opt3.load_state_dict(ckpt["opt"])
    for _ in range(2):
        opt3.step(closure3)
    np.testing.assert_allclose(w3.detach().numpy(), straight, rtol=1e-12)
