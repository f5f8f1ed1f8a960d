"""``t.grad = g`` is checked as PyTorch checks it (a Tensor or None, the same dtype and
shape, not the tensor itself), and a tensor hook may not change the gradient's shape or
dtype: a wrong gradient is refused where it is made instead of being broadcast by the next
backward (issue 10, item 7)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch parity tests need torch")

# (label, make the bad value from the library, exception type, message fragment)
BAD = [
    (
        "smaller shape",
        lambda lib, x: lib.ones(1),
        RuntimeError,
        "gradient of size '[1]' to a tensor of size '[3]'",
    ),
    ("extra dim", lambda lib, x: lib.ones(3, 1), RuntimeError, "of size '[3, 1]' to a tensor of size '[3]'"),
    ("float64", lambda lib, x: lib.ones(3, dtype=lib.float64), RuntimeError, "dtype"),
    ("int64", lambda lib, x: lib.ones(3, dtype=lib.int64), RuntimeError, "dtype"),
    ("ndarray", lambda lib, x: np.ones(3, np.float32), TypeError, "got grad of type numpy.ndarray"),
    ("float", lambda lib, x: 3.0, TypeError, "got grad of type float"),
    ("list", lambda lib, x: [1.0, 2.0, 3.0], TypeError, "got grad of type list"),
    ("itself", lambda lib, x: x, RuntimeError, "can't assign Variable as its own grad"),
]


@pytest.mark.parametrize("label, make, error, fragment", BAD, ids=[b[0] for b in BAD])
def test_a_wrong_grad_is_refused_at_assignment(label, make, error, fragment):
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(error) as exc:
        x.grad = make(tg, x)
    assert fragment in str(exc.value)
    assert x.grad is None
    (x * 2).sum().backward()  # and backward is not affected by the refused value
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


@needs_torch
@pytest.mark.parametrize("label, make, error, fragment", BAD, ids=[b[0] for b in BAD])
def test_the_same_assignments_are_refused_by_pytorch(label, make, error, fragment):
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(error):
        x.grad = make(torch, x)


def test_a_wrong_grad_on_a_parameter_keeps_the_old_grad():
    w = tg.nn.Parameter(tg.ones(2, 2))
    w.grad = tg.zeros(2, 2)
    with pytest.raises(RuntimeError, match="same size"):
        w.grad = tg.ones(1)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((2, 2)))


def test_valid_assignments_are_accepted():
    x = tg.ones(3, requires_grad=True)
    g = tg.full((3,), 5.0)
    x.grad = g
    assert x.grad is g  # stored as given, as in PyTorch
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0, 7.0])
    x.grad = None
    assert x.grad is None
    x.grad = tg.ones(3, requires_grad=True)  # a gradient with a history is fine
    del x.grad
    assert x.grad is None
    y = x * 2
    y.grad = tg.ones(3)  # a non-leaf, as PyTorch allows
    z = tg.ones(3, dtype=tg.int64)
    z.grad = tg.zeros(3, dtype=tg.int64)
    v = tg.ones(2, 2).t()
    v.grad = tg.ones(2, 2)


def test_zero_grad_and_optimizers_still_work():
    lin = tg.nn.Linear(2, 1)
    opt = tg.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    for set_to_none in (False, True):
        lin(tg.ones(4, 2)).sum().backward()
        opt.step()
        opt.zero_grad(set_to_none=set_to_none)
        lin.zero_grad(set_to_none=set_to_none)
        for p in lin.parameters():
            assert p.grad is None if set_to_none else not p.grad.numpy().any()
    lin.double()
    lin(tg.ones(4, 2, dtype=tg.float64)).sum().backward()
    assert lin.weight.grad.dtype == tg.float64


# ---- tensor hooks must not change the gradient's shape or dtype ----------------------------------
HOOKS = [
    ("size", lambda lib, g: lib.ones(1), "has changed the size of value"),
    ("extra dim", lambda lib, g: g.reshape(3, 1), "has changed the size of value"),
    ("dtype", lambda lib, g: g.double(), "has changed the type of value"),
]


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize("label, result, fragment", HOOKS, ids=[h[0] for h in HOOKS])
def test_a_hook_that_changes_shape_or_dtype_is_refused(label, result, fragment, leaf):
    x = tg.ones(3, requires_grad=True)
    target = x if leaf else x * 2

    def reshaping_hook(g):
        return result(tg, g)

    target.register_hook(reshaping_hook)
    with pytest.raises(RuntimeError, match=f"hook 'reshaping_hook' {fragment}"):
        (target * 3).sum().backward()
    assert x.grad is None


@needs_torch
@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize("label, result, fragment", HOOKS, ids=[h[0] for h in HOOKS])
def test_pytorch_refuses_the_same_hooks(label, result, fragment, leaf):
    x = torch.ones(3, requires_grad=True)
    target = x if leaf else x * 2
    target.register_hook(lambda g: result(torch, g))
    with pytest.raises(RuntimeError, match=fragment):
        (target * 3).sum().backward()


def test_a_hook_returning_a_same_shaped_gradient_is_used():
    x = tg.ones(3, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 20.0, 20.0])
