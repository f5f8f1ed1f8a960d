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

import math
import types
from collections import namedtuple
from typing import Any

import numpy as np
import pytest
from test_ops import OPS, Case

import tinygrad_np as tg

MinMax = namedtuple("MinMax", ["values", "indices"])
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(d % max(ndim, 1) for d in dims)


def _v(x: Any) -> Any:
    return x.a if isinstance(x, Ref) else x


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
        return Ref(1 / np.sqrt(self.a))

    def reciprocal(self):
        return Ref(1 / self.a)

    def floor(self):
        return Ref(np.floor(self.a))

    def ceil(self):
        return Ref(np.ceil(self.a))

    def round(self):
        return Ref(np.round(self.a))  # half to even, as PyTorch

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
        return MinMax(self.amax(dim, keepdim), self.argmax(dim, keepdim))

    def min(self, dim=None, keepdim=False):
        if dim is None:
            return Ref(self.a.min())
        return MinMax(self.amin(dim, keepdim), self.argmin(dim, keepdim))

    def softmax(self, dim, dtype=None):
        a = self.a if dtype is None else self.a.astype(dtype)
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        return Ref(e / e.sum(axis=dim, keepdims=True))

    def log_softmax(self, dim):
        return Ref(np.log(self.softmax(dim).a))

    def cumsum(self, dim):
        return Ref(np.cumsum(self.a, axis=dim))

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
    tensor=lambda data: Ref(
        np.asarray(data, np.float32) if np.asarray(data).dtype.kind == "f" else np.asarray(data)
    ),
    maximum=lambda x, y: Ref(np.maximum(_v(x), _v(y))),
    minimum=lambda x, y: Ref(np.minimum(_v(x), _v(y))),
    where=lambda c, x, y: Ref(np.where(_v(c), _v(x), _v(y))),
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
    cumsum=lambda x, dim: x.cumsum(dim),
    max=lambda x, y=None: x.max(y),
    leaky_relu=lambda x, slope=0.01: Ref(np.where(x.a > 0, x.a, slope * x.a).astype(x.a.dtype)),
    gelu=_gelu,
    softplus=_softplus,
    pad=_pad,
)


def _flatten(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_forward_value_dtype_and_shape_equal_the_reference(case: Case, dtype: Any) -> None:
    arrays = case.inputs(dtype)
    ours = _flatten(case.fn(tg, *[tg.tensor(a) for a in arrays]))
    with np.errstate(all="ignore"):
        expected = _flatten(case.fn(reference, *[Ref(a.copy()) for a in arrays]))
    assert len(ours) == len(expected)
    for o, e in zip(ours, expected):
        e = np.asarray(_v(e))
        got = o.detach().numpy() if isinstance(o, tg.Tensor) else np.asarray(o)
        assert got.shape == e.shape, case.id
        assert got.dtype == e.dtype, f"{case.id}: dtype {got.dtype}, reference {e.dtype}"
        if e.dtype.kind in "biu":
            np.testing.assert_array_equal(got, e, err_msg=case.id)
        else:
            np.testing.assert_allclose(got, e, **TOL[dtype], err_msg=case.id)


def test_the_reference_is_not_the_library() -> None:
    """The oracle must be able to disagree: a wrong comparison changes its answer."""
    x = Ref(np.array([1.0, 2.0, 3.0]))
    assert (x >= 2.0).a.tolist() == [False, True, True] and (x > 2.0).a.tolist() == [False, False, True]
    assert "tinygrad_np" not in repr(vars(reference))
