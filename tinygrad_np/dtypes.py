"""Data types and PyTorch's type-promotion rules.

A :class:`dtype` is a thin, named wrapper around a NumPy dtype so that
``tinygrad_np.float32`` prints like ``torch.float32`` and still works anywhere
NumPy wants a dtype (``np.zeros(3, dtype=tinygrad_np.float32)``).

Promotion follows PyTorch, not NumPy. Operands fall into three tiers:
tensors with at least one dimension, zero-dimensional tensors, and Python
scalars. The result is the promoted dtype of the highest tier present, unless a
lower tier holds a higher *category* (bool < integer < floating), in which
case that category wins. A Python float therefore never upcasts a float32
tensor, and an integer tensor times a Python float is float32.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "get_default_dtype",
    "set_default_dtype",
    "to_dtype",
    "result_type",
]


class dtype:  # noqa: N801 - the name PyTorch users type
    """A tensor element type, e.g. ``tinygrad_np.float32``."""

    __slots__ = ("is_floating_point", "is_signed", "itemsize", "name", "np")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype; lets ``np.dtype(tinygrad_np.float32)`` work."""
        return self.np

    def __repr__(self) -> str:
        return f"tinygrad_np.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self is other
        try:
            return self.np == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.np)


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)

_BY_NUMPY = {d.np: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}
_default_float = [float32]


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (``float32`` unless changed)."""
    return _default_float[0]


def set_default_dtype(d: object) -> None:
    """Set the dtype used for Python floats; must be a floating dtype."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    _default_float[0] = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The :class:`dtype` for a NumPy dtype; a clear error for unsupported ones."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"tinygrad_np does not support NumPy dtype {np_dtype}; supported: "
            + ", ".join(str(d) for d in _BY_NUMPY.values())
        ) from None


def to_dtype(d: object) -> dtype:
    """Accept a :class:`dtype`, a NumPy dtype, a type such as ``np.float32``, or a name."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64  # as in PyTorch: dtype=float means float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        np_dtype = np.dtype(d)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"not a dtype: {d!r}") from None
    return from_numpy_dtype(np_dtype)


def _category(np_dtype: np.dtype) -> int:
    """bool < integer < floating."""
    kind = np_dtype.kind
    return 2 if kind == "f" else 0 if kind == "b" else 1


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """Promote two tensor dtypes: the higher category wins outright (int64 with
    float32 gives float32, as in PyTorch); within a category NumPy's rule holds."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _scalar_dtype(x: object) -> np.dtype:
    if isinstance(x, bool):
        return bool_.np
    if isinstance(x, int):
        return int64.np
    return _default_float[0].np


def result_type(*operands: object) -> np.dtype:
    """The NumPy dtype PyTorch gives an op over ``operands``.

    ``operands`` are Tensors, NumPy arrays, or Python/NumPy scalars.
    """
    tiers: list = [None, None, None]  # dimensioned tensors, 0-d tensors, scalars
    for x in operands:
        if isinstance(x, (bool, int, float, np.generic)):
            tier, dt = 2, _scalar_dtype(x.item() if isinstance(x, np.generic) else x)
        else:
            data = x if isinstance(x, np.ndarray) else getattr(x, "_data", None)  # a Tensor's array
            if not isinstance(data, np.ndarray):
                raise TypeError(f"unsupported operand type {type(x).__name__}")
            tier, dt = (0 if data.ndim else 1), data.dtype
        tiers[tier] = dt if tiers[tier] is None else promote_types(tiers[tier], dt)
    result = None
    for dt in tiers:
        if dt is not None and (result is None or _category(dt) > _category(result)):
            result = dt
    return result
