"""gradcheck and gradgradcheck can fail: a wrong backward is caught (raised, or False without raising)."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.autograd import Function, GradcheckError, gradcheck, gradgradcheck


class _CubeRight(Function):
    """x**3 with the right derivative 3 x**2, written with tensor ops (so it differentiates again)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2  # d/dx x^3 = 3x^2


class _CubeWrongFactor(_CubeRight):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2  # wrong: the factor should be 3


class _CubeWrongSign(_CubeRight):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * 3 * x**2  # wrong: the sign


class _CubeFirstOrderOnly(_CubeRight):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x.detach() ** 2  # right values, but cut from the graph: d2/dx2 comes out 0, not 6x


def _x():
    return tg.tensor(np.array([0.7, -1.3, 2.1]), dtype=tg.float64, requires_grad=True)


def test_a_right_backward_passes_both_checks():
    assert gradcheck(_CubeRight.apply, (_x(),))
    assert gradgradcheck(_CubeRight.apply, (_x(),))


@pytest.mark.parametrize("wrong", [_CubeWrongFactor, _CubeWrongSign], ids=["factor", "sign"])
def test_gradcheck_catches_a_wrong_backward(wrong):
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(wrong.apply, (_x(),))
    assert issubclass(GradcheckError, RuntimeError)  # as torch.autograd.GradcheckError
    assert gradcheck(wrong.apply, (_x(),), raise_exception=False) is False


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable_again():
    """gradgradcheck checks the second derivative against finite differences of the first (as
    PyTorch's does), so it is the backward's own differentiability that fails here."""
    assert gradcheck(_CubeFirstOrderOnly.apply, (_x(),))  # first derivatives are right...
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(_CubeFirstOrderOnly.apply, (_x(),))  # ...second ones are not
    assert gradgradcheck(_CubeFirstOrderOnly.apply, (_x(),), raise_exception=False) is False


def test_gradcheck_catches_a_wrong_gradient_for_one_of_two_inputs():
    class MulWrongB(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * b  # d(ab)/db is a, not b

    a, b = _x(), tg.tensor(np.array([0.3, 0.9, -0.4]), dtype=tg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(MulWrongB.apply, (a, b))
    assert gradcheck(MulWrongB.apply, (a, b), raise_exception=False) is False
