"""``draw_graph``: the graph that produced a tensor, as a ``graphviz.Digraph``.

Op nodes are grey rounded boxes named as ``grad_fn`` names them (``MulBackward0``); tensor nodes
show shape and dtype: parameters are blue boxes with their ``named_parameters`` name, other
leaves light-blue ellipses, tensor inputs that need no gradient (data, targets, masks) grey
ellipses with their names and shapes, one-element constants (the ``2`` of ``x ** 2``) small grey
boxes with their value, intermediates small white ellipses, outputs green double ellipses.
Constants are drawn from what each node noted at forward time (shape, dtype, value), so a
drawing made after ``del target`` still shows the target's shape and dtype, but not its name
(the name is looked up among the caller's variables while the tensor is alive).
Edges point the way data flows in forward (input -> op -> output); backward walks them against
the arrows.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import dot
from .graph import GraphModel, OpInfo, TensorInfo, build_graph
from .group import assign_groups
from .naming import (
    apply_names,
    caller_locals,
    fallback_names,
    module_in_locals,
    module_types,
    named_params,
)
from .renderer import make_drawing
from .steps import BackwardTrace, auto_names, build_steps, graph_is_freed, record_backward
from .summary import (
    BAD_COLOUR,
    EXPLODING,
    SMALL,
    VANISHING,
    VANISHING_COLOUR,
    colour_scale,
    fmt_number,
    grad_colour,
    grad_status,
    log_magnitude,
    summarize,
)

_KIND_STYLE = {
    "param": {"shape": "box", "fillcolor": "#9ecae1", "color": "#2171b5"},
    "leaf": {"shape": "ellipse", "fillcolor": "#deebf7", "color": "#6baed6"},
    "constant": {"shape": "ellipse", "fillcolor": "#f0f0f0", "color": "#aaaaaa", "fontcolor": "#444444"},
    "scalar": {
        "shape": "box",
        "fillcolor": "#f7f7f7",
        "color": "#bbbbbb",
        "fontcolor": "#444444",
        "fontsize": 9,
        "height": "0.2",
        "width": "0.2",
        "margin": "0.04,0.02",
    },
    "intermediate": {"shape": "ellipse", "fillcolor": "#ffffff", "color": "#999999", "fontsize": 9},
    "output": {"shape": "ellipse", "fillcolor": "#c7e9c0", "color": "#238b45", "peripheries": 2},
}
MAX_NODES = 3000  # draw_graph refuses bigger graphs unless folded (collapse='modules')
FORMULA_OPS = 40  # formulas are written on the ops of graphs up to this size by default
_OP_STYLE = {"shape": "box", "style": "rounded,filled", "fillcolor": "#e6e6e6", "color": "#777777"}


def prepare(
    root: Any, params: Any, depth: int, *, steps: bool = False, gradient: Any = None, limit: int = SMALL
) -> tuple[GraphModel, dict[str, Any], Any, BackwardTrace | None]:
    """Build the graph model of ``root`` and name its tensors, looking at the locals of the
    frame ``depth`` levels above this function's caller."""
    roots = [root] if not isinstance(root, (list, tuple)) else list(root)
    graph = build_graph(roots)
    local_vars = caller_locals(depth + 1)
    model = params if params is not None and hasattr(params, "named_parameters") else None
    if params is None:
        model = module_in_locals(local_vars)
    names = named_params(params if params is not None else model)
    apply_names(graph, names, local_vars)
    if model is not None:
        fallback_names(graph, assign_groups(graph, names, model), module_types(model))
    trace = None
    if steps:
        events = record_backward(graph, roots, gradient)
        trace = build_steps(graph, events, auto_names(graph), limit)
    return graph, names, model, trace


