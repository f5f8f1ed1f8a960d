"""Hostile files: every crafted archive, structure record or .npy raises RuntimeError naming the file,
at load time (never a bare ValueError/TypeError/RecursionError, never a tensor that breaks later)."""

import io
import json
import struct
import zipfile

import numpy as np
import pytest

import tinygrad_np as tg


def _npy(array, version=(1, 0)):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version, allow_pickle=True)
    return buf.getvalue()


def _npy_header(header, data=b"", version=b"\x01\x00"):
    """A .npy file with a hand-written header dict (as text)."""
    text = header.encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY" + version + struct.pack("<H", len(text)) + text + data


def _zip(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _archive(root, arrays=None, fmt="tinygrad_np.save/1"):
    """A save file whose structure record is ``root`` (any JSON), with the given member arrays."""
    arrays = {"a0": np.ones(3, np.float32)} if arrays is None else arrays
    record = json.dumps({"format": fmt, "root": root}).encode()
    members = {"__structure__.npy": _npy(np.frombuffer(record, np.uint8))}
    members.update({f"{k}.npy": _npy(v) for k, v in arrays.items()})
    return _zip(members)


def _raw_structure(data):
    """A save file whose structure record holds these raw bytes."""
    return _zip({"__structure__.npy": _npy(np.frombuffer(data, np.uint8)), "a0.npy": _npy(np.ones(2))})


def _nested(depth):
    node = {"int": "1"}
    for _ in range(depth):
        node = [node]
    return node


STRUCTURES = {
    # the structure record itself
    "record-not-json": _raw_structure(b"{not json"),
    "record-not-utf8": _raw_structure(b'{"format": "\xff\xfe"}'),
    "record-is-a-list": _raw_structure(b"[1, 2, 3]"),
    "record-wrong-format": _archive(1, fmt="tinygrad_np.save/99"),
    "record-no-root": _raw_structure(b'{"format": "tinygrad_np.save/2"}'),
    "record-deep-json": _raw_structure(b"[" * 100_000 + b"]" * 100_000),
    "record-float-array": _zip({"__structure__.npy": _npy(np.ones(4)), "a0.npy": _npy(np.ones(2))}),
    "record-2d": _zip({"__structure__.npy": _npy(np.zeros((2, 2), np.uint8))}),
    # entries of the wrong shape or type
    "deep-nesting": _archive(_nested(500)),
    "number-root": _archive(3),
    "unknown-kind": _archive({"pickle": "x"}),
    "two-keys": _archive({"int": "1", "float": "2"}),
    "int-not-string": _archive({"int": 5}),
    "int-garbage": _archive({"int": "12abc"}),
    "int-huge": _archive({"int": "9" * 5000}),
    "float-garbage": _archive({"float": "one"}),
    "float-list": _archive({"float": [1.0]}),
    "complex-short": _archive({"complex": ["1.0"]}),
    "tuple-not-list": _archive({"tuple": 3}),
    "dict-not-list": _archive({"dict": {"a": 1}}),
    "dict-bad-pair": _archive({"dict": [[1]]}),
    "dict-pair-not-list": _archive({"dict": ["ab"]}),
    "dict-unhashable-key": _archive({"dict": [[{"ndarray": "a0"}, 1]]}),
    "set-unhashable": _archive({"set": [{"dict": []}]}),
    "odict-bad": _archive({"odict": None}),
    # tensors and arrays
    "tensor-name-int": _archive({"tensor": 0}),
    "tensor-missing-member": _archive({"tensor": "a9"}),
    "tensor-is-structure": _archive({"tensor": "__structure__"}),
    "tensor-extra-key": _archive({"tensor": "a0", "code": "import os"}),
    "tensor-requires-grad-str": _archive({"tensor": "a0", "requires_grad": "yes"}),
    "tensor-parameter-int": _archive({"tensor": "a0", "parameter": 1}),
    "int-tensor-requires-grad": _archive({"tensor": "a0", "requires_grad": True}, {"a0": np.arange(3)}),
    "tensor-uint16": _archive({"tensor": "a0"}, {"a0": np.arange(3, dtype=np.uint16)}),
    "tensor-big-endian": _archive({"tensor": "a0"}, {"a0": np.arange(3, dtype=">f4")}),
    "tensor-complex": _archive({"tensor": "a0"}, {"a0": np.ones(2, np.complex64)}),
    "tensor-datetime": _archive({"tensor": "a0"}, {"a0": np.arange(2).astype("M8[D]")}),
    "tensor-string": _archive({"tensor": "a0"}, {"a0": np.array(["ab"])}),
    "obj-negative": _archive({"tensor": "a0", "obj": -1}),
    "obj-bool": _archive({"tensor": "a0", "obj": True}),
    "obj-two-kinds": _archive([{"tensor": "a0", "obj": 0}, {"ndarray": "a0", "obj": 0}]),
    "ndarray-extra-key": _archive({"ndarray": "a0", "x": 1}),
    "ndarray-structured": _archive({"ndarray": "a0"}, {"a0": np.zeros(2, dtype=[("x", "f4")])}),
    "ndarray-void": _archive({"ndarray": "a0"}, {"a0": np.zeros(2, dtype="V4")}),
    "npscalar-not-0d": _archive({"npscalar": "a0"}),
    "npscalar-name-list": _archive({"npscalar": ["a0"]}),
    "bytes-float": _archive({"bytes": "a0"}),
}

NPY_FILES = {
    # plain .npy files a tensor cannot hold
    "big-endian-f4": _npy(np.arange(3, dtype=">f4")),
    "big-endian-i8": _npy(np.arange(3, dtype=">i8")),
    "datetime64": _npy(np.arange(3).astype("M8[s]")),
    "timedelta64": _npy(np.arange(3).astype("m8[s]")),
    "object": _npy(np.array([1, "x"], dtype=object)),
    "complex128": _npy(np.ones(2, np.complex128)),
    "uint16": _npy(np.ones(2, np.uint16)),
    "uint64": _npy(np.ones(2, np.uint64)),
    "longdouble": _npy(np.ones(2, np.longdouble)),
    "unicode": _npy(np.array(["abc"])),
    "bytes": _npy(np.array([b"abc"])),
    "structured": _npy(np.zeros(2, dtype=[("x", "f4"), ("y", "i4")])),
    "void": _npy(np.zeros(2, dtype="V8")),
    # broken headers and sizes
    "header-garbage": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': __import__}"),
    "header-not-dict": _npy_header("[1, 2, 3]"),
    "header-bad-descr": _npy_header("{'descr': 'nonsense', 'fortran_order': False, 'shape': (3,), }"),
    "header-negative-shape": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }"),
    "header-float-shape": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3.5,), }"),
    "header-fortran-str": _npy_header("{'descr': '<f4', 'fortran_order': 'yes', 'shape': (3,), }"),
    "header-huge-shape": _npy_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (10**15,), }", b"x" * 16
    ),
    "header-overflow-shape": _npy_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2**62, 2**62), }"
    ),
    "header-zero-itemsize": _npy_header("{'descr': '|S0', 'fortran_order': False, 'shape': (10**18,), }"),
    "version-9": _npy_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", version=b"\x09\x00"
    ),
    "version-3-utf8": _npy(np.ones(2, np.float32), version=(3, 0)),
    "data-short": _npy(np.ones(100, np.float32))[:-10],
    "magic-only": b"\x93NUMPY",
}

