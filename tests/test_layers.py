"""Layers, MLP, losses and init without PyTorch: behaviour and error messages."""

import math

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.nn as nn
import tinygrad_np.nn.functional as F

# ---- MLP ---------------------------------------------------------------------------------------------


def test_mlp_layout_and_keys():
    m = nn.MLP([2, 5, 5, 1], activation="sigmoid", output_activation="tanh")
    assert [type(x).__name__ for x in m] == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear", "Tanh"]
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert isinstance(m, nn.Sequential)
    assert m(tg.zeros(3, 2)).shape == (3, 1)


@pytest.mark.parametrize("act", [None, "identity", "relu", "leaky_relu", "gelu", "tanh", "sigmoid", nn.ReLU])
def test_mlp_accepts_activation_names(act):
    m = nn.MLP([3, 4, 2], activation=act)
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_mlp_unknown_activation_lists_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swishy'") as e:
        nn.MLP([2, 3, 1], activation="swishy")
    for name in ("'relu'", "'sigmoid'", "'tanh'", "'leaky_relu'", "'gelu'", "'identity'"):
        assert name in str(e.value)
    with pytest.raises(ValueError, match="output_activation"):
        nn.MLP([2, 1], output_activation="nope")
    with pytest.raises(ValueError, match="at least two positive ints"):
        nn.MLP([3])


# ---- conv and pooling ---------------------------------------------------------------------------------


def test_conv_channel_mismatch_message():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(RuntimeError) as e:
        conv(tg.zeros(2, 4, 5, 5))
    assert str(e.value) == (
        "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels, "
        "but got 4 channels instead"
    )
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input"):
        conv(tg.zeros(5, 5))
    with pytest.raises(RuntimeError, match="too small for kernel"):
        conv(tg.zeros(1, 3, 2, 2))


def test_conv_matches_direct_sum():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    out = F.conv2d(tg.tensor(x), tg.tensor(w), stride=(2, 1), padding=1)._data
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = (6 + 2 - 3) // 2 + 1, (5 + 2 - 2) + 1
    ref = np.zeros((2, 4, oh, ow))
    for i in range(oh):  # the definition, written out slowly
        for j in range(ow):
            patch = xp[:, :, 2 * i : 2 * i + 3, j : j + 2]
            ref[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    np.testing.assert_allclose(out, ref, rtol=1e-10)


def test_pools_simple_values():
    x = tg.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(F.max_pool2d(x, 2)._data[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 2)._data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    np.testing.assert_array_equal(idx._data[0, 0], [[5, 7], [13, 15]])
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        F.max_pool2d(x, 2, ceil_mode=True)


# ---- normalisation, dropout, embedding ----------------------------------------------------------------


def test_batchnorm_eval_uses_running_stats():
    bn = nn.BatchNorm1d(2)
    bn.running_mean._data[:] = [1.0, -1.0]
    bn.running_var._data[:] = [4.0, 0.25]
    bn.eval()
    out = bn(tg.tensor([[3.0, 0.0]]))
    np.testing.assert_allclose(out._data, [[2 / math.sqrt(4 + 1e-5), 1 / math.sqrt(0.25 + 1e-5)]], rtol=1e-6)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_batchnorm_loads_checkpoint_without_num_batches_tracked():
    bn = nn.BatchNorm2d(3)
    sd = {k: v.numpy() for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    assert bn.load_state_dict(sd).missing_keys == []


def test_dropout_validation_and_seeding():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    x = tg.ones(50, 50)
    tg.manual_seed(5)
    a = F.dropout(x, 0.5)
    tg.manual_seed(5)
    b = F.dropout(x, 0.5)
    np.testing.assert_array_equal(a._data, b._data)
    np.testing.assert_array_equal(F.dropout(x, 1.0)._data, 0)
    assert F.dropout(x, 0.5, training=False) is x


def test_embedding_errors():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index out of range"):
        emb(tg.tensor([4]))
    with pytest.raises(RuntimeError, match="integer"):
        emb(tg.tensor([1.0]))
    frozen = nn.Embedding.from_pretrained(tg.ones(3, 2))
    assert not frozen.weight.requires_grad


# ---- losses ---------------------------------------------------------------------------------------------


def test_loss_errors():
    x = tg.zeros(3, 4)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="target size"):
        F.mse_loss(x, tg.zeros(4, 3))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(x, tg.tensor([0, 7, 1]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))


def test_cross_entropy_uses_integer_targets_directly():
    x = tg.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]], requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([0, 2]))
    logp = x._data - np.log(np.exp(x._data).sum(1, keepdims=True))
    np.testing.assert_allclose(loss.item(), -(logp[0, 0] + logp[1, 2]) / 2, rtol=1e-6)
    loss.backward()
    soft = np.exp(logp)
    soft[[0, 1], [0, 2]] -= 1
    np.testing.assert_allclose(x.grad._data, soft / 2, rtol=1e-5, atol=1e-7)
    assert x.grad.dtype == tg.float32


