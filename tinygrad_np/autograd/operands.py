"""What a graph node remembers about its operands that get no gradient, for the drawing.

A node's ``_edges`` name the inputs that need a gradient; the other tensor operands (data,
targets, masks, the constant ``2`` of ``x ** 2``) would vanish from a picture of the graph.
``Function.apply`` notes each of them in ``node._consts`` at the cost of a tuple (this runs
in every recorded op that has such an operand, ``y + 1`` included, so it must be cheap):

- a one-element tensor (a constant such as the ``1`` of ``y + 1``) as ``(argument index,
  tensor)``: its value is what the drawing shows, and one element is all it keeps;
- a bigger one (data, targets, masks) as ``describe_operand`` gives it, ``(argument index,
  shape, dtype, None, weak reference)``: no array is kept, and the weak reference lets a
  drawing find the tensor's name among the caller's variables while it is alive.

:func:`of` reads either form as ``(argument index, shape, dtype, value, weak reference)``.
So the graph keeps alive exactly what backward needs, plus one-element constants. Non-tensor
arguments (dims, flags) are op settings, not operands: not recorded.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor

ConstOperand = tuple[int, tuple[int, ...], np.dtype, Any, "weakref.ref[Tensor]"]

_ref = weakref.ref


def describe_operand(index: int, a: Tensor, d: np.ndarray) -> ConstOperand:
    """The :data:`ConstOperand` of argument ``index``, the tensor ``a`` (array ``d``) that
    needs no gradient: its look, not its array."""
    return (index, d.shape, d.dtype, None, _ref(a))


def of(node: Any) -> tuple[ConstOperand, ...]:
    """The operands of ``node`` that need no gradient, each as a :data:`ConstOperand`."""
    out = []
    for entry in node._consts:
        if len(entry) == 2:  # (index, one-element tensor)
            index, t = entry
            d = t._data
            entry = (index, d.shape, d.dtype, d.item(), _ref(t))
        out.append(entry)
    return tuple(out)
