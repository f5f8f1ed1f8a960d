"""``Optimizer``: the base class every optimizer builds on.

An optimizer holds *parameter groups* (``param_groups``: a list of dicts, each
with a ``'params'`` list and that group's hyperparameters, the constructor's
defaults filled in) and per-parameter *state* (``state[p]``: momentum buffers,
running averages, step counts). ``step()`` reads each parameter's ``.grad``
and updates ``p._data`` in place (bumping the version counter, so backward can
tell a saved tensor was changed); it never writes into ``p.grad``, which the
engine may share between tensors.

``state_dict()`` uses PyTorch's layout, parameters referred to by their index
across all groups in order::

    {'state': {0: {'momentum_buffer': tensor(...)}, ...},
     'param_groups': [{'lr': 0.1, 'momentum': 0.9, ..., 'params': [0, 1]}]}
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import enable_grad, grad_mode
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """The default of a hyperparameter that every group must set (e.g. SGD's ``lr`` once)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _RequiredParameter()

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of optimizers: parameter groups, per-parameter state, saving.

    Subclasses pass their hyperparameters as ``defaults`` and implement
    ``_step_group(group)``, which updates the parameters of one group.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {type(params).__module__}.{type(params).__name__}"
            )
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        lines.append(")")
        return "\n".join(lines)

    # ---- groups -------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering "
                "of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will "
                "cause an error",
                stacklevel=3,
            )
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ---- gradients and steps ------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (default), or zeros when
        ``set_to_none=False`` (a fresh zero tensor: the old one may be shared)."""
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # tinygrad_np.compile records the call
            return grad_mode.state.tracer.record_call(self.zero_grad, (set_to_none,), [])
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                p._grad = None if set_to_none else Tensor._wrap(np.zeros_like(p._grad._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``; ``closure`` re-evaluates the
        loss (with grad enabled) first and its value is returned."""
        tracer = grad_mode.state.tracer if grad_mode.tracing else None
        if tracer is not None:  # tinygrad_np.compile records the update (not a closure)
            if closure is not None:
                tracer.refuse("optimizer.step(closure) runs Python during the step")
            else:
                return tracer.record_call(self.step, (), [p for g in self.param_groups for p in g["params"]])
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement step() or _step_group(group)")

    # ---- saving -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        The state tensors are the optimizer's own (not copies), as in PyTorch;
        ``tinygrad_np.save`` writes them out.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore groups' options and per-parameter state saved by ``state_dict()``.

        State tensors are copied, floating ones cast to their parameter's dtype
        (except ``'step'``), so the optimizer never aliases the given dict.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of "
                    "optimizer's group"
                )
        id_map = {
            idx: p
            for group, saved in zip(self.param_groups, saved_groups, strict=True)
            for idx, p in zip(saved["params"], group["params"], strict=True)
        }
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for idx, values in state_dict["state"].items():
            key = int(idx) if isinstance(idx, str) and idx.lstrip("-").isdigit() else idx
            if key not in id_map:
                continue
            p = id_map[key]
            state[p] = {name: _cast_state(p, name, value) for name, value in values.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            new = {k: v for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            new_groups.append(new)
        self.state = state
        self.param_groups = new_groups


def _cast_state(param: Tensor, name: str, value: Any) -> Any:
    """A copy of one saved state value, as PyTorch casts it on load."""
    if isinstance(value, Tensor):
        array = value._data
    elif isinstance(value, np.ndarray):
        array = value
    else:
        return value
    if name != "step" and param._data.dtype.kind == "f":
        return Tensor._wrap(np.array(array, dtype=param._data.dtype, copy=True))
    return Tensor._wrap(np.array(array, copy=True))


def check_non_negative(name: str, value: float, label: str | None = None) -> None:
    """PyTorch's hyperparameter check: ``ValueError('Invalid <label>: <value>')`` when negative."""
    if not value >= 0.0:
        raise ValueError(f"Invalid {label or name + ' value'}: {value}")


def grad_of(p: Tensor, maximize: bool) -> np.ndarray | None:
    """The gradient array to descend along (negated when maximizing); never written to."""
    if p._grad is None:
        return None
    g = p._grad._data
    if g.shape != p._data.shape:
        raise RuntimeError(
            f"optimizer step: gradient of shape {tuple(g.shape)} doesn't match its parameter of shape "
            f"{tuple(p._data.shape)}"
        )
    return np.negative(g) if maximize else g


def new_step(state: dict[str, Any]) -> float:
    """Increment ``state['step']`` (a float32 scalar tensor, as PyTorch keeps it); return it."""
    step = state["step"]
    step._data += 1
    return float(step._data)


def zeros_state(p: Tensor, fill: float = 0.0) -> Tensor:
    return Tensor._wrap(np.full_like(p._data, fill))


def step_state() -> Tensor:
    return Tensor._wrap(np.zeros((), np.float32))
