"""``save`` and ``load``: tensors and state dicts on disk, never executing code on load.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays): every array in
the saved object becomes one member (``a0``, ``a1``, ...) and the object's
structure (dicts, lists, tuples, numbers, strings, ``None``, and which member
each tensor is) is stored as JSON in the member ``__structure__``. Loading uses
``np.load(..., allow_pickle=False)`` and ``json``: neither can run code, so a
file holding a pickle (a ``torch.save`` file, an object array written by
``np.save(..., allow_pickle=True)``, or anything hostile) is refused with an
error, before anything in it is unpickled.

Dict keys keep their type (the integer parameter indices of an optimizer's
state dict come back as ints), and arrays keep their dtype and shape exactly.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from .tensor import Tensor

__all__ = ["load", "save"]

FileLike = str | os.PathLike | IO[bytes]
_STRUCTURE = "__structure__"
_FORMAT = "tinygrad_np.save/1"
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"
_PICKLE_PROTOCOLS = tuple(bytes([0x80, v]) for v in range(2, 6))


class _Encoder:
    """Turn a saved object into JSON-able structure plus a list of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, array: np.ndarray, where: str) -> str:
        if array.dtype.kind in "OUSV" or array.dtype.fields is not None:
            raise TypeError(
                f"tinygrad_np.save: cannot save an array of dtype {array.dtype} at {where}; only numeric "
                "and bool arrays are stored (object arrays would need pickle)"
            )
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        return name

    def encode(self, obj: Any, where: str = "obj") -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return {"int": str(obj)}  # exact, whatever its size
        if isinstance(obj, float):
            return {"float": repr(obj)}  # exact, inf and nan included
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            node = {"tensor": self._array(obj._data, where), "requires_grad": obj.requires_grad}
            if isinstance(obj, Parameter):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj, where)}
        if isinstance(obj, np.generic):
            return {"npscalar": self._array(np.asarray(obj), where)}
        if isinstance(obj, dict):
            # an OrderedDict (a state_dict) comes back as an OrderedDict, as with torch.load
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {
                kind: [
                    [self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                    for k, v in obj.items()
                ]
            }
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        raise TypeError(
            f"tinygrad_np.save: cannot save an object of type {type(obj).__name__} at {where}; save "
            "tensors, arrays, numbers, strings, None and dicts/lists/tuples of them (e.g. a state_dict())"
        )


class _Decoder:
    def __init__(self, archive: Any, source: str) -> None:
        self.archive, self.source = archive, source

    def _array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name == _STRUCTURE or name not in self.archive.files:
            raise RuntimeError(
                f"tinygrad_np.load: {self.source} is corrupt: it refers to a missing array {name!r}"
            )
        return _read_member(self.archive, name, self.source)

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or (len(node) != 1 and "tensor" not in node):
            raise RuntimeError(
                f"tinygrad_np.load: {self.source} is corrupt: unexpected structure {node!r:.80}"
            )
        if "tensor" in node:
            from .nn.parameter import Parameter

            array = self._array(node["tensor"])
            if node.get("parameter"):
                return Parameter(Tensor._wrap(array), requires_grad=bool(node.get("requires_grad", True)))
            t = Tensor._wrap(array)
            if node.get("requires_grad"):
                t.requires_grad = True
            return t
        ((kind, value),) = node.items()
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "ndarray":
            return self._array(value)
        if kind == "npscalar":
            return self._array(value)[()]
        if kind == "tuple":
            return tuple(self.decode(v) for v in value)
        if kind == "dict":
            return {_hashable(self.decode(k)): self.decode(v) for k, v in value}
        if kind == "odict":
            return OrderedDict((_hashable(self.decode(k)), self.decode(v)) for k, v in value)
        raise RuntimeError(f"tinygrad_np.load: {self.source} is corrupt: unknown entry kind {kind!r}")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _source(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__} file object>"


def save(obj: Any, f: FileLike) -> None:
    """Write ``obj`` (a Tensor, an array, or nested dicts/lists/tuples of tensors,
    numbers, strings and ``None``, e.g. a model's or optimizer's ``state_dict()``)
    to ``f``, a path (used as given: no extension is added) or a binary file object.

    >>> import io, tinygrad_np as tg
    >>> buf = io.BytesIO()
    >>> tg.save({"w": tg.ones(2, 3), "step": 7}, buf)
    >>> _ = buf.seek(0)
    >>> tg.load(buf)
    {'w': tensor([[1., 1., 1.],
            [1., 1., 1.]]), 'step': 7}
    """
    encoder = _Encoder()
    structure = {"format": _FORMAT, "root": encoder.encode(obj)}
    text = json.dumps(structure, allow_nan=False).encode("utf-8")
    members = {_STRUCTURE: np.frombuffer(text, dtype=np.uint8), **encoder.arrays}
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "wb") as out:
                np.savez(out, **members)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    else:
        np.savez(f, **members)


