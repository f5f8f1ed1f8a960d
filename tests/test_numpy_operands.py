"""NumPy arrays and NumPy scalars as operands, and NumPy functions called on tensors
(issue 10, item 3): ``ndarray * t`` used to be computed by NumPy, which converted ``t`` and
silently dropped it from the graph. Now NumPy defers to the Tensor, so every operator gives
the same Tensor (value, dtype, gradient) with the array on either side; NumPy ufuncs and
functions on a tensor in a graph run the matching op or raise TypeError."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import tinygrad_np as tg

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch parity tests need torch")

VALUES = [0.5, 1.5, 2.0]
ARITH = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "@": operator.matmul,
}
COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
DIFFERENTIABLE = {"+", "-", "*", "/", "%", "**", "@"}

# the NumPy operand, and how the same value is written without NumPy (a tensor or a number)
OPERANDS = {
    "float64 array": np.array([1.0, 2.0, 3.0]),
    "float32 array": np.array([1.0, 2.0, 3.0], np.float32),
    "int64 array": np.array([1, 2, 3]),
    "float16 array": np.array([1.0, 2.0, 3.0], np.float16),
    "0-d float64 array": np.array(2.0),
    "float64 scalar": np.float64(2.0),
    "float32 scalar": np.float32(2.0),
    "int64 scalar": np.int64(2),
    "bool scalar": np.bool_(True),
}


def _plain(lib, a):
    """The NumPy operand as the library's own: a tensor for an array, a number for a scalar."""
    if isinstance(a, np.ndarray):
        return lib.tensor(a)
    return a.item()


CASES = [
    (op, name, left)
    for op in [*ARITH, *COMPARE]
    for name, a in OPERANDS.items()
    for left in (True, False)
    # a scalar cannot be multiplied as a matrix, and matmul does not promote dtypes (PyTorch)
    if not (op == "@" and (np.ndim(a) == 0 or a.dtype != np.float32))
]


def _apply(fn, a, t, left):
    return fn(a, t) if left else fn(t, a)


@pytest.mark.parametrize(
    "op, name, left", CASES, ids=[f"{n} {o} {'left' if lf else 'right'}" for o, n, lf in CASES]
)
def test_operator_with_a_numpy_operand_is_the_tensor_op(op, name, left):
    fn = {**ARITH, **COMPARE}[op]
    a = OPERANDS[name]
    rg = op != "//"  # floor division has no derivative: a tensor that requires grad is refused
    t = tg.tensor(VALUES, requires_grad=rg)
    out = _apply(fn, a, t, left)
    assert isinstance(out, tg.Tensor), f"{name} {op} tensor gave {type(out).__name__}"
    t_ref = tg.tensor(VALUES, requires_grad=rg)
    ref = _apply(fn, _plain(tg, a), t_ref, left)
    assert out.dtype == ref.dtype
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    if op in DIFFERENTIABLE:
        assert out.grad_fn is not None
        out.sum().backward()
        ref.sum().backward()
        assert t.grad is not None, "the gradient never reached the tensor"
        np.testing.assert_allclose(t.grad.numpy(), t_ref.grad.numpy(), rtol=1e-6)


@needs_torch
@pytest.mark.parametrize(
    "op, name, left", CASES, ids=[f"{n} {o} {'left' if lf else 'right'}" for o, n, lf in CASES]
)
def test_operator_with_a_numpy_operand_matches_pytorch(op, name, left):
    """PyTorch takes a NumPy scalar on either side; an array it refuses, so its tensor
    (``torch.from_numpy(a)``) stands in for it."""
    fn = {**ARITH, **COMPARE}[op]
    a = OPERANDS[name]
    rg = op != "//"
    t = tg.tensor(VALUES, requires_grad=rg)
    tt = torch.tensor(VALUES, requires_grad=rg)
    ours = _apply(fn, a, t, left)
    theirs = _apply(fn, torch.from_numpy(a) if isinstance(a, np.ndarray) else a, tt, left)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    if op in DIFFERENTIABLE and not (op == "%" and left and np.ndim(a) == 0):
        # (PyTorch has no derivative of remainder(scalar, tensor) in the tensor; we do)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("left", [True, False], ids=["left", "right"])
