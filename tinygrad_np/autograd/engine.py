"""The backward pass: walk the graph from the outputs to the leaves.

This file is the whole algorithm, and it reads top to bottom in the order it runs:

1. **Seed** (``backward``, ``_run``): the gradient of each output w.r.t. itself (ones for a
   scalar loss) goes into the *buffer* of the node that made the output.
2. **Walk** (``_Pass.run``): pop the node with the largest creation number ``_seq``. Nodes
   are created after the nodes of their inputs, so every node that feeds gradient into this
   one (its consumers) was created later and has already been popped: its buffer is
   complete. A heap gives this reverse topological order with no recursion and no separate
   sort, and each node is visited once.
3. **Hooks** (``_Pass.hooks``): hooks registered on the node's outputs see (and may replace)
   the complete gradient; ``retain_grad`` stores it.
4. **Call** (``_Pass.call``): run the node's ``backward`` with its buffered gradient(s). It
   returns dL/d(input) for each input: a vector-Jacobian product, the gradient row times
   the op's Jacobian, computed without ever building the Jacobian.
5. **Free** (``_Pass.finish``): unless ``retain_graph``, drop the node's saved tensors, so
   activations are freed as backward goes and a second backward through the same ops is
   refused with a clear error.
6. **Send** (``_Pass.call``, ``sum_to``, ``_Pass.add``): if forward broadcast an input, sum
   its gradient down to the input's shape (the one place broadcasting is undone), then
   add it into the buffer of the input's node. A node used many times gets the sum.
7. **Leaves** (``_Pass.leaf``, ``_Pass.accumulate``): an edge to a leaf ends at the leaf
   tensor itself; its buffer never enters the heap. When the heap is empty, the buffers
   left are the leaves' complete gradients: through the leaf's hooks, then added into
   ``leaf.grad`` (PyTorch's ``AccumulateGrad`` step).

``autograd.grad`` runs the same walk, but only over the nodes that lead to the requested
inputs, and collects their gradients instead of touching ``.grad`` (``_Pass.capture``).

With ``create_graph=True`` recording stays on during the walk, so the gradients, computed
by each op's Tensor-level ``backward``, carry a graph and can be differentiated again.

**The speed path.** A plain ``loss.backward()`` runs the very same walk through
``ArrayPass`` (``autograd/fast_backward.py``), chosen at one place, ``_run``. It changes
only *how* the steps are done (buffers of NumPy arrays, each op's NumPy mirror
``backward_np`` where it has one), never *what* they compute; ``tests/test_fast_paths.py``
runs the same cases through both and compares. Nothing below depends on it: a reader can
skip that file.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import engine_checks as check
from . import grad_mode
from .function import Function, grad_accumulator


def backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves
    (or only of ``inputs``, when given)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    if isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors]
    if retain_graph is None:
        retain_graph = create_graph
    roots = [_root_node(t, i) for i, t in enumerate(tensors)]
    seeds = _root_grads(tensors, grad_tensors)
    if inputs is None:
        _run(roots, seeds, retain_graph, create_graph, None)
        return
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    p = _run(roots, seeds, retain_graph, create_graph, inputs)
    for t, g in zip(inputs, p.captured_for(inputs), strict=True):
        if g is not None:
            p.accumulate(t, g)


def _run(roots: list[Any], seeds: list[Tensor], retain: bool, create_graph: bool, inputs: Any) -> _Pass:
    """Seed the roots' buffers and walk; recording is on only under ``create_graph``."""
    state = grad_mode.state
    # The seam: without create_graph, anomaly detection or an observer, the same walk runs
    # on arrays (autograd/fast_backward.py).
    anomaly = grad_mode.anomalous and state.anomaly_enabled
    plain = not create_graph and not anomaly and state.backward_observer is None
    pass_class = ArrayPass if plain else _Pass
    if grad_mode.tracing and state.tracer is not None:  # tinygrad_np.compile records the walk
        pass_class = state.tracer.pass_class(pass_class, inputs)
    p = pass_class(retain, create_graph, inputs, roots)
    prev = state.grad_enabled
    state.grad_enabled = create_graph
    try:
        for i, (node, nr) in enumerate(roots):
            p.seed(node, nr, seeds[i])
        p.run()
    finally:
        state.grad_enabled = prev
    return p


