"""PyTorch functions composed from the other ops, so each needs no backward of its own:
``lerp addcmul addcdiv logaddexp logaddexp2 logit xlogy hypot float_power deg2rad rad2deg
nan_to_num cdist diff repeat_interleave tile take_along_dim rot90 index_add index_fill
index_copy meshgrid hstack vstack dstack column_stack atleast_1d/2d/3d tensor_split
broadcast_tensors movedim``, and the index- or bool-valued ``searchsorted bucketize isin
count_nonzero heaviside signbit`` (no gradient).

Each function states its math in its docstring; the gradient follows from the ops it is made of.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Size, Tensor, _wrap_dim, where
from . import linalg, movement, selection

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
    if dim is not None and x.ndim == 0:
        raise IndexError(f"repeat_interleave(): dimension {dim} out of range for a 0-d tensor")
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


# ---- more elementwise functions ---------------------------------------------------------------------


def _floating(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind == "f" else x.float()


def xlogy(x: Any, y: Any) -> Tensor:
    """``x * log(y)``, and 0 where x = 0 (unless y is NaN): the entropy term; d/dx = log y
    (0 where x = 0), d/dy = x / y."""
    x, y = _t(x), _t(y)
    if x._data.dtype.kind != "f" and y._data.dtype.kind != "f":
        x = x.float()
    zero = (x._data == 0) & ~np.isnan(y._data)
    safe_y = where(_wrap(zero), 1, y) if zero.any() else y  # log(1) = 0: no 0 * log 0, no 0/0 gradient
    return x * safe_y.log()


def hypot(a: Any, b: Any) -> Tensor:
    """``sqrt(a^2 + b^2)``, the length of the hypotenuse."""
    a, b = _t(a), _t(b)
    _float_only(a, "hypot_cpu")
    return (a * a + b * b).sqrt()


def float_power(x: Any, exponent: Any) -> Tensor:
    """``x ** exponent`` computed in float64 (both operands are cast first)."""
    x = _t(x).double()
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return x.pow(e)


def deg2rad(x: Tensor) -> Tensor:
    """Degrees to radians: ``x * pi / 180``."""
    return _floating(x) * (np.pi / 180)


def rad2deg(x: Tensor) -> Tensor:
    """Radians to degrees: ``x * 180 / pi``."""
    return _floating(x) * (180 / np.pi)


def heaviside(x: Tensor, values: Any) -> Tensor:
    """The step function: 0 where x < 0, 1 where x > 0, ``values`` where x == 0 (no gradient)."""
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    if isinstance(values, Tensor) and v.dtype != x._data.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes ({x.dtype} and {values.dtype})"
        )
    a = x._data
    return _wrap(np.where(a == 0, v, a > 0).astype(a.dtype))


def signbit(x: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, -0.0 and -NaN."""
    return _wrap(np.asarray(np.signbit(x._data)))


# ---- more indexing and reshaping ---------------------------------------------------------------------


