"""Functions that make tensors: from data, filled with a value, or random.

Dtype defaults follow PyTorch: floats are float32 (the default dtype), integer
ranges int64; ``full`` takes its dtype from the fill value.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .random import Generator, rng
from .tensor import Size, Tensor, _infer_array


def _size(size: tuple[Any, ...], op: str = "tensor") -> tuple[int, ...]:
    """A shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(())``; anything but
    non-negative integers is refused, with PyTorch's error types."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    shape = []
    for d in size:
        if isinstance(d, (bool, np.bool_)) or not hasattr(d, "__index__"):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, not {type(d).__name__}")
        shape.append(operator.index(d))
    for d in shape:
        if d < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {shape}")
    return tuple(shape)


def _size_arg(op: str, args: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """The shape of ``f(*args)`` or ``f(size=...)``, as PyTorch's creation functions take it."""
    if size is not None:
        if args:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        args = (size,)
    elif not args:
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')
    return _size(args, op)


def _float_np(op: str, dtype: Any) -> np.dtype:
    """The dtype of a random float function; integer dtypes are refused as PyTorch does."""
    dt = _np_dtype(dtype)
    if dt.kind != "f":
        raise NotImplementedError(
            f"{op}: not implemented for {dtypes.from_numpy_dtype(dt)}; random floats need a floating "
            f"dtype (e.g. dtype=tinygrad_np.float32), or use randint for integers"
        )
    return dt


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


def zeros(
    *args: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros of the given shape: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    return _finish(np.zeros(_size_arg("zeros", args, size), _np_dtype(dtype)), requires_grad, device)


def ones(
    *args: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones of the given shape (the forms of :func:`zeros`)."""
    return _finish(np.ones(_size_arg("ones", args, size), _np_dtype(dtype)), requires_grad, device)


def empty(
    *args: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor with uninitialised values (the forms of :func:`zeros`)."""
    return _finish(np.empty(_size_arg("empty", args, size), _np_dtype(dtype)), requires_grad, device)


def _fill_dtype(value: Any) -> dtypes.dtype:
    if isinstance(value, bool):
        return dtypes.bool_
    if isinstance(value, (int, np.integer)):
        return dtypes.int64
    return dtypes.get_default_dtype()


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (int64 for ints).
    ``full((), v)`` is a 0-d tensor."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _np_dtype(dtype, _fill_dtype(fill_value))
    return _finish(np.full(_size((size,), "full"), fill_value, dt), requires_grad, device)


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
    """An uninitialised tensor of ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    shape, dt = _like(input, dtype)
    return _finish(np.empty(shape, dt), requires_grad, device)


def full_like(
    input: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dt), requires_grad, device)


def rand(
    *args: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples from [0, 1): ``rand(2, 3)``, ``rand((2, 3))`` or ``rand(size=(2, 3))``."""
    shape, dt = _size_arg("rand", args, size), _float_np("rand", dtype)
    return _finish(rng(generator).random(shape).astype(dt), requires_grad, device)


def randn(
    *args: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from the standard normal distribution (the shapes of :func:`rand`)."""
    shape, dt = _size_arg("randn", args, size), _float_np("randn", dtype)
    return _finish(rng(generator).standard_normal(shape).astype(dt), requires_grad, device)


def _like_float(op: str, input: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    shape, dt = _like(input, dtype)
    return shape, _float_np(op, dtypes.from_numpy_dtype(dt))


def rand_like(
    input: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    memory_format: Any = None,
) -> Tensor:
    """Uniform samples from [0, 1) of ``input``'s shape and dtype."""
    shape, dt = _like_float("rand_like", input, dtype)
    return _finish(rng(generator).random(shape).astype(dt), requires_grad, device)


def randn_like(
    input: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    memory_format: Any = None,
) -> Tensor:
    """Standard normal samples of ``input``'s shape and dtype."""
    shape, dt = _like_float("randn_like", input, dtype)
    return _finish(rng(generator).standard_normal(shape).astype(dt), requires_grad, device)


def _int_bound(v: Any, name: str) -> int:
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)):
        raise TypeError(f"randint(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def _integers(
    low: Any, high: Any, shape: tuple[int, ...], dt: np.dtype, g: np.random.Generator
) -> np.ndarray:
    lo, hi = _int_bound(low, "low"), _int_bound(high, "high")
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
    return g.integers(lo, hi, shape).astype(dt)


def randint(
    *args: Any,
    low: Any = None,
    high: Any = None,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)``,
    ``randint(low, high, size)``, or any of them by keyword (``low`` defaults to 0)."""
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list, Size)):
            raise TypeError(
                "randint() missing the required argument 'size': call randint(high, size) or "
                "randint(low, high, size) with size a tuple, e.g. randint(0, 10, (3,))"
            )
        size = args.pop()
    if high is None:
        if not args:
            raise TypeError("randint() missing the required argument 'high'")
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    if args:
        raise TypeError("randint() takes (low=0, high, size): too many positional arguments")
    dt = _np_dtype(dtype, dtypes.int64)
    return _finish(_integers(low, high, _size((size,), "randint"), dt, rng(generator)), requires_grad, device)


def randint_like(
    input: Any,
    low: Any = 0,
    high: Any = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    memory_format: Any = None,
) -> Tensor:
    """Integers from [low, high) in ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    shape, dt = _like(input, dtype)
    return _finish(_integers(low, high, shape, dt, rng(generator)), requires_grad, device)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Tensor | None = None,
) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype`` says otherwise)."""
    (n,) = _size((n,), "randperm")
    result = _finish(
        rng(generator).permutation(n).astype(_np_dtype(dtype, dtypes.int64)), requires_grad, device
    )
    if out is not None:
        out.data = result
        return out
    return result


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
