"""``save`` and ``load``: tensors and state dicts on disk, never executing code on load.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays): every array in
the saved object becomes one member (``a0``, ``a1``, ...) and the object's
structure (dicts, lists, tuples, numbers, strings, ``None``, and which member
each tensor is) is stored as JSON in the member ``__structure__``. Loading reads
``.npy`` headers and ``json`` only: neither can run code, so a file holding a
pickle (a ``torch.save`` file, an object array written by
``np.save(..., allow_pickle=True)``, or anything hostile) is refused with an
error, before anything in it is unpickled.

Types come back exactly: dict keys keep their type (the integer parameter
indices of an optimizer's state dict come back as ints), arrays keep their dtype
and shape, NumPy scalars stay NumPy scalars of their dtype. A tensor stored
under two keys (tied weights) is written once and comes back as one object;
two tensors over the same memory (``w`` and ``w.detach()``) come back sharing
memory. A view of *part* of another tensor is stored as its own copy.

Saving to a path is atomic (see ``tinygrad_np._atomic_write``): a temp file in
the same folder, ``fsync``, then a rename, keeping the old file's permissions and
writing through symlinks. Loading checks the format from the first bytes,
streams each array into its own memory, and refuses an archive whose declared
sizes exceed :data:`MAX_EXPANSION` times the file's size (a decompression bomb);
raise the limit per call with ``load(..., max_expansion=...)`` or for the
process with ``tinygrad_np.serialization.MAX_EXPANSION = ...``.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import _archive
from ._atomic_write import write_atomically
from .dtypes import _BY_NUMPY
from .tensor import Tensor

__all__ = ["MAX_EXPANSION", "load", "save"]

FileLike = str | os.PathLike | IO[bytes]
MAX_EXPANSION: float = 100.0
"""How many times its own size an archive may expand to when loaded (the
decompression-bomb guard). ``tinygrad_np.save`` files do not compress (about 1x);
NumPy's ``savez_compressed`` of real weights rarely exceeds 10x."""

_STRUCTURE = "__structure__"
_FORMAT = "tinygrad_np.save/2"  # /2 added "obj" (object identity) to tensor and array entries
_FORMATS = ("tinygrad_np.save/1", _FORMAT)
_MAX_DEPTH = 100  # nesting of dicts/lists/tuples; deeper (or a structure that contains itself) is refused
_ARRAY_KINDS = "biufcmMSU"  # what a saved np.ndarray may hold: numbers, bools, dates, fixed-size strings


def _tensor_dtype(dtype: np.dtype) -> str | None:
    if dtype in _BY_NUMPY and dtype.isnative:
        return None
    names = ", ".join(str(d) for d in _BY_NUMPY)
    return (
        f"a tensor must be one of {names} in native byte order; convert it with NumPy first, "
        "e.g. tinygrad_np.from_numpy(np.load(path).astype(np.float32))"
    )


def _array_dtype(dtype: np.dtype) -> str | None:
    if dtype.kind in _ARRAY_KINDS and dtype.itemsize > 0 and dtype.fields is None:
        return None
    return "only arrays of numbers, bools, dates and fixed-size strings are stored"


def _bytes_dtype(dtype: np.dtype) -> str | None:
    return None if dtype == np.uint8 else "expected uint8 bytes"


