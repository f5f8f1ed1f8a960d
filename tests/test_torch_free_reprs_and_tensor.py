"""Module reprs (the strings PyTorch 2.13 prints, written out), one_hot, Upsample to a size,
and small Tensor methods without PyTorch, checked against hand-written values."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.data import DataLoader, TensorDataset
from tinygrad_np.data.sampler import RandomSampler, SequentialSampler
from tinygrad_np.nn import functional as F

REPRS = [
    (
        lambda: nn.Embedding(
            10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True
        ),
        "Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)",
    ),
    (lambda: nn.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    (lambda: nn.AvgPool1d(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
    (lambda: nn.AdaptiveAvgPool2d((1, 1)), "AdaptiveAvgPool2d(output_size=(1, 1))"),
    (lambda: nn.AdaptiveMaxPool2d(2), "AdaptiveMaxPool2d(output_size=2)"),
    (lambda: nn.AdaptiveAvgPool1d(4), "AdaptiveAvgPool1d(output_size=4)"),
    (
        lambda: nn.BatchNorm1d(3),
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)",
    ),
    (lambda: nn.LayerNorm(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"),
    (lambda: nn.GroupNorm(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"),
    (
        lambda: nn.InstanceNorm1d(3),
        "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)",
    ),
    (lambda: nn.Upsample(scale_factor=2.0), "Upsample(scale_factor=2.0, mode='nearest')"),
    (lambda: nn.Upsample(size=4), "Upsample(size=4, mode='nearest')"),
    (lambda: nn.ReflectionPad2d(1), "ReflectionPad2d((1, 1, 1, 1))"),
    (lambda: nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)"),
    (lambda: nn.ZeroPad2d(1), "ZeroPad2d((1, 1, 1, 1))"),
]


@pytest.mark.parametrize("make,want", REPRS, ids=[w.split("(")[0] + str(i) for i, (_, w) in enumerate(REPRS)])
def test_module_repr_is_pytorchs(make, want):
    assert repr(make()) == want


def test_group_norm_checks_divisibility():
    with pytest.raises(ValueError):
        nn.GroupNorm(3, 4)


def test_upsample_to_a_size_repeats_each_element():
    x = tg.tensor([[[1.0, 2.0]]])
    assert nn.Upsample(size=4)(x).tolist() == [[[1.0, 1.0, 2.0, 2.0]]]
    y = tg.arange(4.0).reshape(1, 1, 2, 2)
    assert nn.Upsample(size=(4, 2))(y).tolist() == [[[[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]]]]


def test_one_hot_matches_the_identity_rows():
    idx = np.array([[0, 2], [1, 1]])
    got = F.one_hot(tg.tensor(idx))
    assert got.dtype == tg.int64 and np.array_equal(got.numpy(), np.eye(3, dtype=np.int64)[idx])
    assert F.one_hot(tg.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(RuntimeError):
        F.one_hot(tg.tensor([-1]))
    with pytest.raises(RuntimeError):
        F.one_hot(tg.tensor([3]), num_classes=3)


def test_small_tensor_methods():
    x = tg.tensor([[1.0, -2.0], [3.0, -4.0]])
    assert x.is_contiguous() and not x.t().is_contiguous()
    assert x.clone().zero_().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert x.clone().abs_().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x.equal(x.clone()) and not x.equal(x[:1]) and not x.equal(x + 1)
    assert x.allclose(x + 1e-9) and not x.allclose(x + 1e-3)
    assert tg.ones(3).bernoulli().tolist() == [1.0, 1.0, 1.0]
    assert tg.tensor([0.0, 1.0]).multinomial(2, replacement=True).tolist() == [1, 1]
    with pytest.raises(RuntimeError):
        tg.ones(3).trace()


def test_dataloader_samplers_and_option_checks():
    ds = TensorDataset(tg.arange(6.0))
    loader = DataLoader(ds, batch_size=4)
    assert isinstance(loader.sampler, SequentialSampler) and list(loader.sampler) == list(range(6))
    assert [list(b) for b in loader.batch_sampler] == [[0, 1, 2, 3], [4, 5]]
    shuffled = DataLoader(ds, batch_size=2, shuffle=True)
    assert isinstance(shuffled.sampler, RandomSampler) and sorted(shuffled.sampler) == list(range(6))
    assert DataLoader(ds, batch_size=None).batch_sampler is None
    with pytest.raises(ValueError):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError):
        DataLoader(ds, num_workers=-1)