@pytest.mark.parametrize("name", ["float64 array", "int64 scalar"])
def test_floor_division_of_a_tensor_that_requires_grad_is_refused_from_either_side(name, left):
    """As PyTorch (floor_divide has no derivative): refused, not silently cut from the graph."""
    t = tg.tensor(VALUES, requires_grad=True)
    with pytest.raises(RuntimeError, match="floor_divide"):
        _apply(operator.floordiv, OPERANDS[name], t, left)


BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor}
BIT_OPERANDS = {
    "int64 array": (np.array([1, 2, 3]), [3, 1, 2]),
    "bool array": (np.array([True, False, True]), [True, True, False]),
    "int64 scalar": (np.int64(6), [3, 1, 2]),
    "bool scalar": (np.bool_(True), [True, True, False]),
}


@pytest.mark.parametrize("left", [True, False], ids=["left", "right"])
@pytest.mark.parametrize("name", list(BIT_OPERANDS))
@pytest.mark.parametrize("op", list(BITWISE))
def test_bitwise_operator_with_a_numpy_operand_is_the_tensor_op(op, name, left):
    a, values = BIT_OPERANDS[name]
    t = tg.tensor(values)
    out = _apply(BITWISE[op], a, t, left)
    assert isinstance(out, tg.Tensor)
    ref = _apply(BITWISE[op], _plain(tg, a), t, left)
    assert out.dtype == ref.dtype
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_the_issues_example_trains():
    """A NumPy target on the left of the loss: the weights get their gradient."""
    target = np.array([[1.0], [2.0]], np.float32)
    lin = tg.nn.Linear(2, 1)
    loss = ((target - lin(tg.ones(2, 2))) ** 2).mean()
    loss.backward()
    assert lin.weight.grad is not None and np.abs(lin.weight.grad.numpy()).sum() > 0


def test_in_place_operator_on_an_array():
    a = np.ones(3)
    a += tg.tensor([1.0, 2.0, 3.0])  # NumPy writes into its own array: an ndarray, as before
    assert type(a) is np.ndarray
    np.testing.assert_array_equal(a, [2.0, 3.0, 4.0])
    with pytest.raises(TypeError, match="requires grad"):
        a += tg.tensor([1.0, 2.0, 3.0], requires_grad=True)  # would drop the graph


# ---- NumPy ufuncs called on tensors ---------------------------------------------------------------
UNARY = {
    np.negative: "neg",
    np.positive: None,
    np.absolute: "abs",
    np.exp: "exp",
    np.log: "log",
    np.sqrt: "sqrt",
    np.square: "square",
    np.reciprocal: "reciprocal",
    np.sin: "sin",
    np.cos: "cos",
    np.tanh: "tanh",
    np.sign: "sign",
    np.floor: "floor",
    np.ceil: "ceil",
    np.rint: "round",
}


@pytest.mark.parametrize("ufunc", list(UNARY), ids=lambda u: u.__name__)
def test_unary_ufunc_on_a_tensor_in_the_graph_is_the_tensor_op(ufunc):
    t = tg.tensor(VALUES, requires_grad=True)
    out = ufunc(t)
    assert isinstance(out, tg.Tensor)
    np.testing.assert_allclose(out.detach().numpy(), ufunc(np.array(VALUES, np.float32)), rtol=1e-6)
    t_ref = tg.tensor(VALUES, requires_grad=True)
    method = UNARY[ufunc]
    ref = getattr(t_ref, method)() if method else +t_ref
    assert out.requires_grad == ref.requires_grad
    if ref.requires_grad:
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_array_equal(t.grad.numpy(), t_ref.grad.numpy())


@pytest.mark.parametrize("ufunc", list(UNARY), ids=lambda u: u.__name__)
def test_unary_ufunc_on_a_tensor_outside_a_graph_is_numpys_result(ufunc):
    """As NumPy gives for a PyTorch tensor: an ndarray."""
    out = ufunc(tg.tensor(VALUES))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, ufunc(np.array(VALUES, np.float32)))


@pytest.mark.parametrize(
    "ufunc", [np.add, np.subtract, np.multiply, np.divide, np.power, np.maximum, np.minimum]
)
def test_binary_ufunc_called_by_name_is_in_the_graph(ufunc):
    a = np.array([2.0, 0.5, 1.0], np.float32)
    t = tg.tensor(VALUES, requires_grad=True)
    out = ufunc(a, t)
    assert isinstance(out, tg.Tensor) and out.grad_fn is not None
    np.testing.assert_allclose(out.detach().numpy(), ufunc(a, np.array(VALUES, np.float32)), rtol=1e-6)
    out.sum().backward()
    assert t.grad is not None


