"""A per-op numerical check of a graph: does each node's backward agree with finite differences?

For every op node, the op is run again on its own inputs promoted to float64, and its backward
(through the engine, so broadcasting is undone as in a real pass) gives the vector-Jacobian
product ``J^T v`` for a random ``v``. In a random direction ``u`` this must equal the central
difference::

    <J^T v, u>  ~=  (<f(x + eps u), v> - <f(x - eps u), v>) / (2 eps)

one pair of forward calls per direction, whatever the size of the inputs.

The inputs of a node are taken from ``node._inputs`` when the graph was built inside
:func:`record_inputs`, else from its saved tensors and the operands it noted without gradient
(a one-element constant's value, a data tensor still alive) when together they are exactly its
arguments (the usual case for a user-defined ``Function`` that saves its inputs); other nodes
are skipped, and a skipped op is part of the result: ``check_graph`` never passes vacuously.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import engine, operands
from ..autograd import function as _function
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .graph import build_graph


@dataclass
class OpCheck:
    """The result for one op node: ``status`` is 'ok', 'failed' or 'skipped'."""

    node: Any
    name: str
    seq: int
    status: str
    max_error: float = 0.0
    analytic: float = 0.0
    numeric: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Checked and in agreement (a skipped op is not ok: nothing was verified)."""
        return self.status == "ok"


class CheckResult(list):  # type: ignore[type-arg]
    """What :func:`check_graph` returns: a list of the ops that are not verified (status
    'failed' or 'skipped'), so ``assert not check_graph(loss)`` holds only when every op was
    checked and agreed; ``checked`` counts the ops checked, ``failed``/``skipped`` split the list."""

    checked: int = 0

    @property
    def failed(self) -> list[OpCheck]:
        return [r for r in self if r.status == "failed"]

    @property
    def skipped(self) -> list[OpCheck]:
        return [r for r in self if r.status == "skipped"]


@contextlib.contextmanager
def record_inputs() -> Iterator[None]:
    """Ops recorded inside this block keep their forward arguments, so :func:`check_graph`
    can check every node (not only those whose saved tensors are their inputs)."""
    previous = _function._keep_inputs
    _function._keep_inputs = True
    try:
        yield
    finally:
        _function._keep_inputs = previous


def _inputs_of(node: Any) -> tuple[Any, ...] | None:
    args = getattr(node, "_inputs", None)
    if args is not None:
        return tuple(args)
    saved = [s[0] for s in node._saved or () if s is not None and s[0] is not None]  # (SavedEntry)
    consts = {c[0]: c for c in operands.of(node)}  # (index, shape, dtype, value, weakref)
    out: list[Any] = []
    for i, edge in enumerate(node._edges):
        if edge is None:
            if i not in consts:
                return None  # a non-tensor argument (a dim, a flag): unknown
            _, _, dtype, value, ref = consts[i]
            t = ref()
            if t is None and value is None:
                return None
            out.append(t if t is not None else Tensor._wrap(np.asarray(value, dtype)))
            continue
        parent, nr = edge[0], edge[1]
        if isinstance(parent, Tensor):  # an edge to a leaf holds the leaf itself
            out.append(parent)
            continue
        for t in saved:
            if parent is t or (t.grad_fn is parent and t._output_nr == nr):
                out.append(t)
                break
        else:
            return None
    return tuple(out)


