"""LBFGS without PyTorch: a NumPy transcription of the documented algorithm (two-loop
recursion, fixed step) stepped side by side with the library, and the strong-Wolfe line
search checked against the known minima of a quadratic and of Rosenbrock's function."""

import numpy as np
import pytest

import tinygrad_np as tg

A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
B = np.array([1.0, -2.0, 0.5])


def f_and_grad(x):
    """f(x) = x^T A x / 2 - b^T x + sum(x^4) / 4; gradient A x - b + x^3."""
    return 0.5 * x @ A @ x - B @ x + 0.25 * np.sum(x**4), A @ x - B + x**3


class RefLBFGS:
    """PyTorch's LBFGS without line search, from its algorithm description."""

    def __init__(self, lr, max_iter, history, tol_grad=1e-7, tol_change=1e-9):
        self.lr, self.max_iter, self.history = lr, max_iter, history
        self.max_eval = max_iter * 5 // 4
        self.tol_grad, self.tol_change = tol_grad, tol_change
        self.n_iter, self.d, self.t, self.dirs, self.stps, self.ro, self.H = 0, None, None, [], [], [], 1.0
        self.prev_g = None

    def step(self, x):
        loss, g = f_and_grad(x)
        evals = 1
        if np.abs(g).max() <= self.tol_grad:
            return x, loss
        it = 0
        while it < self.max_iter:
            it += 1
            self.n_iter += 1
            if self.n_iter == 1:
                self.d, self.dirs, self.stps, self.ro, self.H = -g, [], [], [], 1.0
            else:
                y, s = g - self.prev_g, self.d * self.t
                ys = y @ s
                if ys > 1e-10:
                    if len(self.dirs) == self.history:
                        self.dirs.pop(0), self.stps.pop(0), self.ro.pop(0)
                    self.dirs.append(y), self.stps.append(s), self.ro.append(1 / ys)
                    self.H = ys / (y @ y)
                q, al = -g, [0.0] * len(self.dirs)
                for i in range(len(self.dirs) - 1, -1, -1):
                    al[i] = (self.stps[i] @ q) * self.ro[i]
                    q = q - al[i] * self.dirs[i]
                r = q * self.H
                for i in range(len(self.dirs)):
                    r = r + self.stps[i] * (al[i] - (self.dirs[i] @ r) * self.ro[i])
                self.d = r
            self.prev_g, prev_loss = g, loss
            self.t = min(1.0, 1.0 / np.abs(g).sum()) * self.lr if self.n_iter == 1 else self.lr
            if g @ self.d > -self.tol_change:
                break
            x = x + self.t * self.d
            opt_cond = False
            if it != self.max_iter:
                loss, g = f_and_grad(x)
                opt_cond = np.abs(g).max() <= self.tol_grad
                evals += 1
            if it == self.max_iter or evals >= self.max_eval or opt_cond:
                break
            if np.abs(self.d * self.t).max() <= self.tol_change or abs(loss - prev_loss) < self.tol_change:
                break
        return x, loss


def _closure(opt, p, seen):
    def closure():
        opt.zero_grad()
        loss = 0.5 * (p @ tg.tensor(A) @ p) - (tg.tensor(B) * p).sum() + 0.25 * (p**4).sum()
        loss.backward()
        seen.append(loss.item())
        return loss

    return closure


@pytest.mark.parametrize("lr,max_iter,history", [(1.0, 20, 100), (0.5, 4, 2), (0.8, 7, 1)])
def test_lbfgs_follows_the_reference_over_several_steps(lr, max_iter, history):
    x0 = np.array([0.5, -1.0, 2.0])
    p = tg.nn.Parameter(tg.tensor(x0))
    opt = tg.optim.LBFGS([p], lr=lr, max_iter=max_iter, history_size=history)
    ref, x = RefLBFGS(lr, max_iter, history), x0
    seen = []
    for _ in range(5):
        first = opt.step(_closure(opt, p, seen)).item()
        want_first = f_and_grad(x)[0]
        x, _ = ref.step(x)
        assert first == pytest.approx(want_first, rel=1e-12)  # step() returns the loss before the step
        np.testing.assert_allclose(p.detach().numpy(), x, rtol=1e-10, atol=1e-12)
    assert opt.state_dict()["state"][0]["n_iter"] == ref.n_iter


def test_lbfgs_strong_wolfe_reaches_the_minimum_of_a_quadratic_and_rosenbrock():
    p = tg.nn.Parameter(tg.zeros(3, dtype=tg.float64))
    opt = tg.optim.LBFGS(
        [p], line_search_fn="strong_wolfe", max_iter=50, tolerance_grad=1e-12, tolerance_change=0
    )

    def quad():
        opt.zero_grad()
        loss = 0.5 * (p @ tg.tensor(A) @ p) - (tg.tensor(B) * p).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(quad)
    np.testing.assert_allclose(p.detach().numpy(), np.linalg.solve(A, B), atol=1e-7)

    q = tg.nn.Parameter(tg.tensor([-1.5, 2.0], dtype=tg.float64))
    opt = tg.optim.LBFGS(
        [q], line_search_fn="strong_wolfe", max_iter=200, tolerance_grad=1e-12, tolerance_change=0
    )

    def rosen():
        opt.zero_grad()
        loss = (1 - q[0]) ** 2 + 100 * (q[1] - q[0] ** 2) ** 2
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(rosen)
    np.testing.assert_allclose(q.detach().numpy(), [1.0, 1.0], atol=1e-6)
    assert opt.state_dict()["state"][0]["func_evals"] > 10


def test_lbfgs_tensor_lr_and_errors():
    p = tg.nn.Parameter(tg.zeros(2))
    assert tg.optim.LBFGS([p], lr=tg.tensor(0.5)).defaults["lr"] == 0.5
    with pytest.raises(ValueError):
        tg.optim.LBFGS([p], lr=tg.tensor([0.5, 0.1]))
    with pytest.raises(ValueError):
        tg.optim.LBFGS([p], lr=-1)
    with pytest.raises(RuntimeError):
        tg.optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError):
        tg.optim.LBFGS([{"params": [p]}, {"params": [tg.nn.Parameter(tg.zeros(1))]}])
    with pytest.raises(RuntimeError):
        tg.optim.LBFGS([p]).step(None)


def test_lbfgs_resumes_from_its_state_dict_like_an_uninterrupted_run():
    x0 = np.array([0.5, -1.0, 2.0])
    ref, x = RefLBFGS(0.5, 3, 2), x0
    for _ in range(4):
        x, _ = ref.step(x)
    p = tg.nn.Parameter(tg.tensor(x0))
    opt = tg.optim.LBFGS([p], lr=0.5, max_iter=3, history_size=2)
    for _ in range(2):
        opt.step(_closure(opt, p, []))
    state = opt.state_dict()
    p2 = tg.nn.Parameter(tg.tensor(p.detach().numpy()))
    opt2 = tg.optim.LBFGS([p2], lr=0.5, max_iter=3, history_size=2)
    opt2.load_state_dict(state)
    for _ in range(2):
        opt2.step(_closure(opt2, p2, []))
    np.testing.assert_allclose(p2.detach().numpy(), x, rtol=1e-10)