class _Pass:
    """State of one backward pass: the heap of nodes to run and each node's gradient buffer."""

    __slots__ = ("buffers", "capture", "captured", "create_graph", "heap", "needed", "observer", "retain")

    def __init__(self, retain: bool, create_graph: bool, inputs: Any, roots: list[Any]) -> None:
        self.retain = retain
        self.create_graph = create_graph
        # gradient(s) received so far, per op node (one per output) and per leaf (one)
        self.buffers: dict[Any, list[Any]] = {}
        self.heap: list[tuple[int, int, Any]] = []  # (-_seq, id, node): newest node first
        self.observer = grad_mode.state.backward_observer  # set by tinygrad_np.viz
        self.capture = self.needed = None  # autograd.grad only: see _Pass.captured_for
        if inputs is not None:
            self.capture = {}  # (id(node or leaf), output_nr) -> slot in ``captured``
            for slot, t in enumerate(inputs):
                self.capture.setdefault(_capture_key(t), slot)
            self.needed = _nodes_leading_to({k[0] for k in self.capture}, [r[0] for r in roots])
        self.captured: list[Any] = [None] * len(inputs) if inputs else []

    def seed(self, node: Any, nr: int, g: Tensor) -> None:
        self.add(node, nr, g)

    def add(self, node: Any, nr: int, g: Any) -> None:
        """Add ``g`` = dL/d(output ``nr`` of ``node``) into the node's buffer."""
        buf = self.buffers.get(node)
        if buf is None:  # its first gradient: an op node enters the heap, a leaf waits
            buf = self.new_buffer(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g  # several paths: their sum

    def new_buffer(self, node: Any) -> list[Any]:
        if isinstance(node, Tensor):
            buf = self.buffers[node] = [None]
            return buf
        buf = self.buffers[node] = [None] * (len(node._out_meta) or 1)
        heapq.heappush(self.heap, (-node._seq, id(node), node))
        return buf

    def run(self) -> None:
        """The walk: newest node first, each once; then the leaves."""
        while self.heap:
            node = heapq.heappop(self.heap)[2]
            grads = self.buffers.pop(node)  # complete: every consumer has run
            if node._tensor_hooks or node._retained or self.capture is not None:
                grads = self.hooks(node, grads)
            if self.needed is None or id(node) in self.needed:
                self.call(node, grads)
        for leaf, (g,) in self.buffers.items():  # only leaves are left
            self.leaf(leaf, g)

    def hooks(self, node: Function, grads: list[Any]) -> list[Any]:
        """The complete gradients of the node's outputs: through the hooks registered on
        those tensors, into ``.grad`` of the ones that ``retain_grad``, into the captures."""
        for nr, hooks in (node._tensor_hooks or {}).items():
            for hook in hooks:
                if grads[nr] is not None:
                    new = hook(grads[nr])
                    grads[nr] = grads[nr] if new is None else check.hook_result(hook, grads[nr], new)
        for nr, ref in (node._retained or {}).items():
            t = ref()
            if t is not None and grads[nr] is not None:
                self.accumulate(t, grads[nr])
        if self.capture is not None:
            for nr, g in enumerate(grads):
                self.store(self.capture.get((id(node), nr)), g)
        return grads

    def call(self, node: Function, grads: list[Tensor | None]) -> None:
        """Run the node's ``backward``, then send dL/d(input) to each input's node."""
        if all(g is None for g in grads):
            return
        for i, g in enumerate(grads):  # outputs that got no gradient get zeros
            if g is None and node.materialize_grads:
                grads[i] = Tensor._wrap(np.zeros(*node._out_meta[i]))
        state = grad_mode.state
        anomaly = state.anomaly_enabled
        state.anomaly_enabled = False  # the ops inside backward are checked as one: below
        try:
            result = self.finish(node, check.tensor_results(node, type(node).backward(node, *grads)))
        finally:
            state.anomaly_enabled = anomaly
        sent = []
        for i, edge in enumerate(node._edges):
            g = result[i]
            if edge is None or g is None:
                continue
            parent, nr, shape, dt = edge
            g = _as_tensor(g)
            if g._data.shape != shape:  # forward broadcast this input: undo it
                g = sum_to(g, shape, node, i)
            if g._data.dtype != dt:
                g = g.to(dtypes_of(dt))
            if anomaly:
                check.finite(node, g, i)
            sent.append((i, g))
            self.add(parent, nr, g)
        if self.observer is not None:
            self.observer(node, grads, sent)

    def finish(self, node: Function, result: Any) -> tuple[Any, ...]:
        """A node's backward has run: free its saved tensors (unless ``retain_graph``) and
        return its result as a tuple, one gradient per forward argument (count checked)."""
        if not self.retain:
            node._saved = None
        if type(result) is not tuple:
            result = (result,)
        if len(result) != len(node._edges):
            check.count(node, result, node._edges)
        return result

    def leaf(self, leaf: Tensor, g: Tensor) -> None:
        """A leaf's complete gradient: through its hooks, then into ``.grad`` (or into the
        result of ``autograd.grad``)."""
        if self.observer is not None:
            self.observer(grad_accumulator(leaf), [g], [])
        for hook in leaf._hooks or ():
            new = hook(g)
            g = g if new is None else check.hook_result(hook, g, new)
        if self.capture is None:
            self.accumulate(leaf, g)
        else:
            self.store(self.capture.get((id(leaf), 0)), g)

    def accumulate(self, t: Tensor, g: Tensor) -> None:
        """``t.grad += g``, into a new tensor: ``.grad`` never shares memory with another."""
        if self.create_graph:
            t._grad = g if t._grad is None else t._grad + g
        else:
            t._grad = Tensor._wrap(g._data.copy() if t._grad is None else t._grad._data + g._data)

    def store(self, slot: int | None, g: Any) -> None:
        if slot is not None and g is not None:
            prev = self.captured[slot]
            self.captured[slot] = g if prev is None else prev + g

    def captured_for(self, inputs: list[Tensor]) -> list[Any]:
        """``autograd.grad``'s result: the gradient collected for each input (None if unused)."""
        return [self.captured[self.capture[_capture_key(t)]] for t in inputs]


def sum_to(g: Tensor, shape: tuple[int, ...], node: Any, i: int) -> Tensor:
    """Undo broadcasting: sum ``g`` down to ``shape`` (differentiably)."""
    from ..ops.reduce import SumTo  # (the ops import this package)

    check.sum_to(g._data.shape, shape, node, i)
    return SumTo.apply(g, shape)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) without touching any ``.grad``.

    >>> import tinygrad_np as tg
    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> (dx,) = tg.autograd.grad(x ** 3, x, create_graph=True)
    >>> dx.item(), tg.autograd.grad(dx, x)[0].item()
    (27.0, 18.0)
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        check.grad_input(t, i)
    roots = [_root_node(t, i) for i, t in enumerate(outputs)]
    seeds = _root_grads(outputs, grad_outputs)
    retain = create_graph if retain_graph is None else retain_graph
    result = _run(roots, seeds, retain, create_graph, inputs).captured_for(inputs)
    for i, (t, g) in enumerate(zip(inputs, result, strict=True)):
        if g is None and materialize_grads:
            result[i] = Tensor._wrap(np.zeros_like(t._data))
        elif not allow_unused:
            check.used(g, t, i)
    return tuple(result)


