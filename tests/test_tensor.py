"""The Tensor object: attributes, conversions, devices, random seeding, creation
values, printing, and in-place writes (including through views).

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_tensor.py``
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_np as tg

# ---- attributes -------------------------------------------------------------------------------


def test_attributes() -> None:
    x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert isinstance(x._data, np.ndarray) and x._data.shape == (2, 3)
    assert x.grad is None and x.requires_grad and x.is_leaf and x.grad_fn is None
    assert x.shape == (2, 3) and isinstance(x.shape, tg.Size) and repr(x.shape) == "tinygrad_np.Size([2, 3])"
    assert x.ndim == 2 and x.dim() == 2 and x.dtype == tg.float32
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert tg.tensor(2.5).item() == 2.5 and isinstance(tg.tensor(3).item(), int)
    assert x.detach().numpy() is x._data
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert np.asarray(x).shape == (2, 3) and np.asarray(x, dtype=np.float64).dtype == np.float64
    y = x * 2
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward0" and y.requires_grad


def test_tensor_wraps_and_tensor_copies() -> None:
    a = np.zeros(3, np.float32)
    wrapped = tg.Tensor(a)
    copied = tg.tensor(a)
    shared = tg.from_numpy(a)
    a[0] = 5.0
    assert wrapped._data[0] == 5.0 and shared._data[0] == 5.0 and copied._data[0] == 0.0


def test_tensor_from_a_list_of_tensors() -> None:
    t = tg.tensor([tg.tensor(1.0), tg.tensor(2.0)])
    assert t.tolist() == [1.0, 2.0] and t.dtype == tg.float32
    rows = tg.Tensor([tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])])
    assert rows.shape == (2, 2)
    assert tg.tensor([tg.tensor(1), tg.tensor(2)]).dtype == tg.int64


def test_python_protocols() -> None:
    x = tg.tensor([1.0, 2.0, 3.0])
    assert [v.item() for v in x] == [1.0, 2.0, 3.0]
    assert float(tg.tensor(2.5)) == 2.5 and int(tg.tensor(3)) == 3
    assert [10, 20, 30][tg.tensor(1)] == 20
    assert bool(tg.tensor([1.0])) and f"{tg.tensor(2.0):.2f}" == "2.00"
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(tg.tensor(1.0))


# ---- devices and seeds ------------------------------------------------------------------------


def test_devices() -> None:
    assert tg.device("cpu") == "cpu" and str(tg.device("cpu")) == "cpu"
    assert repr(tg.device("cpu")) == "device(type='cpu')"
    x = tg.ones(2, device="cpu")
    assert x.device == tg.device("cpu") and x.to("cpu") is x and x.cpu() is x
    assert x.to(tg.device("cpu")) is x
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    tg.set_default_device("cpu")
    assert tg.get_default_device() == tg.device("cpu")


def test_manual_seed_makes_random_functions_reproducible() -> None:
    def draw():
        return [
            tg.rand(3).tolist(),
            tg.randn(2, 2).tolist(),
            tg.randint(0, 10, (4,)).tolist(),
            tg.randperm(5).tolist(),
        ]

    tg.manual_seed(123)
    first = draw()
    tg.manual_seed(123)
    assert draw() == first
    tg.manual_seed(124)
    assert draw() != first


def test_random_in_place_fills_are_seeded() -> None:
    tg.manual_seed(7)
    a = tg.empty(4).uniform_(-1, 1).tolist()
    b = tg.empty(4).normal_(0, 2).tolist()
    tg.manual_seed(7)
    assert tg.empty(4).uniform_(-1, 1).tolist() == a and tg.empty(4).normal_(0, 2).tolist() == b
    assert all(-1 <= v < 1 for v in a)


def test_a_generator_object() -> None:
    g = tg.Generator().manual_seed(5)
    a = tg.rand(3, generator=g).tolist()
    g.manual_seed(5)
    assert tg.rand(3, generator=g).tolist() == a


# ---- creation values ---------------------------------------------------------------------------


def test_creation_values() -> None:
    assert tg.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert tg.ones((2,)).tolist() == [1.0, 1.0]
    assert tg.full((2, 2), 7).tolist() == [[7, 7], [7, 7]]
    assert tg.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert tg.arange(1, 2, 0.25).tolist() == [1.0, 1.25, 1.5, 1.75]
    assert tg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert tg.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tg.zeros(3, requires_grad=True).requires_grad
    assert tg.ones_like(tg.ones(2, 3)).shape == (2, 3)
    assert tg.full_like(tg.ones(2), 4.0).tolist() == [4.0, 4.0]
    r = tg.randint(3, 6, (1000,))
    assert r._data.min() >= 3 and r._data.max() <= 5


# ---- printing ----------------------------------------------------------------------------------

REPRS = [
    (
        lambda: tg.tensor([0.1207, -1.0436], requires_grad=True),
        "tensor([ 0.1207, -1.0436], requires_grad=True)",
    ),
    (lambda: tg.tensor([1.0, 2.0, 3.0]), "tensor([1., 2., 3.])"),
    (lambda: tg.tensor([-1.0, 2.0]), "tensor([-1.,  2.])"),
    (
        lambda: tg.tensor([[1.5, -2.25], [3.0, 4.0]]),
        "tensor([[ 1.5000, -2.2500],\n        [ 3.0000,  4.0000]])",
    ),
    (lambda: tg.tensor([1, 2, -3]), "tensor([ 1,  2, -3])"),
    (lambda: tg.tensor([True, False]), "tensor([ True, False])"),
    (lambda: tg.tensor(3.5), "tensor(3.5000)"),
    (lambda: tg.tensor(2), "tensor(2)"),
    (lambda: tg.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: tg.tensor([1.0, 5000.0]), "tensor([1.0000e+00, 5.0000e+03])"),
    (lambda: tg.tensor([float("nan"), 1.5, float("inf")]), "tensor([   nan, 1.5000,    inf])"),
    (lambda: tg.tensor([1.0, 2.0], dtype=tg.float64), "tensor([1., 2.], dtype=tinygrad_np.float64)"),
    (lambda: tg.tensor([1, 2], dtype=tg.int32), "tensor([1, 2], dtype=tinygrad_np.int32)"),
    (lambda: tg.zeros(0), "tensor([])"),
    (lambda: tg.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: tg.zeros(0, dtype=tg.int64), "tensor([], dtype=tinygrad_np.int64)"),
    (lambda: tg.tensor([1.0, 2.0], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    (
        lambda: tg.tensor([[1.0]], requires_grad=True) @ tg.ones(1, 1),
        "tensor([[1.]], grad_fn=<MmBackward0>)",
    ),
    (
        lambda: tg.arange(12).reshape(2, 3, 2),
        "tensor([[[ 0,  1],\n         [ 2,  3],\n         [ 4,  5]],\n\n        [[ 6,  7],\n         [ 8,  9],\n         [10, 11]]])",
    ),
    (lambda: tg.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
]


@pytest.mark.parametrize("make, expected", REPRS, ids=[e for _, e in REPRS])
def test_repr(make, expected) -> None:
    assert repr(make()) == expected


def test_repr_wraps_long_rows_at_80_characters() -> None:
    text = repr(tg.arange(30, dtype=tg.float32) / 7)
    lines = text.split("\n")
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines)
    assert lines[1].startswith("        ")  # aligned under the first element


# ---- in-place writes ---------------------------------------------------------------------------


def test_in_place_ops_under_no_grad_update_the_leaf() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.1 * w.grad
        w *= 2
        w /= 4
        w += 1
    np.testing.assert_allclose(w._data, [1.4, 1.8], rtol=1e-6)
    assert w.is_leaf and w._version == 4


def test_in_place_ops_bump_the_shared_version_counter_of_views() -> None:
    base = tg.zeros(2, 3)
    view = base[0]
    other = base.reshape(6)
    view += 1
    assert base._version == view._version == other._version == 1
    assert base.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    other[5] = 9.0
    assert base._version == 2 and base._data[1, 2] == 9.0
    assert base.detach()._version == 2  # detach shares the counter too


def test_setitem_on_a_non_leaf_records_the_write() -> None:
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = tg.tensor(5.0, requires_grad=True)
    b = a * 2
    b[0] = 10.0
    b[1] = v
    assert b.grad_fn.name() == "IndexPutBackward0"
    (b * tg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 6.0] and v.grad.item() == 2.0


def test_in_place_through_a_view_reaches_the_base_gradient() -> None:
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v = b[1:]
    v *= 2
    assert b.tolist() == [2.0, 8.0, 12.0] and b.grad_fn.name() == "CopySlices"
    b.sum().backward()
    assert a.grad.tolist() == [2.0, 4.0, 4.0]


def test_in_place_through_a_view_of_a_plain_tensor_makes_it_require_grad() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.zeros(3)
    x[1:] += w * w
    assert x.requires_grad and not x.is_leaf
    (x * x).sum().backward()
    assert w.grad.tolist() == [4.0, 32.0]


def test_clone_and_contiguous() -> None:
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    c = x.clone()
    c._data[0, 0] = 9.0
    assert x._data[0, 0] == 1.0
    t = x.T
    assert not t._data.flags.c_contiguous and t.contiguous()._data.flags.c_contiguous
    (x.clone() * 3).sum().backward()
    assert x.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_integer_indexing_gives_a_view() -> None:
    x = tg.zeros(2, 3)
    e = x[1, 2]
    assert e.shape == () and e._version == x._version
    e += 4
    assert x._data[1, 2] == 4.0 and x._version == 1


def test_overwriting_a_non_leaf_cuts_its_history() -> None:
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.uniform_(0, 1)  # new values: no gradient reaches a through b
    (b * a).sum().backward()
    np.testing.assert_allclose(a.grad._data, b._data)
    c = a * 2
    c[0].fill_(1.0)
    assert c.grad_fn.name() == "CopySlices"


def test_a_view_takes_its_history_from_the_base_after_an_in_place_write() -> None:
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v1, v2 = b[0:2], b[1:3]
    v1 *= 2  # b[1] changed through v1: v2 must see it in its gradient too
    # the history is re-read from the base lazily: on the view's next use (or requires_grad)
    assert v2.requires_grad and v2.grad_fn.next_functions[0][0].name() == "CopySlices"
    v2.sum().backward()
    assert a.grad.tolist() == [0.0, 4.0, 2.0]


def test_all_any_reduce_to_bool():
    t = tg.tensor([[1, 0, 2], [3, 4, 5]])
    assert t.all().item() is False and t.any().item() is True
    assert t.all(dim=1).tolist() == [False, True]
    assert t.any(axis=0, keepdims=True).shape == (1, 3)
    assert tg.all(tg.tensor([True, True])).dtype == tg.bool


def test_new_factories_take_the_tensors_dtype():
    x = tg.ones(2, dtype=tg.float64)
    assert x.new_zeros(3).dtype == tg.float64 and x.new_zeros(3).tolist() == [0.0] * 3
    assert x.new_ones((2, 2)).shape == (2, 2) and x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_tensor([1, 2]).dtype == tg.float64 and x.new_tensor([1], dtype=tg.int64).dtype == tg.int64
    assert (
        x.type() == "tinygrad_np.DoubleTensor"
        and tg.ones(1, dtype=tg.int64).type() == "tinygrad_np.LongTensor"
    )


def test_creation_refuses_negative_sizes_and_randint_needs_a_size():
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[2, -1\]"):
        tg.zeros(2, -1)
    with pytest.raises(TypeError, match="missing the required argument 'size'"):
        tg.randint(0, 5)
    assert tg.randint(5, (4,)).shape == (4,) and tg.randint(2, 5, size=(3,)).min().item() >= 2


def test_once_differentiable_runs_backward_without_recording():
    from tinygrad_np.autograd import Function, once_differentiable

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return tg.Tensor(x._data**3)

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = tg.tensor([2.0], requires_grad=True)
    (gx,) = tg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert gx.tolist() == [12.0] and not gx.requires_grad
