"""Matrix product with NumPy's (and PyTorch's) rules for 1-D and batched operands.

For C = A @ B:  dL/dA = dL/dC @ B^T  and  dL/dB = A^T @ dL/dC.
A 1-D operand is treated as a row (A) or column (B) vector and the added
dimension removed again; batch dimensions broadcast, and the engine sums the
gradient back over them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.function import Function, saved_arrays
from ..tensor import Tensor, _operand
from . import elementwise as _ew

_wrap = Tensor._wrap


class Matmul(Function):
    formula = "d(A @ B)/dA = dL/dC @ B^T,  d(A @ B)/dB = A^T @ dL/dC"
    node_name = "MmBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a._data, b._data
        # np.dot is np.matmul for matrices, without matmul's slow path for small inner sizes
        return _wrap(np.dot(x, y) if x.ndim == 2 and y.ndim == 2 else np.matmul(x, y))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # the dot product: d(a.b)/da = b, d(a.b)/db = a
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # view 1-D operands as matrices: a row vector (1, k) and a column vector (k, 1)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad.unsqueeze(-2) if a.ndim == 1 else grad
        g = g.unsqueeze(-1) if b.ndim == 1 else g
        ga = gb = None
        if need_a:
            ga = g @ b2.mT  # dL/dA = dL/dC B^T
            ga = ga.squeeze(-2) if a.ndim == 1 else ga
        if need_b:
            gb = a2.mT @ g  # dL/dB = A^T dL/dC
            gb = gb.squeeze(-1) if b.ndim == 1 else gb
        return ga, gb

    @staticmethod
    def backward_np(ctx, g):
        a, b = saved_arrays(ctx)
        if a.ndim < 2 or b.ndim < 2:
            return NotImplemented  # vector operands: the Tensor-level backward above
        need_a, need_b = ctx.needs_input_grad
        mm = np.dot if a.ndim == 2 and b.ndim == 2 else np.matmul
        ga = mm(g, b.swapaxes(-1, -2)) if need_a else None  # dL/dA = dL/dC B^T
        gb = mm(a.swapaxes(-1, -2), g) if need_b else None  # dL/dB = A^T dL/dC
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b``; errors name both shapes. Two tensors must share a dtype, as in PyTorch
    (no promotion: a float32 activation times a float64 weight is refused)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype} "
            "(as PyTorch: expected m1 and m2 to have the same dtype); convert one, e.g. x.float() or x.double()"
        )
    dt = dtypes.result_type(a, b)
    x, y = _operand(a, dt), _operand(b, dt)
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {tuple(x.shape)} "
            f"and {tuple(y.shape)}"
        )
    k_a = x._data.shape[-1]
    k_b = y._data.shape[0] if y.ndim == 1 else y._data.shape[-2]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(x.shape)} and {tuple(y.shape)} cannot be multiplied "
            f"({k_a} != {k_b}: the last dimension of the first operand must equal the "
            f"{'first' if y.ndim == 1 else 'second-to-last'} dimension of the second)"
        )
    try:
        return Matmul.apply(x, y)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of shapes {tuple(x.shape)} and {tuple(y.shape)} are not broadcastable"
        ) from None


# ---- triangles and diagonals ------------------------------------------------------------------------


class Tril(Function):
    """The lower triangle of the last two dimensions (batched); zeros elsewhere."""

    formula = "d tril(x)/dx = 1 on and below the diagonal, else 0"

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return _wrap(np.tril(x._data, diagonal))

    @staticmethod
    def backward(ctx, grad):
        return grad.tril(ctx.diagonal), None  # the gradient keeps the same triangle


class Triu(Function):
    """The upper triangle of the last two dimensions (batched); zeros elsewhere."""

    formula = "d triu(x)/dx = 1 on and above the diagonal, else 0"

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return _wrap(np.triu(x._data, diagonal))

    @staticmethod
    def backward(ctx, grad):
        return grad.triu(ctx.diagonal), None  # the gradient keeps the same triangle


def triangle(x: Tensor, diagonal: int, upper: bool) -> Tensor:
    name = "triu" if upper else "tril"
    if x.ndim < 2:
        raise RuntimeError(
            f"{name}: input tensor must have at least 2 dimensions, got shape {tuple(x.shape)}"
        )
    if x._data.dtype.kind != "f":  # no gradient: plain NumPy
        return _wrap(np.triu(x._data, diagonal) if upper else np.tril(x._data, diagonal))
    return (Triu if upper else Tril).apply(x, int(diagonal))


def _diagonal_index(shape: tuple[int, ...], offset: int, d1: int, d2: int) -> tuple[Any, ...]:
    """The index that picks the ``offset``-th diagonal of dims (d1, d2) once they are
    moved last: (..., rows, cols) with rows - cols = -offset."""
    n = max(0, min(shape[d1] - max(-offset, 0), shape[d2] - max(offset, 0)))
    rows = np.arange(n) + max(-offset, 0)
    return (Ellipsis, rows, rows + offset)


class Diagonal(Function):
    """The ``offset``-th diagonal of dims (d1, d2), as the last dimension (a copy)."""

    formula = "d diagonal(x)/dx = 1 on the diagonal, else 0"

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args, ctx.shape = (offset, d1, d2), x._data.shape
        return _wrap(np.diagonal(x._data, offset, d1, d2).copy())

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, ctx.shape, *ctx.args), None, None, None  # back onto it


class DiagonalScatter(Function):
    """zeros(shape) with ``v`` written on the ``offset``-th diagonal of dims (d1, d2):
    the backward of ``diagonal``, and ``diag`` of a vector."""

    formula = "d diagonal_scatter(v)/dv = 1 (each entry lands on one diagonal place)"
    node_name = "DiagEmbedBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, v, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, v._data.dtype)
        np.moveaxis(out, (d1, d2), (-2, -1))[_diagonal_index(shape, offset, d1, d2)] = v._data
        return _wrap(out)

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, *ctx.args), None, None, None, None  # read the diagonal back


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    from ..tensor import _wrap_dim

    d1, d2 = _wrap_dim(dim1, x.ndim, "diagonal"), _wrap_dim(dim2, x.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(x, int(offset), d1, d2)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D ``x`` as the ``diagonal``-th diagonal of a square matrix; of a 2-D ``x``, that diagonal."""
    if x.ndim == 1:
        n = x._data.shape[0] + abs(int(diagonal))
        return DiagonalScatter.apply(x, (n, n), int(diagonal), 0, 1)
    if x.ndim == 2:
        return Diagonal.apply(x, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")


# ---- einsum ------------------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def parse_einsum(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The subscripts of each operand and of the output, with ``...`` spelled out as
    letters and the implicit output (letters used once, alphabetically) made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation, {len(ndims)} given")
    for ch in eq:
        if ch not in _LETTERS and ch not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript given at {ch!r} in {equation!r}: use letters")
    used = set(eq) & set(_LETTERS)
    spare = [c for c in _LETTERS if c not in used]
    n_ell = max(
        [nd - len(t.replace("...", "")) for t, nd in zip(terms, ndims, strict=True) if "..." in t] or [0]
    )
    ell = "".join(spare[:n_ell])
    inputs = []
    for t, nd in zip(terms, ndims, strict=True):
        if "..." in t:
            k = nd - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k :] if k else "")
        if len(t) != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in {t!r} does not match the number of dimensions ({nd})"
            )
        inputs.append(t)
    if arrow:
        output = rhs.replace("...", ell)
    else:
        counts = "".join(inputs)
        output = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ell))
    for c in output:
        if not any(c in t for t in inputs):
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation for any input operand"
            )
    return inputs, output


