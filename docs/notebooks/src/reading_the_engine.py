# %% [markdown]
# # Reading the engine
#
# `tinygrad_np/autograd/engine.py` holds the whole backward algorithm and reads top to
# bottom in the order it runs. This lesson walks through it on a small network, with
# the engine's own code printed beside what it does: the seed, the heap that orders
# the nodes, a buffer filling up, each node's backward, the freeing of saved tensors,
# and a leaf's gradient accumulating over two backward passes.

# %%
import inspect

import tinygrad_np as torch
from tinygrad_np import nn, viz
from tinygrad_np.autograd import engine
from tinygrad_np.autograd.function import Function

print(engine.__doc__)

# %% [markdown]
# ## The network
#
# `2 → 3 tanh → 1` on four samples, with a mean squared error plus a small weight
# penalty on the first layer. The penalty makes `0.weight` feed two ops, so two
# gradients will meet in its buffer.

# %%
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
x = torch.tensor([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [1.0, 1.0]])
target = torch.tensor([[1.0], [0.0], [0.5], [-1.0]])


def compute_loss():
    return nn.functional.mse_loss(model(x), target) + 0.01 * (model[0].weight ** 2).sum()


loss = compute_loss()
viz.draw_graph(loss, params=model, steps=True)

# %% [markdown]
# Ellipses are op nodes, numbered in the order backward visits them; boxes are tensors,
# the parameters labelled with their names.
#
# ## 1. Seed
#
# `loss.backward()` calls `engine.backward`, which finds the node that made the loss
# and the gradient to start from, `dL/dL`: a 1 for a scalar loss.

# %%
print(inspect.getsource(engine._root_grads))
engine._root_grads([loss], None)

# %% [markdown]
# ## 2. The heap: newest node first
#
# Every node got a creation number `_seq` when its op ran. A node is created after the
# nodes of its inputs, so running nodes in decreasing `_seq` visits each node after all
# the nodes that send it gradient. Here are the op nodes of our graph, newest first
# (the leaves never enter the heap):

# %%
nodes, stack = {}, [loss.grad_fn]
while stack:  # every op node behind the loss (iteratively: no recursion)
    node = stack.pop()
    if isinstance(node, Function) and id(node) not in nodes:
        nodes[id(node)] = node
        stack.extend(n for n, _ in node.next_functions)
for node in sorted(nodes.values(), key=lambda n: -n._seq):
    print(f"_seq {node._seq:6d}  {node.name()}")

# %% [markdown]
# The walk itself, `_Pass.run`: pop the newest node, let hooks see its complete
# gradient, call it; when the heap is empty, what is left in the buffers are the
# leaves' gradients.

# %%
print(inspect.getsource(engine._Pass.run))

# %% [markdown]
# ## 3. Watching a pass
#
# `engine._run` picks the class that runs the pass at one place (the *seam*): the
# reference `_Pass`, or `ArrayPass`, the same walk on NumPy arrays, for a plain
# `backward()`. We put a subclass of `_Pass` there that prints each step: a node being
# called, and each gradient arriving in a buffer.

# %%
names = {id(p): name for name, p in model.named_parameters()}


def label(node):
    return names.get(id(node), "leaf") if isinstance(node, torch.Tensor) else node.name()


class ShowingPass(engine._Pass):
    def seed(self, node, nr, g):
        print(f"seed dL/dL = {g.item()}")
        super().seed(node, nr, g)

    def call(self, node, grads):
        print(f"call {node.name()} (_seq {node._seq})")
        super().call(node, grads)

    def add(self, node, nr, g):
        buf = self.buffers.get(node)
        first = buf is None or buf[nr] is None
        super().add(node, nr, g)
        how = "first gradient" if first else "another gradient: the buffer now holds the sum"
        print(f"    -> buffer of {label(node)}: {how}, shape {tuple(g.shape)}")


fast = engine.ArrayPass
engine.ArrayPass = ShowingPass  # the seam
try:
    loss.backward()
finally:
    engine.ArrayPass = fast

# %% [markdown]
# `0.weight` got two gradients, one through the network (`AddmmBackward`) and one from
# the penalty (`PowBackward`): the buffer summed them before the leaf's gradient went
# into `.grad`. That sum is the multivariable chain rule.
#
# ## 4. Calling a node: a vector-Jacobian product, then send
#
# `_Pass.call` runs the op's `backward`, frees the node's saved tensors (`finish`), and
# sends each input its gradient, summed down to the input's shape if forward broadcast
# it (`sum_to`, the one place broadcasting is undone):

# %%
print(inspect.getsource(engine._Pass.call))

# %% [markdown]
# Broadcasting undone: `b` of shape `(3,)` is added to every row of a `(4, 3)` tensor,
# so `AddBackward` returns a `(4, 3)` gradient for it, and the engine sums it down to
# `(3,)` before it reaches `b`'s buffer.

# %%
b = torch.zeros(3, requires_grad=True)
engine.ArrayPass = ShowingPass
try:
    (torch.ones(4, 3) * 2 + b).sum().backward()
finally:
    engine.ArrayPass = fast
b.grad

# %% [markdown]
# ## 5. Freeing what backward no longer needs
#
# Once a node has run, its saved tensors are dropped (unless `retain_graph=True`), so
# the activations are freed as backward goes. A second backward through the same graph
# is refused:

# %%
print("saved tensors of the loss node after backward:", loss.grad_fn._saved)
try:
    loss.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e)[:110], "...")

# %% [markdown]
# ## 6. Leaves accumulate
#
# At a leaf, the engine *adds* into `.grad` (`_Pass.accumulate`). A second forward and
# backward doubles the gradient, which is why a training loop calls `zero_grad()`:

# %%
first = model[2].bias.grad.clone()
compute_loss().backward()
print("after one backward :", first)
print("after two backwards:", model[2].bias.grad)
model.zero_grad()
print("after zero_grad    :", model[2].bias.grad)

# %% [markdown]
# ## The speed path
#
# A plain `loss.backward()` runs the same walk through `ArrayPass`
# (`autograd/fast_backward.py`). Its docstring says what it changes, and nothing of it
# changes what is computed:

# %%
from tinygrad_np.autograd import fast_backward

print(fast_backward.__doc__)
