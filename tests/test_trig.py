"""tan, asin, acos, atan, atan2, sinh, cosh, asinh, acosh, atanh (ops/trig.py): the cases the op
table of ``test_ops.py`` does not cover (its rows give gradcheck, PyTorch parity, second order and
the NumPy oracle): dtypes, domains, in-place forms, aliases, errors.

Run: ``python -m pytest -q tests/test_trig.py``
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck

UNARY = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh"]
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh"}
ALIASES |= {"arctanh": "atanh", "arctan2": "atan2"}
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")


def _domain(name: str) -> np.ndarray:
    if name == "acosh":
        return np.array([1.0, 1.5, 3.0, 10.0])
    if name in ("asin", "acos", "atanh"):
        return np.array([-0.99, -0.3, 0.0, 0.7])
    return np.array([-2.0, -0.4, 0.0, 1.3])


@pytest.mark.parametrize("name", UNARY)
def test_function_method_and_inplace_agree(name: str) -> None:
    a = _domain(name)
    x = tg.tensor(a)
    y = getattr(x, name)()
    np.testing.assert_array_equal(getattr(tg, name)(x).numpy(), y.numpy())
    z = x.clone()
    assert getattr(z, name + "_")() is z
    np.testing.assert_array_equal(z.numpy(), y.numpy())
    assert y.dtype == tg.float64


@pytest.mark.parametrize("alias, name", list(ALIASES.items()))
def test_numpy_style_aliases(alias: str, name: str) -> None:
    x, other = tg.tensor([0.25, -0.5]), tg.tensor([2.0, -3.0])
    args = (other,) if name == "atan2" else ()
    np.testing.assert_array_equal(getattr(tg, alias)(x, *args).numpy(), getattr(x, name)(*args).numpy())
    np.testing.assert_array_equal(getattr(x, alias)(*args).numpy(), getattr(x, name)(*args).numpy())
    assert getattr(tg.Tensor, alias + "_") is getattr(tg.Tensor, name + "_")


@pytest.mark.parametrize("name", UNARY)
def test_integer_and_bool_inputs_compute_in_the_default_float(name: str) -> None:
    for x in (tg.tensor([1, 2]), tg.tensor([True, False])):
        y = getattr(x, name)()
        assert y.dtype == tg.float32
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(y.numpy(), getattr(np, _np_name(name))(x.numpy().astype(np.float32)))


def _np_name(name: str) -> str:
    """NumPy spells the inverses arcsin, arccosh, ..."""
    return "arc" + name[1:] if name.startswith("a") else name


def test_out_of_domain_is_nan_and_the_edge_infinite_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(tg.tensor(2.0).asin().item()) and np.isnan(tg.tensor(-1.5).acos().item())
        assert np.isnan(tg.tensor(0.5).acosh().item()) and np.isnan(tg.tensor(1.5).atanh().item())
        assert tg.tensor(1.0).atanh().item() == np.inf and tg.tensor(-1.0).atanh().item() == -np.inf
        assert tg.tensor(1000.0).sinh().item() == np.inf and tg.tensor(-1000.0).cosh().item() == np.inf
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        x.asin().sum().backward()  # 1/sqrt(0) = inf, 1/sqrt(-3) = nan
        assert x.grad.tolist()[0] == np.inf and np.isnan(x.grad.tolist()[1])


def test_atan2_quadrants_broadcasting_and_dtypes() -> None:
    y = tg.tensor([1.0, 1.0, -1.0, -1.0, 0.0])
    x = tg.tensor([1.0, -1.0, -1.0, 1.0, -1.0])
    np.testing.assert_allclose(tg.atan2(y, x).numpy(), np.pi * np.array([0.25, 0.75, -0.75, -0.25, 1.0]))
    assert tg.atan2(tg.tensor([1, 2]), tg.tensor([[3], [4]])).shape == (2, 2)
    assert tg.atan2(tg.tensor([1, 2]), tg.tensor([3, 4])).dtype == tg.float32  # int, int -> float
    assert tg.atan2(tg.tensor([1.0], dtype=tg.float64), tg.tensor([1])).dtype == tg.float64


def test_atan2_gradcheck_on_broadcast_shapes_both_inputs() -> None:
    rng = np.random.default_rng(3)
    y = tg.tensor(rng.standard_normal((2, 1, 3)), requires_grad=True)
    x = tg.tensor(rng.standard_normal((4, 1)) + 3, requires_grad=True)
    assert gradcheck(tg.atan2, (y, x))


@pytest.mark.parametrize("name", ["asinh", "acosh", "atanh"])
def test_inplace_forms_on_a_non_leaf_are_differentiable(name: str) -> None:
    """PyTorch raises 'the derivative for inplace version of ... is not implemented' for these
    three at backward; here they are differentiable like the others."""
    a = _domain(name)[1:] + (0.5 if name == "acosh" else 0.0)
    x = tg.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: getattr(t * 1, name + "_")(), (x,))


def test_inplace_on_an_integer_tensor_is_refused() -> None:
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.tensor([1, 2]).tan_()
    with pytest.raises(RuntimeError, match="atan2_.*can't be cast"):
        tg.tensor([1, 2]).atan2_(tg.tensor([1.0, 1.0]))


def test_inplace_on_a_leaf_that_requires_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match="leaf Variable"):
        tg.tensor([0.5], requires_grad=True).sinh_()


def test_atan2_shape_errors() -> None:
    with pytest.raises(RuntimeError, match="not broadcastable"):
        tg.ones(3).atan2(tg.ones(2))
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        tg.ones(3).atan2_(tg.ones(2, 3))


def test_numpy_ufuncs_on_a_tensor_in_a_graph_stay_in_the_graph() -> None:
    x = tg.tensor([0.2, 0.4], requires_grad=True)
    y = np.arcsin(x)
    assert isinstance(y, tg.Tensor) and y.grad_fn.name() == "AsinBackward0"
    y.sum().backward()
    np.testing.assert_allclose(
        x.grad.numpy(), 1 / np.sqrt(1 - np.array([0.2, 0.4], np.float32) ** 2), rtol=1e-6
    )


def test_second_derivative_of_tan() -> None:
    x = tg.tensor([0.3, -0.7], dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad(x.tan().sum(), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    t = np.tan([0.3, -0.7])
    np.testing.assert_allclose(h.numpy(), 2 * t * (1 + t * t))  # d/dx (1 + tan^2) = 2 tan (1 + tan^2)


@needs_torch
@pytest.mark.parametrize("name", UNARY)
def test_node_names_and_special_values_match_pytorch(name: str) -> None:
    a = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, np.inf, -np.inf, np.nan], np.float32)
    x = tg.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y, yt = getattr(x, name)(), getattr(t, name)()
    assert y.grad_fn.name() == yt.grad_fn.name()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-6, equal_nan=True)
    y.backward(tg.ones_like(y))
    yt.backward(torch.ones_like(yt))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, equal_nan=True)


@needs_torch
def test_atan2_special_values_and_errors_match_pytorch() -> None:
    a = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan], np.float32)
    y, x = np.meshgrid(a, a)
    ours = tg.atan2(tg.tensor(y), tg.tensor(x)).numpy()
    np.testing.assert_allclose(ours, torch.atan2(torch.tensor(y), torch.tensor(x)).numpy(), equal_nan=True)
    for fn in (lambda m: m.ones(3).atan2(m.ones(2)), lambda m: m.tensor([1, 2]).atan2_(m.ones(2))):
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError):
            fn(tg)
