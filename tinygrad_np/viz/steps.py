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
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor
from .graph import GraphModel, TensorKey
from .summary import show_numbers

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

    def as_dict(self) -> dict[str, Any]:
        return {
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
        if info.producer is not None:
            base = graph.ops[info.producer].name.removesuffix("Backward").lower()
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


def build_steps(graph: GraphModel, events: list[Any], names: dict[TensorKey, str]) -> BackwardTrace:
    steps: list[BackwardStep] = []
    grads: dict[TensorKey, np.ndarray] = {}
    for n, (node, grads_in, sent) in enumerate(events, start=1):
        if isinstance(node, AccumulateGrad):
            key = ("leaf", id(node.variable))
            info = graph.tensors.get(key)
            x = names.get(key, "leaf")
            g = grads_in[0]
            if g is not None:
                grads[key] = g
            steps.append(
                BackwardStep(
                    n,
                    "AccumulateGrad",
                    "leaf",
                    AccumulateGrad.formula,
                    node,
                    info.dot_id if info else "",
                    [x],
                    grads_in,
                    lines=[f"dL/{_d(x)} = {show_numbers(g)}   (backward() adds this into {x}.grad)"],
                    ready=[info.dot_id] if info else [],
                )
            )
            continue
        op = graph.ops.get(id(node))
        out_keys = [("out", id(node), k) for k in range(len(grads_in))]
        out_names = [names.get(k, f"{node.name()}[{i}]") for i, k in enumerate(out_keys)]
        for k, g in zip(out_keys, grads_in, strict=False):
            if g is not None and k in graph.tensors:
                grads[k] = g
        y = out_names[0] if len(out_names) == 1 else "(" + ", ".join(out_names) + ")"
        gin = grads_in[0] if len(grads_in) == 1 else None
        lines = [f"dL/{_d(y)} = " + " ; ".join(show_numbers(g) for g in grads_in)]
        outs = []
        input_keys = dict(op.inputs) if op is not None else {}
        for i, g in sent:
            x = names.get(input_keys.get(i), f"input{i}")
            outs.append((i, x, g))
            local = _local_derivative(node, gin, g)
            line = f"dL/{_d(x)} = dL/{_d(y)} * {_d(y)}/{_d(x)} = "
            if local is not None:
                line += f"{show_numbers(gin)} * {show_numbers(local)} = "
            lines.append(line + show_numbers(g))
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
