"""The speed path of backward: the same walk as ``engine.py``, on NumPy arrays.

What it changes is *how* the walk is done, never *what* it computes. ``engine._run`` picks
``ArrayPass`` instead of ``engine._Pass`` (its one seam) when ``create_graph`` is off,
anomaly detection is off and no teaching observer is set, which is every plain
``loss.backward()``. Then:

* **Buffers hold NumPy arrays**, not Tensors: adding two gradients is one NumPy addition,
  with no Tensor made and no trip through ``Function.apply``.
* **Each node runs its op's ``backward_np``** where the op defines one (a NumPy mirror of
  ``backward``, written right under it, with the same one-line derivative comment), and
  otherwise its Tensor-level ``backward`` on wrapped arrays (recording is off, so that is
  plain arithmetic too). ``backward_np`` may return ``NotImplemented`` to fall back.
* **Broadcasting is undone** with ``sum_to_array``, the array form of ``engine.sum_to``.
* **Arrays become Tensors only where user code sees them**: hooks, ``retain_grad``,
  ``autograd.grad`` results and leaf ``.grad``. A leaf's ``.grad`` takes a gradient array
  without copying it when nothing else holds that array (``accumulate_array``).
* **The common case has its own loop** (``ArrayPass.run``): no captures and no pruning, so
  each node is pop, backward, send, with the bookkeeping of ``_Pass.add`` inlined.

``backward`` stays the definition: it is what ``create_graph=True`` records and what the
docs show. ``tests/test_fast_paths.py`` proves the two paths agree: every op's
``backward_np`` against its ``backward`` (broadcasting shapes, float32 and float64), and a
table of whole passes (hooks, ``retain_grad``, ``autograd.grad``, multi-output ops,
accumulation over two backwards, errors) run through ``ArrayPass`` and through
``engine._Pass``.
"""

from __future__ import annotations

import heapq
from heapq import heappush
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import engine_checks as check
from .engine import _Pass
from .function import Function


class ArrayPass(_Pass):
    """``_Pass`` with NumPy arrays in the buffers and ``backward_np`` where an op has it."""

    __slots__ = ("handed_out",)

    def __init__(self, retain_graph: bool, create_graph: bool, inputs: Any, roots: Any) -> None:
        super().__init__(retain_graph, create_graph, inputs, roots)
        self.handed_out: dict[int, np.ndarray] = {}  # arrays already stored in some .grad

    def seed(self, node: Any, nr: int, g: Tensor) -> None:
        self.add(node, nr, g._data)

    def add(self, node: Any, nr: int, g: np.ndarray) -> None:
        buf = self.buffers.get(node)
        if buf is None:
            buf = self.new_buffer(node)
        prev = buf[nr]
        buf[nr] = g if prev is None else np.asarray(prev + g)  # a new array: either may be held

    def run(self) -> None:
        """``_Pass.run`` for the common case, ``loss.backward()``: no captures, no pruning,
        so each node is just pop, backward, send."""
        if self.capture is not None:  # autograd.grad: the general loop
            super().run()
            return
        heap, buffers = self.heap, self.buffers
        pop = heapq.heappop
        while heap:
            node = pop(heap)[2]
            grads = buffers.pop(node)
            if node._tensor_hooks or node._retained:
                grads = self.hooks(node, grads)
            if len(grads) == 1 and grads[0] is not None:
                fast = node.backward_np
                result = NotImplemented if fast is None else fast(node, grads[0])
                if result is NotImplemented:
                    result = check.tensor_results(node, type(node).backward(node, Tensor._wrap(grads[0])))
            else:
                result = self.results(node, grads)
                if result is None:
                    continue
            self.send(node, result)
        for leaf, (g,) in buffers.items():  # only leaves are left
            if leaf._hooks:
                super().leaf(leaf, Tensor._wrap(g))
            else:
                self.accumulate_array(leaf, g)

    def hooks(self, node: Function, grads: list[Any]) -> list[Any]:
        tensors = [None if g is None else Tensor._wrap(g) for g in grads]
        return [None if t is None else t._data for t in super().hooks(node, tensors)]

    def call(self, node: Function, grads: list[np.ndarray | None]) -> None:
        result = self.results(node, grads)
        if result is not None:
            self.send(node, result)

    @staticmethod
    def results(node: Function, grads: list[np.ndarray | None]) -> Any:
        """What the node's backward returns (None when it got no gradient at all)."""
        if all(g is None for g in grads):
            return None
        for i, g in enumerate(grads):  # outputs that got no gradient get zeros
            if g is None and node.materialize_grads:
                grads[i] = np.zeros(*node._out_meta[i])
        fast = node.backward_np
        result = NotImplemented if fast is None else fast(node, *grads)
        if result is NotImplemented:
            tensors = [None if g is None else Tensor._wrap(g) for g in grads]
            result = check.tensor_results(node, type(node).backward(node, *tensors))
        return result

    def send(self, node: Function, result: Any) -> None:
        """``finish`` the node, then add each input's gradient (summed down to the input's
        shape, in its dtype) into the buffer of the input's node; ``finish``, ``add`` and
        an op node's ``new_buffer`` inlined (this runs once per node)."""
        if not self.retain:  # finish: free the saved tensors, one gradient per argument
            node._saved = None
        if type(result) is not tuple:
            result = (result,)
        edges = node._edges
        if len(result) != len(edges):
            check.count(node, result, edges)
        buffers = self.buffers
        for i, edge in enumerate(edges):  # (not zip(..., strict=): its keyword costs 0.2 us)
            if edge is None:
                continue
            g = result[i]
            if g is None:
                continue
            parent, nr, shape, dt = edge
            if type(g) is not np.ndarray:
                g = g._data if isinstance(g, Tensor) else np.asarray(g)
            if g.shape != shape:
                from ..ops.reduce import sum_to_array  # (the ops import this package)

                check.sum_to(g.shape, shape, node, i)
                g = sum_to_array(g, shape)
            if g.dtype is not dt and g.dtype != dt:  # (identity first: dtype == costs ~0.1 us)
                g = g.astype(dt)
            buf = buffers.get(parent)
            if buf is None:  # new_buffer: a leaf waits in ``buffers``, an op node enters the heap
                if isinstance(parent, Tensor):
                    buffers[parent] = [g]
                    continue
                buf = buffers[parent] = [None] * (len(parent._out_meta) or 1)
                heappush(self.heap, (-parent._seq, id(parent), parent))
            prev = buf[nr]
            buf[nr] = g if prev is None else np.asarray(prev + g)

    def leaf(self, leaf: Tensor, g: np.ndarray) -> None:
        if leaf._hooks or self.capture is not None:
            super().leaf(leaf, Tensor._wrap(g))
        else:
            self.accumulate_array(leaf, g)

    def accumulate(self, t: Tensor, g: Tensor) -> None:
        self.accumulate_array(t, g._data)

    def accumulate_array(self, t: Tensor, data: np.ndarray) -> None:
        """``t.grad += data``; a first gradient is stored without a copy when nothing else
        holds its memory (not the tensor itself, not another ``.grad``, not read-only)."""
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


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a
