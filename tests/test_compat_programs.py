"""PyTorch compatibility, program by program: small realistic user programs (training loops,
data loading, custom autograd functions, tutorial tensor snippets, error cases) are run once
with PyTorch and once with ``tinygrad_np`` standing in for it, and what they observe (values,
dtypes, shapes, reprs, exception types) must agree.

Each program is a function of the module it runs against (``torch`` or ``tinygrad_np``); it
returns a list of observations, compared by :func:`same`. Weights come from a seeded NumPy
generator and are loaded through ``load_state_dict`` so both sides start equal.
"""

import warnings
from collections import namedtuple

import numpy as np
import pytest
from conftest import requires_torch, torch, torch_free  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402


def obs(x):
    """An observation that compares across the two libraries: tensors become
    (shape, dtype name, values), strings lose the library name."""
    if isinstance(x, (torch.Tensor, tg.Tensor)):
        return ("T", tuple(x.shape), str(x.dtype).split(".")[-1], np.asarray(x.detach().numpy()))
    if isinstance(x, str):
        return x.replace("tinygrad_np", "torch")
    if isinstance(x, (torch.dtype, tg.dtype)):
        return str(x).split(".")[-1]
    if isinstance(x, (torch.Size, tg.Size)):
        return ("Size", tuple(x))
    if isinstance(x, dict):
        return {k: obs(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [obs(v) for v in x])
    return x


def same(a, b, path="out"):
    """Assert two observations agree (floats to float32 tolerance)."""
    if isinstance(a, tuple) and a and a[0] == "T":
        assert isinstance(b, tuple) and b[0] == "T", f"{path}: tensor vs {b!r}"
        assert a[1:3] == b[1:3], f"{path}: shape/dtype {a[1:3]} vs {b[1:3]}"
        np.testing.assert_allclose(b[3], a[3], rtol=1e-4, atol=1e-5, err_msg=path)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{path}: keys {list(a)} vs {b!r}"
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], list):
        assert isinstance(b, tuple) and a[0] == b[0] and len(a[1]) == len(b[1]), f"{path}: {a!r} vs {b!r}"
        for i, (u, v) in enumerate(zip(a[1], b[1], strict=True)):
            same(u, v, f"{path}[{i}]")
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-4, abs=1e-5), f"{path}: {a} vs {b}"
    else:
        assert type(a) is type(b) and a == b, f"{path}: {a!r} vs {b!r}"


def run_both(program):
    same(obs(program(torch)), obs(program(tg)))


def seeded_state(T, module, seed=0):
    """Load standard-normal weights (the same on both sides) into every float entry."""
    rng = np.random.default_rng(seed)
    sd = {}
    for k, v in module.state_dict().items():
        if v.dtype == T.float32:
            sd[k] = T.tensor(0.5 * rng.standard_normal(tuple(v.shape)).astype(np.float32))
        else:
            sd[k] = v
    module.load_state_dict(sd)


# ---- training loops --------------------------------------------------------------------------


def mlp_classifier(T):
    """The classic tutorial loop: Module subclass, TensorDataset + DataLoader, Adam, StepLR,
    CrossEntropyLoss, accuracy under no_grad in eval mode."""
    nn = T.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.act = nn.ReLU()
            self.fc2 = nn.Linear(8, 3)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    device = "cuda" if T.cuda.is_available() else "cpu"
    model = Net().to(device)
    seeded_state(T, model)
    rng = np.random.default_rng(1)
    X = T.tensor(rng.standard_normal((32, 4)).astype(np.float32))
    y = T.tensor(rng.integers(0, 3, 32))
    loader = T.utils.data.DataLoader(T.utils.data.TensorDataset(X, y), batch_size=8)
    opt = T.optim.Adam(model.parameters(), lr=1e-2)
    sched = T.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    criterion = nn.CrossEntropyLoss()
    seen = [str(model), len(loader)]
    for _ in range(3):
        model.train()
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.size(0)
        sched.step()
        seen += [total / len(loader.dataset), sched.get_last_lr()]
    model.eval()
    with T.no_grad():
        out = model(X)
        pred = out.argmax(dim=1)
        seen += [out, pred, (pred == y).float().mean().item(), (pred == y).sum().item(), out.requires_grad]
    seen += [model.fc1.weight, model.fc2.bias.grad, sum(p.numel() for p in model.parameters())]
    return seen