def check_op(node: Any, args: tuple[Any, ...], directions: int = 2, seed: int = 0) -> OpCheck:
    """Compare ``type(node)``'s backward with central differences at ``args``."""
    cls = type(node)
    rng = np.random.default_rng(seed)
    xs: list[Any] = []
    diff: list[int] = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and a._data.dtype.kind == "f":
            t = Tensor._wrap(a._data.astype(np.float64))
            if i < len(node._edges) and node._edges[i] is not None:
                t.requires_grad = True
                diff.append(i)
            xs.append(t)
        else:
            xs.append(a)
    with enable_grad():
        out = cls.apply(*xs)
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o.grad_fn is not None]
    if not outs or not diff:
        return OpCheck(node, node.name(), node._seq, "skipped", detail="no differentiable output or input")
    low = any(o._data.dtype != np.float64 for o in outs)
    eps, rtol, atol = (1e-3, 2e-2, 1e-3) if low else (1e-6, 1e-4, 1e-7)
    vs = [rng.standard_normal(o._data.shape) for o in outs]
    grads = engine.grad(
        outs,
        [xs[i] for i in diff],
        [Tensor._wrap(v.astype(o._data.dtype)) for v, o in zip(vs, outs, strict=False)],
        allow_unused=True,
    )

    def f(shift: list[np.ndarray]) -> float:
        # fresh arrays for every call, so an op that writes into its inputs cannot skew the next
        moved = [Tensor._wrap(a._data.copy()) if isinstance(a, Tensor) else a for a in xs]
        for i, du in zip(diff, shift, strict=False):
            moved[i] = Tensor._wrap(xs[i]._data + du)
        with no_grad():
            res = cls.apply(*moved)
        res = res if isinstance(res, tuple) else (res,)
        res = [r for r in res if r._data.dtype.kind == "f"]
        return float(sum((np.asarray(r._data, np.float64) * v).sum() for r, v in zip(res, vs, strict=False)))

    worst = (0.0, 0.0, 0.0)
    failed = False
    for _ in range(directions):
        us = [rng.standard_normal(xs[i]._data.shape) for i in diff]
        numeric = (f([eps * u for u in us]) - f([-eps * u for u in us])) / (2 * eps)
        analytic = float(
            sum(0.0 if g is None else (g._data * u).sum() for g, u in zip(grads, us, strict=False))
        )
        err = abs(numeric - analytic)
        if not np.isfinite(err) or err > atol + rtol * max(abs(numeric), abs(analytic)):
            failed = True
        if not np.isfinite(err) or err >= worst[0]:
            worst = (err, analytic, numeric)
    status = "failed" if failed else "ok"
    detail = f"directional derivative: backward gives {worst[1]:.6g}, finite differences {worst[2]:.6g}"
    return OpCheck(node, node.name(), node._seq, status, worst[0], worst[1], worst[2], detail)


def check_graph(root: Any, all: bool = False) -> CheckResult:
    """Check every op behind ``root`` numerically; return the ops that failed and those that
    could not be checked (status 'skipped', with a warning), in forward order, as a
    :class:`CheckResult`: empty only when every op was checked and agreed. ``all=True``
    returns every result, the 'ok' ones too.

    ``draw_graph(root, check=True)`` paints the failing ops red.
    """
    roots = [root] if not isinstance(root, (list, tuple)) else list(root)
    graph = build_graph(roots)
    results = []
    skipped = []
    for op in graph.ops_in_forward_order():
        args = _inputs_of(op.node)
        if args is None:
            res = OpCheck(op.node, op.name, op.seq, "skipped", detail="inputs not known")
            skipped.append(op.name)
        else:
            try:
                res = check_op(op.node, args)
            except Exception as e:  # an op that cannot be re-run is reported, not fatal
                res = OpCheck(
                    op.node, op.name, op.seq, "failed", float("inf"), detail=f"{type(e).__name__}: {e}"
                )
        results.append(res)
    if skipped:
        warnings.warn(
            f"check_graph: skipped {len(skipped)} op(s) whose inputs are not known ({', '.join(sorted(set(skipped)))}); "
            "build the graph inside `with tinygrad_np.viz.record_inputs():` to check every op; "
            "the skipped ops are in the result, so it is not empty",
            stacklevel=2,
        )
    out = CheckResult(r for r in results if all or r.status != "ok")
    out.checked = sum(1 for r in results if r.status != "skipped")
    return out
