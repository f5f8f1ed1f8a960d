"""The backward pass: walk the graph from the outputs to the leaves.

The whole algorithm, in order:

1. Seed: the gradient of each output w.r.t. itself (ones for a scalar loss)
   goes into the *buffer* of the node that made the output.
2. Pop the node with the largest creation number ``_seq``. Nodes are created
   after the nodes of their inputs, so every node that feeds gradient into
   this one (its consumers) was created later and has already been popped: the
   buffer is complete. A heap gives this reverse topological order with no
   recursion and no separate sort, and each node is visited once.
3. Call the node's ``backward`` with its buffered gradient(s). For each input
   it returns dL/dinput; sum that down to the input's shape if forward
   broadcast it (``sum_to``: the one place broadcasting is undone) and add it
   into the buffer of the input's node. A node used many times gets the sum.
   An edge to a leaf ends at the leaf tensor itself: its buffer collects the
   leaf's gradient and never enters the heap.
4. When the heap is empty every op node has run, and what is left in the
   buffers are the leaves' complete gradients: add each into ``leaf.grad``
   (PyTorch's ``AccumulateGrad`` step; ``next_functions`` shows such a node).
5. Unless ``retain_graph``, drop each node's saved tensors once it has run, so
   the activations are freed as backward goes and a second backward through
   the same ops is refused with a clear error.

With ``create_graph=True`` recording stays on during the walk and every node
runs its Tensor-level ``backward``, so the gradients carry a graph and can be
differentiated again.

With ``create_graph=False`` (and anomaly detection off) the pass runs in
*array mode*, the fast path: the buffers hold plain NumPy arrays, and a node
whose op defines ``backward_np(ctx, *grad_arrays)`` (a NumPy mirror of
``backward``, written right under it) runs that instead, with no Tensor or
graph node built per product. Ops without it run ``backward`` on wrapped
arrays with recording off. Arrays become Tensors only where user code sees
them: leaf ``.grad``, hooks, ``retain_grad`` and ``autograd.grad`` results.
``backward`` stays the differentiable definition; ``tests/test_fast_paths.py``
checks that every ``backward_np`` gives the same gradients as its ``backward``.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import grad_mode
from .function import Function, grad_accumulator


def _as_tensor(g: Any) -> Tensor:
    return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g))


def _hook_value(hook: Any, g: Tensor, new: Any) -> Tensor:
    """What a tensor hook returned in place of ``g``, refused (as in PyTorch) if it changed
    the shape or dtype: it would end up in ``.grad`` or be broadcast into the wrong shape."""
    new = _as_tensor(new)
    name = getattr(hook, "__name__", repr(hook))
    if new._data.shape != g._data.shape:
        raise RuntimeError(
            f"hook '{name}' has changed the size of value (was {tuple(g._data.shape)} got "
            f"{tuple(new._data.shape)}); a tensor hook must return a gradient of the same shape, or None"
        )
    if new._data.dtype != g._data.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was {g.type()} got {new.type()}); "
            f"return g.to({g.dtype}) from the hook"
        )
    return new


def sum_to(g: Tensor, shape: tuple[int, ...], node: Any, i: int) -> Tensor:
    """Undo broadcasting: sum ``g`` down to ``shape`` (differentiably)."""
    from ..ops.reduce import SumTo

    _check_sum_to(g._data.shape, shape, node, i)
    return SumTo.apply(g, shape)


def _check_sum_to(gs: tuple[int, ...], shape: tuple[int, ...], node: Any, i: int) -> None:
    lead = len(gs) - len(shape)
    if lead < 0 or any(s != 1 and s != t for s, t in zip(shape, gs[lead:], strict=False)):
        raise RuntimeError(
            f"{node.name()} returned an invalid gradient for input {i}: got shape {tuple(gs)} "
            f"but expected shape {tuple(shape)} (or one that broadcasts to it)"
        )


def _root_grads(outputs: Sequence[Tensor], grads: Sequence[Any] | None) -> list[Tensor]:
    result = []
    for i, out in enumerate(outputs):
        g = None if grads is None else grads[i]
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs, but "
                    f"output {i} has shape {tuple(out.shape)}; pass gradient= (dL/d output) "
                    "or reduce it first, e.g. out.sum().backward()"
                )
            shape, dt = out._data.shape, out._data.dtype
            g = Tensor._wrap(np.ones(shape, dt) if shape else np.array(1, dt))
        else:
            g = _as_tensor(g)
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"backward: mismatch in shape: gradient {i} has shape {tuple(g.shape)} but "
                    f"output {i} has shape {tuple(out.shape)}"
                )
            if g._data.dtype != out._data.dtype:
                g = Tensor._wrap(g._data.astype(out._data.dtype))
        result.append(g)
    return result


def _root_node(out: Tensor, i: int) -> tuple[Any, int]:
    out._sync_view()
    if not out._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn: "
            "nothing it depends on has requires_grad=True (or it was computed under no_grad)"
        )
    if out.grad_fn is None:
        return out, 0  # a leaf: its gradient goes straight into its .grad
    return out.grad_fn, out._output_nr


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


# Instrumentation for teaching tools (tinygrad_np.viz.backward_steps): when set, called as
# observer(node, grads_in, sent) for each node in the order backward runs it, where ``sent`` is
# the list of (input index, gradient) pairs the node passed on (empty for a leaf, which is
# reported as its AccumulateGrad node).
_observer: Any = None


class _Pass:
    """State of one backward pass."""

    __slots__ = (
        "arrays",
        "buffers",
        "capture",
        "captured",
        "create_graph",
        "handed_out",
        "heap",
        "retain_graph",
    )

    def __init__(self, retain_graph: bool, create_graph: bool, capture: dict[Any, int] | None) -> None:
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.capture = capture  # (id(node or leaf), output_nr) -> slot, for autograd.grad
        self.captured: list[Tensor | None] = [] if capture is None else [None] * len(set(capture.values()))
        # gradient(s) received so far, per op node (one per output) and per leaf (one)
        self.buffers: dict[Any, list[Any]] = {}
        self.heap: list[tuple[int, int, Any]] = []
        self.handed_out: dict[int, np.ndarray] = {}  # arrays already stored in some .grad
        # array mode: buffers hold NumPy arrays and nodes run ``backward_np`` where they have it
        self.arrays = not create_graph and not grad_mode.state.anomaly_enabled and _observer is None

    def add(self, node: Any, nr: int, g: Tensor) -> None:
        buf = self.buffers.get(node)
        if buf is None:
            buf = self._new_buffer(node)
        prev = buf[nr]
        if prev is None:
            buf[nr] = g
        elif self.arrays:  # a new array: ``prev`` or ``g`` may be held elsewhere
            buf[nr] = np.asarray(prev + g)
        elif self.create_graph:
            buf[nr] = prev + g
        else:  # same shape and dtype by now: plain array addition, no op node
            buf[nr] = Tensor._wrap(prev._data + g._data)

    def _new_buffer(self, node: Any) -> list[Any]:
        """The empty buffer of a node that gets its first gradient; an op node also enters
        the heap (a leaf waits in ``buffers`` until the heap is empty)."""
        if isinstance(node, Tensor):
            buf = self.buffers[node] = [None]
            return buf
        buf = self.buffers[node] = [None] * (len(node._out_meta) or 1)
        heapq.heappush(self.heap, (-node._seq, id(node), node))
        return buf

    def run(self, needed: set[int] | None) -> None:
        if self.arrays and needed is None and self.capture is None:
            self._run_arrays()
            return
        while self.heap:
            _, _, node = heapq.heappop(self.heap)
            grads = self.buffers.pop(node)
            if node._tensor_hooks or node._retained or self.capture is not None:
                if self.arrays:
                    tensors = [None if g is None else Tensor._wrap(g) for g in grads]
                    grads = [None if t is None else t._data for t in self._pre_hooks(node, tensors)]
                else:
                    grads = self._pre_hooks(node, grads)
            if needed is not None and id(node) not in needed:
                continue
            if self.arrays:
                self._call_arrays(node, grads)
            else:
                self._call(node, grads)
        for leaf, (g,) in self.buffers.items():  # only leaves are left
            if _observer is not None:
                _observer(grad_accumulator(leaf), [g], [])
            self._leaf(leaf, Tensor._wrap(g) if self.arrays else g)

    def _leaf(self, leaf: Tensor, g: Tensor) -> None:
        """A leaf's complete gradient: through its hooks, then into ``.grad`` (or into the
        result of ``autograd.grad``)."""
        for hook in leaf._hooks or ():
            new = hook(g)
            if new is not None:
                g = _hook_value(hook, g, new)
        if self.capture is not None:
            slot = self.capture.get((id(leaf), 0))
            if slot is not None:
                self._store_capture(slot, g)
            return
        self._accumulate(leaf, g)

    def _accumulate(self, t: Tensor, g: Tensor) -> None:
        """``t.grad += g``, never writing into memory that something else holds."""
        if t._grad is not None:
            t._grad = t._grad + g if self.create_graph else Tensor._wrap(t._grad._data + g._data)
            return
        if self.create_graph:
            t._grad = g
            return
        self._accumulate_data(t, g._data)

    def _accumulate_data(self, t: Tensor, data: np.ndarray) -> None:
        """``_accumulate`` of an array when ``create_graph`` is off."""
        if t._grad is not None:
            t._grad = Tensor._wrap(t._grad._data + data)
            return
        if (  # a fresh array that nothing else holds: no copy
            data.base is None
            and id(data) not in self.handed_out
            and data is not t._data
            and data is not t._data.base
            and data.flags.writeable
        ):
            self.handed_out[id(data)] = data
            t._grad = Tensor._wrap(data)
            return
        owner = _owner(data)
        if id(owner) in self.handed_out or not data.flags.writeable or owner is _owner(t._data):
            data = data.copy()
            owner = data
        self.handed_out[id(owner)] = owner
        t._grad = Tensor._wrap(data)

    def _store_capture(self, slot: int, g: Tensor) -> None:
        prev = self.captured[slot]
        self.captured[slot] = g if prev is None else prev + g

    def _pre_hooks(self, node: Function, grads: list[Tensor | None]) -> list[Tensor | None]:
        """Tensor hooks and ``retain_grad`` of the node's outputs, then captures."""
        if node._tensor_hooks:
            for nr, hooks in node._tensor_hooks.items():
                for hook in hooks:
                    if grads[nr] is not None:
                        new = hook(grads[nr])
                        if new is not None:
                            grads[nr] = _hook_value(hook, grads[nr], new)
        if node._retained:
            for nr, ref in node._retained.items():
                t = ref()
                if t is not None and grads[nr] is not None:
                    self._accumulate(t, grads[nr])
        if self.capture is not None:
            for nr, g in enumerate(grads):
                slot = self.capture.get((id(node), nr))
                if slot is not None and g is not None:
                    self._store_capture(slot, g)
        return grads

    def _call(self, node: Function, grads: list[Tensor | None]) -> None:
        if len(grads) == 1:
            if grads[0] is None:
                return
        else:
            if all(g is None for g in grads):
                return
            for i, g in enumerate(grads):  # outputs that got no gradient get zeros
                if g is None and node.materialize_grads:
                    shape, dt = node._out_meta[i]
                    grads[i] = Tensor._wrap(np.zeros(shape, dt))
        state = grad_mode.state
        anomaly = state.anomaly_enabled
        if anomaly:
            state.anomaly_enabled = False  # the ops inside backward are checked as one: below
            try:
                result = type(node).backward(node, *grads)
            finally:
                state.anomaly_enabled = anomaly
        else:
            result = type(node).backward(node, *grads)
        result = self._finish(node, result)
        sent = None if _observer is None else []
        for i, edge in enumerate(node._edges):
            g = result[i]
            if edge is None or g is None:
                continue
            parent, nr, shape, dt = edge
            if type(g) is not Tensor:
                g = _as_tensor(g)
            if g._data.shape != shape:
                g = sum_to(g, shape, node, i)
            if g._data.dtype != dt:
                g = g.to(dtypes_of(dt))
            if anomaly and g._data.dtype.kind == "f" and not np.isfinite(g._data).all():
                _report_anomaly(node, i)
            if sent is not None:
                sent.append((i, g))
            self.add(parent, nr, g)
        if sent is not None:
            _observer(node, grads, sent)

    def _run_arrays(self) -> None:
        """``run`` for the common case, ``loss.backward()`` in array mode: no captures, no
        pruning, no observer, so each node is just pop, backward, send (once per node)."""
        heap, buffers = self.heap, self.buffers
        pop = heapq.heappop
        while heap:
            node = pop(heap)[2]
            grads = buffers.pop(node)
            if node._tensor_hooks or node._retained:
                tensors = [None if g is None else Tensor._wrap(g) for g in grads]
                grads = [None if t is None else t._data for t in self._pre_hooks(node, tensors)]
            if len(grads) == 1 and grads[0] is not None:
                fast = node.backward_np
                result = NotImplemented if fast is None else fast(node, grads[0])
                if result is NotImplemented:
                    result = type(node).backward(node, Tensor._wrap(grads[0]))
            else:
                result = self._results_arrays(node, grads)
                if result is None:
                    continue
            self._send_arrays(node, result)
        for leaf, (g,) in buffers.items():  # only leaves are left
            if leaf._hooks:
                self._leaf(leaf, Tensor._wrap(g))
            else:
                self._accumulate_data(leaf, g)

    def _results_arrays(self, node: Function, grads: list[np.ndarray | None]) -> Any:
        """A node's results in array mode (None when it got no gradient at all)."""
        if all(g is None for g in grads):
            return None
        for i, g in enumerate(grads):  # outputs that got no gradient get zeros
            if g is None and node.materialize_grads:
                shape, dt = node._out_meta[i]
                grads[i] = np.zeros(shape, dt)
        fast = node.backward_np
        result = NotImplemented if fast is None else fast(node, *grads)
        if result is NotImplemented:
            result = type(node).backward(node, *[None if g is None else Tensor._wrap(g) for g in grads])
        return result

    def _call_arrays(self, node: Function, grads: list[np.ndarray | None]) -> None:
        """``_call`` in array mode: gradients are arrays, ``backward_np`` runs where the op has
        one; otherwise the Tensor-level ``backward`` runs on wrapped arrays (recording is off)."""
        result = self._results_arrays(node, grads)
        if result is not None:
            self._send_arrays(node, result)

    def _finish(self, node: Function, result: Any) -> tuple[Any, ...]:
        """A node's backward has run: free its saved tensors (unless ``retain_graph``) and
        return its result as a tuple, one gradient per forward argument (count checked)."""
        if not self.retain_graph:
            node._saved = None
        if type(result) is not tuple:
            result = (result,)
        if len(result) != len(node._edges):
            _check_count(node, result, node._edges)
        return result

    def _send_arrays(self, node: Function, result: Any) -> None:
        """Array mode: ``_finish`` the node, then add each input's gradient (summed down to
        the input's shape, in its dtype) into the buffer of the input's node; the
        bookkeeping of ``add`` is inlined here, as this runs once per node."""
        result = self._finish(node, result)
        buffers = self.buffers
        for i, edge in enumerate(node._edges):  # (not zip(..., strict=): its keyword costs 0.2 us)
            if edge is None:
                continue
            g = result[i]
            if g is None:
                continue
            parent, nr, shape, dt = edge
            if type(g) is not np.ndarray:
                g = g._data if isinstance(g, Tensor) else np.asarray(g)
            if g.shape != shape:
                from ..ops.reduce import sum_to_array  # (ops import the engine's package)

                _check_sum_to(g.shape, shape, node, i)
                g = sum_to_array(g, shape)
            if g.dtype != dt:
                g = g.astype(dt)
            buf = buffers.get(parent)
            if buf is None:
                buf = self._new_buffer(parent)
            prev = buf[nr]
            buf[nr] = g if prev is None else np.asarray(prev + g)