ARCHIVES = {
    "plain-npz-uint32": _zip({"w.npy": _npy(np.ones(2, np.uint32))}),
    "plain-npz-big-endian": _zip({"w.npy": _npy(np.ones(2, ">f8"))}),
    "member-not-npy": _zip({"w.npy": _npy(np.ones(2)), "readme.txt": b"hello"}),
    "end-record-cut": _zip({"w.npy": _npy(np.ones(2))})[:-22],
    "member-garbage": _zip({"w.npy": b"\x93NUMPY\x01\x00garbage"}),
    "member-longer-than-array": _zip({"w.npy": _npy(np.ones(2, np.float32)) + b"\0" * 8}),
    "member-bzip2": _zip({"w.npy": _npy(np.ones(2))}, zipfile.ZIP_BZIP2),
    "torch-style-pkl": _zip({"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3"}),
    "zip-magic-only": b"PK\x03\x04",
    "zip-empty-dir-lie": b"PK\x03\x04" + b"\0" * 100,
}


def _duplicated_member():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("w.npy", _npy(np.ones(2)))
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("w.npy", _npy(np.zeros(2)))
    return buf.getvalue()


def _encrypted_flag():
    data = bytearray(_zip({"w.npy": _npy(np.ones(2))}))
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # general-purpose flag: bit 0 = encrypted
        pos = data.find(sig)
        data[pos + at] |= 1
    return bytes(data)


ALL = {**{f"structure:{k}": v for k, v in STRUCTURES.items()}}
ALL.update({f"npy:{k}": v for k, v in NPY_FILES.items()})
ALL.update({f"zip:{k}": v for k, v in ARCHIVES.items()})


