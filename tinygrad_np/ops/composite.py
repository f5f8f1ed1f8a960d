"""PyTorch functions composed from the other ops, so each needs no backward of its own:
``lerp addcmul addcdiv logaddexp logaddexp2 logit nan_to_num cdist diff repeat_interleave
tile take_along_dim meshgrid hstack vstack dstack column_stack atleast_1d/2d/3d
broadcast_tensors movedim``, and the index-valued ``searchsorted bucketize isin
count_nonzero`` (no gradient).

Each function states its math in its docstring; the gradient follows from the ops it is made of.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Size, Tensor, _wrap_dim, where
from . import linalg, movement

_wrap = Tensor._wrap


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _float_only(x: Tensor, op: str) -> None:
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for {x.dtype}: convert with .float() first')


# ---- arithmetic ----------------------------------------------------------------------------------


def lerp(start: Tensor, end: Any, weight: Any) -> Tensor:
    """``start + weight (end - start)``: linear interpolation (``weight`` a number or a tensor);
    d/dstart = 1 - weight, d/dend = weight, d/dweight = end - start."""
    _float_only(start, "lerp_kernel_scalar")
    return start + weight * (end - start)


def addcmul(x: Tensor, tensor1: Any, tensor2: Any, value: float = 1) -> Tensor:
    """``x + value * tensor1 * tensor2``."""
    return x + value * (tensor1 * tensor2) if value != 1 else x + tensor1 * tensor2


def addcdiv(x: Tensor, tensor1: Any, tensor2: Any, value: float = 1) -> Tensor:
    """``x + value * tensor1 / tensor2``; two integer tensors are refused, as in PyTorch."""
    if all(isinstance(t, Tensor) and t._data.dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will "
            "perform a true division of tensor1 and tensor2; use tensor1.float() / tensor2 with add"
        )
    return x + value * (tensor1 / tensor2) if value != 1 else x + tensor1 / tensor2


def logaddexp(a: Tensor, b: Any, base2: bool = False) -> Tensor:
    """``log(e^a + e^b)`` (``log2(2^a + 2^b)`` with ``base2``) without overflow: ``m + log(e^(a-m)
    + e^(b-m))`` with m = max(a, b) taken as a constant (0 where it is infinite), so that
    d/da = e^a / (e^a + e^b) exactly."""
    b = _t(b)
    _float_only(a if a._data.dtype.kind == "f" else b, "logaddexp_cpu")
    with np.errstate(invalid="ignore"):
        m = np.maximum(a._data, b._data)
    m = _wrap(np.where(np.isfinite(m), m, 0).astype(dtypes.result_type(a, b), copy=False))
    if base2:
        return m + ((a - m).exp2() + (b - m).exp2()).log2()
    return m + ((a - m).exp() + (b - m).exp()).log()


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """``log(x / (1 - x))``, the inverse of the sigmoid; with ``eps``, x is first clamped to
    [eps, 1 - eps] (and the gradient is 0 outside)."""
    if x._data.dtype.kind != "f":
        x = x.float()
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


def nan_to_num(
    x: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and lowest finite values); the gradient is 0 at the replaced entries."""
    a = x._data
    if a.dtype.kind != "f":
        return x.clone()
    info = np.finfo(a.dtype)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    out = where(_wrap(np.isnan(a)), nan, x)
    out = where(_wrap(np.isposinf(a)), hi, out)
    return where(_wrap(np.isneginf(a)), lo, out)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """``out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p``: the p-norm distance between
    every row of ``x1`` (..., P, M) and of ``x2`` (..., R, M), shape (..., P, R); the gradient
    is 0 where a distance is 0, as PyTorch's."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    for t in (x1, x2):
        _float_only(t, "cdist")
    return linalg.vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), ord=p, dim=-1)


def diff(x: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The n-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, applied ``n``
    times, after ``prepend`` and ``append`` are joined on (bool: ``x[i + 1] != x[i]``)."""
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _wrap_dim(dim, x.ndim, "diff")
    if prepend is not None or append is not None:
        parts = [_expand_like(prepend, x, d), x, _expand_like(append, x, d)]
        x = movement.cat([p for p in parts if p is not None], d)
    for _ in range(int(n)):
        length = x._data.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = (hi != lo) if x._data.dtype == np.bool_ else hi - lo
    return x


def _expand_like(extra: Any, x: Tensor, d: int) -> Tensor | None:
    """``prepend``/``append`` of ``diff``: a number becomes one slice of ``x``'s shape."""
    if extra is None:
        return None
    e = _t(extra)
    if e.ndim == 0:
        return e.reshape((1,) * x.ndim).expand(*[1 if i == d else n for i, n in enumerate(x.shape)])
    return e


# ---- repeating, tiling, joining --------------------------------------------------------------------


def repeat_interleave(
    x: Any, repeats: Any = None, dim: int | None = None, output_size: int | None = None
) -> Tensor:
    """Each entry (slice along ``dim``; of the flattened input when ``dim`` is None) repeated
    ``repeats`` times in place: [a, b] -> [a, a, b, b]. ``repeats`` is a number or a tensor
    with one count per entry; ``repeat_interleave(counts)`` alone gives [0]*c0 + [1]*c1 + ..."""
    if repeats is None:  # torch.repeat_interleave(repeats)
        counts = _counts(_t(x)._data, None)
        return _wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    x = _t(x)
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = _wrap_dim(dim, x.ndim, "repeat_interleave")
    if x.ndim == 0:
        x = x.reshape(1)
    n = x._data.shape[d]
    counts = _counts(repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats), n)
    index = np.repeat(np.arange(n, dtype=np.int64), counts)
    if output_size is not None and index.size != output_size:
        raise RuntimeError(
            f"repeat_interleave: allocated size {output_size} does not match required size {index.size}"
        )
    return x.index_select(d, _wrap(index))


