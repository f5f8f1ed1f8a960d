# %% [markdown]
# # Debugging training with pictures
#
# Three ways training goes wrong, each seen on a drawing of the graph: gradients that
# vanish or explode through a deep network, ReLUs that never fire, and a custom op
# whose backward is wrong, caught by `viz.check_graph`. In the drawings tensors are
# coloured by the size of their gradient (pale: small, orange: large); gradients that
# vanish (every `|g| < 1e-7`) are grey and dashed, exploding ones get a thick red
# border, and ops whose backward fails the numerical check are red.

# %%
import numpy as np

import tinygrad_np as torch
from tinygrad_np import nn, viz
from tinygrad_np.autograd import Function

# %% [markdown]
# ## Vanishing gradients
#
# Ten sigmoid layers: each multiplies the gradient by at most `1/4` (the largest value
# of `sigmoid'`), so the first layers learn almost nothing. The gradient's size per
# layer, printed from `.grad` and drawn with each module folded into one box:


# %%
def deep(activation, gain=1.0):
    torch.manual_seed(0)
    layers = []
    for _ in range(10):
        layers += [nn.Linear(32, 32), activation()]
    model = nn.Sequential(*layers, nn.Linear(32, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(gain)
    return model


def grad_norms(model, x):
    model.zero_grad()
    model(x).pow(2).mean().backward()
    return [float(np.sqrt((m.weight.grad.numpy() ** 2).mean())) for m in model if isinstance(m, nn.Linear)]


x = torch.randn(16, 32)
model = deep(nn.Sigmoid)
print("rms gradient of each layer's weight, input side first:")
print(" ".join(f"{g:.0e}" for g in grad_norms(model, x)))
with viz.trace_modules(model):
    loss = model(x).pow(2).mean()
viz.draw_graph(loss, params=model, collapse="modules", show_grad=True)

# %% [markdown]
# ## Exploding gradients
#
# The same depth with ReLU and every weight scaled up 4×: each layer multiplies the
# signal and the gradient by about 4 / sqrt(3) instead of 1 / sqrt(3) (PyTorch's default
# initialisation, which keeps ReLU layers below 1), so the gradients grow by many orders
# of magnitude. The drawing marks the exploding ones with a thick red border.

# %%
print("default initialisation:", " ".join(f"{g:.0e}" for g in grad_norms(deep(nn.ReLU), x)))
model = deep(nn.ReLU, gain=4.0)
print("weights scaled by 4:   ", " ".join(f"{g:.0e}" for g in grad_norms(model, x)))
with viz.trace_modules(model):
    loss = model(x).pow(2).mean()
viz.draw_graph(loss, params=model, collapse="modules", show_grad=True)

# %% [markdown]
# ## Dead ReLUs
#
# A bias of -50 in the second hidden layer keeps every one of its units below zero for
# every input: ReLU passes no gradient back, so that layer, and everything before it,
# gets exactly zero gradient and never learns. The drawing greys them out.

# %%
torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
)
with torch.no_grad():
    model[2].bias.fill_(-50.0)
with viz.trace_modules(model):
    loss = model(torch.randn(32, 8)).pow(2).mean()
loss.backward(retain_graph=True)
print("first layer's weight gradient is all zero:", bool((model[0].weight.grad.numpy() == 0).all()))
viz.draw_graph(loss, params=model, collapse="modules", show_grad=True)

# %% [markdown]
# ## A wrong custom backward
#
# A user-defined op with a bug in its backward (`3x` where `3x²` is right) trains
# without any error, just badly. `viz.check_graph` re-runs every op of the graph and
# compares its backward with finite differences; the drawing paints the culprit red.


# %%
class Cube(Function):
    formula = "d x^3/dx = 3 x^2"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x  # wrong: should be 3 * x * x


torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
with viz.record_inputs():  # keep each op's inputs, so check_graph can re-run it
    loss = Cube.apply((w * torch.randn(3)).tanh()).sum()
failures = viz.check_graph(loss)
for f in failures:
    print(f.name, f.detail)
viz.draw_graph(loss, params={"w": w}, check=failures)
