"""Containers and the counting ops (topk, bincount, histc, histogram) without PyTorch: the
expected module orders, names and values written out by hand or from their definitions."""

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn


def _lins(n):
    return [nn.Linear(1, i + 1) for i in range(n)]


def _outs(seq):
    return [m.out_features for m in seq]


def test_sequential_indexing_slicing_deletion_and_renumbering():
    a, b, c, d = _lins(4)
    seq = nn.Sequential(a, b, c)
    assert seq[-1] is c and _outs(seq[1:]) == [2, 3] and isinstance(seq[1:], nn.Sequential)
    with pytest.raises(IndexError):
        seq[3]
    seq[0] = d
    assert seq[0] is d
    del seq[1]
    assert list(seq._modules) == ["0", "1"] and _outs(seq) == [4, 3]
    del seq[0:1]
    assert list(seq._modules) == ["0"] and seq[0] is c
    seq.insert(0, a).insert(-1, b)
    assert _outs(seq) == [1, 2, 3]
    with pytest.raises(IndexError):
        seq.insert(5, d)
    with pytest.raises(AssertionError):
        seq.insert(0, "not a module")
    assert seq.pop(1) is b and _outs(seq) == [1, 3]
    seq.extend([b, d])
    assert _outs(seq) == [1, 3, 2, 4] and len(seq) == 4
    named = nn.Sequential(OrderedDict([("first", a), ("second", b)]))
    assert list(named._modules) == ["first", "second"] and named[1] is b


def test_sequential_arithmetic_shares_modules():
    a, b = _lins(2)
    s = nn.Sequential(a)
    t = nn.Sequential(b)
    both = s + t
    assert list(both) == [a, b]
    s += t
    assert list(s) == [a, b]
    assert list(t * 2) == [b, b] and list(2 * t) == [b, b]
    t *= 3
    assert list(t) == [b, b, b] and list(t._modules) == ["0", "1", "2"]
    for bad in (lambda: s + [a], lambda: s.__iadd__([a])):
        with pytest.raises(ValueError):
            bad()
    for bad, exc in ((lambda: s * 1.5, TypeError), (lambda: s * 0, ValueError)):
        with pytest.raises(exc):
            bad()
    u = nn.Sequential(a)
    with pytest.raises(TypeError):
        u *= "x"
    with pytest.raises(ValueError):
        u *= -1
    x = tg.tensor([[2.0]])
    chain = nn.Sequential(nn.Linear(1, 1, bias=False), nn.ReLU())
    chain[0].weight.data.fill_(-3.0)
    assert chain(x).item() == 0.0  # relu(-6)


def test_module_list_operations_and_folded_repr():
    a, b, c = _lins(3)
    ml = nn.ModuleList([a, b])
    assert ml[-1] is b and isinstance(ml[0:1], nn.ModuleList) and list(ml[0:1]) == [a]
    ml[1] = c
    assert ml[1] is c
    ml.insert(0, b)
    assert list(ml) == [b, a, c]
    del ml[0]
    assert list(ml) == [a, c] and list(ml._modules) == ["0", "1"]
    assert ml.pop(0) is a and list(ml) == [c]
    ml += [a]
    assert list(ml + [b]) == [c, a, b]
    with pytest.raises(TypeError):
        ml.extend(3)
    with pytest.raises(TypeError):
        ml.extend("ab")
    with pytest.raises(NotImplementedError):
        ml(tg.zeros(1))
    assert repr(nn.ModuleList()) == "ModuleList()"
    same = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.ReLU(), nn.Tanh()])
    assert repr(same) == "ModuleList(\n  (0-2): 3 x ReLU()\n  (3): Tanh()\n)"


def test_module_dict_is_an_ordered_mapping():
    a, b, c = _lins(3)
    md = nn.ModuleDict({"a": a})
    md.update([("b", b)])
    md["c"] = c
    assert list(md) == ["a", "b", "c"] and list(md.keys()) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert list(md.values()) == [a, b, c] and dict(md.items())["c"] is c
    del md["a"]
    assert md.pop("b") is b and list(md) == ["c"]
    assert [n for n, _ in md.named_parameters()] == ["c.weight", "c.bias"]
    md.clear()
    assert len(md) == 0
    with pytest.raises(NotImplementedError):
        md(tg.zeros(1))


def test_topk_values_indices_and_ties():
    x = np.array([[3.0, 1.0, 3.0, 2.0], [0.0, -1.0, 5.0, 5.0]])
    v, i = tg.topk(tg.tensor(x), 2)
    assert v.tolist() == [[3.0, 3.0], [5.0, 5.0]] and i.tolist() == [[0, 2], [2, 3]]
    v, i = tg.topk(tg.tensor(x), 1, dim=0, largest=False)
    assert v.tolist() == [[0.0, -1.0, 3.0, 2.0]] and i.tolist() == [[1, 1, 0, 0]]
    v, i = tg.topk(tg.tensor(4.0), 1)
    assert v.item() == 4.0 and i.item() == 0
    with pytest.raises(RuntimeError):
        tg.topk(tg.tensor(x), 5)


