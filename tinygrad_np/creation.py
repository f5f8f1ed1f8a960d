"""Functions that make tensors: from data, filled with a value, or random.

Dtype defaults follow PyTorch: floats are float32 (the default dtype), integer
ranges int64; ``full`` takes its dtype from the fill value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .random import rng
from .tensor import Size, Tensor, _infer_array, _shape_args


def _size(size: tuple[Any, ...]) -> tuple[int, ...]:
    """A shape from ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``; negative sizes are refused."""
    shape = _shape_args(size)
    for d in shape:
        if d < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {list(shape)}")
    return shape


def _finish(arr: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    check_device(device)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _np_dtype(dtype: Any, default: dtypes.dtype | None = None) -> np.dtype:
    if dtype is None:
        return (default or dtypes.get_default_dtype()).np
    return dtypes.to_dtype(dtype).np


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, arrays, tensors).

    >>> import tinygrad_np as tg
    >>> tg.tensor([[1, 2], [3, 4]]).dtype, tg.tensor([1.5]).dtype
    (tinygrad_np.int64, tinygrad_np.float32)
    """
    arr = _infer_array(data, None if dtype is None else dtypes.to_dtype(dtype))
    return _finish(np.array(arr, copy=True), requires_grad, device)


as_tensor = tensor


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing ``a``'s memory and dtype."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(a).__name__}")
    dtypes.from_numpy_dtype(a.dtype)
    return Tensor._wrap(a)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given shape."""
    return _finish(np.zeros(_size(size), _np_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_size(size), _np_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor with uninitialised values."""
    return _finish(np.empty(_size(size), _np_dtype(dtype)), requires_grad, device)


def _fill_dtype(value: Any) -> dtypes.dtype:
    if isinstance(value, bool):
        return dtypes.bool_
    if isinstance(value, (int, np.integer)):
        return dtypes.int64
    return dtypes.get_default_dtype()


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (int64 for ints)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _np_dtype(dtype, _fill_dtype(fill_value))
    return _finish(np.full(_size((size,)), fill_value, dt), requires_grad, device)


def _like(t: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    a = t._data if isinstance(t, Tensor) else np.asarray(t)
    return a.shape, (a.dtype if dtype is None else dtypes.to_dtype(dtype).np)


def zeros_like(input: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(np.zeros(shape, dt), requires_grad, device)


def ones_like(input: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(np.ones(shape, dt), requires_grad, device)


def empty_like(input: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(np.empty(shape, dt), requires_grad, device)


def full_like(
    input: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dt), requires_grad, device)


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples from [0, 1)."""
    dt = _np_dtype(dtype)
    return _finish(rng(generator).random(_size(size)).astype(dt), requires_grad, device)


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Samples from the standard normal distribution."""
    dt = _np_dtype(dtype)
    return _finish(rng(generator).standard_normal(_size(size)).astype(dt), requires_grad, device)


def rand_like(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(rng().random(shape).astype(dt), requires_grad, None)


def randn_like(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(rng().standard_normal(shape).astype(dt), requires_grad, None)


def randint(
    *args: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list, Size)):
            raise TypeError(
                "randint() missing the required argument 'size': call randint(high, size) or "
                "randint(low, high, size) with size a tuple, e.g. randint(0, 10, (3,))"
            )
        size = args.pop()
    low, high = (0, args[0]) if len(args) == 1 else args
    dt = _np_dtype(dtype, dtypes.int64)
    shape = _size((size,))
    return _finish(rng(generator).integers(low, high, shape).astype(dt), requires_grad, device)


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    return _finish(rng(generator).permutation(n).astype(_np_dtype(dtype, dtypes.int64)), False, device)


def normal(mean: float, std: float, size: Any, generator: Any = None) -> Tensor:
    return _finish(rng(generator).normal(mean, std, _size((size,))).astype(_np_dtype(None)), False, None)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 when all are ints."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values)
    dt = _np_dtype(dtype, dtypes.int64 if integral else None)
    return _finish(
        np.arange(*values, dtype=np.float64 if dt.kind == "f" else None).astype(dt), requires_grad, device
    )


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _finish(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad, device)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The identity matrix (n x m)."""
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad, device)