def cnn_with_batchnorm(T):
    """Conv2d + BatchNorm2d + pooling + Dropout in Sequential, SGD with momentum and weight decay,
    running statistics, eval output, clip_grad_norm_, optimizer state_dict layout."""
    nn, F = T.nn, T.nn.functional

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 4, kernel_size=3, padding=1),
                nn.BatchNorm2d(4),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(4, 8, 3),
                nn.ReLU(),
                nn.AvgPool2d(kernel_size=2),
            )
            self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.0), nn.Linear(8, 10))
            self.register_buffer("scale", T.ones(1))

        def forward(self, x):
            return self.classifier(self.features(x)) * self.scale

    model = CNN()
    seeded_state(T, model)
    rng = np.random.default_rng(2)
    x = T.tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
    y = T.tensor([1, 2, 3, 4])
    opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    seen = [str(model), [n for n, _ in model.named_buffers()], list(model.state_dict())]
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        seen.append(loss.item())
        opt.step()
    bn = model.features[1]
    seen += [bn.running_mean, bn.running_var, bn.num_batches_tracked]
    model.eval()
    with T.no_grad():
        seen.append(model(x))
    seen.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)))
    seen.append(model.features[0].weight.grad)
    state = opt.state_dict()
    seen += [list(state), state["param_groups"][0]["params"], len(state["state"])]
    return seen


def manual_sgd_and_inplace_updates(T):
    """Gradient descent by hand: zero_grad, in-place ``p -= lr * p.grad`` under no_grad,
    copy_/fill_/item assignment on parameters, ``.data`` replacement."""
    lin = T.nn.Linear(3, 1)
    seeded_state(T, lin)
    x = T.ones(5, 3)
    for _ in range(3):
        loss = ((lin(x) - 1) ** 2).mean()
        lin.zero_grad()
        loss.backward()
        with T.no_grad():
            for p in lin.parameters():
                p -= 0.1 * p.grad
    seen = [lin.weight, lin.bias, lin.weight.is_leaf, lin.weight.requires_grad]
    with T.no_grad():
        lin.weight.copy_(T.zeros(1, 3))
        lin.bias.fill_(0.5)
        lin.weight[0, 1] = 2.0
    seen.append(lin(x))
    lin.weight.data = T.ones(1, 3)
    seen += [lin(x), lin.weight.grad_fn is None]
    return seen


def embedding_layernorm_gelu(T):
    """A token model's first layers: Embedding(padding_idx) -> LayerNorm -> GELU, and the
    gradient reaching the embedding rows (none for the padding row)."""
    nn, F = T.nn, T.nn.functional
    emb, ln = nn.Embedding(10, 6, padding_idx=0), nn.LayerNorm(6)
    seeded_state(T, emb)
    seeded_state(T, ln, seed=1)
    idx = T.tensor([[0, 3, 5], [9, 1, 0]])
    h = F.gelu(ln(emb(idx)))
    h.pow(2).sum().backward()
    return [h, emb.weight.grad, ln.weight.grad, ln.bias.grad]


def custom_autograd_functions(T):
    """``autograd.Function`` subclasses as in PyTorch's tutorial: saved tensors, non-tensor
    arguments (``None`` gradients), attributes on ctx, needs_input_grad."""

    class MyExp(T.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    class Clamp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, lo, hi):
            ctx.lo, ctx.hi = lo, hi
            ctx.save_for_backward(x)
            return x.clamp(lo, hi)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad[0]
            return g * ((x >= ctx.lo) & (x <= ctx.hi)).float(), None, None

    a = T.tensor([0.5, 1.0], requires_grad=True)
    out = MyExp.apply(a)
    out.sum().backward()
    b = T.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    c = Clamp.apply(b, -1.0, 1.0)
    (c * c).sum().backward()
    return [out, a.grad, c, b.grad, out.requires_grad, type(out.grad_fn).__name__.startswith("MyExp")]


def containers_and_state_dict(T):
    """ModuleList / ModuleDict / Sequential(OrderedDict) / ParameterList / ParameterDict:
    names, state_dict keys, reprs, apply() initialisation, dtype moves, requires_grad_."""
    from collections import OrderedDict

    nn = T.nn

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 1)})
            self.ws = nn.ParameterList([nn.Parameter(T.ones(2, 2)), T.zeros(2)])
            self.pd = nn.ParameterDict({"scale": nn.Parameter(T.ones(1)), "shift": T.zeros(1)})

        def forward(self, x):
            for layer in self.layers:
                x = T.relu(layer(x))
            x = x @ self.ws[0] + self.ws[1]
            return (self.heads["a"](x) + self.heads["b"](x)) * self.pd["scale"] + self.pd["shift"]

    m = M()
    seeded_state(T, m)
    out = m(T.ones(4, 2))
    out.sum().backward()
    seen = [str(m), list(m.state_dict()), [n for n, _ in m.named_parameters()], out, m.ws[0].grad]
    seen += [m.pd["scale"].grad, len(m.ws), len(m.pd), list(m.pd.keys()), "scale" in m.pd]
    seen += [isinstance(m.ws[1], nn.Parameter), m.ws[1].requires_grad]
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    seq.append(nn.Linear(3, 1))

    def init(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.1)
            nn.init.zeros_(mod.bias)

    seq.apply(init)
    seen += [str(seq), str(seq[:2]), seq(T.ones(1, 2)), list(seq.state_dict())]
    seq.double()
    seen.append(seq[0].weight.dtype)
    seq.requires_grad_(False)
    seen.append([p.requires_grad for p in seq.parameters()])
    seen.append(str(m.load_state_dict(m.state_dict())))
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))
    net.set_submodule("2.0", nn.Linear(3, 4))  # swap a head by its dotted name
    seen += [str(net), net.get_buffer("1.running_var"), net.share_memory() is net]
    for bad in (
        lambda: net.get_buffer("1.weight"),
        lambda: net.get_buffer("0.foo"),
        lambda: net.set_submodule("2.5", nn.ReLU(), strict=True),
    ):
        try:
            bad()
        except AttributeError as e:
            seen.append(str(e))
    return seen


