"""Datasets, DataLoader batching/shuffling, random_split and the built-in datasets."""

import collections

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    datasets,
    default_collate,
    random_split,
)


def _ds(n=10):
    return TensorDataset(tg.arange(n * 2, dtype=tg.float32).reshape(n, 2), tg.arange(n))


def test_tensor_dataset_indexing_and_errors():
    ds = _ds(5)
    assert len(ds) == 5
    x, y = ds[3]
    np.testing.assert_array_equal(x._data, [6.0, 7.0])
    assert y.item() == 3
    with pytest.raises(ValueError, match=r"Size mismatch between tensors.*\(3,\), \(4,\)"):
        TensorDataset(tg.zeros(3), tg.zeros(4))


def test_utils_data_is_the_same_package():
    import tinygrad_np.utils.data as utils_data

    assert utils_data.DataLoader is DataLoader and tg.utils.data.TensorDataset is TensorDataset


@pytest.mark.parametrize(
    "n,bs,drop_last,expected", [(10, 3, False, 4), (10, 3, True, 3), (9, 3, True, 3), (2, 5, True, 0)]
)
def test_len_and_batch_shapes(n, bs, drop_last, expected):
    loader = DataLoader(_ds(n), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == expected
    sizes = [x.shape[0] for x, _ in batches]
    assert all(s == bs for s in sizes[:-1])
    if drop_last:
        assert all(s == bs for s in sizes)
    else:
        assert sum(sizes) == n


def test_in_order_without_shuffle():
    ys = np.concatenate([y._data for _, y in DataLoader(_ds(10), batch_size=4)])
    np.testing.assert_array_equal(ys, np.arange(10))
    x, y = next(iter(DataLoader(_ds(10), batch_size=4)))
    assert x.dtype == tg.float32 and y.dtype == tg.int64 and tuple(x.shape) == (4, 2)


def test_shuffle_is_a_permutation_reproducible_by_manual_seed():
    loader = DataLoader(_ds(50), batch_size=8, shuffle=True)
    tg.manual_seed(3)
    epoch1 = np.concatenate([y._data for _, y in loader])
    epoch2 = np.concatenate([y._data for _, y in loader])
    assert sorted(epoch1.tolist()) == list(range(50))
    assert not np.array_equal(epoch1, np.arange(50)) and not np.array_equal(epoch1, epoch2)
    tg.manual_seed(3)
    again1 = np.concatenate([y._data for _, y in loader])
    again2 = np.concatenate([y._data for _, y in loader])
    np.testing.assert_array_equal(epoch1, again1)
    np.testing.assert_array_equal(epoch2, again2)
    for x, y in loader:  # inputs stay paired with their labels
        np.testing.assert_array_equal(x._data[:, 0], 2 * y._data)


def test_own_generator():
    g1, g2 = tg.Generator().manual_seed(7), tg.Generator().manual_seed(7)
    a = [y._data.tolist() for _, y in DataLoader(_ds(20), batch_size=5, shuffle=True, generator=g1)]
    tg.manual_seed(123)  # the default generator does not matter
    b = [y._data.tolist() for _, y in DataLoader(_ds(20), batch_size=5, shuffle=True, generator=g2)]
    assert a == b


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "n": i, "w": i / 2, "name": f"s{i}"}


def test_generic_dataset_default_collate():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert batch["x"].dtype == tg.float32 and tuple(batch["x"].shape) == (3, 2)
    assert batch["n"].dtype == tg.int64 and batch["n"].tolist() == [0, 1, 2]
    assert batch["w"].dtype == tg.float64  # Python floats collate to float64, as PyTorch
    assert batch["name"] == ["s0", "s1", "s2"]


