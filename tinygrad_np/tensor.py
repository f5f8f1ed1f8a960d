"""The Tensor: a NumPy array plus the bookkeeping autodiff needs.

A tensor is a *leaf* when no recorded op made it (``grad_fn is None``); leaves
that require grad receive ``.grad`` from backward. Every other tensor that
requires grad has a ``grad_fn``: the node of the op that made it (see
``autograd/function.py``), and ``backward`` (``autograd/engine.py``) walks those
nodes from the output back to the leaves.

The methods below are thin: each one checks its arguments and calls the op
(a :class:`~tinygrad_np.autograd.Function` in ``ops/``) that does the work.
"""

from __future__ import annotations

import contextlib
import math
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .device import device as _device

__all__ = ["Tensor", "Size", "VersionCounter"]

MaxMin = namedtuple("MaxMin", ["values", "indices"])
"""What ``max(dim)``/``min(dim)`` return, as ``torch.return_types.max``."""


class Size(tuple):
    """A shape; a tuple that prints as ``tinygrad_np.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"tinygrad_np.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


class VersionCounter:
    """How many times a tensor's memory was changed in place. Views share one
    counter with their base, so a change through a view is seen everywhere."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class _HookHandle:
    __slots__ = ("fn", "hooks")

    def __init__(self, hooks: list[Any], fn: Any) -> None:
        self.hooks, self.fn = hooks, fn

    def remove(self) -> None:
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)


_new = object.__new__
ArrayLike = Any  # a Tensor, an ndarray, a (nested) list or a Python scalar


def _infer_array(data: Any, dt: dtypes.dtype | None) -> np.ndarray:
    """Python data to an array with PyTorch's dtype inference: Python floats give
    the default float dtype, ints int64, bools bool; NumPy data keeps its dtype."""
    if isinstance(data, Tensor):
        data = data._data
    if dt is not None:
        return np.asarray(data, dtype=dt.np)
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
            # as PyTorch: each element brings its own dtype (a float64 tensor keeps float64)
            parts = [_infer_array(x, None) for x in data]
            dt = parts[0].dtype
            for p in parts[1:]:
                dt = dtypes.promote_types(dt, p.dtype)
            return np.asarray(np.stack(parts) if parts else np.asarray(data), dtype=dt)
        arr = np.asarray(data)
        if arr.dtype.kind == "f":
            arr = arr.astype(dtypes.get_default_dtype().np, copy=False)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "O" or arr.dtype.kind in "USV":
        raise TypeError(f"cannot make a tensor from {type(data).__name__} of {arr.dtype} values")
    dtypes.from_numpy_dtype(arr.dtype)  # a clear error for unsupported dtypes
    return arr


def legacy_array(args: tuple[Any, ...], dt: dtypes.dtype) -> np.ndarray:
    """The array of PyTorch's legacy constructor ``Tensor(*args)`` (and ``FloatTensor(...)``
    etc., with their dtype ``dt``): no argument, sizes, a ``Size``, or one piece of data."""
    if not args:
        return np.empty((0,), dt.np)
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and isinstance(args[0], Size)
    ):
        shape = tuple(int(a) for a in (args[0] if isinstance(args[0], Size) else args))
        if any(n < 0 for n in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
        return np.zeros(shape, dt.np)  # "uninitialised": zeros, so nothing random leaks in
    if len(args) > 1:
        got = ", ".join(type(a).__name__ for a in args)
        raise TypeError(
            f"Tensor(): got ({got}): pass either sizes (Tensor(2, 3)) or one sequence of data "
            "(Tensor([1.0, 2.0])); for other dtypes use tinygrad_np.tensor(data, dtype=...)"
        )
    data = args[0]
    if isinstance(data, Tensor):
        return data._data  # as PyTorch: the same memory (and dtype)
    if not isinstance(data, (list, tuple, np.ndarray)):
        raise TypeError(
            f"new(): data must be a sequence (got {type(data).__name__}); use tinygrad_np.tensor({data!r})"
        )
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x._data if isinstance(x, Tensor) else x for x in data]
    arr = np.asarray(data, dtype=dt.np)  # no copy when an ndarray already has the dtype
    if arr.dtype.kind == "O":
        raise TypeError(f"Tensor(): could not make a {dt} tensor from {type(data).__name__}")
    return arr


