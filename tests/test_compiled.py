"""tinygrad_np.compile: a replayed step gives bit for bit what eager mode gives, and whatever
the tape cannot replay runs eagerly (with the reason recorded)."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

STEPS = 6


def sine_net() -> nn.Module:
    return nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))


def mlp_net() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5))


def cnn_net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 2 * 2, 3),
    )


def mse_batches(n: int = STEPS) -> list[tuple[tg.Tensor, tg.Tensor]]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        x = rng.uniform(-3, 3, (100, 1)).astype(np.float32)
        out.append((tg.tensor(x), tg.tensor(np.sin(x))))
    return out


def class_batches(shape: tuple[int, ...], classes: int, n: int = STEPS) -> list[tuple[tg.Tensor, tg.Tensor]]:
    rng = np.random.default_rng(1)
    return [
        (
            tg.tensor(rng.standard_normal(shape).astype(np.float32)),
            tg.tensor(rng.integers(0, classes, shape[0])),
        )
        for _ in range(n)
    ]


def train(make_net, make_opt, batches, loss_fn, compiled: bool, seed: int = 0, lowering=True, **compile_kw):
    """Train a fresh network (same seed) over ``batches``; return params, losses, the step."""
    tg.manual_seed(seed)
    model = make_net()
    opt = make_opt(model.parameters())

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    fn = tg.compile(step, **compile_kw) if compiled else step
    if compiled:
        fn.lowering = lowering  # False: the tape replays op by op (program.py not used)
    losses = [fn(x, y)._data.copy() for x, y in batches]
    return [p._data.copy() for p in model.parameters()], losses, fn


def assert_same_as_eager(
    make_net, make_opt, batches, loss_fn, replays: int | None = None, lowering=True, **kw
):
    p_eager, l_eager, _ = train(make_net, make_opt, batches, loss_fn, compiled=False, **kw)
    p_comp, l_comp, fn = train(make_net, make_opt, batches, loss_fn, compiled=True, lowering=lowering, **kw)
    for a, b in zip(p_eager, p_comp, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)  # bit for bit
    for a, b in zip(l_eager, l_comp, strict=True):
        assert np.array_equal(a, b)
    assert fn.replays == (len(batches) - 2 if replays is None else replays), fn.reasons
    if fn.replays and lowering:  # the replays ran the program of NumPy kernels
        assert fn.programs and None not in fn.programs.values(), fn.reasons
    return fn


def mse(out, y):
    return ((out - y) ** 2).mean()


OPTIMIZERS = {
    "sgd": lambda ps: tg.optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: tg.optim.SGD(ps, lr=0.05, momentum=0.9),
    "sgd_nesterov_wd": lambda ps: tg.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda ps: tg.optim.Adam(ps, lr=0.01),
    "adam_amsgrad": lambda ps: tg.optim.Adam(ps, lr=0.01, amsgrad=True),
    "adamw": lambda ps: tg.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda ps: tg.optim.RMSprop(ps, lr=0.01, momentum=0.5),
    "adagrad": lambda ps: tg.optim.Adagrad(ps, lr=0.1),
}


@pytest.mark.parametrize("lowering", [True, False], ids=["program", "tape"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_matches_eager_bit_for_bit(name, lowering):
    fn = assert_same_as_eager(sine_net, OPTIMIZERS[name], mse_batches(), mse, lowering=lowering)
    assert fn.reasons == []


@pytest.mark.parametrize("lowering", [True, False], ids=["program", "tape"])
def test_mlp_cross_entropy_matches_eager(lowering):
    assert_same_as_eager(
        mlp_net, OPTIMIZERS["adam"], class_batches((32, 8), 5), nn.functional.cross_entropy, lowering=lowering
    )


@pytest.mark.parametrize("lowering", [True, False], ids=["program", "tape"])
def test_small_cnn_matches_eager(lowering):
    assert_same_as_eager(
        cnn_net,
        OPTIMIZERS["sgd_momentum"],
        class_batches((4, 1, 8, 8), 3),
        nn.CrossEntropyLoss(),
        lowering=lowering,
    )


def test_float64_network_matches_eager():
    def net():
        return sine_net().double()

    batches = [(x.double(), y.double()) for x, y in mse_batches()]
    assert_same_as_eager(net, OPTIMIZERS["adam"], batches, mse)


def test_module_zero_grad_and_no_zero_grad_accumulation():
    """model.zero_grad() is replayed as a call; without any zero_grad gradients accumulate
    over steps in both modes alike."""
    for zero in (True, False):
        tg.manual_seed(0)
        models = [sine_net() for _ in range(2)]
        models[1].load_state_dict(models[0].state_dict())
        results = []
        for compiled, m in zip((False, True), models, strict=True):

            def step(x, y, m=m):
                if zero:
                    m.zero_grad()
                mse(m(x), y).backward()

            fn = tg.compile(step) if compiled else step
            for x, y in mse_batches():
                fn(x, y)
            results.append([p.grad._data.copy() for p in m.parameters()])
        for a, b in zip(*results, strict=True):
            assert np.array_equal(a, b)
        assert fn.replays == STEPS - 2


@pytest.mark.parametrize("lowering", [True, False], ids=["program", "tape"])
def test_dropout_with_seeded_generator_matches_eager(lowering):
    """The dropout mask is drawn inside its op (``F.Dropout``), so every replay draws a new
    mask from the seeded generator, the same numbers eager mode draws; building the program
    draws nothing extra."""

    def net():
        return nn.Sequential(nn.Linear(1, 20), nn.ReLU(), nn.Dropout(0.3), nn.Linear(20, 1))

    assert_same_as_eager(net, OPTIMIZERS["sgd"], mse_batches(), mse, lowering=lowering)


def test_channel_dropout_matches_eager():
    def net():
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Dropout2d(0.5), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

    assert_same_as_eager(net, OPTIMIZERS["adam"], class_batches((4, 1, 8, 8), 3), nn.CrossEntropyLoss())


def test_new_shapes_trace_a_new_tape_and_the_cache_is_bounded():
    tg.manual_seed(0)
    w = tg.randn(3, requires_grad=True)

    def step(x):
        return (x * w).sum()

    fn = tg.compile(step, cache_size_limit=2)
    for n in (4, 4, 4, 5, 5, 5):
        x = tg.ones(n, 3)
        assert np.array_equal(fn(x)._data, step(x)._data)
    assert len(fn.tapes) == 2 and fn.replays == 2
    fn(tg.ones(6, 3))  # a third signature: eager, and said why
    assert any("cache_size_limit" in r for r in fn.reasons)
    fn(tg.ones(4, 3, dtype=tg.float64))  # dtype is part of the signature too
    assert fn.replays == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("item", "item()"),
        ("bool", "bool(tensor)"),
        ("numpy", "numpy()"),
        ("randn", "different things"),
        ("hook", "hook"),
        ("create_graph", "create_graph"),
        ("autograd_grad", "autograd.grad"),
        ("inplace_param", "changed in place"),
        ("set_grad", ".grad"),
    ],
)
def test_untraceable_steps_run_eagerly_and_say_why(body, reason, capsys):
    tg.manual_seed(0)
    w = tg.randn(3, requires_grad=True)

    def step(x):
        if body == "set_grad":  # (`w.grad = None` is traced: a hand-written zero_grad)
            w.grad = tg.zeros(3)
        y = x * w
        if body == "hook":
            y.register_hook(lambda g: g * 2)
        if body == "randn":
            y = y + tg.randn(3)
        loss = y.sum()
        if body == "item" and loss.item() > 1e9:
            loss = loss * 2
        if body == "bool" and bool(loss > 1e9):
            loss = loss * 2
        if body == "numpy":
            loss.detach().numpy()
        if body == "create_graph":
            loss.backward(create_graph=True)
        elif body == "autograd_grad":
            tg.autograd.grad(loss, w)
        else:
            loss.backward()
        if body == "inplace_param":
            with tg.no_grad():  # (`w.mul_(0.5)` is traced: a hand-written update)
                w.clamp_(-1, 1)
        return loss

    fn = tg.compile(step, verbose=True)
    for _ in range(4):
        fn(tg.ones(3))
    assert fn.replays == 0
    assert any(reason in r for r in fn.reasons), fn.reasons
    assert "runs eagerly" in capsys.readouterr().err


def test_anomaly_mode_and_new_hooks_send_a_traced_step_back_to_eager():
    tg.manual_seed(0)
    w = tg.randn(3, requires_grad=True)

    def step(x):
        (x * w).sum().backward()

    fn = tg.compile(step)
    for _ in range(3):
        fn(tg.ones(3))
    assert fn.replays == 1
    with tg.autograd.detect_anomaly():
        fn(tg.ones(3))
    assert fn.replays == 1 and "anomaly detection is on" in fn.reasons
    seen = []
    w.register_hook(lambda g: seen.append(g))
    fn(tg.ones(3))
    assert fn.replays == 1 and seen  # the hook ran: eager mode
    assert any("hook" in r for r in fn.reasons)


def test_non_tensor_arguments_and_results_run_eagerly():
    fn = tg.compile(lambda x, k: x * k)
    assert fn(tg.ones(2), 3)._data.tolist() == [3.0, 3.0]
    assert any("non-tensor argument" in r for r in fn.reasons)
    fn2 = tg.compile(lambda x: {"y": x * 2})
    for _ in range(3):
        assert fn2(tg.ones(2))["y"]._data.tolist() == [2.0, 2.0]
    assert fn2.replays == 0 and any("returns dict" in r for r in fn2.reasons)


def test_replayed_results_follow_new_inputs():
    fn = tg.compile(lambda x, y: (x * y + 1, x.exp()))
    for i in range(5):
        x, y = tg.full((2, 2), float(i)), tg.full((2, 2), 2.0)
        a, b = fn(x, y)
        assert np.array_equal(a._data, x._data * 2 + 1) and np.array_equal(b._data, np.exp(x._data))
    assert fn.replays == 3


def test_explain_lists_the_program_and_the_tape():
    _, _, fn = train(sine_net, OPTIMIZERS["sgd"], mse_batches(3), mse, compiled=True)
    lines = fn.explain()  # the program: one line per NumPy call
    text = "\n".join(lines)
    assert "SGD.zero_grad(True)" in lines[0] and "SGD.step()" in lines[-1]
    assert "= np.dot(in0, 0.weight.T)" in text and "np.add(t4, 0.bias, out=t4)" in text
    assert "np.reciprocal(t5, out=t5)" in text  # sigmoid, in place in its buffer
    assert (
        "grad[0.weight] = np.dot(grad[t4].T, in0)" in text and "store_grad(0.weight, grad[0.weight])" in text
    )
    tape = "\n".join(fn.last.explain())  # the tape it was lowered from: one line per op
    assert "Addmm.forward(in0, " in tape and "Sigmoid.backward_np" in tape
    assert ".grad += grad[" in tape and "seed" in tape


def test_compile_is_torch_compile_and_builtin_compile_is_not_shadowed():
    import tinygrad_np.compiled as compiled

    assert tg.compile is compiled.compile
    assert "compile" not in vars(tg)  # looked up lazily: `from tinygrad_np import *` keeps the builtin
    assert builtins.compile("1", "<s>", "eval") is not None

    @tg.compile(verbose=False, mode="reduce-overhead")
    def f(x):
        return x + 1

    assert f(tg.ones(1))._data.tolist() == [2.0]


def test_cross_entropy_target_errors_unchanged():
    with pytest.raises(IndexError, match="out of bounds"):
        nn.functional.cross_entropy(tg.zeros(2, 3, requires_grad=True), tg.tensor([0, 3]))


def test_train_eval_switch_is_a_guard():
    """A tape traced in eval mode is not replayed in train mode (dropout would differ)."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5))
    model.eval()
    fn = tg.compile(lambda x: model(x).sum())
    x = tg.ones(2, 3)
    for _ in range(3):
        fn(x)
    assert fn.replays == 1
    model.train()
    tg.manual_seed(1)
    got = fn(x)._data
    tg.manual_seed(1)
    assert np.array_equal(got, model(x).sum()._data)
    assert fn.replays == 1 and any("training changed" in r for r in fn.reasons)


