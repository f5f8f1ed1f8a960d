"""Each op's backward written as the vector-Jacobian product it computes, with shapes.

For tensors, backward does not multiply ``dL/dy`` by a number ``dy/dx``: each node turns the
incoming gradient ``g = dL/dy`` into ``dL/dx = J^T g`` for each input, without forming the
Jacobian ``J``. For the common ops that product has a short closed form, e.g. for a linear layer
``Y = H W^T + b``::

    dL/dH = g · W            (64, 20) = (64, 1) · (1, 20)
    dL/dW = gᵀ · H           (1, 20)  = (1, 64) · (64, 20)
    dL/db = sum over rows of g

``vjp(op_name, i, ...)`` returns that text for argument ``i``: the expression (``·`` is a
matrix product, ``⊙`` an elementwise product) and the shapes of its factors. An op without an
entry gets the generic ``J^T g`` with the derivative from its ``formula``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A factor is a symbol: 'g' (dL/dy), 'y' (the output), 'x0', 'x1', ... (the arguments), with
# 'T' appended when it is transposed; '@' joins factors by a matrix product, '*' elementwise.
# The text is the expression, with {g}, {y}, {x0}, ... replaced by names.
_MATRIX: dict[str, list[tuple[str, str] | None]] = {
    # (text, factors)
    "Addmm": [("{g} · {x1}", "g @ x1"), ("({g})ᵀ · {x0}", "gT @ x0"), ("sum over rows of {g}", "")],
    "Matmul": [("{g} · {x1}ᵀ", "g @ x1T"), ("{x0}ᵀ · {g}", "x0T @ g")],
}
_ELEMENTWISE: dict[str, list[str]] = {
    "Add": ["{g}", "{g}"],
    "Sub": ["{g}", "-{g}"],
    "Mul": ["{g} ⊙ {x1}", "{g} ⊙ {x0}"],
    "Div": ["{g} ⊙ 1/{x1}", "{g} ⊙ (-{x0}/{x1}²)"],
    "Pow": ["{g} ⊙ {x1}·{x0}^({x1}-1)", "{g} ⊙ {y}·log({x0})"],
    "Neg": ["-{g}"],
    "Exp": ["{g} ⊙ {y}"],
    "Log": ["{g} ⊙ 1/{x0}"],
    "Sqrt": ["{g} ⊙ 1/(2 {y})"],
    "Sin": ["{g} ⊙ cos({x0})"],
    "Cos": ["{g} ⊙ (-sin({x0}))"],
    "Tanh": ["{g} ⊙ (1 - {y}²)"],
    "Sigmoid": ["{g} ⊙ {y}(1 - {y})"],
    "Relu": ["{g} ⊙ [{x0} > 0]"],
    "Abs": ["{g} ⊙ sign({x0})"],
    "Clone": ["{g}"],
    "Cast": ["{g} (cast back to the input's dtype)"],
}
_REDUCTIONS: dict[str, list[str]] = {
    "Sum": ["{g} copied to every element of {x0}"],
    "Mean": ["{g} / N copied to every element of {x0}"],
    "MseLoss": ["{g} · 2({x0} - {x1}) / N", "{g} · (-2)({x0} - {x1}) / N"],
    "CrossEntropy": ["{g} · (softmax({x0}) - onehot({x1})) / N"],
    "Reshape": ["{g} reshaped back to {x0}'s shape"],
    "Permute": ["{g} permuted back"],
    "Expand": ["{g} summed over the copies"],
    "Index": ["{g} put back at the indexed positions (zeros elsewhere)"],
    "Softmax": ["{y} ⊙ ({g} - sum({g} ⊙ {y}))"],
    "LogSoftmax": ["{g} - softmax({x0}) · sum({g})"],
}


@dataclass
class VJP:
    """``text``: the product as written; ``factor_shapes``: the shape of each factor in
    order (after transposing), ``joiner`` the symbol between them; ``elementwise``: the
    Jacobian is diagonal (so ``dL/dx = g ⊙ dy/dx`` element by element)."""

    text: str
    factor_shapes: list[tuple[int, ...]]
    joiner: str
    elementwise: bool


def op_key(op_name: str) -> str:
    """``'AddmmBackward'`` or ``'AddmmBackward0'`` -> ``'Addmm'``."""
    return re.sub(r"Backward\d*$", "", op_name)


def _fill(text: str, names: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(1)), text)


def _t(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape if len(shape) < 2 else (*shape[:-2], shape[-1], shape[-2])


def vjp(
    op_name: str,
    i: int,
    g_name: str,
    y_name: str,
    input_names: Sequence[str],
    g_shape: tuple[int, ...],
    input_shapes: Sequence[tuple[int, ...]],
    formula: str = "",
) -> VJP:
    """The vector-Jacobian product by which op ``op_name`` turns ``g = dL/dy`` into
    ``dL/d(argument i)``."""
    names = {"g": g_name, "y": y_name}
    shapes = {"g": tuple(g_shape), "y": tuple(g_shape)}
    for k, (n, s) in enumerate(zip(input_names, input_shapes, strict=False)):
        names[f"x{k}"] = n
        shapes[f"x{k}"] = tuple(s)
    key = op_key(op_name)
    matrix = _MATRIX.get(key)
    if matrix is not None and i < len(matrix) and matrix[i] is not None:
        text, factors = matrix[i]
        fshapes = []
        for f in factors.split(" @ ") if factors else ["g"]:
            sym = f.rstrip("T")
            s = shapes.get(sym, ())
            fshapes.append(_t(s) if f.endswith("T") else s)
        return VJP(_fill(text, names), fshapes, " · " if factors else "", False)
    for table, diagonal in ((_ELEMENTWISE, True), (_REDUCTIONS, False)):
        entry = table.get(key)
        if entry is not None and i < len(entry):
            text = _fill(entry[i], names)
            fshapes = [shapes["g"]]
            return VJP(text, fshapes, "", diagonal)
    parts = [p.strip().rstrip(",;") for p in re.split(r"(?<=[,;:])\s{2,}", formula) if p.strip()]
    local = parts[i] if i < len(parts) else (formula or f"d{y_name}/d{input_names[i]}")
    return VJP(f"Jᵀ {g_name}, J = d{y_name}/d{input_names[i]}: {local}", [shapes["g"]], "", False)