def _capture_key(t: Tensor) -> tuple[int, int]:
    """Where ``autograd.grad`` picks up ``t``'s gradient: its node's output, or the leaf."""
    return (id(t), 0) if t.grad_fn is None else (id(t.grad_fn), t._output_nr)


def _nodes_leading_to(target_ids: set[int], roots: list[Any]) -> set[int]:
    """ids of the nodes (and leaves) from which some target can be reached (iteratively)."""
    seen: dict[int, Any] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(e[0] for e in getattr(node, "_edges", ()) if e is not None)
    needed: set[int] = set()
    # inputs before consumers (leaves first: they have no _seq)
    for node in sorted(seen.values(), key=lambda n: getattr(n, "_seq", -1)):
        edges = getattr(node, "_edges", ())
        if id(node) in target_ids or any(e is not None and id(e[0]) in needed for e in edges):
            needed.add(id(node))
    return needed


def _root_node(out: Tensor, i: int) -> tuple[Any, int]:
    """Where output ``i``'s seed goes: its node's buffer, or straight to a leaf."""
    if out._base is not None:  # a view: its history may have to be taken from the base again
        out._sync_view()
    if not out._requires_grad:
        check.root(out, i)  # raises
    return (out, 0) if out.grad_fn is None else (out.grad_fn, out._output_nr)


def _root_grads(outputs: Sequence[Tensor], grads: Sequence[Any] | None) -> list[Tensor]:
    """The seeds: dL/d(output), ones for a scalar output unless given."""
    result = []
    for i, out in enumerate(outputs):
        g = None if grads is None else grads[i]
        if g is None:
            if out._data.size != 1:
                check.scalar(out, i)  # raises
            shape, dt = out._data.shape, out._data.dtype  # (np.array(1): faster than np.ones(()))
            result.append(Tensor._wrap(np.ones(shape, dt) if shape else np.array(1, dt)))
        else:
            result.append(check.seed(_as_tensor(g), out, i))
    return result


def _as_tensor(g: Any) -> Tensor:
    return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g))


def dtypes_of(np_dtype: np.dtype) -> Any:
    from ..dtypes import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


# The speed path, swapped in by ``_run`` (as CPython's ``heapq`` imports ``_heapq`` at the end).
from .fast_backward import ArrayPass  # noqa: E402
