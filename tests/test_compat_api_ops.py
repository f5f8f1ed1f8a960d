"""The API surface of lecture notebooks and char-level language models (issue 13), program by
program: each program runs once with PyTorch and once with ``tinygrad_np`` standing in for
it, and what it observes (values, dtypes, shapes, printed text, gradients) must agree.

The programs are the kinds learners run: a bigram language model from counts, the same model
as a one-layer network trained by hand, a causal self-attention head (``tril`` +
``masked_fill`` + ``softmax``), top-k and nucleus sampling, hand-written backprop compared
with autograd (``allclose``), gradient-norm clipping by hand, activation statistics
(``histc``, ``unique``, ``bincount``), and the printing lectures do (``f"{loss:.4f}"``).
"""

import math
import re

import numpy as np
import pytest
from conftest import requires_torch, torch  # noqa: E402

pytestmark = requires_torch

from test_compat_programs import obs, run_both, same, seeded_state  # noqa: E402

import tinygrad_np as tg  # noqa: E402

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]


def _vocab():
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    return stoi


def _pairs():
    stoi = _vocab()
    xs, ys = [], []
    for w in WORDS:
        chs = ["."] + list(w) + ["."]
        for a, b in zip(chs, chs[1:], strict=False):
            xs.append(stoi[a])
            ys.append(stoi[b])
    return xs, ys, len(stoi)


# ---- programs ----------------------------------------------------------------------------------


def bigram_counts(T):
    """Lecture 1, part 1: a count matrix, smoothed probabilities, the mean negative
    log-likelihood, greedy sampling with topk/argmax, and the row statistics."""
    xs, ys, V = _pairs()
    N = T.zeros((V, V), dtype=T.int32)
    for a, b in zip(xs, ys, strict=True):
        N[a, b] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    log_likelihood = 0.0
    n = 0
    for a, b in zip(xs, ys, strict=True):
        log_likelihood += T.log(P[a, b])
        n += 1
    nll = -log_likelihood / n
    out = []
    ix = 0
    for _ in range(8):  # greedy decoding instead of multinomial: deterministic on both sides
        ix = P[ix].topk(1).indices.item()
        out.append(ix)
        if ix == 0:
            break
    counts = N.sum(1)
    return [
        nll,
        f"{nll=}",
        f"{nll.item():.4f}",
        nll.log10(),
        out,
        counts,
        counts.argsort(descending=True, stable=True),
        N.flatten().unique(return_counts=True),
        T.bincount(T.tensor(ys)),
        (N > 0).nonzero().shape,
        N.max(),
        P.sort(dim=1, descending=True, stable=True).indices[:, 0],
    ]


