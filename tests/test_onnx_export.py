"""tinygrad_np.onnx.export against the real libraries: every file passes onnx.checker and
runs in onnxruntime with tinygrad_np's numbers (float32, rtol 1e-5), at the traced batch
size and at another one (dynamic_axes)."""

import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export tests need the onnx package (the [onnx] extra)")
ort = pytest.importorskip("onnxruntime", reason="ONNX export tests need onnxruntime (the [onnx] extra)")

import tinygrad_np as torch  # noqa: E402
from tinygrad_np import nn  # noqa: E402
from tinygrad_np.onnx import UnsupportedOperatorError  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6


def export_and_compare(
    model, make_input, tmp_path, batches=(3, 5), opset=None, dynamic=True, check_batch=True
):
    """Export ``model`` traced at batch ``batches[0]``; run every batch in onnxruntime and
    compare with the model. Returns the loaded ONNX model."""
    path = tmp_path / "model.onnx"
    x = make_input(batches[0])
    xs = x if isinstance(x, tuple) else (x,)
    names = [f"in{i}" for i in range(len(xs))]
    axes = {n: {0: "batch"} for n in names} | {"out": {0: "batch"}} if dynamic else None
    kwargs = {} if opset is None else {"opset_version": opset}
    torch.onnx.export(model, x, path, input_names=names, output_names=["out"], dynamic_axes=axes, **kwargs)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    model.eval()
    for b in batches if check_batch else batches[:1]:
        inp = make_input(b)
        inp = inp if isinstance(inp, tuple) else (inp,)
        with torch.no_grad():
            expected = model(*inp).numpy()
        (got,) = session.run(None, {n: t.numpy() for n, t in zip(names, inp)})
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=f"batch {b}")
    return proto


def randn(*shape):
    return lambda b: torch.randn(b, *shape)


