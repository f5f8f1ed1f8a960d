"""Check analytic gradients against finite differences.

For each input x and output y, the numerical Jacobian column for x_j is the
central difference (f(x + eps e_j) - f(x - eps e_j)) / (2 eps); the analytic
Jacobian row for y_i is one backward pass with dL/dy = e_i. Both should agree
to ``atol + rtol * |numerical|``. Use float64: in float32 the rounding error
of the difference quotient is larger than the tolerance.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import grad_mode
from .engine import grad as autograd_grad


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the Jacobians disagree."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    """A tuple of inputs/outputs; a list counts as several, as in PyTorch."""
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]


def numerical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6
) -> list[list[np.ndarray]]:
    """``J[k][i]`` is d(output i)/d(input k) as a (numel_out, numel_in) array."""
    jac: list[list[np.ndarray]] = []
    with grad_mode.no_grad():
        outs = _outputs(fn, inputs)
        for x in inputs:
            if not (isinstance(x, Tensor) and x.requires_grad):
                jac.append([])
                continue
            flat = x._data.reshape(-1)  # a view: perturb x in place
            cols = [np.zeros((o._data.size, flat.size)) for o in outs]
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[j] = orig - eps
                minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[j] = orig
                for c, p, m in zip(cols, plus, minus, strict=False):
                    c[:, j] = (p - m) / (2 * eps)
            jac.append(cols)
    return jac


def analytical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[list[np.ndarray]]:
    """Jacobians from backward passes, one per output element."""
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    jac = {id(x): [np.zeros((o._data.size, x._data.size)) for o in outs] for x in diff}
    for oi, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for i in range(out._data.size):
            seed = np.zeros(out._data.size, out._data.dtype)
            seed[i] = 1
            grads = autograd_grad(
                out, diff, Tensor._wrap(seed.reshape(out._data.shape)), retain_graph=True, allow_unused=True
            )
            for x, g in zip(diff, grads, strict=False):
                if g is not None:
                    jac[id(x)][oi][i, :] = g._data.reshape(-1)
    return [jac.get(id(x), []) if isinstance(x, Tensor) and x.requires_grad else [] for x in inputs]


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ``fn``'s backward matches finite differences at ``inputs``.

    >>> import tinygrad_np as tg
    >>> x = tg.randn(3, dtype=tg.float64, requires_grad=True)
    >>> tg.autograd.gradcheck(lambda t: (t * t.sin()).sum(), (x,))
    True
    """
    inputs = _as_tuple(inputs)
    for x in inputs:
        if isinstance(x, Tensor) and x.requires_grad and x._data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input of dtype {x.dtype} is not float64; finite differences in "
                "low precision are unreliable",
                stacklevel=2,
            )
    num = numerical_jacobian(fn, inputs, eps)
    ana = analytical_jacobian(fn, inputs)
    for k, (n_cols, a_cols) in enumerate(zip(num, ana, strict=False)):
        for i, (n, a) in enumerate(zip(n_cols, a_cols, strict=False)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                worst = np.unravel_index(np.argmax(np.abs(a - n)), n.shape)
                raise GradcheckError(
                    f"gradcheck: Jacobian mismatch for output {i} with respect to input {k}: "
                    f"largest difference at (out {worst[0]}, in {worst[1]}): analytical "
                    f"{a[worst]:.6g} vs numerical {n[worst]:.6g}\nnumerical:\n{n}\nanalytical:\n{a}"
                )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: gradcheck of the function ``inputs -> grad(fn(inputs), inputs)``
    (computed with ``create_graph=True``) against finite differences."""
    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [Tensor._wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype)) for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))

    def first_grads(*xs: Any) -> tuple[Tensor, ...]:
        with grad_mode.enable_grad():  # numerical_jacobian calls this under no_grad
            os = _outputs(fn, xs)
            d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            gs = autograd_grad(os, d, grad_outputs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else (x * 0).sum() * 0 for x, g in zip(d, gs, strict=False))

    del diff
    return gradcheck(first_grads, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
