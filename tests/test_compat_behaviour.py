"""PyTorch-compatible behaviour that needs no PyTorch to check: the batch structure
``default_collate`` makes, ``DataLoader`` samplers and batch samplers, ``ParameterList`` and
``ParameterDict``. (The same behaviour is compared with PyTorch itself in
``test_compat_programs.py``.)"""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.utils.data import (
    BatchSampler,
    DataLoader,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
)


def _ds(n=10):
    return TensorDataset(tg.arange(n).float(), tg.arange(n))


# ---- collate: a tuple sample gives a list batch ----------------------------------------------


def test_tuple_samples_collate_to_a_list_so_items_can_be_reassigned():
    batch = next(iter(DataLoader(_ds(), batch_size=4)))
    assert isinstance(batch, list) and batch[1].tolist() == [0, 1, 2, 3]
    batch[0] = batch[0].to("cpu")  # a common pattern that a tuple would refuse
    out = default_collate([(tg.ones(2), 1), (tg.zeros(2), 0)])
    assert isinstance(out, list) and out[0].shape == (2, 2) and out[1].dtype == tg.int64


def test_collate_keeps_strings_and_refuses_what_it_cannot_batch():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([(tg.ones(1), "x"), (tg.ones(1), "y")])[1] == ("x", "y")
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    assert default_collate([np.str_("a"), np.str_("b")]) == [np.str_("a"), np.str_("b")]


def test_batches_of_a_user_dataset_and_of_a_tensor_dataset_have_the_same_structure():
    class Plain:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return tg.tensor(float(i)), i

    slow = next(iter(DataLoader(Plain(), batch_size=4)))
    fast = next(iter(DataLoader(TensorDataset(tg.arange(4).float(), tg.arange(4)), batch_size=4)))
    assert type(slow) is type(fast) is list
    assert slow[0].tolist() == fast[0].tolist() and slow[1].tolist() == fast[1].tolist()


# ---- samplers ---------------------------------------------------------------------------------


def test_sampler_chooses_the_indices_and_sets_the_length():
    ds = _ds()
    loader = DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 1])
    assert len(loader) == 2 and [b[1].tolist() for b in loader] == [[9, 8, 7], [1]]
    seq = DataLoader(ds, batch_size=4, sampler=SequentialSampler(ds), drop_last=True)
    assert [b[1].tolist() for b in seq] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_subset_random_sampler_splits_train_and_validation_over_one_dataset():
    ds = _ds()
    tg.manual_seed(0)
    train = DataLoader(ds, batch_size=3, sampler=SubsetRandomSampler(list(range(7))))
    val = DataLoader(ds, batch_size=3, sampler=SubsetRandomSampler([7, 8, 9]))
    seen_train = [int(v) for b in train for v in b[1]]
    assert sorted(seen_train) == list(range(7)) and len(train) == 3
    assert sorted(int(v) for b in val for v in b[1]) == [7, 8, 9]
    tg.manual_seed(0)
    assert [int(v) for b in train for v in b[1]] == seen_train  # reproducible from the seed


def test_random_sampler_permutes_or_draws_with_replacement():
    ds = _ds()
    g = tg.Generator().manual_seed(3)
    perm = list(RandomSampler(ds, generator=g))
    assert sorted(perm) == list(range(10)) and perm != list(range(10))
    drawn = list(RandomSampler(ds, replacement=True, num_samples=25, generator=g))
    assert len(drawn) == 25 and all(0 <= i < 10 for i in drawn)
    longer = list(RandomSampler(ds, num_samples=25, generator=g))
    assert len(longer) == 25 and sorted(set(longer)) == list(range(10))
    with pytest.raises(
        ValueError, match="num_samples should be a positive integer value, but got num_samples=0"
    ):
        RandomSampler(ds, num_samples=0)


def test_weighted_random_sampler_follows_the_weights():
    assert list(WeightedRandomSampler([0.0, 0.0, 5.0], 4)) == [2, 2, 2, 2]
    assert sorted(WeightedRandomSampler(tg.tensor([1.0, 1.0, 1.0]), 3, replacement=False)) == [0, 1, 2]
    tg.manual_seed(0)
    counts = np.bincount(list(WeightedRandomSampler([1.0, 3.0], 4000)), minlength=2)
    assert 0.7 < counts[1] / 4000 < 0.8
    with pytest.raises(RuntimeError, match="cannot draw 4 samples without replacement from 3 weights"):
        WeightedRandomSampler([1.0, 1.0, 1.0], 4, replacement=False)
    with pytest.raises(
        ValueError, match=r"weights should be a 1d sequence but given weights have shape \(2, 2\)"
    ):
        WeightedRandomSampler(np.ones((2, 2)), 2)