def test_all_ignored_mean_is_nan_like_pytorch():
    loss = F.cross_entropy(tg.zeros(2, 3), tg.tensor([-100, -100]))
    assert np.isnan(loss.item())


# ---- init and clip -------------------------------------------------------------------------------------


def test_init_functions():
    w = tg.empty(64, 32)
    assert nn.init.zeros_(w) is w and np.all(w._data == 0)
    nn.init.ones_(w)
    assert np.all(w._data == 1)
    nn.init.constant_(w, 0.5)
    assert np.all(w._data == 0.5)
    tg.manual_seed(0)
    nn.init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / (64 + 32))
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.9 * bound
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w._data).max() <= math.sqrt(2) * math.sqrt(3 / 32)
    nn.init.kaiming_normal_(w, mode="fan_out")
    assert abs(w._data.std() - math.sqrt(2 / (1 + 0.0)) / math.sqrt(64)) < 0.02
    nn.init.xavier_normal_(w)
    assert abs(w._data.std() - math.sqrt(2 / 96)) < 0.02
    nn.init.normal_(w, 3.0, 0.1)
    assert abs(w._data.mean() - 3.0) < 0.01
    nn.init.uniform_(w, -1, 1)
    assert w._data.min() >= -1 and w._data.max() <= 1


def test_init_in_place_on_parameter_without_graph():
    lin = nn.Linear(3, 2)
    v = lin.weight._version
    out = nn.init.uniform_(lin.weight)
    assert out is lin.weight and out.grad_fn is None and out.requires_grad and lin.weight._version > v


@pytest.mark.parametrize(
    "make", [lambda: nn.Linear(0, 3), lambda: nn.Conv2d(0, 3, 2), lambda: nn.Conv1d(0, 3, 2)]
)
def test_layer_with_no_inputs_gets_a_zero_bias(make):
    # fan_in = 0: the weight has no elements (PyTorch warns that initialising it is a no-op)
    # and the bias bound 1/sqrt(fan_in) would be infinite, so the bias is zeros, not garbage
    with pytest.warns(UserWarning, match="zero-element"):
        layer = make()
    np.testing.assert_array_equal(layer.bias._data, np.zeros(3))


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(tg.empty(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(tg.empty(2, 2), mode="fan_avg")


def test_clip_grad_norm_basic():
    p = nn.Parameter(tg.zeros(2))
    p.grad = tg.tensor([3.0, 4.0])
    total = nn.utils.clip_grad_norm_([p], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad._data, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], rtol=1e-6)
    p.grad = tg.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_embedding_rejects_negative_indices():
    with pytest.raises(IndexError, match="index out of range in self"):
        nn.Embedding(4, 2)(tg.tensor([-1]))


def test_pad_mode_errors():
    x = tg.zeros(1, 1, 3, 3)
    with pytest.raises(RuntimeError, match="in reflect mode must be at most 2"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="'wrap' is not supported"):
        F.pad(x, (1, 1), mode="wrap")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    np.testing.assert_array_equal(
        F.pad(tg.tensor([1.0, 2.0, 3.0]), (2, 2), mode="reflect")._data, [3, 2, 1, 2, 3, 2, 1]
    )


def test_parameters_to_vector_and_back():
    m = nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(m.parameters())
    assert vec.shape == (8,) and vec.requires_grad
    np.testing.assert_array_equal(vec._data[:6], m.weight._data.reshape(-1))
    nn.utils.vector_to_parameters(tg.arange(8.0), m.parameters())
    np.testing.assert_array_equal(m.bias._data, [6.0, 7.0])
    with pytest.raises(RuntimeError, match="vector has 3 elements"):
        nn.utils.vector_to_parameters(tg.zeros(3), m.parameters())
    p = nn.Parameter(tg.ones(2))
    p.grad = tg.tensor([-3.0, 0.5])
    nn.utils.clip_grad_value_([p], 1.0)
    np.testing.assert_array_equal(p.grad._data, [-1.0, 0.5])
