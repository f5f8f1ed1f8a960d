"""How NumPy treats a Tensor: ``ndarray + t``, ``np.exp(t)``, ``np.sum(t)``.

Without these hooks NumPy converts a Tensor operand with ``__array__`` and computes an
ndarray, so ``ndarray * t`` (the array on the left) or ``np.exp(t)`` silently drops ``t``
from the graph and its gradient never arrives. NumPy calls two protocol methods instead:

* ``Tensor.__array_ufunc__`` for every ufunc with a Tensor operand, which includes the
  operators of an array or NumPy scalar on the left (``a + t`` is ``np.add(a, t)``,
  ``a @ t`` is ``np.matmul``, ``a < t`` is ``np.less``);
* ``Tensor.__array_function__`` for NumPy's other functions (``np.sum``, ``np.concatenate``).

The rules:

* an operator with an array or NumPy scalar on either side gives a Tensor, the same as with
  the operands swapped (``a * t`` equals ``t * a``: dtype, value and gradient);
* when a tensor that requires grad takes part (grad mode on), a ufunc or function with a
  tinygrad_np counterpart runs that op, so the result is in the graph; one without a
  counterpart raises TypeError when its result is floating point, instead of silently
  cutting the tensor off the graph (``np.argmax`` or ``np.allclose`` still answer);
* otherwise NumPy computes on the arrays and returns NumPy's result, as it does for a
  PyTorch tensor (``np.exp(t)`` of a tensor that needs no grad is an ndarray), except for
  the functions NumPy hands to the Tensor method of the same name (``np.sum(t)`` is
  ``t.sum()``), which give a Tensor;
* a Tensor as ``out=`` is refused. ``np.asarray(t)`` is not a ufunc: it returns the array.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functions as _fn
from .autograd import grad_mode
from .ops import binary as _bin
from .ops import linalg as _la
from .tensor import Tensor, _binary, _no_grad_binary, where

# ---- ufuncs ------------------------------------------------------------------------------------


def _graph_binary(op: Any) -> Callable[[Any, Any], Tensor]:
    return lambda a, b: _binary(op, a, b)


def _compare(fn: np.ufunc, name: str) -> Callable[[Any, Any], Tensor]:
    return lambda a, b: _no_grad_binary(fn, a, b, name)


def _method(name: str) -> Callable[[Tensor], Tensor]:
    return lambda x: getattr(x, name)()


UFUNCS: dict[np.ufunc, Callable[..., Tensor]] = {
    np.add: _graph_binary(_bin.Add),
    np.subtract: _graph_binary(_bin.Sub),
    np.multiply: _graph_binary(_bin.Mul),
    np.true_divide: _graph_binary(_bin.Div),
    np.power: _graph_binary(_bin.Pow),
    np.remainder: _graph_binary(_bin.Remainder),
    np.maximum: _graph_binary(_bin.Maximum),
    np.minimum: _graph_binary(_bin.Minimum),
    np.matmul: _la.matmul,
    np.floor_divide: _compare(np.floor_divide, "floor_divide"),
    np.equal: _compare(np.equal, "eq"),
    np.not_equal: _compare(np.not_equal, "ne"),
    np.less: _compare(np.less, "lt"),
    np.less_equal: _compare(np.less_equal, "le"),
    np.greater: _compare(np.greater, "gt"),
    np.greater_equal: _compare(np.greater_equal, "ge"),
    np.bitwise_and: _compare(np.bitwise_and, "bitwise_and"),
    np.bitwise_or: _compare(np.bitwise_or, "bitwise_or"),
    np.bitwise_xor: _compare(np.bitwise_xor, "bitwise_xor"),
    np.negative: _method("__neg__"),
    np.positive: _method("__pos__"),
    np.absolute: _method("abs"),
    np.invert: _method("__invert__"),
    np.logical_not: _method("logical_not"),
    np.exp: _method("exp"),
    np.log: _method("log"),
    np.sqrt: _method("sqrt"),
    np.square: _method("square"),
    np.reciprocal: _method("reciprocal"),
    np.sin: _method("sin"),
    np.cos: _method("cos"),
    np.tanh: _method("tanh"),
    np.tan: _method("tan"),
    np.arcsin: _method("asin"),
    np.arccos: _method("acos"),
    np.arctan: _method("atan"),
    np.sinh: _method("sinh"),
    np.cosh: _method("cosh"),
    np.arcsinh: _method("asinh"),
    np.arccosh: _method("acosh"),
    np.arctanh: _method("atanh"),
    np.sign: _method("sign"),
    np.floor: _method("floor"),
    np.ceil: _method("ceil"),
    np.rint: _method("round"),  # both round half to even
    np.isnan: _method("isnan"),
    np.isinf: _method("isinf"),
    np.isfinite: _method("isfinite"),
}


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: see the module docstring."""
    graph = grad_mode.state.grad_enabled and _needs_graph(inputs)
    # an operator (two operands) always gives a Tensor, as ``t + a`` does; a function of one
    # tensor gives NumPy's result unless the tensor is in a graph, as with PyTorch's tensors
    if method == "__call__" and not kwargs and (graph or ufunc.nin == 2):
        op = UFUNCS.get(ufunc)
        if op is not None:
            return op(*inputs)
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if any(isinstance(o, Tensor) for o in kwargs.get("out", ())):
        raise TypeError(
            f"{name}(..., out=tensor): NumPy cannot write into a Tensor; compute with tinygrad_np ops "
            "and use t.copy_(result)"
        )
    result = getattr(ufunc, method)(*_unwrap(inputs), **{k: _unwrap(v) for k, v in kwargs.items()})
    return _numpy_result(name, result, graph)