def test_batch_sampler_groups_indices_and_feeds_the_loader():
    bs = BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False)
    assert list(bs) == [[0, 1], [2, 3], [4]] and len(bs) == 3
    dropped = BatchSampler(range(5), batch_size=2, drop_last=True)
    assert list(dropped) == [[0, 1], [2, 3]] and len(dropped) == 2
    loader = DataLoader(_ds(), batch_sampler=[[0, 1], [5, 6, 7]])
    assert len(loader) == 2 and [b[1].tolist() for b in loader] == [[0, 1], [5, 6, 7]]
    assert loader.batch_size is None
    with pytest.raises(
        ValueError, match="batch_size should be a positive integer value, but got batch_size=0"
    ):
        BatchSampler(range(3), 0, False)


def test_sampler_options_that_contradict_each_other_are_refused():
    ds = _ds()
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    for kwargs in ({"batch_size": 4}, {"shuffle": True}, {"sampler": [0]}, {"drop_last": True}):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive with batch_size"):
            DataLoader(ds, batch_sampler=[[0]], **kwargs)


def test_sampler_works_with_a_custom_collate_fn_and_a_plain_dataset():
    class Squares:
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return {"x": float(i * i)}

    loader = DataLoader(Squares(), batch_size=2, sampler=[5, 0, 3], collate_fn=lambda b: [s["x"] for s in b])
    assert list(loader) == [[25.0, 0.0], [9.0]]


# ---- ParameterList / ParameterDict ------------------------------------------------------------


def test_parameter_list_registers_wraps_and_trains():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(tg.ones(2, 2)), tg.zeros(2)])

        def forward(self, x):
            return x @ self.ws[0] + self.ws[1]

    m = Model()
    assert [n for n, _ in m.named_parameters()] == ["ws.0", "ws.1"]
    assert list(m.state_dict()) == ["ws.0", "ws.1"]
    assert isinstance(m.ws[1], nn.Parameter) and m.ws[1].requires_grad and len(m.ws) == 2
    m(tg.ones(3, 2)).sum().backward()
    assert m.ws[0].grad.tolist() == [[3.0, 3.0], [3.0, 3.0]] and m.ws[1].grad.tolist() == [3.0, 3.0]
    m.ws.append(tg.ones(1))
    m.ws[0] = tg.zeros(2, 2)
    assert len(list(m.parameters())) == 3 and isinstance(m.ws[0], nn.Parameter) and m.ws[-1].shape == (1,)
    assert [p.shape for p in m.ws[1:]] == [(2,), (1,)]
    assert repr(m.ws) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [tinygrad_np.float32 of size 2x2]\n"
        "    (1): Parameter containing: [tinygrad_np.float32 of size 2]\n"
        "    (2): Parameter containing: [tinygrad_np.float32 of size 1]\n)"
    )
    m.double()
    assert m.ws[0].dtype == tg.float64
    with pytest.raises(IndexError, match="index 3 is out of range"):
        m.ws[3]
    with pytest.raises(
        TypeError, match="ParameterList.extend should be called with an iterable, but got Tensor"
    ):
        m.ws.extend(tg.ones(2))


def test_parameter_dict_registers_by_key():
    pd = nn.ParameterDict({"scale": nn.Parameter(tg.ones(1)), "shift": tg.zeros(1)})
    assert (
        list(pd.keys()) == ["scale", "shift"]
        and len(pd) == 2
        and "scale" in pd
        and list(pd) == list(pd.keys())
    )
    assert isinstance(pd["shift"], nn.Parameter) and list(pd.state_dict()) == ["scale", "shift"]
    pd["extra"] = tg.ones(3)
    assert [k for k, _ in pd.named_parameters()] == ["scale", "shift", "extra"]
    assert pd.pop("extra").shape == (3,) and "extra" not in pd and pd.get("extra") is None
    assert repr(pd) == (
        "ParameterDict(\n"
        "    (scale): Parameter containing: [tinygrad_np.FloatTensor of size 1]\n"
        "    (shift): Parameter containing: [tinygrad_np.FloatTensor of size 1]\n)"
    )
    with pytest.raises(KeyError):
        pd["missing"]
    loaded = nn.ParameterDict({"scale": tg.zeros(1), "shift": tg.zeros(1)})
    assert str(loaded.load_state_dict(pd.state_dict())) == "<All keys matched successfully>"
    assert loaded["scale"].tolist() == [1.0]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