class _Encoder:
    """Turn a saved object into JSON-able structure plus a dict of arrays.

    Each Tensor or ndarray object gets an ``obj`` number (the same object twice
    is one entry, loaded as one object); arrays over the same memory (same
    address, shape, strides and dtype) are one member.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._members: dict[tuple[Any, ...], str] = {}
        self._objects: dict[int, dict[str, Any]] = {}

    def _array(self, array: np.ndarray, where: str, shared: bool = True) -> str:
        if array.dtype.hasobject or _array_dtype(array.dtype) is not None:
            raise TypeError(
                f"tinygrad_np.save: cannot save an array of dtype {array.dtype} at {where}; only arrays of "
                "numbers, bools, dates and fixed-size strings are stored (object arrays would need pickle)"
            )
        key = (array.__array_interface__["data"][0], array.shape, array.strides, array.dtype.str)
        if shared and array.size and key in self._members:
            return self._members[key]
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array  # also keeps the address unique while encoding
        if shared and array.size:
            self._members[key] = name
        return name

    def _object(self, obj: Tensor | np.ndarray, where: str) -> dict[str, Any]:
        node = self._objects.get(id(obj))
        if node is not None:
            return node
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            node = {"tensor": self._array(obj._data, where), "requires_grad": obj.requires_grad}
            if isinstance(obj, Parameter):
                node["parameter"] = True
        else:
            node = {"ndarray": self._array(obj, where)}
        node["obj"] = len(self._objects)
        self._objects[id(obj)] = node
        return node

    def encode(self, obj: Any, where: str = "obj", depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(
                f"tinygrad_np.save: {where} is nested more than {_MAX_DEPTH} levels deep "
                "(or contains itself); flatten it before saving"
            )
        if isinstance(obj, (Tensor, np.ndarray)):
            return self._object(obj, where)
        if isinstance(obj, np.generic):  # before float/str: np.float64 and np.str_ subclass them
            return {"npscalar": self._array(np.asarray(obj), where, shared=False)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return {"int": str(int(obj))}  # exact, whatever its size (int(): an IntEnum prints its name)
        if isinstance(obj, float):
            return {"float": repr(float(obj))}  # exact, inf and nan included
        if isinstance(obj, complex):
            return {"complex": [repr(obj.real), repr(obj.imag)]}
        if isinstance(obj, bytes):
            return {"bytes": self._array(np.frombuffer(obj, np.uint8), where, shared=False)}
        depth += 1
        if isinstance(obj, dict):
            # an OrderedDict (a state_dict) comes back as an OrderedDict, as with torch.load
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            items = [
                [self.encode(k, f"{where} key", depth), self.encode(v, f"{where}[{k!r}]", depth)]
                for k, v in obj.items()
            ]
            return {kind: items}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]", depth) for i, v in enumerate(obj)]
        if isinstance(obj, (tuple, set, frozenset)):
            kind = "tuple" if isinstance(obj, tuple) else "frozenset" if isinstance(obj, frozenset) else "set"
            return {kind: [self.encode(v, f"{where}[{i}]", depth) for i, v in enumerate(obj)]}
        raise TypeError(
            f"tinygrad_np.save: cannot save an object of type {type(obj).__name__} at {where}; save tensors, "
            "arrays, numbers, strings, bytes, None and dicts/lists/tuples/sets of them (e.g. a state_dict())"
        )


class _Decoder:
    """Rebuild the saved object from its structure record, checking every entry."""

    def __init__(self, archive: _archive.Archive, source: str) -> None:
        self.archive, self.source = archive, source
        self._arrays: dict[str, np.ndarray] = {}
        self._bases: dict[str, Tensor] = {}  # one Tensor per member: its version counter is shared
        self._objects: dict[int, tuple[str, Any]] = {}
        self._given: set[int] = set()  # ids of the member arrays already returned as ndarray entries

    def _corrupt(self, problem: str) -> RuntimeError:
        return RuntimeError(f"tinygrad_np.load: {self.source} is corrupt: {problem}")

    def _member(self, name: Any, check: _archive.DtypeCheck) -> np.ndarray:
        if not isinstance(name, str) or name == _STRUCTURE or name not in self.archive.names:
            raise self._corrupt(f"it refers to a missing array {name!r}")
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = self.archive.read(name, check)
        problem = check(array.dtype)
        if problem is not None:
            raise self._corrupt(f"array {name!r} has dtype {array.dtype} where {problem}")
        return array

    def _tensor(self, node: dict[str, Any]) -> Tensor:
        from .nn.parameter import Parameter

        if not set(node) <= {"tensor", "requires_grad", "parameter", "obj"}:
            raise self._corrupt(f"unexpected tensor entry {node!r:.80}")
        requires_grad, parameter = node.get("requires_grad", False), node.get("parameter", False)
        if not isinstance(requires_grad, bool) or not isinstance(parameter, bool):
            raise self._corrupt(f"unexpected tensor entry {node!r:.80}")
        array = self._member(node["tensor"], _tensor_dtype)
        if requires_grad and array.dtype.kind != "f":
            raise self._corrupt(f"a {array.dtype} tensor cannot require gradients")
        base = self._bases.get(node["tensor"])
        if base is None:
            base = self._bases[node["tensor"]] = Tensor._wrap(array)
        if parameter:
            return Parameter(base, requires_grad=requires_grad)
        t = base.detach()  # the same memory and version counter as every other tensor over it
        t.requires_grad = requires_grad
        return t

    def _identified(self, node: dict[str, Any], kind: str) -> Any:
        """A tensor or array entry; entries with the same ``obj`` number are one object."""
        ident = node.get("obj")
        if ident is not None and (type(ident) is not int or ident < 0):
            raise self._corrupt(f"unexpected object number {ident!r:.40}")
        if ident in self._objects:
            seen_kind, value = self._objects[ident]
            if seen_kind != kind:
                raise self._corrupt(f"object {ident} is saved both as {seen_kind} and as {kind}")
            return value
        if kind == "tensor":
            value = self._tensor(node)
        else:
            if set(node) - {"ndarray", "obj"}:
                raise self._corrupt(f"unexpected array entry {node!r:.80}")
            value = self._member(node["ndarray"], _array_dtype)
            if id(value) in self._given:
                value = value.view()  # another array object over the same memory
            self._given.add(id(value))
        if ident is not None:
            self._objects[ident] = (kind, value)
        return value

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self._corrupt(f"the structure is nested more than {_MAX_DEPTH} levels deep")
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v, depth + 1) for v in node]
        if isinstance(node, dict) and "tensor" in node:
            return self._identified(node, "tensor")
        if isinstance(node, dict) and "ndarray" in node:
            return self._identified(node, "ndarray")
        if not isinstance(node, dict) or len(node) != 1:
            raise self._corrupt(f"unexpected structure {node!r:.80}")
        ((kind, value),) = node.items()
        try:
            return self._scalar(kind, value) if kind in _SCALARS else self._container(kind, value, depth + 1)
        except (TypeError, ValueError, OverflowError) as exc:
            raise self._corrupt(f"bad {kind!r} entry {value!r:.60} ({exc})") from None

    def _scalar(self, kind: str, value: Any) -> Any:
        if kind == "npscalar":
            array = self._member(value, _array_dtype)
            if array.ndim != 0:
                raise ValueError(f"a NumPy scalar must be 0-d, not shape {array.shape}")
            return array[()]
        if kind == "bytes":
            return self._member(value, _bytes_dtype).reshape(-1).tobytes()
        if kind == "complex":
            if not (isinstance(value, list) and len(value) == 2):
                raise ValueError("expected [real, imag]")
            return complex(_float(value[0]), _float(value[1]))
        return int(_text(value)) if kind == "int" else _float(value)

    def _container(self, kind: str, value: Any, depth: int) -> Any:
        if kind not in _CONTAINERS:
            raise self._corrupt(f"unknown entry kind {kind!r:.40}")
        if not isinstance(value, list):
            raise ValueError("expected a list")
        if kind in ("dict", "odict"):
            if not all(isinstance(p, list) and len(p) == 2 for p in value):
                raise ValueError("expected [key, value] pairs")
            pairs = [(_hashable(self.decode(k, depth)), self.decode(v, depth)) for k, v in value]
            return OrderedDict(pairs) if kind == "odict" else dict(pairs)
        items = [self.decode(v, depth) for v in value]
        if kind == "tuple":
            return tuple(items)
        return (set if kind == "set" else frozenset)(_hashable(v) for v in items)


_SCALARS = ("int", "float", "complex", "bytes", "npscalar")
_CONTAINERS = ("tuple", "dict", "odict", "set", "frozenset")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _float(value: Any) -> float:
    return float(_text(value))


def _hashable(key: Any) -> Any:
    """A decoded dict key or set element (a list can only come from a crafted file)."""
    key = tuple(_hashable(k) for k in key) if isinstance(key, list) else key
    hash(key)  # TypeError for an unhashable key: reported as a corrupt entry
    return key


def _source(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__} file object>"


def save(obj: Any, f: FileLike) -> None:
    """Write ``obj`` (a Tensor, an array, or nested dicts/lists/tuples of tensors,
    numbers, strings and ``None``, e.g. a model's or optimizer's ``state_dict()``)
    to ``f``, a path (used as given: no extension is added) or a binary file object.

    Saved exactly: Tensors (dtype, ``requires_grad``, ``Parameter``), NumPy arrays
    and scalars of numeric, bool, date and fixed-size string dtypes, ``None``,
    ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``, and ``dict``,
    ``OrderedDict``, ``list``, ``tuple``, ``set``, ``frozenset`` of them (at most
    100 levels deep). Subclasses of these (a ``namedtuple``, a ``defaultdict``)
    come back as the base type: no class is stored, so loading imports nothing.
    The same tensor under two keys is written once and loads as one object.

    A path is written atomically: to a temp file in the same folder, flushed to
    disk, then renamed over ``f``; concurrent saves each leave a complete file; an
    existing file keeps its permissions and a symlink stays a link (the file it
    points to is replaced); on any error the old file is untouched and the error
    names ``f``.

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
        write_atomically(os.fspath(f), lambda out: np.savez(out, **members))
    else:
        np.savez(f, **members)


