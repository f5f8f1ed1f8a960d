"""Module backward hooks: ``hook(module, grad_input, grad_output)`` once the gradients
with respect to a module call's tensor inputs are known.

A forward pre-hook passes every tensor argument through an identity op, and a forward
hook passes every tensor output through another. In backward, the output identities see
``grad_output`` (dL/d output) and the input identities ``grad_input`` (dL/d input); when
the last of them has arrived the user's hook runs, and a tuple it returns replaces
``grad_input``. Nothing is added to ``Module.__call__``'s fast path: the hooks ride on
the forward-hook machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd import Function, is_grad_enabled
from ..tensor import Tensor

__all__ = ["BackwardHookHandle", "install_full_backward_hook"]


class _CallState:
    """What one module call has seen of its gradients so far."""

    __slots__ = ("done", "grad_inputs", "grad_outputs", "inputs_left", "needing", "outputs_left")

    def __init__(self, n_inputs: int) -> None:
        self.grad_inputs: list[Tensor | None] = [None] * n_inputs
        self.grad_outputs: list[Tensor | None] = []
        self.needing = 0  # how many tensor inputs require grad
        self.inputs_left = 0
        self.outputs_left = 0
        self.done = False


class _OutputGrad(Function):
    """Identity on a module output; backward records dL/d output."""

    formula = "d x/dx = 1 (records grad_output for a module backward hook)"
    node_name = "BackwardHookFunctionBackward"  # as PyTorch names it

    @staticmethod
    def forward(ctx: Any, x: Tensor, state: _CallState, slot: int, fire: Callable[[], None]) -> Tensor:
        ctx.state, ctx.slot, ctx.fire = state, slot, fire
        return Tensor._wrap(x._data)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        # d/dx x = 1
        state = ctx.state
        state.grad_outputs[ctx.slot] = grad
        state.outputs_left -= 1
        if state.outputs_left == 0 and state.inputs_left == 0:
            ctx.fire()
        return grad, None, None, None


class _InputGrad(Function):
    """Identity on a module input; backward records dL/d input and, when it is the last
    gradient the call waits for, runs the hooks (whose result may replace it)."""

    formula = "d x/dx = 1 (records grad_input for a module backward hook)"
    node_name = "BackwardHookFunctionBackward"  # as PyTorch names it

    @staticmethod
    def forward(ctx: Any, x: Tensor, state: _CallState, slot: int, fire: Callable[[], None]) -> Tensor:
        ctx.state, ctx.slot, ctx.fire = state, slot, fire
        return Tensor._wrap(x._data)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, None, None, None]:
        # d/dx x = 1
        state = ctx.state
        state.grad_inputs[ctx.slot] = grad
        state.inputs_left -= 1
        if state.inputs_left == 0:
            ctx.fire()
        return state.grad_inputs[ctx.slot], None, None, None


class BackwardHookHandle:
    """Removes both halves of a backward hook; usable as a context manager."""

    __slots__ = ("handles",)

    def __init__(self, handles: list[Any]) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()

    def __enter__(self) -> BackwardHookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def install_full_backward_hook(
    module: Any, hook: Callable[..., Any], prepend: bool = False
) -> BackwardHookHandle:
    """Register the forward pre-hook / forward hook pair that makes ``hook`` a full backward
    hook of ``module``."""
    pending: list[tuple[_CallState, tuple[Any, ...]]] = []

    def wrap_inputs(mod: Any, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if not is_grad_enabled():
            return None
        state = _CallState(sum(isinstance(a, Tensor) for a in args))
        new_args, slot = [], 0
        fire = _firer(mod, hook, state)
        for a in args:
            if isinstance(a, Tensor):
                if a.requires_grad:
                    state.inputs_left += 1
                    state.needing += 1
                    a = _InputGrad.apply(a, state, slot, fire)
                slot += 1
            new_args.append(a)
        pending.append((state, args))
        return tuple(new_args)

    def wrap_outputs(mod: Any, args: tuple[Any, ...], out: Any) -> Any:
        if not is_grad_enabled() or not pending:
            return None
        state, _ = pending.pop()
        single = isinstance(out, Tensor)
        outs = (out,) if single else out
        if not isinstance(outs, tuple):
            return None
        state.grad_outputs = [None] * sum(isinstance(o, Tensor) for o in outs)
        fire = _firer(mod, hook, state)
        wrapped, slot = [], 0
        for o in outs:
            if isinstance(o, Tensor):
                if o.requires_grad:
                    state.outputs_left += 1
                    o = _OutputGrad.apply(o, state, slot, fire)
                slot += 1
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)

    return BackwardHookHandle(
        [
            module.register_forward_pre_hook(wrap_inputs, prepend=True),
            module.register_forward_hook(wrap_outputs, prepend=prepend),
        ]
    )


def _firer(module: Any, hook: Callable[..., Any], state: _CallState) -> Callable[[], None]:
    def fire() -> None:
        if state.done:
            return
        state.done = True
        result = hook(module, tuple(state.grad_inputs), tuple(state.grad_outputs))
        if result is None:
            return
        if state.needing > 1:
            raise NotImplementedError(
                f"backward hook of {type(module).__name__}: replacing grad_input is supported for modules "
                "with one input that requires grad; return None, or use Tensor.register_hook on the inputs"
            )
        result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        if len(result) != len(state.grad_inputs):
            raise RuntimeError(
                f"backward hook of {type(module).__name__} returned {len(result)} gradients, "
                f"expected {len(state.grad_inputs)} (one per tensor input)"
            )
        state.grad_inputs[:] = result

    return fire