class Einsum(Function):
    """Sum of products over the letters an equation names (``ij,jk->ik`` is a matrix product).

    The gradient of operand k is again an einsum: of dL/dy with the other operands,
    giving k's letters. Letters only k has (summed away) come back as a broadcast (a
    ones vector), and a letter repeated in k (a diagonal, ``ii``) through an identity."""

    formula = "d einsum(x_1, ..., x_n)/dx_k = einsum of dL/dy with the other operands"

    @staticmethod
    def forward(ctx, inputs, output, *xs):
        ctx.inputs, ctx.output = inputs, output
        ctx.save_for_backward(*xs)
        eq = ",".join(inputs) + "->" + output
        return _wrap(np.asarray(np.einsum(eq, *[x._data for x in xs], optimize=len(xs) > 2)))

    @staticmethod
    def backward(ctx, grad):
        xs = ctx.saved_tensors
        grads = [
            _einsum_grad(ctx, grad, xs, k) if ctx.needs_input_grad[2 + k] else None for k in range(len(xs))
        ]
        return (None, None, *grads)


def _einsum_grad(ctx: Any, grad: Tensor, xs: tuple[Tensor, ...], k: int) -> Tensor:
    inputs, output = ctx.inputs, ctx.output
    sizes: dict[str, int] = {}
    for t, x in zip(inputs, xs, strict=True):
        for c, n in zip(t, x._data.shape, strict=True):
            if sizes.get(c, 1) == 1:  # a size-1 dimension broadcasts (to 0 too)
                sizes[c] = n
    mine = inputs[k]
    others = [t for i, t in enumerate(inputs) if i != k]
    seen = output + "".join(others)
    terms, operands = [output, *others], [grad, *(x for i, x in enumerate(xs) if i != k)]
    for c in dict.fromkeys(mine):  # letters only operand k has: summed away, so broadcast back
        if c not in seen:
            terms.append(c)
            operands.append(_wrap(np.ones(sizes[c], grad._data.dtype)))
    spare = iter(c for c in _LETTERS if c not in set("".join(inputs) + output))
    target = ""
    for c in mine:  # a repeated letter (a diagonal) gets a fresh letter tied to it by an identity
        if c in target:
            fresh = next(spare)
            terms.append(c + fresh)
            operands.append(_wrap(np.eye(sizes[c], dtype=grad._data.dtype)))
            c = fresh
        target += c
    g = Einsum.apply(terms, target, *operands)
    shape = xs[k]._data.shape
    if g._data.shape != shape:  # size-1 dimensions that broadcast: sum them back
        g = g.sum(tuple(i for i, n in enumerate(shape) if n == 1 and g._data.shape[i] != 1), keepdim=True)
    return g


