"""Ops that move elements without arithmetic: shape changes, indexing, joining.

Their gradients move dL/dy back to where each element came from: reshape it
back, permute it back, sum it over broadcast copies, scatter it to the
indexed positions (adding where an index repeats).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from .reduce import sum_to_array

_wrap = Tensor._wrap


def _view_of(y: np.ndarray, x: Tensor, fn: Any) -> Tensor:
    """Wrap ``y``; if it shares ``x``'s memory it also shares x's version counter and
    remembers how to remake it from the tensor owning the memory (``fn``: Tensor ops),
    so an in-place change through the view can be recorded on that base."""
    out = _wrap(y)
    base = x._data if x._data.base is None else x._data.base
    if y.base is not None and (y.base is base or y.base is x._data):
        out._vc = x._vc
        out._view_version = x._vc.value
        if x._base is None:
            out._base, out._view_fn = x, fn
        else:
            out._base, out._view_fn = x._base, _compose(x._view_fn, fn)
    return out


def _compose(first: Any, then: Any) -> Any:
    return lambda b: then(first(b))


class CopySlices(Function):
    """``base`` with one of its views overwritten by ``value``: how an in-place op
    through a view is recorded on the tensor that owns the memory."""

    formula = "d/dbase = 1 outside the view, 0 inside;  d/dvalue = 1 inside the view"
    node_name = "CopySlices"  # as PyTorch names it

    @staticmethod
    def forward(ctx, base, value, view_fn):
        ctx.view_fn = view_fn
        keep = np.ones_like(base._data, dtype=bool)
        view_fn(_wrap(keep))._data[...] = False  # the view of ``keep`` writes into ``keep``
        ctx.keep = keep
        return _wrap(base._data)  # the memory already holds the written values

    @staticmethod
    def backward(ctx, grad):
        need_base, need_value = ctx.needs_input_grad[:2]
        gb = grad * _wrap(ctx.keep.astype(grad._data.dtype)) if need_base else None  # 0 inside the view
        gv = ctx.view_fn(grad) if need_value else None  # the view's part of the gradient
        return gb, gv, None


def rebase_view(view: Tensor, value: Tensor) -> None:
    """After ``value`` was written into ``view``'s memory, record the write on the
    base (PyTorch's CopySlices) and make the view's history read from the new base."""
    base = view._base
    out = CopySlices.apply(base, value, view._view_fn)
    base.grad_fn, base._output_nr, base._requires_grad = out.grad_fn, 0, out._requires_grad
    refresh_view(view)


def refresh_view(view: Tensor) -> None:
    """Give ``view`` the history of ``view_fn(base)``: the base's current history seen
    through the view (recorded whatever the grad mode, as the view's own history)."""
    state = grad_mode.state
    prev, state.grad_enabled = state.grad_enabled, True
    try:
        remade = view._view_fn(view._base)
    finally:
        state.grad_enabled = prev
    view.grad_fn, view._output_nr, view._requires_grad = (
        remade.grad_fn,
        remade._output_nr,
        remade._requires_grad,
    )
    view._view_version = view._vc.value


class Cast(Function):
    formula = "d cast(x)/dx = 1 (gradient cast back to x's dtype)"
    node_name = "ToCopyBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x._data.dtype
        return _wrap(x._data.astype(dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype), None

    @staticmethod
    def backward_np(ctx, g):
        return g.astype(ctx.dtype), None


class Clone(Function):
    formula = "d clone(x)/dx = 1"

    @staticmethod
    def forward(ctx, x):
        return _wrap(x._data.copy())

    @staticmethod
    def backward(ctx, grad):
        return grad


class Reshape(Function):
    formula = "d reshape(x)/dx = 1 (gradient reshaped back)"
    node_name = "ViewBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return _view_of(x._data.reshape(shape), x, lambda b: Reshape.apply(b, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def backward_np(ctx, g):
        return g.reshape(ctx.shape), None


def reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    if shape == x._data.shape:
        return x if x.grad_fn is None and not x._requires_grad else Reshape.apply(x, shape)
    try:
        return Reshape.apply(x, shape)
    except ValueError:
        raise RuntimeError(
            f"reshape: shape {list(shape)} is invalid for input of shape {tuple(x._data.shape)} "
            f"(size {x._data.size})"
        ) from None


class Permute(Function):
    formula = "d permute(x)/dx = 1 (gradient permuted back)"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _view_of(x._data.transpose(dims), x, lambda b: Permute.apply(b, dims))

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*_inverse(ctx.dims)), None

    @staticmethod
    def backward_np(ctx, g):
        return g.transpose(_inverse(ctx.dims)), None


def _inverse(dims: tuple[int, ...]) -> tuple[int, ...]:
    """The permutation that undoes ``dims``: axis i goes back to where it came from
    (``np.argsort(dims)``, without its ~2 us of array overhead)."""
    return tuple(sorted(range(len(dims)), key=dims.__getitem__))


class Expand(Function):
    formula = "d expand(x)/dx = sum of dL/dy over the copies"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return _view_of(np.broadcast_to(x._data, shape), x, lambda b: Expand.apply(b, shape))

    @staticmethod
    def backward(ctx, grad):
        return SumTo.apply(grad, ctx.shape), None  # each copy passes its gradient back

    @staticmethod
    def backward_np(ctx, g):
        return sum_to_array(g, ctx.shape), None  # each copy passes its gradient back


def broadcast_to(x: Tensor, shape: tuple[int, ...], op: str) -> Tensor:
    if shape == x._data.shape:
        return x
    try:
        np.broadcast_shapes(x._data.shape, shape)
        ok = len(shape) >= x.ndim and np.broadcast_shapes(x._data.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"{op}: cannot expand a tensor of shape {tuple(x._data.shape)} to {tuple(shape)}: "
            "each dimension must match or be 1 in the tensor"
        )
    return Expand.apply(x, tuple(shape))


# ---- indexing ----------------------------------------------------------------------------------


def normalize_index(index: Any) -> Any:
    """Turn a user index into one NumPy understands: tensors to arrays, lists to arrays."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, Tensor):
            i = i._data
        elif isinstance(i, list):
            i = np.asarray([j.item() if isinstance(j, Tensor) else j for j in i])
        if isinstance(i, np.ndarray):
            if i.dtype.kind not in "iub":
                raise IndexError(f"tensors used as indices must be integer or bool tensors, got {i.dtype}")
            if i.ndim == 0 and i.dtype.kind in "iu":
                i = int(i)
        out.append(i)
    return tuple(out)


def _is_basic(index: tuple[Any, ...]) -> bool:
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in index)


class Index(Function):
    formula = "d x[i]/dx = 1 at the indexed positions (repeats add up)"

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape = index, x._data.shape
        basic = _is_basic(index)
        # all-int indices give a NumPy scalar (a copy); with ... they give a 0-d view, as PyTorch
        y = x._data[(*index, Ellipsis)] if basic and Ellipsis not in index else x._data[index]
        return _view_of(y, x, lambda b: Index.apply(b, index)) if _is_basic(index) else _wrap(y)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.shape, ctx.index), None


class IndexAdd(Function):
    """zeros(shape) with ``grad`` added at ``index``: the backward of indexing."""

    formula = "d scatter(g)/dg = 1 at the indexed positions"

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        out = np.zeros(shape, g._data.dtype)
        if _is_basic(index):
            out[index] = g._data
        else:
            np.add.at(out, index, g._data)  # repeated indices accumulate
        return _wrap(out)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


class IndexPut(Function):
    """``x`` with ``value`` written at ``index``: how ``x[index] = value`` is recorded."""

    formula = "d put/dx = 0 at the index, 1 elsewhere;  d put/dvalue = 1 at the index"

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        out = x._data.copy()
        try:
            out[index] = value._data
        except ValueError:
            raise RuntimeError(
                f"__setitem__: value of shape {tuple(value.shape)} cannot be broadcast to the "
                f"indexed region of shape {out[index].shape}"
            ) from None
        return _wrap(out)

    @staticmethod
    def backward(ctx, grad):
        keep = np.ones(grad._data.shape, grad._data.dtype)
        keep[ctx.index] = 0
        need_x, need_v = ctx.needs_input_grad[:2]
        gx = grad * _wrap(keep) if need_x else None
        gv = grad[ctx.index] if need_v else None
        return gx, gv, None


def check_gather_index(shape: tuple[int, ...], dim: int, idx: np.ndarray, op: str) -> None:
    """PyTorch's checks on a gather index: the same number of dimensions, no larger than
    the input outside ``dim``, and every entry in [0, size) (negative ones are refused,
    not wrapped around)."""
    if idx.ndim != len(shape):
        raise RuntimeError(
            f"{op}(): index {idx.shape} and input {tuple(shape)} must have the same number of dimensions"
        )
    if any(n > s for d, (n, s) in enumerate(zip(idx.shape, shape, strict=True)) if d != dim):
        raise RuntimeError(
            f"{op}(): size does not match: index of shape {idx.shape} must be no larger than the input "
            f"{tuple(shape)} apart from dimension {dim}"
        )
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= shape[dim]:
            raise RuntimeError(
                f"{op}(): index {lo if lo < 0 else hi} is out of bounds for dimension {dim} with size "
                f"{shape[dim]} (indices must be in [0, {shape[dim]}); negative indices are not wrapped)"
            )


class Gather(Function):
    formula = "d gather(x, idx)/dx = 1 at the gathered positions (repeats add up)"

    @staticmethod
    def forward(ctx, x, dim, idx):
        if isinstance(idx, Tensor):  # (a tensor index: tinygrad_np.compile replays it with new data)
            idx = idx._data
        if idx.ndim != x._data.ndim:
            raise RuntimeError(
                f"gather(): index {idx.shape} and input {x._data.shape} must have the same "
                "number of dimensions"
            )
        # as PyTorch: only the leading index.shape[d] entries of other dimensions are used
        src = x._data[tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(idx.shape))]
        ctx.dim, ctx.idx, ctx.shape = dim, idx, x._data.shape
        return _wrap(np.take_along_axis(src, idx, axis=dim))

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, ctx.dim, ctx.idx, ctx.shape), None, None


class ScatterAdd(Function):
    """zeros(shape) with ``g`` added at ``idx`` along ``dim``: the backward of gather."""

    formula = "d scatter_add(g)/dg = 1 at the indexed positions"

    @staticmethod
    def forward(ctx, g, dim, idx, shape):
        ctx.dim, ctx.idx = dim, idx
        out = np.zeros(shape, g._data.dtype)
        where = list(np.indices(idx.shape, sparse=True))
        where[dim] = idx
        if idx.shape[dim] == 1:  # one index per position (max/min, max-pooling): distinct targets
            out[tuple(where)] = g._data  # so plain assignment, ~3x faster than np.add.at
        else:
            np.add.at(out, tuple(where), g._data)  # repeated indices add up
        return _wrap(out)

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, ctx.dim, ctx.idx), None, None, None


# ---- joining and splitting --------------------------------------------------------------------


class Cat(Function):
    formula = "d cat(x1, x2, ...)/dx_k = 1 on x_k's slice"

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x._data.shape[dim] for x in xs]
        return _wrap(np.concatenate([x._data for x in xs], axis=dim))

    @staticmethod
    def backward(ctx, grad):
        return (None, *split(grad, ctx.sizes, ctx.dim))


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    ndim = tensors[0].ndim
    if ndim == 0:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    d = dim % ndim if -ndim <= dim < ndim else None
    if d is None:
        raise IndexError(f"cat(): dimension {dim} out of range for {ndim}-D tensors")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        s = t._data.shape
        if len(s) != ndim or any(a != b for k, (a, b) in enumerate(zip(first, s, strict=False)) if k != d):
            raise RuntimeError(
                f"cat(): sizes of tensors must match except in dimension {dim}: tensor 0 has "
                f"shape {tuple(first)} but tensor {i} has shape {tuple(s)}"
            )
    dt = dtypes.result_type(*tensors)
    tensors = [t if t._data.dtype == dt else Cast.apply(t, dt) for t in tensors]
    return Cat.apply(d, *tensors)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension ``dim``."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack(): expected a non-empty list of Tensors")
    shapes = {tuple(t._data.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack(): expects each tensor to be equal size, got shapes {sorted(shapes)}")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def split(x: Tensor, size_or_sections: Any, dim: int) -> tuple[Tensor, ...]:
    n = x._data.shape[dim]
    if isinstance(size_or_sections, (int, np.integer)):
        if size_or_sections <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {size_or_sections}")
        sizes = [min(size_or_sections, n - s) for s in range(0, n, int(size_or_sections))] or [0]
    else:
        sizes = [int(s) for s in size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split: split sizes {sizes} must sum to the size of dimension {dim} ({n})")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(x[(slice(None),) * dim + (slice(start, start + s),)])
        start += s
    return tuple(pieces)


class Pad(Function):
    formula = "d pad(x)/dx = 1 inside, the padding gets no gradient"
    node_name = "ConstantPadNdBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.inside = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x._data.shape, strict=False))
        return _wrap(np.pad(x._data, widths, mode="constant", constant_values=value))

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.inside], None, None


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions: ``pad = (left, right, top, bottom, ...)``
    starting from the last dimension, as ``torch.nn.functional.pad``."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: padding length {len(pad)} must be even and at most 2 * ndim ({2 * x.ndim})")
    if any(p < 0 for p in pad):
        raise NotImplementedError("pad: negative padding (cropping) is not supported; slice instead")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return Pad.apply(x, tuple(widths), value)


# ---- reordering -----------------------------------------------------------------------------------


class Flip(Function):
    formula = "d flip(x)/dx = 1 (gradient flipped back)"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _wrap(np.flip(x._data, dims).copy())  # a copy, as PyTorch's flip

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None  # flipping twice is the identity


class Roll(Function):
    formula = "d roll(x, s)/dx = 1 (gradient rolled back by -s)"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return _wrap(np.roll(x._data, shifts, dims))

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None  # roll back


def _dim_list(dims: Any) -> tuple[int, ...]:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list, Tensor)):
        dims = tuple(dims[0])
    return tuple(int(d) for d in dims)


def flip(x: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along each of ``dims`` (a copy)."""
    from ..tensor import _wrap_dim

    wrapped = tuple(_wrap_dim(d, x.ndim, "flip") for d in _dim_list(dims))
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"flip: dims {list(wrapped)} has a dimension more than once")
    if x.ndim == 0:
        return x.clone()
    return Flip.apply(x, wrapped)


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements by ``shifts`` along ``dims`` cyclically; without ``dims`` the
    flattened tensor is rolled and the shape restored."""
    from ..tensor import _wrap_dim

    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: with dims=None, shifts must be one number, got {list(shifts)}")
        return Roll.apply(x.flatten(), shifts, (0,)).reshape(x._data.shape)
    dims = (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(int(d) for d in dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}"
        )
    return Roll.apply(x, shifts, tuple(_wrap_dim(d, x.ndim, "roll") for d in dims))


from .reduce import SumTo  # noqa: E402  (SumTo lives with the reductions)

__all__ = [
    "cat",
    "stack",
    "split",
    "pad",
    "flip",
    "roll",
    "reshape",
    "broadcast_to",
    "normalize_index",
    "sum_to_array",
]