@pytest.mark.parametrize(
    "call",
    [
        lambda t: np.log1p(t),
        lambda t: np.arctan2(np.ones(3), t),
        lambda t: np.add.reduce(t),
        lambda t: np.add(t, 1.0, dtype=np.float64),
        lambda t: np.linalg.norm(t),
        lambda t: np.percentile(t, 50),
    ],
    ids=["log1p", "arctan2", "add.reduce", "add(dtype=)", "linalg.norm", "percentile"],
)
def test_numpy_without_a_counterpart_refuses_a_tensor_in_the_graph(call):
    t = tg.tensor(VALUES, requires_grad=True)
    with pytest.raises(TypeError, match="requires grad"):
        call(t)
    assert not isinstance(call(t.detach()), tg.Tensor)  # detached: NumPy's result, on purpose
    with tg.no_grad():
        call(t)


def test_a_tensor_as_out_is_refused():
    with pytest.raises(TypeError, match="out=tensor"):
        np.exp(np.ones(3), out=tg.zeros(3))


def test_queries_and_asarray_still_answer_for_a_tensor_in_the_graph():
    t = tg.tensor(VALUES, requires_grad=True)
    assert type(np.asarray(t)) is np.ndarray
    assert np.allclose(t, VALUES)
    assert int(np.argmax(t)) == 2
    assert np.shape(t) == (3,)
    assert np.isnan(t).sum().item() == 0


# ---- NumPy functions called on tensors ---------------------------------------------------------
FUNCTIONS = [
    ("sum", lambda t: np.sum(t, axis=0), lambda t: t.sum(0)),
    ("mean", lambda t: np.mean(t), lambda t: t.mean()),
    ("prod", lambda t: np.prod(t, axis=1, keepdims=True), lambda t: t.prod(1, keepdim=True)),
    ("max", lambda t: np.max(t, axis=1), lambda t: t.amax(1)),
    ("min", lambda t: np.min(t), lambda t: t.amin()),
    ("var", lambda t: np.var(t, axis=0), lambda t: t.var(0, correction=0)),
    ("std", lambda t: np.std(t, ddof=1), lambda t: t.std()),
    ("clip", lambda t: np.clip(t, 0.6, 1.6), lambda t: t.clamp(0.6, 1.6)),
    (
        "concatenate",
        lambda t: np.concatenate([t, np.ones((1, 3), np.float32)]),
        lambda t: tg.cat([t, tg.ones(1, 3)]),
    ),
    ("stack", lambda t: np.stack([t, t], axis=1), lambda t: tg.stack([t, t], 1)),
    ("transpose", lambda t: np.transpose(t), lambda t: t.T),
    ("reshape", lambda t: np.reshape(t, (3, 2)), lambda t: t.reshape(3, 2)),
    ("squeeze", lambda t: np.squeeze(t[:1]), lambda t: t[:1].squeeze()),
    ("expand_dims", lambda t: np.expand_dims(t, 0), lambda t: t.unsqueeze(0)),
    (
        "where",
        lambda t: np.where(np.eye(2, 3, dtype=bool), t, 0.0),
        lambda t: tg.where(tg.eye(2, 3).bool(), t, 0.0),
    ),
    ("dot", lambda t: np.dot(t, np.ones(3, np.float32)), lambda t: t @ tg.ones(3)),
    ("cumsum", lambda t: np.cumsum(t, axis=1), lambda t: t.cumsum(1)),
    ("round", lambda t: np.round(t), lambda t: t.round()),
]


@pytest.mark.parametrize("name, numpy_call, our_call", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_numpy_function_on_a_tensor_in_the_graph_is_the_tensor_op(name, numpy_call, our_call):
    data = np.array([[0.5, 1.5, 2.0], [1.0, 0.25, 3.0]], np.float32)
    t = tg.tensor(data, requires_grad=True)
    out = numpy_call(t)
    assert isinstance(out, tg.Tensor) and out.grad_fn is not None, f"np.{name} dropped the graph"
    t_ref = tg.tensor(data, requires_grad=True)
    ref = our_call(t_ref)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), t_ref.grad.numpy(), rtol=1e-6)
