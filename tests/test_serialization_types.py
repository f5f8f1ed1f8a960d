"""save/load round trips typed exactly: every type save accepts comes back as the same type and value."""

import io
import json
import math
from collections import OrderedDict, defaultdict, namedtuple
from enum import IntEnum

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.nn import Parameter


def _round_trip(obj):
    buf = io.BytesIO()
    tg.save(obj, buf)
    buf.seek(0)
    return tg.load(buf)


def _assert_same(out, ref, where="obj"):
    """Same type, and same value, all the way down (NumPy dtypes, tensor flags, dict order included)."""
    assert type(out) is type(ref), f"{where}: {type(out).__name__} != {type(ref).__name__}"
    if isinstance(ref, tg.Tensor):
        assert out.dtype == ref.dtype and out.shape == ref.shape, where
        assert out.requires_grad == ref.requires_grad, where
        np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    elif isinstance(ref, (np.ndarray, np.generic)):
        assert out.dtype == ref.dtype and np.shape(out) == np.shape(ref), where
        np.testing.assert_array_equal(out, ref)
    elif isinstance(ref, float):
        assert out == ref or (math.isnan(out) and math.isnan(ref)), where
        assert math.copysign(1.0, out) == math.copysign(1.0, ref), where
    elif isinstance(ref, dict):
        assert list(out) == list(ref), where
        for (ko, vo), (kr, vr) in zip(out.items(), ref.items(), strict=True):
            _assert_same(ko, kr, f"{where} key")
            _assert_same(vo, vr, f"{where}[{kr!r}]")
    elif isinstance(ref, (list, tuple)):
        assert len(out) == len(ref), where
        for i, (o, r) in enumerate(zip(out, ref, strict=True)):
            _assert_same(o, r, f"{where}[{i}]")
    else:
        assert out == ref, where


NUMPY_SCALARS = [
    np.bool_(True),
    np.int8(-7),
    np.int16(-300),
    np.int32(2**31 - 1),
    np.int64(-(2**63)),
    np.uint8(255),
    np.uint16(65535),
    np.uint32(2**32 - 1),
    np.uint64(2**64 - 1),
    np.float16(0.1),
    np.float32(1 / 3),
    np.float64(-0.0),
    np.longdouble(1) / 3,
    np.complex64(1 - 2j),
    np.complex128(3.5j),
    np.str_("text é"),
    np.bytes_(b"r\x00w"),
    np.datetime64("2026-12-03T10:00", "m"),
    np.timedelta64(5, "D"),
]


@pytest.mark.parametrize("value", NUMPY_SCALARS, ids=lambda v: type(v).__name__)
def test_numpy_scalars_stay_numpy_scalars_of_their_dtype(value):
    out = _round_trip({"x": value, "arr0d": np.array(value)})
    _assert_same(out["x"], value)  # np.float64 does not come back as a Python float, nor a 0-d array
    _assert_same(out["arr0d"], np.array(value))  # and a 0-d array stays a 0-d array


PYTHON_VALUES = [
    None,
    True,
    False,
    0,
    -(2**100),
    1.5,
    -0.0,
    float("inf"),
    float("nan"),
    1e-310,
    2 - 3.5j,
    "",
    "unicode ✓ \x00",
    b"",
    b"\x00\xff bytes",
    [],
    (),
    {},
    [1, [2, (3.0, None)]],
    (1,),
    {"a": {"b": {"c": [1, "x"]}}},
    OrderedDict([("z", 1), ("a", 2)]),
    {1: "int key", 2.5: "float key", (1, "t"): "tuple key", None: "none key", False: "bool key", "s": 0},
    {3, "x", (1, 2)},
    frozenset({1.5, "y"}),
]


@pytest.mark.parametrize("value", PYTHON_VALUES, ids=lambda v: f"{type(v).__name__}:{v!r:.20}")
def test_python_values_come_back_with_their_type(value):
    _assert_same(_round_trip(value), value)
    _assert_same(_round_trip([value, {"k": value}]), [value, {"k": value}])


