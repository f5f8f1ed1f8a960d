"""The graph behind a tensor, as plain data: op nodes, tensor nodes and the edges between them.

``build_graph(roots)`` walks ``grad_fn`` links from the roots to the leaves with an explicit
stack (no recursion, so a 10,000-op chain is fine) and returns a :class:`GraphModel`:

* one :class:`OpInfo` per ``Function`` node (``MulBackward0``, ...);
* one :class:`TensorInfo` per tensor that flows along an edge: the leaves (a leaf's
  ``AccumulateGrad`` node stands for it), every op output that some op consumes, and the roots;
* edges in the direction data flows in forward: tensor -> op -> tensor.

Tensors are keyed by ``('leaf', id(tensor))`` for leaves and ``('out', id(node), output_nr)``
for op outputs, which is how an edge ``(parent_node, output_nr, shape, dtype)`` names them;
inputs that need no gradient (the data) are ``('const', id(tensor))`` while the tensor is alive,
else (and for one-element constants, one node per use) ``('const', id(node), argument index)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import operands
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor

TensorKey = tuple


@dataclass
class TensorInfo:
    """A tensor node: ``kind`` is 'param', 'leaf', 'constant' (needs no grad), 'scalar' (a
    one-element constant such as the ``2`` of ``x ** 2``), 'intermediate' or 'output'."""

    key: TensorKey
    shape: tuple[int, ...]
    dtype: np.dtype
    kind: str = "intermediate"
    name: str | None = None
    producer: int | None = None  # id of the op node that made it (None for leaves)
    consumers: list[int] = field(default_factory=list)  # ids of op nodes that use it
    tensor: Tensor | None = None  # the Tensor object, when known (leaves, roots, locals)
    data: np.ndarray | None = None  # its value, when known
    grad: np.ndarray | None = None  # dL/d(it), when known
    value: Any = None  # a one-element constant's value (a Python number)
    fallback_name: bool = False  # named after the modules it crosses, not by the caller
    dot_id: str = ""


@dataclass
class OpInfo:
    """An op node: ``inputs`` lists ``(argument index, tensor key)``, ``outputs`` the tensors it made."""

    node: Any
    name: str
    seq: int
    formula: str
    inputs: list[tuple[int, TensorKey]] = field(default_factory=list)
    outputs: list[TensorKey] = field(default_factory=list)
    dot_id: str = ""


@dataclass
class GraphModel:
    """Everything the drawing, the stepper and the checker need to know about one graph."""

    ops: dict[int, OpInfo]
    tensors: dict[TensorKey, TensorInfo]
    roots: list[TensorKey]

    def edges(self) -> list[tuple[str, str]]:
        """``(from dot id, to dot id)`` in data-flow direction, each once."""
        out: list[tuple[str, str]] = []
        for op in self.ops.values():
            for _, key in op.inputs:
                out.append((self.tensors[key].dot_id, op.dot_id))
            for key in op.outputs:
                out.append((op.dot_id, self.tensors[key].dot_id))
        return list(dict.fromkeys(out))

    def ops_in_forward_order(self) -> list[OpInfo]:
        return sorted(self.ops.values(), key=lambda o: o.seq)

    def key_of_node_output(self, node: Any, nr: int) -> TensorKey:
        if isinstance(node, Tensor):
            return ("leaf", id(node))
        if isinstance(node, AccumulateGrad):
            return ("leaf", id(node.variable))
        return ("out", id(node), nr)


def tensor_key(t: Tensor) -> TensorKey:
    """The key under which ``t`` appears in a :class:`GraphModel`."""
    if t.grad_fn is None:
        return ("leaf", id(t))
    return ("out", id(t.grad_fn), t._output_nr)


def build_graph(roots: Tensor | list[Tensor] | tuple[Tensor, ...]) -> GraphModel:
    """Walk the graph that produced ``roots`` (iteratively) into a :class:`GraphModel`."""
    root_list = [roots] if isinstance(roots, Tensor) else list(roots)
    if not root_list or not all(isinstance(r, Tensor) for r in root_list):
        raise TypeError("draw_graph: root must be a Tensor or a list of Tensors")
    ops: dict[int, OpInfo] = {}
    tensors: dict[TensorKey, TensorInfo] = {}
    root_keys: list[TensorKey] = []

    def leaf_info(t: Tensor) -> TensorInfo:
        key = ("leaf", id(t))
        info = tensors.get(key)
        if info is None:
            info = tensors[key] = TensorInfo(
                key, tuple(t._data.shape), t._data.dtype, "leaf", tensor=t, data=t._data
            )
        return info

    stack: list[Any] = []
    for r in root_list:
        key = tensor_key(r)
        if r.grad_fn is None:
            info = leaf_info(r)
        else:
            info = tensors.get(key)
            if info is None:
                info = tensors[key] = TensorInfo(
                    key, tuple(r._data.shape), r._data.dtype, producer=id(r.grad_fn)
                )
            stack.append(r.grad_fn)
        info.tensor, info.data = r, r._data
        if key not in root_keys:
            root_keys.append(key)

    while stack:
        node = stack.pop()
        if id(node) in ops:
            continue
        op = ops[id(node)] = OpInfo(node, node.name(), node._seq, getattr(type(node), "formula", "") or "")
        for i, edge in enumerate(node._edges):
            if edge is None:
                continue
            parent, nr, shape, dt = edge
            if isinstance(parent, Tensor):  # an edge to a leaf ends at the leaf itself
                info = leaf_info(parent)
            else:
                key = ("out", id(parent), nr)
                info = tensors.get(key)
                if info is None:
                    info = tensors[key] = TensorInfo(key, tuple(shape), np.dtype(dt), producer=id(parent))
                if id(parent) not in ops:
                    stack.append(parent)
            info.consumers.append(id(node))
            op.inputs.append((i, info.key))

    _add_constants(ops, tensors)
    for key, info in tensors.items():
        if info.producer is not None:
            ops[info.producer].outputs.append(key)
    for op in ops.values():
        op.outputs.sort(key=lambda k: k[2])
    for key in root_keys:
        if tensors[key].kind != "leaf":
            tensors[key].kind = "output"
    _collect_saved_values(ops, tensors)
    for n, op in enumerate(sorted(ops.values(), key=lambda o: o.seq)):
        op.dot_id = f"op{n}"
    for n, info in enumerate(tensors.values()):
        info.dot_id = f"t{n}"
    return GraphModel(ops, tensors, root_keys)


def _add_constants(ops: dict[int, OpInfo], tensors: dict[TensorKey, TensorInfo]) -> None:
    """The operands that need no gradient (data ``x``, targets ``y``, the ``2`` of ``x ** 2``),
    from what each node noted about them at forward time (``node._consts``, see
    ``autograd/operands.py``): shape, dtype, a one-element tensor's value, and the tensor itself
    while it is alive. A tensor used by several ops is one node while it is alive; a
    one-element constant is a small node of its own at each use, as in ``x ** 2``."""
    for op in list(ops.values()):
        node = op.node
        for index, shape, dtype, value, ref in operands.of(node):
            t = ref()
            scalar = value is not None
            if t is not None and not scalar:
                key: TensorKey = ("const", id(t))
            else:
                key = ("const", id(node), index)
            info = tensors.get(key)
            if info is None:
                info = tensors[key] = TensorInfo(
                    key,
                    tuple(shape),
                    np.dtype(dtype),
                    "scalar" if scalar else "constant",
                    tensor=t,
                    data=None if t is None else t._data,
                    value=value,
                )
            if id(node) not in info.consumers:
                info.consumers.append(id(node))
                op.inputs.append((index, key))
        op.inputs.sort(key=lambda p: p[0])


def _collect_saved_values(ops: dict[int, OpInfo], tensors: dict[TensorKey, TensorInfo]) -> None:
    """Fill in values of intermediate tensors that some node kept for backward."""
    for op in ops.values():
        for s in op.node._saved or ():
            if s is None:
                continue
            tensor, _, _, array, output_nr = s  # a SavedEntry (autograd/function.py)
            if tensor is not None:
                key = tensor_key(tensor)
                arr = tensor._data
            else:
                key = ("out", id(op.node), output_nr)
                arr = array
            info = tensors.get(key)
            if info is not None and info.data is None and arr is not None and arr.shape == info.shape:
                info.data = arr
        for t in getattr(op.node, "_inputs", ()) or ():
            if isinstance(t, Tensor):
                info = tensors.get(tensor_key(t))
                if info is not None and info.data is None:
                    info.data = t._data
