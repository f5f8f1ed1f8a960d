# %% [markdown]
# # A vectorised two-layer classifier, columns and rows
#
# The blog-post classifier: one hidden layer with a choice of activation (tanh,
# sigmoid, ReLU, leaky ReLU), a sigmoid output and the binary cross-entropy, trained by
# gradient descent. The posts write it with samples in **columns**:
#
# | forward | backward |
# |---|---|
# | `Z1 = W1 · X + b1`, `A1 = g(Z1)` | `dZ2 = A2 - Y` |
# | `Z2 = W2 · A1 + b2`, `A2 = σ(Z2)` | `dW2 = dZ2 · A1ᵀ / m`, `db2 = Σ_cols dZ2 / m` |
# | `J = -Σ (Y log A2 + (1 - Y) log(1 - A2)) / m` | `dZ1 = W2ᵀ · dZ2 ⊙ g'(Z1)` |
# | | `dW1 = dZ1 · Xᵀ / m`, `db1 = Σ_cols dZ1 / m` |
#
# tinygrad_np (like PyTorch) puts samples in **rows**: `X` is `(m, 2)`, a layer is
# `nn.Linear` computing `X Wᵀ + b` with the same `W`, and every matrix above appears
# transposed. `backward()` derives the right-hand column by itself; here we check that
# it agrees with the hand-written one, for each activation.

# %%
import numpy as np

import tinygrad_np as torch
from tinygrad_np import nn

rng = np.random.default_rng(0)
m = 200
angle = rng.uniform(0, np.pi, m)
label = rng.integers(0, 2, m)
points = np.stack([np.cos(angle) - label, np.sin(angle) * (1 - 2 * label) + 0.3 * label], axis=1)
points += rng.normal(0, 0.15, points.shape)  # two interleaved half moons, samples in rows
X_rows = points.astype(np.float32)  # (m, 2): tinygrad_np's layout
Y_rows = label.reshape(-1, 1).astype(np.float32)  # (m, 1)
X, Y = X_rows.T, Y_rows.T  # (2, m) and (1, m): the posts' layout
X.shape, X_rows.shape

# %% [markdown]
# ## The activations and their derivatives, as the posts write them

# %%
ACTIVATIONS = {  # name: (g, g', the module that computes g)
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2, nn.Tanh),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, nn.Sigmoid),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype), nn.ReLU),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z: np.where(z > 0, 1.0, 0.01),
        nn.LeakyReLU,
    ),
}


def sigma(z):
    return 1 / (1 + np.exp(-z))


def hand_gradients(W1, b1, W2, b2, g, dg):
    """One forward and backward pass, columns as samples, exactly as in the posts."""
    Z1 = W1 @ X + b1  # (hidden, m)
    A1 = g(Z1)
    Z2 = W2 @ A1 + b2  # (1, m)
    A2 = sigma(Z2)
    J = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    dZ2 = A2 - Y
    dW2, db2 = dZ2 @ A1.T / m, dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * dg(Z1)
    dW1, db1 = dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m
    return J, (dW1, db1, dW2, db2)


# %% [markdown]
# ## The same network, batch first, and its `backward()`
#
# `nn.Linear(2, hidden)` holds `W1` as `weight` (`(hidden, 2)`, the same matrix) and
# `b1` as `bias` (`(hidden,)`, where the posts keep a column `(hidden, 1)`).


# %%
def check(name, hidden=4):
    g, dg, module = ACTIVATIONS[name]
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, hidden), module(), nn.Linear(hidden, 1), nn.Sigmoid())
    W1, b1, W2, b2 = (p.detach().numpy().astype(np.float64) for p in model.parameters())
    J, hand = hand_gradients(W1, b1.reshape(-1, 1), W2, b2.reshape(-1, 1), g, dg)
    loss = nn.functional.binary_cross_entropy(model(torch.tensor(X_rows)), torch.tensor(Y_rows))
    loss.backward()
    auto = [p.grad.numpy().reshape(h.shape) for p, h in zip(model.parameters(), hand, strict=True)]
    same = all(np.allclose(h, a, atol=1e-5) for h, a in zip(hand, auto, strict=True))
    print(
        f"{name:10s}  J by hand {J:.5f}, by tinygrad_np {loss.item():.5f};  dW1, db1, dW2, db2 agree: {same}"
    )


for name in ACTIVATIONS:
    check(name)

# %% [markdown]
# ## Training, batch first
#
# With the gradients trusted, the training loop is the PyTorch one. Each activation,
# 1000 steps of gradient descent on the full batch:


# %%
def train(name, hidden=16, steps=1000, lr=1.0):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, hidden), ACTIVATIONS[name][2](), nn.Linear(hidden, 1))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.tensor(X_rows), torch.tensor(Y_rows)
    for _ in range(steps):
        loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        accuracy = ((model(x) > 0).float() == y).float().mean().item()
    return loss.item(), accuracy


for name in ACTIVATIONS:
    loss, accuracy = train(name)
    print(f"{name:10s}  loss {loss:.3f}  training accuracy {accuracy:.0%}")