def _check_count(node: Function, result: tuple[Any, ...], edges: tuple[Any, ...]) -> None:
    if len(result) < len(edges) or any(r is not None for r in result[len(edges) :]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {len(edges)}, got {len(result)})"
        )


def dtypes_of(np_dtype: np.dtype) -> Any:
    from ..dtypes import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


def _report_anomaly(node: Function, i: int) -> None:
    where = "".join(node._trace or []) or "(forward traceback not recorded)\n"
    raise RuntimeError(
        f"detect_anomaly: function '{node.name()}' returned nan or inf values in its {i}th "
        f"output (the gradient for input {i}).\nThe forward call that created this node:\n{where}"
    )


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
    if inputs is not None:
        if isinstance(inputs, Tensor):
            inputs = [inputs]
        grads = _run(roots, seeds, retain_graph, create_graph, list(inputs), allow_unused=True)
        for t, g in zip(inputs, grads, strict=False):
            if g is not None:
                _Pass(retain_graph, create_graph, None)._accumulate(t, g)
        return
    _run(roots, seeds, retain_graph, create_graph, None, allow_unused=True)


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
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        t._sync_view()
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    roots = [_root_node(t, i) for i, t in enumerate(outputs)]
    seeds = _root_grads(outputs, grad_outputs)
    result = _run(roots, seeds, retain_graph, create_graph, inputs, bool(allow_unused or materialize_grads))
    if materialize_grads:
        result = [
            Tensor._wrap(np.zeros_like(t._data)) if g is None else g
            for t, g in zip(inputs, result, strict=False)
        ]
    return tuple(result)