# ---- IterableDataset ---------------------------------------------------------------------------


class _Lines(IterableDataset):
    """A stream of (features, label) pairs, as read from a file line by line."""

    def __iter__(self):
        for i in range(5):
            yield np.array([i, i + 1], dtype=np.float32), i % 2


def test_iterable_dataset_is_batched_in_order():
    batches = list(DataLoader(_Lines(), batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [0, 1], [0]]
    assert batches[0][0].dtype == tg.float32 and batches[0][0].tolist() == [[0.0, 1.0], [1.0, 2.0]]
    assert len(list(DataLoader(_Lines(), batch_size=2, drop_last=True))) == 2
    assert [int(y) for _, y in DataLoader(_Lines(), batch_size=None)] == [0, 1, 0, 1, 0]
    assert list(DataLoader(_Lines(), batch_size=3, collate_fn=len)) == [3, 2]


def test_iterable_dataset_refuses_shuffling_sampling_and_indexing():
    with pytest.raises(
        ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle option"
    ):
        DataLoader(_Lines(), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(_Lines(), sampler=[0])
    with pytest.raises(TypeError, match="object of type '_Lines' has no len()"):
        len(DataLoader(_Lines()))
    with pytest.raises(TypeError, match="_Lines is an IterableDataset: iterate over it, it has no indexing"):
        _Lines()[0]


# ---- set-up switches: backends, deterministic algorithms, threads --------------------------------


def test_backend_switches_are_kept_and_report_no_accelerator():
    assert tg.backends.mps.is_available() is False and tg.backends.mps.is_built() is False
    assert tg.backends.cudnn.is_available() is False and tg.backends.cuda.is_built() is False
    before = tg.backends.cudnn.benchmark
    tg.backends.cudnn.benchmark = True
    try:
        assert tg.backends.cudnn.benchmark is True
    finally:
        tg.backends.cudnn.benchmark = before


def test_deterministic_switch_and_thread_count_read_back():
    threads = tg.get_num_threads()
    try:
        tg.use_deterministic_algorithms(True, warn_only=True)
        assert tg.are_deterministic_algorithms_enabled() is True
        tg.set_num_threads(2)
        assert tg.get_num_threads() == 2
        with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer, got 0"):
            tg.set_num_threads(0)
    finally:
        tg.use_deterministic_algorithms(False)
        tg.set_num_threads(threads)
    assert tg.are_deterministic_algorithms_enabled() is False


# ---- module backward hooks ---------------------------------------------------------------------


def test_full_backward_hook_sees_input_and_output_gradients():
    lin = nn.Linear(2, 1)
    with tg.no_grad():
        lin.weight.copy_(tg.tensor([[2.0, -1.0]]))
        lin.bias.fill_(0.0)
    seen = []
    handle = lin.register_full_backward_hook(lambda m, gi, go: seen.append((m, gi, go)))
    x = tg.tensor([[1.0, 1.0]], requires_grad=True)
    (lin(x) * 3).sum().backward()  # dL/dy = 3, dL/dx = 3 * W
    ((m, gi, go),) = seen
    assert m is lin and go[0].tolist() == [[3.0]] and gi[0].tolist() == [[6.0, -3.0]]
    with handle:  # a handle is a context manager that removes the hook
        pass
    lin(x).sum().backward()
    assert len(seen) == 1


def test_full_backward_hook_can_replace_grad_input_and_skips_no_grad():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (tg.zeros_like(gi[0]),))
    x = tg.ones(3, 2, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0]] * 3 and lin.weight.grad is not None
    with tg.no_grad():
        assert lin(x).grad_fn is None  # nothing is wrapped when no graph is built


