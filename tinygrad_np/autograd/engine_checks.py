"""What backward refuses, and the messages it gives: ``check.sum_to(...)`` and the like in
``engine.py`` and ``fast_backward.py``. Nothing here changes what a valid pass computes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .function import _typename


def tensor_results(node: Any, result: Any) -> Any:
    """A Tensor-level ``backward`` returns a tensor or None per input (PyTorch refuses an
    ndarray or a number there: nothing may be silently turned into a gradient)."""
    for i, g in enumerate(result if type(result) is tuple else (result,)):
        if g is not None and not isinstance(g, Tensor):
            name = _typename(g)
            raise RuntimeError(
                f"{node.name()}: backward returned {name} for input {i}: expected Variable or None "
                f"(got {name}); return a Tensor (tinygrad_np.as_tensor(...)) or None"
            )
    return result


def root(out: Tensor, i: int) -> None:
    """Output ``i`` of ``backward`` must have a gradient to send."""
    if not out._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn: "
            "nothing it depends on has requires_grad=True (or it was computed under no_grad)"
        )


def grad_input(t: Tensor, i: int) -> None:
    """Input ``i`` of ``autograd.grad`` must require a gradient."""
    t._sync_view()
    if not t._requires_grad:
        raise RuntimeError(f"grad: input {i} does not require grad")


def used(g: Any, t: Tensor, i: int) -> None:
    """Without ``allow_unused``, every input of ``autograd.grad`` must get a gradient."""
    if g is None:
        raise RuntimeError(
            f"grad: input {i} (shape {tuple(t.shape)}) was not used in the graph of the "
            "outputs; pass allow_unused=True to get None for it"
        )


def scalar(out: Tensor, i: int) -> None:
    """dL/d(output) may be left out only for a scalar output (it is then 1)."""
    if out._data.size != 1:
        raise RuntimeError(
            f"backward: grad can be implicitly created only for scalar outputs, but "
            f"output {i} has shape {tuple(out.shape)}; pass gradient= (dL/d output) "
            "or reduce it first, e.g. out.sum().backward()"
        )


def seed(g: Tensor, out: Tensor, i: int) -> Tensor:
    """A given dL/d(output): its shape must be the output's; its dtype becomes the output's."""
    if g._data.shape != out._data.shape:
        raise RuntimeError(
            f"backward: mismatch in shape: gradient {i} has shape {tuple(g.shape)} but "
            f"output {i} has shape {tuple(out.shape)}"
        )
    if g._data.dtype != out._data.dtype:
        g = Tensor._wrap(g._data.astype(out._data.dtype))
    return g


def sum_to(gs: tuple[int, ...], shape: tuple[int, ...], node: Any, i: int) -> None:
    """A gradient of shape ``gs`` for an input of ``shape`` must broadcast to it."""
    lead = len(gs) - len(shape)
    if lead < 0 or any(s != 1 and s != t for s, t in zip(shape, gs[lead:], strict=False)):
        raise RuntimeError(
            f"{node.name()} returned an invalid gradient for input {i}: got shape {tuple(gs)} "
            f"but expected shape {tuple(shape)} (or one that broadcasts to it)"
        )


def count(node: Any, result: tuple[Any, ...], edges: tuple[Any, ...]) -> None:
    """``backward`` returns one gradient per ``forward`` argument (extra ``None``s allowed)."""
    if len(result) < len(edges) or any(r is not None for r in result[len(edges) :]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {len(edges)}, got {len(result)})"
        )


def finite(node: Any, g: Tensor, i: int) -> None:
    """Under ``detect_anomaly``: name the node whose backward produced NaN or Inf."""
    if g._data.dtype.kind == "f" and not np.isfinite(g._data).all():
        where = "".join(node._trace or []) or "(forward traceback not recorded)\n"
        raise RuntimeError(
            f"detect_anomaly: function '{node.name()}' returned nan or inf values in its {i}th "
            f"output (the gradient for input {i}).\nThe forward call that created this node:\n{where}"
        )


def hook_result(hook: Any, g: Tensor, new: Any) -> Tensor:
    """What a tensor hook returned in place of ``g``, refused (as in PyTorch) if it changed
    the shape or dtype: it would end up in ``.grad`` or be broadcast into the wrong shape."""
    new = new if isinstance(new, Tensor) else Tensor._wrap(np.asarray(new))
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
