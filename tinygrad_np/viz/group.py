"""Which submodule each op belongs to, for ``draw_graph(collapse='modules' | 'clusters')``.

Two sources, best first:

1. Ranges recorded while the model ran under :func:`trace_modules` (forward pre/post hooks
   note the node creation counter ``_seq`` before and after each submodule's forward): an op
   belongs to the innermost module whose call created it. Exact, and it also catches modules
   without parameters (ReLU, Flatten, pooling).
2. Otherwise, from the parameters alone: an op that uses a parameter directly belongs to the
   module owning it (``'fc1.weight'`` -> ``'fc1'``); an op that consumes a tensor computed
   directly from one module's parameters (``x @ W.T`` after ``W.T``) joins that module; an op created
   between the first and last op of exactly one module (by ``_seq``) joins it.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

from ..autograd import function as _function
from .graph import GraphModel

# module -> list of (first seq, last seq) of its forward calls, filled by trace_modules()
_recorded: weakref.WeakKeyDictionary[Any, list[tuple[int, int]]] = weakref.WeakKeyDictionary()


def owner(param_name: str) -> str:
    """The module part of a dotted parameter name: ``'layers.0.weight'`` -> ``'layers.0'``."""
    return param_name.rsplit(".", 1)[0] if "." in param_name else param_name


@contextlib.contextmanager
def trace_modules(model: Any) -> Iterator[Any]:
    """Within this block, record which ops each submodule of ``model`` creates (via forward
    hooks), so ``draw_graph(..., params=model, collapse='modules')`` groups them exactly.

    >>> # with viz.trace_modules(model): loss = loss_fn(model(x), y)
    """
    handles = []
    for _name, module in model.named_modules():
        if module is model:
            continue
        starts: list[int] = []

        def pre(mod: Any, args: Any, starts: list[int] = starts) -> None:
            starts.append(_function._next_seq())

        def post(mod: Any, args: Any, out: Any, starts: list[int] = starts) -> None:
            if starts:
                _recorded.setdefault(mod, []).append((starts.pop(), _function._next_seq()))

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    try:
        yield model
    finally:
        for h in handles:
            h.remove()


def assign_groups(graph: GraphModel, params: dict[str, Any], model: Any = None) -> dict[int, str]:
    """op id -> dotted module name, for the ops that belong to some module."""
    if model is not None and hasattr(model, "named_modules"):
        recorded = _from_recorded(graph, model)
        if recorded:
            return recorded
    return _from_params(graph, params)


def _from_recorded(graph: GraphModel, model: Any) -> dict[int, str]:
    ranges: list[tuple[int, int, str]] = []
    for name, module in model.named_modules():
        if module is model or not name:
            continue
        for start, end in _recorded.get(module, ()):
            ranges.append((start, end, name))
    if not ranges:
        return {}
    # a module whose children all have ranges is drawn through its children (the leaves of the tree)
    names = {r[2] for r in ranges}
    parents = {n for n in names if any(m.startswith(n + ".") for m in names)}
    ranges = [r for r in ranges if r[2] not in parents]
    out: dict[int, str] = {}
    for op_id, op in graph.ops.items():
        best = None
        for start, end, name in ranges:
            if start < op.seq < end and (best is None or end - start < best[1] - best[0]):
                best = (start, end, name)
        if best is not None:
            out[op_id] = best[2]
    return out


def _from_params(graph: GraphModel, params: dict[str, Any]) -> dict[int, str]:
    if not params:
        return {}
    param_group = {id(t): owner(name) for name, t in params.items()}
    key_group: dict[Any, str] = {}  # tensor key -> group, for params and param-only tensors
    for key, info in graph.tensors.items():
        if info.kind == "param" and info.tensor is not None and id(info.tensor) in param_group:
            key_group[key] = param_group[id(info.tensor)]
    out: dict[int, str] = {}
    for op in graph.ops_in_forward_order():
        direct = {key_group[k] for _, k in op.inputs if k in key_group}
        if len(direct) == 1:
            (g,) = direct
            out[id(op.node)] = g
            if all(graph.tensors[k].kind in ("param", "scalar") for _, k in op.inputs):  # W.T, 2 * W
                for k in op.outputs:
                    key_group[k] = g
    # ranges of _seq per group; unassigned ops inside exactly one innermost range join it
    spans: dict[str, list[int]] = {}
    for op_id, g in out.items():
        s = graph.ops[op_id].seq
        lo_hi = spans.setdefault(g, [s, s])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], s), max(lo_hi[1], s)
    for op_id, op in graph.ops.items():
        if op_id in out:
            continue
        inside = [(hi - lo, g) for g, (lo, hi) in spans.items() if lo < op.seq < hi]
        if inside:
            out[op_id] = min(inside)[1]
    return out