def test_full_backward_hook_refuses_an_ambiguous_replacement():
    class Add(nn.Module):
        def forward(self, a, b):
            return a + b

    mod = Add()
    mod.register_full_backward_hook(lambda m, gi, go: gi)
    a, b = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    with pytest.raises(
        NotImplementedError, match="replacing grad_input is supported for modules with one input"
    ):
        mod(a, b).sum().backward()
    with pytest.raises(RuntimeError, match=r"returned 2 gradients, expected 1 \(one per tensor input\)"):
        lin = nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        lin(tg.ones(1, 2, requires_grad=True)).sum().backward()


# ---- GroupNorm, channel dropout ----------------------------------------------------------------


def test_group_norm_normalises_each_group_of_each_sample():
    x = tg.tensor(np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3) ** 1.5)
    y = nn.GroupNorm(2, 4)(x).detach().numpy().reshape(2, 2, 6)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=-1), 1.0, atol=1e-3)
    with pytest.raises(
        RuntimeError, match=r"GroupNorm: expected input of shape \(N, 4, \*\), got \(2, 3, 5\)"
    ):
        nn.GroupNorm(2, 4)(tg.ones(2, 3, 5))
    assert tg.autograd.gradcheck(
        lambda t: nn.GroupNorm(2, 4).double()(t),
        (tg.tensor(np.random.default_rng(0).standard_normal((2, 4, 3)), requires_grad=True),),
    )


def test_channel_dropout_zeroes_whole_channels():
    tg.manual_seed(0)
    out = nn.Dropout2d(0.5)(tg.ones(4, 8, 2, 2)).numpy().reshape(4, 8, 4)
    assert set(np.unique(out)) <= {0.0, 2.0} and (out.min(axis=-1) == out.max(axis=-1)).all()
    assert 0 < (out[..., 0] == 0).sum() < 32
    unbatched = nn.Dropout2d(0.5)(tg.ones(8, 2, 2)).numpy()  # a 3-D input is read as (N, C, L)
    assert (unbatched.min(axis=-1) == unbatched.max(axis=-1)).all()
    assert nn.Dropout2d(1.0)(tg.ones(2, 2, 2, 2)).sum().item() == 0.0
    with pytest.raises(
        RuntimeError,
        match=r"Dropout1d: expected 2D or 3D input, but received a 4D input of shape \(1, 2, 3, 4\)",
    ):
        nn.Dropout1d(0.5)(tg.ones(1, 2, 3, 4))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 2"):
        nn.Dropout2d(2)


# ---- ConvTranspose2d ---------------------------------------------------------------------------


def test_conv_transpose_is_the_input_gradient_of_conv():
    """<conv2d(x), y> = <x, conv_transpose2d(y)> for the same weight: the defining identity."""
    rng = np.random.default_rng(0)
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1, bias=False).double()
    down = nn.Conv2d(2, 3, 3, stride=2, padding=1, bias=False).double()
    down.weight.data = up.weight.data  # the same (in=2 for conv) x (out=3) kernel, roles swapped
    x = tg.tensor(rng.standard_normal((1, 2, 8, 8)))
    y = tg.tensor(rng.standard_normal((1, 3, 4, 4)))
    assert up(y).shape == (1, 2, 8, 8)
    np.testing.assert_allclose((down(x) * y).sum().item(), (x * up(y)).sum().item(), rtol=1e-10)


def test_conv_transpose_gradients_and_errors():
    m = nn.ConvTranspose2d(2, 2, 2, stride=2, groups=2).double()
    x = tg.tensor(np.random.default_rng(1).standard_normal((1, 2, 3, 3)), requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: m(t), (x,))
    assert m.weight.shape == (2, 1, 2, 2) and m.bias.shape == (2,)
    with pytest.raises(ValueError, match="output padding must be smaller than either stride or dilation"):
        nn.ConvTranspose2d(2, 2, 3, output_padding=1)
    with pytest.raises(
        RuntimeError,
        match=r"ConvTranspose2d: expected input of shape \(N, 2, H, W\) or \(2, H, W\), got \(1, 3, 4, 4\)",
    ):
        m(tg.ones(1, 3, 4, 4))
    with pytest.raises(NotImplementedError, match="output_size is not supported; use output_padding"):
        m(tg.ones(1, 2, 4, 4), output_size=(8, 8))