def test_default_collate_structures():
    Pair = collections.namedtuple("Pair", "a b")
    out = default_collate([Pair(tg.tensor([1.0]), 1), Pair(tg.tensor([2.0]), 0)])
    assert isinstance(out, Pair) and tuple(out.a.shape) == (2, 1) and out.b.tolist() == [1, 0]
    out = default_collate([(tg.ones(2), True), (tg.zeros(2), False)])
    assert isinstance(out, list) and out[1].dtype == tg.bool  # a list, as PyTorch
    assert default_collate([[1, 2], [3, 4]])[0].tolist() == [1, 3]
    with pytest.raises(RuntimeError, match=r"stack expects each sample to be of equal size.*\(2,\), \(3,\)"):
        default_collate([tg.ones(2), tg.ones(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


def test_custom_collate_fn_and_unbatched():
    loader = DataLoader(_ds(4), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2]
    samples = list(DataLoader(_ds(3), batch_size=None))
    assert len(samples) == 3 and samples[1][1].item() == 1


def test_loader_errors():
    with pytest.raises(
        ValueError, match="batch_size should be a positive integer value, but got batch_size=0"
    ):
        DataLoader(_ds(), batch_size=0)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(_ds(), sampler=[0, 1], shuffle=True)  # samplers: tests/test_compat_behaviour.py


def test_random_split():
    tg.manual_seed(0)
    a, b = random_split(_ds(10), [7, 3])
    assert isinstance(a, Subset) and len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    tg.manual_seed(0)
    a2, _ = random_split(_ds(10), [7, 3])
    assert a.indices == a2.indices
    parts = random_split(_ds(10), [0.5, 0.3, 0.2], generator=tg.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [5, 3, 2]
    assert [len(p) for p in random_split(_ds(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(
        ValueError, match="Sum of input lengths does not equal the length of the input dataset!"
    ):
        random_split(_ds(10), [3, 3])
    x, y = DataLoader(a, batch_size=7).__iter__().__next__()
    np.testing.assert_array_equal(x._data[:, 0], 2 * y._data)


def test_concat_dataset():
    both = _ds(3) + _ds(2)
    assert len(both) == 5 and both[4][1].item() == 1 and both[-5][1].item() == 0


# ---- built-in datasets --------------------------------------------------------------------
def test_sine():
    x, y = datasets.sine(50).tensors
    assert tuple(x.shape) == (50, 1) and x.dtype == tg.float32 and y.dtype == tg.float32
    assert x._data.min() == 0.0 and np.isclose(x._data.max(), np.pi)
    np.testing.assert_allclose(y._data, np.sin(x._data), atol=1e-6)


def test_xor():
    x, y = datasets.xor().tensors
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y._data.ravel().tolist() == [0, 1, 1, 0]
    assert x.dtype == tg.float32 and tuple(y.shape) == (4, 1)


@pytest.mark.parametrize(
    "make", [lambda: datasets.two_moons(101, noise=0.1), lambda: datasets.spirals(40, 4)]
)
def test_random_datasets_are_reproducible(make):
    tg.manual_seed(5)
    x1, y1 = make().tensors
    tg.manual_seed(5)
    x2, y2 = make().tensors
    x3, _ = make().tensors
    np.testing.assert_array_equal(x1._data, x2._data)
    np.testing.assert_array_equal(y1._data, y2._data)
    assert not np.array_equal(x1._data, x3._data)
    assert x1.dtype == tg.float32 and y1.dtype == tg.int64 and x1.shape[1] == 2


def test_two_moons_and_spirals_shapes():
    x, y = datasets.two_moons(101, noise=0.0).tensors
    assert tuple(x.shape) == (101, 2) and int(y._data.sum()) == 51
    r = np.hypot(x._data[:, 0] - (y._data == 1), x._data[:, 1] - 0.5 * (y._data == 1))
    np.testing.assert_allclose(r, 1.0, atol=1e-6)  # noiseless points lie on their half circles
    x, y = datasets.spirals(30, classes=3).tensors
    assert tuple(x.shape) == (90, 2) and np.bincount(y._data).tolist() == [30, 30, 30]


def test_digits():
    pytest.importorskip("sklearn", reason="digits() needs scikit-learn")
    ds = datasets.digits()
    x, y = ds.tensors
    assert tuple(x.shape) == (1797, 64) and x.dtype == tg.float32 and y.dtype == tg.int64
    assert x._data.min() == 0.0 and x._data.max() == 1.0 and sorted(set(y.tolist())) == list(range(10))
    assert tuple(datasets.digits(flatten=False).tensors[0].shape) == (1797, 8, 8)


def test_digits_without_sklearn(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        datasets.digits()


def test_subset_of_a_generic_dataset_is_collated_per_sample():
    train, _ = random_split(Squares(), [3, 2], generator=tg.Generator().manual_seed(0))
    batch = next(iter(DataLoader(train, batch_size=3)))
    assert sorted(batch["n"].tolist()) == sorted(train.indices)
    np.testing.assert_array_equal(batch["x"]._data[:, 1], batch["n"]._data ** 2)
