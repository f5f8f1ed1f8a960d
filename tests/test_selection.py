"""index_select, median, kthvalue, unique_consecutive (ops/selection.py): what the op table of
``test_ops.py`` does not cover (its rows give gradcheck, PyTorch parity and the NumPy oracle):
ties, NaN, empty and 0-d inputs, result types, gradients shared among ties, errors.

Run: ``python -m pytest -q tests/test_selection.py``
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
NAN = float("nan")


def test_median_is_the_lower_middle_value_and_a_named_pair_with_dim() -> None:
    x = tg.tensor([[4.0, 1.0, 3.0, 2.0], [0.0, 9.0, 8.0, 7.0]])
    assert x.median().item() == 3.0 and x.median().shape == ()
    r = x.median(1)
    assert type(r).__name__ == "median" and r._fields == ("values", "indices")
    assert r.values.tolist() == [2.0, 7.0] and r.indices.tolist() == [3, 3]
    assert r.indices.dtype == tg.int64
    assert tg.median(x, 0, keepdim=True).values.shape == (1, 4)


def test_median_of_all_shares_the_gradient_among_ties() -> None:
    x = tg.tensor([2.0, 1.0, 2.0, 3.0, 2.0], requires_grad=True)
    y = x.median()
    assert y.grad_fn.name() == "MedianBackward0"
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / 3, 0, 1 / 3, 0, 1 / 3])


def test_median_with_dim_sends_the_gradient_to_its_index_only() -> None:
    x = tg.tensor([2.0, 1.0, 2.0, 3.0, 2.0], requires_grad=True)
    r = x.median(0)
    assert r.indices.item() == 2 and r.values.grad_fn.name() == "MedianBackward1"
    r.values.backward()
    assert x.grad.tolist() == [0, 0, 1, 0, 0]


def test_median_and_kthvalue_gradcheck_in_float64() -> None:
    a = np.array([[1.0, 3.0, 3.5, 0.5], [2.0, 2.5, -1.0, 4.0]])
    x = tg.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: t.median(1).values, (x,))
    assert gradcheck(lambda t: t.kthvalue(3, 1, keepdim=True).values, (x,))
    b = tg.tensor(np.array([0.3, -1.2, 2.5, 0.7]), requires_grad=True)
    assert gradcheck(lambda t: t.median(), (b,))


def test_nan_makes_the_median_nan_at_the_first_nan_and_ranks_last_for_kthvalue() -> None:
    x = tg.tensor([[NAN, 1.0, NAN], [3.0, 2.0, 1.0]])
    r = x.median(1)
    assert np.isnan(r.values[0].item()) and r.indices.tolist() == [0, 1]
    assert np.isnan(x.median().item())
    k = x.kthvalue(1, 1)
    assert k.values.tolist() == [1.0, 1.0] and k.indices.tolist() == [1, 2]
    assert np.isnan(x.kthvalue(2, 1).values[0].item())


def test_nan_median_gradient_is_shared_among_the_nans() -> None:
    x = tg.tensor([NAN, 1.0, NAN], requires_grad=True)
    x.median().backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5]


def test_integer_inputs_keep_their_dtype() -> None:
    x = tg.tensor([[3, 1, 2], [5, 5, 0]])
    assert x.median().dtype == tg.int64 and x.median().item() == 2
    assert x.kthvalue(2, 1).values.dtype == tg.int64


def test_zero_d_and_empty_inputs() -> None:
    s = tg.tensor(3.0)
    assert s.median(0).values.item() == 3.0 and s.median(0).indices.shape == ()
    assert s.kthvalue(1).indices.item() == 0
    assert np.isnan(tg.tensor([]).median().item())
    r = tg.zeros(0, 3).median(1)
    assert r.values.shape == (0,) and r.indices.shape == (0,)
    with pytest.raises(IndexError, match="non-zero size"):
        tg.zeros(2, 0).median(1)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: tg.tensor([True, False]).median(), NotImplementedError, "median_cpu.*Bool"),
        (lambda: tg.tensor([True, False]).kthvalue(1), NotImplementedError, "kthvalue_cpu.*Bool"),
        (lambda: tg.ones(2, 4).kthvalue(5, 1), RuntimeError, "k out of range for dimension 1"),
        (lambda: tg.ones(2, 4).kthvalue(0), RuntimeError, "k out of range"),
        (lambda: tg.tensor(1.0).kthvalue(2), RuntimeError, "k out of range"),
        (lambda: tg.ones(2, 4).median(2), IndexError, "dimension out of range"),
        (lambda: tg.ones(2, 4).kthvalue(1, -3), IndexError, "dimension out of range"),
    ],
)
def test_median_and_kthvalue_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_index_select_accumulates_repeated_indices_and_takes_negative_dims() -> None:
    x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x.index_select(-1, tg.tensor([2, 0, 2]))
    assert y.tolist() == [[3.0, 1.0, 3.0], [6.0, 4.0, 6.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]]
    assert tg.index_select(x, 0, tg.tensor([], dtype=tg.int64)).shape == (0, 3)
    assert tg.tensor(5.0).index_select(0, tg.tensor([0])).shape == ()


@pytest.mark.parametrize(
    "index, error, match",
    [
        (tg.tensor([0.0]), RuntimeError, "Expected dtype int32 or int64"),
        (tg.tensor([True]), RuntimeError, "Expected dtype int32 or int64"),
        (tg.tensor([[0]]), IndexError, "supposed to be a vector"),
        (tg.tensor([3]), RuntimeError, "index 3 is out of range for dimension 1 of size 3"),
        (tg.tensor([-1]), RuntimeError, "out of range.*negative"),
        ([0], TypeError, "must be Tensor, not list"),
    ],
)
def test_index_select_errors(index, error, match) -> None:
    with pytest.raises(error, match=match):
        tg.ones(2, 3).index_select(1, index)


@pytest.mark.parametrize("error", [IndexError, RuntimeError])
def test_index_select_out_of_range_is_caught_as_either_error_pytorch_raises(error: type) -> None:
    """PyTorch raises IndexError along some dims and RuntimeError along others."""
    for shape, dim in [((3, 4), 1), ((3, 4), 0), ((2, 3, 1), 2), ((5,), 0)]:
        with pytest.raises(error, match="out of range"):
            tg.zeros(*shape).index_select(dim, tg.tensor([9]))


@needs_torch
def test_pytorch_raises_index_or_runtime_error_by_dim() -> None:
    kinds = set()
    for shape, dim in [((3, 4), 1), ((3, 4), 0)]:
        with pytest.raises((IndexError, RuntimeError)) as info:
            torch.zeros(*shape).index_select(dim, torch.tensor([9]))
        kinds.add(info.type)
    assert kinds == {IndexError, RuntimeError}


def test_index_select_on_a_scalar_errors() -> None:
    with pytest.raises(IndexError, match="out of range"):
        tg.tensor(5.0).index_select(0, tg.tensor([1]))
    with pytest.raises(RuntimeError, match="only 1 value"):
        tg.tensor(5.0).index_select(0, tg.tensor([0, 0]))


def test_unique_consecutive_runs_inverse_and_counts() -> None:
    x = tg.tensor([[1, 1, 2], [1, 1, 2], [3, 1, 1]])
    values, inverse, counts = tg.unique_consecutive(x, return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 2, 1, 2, 3, 1] and counts.tolist() == [2, 1, 2, 1, 1, 2]
    assert inverse.tolist() == [[0, 0, 1], [2, 2, 3], [4, 5, 5]]
    rows, inv, cnt = x.unique_consecutive(True, True, 0)
    assert rows.tolist() == [[1, 1, 2], [3, 1, 1]] and inv.tolist() == [0, 0, 1] and cnt.tolist() == [2, 1]
    assert tg.unique_consecutive(tg.tensor([NAN, NAN, 1.0])).shape == (3,)  # NaN != NaN
    v, i, c = tg.tensor(3.0).unique_consecutive(return_inverse=True, return_counts=True)
    assert v.tolist() == [3.0] and i.shape == () and c.tolist() == [1]
    v, i, c = tg.tensor([]).unique_consecutive(return_inverse=True, return_counts=True)
    assert v.shape == i.shape == c.shape == (0,)
    assert not tg.ones(3, requires_grad=True).unique_consecutive().requires_grad
    with pytest.raises(RuntimeError, match="0 sized dimensions"):
        tg.zeros(2, 0).unique_consecutive(dim=0)


@needs_torch
@pytest.mark.parametrize("seed", range(3))
def test_median_and_kthvalue_match_pytorch_on_ties_and_nan(seed: int) -> None:
    """Values always; median's indices too (both take the stable order's middle). kthvalue's
    index among ties is PyTorch's quickselect's choice, so only untied rows compare there."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, (4, 7)).astype(np.float32)
    a[rng.random(a.shape) < 0.1] = np.nan
    for dim in (0, 1):
        ours, ref = tg.tensor(a).median(dim), torch.tensor(a).median(dim)
        np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
        for k in (1, 3):
            ours, ref = tg.tensor(a).kthvalue(k, dim), torch.tensor(a).kthvalue(k, dim)
            np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())
    np.testing.assert_array_equal(tg.tensor(a).median().numpy(), torch.tensor(a).median().numpy())
    b = rng.standard_normal((4, 7)).astype(np.float32)
    for k in (1, 4, 7):
        np.testing.assert_array_equal(
            tg.tensor(b).kthvalue(k, 1).indices.numpy(), torch.tensor(b).kthvalue(k, 1).indices.numpy()
        )