def save_load_round_trip(T, tmp_path):
    """torch.save(model.state_dict()) / torch.load -> load_state_dict; the same outputs."""
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.ReLU(), T.nn.Linear(4, 2))
    seeded_state(T, model)
    x = T.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    model(x)  # updates the running statistics
    path = str(tmp_path / f"model_{T.__name__}.pt")
    T.save(model.state_dict(), path)
    other = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.ReLU(), T.nn.Linear(4, 2))
    loaded = T.load(path)
    result = str(other.load_state_dict(loaded))
    model.eval()
    other.eval()
    with T.no_grad():
        return [
            result,
            type(loaded).__name__,  # an OrderedDict, as saved
            other(x),
            bool(T.allclose(other(x), model(x))),
            other[1].num_batches_tracked,
        ]


# ---- data loading ----------------------------------------------------------------------------


def data_loading_structures(T):
    """default_collate on dict / tuple / nested samples, Python numbers, NumPy arrays, strings;
    a plain tuple sample gives a *list* batch as in PyTorch; Subset, ConcatDataset, random_split
    sizes; samplers and batch samplers with fixed orders."""
    data = T.utils.data

    class DictDS(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {
                "x": np.full(3, i, np.float32),
                "y": i % 2,
                "f": float(i),
                "t": T.tensor([i, i]),
                "s": f"s{i}",
            }

    class TupleDS(data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.float64(i), (i, [i, i + 1])

    Pair = namedtuple("Pair", "a b")
    seen = [list(data.DataLoader(DictDS(), batch_size=2)), list(data.DataLoader(TupleDS(), batch_size=3))]
    ds = data.TensorDataset(T.arange(10).float(), T.arange(10))
    seen += [ds[3], next(iter(data.DataLoader(ds, batch_size=4))), next(iter(data.DataLoader(ds)))]
    seen.append(data.default_collate([Pair(T.ones(1), 1), Pair(T.zeros(1), 0)]))
    seen.append(next(iter(data.DataLoader([(1.0, 2), (3.0, 4)], batch_size=2))))
    seen.append(len(data.DataLoader(ds, batch_size=3, drop_last=True)))
    seen += [len(data.Subset(ds, [1, 2])), data.Subset(ds, [1, 2])[0], len(ds + ds)]
    seen.append([len(s) for s in data.random_split(ds, [0.7, 0.3])])
    seen.append([b[1] for b in data.DataLoader(ds, batch_size=3, sampler=data.SequentialSampler(ds))])
    seen.append([b[1] for b in data.DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 1])])
    seen.append([b[1] for b in data.DataLoader(ds, batch_sampler=[[0, 1], [5, 6, 7]])])
    bs = data.BatchSampler(data.SequentialSampler(ds), 4, drop_last=True)
    seen += [list(bs), len(bs), [b[0] for b in data.DataLoader(ds, batch_sampler=bs)]]
    sub = data.DataLoader(ds, batch_size=3, sampler=data.SubsetRandomSampler([1, 2, 3, 4]))
    seen += [len(sub), sorted(int(v) for b in sub for v in b[1]), len(sub.sampler)]  # accuracy / len(sampler)
    plain, shuffled = data.DataLoader(ds, batch_size=4), data.DataLoader(ds, batch_size=4, shuffle=True)
    seen += [
        type(plain.sampler).__name__,
        type(shuffled.sampler).__name__,
        list(plain.sampler),
        len(shuffled.sampler),
    ]
    seen += [type(plain.batch_sampler).__name__, list(plain.batch_sampler), plain.sampler is plain.sampler]
    seen.append(
        sorted(
            int(v) for b in data.DataLoader(ds, batch_size=4, sampler=data.RandomSampler(ds)) for v in b[1]
        )
    )
    seen.append(list(data.WeightedRandomSampler([0.0, 0.0, 1.0], 4)))
    seen.append(data.default_collate([[T.ones(1), "x"], [T.ones(1), "y"]]))  # strings: a tuple column
    seen += [
        data.default_collate([np.int64(1), np.int64(2)]),
        data.default_collate([np.array(1.0), np.array(2.0)]),
    ]
    for bad in ([None, None], [np.array(["a"]), np.array(["b"])], [object(), object()]):
        try:
            data.default_collate(bad)
            seen.append("no error")
        except TypeError as e:
            seen.append(str(e).split(";")[0])
    modern = data.DataLoader(ds, batch_size=5, num_workers=2, persistent_workers=True, prefetch_factor=2)
    seen += [list(modern), len(modern)]
    return seen