def einsum(equation: str, *operands: Any) -> Tensor:
    """``einsum('ij,jk->ik', a, b)`` (operands also as one list), with ``...`` and the
    implicit output form, as ``torch.einsum``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [o if isinstance(o, Tensor) else Tensor._wrap(np.asarray(o)) for o in operands]
    if len({x._data.dtype for x in xs}) > 1:
        names = ", ".join(str(x.dtype) for x in xs)
        raise RuntimeError(
            f"einsum(): expected all operands to have the same dtype (as PyTorch), got {names}; "
            "convert them first, e.g. x.float() or x.double()"
        )
    inputs, output = parse_einsum(equation, [x.ndim for x in xs])
    for k, (term, x) in enumerate(zip(inputs, xs, strict=True)):  # a repeated letter is a diagonal
        seen: dict[str, int] = {}
        for c, n in zip(term, x._data.shape, strict=True):
            if seen.setdefault(c, n) != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                    f"{seen[c]} != {n}"
                )
    try:
        return Einsum.apply(inputs, output, *xs)
    except ValueError as e:
        shapes = ", ".join(str(tuple(x.shape)) for x in xs)
        raise RuntimeError(f"einsum(): operands of shapes {shapes} do not fit {equation!r}: {e}") from None


# ---- norms ---------------------------------------------------------------------------------------------


class VectorNorm(Function):
    """(sum |x_i|^p)^(1/p) over ``dims``; p = inf is max |x_i|, -inf min |x_i|, p = 0 counts
    nonzeros. Where the norm is 0 the gradient is 0 (as PyTorch), not 0/0, so a zero vector
    gets a finite gradient (``F.normalize``, ``cosine_similarity``, ``pairwise_distance``)."""

    formula = "d ||x||_p/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)"
    node_name = "LinalgVectorNormBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        a = np.abs(x._data)
        if p == 2:
            y = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
        elif p == 1:
            y = np.sum(a, axis=dims, keepdims=keepdim)
        elif p == math.inf:
            y = np.max(a, axis=dims, keepdims=keepdim, initial=0)
        elif p == -math.inf:
            y = np.min(a, axis=dims, keepdims=keepdim)
        elif p == 0:
            y = np.sum(a != 0, axis=dims, keepdims=keepdim)
        else:
            with np.errstate(divide="ignore"):
                y = np.sum(a**p, axis=dims, keepdims=keepdim) ** (1.0 / p)
        out = _wrap(np.asarray(y, x._data.dtype))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .reduce import _unreduce

        x, norm = ctx.saved_tensors
        p, shape = ctx.p, x._data.shape
        g = _unreduce(grad, ctx.dims, ctx.keepdim, shape)
        n = _unreduce(norm, ctx.dims, ctx.keepdim, shape)
        sign = _wrap(_ew.sign(x._data))  # 0 at NaN, as PyTorch's sgn
        zero_norm = _wrap((n._data == 0).astype(x._data.dtype))  # where ||x|| = 0 the gradient is 0
        if p == 0:
            return g * 0, None, None, None
        if p == 1:
            return g * sign, None, None, None  # d/dx_i sum |x| = sign(x_i)
        if p == 2:
            return g * x / (n + zero_norm), None, None, None  # x_i / ||x||
        if math.isinf(p):  # the maximal (minimal) |x_i| share the gradient
            hit = (np.abs(x._data) == n._data) | np.isnan(x._data)
            share = hit / np.sum(hit, axis=ctx.dims, keepdims=True)
            return g * sign * _wrap(share.astype(x._data.dtype)), None, None, None
        absx = x.abs()
        if p < 1:  # |x_i|^(p-1) is infinite at x_i = 0: taken as 0 there
            zero_x = _wrap((x._data == 0).astype(x._data.dtype))
            scaled = sign * (absx + zero_x) ** (p - 1) * (1 - zero_x)
            return scaled * g * n ** (1 - p), None, None, None
        # sign(x_i) |x_i|^(p-1) / ||x||^(p-1)
        return sign * absx ** (p - 1) * g / (n + zero_norm) ** (p - 1) * (1 - zero_norm), None, None, None


class Svdvals(Function):
    """The singular values of the last two dimensions, largest first. First derivatives
    only (the singular vectors are held as constants): d sigma_i = u_i^T dA v_i."""

    formula = "d sigma_i/dA = u_i v_i^T"
    node_name = "LinalgSvdBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a._data, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return _wrap(s)

    @staticmethod
    def backward(ctx, grad):
        if grad_mode.state.grad_enabled:  # create_graph=True: say so rather than be wrong
            raise NotImplementedError(
                "svdvals (and the 'nuc', 2 and -2 matrix norms): second derivatives are not "
                "implemented; compute the first derivative without create_graph=True"
            )
        return (_wrap(ctx.u) * grad.unsqueeze(-2)) @ _wrap(ctx.vh)  # sum_i g_i u_i v_i^T


def _norm_input(x: Any, dtype: Any, op: str) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype}; convert with .float()"
        )
    return x


def _ord_value(ord: Any, op: str) -> float:
    if isinstance(ord, str):
        raise RuntimeError(f"{op}: ord must be a number for a vector norm, got {ord!r} (use matrix_norm)")
    return float(ord)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """(sum |x_i|^ord)^(1/ord) over ``dim`` (all elements when None), as ``torch.linalg.vector_norm``."""
    from ..tensor import _dims

    x = _norm_input(x, dtype, "linalg.vector_norm")
    p = _ord_value(ord, "linalg.vector_norm")
    dims = _dims(dim, None, x.ndim, "linalg.vector_norm")
    if (
        (p < 0 or p == math.inf)
        and x._data.size == 0
        and (dims is None or any(x._data.shape[d] == 0 for d in dims))
    ):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the operation "
            "does not have an identity"
        )
    return VectorNorm.apply(x, p, dims, bool(keepdim))


def svdvals(a: Any) -> Tensor:
    """Singular values of (a batch of) matrices, largest first."""
    a = _norm_input(a, None, "linalg.svdvals")
    if a.ndim < 2:
        raise RuntimeError(
            f"linalg.svdvals: The input tensor A must have at least 2 dimensions, got {a.ndim}"
        )
    return Svdvals.apply(a)


def matrix_norm(
    a: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """Matrix norms over the two dimensions ``dim``: 'fro', 'nuc' (sum of singular values),
    inf / -inf (max / min row sum of |a|), 1 / -1 (max / min column sum), 2 / -2
    (largest / smallest singular value)."""
    from ..tensor import _wrap_dim

    a = _norm_input(a, dtype, "linalg.matrix_norm")
    if a.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got {a.ndim}"
        )
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = (_wrap_dim(d, a.ndim, "linalg.matrix_norm") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        return VectorNorm.apply(a, 2.0, tuple(sorted((d0, d1))), bool(keepdim))
    if 0 in (a.shape[d0], a.shape[d1]) and ord in (1, 2, math.inf):
        return (
            a.detach().abs().sum((d0, d1), keepdim=bool(keepdim))
        )  # an empty matrix: 0 (no graph), as PyTorch
    if ord == "nuc" or ord in (2, -2):
        s = svdvals(a.permute(*[i for i in range(a.ndim) if i not in (d0, d1)], d0, d1))
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    elif ord in (math.inf, -math.inf, 1, -1):
        sum_dim, over = (d1, d0) if abs(ord) == math.inf else (d0, d1)  # rows or columns
        sums = a.abs().sum(sum_dim, keepdim=True)
        out = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    else:
        raise RuntimeError(
            f"linalg.matrix_norm: Order {ord} not supported (use 'fro', 'nuc', inf, -inf, 1, -1, 2, -2)"
        )
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def norm(a: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm over one dimension (or all, when neither ``ord``
    nor ``dim`` is given), a matrix norm over two."""
    a = _norm_input(a, dtype, "linalg.norm")
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(a, 2 if ord is None else ord, dims, keepdim)
        return matrix_norm(a, "fro" if ord is None else ord, dims, keepdim)
    if ord is None:
        return vector_norm(a, 2, None, keepdim)
    if a.ndim == 1:
        return vector_norm(a, ord, None, keepdim)
    if a.ndim == 2:
        return matrix_norm(a, ord, (0, 1), keepdim)
    raise RuntimeError(
        f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {a.ndim}D."
    )


def tensor_norm(
    x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """``Tensor.norm`` / ``torch.norm``: a number ``p`` is a vector norm over ``dim`` (all
    elements when None, several dimensions allowed); 'fro' the 2-norm; 'nuc' the nuclear norm."""
    if p is None or p == "fro":
        dims = None if dim is None else ((dim,) if isinstance(dim, (int, np.integer)) else tuple(dim))
        if dims is not None and len(dims) > 2:
            raise RuntimeError(f"norm: 'fro' needs at most 2 dimensions, got dim={list(dims)}")
        return vector_norm(x, 2, dims, keepdim, dtype=dtype)
    if p == "nuc":
        if dim is None:
            if x.ndim != 2:
                raise RuntimeError(
                    f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, range(x.ndim)))}"
                )
            dim = (0, 1)
        return matrix_norm(x, "nuc", dim, keepdim, dtype=dtype)
    return vector_norm(x, p, dim, keepdim, dtype=dtype)
