"""Names for the tensors of a drawing: parameter names first, then the caller's variable names."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from ..tensor import Tensor
from .graph import GraphModel, tensor_key
from .vjp import op_key


def named_params(params: Any) -> dict[str, Tensor]:
    """``params`` as a name -> tensor dict: a Module (anything with ``named_parameters()``),
    a mapping, or an iterable of ``(name, tensor)`` pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        return dict(params.named_parameters())
    if isinstance(params, Mapping):
        items = params.items()
    else:
        items = list(params)
    out = {}
    for item in items:
        if isinstance(item, Tensor) or not isinstance(item, tuple) or len(item) != 2:
            raise TypeError(
                "draw_graph: params must be a Module, a dict of name -> tensor or (name, tensor) pairs, "
                f"got an iterable of {type(item).__name__}; pass the model itself or "
                "dict(model.named_parameters())"
            )
        name, t = item
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: params[{name!r}] is {type(t).__name__}, expected a Tensor")
        out[str(name)] = t
    return out


def module_types(params: Any) -> dict[str, str]:
    """Dotted submodule name -> class name, for a Module with ``named_modules()``."""
    if params is None or not hasattr(params, "named_modules"):
        return {}
    return {name: type(m).__name__ for name, m in params.named_modules()}


def caller_locals(depth: int) -> dict[str, Any]:
    """The local variables of the frame ``depth`` levels above the caller of this function."""
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:
        return {}
    return dict(frame.f_locals)


def module_in_locals(local_vars: dict[str, Any]) -> Any:
    """The first local that looks like a Module (has ``named_parameters``), or None."""
    for value in local_vars.values():
        if not isinstance(value, type) and hasattr(value, "named_parameters") and hasattr(value, "forward"):
            return value
    return None


def apply_names(graph: GraphModel, params: dict[str, Tensor], local_vars: dict[str, Any]) -> None:
    """Name the tensor nodes: parameters get their ``named_parameters`` names (and kind
    'param'); any other tensor held by a caller's local variable gets that variable's name."""
    by_id = {id(t): name for name, t in params.items()}
    for info in graph.tensors.values():
        if info.kind == "leaf" and info.tensor is not None and id(info.tensor) in by_id:
            info.name = by_id[id(info.tensor)]
            info.kind = "param"
    consts: dict[int, list[Any]] = {}  # constants by the tensor they are, while it is alive
    for info in graph.tensors.values():
        if info.kind in ("constant", "scalar") and info.tensor is not None:
            consts.setdefault(id(info.tensor), []).append(info)
    for name, value in local_vars.items():
        if name.startswith("_") or not isinstance(value, Tensor):
            continue
        infos = [graph.tensors.get(tensor_key(value)), *consts.get(id(value), [])]
        for info in infos:
            if info is None or info.name is not None:
                continue
            info.name = name
            if info.tensor is None:
                info.tensor = value
            if info.data is None:
                info.data = value._data


def fallback_names(graph: GraphModel, groups: dict[int, str], types: dict[str, str]) -> None:
    """Names for tensors that no parameter or caller variable names, from the modules they
    cross: ``'input to 0: Linear'`` for data fed into a module, ``'output of 2: Linear'`` for a
    module's result used outside it (the prediction a loss reads), ``'argument 1 of MseLoss'``
    for data fed to one op outside any module (a target). ``groups`` maps op ids to module
    names (see :func:`tinygrad_np.viz.group.assign_groups`)."""
    groups = {op: g for op, g in groups.items() if g in types}  # real submodules only
    if not groups:
        return

    def title(g: str) -> str:
        return f"{g}: {types[g]}" if g in types else g

    for info in graph.tensors.values():
        if info.name is not None or info.kind in ("param", "scalar"):
            continue
        users = {groups.get(c) for c in info.consumers}
        made_by = groups.get(info.producer) if info.producer is not None else None
        if info.producer is None:
            if len(users) == 1 and None not in users:
                info.name = f"input to {title(next(iter(users)))}"
            elif len(info.consumers) == 1 and info.kind == "constant":  # e.g. a loss's target
                op = graph.ops[info.consumers[0]]
                i = next(i for i, k in op.inputs if k == info.key)
                info.name = f"argument {i} of {op_key(op.name)}"
        elif made_by is not None and (not info.consumers or users - {made_by}):
            info.name = f"output of {title(made_by)}"
        info.fallback_name = info.name is not None
