"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ``DoubleTensor`` ...

Each is a constructor of its dtype with the rules of ``Tensor(...)``:
``LongTensor(3)`` is a (zero) int64 tensor of shape (3,), ``FloatTensor([1, 2])``
is float32 data. Each is also a type to test against: ``isinstance(t,
FloatTensor)`` is True for a float32 tensor, as on PyTorch's CPU.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .device import check_device
from .tensor import Tensor, legacy_array

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LongTensor",
    "ShortTensor",
]


class _LegacyType(type):
    """``isinstance(t, FloatTensor)``: is ``t`` a tensor of that dtype."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.legacy_dtype.np

    def __repr__(cls) -> str:
        return f"<class 'tinygrad_np.{cls.__name__}'>"


class _LegacyTensor(metaclass=_LegacyType):
    legacy_dtype: dtypes.dtype = dtypes.float32

    def __new__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[misc]
        if device is not None:
            check_device(device)
        if len(args) == 1 and isinstance(args[0], Tensor) and args[0]._data.dtype != cls.legacy_dtype.np:
            raise TypeError(
                f"{cls.__name__}(): expected {cls.legacy_dtype} (got {args[0].dtype}); convert with .to()"
            )
        return Tensor._wrap(legacy_array(args, cls.legacy_dtype))


class FloatTensor(_LegacyTensor):
    legacy_dtype = dtypes.float32


class DoubleTensor(_LegacyTensor):
    legacy_dtype = dtypes.float64


class HalfTensor(_LegacyTensor):
    legacy_dtype = dtypes.float16


class LongTensor(_LegacyTensor):
    legacy_dtype = dtypes.int64


class IntTensor(_LegacyTensor):
    legacy_dtype = dtypes.int32


class ShortTensor(_LegacyTensor):
    legacy_dtype = dtypes.int16


class CharTensor(_LegacyTensor):
    legacy_dtype = dtypes.int8


class ByteTensor(_LegacyTensor):
    legacy_dtype = dtypes.uint8


class BoolTensor(_LegacyTensor):
    legacy_dtype = dtypes.bool_