@pytest.mark.parametrize("dtype", [tg.float16, tg.float32, tg.float64, tg.int8, tg.int16, tg.int32, tg.int64])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3)])
def test_tensors_of_every_dtype_and_shape(dtype, shape):
    t = tg.from_numpy((np.arange(math.prod(shape)) - 2).reshape(shape).astype(dtype.np))
    _assert_same(_round_trip(t), t)
    if dtype.is_floating_point:
        t.requires_grad_()
        _assert_same(_round_trip(t), t)
        _assert_same(_round_trip(t * 2), (t * 2).detach().requires_grad_())  # a non-leaf loads as a leaf


@pytest.mark.parametrize("dtype", [tg.uint8, tg.bool])
def test_uint8_and_bool_tensors(dtype):
    t = tg.from_numpy(np.array([[0, 1], [1, 0]], dtype=dtype.np))
    _assert_same(_round_trip(t), t)


@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameters_stay_parameters(requires_grad):
    p = Parameter(tg.randn(2, 3), requires_grad=requires_grad)
    out = _round_trip({"p": p})["p"]
    assert type(out) is Parameter and out.requires_grad is requires_grad
    np.testing.assert_array_equal(out.detach().numpy(), p.detach().numpy())


def test_non_contiguous_and_fortran_arrays():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for arr in (a.transpose(2, 0, 1), a[:, ::2], np.asfortranarray(a)):
        _assert_same(_round_trip(arr), arr)
        _assert_same(_round_trip(tg.from_numpy(arr)), tg.from_numpy(arr))


def test_big_endian_and_string_arrays_keep_their_dtype():
    for arr in (
        np.arange(3, dtype=">f8"),
        np.array(["a", "bcd"]),
        np.array([b"x"]),
        np.arange(2).astype("M8[D]"),
    ):
        _assert_same(_round_trip(arr), arr)


class _Level(IntEnum):
    HIGH = 2


def test_subclasses_come_back_as_their_base_type():
    """No class is stored (loading imports nothing): a namedtuple is a tuple, a defaultdict a dict, an IntEnum an int."""
    point = namedtuple("Point", "x y")(1, 2)
    counts = defaultdict(int, {"a": 1})
    out = _round_trip({"p": point, "d": counts, "e": _Level.HIGH})
    assert type(out["p"]) is tuple and out["p"] == (1, 2)
    assert type(out["d"]) is dict and out["d"] == {"a": 1}
    assert type(out["e"]) is int and out["e"] == 2


def test_a_full_checkpoint():
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.BatchNorm1d(4))
    opt = tg.optim.Adam(model.parameters(), lr=1e-3)
    model(tg.randn(5, 3)).sum().backward()
    opt.step()
    ckpt = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 3,
        "best": np.float64(0.25),
        "rng": np.random.default_rng(0).bit_generator.state,
        "history": [0.9, 0.5, 0.25],
    }
    out = _round_trip(ckpt)
    _assert_same(out, ckpt)


def test_deep_or_self_containing_structures_are_clear_errors():
    deep = []
    for _ in range(150):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        tg.save(deep, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        tg.save(loop, io.BytesIO())


def test_files_of_the_first_format_still_load(tmp_path):
    """tinygrad_np.save/1 (no object numbers) as written before aliasing was kept."""
    record = {
        "format": "tinygrad_np.save/1",
        "root": {
            "odict": [
                ["w", {"tensor": "a0", "requires_grad": True, "parameter": True}],
                ["b", {"tensor": "a1", "requires_grad": False}],
                ["step", {"int": "7"}],
                ["s", {"npscalar": "a2"}],
            ]
        },
    }
    members = {
        "__structure__": np.frombuffer(json.dumps(record).encode(), np.uint8),
        "a0": np.ones((2, 2), np.float32),
        "a1": np.zeros(2, np.float32),
        "a2": np.array(0.5, np.float16),
    }
    np.savez(tmp_path / "old.pt", **members)
    out = tg.load(tmp_path / "old.pt.npz")
    assert type(out) is OrderedDict and list(out) == ["w", "b", "step", "s"]
    assert type(out["w"]) is Parameter and out["w"].requires_grad and out["w"].shape == (2, 2)
    assert type(out["b"]) is tg.Tensor and out["step"] == 7 and type(out["s"]) is np.float16
