# %% [markdown]
# # A fully connected layer, by hand and by `backward()`
#
# The classic "neural network from scratch in NumPy" derivation, side by side with
# tinygrad_np: a fully connected layer `Y = X Wᵀ + b`, a loss, the gradients `dW`,
# `db` and `dX` worked out by hand with NumPy, and the same numbers from
# `loss.backward()`. Then the 1 → 20 sigmoid → 1 sine fit trained twice, once with
# hand-written backprop and once with autograd, step for step.
#
# The blog posts put samples in **columns** (`Z = W·A + b`, `A` of shape
# `(features, m)`); PyTorch and tinygrad_np put them in **rows** (`Y = X Wᵀ + b`, `X`
# of shape `(m, features)`). The two are transposes of each other: `Z = Yᵀ`, `A = Xᵀ`,
# and the same `W`.

# %%
import numpy as np

import tinygrad_np as torch
from tinygrad_np import nn

rng = np.random.default_rng(0)
m, n_in, n_out = 5, 3, 2
X_np = rng.standard_normal((m, n_in)).astype(np.float32)
T_np = rng.standard_normal((m, n_out)).astype(np.float32)  # targets

# %% [markdown]
# ## Forward
#
# `Y = X Wᵀ + b` with `W` of shape `(out, in)` and `b` of shape `(out,)`, then the mean
# squared error `L = Σ (Y - T)² / (m · out)`.

# %%
torch.manual_seed(0)
layer = nn.Linear(n_in, n_out)
W_np = layer.weight.detach().numpy().copy()
b_np = layer.bias.detach().numpy().copy()

Y_np = X_np @ W_np.T + b_np
L_np = ((Y_np - T_np) ** 2).mean()

X = torch.tensor(X_np, requires_grad=True)
Y = layer(X)
loss = nn.functional.mse_loss(Y, torch.tensor(T_np))
print("loss by hand:", L_np, "  loss from tinygrad_np:", loss.item())

# %% [markdown]
# ## Backward by hand
#
# Chain rule, one vector-Jacobian product at a time, each result with the shape of what
# it differentiates:
#
# * `dL/dY = 2 (Y - T) / (m · out)`, shape `(m, out)`
# * `dL/dW = (dL/dY)ᵀ X`, shape `(out, m) · (m, in) = (out, in)`, like `W`
# * `dL/db = Σ_rows dL/dY`, shape `(out,)`: `b` was broadcast over the `m` rows, so its
#   gradient sums over them
# * `dL/dX = (dL/dY) W`, shape `(m, out) · (out, in) = (m, in)`, like `X`
#
# In the columns-as-samples notation of the posts (`dZ = (dL/dY)ᵀ`): `dW = dZ · Aᵀ`,
# `db = Σ dZ` over columns, `dA = Wᵀ · dZ`: the same numbers, transposed.

# %%
dY = 2 * (Y_np - T_np) / Y_np.size
dW = dY.T @ X_np
db = dY.sum(axis=0)
dX = dY @ W_np
loss.backward()
for name, by_hand, auto in [
    ("dW", dW, layer.weight.grad),
    ("db", db, layer.bias.grad),
    ("dX", dX, X.grad),
]:
    print(
        f"{name} {by_hand.shape!s:8s} by hand == backward(): {np.allclose(by_hand, auto.numpy(), atol=1e-6)}"
    )

# %% [markdown]
# The columns-as-samples forms give the same matrices, transposed where the notation
# says so:

# %%
dZ, A = dY.T, X_np.T  # (out, m), (in, m)
print(np.allclose(dZ @ A.T, dW), np.allclose(dZ.sum(axis=1), db), np.allclose((W_np.T @ dZ).T, dX))

# %% [markdown]
# ## The sine fit: 1 → 20 sigmoid → 1, trained both ways
#
# Evaluate, backpropagate, and take a gradient-descent step: first with every gradient
# written by hand, then with `loss.backward()` and `optim.SGD`. Starting from the same
# weights, the two runs take the same steps.

# %%
x_np = np.linspace(-np.pi, np.pi, 100, dtype=np.float32).reshape(-1, 1)
y_np = np.sin(x_np)
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
W1, b1, W2, b2 = (p.detach().numpy().copy() for p in net.parameters())
lr = 0.2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


hand_losses = []
for _ in range(500):
    Z1 = x_np @ W1.T + b1  # (100, 20)
    A1 = sigmoid(Z1)
    P = A1 @ W2.T + b2  # (100, 1)
    hand_losses.append(((P - y_np) ** 2).mean())
    dP = 2 * (P - y_np) / P.size
    dW2, db2 = dP.T @ A1, dP.sum(0)
    dA1 = dP @ W2
    dZ1 = dA1 * A1 * (1 - A1)  # sigmoid' = s (1 - s)
    dW1, db1 = dZ1.T @ x_np, dZ1.sum(0)
    W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2

opt = torch.optim.SGD(net.parameters(), lr=lr)
x, y = torch.tensor(x_np), torch.tensor(y_np)
auto_losses = []
for _ in range(500):
    loss = nn.functional.mse_loss(net(x), y)
    auto_losses.append(loss.item())
    opt.zero_grad()
    loss.backward()
    opt.step()

print("step    by hand   autograd")
for step in (0, 1, 10, 100, 499):
    print(f"{step:4d}   {hand_losses[step]:.6f}   {auto_losses[step]:.6f}")
print("same losses all along:", np.allclose(hand_losses, auto_losses, rtol=1e-4))

# %% [markdown]
# ## A network from hyperparameters, activations chosen by name
#
# The posts build a network from a list of layer sizes and an activation name per
# layer. With modules, that is a loop over the sizes:

# %%
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}


def build(sizes, activations):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(activations):
            layers.append(ACTIVATIONS[activations[i]]())
    return nn.Sequential(*layers)


build([2, 16, 8, 1], ["tanh", "leaky_relu"])