class Ops(nn.Module):
    """Elementwise, reduction and movement ops in a hand-written forward."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.w = nn.Parameter(torch.randn(6, 4))
        self.register_buffer("shift", torch.randn(6))

    def forward(self, x):  # x: (N, 6)
        k = self.kind
        if k == "unary":
            return (
                x.exp() + x.abs().sqrt() + (x.abs() + 1).log() + x.sin() * x.cos() - x.tanh() + (-x).sigmoid()
            )
        if k == "binary":
            y = x + self.shift
            return (
                (y * 2.0 - 1.5) / (x.abs() + 1) + torch.maximum(x, y) - torch.minimum(x, y) + y.abs() ** 1.5
            )
        if k == "remainder":
            return (x * 3) % 1.7 + x.floor() + x.ceil() + x.round()
        if k == "clamp":
            return x.clamp(-0.5, 0.5) + x.clamp(min=0.1) + x.clamp(max=-0.1)
        if k == "reduce":
            return torch.cat(
                [
                    x.sum(1, keepdim=True),
                    x.mean(1, keepdim=True),
                    x.amax(1, keepdim=True),
                    x.amin(1, keepdim=True),
                    x.prod(1, keepdim=True),
                    x.cumsum(1),
                ],
                dim=1,
            )
        if k == "piecewise":  # the activations with their own ops (ops/piecewise.py)
            F = nn.functional
            lo, hi = self.shift[:3].repeat(2) - 1, self.shift[3:].repeat(2) + 1
            return (
                F.hardtanh(x, -0.5, 0.8)
                + F.relu6(x * 4)
                + F.elu(x, alpha=0.7)
                + F.selu(x)
                + F.celu(x, alpha=1.5)
                + F.threshold(x, 0.1, -2.0)
                + F.hardsigmoid(x * 4)
                + F.hardswish(x * 4)
                + x.clamp(min=lo, max=hi)
                + x.clamp(min=lo)
                + torch.clamp(x, max=hi)
            )
        if k == "logsumexp":
            return torch.cat([x.logsumexp(1, keepdim=True), x - x.logsumexp(0), x.logsumexp((0, 1)) + x], 1)
        if k == "norm":
            F = nn.functional
            return torch.cat(
                [
                    F.normalize(x),
                    F.normalize(x, p=1.0),
                    F.normalize(x, p=3.0),
                    F.normalize(x, p=float("inf")),
                    torch.linalg.vector_norm(x, ord=0, dim=1, keepdim=True),
                    torch.linalg.vector_norm(x, ord=-float("inf"), dim=1, keepdim=True),
                    torch.linalg.vector_norm(x, ord=0.5, dim=1, keepdim=True),
                ],
                1,
            )
        if k == "unary_more":
            a = x.abs() + 0.5
            return (
                a.log2()
                + a.log10()
                + a.log1p()
                + x.expm1()
                + x.exp2()
                + a.reciprocal()
                + a.rsqrt()
                + x.sign()
            )
        if k == "triangle":
            y = x.reshape(-1, 2, 3)
            return torch.cat([y.tril(), y.triu(1), y.tril(-1), y.flip(2), y.flip((1, -1))], 1)
        if k == "einsum":
            y = x.reshape(-1, 2, 3)
            return (
                torch.einsum("bij,jk->bik", y, self.w[:3, :4]).flatten(1)
                + torch.einsum("...j,j->...", x, self.shift)[:, None]
            )
        if k == "softmax":
            return x.softmax(-1) + x.log_softmax(1) + nn.functional.softmax(x, dim=0)
        if k == "matmul":
            return (x @ self.w).relu() @ self.w.T + nn.functional.linear(x @ self.w, self.w)
        if k == "movement":
            y = x.reshape(-1, 2, 3).permute(0, 2, 1)  # (N, 3, 2)
            z = y.flatten(1) + y.transpose(1, 2).reshape(x.shape[0], 6)
            return torch.cat(
                [z, x[:, 1:4], x[:, ::2], x[..., -1:], x[:, None, 2], x.unsqueeze(1).squeeze(1)], 1
            )
        if k == "index":
            idx = torch.tensor([4, 0, 0, 2])
            return x[:, idx] + x[:, [1, 1, 3, 5]] + x[:, 5:1:-1] + x.gather(1, torch.tensor([[0, 1, 5, 2]]))
        if k == "expand":
            return x.unsqueeze(1).expand(-1, 3, 6).reshape(x.shape[0], 18) * self.shift.repeat(3)
        if k == "pad":
            return nn.functional.pad(x, (2, 1), value=0.5) + nn.functional.pad(x, (1, 2))
        if k == "cast":
            return x.double().float() + x.to(torch.float64).sum(1, keepdim=True).float()
        raise ValueError(k)


OP_KINDS = [
    "unary",
    "binary",
    "remainder",
    "clamp",
    "piecewise",
    "logsumexp",
    "norm",
    "unary_more",
    "triangle",
    "einsum",
    "reduce",
    "softmax",
    "matmul",
    "movement",
    "index",
    "expand",
    "pad",
    "cast",
]


@pytest.mark.parametrize("kind", OP_KINDS)
def test_ops(kind, tmp_path):
    torch.manual_seed(0)
    export_and_compare(Ops(kind), randn(6), tmp_path)


def _trained_bn(bn, shape):
    bn.train()
    with torch.no_grad():
        for _ in range(3):
            bn(torch.randn(8, *shape) * 2 + 1)
    bn.eval()
    return bn


ACTIVATIONS = [
    nn.ReLU(),
    nn.Sigmoid(),
    nn.Tanh(),
    nn.SiLU(),
    nn.ELU(alpha=0.7),
    nn.LeakyReLU(0.2),
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.Softplus(beta=2.0, threshold=3.0),
    nn.Softmax(dim=1),
    nn.LogSoftmax(dim=1),
    nn.Softmin(dim=1),
    nn.Hardsigmoid(),
    nn.Hardswish(),
    nn.Hardtanh(-0.5, 0.8),
    nn.ReLU6(),
    nn.LogSigmoid(),
    nn.Mish(),
    nn.SELU(),
    nn.PReLU(),
    nn.Softsign(),
    nn.Tanhshrink(),
    nn.Threshold(0.1, -2.0),
]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda m: repr(m))
def test_every_activation(act, tmp_path):
    torch.manual_seed(0)
    export_and_compare(nn.Sequential(nn.Linear(5, 7), act), lambda b: torch.randn(b, 5) * 3, tmp_path)


def test_every_activation_of_nn_is_covered():
    names = {type(a).__name__ for a in ACTIVATIONS}
    from tinygrad_np.nn import activation

    for mod in (activation,):
        for name, cls in vars(mod).items():
            if isinstance(cls, type) and issubclass(cls, nn.Module) and cls.__module__ == mod.__name__:
                if not name.startswith("_"):
                    assert name in names, f"{name} has no ONNX export test"


def test_piecewise_activations_in_float64(tmp_path):
    """onnxruntime runs Elu/Selu/Celu/HardSigmoid/HardSwish nodes in float32 only: a
    float64 model gets the formulas in basic ops."""
    torch.manual_seed(0)
    proto = export_and_compare(Ops("piecewise").double(), lambda b: torch.randn(b, 6).double() * 3, tmp_path)
    assert not {n.op_type for n in proto.graph.node} & {"Elu", "Selu", "Celu", "HardSigmoid", "HardSwish"}


def test_every_activation_op_is_mapped():
    """The activations other ops are made of (hardtanh, elu, ...) each have an ONNX entry."""
    from tinygrad_np.autograd.function import Function
    from tinygrad_np.onnx import mapping
    from tinygrad_np.ops import piecewise

    ops = [c for c in vars(piecewise).values() if isinstance(c, type) and issubclass(c, Function)]
    assert ops and all(c in mapping.OPS for c in ops if c is not Function)


@pytest.mark.parametrize(
    "fn, op",
    [(lambda x: x.cumprod(1), "Cumprod"), (lambda x: x.roll(1, 1), "Roll")],
)
def test_ops_without_onnx_form_are_refused(fn, op, tmp_path):
    class M(nn.Module):
        def forward(self, x):
            return fn(x)

    with pytest.raises(UnsupportedOperatorError, match=f"op {op}"):
        torch.onnx.export(M(), torch.randn(3, 6), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def layer_cases():
    torch.manual_seed(0)
    return {
        "linear": (nn.Linear(5, 3), randn(5)),
        "linear_3d": (nn.Linear(5, 3), randn(4, 5)),
        "linear_nobias": (nn.Linear(5, 3, bias=False), randn(5)),
        "conv1d": (nn.Conv1d(3, 4, 3, stride=2, padding=1), randn(3, 11)),
        "conv2d": (nn.Conv2d(3, 4, 3, stride=(2, 1), padding=(1, 2), dilation=(1, 2)), randn(3, 9, 10)),
        "conv2d_groups": (nn.Conv2d(4, 6, 3, groups=2, bias=False), randn(4, 7, 7)),
        "conv2d_same": (nn.Conv2d(2, 3, 4, padding="same"), randn(2, 7, 6)),
        "conv2d_reflect": (nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), randn(2, 6, 6)),
        "conv2d_replicate": (nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), randn(2, 6, 6)),
        "conv_transpose2d": (
            nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
            randn(3, 5, 4),
        ),
        "conv_transpose2d_groups": (nn.ConvTranspose2d(4, 4, 2, stride=2, groups=2), randn(4, 3, 3)),
        "maxpool1d": (nn.MaxPool1d(3, stride=2, padding=1), randn(3, 10)),
        "maxpool2d": (nn.MaxPool2d(2), randn(3, 8, 6)),
        "maxpool2d_pad_dil": (nn.MaxPool2d(3, stride=1, padding=1, dilation=2), randn(2, 8, 7)),
        "avgpool1d": (nn.AvgPool1d(3, stride=2, padding=1), randn(3, 10)),
        "avgpool2d": (nn.AvgPool2d(2), randn(3, 8, 6)),
        "avgpool2d_nopad_count": (
            nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
            randn(2, 7, 7),
        ),
        "adaptive_avg2d_1": (nn.AdaptiveAvgPool2d(1), randn(3, 5, 6)),
        "adaptive_avg2d": (nn.AdaptiveAvgPool2d((2, 3)), randn(3, 4, 6)),
        "adaptive_avg1d": (nn.AdaptiveAvgPool1d(2), randn(3, 8)),
        "adaptive_max2d": (nn.AdaptiveMaxPool2d((2, 2)), randn(3, 4, 6)),
        "batchnorm1d": (_trained_bn(nn.BatchNorm1d(5), (5,)), randn(5)),
        "batchnorm1d_3d": (_trained_bn(nn.BatchNorm1d(5), (5, 4)), randn(5, 4)),
        "batchnorm2d": (_trained_bn(nn.BatchNorm2d(3), (3, 4, 4)), randn(3, 4, 4)),
        "batchnorm2d_noaffine": (_trained_bn(nn.BatchNorm2d(3, affine=False), (3, 4, 4)), randn(3, 4, 4)),
        "layernorm": (nn.LayerNorm(6), randn(3, 6)),
        "layernorm_2d": (nn.LayerNorm((3, 6), elementwise_affine=False), randn(3, 6)),
        "groupnorm": (nn.GroupNorm(2, 4), randn(4, 3, 3)),
        "instancenorm1d": (nn.InstanceNorm1d(3, affine=True), randn(3, 7)),
        "instancenorm2d": (nn.InstanceNorm2d(3), randn(3, 4, 5)),
        "flatten": (nn.Flatten(), randn(2, 3, 4)),
        "flatten_mid": (nn.Flatten(1, 2), randn(2, 3, 4)),
        "unflatten": (nn.Unflatten(1, (2, 3)), randn(6)),
        "identity": (nn.Sequential(nn.Identity(), nn.Linear(3, 3)), randn(3)),
        "dropout": (nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)), randn(4)),
        "dropout1d": (nn.Sequential(nn.Conv1d(2, 2, 1), nn.Dropout1d(0.5)), randn(2, 5)),
        "dropout2d": (nn.Sequential(nn.Conv2d(2, 2, 1), nn.Dropout2d(0.5)), randn(2, 3, 3)),
        "constant_pad2d": (nn.ConstantPad2d((1, 2, 0, 1), 0.3), randn(2, 3, 3)),
        "zero_pad2d": (nn.ZeroPad2d(1), randn(2, 3, 3)),
        "reflection_pad1d": (nn.ReflectionPad1d((2, 1)), randn(2, 5)),
        "reflection_pad2d": (nn.ReflectionPad2d(1), randn(2, 4, 4)),
        "replication_pad2d": (nn.ReplicationPad2d((1, 0, 2, 1)), randn(2, 4, 4)),
        "upsample": (nn.Upsample(scale_factor=2), randn(2, 3, 4)),
        "cosine_similarity": (nn.CosineSimilarity(dim=1), lambda b: (torch.randn(b, 5), torch.randn(b, 5))),
        "pairwise_distance": (nn.PairwiseDistance(), lambda b: (torch.randn(b, 5), torch.randn(b, 5))),
        "mlp": (nn.MLP([4, 8, 2], activation="tanh"), randn(4)),
    }


@pytest.mark.parametrize("name", list(layer_cases()))
def test_every_layer(name, tmp_path):
    model, make_input = layer_cases()[name]
    export_and_compare(model, make_input, tmp_path)


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_takes_integer_input(padding_idx, tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(10, 4, padding_idx=padding_idx), nn.Flatten(), nn.Linear(12, 2))
    proto = export_and_compare(model, lambda b: torch.randint(0, 10, (b, 3)), tmp_path)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert "Gather" in [n.op_type for n in proto.graph.node]


@pytest.mark.parametrize("opset", [17, 18, 21])
def test_opsets(opset, tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 6), nn.LayerNorm(6), Ops("reduce"))
    proto = export_and_compare(model, randn(6), tmp_path, opset=opset)
    assert proto.opset_import[0].version == opset


def test_unsupported_opset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="opset_version 12"):
        torch.onnx.export(nn.Linear(2, 2), torch.randn(1, 2), tmp_path / "m.onnx", opset_version=12)


def test_structure_uses_initializers_with_state_dict_names(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    proto = export_and_compare(model, randn(1, 4, 4), tmp_path)
    names = {i.name for i in proto.graph.initializer}
    assert {"0.weight", "0.bias", "1.running_mean", "1.running_var", "4.weight", "4.bias"} <= names
    ops = [n.op_type for n in proto.graph.node]
    assert ops[:3] == ["Conv", "BatchNormalization", "Relu"] and "Gemm" in ops
    assert [i.name for i in proto.graph.input] == ["in0"]  # initializers are not inputs
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [1, 4, 4]


def test_export_leaves_model_state_alone(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5), nn.BatchNorm1d(3))
    model[0].weight.requires_grad_(False)
    model.train()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    torch.onnx.export(model, torch.randn(4, 3), tmp_path / "m.onnx")
    assert model.training and model[1].training
    assert not model[0].weight.requires_grad and model[0].bias.requires_grad
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])  # the running stats did not move
    assert model[0].weight.grad is None


def test_inputs_not_requiring_grad_are_still_traced(tmp_path):
    """The example input needs no requires_grad, and frozen parameters are still exported."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).requires_grad_(False)
    export_and_compare(model, randn(3), tmp_path)


