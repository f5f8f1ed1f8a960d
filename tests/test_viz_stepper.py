"""The stepper teaches (issue 12.4): why each node runs now, the incoming gradient, the
vector-Jacobian product for each input with shapes and numbers, where each result goes; small
tensors in full; the forward pass stepped too. The numbers are the engine's."""

import numpy as np
from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import nn, viz


def sine_net():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    x = tg.linspace(-3, 3, 64).reshape(-1, 1)
    y = tg.sin(x)
    pred = model(x)
    loss = nn.functional.mse_loss(pred, y)
    return model, x, y, pred, loss


def test_linear_layer_shows_its_vector_jacobian_products_with_shapes():
    model, x, y, pred, loss = sine_net()
    trace = viz.backward_steps(loss, params=model)
    last = next(s for s in trace if "Addmm" in s.name and any(n == "2.weight" for _, n, _ in s.grads_out))
    text = "\n".join(last.lines)
    assert "dL/d2.weight = (dL/dpred)ᵀ · sigmoid" in text
    assert "shapes: (1, 20) = (1, 64) · (64, 20)" in text
    assert "dL/dsigmoid = dL/dpred · 2.weight" in text and "shapes: (64, 20) = (64, 1) · (1, 20)" in text
    assert "dL/d2.bias = sum over rows of dL/dpred" in text
    assert (
        last.lines[0] == "Why now: every op that used pred has sent its gradient: MseLossBackward0 (step 1)"
    )
    assert "dL/d2.weight goes to 2.weight.grad, via 2.weight's AccumulateGrad (step" in text
    first = trace[0]
    assert first.lines[0].startswith("Why now: loss is the root")
    assert "dL/dpred = dL/dloss · 2(pred - y) / N" in "\n".join(first.lines)


def test_every_steps_numbers_are_the_engines_gradients():
    model, x, y, pred, loss = sine_net()
    trace = viz.backward_steps(loss, params=model)
    loss.backward()
    leaves = {s.output_names[0]: s.grad_in[0] for s in trace if s.kind == "leaf"}
    for name, p in model.named_parameters():
        np.testing.assert_allclose(leaves[name], p.grad.numpy(), rtol=1e-6)
    # what each op sends equals what its consumers' steps received (summed where several send)
    received = {}
    for s in trace:
        if s.kind == "op":
            for k, g in zip(s.output_names, s.grad_in, strict=False):
                received[k] = g
    sent = {}
    for s in trace:
        for _, name, g in s.grads_out:
            sent[name] = sent.get(name, 0) + g
    for name, g in received.items():
        if name in sent:
            np.testing.assert_allclose(sent[name], g, rtol=1e-6)


def test_accumulation_names_what_was_already_there():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = x.exp()
    loss = (a * a.sin()).sum()
    trace = viz.backward_steps(loss)
    mul = next(s for s in trace if s.name.startswith("Mul"))
    text = "\n".join(mul.lines)
    assert "dL/da goes into the gradient buffer of a, read by ExpBackward" in text
    sin = next(s for s in trace if s.name.startswith("Sin"))
    (goes,) = [ln for ln in sin.lines if ln.startswith("dL/da goes")]
    assert "added to the [" in goes and "already there (from MulBackward0 (step 2))" in goes
    exp = next(s for s in trace if s.name.startswith("Exp"))
    assert exp.lines[0] == (
        "Why now: every op that used a has sent its gradient: MulBackward0 (step 2), SinBackward0 (step 3)"
    )
    x.grad = tg.tensor([10.0, 20.0])
    leaf = viz.backward_steps(loss)[-1]
    assert leaf.lines[-1].startswith("x.grad already holds [10., 20.] (an earlier backward)")


def test_small_tensors_in_full_bigger_ones_summarised():
    w = tg.tensor(np.arange(16, dtype=np.float32).reshape(4, 4), requires_grad=True)
    loss = (w * 2.0).sum()
    trace = viz.backward_steps(loss)
    assert (
        trace[-1].lines[1]
        == "dL/dw (4, 4) = [[2., 2., 2., 2.], [2., 2., 2., 2.], [2., 2., 2., 2.], [2., 2., 2., 2.]]"
    )
    short = viz.backward_steps(loss, max_elements=4)
    text = "\n".join(short[-1].lines)
    assert "shape (4, 4): mean 2 std 0 min 2 max 2; first entries [2, 2, 2, 2, ...]" in text


def test_broadcast_results_say_they_were_summed():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = tg.tensor([0.5, 0.5], requires_grad=True)
    loss = (x * b).sum()
    mul = viz.backward_steps(loss)[1]
    text = "\n".join(mul.lines)
    assert "dL/db = dL/dmul ⊙ x" in text
    assert "then summed over the broadcast dimensions to (2,)" in text


@needs_renderer
def test_forward_steps_come_first_in_forward_order():
    x = tg.tensor(0.5, requires_grad=True)
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    h = (w * x).tanh()
    loss = h.sum()
    st = viz.stepper(loss)
    fwd = [s for s in st.steps if s["phase"] == "forward"]
    assert [s["title"] for s in fwd] == [
        "Forward 1 of 3: Mul makes mul",
        "Forward 2 of 3: Tanh makes h",
        "Forward 3 of 3: Sum makes loss",
    ]
    assert "h = [ 0.4621, -0.7616]" in fwd[1]["lines"]
    assert "    input w = [ 1., -2.]" in fwd[0]["lines"]
    assert st.steps[3]["title"] == "Backward 1 of 5: SumBackward0"
    only_backward = viz.stepper(loss, forward=False)
    assert [s["phase"] for s in only_backward.steps] == ["backward"] * 5
