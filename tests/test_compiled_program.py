"""The program of a compiled step (tinygrad_np/compiled/program.py, rules.py): every kernel
rule gives bit for bit what its op gives in eager mode, buffers never leak between calls, and
whatever a program cannot hold falls back to the tape's replay."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd.function import Function
from tinygrad_np.compiled import rules
from tinygrad_np.compiled.program import Opaque, _copy_checked

CALLS = 6


def run_both(make_step, inputs, params):
    """Run ``make_step(params)`` eagerly and compiled over ``inputs`` (a list of argument
    tuples); return (eager, compiled) lists of (results, grads) and the compiled step."""
    outs = []
    for compiled in (False, True):
        ps = [tg.tensor(p, requires_grad=True) for p in params]
        step = make_step(ps)
        fn = tg.compile(step) if compiled else step
        seen = []
        for args in inputs:
            for p in ps:
                p.grad = None
            r = fn(*[tg.tensor(a) for a in args])
            seen.append((r._data.copy(), [None if p.grad is None else p.grad._data.copy() for p in ps]))
        outs.append(seen)
    return outs[0], outs[1], fn


def assert_bitwise(eager, comp):
    for (r1, g1), (r2, g2) in zip(eager, comp, strict=True):
        assert r1.dtype == r2.dtype and np.array_equal(r1, r2, equal_nan=True)
        for a, b in zip(g1, g2, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
UNARY = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: (a * a + 0.5).log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_rules_with_broadcasting_match_eager(name, dtype):
    """(4, 3) op (3,) and (1, 3): gradients summed back to each shape (the sum_to kernels);
    x used twice (its gradients added)."""
    rng = np.random.default_rng(0)
    f = BINARY[name]

    def make(ps):
        w, b = ps

        def step(x):
            y = f(f(x, w), b) * f(x, b)
            y.sum().backward()
            return y

        return step

    inputs = [(rng.uniform(0.5, 2, (4, 3)).astype(dtype),) for _ in range(CALLS)]
    params = [rng.uniform(0.5, 2, (3,)).astype(dtype), rng.uniform(0.5, 2, (1, 3)).astype(dtype)]
    eager, comp, fn = run_both(make, inputs, params)
    assert_bitwise(eager, comp)
    assert fn.replays == CALLS - 2 and None not in fn.programs.values(), fn.reasons


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")  # (eager's)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rules_match_eager_with_extreme_values(name):
    f = UNARY[name]
    special = np.array([0.0, -0.0, 1e-30, -90.0, 90.0, np.inf, -np.inf, np.nan], np.float32)

    def make(ps):
        (w,) = ps

        def step(x):
            y = f(x * w)
            (y * y).sum().backward()
            return y

        return step

    rng = np.random.default_rng(1)
    inputs = [(np.concatenate([special, rng.standard_normal(8).astype(np.float32)]),) for _ in range(CALLS)]
    eager, comp, fn = run_both(make, inputs, [np.ones(16, np.float32)])
    assert_bitwise(eager, comp)
    assert None not in fn.programs.values(), fn.reasons


def test_every_rule_is_tested_here_or_in_test_compiled():
    tested = {"Add", "Sub", "Mul", "Div", "Neg", "Exp", "Log", "Tanh", "Sigmoid", "Relu", "Addmm", "MseLoss"}
    tested |= {"Sum", "Mean", "Matmul"}
    assert {c.__name__ for c in rules.RULES} == tested


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_linear_and_mse_rules_3d_input_and_target_grad(reduction):
    """Addmm on a (2, 5, 4) input (the matmul/reshape branch), mse_loss with a target that
    requires grad, and the input's own gradient."""
    rng = np.random.default_rng(2)
    lin = nn.Linear(4, 3)
    w0, b0 = lin.weight._data.copy(), lin.bias._data.copy()

    def make(ps):
        w, b, t = ps

        def step(x):
            loss = nn.functional.mse_loss(nn.functional.linear(x, w, b), t, reduction=reduction)
            loss.backward()
            return loss

        return step

    inputs = [(rng.standard_normal((2, 5, 4)).astype(np.float32),) for _ in range(CALLS)]
    target = rng.standard_normal((2, 5, 3)).astype(np.float32)
    eager, comp, fn = run_both(make, inputs, [w0, b0, target])
    assert_bitwise(eager, comp)
    assert None not in fn.programs.values(), fn.reasons