def _run(
    roots: list[tuple[Any, int]],
    seeds: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: list[Tensor] | None,
    allow_unused: bool,
) -> list[Tensor | None]:
    capture = None
    needed = None
    if inputs is not None:
        capture = {}
        for slot, t in enumerate(inputs):
            capture.setdefault(_capture_key(t), slot)
        needed = _nodes_leading_to({k[0] for k in capture}, [r[0] for r in roots])
    state = grad_mode.state
    prev = state.grad_enabled
    state.grad_enabled = create_graph
    try:
        p = _Pass(retain_graph, create_graph, capture)
        for i, (node, nr) in enumerate(roots):
            p.add(node, nr, seeds[i]._data if p.arrays else seeds[i])
        p.run(needed)
    finally:
        state.grad_enabled = prev
    if inputs is None:
        return []
    result = []
    for slot, t in enumerate(inputs):
        g = p.captured[capture[_capture_key(t)]]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {slot} (shape {tuple(t.shape)}) was not used in the graph of the "
                "outputs; pass allow_unused=True to get None for it"
            )
        result.append(g)
    return result


def _capture_key(t: Tensor) -> tuple[int, int]:
    """Where ``autograd.grad`` picks up ``t``'s gradient: its node's output, or the leaf."""
    return (id(t), 0) if t.grad_fn is None else (id(t.grad_fn), t._output_nr)


def _nodes_leading_to(target_ids: set[int], roots: list[Any]) -> set[int]:
    """ids of the nodes (and leaves) from which some target can be reached (iteratively)."""
    seen: dict[int, Any] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        for e in getattr(node, "_edges", ()):
            if e is not None:
                stack.append(e[0])
    needed: set[int] = set()
    # inputs before consumers (leaves first: they have no _seq)
    for node in sorted(seen.values(), key=lambda n: getattr(n, "_seq", -1)):
        if id(node) in target_ids or any(
            e is not None and id(e[0]) in needed for e in getattr(node, "_edges", ())
        ):
            needed.add(id(node))
    return needed
