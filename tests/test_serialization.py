"""save/load: exact round trips, and refusal of pickles, corrupt and truncated files."""

import io
import pickle

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.nn import Parameter


class _CreatesFile:
    """Unpickling this object would create ``path``: the canary of every refusal test."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.linspace(-1, 1, 7, dtype=np.float64),
        np.arange(-5, 5, dtype=np.int64).reshape(2, 5, 1),
        np.array([1, 2, 3], dtype=np.int32),
        np.array([True, False, True]),
        np.array([0.5, -2.0], dtype=np.float16),
        np.array([0, 255], dtype=np.uint8),
        np.array(3.5, dtype=np.float32),
        np.zeros((0, 3), dtype=np.float32),
        np.arange(6, dtype=np.float32).reshape(2, 3).T,  # not contiguous
    ],
    ids=lambda a: f"{a.dtype}{a.shape}",
)
def test_tensor_round_trip_keeps_dtype_and_shape(array, tmp_path):
    path = tmp_path / "t.pt"
    tg.save(tg.from_numpy(array), path)
    assert path.exists()  # the name is used as given, no .npz added
    out = tg.load(path)
    assert type(out) is tg.Tensor
    assert out.data.dtype == array.dtype and out.shape == array.shape
    np.testing.assert_array_equal(out.data, array)


def test_nested_state_dict_round_trip(tmp_path):
    obj = {
        "model": {"0.weight": tg.randn(3, 2), "0.bias": tg.zeros(3)},
        "epoch": 12,
        "big": 2**70,
        "lr": 0.001,
        "inf": float("inf"),
        "name": "sine ✓",
        "flags": [True, None, (1, 2.5, "x")],
        3: "int key",
        (1, "a"): "tuple key",
        "array": np.arange(4, dtype=np.int16),
        "scalar": np.float32(1.25),
        "empty": {},
    }
    tg.save(obj, str(tmp_path / "ckpt"))
    out = tg.load(str(tmp_path / "ckpt"))
    assert list(out) == list(obj)
    np.testing.assert_array_equal(out["model"]["0.weight"].data, obj["model"]["0.weight"].data)
    assert out["epoch"] == 12 and out["big"] == 2**70 and out["lr"] == 0.001 and out["inf"] == float("inf")
    assert out["name"] == "sine ✓" and out["flags"] == [True, None, (1, 2.5, "x")]
    assert out[3] == "int key" and out[(1, "a")] == "tuple key" and out["empty"] == {}
    assert isinstance(out["array"], np.ndarray) and out["array"].dtype == np.int16
    assert out["scalar"] == np.float32(1.25) and out["scalar"].dtype == np.float32
    assert isinstance(tg.load(io.BytesIO(_bytes(float("nan")))), float)


def _bytes(obj):
    buf = io.BytesIO()
    tg.save(obj, buf)
    return buf.getvalue()


def test_requires_grad_and_parameters_survive():
    buf = io.BytesIO(
        _bytes({"p": Parameter(tg.ones(2)), "t": tg.ones(2, requires_grad=True), "c": tg.ones(2)})
    )
    out = tg.load(buf)
    assert isinstance(out["p"], Parameter) and out["p"].requires_grad
    assert type(out["t"]) is tg.Tensor and out["t"].requires_grad and not out["c"].requires_grad


def test_file_objects(tmp_path):
    with open(tmp_path / "f.bin", "wb") as f:
        tg.save(tg.arange(5), f)
    with open(tmp_path / "f.bin", "rb") as f:
        np.testing.assert_array_equal(tg.load(f).data, np.arange(5))


def test_optimizer_state_dict_round_trip_keeps_int_keys():
    w = Parameter(tg.randn(3))
    opt = optim.Adam([w], lr=0.01, amsgrad=True)
    w.grad = tg.ones(3)
    opt.step()
    out = tg.load(io.BytesIO(_bytes(opt.state_dict())))
    assert list(out["state"]) == [0]
    assert out["param_groups"][0]["betas"] == (0.9, 0.999) and out["param_groups"][0]["params"] == [0]
    assert out["state"][0]["step"].data.shape == () and out["state"][0]["step"].dtype == tg.float32
    np.testing.assert_array_equal(out["state"][0]["exp_avg_sq"].data, opt.state[w]["exp_avg_sq"].data)


def test_plain_numpy_files_load(tmp_path):
    np.save(tmp_path / "a.npy", np.eye(2))
    np.testing.assert_array_equal(tg.load(tmp_path / "a.npy").data, np.eye(2))
    np.savez(tmp_path / "b.npz", w=np.ones(3, np.float32))
    out = tg.load(tmp_path / "b.npz")
    assert list(out) == ["w"] and out["w"].dtype == tg.float32


# ---- refusals: nothing in a hostile file runs --------------------------------------------
def test_plain_pickle_is_refused_and_never_runs(tmp_path):
    canary = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": _CreatesFile(canary)}))
    with pytest.raises(RuntimeError, match=r"evil\.pt.*pickled data.*refusing"):
        tg.load(path)
    assert not canary.exists()
    for protocol in (0, 1):
        with pytest.raises(RuntimeError, match="pickled data"):
            tg.load(io.BytesIO(pickle.dumps(_CreatesFile(canary), protocol=protocol)))
    assert not canary.exists()


def test_object_npy_is_refused_and_never_runs(tmp_path):
    canary = tmp_path / "pwned"
    path = tmp_path / "evil.npy"
    np.save(path, np.array([_CreatesFile(canary)], dtype=object), allow_pickle=True)
    with pytest.raises(RuntimeError, match=r"evil\.npy.*pickled data.*refusing"):
        tg.load(path)
    assert not canary.exists()


def test_object_member_in_npz_is_refused_and_never_runs(tmp_path):
    canary = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([_CreatesFile(canary)], dtype=object))
    with pytest.raises(RuntimeError, match=r"evil\.npz.*'w'.*pickled data"):
        tg.load(path)
    # a genuine save file with a member swapped for an object array
    good = io.BytesIO(_bytes({"w": tg.ones(2)}))
    with np.load(good) as archive:
        members = {k: archive[k] for k in archive.files}
    members["a0"] = np.array([_CreatesFile(canary)], dtype=object)
    np.savez(tmp_path / "swapped.npz", **members)
    with pytest.raises(RuntimeError, match="pickled data"):
        tg.load(tmp_path / "swapped.npz")
    assert not canary.exists()


def test_torch_save_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch", reason="needs torch to write a torch.save file")
    torch.save({"w": torch.ones(2)}, tmp_path / "model.pth")
    with pytest.raises(RuntimeError, match=r"model\.pth.*torch\.save file.*refusing"):
        tg.load(tmp_path / "model.pth")


@pytest.mark.parametrize("cut", [0, 10, 100, -30, -1])
def test_truncated_file_names_the_path(cut, tmp_path):
    data = _bytes({"w": tg.randn(20, 20), "b": tg.zeros(20)})
    path = tmp_path / "trunc.pt"
    path.write_bytes(data[:cut])
    with pytest.raises(RuntimeError, match=r"trunc\.pt.*(truncated or corrupt|empty)"):
        tg.load(path)


def test_corrupt_files_name_the_path(tmp_path):
    data = bytearray(_bytes({"w": tg.randn(20, 20)}))
    data[len(data) // 2] ^= 0xFF  # a flipped byte inside the array: the zip CRC catches it
    (tmp_path / "flip.pt").write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=r"flip\.pt.*(truncated or corrupt|corrupt)"):
        tg.load(tmp_path / "flip.pt")
    (tmp_path / "noise.pt").write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(RuntimeError, match=r"noise\.pt.*not a tinygrad_np.save file"):
        tg.load(tmp_path / "noise.pt")
    bad_structure = {
        "__structure__": np.frombuffer(
            b'{"format": "tinygrad_np.save/1", "root": {"tensor": "a9"}}', np.uint8
        )
    }
    np.savez(tmp_path / "missing.npz", **bad_structure)
    with pytest.raises(RuntimeError, match=r"missing\.npz' is corrupt: it refers to a missing array 'a9'"):
        tg.load(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="no such file"):
        tg.load(tmp_path / "nothing-here.pt")


def test_unsaveable_objects_are_type_errors():
    with pytest.raises(TypeError, match=r"cannot save an object of type object at obj\['x'\]"):
        tg.save({"x": object()}, io.BytesIO())
    with pytest.raises(TypeError, match="dtype object.*pickle"):
        tg.save(np.array([None], dtype=object), io.BytesIO())


def test_text_mode_file_is_a_clear_error(tmp_path):
    tg.save(tg.ones(1), tmp_path / "x.pt")
    with open(tmp_path / "x.pt", encoding="latin-1") as f, pytest.raises(TypeError, match="binary mode"):
        tg.load(f)