def rot90(x: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``dims``, from the first towards the second."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = (_wrap_dim(d, x.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return x.flip(d1).transpose(d0, d1)
    if k == 2:
        return x.flip(d0, d1)
    if k == 3:
        return x.flip(d0).transpose(d0, d1)
    return x.clone()


def _along(index: Any, x: Tensor, dim: int, op: str) -> tuple[int, np.ndarray]:
    """A 1-D int index of entries along ``dim`` of ``x``, checked as PyTorch checks it."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index, got {index.dtype}")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape {tuple(index.shape)}")
    d = _wrap_dim(dim, x.ndim, op)
    n = x._data.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(
            f"{op}(): index out of range in self (an index is outside [-{n}, {n}) along dim {d})"
        )
    return d, np.where(idx < 0, idx + n, idx).reshape(-1).astype(np.int64)


def _index_grid(idx: np.ndarray, shape: tuple[int, ...], d: int) -> np.ndarray:
    """``idx`` along ``d``, repeated over the other dims of ``shape`` (a scatter index)."""
    view = [1] * len(shape)
    view[d] = idx.size
    return np.broadcast_to(idx.reshape(view), shape).copy()


def index_add(x: Tensor, dim: int, index: Any, source: Any, alpha: float = 1) -> Tensor:
    """``x`` with ``alpha * source[i]`` added to slice ``index[i]`` along ``dim`` (repeats add up)."""
    d, idx = _along(index, x, dim, "index_add")
    source = _t(source)
    want = tuple(idx.size if i == d else n for i, n in enumerate(x.shape))
    if tuple(source.shape) != want and not (x.ndim == 0 and source.numel() == idx.size):
        raise RuntimeError(
            f"index_add_(): source of shape {tuple(source.shape)} should have shape {want} "
            f"(the input's, with {idx.size} entries along dim {d})"
        )
    if x.ndim == 0:
        return x + (source.sum() * alpha if alpha != 1 else source.sum())
    src = source * alpha if alpha != 1 else source
    return selection.scatter_add(x, d, _wrap(_index_grid(idx, want, d)), src)


def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """``x`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d tensor)."""
    d, idx = _along(index, x, dim, "index_fill")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(
            f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s)."
        )
    mask = np.zeros(x._data.shape[d] if x.ndim else 1, bool)
    mask[idx] = True
    view = [1] * x.ndim
    if x.ndim:
        view[d] = mask.size
    return where(_wrap(mask.reshape(view)), value, x)


def index_copy(x: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """``x`` with slice ``index[i]`` along ``dim`` replaced by ``source[i]``."""
    d, idx = _along(index, x, dim, "index_copy")
    if source.ndim == x.ndim and x.ndim and source.shape[d] != idx.size:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) ({source.shape[d]})"
        )
    want = tuple(idx.size if i == d else n for i, n in enumerate(x.shape))
    if tuple(source.shape) != want:
        raise RuntimeError(
            f"index_copy_(): source of shape {tuple(source.shape)} should have shape {want} "
            f"(the input's, with {idx.size} entries along dim {d})"
        )
    return selection.scatter(x, d, _wrap(_index_grid(idx, want, d)), source)


def tensor_split(x: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views split along ``dim``: into n parts of near-equal size (the first ``size % n`` one
    longer), or at the given indices."""
    if x.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _wrap_dim(dim, x.ndim, "tensor_split")
    size = x._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    if isinstance(spec, (int, np.integer)):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        small, extra = divmod(size, int(spec))
        lengths = [small + 1] * extra + [small] * (int(spec) - extra)
        bounds = np.cumsum([0, *lengths])
    else:
        cuts = [min(max(int(i) if i >= 0 else int(i) + size, 0), size) for i in spec]
        bounds = [0, *cuts, size]
    return tuple(x.narrow(d, int(a), max(int(b) - int(a), 0)) for a, b in itertools.pairwise(bounds))


def _split_even(x: Tensor, spec: Any, dim: int, op: str) -> tuple[Tensor, ...]:
    if isinstance(spec, int) and x._data.shape[dim] % spec:
        raise RuntimeError(
            f"torch.{op} attempted to split along dimension {dim}, but the size of the dimension "
            f"{x._data.shape[dim]} is not divisible by the split_size {spec}!"
        )
    return tensor_split(x, spec, dim)


def hsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 1 (dim 0 of a 1-D tensor); a number must divide the size."""
    if x.ndim < 1:
        raise RuntimeError(
            f"torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with {x.ndim} dimensions!"
        )
    return _split_even(x, sections, 1 if x.ndim > 1 else 0, "hsplit")


def vsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 0; a number must divide the size."""
    if x.ndim < 2:
        raise RuntimeError(
            f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with {x.ndim} dimensions!"
        )
    return _split_even(x, sections, 0, "vsplit")


def dsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 2; a number must divide the size."""
    if x.ndim < 3:
        raise RuntimeError(
            f"torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with {x.ndim} dimensions!"
        )
    return _split_even(x, sections, 2, "dsplit")


def sinc(x: Tensor) -> Tensor:
    """The normalised sinc, sin(pi x) / (pi x), with its limit 1 (and gradient 0) at x = 0."""
    x = _floating(x)
    zero = _wrap(x._data == 0)
    safe = where(zero, 1.0, x) * np.pi  # (no 0/0 in the value or the gradient)
    return where(zero, 1.0, safe.sin() / safe)


def copysign(x: Tensor, other: Any) -> Tensor:
    """|x| with the sign bit of ``other``; the gradient reaches ``x`` only (0 where x = 0)."""
    o = other._data if isinstance(other, Tensor) else np.asarray(other)
    x = _floating(x)
    sign = _wrap(np.where(np.signbit(o), -1, 1).astype(x._data.dtype))
    return x.abs() * sign