def _dims(dim: Any, axis: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """Normalise the ``dim``/``axis`` argument of a reduction to a sorted tuple."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}(): pass either dim or axis, not both")
        dim = axis
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    wrapped = tuple(sorted(_wrap_dim(d, ndim, op) for d in dims))
    return wrapped if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and reduces nothing


def _wrap_dim(d: int, ndim: int, op: str) -> int:
    n = max(ndim, 1)
    if type(d) is bool or not hasattr(d, "__index__"):  # True is an int to Python, not to PyTorch
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(d).__name__}")
    if not -n <= d < n:
        raise IndexError(
            f"{op}(): dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return int(d) % n


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _shape_args(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


_TYPE_NAMES = {
    "float16": "HalfTensor",
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
}


class Tensor:
    """A multi-dimensional array that can record the ops applied to it.

    Make tensors with ``tinygrad_np.tensor(data)`` (which copies and infers the dtype)
    or the other creation functions. Calling ``Tensor(...)`` itself is PyTorch's
    legacy constructor: ``Tensor(2, 3)`` is an uninitialised (here: zero) float32
    tensor of shape (2, 3); ``Tensor([1, 2])`` and ``Tensor(ndarray)`` make float32
    (of the default dtype) data, sharing an ndarray's memory when it already has
    that dtype; ``Tensor(t)`` of a tensor shares ``t``'s memory.
    """

    __slots__ = (
        "__weakref__",
        "_accumulator",  # weakref to this leaf's AccumulateGrad node
        "_base",  # for a view: the tensor that owns the memory (None otherwise)
        "_data",  # the NumPy array (public: .numpy(); .data is a detached Tensor, as in PyTorch)
        "_grad",  # the .grad property: a Tensor, or None
        "_hooks",  # hooks of a leaf (a non-leaf keeps them on its grad_fn)
        "_output_nr",  # which output of grad_fn this tensor is
        "_requires_grad",
        "_vcs",  # the VersionCounter behind ``_vc``, made on first use (None: version 0)
        "_view_fn",  # for a view: base -> this view, as recorded Tensor ops
        "_view_version",  # for a view: the memory's version when its history was made
        "grad_fn",  # the node of the op that made this tensor, None for leaves
    )

    def __init__(
        self, *args: Any, requires_grad: bool = False, dtype: Any = None, device: Any = None
    ) -> None:
        if device is not None:
            check_device(device)
        self._init(
            legacy_array(args, dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype))
        )
        if requires_grad:
            self.requires_grad = True

    def _init(self, data: np.ndarray) -> None:
        """Fill the slots of a new leaf holding ``data`` (for subclasses such as Parameter)."""
        self._data = data
        self._grad: Tensor | None = None
        self.grad_fn: Any = None
        self._requires_grad = False
        self._output_nr = 0
        self._vcs = None
        self._accumulator = None
        self._hooks: list[Any] | None = None
        self._base: Tensor | None = None
        self._view_fn: Callable[[Tensor], Tensor] | None = None

    @staticmethod
    def _wrap(data: np.ndarray) -> Tensor:
        """A new Tensor around ``data`` with no history; the fast path every op uses."""
        t = _new(Tensor)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        # one chained store for the empty slots (the same as seven `= None` lines, a little faster)
        t._grad = t.grad_fn = t._vcs = t._accumulator = t._hooks = t._base = t._view_fn = None
        t._requires_grad = False
        t._output_nr = 0
        return t

    # ---- attributes -------------------------------------------------------------
    @property
    def _vc(self) -> VersionCounter:
        """The VersionCounter of this tensor's memory, shared with its views. Made on
        first use (a save for backward, a view, an in-place change): most tensors never
        need one, and one object less per tensor is less work for the garbage collector."""
        vc = self._vcs
        if vc is None:
            vc = self._vcs = VersionCounter()
        return vc

    @_vc.setter
    def _vc(self, vc: VersionCounter) -> None:
        self._vcs = vc

    @property
    def grad(self) -> Tensor | None:
        """dL/d(this tensor), accumulated by ``backward`` (None until then).

        Assigning checks, as PyTorch does, that the new value is a Tensor (or None) of
        this tensor's dtype and shape, so a wrong gradient is refused where it is made
        instead of being broadcast by the next backward. The engine and the optimizers
        write the slot ``_grad`` directly (their values are right by construction).
        Reading it on a non-leaf that does not retain its gradient warns, as PyTorch
        does: it stays None (call :meth:`retain_grad` before backward)."""
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warn_non_leaf_grad()
        elif (
            g is not None and grad_mode.tracing and grad_mode.state.tracer is not None
        ):  # compile: p.grad read
            grad_mode.state.tracer.grad_read(self, g)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # compile: `p.grad = None` is replayed
            grad_mode.state.tracer.grad_assigned(self, value)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for backward."""
        if self._base is not None:
            self._sync_view()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables; use "
                    "`y = y.detach()` to get a tensor that does not require grad"
                )
            return
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got "
                f"{self.dtype} (shape {tuple(self.shape)}); convert first, e.g. x.float()"
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return ``self``."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op."""
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> _device:
        return _device("cpu")

    is_cuda = False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen."""
        return self._vc.value

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the transpose for 2-D)."""
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (batched transpose)."""
        return self.transpose(-2, -1)

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dimensions."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.T

    # ---- conversion ---------------------------------------------------------------
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self._data.size} elements cannot be converted to a Python scalar"
            )
        _traced_read("item()")
        return self._data.item()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The NumPy array (shared memory). As in PyTorch, refused for a tensor that
        requires grad: call ``.detach().numpy()``."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "can't call numpy() on a Tensor that requires grad; use tensor.detach().numpy()"
            )
        _traced_read("numpy()")
        return self._data

    def tolist(self) -> Any:
        _traced_read("tolist()")
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs and the operators of an array on the left (``ndarray + t`` is
        ``np.add(ndarray, t)``) run the matching tinygrad_np op, so the result stays in the
        graph; see ``tinygrad_np/_numpy_protocol.py``."""
        return _numpy_protocol.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """``np.sum(t)``, ``np.concatenate([t, u])``, ...: the tinygrad_np op where there is one."""
        return _numpy_protocol.array_function(func, args, kwargs)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} elements is ambiguous")
        _traced_read("bool(tensor)")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)``;
        returns ``self`` when nothing changes, as in PyTorch."""
        copy = kwargs.pop("copy", False)
        dt = to_args(args, kwargs)
        if dt is None or dtypes.to_dtype(dt).np == self._data.dtype:
            return self.clone() if copy else self
        return _mov.Cast.apply(self, dtypes.to_dtype(dt).np)

    def type(self, dtype: Any = None) -> Any:
        """With no argument the type name (``'tinygrad_np.FloatTensor'``), else ``to(dtype)``;
        ``dtype`` may also be a legacy type (``LongTensor``) or its name."""
        if dtype is None:
            return f"tinygrad_np.{_TYPE_NAMES[self._data.dtype.name]}"
        if isinstance(dtype, str) and dtype.rsplit(".", 1)[-1] in _TYPE_NAMES.values():
            name = dtype.rsplit(".", 1)[-1]
            dtype = dtypes.to_dtype(next(k for k, v in _TYPE_NAMES.items() if v == name))
        return self.to(getattr(dtype, "legacy_dtype", dtype))

    def new_tensor(self, data: ArrayLike, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given)."""
        t = Tensor._wrap(np.array(_infer_array(data, dtypes.to_dtype(dtype or self.dtype)), copy=True))
        return t.requires_grad_() if requires_grad else t

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` is given)."""
        return self.new_full(_shape_args(size), 0, dtype=dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_shape_args(size), 1, dtype=dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_shape_args(size), 0, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """``fill_value`` everywhere, with this tensor's dtype (unless ``dtype`` is given)."""
        dt = dtypes.to_dtype(dtype or self.dtype).np
        t = Tensor._wrap(np.full(_shape_args((size,)), fill_value, dt))
        return t.requires_grad_() if requires_grad else t

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda")
        return self  # pragma: no cover - check_device raises

    def clone(self) -> Tensor:
        """A copy with its own memory; gradients flow back to ``self``."""
        return _mov.Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """``self`` if its elements are laid out row by row in memory, else a copy that is."""
        return self if self._data.flags.c_contiguous else self.clone()

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the elements are laid out row by row (False after ``t()``, ``expand``...)."""
        return bool(self._data.flags.c_contiguous)

    @property
    def data(self) -> Tensor:
        """This tensor's memory as a new Tensor cut from the graph, as PyTorch's ``.data``.

        Changes made through it (``p.data.add_(g)``, ``p.data -= lr * p.grad``,
        ``w.data.normal_()``) change this tensor's values, and autograd does not see
        them: unlike :meth:`detach`, the result has its own version counter. The NumPy
        array itself is :meth:`numpy` (or ``_data`` inside the library).
        """
        t = Tensor._wrap(self._data)
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # compile: `p.data -= ...` updates p
            grad_mode.state.tracer.data_alias(t, self)
        return t

    @data.setter
    def data(self, value: Tensor | np.ndarray) -> None:
        # x.data = y: x now uses y's memory (shape and dtype may change), graph untouched
        if isinstance(value, Tensor):
            self._data = value._data
        elif isinstance(value, np.ndarray):
            self._data = value
        else:
            raise TypeError(
                f"Variable data has to be a tensor, but got {type(value).__name__}; "
                f"use x.data = tinygrad_np.as_tensor(value)"
            )

    def detach(self) -> Tensor:
        """The same memory, cut from the graph (shares the version counter)."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    # ---- autograd ------------------------------------------------------------------
    def backward(
        self,
        gradient: ArrayLike | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is dL/d(self) (needed unless ``self`` has one element).
        The graph's saved tensors are freed afterwards unless ``retain_graph``;
        ``create_graph=True`` records the backward computation itself so the
        gradients can be differentiated again.
        """
        _engine.backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a
        non-None return value replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            if self.grad_fn._tensor_hooks is None:
                self.grad_fn._tensor_hooks = {}
            hooks = self.grad_fn._tensor_hooks.setdefault(self._output_nr, [])
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return  # leaves keep their gradient anyway
        import weakref

        if self.grad_fn._retained is None:
            self.grad_fn._retained = {}
        self.grad_fn._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        return fn is not None and fn._retained is not None and self._output_nr in fn._retained

    # ---- in-place changes ------------------------------------------------------------
    def _bump(self) -> Tensor:
        vc = self._vcs  # the ``_vc`` property, inlined: every in-place change and optimizer step runs this
        if vc is None:
            vc = self._vcs = VersionCounter()
        vc.value += 1
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # compile: refused unless written down
            grad_mode.state.tracer.bumped(self)
        return self

    def _check_inplace(self, op: str, other: Any = None) -> bool:
        """True when the in-place op must be recorded in the graph."""
        if not self._data.flags.writeable:
            raise RuntimeError(
                f"{op}: the tensor of shape {tuple(self.shape)} is read-only memory (an expanded "
                "view, where several elements share one memory location); call .clone() first"
            )
        needs_graph = grad_mode.state.grad_enabled and (
            self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
        )
        if needs_graph and self.grad_fn is None and self._requires_grad:
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad (shape {tuple(self.shape)}) is being "
                "used in an in-place operation; wrap the update in `with tinygrad_np.no_grad():`"
            )
        base = self._base
        if needs_graph and base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(
                f"{op}: a view of a leaf Variable that requires grad (base shape "
                f"{tuple(base.shape)}) is being used in an in-place operation; wrap the update "
                "in `with tinygrad_np.no_grad():`"
            )
        return needs_graph

    def _rebase(self, new: Tensor) -> Tensor:
        """Make ``self`` hold ``new``'s values (in its own memory, so views see them)
        and ``new``'s history: how a recorded in-place op lands."""
        if not np.can_cast(new._data.dtype, self._data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"in-place op: result type {dtypes.from_numpy_dtype(new._data.dtype)} can't be cast "
                f"to the desired output type {self.dtype}"
            )
        try:
            np.copyto(self._data, new._data, casting="same_kind")
        except ValueError:
            raise RuntimeError(
                f"in-place op: output of shape {tuple(self.shape)} doesn't match the broadcast "
                f"shape {tuple(new.shape)}"
            ) from None
        if self._base is not None and (new._requires_grad or self._base._requires_grad):
            self._bump()
            _mov.rebase_view(self, new)  # the base's history now includes the write
            return self
        self.grad_fn = new.grad_fn
        self._output_nr = new._output_nr
        self._requires_grad = new._requires_grad
        return self._bump()

    def _sync_view(self) -> None:
        """A view whose memory was changed in place since its history was made (through
        the base or another view) takes its history from the base again, as PyTorch
        regenerates a view's grad_fn."""
        if self._base is not None and self._vc.value != self._view_version:
            _mov.refresh_view(self)

    def _snapshot(self) -> Tensor:
        """The values before an in-place op, with ``self``'s history: what the recorded
        op reads, so its saved inputs are not the memory about to be overwritten."""
        self._sync_view()
        t = Tensor._wrap(self._data.copy())
        t.grad_fn, t._output_nr, t._requires_grad = self.grad_fn, self._output_nr, self._requires_grad
        return t

    def _inplace_binary(self, op: Any, other: Any, name: str) -> Tensor:
        if self._check_inplace(name, other):
            return self._rebase(
                _binary(op, self._snapshot(), other if other is not self else self._snapshot())
            )
        b = other._data if isinstance(other, Tensor) else other
        if not np.can_cast(dtypes.result_type(self, other), self._data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"{name}: result type {dtypes.from_numpy_dtype(dtypes.result_type(self, other))} "
                f"can't be cast to the desired output type {self.dtype}"
            )
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # compile: a hand-written SGD update
            grad_mode.state.tracer.update(self, op.ufunc, other)
        try:
            op.ufunc(self._data, b, out=self._data, casting="unsafe")
        except ValueError:
            _raise_broadcast(name, self, other)
        return self._bump()

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace_binary(_bin.Add, other, "add_")

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace_binary(_bin.Sub, other, "sub_")

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace_binary(_bin.Mul, other, "mul_")

    def __itruediv__(self, other: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"div_: result type Float can't be cast to {self.dtype}")
        return self._inplace_binary(_bin.Div, other, "div_")

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """``self += alpha * other`` in place."""
        return self.__iadd__(other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self.__isub__(other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        return self.__imul__(other)

    def div_(self, other: Any) -> Tensor:
        return self.__itruediv__(other)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` into this tensor's memory (broadcasting), in place."""
        if self._check_inplace("copy_", src):
            src_t = src if isinstance(src, Tensor) else Tensor._wrap(np.asarray(src))
            return self._rebase(_mov.Cast.apply(src_t.expand(*self.shape), self._data.dtype))
        try:
            np.copyto(self._data, src._data if isinstance(src, Tensor) else src, casting="unsafe")
        except ValueError:
            _raise_broadcast("copy_", self, src)
        return self._bump()

    def _overwrite(self, op: str, values: Any) -> Tensor:
        """Replace every element by constants: the old history no longer describes
        the values (and, through a view, the base's gradient stops at them)."""
        if self._check_inplace(op) or self.grad_fn is not None:
            return self._rebase(Tensor._wrap(np.asarray(np.broadcast_to(values, self._data.shape))))
        self._data[...] = values
        return self._bump()

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` in place."""
        return self._overwrite("fill_", value.item() if isinstance(value, Tensor) else value)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        if self._check_inplace("clamp_"):
            return self._rebase(self._snapshot().clamp(min, max))
        np.clip(self._data, min, max, out=self._data)
        return self._bump()

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from U(a, b) in place."""
        return self._overwrite("uniform_", _random.rng(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2) in place."""
        return self._overwrite("normal_", _random.rng(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 0/1 samples in place, 1 with probability ``p`` (float or tensor)."""
        return _sampling.bernoulli_(self, p, generator=generator)

    def bernoulli(self, p: float | None = None, *, generator: Any = None) -> Tensor:
        """0/1 samples, 1 with probability ``self`` (or ``p``); see ``tinygrad_np.bernoulli``."""
        return _sampling.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
        """Category indices drawn from the weights in ``self``; see ``tinygrad_np.multinomial``."""
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _mov.normalize_index(index)
        if self._check_inplace("__setitem__", value):
            v = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value, self._data.dtype))
            self._rebase(_mov.IndexPut.apply(self, v.to(self.dtype), index))
            return
        self._data[index] = value._data if isinstance(value, Tensor) else value
        self._bump()

    # ---- arithmetic --------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _binary(_bin.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_bin.Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(_bin.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(_bin.Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(_bin.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_bin.Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(_bin.Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_bin.Div, other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _binary(_bin.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _binary(_bin.Pow, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _la.matmul(other, self)

    def __neg__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("negation, the `-` operator, on a bool tensor is not supported; use ~")
        return _ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __floordiv__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.floor_divide, self, other, "floor_divide")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.floor_divide, other, self, "floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return _binary(_bin.Remainder, self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _binary(_bin.Remainder, other, self)

    add = __add__
    sub = __sub__
    mul = __mul__
    multiply = __mul__
    subtract = __sub__
    true_divide = __truediv__
    remainder = __mod__
    floor_divide = __floordiv__

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other``; ``rounding_mode='trunc'`` rounds the quotient towards zero,
        ``'floor'`` down (both keep integer dtypes and have no gradient, and an integer
        division by zero raises, as in PyTorch)."""
        if rounding_mode is None:
            return _binary(_bin.Div, self, other)
        if rounding_mode in ("floor", "trunc"):
            dt = dtypes.result_type(self, other)
            return _bin.RoundedDiv.apply(_operand(self, dt), _operand(other, dt), rounding_mode)
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found {rounding_mode!r}"
        )

    divide = div

    def fmod(self, other: Any) -> Tensor:
        """The remainder of ``self / other`` with the sign of ``self`` (C's fmod)."""
        return _binary(_bin.Fmod, self, other)

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` elementwise."""
        return _binary(_bin.Pow, self, exponent)

    def neg(self) -> Tensor:
        return -self

    negative = neg

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules for 1-D and batched operands."""
        return _la.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        if self.ndim != 2 or _ndim(other) != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {self.ndim}-D and {_ndim(other)}-D")
        return _la.matmul(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        if self.ndim != 3 or _ndim(other) != 3:
            raise RuntimeError(f"bmm: expected 3-D tensors, got {self.ndim}-D and {_ndim(other)}-D")
        return _la.matmul(self, other)

    def dot(self, other: Tensor) -> Tensor:
        if self.ndim != 1 or _ndim(other) != 1:
            raise RuntimeError(f"dot: expected 1-D tensors, got {self.ndim}-D and {_ndim(other)}-D")
        return _la.matmul(self, other)

    # ---- comparisons and logic (no gradient; bool results) -------------------------------
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _no_grad_binary(np.equal, self, other, "eq")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _no_grad_binary(np.not_equal, self, other, "ne")

    def __lt__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.less, self, other, "lt")

    def __le__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.less_equal, self, other, "le")

    def __gt__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.greater, self, other, "gt")

    def __ge__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.greater_equal, self, other, "ge")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def __and__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.bitwise_and, self, other, "bitwise_and")

    def __or__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.bitwise_or, self, other, "bitwise_or")

    def __xor__(self, other: Any) -> Tensor:
        return _no_grad_binary(np.bitwise_xor, self, other, "bitwise_xor")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == "f":
            raise TypeError("~ (bitwise_not) is only defined for bool and integer tensors")
        return Tensor._wrap(np.invert(self._data))

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        """True where both are nonzero (bool result, no gradient)."""
        return _no_grad_binary(np.logical_and, self, other, "logical_and")

    def logical_or(self, other: Any) -> Tensor:
        return _no_grad_binary(np.logical_or, self, other, "logical_or")

    def logical_xor(self, other: Any) -> Tensor:
        return _no_grad_binary(np.logical_xor, self, other, "logical_xor")

    def bitwise_and(self, other: Any) -> Tensor:
        return self & other

    def bitwise_or(self, other: Any) -> Tensor:
        return self | other

    def bitwise_xor(self, other: Any) -> Tensor:
        return self ^ other

    def bitwise_not(self) -> Tensor:
        return ~self

    def isposinf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isposinf(self._data)))

    def isneginf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isneginf(self._data)))

    def isreal(self) -> Tensor:
        """True everywhere: tensors here are never complex."""
        return Tensor._wrap(np.ones(self._data.shape, bool))

    def is_complex(self) -> bool:
        return False

    def is_nonzero(self) -> bool:
        """The truth of a one-element tensor (an error for any other size)."""
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'no values' if self._data.size == 0 else 'more than one value'} is ambiguous"
            )
        return bool(self._data.reshape(()))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self._data))

    def all(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """True where every element (over ``dim``) is nonzero; a bool tensor."""
        dims = _dims(dim, axis, self.ndim, "all")
        return Tensor._wrap(np.asarray(np.all(self._data, axis=dims, keepdims=_keep(keepdim, keepdims))))

    def any(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """True where some element (over ``dim``) is nonzero; a bool tensor."""
        dims = _dims(dim, axis, self.ndim, "any")
        return Tensor._wrap(np.asarray(np.any(self._data, axis=dims, keepdims=_keep(keepdim, keepdims))))

    def equal(self, other: Tensor) -> bool:
        """True if both tensors have the same shape and elements."""
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        """True if every |self - other| <= atol + rtol * |other|."""
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
        """|self - other| <= atol + rtol * |other| elementwise (a bool tensor)."""
        b = other._data if isinstance(other, Tensor) else np.asarray(other)
        try:
            return Tensor._wrap(
                np.asarray(np.isclose(self._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
            )
        except ValueError:
            _raise_broadcast("isclose", self, other)
            raise  # pragma: no cover

    # ---- elementwise -------------------------------------------------------------------------
    def exp(self) -> Tensor:
        """e^x."""
        return _ew.Exp.apply(_floating(self))

    def log(self) -> Tensor:
        """Natural logarithm."""
        return _ew.Log.apply(_floating(self))

    def sqrt(self) -> Tensor:
        return _ew.Sqrt.apply(_floating(self))

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x)."""
        return _ew.Rsqrt.apply(_floating(self))

    def log2(self) -> Tensor:
        return _ew.Log2.apply(_floating(self))

    def log10(self) -> Tensor:
        """Logarithm to base 10 (lectures plot ``loss.log10()``)."""
        return _ew.Log10.apply(_floating(self))

    def log1p(self) -> Tensor:
        """log(1 + x), accurate for tiny x."""
        return _ew.Log1p.apply(_floating(self))

    def expm1(self) -> Tensor:
        """e^x - 1, accurate for tiny x."""
        return _ew.Expm1.apply(_floating(self))

    def exp2(self) -> Tensor:
        """2^x."""
        return _ew.Exp2.apply(_floating(self))

    def sin(self) -> Tensor:
        return _ew.Sin.apply(_floating(self))

    def cos(self) -> Tensor:
        return _ew.Cos.apply(_floating(self))

    def tanh(self) -> Tensor:
        return _ew.Tanh.apply(_floating(self))

    # ---- trigonometric and hyperbolic functions and their inverses (ops/trig.py) ----
    def tan(self) -> Tensor:
        return _trig.Tan.apply(_floating(self))

    def asin(self) -> Tensor:
        """The inverse sine, in [-pi/2, pi/2]; NaN outside [-1, 1]."""
        return _trig.Asin.apply(_floating(self))

    def acos(self) -> Tensor:
        """The inverse cosine, in [0, pi]; NaN outside [-1, 1]."""
        return _trig.Acos.apply(_floating(self))

    def atan(self) -> Tensor:
        return _trig.Atan.apply(_floating(self))

    def atan2(self, other: Any) -> Tensor:
        """The angle of the point (other, self), ``atan(self / other)`` in the right quadrant,
        in (-pi, pi]; broadcasts."""
        return _binary(_trig.Atan2, self, other)

    def sinh(self) -> Tensor:
        return _trig.Sinh.apply(_floating(self))

    def cosh(self) -> Tensor:
        return _trig.Cosh.apply(_floating(self))

    def asinh(self) -> Tensor:
        return _trig.Asinh.apply(_floating(self))

    def acosh(self) -> Tensor:
        """The inverse hyperbolic cosine, >= 0; NaN below 1."""
        return _trig.Acosh.apply(_floating(self))

    def atanh(self) -> Tensor:
        """The inverse hyperbolic tangent; +-inf at +-1, NaN beyond."""
        return _trig.Atanh.apply(_floating(self))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x) (0 where e^-x overflows, as in PyTorch)."""
        return _ew.Sigmoid.apply(_floating(self))

    def relu(self) -> Tensor:
        """max(x, 0)."""
        return _ew.Relu.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return _ew.LeakyRelu.apply(_floating(self), negative_slope)

    def gelu(self, approximate: str = "none") -> Tensor:
        """x * Phi(x); ``approximate='tanh'`` uses the tanh formula."""
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return _ew.Gelu.apply(_floating(self), approximate)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """log(1 + e^(beta x)) / beta, linear above ``threshold``."""
        return _ew.Softplus.apply(_floating(self), beta, threshold)

    def abs(self) -> Tensor:
        return _ew.Abs.apply(self)

    absolute = abs  # noqa: A003 - PyTorch's alias

    def square(self) -> Tensor:
        """x^2 (recorded as ``x ** 2``, as in PyTorch)."""
        return self**2 if self._data.dtype.kind != "b" else self.long() ** 2

    def reciprocal(self) -> Tensor:
        """1 / x."""
        return _ew.Reciprocal.apply(_floating(self))

    def sign(self) -> Tensor:
        """-1, 0 or 1; differentiable with a zero gradient, as in PyTorch."""
        return self._rounding(_ew.Sign)

    def sgn(self) -> Tensor:
        """``sign`` (for real tensors)."""
        return self._rounding(_ew.Sgn)

    def floor(self) -> Tensor:
        return self._rounding(_ew.Floor)

    def ceil(self) -> Tensor:
        return self._rounding(_ew.Ceil)

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even; ``decimals`` digits after the point (negative: before it)."""
        if decimals:
            if self._data.dtype.kind != "f":
                raise NotImplementedError(f'"round_cpu" with decimals not implemented for {self.dtype}')
            return _ew.RoundDecimals.apply(self, int(decimals))
        return self._rounding(_ew.Round)

    def trunc(self) -> Tensor:
        """Round towards zero."""
        return self._rounding(_ew.Trunc)

    fix = trunc

    def frac(self) -> Tensor:
        """x - trunc(x) (gradient 1)."""
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f'"frac_cpu" not implemented for {self.dtype}; use a floating tensor')
        return _ew.Frac.apply(self)

    def _rounding(self, op: Any) -> Tensor:
        """A zero-gradient op; integer and bool tensors are already whole: a copy, as PyTorch."""
        if self._data.dtype.kind == "f":
            return op.apply(self)
        if op is _ew.Sign or op is _ew.Sgn:
            return Tensor._wrap(np.sign(self._data) if self._data.dtype.kind != "b" else self._data.copy())
        return Tensor._wrap(self._data.copy())

    # in-place forms: x.op_() is x = x.op(), recorded in the graph when x needs it
    def _inplace_unary(self, name: str, fn: Callable[[Tensor], Tensor], *operands: Any) -> Tensor:
        """``self = fn(self)`` in place; recorded when ``self`` or one of the tensor ``operands``
        of ``fn`` needs a gradient."""
        other = next((o for o in operands if isinstance(o, Tensor) and o._requires_grad), None)
        if self._check_inplace(name, other):
            return self._rebase(fn(self._snapshot()))
        with grad_mode.no_grad():
            new = fn(Tensor._wrap(self._data))
        if not np.can_cast(new._data.dtype, self._data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"{name}: result type {dtypes.from_numpy_dtype(new._data.dtype)} can't be cast to "
                f"the desired output type {self.dtype}; use the out-of-place {name[:-1]}()"
            )
        if new._data.shape != self._data.shape:
            raise RuntimeError(
                f"{name}: output with shape {tuple(self.shape)} doesn't match the broadcast shape "
                f"{tuple(new.shape)}; use the out-of-place {name[:-1]}()"
            )
        np.copyto(self._data, new._data, casting="same_kind")
        return self._bump()

    def exp_(self) -> Tensor:
        return self._inplace_unary("exp_", Tensor.exp)

    def log_(self) -> Tensor:
        return self._inplace_unary("log_", Tensor.log)

    def log2_(self) -> Tensor:
        return self._inplace_unary("log2_", Tensor.log2)

    def log10_(self) -> Tensor:
        return self._inplace_unary("log10_", Tensor.log10)

    def log1p_(self) -> Tensor:
        return self._inplace_unary("log1p_", Tensor.log1p)

    def expm1_(self) -> Tensor:
        return self._inplace_unary("expm1_", Tensor.expm1)

    def exp2_(self) -> Tensor:
        return self._inplace_unary("exp2_", Tensor.exp2)

    def sqrt_(self) -> Tensor:
        return self._inplace_unary("sqrt_", Tensor.sqrt)

    def rsqrt_(self) -> Tensor:
        return self._inplace_unary("rsqrt_", Tensor.rsqrt)

    def reciprocal_(self) -> Tensor:
        return self._inplace_unary("reciprocal_", Tensor.reciprocal)

    def square_(self) -> Tensor:
        return self._inplace_unary("square_", Tensor.square)

    def abs_(self) -> Tensor:
        return self._inplace_unary("abs_", Tensor.abs)

    def neg_(self) -> Tensor:
        return self._inplace_unary("neg_", Tensor.neg)

    def sign_(self) -> Tensor:
        return self._inplace_unary("sign_", Tensor.sign)

    def sgn_(self) -> Tensor:
        return self._inplace_unary("sgn_", Tensor.sgn)

    def floor_(self) -> Tensor:
        return self._inplace_unary("floor_", Tensor.floor)

    def ceil_(self) -> Tensor:
        return self._inplace_unary("ceil_", Tensor.ceil)

    def round_(self, decimals: int = 0) -> Tensor:
        return self._inplace_unary("round_", lambda x: x.round(decimals))

    def trunc_(self) -> Tensor:
        return self._inplace_unary("trunc_", Tensor.trunc)

    def frac_(self) -> Tensor:
        return self._inplace_unary("frac_", Tensor.frac)

    def sin_(self) -> Tensor:
        return self._inplace_unary("sin_", Tensor.sin)

    def cos_(self) -> Tensor:
        return self._inplace_unary("cos_", Tensor.cos)

    def tanh_(self) -> Tensor:
        return self._inplace_unary("tanh_", Tensor.tanh)

    def tan_(self) -> Tensor:
        return self._inplace_unary("tan_", Tensor.tan)

    def asin_(self) -> Tensor:
        return self._inplace_unary("asin_", Tensor.asin)

    def acos_(self) -> Tensor:
        return self._inplace_unary("acos_", Tensor.acos)

    def atan_(self) -> Tensor:
        return self._inplace_unary("atan_", Tensor.atan)

    def atan2_(self, other: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            raise RuntimeError(
                f"atan2_: result type Float can't be cast to the desired output type {self.dtype}"
            )
        return self._inplace_binary(_trig.Atan2, other, "atan2_")

    def sinh_(self) -> Tensor:
        return self._inplace_unary("sinh_", Tensor.sinh)

    def cosh_(self) -> Tensor:
        return self._inplace_unary("cosh_", Tensor.cosh)

    def asinh_(self) -> Tensor:
        return self._inplace_unary("asinh_", Tensor.asinh)

    def acosh_(self) -> Tensor:
        return self._inplace_unary("acosh_", Tensor.acosh)

    def atanh_(self) -> Tensor:
        return self._inplace_unary("atanh_", Tensor.atanh)

    arcsin_, arccos_, arctan_, arctan2_ = asin_, acos_, atan_, atan2_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_

    def sigmoid_(self) -> Tensor:
        return self._inplace_unary("sigmoid_", Tensor.sigmoid)

    def relu_(self) -> Tensor:
        return self._inplace_unary("relu_", Tensor.relu)

    # ---- products (ops/products.py), statistics (ops/statistics.py), more of ops/composite.py ----
    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """``beta * self + alpha * mat1 @ mat2``."""
        return _prod.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return _prod.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return _prod.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return _prod.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def mv(self, vec: Tensor) -> Tensor:
        return _prod.mv(self, vec)

    def inner(self, other: Any) -> Tensor:
        return _prod.inner(self, other)

    def kron(self, other: Any) -> Tensor:
        return _prod.kron(self, other)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        """The 3-vector cross product along ``dim``."""
        return _prod.cross(self, other, dim)

    def dist(self, other: Any, p: float = 2) -> Tensor:
        """``||self - other||_p``."""
        return _prod.dist(self, other, p)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _stat.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _stat.nanmean(self, dim, keepdim, dtype=dtype)

    def quantile(
        self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        """The q-th quantiles along ``dim`` (NaN where a slice holds NaN)."""
        return _stat.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(
        self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        """The q-th quantiles along ``dim`` of the values that are not NaN."""
        return _stat.quantile(self, q, dim, keepdim, interpolation=interpolation, ignore_nan=True)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return _stat.aminmax(self, dim=dim, keepdim=keepdim)

    def logcumsumexp(self, dim: int) -> Tensor:
        return _stat.logcumsumexp(self, dim)

    def cummax(self, dim: int) -> Any:
        return _stat.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        return _stat.cummin(self, dim)

    def xlogy(self, other: Any) -> Tensor:
        """``self * log(other)``, 0 where self is 0."""
        return _comp.xlogy(self, other)

    def hypot(self, other: Any) -> Tensor:
        return _comp.hypot(self, other)

    def float_power(self, exponent: Any) -> Tensor:
        return _comp.float_power(self, exponent)

    def deg2rad(self) -> Tensor:
        return _comp.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return _comp.rad2deg(self)

    def heaviside(self, values: Any) -> Tensor:
        return _comp.heaviside(self, values)

    def signbit(self) -> Tensor:
        return _comp.signbit(self)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        return _comp.rot90(self, k, dims)

    def index_add(self, dim: int, index: Tensor, source: Any, *, alpha: float = 1) -> Tensor:
        """A copy with ``alpha * source[i]`` added to slice ``index[i]`` along ``dim``."""
        return _comp.index_add(self, dim, index, source, alpha)

    def index_add_(self, dim: int, index: Tensor, source: Any, *, alpha: float = 1) -> Tensor:
        return self._inplace_unary(
            "index_add_", lambda x: x.index_add(dim, index, source, alpha=alpha), source
        )

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return _comp.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return self._inplace_unary("index_fill_", lambda x: x.index_fill(dim, index, value), value)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return _comp.index_copy(self, dim, index, source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._inplace_unary("index_copy_", lambda x: x.index_copy(dim, index, source), source)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _comp.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, sections: Any) -> tuple[Tensor, ...]:
        return _comp.hsplit(self, sections)

    def vsplit(self, sections: Any) -> tuple[Tensor, ...]:
        return _comp.vsplit(self, sections)

    def dsplit(self, sections: Any) -> tuple[Tensor, ...]:
        return _comp.dsplit(self, sections)

    def msort(self) -> Tensor:
        """``sort(dim=0).values``."""
        return self.sort(dim=0).values

    # ---- inverse and determinants (ops/solve.py) ----
    def inverse(self) -> Tensor:
        return _solve.inv(self)

    def det(self) -> Tensor:
        return _solve.det(self)

    def logdet(self) -> Tensor:
        return _solve.logdet(self)

    def slogdet(self) -> Any:
        return _solve.slogdet(self)

    # ---- PyTorch functions composed from other ops (ops/composite.py) and scatter (ops/selection.py) ----
    def erf(self) -> Tensor:
        """The error function, 2/sqrt(pi) * integral_0^x exp(-t^2) dt."""
        return _ew.Erf.apply(_floating(self))

    def erfc(self) -> Tensor:
        """1 - erf(x), accurate where erf(x) is near 1."""
        return _ew.Erfc.apply(_floating(self))

    def sinc(self) -> Tensor:
        """sin(pi x) / (pi x), and 1 at 0."""
        return _comp.sinc(self)

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of ``other`` (its sign bit, so -0.0 counts as negative)."""
        return _comp.copysign(self, other)

    def matrix_power(self, n: int) -> Tensor:
        """The matrix raised to the integer power ``n`` (by repeated squaring; n < 0 inverts first)."""
        return _prod.matrix_power(self, n)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return _prod.diag_embed(self, offset, dim1, dim2)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        return _stat.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        return _stat.corrcoef(self)

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def positive(self) -> Tensor:
        return self

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that needs no gradient, in place."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def erfinv(self) -> Tensor:
        """The inverse error function on (-1, 1); +-inf at +-1."""
        return _ew.Erfinv.apply(_floating(self))

    def erfinv_(self) -> Tensor:
        return self._inplace_unary("erfinv_", Tensor.erfinv)

    def erf_(self) -> Tensor:
        return self._inplace_unary("erf_", Tensor.erf)

    def erfc_(self) -> Tensor:
        return self._inplace_unary("erfc_", Tensor.erfc)

    def clamp_min(self, min: Any) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:
        return self.clamp(max=max)

    def clamp_min_(self, min: Any) -> Tensor:
        return self._inplace_unary("clamp_min_", lambda x: x.clamp(min=min), min)

    def clamp_max_(self, max: Any) -> Tensor:
        return self._inplace_unary("clamp_max_", lambda x: x.clamp(max=max), max)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """``value`` written where ``mask`` is True, in place."""
        return self._inplace_unary("masked_fill_", lambda x: x.masked_fill(mask, value), value)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace_unary("pow_", lambda x: x.pow(exponent), exponent)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """``self + weight * (end - self)``."""
        return _comp.lerp(self, end, weight)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace_unary("lerp_", lambda x: x.lerp(end, weight), end, weight)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """``self + value * tensor1 * tensor2``."""
        return _comp.addcmul(self, tensor1, tensor2, value)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        return self._inplace_unary(
            "addcmul_", lambda x: x.addcmul(tensor1, tensor2, value=value), tensor1, tensor2
        )

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """``self + value * tensor1 / tensor2``."""
        return _comp.addcdiv(self, tensor1, tensor2, value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        return self._inplace_unary(
            "addcdiv_", lambda x: x.addcdiv(tensor1, tensor2, value=value), tensor1, tensor2
        )

    def logaddexp(self, other: Any) -> Tensor:
        """``log(e^self + e^other)``, without overflow."""
        return _comp.logaddexp(self, other)

    def logaddexp2(self, other: Any) -> Tensor:
        """``log2(2^self + 2^other)``, without overflow."""
        return _comp.logaddexp(self, other, base2=True)

    def logit(self, eps: float | None = None) -> Tensor:
        """``log(x / (1 - x))``, after clamping to [eps, 1 - eps] when ``eps`` is given."""
        return _comp.logit(self, eps)

    def logit_(self, eps: float | None = None) -> Tensor:
        return self._inplace_unary("logit_", lambda x: x.logit(eps))

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        """NaN, inf and -inf replaced by finite numbers."""
        return _comp.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return self._inplace_unary("nan_to_num_", lambda x: x.nan_to_num(nan, posinf, neginf))

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        """The n-th forward difference ``x[i + 1] - x[i]`` along ``dim``."""
        return _comp.diff(self, n, dim, prepend, append)

    def repeat_interleave(
        self, repeats: Any, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        """Each entry along ``dim`` (of the flattened tensor if None) repeated ``repeats`` times."""
        return _comp.repeat_interleave(self, repeats, dim, output_size)

    def tile(self, *dims: Any) -> Tensor:
        """``repeat`` with ``dims`` padded by 1s in front to ``ndim`` entries."""
        return _comp.tile(self, _shape_args(dims))

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return _comp.take_along_dim(self, indices, dim)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Dimensions ``source`` moved to positions ``destination``."""
        return _comp.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _comp.count_nonzero(self, dim)

    def scatter(
        self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None
    ) -> Tensor:
        """A copy with ``src`` (a tensor or a number) written at ``index`` along ``dim``."""
        return _sel.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(
        self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None
    ) -> Tensor:
        return self._inplace_unary(
            "scatter_", lambda x: x.scatter(dim, index, src, value=value, reduce=reduce), src
        )

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
        return _sel.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace_unary("scatter_add_", lambda x: x.scatter_add(dim, index, src), src)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to [min, max]; the gradient passes where min <= x <= max."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            dt = dtypes.result_type(self, *(b for b in (min, max) if b is not None))
            lo, hi = (None if b is None else _operand(b, dt) for b in (min, max))
            try:
                return _pw.ClampTensor.apply(_operand(self, dt), lo, hi)
            except ValueError:
                raise RuntimeError(
                    f"clamp: bounds of shapes {None if lo is None else tuple(lo.shape)} and "
                    f"{None if hi is None else tuple(hi.shape)} do not broadcast with the input's "
                    f"shape {tuple(self.shape)}"
                ) from None
        dt = dtypes.result_type(self, *(b for b in (min, max) if b is not None))
        x = self if dt == self._data.dtype else _mov.Cast.apply(self, dt)  # int.clamp(0.5) is float
        return _ew.Clamp.apply(x, min, max)

    clip = clamp
    clip_ = clamp_

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max; ties split the gradient equally."""
        return _binary(_bin.Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        return _binary(_bin.Minimum, self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        """``where(condition, self, other)``."""
        return where(condition, self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, ``self`` elsewhere."""
        return where(mask, value, self)

    # ---- reductions ----------------------------------------------------------------------------
    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or None for all). Integer and bool
        tensors sum to int64, as in PyTorch."""
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "biu" and dtype is None:
            x = x.to(dtypes.int64)
        return _red.Sum.apply(x, _dims(dim, axis, self.ndim, "sum"), _keep(keepdim, keepdims))

    def mean(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Arithmetic mean over ``dim``; floating tensors only, as in PyTorch."""
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be floating point, "
                f"got {self.dtype}; pass dtype= or call .float() first"
            )
        return _red.Mean.apply(x, _dims(dim, axis, self.ndim, "mean"), _keep(keepdim, keepdims))

    def _max_min(self, is_max: bool, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Any:
        name = "max" if is_max else "min"
        if isinstance(dim, (Tensor, np.ndarray)):
            return self.maximum(dim) if is_max else self.minimum(dim)
        if dim is None and axis is None:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return _red.Amax.apply(self, None, False, is_max, True)
        d = _dims(dim, axis, self.ndim, name)
        if self.ndim == 0 and not isinstance(dim if axis is None else axis, (tuple, list)):
            return MaxMin(_mov.reshape(self, ()), Tensor._wrap(np.zeros((), np.int64)))
        if len(d) != 1:
            raise TypeError(f"{name}(): dim must be an int; use amax/amin for several dims")
        keep = _keep(keepdim, keepdims)
        if self._data.size == 0:
            _red.check_nonempty(self._data.shape, d, name)
        idx = np.expand_dims((np.argmax if is_max else np.argmin)(self._data, axis=d[0]), d[0])
        values = _mov.Gather.apply(self, d[0], idx)  # (argmax indices: no bounds check needed)
        if not keep:
            values = values.squeeze(d[0])
            idx = np.squeeze(idx, d[0])
        return MaxMin(values, Tensor._wrap(idx.astype(np.int64, copy=False)))

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Largest element; with ``dim``, the named tuple ``(values, indices)``;
        with a tensor argument, the elementwise maximum."""
        return self._max_min(True, dim, keepdim, axis, keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        return self._max_min(False, dim, keepdim, axis, keepdims)

    def amax(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Max over ``dim`` (int or tuple); ties share the gradient equally."""
        return _red.Amax.apply(
            self, _dims(dim, axis, self.ndim, "amax"), _keep(keepdim, keepdims), True, False
        )

    def amin(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        return _red.Amax.apply(
            self, _dims(dim, axis, self.ndim, "amin"), _keep(keepdim, keepdims), False, False
        )

    def argmax(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Index of the largest element (over the flattened tensor when dim is None)."""
        return _arg(np.argmax, self, dim, keepdim, axis, keepdims, "argmax")

    def argmin(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        return _arg(np.argmin, self, dim, keepdim, axis, keepdims, "argmin")

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """sum((x - mean)^2) / (N - correction); correction defaults to 1 (Bessel)."""
        if isinstance(dim, bool):  # var(True) means unbiased=True in PyTorch's old signature
            dim, unbiased = None, dim
        if self._data.dtype == np.float16:  # in float32, as PyTorch (a float16 count overflows)
            out = self.float().var(
                dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims
            )
            return out.half()
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = _dims(dim, axis, self.ndim, "var")
        n = self._data.size if dims is None else math.prod(self._data.shape[d] for d in dims)
        if n - correction <= 0:
            import warnings

            warnings.warn(
                f"var(): degrees of freedom is <= 0 ({n} elements, correction {correction}); "
                "the result is inf or nan, as in PyTorch",
                UserWarning,
                stacklevel=2,
            )
        centered = self - self.mean(dims, keepdim=True)
        total = (centered * centered).sum(dims, keepdim=_keep(keepdim, keepdims))
        if n - correction <= 0:  # x/0: inf, or nan for 0/0 (a product: no divide-by-zero warning)
            return total * math.inf
        return total / (n - correction)

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Square root of :meth:`var`."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims).sqrt()

    def prod(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        """Product over ``dim``."""
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "biu" and dtype is None:
            x = x.to(dtypes.int64)
        return _red.Prod.apply(x, _dims(dim, axis, self.ndim, "prod"), _keep(keepdim, keepdims))

    def logsumexp(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max(x); the gradient
        is exp(x - logsumexp(x)), as PyTorch computes it."""
        dims = _dims(dim, axis, self.ndim, "logsumexp")
        x = _floating(self)
        if x._data.dtype.char == "e":  # in float32, as PyTorch's kernels
            return _red.LogSumExp.apply(x.float(), dims, _keep(keepdim, keepdims)).half()
        return _red.LogSumExp.apply(x, dims, _keep(keepdim, keepdims))

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``."""
        x = _floating(self if dtype is None else self.to(dtype))
        if x._data.dtype.char == "e":  # in float32, as PyTorch's kernels
            return _red.Softmax.apply(x.float(), _wrap_dim(dim, self.ndim, "softmax")).half()
        return _red.Softmax.apply(x, _wrap_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """x - logsumexp(x) along ``dim``."""
        x = _floating(self if dtype is None else self.to(dtype))
        if x._data.dtype == np.float16:  # in float32, as PyTorch's kernels
            return _red.LogSoftmax.apply(x.float(), _wrap_dim(dim, self.ndim, "log_softmax")).half()
        return _red.LogSoftmax.apply(x, _wrap_dim(dim, self.ndim, "log_softmax"))

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running sum along ``dim`` (integer and bool tensors give int64, as in PyTorch)."""
        x = _accumulating(self, dtype)
        if x.ndim == 0:
            return x.clone()
        return _red.Cumsum.apply(x, _wrap_dim(dim, self.ndim, "cumsum"))

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running product along ``dim`` (integer and bool tensors give int64)."""
        x = _accumulating(self, dtype)
        if x.ndim == 0:
            return x.clone()
        return _red.Cumprod.apply(x, _wrap_dim(dim, self.ndim, "cumprod"))

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """The p-norm over ``dim`` (all elements when None); 'fro' is the 2-norm, 'nuc' the
        nuclear norm of a matrix. See also ``tinygrad_np.linalg.norm``."""
        return _la.tensor_norm(self, p, dim, keepdim, dtype)

    # ---- sorting, selecting and counting (ops/sorting.py) ------------------------------------------
    def sort(self, *args: Any, **kwargs: Any) -> Any:
        """``(values, indices)`` sorted along ``dim``; equal values keep their order. PyTorch's
        two forms: ``sort(dim=-1, descending=False)``, or all by keyword with ``stable``:
        ``sort(*, stable, dim=-1, descending=False)``."""
        return _sort.sort(self, *_sort.sort_arguments("sort", args, kwargs))

    def argsort(self, *args: Any, **kwargs: Any) -> Tensor:
        """The int64 indices that sort ``dim``; the arguments as ``sort``'s."""
        return _sort.argsort(self, *_sort.sort_arguments("argsort", args, kwargs))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``."""
        return _sort.topk(self, k, dim, largest)

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        """The distinct values in ascending order (no gradient); optionally the inverse
        indices and the counts."""
        return _sort.unique(self, return_inverse, return_counts, dim)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        """Each run of equal consecutive values kept once (no gradient); optionally each
        element's run index and the run lengths."""
        return _sel.unique_consecutive(self, return_inverse, return_counts, dim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
        return _sel.median(self, dim, keepdim)

    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:
        """``median`` of the values that are not NaN."""
        return _sel.median(self, dim, keepdim, ignore_nan=True)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """``(values, indices)`` of the ``k``-th smallest element along ``dim`` (k from 1)."""
        return _sel.kthvalue(self, k, dim, keepdim)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The entries at ``index`` (a 1-D integer tensor) along ``dim``."""
        return _sel.index_select(self, dim, index)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return _sort.bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        """Counts in ``bins`` equal bins over [min, max] (the data's range if min == max)."""
        return _sort.histc(self, bins, min, max)

    def histogram(
        self, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
    ) -> Any:
        return _sort.histogram(self, bins, range=range, weight=weight, density=density)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero elements: (N, ndim) int64, or a tuple of 1-D tensors."""
        return _sort.nonzero(self, as_tuple)

    def argwhere(self) -> Tensor:
        return _sort.nonzero(self)

    def masked_select(self, mask: Any) -> Tensor:
        """The elements where ``mask`` is True, as a 1-D tensor (differentiable)."""
        return _sort.masked_select(self, mask)

    # ---- triangles, diagonals and products (ops/linalg.py) ------------------------------------------
    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the last two dimensions (j - i <= diagonal); zeros above."""
        return _la.triangle(self, diagonal, upper=False)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the last two dimensions (j - i >= diagonal); zeros below."""
        return _la.triangle(self, diagonal, upper=True)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace_unary("tril_", lambda x: x.tril(diagonal))

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace_unary("triu_", lambda x: x.triu(diagonal))

    def diag(self, diagonal: int = 0) -> Tensor:
        """A vector as the diagonal of a square matrix, or the diagonal of a matrix."""
        return _la.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The ``offset``-th diagonal of dims (dim1, dim2), as the last dimension."""
        return _la.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        """Sum of the main diagonal of a matrix."""
        if self._data.dtype == np.bool_:
            raise NotImplementedError("\"trace\" not implemented for 'Bool': convert with .long() first")
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return _la.diagonal(self).sum()

    def outer(self, vec2: Tensor) -> Tensor:
        """out[i, j] = self[i] * vec2[j]."""
        if self.ndim != 1 or _ndim(vec2) != 1:
            raise RuntimeError(f"outer: expected 1-D tensors, got {self.ndim}-D and {_ndim(vec2)}-D")
        return self.unsqueeze(1) * vec2

    ger = outer

    def flip(self, *dims: Any, **kwargs: Any) -> Tensor:
        """Reverse the order of elements along ``dims`` (``flip(0, 1)``, ``flip([0, 1])`` or
        ``flip(dims=...)``); a copy."""
        if "dims" in kwargs:
            dims = (kwargs.pop("dims"),)
        if kwargs or not dims:
            raise TypeError(f"flip() missing the dims to flip (got keywords {sorted(kwargs)})")
        return _mov.flip(self, dims)

    def fliplr(self) -> Tensor:
        return _mov.flip(self, (1,))

    def flipud(self) -> Tensor:
        return _mov.flip(self, (0,))

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements cyclically along ``dims`` (the flattened tensor when None)."""
        return _mov.roll(self, shifts, dims)

    # ---- shape and movement -----------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dimension may be -1)."""
        return _mov.reshape(self, _shape_args(shape))

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size, np.integer)):
            return self.to(shape[0])  # view(dtype)
        return _mov.reshape(self, _shape_args(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s = _wrap_dim(start_dim, self.ndim, "flatten")
        e = _wrap_dim(end_dim, self.ndim, "flatten")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self._data.shape
        return self.reshape(
            (*shape[:s], -1 if 0 not in shape else int(np.prod(shape[s : e + 1])), *shape[e + 1 :])
        )

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        d = _wrap_dim(dim, self.ndim, "unflatten")
        return self.reshape(self._data.shape[:d] + tuple(sizes) + self._data.shape[d + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop size-1 dimensions (all of them, or those in ``dim``)."""
        shape = self._data.shape
        if dim is None:
            dims = tuple(i for i, s in enumerate(shape) if s == 1)
        else:
            dims = _dims(dim, None, self.ndim, "squeeze")
            dims = tuple(d for d in dims if self.ndim and shape[d] == 1)  # others: no-op, as PyTorch
        if not dims:
            return _mov.reshape(self, shape)
        return _mov.reshape(self, tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        d = _wrap_dim(dim, self.ndim + 1, "unsqueeze")
        shape = self._data.shape
        return _mov.reshape(self, (*shape[:d], 1, *shape[d:]))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions."""
        perm = list(range(self.ndim))
        d0, d1 = _wrap_dim(dim0, self.ndim, "transpose"), _wrap_dim(dim1, self.ndim, "transpose")
        perm[d0], perm[d1] = perm[d1], perm[d0]
        return _mov.Permute.apply(self, tuple(perm))

    swapaxes = transpose
    swapdims = transpose

    def permute(self, *dims: Any) -> Tensor:
        """Reorder dimensions."""
        dims = _shape_args(dims)
        if sorted(_wrap_dim(d, self.ndim, "permute") for d in dims) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: dims {dims} are not a permutation of the {self.ndim} dimensions "
                f"of a tensor of shape {tuple(self.shape)}"
            )
        return _mov.Permute.apply(self, tuple(_wrap_dim(d, self.ndim, "permute") for d in dims))

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` without copying (-1 keeps a dimension)."""
        sizes = _shape_args(sizes)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({len(shape)})"
            )
        lead = len(sizes) - len(shape)
        target = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
        return _mov.broadcast_to(self, target, "expand")

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(*other.shape)

    def broadcast_to(self, *shape: Any) -> Tensor:
        return _mov.broadcast_to(self, _shape_args(shape), "broadcast_to")

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along each dimension."""
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError("repeat: number of repeat dims can not be smaller than number of tensor dims")
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self._data.shape)
        inter = []
        final = []
        for r, s in zip(sizes, x._data.shape, strict=False):
            inter += [r, s]
            final.append(r * s)
        return x.reshape(tuple(v for s in x._data.shape for v in (1, s))).expand(*inter).reshape(final)

    def __getitem__(self, index: Any) -> Tensor:
        return _mov.Index.apply(self, _mov.normalize_index(index))

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """out[i][j] = self[index[i][j]][j] (for dim=0); as ``torch.gather``."""
        idx = index._data if isinstance(index, Tensor) else np.asarray(index)
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather(): expected an int64 index tensor, got {idx.dtype}")
        d = _wrap_dim(dim, self.ndim, "gather")
        _mov.check_gather_index(self._data.shape, d, idx, "gather")
        return _mov.Gather.apply(self, d, index if isinstance(index, Tensor) else idx)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` (the last may be smaller), or of the listed sizes."""
        return _mov.split(self, split_size_or_sections, _wrap_dim(dim, self.ndim, "split"))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """``chunks`` pieces of (nearly) equal size along ``dim``."""
        d = _wrap_dim(dim, self.ndim, "chunk")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = -(-self._data.shape[d] // chunks) if self._data.shape[d] else 1
        return _mov.split(self, size, d)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        d = _wrap_dim(dim, self.ndim, "unbind")
        return tuple(self.select(d, i) for i in range(self._data.shape[d]))

    def select(self, dim: int, index: int) -> Tensor:
        d = _wrap_dim(dim, self.ndim, "select")
        return self[(slice(None),) * d + (index,)]

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        d = _wrap_dim(dim, self.ndim, "narrow")
        size = self._data.shape[d]
        if not -size <= start <= size:
            raise IndexError(
                f"narrow(): start out of range (expected to be in range of [{-size}, {size}], but got {start})"
            )
        start = start % size if start < 0 else start
        if length < 0 or start + length > size:
            raise RuntimeError(
                f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({size}) of "
                f"dimension {d} (shape {tuple(self.shape)})"
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    # ---- printing ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return _format.tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """As PyTorch: a 0-d tensor formats as its number (``f"{loss}"`` is
        ``2.4543561935424805``, ``f"{loss:.3f}"`` ``2.454``); others as ``str``, and a
        format spec for them is a TypeError."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)


# ---- helpers shared by the methods above ----------------------------------------------------------


def to_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The dtype asked for by ``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or
    ``to(tensor)`` (None if none), after checking that the device is the CPU."""
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dt = a.dtype
        elif isinstance(a, (str, _device)):
            dev = a
        else:
            dt = a
    if dev is not None:
        check_device(dev)
    return dt


def _ndim(x: Any) -> int:
    return np.ndim(x._data if isinstance(x, Tensor) else x)


def _floating(x: Tensor) -> Tensor:
    """Integer and bool tensors become float32 for float-valued ops, as in PyTorch."""
    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


def _check_grad(t: Tensor, g: Any) -> None:
    """The checks of ``t.grad = g`` (PyTorch's, in its order)."""
    if not isinstance(g, Tensor):
        kind = type(g)
        name = (
            kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        )
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {name}")
    if g is t:
        raise RuntimeError("can't assign Variable as its own grad")
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{g.dtype}' to a tensor with dtype "
            f"'{t.dtype}'. Please ensure that the gradient and the tensor have the same dtype "
            f"(e.g. g.to({t.dtype}))"
        )
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of size "
            f"'{list(t._data.shape)}'. Please ensure that the gradient and the tensor are the same size"
        )


def _operand(x: Any, dt: np.dtype) -> Tensor:
    """An operand of a binary op as a Tensor of the promoted dtype ``dt``."""
    if isinstance(x, Tensor):
        return x if x._data.dtype == dt else _mov.Cast.apply(x, dt)
    return Tensor._wrap(np.asarray(x, dtype=dt))


def _raise_broadcast(op: str, a: Any, b: Any) -> None:
    sa, sb = (
        np.shape(a._data if isinstance(a, Tensor) else a),
        np.shape(b._data if isinstance(b, Tensor) else b),
    )
    if _broadcastable(tuple(sa), tuple(sb)):  # an in-place op whose result would not fit
        raise RuntimeError(
            f"{op}: output with shape {tuple(sa)} doesn't match the broadcast shape "
            f"{np.broadcast_shapes(sa, sb)}; use the out-of-place op"
        )
    raise RuntimeError(
        f"{op}: shapes {tuple(sa)} and {tuple(sb)} are not broadcastable: trailing "
        "dimensions must be equal or 1 (reshape or unsqueeze one operand)"
    )


_scalars: dict[tuple[Any, ...], Tensor] = {}


def _scalar(v: float, dt: np.dtype) -> Tensor:
    """A Python number as a 0-d constant Tensor of the float dtype ``dt``. Common values are
    made once and shared (read-only, never requiring grad); zeros (signed) and NaN are not."""
    if v != 0 and v == v:
        key = (v, dt)
        t = _scalars.get(key)
        if t is None:
            if len(_scalars) >= 512:
                _scalars.clear()
            arr = np.asarray(v, dt)
            arr.flags.writeable = False
            t = _scalars[key] = Tensor._wrap(arr)
        return t
    return Tensor._wrap(np.asarray(v, dt))


def _binary(op: Any, a: Any, b: Any) -> Tensor:
    """Promote dtypes as PyTorch does, then apply the binary op ``op``."""
    # Fast path: float tensors (Parameters included) of one dtype, or a float tensor and a
    # Python int/float (a Python scalar never changes a float tensor's dtype).
    if isinstance(a, Tensor):
        dt = a._data.dtype
        if dt.kind == "f":
            if isinstance(b, Tensor):
                if b._data.dtype is dt or b._data.dtype == dt:  # (identity first: == costs ~0.1 us)
                    return _apply_binary(op, a, b)
            elif type(b) is float or type(b) is int:
                return _apply_binary(op, a, _scalar(b, dt))
    elif isinstance(b, Tensor) and (type(a) is float or type(a) is int):
        dt = b._data.dtype
        if dt.kind == "f":
            return _apply_binary(op, _scalar(a, dt), b)
    if type(a) is Tensor and type(b) is Tensor and a._data.dtype == b._data.dtype:
        dt = a._data.dtype
    else:
        dt = dtypes.result_type(a, b)
    if op.float_result and dt.kind != "f":
        dt = dtypes.get_default_dtype().np  # int / int is float, as in PyTorch
    return _apply_binary(op, _operand(a, dt), _operand(b, dt))


def _apply_binary(op: Any, x: Tensor, y: Tensor) -> Tensor:
    """``op.apply(x, y)`` on operands of one dtype, with PyTorch's error for shapes that
    do not broadcast."""
    try:
        return op.apply(x, y)
    except ValueError:
        if _broadcastable(x._data.shape, y._data.shape):
            raise
        _raise_broadcast(op.__name__.lower(), x, y)
        raise  # pragma: no cover


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _no_grad_binary(fn: Any, a: Any, b: Any, name: str) -> Tensor:
    """Comparisons and other ops with no gradient: NumPy on the raw data."""
    if isinstance(b, (list, tuple)):
        b = np.asarray(b)
    if isinstance(a, (list, tuple)):
        a = np.asarray(a)
    division = name == "floor_divide"
    if division:
        if grad_mode.state.grad_enabled and any(isinstance(t, Tensor) and t._requires_grad for t in (a, b)):
            raise RuntimeError(
                "floor_divide: the derivative is not implemented (as in PyTorch); use "
                "x.div(y, rounding_mode='floor') (zero gradient) or detach the operands"
            )
        dt = dtypes.result_type(a, b)
        a = np.asarray(a._data if isinstance(a, Tensor) else a, dtype=dt)
        b = np.asarray(b._data if isinstance(b, Tensor) else b, dtype=dt)
        _bin.check_int_divisor(b, name)
    try:
        with np.errstate(divide="ignore", invalid="ignore") if division else _NO_ERRSTATE:
            out = fn(a._data if isinstance(a, Tensor) else a, b._data if isinstance(b, Tensor) else b)
    except ValueError:
        _raise_broadcast(name, a, b)
    except TypeError:
        raise TypeError(
            f"{name}: unsupported operand types {type(a).__name__} and {type(b).__name__}"
        ) from None
    return Tensor._wrap(np.asarray(out))


_NO_ERRSTATE = contextlib.nullcontext()


def _arg(fn: Any, x: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: Any, name: str) -> Tensor:
    d = _dims(dim, axis, x.ndim, name)
    keep = _keep(keepdim, keepdims)
    if x._data.size == 0:
        if d is None:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        _red.check_nonempty(x._data.shape, d, name)
    if d is None:
        out = np.asarray(fn(x._data))
        if keep:
            out = out.reshape((1,) * x.ndim)
    elif x.ndim == 0:
        out = np.zeros((), np.int64)
    else:
        if len(d) != 1:
            raise TypeError(f"{name}(): dim must be an int")
        out = fn(x._data, axis=d[0], keepdims=keep)
    return Tensor._wrap(np.asarray(out, dtype=np.int64))


def warn_non_leaf_grad() -> None:
    """PyTorch's warning for reading ``.grad`` of a non-leaf tensor (it is never filled in)."""
    import warnings

    warnings.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
        "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
        "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.",
        UserWarning,
        stacklevel=3,
    )


def _accumulating(x: Tensor, dtype: Any) -> Tensor:
    """The input of cumsum/cumprod: cast to ``dtype``, else integers and bools to int64."""
    if dtype is not None:
        return x.to(dtype)
    return x.to(dtypes.int64) if x._data.dtype.kind in "biu" else x


def where(condition: Any, input: Any = None, other: Any = None) -> Tensor | tuple[Tensor, ...]:
    """``input`` where ``condition`` is True, else ``other`` (broadcasting); with the
    condition alone, ``condition.nonzero(as_tuple=True)``."""
    if input is None and other is None:
        cond = condition if isinstance(condition, Tensor) else Tensor._wrap(np.asarray(condition))
        return _sort.nonzero(cond, as_tuple=True)
    if input is None or other is None:
        raise TypeError(
            "where(): pass both input and other (or neither, for the indices of the True elements)"
        )
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: expected condition to be a bool tensor, got {cond.dtype}")
    dt = dtypes.result_type(input, other)
    x, y = _operand(input, dt), _operand(other, dt)
    try:
        return _bin.Where.apply(cond, x, y)
    except ValueError:
        raise RuntimeError(
            f"where: condition {cond.shape}, input {tuple(x.shape)} and other "
            f"{tuple(y.shape)} are not broadcastable"
        ) from None


# The ops modules import Tensor from here, so they are imported after the class
# exists; the methods above look them up only when called.
def _traced_read(what: str) -> None:
    """A tensor's value goes into Python: a step traced by tinygrad_np.compile cannot replay that."""
    if grad_mode.tracing and grad_mode.state.tracer is not None:
        grad_mode.state.tracer.escape(what)


from . import _format, _numpy_protocol  # noqa: E402
from . import random as _random  # noqa: E402
from . import sampling as _sampling  # noqa: E402
from .autograd import engine as _engine  # noqa: E402
from .autograd import grad_mode  # noqa: E402
from .ops import binary as _bin  # noqa: E402
from .ops import composite as _comp  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import movement as _mov  # noqa: E402
from .ops import piecewise as _pw  # noqa: E402
from .ops import products as _prod  # noqa: E402
from .ops import reduce as _red  # noqa: E402
from .ops import selection as _sel  # noqa: E402
from .ops import solve as _solve  # noqa: E402
from .ops import sorting as _sort  # noqa: E402
from .ops import statistics as _stat  # noqa: E402
from .ops import trig as _trig  # noqa: E402