def streaming_dataset(T):
    """An IterableDataset (a generator of samples) batched by a DataLoader; its length when it
    has one; shuffle refused."""
    data = T.utils.data

    class Stream(data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            for i in range(self.n):
                yield {"x": T.full((2,), float(i)), "y": i % 3}

    class Sized(Stream):
        def __len__(self):
            return self.n

    seen = [
        list(data.DataLoader(Stream(5), batch_size=2)),
        list(data.DataLoader(Stream(5), batch_size=2, drop_last=True)),
    ]
    seen += [list(data.DataLoader(Stream(2), batch_size=None)), len(data.DataLoader(Sized(5), batch_size=2))]
    for make in (lambda: data.DataLoader(Stream(3), shuffle=True), lambda: len(data.DataLoader(Stream(3)))):
        try:
            make()
            seen.append("no error")
        except (TypeError, ValueError) as e:
            seen += [type(e).__name__, str(e)]
    return seen


# ---- tensor snippets -------------------------------------------------------------------------


def tensor_snippets(T):
    """Indexing, reshaping, broadcasting, keepdim reductions, dtype conversions and promotion,
    creation functions: the snippets of the introductory tutorials."""
    x = T.arange(12).reshape(3, 4)
    xf = x.float()
    return [
        xf.sum(dim=1, keepdim=True),
        xf.mean(0),
        x.sum(),
        xf.max(dim=1).values,
        xf.max(1).indices,
        xf.std(dim=0),
        xf.var(dim=1, unbiased=False),
        xf[[0, 2]],
        xf[xf > 5],
        xf[:, ::2],
        xf[-1],
        xf[..., None].shape,
        xf.view(2, -1),
        xf.T,
        xf.t(),
        xf.unsqueeze(0).permute(2, 0, 1),
        xf + T.tensor([1.0, 2.0, 3.0, 4.0]),
        xf[:, None, :] - xf[None, :, :],
        x / 2,
        x // 3,
        x % 5,
        x**2,
        x * 1.5,
        (xf * 1.7).long(),
        (xf * 1.7).int(),
        x.bool(),
        xf.to(T.float64),
        T.cat([xf, xf], dim=1),
        T.stack([xf, xf]),
        [t.shape for t in T.split(xf, 2, dim=1)],
        [t.shape for t in xf.chunk(3, dim=0)],
        xf[None, :, None].squeeze(),
        xf[None].flatten(1),
        T.ones(2, 3, dtype=T.long),
        T.full((2,), 7),
        T.full((2,), 7.0),
        T.arange(0, 1, 0.25),
        T.linspace(0, 1, 5),
        T.where(xf > 5, xf, 0.0),
        xf.clamp(min=2, max=8),
        xf.argmax(dim=1, keepdim=True),
        T.softmax(xf, dim=1),
        T.log_softmax(xf, dim=1),
        xf @ xf.T,
        xf @ T.ones(4),
        xf[1, 2].item(),
        xf[0].tolist(),
        xf.size(),
        xf.size(1),
        xf.dim(),
        xf.cumsum(dim=1),
        xf.amax(dim=(0, 1)),
        T.sqrt(x),
        T.tensor([1.0, 2.0])[:, None].expand(-1, 3),
        T.tensor([1.0, 2.0]).repeat(2, 2),
        xf.gather(1, T.tensor([[0], [1], [2]])),
        xf.masked_fill(xf > 5, 0.0),
        T.tensor([1, 2.5]),
        T.tensor(3),
        T.from_numpy(np.ones(3)).dtype,
        (xf >= 0).all(),
        T.isnan(xf).any(),
        2 ** xf[0],
        1 - xf[0],
        xf.dtype.is_floating_point,
        xf.is_floating_point(),
        str(xf.device),
        repr(T.tensor([[1.5, 2.0], [3.25, -4.0]])),
        repr(T.tensor([1e-8, 1.0])),
        repr(T.tensor([1.0, 2.0], dtype=T.float64)),
        repr(T.zeros(2, requires_grad=True)),
        repr(T.tensor([float("nan"), float("inf")])),
        str(T.Size([2, 3])),
    ]


def tensor_item_assignment(T):
    """``t[mask] = v``, ``t[:, 0] = tensor``, ``t[i] += 1``: in-place writes by index."""
    a = T.zeros(3)
    a[1] = 5.0
    a[a > 1] += 1
    b = T.zeros(2, 3)
    b[:, 0] = T.tensor([1.0, 2.0])
    b[0] = 7
    c = T.arange(6).reshape(2, 3)
    c[c % 2 == 0] = -1
    return [a, b, c]


def autograd_snippets(T):
    """autograd.grad with create_graph, hooks, retain_grad, forward hooks, no_grad decorator,
    inference_mode, param_groups lr edits, zero_grad(set_to_none=False)."""
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = T.autograd.grad((x**3).sum(), x, create_graph=True)
    (g2,) = T.autograd.grad(g.sum(), x)
    h = x.register_hook(lambda grad: grad * 2)
    (x * x).sum().backward()
    seen = [g, g2, x.grad]
    h.remove()
    x.grad = None
    s = x.sum()
    s.retain_grad()
    (s * 2).backward()
    seen += [x.grad, s.grad]
    lin = T.nn.Linear(2, 2)
    seeded_state(T, lin)
    shapes = []
    handle = lin.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape)))
    lin(T.ones(3, 2))
    handle.remove()
    lin(T.ones(1, 2))
    seen.append(shapes)
    opt = T.optim.SGD(lin.parameters(), lr=0.1)
    for group in opt.param_groups:
        group["lr"] = 0.01
    opt.zero_grad()
    seen.append(lin.weight.grad is None)
    lin(T.ones(1, 2)).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    seen += [lin.weight, lin.weight.grad]

    @T.no_grad()
    def evaluate():
        return (x * 2).requires_grad

    with T.inference_mode():
        inside = (x * 2).requires_grad
    seen += [evaluate(), inside, T.is_grad_enabled()]
    seen += [T.ones(2).to("cpu", T.float64).dtype, T.ones(2).to(T.ones(1, dtype=T.float64)).dtype]
    seen += [lin.to("cpu") is lin, str(T.nn.Linear(3, 2, bias=False)), T.nn.Linear(3, 2, bias=False).bias]
    return seen


