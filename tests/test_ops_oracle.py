"""An independent oracle for every forward value of the op table, without torch.

``test_ops.py``'s ``OPS`` table runs each case through a module ``m``. Here ``m`` is
``reference``: a small NumPy implementation of just the Tensor API the table uses,
written from each op's definition (softmax is ``e^x / sum e^x``, ``var`` divides
by ``N - correction``, ``argmax`` returns the first maximum as int64, comparisons
return bool, ...). It never calls tinygrad_np. Every row's value, dtype and shape
from tinygrad_np must equal the reference's, in float32 and float64; a row the
reference cannot run (a method it lacks) fails, so a new op needs its reference.
"""

from __future__ import annotations

import builtins
import math
import types
from collections import namedtuple
from typing import Any

import numpy as np
import pytest
from test_ops import OPS, Case

import tinygrad_np as tg

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])  # max/min/sort/topk results
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(d % max(ndim, 1) for d in dims)


def _v(x: Any) -> Any:
    return x.a if isinstance(x, Ref) else x


def _float(a: np.ndarray) -> np.ndarray:
    """PyTorch's rule for float-valued ops: bool and integer inputs compute in float32."""
    return a if a.dtype.kind in "fc" else a.astype(np.float32)


class Ref:
    """A NumPy array with the Tensor methods the op table uses, each from its definition."""

    __array_ufunc__ = None  # ndarray op Ref -> Ref's reflected operator

    def __init__(self, a: Any) -> None:
        self.a = np.asarray(a)

    # ---- operators (NumPy's own rules give PyTorch's for these dtypes) ----
    def __add__(self, o):
        return Ref(self.a + _v(o))

    def __radd__(self, o):
        return Ref(_v(o) + self.a)

    def __sub__(self, o):
        return Ref(self.a - _v(o))

    def __rsub__(self, o):
        return Ref(_v(o) - self.a)

    def __mul__(self, o):
        return Ref(self.a * _v(o))

    def __rmul__(self, o):
        return Ref(_v(o) * self.a)

    def __truediv__(self, o):
        return Ref(self.a / _v(o))

    def __rtruediv__(self, o):
        return Ref(_v(o) / self.a)

    def __pow__(self, o):
        return Ref(self.a ** _v(o))

    def __rpow__(self, o):
        return Ref(_v(o) ** self.a)

    def __mod__(self, o):
        return Ref(self.a - np.floor(self.a / _v(o)) * _v(o))  # sign of the divisor

    def __matmul__(self, o):
        return Ref(np.matmul(self.a, _v(o)))

    def __neg__(self):
        return Ref(-self.a)

    def __abs__(self):
        return Ref(np.abs(self.a))

    def __eq__(self, o):
        return Ref(self.a == _v(o))

    def __ne__(self, o):
        return Ref(self.a != _v(o))

    def __lt__(self, o):
        return Ref(self.a < _v(o))

    def __le__(self, o):
        return Ref(self.a <= _v(o))

    def __gt__(self, o):
        return Ref(self.a > _v(o))

    def __ge__(self, o):
        return Ref(self.a >= _v(o))

    __hash__ = None

    def __iadd__(self, o):
        return self.__add__(o)

    def __isub__(self, o):
        return self.__sub__(o)

    def __imul__(self, o):
        return self.__mul__(o)

    def __itruediv__(self, o):
        return self.__truediv__(o)

    def __getitem__(self, i):
        return Ref(self.a[_index(i)])

    def __setitem__(self, i, v):
        self.a = self.a.copy()
        self.a[_index(i)] = _v(v)

    # ---- attributes ----
    @property
    def ndim(self):
        return self.a.ndim

    @property
    def shape(self):
        return self.a.shape

    @property
    def dtype(self):
        return self.a.dtype

    @property
    def T(self):
        return Ref(self.a.T)

    @property
    def mT(self):
        return Ref(np.swapaxes(self.a, -1, -2))

    # ---- elementwise ----
    def exp(self):
        return Ref(np.exp(self.a))

    def log(self):
        return Ref(np.log(self.a))

    def sqrt(self):
        return Ref(np.sqrt(self.a))

    def sin(self):
        return Ref(np.sin(self.a))

    def cos(self):
        return Ref(np.cos(self.a))

    def tanh(self):
        return Ref(np.tanh(self.a))

    def sigmoid(self):
        return Ref(1 / (1 + np.exp(-self.a)))

    def relu(self):
        return Ref(np.where(self.a > 0, self.a, 0).astype(self.a.dtype))

    def abs(self):
        return Ref(np.abs(self.a))

    def neg(self):
        return Ref(-self.a)

    def square(self):
        return Ref(self.a * self.a)

    def rsqrt(self):
        return Ref(1 / np.sqrt(_float(self.a)))

    def reciprocal(self):
        return Ref(1 / _float(self.a))

    def floor(self):
        return Ref(np.floor(self.a))

    def ceil(self):
        return Ref(np.ceil(self.a))

    def round(self, decimals=0):
        a = self.a
        if decimals == 0:
            return Ref(np.round(a))  # half to even, as PyTorch
        scale = a.dtype.type(10.0 ** abs(decimals))  # PyTorch: nearbyint(x * 10^d) / 10^d, in x's dtype
        return Ref(np.rint(a * scale) / scale if decimals > 0 else np.rint(a / scale) * scale)

    def sub(self, o):
        return self - o

    def clamp(self, min=None, max=None):
        out = self.a
        if min is not None:
            out = np.where(out < _v(min), _v(min), out)
        if max is not None:
            out = np.where(out > _v(max), _v(max), out)
        return Ref(out.astype(self.a.dtype))

    clip = clamp

    # ---- more elementwise: logs and exps in other bases, signs, parts of a number ----
    def log2(self):
        return Ref(np.log2(_float(self.a)))

    def log10(self):
        return Ref(np.log10(_float(self.a)))

    def log1p(self):
        return Ref(np.log1p(_float(self.a)))  # log(1 + x), accurate near 0

    def expm1(self):
        return Ref(np.expm1(_float(self.a)))  # e^x - 1, accurate near 0

    def exp2(self):
        return Ref(np.exp2(_float(self.a)))

    # ---- trigonometric and hyperbolic functions from their definitions, in float64 ----
    def _f64(self, fn):
        a = _float(self.a)
        return Ref(fn(a.astype(np.float64)).astype(a.dtype))

    def tan(self):
        return self._f64(lambda a: np.sin(a) / np.cos(a))

    def asin(self):
        return self._f64(lambda a: np.arctan(a / np.sqrt(1 - a * a)))  # the angle with sine a

    def acos(self):
        return self._f64(lambda a: np.pi / 2 - np.arctan(a / np.sqrt(1 - a * a)))

    def atan(self):
        return self._f64(np.arctan)

    def atan2(self, other):
        def angle(y):  # 2 atan(y / (r + x)), the half-angle form, r = |(x, y)|
            x = _v(other).astype(np.float64)
            return 2 * np.arctan(y / (np.sqrt(x * x + y * y) + x))

        return self._f64(angle)

    def sinh(self):
        return self._f64(lambda a: (np.exp(a) - np.exp(-a)) / 2)

    def cosh(self):
        return self._f64(lambda a: (np.exp(a) + np.exp(-a)) / 2)

    def asinh(self):
        return self._f64(lambda a: np.sign(a) * np.log(np.abs(a) + np.sqrt(a * a + 1)))  # odd

    def acosh(self):
        return self._f64(lambda a: np.log(a + np.sqrt(a * a - 1)))

    def atanh(self):
        return self._f64(lambda a: 0.5 * np.log((1 + a) / (1 - a)))

    arcsin, arccos, arctan, arctan2, arcsinh, arccosh, arctanh = asin, acos, atan, atan2, asinh, acosh, atanh
    tan_, asin_, cosh_, atan2_, arccosh_ = tan, asin, cosh, atan2, acosh

    # ---- picking by position or rank: index_select is a take; rank k from a stable sort, NaN last ----
    def index_select(self, dim, index):
        return Ref(np.take(self.a, np.reshape(_v(index), -1), axis=dim))

    def _rank(self, k, dim, keepdim, nan_wins=False):
        key = np.where(np.isnan(self.a), np.inf, self.a) if self.a.dtype.kind == "f" else self.a
        rank = np.argsort(
            np.argsort(key, axis=dim, kind="stable"), axis=dim, kind="stable"
        )  # each one's rank
        idx = np.argmax(rank == k, axis=dim, keepdims=True)
        if nan_wins and self.a.dtype.kind == "f":  # the median of a slice with NaN is its first NaN
            nan = np.isnan(self.a)
            idx = np.where(nan.any(axis=dim, keepdims=True), np.argmax(nan, axis=dim, keepdims=True), idx)
        values = np.take_along_axis(self.a, idx, axis=dim)
        if not keepdim:
            values, idx = np.squeeze(values, dim), np.squeeze(idx, dim)
        return ValuesIndices(Ref(values), Ref(idx.astype(np.int64)))

    def median(self, dim=None, keepdim=False):
        if dim is None:
            flat = np.sort(self.a.reshape(-1))  # NaN sorts last: any NaN makes the median NaN
            return Ref(flat[-1] if np.isnan(flat[-1]) else flat[(flat.size - 1) // 2])
        return self._rank((self.a.shape[dim] - 1) // 2, dim, keepdim, nan_wins=True)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return self._rank(k - 1, dim, keepdim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        a = self.a.reshape(-1) if dim is None else np.moveaxis(self.a, dim, 0)
        same = [i > 0 and np.array_equal(a[i], a[i - 1]) for i in range(len(a))]
        run = np.cumsum([not s for s in same]) - 1
        keep = [i for i, s in enumerate(same) if not s]
        out = [Ref(a[keep] if dim is None else np.moveaxis(a[keep], 0, dim))]
        if return_inverse:
            out.append(Ref(run.reshape(self.a.shape if dim is None else -1).astype(np.int64)))
        if return_counts:
            out.append(Ref(np.bincount(run).astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def sign(self):
        """(x > 0) - (x < 0): 0 for NaN, as PyTorch; a bool is its own sign."""
        if self.a.dtype == bool:
            return Ref(self.a)
        return Ref((self.a > 0).astype(self.a.dtype) - (self.a < 0).astype(self.a.dtype))

    sgn = sign  # the same for real numbers

    def trunc(self):
        return Ref(np.trunc(self.a))

    def frac(self):
        return Ref(self.a - np.trunc(self.a))  # x - trunc(x): keeps the sign of x

    def long(self):
        return Ref(self.a.astype(np.int64))

    # ---- in-place forms: the out-of-place value written into self ----
    def log10_(self):
        self.a = self.log10().a
        return self

    def floor_(self):
        self.a = self.floor().a
        return self

    def expm1_(self):
        self.a = self.expm1().a
        return self

    def tril_(self, diagonal=0):
        self.a = self.tril(diagonal).a
        return self

    # ---- triangles: keep (i, j) of the last two dims where j - i <= k (tril) or >= k (triu) ----
    def _band(self, keep):
        i = np.arange(self.shape[-2])[:, None]
        j = np.arange(self.shape[-1])[None, :]
        return Ref(np.where(keep(j - i), self.a, np.zeros_like(self.a)))

    def tril(self, diagonal=0):
        return self._band(lambda d: d <= diagonal)

    def triu(self, diagonal=0):
        return self._band(lambda d: d >= diagonal)

    # ---- diagonals: element (i, i + offset) of two dims, moved to the last dim ----
    def diagonal(self, offset=0, dim1=0, dim2=1):
        a = np.moveaxis(self.a, (dim1, dim2), (-2, -1))
        rows, cols = a.shape[-2:]
        start = max(0, -offset)
        i = np.arange(start, max(start, min(rows, cols - offset)))
        return Ref(a[..., i, i + offset])

    def diag(self, diagonal=0):
        if self.ndim == 2:
            return self.diagonal(diagonal)
        n = self.shape[0] + abs(diagonal)
        out = np.zeros((n, n), self.a.dtype)
        i = np.arange(self.shape[0])
        out[i + max(0, -diagonal), i + max(0, diagonal)] = self.a
        return Ref(out)

    def trace(self):
        return Ref(self.diagonal().a.sum())

    # ---- norms: (sum |x|^p)^(1/p) and its limits; matrix norms from row/column sums or singular values ----
    def norm(self, p="fro", dim=None, keepdim=False):
        if p == "nuc":
            return _matrix_norm(self.a, "nuc", (0, 1) if dim is None else dim, keepdim)
        return _vector_norm(self.a, 2 if p == "fro" else p, dim, keepdim)

    # ---- sorting: a stable sort where NaN is the largest value, indices int64 ----
    def sort(self, dim=-1, descending=False, stable=False):
        key = self.a.astype(np.int64) if self.a.dtype == bool else self.a
        if descending:  # NaNs first, then the others from largest to smallest; ties keep their order
            idx = np.lexsort((-key, ~np.isnan(key)), axis=dim)
        else:  # NumPy's stable sort already puts NaNs last
            idx = np.argsort(key, axis=dim, kind="stable")
        idx = idx.astype(np.int64)
        return ValuesIndices(Ref(np.take_along_axis(self.a, idx, axis=dim)), Ref(idx))

    def argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending, stable).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):
        values, indices = self.sort(dim, descending=largest)
        first = range(k)
        return ValuesIndices(
            Ref(np.take(values.a, first, axis=dim)), Ref(np.take(indices.a, first, axis=dim))
        )

    # ---- reordering: flip reverses dims; roll moves element i to (i + shift) mod n ----
    def flip(self, dims):
        dims = dims if isinstance(dims, (tuple, list)) else (dims,)
        index = [slice(None)] * self.ndim
        for d in dims:
            index[d] = slice(None, None, -1)
        return Ref(self.a[tuple(index)])

    def roll(self, shifts, dims=None):
        if dims is None:
            return Ref(Ref(self.a.reshape(-1)).roll(shifts, 0).a.reshape(self.shape))
        pairs = zip(shifts, dims) if isinstance(shifts, (tuple, list)) else [(shifts, dims)]
        a = self.a
        for s, d in pairs:
            a = np.take(a, (np.arange(a.shape[d]) - s) % a.shape[d], axis=d)
        return Ref(a)

    # ---- selection by mask: positions of non-zeros in row-major order (int64), masked values ----
    def nonzero(self, as_tuple=False):
        flat = self.a.reshape(-1) != 0
        positions = np.indices(self.shape, np.int64).reshape(self.ndim, -1)[:, flat]
        if as_tuple:
            return tuple(Ref(p) for p in positions)
        return Ref(positions.T.reshape(-1, self.ndim))

    def masked_select(self, mask):
        a, keep = np.broadcast_arrays(self.a, _v(mask))
        return Ref(a[keep])

    # ---- counting: sorted distinct values (or slices), where each element went, how often ----
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        if dim is None:
            values = np.array(builtins.sorted(set(self.a.reshape(-1).tolist())), self.a.dtype)
            equal = self.a[..., None] == values  # element vs each distinct value
            inverse, counts = equal.argmax(-1), equal.reshape(-1, len(values)).sum(0)
        else:
            slices = np.moveaxis(self.a, dim, 0)
            keys = [tuple(s.reshape(-1).tolist()) for s in slices]
            distinct = builtins.sorted(set(keys))
            values = np.moveaxis(np.stack([slices[keys.index(k)] for k in distinct]), 0, dim)
            inverse = np.array([distinct.index(k) for k in keys])
            counts = np.array([keys.count(k) for k in distinct])
        out = (Ref(values),)
        out += (Ref(inverse.astype(np.int64)),) if return_inverse else ()
        out += (Ref(counts.astype(np.int64)),) if return_counts else ()
        return out if len(out) > 1 else out[0]

    # ---- tests of values: bool results ----
    def isnan(self):
        return Ref(self.a != self.a)  # NaN is the only value unequal to itself

    def isinf(self):
        return Ref(np.abs(self.a) == np.inf)

    def isfinite(self):
        return Ref((self.a == self.a) & (np.abs(self.a) != np.inf))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        a, b = self.a, _v(other)
        close = (a == b) | (np.abs(a - b) <= atol + rtol * np.abs(b))
        return Ref(close | (equal_nan & (a != a) & (b != b)))

    def any(self, dim=None, keepdim=False):
        return Ref(np.any(self.a != 0, axis=_axes(dim, self.ndim) if self.ndim else None, keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        return Ref(np.all(self.a != 0, axis=_axes(dim, self.ndim) if self.ndim else None, keepdims=keepdim))

    # ---- reductions ----
    def sum(self, dim=None, keepdim=False, dtype=None):
        a = self.a if dtype is None else self.a.astype(dtype)
        return Ref(np.sum(a, axis=_axes(dim, a.ndim) if a.ndim else None, keepdims=keepdim))

    def mean(self, dim=None, keepdim=False):
        ax = _axes(dim, self.ndim) if self.ndim else None
        n = math.prod(self.shape[i] for i in ax) if ax else 1
        return Ref(self.sum(dim, keepdim).a / self.a.dtype.type(n))

    def var(self, dim=None, keepdim=False, correction=1):
        ax = _axes(dim, self.ndim)
        n = math.prod(self.shape[i] for i in ax)
        dev = self.a - self.a.mean(axis=ax, keepdims=True)
        return Ref((dev * dev).sum(axis=ax, keepdims=keepdim) / self.a.dtype.type(n - correction))

    def std(self, dim=None, keepdim=False):
        return Ref(np.sqrt(self.var(dim, keepdim).a))

    def amax(self, dim=None, keepdim=False):
        return Ref(np.max(self.a, axis=_axes(dim, self.ndim) if self.ndim else None, keepdims=keepdim))

    def amin(self, dim=None, keepdim=False):
        return Ref(np.min(self.a, axis=_axes(dim, self.ndim) if self.ndim else None, keepdims=keepdim))

    def prod(self, dim=None, keepdim=False):
        return Ref(np.prod(self.a, axis=None if dim is None or not self.ndim else dim, keepdims=keepdim))

    def logsumexp(self, dim, keepdim=False):
        ax = _axes(dim, self.ndim) if self.ndim else None
        return Ref(np.log(np.sum(np.exp(self.a), axis=ax, keepdims=keepdim)))

    def _arg(self, f, dim, keepdim):
        if dim is None:
            i = np.asarray(f(self.a.reshape(-1)), np.int64)
            return Ref(i.reshape((1,) * self.ndim) if keepdim else i)
        if self.ndim == 0:
            return Ref(np.int64(0))
        i = f(self.a, axis=dim).astype(np.int64)  # the first extreme, as PyTorch
        return Ref(np.expand_dims(i, dim) if keepdim else i)

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, Ref):
            return Ref(np.maximum(self.a, dim.a))
        if dim is None:
            return Ref(self.a.max())
        return ValuesIndices(self.amax(dim, keepdim), self.argmax(dim, keepdim))

    def min(self, dim=None, keepdim=False):
        if dim is None:
            return Ref(self.a.min())
        return ValuesIndices(self.amin(dim, keepdim), self.argmin(dim, keepdim))

    def softmax(self, dim, dtype=None):
        a = self.a if dtype is None else self.a.astype(dtype)
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        return Ref(e / e.sum(axis=dim, keepdims=True))

    def log_softmax(self, dim):
        return Ref(np.log(self.softmax(dim).a))

    def cumsum(self, dim, dtype=None):
        return Ref(np.cumsum(_accumulate_input(self.a, dtype), axis=dim))

    def cumprod(self, dim, dtype=None):
        return Ref(np.cumprod(_accumulate_input(self.a, dtype), axis=dim))

    # ---- shape and movement ----
    def reshape(self, *shape):
        return Ref(self.a.reshape(shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape))

    view = reshape

    def flatten(self, start_dim=0):
        if self.ndim == 0:
            return Ref(self.a.reshape(1))
        return Ref(self.a.reshape(self.shape[:start_dim] + (-1,)))

    def squeeze(self, dim=None):
        if dim is None:
            return Ref(np.squeeze(self.a))
        return Ref(np.squeeze(self.a, dim) if self.shape[dim] == 1 else self.a)

    def unsqueeze(self, dim):
        return Ref(np.expand_dims(self.a, dim))

    def transpose(self, d0, d1):
        return Ref(np.swapaxes(self.a, d0, d1))

    swapaxes = transpose

    def t(self):
        return Ref(self.a.T)

    def permute(self, *dims):
        return Ref(np.transpose(self.a, dims))

    def expand(self, *shape):
        lead = len(shape) - self.ndim
        full = tuple(s if s != -1 else self.shape[i - lead] for i, s in enumerate(shape))
        return Ref(np.broadcast_to(self.a, full))

    def expand_as(self, o):
        return Ref(np.broadcast_to(self.a, o.shape))

    def view_as(self, o):
        return Ref(self.a.reshape(o.shape))

    def clone(self):
        return Ref(self.a.copy())

    def to(self, dtype):
        return Ref(self.a.astype(dtype))

    def repeat(self, *reps):
        return Ref(np.tile(self.a, reps))

    def masked_fill(self, mask, v):
        return Ref(np.where(_v(mask), v, self.a).astype(self.a.dtype))

    def narrow(self, dim, start, length):
        return Ref(np.take(self.a, range(start, start + length), axis=dim))

    def select(self, dim, i):
        return Ref(np.take(self.a, i, axis=dim))

    def unbind(self, dim):
        return tuple(Ref(np.take(self.a, i, axis=dim)) for i in range(self.shape[dim]))

    def unflatten(self, dim, sizes):
        return Ref(self.a.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1 :]))

    def split(self, size, dim=0):
        n = self.shape[dim]
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if isinstance(size, int) else size
        edges = np.cumsum(sizes)[:-1]
        return tuple(Ref(p) for p in np.split(self.a, edges, axis=dim))

    def chunk(self, chunks, dim=0):
        return self.split(-(-self.shape[dim] // chunks), dim)

    def gather(self, dim, index):
        return Ref(np.take_along_axis(self.a, _v(index), axis=dim))

    def matmul(self, o):
        return self @ o

    mm = matmul

    def dot(self, o):
        return Ref(np.sum(self.a * o.a))


def _index(i: Any) -> Any:
    if isinstance(i, tuple):
        return tuple(_v(k) for k in i)
    return _v(i)


def _accumulate_input(a: np.ndarray, dtype: Any) -> np.ndarray:
    """cumsum/cumprod: cast to ``dtype`` first; without one, bool and integers accumulate in int64."""
    if dtype is not None:
        return a.astype(dtype)
    return a.astype(np.int64) if a.dtype.kind in "biu" else a


def _vector_norm(a: np.ndarray, ord: Any, dim: Any, keepdim: bool) -> Ref:
    """``(sum |x|^p)^(1/p)`` over ``dim``; p = inf/-inf is max/min |x|, p = 0 counts non-zeros."""
    ax = _axes(dim, a.ndim) if a.ndim else None
    m = np.abs(_float(a))
    if ord == math.inf:
        return Ref(m.max(axis=ax, keepdims=keepdim))
    if ord == -math.inf:
        return Ref(m.min(axis=ax, keepdims=keepdim))
    if ord == 0:
        return Ref((m != 0).sum(axis=ax, keepdims=keepdim).astype(m.dtype))
    return Ref((m**ord).sum(axis=ax, keepdims=keepdim) ** (1 / ord))


def _singular_values(a: np.ndarray) -> np.ndarray:
    """Singular values of the last two dims, largest first: square roots of the eigenvalues of the
    smaller Gram matrix A A^T or A^T A (not an SVD, so not the route a library would take)."""
    a64 = a.astype(np.float64)
    at = np.swapaxes(a64, -1, -2)
    gram = a64 @ at if a.shape[-2] <= a.shape[-1] else at @ a64
    eig = np.linalg.eigvalsh(gram)[..., ::-1]
    return np.sqrt(np.clip(eig, 0, None)).astype(a.dtype)


def _matrix_norm(a: np.ndarray, ord: Any, dim: Any, keepdim: bool) -> Ref:
    """Frobenius ``sqrt(sum x^2)``; 1/-1: max/min column sum of |x|; inf/-inf: max/min row sum;
    2/-2: largest/smallest singular value; "nuc": sum of singular values."""
    d0, d1 = (d % a.ndim for d in dim)
    m = np.abs(a)
    if ord == "fro":
        out = np.sqrt((m * m).sum(axis=(d0, d1), keepdims=True))
    elif ord in (1, -1):
        col_sums = m.sum(axis=d0, keepdims=True)
        out = col_sums.max(axis=d1, keepdims=True) if ord == 1 else col_sums.min(axis=d1, keepdims=True)
    elif ord in (math.inf, -math.inf):
        row_sums = m.sum(axis=d1, keepdims=True)
        out = row_sums.max(axis=d0, keepdims=True) if ord > 0 else row_sums.min(axis=d0, keepdims=True)
    else:
        sv = _singular_values(np.moveaxis(a, (d0, d1), (-2, -1)))
        total = {"nuc": sv.sum(-1), 2: sv[..., 0], -2: sv[..., -1]}[ord]
        out = np.expand_dims(total, (d0, d1))
    return Ref(out if keepdim else np.squeeze(out, (d0, d1)))


def _linalg_norm(x: Ref, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Ref:
    """``linalg.norm``: a vector norm over one dim (or of the flattened input), a matrix norm over two."""
    if dim is None and ord is None:
        return (
            _vector_norm(x.a.reshape(-1), 2, None, False) if not keepdim else _vector_norm(x.a, 2, None, True)
        )
    dims = _axes(dim, x.ndim) if dim is not None else tuple(range(x.ndim))
    if len(dims) == 2:
        return _matrix_norm(x.a, "fro" if ord is None else ord, dims, keepdim)
    return _vector_norm(x.a, 2 if ord is None else ord, dims, keepdim)


def _bincount(x: Ref, weights: Any = None, minlength: int = 0) -> Ref:
    """``out[k]`` = how many times k occurs (int64), or the sum of the weights where it occurs."""
    a = x.a.reshape(-1)
    n = max(int(a.max()) + 1 if a.size else 0, minlength)
    hits = a[None, :] == np.arange(n)[:, None]
    if weights is None:
        return Ref(hits.sum(1).astype(np.int64))
    w = _v(weights)
    return Ref((hits * w).sum(1).astype(w.dtype))


def _einsum(equation: str, *operands: Any) -> Ref:
    """NumPy's einsum is the definition; PyTorch also takes the operands as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return Ref(np.einsum(equation, *[_v(o) for o in operands]))


def _pad(x: Ref, pad: tuple[int, ...], value: float = 0.0) -> Ref:
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    return Ref(np.pad(x.a, widths, constant_values=value))


def _gelu(x: Ref, approximate: str = "none") -> Ref:
    a = x.a
    if approximate == "tanh":
        return Ref(0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))))
    erf = np.vectorize(math.erf, otypes=[np.float64])(a.astype(np.float64) / math.sqrt(2))
    return Ref((0.5 * a * (1 + erf)).astype(a.dtype))


def _softplus(x: Ref, beta: float = 1.0, threshold: float = 20.0) -> Ref:
    a = x.a
    soft = np.log1p(np.exp(beta * a)) / beta
    return Ref(np.where(beta * a > threshold, a, soft).astype(a.dtype))


reference = types.SimpleNamespace(
    __name__="reference",
    float64=np.float64,
    tensor=lambda data, dtype=None: Ref(
        np.asarray(data, dtype)
        if dtype is not None
        else np.asarray(data, np.float32)
        if np.asarray(data).dtype.kind == "f"
        else np.asarray(data)
    ),
    maximum=lambda x, y: Ref(np.maximum(_v(x), _v(y))),
    minimum=lambda x, y: Ref(np.minimum(_v(x), _v(y))),
    where=lambda c, x=None, y=None: (
        c.nonzero(as_tuple=True) if x is None else Ref(np.where(_v(c), _v(x), _v(y)))
    ),
    add=lambda x, y: x + y,
    mul=lambda x, y: x * y,
    pow=lambda x, y: x**y,
    exp=lambda x: x.exp(),
    sigmoid=lambda x: x.sigmoid(),
    tanh=lambda x: x.tanh(),
    clamp=lambda x, min=None, max=None: x.clamp(min, max),  # noqa: A006
    softmax=lambda x, dim, dtype=None: x.softmax(dim, dtype),
    log_softmax=lambda x, dim: x.log_softmax(dim),
    argmin=lambda x, dim=None, keepdim=False: x.argmin(dim, keepdim),
    broadcast_to=lambda x, shape: Ref(np.broadcast_to(x.a, shape)),
    cat=lambda xs, dim=0: Ref(np.concatenate([x.a for x in xs], axis=dim)),
    stack=lambda xs, dim=0: Ref(np.stack([x.a for x in xs], axis=dim)),
    split=lambda x, size, dim=0: x.split(size, dim),
    chunk=lambda x, chunks, dim=0: x.chunk(chunks, dim),
    matmul=lambda x, y: x @ y,
    bmm=lambda x, y: x @ y,
    gather=lambda x, dim, index: x.gather(dim, index),
    cumsum=lambda x, dim, dtype=None: x.cumsum(dim, dtype),
    cumprod=lambda x, dim, dtype=None: x.cumprod(dim, dtype),
    max=lambda x, y=None: x.max(y),
    leaky_relu=lambda x, slope=0.01: Ref(np.where(x.a > 0, x.a, slope * x.a).astype(x.a.dtype)),
    gelu=_gelu,
    softplus=_softplus,
    pad=_pad,
    # elementwise functions of issue 13
    log10=lambda x: x.log10(),
    log1p=lambda x: x.log1p(),
    exp2=lambda x: x.exp2(),
    rsqrt=lambda x: x.rsqrt(),
    reciprocal=lambda x: x.reciprocal(),
    square=lambda x: x.square(),
    sgn=lambda x: x.sgn(),
    round=lambda x, decimals=0: x.round(decimals),
    # trigonometric and hyperbolic
    tan=lambda x: x.tan(),
    atan=lambda x: x.atan(),
    cosh=lambda x: x.cosh(),
    arcsin=lambda x: x.asin(),
    arcsinh=lambda x: x.asinh(),
    arccosh=lambda x: x.acosh(),
    arctanh=lambda x: x.atanh(),
    atan2=lambda y, x: y.atan2(x),
    arctan2=lambda y, x: y.atan2(x),
    # picking by position or rank
    index_select=lambda x, dim, index: x.index_select(dim, index),
    median=lambda x, *args, **kwargs: x.median(*args, **kwargs),
    kthvalue=lambda x, *args, **kwargs: x.kthvalue(*args, **kwargs),
    unique_consecutive=lambda x, *args, **kwargs: x.unique_consecutive(*args, **kwargs),
    int32=np.int32,
    # triangles, diagonals, products
    tril=lambda x, diagonal=0: x.tril(diagonal),
    triu=lambda x, diagonal=0: x.triu(diagonal),
    diag=lambda x, diagonal=0: x.diag(diagonal),
    diagonal=lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
    outer=lambda x, y: Ref(x.a[:, None] * y.a[None, :]),
    einsum=_einsum,
    # norms
    norm=lambda x, p="fro", dim=None, keepdim=False: x.norm(p, dim, keepdim),
    linalg=types.SimpleNamespace(
        norm=_linalg_norm,
        vector_norm=lambda x, ord=2, dim=None, keepdim=False: _vector_norm(x.a, ord, dim, keepdim),  # noqa: A006
        matrix_norm=lambda x, ord="fro", dim=(-2, -1), keepdim=False: _matrix_norm(x.a, ord, dim, keepdim),  # noqa: A006
        svdvals=lambda x: Ref(_singular_values(x.a)),
    ),
    # sorting and reordering
    sort=lambda x, dim=-1, descending=False, stable=False: x.sort(dim, descending, stable),
    topk=lambda x, *args, **kwargs: x.topk(*args, **kwargs),
    flip=lambda x, dims: x.flip(dims),
    roll=lambda x, shifts, dims=None: x.roll(shifts, dims),
    # selection and counting
    nonzero=lambda x, as_tuple=False: x.nonzero(as_tuple),
    argwhere=lambda x: x.nonzero(),
    masked_select=lambda x, mask: x.masked_select(mask),
    unique=lambda x, *args, **kwargs: x.unique(*args, **kwargs),
    bincount=_bincount,
    # tests of values
    isnan=lambda x: x.isnan(),
    isclose=lambda x, y, rtol=1e-05, atol=1e-08, equal_nan=False: x.isclose(y, rtol, atol, equal_nan),
    isfinite=lambda x: x.isfinite(),
    any=lambda x, dim=None, keepdim=False: x.any(dim, keepdim),
    all=lambda x, dim=None, keepdim=False: x.all(dim, keepdim),
)


def _flatten(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _assert_equal(case_id: str, ours: Any, expected: Any, tol: dict[str, float]) -> None:
    ours, expected = _flatten(ours), _flatten(expected)
    assert len(ours) == len(expected), case_id
    for o, e in zip(ours, expected):
        e = np.asarray(_v(e))
        got = o.detach().numpy() if isinstance(o, tg.Tensor) else np.asarray(o)
        assert got.shape == e.shape, case_id
        assert got.dtype == e.dtype, f"{case_id}: dtype {got.dtype}, reference {e.dtype}"
        if e.dtype.kind in "biu":
            np.testing.assert_array_equal(got, e, err_msg=case_id)
        else:
            np.testing.assert_allclose(got, e, **tol, err_msg=case_id)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_forward_value_dtype_and_shape_equal_the_reference(case: Case, dtype: Any) -> None:
    arrays = case.inputs(dtype)
    ours = case.fn(tg, *[tg.tensor(a) for a in arrays])
    with np.errstate(all="ignore"):
        expected = case.fn(reference, *[Ref(a.copy()) for a in arrays])
    _assert_equal(case.id, ours, expected, TOL[dtype])


# ---- inputs the float table does not draw: integers, bools, NaN, infinities, signed zeros and ties -------
INTS = np.array([[3, -1, 0, 2], [5, 5, -2, 1], [0, 4, 4, -3]], np.int64)
SPECIAL = np.array(
    [[1.5, np.nan, -0.5, 2.5], [np.inf, 0.25, -np.inf, 0.0], [-2.5, 3.5, 2.5, -0.0]], np.float32
)
SPECIAL_INPUTS = {
    # integer inputs: float-valued ops compute in float32, index results are int64, sums stay int64
    "log10-int": (INTS, lambda m, x: x.log10()),
    "log1p-int": (INTS, lambda m, x: m.log1p(x)),
    "exp2-int": (INTS, lambda m, x: m.exp2(x)),
    "rsqrt-int": (INTS, lambda m, x: x.rsqrt()),
    "reciprocal-int": (INTS, lambda m, x: x.reciprocal()),
    "sign-int": (INTS, lambda m, x: x.sign()),
    "round-int": (INTS, lambda m, x: x.round()),
    "triu-int": (INTS, lambda m, x: m.triu(x, 1)),
    "sort-int-ties": (INTS, lambda m, x: x.sort(dim=1, descending=True, stable=True)),
    "argsort-int-ties": (INTS, lambda m, x: x.argsort(dim=0, stable=True)),
    "topk-int": (INTS, lambda m, x: x.topk(2)[0]),
    "roll-int-negative": (INTS, lambda m, x: x.roll(-5)),
    "cumprod-int": (INTS, lambda m, x: x.cumprod(0)),
    "cumsum-int-dtype": (INTS, lambda m, x: x.cumsum(1, dtype=m.float64)),
    "diag-int": (INTS, lambda m, x: x.diag(1)),
    "trace-int": (INTS, lambda m, x: x.trace()),
    "einsum-int": (INTS, lambda m, x: m.einsum("ij,kj->ik", x, x)),
    "median-int-ties": (INTS, lambda m, x: (x.median(), *m.median(x, 1), *x.median(0))),
    "kthvalue-int": (INTS, lambda m, x: x.kthvalue(2, 0)[0]),
    "index_select-int": (INTS, lambda m, x: x.index_select(0, m.tensor([2, 2, 0]))),
    "unique_consecutive-int-dim0": (INTS, lambda m, x: m.unique_consecutive(x, True, True, 0)),
    "unique-int-all": (INTS, lambda m, x: m.unique(x, return_inverse=True, return_counts=True)),
    "unique-dim1": (INTS, lambda m, x: m.unique(x, dim=1, return_inverse=True, return_counts=True)),
    "bincount-weights": (INTS, lambda m, x: m.bincount(x[x >= 0], weights=x[x >= 0].to(m.float64) * 0.5)),
    "bincount-minlength": (INTS, lambda m, x: m.bincount(x[x >= 0], minlength=9)),
    "isclose-int": (INTS, lambda m, x: x.isclose(x + 1)),
    "all-int": (INTS, lambda m, x: m.all(x)),
    "any-int-keepdim": (INTS, lambda m, x: x.any(0, keepdim=True)),
    # bool inputs
    "cumsum-bool": (INTS > 0, lambda m, x: x.cumsum(0)),
    "unique-bool-counts": (INTS > 0, lambda m, x: x.unique(return_counts=True)),
    "nonzero-bool-tuple": (INTS > 0, lambda m, x: x.nonzero(as_tuple=True)),
    "log10-bool": (INTS > 0, lambda m, x: x.log10()),
    "sign-bool": (INTS > 0, lambda m, x: x.sign()),
    # NaN, infinities and signed zeros: sign(NaN) = 0, NaN sorts as the largest value
    "isnan-special": (SPECIAL, lambda m, x: x.isnan()),
    "isinf-special": (SPECIAL, lambda m, x: x.isinf()),
    "isfinite-special": (SPECIAL, lambda m, x: x.isfinite()),
    "isclose-equal-nan": (SPECIAL, lambda m, x: x.isclose(x, equal_nan=True)),
    "isclose-rtol-vs-atol": (
        SPECIAL,
        lambda m, x: (m.isclose(x * 1e4, x * 1e4 + 0.05), x.isclose(x + 0.01, 0.0, 0.02)),
    ),
    "sign-special": (SPECIAL, lambda m, x: x.sign()),
    "frac-special-finite": (SPECIAL, lambda m, x: x[m.isfinite(x)].frac()),
    "round-half-to-even": (SPECIAL, lambda m, x: x.round()),
    "sort-nan": (SPECIAL, lambda m, x: x.sort(1)),
    "sort-nan-descending": (SPECIAL, lambda m, x: x.sort(dim=1, descending=True, stable=True)),
    "topk-nan": (SPECIAL, lambda m, x: x.topk(2)[0]),
    "median-nan": (SPECIAL, lambda m, x: (x.median(), *x.median(1), *x[:, 2:].median(0, keepdim=True))),
    "kthvalue-nan": (SPECIAL, lambda m, x: x.kthvalue(4)),
    "unique_consecutive-nan": (SPECIAL, lambda m, x: m.unique_consecutive(x, return_counts=True)),
    "nonzero-special": (SPECIAL, lambda m, x: x.nonzero()),
    "any-all-special": (SPECIAL, lambda m, x: (x.any(), x.all(1))),
    "vector_norm-0-and-inf": (
        SPECIAL,
        lambda m, x: (
            m.linalg.vector_norm(x[:, 2:], ord=0, dim=1),
            m.linalg.vector_norm(x[:, :1], ord=-math.inf),
        ),
    ),
}


@pytest.mark.parametrize("name", list(SPECIAL_INPUTS))
def test_integer_bool_and_special_inputs_equal_the_reference(name: str) -> None:
    """PyTorch's dtype rules and special values, on inputs the float table never draws."""
    array, fn = SPECIAL_INPUTS[name]
    ours = fn(tg, tg.tensor(array))
    with np.errstate(all="ignore"):
        expected = fn(reference, Ref(array.copy()))
    _assert_equal(name, ours, expected, TOL[np.float32])


def _names_used(code: types.CodeType) -> set[str]:
    """Global and attribute names a function's code (and the code nested in it) refers to."""
    names, todo = set(), [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return names


def test_the_reference_is_not_the_library() -> None:
    """The oracle never touches tinygrad_np, and it gives the hand-computed answers of the definitions."""
    functions = [f for f in vars(Ref).values() if isinstance(f, types.FunctionType)]
    functions += [p.fget for p in vars(Ref).values() if isinstance(p, property)]
    spaces = [reference, reference.linalg]
    functions += [f for ns in spaces for f in vars(ns).values() if isinstance(f, types.FunctionType)]
    assert len(functions) > 150
    for f in functions:
        assert not _names_used(f.__code__) & {"tg", "tinygrad_np"}, f.__qualname__

    x = Ref(np.array([1.0, 2.0, 3.0]))  # a wrong comparison changes the answer
    assert (x >= 2.0).a.tolist() == [False, True, True] and (x > 2.0).a.tolist() == [False, False, True]
    v = Ref(np.array([[3.0, -4.0], [0.0, 2.0]]))
    assert v.norm().a == np.sqrt(29) and v.norm(1, dim=1).a.tolist() == [7.0, 2.0]
    assert v.norm(math.inf, dim=0).a.tolist() == [3.0, 4.0]
    assert (
        reference.linalg.matrix_norm(v, ord=1).a == 6.0
        and reference.linalg.matrix_norm(v, ord=math.inf).a == 7.0
    )
    np.testing.assert_allclose(reference.linalg.svdvals(Ref(np.diag([2.0, -5.0]))).a, [5.0, 2.0])
    ties = Ref(np.array([2, 1, 2, 3]))
    assert ties.sort(descending=True).indices.a.tolist() == [3, 0, 2, 1]  # ties keep their order
    assert ties.topk(2).values.a.tolist() == [3, 2] and ties.argsort().a.tolist() == [1, 0, 2, 3]
    assert ties.roll(1).a.tolist() == [3, 2, 1, 2] and ties.flip(0).a.tolist() == [3, 2, 1, 2]
    values, inverse, counts = ties.unique(return_inverse=True, return_counts=True)
    assert (values.a.tolist(), inverse.a.tolist(), counts.a.tolist()) == ([1, 2, 3], [1, 0, 1, 2], [1, 2, 1])
    assert reference.bincount(ties).a.tolist() == [0, 1, 2, 1]
    assert Ref(np.array([[0, 1], [1, 1]])).nonzero().a.tolist() == [[0, 1], [1, 0], [1, 1]]
    assert Ref(np.arange(9).reshape(3, 3)).tril(-1).a.tolist() == [[0, 0, 0], [3, 0, 0], [6, 7, 0]]
    assert Ref(np.arange(6).reshape(2, 3)).diagonal(1).a.tolist() == [1, 5]
    assert Ref(np.array([1.25, -1.25, 2.5])).round(1).a.tolist() == [1.2, -1.2, 2.5]
    assert Ref(np.array([-2.5, np.nan])).sign().a.tolist() == [-1.0, 0.0]
