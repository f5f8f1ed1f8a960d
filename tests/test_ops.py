"""Every op of SPEC §1 in one table, each checked against float64 finite differences.

``OPS`` is the single list of cases: an id, a function ``fn(m, *xs)`` that runs
the op through the module ``m`` (``tinygrad_np`` here; ``torch`` in
``test_ops_parity.py``, which reuses this table), the shapes of its float
inputs, and the domain the inputs are drawn from. The same function text runs
on both libraries, so the table is also a record of the API we share with
PyTorch.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_ops.py``
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck


def F(m: Any) -> Any:
    """Where the functional ops live: ``torch.nn.functional`` or ``tinygrad_np``."""
    return m.nn.functional if m.__name__ == "torch" else m


@dataclass
class Case:
    id: str
    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domain: tuple[
        str, ...
    ] = ()  # per input: "any" (normal), "pos" (0.5..2), "away" (|x| >= 0.2), "unit" (-0.9..0.9)
    tags: frozenset[str] = field(default_factory=frozenset)  # "nograd": values only

    def inputs(self, dtype: Any, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        out = []
        for i, shape in enumerate(self.shapes):
            kind = self.domain[i] if i < len(self.domain) else "any"
            if kind == "pos":
                a = rng.uniform(0.5, 2.0, shape)
            elif kind == "unit":
                a = rng.uniform(-0.9, 0.9, shape)
            elif kind == "away":
                n = rng.standard_normal(shape)
                a = np.sign(n) * (0.2 + np.abs(n))
                a = np.where(a == 0, 0.5, a)
            else:
                a = rng.standard_normal(shape)
            out.append(np.asarray(a, dtype=dtype))
        return out


OPS: list[Case] = []


def add(
    id: str, fn: Callable[..., Any], *shapes: tuple[int, ...], domain: tuple[str, ...] = (), tags: str = ""
) -> None:
    OPS.append(Case(id, fn, tuple(shapes), domain, frozenset(tags.split())))


# ---- binary operators over broadcasting shape pairs ------------------------------------------
BROADCAST = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((3, 4), (1, 4)),
    ((3, 4), (3, 1)),
    ((3, 4), ()),
    ((), (3, 4)),
    ((2, 3, 4), (3, 4)),
    ((3, 1), (1, 4)),
]
BINARY = {
    "add": (lambda m, x, y: x + y, ()),
    "sub": (lambda m, x, y: x - y, ()),
    "mul": (lambda m, x, y: x * y, ()),
    "div": (lambda m, x, y: x / y, ("any", "away")),
    "pow": (lambda m, x, y: x**y, ("pos", "any")),
    "maximum": (lambda m, x, y: m.maximum(x, y), ()),
    "minimum": (lambda m, x, y: m.minimum(x, y), ()),
    "where": (lambda m, x, y: m.where(x > 0, x, y), ()),
    "torch.add": (lambda m, x, y: m.add(x, y), ()),
    "torch.mul": (lambda m, x, y: m.mul(x, y), ()),
    "torch.pow": (lambda m, x, y: m.pow(x, y), ("pos", "any")),
}
for name, (fn, dom) in BINARY.items():
    for sa, sb in BROADCAST:
        add(f"{name}-{sa}-{sb}", fn, sa, sb, domain=dom)

# ---- Python scalars and ndarrays on either side --------------------------------------------------
add("radd-scalar", lambda m, x: 2.5 + x, (3, 4))
add("rsub-scalar", lambda m, x: 2.5 - x, (3, 4))
add("rmul-scalar", lambda m, x: 3 * x, (3, 4))
add("rdiv-scalar", lambda m, x: 2.0 / x, (3, 4), domain=("away",))
add("div-scalar", lambda m, x: x / 4, (3, 4))
add("pow-2", lambda m, x: x**2, (3, 4))
add("pow-3-negative-base", lambda m, x: x**3, (3, 4))
add("pow-half", lambda m, x: x**0.5, (3, 4), domain=("pos",))
add("pow-neg", lambda m, x: x**-1.5, (3, 4), domain=("pos",))
add("rpow", lambda m, x: 2.0**x, (3, 4))
add("neg", lambda m, x: -x, (3, 4))
add("neg-0d", lambda m, x: -x, ())
add("abs-operator", lambda m, x: abs(x), (3, 4), domain=("away",))
add("iadd-nonleaf", lambda m, x, y: _inplace(x, y, "+"), (3, 4), (4,))
add("isub-nonleaf", lambda m, x, y: _inplace(x, y, "-"), (3, 4), (3, 1))
add("imul-nonleaf", lambda m, x, y: _inplace(x, y, "*"), (3, 4), ())
add("idiv-nonleaf", lambda m, x, y: _inplace(x, y, "/"), (3, 4), (1, 4), domain=("any", "away"))


def _inplace(x: Any, y: Any, op: str) -> Any:
    """``z = 2 * x; z op= y`` (in place on a non-leaf, recorded in the graph)."""
    z = x * 2
    if op == "+":
        z += y
    elif op == "-":
        z -= y
    elif op == "*":
        z *= y
    else:
        z /= y
    return z


# ---- comparisons: no gradient, bool results, broadcasting, scalars on either side ----------------
COMPARE = {
    "eq": lambda m, x, y: x == y,
    "ne": lambda m, x, y: x != y,
    "lt": lambda m, x, y: x < y,
    "le": lambda m, x, y: x <= y,
    "gt": lambda m, x, y: x > y,
    "ge": lambda m, x, y: x >= y,
}
for name, fn in COMPARE.items():
    add(f"{name}-broadcast", fn, (3, 4), (4,), tags="nograd")
    add(f"{name}-scalar", lambda m, x, fn=fn: fn(m, x, 0.1), (3, 4), tags="nograd")
    add(f"{name}-self", lambda m, x, fn=fn: fn(m, x, x), (3,), tags="nograd")
add("scalar-lt-tensor", lambda m, x: 0.2 < x, (3, 4), tags="nograd")

# ---- unary elementwise ----------------------------------------------------------------------------
UNARY = {
    "exp": (lambda m, x: x.exp(), "any"),
    "log": (lambda m, x: x.log(), "pos"),
    "sqrt": (lambda m, x: x.sqrt(), "pos"),
    "sin": (lambda m, x: x.sin(), "any"),
    "cos": (lambda m, x: x.cos(), "any"),
    "tanh": (lambda m, x: x.tanh(), "any"),
    "sigmoid": (lambda m, x: x.sigmoid(), "any"),
    "relu": (lambda m, x: x.relu(), "away"),
    "leaky_relu": (lambda m, x: F(m).leaky_relu(x, 0.1), "away"),
    "gelu": (lambda m, x: F(m).gelu(x), "any"),
    "gelu-tanh": (lambda m, x: F(m).gelu(x, approximate="tanh"), "any"),
    "softplus": (lambda m, x: F(m).softplus(x), "any"),
    "softplus-beta": (lambda m, x: F(m).softplus(x * 4, beta=2.0, threshold=3.0), "away"),
    "abs": (lambda m, x: x.abs(), "away"),
    "clamp": (lambda m, x: x.clamp(-0.5, 0.7), "any"),
    "clamp-min": (lambda m, x: x.clamp(min=0.1), "any"),
    "clamp-max": (lambda m, x: m.clamp(x, max=0.3), "any"),
    "clip": (lambda m, x: x.clip(-0.4, 0.4), "any"),
    "torch.exp": (lambda m, x: m.exp(x), "any"),
    "torch.sigmoid": (lambda m, x: m.sigmoid(x), "any"),
    "torch.tanh": (lambda m, x: m.tanh(x), "any"),
}
for name, (fn, dom) in UNARY.items():
    for shape in [(3, 4), (), (2, 1, 3)]:
        add(f"{name}-{shape}", fn, shape, domain=(dom,))
add("clamp-tensor-bounds", lambda m, x, lo, hi: x.clamp(lo - 1, hi + 1), (3, 4), (4,), (3, 1))

# ---- reductions -----------------------------------------------------------------------------------
DIMS = [None, 1, -1, (0, 2)]
REDUCE = {
    "sum": lambda m, x, d, k: x.sum() if d is None and not k else x.sum(d, keepdim=k),
    "mean": lambda m, x, d, k: x.mean() if d is None and not k else x.mean(d, keepdim=k),
    "var": lambda m, x, d, k: x.var() if d is None and not k else x.var(d, keepdim=k),
    "var-correction0": lambda m, x, d, k: x.var(d, keepdim=k, correction=0),
    "std": lambda m, x, d, k: x.std() if d is None and not k else x.std(d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax() if d is None and not k else x.amax(d, keepdim=k),
    "amin": lambda m, x, d, k: x.amin() if d is None and not k else x.amin(d, keepdim=k),
    "logsumexp": lambda m, x, d, k: x.logsumexp(tuple(range(x.ndim)) if d is None else d, keepdim=k),
}
for name, fn in REDUCE.items():
    for d in DIMS:
        for k in (False, True):
            add(f"{name}-dim{d}-keep{k}", lambda m, x, fn=fn, d=d, k=k: fn(m, x, d, k), (2, 3, 4))
for d in (0, 1, -1):
    for k in (False, True):
        add(f"max-dim{d}-keep{k}", lambda m, x, d=d, k=k: x.max(d, keepdim=k)[0], (2, 3, 4))
        add(f"min-dim{d}-keep{k}", lambda m, x, d=d, k=k: x.min(dim=d, keepdim=k).values, (2, 3, 4))
        add(f"prod-dim{d}-keep{k}", lambda m, x, d=d, k=k: x.prod(d, keepdim=k), (2, 3, 4), domain=("away",))
add("max-all", lambda m, x: x.max(), (2, 3, 4))
add("min-all", lambda m, x: x.min(), (2, 3, 4))
add("prod-all", lambda m, x: x.prod(), (2, 3), domain=("away",))
add("sum-0d", lambda m, x: x.sum(), ())
add("sum-0d-dim0", lambda m, x: x.sum(0), ())
add("mean-0d-dim-1-keep", lambda m, x: x.mean(-1, keepdim=True), ())
add("max-0d-dim0", lambda m, x: x.max(0)[0], ())
add("prod-0d-dim0", lambda m, x: x.prod(0), ())
add("logsumexp-0d-dim0", lambda m, x: x.logsumexp(0), ())
add("argmax-0d-dim0", lambda m, x: x.argmax(0), (), tags="nograd")
add("mean-0d", lambda m, x: x.mean(), ())
add("softmax-last", lambda m, x: x.softmax(-1), (3, 4))
add("softmax-0", lambda m, x: m.softmax(x, 0), (2, 3, 4))
add("log_softmax-last", lambda m, x: x.log_softmax(-1), (3, 4))
add("log_softmax-1", lambda m, x: m.log_softmax(x, dim=1), (2, 3, 4))
add("functional-softmax", lambda m, x: F(m).softmax(x, dim=1), (2, 5))
add("argmax", lambda m, x: x.argmax(), (3, 4), tags="nograd")
add("argmax-dim", lambda m, x: x.argmax(1), (3, 4), tags="nograd")
add("argmin-dim-keep", lambda m, x: x.argmin(0, keepdim=True), (3, 4), tags="nograd")
add("argmin", lambda m, x: m.argmin(x), (3, 4), tags="nograd")
add("argmax-keepdim-all", lambda m, x: x.argmax(keepdim=True), (3, 4), tags="nograd")
add("max-indices", lambda m, x: x.max(1).indices, (3, 4), tags="nograd")
add("min-indices-keep", lambda m, x: x.min(0, keepdim=True)[1], (3, 4), tags="nograd")

# ---- shape and movement ---------------------------------------------------------------------------
MOVE = [
    ("reshape", lambda m, x: x.reshape(4, 6), (2, 3, 4)),
    ("reshape-minus1", lambda m, x: x.reshape(-1, 2), (2, 3, 4)),
    ("reshape-tuple", lambda m, x: x.reshape((3, 8)), (2, 3, 4)),
    ("view", lambda m, x: x.view(6, 4), (2, 3, 4)),
    ("flatten", lambda m, x: x.flatten(), (2, 3, 4)),
    ("flatten-1", lambda m, x: x.flatten(1), (2, 3, 4)),
    ("flatten-0d", lambda m, x: x.flatten(), ()),
    ("squeeze", lambda m, x: x.squeeze(), (1, 3, 1)),
    ("squeeze-dim", lambda m, x: x.squeeze(0), (1, 3, 1)),
    ("unsqueeze", lambda m, x: x.unsqueeze(1), (3, 4)),
    ("unsqueeze-neg", lambda m, x: x.unsqueeze(-1), (3, 4)),
    ("transpose", lambda m, x: x.transpose(0, 2), (2, 3, 4)),
    ("T", lambda m, x: x.T, (3, 4)),
    ("t", lambda m, x: x.t(), (3, 4)),
    ("permute", lambda m, x: x.permute(2, 0, 1), (2, 3, 4)),
    ("expand", lambda m, x: x.expand(2, 3, 4), (3, 1)),
    ("expand-minus1", lambda m, x: x.expand(5, -1, -1), (3, 4)),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), (4,)),
    ("index-int", lambda m, x: x[1], (3, 4)),
    ("index-neg-int", lambda m, x: x[-1, 2], (3, 4)),
    ("index-slice", lambda m, x: x[1:, ::2], (3, 4)),
    ("index-none-ellipsis", lambda m, x: x[None, ..., 1], (2, 3, 4)),
    ("index-int-array-repeats", lambda m, x: x[[0, 2, 0, 0]], (3, 4)),
    ("index-2-arrays", lambda m, x: x[[0, 1, 1], [3, 3, 0]], (3, 4)),
    ("index-array-and-slice", lambda m, x: x[:, [1, 1, 2]], (3, 4)),
    ("index-bool-mask", lambda m, x: x[x > 0], (3, 4)),
    ("index-bool-rows", lambda m, x: x[m.tensor([True, False, True])], (3, 4)),
    ("setitem-slice", lambda m, x, v: _setitem(x, (slice(1, None), 0), v), (3, 4), (2,)),
    ("setitem-int-scalar-broadcast", lambda m, x, v: _setitem(x, 1, v), (3, 4), ()),
    ("setitem-mask", lambda m, x, v: _setitem(x, x > 0.5, v), (3, 4), ()),
    ("setitem-array", lambda m, x, v: _setitem(x, [0, 2], v), (3, 4), (4,)),
    ("cat-0", lambda m, x, y: m.cat([x, y], 0), (2, 3), (4, 3)),
    ("cat-1", lambda m, x, y: m.cat([x, y, x], dim=1), (2, 3), (2, 1)),
    ("cat-neg", lambda m, x, y: m.cat((x, y), -1), (2, 3), (2, 2)),
    ("stack-0", lambda m, x, y: m.stack([x, y]), (2, 3), (2, 3)),
    ("stack-last", lambda m, x, y: m.stack([x, y, x], dim=-1), (2, 3), (2, 3)),
    ("split-size", lambda m, x: _join(x.split(2, 1)), (3, 5)),
    ("split-sections", lambda m, x: _join(m.split(x, [1, 3, 1], dim=1)), (3, 5)),
    ("chunk", lambda m, x: _join(x.chunk(3, 0)), (5, 2)),
    ("chunk-fn", lambda m, x: _join(m.chunk(x, 2, dim=1)), (2, 4)),
    ("pad-last", lambda m, x: F(m).pad(x, (1, 2)), (3, 4)),
    ("pad-two-dims", lambda m, x: F(m).pad(x, (1, 0, 2, 1), value=0.5), (2, 3, 4)),
    ("matmul-2d", lambda m, x, y: x @ y, (3, 4), (4, 5)),
    ("matmul-1d-1d", lambda m, x, y: x @ y, (4,), (4,)),
    ("matmul-1d-2d", lambda m, x, y: x @ y, (4,), (4, 3)),
    ("matmul-2d-1d", lambda m, x, y: m.matmul(x, y), (3, 4), (4,)),
    ("matmul-batched", lambda m, x, y: x @ y, (2, 3, 4), (2, 4, 5)),
    ("matmul-batch-broadcast", lambda m, x, y: x @ y, (2, 1, 3, 4), (5, 4, 2)),
    ("matmul-batched-2d", lambda m, x, y: x.matmul(y), (2, 3, 4), (4, 2)),
    ("matmul-1d-batched", lambda m, x, y: x @ y, (4,), (2, 4, 3)),
    ("gather-1", lambda m, x: x.gather(1, m.tensor([[0, 0], [1, 0], [3, 2]])), (3, 4)),
    ("gather-0", lambda m, x: m.gather(x, 0, m.tensor([[2, 1, 0, 0]])), (3, 4)),
    ("clone", lambda m, x: x.clone(), (3, 4)),
    ("to-float64", lambda m, x: x.to(m.float64) * 2, (3,)),
]
for name, fn, *shapes in MOVE:
    add(name, fn, *shapes)

# ---- further Tensor methods beyond SPEC §1's list ------------------------------------------------
EXTRA = [
    ("cumsum", lambda m, x: x.cumsum(1), (3, 4)),
    ("cumsum-0", lambda m, x: m.cumsum(x, 0), (3, 4)),
    ("repeat", lambda m, x: x.repeat(2, 1, 3), (3, 4)),
    ("masked_fill", lambda m, x: x.masked_fill(x > 0.3, -1.0), (3, 4)),
    ("narrow", lambda m, x: x.narrow(1, 1, 2), (3, 4)),
    ("select", lambda m, x: x.select(0, -1), (3, 4)),
    ("unbind", lambda m, x: _join(x.unbind(1)), (3, 4)),
    ("square", lambda m, x: x.square(), (3, 4)),
    ("rsqrt", lambda m, x: x.rsqrt(), (3, 4), ("pos",)),
    ("reciprocal", lambda m, x: x.reciprocal(), (3, 4), ("away",)),
    ("mm", lambda m, x, y: x.mm(y), (3, 4), (4, 2)),
    ("bmm", lambda m, x, y: m.bmm(x, y), (2, 3, 4), (2, 4, 2)),
    ("dot", lambda m, x, y: x.dot(y), (4,), (4,)),
    ("remainder", lambda m, x, y: x % y, (3, 4), (4,), ("any", "pos")),
    ("floor", lambda m, x: x.floor() * x, (3, 4)),
    ("ceil", lambda m, x: x.ceil() + x, (3, 4)),
    ("round", lambda m, x: x.round() * x, (3, 4)),
    ("mT", lambda m, x: x.mT, (2, 3, 4)),
    ("swapaxes", lambda m, x: x.swapaxes(0, 1), (2, 3, 4)),
    ("unflatten", lambda m, x: x.unflatten(1, (2, 2)), (3, 4)),
    ("expand_as", lambda m, x, y: x.expand_as(y), (1, 4), (3, 4)),
    ("view_as", lambda m, x, y: x.view_as(y) * y, (12,), (3, 4)),
    ("float64-then-sum", lambda m, x: x.sum(dtype=m.float64), (3, 4)),
    ("minimum-scalar-tensor", lambda m, x: m.minimum(x, m.tensor(0.2)), (3, 4)),
    ("max-binary", lambda m, x, y: m.max(x, y), (3, 4), (4,)),
    ("softmax-dtype", lambda m, x: x.softmax(-1, dtype=m.float64), (3, 4)),
    ("sub-alpha-method", lambda m, x, y: x.sub(y), (3, 4), (4,)),
    ("neg-method", lambda m, x: x.neg(), (3, 4)),
    ("index-tensor-int-2d", lambda m, x: x[m.tensor([[0, 2], [1, 1]])], (3, 4)),
    ("index-step-slices", lambda m, x: x[::2, 1::2], (3, 4)),
    ("index-ellipsis-middle", lambda m, x: x[0, ..., 1:], (2, 3, 4)),
    ("index-list-then-none", lambda m, x: x[[1, 0]][:, None], (3, 4)),
]
for name, fn, *rest in EXTRA:
    doms = rest[-1] if rest and isinstance(rest[-1][0], str) else ()
    shapes = rest[:-1] if doms else rest
    add(name, fn, *shapes, domain=doms)

# ---- the surface teaching code uses (issue 13): elementwise family, triangles, sorting, norms... --------
TEACHING = [
    ("log10", lambda m, x: x.log10(), (3, 4), ("pos",)),
    ("log10-fn", lambda m, x: m.log10(x), (2, 1, 3), ("pos",)),
    ("log2", lambda m, x: x.log2(), (3, 4), ("pos",)),
    ("log1p", lambda m, x: m.log1p(x), (3, 4), ("pos",)),
    ("expm1", lambda m, x: x.expm1(), (3, 4)),
    ("exp2", lambda m, x: m.exp2(x), (3, 4)),
    ("rsqrt-0d", lambda m, x: m.rsqrt(x), (), ("pos",)),
    ("reciprocal-fn", lambda m, x: m.reciprocal(x), (3, 4), ("away",)),
    ("square-fn", lambda m, x: m.square(x), (3, 4)),
    ("sign", lambda m, x: x.sign(), (3, 4), ("away",)),
    ("sgn", lambda m, x: m.sgn(x) * x, (3, 4), ("away",)),
    ("trunc", lambda m, x: x.trunc() + x, (3, 4)),
    ("frac", lambda m, x: (x * 3).frac(), (3, 4)),
    ("round-decimals", lambda m, x: m.round(x, decimals=1) * x, (3, 4)),
    ("log10_-nonleaf", lambda m, x: (x * 1).log10_(), (3, 4), ("pos",)),
    ("floor_-nonleaf", lambda m, x: (x * 2).floor_() + x, (3, 4)),
    ("expm1_-nonleaf", lambda m, x: (x * 1).expm1_(), (3, 4)),
    ("tril", lambda m, x: x.tril(), (3, 4)),
    ("tril-neg-batched", lambda m, x: m.tril(x, diagonal=-1), (2, 3, 4)),
    ("triu-1", lambda m, x: x.triu(1), (4, 3)),
    ("triu-fn-batched", lambda m, x: m.triu(x, 2), (2, 3, 4)),
    ("tril_-nonleaf", lambda m, x: (x * 1).tril_(1), (3, 4)),
    ("norm", lambda m, x: x.norm(), (3, 4)),
    ("norm-p1-dim", lambda m, x: x.norm(1, dim=1), (3, 4), ("away",)),
    ("norm-p3-keepdim", lambda m, x: x.norm(3, dim=0, keepdim=True), (3, 4), ("away",)),
    ("norm-inf", lambda m, x: x.norm(float("inf"), dim=1), (3, 4)),
    ("norm-p-half", lambda m, x: m.norm(x, p=0.5, dim=-1), (3, 4), ("away",)),
    ("norm-p1.5-dims", lambda m, x: m.norm(x, 1.5, dim=(0, 2)), (2, 3, 4), ("away",)),
    ("norm-fro-dims", lambda m, x: x.norm("fro", dim=(1, 2)), (2, 3, 4)),
    ("linalg.norm", lambda m, x: m.linalg.norm(x), (3, 4)),
    ("linalg.norm-dim", lambda m, x: m.linalg.norm(x, dim=1, keepdim=True), (3, 4)),
    ("linalg.vector_norm", lambda m, x: m.linalg.vector_norm(x, ord=4, dim=-1), (3, 4), ("away",)),
    ("linalg.matrix_norm-1", lambda m, x: m.linalg.matrix_norm(x, ord=1), (2, 3, 4)),
    ("linalg.matrix_norm-inf", lambda m, x: m.linalg.matrix_norm(x, ord=float("-inf")), (2, 3, 4)),
    ("linalg.matrix_norm-fro", lambda m, x: m.linalg.matrix_norm(x, keepdim=True), (2, 3, 4)),
    ("sort-values", lambda m, x: x.sort(1).values, (3, 4)),
    ("sort-descending", lambda m, x: x.sort(0, descending=True)[0], (3, 4)),
    ("sort-fn-stable", lambda m, x: m.sort(x, dim=-1, stable=True)[0] * 2, (2, 3, 4)),
    ("topk", lambda m, x: x.topk(2, dim=1).values, (3, 4)),
    ("topk-smallest", lambda m, x: m.topk(x, 3, largest=False)[0], (3, 4)),
    ("flip", lambda m, x: x.flip(0), (3, 4)),
    ("flip-fn-two", lambda m, x: m.flip(x, (0, 2)), (2, 3, 4)),
    ("roll", lambda m, x: x.roll(1, 1), (3, 4)),
    ("roll-flat", lambda m, x: m.roll(x, 5), (3, 4)),
    ("roll-two-dims", lambda m, x: x.roll((1, -1), (0, 1)), (3, 4)),
    ("cumprod", lambda m, x: x.cumprod(1), (3, 4), ("away",)),
    (
        "cumprod-with-zero",
        lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 1.0], dtype=x.dtype)).cumprod(1),
        (3, 4),
    ),
    ("cumprod-fn-dtype", lambda m, x: m.cumprod(x, 0, dtype=m.float64), (3, 4), ("away",)),
    ("cumsum-dtype", lambda m, x: x.cumsum(0, dtype=m.float64), (3, 4)),
    ("einsum-matmul", lambda m, x, y: m.einsum("ij,jk->ik", x, y), (3, 4), (4, 5)),
    ("einsum-batched", lambda m, x, y: m.einsum("bij,bjk->bik", x, y), (2, 3, 4), (2, 4, 5)),
    ("einsum-attention", lambda m, q, k: m.einsum("bhqd,bhkd->bhqk", q, k), (1, 2, 3, 4), (1, 2, 5, 4)),
    ("einsum-diagonal", lambda m, x: m.einsum("ii->i", x), (3, 3)),
    ("einsum-trace", lambda m, x: m.einsum("ii", x), (3, 3)),
    ("einsum-outer", lambda m, x, y: m.einsum("i,j->ij", x, y), (3,), (4,)),
    ("einsum-implicit", lambda m, x, y: m.einsum("ij,jk", x, y), (3, 4), (4, 2)),
    ("einsum-ellipsis", lambda m, x, y: m.einsum("...ij,jk->...ik", x, y), (2, 3, 4), (4, 5)),
    ("einsum-sum", lambda m, x: m.einsum("ij->", x), (3, 4)),
    ("einsum-list-broadcast", lambda m, x, y: m.einsum("ij,ij->i", [x, y]), (1, 4), (3, 4)),
    ("einsum-three", lambda m, x, y, z: m.einsum("i,ij,j->", x, y, z), (3,), (3, 4), (4,)),
    ("diag-vector", lambda m, x: x.diag(), (4,)),
    ("diag-vector-offset", lambda m, x: m.diag(x, 1), (3,)),
    ("diag-matrix", lambda m, x: x.diag(), (3, 4)),
    ("diag-matrix-neg", lambda m, x: m.diag(x, -1), (3, 4)),
    ("diagonal", lambda m, x: x.diagonal(), (3, 4)),
    ("diagonal-dims", lambda m, x: m.diagonal(x, offset=1, dim1=1, dim2=2), (2, 3, 4)),
    ("trace", lambda m, x: x.trace(), (3, 4)),
    ("outer", lambda m, x, y: m.outer(x, y), (3,), (4,)),
    ("masked_select", lambda m, x: x.masked_select(x > 0), (3, 4)),
    ("masked_select-broadcast", lambda m, x: m.masked_select(x, m.tensor([True, False, True, True])), (3, 4)),
]
for name, fn, *rest in TEACHING:
    doms = rest[-1] if rest and isinstance(rest[-1][0], str) else ()
    shapes = rest[:-1] if doms else rest
    add(name, fn, *shapes, domain=doms)

# ---- trigonometric and hyperbolic functions and their inverses (ops/trig.py) -----------------------
TRIG = [
    ("tan", lambda m, x: x.tan(), (3, 4), ("unit",)),
    ("tan-fn-0d", lambda m, x: m.tan(x), (), ("unit",)),
    ("asin", lambda m, x: x.asin(), (3, 4), ("unit",)),
    ("arcsin-fn", lambda m, x: m.arcsin(x), (2, 1, 3), ("unit",)),
    ("acos", lambda m, x: x.acos(), (3, 4), ("unit",)),
    ("arccos-method", lambda m, x: x.arccos(), (3,), ("unit",)),
    ("atan", lambda m, x: m.atan(x), (3, 4)),
    ("arctan-method", lambda m, x: x.arctan(), (2, 1, 3)),
    ("sinh", lambda m, x: x.sinh(), (3, 4)),
    ("cosh", lambda m, x: m.cosh(x), (3, 4)),
    ("asinh", lambda m, x: x.asinh(), (3, 4)),
    ("arcsinh-fn", lambda m, x: m.arcsinh(x), (), ("any",)),
    ("acosh", lambda m, x: (x + 1).acosh(), (3, 4), ("pos",)),
    ("arccosh-fn", lambda m, x: m.arccosh(x + 1), (3,), ("pos",)),
    ("atanh", lambda m, x: x.atanh(), (3, 4), ("unit",)),
    ("arctanh-fn", lambda m, x: m.arctanh(x), (2, 1, 3), ("unit",)),
    ("atan2", lambda m, y, x: m.atan2(y, x), (3, 4), (3, 4), ("any", "away")),
    ("atan2-broadcast", lambda m, y, x: y.atan2(x), (3, 1), (4,), ("any", "away")),
    ("atan2-0d-other", lambda m, y, x: m.arctan2(y, x), (2, 3), (), ("any", "away")),
    ("arctan2-method-left-0d", lambda m, y, x: y.arctan2(x), (), (3, 4), ("any", "away")),
    ("tan_-nonleaf", lambda m, x: (x * 1).tan_(), (3, 4), ("unit",)),
    ("asin_-nonleaf", lambda m, x: (x * 1).asin_(), (3, 4), ("unit",)),
    (
        "cosh_-nonleaf",
        lambda m, x: (x * 1).cosh_(),
        (3, 4),
    ),  # (PyTorch has no gradient for asinh_ acosh_ atanh_)
    ("atan2_-nonleaf", lambda m, y, x: (y * 1).atan2_(x), (3, 4), (4,), ("any", "away")),
]
for name, fn, *rest in TRIG:
    doms = rest[-1] if rest and isinstance(rest[-1][0], str) else ()
    shapes = rest[:-1] if doms else rest
    add(name, fn, *shapes, domain=doms)

# ---- picking by position or rank (ops/selection.py) ----------------------------------------------
SELECTION = [
    ("index_select", lambda m, x: x.index_select(1, m.tensor([3, 0, 3])), (3, 4)),
    ("index_select-fn-neg-dim", lambda m, x: m.index_select(x, -3, m.tensor([1, 1])), (2, 3, 4)),
    ("index_select-int32-0d-index", lambda m, x: x.index_select(0, m.tensor(2, dtype=m.int32)), (3, 4)),
    ("median", lambda m, x: x.median(), (3, 4)),
    ("median-fn-even-count", lambda m, x: m.median(x), (2, 2)),
    ("median-dim", lambda m, x: x.median(1).values, (3, 4)),
    ("median-dim-keepdim", lambda m, x: m.median(x, dim=0, keepdim=True)[0], (2, 3, 4)),
    ("kthvalue", lambda m, x: x.kthvalue(2).values, (3, 4)),
    ("kthvalue-fn-dim-keepdim", lambda m, x: m.kthvalue(x, 3, 0, True)[0], (3, 4)),
]
for name, fn, *rest in SELECTION:
    doms = rest[-1] if rest and isinstance(rest[-1][0], str) else ()
    shapes = rest[:-1] if doms else rest
    add(name, fn, *shapes, domain=doms)
add("median-indices", lambda m, x: x.median(dim=-1).indices, (3, 5), tags="nograd")
add("kthvalue-indices", lambda m, x: m.kthvalue(x, 4, dim=1)[1], (3, 5), tags="nograd")
add("unique_consecutive", lambda m, x: m.unique_consecutive((x > 0).long()), (3, 4), tags="nograd")
add(
    "unique_consecutive-inverse",
    lambda m, x: (x > 0).long().unique_consecutive(return_inverse=True, return_counts=True)[1],
    (3, 4),
    tags="nograd",
)
add(
    "unique_consecutive-counts",
    lambda m, x: m.unique_consecutive(x > 0, return_counts=True)[1],
    (3, 4),
    tags="nograd",
)
add("unique_consecutive-dim", lambda m, x: m.unique_consecutive((x > 0).long(), dim=1), (2, 6), tags="nograd")
add("linalg.matrix_norm-nuc", lambda m, x: m.linalg.matrix_norm(x, ord="nuc"), (3, 4), tags="once")
add("norm-nuc", lambda m, x: x.norm(p="nuc"), (4, 3), tags="once")
add("linalg.matrix_norm-2", lambda m, x: m.linalg.matrix_norm(x, ord=2), (2, 3, 4), tags="once")
add("argsort", lambda m, x: x.argsort(dim=0, descending=True), (3, 4), tags="nograd")
add("sort-indices", lambda m, x: m.sort(x)[1], (3, 4), tags="nograd")
add("topk-indices", lambda m, x: x.topk(3).indices, (3, 4), tags="nograd")
add("nonzero", lambda m, x: (x > 0).nonzero(), (3, 4), tags="nograd")
add("nonzero-tuple", lambda m, x: m.nonzero(x > 0, as_tuple=True)[1], (3, 4), tags="nograd")
add("where-one-arg", lambda m, x: m.where(x > 0)[0], (3, 4), tags="nograd")
add("argwhere", lambda m, x: m.argwhere(x > 0.5), (3, 4), tags="nograd")
add("unique-counts", lambda m, x: (x > 0).long().unique(return_counts=True)[1], (3, 4), tags="nograd")
add("unique-inverse", lambda m, x: m.unique(x.round(), return_inverse=True)[1], (3, 4), tags="nograd")
add("unique-dim", lambda m, x: m.unique((x > 0).long(), dim=0), (5, 2), tags="nograd")
add("bincount", lambda m, x: m.bincount((x > 0).long().sum(1)), (5, 4), tags="nograd")
add("isclose", lambda m, x: x.isclose(x + 1e-7), (3, 4), tags="nograd")
add("isnan-fn", lambda m, x: m.isnan(x.log()), (3, 4), tags="nograd")
add("isinf", lambda m, x: (x / 0).isinf(), (3, 4), tags="nograd")
add("isfinite-fn", lambda m, x: m.isfinite(x.log()), (3, 4), tags="nograd")
add("any-dim-keepdim", lambda m, x: (x > 1).any(1, keepdim=True), (3, 4), tags="nograd")
add("all-fn-dim", lambda m, x: m.all(x > -1, dim=0), (3, 4), tags="nograd")
add("any-all", lambda m, x: m.any(x > 2), (3, 4), tags="nograd")
add("cumsum-bool", lambda m, x: (x > 0).cumsum(1), (3, 4), tags="nograd")
add("tril-int", lambda m, x: (x > 0).long().tril(), (3, 4), tags="nograd")


def _setitem(x: Any, index: Any, v: Any) -> Any:
    """``y = x * 1; y[index] = v``: the functional form of __setitem__ on a non-leaf."""
    y = x * 1
    y[index] = v
    return y


def _join(parts: Any) -> Any:
    """Weight each piece differently so a mix-up of the pieces' gradients shows."""
    return sum((p * (i + 1)).sum() for i, p in enumerate(parts))