def error_types(T):
    """Misuse raises the exception type PyTorch raises."""
    nn = T.nn
    cases = {
        "matmul": lambda: T.ones(2, 3) @ T.ones(2, 3),
        "broadcast": lambda: T.ones(2, 3) + T.ones(4),
        "linear features": lambda: nn.Linear(3, 2)(T.ones(4, 5)),
        "class out of range": lambda: nn.CrossEntropyLoss()(T.ones(4, 3), T.tensor([0, 1, 2, 5])),
        "bce range": lambda: nn.BCELoss()(T.tensor([1.5]), T.tensor([1.0])),
        "view size": lambda: T.ones(2, 3).view(4, 2),
        "cat sizes": lambda: T.cat([T.ones(2, 3), T.ones(2, 4)]),
        "stack sizes": lambda: T.stack([T.ones(2), T.ones(3)]),
        "index": lambda: T.ones(3)[5],
        "item": lambda: T.ones(3).item(),
        "bool": lambda: bool(T.ones(3)),
        "backward non-scalar": lambda: (T.ones(3, requires_grad=True) * 2).backward(),
        "backward no grad": lambda: T.ones(3).sum().backward(),
        "int requires grad": lambda: T.ones(3, dtype=T.long).requires_grad_(),
        "numpy of grad": lambda: T.ones(3, requires_grad=True).numpy(),
        "dim": lambda: T.ones(3).sum(dim=2),
        "conv channels": lambda: nn.Conv2d(3, 4, 3)(T.ones(1, 2, 5, 5)),
        "batchnorm features": lambda: nn.BatchNorm1d(4)(T.ones(3, 5)),
        "batchnorm one sample": lambda: nn.BatchNorm1d(4)(T.ones(1, 4)),
        "layernorm": lambda: nn.LayerNorm(4)(T.ones(3, 5)),
        "embedding range": lambda: nn.Embedding(4, 2)(T.tensor([5])),
        "embedding float": lambda: nn.Embedding(4, 2)(T.tensor([1.0])),
        "state_dict shape": lambda: nn.Linear(2, 2).load_state_dict(
            {"weight": T.ones(3, 2), "bias": T.ones(2)}
        ),
        "state_dict missing": lambda: nn.Linear(2, 2).load_state_dict({"weight": T.ones(2, 2)}),
        "optimizer empty": lambda: T.optim.SGD([], lr=0.1),
        "optimizer lr": lambda: T.optim.SGD(nn.Linear(2, 2).parameters(), lr=-0.1),
        "optimizer tensor": lambda: T.optim.SGD(T.ones(2, requires_grad=True), lr=0.1),
        "dropout p": lambda: nn.Dropout(1.5),
        "sequential index": lambda: nn.Sequential(nn.ReLU())[3],
        "module attribute": lambda: nn.Linear(2, 2).foo,
        "tensor as parameter": lambda: setattr(nn.Linear(2, 2), "weight", T.ones(2, 2)),
        "softmax without dim": lambda: T.softmax(T.ones(2, 3)),
        "sampler and shuffle": lambda: T.utils.data.DataLoader([1], sampler=[0], shuffle=True),
        "batch_sampler and batch_size": lambda: T.utils.data.DataLoader(
            [1], batch_sampler=[[0]], batch_size=2
        ),
        "batch size": lambda: T.utils.data.DataLoader([1], batch_size=0),
        "persistent_workers without workers": lambda: T.utils.data.DataLoader([1], persistent_workers=True),
        "prefetch without workers": lambda: T.utils.data.DataLoader([1], prefetch_factor=2),
        "freed graph": lambda: [y.backward() for y in [T.ones(2, requires_grad=True).exp().sum()] * 2],
    }
    seen = {}
    for name, fn in cases.items():
        try:
            fn()
            seen[name] = "no error"
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            seen[name] = type(e).__name__
    return seen