def load(
    f: FileLike,
    map_location: Any = None,
    weights_only: bool | None = None,
    *,
    max_expansion: float | None = None,
) -> Any:
    """Read back what :func:`save` wrote, from a path or a binary file object.

    Never unpickles: a file that holds pickled data (a ``torch.save`` file, a
    pickle, an object array) is refused with ``RuntimeError`` and nothing in it
    runs. Every other bad file (not an archive, truncated, corrupt, a structure
    record that does not describe a saved object, an array of a dtype a tensor
    cannot have) also raises ``RuntimeError`` naming the file, here, never later.
    A plain ``.npy`` file loads as a Tensor and a plain ``np.savez`` archive as a
    dict of Tensors. ``map_location`` and ``weights_only`` are accepted for
    PyTorch compatibility (everything loads to the CPU, and only data is ever
    loaded).

    The format is checked from the first bytes, and arrays stream into their own
    memory: loading needs about the size of the arrays it returns. An archive
    whose members declare more than ``max_expansion`` times the file's size
    (default :data:`MAX_EXPANSION`, 100; archives under 1 MiB of arrays always
    pass) is refused as a decompression bomb; pass a larger ``max_expansion``
    (``float('inf')`` turns the guard off) for a highly compressed file you trust.
    """
    source = _source(f)
    limit = MAX_EXPANSION if max_expansion is None else float(max_expansion)
    if isinstance(f, (str, os.PathLike)):
        with _open(f, source) as fh:
            return _load_stream(fh, source, limit)
    return _load_stream(f, source, limit)


