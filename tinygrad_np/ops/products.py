"""Products, matrices and index grids composed from matmul, reshapes and broadcasting:
``addmm addmv mv baddbmm addbmm inner tensordot kron cross dist matrix_power diag_embed
block_diag cartesian_prod tril_indices triu_indices``. None needs a backward of its own.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap_dim
from . import linalg, movement
from .composite import meshgrid

_wrap = Tensor._wrap


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _scaled_sum(x: Tensor, product: Tensor, beta: float, alpha: float) -> Tensor:
    """``beta * x + alpha * product``; with beta = 0, ``x`` is ignored (its NaN do not spread)."""
    p = product if alpha == 1 else alpha * product
    if beta == 0:  # (x gets no gradient then)
        return p
    return (x if beta == 1 else beta * x) + p


def _need(t: Tensor, ndim: int, name: str, op: str) -> None:
    if t.ndim != ndim:
        kind = {1: "a vector", 2: "a matrix", 3: "a 3D tensor"}[ndim]
        raise RuntimeError(f"{op}: {name} must be {kind}, got a {t.ndim}-D tensor of shape {tuple(t.shape)}")


def addmm(x: Any, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * x + alpha * mat1 @ mat2`` (2-D matrices; ``x`` broadcasts)."""
    _need(mat1, 2, "mat1", "addmm")
    _need(mat2, 2, "mat2", "addmm")
    return _scaled_sum(_t(x), mat1 @ mat2, beta, alpha)


def mv(mat: Tensor, vec: Tensor) -> Tensor:
    """The matrix-vector product ``mat @ vec`` (2-D and 1-D)."""
    _need(mat, 2, "mat", "mv")
    _need(vec, 1, "vec", "mv")
    return mat @ vec