def seeding_and_device_setup(T):
    """The set-up block at the top of training scripts: a set_seed helper touching
    cuda/cudnn/deterministic switches, device selection that also asks for Apple's MPS."""
    import random

    def set_seed(seed):
        random.seed(seed)
        np.random.seed(seed)
        T.manual_seed(seed)
        T.cuda.manual_seed_all(seed)
        T.backends.cudnn.deterministic = True
        T.backends.cudnn.benchmark = False
        T.use_deterministic_algorithms(True)

    set_seed(42)
    threads = T.get_num_threads()
    T.set_num_threads(1)
    if T.cuda.is_available():
        device = T.device("cuda")
    elif T.backends.mps.is_available():
        device = T.device("mps")
    else:
        device = T.device("cpu")
    seen = [
        str(device),
        T.backends.cudnn.deterministic,
        T.are_deterministic_algorithms_enabled(),
        T.get_num_threads(),
    ]
    seen += [str(T.ones(2, device=device).to(device).device), str(T.nn.Linear(2, 2).to(device).weight.device)]
    T.use_deterministic_algorithms(False)
    T.backends.cudnn.deterministic = False
    T.set_num_threads(threads)
    return seen


def module_backward_hooks(T):
    """register_full_backward_hook: gradient logging per layer (grad_input/grad_output),
    an input that needs no grad (None), a hook that rescales grad_input, remove()."""
    nn = T.nn
    seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
    seeded_state(T, seq)
    log = []
    handles = [
        m.register_full_backward_hook(lambda m, gi, go, n=n: log.append((n, list(gi), list(go))))
        for n, m in seq.named_modules()
        if n
    ]
    x = T.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3), requires_grad=True)
    seq(x).pow(2).sum().backward()
    with warnings.catch_warnings():  # PyTorch warns that the hook fires from the outputs
        warnings.simplefilter("ignore", UserWarning)
        seq(x.detach()).sum().backward()  # the first layer's input needs no grad
    for h in handles:
        h.remove()
    seq(x).sum().backward()  # no more log entries
    seq.zero_grad()
    x.grad = None
    seq[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
    seq(x).sum().backward()
    return [log, x.grad, seq[0].weight.grad, seq[2].weight.grad]


def groupnorm_and_channel_dropout(T):
    """A small conv block with GroupNorm (values and gradients, with and without affine or
    bias) and Dropout2d (whole feature maps zeroed, survivors scaled; identity in eval)."""
    nn = T.nn
    gn = nn.GroupNorm(2, 4)
    seeded_state(T, gn)
    x = T.tensor(
        np.random.default_rng(3).standard_normal((3, 4, 5, 2)).astype(np.float32), requires_grad=True
    )
    y = gn(x)
    (y**3).sum().backward()
    plain = nn.GroupNorm(1, 3, affine=False, eps=1e-3)
    no_bias = nn.GroupNorm(3, 6, bias=False)
    seen = [str(gn), y, x.grad, gn.weight.grad, gn.bias.grad, str(plain), list(plain.state_dict())]
    seen += [plain(x[:, :3].detach()), str(no_bias), list(no_bias.state_dict())]
    try:
        nn.GroupNorm(3, 4)
    except ValueError as e:
        seen.append(str(e))
    drop = nn.Dropout2d(0.5)
    seen.append(str(drop))
    out = drop(T.ones(8, 16, 3, 3)).reshape(8, 16, 9)
    seen.append(bool(((out == 0).all(dim=2) | (out == 2).all(dim=2)).all()))
    out1 = nn.Dropout1d(0.25)(T.ones(6, 5))
    seen.append(bool(((out1 == 0).all(dim=1) | ((out1 - 4 / 3).abs() < 1e-6).all(dim=1)).all()))
    drop.eval()
    seen.append(bool(T.equal(drop(x), x)))
    return seen


def conv_transpose_decoder(T):
    """ConvTranspose2d as DCGAN-style decoders use it (stride 2, padding 1, output_padding,
    groups, dilation, no bias): shapes, values, input and weight gradients, reprs."""
    nn = T.nn
    cases = [
        dict(in_channels=3, out_channels=2, kernel_size=3),
        dict(in_channels=4, out_channels=2, kernel_size=4, stride=2, padding=1),
        dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1, output_padding=1),
        dict(
            in_channels=4,
            out_channels=6,
            kernel_size=(3, 2),
            stride=(2, 1),
            padding=(0, 1),
            groups=2,
            bias=False,
        ),
        dict(in_channels=2, out_channels=2, kernel_size=3, stride=3, padding=2, dilation=2, output_padding=2),
    ]
    rng = np.random.default_rng(5)
    seen = []
    for kw in cases:
        m = nn.ConvTranspose2d(**kw)
        seeded_state(T, m)
        x = T.tensor(rng.standard_normal((2, kw["in_channels"], 5, 4)).astype(np.float32), requires_grad=True)
        y = m(x)
        (y**2).sum().backward()
        seen += [str(m), list(m.state_dict()), y, x.grad, m.weight.grad]
    seen.append(nn.ConvTranspose2d(3, 2, 3, stride=2)(T.ones(3, 4, 4)).shape)  # unbatched
    return seen