def test_input_that_requires_grad_gets_its_gradient_each_call():
    w = tg.tensor([1.0, 2.0, 3.0])
    fn = tg.compile(lambda x: (x * w).sum().backward())
    for i in range(5):
        x = tg.full((3,), float(i), requires_grad=True)
        fn(x)
        assert x.grad._data.tolist() == [1.0, 2.0, 3.0]
    assert fn.replays == 3 and None not in fn.programs.values()


def test_grads_and_results_handed_out_are_never_overwritten_by_later_calls():
    tg.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)

    @tg.compile
    def step(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    kept = []
    for i in range(6):
        loss = step(tg.full((4, 3), float(i)))
        kept.append((loss, loss._data.copy(), model.weight.grad, model.weight.grad._data.copy()))
    for loss, value, grad, gvalue in kept:
        assert np.array_equal(loss._data, value) and np.array_equal(grad._data, gvalue)
    assert len({id(g) for _, _, g, _ in kept}) == 6
    assert step.replays == 4 and None not in step.programs.values()


def test_a_parameter_given_a_new_array_rebuilds_the_program():
    """``p.data = ...`` swaps the array the kernels were bound to: the program is rebuilt
    (not run on the old array)."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    fn = tg.compile(lambda x: x * w)
    for _ in range(3):
        fn(tg.ones(2))
    first = next(iter(fn.programs.values()))
    w.data = tg.tensor([5.0, 6.0])
    assert fn(tg.ones(2))._data.tolist() == [5.0, 6.0]
    assert next(iter(fn.programs.values())) is not first
    with tg.no_grad():
        w.copy_(tg.tensor([7.0, 8.0]))  # in place: the same array, the same program
    assert fn(tg.ones(2))._data.tolist() == [7.0, 8.0]


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tg.Tensor._wrap(x._data**3)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x  # d x^3/dx = 3 x^2


def test_an_op_without_a_rule_keeps_the_step_on_the_tape_and_says_so():
    def make(ps):
        (w,) = ps

        def step(x):
            y = Cube.apply(x * w)
            y.sum().backward()
            return y

        return step

    rng = np.random.default_rng(3)
    inputs = [(rng.standard_normal(5).astype(np.float32),) for _ in range(CALLS)]
    eager, comp, fn = run_both(make, inputs, [np.full(5, 0.5, np.float32)])
    assert_bitwise(eager, comp)
    assert fn.replays == CALLS - 2 and list(fn.programs.values()) == [None]
    assert any("Cube has no kernel rule" in r for r in fn.reasons)
    assert "Cube.forward" in "\n".join(fn.explain())  # the tape's lines


def test_opaque_kernel_refuses_a_result_of_another_shape():
    with pytest.raises(RuntimeError, match="depends on the data"):
        _copy_checked(np.empty(3), np.empty(4), Opaque)


def test_chain_step_as_in_the_benchmark():
    a, c, g = tg.ones(4, 4, requires_grad=True), tg.full((4, 4), 1.01), tg.full((4, 4), 0.5)

    def chain():
        y = a
        for _ in range(50):
            y = y * c
        y.backward(g)
        return y

    fn = tg.compile(chain)
    for _ in range(4):
        a.grad = None
        y = fn()
    forward, backward = np.ones((4, 4), np.float32), np.full((4, 4), 0.5, np.float32)
    for _ in range(50):  # the kernels eager mode runs: y * c, then g * c, 50 times each
        forward, backward = forward * np.float32(1.01), backward * np.float32(1.01)
    assert np.array_equal(y._data, forward) and np.array_equal(a.grad._data, backward)
    assert fn.replays == 2 and None not in fn.programs.values()
    assert sum("np.multiply" in line for line in fn.explain()) == 100


def test_calls_from_two_threads_at_once_do_not_share_buffers():
    import threading

    w = tg.tensor(np.arange(64.0, dtype=np.float32).reshape(8, 8))
    fn = tg.compile(lambda x: (x @ w).tanh() * 2)
    for _ in range(3):
        fn(tg.ones(8, 8))
    errors = []

    def work(v):
        for _ in range(200):
            x = tg.full((8, 8), v)
            if not np.array_equal(fn(x)._data, np.tanh(x._data @ w._data) * 2):
                errors.append(v)

    threads = [threading.Thread(target=work, args=(float(v) / 100,)) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_explain_names_separate_layers_and_shows_opaque_kernels():
    tg.manual_seed(0)
    l1, l2 = nn.Linear(4, 8), nn.Linear(8, 3)
    opt = tg.optim.SGD([*l1.parameters(), *l2.parameters()], lr=0.1)

    @tg.compile
    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(l2(l1(x).relu()), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        step(tg.ones(5, 4), tg.tensor([0, 1, 2, 0, 1]))
    text = "\n".join(step.explain())
    assert "np.dot(in0, linear0.weight.T)" in text and "np.dot(t5, linear1.weight.T)" in text
    assert "t9 = CrossEntropy.forward(t8, in1, -100, True)" in text
    assert "grad[t8], _, _, _ = CrossEntropy.backward_np(grad[t9])" in text


REDUCTIONS = {
    "sum_all": lambda y: y.sum(),
    "sum_dim": lambda y: y.sum(1),
    "sum_dims_keepdim": lambda y: y.sum((0, 2), keepdim=True),
    "mean_all": lambda y: y.mean(),
    "mean_dim": lambda y: y.mean(-1),
    "mean_keepdim": lambda y: y.mean(0, keepdim=True),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_rules_match_eager(name, dtype):
    """float16 is left to the op (accumulation in float32): an opaque kernel, same numbers."""
    f = REDUCTIONS[name]

    def make(ps):
        (w,) = ps

        def step(x):
            r = f(x * w)
            (r * r).sum().backward()
            return r

        return step

    rng = np.random.default_rng(4)
    inputs = [(rng.standard_normal((3, 4, 5)).astype(dtype),) for _ in range(CALLS)]
    eager, comp, fn = run_both(make, inputs, [rng.standard_normal((4, 5)).astype(dtype)])
    assert_bitwise(eager, comp)
    assert None not in fn.programs.values(), fn.reasons


@pytest.mark.parametrize(
    "a_shape,b_shape",
    [
        ((5, 4), (4, 3)),
        ((2, 5, 4), (4, 3)),
        ((2, 5, 4), (2, 4, 3)),
        ((4,), (4, 3)),
        ((5, 4), (4,)),
        ((4,), (4,)),
    ],
    ids=str,
)
def test_matmul_rule_matches_eager_and_leaves_vectors_to_the_op(a_shape, b_shape):
    def make(ps):
        (w,) = ps

        def step(x):
            y = x @ w
            (y * y).sum().backward()
            return y

        return step

    rng = np.random.default_rng(5)
    inputs = [(rng.standard_normal(a_shape).astype(np.float32),) for _ in range(CALLS)]
    eager, comp, fn = run_both(make, inputs, [rng.standard_normal(b_shape).astype(np.float32)])
    assert_bitwise(eager, comp)
    assert None not in fn.programs.values(), fn.reasons
    vector = len(a_shape) == 1 or len(b_shape) == 1
    assert ("Matmul.forward" in "\n".join(fn.explain())) == vector  # opaque only for vectors


def _hand_written_sgd(style):
    """The training loops of tutorials written before optimizers: ``p.grad = None`` (or
    ``zero_()``), backward, then ``p -= lr * p.grad`` under no_grad (or through ``.data``)."""

    def make(ps):
        def step(x, y):
            loss = (((x @ ps[0] + ps[1]).sigmoid() @ ps[2] + ps[3] - y) ** 2).mean()
            for p in ps:
                if style == "zero_":
                    if p.grad is not None:
                        p.grad.zero_()
                else:
                    p.grad = None
            loss.backward()
            with tg.no_grad():
                for p in ps:
                    if style == "no_grad":
                        p -= 0.1 * p.grad
                    elif style == "data":
                        p.data -= 0.1 * p.grad.data
                    elif style == "sub_":
                        p.data.sub_(p.grad, alpha=0.1)
                    else:
                        p.add_(p.grad * -0.1)
            return loss

        return step

    return make


@pytest.mark.parametrize("lowering", [True, False], ids=["program", "tape"])
@pytest.mark.parametrize("style", ["no_grad", "data", "sub_", "add_", "zero_"])
def test_hand_written_sgd_steps_replay_bit_for_bit(style, lowering):
    rng = np.random.default_rng(6)
    params = [rng.standard_normal(s).astype(np.float32) for s in ((1, 20), (20,), (20, 1), (1,))]
    inputs = []
    for _ in range(CALLS):
        x = rng.uniform(-3, 3, (50, 1)).astype(np.float32)
        inputs.append((x, np.sin(x)))
    results = []
    for compiled in (False, True):
        ps = [tg.tensor(p, requires_grad=True) for p in params]
        step = _hand_written_sgd(style)(ps)
        fn = tg.compile(step) if compiled else step
        if compiled:
            fn.lowering = lowering
        losses = [fn(tg.tensor(x), tg.tensor(y))._data.copy() for x, y in inputs]
        results.append((losses, [p._data.copy() for p in ps], [p._version for p in ps]))
    (l1, p1, v1), (l2, p2, v2) = results
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2, strict=True))
    assert v1 == v2  # the same in-place changes, counted alike
    if style == "zero_":  # an in-place change of the gradient: not traced, runs eagerly
        assert fn.replays == 0 and any("changed in place" in r for r in fn.reasons)
    else:
        assert fn.replays == CALLS - 2, fn.reasons
        assert not lowering or None not in fn.programs.values()


def test_in_place_change_of_a_value_computed_in_the_step_runs_eagerly():
    w = tg.ones(3, requires_grad=True)

    def step(x):
        y = x * w
        with tg.no_grad():
            y += 1
        return y

    fn = tg.compile(step)
    for i in range(4):
        assert fn(tg.full((3,), float(i)))._data.tolist() == [i + 1.0] * 3
    assert fn.replays == 0 and any("computed in the step" in r for r in fn.reasons)


def test_sgd_step_kernel_follows_changes_to_the_optimizer():
    """The program's SGD update reads lr at each call; a group given momentum or weight decay
    later, a maximize flag, or a new group run the optimizer's own code: bit for bit eager."""

    def run(compiled):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
        opt = tg.optim.SGD(model[0].parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            model.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        fn = tg.compile(step) if compiled else step
        rng = np.random.default_rng(7)
        for i in range(12):
            x = tg.tensor(rng.standard_normal((8, 2)).astype(np.float32))
            fn(x, x.sum(1, keepdim=True))
            if i == 3:
                opt.param_groups[0]["lr"] = 0.05
            if i == 5:
                opt.param_groups[0]["momentum"] = 0.9
            if i == 7:
                opt.param_groups[0]["maximize"] = True
            if i == 8:
                opt.add_param_group({"params": model[2].parameters(), "lr": 0.01})
        return [p._data.copy() for p in model.parameters()], fn

    eager, _ = run(False)
    comp, fn = run(True)
    assert all(np.array_equal(a, b) for a, b in zip(eager, comp, strict=True))
    assert fn.replays >= 8 and "SGD.step()  # for each parameter" in "\n".join(fn.explain())