def load(f: FileLike, map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Read back what :func:`save` wrote, from a path or a binary file object.

    Never unpickles: a file that holds pickled data (a ``torch.save`` file, a
    pickle, an object array) is refused with ``RuntimeError`` and nothing in it
    runs; a truncated or corrupt file raises ``RuntimeError`` naming it. A plain
    ``.npy`` file loads as a Tensor and a plain ``np.savez`` archive as a dict
    of Tensors. ``map_location`` and ``weights_only`` are accepted for PyTorch
    compatibility (everything loads to the CPU, and only data is ever loaded).
    """
    source = _source(f)
    if isinstance(f, (str, os.PathLike)):
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"tinygrad_np.load: no such file: {source}") from None
    else:
        data = f.read()
        if not isinstance(data, bytes):
            raise TypeError(f"tinygrad_np.load: {source} must be opened in binary mode ('rb')")
    return _load_bytes(data, source)


def _load_bytes(data: bytes, source: str) -> Any:
    if data.startswith(_NPY_MAGIC):
        return Tensor._wrap(_read_npy(io.BytesIO(data), source))
    if not data.startswith(_ZIP_MAGIC):
        if (data[:1] == b"\x80" and data[:2] in _PICKLE_PROTOCOLS) or data[:1] in (b"(", b"]", b"}", b"c"):
            raise RuntimeError(
                f"tinygrad_np.load: {source} holds pickled data, which could run arbitrary code; refusing "
                "to load it. Only files written by tinygrad_np.save (.npz) are read."
            )
        if not data:
            raise RuntimeError(f"tinygrad_np.load: {source} is empty (truncated or corrupt file)")
        raise RuntimeError(
            f"tinygrad_np.load: {source} is not a tinygrad_np.save file (a .npz archive): truncated or corrupt"
        )
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise RuntimeError(f"tinygrad_np.load: {source} is truncated or corrupt ({exc})") from None
    with archive:
        if any(name.endswith(".pkl") for name in archive.files):
            raise RuntimeError(
                f"tinygrad_np.load: {source} holds pickled data (it looks like a torch.save file), which "
                "could run arbitrary code; refusing to load it. Convert it where you trust it, e.g. "
                "tinygrad_np.save({k: v.numpy() for k, v in torch.load(path).items()}, new_path)"
            )
        if _STRUCTURE not in archive.files:  # a plain np.savez archive
            return {name: Tensor._wrap(_read_member(archive, name, source)) for name in archive.files}
        raw = _read_member(archive, _STRUCTURE, source)
        try:
            structure = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RuntimeError(
                f"tinygrad_np.load: {source} is corrupt: bad structure record ({exc})"
            ) from None
        if not isinstance(structure, dict) or structure.get("format") != _FORMAT or "root" not in structure:
            raise RuntimeError(f"tinygrad_np.load: {source} is corrupt: unknown format record")
        return _Decoder(archive, source).decode(structure["root"])


def _read_member(archive: Any, name: str, source: str) -> np.ndarray:
    try:
        value = archive[name]
        if not isinstance(value, np.ndarray):  # a zip member that is not an .npy array
            raise ValueError(f"member {name!r} is not a NumPy array")
        return value
    except ValueError as exc:
        if "pickle" in str(exc):
            raise RuntimeError(
                f"tinygrad_np.load: {source} member {name!r} holds pickled data (an object array), which "
                "could run arbitrary code; refusing to load it"
            ) from None
        raise RuntimeError(
            f"tinygrad_np.load: {source} is truncated or corrupt in {name!r} ({exc})"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise RuntimeError(
            f"tinygrad_np.load: {source} is truncated or corrupt in {name!r} ({exc})"
        ) from None


def _read_npy(fh: IO[bytes], source: str) -> np.ndarray:
    try:
        return np.load(fh, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc):
            raise RuntimeError(
                f"tinygrad_np.load: {source} holds pickled data (an object array), which could run "
                "arbitrary code; refusing to load it"
            ) from None
        raise RuntimeError(f"tinygrad_np.load: {source} is truncated or corrupt ({exc})") from None
    except (EOFError, OSError) as exc:
        raise RuntimeError(f"tinygrad_np.load: {source} is truncated or corrupt ({exc})") from None