def neural_bigram(T):
    """Lecture 1, part 2: one-hot inputs, a weight matrix trained by hand with W.data and
    W.grad, the loss plotted as log10."""
    F = T.nn.functional
    xs, ys, V = _pairs()
    xs, ys = T.tensor(xs), T.tensor(ys)
    W = T.tensor(np.random.default_rng(0).standard_normal((V, V)).astype(np.float32), requires_grad=True)
    lossi = []
    for _ in range(5):
        xenc = F.one_hot(xs, num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[T.arange(len(ys)), ys].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
        lossi.append(loss.log10().item())
    return [lossi, W, W.grad.norm(), W.grad.abs().max()]


class Head:
    """One head of causal self-attention, as in the GPT-from-scratch lecture."""

    @staticmethod
    def build(T, n_embd=8, head_size=4, block_size=5):
        nn = T.nn
        F = T.nn.functional

        class H(nn.Module):
            def __init__(self):
                super().__init__()
                self.key = nn.Linear(n_embd, head_size, bias=False)
                self.query = nn.Linear(n_embd, head_size, bias=False)
                self.value = nn.Linear(n_embd, head_size, bias=False)
                self.register_buffer("tril", T.tril(T.ones(block_size, block_size)))

            def forward(self, x):
                B, Tt, C = x.shape
                k = self.key(x)
                q = self.query(x)
                wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
                wei = wei.masked_fill(self.tril[:Tt, :Tt] == 0, float("-inf"))
                wei = F.softmax(wei, dim=-1)
                return wei @ self.value(x), wei

        return H()


def causal_attention(T):
    head = Head.build(T)
    seeded_state(T, head)
    x = T.tensor(np.random.default_rng(2).standard_normal((2, 4, 8)).astype(np.float32), requires_grad=True)
    out, wei = head(x)
    # the same mask the other way round: triu above the diagonal, as a bool mask
    mask = T.triu(T.ones(4, 4), diagonal=1).bool()
    scores = T.einsum("btc,bsc->bts", x, x).masked_fill(mask, float("-inf")).softmax(-1)
    loss = out.pow(2).sum() + (scores * x.sum(-1, keepdim=True)).sum() + wei[0].trace()
    loss.backward()
    grads = [p.grad for p in head.parameters()]
    return [out, wei, scores, x.grad, grads, wei.tril(), (wei == 0).sum(), head.tril.triu(1).sum()]


def sampling(T):
    """Top-k and nucleus (top-p) filtering of logits before sampling."""
    F = T.nn.functional
    logits = T.tensor(np.random.default_rng(3).standard_normal((2, 10)).astype(np.float32))
    k = 3
    v, ix = T.topk(logits, k)
    topk_logits = logits.clone()
    topk_logits[topk_logits < v[:, [-1]]] = -float("inf")
    probs = F.softmax(topk_logits, dim=-1)
    sorted_logits, sorted_idx = T.sort(logits, descending=True)
    cum = T.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
    remove = cum > 0.6
    remove[..., 1:] = remove[..., :-1].clone()
    remove[..., 0] = False
    kept = sorted_logits.masked_fill(remove, -float("inf"))
    nucleus = kept.gather(-1, sorted_idx.argsort(-1))  # back to the vocabulary order
    return [v, ix, probs, probs.argmax(-1), sorted_idx, cum, remove, nucleus, T.isinf(nucleus).sum(1)]


def manual_backprop_compare(T):
    """Lecture 4: backprop through batchnorm by hand, checked against autograd with the
    lecture's cmp (exact equality and allclose)."""
    rng = np.random.default_rng(4)
    hprebn = T.tensor(rng.standard_normal((8, 5)).astype(np.float32), requires_grad=True)
    bngain = T.tensor(rng.standard_normal((1, 5)).astype(np.float32), requires_grad=True)
    n = hprebn.shape[0]
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw
    hpreact.retain_grad()
    loss = (hpreact.tanh() ** 2).mean()
    loss.backward()
    dhpreact = hpreact.grad
    dhprebn = (
        bngain
        * bnvar_inv
        / n
        * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    )
    rs = (bnvar + 1e-5).rsqrt()

    def cmp(dt, t):
        ex = T.all(dt == t.grad).item()
        app = T.allclose(dt, t.grad, atol=1e-6)
        maxdiff = (dt - t.grad).abs().max().item()
        return [ex, app, maxdiff < 1e-5]

    return [cmp(dhprebn, hprebn), T.allclose(rs, bnvar_inv), T.isclose(rs, bnvar_inv).all(), loss.log10()]


def clip_by_hand(T):
    """Gradient-norm clipping written out, and the norms lectures print."""
    nn = T.nn
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    seeded_state(T, model)
    x = T.tensor(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
    loss = model(x).square().sum()
    loss.backward()
    params = list(model.parameters())
    total = T.norm(T.stack([p.grad.norm(2) for p in params]), 2)
    scale = (1.0 / (total + 1e-6)).clamp(max=1.0)
    norms = [T.linalg.norm(p.grad) for p in params]
    w = params[0]
    return [
        total,
        scale,
        norms,
        T.linalg.vector_norm(w, ord=float("inf")),
        T.linalg.matrix_norm(w.detach(), ord="nuc"),
        w.norm(dim=1, keepdim=True),
        T.linalg.norm(w, ord=1),
        T.outer(w[0], w[1]),
        w[:, :4].diag(),
        w[:, :4].trace(),
    ]


def activation_statistics(T):
    """Lecture 3's diagnostics: saturated tanh units, the activation histogram, dead
    neurons, and the class balance of labels."""
    rng = np.random.default_rng(5)
    h = T.tensor(rng.standard_normal((64, 10)).astype(np.float32) * 2).tanh()
    y = T.tensor(rng.integers(0, 4, 64))
    hy, hx = T.histogram(h, bins=10)
    return [
        (h.abs() > 0.99).float().mean(),
        T.histc(h, bins=10, min=-1, max=1),
        h.histc(5),
        hy,
        hx,
        (h.abs() > 0.99).all(dim=0),
        (h.abs() > 0.99).any(0, keepdim=True),
        T.unique(y, return_counts=True),
        y.bincount(minlength=6),
        T.isnan(h).any(),
        T.isfinite(h).all(),
        T.where(y == 3)[0],
        h.masked_select(h > 0.999),
    ]


def elementwise_family(T):
    """The elementwise ops lectures use, with their gradients."""
    x = T.tensor([[0.3, -1.7, 2.5], [0.5, 1.5, -0.01]], requires_grad=True)
    p = x.abs() + 0.1
    ys = [
        p.log10(),
        p.log2(),
        p.log1p(),
        x.expm1(),
        x.exp2(),
        p.rsqrt(),
        x.reciprocal(),
        x.square(),
        x.sign(),
        x.sgn(),
        x.floor(),
        x.ceil(),
        x.round(),
        x.round(decimals=1),
        x.trunc(),
        x.frac(),
    ]
    total = sum((y * (i + 1)).sum() for i, y in enumerate(ys))
    total.backward()
    z = x.detach().clone()
    z.mul_(2).floor_().abs_().sqrt_()
    return [ys, x.grad, z, [str(y.grad_fn.name()) for y in ys]]


def movement_and_scans(T):
    """flip, roll, cumsum/cumprod (discounted returns), einsum and the triangles."""
    rewards = T.tensor([1.0, 0.0, 2.0, 1.0], requires_grad=True)
    gamma = 0.9
    disc = T.full((4,), gamma).cumprod(0) / gamma
    returns = (rewards * disc).flip(0).cumsum(0).flip(0)
    rolled = rewards.roll(1)
    a = T.tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    mixed = T.einsum("ij,kj->ik", a, a).tril(-1) + a.cumprod(1)[:, :3].triu()
    (returns.sum() + rolled[0] + mixed.sum()).backward()
    ints = T.tensor([[1, 2], [3, 4]])
    return [
        returns,
        rolled,
        mixed,
        rewards.grad,
        a.grad,
        ints.cumsum(0),
        ints.cumprod(1),
        ints.cumsum(1, dtype=T.float32),
        ints.flip(0, 1),
        ints.tril(),
        ints.diag(),
        ints.trace(),
        a.t().is_contiguous(),
        a.t().contiguous().is_contiguous(),
    ]


def printing(T):
    """What lectures print: a loss with f-strings, tensors under set_printoptions, node names."""
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = T.tensor([[0.5], [-1.5]], requires_grad=True)
    b = T.tensor([0.25], requires_grad=True)
    loss = T.nn.functional.cross_entropy((x @ w + b).expand(2, 3), T.tensor([0, 2]))
    lines = [
        f"{loss}",
        f"{loss:.3f}",
        format(loss, ".5e"),
        f"step {3:3d} loss {loss.item():.4f}",
        repr(loss),
        re.sub(r" object at 0x[0-9a-f]+", "", str((x * 2).grad_fn)),  # ours has no address
        repr(T.nn.functional.linear(x, w.t(), b)),
        (x @ w).grad_fn.name(),
        loss.grad_fn.name(),
    ]
    try:
        T.set_printoptions(precision=2)
        lines.append(repr(T.tensor([1.12345, 2.5])))
        T.set_printoptions(sci_mode=False)
        lines.append(repr(T.tensor([1e-8, 1.0])))
        T.set_printoptions(threshold=5, edgeitems=2)
        lines.append(repr(T.arange(10)))
        T.set_printoptions(profile="short")
        lines.append(repr(T.tensor([[1.23456, 100.0]])))
    finally:
        T.set_printoptions(profile="default")
    lines.append(repr(T.tensor([1.12345])))
    return lines


def legacy_constructors(T):
    return [
        T.Tensor(2, 3).shape,
        T.Tensor(3).dtype,
        T.Tensor([1, 2]),
        T.Tensor(np.array([1, 2])),
        T.FloatTensor([1, 2]),
        T.LongTensor([1.5, 2.0]),
        T.DoubleTensor(2).dtype,
        T.IntTensor([1, 0]),
        T.BoolTensor([1, 0]),
        isinstance(T.ones(2), T.FloatTensor),
        isinstance(T.ones(2).long(), T.FloatTensor),
        isinstance(T.ones(2).long(), T.LongTensor),
        T.ones(2).type(T.LongTensor),
        T.ones(2).type(),
    ]


PROGRAMS = [
    bigram_counts,
    neural_bigram,
    causal_attention,
    sampling,
    manual_backprop_compare,
    clip_by_hand,
    activation_statistics,
    elementwise_family,
    movement_and_scans,
    printing,
    legacy_constructors,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_program_matches_pytorch(program):
    run_both(program)


# ---- single behaviours, side by side ----------------------------------------------------------------


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return "no error"


@pytest.mark.parametrize(
    "call",
    [
        lambda T: T.Tensor([1.0, 2.0], 5),
        lambda T: T.Tensor(3.5),
        lambda T: T.Tensor(2, -1),
        lambda T: format(T.ones(2), ".2f"),
        lambda T: T.ones(3).tril(),
        lambda T: T.ones(3).topk(4),
        lambda T: T.ones(2, dtype=T.long).norm(),
        lambda T: T.histc(T.tensor([1, 2]), bins=3),
        lambda T: T.bincount(T.tensor([1.0])),
        lambda T: T.linalg.norm(T.ones(2, 2, 2), ord=2),
        lambda T: T.ones(2).masked_select(T.ones(2)),
        lambda T: T.nn.functional.cross_entropy(T.randn(3, 4), T.tensor([1.0, 2.0, 0.0])),
        lambda T: T.nn.Linear(2, 3)([1.0, 2.0]),
        lambda T: T.nn.Linear(2, 3)(np.ones(2, np.float32)),
        lambda T: T.nn.ReLU()([1.0, 2.0]),
        lambda T: T.tensor([1, 2]).log10_(),
        lambda T: T.tensor([1, 2]).frac(),
        lambda T: T.einsum("ij,jk->ik", T.ones(2, 3), T.ones(2, 3)),
        lambda T: T.einsum("i,i->", T.ones(2), T.ones(2, dtype=T.float64)),
        lambda T: T.zeros(0).norm(float("inf")),
        lambda T: T.linalg.norm(T.ones(2, 2, 2), ord=1),
        lambda T: T.linalg.matrix_norm(T.ones(3)),
        lambda T: T.ones(2, 2).flip(0, 0),
        lambda T: T.arange(6).reshape(2, 3).roll((1, 2), 0),
        lambda T: T.bincount(T.tensor([-1, 2])),
        lambda T: T.ones(2, 2, 2).trace(),
        lambda T: T.ones(3).sort(1),
    ],
)
def test_misuse_raises_the_same_exception_type(call):
    assert _error(lambda: call(tg)) == _error(lambda: call(torch))


def test_reading_grad_of_a_non_leaf_warns_as_pytorch():
    for T in (torch, tg):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        with pytest.warns(UserWarning, match=r"not a leaf Tensor.*\.retain_grad\(\)"):
            assert y.grad is None
        y.retain_grad()
        y.sum().backward()
        assert y.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]


def test_teaching_errors_name_the_fix():
    with pytest.raises(RuntimeError, match=r"cross_entropy: .*target\.long\(\)"):
        tg.nn.functional.cross_entropy(tg.randn(3, 4), tg.tensor([1.0, 2.0, 0.0]))
    with pytest.raises(TypeError, match=r"Linear: the input .* must be a Tensor, not list"):
        tg.nn.Sequential(tg.nn.Linear(2, 3), tg.nn.ReLU())([1.0, 2.0])
    with pytest.raises(TypeError, match=r"Conv2d: the input .* must be a Tensor, not ndarray"):
        tg.nn.Conv2d(1, 1, 3)(np.ones((1, 1, 4, 4), np.float32))


def test_result_types_have_named_fields():
    x = np.array([[3.0, 1.0, 2.0]], np.float32)
    for T in (torch, tg):
        s = T.tensor(x).sort()
        t = T.tensor(x).topk(2)
        h = T.histogram(T.tensor(x), bins=2)
        assert type(s).__name__ == "sort" and type(t).__name__ == "topk" and type(h).__name__ == "histogram"
        assert s.values.tolist() == [[1.0, 2.0, 3.0]] and s.indices.dtype == T.int64
        assert t.indices.tolist() == [[0, 2]] and h.bin_edges.shape == (3,) and h.hist.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_and_histogram_bin_edges_match_pytorch(dtype):
    rng = np.random.default_rng(7)
    xs = [
        rng.standard_normal(1000).astype(dtype),
        np.linspace(0, 1, 101).astype(dtype),  # values on the bin edges
        np.full(5, 2.0, dtype),  # a constant: the range widens by 1 (histc) or 0.5 (histogram)
    ]
    for x in xs:
        for bins in (1, 7, 10):
            a, b = tg.histc(tg.tensor(x), bins=bins), torch.histc(torch.tensor(x), bins=bins)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            a = tg.histc(tg.tensor(x), bins=bins, min=-0.5, max=0.7)
            b = torch.histc(torch.tensor(x), bins=bins, min=-0.5, max=0.7)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            (ha, ea), (hb, eb) = tg.histogram(tg.tensor(x), bins), torch.histogram(torch.tensor(x), bins)
            np.testing.assert_array_equal(ha.numpy(), hb.numpy())
            np.testing.assert_allclose(ea.numpy(), eb.numpy(), rtol=1e-6)
            da = tg.histogram(tg.tensor(x), bins, range=(-1.0, 1.0), density=True).hist
            db = torch.histogram(torch.tensor(x), bins, range=(-1.0, 1.0), density=True).hist
            np.testing.assert_allclose(da.numpy(), db.numpy(), rtol=1e-6)
    w = rng.uniform(0, 1, 1000).astype(np.float32)
    edges = np.array([-3.0, -1.0, 0.0, 0.5, 3.0], np.float32)
    a = tg.histogram(tg.tensor(xs[0].astype(np.float32)), tg.tensor(edges), weight=tg.tensor(w))
    b = torch.histogram(torch.tensor(xs[0].astype(np.float32)), torch.tensor(edges), weight=torch.tensor(w))
    np.testing.assert_allclose(a.hist.numpy(), b.hist.numpy(), rtol=1e-5)


def test_sort_and_topk_with_ties_and_nan_match_pytorch():
    x = np.array([[2.0, 1.0, 2.0, np.nan, 1.0, 3.0, 2.0]], np.float32)
    for desc in (False, True):
        a = tg.tensor(x).sort(descending=desc, stable=True)
        b = torch.tensor(x).sort(descending=desc, stable=True)
        np.testing.assert_array_equal(a.values.numpy(), b.values.numpy())
        assert a.indices.tolist() == b.indices.tolist()
    a, b = tg.tensor(x[:, :3]).topk(2), torch.tensor(x[:, :3]).topk(2)
    assert a.values.tolist() == b.values.tolist()


def test_unique_forms_match_pytorch():
    x = np.array([[1, 3], [2, 3], [1, 3], [0, 0]])
    for kwargs in [{}, {"return_inverse": True}, {"return_counts": True}, {"dim": 0, "return_inverse": True}]:
        same(obs(torch.unique(torch.tensor(x), **kwargs)), obs(tg.unique(tg.tensor(x), **kwargs)))


def test_norm_gradient_at_zero_is_zero_as_pytorch():
    for p in (2, 1, 3, 0.5, float("inf")):
        a = tg.zeros(3, requires_grad=True)
        b = torch.zeros(3, requires_grad=True)
        a.norm(p).backward()
        b.norm(p).backward()
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_einsum_errors_and_forms():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for eq in ["ij->ji", "ij", "ij->", "ij,ij->ij", "i j , i j -> i"]:
        ops = (a,) if "," not in eq else (a, a)
        np.testing.assert_allclose(
            tg.einsum(eq, *[tg.tensor(o) for o in ops]).numpy(),
            torch.einsum(eq, *[torch.tensor(o) for o in ops]),
        )
    with pytest.raises(RuntimeError, match="einsum"):
        tg.einsum("ij,jk->ik", tg.ones(2, 3), tg.ones(2, 3))


def test_cumprod_with_zeros_matches_pytorch_to_second_order():
    x = np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [1.0, 2.0, 0.0, 4.0, 0.5]])
    outs = []
    for T in (tg, torch):
        t = T.tensor(x, requires_grad=True)
        (g,) = T.autograd.grad(t.cumprod(1).sum(), t, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), t)
        outs.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1])