def _counts(r: np.ndarray, n: int | None) -> np.ndarray:
    if r.dtype.kind not in "iu":
        raise RuntimeError(f"repeat_interleave: repeats must be an integer tensor or an int, got {r.dtype}")
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
    if (r < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    if n is not None and r.ndim == 1 and r.size not in (1, n):
        raise RuntimeError(
            f"repeat_interleave: repeats must have the same size as input along dim, got {r.size} and {n}"
        )
    return np.broadcast_to(r.reshape(-1), (n,)) if n is not None else r.reshape(-1)


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    """``x.repeat(dims)``, where ``dims`` shorter than ``x.ndim`` is padded with 1s in front."""
    dims = tuple(dims)
    return x.repeat(*((1,) * (x.ndim - len(dims)) + dims))


def take_along_dim(x: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``x.gather(dim, indices)`` after broadcasting the two outside ``dim``; with no ``dim``,
    entries of the flattened input."""
    if dim is None:
        return x.reshape(-1).gather(0, indices.reshape(-1))
    d = _wrap_dim(dim, x.ndim, "take_along_dim")
    if indices.ndim != x.ndim:
        raise RuntimeError(
            f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {x.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    xs, ids = list(x.shape), list(indices.shape)
    xs[d] = ids[d] = 1
    shape = np.broadcast_shapes(tuple(xs), tuple(ids))
    x_full = x.expand(*[x.shape[i] if i == d else n for i, n in enumerate(shape)])
    i_full = indices.expand(*[indices.shape[i] if i == d else n for i, n in enumerate(shape)])
    return x_full.gather(d, i_full)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids: output k holds ``tensors[k]`` along axis k, repeated along the
    others; ``indexing='xy'`` swaps the first two axes (NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = [_t(t) for t in tensors]
    if any(t.ndim > 1 for t in ts):
        raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    ts = [t.reshape(-1) for t in ts]
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(ts)
    for t, a in zip(ts, axes, strict=True):
        shape[a] = t._data.shape[0]
    out = []
    for t, a in zip(ts, axes, strict=True):
        view = [1] * len(ts)
        view[a] = -1
        out.append(t.reshape(view).expand(*shape))
    return tuple(out)


def atleast_nd(x: Any, n: int) -> Tensor:
    """``x`` with at least ``n`` dimensions: (k,) -> (1, k) and (1, k, 1); (m, k) -> (m, k, 1)."""
    x = _t(x)
    if x.ndim >= n:
        return x
    if x.ndim == 0:
        return x.reshape((1,) * n)
    if n == 2 or x.ndim == 2:  # (k,) -> (1, k); (m, k) -> (m, k, 1)
        return x.unsqueeze(0) if n == 2 else x.unsqueeze(-1)
    return x.reshape(1, -1, 1)  # (k,) -> (1, k, 1)


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    ts = [atleast_nd(t, 1) for t in tensors]
    return movement.cat(ts, 0 if ts and ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 0, 1-D tensors as rows."""
    return movement.cat([atleast_nd(t, 2) for t in tensors], 0)


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 2 (depth), after making each at least 3-D."""
    return movement.cat([atleast_nd(t, 3) for t in tensors], 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns: 0-D and 1-D tensors become (k, 1) columns, then join along dim 1."""
    ts = [_t(t) for t in tensors]
    return movement.cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in ts], 1)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape the given shapes broadcast to."""
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(
            f"Shape mismatch: objects cannot be broadcast to a single shape: {[tuple(np.atleast_1d(s)) for s in shapes]}"
        ) from None


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """Each tensor expanded to the common broadcast shape (views; gradients sum back)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [_t(t) for t in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(t.expand(*shape) for t in ts)


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Dimensions ``source`` moved to positions ``destination``, the others in their order."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same number "
            f"of dims as destination ({dst} dims)"
        )
    src = [_wrap_dim(s, x.ndim, "movedim") for s in src]
    dst = [_wrap_dim(s, x.ndim, "movedim") for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src}) or `destination` ({dst})")
    order = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return x.permute(*order) if x.ndim else x


# ---- searching and counting (int64 or bool results, no gradient) -----------------------------------


def searchsorted(
    sorted_sequence: Tensor,
    values: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """For each value, the index where it would be inserted into the last dimension of
    ``sorted_sequence`` to keep it sorted: before equal entries (after them with ``right``
    or ``side='right'``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(
            seq, sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter), axis=-1
        )
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    how = "right" if right else "left"
    dt = np.int32 if out_int32 else np.int64
    if seq.ndim == 1:
        return _wrap(np.searchsorted(seq, v, side=how).astype(dt))
    if v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor {list(seq.shape)} "
            f"and input value tensor {list(v.shape)}"
        )
    below = seq[..., None, :] <= v[..., :, None] if right else seq[..., None, :] < v[..., :, None]
    return _wrap(below.sum(-1).astype(dt))  # how many entries of the row come before each value


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value: i with ``boundaries[i-1] < x <= boundaries[i]`` (``right``:
    ``boundaries[i-1] <= x < boundaries[i]``); ``boundaries`` is 1-D and sorted."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` occurs in ``test_elements`` (bool, ``elements``' shape)."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.asarray(np.isin(e, t, invert=invert)))


def count_nonzero(x: Tensor, dim: Any = None) -> Tensor:
    """How many entries are not zero (int64), over ``dim`` (an int or a tuple) or all."""
    if dim is None:
        return _wrap(np.asarray(np.count_nonzero(x._data), np.int64))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    axes = tuple(_wrap_dim(d, x.ndim, "count_nonzero") for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return _wrap(np.asarray(np.count_nonzero(x._data, axis=axes if x.ndim else None), np.int64))
