"""Negative seeds (``manual_seed(-1)``, ``tinygrad-np --seed -1``) and the TypeError of
``ctx.save_for_backward`` for a non-tensor, both as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import cli

SEEDS = [-1, -5, -(2**63), 2**64 - 1, 0, 7]


@pytest.mark.parametrize("seed", SEEDS)
def test_manual_seed_accepts_every_int_pytorch_accepts(seed):
    tg.manual_seed(seed)
    assert tg.initial_seed() == seed % 2**64
    a = tg.rand(3)
    tg.manual_seed(seed)
    np.testing.assert_array_equal(a.numpy(), tg.rand(3).numpy())


def test_negative_seed_is_the_same_as_its_value_modulo_2_to_the_64():
    tg.manual_seed(-1)
    a = tg.randn(4)
    tg.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(a.numpy(), tg.randn(4).numpy())


def test_generator_manual_seed_accepts_negative_seeds():
    g = tg.Generator().manual_seed(-5)
    assert g.initial_seed() == 2**64 - 5


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1])
def test_seed_out_of_range_is_a_value_error(seed):
    with pytest.raises(ValueError, match="out of range"):
        tg.manual_seed(seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_initial_seed_matches_pytorch(seed):
    torch = pytest.importorskip("torch", reason="parity with PyTorch needs torch")
    torch.manual_seed(seed)
    tg.manual_seed(seed)
    assert tg.initial_seed() == torch.initial_seed()


def test_cli_accepts_a_negative_seed(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the demo's plot needs matplotlib (the [examples] extra)")
    code = cli.main(
        ["--task", "xor", "--epochs", "2", "--seed", "-1", "--out", str(tmp_path), "--no-progress"]
    )
    assert code == 0
    assert "final loss" in capsys.readouterr().out


def test_cli_train_runs_with_a_negative_seed():
    """The training part of the CLI alone (no matplotlib needed)."""
    *_, loss = cli.train(cli.TASKS["xor"], 2, -1, progress=False)
    assert np.isfinite(loss)


class _SaveSecond(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x, v):
        ctx.save_for_backward(x, None, v)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2, None


@pytest.mark.parametrize(
    "value, name", [(3, "int"), (np.ones(2), "numpy.ndarray"), ("a", "str"), ([1], "list")]
)
def test_save_for_backward_of_a_non_tensor_is_pytorchs_type_error(value, name):
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(TypeError) as exc:
        _SaveSecond.apply(x, value)
    assert str(exc.value) == f"save_for_backward can only save variables, but argument 2 is of type {name}"


def test_save_for_backward_of_none_is_allowed_and_unchecked_without_recording():
    x = tg.ones(2, requires_grad=True)
    _SaveSecond.apply(x, None).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    # as PyTorch: nothing is recorded, so nothing is checked
    with tg.no_grad():
        _SaveSecond.apply(x, 3)
    _SaveSecond.apply(tg.ones(2), 3)


def test_save_for_backward_error_matches_pytorch():
    torch = pytest.importorskip("torch", reason="parity with PyTorch needs torch")

    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, v):
            ctx.save_for_backward(x, None, v)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    for value in (3, np.ones(2), "a"):
        with pytest.raises(TypeError) as theirs:
            F.apply(torch.ones(2, requires_grad=True), value)
        with pytest.raises(TypeError) as ours:
            _SaveSecond.apply(tg.ones(2, requires_grad=True), value)
        assert str(ours.value) == str(theirs.value)


def _marking(how):
    class Mark(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            if how == "non-differentiable int":
                ctx.mark_non_differentiable(y, 3)
            elif how == "dirty str":
                ctx.mark_dirty(x, "s")
            elif how == "non-differentiable input":
                ctx.mark_non_differentiable(x)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Mark


@pytest.mark.parametrize(
    "how, message",
    [
        (
            "non-differentiable int",
            "mark_non_differentiable can only accept variables, but argument 1 is of type int",
        ),
        ("dirty str", "mark_dirty can only accept variables, but argument 1 is of type str"),
    ],
)
def test_ctx_marks_of_a_non_tensor_are_refused_as_in_pytorch(how, message):
    with pytest.raises(RuntimeError, match=message):
        _marking(how).apply(tg.ones(3, requires_grad=True))


def test_marking_an_input_non_differentiable_leaves_the_output_differentiable():
    """As PyTorch: only outputs can be non-differentiable; marking an input changes nothing."""
    x = tg.ones(3, requires_grad=True)
    y = _marking("non-differentiable input").apply(x)
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