def padding_upsampling_instance_norm(T):
    """The weightless resizing layers of U-Nets and style-transfer networks (zero, constant,
    reflection and replication padding; nearest Upsample) and InstanceNorm1d/2d: shapes,
    values, input gradients, reprs, state_dict keys."""
    nn = T.nn
    rng = np.random.default_rng(7)
    x2 = T.tensor(rng.standard_normal((2, 3, 4, 5)).astype(np.float32), requires_grad=True)
    x1 = T.tensor(rng.standard_normal((2, 3, 6)).astype(np.float32), requires_grad=True)
    layers = [
        (nn.ZeroPad2d(1), x2),
        (nn.ZeroPad2d((1, 0, 2, 1)), x2),
        (nn.ConstantPad2d(2, 3.5), x2),
        (nn.ConstantPad1d((1, 2), -1.0), x1),
        (nn.ReflectionPad2d(2), x2),
        (nn.ReflectionPad1d((2, 1)), x1),
        (nn.ReplicationPad2d((1, 2, 0, 1)), x2),
        (nn.ReplicationPad1d(1), x1),
        (nn.Upsample(scale_factor=2), x2),
        (nn.Upsample(size=(8, 15), mode="nearest"), x2),
        (nn.Upsample(scale_factor=3), x1),
        (nn.InstanceNorm2d(3), x2),
        (nn.InstanceNorm2d(3, affine=True), x2),
        (nn.InstanceNorm1d(3, eps=1e-3, affine=True, bias=False), x1),
        (nn.AdaptiveMaxPool2d(1), x2),
        (nn.AdaptiveMaxPool2d((2, None)), x2),
        (nn.AdaptiveAvgPool1d(4), x1),
    ]
    seen = []
    for layer, x in layers:
        seeded_state(T, layer)
        x.grad = None
        y = layer(x)
        (y**3).sum().backward()
        seen += [str(layer), list(layer.state_dict()), y, x.grad]
    seen.append(nn.InstanceNorm2d(3)(x2[0]).shape)  # unbatched
    return seen