# ---- padding, Upsample, InstanceNorm -----------------------------------------------------------


def test_nearest_upsample_repeats_values_and_sums_their_gradients():
    x = tg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
    y = nn.Upsample(scale_factor=2)(x)
    assert y.tolist() == [
        [[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0], [3.0, 3.0, 4.0, 4.0]]]
    ]
    (y * tg.arange(16.0).reshape(1, 1, 4, 4)).sum().backward()
    assert x.grad.tolist() == [[[[10.0, 18.0], [42.0, 50.0]]]]
    with pytest.raises(NotImplementedError, match="mode='bilinear' is not supported; only 'nearest'"):
        nn.Upsample(scale_factor=2, mode="bilinear")
    with pytest.raises(
        NotImplementedError, match=r"only whole-number scales are supported, got \[1.5, 1.5\]"
    ):
        nn.Upsample(scale_factor=1.5)(x)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        nn.Upsample()


def test_padding_modules_and_instance_norm_edge_cases():
    x = tg.tensor([[[1.0, 2.0, 3.0]]])
    assert nn.ReflectionPad1d(2)(x).tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    assert nn.ReplicationPad1d((1, 2))(x).tolist() == [[[1.0, 1.0, 2.0, 3.0, 3.0, 3.0]]]
    assert nn.ConstantPad1d(1, 9.0)(x).tolist() == [[[9.0, 1.0, 2.0, 3.0, 9.0]]]
    with pytest.raises(ValueError, match=r"ZeroPad2d: padding must be an int or a 4-tuple, got \(1, 2\)"):
        nn.ZeroPad2d((1, 2))
    y = nn.InstanceNorm1d(2)(tg.tensor([[[1.0, 3.0], [10.0, 20.0]]]))
    np.testing.assert_allclose(y.numpy(), [[[-1.0, 1.0], [-1.0, 1.0]]], atol=1e-4)
    with pytest.raises(NotImplementedError, match="track_running_stats=True is not supported"):
        nn.InstanceNorm2d(3, track_running_stats=True)
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D or 4D input \(got 2D input\)"):
        nn.InstanceNorm2d(3)(tg.ones(2, 3))


def test_adaptive_pools():
    x = tg.arange(24.0).reshape(1, 2, 3, 4)
    assert nn.AdaptiveMaxPool2d(1)(x).tolist() == [[[[11.0]], [[23.0]]]]
    assert nn.AdaptiveMaxPool2d((3, 2))(x)[0, 0].tolist() == [[1.0, 3.0], [5.0, 7.0], [9.0, 11.0]]
    assert nn.AdaptiveAvgPool1d(1)(tg.tensor([[[1.0, 2.0, 6.0]]])).tolist() == [[[3.0]]]
    with pytest.raises(
        NotImplementedError, match=r"input size \(3, 4\) is not a multiple of output_size \(2, 4\)"
    ):
        nn.AdaptiveMaxPool2d((2, 4))(x)
    with pytest.raises(NotImplementedError, match="return_indices=True is not supported"):
        nn.AdaptiveMaxPool2d(1, return_indices=True)


def test_kl_div_loss_is_zero_for_equal_distributions_and_checks_shapes():
    p = tg.tensor([[0.2, 0.8], [1.0, 0.0]])
    loss = nn.KLDivLoss(reduction="batchmean")(tg.log(p + 1e-12), p)
    assert abs(loss.item()) < 1e-6
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"
    with pytest.raises(ValueError, match=r"kl_div: input of shape \(2, 2\) and target of shape \(2,\)"):
        nn.KLDivLoss()(tg.zeros(2, 2), tg.zeros(2))


def test_save_load_keeps_ordered_dicts_ordered_and_plain_dicts_plain(tmp_path):
    from collections import OrderedDict

    path = tmp_path / "ckpt.pt"
    tg.save({"model": nn.Linear(2, 1).state_dict(), "meta": {"b": 1, "a": 2}}, path)
    loaded = tg.load(path)
    assert type(loaded) is dict and type(loaded["meta"]) is dict and list(loaded["meta"]) == ["b", "a"]
    assert type(loaded["model"]) is OrderedDict and list(loaded["model"]) == ["weight", "bias"]
