"""Every operand is on the picture (issue 12.1): tensors without grad, Python and NumPy
scalars, without record_inputs and without keeping their arrays alive."""

import gc
import re
import weakref

import numpy as np

import tinygrad_np as tg
from tinygrad_np import nn, viz
from tinygrad_np.autograd import Function, operands


def parse(source):
    nodes = {}
    for m in re.finditer(r"^\t(\w+) \[label=\"((?:[^\"\\]|\\.)*)\"", source, re.M):
        nodes[m.group(1)] = m.group(2).replace("\\n", "\n")
    edges = re.findall(r"^\t+(\w+) -> (\w+)", source, re.M)
    return nodes, edges


def op_of(nodes, formula_part):
    """The op node whose label holds ``formula_part`` (its name or its formula)."""
    found = [k for k, v in nodes.items() if k.startswith("op") and formula_part in v]
    assert len(found) == 1, (formula_part, nodes)
    return found[0]


def test_tensor_without_grad_python_and_numpy_scalars_are_all_drawn():
    w = tg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    target = tg.tensor([0.0, 1.0, 2.0])
    mask = tg.tensor([1.0, 0.0, 1.0])
    diff = (w - target) * mask
    sq = diff**2
    scaled = sq * np.float32(0.5)  # (a NumPy scalar on the left is issue 10.3)
    loss = scaled.sum()
    nodes, edges = parse(viz.draw_graph(loss, show_formulas=False).source)
    labels = {v: k for k, v in nodes.items()}
    assert labels["target\n(3,) float32"] and labels["mask\n(3,) float32"]
    assert "2" in labels and "0.5" in labels  # the Python int exponent and the NumPy scalar
    sub = op_of(nodes, "Sub")
    mul = [k for k, v in nodes.items() if k.startswith("op") and "Mul" in v]
    pow_ = op_of(nodes, "Pow")
    assert (labels["target\n(3,) float32"], sub) in edges
    assert (labels["mask\n(3,) float32"], mul[0]) in edges or (labels["mask\n(3,) float32"], mul[1]) in edges
    assert (labels["2"], pow_) in edges
    assert any((labels["0.5"], m) in edges for m in mul)
    # every op now shows all of its tensor operands: two in-edges for each binary op
    for op in (sub, pow_, *mul):
        assert sum(1 for _, b in edges if b == op) == 2, nodes[op]


def test_operands_are_described_not_kept_alive():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    big = tg.tensor(np.arange(100_000, dtype=np.float32))
    ref = weakref.ref(big)
    arr_ref = weakref.ref(big._data) if hasattr(big._data, "__weakref__") else None
    loss = (w.sum() + big).sum()
    (c,) = operands.of(loss.grad_fn._edges[0][0])  # SumBackward <- AddBackward
    index, shape, dtype, value, _ = c
    assert (index, shape, dtype, value) == (1, (100_000,), np.float32, None)
    del big
    gc.collect()
    assert ref() is None and (arr_ref is None or arr_ref() is None)
    nodes, _ = parse(viz.draw_graph(loss).source)
    # after `del`, the drawing still shows the operand's shape and dtype (no name, no values)
    assert "(100000,) float32" in nodes.values()


def test_one_element_constant_keeps_its_value_as_a_number():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x**3
    ((index, shape, _, value, _),) = operands.of(y.grad_fn)
    assert index == 1 and shape == () and value == 3.0 and isinstance(value, float)


def test_named_scalar_tensor_and_user_function_operands():
    class Scale(Function):
        formula = "d(s x)/dx = s"

        @staticmethod
        def forward(ctx, x, s):
            ctx.s = float(s._data)
            return x * s

        @staticmethod
        def backward(ctx, g):
            return g * ctx.s, None

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    factor = tg.tensor(4.0)
    out = Scale.apply(x, factor).sum()
    nodes, _ = parse(viz.draw_graph(out).source)
    assert "factor = 4" in nodes.values()


def test_module_data_and_targets_are_drawn_and_folded():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    data = tg.randn(5, 3)
    labels = tg.randn(5, 1)
    loss = nn.functional.mse_loss(model(data), labels)
    nodes, _ = parse(viz.draw_graph(loss, params=model).source)
    values = set(nodes.values())
    assert "data\n(5, 3) float32" in values and "labels\n(5, 1) float32" in values
    folded, _ = parse(viz.draw_graph(loss, params=model, collapse="modules").source)
    assert "labels\n(5, 1) float32" in folded.values()


def test_no_constants_recorded_when_every_input_needs_grad():
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([2.0], requires_grad=True)
    assert (a * b).grad_fn._consts == ()