# ---- the checks --------------------------------------------------------------------------------


def _tg_inputs(case: Case, dtype: Any) -> list[tg.Tensor]:
    return [tg.tensor(a, requires_grad=a.dtype.kind == "f") for a in case.inputs(dtype)]


@pytest.mark.parametrize("case", [c for c in OPS if "nograd" not in c.tags], ids=lambda c: c.id)
def test_gradcheck(case: Case) -> None:
    """The backward of every op matches float64 central differences."""
    xs = _tg_inputs(case, np.float64)
    assert gradcheck(lambda *a: case.fn(tg, *a), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("case", [c for c in OPS if "nograd" in c.tags], ids=lambda c: c.id)
def test_nondifferentiable_ops_have_no_graph(case: Case) -> None:
    xs = _tg_inputs(case, np.float32)
    out = case.fn(tg, *xs)
    assert out.dtype in (tg.int64, tg.bool) and not out.requires_grad and out.grad_fn is None


def test_every_case_id_is_unique() -> None:
    ids = [c.id for c in OPS]
    assert len(ids) == len(set(ids))


# ---- aliases and argument forms (no other library needed) -------------------------------------


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "var", "std", "logsumexp", "prod"])
@pytest.mark.parametrize("d", [0, -1, (0, 2)])
def test_axis_and_keepdims_aliases(op: str, d: Any) -> None:
    x = tg.randn(2, 3, 4, dtype=tg.float64)
    if op == "prod" and isinstance(d, tuple):
        d = (0, 2)
    a = getattr(x, op)(d, keepdim=True)
    b = getattr(x, op)(axis=d, keepdims=True)
    np.testing.assert_allclose(a.data, b.data)
    assert a.shape == b.shape