def test_multiple_inputs_and_outputs(tmp_path):
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 2)

        def forward(self, x, y):
            return self.a(x) + y, (x * y.sum(1, keepdim=True)).mean(0)

    torch.manual_seed(0)
    model = Two()
    x, y = torch.randn(4, 3), torch.randn(4, 2)
    path = tmp_path / "m.onnx"
    torch.onnx.export(model, (x, y), path, input_names=["x", "y"], output_names=["s", "m"])
    session = ort.InferenceSession(str(path))
    got = session.run(None, {"x": x.numpy(), "y": y.numpy()})
    with torch.no_grad():
        want = model(x, y)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.numpy(), rtol=RTOL, atol=ATOL)
    assert [o.name for o in onnx.load(path).graph.output] == ["s", "m"]


def test_file_object_target(tmp_path):
    import io

    buf = io.BytesIO()
    torch.onnx.export(nn.Linear(2, 1), torch.randn(1, 2), buf)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()))


def test_dynamic_axes_names_are_checked(tmp_path):
    with pytest.raises(ValueError, match="'nope'"):
        torch.onnx.export(nn.Linear(2, 1), torch.randn(1, 2), tmp_path / "m.onnx", dynamic_axes={"nope": [0]})
    assert not os.listdir(tmp_path)


class ConvByHand(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(2, 1, 3, 3))

    def forward(self, x):
        return nn.functional.conv2d(x, self.w)


