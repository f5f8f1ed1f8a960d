"""What a graph node remembers about its operands that get no gradient, for the drawing.

A node's ``_edges`` name the inputs that need a gradient; the other tensor operands (data,
targets, masks, the constant ``2`` of ``x ** 2``) would vanish from a picture of the graph.
``describe`` notes for each of them only what a drawing shows, as a plain tuple (this runs in
every recorded op that has such an operand, so no object with attributes)::

    (argument index, shape, dtype, value, weak reference to the tensor)

``value`` is a one-element tensor's value as a Python number (None for bigger tensors); the
weak reference lets a drawing find the tensor's name among the caller's variables while it
is alive. No array is kept: the graph keeps alive exactly what backward needs, with or without
this record. Non-tensor arguments (dims, flags) are op settings, not operands: not recorded.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor

ConstOperand = tuple[int, tuple[int, ...], np.dtype, Any, "weakref.ref[Tensor]"]

_ref = weakref.ref


def describe(args: tuple[Any, ...], edges: tuple[Any, ...]) -> tuple[ConstOperand, ...]:
    """One :data:`ConstOperand` per tensor argument whose edge is None (needs no gradient)."""
    out = []
    for i, a in enumerate(args):
        if edges[i] is None and isinstance(a, Tensor):
            d = a._data
            out.append((i, d.shape, d.dtype, d.item() if d.size == 1 else None, _ref(a)))
    return tuple(out)