def distillation_kl_loss(T):
    """Knowledge distillation: KLDivLoss between student log-probabilities and teacher
    probabilities (or log-probabilities), every reduction, a zero-probability target."""
    nn, F = T.nn, T.nn.functional
    rng = np.random.default_rng(11)
    student = T.tensor(rng.standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    teacher = F.softmax(T.tensor(rng.standard_normal((4, 5)).astype(np.float32)) / 2.0, dim=1)
    with_zero = teacher.clone()
    with_zero[0, 1] = 0.0
    seen = []
    for reduction in ("batchmean", "sum", "none", "mean"):
        for log_target, target in ((False, teacher), (False, with_zero), (True, teacher.log())):
            student.grad = None
            crit = nn.KLDivLoss(reduction=reduction, log_target=log_target)
            with warnings.catch_warnings():  # PyTorch warns that 'mean' is not the KL divergence
                warnings.simplefilter("ignore", UserWarning)
                loss = crit(F.log_softmax(student, dim=1), target)
            loss.sum().backward()
            seen += [str(crit), loss, student.grad]
    return seen


def embedding_similarities(T):
    """Metric learning snippets: CosineSimilarity (pairwise matrix by broadcasting, a zero
    vector) and PairwiseDistance for p = 1, 2, 3, inf, with gradients."""
    nn = T.nn
    rng = np.random.default_rng(13)
    a = T.tensor(rng.standard_normal((4, 6)).astype(np.float32), requires_grad=True)
    b = T.tensor(rng.standard_normal((4, 6)).astype(np.float32), requires_grad=True)
    seen = []
    for m in (
        nn.CosineSimilarity(),
        nn.CosineSimilarity(dim=0, eps=1e-6),
        nn.PairwiseDistance(),
        nn.PairwiseDistance(p=1),
        nn.PairwiseDistance(p=3.0, keepdim=True),
        nn.PairwiseDistance(p=float("inf")),
    ):
        a.grad = b.grad = None
        y = m(a, b)
        (y**2).sum().backward()
        seen += [str(m), y, a.grad, b.grad]
    seen.append(nn.CosineSimilarity(dim=-1)(a[:, None, :], b[None, :, :]))
    seen.append(nn.CosineSimilarity()(T.zeros(1, 3), T.ones(1, 3)))
    return seen


def more_activations(T):
    """The activation modules of mobile and self-normalising networks (ReLU6, Hardtanh,
    Hardswish, Hardsigmoid, SELU, Mish, PReLU with one or per-channel slopes, ...): values,
    input gradients, slope gradients, reprs."""
    nn = T.nn
    x = T.tensor(np.linspace(-8, 8, 24).reshape(2, 3, 4).astype(np.float32) + 0.013, requires_grad=True)
    seen = []
    for m in (
        nn.ReLU6(),
        nn.Hardtanh(),
        nn.Hardtanh(-2.0, 3.0),
        nn.Hardswish(),
        nn.Hardsigmoid(),
        nn.SELU(),
        nn.Mish(),
        nn.PReLU(),
        nn.PReLU(3, init=0.1),
        nn.Softsign(),
        nn.Tanhshrink(),
        nn.Threshold(0.5, -1.0),
        nn.LogSigmoid(),
        nn.Softmin(dim=1),
    ):
        x.grad = None
        y = m(x)
        (y**2).sum().backward()
        seen += [str(m), list(m.state_dict()), y, x.grad, [p.grad for p in m.parameters()]]
    return seen


PROGRAMS = [
    mlp_classifier,
    cnn_with_batchnorm,
    manual_sgd_and_inplace_updates,
    embedding_layernorm_gelu,
    custom_autograd_functions,
    containers_and_state_dict,
    data_loading_structures,
    streaming_dataset,
    tensor_snippets,
    tensor_item_assignment,
    autograd_snippets,
    error_types,
    seeding_and_device_setup,
    module_backward_hooks,
    groupnorm_and_channel_dropout,
    conv_transpose_decoder,
    padding_upsampling_instance_norm,
    distillation_kl_loss,
    embedding_similarities,
    more_activations,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_program_matches_pytorch(program):
    run_both(program)


def test_save_load_round_trip_matches_pytorch(tmp_path):
    run_both(lambda T: save_load_round_trip(T, tmp_path))


def test_state_dict_moves_both_ways():
    """A torch state_dict loads into our model (as tensors or arrays) and ours into torch's."""
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    ours = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.BatchNorm1d(4), tg.nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    theirs.eval()
    ours.eval()
    np.testing.assert_allclose(
        ours(tg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-6
    )
    back = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    back.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()})
    back.eval()
    np.testing.assert_allclose(
        back(torch.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy()
    )


# ---- mismatches found by the audit: fixed ones pass, the ones the SPEC chose stay xfail ----------


def _error_type(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return "no error"


def test_randint_without_size_is_a_type_error():
    assert _error_type(lambda: tg.randint(0, 5)) == _error_type(lambda: torch.randint(0, 5)) == "TypeError"


def test_negative_size_is_a_runtime_error():
    assert _error_type(lambda: tg.zeros(-1)) == _error_type(lambda: torch.zeros(-1)) == "RuntimeError"


def test_type_without_arguments_names_the_tensor_type():
    assert tg.ones(2).type() == "tinygrad_np.FloatTensor" and torch.ones(2).type() == "torch.FloatTensor"


@torch_free
def test_linear_rejects_integer_input():
    assert _error_type(lambda: tg.nn.Linear(3, 2)(tg.ones(4, 3, dtype=tg.long))) == "RuntimeError"


@torch_free
def test_new_tensor_factories():
    x = tg.ones(2, dtype=tg.float64)
    assert x.new_zeros(3).dtype == tg.float64 and x.new_tensor([1.0]).dtype == tg.float64


@torch_free
def test_once_differentiable_exists():
    from tinygrad_np.autograd.function import once_differentiable  # noqa: F401


def test_legacy_tensor_constructor_makes_float32():
    assert torch.Tensor([1, 2]).dtype == torch.float32
    assert tg.Tensor([1, 2]).dtype == tg.float32 and tg.Tensor(np.array([1, 2])).dtype == tg.float32


def test_legacy_tensor_constructor_with_a_shape():
    assert tuple(tg.Tensor(2, 3).shape) == tuple(torch.Tensor(2, 3).shape) == (2, 3)


@torch_free
def test_data_attribute_supports_tensor_methods():
    m = tg.nn.Linear(2, 2)
    m.weight.data.normal_(0.0, 0.02)
    m.bias.data.fill_(0)
    assert m.bias.tolist() == [0.0, 0.0]


def test_data_is_a_detached_tensor_sharing_memory_as_in_pytorch():
    for lib in (tg, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        d = w.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.grad_fn is None
        w.grad = lib.tensor([0.5, 0.5])
        w.data -= 0.1 * w.grad  # the textbook SGD update, through .data
        w.data.add_(lib.ones(2))
        x = lib.zeros(3)
        x.data.zero_()
        y = (w * 2).sum()
        y.backward()  # changes through .data are invisible to autograd: no version error
        assert w.tolist() == pytest.approx([1.95, 2.95])
        w.data = lib.tensor([7.0, 8.0])  # x.data = y: w now holds y's values
        assert w.tolist() == [7.0, 8.0] and w.requires_grad