class Net(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.body = nn.Sequential(nn.Identity(), inner)

    def forward(self, x):
        return self.body(x)


def test_unmapped_op_names_op_and_module_and_writes_nothing(tmp_path):
    path = tmp_path / "m.onnx"
    with pytest.raises(UnsupportedOperatorError) as info:
        torch.onnx.export(Net(ConvByHand()), torch.randn(1, 1, 5, 5), path)
    msg = str(info.value)
    assert "im2col" in msg and "UnfoldBackward" in msg
    assert "module 'body.1' (ConvByHand)" in msg
    assert "nn.Conv2d" in msg and "to_torch" in msg
    assert os.listdir(tmp_path) == []  # no file, no temporary left behind


def test_failed_export_keeps_an_existing_file(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    with pytest.raises(UnsupportedOperatorError):
        torch.onnx.export(Net(ConvByHand()), torch.randn(1, 1, 5, 5), path)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.onnx"]


def test_where_with_numpy_condition_is_refused(tmp_path):
    class Masked(nn.Module):
        def forward(self, x):
            return torch.where(x > 0, x, x * 0.1)

    with pytest.raises(
        UnsupportedOperatorError, match=r"op Where \(WhereBackward0\) in the model \(Masked\).*frozen"
    ):
        torch.onnx.export(Masked(), torch.randn(2, 3), tmp_path / "m.onnx")


def test_max_dim_values_are_refused_not_frozen(tmp_path):
    """max(dim) picks with argmax indices computed in NumPy: exported as constants they
    would give wrong numbers for any other input, so the export refuses them."""

    class Top(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 16)

        def forward(self, x):
            return self.fc(x).max(dim=1).values

    with pytest.raises(
        UnsupportedOperatorError, match=r"op Gather \(GatherBackward0\) in the model \(Top\).*amax"
    ):
        torch.manual_seed(0)
        torch.onnx.export(Top(), torch.randn(8, 3), tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == []


def test_where_with_constant_condition_is_exported(tmp_path):
    class Keep(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mask", torch.tensor([True, False, True]))

        def forward(self, x):
            return torch.where(self.mask, x, x * 0.5)

    export_and_compare(Keep(), randn(3), tmp_path)


def test_bool_mask_index_is_refused(tmp_path):
    class Pick(nn.Module):
        def forward(self, x):
            return x[x > 0]

    with pytest.raises(UnsupportedOperatorError, match="IndexBackward"):
        torch.onnx.export(Pick(), torch.randn(2, 3), tmp_path / "m.onnx")


def test_import_tinygrad_np_does_not_import_onnx():
    code = (
        "import sys, tinygrad_np, tinygrad_np.onnx; tinygrad_np.onnx.export; "
        "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- the examples' trained networks ------------------------------------------------------------


def _train(model, x, y, loss_fn, steps=30, lr=0.01):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return model.eval()


def example_networks():
    """The networks of examples/sine.py, moons.py and digits.py (MLP and CNN), trained briefly."""
    from tinygrad_np.data import datasets

    torch.manual_seed(0)
    xs = torch.linspace(-3, 3, 64).reshape(-1, 1)
    sine = _train(nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1)), xs, xs.sin(), nn.MSELoss())
    xm = torch.randn(64, 2)
    ym = (xm[:, 0] * xm[:, 1] > 0).long()
    moons = _train(
        nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2)),
        xm,
        ym,
        nn.CrossEntropyLoss(),
    )
    xd, yd = datasets.digits().tensors
    xd, yd = xd[:256], yd[:256]
    mlp = _train(
        nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)), xd, yd, nn.CrossEntropyLoss()
    )
    cnn = _train(
        nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)),
            nn.Conv2d(1, 8, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * 2 * 2, 10),
        ),
        xd,
        yd,
        nn.CrossEntropyLoss(),
        steps=10,
    )
    return {
        "sine": (sine, lambda b: torch.linspace(-3, 3, b).reshape(-1, 1)),
        "moons": (moons, randn(2)),
        "digits_mlp": (mlp, lambda b: xd[:b]),
        "digits_cnn": (cnn, lambda b: xd[:b]),
    }