def _open(path: str | os.PathLike, source: str) -> IO[bytes]:
    try:
        return open(path, "rb")  # the caller closes it
    except FileNotFoundError:
        raise FileNotFoundError(f"tinygrad_np.load: no such file: {source}") from None
    except OSError as exc:
        raise OSError(exc.errno, f"tinygrad_np.load: {exc.strerror}", os.fspath(path)) from None


def _load_stream(fh: IO[bytes], source: str, max_expansion: float) -> Any:
    kind, stream, size = _archive.open_stream(fh, source)
    if kind == "npy":
        return Tensor._wrap(_archive.read_npy(stream, source, "", _tensor_dtype, size))
    archive = _archive.Archive(stream, size, source, max_expansion)
    try:
        if _STRUCTURE not in archive.names:  # a plain np.savez archive
            return {name: Tensor._wrap(archive.read(name, _tensor_dtype)) for name in archive.names}
        raw = archive.read(_STRUCTURE, _bytes_dtype)
        try:
            structure = json.loads(raw.reshape(-1).tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise RuntimeError(
                f"tinygrad_np.load: {source} is corrupt: bad structure record ({type(exc).__name__}: {str(exc)[:80]})"
            ) from None
        if (
            not isinstance(structure, dict)
            or structure.get("format") not in _FORMATS
            or "root" not in structure
        ):
            raise RuntimeError(f"tinygrad_np.load: {source} is corrupt: unknown format record")
        return _Decoder(archive, source).decode(structure["root"])
    finally:
        archive.close()