@pytest.mark.parametrize("name", sorted(ALL))
def test_hostile_file_raises_runtime_error_naming_it(name, tmp_path):
    path = tmp_path / "hostile.pt"
    path.write_bytes(ALL[name])
    with pytest.raises(RuntimeError, match=r"tinygrad_np\.load: '.*hostile\.pt'"):
        tg.load(path)
    with pytest.raises(RuntimeError, match="<BytesIO file object>"):
        tg.load(io.BytesIO(ALL[name]))


@pytest.mark.parametrize("make", [_duplicated_member, _encrypted_flag], ids=["duplicate", "encrypted"])
def test_crafted_zip_entries_are_refused(make, tmp_path):
    path = tmp_path / "crafted.npz"
    path.write_bytes(make())
    with pytest.raises(RuntimeError, match=r"crafted\.npz"):
        tg.load(path)


UNSUPPORTED_DTYPES = ["big-endian-f4", "big-endian-i8", "datetime64", "timedelta64", "complex128", "uint16"]
UNSUPPORTED_DTYPES += ["uint64", "longdouble", "unicode", "bytes", "structured", "void"]


@pytest.mark.parametrize("name", UNSUPPORTED_DTYPES)
def test_unsupported_npy_dtype_message_says_how_to_convert(name):
    with pytest.raises(RuntimeError, match=r"unsupported dtype .*convert it with NumPy first"):
        tg.load(io.BytesIO(NPY_FILES[name]))


def test_flipped_bytes_never_escape_as_other_errors():
    """Every single-byte corruption of a real save file loads or raises RuntimeError, nothing else."""
    good = io.BytesIO()
    tg.save({"w": tg.randn(4, 3), "step": 3, "names": ["a", ("b", 2.5)], "arr": np.arange(4)}, good)
    data = good.getvalue()
    rng = np.random.default_rng(0)
    for pos in rng.choice(len(data), size=300, replace=False):
        bad = bytearray(data)
        bad[pos] ^= int(rng.integers(1, 256))
        try:
            out = tg.load(io.BytesIO(bytes(bad)))
        except RuntimeError as exc:
            assert "tinygrad_np.load: <BytesIO file object>" in str(exc)
        else:
            repr(out)  # whatever loads is whole: it prints


_KINDS = [
    "int",
    "float",
    "complex",
    "bytes",
    "npscalar",
    "tuple",
    "dict",
    "odict",
    "set",
    "tensor",
    "ndarray",
    "obj",
]


def _random_json(rng, depth=0):
    pick = int(rng.integers(8 if depth < 3 else 4))
    if pick == 0:
        return [None, True, False, 0, -1, 2**70, 1.5, "a0", "__structure__", "", []][int(rng.integers(11))]
    if pick in (1, 2):
        return {str(rng.choice(_KINDS)): ["a0", "1", 1, None, True, []][int(rng.integers(6))]}
    if pick == 3:
        return {}
    if pick in (4, 5):
        return [_random_json(rng, depth + 1) for _ in range(int(rng.integers(3)))]
    return {str(rng.choice(_KINDS)): _random_json(rng, depth + 1) for _ in range(int(rng.integers(1, 3)))}


def _mutated(rng, node):
    if rng.random() < 0.15:
        return _random_json(rng)
    if isinstance(node, list):
        return [_mutated(rng, v) for v in node]
    if isinstance(node, dict):
        return {k: _mutated(rng, v) for k, v in node.items()}
    return node


def test_mutated_structure_records_load_whole_or_raise_runtime_error():
    """Valid JSON of the wrong shape, made by replacing random parts of a real record."""
    arrays = {"a0": np.ones(3, np.float32), "a1": np.arange(4), "a2": np.array(1.5, np.float16)}
    root = {
        "odict": [
            ["w", {"tensor": "a0", "requires_grad": True, "obj": 0}],
            [{"int": "3"}, [{"ndarray": "a1", "obj": 1}, {"npscalar": "a2"}, {"tuple": [{"float": "2.5"}]}]],
            ["s", {"set": [{"int": "1"}, "x"]}],
        ]
    }
    rng = np.random.default_rng(0)
    for _ in range(300):
        data = _archive(_mutated(rng, root), arrays, fmt="tinygrad_np.save/2")
        try:
            out = tg.load(io.BytesIO(data))
        except RuntimeError as exc:
            assert "tinygrad_np.load: <BytesIO file object>" in str(exc)
        else:
            repr(out)
