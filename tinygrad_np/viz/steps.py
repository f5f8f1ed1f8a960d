"""The backward pass, step by step, as the engine actually runs it.

``backward_steps(root)`` runs a real backward pass of the engine (``autograd.grad`` with
``retain_graph=True``, so no ``.grad`` is touched and the graph stays usable) while the engine's
observer (``grad_mode.state.backward_observer``, per thread) reports every node in the order the engine's
heap pops it, with the gradient it received and the gradients it passed on. Nothing here
re-implements the traversal: the order and the numbers are the engine's.

For each op node the chain rule reads ``dL/dx = dL/dy * dy/dx``: ``dL/dy`` is the gradient the
node received, ``dL/dx`` the one it sent to input ``x``; where ``dy/dx`` is a number per element
(an op with a scalar output, or an elementwise op whose input and output shapes agree) it is
shown as the ratio of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import engine, grad_mode
from ..autograd.function import AccumulateGrad, short_name
from ..tensor import Tensor
from .graph import GraphModel, TensorKey
from .summary import SMALL, fmt_number, show_numbers
from .vjp import op_key, vjp

# ops whose Jacobian is diagonal when input and output shapes agree
_ELEMENTWISE_MODULES = ("tinygrad_np.ops.elementwise",)
_ELEMENTWISE_BINARY = {"Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where", "Clone", "Cast"}


@dataclass
class BackwardStep:
    """One node visited by backward.

    ``grad_in[k]`` is dL/d(output k) as received; ``grads_out`` lists ``(argument index, input
    name, dL/d input)`` as sent on (after undoing broadcasting); ``lines`` is the chain rule
    with numbers; ``ready`` the drawing ids of the tensors whose gradient is complete now.
    """

    index: int
    name: str
    kind: str  # 'op' or 'leaf'
    formula: str
    node: Any
    dot_id: str
    output_names: list[str]
    grad_in: list[np.ndarray | None]
    grads_out: list[tuple[int, str, np.ndarray]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)  # dot ids of tensors whose dL/dt is now complete

    def as_dict(self, total: int | None = None) -> dict[str, Any]:
        total = total or self.index
        return {
            "phase": "backward",
            "title": f"Backward {self.index} of {total}: {self.name}",
            "index": self.index,
            "name": self.name,
            "kind": self.kind,
            "formula": self.formula,
            "node": self.dot_id,
            "outputs": self.output_names,
            "grad_in": [show_numbers(g) for g in self.grad_in],
            "grads_out": [[i, n, show_numbers(g)] for i, n, g in self.grads_out],
            "lines": self.lines,
            "ready": self.ready,
        }


@dataclass
class BackwardTrace:
    """The steps of one backward pass, the graph they ran on and dL/dt for every tensor node."""

    steps: list[BackwardStep]
    graph: GraphModel
    grads: dict[TensorKey, np.ndarray]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Any:
        return iter(self.steps)

    def __getitem__(self, i: int) -> BackwardStep:
        return self.steps[i]

    def order(self) -> list[str]:
        """Node names in the order backward visited them."""
        return [s.name for s in self.steps]

    def __str__(self) -> str:
        out = []
        for s in self.steps:
            out.append(
                f"step {s.index}: {s.name}" + (f"   [{s.formula}]" if s.formula and s.kind == "op" else "")
            )
            out.extend("    " + ln for ln in s.lines)
        return "\n".join(out)


def graph_is_freed(graph: GraphModel) -> bool:
    return any(op.node._saved is None for op in graph.ops.values())


def record_backward(
    graph: GraphModel, roots: list[Tensor], gradient: Any = None
) -> list[tuple[Any, list[np.ndarray | None], list[tuple[int, np.ndarray]]]]:
    """Run the engine on ``roots`` with its observer set; return its events in order."""
    if graph_is_freed(graph):
        raise RuntimeError(
            "backward_steps: the saved tensors of this graph were freed by an earlier backward(); "
            "call backward(retain_graph=True) the first time, or rebuild the graph (run the forward "
            "again) before recording its backward"
        )
    leaves = [
        i.tensor for i in graph.tensors.values() if i.kind in ("leaf", "param") and i.tensor is not None
    ]
    leaves = [t for t in leaves if t._requires_grad]
    events: list[tuple[Any, list[np.ndarray | None], list[tuple[int, np.ndarray]]]] = []

    def observer(node: Any, grads: list[Any], sent: list[tuple[int, Any]]) -> None:
        events.append(
            (
                node,
                [None if g is None else np.array(g._data) for g in grads],
                [(i, np.array(g._data)) for i, g in sent],
            )
        )

    grads = None
    if gradient is not None:
        grads = list(gradient) if isinstance(gradient, (list, tuple)) else [gradient]
    # retain_grad() would write into .grad during the recording: switch it off meanwhile
    retained = {id(op.node): op.node._retained for op in graph.ops.values() if op.node._retained}
    for op in graph.ops.values():
        op.node._retained = None
    state = grad_mode.state  # per thread, as grad mode: other threads' passes are not recorded
    previous = state.backward_observer
    state.backward_observer = observer
    try:
        engine.grad(roots, leaves, grad_outputs=grads, retain_graph=True, allow_unused=True)
    finally:
        state.backward_observer = previous
        for op in graph.ops.values():
            if id(op.node) in retained:
                op.node._retained = retained[id(op.node)]
    return events


def auto_names(graph: GraphModel) -> dict[TensorKey, str]:
    """A name for every tensor node: its own name, else one made from the op that produced it
    (``mul``, ``mul_2``, ...) or ``leaf``, ``leaf_2`` for unnamed leaves."""
    used = {i.name for i in graph.tensors.values() if i.name}
    counts: dict[str, int] = {}
    names: dict[TensorKey, str] = {}
    ordered = sorted(
        graph.tensors.values(), key=lambda i: -1 if i.producer is None else graph.ops[i.producer].seq
    )
    for info in ordered:
        if info.name:
            names[info.key] = info.name
            continue
        if info.kind == "scalar":
            names[info.key] = fmt_number(info.value)
            continue
        if info.producer is not None:
            base = short_name(graph.ops[info.producer].name).lower()
        else:
            base = "input" if info.kind == "constant" else "leaf"
        while True:
            counts[base] = counts.get(base, 0) + 1
            cand = base if counts[base] == 1 else f"{base}_{counts[base]}"
            if cand not in used:
                break
        used.add(cand)
        names[info.key] = cand
    return names


def _d(name: str) -> str:
    """``dh`` for a name, ``d(dx)`` where a bare ``d`` would read ambiguously."""
    return f"d({name})" if name.startswith("d") and len(name) > 1 else f"d{name}"


def _local_derivative(node: Any, gin: np.ndarray | None, gout: np.ndarray) -> np.ndarray | None:
    """dy/dx per element, where it is well defined as dL/dx / dL/dy."""
    if gin is None or np.any(gin == 0) or not np.all(np.isfinite(gin)):
        return None
    cls = type(node)
    elementwise = cls.__module__ in _ELEMENTWISE_MODULES or cls.__name__ in _ELEMENTWISE_BINARY
    if gin.size == 1 or (elementwise and gin.shape == gout.shape):
        with np.errstate(all="ignore"):
            return gout / gin
    return None


def _shape(a: Any) -> str:
    return str(tuple(np.shape(a)))


def _product_shape(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """The shape of a matrix product of factors of these shapes (None if they don't chain)."""
    out = shapes[0]
    for s in shapes[1:]:
        if len(out) < 1 or len(s) < 2 or out[-1] != s[-2]:
            return None
        out = (*out[:-1], s[-1])
    return out


def _step_names(events: list[Any]) -> dict[int, list[int]]:
    """id(node) -> the step numbers at which backward ran it (leaves: their AccumulateGrad)."""
    at: dict[int, list[int]] = {}
    for n, (node, _, _) in enumerate(events, start=1):
        key = id(node.variable) if isinstance(node, AccumulateGrad) else id(node)
        at.setdefault(key, []).append(n)
    return at


def build_steps(
    graph: GraphModel, events: list[Any], names: dict[TensorKey, str], limit: int = SMALL
) -> BackwardTrace:
    """Turn the engine's events into explained steps (see :class:`BackwardStep`)."""
    steps: list[BackwardStep] = []
    grads: dict[TensorKey, np.ndarray] = {}
    at = _step_names(events)

    def num(a: Any) -> str:
        return show_numbers(a, limit)

    def when(node_id: int | None) -> str:
        runs = at.get(node_id or -1)
        return f" (step {runs[0]})" if runs else ""

    def op_label(node_id: int) -> str:
        op = graph.ops.get(node_id)
        return (op.name if op else "?") + when(node_id)

    # gradient buffers: what has arrived for each tensor so far, and from whom
    so_far: dict[TensorKey, np.ndarray] = {}
    senders: dict[TensorKey, list[str]] = {}
    for n, (node, grads_in, sent) in enumerate(events, start=1):
        if isinstance(node, AccumulateGrad):
            steps.append(_leaf_step(graph, n, node, grads_in, names, senders, grads, num))
            continue
        op = graph.ops.get(id(node))
        out_keys = [("out", id(node), k) for k in range(len(grads_in))]
        out_names = [names.get(k, f"{node.name()}[{i}]") for i, k in enumerate(out_keys)]
        for k, g in zip(out_keys, grads_in, strict=False):
            if g is not None and k in graph.tensors:
                grads[k] = g
        y = out_names[0] if len(out_names) == 1 else "(" + ", ".join(out_names) + ")"
        gin = grads_in[0] if len(grads_in) == 1 else None

        # why now: everything that used the output has sent its gradient
        why = []
        for k, yname in zip(out_keys, out_names, strict=False):
            info = graph.tensors.get(k)
            if info is None:
                continue
            if k in graph.roots and not info.consumers:
                why.append(f"{yname} is the root: backward starts here, dL/{_d(yname)} given")
            elif info.consumers:
                users = ", ".join(op_label(c) for c in info.consumers)
                why.append(f"every op that used {yname} has sent its gradient: {users}")
        lines = ["Why now: " + ("; ".join(why) or "its output's gradient is complete")]
        lines.append(
            "Incoming: "
            + " ; ".join(
                f"dL/{_d(nm)} {_shape(g)} = {num(g)}" for nm, g in zip(out_names, grads_in, strict=False)
            )
        )
        input_keys = dict(op.inputs) if op is not None else {}
        arg_names = [names.get(input_keys.get(j), f"input{j}") for j in range(len(node._edges))]
        arg_shapes = [
            tuple(e[2]) if e is not None else graph.tensors[input_keys[j]].shape if j in input_keys else ()
            for j, e in enumerate(node._edges)
        ]
        outs = []
        goes = []
        for i, g in sent:
            x = arg_names[i]
            outs.append((i, x, g))
            v = vjp(
                node.name(),
                i,
                f"dL/{_d(y)}",
                y,
                arg_names,
                np.shape(grads_in[0]) if grads_in and grads_in[0] is not None else (),
                arg_shapes,
                getattr(type(node), "formula", "") or "",
            )
            lines.append(f"dL/{_d(x)} = {v.text}")
            local = _local_derivative(node, gin, g)
            if v.joiner:
                shape_line = f"    shapes: {_shape(g)} = " + v.joiner.join(str(s) for s in v.factor_shapes)
                before = _product_shape(v.factor_shapes)
            elif local is not None and gin is not None:
                op_sym = "⊙" if gin.size > 1 else "·"
                shape_line = f"    shapes: {_shape(g)} = {_shape(gin)} {op_sym} {_shape(local)}"
                before = tuple(np.shape(local)) if gin.size == 1 else tuple(np.shape(gin))
            elif v.elementwise and gin is not None:  # broadcast: g ⊙ dy/dx, then summed down
                shape_line = f"    shapes: {_shape(gin)} = {_shape(gin)} ⊙ {_shape(gin)}"
                before = tuple(np.shape(gin))
            else:
                shape_line = f"    shapes: {_shape(g)} from dL/{_d(y)} {_shape(grads_in[0])}"
                before = None
            if before is not None and tuple(before) != tuple(np.shape(g)):
                shape_line += f", then summed over the broadcast dimensions to {_shape(g)}"
            lines.append(shape_line)
            if local is not None and gin is not None and max(gin.size, local.size) <= limit:
                op_sym = "⊙" if gin.size > 1 else "·"
                lines.append(f"    = {num(gin)} {op_sym} {num(local)} = {num(g)}")
            else:
                lines.append(f"    = {num(g)}")
            # where it goes
            key = input_keys.get(i)
            info = graph.tensors.get(key) if key is not None else None
            prev = so_far.get(key) if key is not None else None
            if info is not None and info.producer is None:
                dest = f"to {x}.grad, via {x}'s AccumulateGrad{when(id(info.tensor))}"
            elif info is not None:
                dest = f"into the gradient buffer of {x}, read by {op_label(info.producer)}"
            else:
                dest = f"into the gradient buffer of {x}"
            if key is not None:
                if prev is None:
                    so_far[key] = np.array(g, copy=True)
                    goes.append(f"dL/{_d(x)} goes {dest}: the first gradient for {x}")
                else:
                    total = prev + g
                    goes.append(
                        f"dL/{_d(x)} goes {dest}: added to the {num(prev)} already there (from "
                        f"{', '.join(senders[key])}), now {num(total)}"
                    )
                    so_far[key] = total
                senders.setdefault(key, []).append(f"{node.name()} (step {n})")
        lines.extend(goes)
        steps.append(
            BackwardStep(
                n,
                node.name(),
                "op",
                getattr(type(node), "formula", "") or "",
                node,
                op.dot_id if op else "",
                out_names,
                grads_in,
                outs,
                lines,
                [graph.tensors[k].dot_id for k in out_keys if k in graph.tensors],
            )
        )
    return BackwardTrace(steps, graph, grads)


def _leaf_step(
    graph: GraphModel,
    n: int,
    node: Any,
    grads_in: list[Any],
    names: dict[TensorKey, str],
    senders: dict[TensorKey, list[str]],
    grads: dict[TensorKey, np.ndarray],
    num: Any,
) -> BackwardStep:
    key = ("leaf", id(node.variable))
    info = graph.tensors.get(key)
    x = names.get(key, "leaf")
    g = grads_in[0]
    if g is not None:
        grads[key] = g
    from_ = senders.get(key) or ["the root"]
    lines = [
        f"Why now: every op that used {x} has sent its gradient: {', '.join(from_)}",
        f"dL/{_d(x)} {_shape(g)} = {num(g)}",
    ]
    old = node.variable.grad
    if old is None:
        lines.append(f"{x}.grad is None: backward() stores this gradient there")
    else:
        lines.append(
            f"{x}.grad already holds {num(old._data)} (an earlier backward): backward() adds this, "
            f"giving {num(old._data + g)}"
        )
    return BackwardStep(
        n,
        "AccumulateGrad",
        "leaf",
        AccumulateGrad.formula,
        node,
        info.dot_id if info else "",
        [x],
        grads_in,
        lines=lines,
        ready=[info.dot_id] if info else [],
    )


def forward_steps(graph: GraphModel, names: dict[TensorKey, str], limit: int = SMALL) -> list[dict[str, Any]]:
    """The forward pass as steps for the stepper page: each op in the order it ran, what it
    read and made (shapes), and the value it made where the graph still knows it."""
    ops = graph.ops_in_forward_order()
    out = []
    for k, op in enumerate(ops, start=1):
        ins = []
        for _, key in op.inputs:
            info = graph.tensors[key]
            ins.append((names.get(key, "?"), info))
        outs = [(names.get(key, "?"), graph.tensors[key]) for key in op.outputs]
        y = ", ".join(n for n, _ in outs) or "?"
        fn = op_key(op.name)
        lines = [f"{y} = {fn}({', '.join(n for n, _ in ins)})"]
        lines.append(
            "shapes: "
            + ", ".join(f"{n} {info.shape}" for n, info in outs)
            + " from "
            + ", ".join(f"{n} {info.shape}" for n, info in ins)
        )
        for n, info in ins:
            if info.producer is None and (info.data is not None or info.value is not None):
                shown = show_numbers(info.data if info.data is not None else info.value, limit)
                lines.append(f"    input {n} = {shown}")
        for n, info in outs:
            if info.data is not None:
                lines.append(f"{n} = {show_numbers(info.data, limit)}")
            else:
                lines.append(
                    f"{n}: value not kept by the graph (no op saved it for backward; keep it in a "
                    "variable, or build the graph inside viz.record_inputs(), to see it)"
                )
        if op.formula:
            lines.append(f"local derivative, for backward: {op.formula}")
        out.append(
            {
                "phase": "forward",
                "title": f"Forward {k} of {len(ops)}: {fn} makes {y}",
                "index": k,
                "name": op.name,
                "kind": "op",
                "formula": op.formula,
                "node": op.dot_id,
                "outputs": [n for n, _ in outs],
                "lines": lines,
                "ready": [info.dot_id for _, info in outs],
            }
        )
    return out