def addmv(x: Any, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * x + alpha * mat @ vec``."""
    return _scaled_sum(_t(x), mv(mat, vec), beta, alpha)


def baddbmm(x: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * x + alpha * batch1 @ batch2`` (3-D batches of matrices)."""
    _need(batch1, 3, "batch1", "baddbmm")
    _need(batch2, 3, "batch2", "baddbmm")
    return _scaled_sum(_t(x), batch1 @ batch2, beta, alpha)


def addbmm(x: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * x + alpha * sum_b batch1[b] @ batch2[b]``."""
    _need(batch1, 3, "batch1", "addbmm")
    _need(batch2, 3, "batch2", "addbmm")
    return _scaled_sum(_t(x), (batch1 @ batch2).sum(0), beta, alpha)


def inner(a: Any, b: Any) -> Tensor:
    """Sum over the last dims: ``out[i..., j...] = sum_k a[i..., k] b[j..., k]`` (a product if
    either is 0-d)."""
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes {list(a.shape)} and {list(b.shape)}"
        )
    return tensordot(a, b, ([-1], [-1]))


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract ``a``'s dims ``dims[0]`` with ``b``'s ``dims[1]`` (an int n: a's last n with b's
    first n): the free dims of ``a`` then of ``b``."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [_wrap_dim(d, a.ndim, "tensordot") for d in da]
    db = [_wrap_dim(d, b.ndim, "tensordot") for d in db]
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db, strict=True):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} and second "
                f"has size {b.shape[j]} in dim {j}"
            )
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    left = a.permute(*free_a, *da).reshape(-1, k)
    right = b.permute(*db, *free_b).reshape(k, -1)
    return (left @ right).reshape(*[a.shape[d] for d in free_a], *[b.shape[d] for d in free_b])


def kron(a: Any, b: Any) -> Tensor:
    """The Kronecker product: block (i, j) of the result is ``a[i, j] * b`` (any number of dims)."""
    a, b = _t(a), _t(b)
    n = max(a.ndim, b.ndim)
    a = a.reshape((1,) * (n - a.ndim) + tuple(a.shape))
    b = b.reshape((1,) * (n - b.ndim) + tuple(b.shape))
    spread_a = a.reshape(tuple(v for s in a.shape for v in (s, 1)))
    spread_b = b.reshape(tuple(v for s in b.shape for v in (1, s)))
    return (spread_a * spread_b).reshape(*[p * q for p, q in zip(a.shape, b.shape, strict=True)])


def cross(a: Tensor, b: Tensor, dim: int | None = None, *, linalg_default: bool = False) -> Tensor:
    """The 3-vector cross product along ``dim`` (``a`` and ``b`` broadcast):
    (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0). Without ``dim``: ``linalg.cross`` takes -1,
    ``torch.cross`` the first dim of size 3 (with PyTorch's deprecation warning)."""
    a, b = _broadcast(a, b)
    op = "linalg.cross" if linalg_default else "cross"
    if dim is None:
        if linalg_default:
            dim = -1
        else:
            warnings.warn(
                "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                "with that of linalg.cross in a future release.",
                UserWarning,
                stacklevel=3,
            )
            dim = next((i for i, s in enumerate(a.shape) if s == 3), -1)
    d = _wrap_dim(dim, a.ndim, op)
    if a.shape[d] != 3:
        raise RuntimeError(
            f"{op}: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}"
        )
    a0, a1, a2 = (a.narrow(d, i, 1) for i in range(3))
    b0, b1, b2 = (b.narrow(d, i, 1) for i in range(3))
    return movement.cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def _broadcast(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"cross: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None
    return a.expand(*shape), b.expand(*shape)


def dist(a: Tensor, b: Any, p: float = 2) -> Tensor:
    """``||a - b||_p`` over all elements (``a`` and ``b`` broadcast)."""
    return linalg.vector_norm(a - b, ord=p)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows (lexicographic order)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return movement.stack([g.reshape(-1) for g in grids], 1)


def _triangle_indices(row: int, col: int, offset: int, upper: bool, dtype: Any) -> Tensor:
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    return _wrap(np.stack([rows, cols]).astype(np.int64 if dtype is None else dtype.np))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Tensor:
    """The (2, N) indices of the lower triangle (j - i <= offset) of a row x col matrix, row by row."""
    return _triangle_indices(row, col, offset, False, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Tensor:
    """The (2, N) indices of the upper triangle (j - i >= offset) of a row x col matrix, row by row."""
    return _triangle_indices(row, col, offset, True, dtype)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A @ A @ ... @ A`` (n times) by repeated squaring; the identity for n = 0; the inverse's
    power for n < 0."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are {tuple(A.shape[-2:])} matrices"
        )
    n = int(n)
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape)
        return _wrap(eye.copy())
    if n < 0:
        from .solve import inv

        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def diag_embed(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each last-dim vector of ``x`` placed on the ``offset``-th diagonal of a new square matrix,
    whose two dims are put at ``dim1`` and ``dim2`` of the result."""
    n = x.shape[-1] if x.ndim else 1
    m = n + abs(int(offset))
    place = np.zeros((n, m, m), x._data.dtype)  # place[i] is the matrix with a 1 at (i, i + offset)
    rows = np.arange(n) + max(-int(offset), 0)
    place[np.arange(n), rows, rows + int(offset)] = 1
    out = (x.unsqueeze(-1).unsqueeze(-1) * _wrap(place)).sum(-3)  # (..., m, m)
    nd = out.ndim
    d1, d2 = _wrap_dim(dim1, nd, "diag_embed"), _wrap_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if (d1, d2) == (nd - 2, nd - 1):
        return out
    return out.movedim((nd - 2, nd - 1), (d1, d2))


def block_diag(*tensors: Any) -> Tensor:
    """The tensors (0-d as 1x1, 1-D as one row, 2-D as they are) down the diagonal of a
    zero matrix, in order."""
    blocks = [_t(t) for t in tensors]
    blocks = [b.reshape(1, 1) if b.ndim == 0 else b.reshape(1, -1) if b.ndim == 1 else b for b in blocks]
    if any(b.ndim != 2 for b in blocks):
        raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions")
    if not blocks:
        return _wrap(np.zeros((1, 0), np.float32))
    total = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        rows.append(movement.pad(b, (left, total - left - b.shape[1]), "constant", 0.0))
        left += b.shape[1]
    return movement.cat(rows, 0)
