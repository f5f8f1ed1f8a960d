"""The hand-derived backprop equations of the classic NumPy posts, beside tinygrad_np's gradients.

The "neural network from scratch in NumPy" posts write a layer with samples as
COLUMNS: X has shape (n_x, m), layer l has W[l] of shape (n_l, n_{l-1}) and b[l]
of shape (n_l, 1), and

    forward:   Z[l] = W[l] . A[l-1] + b[l]          A[l] = g(Z[l])
    backward:  dZ[l] = dA[l] * g'(Z[l])
               dW[l] = dZ[l] . A[l-1]^T / m
               db[l] = sum over samples of dZ[l] / m
               dA[l-1] = W[l]^T . dZ[l]

with the loss averaged over the m samples (the 1/m sits in dW and db), and for a
sigmoid output with binary cross-entropy, dZ[L] = A[L] - Y.

PyTorch (and tinygrad_np) put samples in ROWS: x has shape (m, n_x) and
nn.Linear computes x @ W.T + b. The weight is stored (out, in) = (n_l, n_{l-1}),
the same array as the posts' W[l]. So the same network can be run both ways, and
this script asserts that the gradients agree to float64 rounding.

    python examples/from_scratch_equations.py           # check, then train both ways
    python examples/from_scratch_equations.py --quick   # the check only (CI)
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_np as tg
from tinygrad_np import nn

LAYERS = [2, 5, 4, 1]  # n_x = 2 inputs, two hidden layers, one output
ACTIVATIONS = ["tanh", "relu", "sigmoid"]


# ---- the blog-post version: plain NumPy, columns are samples -----------------------------
def g(name: str, Z: np.ndarray) -> np.ndarray:
    """The activation function."""
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.maximum(Z, 0)
    return 1 / (1 + np.exp(-Z))


def g_prime(name: str, Z: np.ndarray) -> np.ndarray:
    """Its derivative g'(Z), written out by hand."""
    if name == "tanh":
        return 1 - np.tanh(Z) ** 2
    if name == "relu":
        return (Z > 0).astype(Z.dtype)
    s = 1 / (1 + np.exp(-Z))
    return s * (1 - s)


def forward_by_hand(params: dict, X: np.ndarray) -> tuple[np.ndarray, list]:
    """Z = W . A + b, A = g(Z), layer by layer; keep (A_prev, Z) for backward."""
    A, cache = X, []
    for layer, act in enumerate(ACTIVATIONS, start=1):
        Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
        cache.append((A, Z))
        A = g(act, Z)
    return A, cache


def cost_by_hand(AL: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy averaged over the m samples."""
    m = Y.shape[1]
    return float(-(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)).sum() / m)


def backward_by_hand(params: dict, cache: list, AL: np.ndarray, Y: np.ndarray) -> dict:
    """The equations of the posts, from the last layer to the first."""
    m = Y.shape[1]
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))  # dL/dA[L] of the cross-entropy (times m)
    for layer in range(len(ACTIVATIONS), 0, -1):
        A_prev, Z = cache[layer - 1]
        dZ = dA * g_prime(ACTIVATIONS[layer - 1], Z)  # dZ = dA * g'(Z)
        grads[f"dW{layer}"] = dZ @ A_prev.T / m  # dW = dZ . A_prev^T / m
        grads[f"db{layer}"] = dZ.sum(axis=1, keepdims=True) / m  # db = sum dZ / m
        dA = params[f"W{layer}"].T @ dZ  # dA_prev = W^T . dZ
    return grads


# ---- the same network in tinygrad_np: rows are samples, PyTorch style --------------------
def build_model() -> nn.Sequential:
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
    layers: list[nn.Module] = []
    for n_in, n_out, act in zip(LAYERS[:-1], LAYERS[1:], ACTIVATIONS, strict=True):
        layers += [nn.Linear(n_in, n_out), acts[act]()]
    return nn.Sequential(*layers).to(tg.float64)


def params_of(model: nn.Sequential) -> dict:
    """The posts' W[l] IS Linear.weight (shape (out, in)); b[l] is the bias as a column."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    params = {}
    for layer, lin in enumerate(linears, start=1):
        params[f"W{layer}"] = lin.weight.detach().numpy().copy()
        params[f"b{layer}"] = lin.bias.detach().numpy().reshape(-1, 1).copy()
    return params


def make_data(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """m points in the plane (rows), labelled 1 inside the unit circle."""
    x = rng.uniform(-1.5, 1.5, size=(m, 2))
    y = (np.sum(x**2, axis=1, keepdims=True) < 1).astype(np.float64)
    return x, y


def check_gradients(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> float:
    """Compare every hand-derived gradient with the engine's; return the largest difference."""
    # the posts' way: transpose, so columns are samples
    params = params_of(model)
    AL, cache = forward_by_hand(params, x.T)
    grads = backward_by_hand(params, cache, AL, y.T)

    # tinygrad_np's way: rows are samples, and backward() derives the same equations
    model.zero_grad()
    loss = nn.BCELoss()(model(tg.tensor(x)), tg.tensor(y))
    loss.backward()
    assert np.isclose(loss.item(), cost_by_hand(AL, y.T)), "the costs differ"

    worst = 0.0
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for layer, lin in enumerate(linears, start=1):
        dW, db = lin.weight.grad.numpy(), lin.bias.grad.numpy().reshape(-1, 1)
        np.testing.assert_allclose(dW, grads[f"dW{layer}"], rtol=1e-10, atol=1e-12, err_msg=f"dW{layer}")
        np.testing.assert_allclose(db, grads[f"db{layer}"], rtol=1e-10, atol=1e-12, err_msg=f"db{layer}")
        worst = max(worst, np.abs(dW - grads[f"dW{layer}"]).max(), np.abs(db - grads[f"db{layer}"]).max())
        print(
            f"layer {layer}: dW{layer} {dW.shape} and db{layer} {db.shape} match the hand-derived equations"
        )
    return worst


def train_both_ways(model: nn.Sequential, x: np.ndarray, y: np.ndarray, steps: int, lr: float = 0.5) -> None:
    """Gradient descent by hand and with optim.SGD: the two runs stay in lockstep."""
    from tinygrad_np import optim

    params = params_of(model)
    opt = optim.SGD(model.parameters(), lr=lr)
    criterion = nn.BCELoss()
    xt, yt = tg.tensor(x), tg.tensor(y)
    for step in range(steps):
        AL, cache = forward_by_hand(params, x.T)
        grads = backward_by_hand(params, cache, AL, y.T)
        for key in params:  # W := W - lr dW, b := b - lr db
            params[key] -= lr * grads["d" + key]

        opt.zero_grad()
        loss = criterion(model(xt), yt)
        loss.backward()
        opt.step()
        if step % (steps // 5) == 0 or step == steps - 1:
            print(f"step {step:4d}  cost by hand {cost_by_hand(AL, y.T):.6f}  tinygrad_np {loss.item():.6f}")
    final = params_of(model)
    for key in params:
        np.testing.assert_allclose(final[key], params[key], rtol=1e-8, atol=1e-10, err_msg=key)
    print("after training, the weights of both runs agree")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="check the gradients only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    tg.manual_seed(args.seed)
    x, y = make_data(64, np.random.default_rng(args.seed))
    model = build_model()
    worst = check_gradients(model, x, y)
    print(f"largest difference between the two: {worst:.2e}")
    if not args.quick:
        train_both_ways(model, x, y, steps=500)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
