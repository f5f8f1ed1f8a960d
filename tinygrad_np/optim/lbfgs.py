"""``LBFGS``: limited-memory BFGS, a quasi-Newton method, as ``torch.optim.LBFGS``.

Each ``step(closure)`` runs up to ``max_iter`` iterations. An iteration picks a direction
``d = -H g`` where ``H`` approximates the inverse Hessian from the last ``history_size``
pairs ``s = x_{k+1} - x_k``, ``y = g_{k+1} - g_k`` (the two-loop recursion, with the
initial scale ``H_0 = s.y / y.y``), then moves ``x += t d`` with a fixed ``t = lr`` or a
step ``t`` that satisfies the strong Wolfe conditions (``line_search_fn='strong_wolfe'``):

    f(x + t d) <= f(x) + c1 t g.d      (enough decrease)
    |g(x + t d).d| <= -c2 g.d          (flat enough)

The closure re-evaluates the model: it zeroes the gradients, computes the loss, calls
``backward()`` and returns the loss. The arithmetic is PyTorch's step for step (in the
parameters' dtype), so a float64 run follows PyTorch's iterates. The parameters are
treated as one flat vector; there is one parameter group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT

__all__ = ["LBFGS"]


def _cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
    ``bounds`` (default: between x1 and x2); their midpoint when the cubic has no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


class _Bracket:
    """The line search's interval: two (step, loss, gradient, slope) points."""

    __slots__ = ("f", "g", "gtd", "t")

    def __init__(self, t: list[Any], f: list[Any], g: list[Any], gtd: list[Any]) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def set(self, i: int, t: Any, f: Any, g: Any, gtd: Any) -> None:
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd


def _strong_wolfe(
    obj_func: Callable[[float], tuple[float, np.ndarray]],
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """A step ``t`` along ``d`` satisfying the strong Wolfe conditions: first widen the step
    until a bracket holds an acceptable point, then shrink the bracket by cubic interpolation
    (the "zoom" phase). Returns (loss, gradient, t, evaluations)."""
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(t)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: _Bracket | None = None
    while ls_iter < max_ls:  # bracketing phase
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new])
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = _Bracket([t], [f_new], [g_new], [gtd_new])
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new])
            break
        # extrapolate: a cubic step between 1.01 t and 10 t
        t_next = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10)
        )
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = _Bracket([0, t], [f, f_new], [g, g_new], [None, None])
    assert bracket is not None
    b = bracket
    insufficient = False
    low, high = (0, 1) if b.f[0] <= b.f[-1] else (1, 0)
    while not done and ls_iter < max_ls:  # zoom phase
        if abs(b.t[1] - b.t[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(b.t[0], b.f[0], b.gtd[0], b.t[1], b.f[1], b.gtd[1])
        # keep t at least 10% of the bracket away from its ends when progress stalls
        top, bottom = max(b.t), min(b.t)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= b.f[low]:
            b.set(high, t, f_new, g_new, gtd_new)  # not enough decrease: t is the new high end
            low, high = (0, 1) if b.f[0] <= b.f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (b.t[high] - b.t[low]) >= 0:
                b.set(high, b.t[low], b.f[low], b.g[low], b.gtd[low])  # the old low becomes the high end
            b.set(low, t, f_new, g_new, gtd_new)
    return b.f[low], b.g[low], b.t[low], evals


def _array(value: Any) -> Any:
    """A state entry as NumPy (a 0-d one as a NumPy scalar); ``None`` and numbers unchanged."""
    if isinstance(value, Tensor):
        value = value._data
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _arrays(values: Any) -> Any:
    return None if values is None else [_array(v) for v in values]


def _tensor(value: Any) -> Any:
    """A NumPy array or scalar as a Tensor (a 0-d one for a scalar); ``None`` and Python numbers unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._wrap(np.asarray(value))
    return value


def _tensors(values: Any) -> Any:
    return None if values is None else [_tensor(v) for v in values]


class LBFGS(Optimizer):
    """L-BFGS (see the module docstring). ``step(closure)`` is required and returns the loss
    of the first evaluation.

    Arguments as PyTorch: ``lr`` (the step, or the line search's first guess), ``max_iter``
    iterations per ``step``, ``max_eval`` evaluations per ``step`` (default
    ``max_iter * 5 // 4``), stops when the largest gradient entry is at most
    ``tolerance_grad`` or the loss or step changes by less than ``tolerance_change``;
    ``history_size`` pairs remembered; ``line_search_fn`` None or ``'strong_wolfe'``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor):
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            lr = lr.item()
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise RuntimeError("only 'strong_wolfe' is supported")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ----------------------------------------------------

    def _flat_grad(self) -> np.ndarray:
        views = [
            np.zeros(p._data.size, p._data.dtype) if p.grad is None else p.grad._data.reshape(-1)
            for p in self._params
        ]
        return np.concatenate(views)

    def _add(self, step: Any, update: np.ndarray) -> None:
        """x += step * update, parameter by parameter."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += (
                (update[offset : offset + n] * step).reshape(p._data.shape).astype(p._data.dtype, copy=False)
            )
            p._bump()
            offset += n

    def _set(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values, strict=True):
            np.copyto(p._data, v)
            p._bump()

    def _evaluate(self, closure: Callable[[], Any]) -> float:
        with enable_grad():
            return float(closure())

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` recomputes loss and gradients."""
        if closure is None:
            raise RuntimeError(
                "LBFGS.step needs a closure that recomputes the loss (zero_grad, loss, backward)"
            )
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]  # LBFGS's state is global; kept under the first parameter
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        # the memory of earlier steps (arrays; a loaded state_dict may hold them as Tensors)
        d, t = _array(state.get("d")), _array(state.get("t"))
        old_dirs, old_stps, ro = (_arrays(state.get(k)) for k in ("old_dirs", "old_stps", "ro"))
        H_diag = _array(state.get("H_diag"))
        prev_flat_grad, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # -- the direction d = -H g ------------------------------------------------------
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only when the curvature s.y is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, H_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # -- the step length ---------------------------------------------------------------
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break
            ls_func_evals = 0
            if group["line_search_fn"] is not None:
                x_init = [p._data.copy() for p in self._params]

                def obj_func(
                    step: Any, x_init: list[np.ndarray] = x_init, d: np.ndarray = d
                ) -> tuple[float, np.ndarray]:
                    self._add(step, d)
                    value = self._evaluate(closure)
                    grad = self._flat_grad()
                    self._set(x_init)
                    return value, grad

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add(t, d)
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate, except after the last iteration
                    loss = self._evaluate(closure)
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            # -- stopping rules ------------------------------------------------------------------
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        # kept as Tensors, as PyTorch keeps them (state_dict, save and load then work as for any optimizer)
        state.update(
            d=_tensor(d), t=_tensor(t), old_dirs=_tensors(old_dirs), old_stps=_tensors(old_stps), ro=_tensors(ro),
            H_diag=_tensor(H_diag), prev_flat_grad=_tensor(prev_flat_grad), prev_loss=prev_loss,
        )  # fmt: skip
        return orig_loss

    @staticmethod
    def _two_loop(
        g: np.ndarray, dirs: list[np.ndarray], stps: list[np.ndarray], ro: list[Any], H_diag: Any
    ) -> np.ndarray:
        """-H g by the two-loop recursion over the remembered (s, y) pairs."""
        al = [None] * len(dirs)
        q = -g
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = stps[i].dot(q) * ro[i]
            q = q - al[i] * dirs[i]
        r = q * H_diag
        for i in range(len(dirs)):
            be_i = dirs[i].dot(r) * ro[i]
            r = r + (al[i] - be_i) * stps[i]
        return r