@pytest.fixture(scope="module")
def examples():
    return example_networks()


@pytest.mark.parametrize("name", ["sine", "moons", "digits_mlp", "digits_cnn"])
def test_example_networks(name, examples, tmp_path):
    model, make_input = examples[name]
    export_and_compare(model, make_input, tmp_path, batches=(16, 1, 37))


def test_tensor_sized_by_the_batch_is_refused_with_dynamic_axes(tmp_path):
    """torch.zeros(x.shape[0], 2) is a constant of the traced batch size: fine for a fixed
    batch, refused when the batch axis is dynamic (the file would fail on other sizes)."""

    class Pad(nn.Module):
        def forward(self, x):
            return torch.cat([x, torch.zeros(x.shape[0], 2)], 1)

    with pytest.raises(UnsupportedOperatorError, match=r"op Cat \(CatBackward0\).*x.shape\[0\]"):
        torch.onnx.export(Pad(), torch.randn(3, 2), tmp_path / "m.onnx", dynamic_axes={"input": [0]})
    export_and_compare(Pad(), randn(2), tmp_path, batches=(3,), dynamic=False)


def test_integer_output_computed_outside_the_graph_is_refused(tmp_path):
    class Codes(nn.Module):
        def forward(self, x):
            return x.long() + 1

    with pytest.raises(UnsupportedOperatorError, match="output 0"):
        torch.onnx.export(Codes(), torch.randn(3, 2), tmp_path / "m.onnx")