def draw_graph(
    root: Any,
    params: Any = None,
    show_data: bool = False,
    show_grad: bool = False,
    collapse: str | None = None,
    rankdir: str = "TB",
    check: bool | list[Any] = False,
    steps: bool = False,
    gradient: Any = None,
    max_nodes: int | None = MAX_NODES,
    show_formulas: bool | None = None,
) -> Any:
    """Draw the graph that produced ``root`` (a tensor, or a list of them).

    ``params``: a Module (anything with ``named_parameters()``) or a name -> tensor dict;
    those leaves are labelled with their names. Other tensors held by the caller's local
    variables are labelled with the variable's name. ``show_data`` / ``show_grad`` add value and
    gradient summaries (a scalar's value; mean/std/min/max of an array). With ``show_grad``,
    tensor nodes are coloured by log10 of the gradient's root mean square (pale = small, orange =
    large), NaN/Inf gradients are red, vanishing ones (every ``|g| < 1e-7``) grey and dashed, and
    exploding ones (root mean square above 1e3) get a thick red border.
    Gradients come from a real backward pass recorded while the graph is still alive (nothing is
    written to ``.grad``; a non-scalar root is seeded with ``gradient``, by default ones, as if
    ``L = root.sum()``), else from the ``.grad`` of leaves and retained tensors.

    ``collapse='modules'`` draws each submodule as one box, ``'clusters'`` as a framed group;
    ``check=True`` runs :func:`check_graph` and paints ops whose backward disagrees with finite
    differences red; ``steps=True`` numbers the nodes in the order backward visits them.
    ``rankdir`` is 'TB' (top to bottom) or 'LR'. ``show_formulas`` writes each op's local
    derivative (its ``formula``, the same text as the op reference) under its name; by default
    on for graphs of at most 40 ops, where it stays readable (the formula is always the tooltip).
    Returns a ``graphviz.Digraph`` whose rendering
    uses tinygrad_np's renderer lookup (see :mod:`tinygrad_np.viz.renderer`).

    A graph of more than ``max_nodes`` tensor and op nodes (default 3000; Graphviz would need
    many seconds to minutes) is refused with a ValueError saying how to fold it, unless
    ``collapse='modules'``; pass ``max_nodes=None`` to draw it anyway.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"draw_graph: rankdir must be 'TB' or 'LR' (or 'BT'/'RL'), got {rankdir!r}")
    if collapse not in (None, "modules", "clusters"):
        raise ValueError(f"draw_graph: collapse must be None, 'modules' or 'clusters', got {collapse!r}")
    want_trace = steps or (show_grad and _alive(root))
    if want_trace and gradient is None:
        gradient = _ones_for_non_scalars(root)
    graph, names, model, trace = prepare(root, params, 1, steps=want_trace, gradient=gradient)
    size = len(graph.ops) + len(graph.tensors)
    if max_nodes is not None and collapse != "modules" and size > max_nodes:
        raise ValueError(
            f"draw_graph: this graph has {size} nodes ({len(graph.ops)} ops), more than "
            f"max_nodes={max_nodes}; Graphviz would take very long to lay it out and the picture "
            "would be unreadable. Fold it: draw_graph(loss, params=model, collapse='modules') draws "
            "each submodule as one box (run the forward inside viz.trace_modules(model) for exact "
            "boxes); or draw a part (an intermediate tensor as the root); or pass max_nodes=None"
        )
    failures: list[Any] = []
    if check is True:
        from .check import check_graph

        failures = check_graph(root)
    elif check:
        failures = list(check)
    if show_formulas is None:
        show_formulas = len(graph.ops) <= FORMULA_OPS
    return _emit(
        graph,
        names,
        model,
        trace,
        show_data,
        show_grad,
        collapse,
        rankdir,
        failures,
        steps,
        show_formulas=show_formulas,
    )


def _ones_for_non_scalars(root: Any) -> Any:
    """dL/droot for drawing: 1 for a scalar root, ones (as if L = root.sum()) otherwise."""
    roots = [root] if not isinstance(root, (list, tuple)) else list(root)
    if all(r._data.size == 1 for r in roots):
        return None
    return [Tensor._wrap(np.ones_like(r._data)) for r in roots]


def _alive(root: Any) -> bool:
    """Whether backward can still run through the graph of ``root`` (ops exist, not freed)."""
    roots = [root] if not isinstance(root, (list, tuple)) else list(root)
    graph = build_graph(roots)
    return (
        bool(graph.ops)
        and not graph_is_freed(graph)
        and all(getattr(r, "_requires_grad", False) for r in roots)
    )


def _emit(
    graph: GraphModel,
    names: dict[str, Any],
    model: Any,
    trace: BackwardTrace | None,
    show_data: bool,
    show_grad: bool,
    collapse: str | None,
    rankdir: str,
    failures: list[Any],
    steps: bool,
    step_names: dict[Any, str] | None = None,
    show_formulas: bool = False,
) -> Any:
    if show_grad:
        _fill_grads(graph, trace)
    scale = colour_scale(
        [
            log_magnitude(i.grad)
            for i in graph.tensors.values()
            if i.grad is not None and grad_status(i.grad) in ("ok", "exploding")
        ]
    )
    step_no: dict[str, list[int]] = {}
    if steps and trace is not None:
        for s in trace.steps:
            step_no.setdefault(s.dot_id, []).append(s.index)
    failed = {id(f.node): f for f in failures if getattr(f, "status", "failed") == "failed"}
    groups = assign_groups(graph, names, model) if collapse else {}
    types = module_types(model)

    label = None
    if show_grad:
        label = (
            f"tensor colour = |grad| (rms, log scale): pale 1e{scale[0]:+.0f} ... orange 1e{scale[1]:+.0f}\n"
            f"red = NaN/Inf gradient;  grey dashed = vanishing (|grad| < {VANISHING:g})\n"
            f"thick red border = exploding (rms > {EXPLODING:g})"
        )
    body = dot.graph_header(rankdir, label)
    hidden: set[str] = set()
    group_of_dot: dict[str, str] = {}
    if collapse == "modules" and groups:
        body += _module_boxes(graph, names, groups, types, show_grad, scale, hidden, group_of_dot)
    clusters: dict[str, list[str]] = {}
    for op in graph.ops_in_forward_order():
        if op.dot_id in group_of_dot:
            continue
        line = _op_node(op, step_no, failed, show_formulas)
        g = groups.get(id(op.node)) if collapse == "clusters" else None
        (clusters.setdefault(g, []) if g else body).append(line)
    for info in graph.tensors.values():
        if info.dot_id in hidden or (collapse == "modules" and groups and _bypassed(info)):
            continue
        line = _tensor_node(info, show_data, show_grad, scale, step_no, step_names)
        g = _tensor_group(graph, info, groups) if collapse == "clusters" else None
        (clusters.setdefault(g, []) if g else body).append(line)
    for n, (g, lines) in enumerate(clusters.items()):
        title = f"{g}: {types[g]}" if g in types else g
        body.append(f"\tsubgraph cluster_{n} {{\n")
        body.append(
            "\t"
            + "graph "
            + dot.attrs(label=title, style="rounded,dashed", color="#2171b5", fontcolor="#2171b5")
            + "\n"
        )
        body.extend("\t" + ln for ln in lines)
        body.append("\t}\n")
    # in 'modules' view an unnamed intermediate tensor becomes a labelled edge, halving the height
    bypass: dict[str, tuple[str, str]] = {}
    if collapse == "modules" and groups:
        for info in graph.tensors.values():
            if _bypassed(info):
                bypass[info.dot_id] = (
                    graph.ops[info.producer].dot_id,
                    dot.shape_text(info.shape, info.dtype),
                )
    seen = set()
    for a, b in graph.edges():
        label = None
        if b in bypass:
            continue
        if a in bypass:
            a, label = bypass[a]
        a, b = group_of_dot.get(a, a), group_of_dot.get(b, b)
        if a == b or a in hidden or b in hidden or (a, b) in seen:
            continue
        seen.add((a, b))
        body.append(
            dot.edge(a, b, class_=f"vz_from_{a} vz_to_{b}", label=label, fontsize=8, fontcolor="#555555")
        )
    return make_drawing("backprop", body)


def _bypassed(info: TensorInfo) -> bool:
    unnamed = not info.name or info.fallback_name  # a module's output: the edge into the next box
    return info.kind == "intermediate" and unnamed and info.producer is not None


def _fill_grads(graph: GraphModel, trace: BackwardTrace | None) -> None:
    if trace is not None:
        for key, g in trace.grads.items():
            if key in graph.tensors:
                graph.tensors[key].grad = g
        return
    for info in graph.tensors.values():
        t = info.tensor
        if t is not None and t._grad is not None:  # (_grad: reading .grad of a non-leaf warns)
            info.grad = t._grad._data
    for op in graph.ops.values():
        for nr, ref in (op.node._retained or {}).items():
            t = ref()
            info = graph.tensors.get(("out", id(op.node), nr))
            if t is not None and t._grad is not None and info is not None and info.grad is None:
                info.grad = t._grad._data


def formula_lines(formula: str) -> list[str]:
    """An op's ``formula`` as label lines: one partial derivative per line (the formulas
    separate them by a comma, semicolon or colon and two spaces)."""
    parts = re.split(r"(?<=[,;:])\s{2,}", formula)
    return [p.strip().rstrip(",;") for p in parts if p.strip()]


def _op_node(op: OpInfo, step_no: dict[str, list[int]], failed: dict[int, Any], show_formulas: bool) -> str:
    label = op.name
    if op.dot_id in step_no:
        label = "#" + ",".join(map(str, step_no[op.dot_id])) + "  " + label
    if show_formulas and op.formula:
        label += "\n" + "\n".join(formula_lines(op.formula))
    style = dict(_OP_STYLE)
    if id(op.node) in failed:
        f = failed[id(op.node)]
        label += f"\nbackward != finite differences\nmax error {f.max_error:.2g}"
        style.update(fillcolor=BAD_COLOUR, fontcolor="white", color="#a50f15", penwidth=2)
    return dot.node(op.dot_id, label=label, tooltip=op.formula or op.name, class_=f"vz_{op.dot_id}", **style)


def _tensor_node(
    info: TensorInfo,
    show_data: bool,
    show_grad: bool,
    scale: tuple[float, float],
    step_no: dict[str, list[int]],
    step_names: dict[Any, str] | None,
) -> str:
    lines = []
    name = info.name or (step_names or {}).get(info.key)
    if info.dot_id in step_no:
        name = "#" + ",".join(map(str, step_no[info.dot_id])) + "  " + (name or "")
    if info.kind == "scalar":  # a one-element constant: its value, e.g. the 2 of x ** 2
        value = fmt_number(info.value)
        lines.append(f"{name} = {value}" if name else value)
        if info.shape != ():
            lines.append(dot.shape_text(info.shape, info.dtype))
        style = dict(_KIND_STYLE["scalar"], style="rounded,filled")
        return dot.node(info.dot_id, label="\n".join(lines), class_=f"vz_{info.dot_id}", **style)
    if name:
        lines.append(name)
    lines.append(dot.shape_text(info.shape, info.dtype))
    if show_data and info.data is not None:
        lines.append("value " + summarize(info.data).replace("\n", "\nvalue "))
    style: dict[str, Any] = dict(_KIND_STYLE[info.kind])
    style["style"] = "filled"
    if show_grad:
        status = grad_status(info.grad)
        if info.grad is not None:
            lines.append("grad " + summarize(info.grad).replace("\n", "\ngrad "))
        if status in ("ok", "exploding"):
            style["fillcolor"] = grad_colour(log_magnitude(info.grad), scale)
            style["penwidth"] = 2
        if status == "exploding":
            lines.append(f"exploding grad (rms > {EXPLODING:g})")
            style.update(color="#a50f15", penwidth=4)
        elif status == "bad":
            lines.append("NaN/Inf in grad!")
            style.update(fillcolor=BAD_COLOUR, fontcolor="white", penwidth=3, color="#a50f15")
        elif status == "vanishing":
            lines.append(f"vanishing grad (|g| < {VANISHING:g})")
            style.update(fillcolor=VANISHING_COLOUR, style="filled,dashed", penwidth=2)
    return dot.node(info.dot_id, label="\n".join(lines), class_=f"vz_{info.dot_id}", **style)


def _tensor_group(graph: GraphModel, info: TensorInfo, groups: dict[int, str]) -> str | None:
    """The cluster a tensor is drawn in: its producer's, or for a parameter its consumers'."""
    if info.producer is not None:
        g = groups.get(info.producer)
        users = {groups.get(c) for c in info.consumers}
        return g if g is not None and (not users or users == {g}) else None
    users = {groups.get(c) for c in info.consumers}
    return users.pop() if info.kind == "param" and len(users) == 1 else None


def _module_boxes(
    graph: GraphModel,
    names: dict[str, Any],
    groups: dict[int, str],
    types: dict[str, str],
    show_grad: bool,
    scale: tuple[float, float],
    hidden: set[str],
    group_of_dot: dict[str, str],
) -> list[str]:
    """One box per module; hide the tensors that live only inside one module."""
    members: dict[str, list[OpInfo]] = {}
    for op_id, g in groups.items():
        members.setdefault(g, []).append(graph.ops[op_id])
    order = sorted(members, key=lambda g: min(o.seq for o in members[g]))
    box_id = {g: f"m{n}" for n, g in enumerate(order)}
    for op_id, g in groups.items():
        group_of_dot[graph.ops[op_id].dot_id] = box_id[g]
    params_of: dict[str, list[TensorInfo]] = {}
    inputs_of: dict[str, list[TensorInfo]] = {}
    for info in graph.tensors.values():
        gs = {groups.get(c) for c in info.consumers}
        inside = len(gs) == 1 and None not in gs
        if info.kind == "param" and inside:
            hidden.add(info.dot_id)
            params_of.setdefault(gs.pop(), []).append(info)
        elif (info.kind == "intermediate" and inside and groups.get(info.producer) in gs) or (
            info.kind in ("constant", "scalar") and inside and not info.name
        ):
            hidden.add(info.dot_id)
        if info.kind not in ("param", "constant", "scalar"):  # what a module sends back to its inputs
            for g in gs - {None, groups.get(info.producer)}:
                inputs_of.setdefault(g, []).append(info)
    lines = []
    for g in order:
        ops = members[g]
        title = f"{g}: {types[g]}" if g in types else g
        label = [title]
        order_of = {name: n for n, name in enumerate(names)}
        ps = sorted(params_of.get(g, []), key=lambda p: order_of.get(p.name, 0))
        for p in ps:
            short = p.name.rsplit(".", 1)[-1] if p.name else "?"
            label.append(f"{short} {dot.shape_text(p.shape, p.dtype)}")
        style = {"shape": "box3d", "style": "filled", "fillcolor": "#c6dbef", "color": "#2171b5"}
        if show_grad:
            # a module with parameters: their gradients; without: the gradient it passes back
            what = "parameter grad" if ps else "grad to its input"
            gs = [t.grad for t in (ps or inputs_of.get(g, [])) if t.grad is not None]
            status = [grad_status(x) for x in gs]
            if "bad" in status:
                label.append(f"NaN/Inf in {what}!")
                style.update(fillcolor=BAD_COLOUR, fontcolor="white")
            elif gs and all(s == "vanishing" for s in status):
                label.append(f"vanishing {what} (|g| < {VANISHING:g})")
                style.update(fillcolor=VANISHING_COLOUR, style="filled,dashed")
            elif gs:
                mag = max(log_magnitude(x) for x in gs)
                label.append(f"|{what}| rms {10**mag:.2g}")
                style["fillcolor"] = grad_colour(mag, scale)
                if "exploding" in status:
                    label.append(f"exploding {what} (rms > {EXPLODING:g})")
                    style.update(color="#a50f15", penwidth=4)
        ops_sorted = sorted(ops, key=lambda o: o.seq)
        tip = " -> ".join(o.name for o in ops_sorted)
        lines.append(
            dot.node(box_id[g], label="\n".join(label), tooltip=tip, class_=f"vz_{box_id[g]}", **style)
        )
    return lines
