# %% [markdown]
# # Autodiff from scratch
#
# Reverse-mode automatic differentiation in two steps: first a scalar expression,
# its graph drawn, its backward pass stepped node by node and checked by finite
# differences; then the same idea with tensors, where the local derivative of an op
# is a Jacobian matrix, and each node's backward is a *vector-Jacobian product*
# that never builds it.
#
# Everything here runs on tinygrad_np, imported under PyTorch's name.

# %%
import numpy as np

import tinygrad_np as torch
from tinygrad_np import viz

# %% [markdown]
# ## A scalar expression
#
# `L = (a * b + c) * f`. Each op makes a new tensor and, because its inputs require
# a gradient, records a node of the graph (`grad_fn`) that knows how to send a
# gradient back to its inputs.

# %%
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(10.0, requires_grad=True)
f = torch.tensor(-2.0, requires_grad=True)
e = a * b
d = e + c
L = d * f
L

# %% [markdown]
# The graph behind `L`, drawn by `viz.draw_graph` with each tensor's value. Boxes are
# tensors (the leaves `a`, `b`, `c`, `f` are the ones we made), ellipses are the op
# nodes, and arrows show how the values flowed forward.

# %%
viz.draw_graph(L, show_data=True)

# %% [markdown]
# ## The chain rule by hand
#
# Backward starts from `dL/dL = 1` and goes back one node at a time, multiplying by
# each op's local derivative:
#
# | node | local derivatives | gradients sent |
# |---|---|---|
# | `L = d * f` | `dL/dd = f = -2`, `dL/df = d = 4` | to `d` and `f` |
# | `d = e + c` | `dd/de = 1`, `dd/dc = 1` | `dL/de = -2`, `dL/dc = -2` |
# | `e = a * b` | `de/da = b = -3`, `de/db = a = 2` | `dL/da = 6`, `dL/db = -4` |
#
# ## The engine's backward, node by node
#
# `viz.backward_steps` runs the engine's real backward pass (without writing any
# `.grad`) and records each node in the order the engine visits it, with the
# gradient it received and the ones it sent on:

# %%
steps = viz.backward_steps(L)
print(steps)

# %% [markdown]
# The same order drawn: each node is numbered with its step, and each tensor shows
# its gradient.

# %%
viz.draw_graph(L, show_grad=True, steps=True)

# %% [markdown]
# `L.backward()` runs that pass for real and adds each leaf's gradient into `.grad`:

# %%
L.backward()
grads = {name: t.grad.item() for name, t in dict(a=a, b=b, c=c, f=f).items()}
grads

# %% [markdown]
# ## Checking by finite differences
#
# A derivative is a limit: `dL/da ≈ (L(a + h) - L(a - h)) / 2h` for a small `h`. The
# central difference is exact for this expression up to rounding, so each gradient
# from backward should match it.


# %%
def L_of(a, b, c, f):
    return (a * b + c) * f


values = dict(a=2.0, b=-3.0, c=10.0, f=-2.0)
h = 1e-3
for name in values:
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    fd = (L_of(**up) - L_of(**down)) / (2 * h)
    print(f"dL/d{name}: backward {grads[name]:+.4f}   finite difference {fd:+.4f}")

# %% [markdown]
# ## Tensors: the local derivative is a Jacobian
#
# For `y = tanh(x)` with `x` a vector of 3 elements, "dy/dx" is a 3 × 3 matrix, the
# **Jacobian** `J[i, j] = ∂y_i/∂x_j`. The chain rule becomes a row vector times that
# matrix:
#
# `dL/dx = dL/dy · J`      shapes: `(3,) = (3,) · (3, 3)`
#
# That product is a **vector-Jacobian product** (VJP), and it is exactly what a
# node's `backward` computes. We can recover the Jacobian one row at a time: row `i`
# is the VJP of the one-hot vector `e_i`.

# %%
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = x.tanh()


def jacobian(y, x):
    """The Jacobian of y w.r.t. x, one backward pass (one VJP) per row."""
    rows = []
    for i in range(y.numel()):
        e_i = torch.zeros(y.numel())
        e_i[i] = 1.0
        (row,) = torch.autograd.grad(y, x, grad_outputs=e_i.reshape(y.shape), retain_graph=True)
        rows.append(row.reshape(-1).numpy())
    return np.stack(rows)


J = jacobian(y, x)
J

# %% [markdown]
# Zero off the diagonal: `y_i` depends on `x_i` only, and the diagonal is
# `1 - tanh(x)²`.

# %%
np.allclose(J, np.diag(1 - y.detach().numpy() ** 2))

# %% [markdown]
# Given some `dL/dy`, backward returns `dL/dy · J`, but computes it as an
# elementwise product, `g * (1 - y²)`, without ever forming `J`:

# %%
g = torch.tensor([1.0, 2.0, 3.0])
y.backward(g)
print("dL/dy @ J :", g.numpy() @ J)
print("x.grad    :", x.grad.numpy())

# %% [markdown]
# ## A matrix product
#
# For `y = W x`, with `W` of shape `(2, 3)`, the Jacobian of `y` with respect to `x`
# is `W` itself, and the VJP `dL/dy · W` is what `Matmul`'s backward returns (`grad @ W`
# for this shape).

# %%
W = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
x = torch.tensor([0.5, 1.0, -1.0], requires_grad=True)
y = W @ x
jacobian(y, x)

# %% [markdown]
# ## Why the engine never builds the Jacobian
#
# A linear layer `Y = X Wᵀ + b` maps a batch `X` of shape `(batch, in)` to `Y` of shape
# `(batch, out)`. Its Jacobian with respect to `W` (shape `(out, in)`) has
# `batch·out × out·in` entries, almost all zero. Backward computes the VJPs
# directly, each with the shape of what it differentiates:
#
# * `dL/dW = (dL/dY)ᵀ X`, shape `(out, in)`
# * `dL/dX = (dL/dY) W`, shape `(batch, in)`
# * `dL/db = Σ_batch dL/dY`, shape `(out,)`

# %%
torch.manual_seed(0)
batch, n_in, n_out = 64, 784, 128
layer = torch.nn.Linear(n_in, n_out)
X = torch.randn(batch, n_in)
Y = layer(X)
G = torch.randn(batch, n_out)  # some dL/dY
Y.backward(G)
print(
    "dL/dW:",
    tuple(layer.weight.grad.shape),
    np.allclose(layer.weight.grad.numpy(), (G.T @ X).numpy(), atol=1e-4),
)
print(
    "dL/db:", tuple(layer.bias.grad.shape), np.allclose(layer.bias.grad.numpy(), G.sum(0).numpy(), atol=1e-4)
)
entries = (batch * n_out) * (n_out * n_in)
print(f"the Jacobian dY/dW would have {entries:,} entries ({entries * 4 / 2**30:.1f} GiB in float32);")
print(f"the VJP (dL/dY)^T X is one {n_out} x {batch} by {batch} x {n_in} matrix product")

# %% [markdown]
# That is the whole trick of reverse mode: each op knows how to multiply a gradient
# by its Jacobian without building it, and the engine chains those products from the
# loss back to the parameters. [Reading the engine](reading_the_engine.ipynb) walks
# through the code that does the chaining.