def test_module_forward_hooks_run_eagerly():
    model = nn.Linear(3, 1)
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append(1))
    fn = tg.compile(lambda x: model(x).sum())
    for _ in range(4):
        fn(tg.ones(2, 3))
    assert len(calls) == 4 and fn.replays == 0 and any("forward hooks" in r for r in fn.reasons)


def test_gradient_given_to_backward_is_read_at_each_replay():
    w = tg.ones(3, requires_grad=True)
    seed = tg.ones(3)
    fn = tg.compile(lambda x: (x * w).backward(seed))
    for i in range(4):
        w.grad = None
        seed._data[...] = 1.0 if i < 2 else float(i)  # changes after the two traces
        fn(tg.full((3,), 2.0))
        assert w.grad._data.tolist() == [2.0 * seed._data[0]] * 3
    assert fn.replays == 2


def test_a_compiled_step_inside_a_traced_step_is_traced_through():
    w = tg.ones(3, requires_grad=True)
    inner = tg.compile(lambda x: x * w)
    for _ in range(3):
        inner(tg.ones(3))
    outer = tg.compile(lambda x: inner(x).sum() + 1)
    for i in range(4):
        assert outer(tg.full((3,), float(i)))._data == 3.0 * i + 1
    assert outer.replays == 2


def test_batch_norm_training_runs_eagerly_and_keeps_running_stats():
    """BatchNorm updates its running statistics in place outside an op: not replayable."""
    stats = []
    for compiled in (False, True):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 5))
        opt = tg.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        fn = tg.compile(step) if compiled else step
        for x, y in class_batches((16, 8), 5):
            fn(x, y)
        stats.append([b._data.copy() for b in model.buffers()] + [p._data.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*stats, strict=True))
    assert fn.replays == 0 and any("changed in place" in r for r in fn.reasons)


def test_reset_traces_again_with_a_replaced_parameter():
    holder = {"w": tg.ones(3, requires_grad=True)}
    fn = tg.compile(lambda x: x * holder["w"])
    for _ in range(3):
        fn(tg.ones(3))
    holder["w"] = tg.full((3,), 2.0, requires_grad=True)
    assert fn(tg.ones(3))._data.tolist() == [1.0] * 3  # the tape holds the old tensor
    fn.reset()
    for _ in range(3):
        assert fn(tg.ones(3))._data.tolist() == [2.0] * 3
    assert fn.replays == 3  # one before the swap, one with the old tensor, one after reset


def test_lr_set_by_a_scheduler_is_read_on_replay():
    def run(compiled):
        tg.manual_seed(0)
        model = sine_net()
        opt = tg.optim.SGD(model.parameters(), lr=0.1)
        sched = tg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = mse(model(x), y)
            loss.backward()
            opt.step()
            return loss

        fn = tg.compile(step) if compiled else step
        for x, y in mse_batches():
            fn(x, y)
            sched.step()
        return [p._data.copy() for p in model.parameters()]

    assert all(np.array_equal(a, b) for a, b in zip(run(False), run(True), strict=True))