def test_forward_that_cannot_run_other_batch_sizes_is_reported(tmp_path):
    class Fixed(nn.Module):
        def forward(self, x):
            return x.reshape(3, -1, 2)

    with pytest.raises(RuntimeError, match=r"other sizes along the dynamic axes .*reshape"):
        torch.onnx.export(Fixed(), torch.randn(3, 4), tmp_path / "m.onnx", dynamic_axes={"input": [0]})
    assert os.listdir(tmp_path) == []


def test_export_under_no_grad_and_float64(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3), nn.LayerNorm(3)
    ).double()
    with torch.no_grad():
        export_and_compare(model, lambda b: torch.randn(b, 4).double(), tmp_path)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (nn.Conv2d(2, 3, 3, padding=1), (2, 5, 5)),
        (nn.Conv1d(2, 3, 3), (2, 6)),
        (nn.MaxPool2d(2), (3, 4, 4)),
        (nn.AvgPool1d(2), (3, 6)),
        (nn.AdaptiveAvgPool2d((2, 1)), (3, 4, 4)),
        (nn.ConvTranspose2d(2, 2, 2, stride=2), (2, 3, 3)),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else str(v),
)
def test_unbatched_input_to_a_spatial_layer(layer, shape, tmp_path):
    torch.manual_seed(0)
    x = torch.randn(*shape)
    path = tmp_path / "m.onnx"
    torch.onnx.export(layer, x, path)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    (got,) = ort.InferenceSession(str(path)).run(None, {"input": x.numpy()})
    with torch.no_grad():
        np.testing.assert_allclose(got, layer(x).numpy(), rtol=RTOL, atol=ATOL)