@needs_torch
def test_median_of_all_gradient_with_ties_matches_pytorch() -> None:
    a = np.array([[2.0, 1.0, 2.0], [3.0, 2.0, 0.0]], np.float32)
    x, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (x.median() * 3).backward()
    (t.median() * 3).backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


@needs_torch
def test_unique_consecutive_matches_pytorch() -> None:
    a = np.random.default_rng(0).integers(0, 2, (4, 5))
    for dim in (None, 0, 1, -1):
        ours = tg.unique_consecutive(tg.tensor(a), return_inverse=True, return_counts=True, dim=dim)
        ref = torch.unique_consecutive(torch.tensor(a), return_inverse=True, return_counts=True, dim=dim)
        for o, r in zip(ours, ref):
            np.testing.assert_array_equal(o.numpy(), r.numpy())
            assert o.dtype.name == str(r.dtype).replace("torch.", "")


@needs_torch
def test_error_types_match_pytorch() -> None:
    calls = [
        lambda m: m.ones(2, 3).index_select(1, m.tensor([3])),
        lambda m: m.ones(2, 3).index_select(1, m.tensor([0.0])),
        lambda m: m.ones(2, 3).index_select(1, m.tensor([[0]])),
        lambda m: m.ones(2, 3).index_select(1, [0]),
        lambda m: m.ones(2, 3).kthvalue(4),
        lambda m: m.zeros(2, 0).median(1),
        lambda m: m.tensor([True]).median(),
    ]
    for call in calls:
        with pytest.raises(Exception) as ref:
            call(torch)
        with pytest.raises(ref.type):
            call(tg)