def test_prod_over_a_tuple_of_dims_gradchecks() -> None:
    x = tg.tensor(np.random.default_rng(1).uniform(0.5, 2, (2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: t.prod((0, 2)), (x,))


def test_prod_gradient_with_zeros_is_exact() -> None:
    """prod/x_i is 0/0 at a zero: the gradient is the product of the others."""
    x = tg.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]], dtype=tg.float64, requires_grad=True)
    x.prod(1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 6, 0], [0, 0, 0], [8, 4, 2]])
    assert gradcheck(lambda t: t.prod(1), (x,))


def test_max_with_dim_returns_values_and_indices() -> None:
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    r = x.min(dim=0, keepdim=True)
    assert r.values.tolist() == [[1.0, 0.0, 2.0]] and r.indices.tolist() == [[0, 1, 0]]
    assert r.indices.dtype == tg.int64


def test_max_ties_share_the_gradient() -> None:
    x = tg.tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5]


def test_repeated_integer_indices_accumulate() -> None:
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_gelu_exact_matches_erf_to_float64_precision() -> None:
    import math

    xs = np.linspace(-8, 8, 1601)
    ref = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in xs])  # no cancellation
    np.testing.assert_allclose(tg.tensor(xs).gelu().data, ref, rtol=1e-13, atol=1e-15)


def test_var_with_correction_beyond_n() -> None:
    """As PyTorch: N - correction <= 0 gives inf (or nan for a zero sum) with a warning."""
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert tg.tensor([1.0, 2.0]).var(correction=3).item() == float("inf")
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isnan(tg.tensor([1.0]).var().item())


def test_every_op_has_a_formula() -> None:
    """Each Function subclass in ops/ carries a non-empty local-derivative formula."""
    import inspect

    from tinygrad_np.autograd import Function
    from tinygrad_np.ops import binary, elementwise, linalg, movement, reduce

    found = []
    for mod in (binary, elementwise, linalg, movement, reduce):
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if issubclass(cls, Function) and cls is not Function and cls.__module__ == mod.__name__:
                found.append(cls)
                assert isinstance(cls.formula, str) and cls.formula.strip(), cls.__name__
    assert len(found) > 30


def test_every_recorded_node_in_the_table_has_a_formula() -> None:
    for case in OPS:
        if "nograd" in case.tags:
            continue
        out = case.fn(tg, *_tg_inputs(case, np.float32))
        node = out.grad_fn
        assert node is not None and node.formula, case.id
