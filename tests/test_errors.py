"""SPEC §7, tensor part: every misuse raises at the call that caused it, with the type
PyTorch uses and a message naming the op, the shapes or dtypes, and what to do.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_errors.py``
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg

A = tg.ones(3, 4)


@pytest.mark.parametrize(
    "call, exc, message",
    [
        # broadcasting
        (lambda: A + tg.ones(5), RuntimeError, r"add: shapes \(3, 4\) and \(5,\) are not broadcastable"),
        (lambda: A * np.ones(5), RuntimeError, r"mul: shapes \(3, 4\) and \(5,\) are not broadcastable"),
        (lambda: A - tg.ones(2, 4), RuntimeError, r"sub: shapes \(3, 4\) and \(2, 4\)"),
        (lambda: A / tg.ones(4, 1), RuntimeError, r"div: shapes \(3, 4\) and \(4, 1\)"),
        (lambda: tg.maximum(A, tg.ones(2)), RuntimeError, r"maximum: shapes \(3, 4\) and \(2,\)"),
        (lambda: A < tg.ones(2), RuntimeError, r"lt: shapes \(3, 4\) and \(2,\)"),
        (lambda: tg.where(A > 0, A, tg.ones(2)), RuntimeError, r"where: .*not broadcastable"),
        # matmul
        (
            lambda: A @ tg.ones(5, 2),
            RuntimeError,
            r"matmul: shapes \(3, 4\) and \(5, 2\) cannot be multiplied \(4 != 5",
        ),
        (lambda: A @ tg.ones(3), RuntimeError, r"matmul: shapes \(3, 4\) and \(3,\) cannot be multiplied"),
        (
            lambda: tg.ones(2, 3, 4) @ tg.ones(3, 4, 5),
            RuntimeError,
            r"matmul: batch dimensions .* not broadcastable",
        ),
        (lambda: A @ tg.tensor(2.0), RuntimeError, r"matmul: both arguments need at least 1 dimension"),
        (lambda: A.mm(tg.ones(4)), RuntimeError, r"mm: expected 2-D tensors"),
        (
            lambda: A @ tg.ones(4, 2, dtype=tg.float64),
            RuntimeError,
            r"matmul: expected both operands to have the same dtype, but got tinygrad_np.float32 and "
            r"tinygrad_np.float64",
        ),
        (lambda: tg.ones(2, dtype=tg.int64) @ tg.ones(2), RuntimeError, r"matmul: expected both operands"),
        # bad dims
        (
            lambda: A.sum(2),
            IndexError,
            r"sum\(\): dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
        ),
        (lambda: A.mean(-3), IndexError, r"mean\(\): dimension out of range"),
        (lambda: A.max(5), IndexError, r"max\(\): dimension out of range"),
        (lambda: A.softmax(3), IndexError, r"softmax\(\): dimension out of range"),
        (lambda: A.transpose(0, 5), IndexError, r"transpose\(\): dimension out of range"),
        (
            lambda: A.unsqueeze(4),
            IndexError,
            r"unsqueeze\(\): dimension out of range \(expected to be in range of \[-3, 2\]",
        ),
        (lambda: A.squeeze(3), IndexError, r"squeeze\(\): dimension out of range"),
        (lambda: A.permute(0, 0), RuntimeError, r"permute: dims \(0, 0\) are not a permutation"),
        (lambda: A.flatten(1, 0), RuntimeError, r"flatten\(\).*start_dim cannot come after end_dim"),
        (
            lambda: tg.cat([A, tg.ones(2, 3)], 0),
            RuntimeError,
            r"cat\(\): sizes of tensors must match except in dimension 0",
        ),
        (lambda: tg.cat([A], 2), IndexError, r"cat\(\): dimension 2 out of range"),
        (
            lambda: tg.stack([A, tg.ones(2, 3)]),
            RuntimeError,
            r"stack\(\): expects each tensor to be equal size",
        ),
        (
            lambda: A.split([1, 1], 0),
            RuntimeError,
            r"split: split sizes \[1, 1\] must sum to the size of dimension 0 \(3\)",
        ),
        (lambda: A.max(dim=(0, 1)), TypeError, r"max\(\): dim must be an int"),
        # bad reshape / expand
        (
            lambda: A.reshape(5, 3),
            RuntimeError,
            r"reshape: shape \[5, 3\] is invalid for input of shape \(3, 4\) \(size 12\)",
        ),
        (
            lambda: A.view(-1, 5),
            RuntimeError,
            r"reshape: shape \[-1, 5\] is invalid for input of shape \(3, 4\)",
        ),
        (
            lambda: A.expand(2, 4),
            RuntimeError,
            r"expand: cannot expand a tensor of shape \(3, 4\) to \(2, 4\)",
        ),
        (lambda: A.expand(4), RuntimeError, r"expand: the number of sizes provided \(1\)"),
        # dtypes
        (
            lambda: tg.tensor([1, 2], requires_grad=True),
            RuntimeError,
            r"only tensors of floating point dtype can require gradients, got tinygrad_np.int64",
        ),
        (
            lambda: tg.zeros(2, dtype=tg.int64).requires_grad_(),
            RuntimeError,
            r"floating point dtype.*x.float\(\)",
        ),
        (
            lambda: tg.ones(2, dtype=tg.int64).mean(),
            RuntimeError,
            r"mean\(\): .*floating point, got tinygrad_np.int64",
        ),
        (
            lambda: tg.where(tg.ones(2), A, A),
            RuntimeError,
            r"where: expected condition to be a bool tensor, got float32",
        ),
        (
            lambda: A.gather(1, tg.tensor([[0.5]])),
            RuntimeError,
            r"gather\(\): expected an int64 index tensor",
        ),
        (lambda: A[tg.tensor([0.5])], IndexError, r"tensors used as indices must be integer or bool tensors"),
        (lambda: tg.tensor(["a"]), TypeError, r"cannot make a tensor from list"),
        (lambda: -tg.tensor([True]), RuntimeError, r"negation, the `-` operator, on a bool tensor"),
        # conversions and devices
        (lambda: A.item(), RuntimeError, r"item\(\): a Tensor with 12 elements cannot be converted"),
        (lambda: bool(A), RuntimeError, r"Boolean value of Tensor with 12 elements is ambiguous"),
        (
            lambda: tg.ones(2, requires_grad=True).numpy(),
            RuntimeError,
            r"numpy\(\) on a Tensor that requires grad; use tensor.detach\(\).numpy\(\)",
        ),
        (lambda: A.to("cuda"), RuntimeError, r"device 'cuda' is not available.*device='cpu'"),
        (lambda: tg.zeros(2, device="cuda:0"), RuntimeError, r"device 'cuda:0' is not available"),
        (lambda: A.cuda(), RuntimeError, r"device 'cuda' is not available"),
    ],
)
def test_error(call, exc, message) -> None:
    with pytest.raises(exc, match=message):
        call()


def test_backward_on_a_non_scalar_without_gradient() -> None:
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"grad can be implicitly created only for scalar outputs.*shape \(3,\).*gradient="
    ):
        (x * 2).backward()


def test_backward_with_a_gradient_of_the_wrong_shape() -> None:
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"mismatch in shape: gradient 0 has shape \(2,\) but output 0 has shape \(3,\)"
    ):
        (x * 2).backward(tg.ones(2))


def test_backward_on_a_tensor_that_does_not_require_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        tg.ones(2).sum().backward()


def test_backward_twice_through_a_freed_graph() -> None:
    x = tg.ones(3, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(
        RuntimeError,
        match=r"Backward0: trying to backward through the graph a second time.*retain_graph=True",
    ):
        y.backward()


def test_in_place_change_of_a_saved_tensor() -> None:
    x = tg.ones(3, requires_grad=True)
    y = x.exp()  # Exp saves its output
    y += 1
    with pytest.raises(
        RuntimeError,
        match=r"ExpBackward0: one of the variables needed for gradient computation \(a tensor of shape \(3,\)\) "
        r"has been modified by an in-place operation: it is at version 1; expected version 0",
    ):
        y.sum().backward()


def test_in_place_change_through_a_view_of_a_saved_tensor() -> None:
    x = tg.ones(2, 3, requires_grad=True)
    h = x * 2
    y = h * h  # Mul saves h
    h[0].mul_(3)  # a view shares h's version counter
    with pytest.raises(
        RuntimeError, match=r"MulBackward0: .*modified by an in-place operation: it is at version 1"
    ):
        y.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad() -> None:
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"add_: a leaf Variable that requires grad \(shape \(3,\)\) .*no_grad"
    ):
        x += 1
    with pytest.raises(RuntimeError, match=r"__setitem__: a leaf Variable that requires grad"):
        x[0] = 2.0
    with pytest.raises(RuntimeError, match=r"mul_: a view of a leaf Variable that requires grad"):
        x[1:].mul_(2)
    with tg.no_grad():  # the parameter-update pattern is allowed
        x -= 0.5
        x[0] = 2.0
    assert x.tolist() == [2.0, 0.5, 0.5] and x.is_leaf and x.requires_grad


def test_in_place_result_that_does_not_fit() -> None:
    x = tg.ones(3)
    with pytest.raises(
        RuntimeError, match=r"add_: output with shape \(3,\) doesn't match the broadcast shape \(2, 3\)"
    ):
        x += tg.ones(2, 3)
    with pytest.raises(
        RuntimeError, match=r"copy_: output with shape \(3,\) doesn't match the broadcast shape"
    ):
        x.copy_(tg.ones(2, 3))
    y = tg.ones(2, requires_grad=True) * 1
    with pytest.raises(
        RuntimeError, match=r"output of shape \(2,\) doesn't match the broadcast shape \(2, 2\)"
    ):
        y += tg.ones(2, 2)


def test_in_place_on_an_expanded_view() -> None:
    x = tg.ones(3).expand(2, 3)
    with pytest.raises(RuntimeError, match=r"add_: .*read-only memory \(an expanded view.*clone\(\)"):
        x += 1


def test_in_place_result_type_cannot_be_cast() -> None:
    x = tg.ones(3, dtype=tg.int64)
    with pytest.raises(RuntimeError, match=r"result type .*Float.* can't be cast to .*int64"):
        x /= 2
    with pytest.raises(RuntimeError, match=r"add_: result type tinygrad_np.float32 can't be cast"):
        x += 1.5


def test_changing_requires_grad_of_a_non_leaf() -> None:
    y = tg.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False


def test_autograd_grad_of_an_input_that_does_not_require_grad() -> None:
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad: input 1 does not require grad"):
        tg.autograd.grad((x * 2).sum(), [x, tg.ones(2)])


def test_register_hook_on_a_tensor_without_grad() -> None:
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        tg.ones(2).register_hook(lambda g: g)