# ---- other NumPy functions -----------------------------------------------------------------------


def _sum(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    return a.sum(axis=_axis(axis), keepdims=keepdims)


def _mean(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    return a.mean(axis=_axis(axis), keepdims=keepdims)


def _prod(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    return a.prod(axis=_axis(axis), keepdims=keepdims)


def _amax(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    return a.amax(axis=_axis(axis), keepdims=keepdims)


def _amin(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    return a.amin(axis=_axis(axis), keepdims=keepdims)


def _var(a: Tensor, axis: Any = None, ddof: float = 0, keepdims: bool = False) -> Tensor:
    return a.var(axis=_axis(axis), correction=ddof, keepdims=keepdims)


def _std(a: Tensor, axis: Any = None, ddof: float = 0, keepdims: bool = False) -> Tensor:
    return a.std(axis=_axis(axis), correction=ddof, keepdims=keepdims)


def _concatenate(arrays: Any, axis: Any = 0) -> Any:
    return NotImplemented if axis is None else _fn.cat(list(arrays), axis)


def _stack(arrays: Any, axis: int = 0) -> Tensor:
    return _fn.stack(list(arrays), axis)


def _clip(a: Any, a_min: Any = None, a_max: Any = None) -> Any:
    return a.clamp(a_min, a_max) if isinstance(a, Tensor) else NotImplemented


def _transpose(a: Tensor, axes: Any = None) -> Tensor:
    return a.permute(*(range(a.ndim - 1, -1, -1) if axes is None else axes))


def _reshape(a: Tensor, shape: Any) -> Tensor:
    return a.reshape(shape)


def _squeeze(a: Tensor, axis: Any = None) -> Tensor:
    return a.squeeze() if axis is None else a.squeeze(axis)


def _expand_dims(a: Tensor, axis: Any) -> Any:
    return a.unsqueeze(axis) if isinstance(axis, int) else NotImplemented


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None or y is None:
        return NotImplemented  # np.where(cond) gives indices
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    return where(cond.astype(bool), x, y)


def _dot(a: Any, b: Any) -> Any:
    if np.ndim(_unwrap(a)) in (1, 2) and np.ndim(_unwrap(b)) in (1, 2):
        return _la.matmul(a, b)
    return NotImplemented  # np.dot of N-d or 0-d operands is not matmul


def _cumsum(a: Tensor, axis: Any = None) -> Tensor:
    return a.reshape(-1).cumsum(0) if axis is None else a.cumsum(axis)  # None: NumPy flattens


def _round(a: Tensor, decimals: int = 0) -> Any:
    return a.round() if decimals == 0 else NotImplemented


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: _sum,
    np.mean: _mean,
    np.prod: _prod,
    np.max: _amax,
    np.amax: _amax,
    np.min: _amin,
    np.amin: _amin,
    np.var: _var,
    np.std: _std,
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.clip: _clip,
    np.transpose: _transpose,
    np.reshape: _reshape,
    np.squeeze: _squeeze,
    np.expand_dims: _expand_dims,
    np.where: _where,
    np.dot: _dot,
    np.cumsum: _cumsum,
    np.round: _round,
    np.around: _round,
}
_SIGNATURES = {fn: inspect.signature(impl) for fn, impl in FUNCTIONS.items()}


# NumPy hands these to the Tensor method of the same name (``np.sum(t)`` calls ``t.sum``), for
# PyTorch's tensors too, so they give a Tensor even outside a graph.
_METHODS = {np.sum, np.mean, np.prod, np.max, np.amax, np.min, np.amin, np.var, np.std, np.clip}
_METHODS |= {np.round, np.around, np.squeeze, np.reshape}


def array_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_function__``: the matching tinygrad_np op when the call fits it and
    a tensor in it requires grad (or the function is one of ``_METHODS``), else NumPy."""
    graph = grad_mode.state.grad_enabled and (_needs_graph(args) or _needs_graph(kwargs))
    impl = FUNCTIONS.get(func)
    if impl is not None and (graph or func in _METHODS):
        try:
            _SIGNATURES[func].bind(*args, **kwargs)
        except TypeError:  # an argument the op does not take (out=, dtype=, ...)
            pass
        else:
            result = impl(*args, **kwargs)
            if result is not NotImplemented:
                return result
    name = f"{func.__module__}.{func.__name__}".replace("numpy.", "np.", 1)
    numpy_func = getattr(func, "_implementation", func)
    result = numpy_func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    return _numpy_result(name, result, graph)


# ---- helpers ---------------------------------------------------------------------------------------


def _unwrap(x: Any) -> Any:
    """``x`` with every Tensor (also inside lists and tuples) replaced by its array."""
    if isinstance(x, Tensor):
        return x._data
    if type(x) in (list, tuple):
        return type(x)(_unwrap(v) for v in x)
    return x


def _needs_graph(x: Any) -> bool:
    """Whether a Tensor in ``x`` (also inside lists, tuples and dicts) requires grad."""
    if isinstance(x, Tensor):
        return x.requires_grad
    if isinstance(x, (list, tuple)):
        return any(_needs_graph(v) for v in x)
    if isinstance(x, dict):
        return any(_needs_graph(v) for v in x.values())
    return False


def _is_float(x: Any) -> bool:
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.kind in "fc"
    if isinstance(x, (list, tuple)):
        return any(_is_float(v) for v in x)
    return isinstance(x, (float, complex))


def _numpy_result(name: str, result: Any, graph: bool) -> Any:
    """NumPy's ``result``, unless it would silently cut a tensor that requires grad off the graph."""
    if graph and _is_float(result):
        raise TypeError(
            f"{name} has no tinygrad_np counterpart for these arguments: NumPy would compute it on the array of a "
            "tensor that requires grad and the gradient would never reach that tensor. Use the "
            "tinygrad_np op (tinygrad_np.<op> or the Tensor method), or pass t.detach() to get a "
            "NumPy result on purpose"
        )
    return result
