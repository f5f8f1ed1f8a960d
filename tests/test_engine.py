"""The backward engine: deep graphs, visiting each node once, accumulation, freeing the
graph, hooks, grad modes, ``autograd.grad``, user-defined Functions, anomaly detection.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_engine.py``
"""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.autograd import Function, gradcheck

# ---- depth, visiting once, accumulation ------------------------------------------------------


def test_a_chain_of_a_million_ops_backpropagates_and_frees() -> None:
    x = tg.tensor(2.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()  # no RecursionError: the engine is iterative
    assert x.grad.item() == 1.0
    ref = weakref.ref(y.grad_fn)
    del y  # dropping a million-node chain must not overflow the C stack
    gc.collect()
    assert ref() is None


def test_a_long_chain_dropped_without_backward_is_freed() -> None:
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None  # refcounting alone, no gc pass


class Counting(Function):
    """Identity that counts how often its backward runs."""

    formula = "d x/dx = 1"
    calls = 0

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        Counting.calls += 1
        return grad


def test_each_node_is_visited_once_in_a_stack_of_diamonds() -> None:
    """50 stacked diamonds have 2^50 paths; the engine must do 50 node visits, not 2^50."""
    Counting.calls = 0
    x = tg.tensor(1.0, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(50):
        y = Counting.apply(y)
        y = y + y
    y.backward()
    assert Counting.calls == 50
    assert x.grad.item() == 2.0**50


def test_gradient_of_a_node_used_many_times_is_the_sum() -> None:
    x = tg.tensor([0.5, -1.0], dtype=tg.float64, requires_grad=True)
    a = x * 3
    y = a * a + a.exp() + a.sin() * a  # a feeds five ops
    y.sum().backward()
    av = 3 * x.data
    expected = 3 * (2 * av + np.exp(av) + np.cos(av) * av + np.sin(av))
    np.testing.assert_allclose(x.grad.data, expected)


def test_gradients_accumulate_across_backward_calls() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_of_a_leaf_is_not_aliased_to_other_memory() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    g = tg.tensor([5.0, 6.0])
    (x * 1).backward(g)
    x.grad.data[0] = 100.0  # writing the grad must not change the seed or x
    assert g.tolist() == [5.0, 6.0] and x.tolist() == [1.0, 2.0]


# ---- freeing and retaining the graph -----------------------------------------------------------


def test_second_backward_through_a_freed_graph_raises() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_saved_tensors_are_freed_after_backward() -> None:
    x = tg.tensor(np.ones(1000), requires_grad=True)
    h = x.exp()
    node = h.grad_fn
    h.sum().backward()
    assert node._saved is None


# ---- retain_grad, hooks, detach ----------------------------------------------------------------


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    k = x * 2
    (k * 1).sum().backward()
    with pytest.warns(UserWarning, match=r"not a leaf Tensor.*retain_grad\(\)"):
        assert k.grad is None  # not retained: reading it warns, as in PyTorch


def test_hooks_on_leaf_and_non_leaf_can_replace_the_gradient() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    hx = x.register_hook(lambda g: seen.append(g.tolist()))
    h = x * 3
    hh = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert seen == [[30.0, 30.0]]  # the leaf's hook sees the replaced gradient
    assert x.grad.tolist() == [30.0, 30.0]
    hx.remove()
    hh.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert seen == [[30.0, 30.0]] and x.grad.tolist() == [3.0, 3.0]


def test_hook_on_a_leaf_replacing_the_gradient() -> None:
    x = tg.tensor([1.0, -1.0], requires_grad=True)
    x.register_hook(lambda g: g.clamp(min=0))
    (x * tg.tensor([2.0, -2.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0]


def test_detach_and_requires_grad_() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    e = x.detach()
    e.data[0] = 7.0  # same memory
    assert x.data[0] == 7.0
    t = tg.ones(2)
    assert t.requires_grad_() is t and t.requires_grad and t.is_leaf
    t.requires_grad_(False)
    assert not t.requires_grad


def test_next_functions_link_the_graph() -> None:
    x = tg.tensor([1.0], requires_grad=True)
    y = x * 2 + 1
    (mul, _), (none, _) = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and none is None
    assert mul.next_functions[0][0].name() == "AccumulateGrad"


def test_edges_end_at_leaves_and_backward_makes_no_accumulate_grad_node() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    assert y.grad_fn._edges[0][0] is w and y.grad_fn._edges[1][0] is w
    y.sum().backward()
    assert w._accumulator is None  # the engine added into w.grad directly
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])
    # asked for, the node is made once and shared while it is held, as in PyTorch
    (a, _), (b, _) = y.grad_fn.next_functions
    assert a is b and a.variable is w and w._accumulator() is a


def test_a_leaf_hook_sees_its_total_gradient_once() -> None:
    w = tg.tensor(3.0, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.item()))
    (w * 2 + w * w).backward()
    assert seen == [2.0 + 6.0] and w.grad.item() == 8.0


# ---- grad modes --------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_as_contexts() -> None:
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        y = x * 2
        with tg.enable_grad():
            z = x * 2
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_and_enable_grad_as_decorators() -> None:
    x = tg.ones(2, requires_grad=True)

    @tg.no_grad()
    def with_parens(t):
        return t * 2

    @tg.no_grad
    def bare(t):
        return t * 2

    @tg.enable_grad()
    def enabled(t):
        return t * 2

    assert not with_parens(x).requires_grad
    assert not bare(x).requires_grad
    assert bare.__name__ == "bare"
    with tg.no_grad():
        assert enabled(x).requires_grad
    with tg.set_grad_enabled(False):
        assert not (x * 1).requires_grad
    assert (x * 1).requires_grad


def test_no_grad_is_thread_local() -> None:
    x = tg.ones(2, requires_grad=True)
    entered, release = threading.Event(), threading.Event()
    result = {}

    def worker():
        with tg.no_grad():
            entered.set()
            release.wait(5)
            result["worker"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    entered.wait(5)
    result["main"] = (x * 2).requires_grad  # the other thread is inside no_grad now
    release.set()
    t.join()
    assert result == {"main": True, "worker": False}


def test_a_new_thread_starts_with_grad_enabled() -> None:
    out = {}
    with tg.no_grad():
        t = threading.Thread(target=lambda: out.setdefault("on", tg.is_grad_enabled()))
        t.start()
        t.join()
    assert out["on"] is True


# ---- autograd.grad -----------------------------------------------------------------------------


def test_autograd_grad_with_grad_outputs_and_non_leaf_inputs() -> None:
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    y = h * 2
    gx, gh = tg.autograd.grad(y, [x, h], grad_outputs=tg.tensor([1.0, 0.5, 0.0]))
    assert gh.tolist() == [2.0, 1.0, 0.0]
    assert gx.tolist() == [4.0, 4.0, 0.0]
    assert x.grad is None  # autograd.grad leaves .grad alone


def test_autograd_grad_allow_unused() -> None:
    x = tg.tensor([1.0], requires_grad=True)
    unused = tg.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        tg.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = tg.autograd.grad(y, [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_autograd_grad_create_graph_twice() -> None:
    x = tg.tensor(1.5, dtype=tg.float64, requires_grad=True)
    y = x.sin() * x**3
    (d1,) = tg.autograd.grad(y, x, create_graph=True)
    (d2,) = tg.autograd.grad(d1, x, create_graph=True)
    (d3,) = tg.autograd.grad(d2, x)
    v = 1.5
    np.testing.assert_allclose(d1.item(), np.cos(v) * v**3 + 3 * v**2 * np.sin(v))
    np.testing.assert_allclose(d2.item(), -np.sin(v) * v**3 + 6 * v**2 * np.cos(v) + 6 * v * np.sin(v))
    np.testing.assert_allclose(
        d3.item(), -np.cos(v) * v**3 - 9 * v**2 * np.sin(v) + 18 * v * np.cos(v) + 6 * np.sin(v)
    )


def test_backward_with_inputs_only_fills_those() -> None:
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0] and b.grad is None


# ---- user-defined Functions --------------------------------------------------------------------


class ScaledMul(Function):
    """x * y * scale, with a non-tensor argument."""

    @staticmethod
    def forward(ctx, x, y, scale):
        ctx.save_for_backward(x, y)
        ctx.scale = scale
        return x * y * scale

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = grad * y * ctx.scale if ctx.needs_input_grad[0] else None
        gy = grad * x * ctx.scale if ctx.needs_input_grad[1] else None
        return gx, gy, None


class SinCos(Function):
    """Two outputs."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        (x,) = ctx.saved_tensors
        return g_sin * x.cos() - g_cos * x.sin()


class MyExp(Function):
    """Saves its own output (kept as an array, so no reference cycle)."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


def test_custom_function_with_non_tensor_argument() -> None:
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = tg.tensor([3.0, 4.0], dtype=tg.float64)
    out = ScaledMul.apply(x, y, 0.5)
    assert out.grad_fn.needs_input_grad == (True, False, False)
    assert out.grad_fn.name() == "ScaledMulBackward"
    out.sum().backward()
    assert x.grad.tolist() == [1.5, 2.0] and y.grad is None
    y.requires_grad_()
    assert gradcheck(lambda a, b: ScaledMul.apply(a, b, 0.5), (x, y))


def test_custom_function_with_two_outputs() -> None:
    x = tg.tensor([0.3, -1.2], dtype=tg.float64, requires_grad=True)
    s, c = SinCos.apply(x)
    np.testing.assert_allclose(s.data, np.sin(x.data))
    assert s.grad_fn is c.grad_fn
    s.sum().backward()  # c gets no gradient: it arrives as zeros
    np.testing.assert_allclose(x.grad.data, np.cos(x.data))
    assert gradcheck(lambda t: SinCos.apply(t), (x,))
    assert gradcheck(lambda t: SinCos.apply(t)[0] * SinCos.apply(t)[1], (x,))


def test_custom_function_saving_its_output_makes_no_cycle() -> None:
    x = tg.tensor([0.5], dtype=tg.float64, requires_grad=True)
    gc.disable()
    try:
        y = MyExp.apply(x)
        node = weakref.ref(y.grad_fn)
        out = weakref.ref(y)
        del y
        assert node() is None and out() is None
    finally:
        gc.enable()
    assert gradcheck(lambda t: MyExp.apply(t), (x,))


def test_custom_function_returning_wrong_number_of_gradients() -> None:
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return (grad,)

    a = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, a).sum().backward()


# ---- anomaly detection -------------------------------------------------------------------------


def test_detect_anomaly_names_the_forward_op_that_made_nan() -> None:
    x = tg.tensor([-1.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="Log produced NaN or Inf"):
        (x * 2).log()


def test_detect_anomaly_names_the_backward_node_that_made_inf() -> None:
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        y = x.sqrt()
        with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan or inf"):
            y.sum().backward()


def test_without_detect_anomaly_nan_passes_silently() -> None:
    x = tg.tensor([0.0], requires_grad=True)
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0])


def test_a_hook_on_a_tensor_used_twice_sees_the_total_once() -> None:
    x = tg.tensor([1.5, 2.0], dtype=tg.float64, requires_grad=True)
    calls = []
    h = x * 2
    h.register_hook(lambda g: calls.append(g.tolist()))
    (h * h + h.exp()).sum().backward()
    np.testing.assert_allclose(calls, [2 * h.data + np.exp(h.data)])


def test_backward_of_several_outputs() -> None:
    x = tg.tensor([1.5, 2.0], requires_grad=True)
    tg.autograd.backward([x * 2, x * x], [tg.ones(2), tg.tensor([1.0, 0.0])])
    assert x.grad.tolist() == [5.0, 2.0]


def test_backward_with_create_graph_gives_a_differentiable_grad() -> None:
    x = tg.tensor([1.5, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.tolist() == [6.75, 12.0]
    g.sum().backward()  # d/dx sum(3x^2) = 6x, accumulated onto 3x^2
    assert x.grad.tolist() == [15.75, 24.0]


def test_integer_outputs_of_recorded_ops_do_not_require_grad() -> None:
    x = tg.tensor([1.0, 3.0, 2.0], requires_grad=True)
    values, indices = x.max(0)
    assert values.requires_grad and not indices.requires_grad
    assert not (x > 1).requires_grad and not x.argmax().requires_grad
    assert (x.long() * 2).requires_grad is False


class DoubleAndSign(Function):
    """Two float outputs, the second marked non-differentiable; grads not materialised."""

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        sign = x.sign()
        ctx.mark_non_differentiable(sign)
        return x * 2, sign

    @staticmethod
    def backward(ctx, g_double, g_sign):
        assert g_sign is None  # not materialised as zeros
        return None if g_double is None else g_double * 2


def test_mark_non_differentiable_and_set_materialize_grads() -> None:
    x = tg.tensor([-1.0, 3.0], requires_grad=True)
    doubled, sign = DoubleAndSign.apply(x)
    assert doubled.requires_grad and not sign.requires_grad and sign.grad_fn is None
    doubled.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_needs_input_grad_is_readable_in_forward_even_under_no_grad() -> None:
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(ctx.needs_input_grad)
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    a = tg.ones(1, requires_grad=True)
    Probe.apply(a, tg.ones(1))
    with tg.no_grad():
        Probe.apply(a, tg.ones(1))
    assert seen == [(True, False), (False, False)]