def test_module_with_backward_hook_exports(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model[1].register_full_backward_hook(lambda m, gi, go: None)
    export_and_compare(model, randn(3), tmp_path)


def test_outputs_following_a_dynamic_input_axis_are_dynamic(tmp_path):
    """Only the input's batch axis is named; the output's batch axis follows it."""
    torch.manual_seed(0)
    path = tmp_path / "m.onnx"
    torch.onnx.export(nn.Linear(3, 2), torch.randn(4, 3), path, dynamic_axes={"input": {0: "n"}})
    dims = onnx.load(path).graph.output[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "output_dynamic_axes_1" and dims[1].dim_value == 2


def test_in_place_ops_in_forward(tmp_path):
    """y += 1 and y.mul_(2) change y's grad_fn after earlier ops used y: the exporter reads
    each op's inputs from its edges, as they were when it ran."""

    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)

        def forward(self, x):
            y = self.fc(x)
            z = y * 1.5
            y += 1
            y.mul_(2)
            y.clamp_(min=0)
            return y + z

    torch.manual_seed(0)
    export_and_compare(InPlace(), randn(3), tmp_path)


def test_in_place_write_into_a_view_is_refused(tmp_path):
    class Write(nn.Module):
        def forward(self, x):
            y = x * 2
            y[:, 0] = 0.0
            return y

    with pytest.raises(UnsupportedOperatorError, match=r"IndexPut|CopySlices"):
        torch.onnx.export(Write(), torch.randn(2, 3), tmp_path / "m.onnx")


def test_adaptive_pool_with_uneven_windows_is_refused(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 1, 1), nn.AdaptiveAvgPool2d((2, 2)))
    try:
        model(torch.randn(1, 1, 5, 5))
    except NotImplementedError:
        pytest.skip("tinygrad_np's adaptive pool has no uneven windows either")
    with pytest.raises(UnsupportedOperatorError, match=r"module '1' \(AdaptiveAvgPool2d\).*uneven"):
        torch.onnx.export(model, torch.randn(1, 1, 5, 5), tmp_path / "m.onnx")
