"""``tinygrad_np.utils.data`` at PyTorch's paths (the ``dataset``, ``dataloader`` and
``sampler`` submodules) and lazy sampling: a sampler asked for 10^10 indices draws them as
they are consumed, in chunks, as PyTorch's samplers do."""

import itertools
import tracemalloc

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.data as tdata


def test_submodules_at_pytorch_paths_are_the_same_objects():
    from tinygrad_np.utils.data import DataLoader, RandomSampler, TensorDataset
    from tinygrad_np.utils.data.dataloader import DataLoader as DL2
    from tinygrad_np.utils.data.dataloader import default_collate, get_worker_info
    from tinygrad_np.utils.data.dataset import ConcatDataset, Dataset, IterableDataset, Subset, random_split
    from tinygrad_np.utils.data.sampler import (
        BatchSampler,
        Sampler,
        SequentialSampler,
        SubsetRandomSampler,
        WeightedRandomSampler,
    )
    from tinygrad_np.utils.data.sampler import RandomSampler as RS2

    assert DL2 is DataLoader is tdata.DataLoader and RS2 is RandomSampler is tdata.RandomSampler
    assert TensorDataset is tdata.TensorDataset and Dataset is tdata.Dataset
    assert default_collate is tdata.default_collate and get_worker_info() is None
    for obj in (ConcatDataset, IterableDataset, Subset, random_split, BatchSampler, Sampler):
        assert obj is getattr(tdata, obj.__name__)
    for obj in (SequentialSampler, SubsetRandomSampler, WeightedRandomSampler):
        assert obj is getattr(tdata, obj.__name__)
    import tinygrad_np.utils.data.dataset as m

    assert tg.utils.data.dataset is m


def _peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_random_sampler_with_replacement_is_lazy():
    ds = tdata.TensorDataset(tg.arange(10.0))
    sampler = tdata.RandomSampler(ds, replacement=True, num_samples=int(1e10))
    assert len(sampler) == 10**10
    peak = _peak_bytes(lambda: list(itertools.islice(iter(sampler), 1000)))
    assert peak < 1_000_000  # a whole draw up front would be 80 GB
    assert set(itertools.islice(iter(sampler), 2000)) == set(range(10))


def test_random_sampler_without_replacement_chains_permutations_lazily():
    ds = range(7)
    s = tdata.RandomSampler(ds, num_samples=10**12, generator=tg.Generator().manual_seed(0))
    first = list(itertools.islice(iter(s), 21))
    for k in range(3):
        assert sorted(first[7 * k : 7 * k + 7]) == list(range(7))
    s = tdata.RandomSampler(ds, num_samples=10)
    drawn = list(s)
    assert len(drawn) == 10 and sorted(drawn[:7]) == list(range(7)) and len(set(drawn[7:])) == 3


def test_random_sampler_reproducible_and_checks():
    a = list(
        tdata.RandomSampler(
            range(50), replacement=True, num_samples=77, generator=tg.Generator().manual_seed(1)
        )
    )
    b = list(
        tdata.RandomSampler(
            range(50), replacement=True, num_samples=77, generator=tg.Generator().manual_seed(1)
        )
    )
    assert a == b and len(a) == 77
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        tdata.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        tdata.RandomSampler(range(3), num_samples=0)


def test_dataloader_over_an_endless_sampler_is_lazy():
    """The 'infinite stream' idiom: DataLoader(ds, sampler=RandomSampler(ds, True, int(1e10)))."""
    x = tg.arange(20.0).reshape(10, 2)
    ds = tdata.TensorDataset(x, tg.arange(10))
    sampler = tdata.RandomSampler(ds, replacement=True, num_samples=int(1e10))
    loader = tdata.DataLoader(ds, batch_size=4, sampler=sampler)
    assert len(loader) == 25 * 10**8

    def take():
        it = iter(loader)
        for _ in range(50):
            xb, yb = next(it)
            np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())

    assert _peak_bytes(take) < 2_000_000
    unbatched = tdata.DataLoader(ds, batch_size=None, sampler=sampler)
    xb, yb = next(iter(unbatched))
    assert tuple(xb.shape) == (2,)


def test_dataloader_with_a_generator_sampler_of_unknown_length():
    class Endless(tdata.Sampler):
        def __iter__(self):
            return itertools.count()

    ds = tdata.TensorDataset(tg.arange(1000.0))
    (xb,) = next(iter(tdata.DataLoader(ds, batch_size=3, sampler=Endless())))
    assert xb.tolist() == [0.0, 1.0, 2.0]


def test_pytorch_lazy_sampler_parity():
    torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch")
    from torch.utils.data.sampler import RandomSampler as TRS

    for kw in ({"replacement": True, "num_samples": 70}, {"num_samples": 23}, {}):
        ours = list(tdata.RandomSampler(range(10), **kw))
        theirs = list(TRS(range(10), **kw))
        assert len(ours) == len(theirs) and set(ours) <= set(range(10))
        if not kw.get("replacement"):
            assert sorted(ours[:10]) == sorted(theirs[:10])
    assert torch is not None