def test_bincount_counts_and_weighted_sums():
    x = tg.tensor([1, 3, 1, 0, 3, 3])
    assert tg.bincount(x).tolist() == [1, 2, 0, 3] and tg.bincount(x).dtype == tg.int64
    assert tg.bincount(x, minlength=6).tolist() == [1, 2, 0, 3, 0, 0]
    w = tg.bincount(x, weights=tg.tensor([0.5, 1.0, 2.0, 4.0, 0.25, 0.25], dtype=tg.float32))
    assert w.tolist() == [4.0, 2.5, 0.0, 1.5] and w.dtype == tg.float32
    assert tg.bincount(x, weights=[1, 1, 1, 1, 1, 1]).dtype == tg.float64
    for bad, exc in (
        (lambda: tg.bincount(tg.tensor([1.0])), NotImplementedError),
        (lambda: tg.bincount(tg.tensor([[1]])), RuntimeError),
        (lambda: tg.bincount(tg.tensor([-1])), RuntimeError),
        (lambda: tg.bincount(x, minlength=-1), RuntimeError),
        (lambda: tg.bincount(x, weights=[1.0]), RuntimeError),
    ):
        with pytest.raises(exc):
            bad()


def test_histc_bins_edges_and_range():
    x = tg.tensor([1.0, 2.0, 1.0, 4.0, 2.5, 9.0])
    # [min, max] = [1, 9], 4 bins of width 2: [1,3) [3,5) [5,7) [7,9]
    assert tg.histc(x, bins=4).tolist() == [4.0, 1.0, 0.0, 1.0]
    # explicit range [0, 4]: 9.0 ignored, 4.0 falls in the last bin (right edge included)
    assert tg.histc(x, bins=2, min=0, max=4).tolist() == [2.0, 3.0]
    assert tg.histc(tg.tensor([2.0, 2.0]), bins=2).tolist() == [0.0, 2.0]  # range [1, 3]
    assert tg.histc(tg.tensor([], dtype=tg.float64), bins=3).tolist() == [0.0, 0.0, 0.0]
    for bad, exc in (
        (lambda: tg.histc(tg.tensor([1, 2]), bins=2), NotImplementedError),
        (lambda: tg.histc(x, bins=0), RuntimeError),
        (lambda: tg.histc(x, bins=2, min=3, max=1), RuntimeError),
    ):
        with pytest.raises(exc):
            bad()


def test_histogram_counts_edges_weights_and_density():
    x = tg.tensor([0.0, 1.0, 1.5, 2.0, 4.0])
    hist, edges = tg.histogram(x, bins=4)
    assert edges.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and hist.tolist() == [1.0, 2.0, 1.0, 1.0]
    hist, edges = tg.histogram(x, bins=2, range=(1.0, 2.0))
    assert edges.tolist() == [1.0, 1.5, 2.0] and hist.tolist() == [1.0, 2.0]
    hist, _ = tg.histogram(x, bins=tg.tensor([0.0, 1.0, 4.0]), weight=tg.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert hist.tolist() == [1.0, 14.0]
    hist, _ = tg.histogram(x, bins=tg.tensor([0.0, 1.0, 4.0]), density=True)
    np.testing.assert_allclose(hist.numpy(), [1 / 5, 4 / 5 / 3])  # count / (total * width)
    hist, edges = tg.histogram(tg.tensor([3.0]), bins=2)
    assert edges.tolist() == [2.5, 3.0, 3.5] and hist.tolist() == [0.0, 1.0]
    with pytest.raises(NotImplementedError):
        tg.histogram(tg.tensor([1, 2]))


def test_nonzero_and_masked_select():
    x = tg.tensor([[0, 2], [3, 0]])
    assert x.nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert [t.tolist() for t in tg.tensor(5).nonzero(as_tuple=True)] == [[0]]
    assert tg.masked_select(x, tg.tensor([True, False])).tolist() == [0, 3]
    with pytest.raises(RuntimeError):
        tg.masked_select(x, tg.tensor([1, 0]))
    with pytest.raises(RuntimeError):
        tg.masked_select(x, tg.tensor([True, False, True]))


def test_unique_inverse_counts_and_dim():
    v, inv, cnt = tg.unique(tg.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    assert v.tolist() == [1, 2, 3] and inv.tolist() == [2, 0, 2, 1] and cnt.tolist() == [1, 1, 2]
    rows, inv = tg.unique(tg.tensor([[1, 2], [0, 5], [1, 2]]), dim=0, return_inverse=True)
    assert rows.tolist() == [[0, 5], [1, 2]] and inv.tolist() == [1, 0, 1]