def test_inplace_unary_forms_on_a_leaf_under_no_grad_and_a_view():
    for T in (tg, torch):
        w = T.tensor([[1.5, -2.5], [0.2, 4.0]], requires_grad=True)
        with T.no_grad():
            w.abs_().sqrt_()
        row = T.tensor([[4.0, 9.0], [16.0, 25.0]])
        row[0].sqrt_()
        assert row.tolist() == [[2.0, 3.0], [16.0, 25.0]]
        np.testing.assert_allclose(w.detach().numpy(), [[1.2247449, 1.5811388], [0.4472136, 2.0]], rtol=1e-6)


def test_format_of_a_zero_dim_tensor_is_the_number():
    for T in (tg, torch):
        loss = T.tensor(2.4543561935424805, dtype=T.float64)
        assert f"{loss}" == "2.4543561935424805" and f"{loss:.3f}" == "2.454"
        assert f"{T.tensor(3)}" == "3" and f"{T.tensor(True)}" == "True"
        assert f"{T.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    assert math.isclose(float(f"{tg.tensor(0.1)}"), 0.10000000149011612)


def test_edge_values_match_pytorch():
    progs = [
        lambda T: T.tensor([float("nan"), -0.0, 0.0, 2.0, -3.0]).sign(),
        lambda T: T.tensor([float("nan"), -0.0, 2.0]).sgn(),
        lambda T: T.tensor([0.5, 1.5, 2.5, -0.5, -1.5]).round(),
        lambda T: T.tensor([1234.5678, -0.125]).round(decimals=-2),
        lambda T: T.tensor([-1.25, 1.75]).frac(),
        lambda T: T.tensor([-1.0, 0.0, 1e-10]).log1p(),
        lambda T: T.tensor([1e-10, -1e-10]).expm1(),
        lambda T: T.tensor([0.0, -1.0]).rsqrt(),
        lambda T: T.zeros(0).sort()[0],
        lambda T: T.ones(3).topk(0)[0],
        lambda T: T.tensor(3.0).flip(0),
        lambda T: T.ones(2, 3).diagonal(5),
        lambda T: T.zeros(0, 2).nonzero(),
        lambda T: T.tensor([True, False, True]).argsort(stable=True),
        lambda T: T.tensor([1, 2], dtype=T.int32).cumprod(0),
        lambda T: T.outer(T.tensor([1, 2]), T.tensor([3.0, 4.0])),
        lambda T: T.ones(3, 1).expand(3, 4).is_contiguous(),
        lambda T: T.ones(3, 4)[:, ::2].is_contiguous(),
        lambda T: T.flip(T.arange(6).reshape(2, 3), dims=[0]),
        lambda T: T.arange(6).reshape(2, 3).flip(dims=(0, 1)),
        lambda T: T.arange(6).reshape(2, 3).flip([1]),
        lambda T: T.roll(T.arange(6).reshape(2, 3), shifts=(1,), dims=(1,)),
        lambda T: T.norm(T.arange(6.0).reshape(2, 3), dim=1),
        lambda T: T.topk(T.arange(6.0), k=2, dim=0, largest=False, sorted=True).indices,
        lambda T: T.sort(T.tensor([2, 1, 2]), 0, True).indices,
        lambda T: T.cumsum(T.tensor([1, 2]), dim=0, dtype=T.float64),
    ]
    for prog in progs:
        same(obs(prog(torch)), obs(prog(tg)))
