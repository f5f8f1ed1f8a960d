"""Behaviours of issue 13 that need no PyTorch to check: the legacy constructors, printing,
node names, and the errors and warnings that teach (``test_compat_api_ops.py`` runs the same
surface side by side with PyTorch)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.autograd import Function
from tinygrad_np.autograd.function import short_name


def test_legacy_constructor_forms() -> None:
    assert tg.Tensor(2, 3).shape == (2, 3) and tg.Tensor(2, 3).dtype == tg.float32
    assert tg.Tensor(tg.Size([4])).shape == (4,) and tg.Tensor().shape == (0,)
    assert tg.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data, a Size is a shape
    assert tg.Tensor([1, 2]).dtype == tg.float32 and tg.Tensor(np.array([1.0, 2.0])).dtype == tg.float32
    a = np.zeros(2, np.float32)
    t = tg.Tensor(a)
    a[0] = 5
    assert t.tolist() == [5.0, 0.0]  # shares an ndarray of the default dtype
    d = tg.tensor([1.0], dtype=tg.float64)
    assert tg.Tensor(d).dtype == tg.float64 and tg.Tensor(d)._data is d._data
    for bad in [lambda: tg.Tensor([1.0], 5), lambda: tg.Tensor(3.5), lambda: tg.Tensor(2, 3.0)]:
        with pytest.raises(TypeError):
            bad()
    with pytest.raises(RuntimeError, match="negative dimension"):
        tg.Tensor(2, -1)


def test_legacy_typed_constructors() -> None:
    assert tg.LongTensor([1.5, 2.0]).tolist() == [1, 2] and tg.LongTensor(3).dtype == tg.int64
    assert tg.BoolTensor([1, 0]).tolist() == [True, False] and tg.IntTensor(2).dtype == tg.int32
    assert tg.DoubleTensor([1]).dtype == tg.float64 and tg.FloatTensor(2, 2).shape == (2, 2)
    assert isinstance(tg.ones(2), tg.FloatTensor) and not isinstance(tg.ones(2), tg.LongTensor)
    assert isinstance(tg.nn.Parameter(tg.ones(2)), tg.FloatTensor)
    assert tg.ones(2).type(tg.LongTensor).dtype == tg.int64
    assert tg.ones(2).type("torch.DoubleTensor").dtype == tg.float64
    with pytest.raises(TypeError, match="LongTensor"):
        tg.LongTensor(tg.ones(2))


def test_parameter_keeps_its_dtype() -> None:
    assert tg.nn.Parameter(tg.ones(2, dtype=tg.float64)).dtype == tg.float64
    assert tg.nn.Parameter(np.ones(2)).dtype == tg.float64


def test_format() -> None:
    loss = tg.tensor(2.4543561935424805, dtype=tg.float64)
    assert f"{loss}" == "2.4543561935424805" and f"{loss:.2f}" == "2.45" and f"{tg.tensor(7)}" == "7"
    assert f"{tg.ones(2)}" == "tensor([1., 1.])"
    with pytest.raises(TypeError, match="unsupported format string"):
        format(tg.ones(2), ".2f")


def test_set_printoptions() -> None:
    try:
        tg.set_printoptions(precision=2)
        assert repr(tg.tensor([1.12345])) == "tensor([1.12])"
        tg.set_printoptions(threshold=5)
        assert repr(tg.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
        tg.set_printoptions(sci_mode=True)
        assert repr(tg.tensor([1.5])) == "tensor([1.50e+00])"  # precision 2 still set
        tg.set_printoptions(linewidth=20)
        assert "\n" in repr(tg.arange(8.0))
        with pytest.raises(ValueError, match="profile"):
            tg.set_printoptions(profile="long")
    finally:
        tg.set_printoptions(profile="default")
    assert repr(tg.tensor([1.12345])) == "tensor([1.1235])"


def test_node_names_as_pytorch_prints_them() -> None:
    x = tg.tensor([[1.0, 2.0]], requires_grad=True)
    assert (x * 2).grad_fn.name() == "MulBackward0" and repr((x * 2).grad_fn) == "<MulBackward0>"
    assert (x @ x.t()).grad_fn.name() == "MmBackward0" and x.reshape(2).grad_fn.name() == "ViewBackward0"
    assert (
        x.log1p().grad_fn.name() == "Log1PBackward0"
        and x.norm().grad_fn.name() == "LinalgVectorNormBackward0"
    )
    lin = tg.nn.Linear(2, 3)
    loss = tg.nn.functional.cross_entropy(lin(x), tg.tensor([1]))
    assert lin(x).grad_fn.name() == "AddmmBackward0" and loss.grad_fn.name() == "NllLossBackward0"
    assert "grad_fn=<NllLossBackward0>" in repr(loss)

    class MyFn(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return g

    assert MyFn.apply(x).grad_fn.name() == "MyFnBackward"  # a user Function: no number, as PyTorch
    assert short_name("MulBackward0") == "Mul" and short_name("MyFnBackward") == "MyFn"
    assert (x * 2).grad_fn.op_name() == "Mul" and short_name("CopySlices") == "CopySlices"


def test_reading_grad_of_a_non_leaf_warns() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match=r"not a leaf Tensor.*retain_grad\(\)") as record:
        assert y.grad is None
    assert record[0].filename == __file__  # the warning points at the line that read .grad
    y.retain_grad()
    (y * y).sum().backward()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [4.0, 8.0] and x.grad.tolist() == [8.0, 16.0]
        x.grad = None  # leaves: no warning, and the setter works
        assert x.grad is None


def test_a_list_given_to_a_layer_says_it_must_be_a_tensor() -> None:
    for layer in [tg.nn.Linear(2, 3), tg.nn.ReLU(), tg.nn.Sequential(tg.nn.Linear(2, 2)), tg.nn.LayerNorm(2)]:
        with pytest.raises(
            TypeError, match=r"must be a Tensor, not list; convert it first with tinygrad_np.tensor"
        ):
            layer([1.0, 2.0])
    with pytest.raises(TypeError, match=r"BatchNorm1d: .* must be a Tensor, not ndarray"):
        tg.nn.BatchNorm1d(2)(np.ones((3, 2), np.float32))

    class Mine(tg.nn.Module):  # a user module: its own errors are left alone
        def forward(self, x):
            return x.missing

    with pytest.raises(AttributeError):
        Mine()([1.0])


def test_cross_entropy_with_float_class_indices_names_the_fix() -> None:
    logits = tg.randn(3, 4)
    with pytest.raises(RuntimeError, match=r"^cross_entropy: .*Long.*target\.long\(\)"):
        tg.nn.functional.cross_entropy(logits, tg.tensor([1.0, 2.0, 0.0]))
    with pytest.raises(RuntimeError, match=r"^cross_entropy: "):
        tg.nn.CrossEntropyLoss()(tg.randn(2, 4, 3), tg.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(RuntimeError, match=r"nll_loss: .*target\.long\(\)"):
        tg.nn.functional.nll_loss(logits, tg.tensor([1.0, 2.0, 0.0]))
    probs = tg.full((3, 4), 0.25)  # class probabilities still work
    assert tg.nn.functional.cross_entropy(logits, probs).shape == ()


def test_integer_and_bool_inputs_of_the_elementwise_family() -> None:
    i = tg.tensor([1, -2, 3])
    assert i.floor().dtype == tg.int64 and i.floor().tolist() == [1, -2, 3]
    assert i.sign().tolist() == [1, -1, 1] and i.square().tolist() == [1, 4, 9]
    assert i.log10().dtype == tg.float32 and i.reciprocal().dtype == tg.float32
    assert tg.tensor([True, False]).sign().dtype == tg.bool
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.log10_()
    with pytest.raises(NotImplementedError):
        i.frac()


def test_inplace_unary_on_a_leaf_that_requires_grad_is_refused() -> None:
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.log10_()
    h = w * 4
    h.sqrt_()
    h.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]  # d/dw sqrt(4w) = 2 / (2 sqrt(4w)) * ... = 1 at w = 1


def test_import_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, tinygrad_np; print(sorted(m for m in ('torch', 'scipy', 'graphviz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_svd_norms_refuse_second_derivatives_instead_of_being_wrong() -> None:
    a = tg.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    (g,) = tg.autograd.grad(tg.linalg.matrix_norm(a, ord="nuc"), a)  # first derivative: fine
    assert g.shape == (3, 4)
    with pytest.raises(NotImplementedError, match="second derivatives"):
        tg.autograd.grad(a.norm(p="nuc"), a, create_graph=True)


def test_where_needs_both_values_or_neither() -> None:
    cond = tg.tensor([True, False, True])
    assert [t.tolist() for t in tg.where(cond)] == [[0, 2]]
    with pytest.raises(TypeError, match="both input and other"):
        tg.where(cond, tg.ones(3))
