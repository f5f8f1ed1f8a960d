"""Sampling and creation as PyTorch takes them: ``multinomial`` (the way language models
sample text), ``bernoulli``, ``normal`` in all its overloads, the keyword forms of the
creation functions (``randn(size=...)``, ``randint(low=, high=, size=)``), the ``*_like``
functions and ``generator=`` everywhere.

The random streams differ from PyTorch's (NumPy's PCG64 draws the numbers), so samples are
compared by their law (frequencies within sampling noise), and everything deterministic
(shapes, dtypes, errors, gradients, a bigram model's loss) exactly.
"""

import numpy as np
import pytest
from conftest import requires_torch, torch  # noqa: E402

import tinygrad_np as tg

pytestmark = requires_torch


def outcome(fn):
    """What a call does: its (shape, dtype) or its (exception type, first line)."""
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - the exception is the observation
        return type(e).__name__, str(e).split("\n")[0]
    return tuple(r.shape), str(r.dtype).split(".")[-1], bool(r.requires_grad)


# ---- multinomial -----------------------------------------------------------------------------


MULTINOMIAL_CASES = [
    "M.multinomial(M.tensor([1.0, 2.0]), 3)",
    "M.multinomial(M.tensor([1.0, 2.0]), 2)",
    "M.multinomial(M.tensor([1, 2]), 1)",
    "M.multinomial(M.tensor([-1.0, 2.0]), 1)",
    "M.multinomial(M.tensor([-1.0, 2.0]), 2, True)",
    "M.multinomial(M.tensor([0.0, 0.0]), 1)",
    "M.multinomial(M.tensor([0.0, 0.0]), 3, True)",
    "M.multinomial(M.tensor([[0.0, 0.0], [1.0, 1.0]]), 3, True)",
    "M.multinomial(M.tensor([float('inf'), 1.0]), 3, True)",
    "M.multinomial(M.tensor([float('inf'), 1.0]), 1)",
    "M.multinomial(M.tensor([1.0, 2.0]), 0)",
    "M.multinomial(M.tensor([1.0, 2.0]), -1)",
    "M.multinomial(M.tensor(1.0), 1)",
    "M.multinomial(M.ones(2, 2, 2), 1)",
    "M.multinomial(M.ones(3), 2.0)",
    "M.multinomial(M.ones(2, requires_grad=True), 1)",
    "M.multinomial(M.ones(0, 3), 1)",
    "M.multinomial(M.ones(3, dtype=M.float64), 2)",
    "M.multinomial(M.ones(4, 5), 7, replacement=True)",
    "M.ones(4, 5).multinomial(3)",
    "M.multinomial(M.ones(5), num_samples=1, replacement=True, generator=M.Generator().manual_seed(1))",
]


@pytest.mark.parametrize("case", MULTINOMIAL_CASES)
def test_multinomial_shapes_dtypes_and_errors_match_pytorch(case):
    assert outcome(lambda: eval(case, {"M": tg})) == outcome(lambda: eval(case, {"M": torch}))


def test_multinomial_with_replacement_follows_the_weights():
    w = tg.tensor([[1.0, 2.0, 3.0, 0.0], [0.0, 0.0, 1.0, 1.0]])  # unnormalised, zeros never drawn
    s = tg.multinomial(w, 200_000, replacement=True, generator=tg.Generator().manual_seed(0)).numpy()
    for row, probs in zip(s, [[1 / 6, 2 / 6, 3 / 6, 0], [0, 0, 0.5, 0.5]], strict=True):
        np.testing.assert_allclose(np.bincount(row, minlength=4) / row.size, probs, atol=4e-3)
        assert np.bincount(row, minlength=4)[np.asarray(probs) == 0].sum() == 0


def test_multinomial_without_replacement_draws_one_by_one():
    """P(first = i, second = j) = p_i p_j / (1 - p_i): drawing without putting back."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    w = tg.tensor(np.tile(p, (100_000, 1)))
    s = tg.multinomial(w, 2, generator=tg.Generator().manual_seed(1)).numpy()
    assert (s[:, 0] != s[:, 1]).all()
    freq = np.zeros((4, 4))
    np.add.at(freq, (s[:, 0], s[:, 1]), 1)
    expected = p[:, None] * p[None, :] / (1 - p[:, None])
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(freq / len(s), expected, atol=5e-3)
    # every category once, zero-weight ones last (as PyTorch)
    full = tg.multinomial(tg.tensor([0.0, 5.0, 0.0, 1.0]), 4).tolist()
    assert sorted(full) == [0, 1, 2, 3] and set(full[2:]) == {0, 2}


def test_multinomial_generator_reproduces_and_out():
    w = tg.rand(3, 10)
    a = tg.multinomial(w, 5, True, generator=tg.Generator().manual_seed(7))
    b = w.multinomial(5, True, generator=tg.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()
    tg.manual_seed(3)
    c = tg.multinomial(w, 4)
    tg.manual_seed(3)
    assert tg.multinomial(w, 4).tolist() == c.tolist()
    out = tg.empty(0, dtype=tg.int64)
    assert tg.multinomial(w, 2, out=out) is out and tuple(out.shape) == (3, 2)


def bigram_names(T):
    """makemore's bigram lecture: count character pairs, smooth, normalise, score the
    words by negative log-likelihood and sample new names with multinomial."""
    words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn"]
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    V = len(stoi)
    N = T.zeros((V, V), dtype=T.int32)
    for w in words:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            N[stoi[a], stoi[b]] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    log_likelihood, n = 0.0, 0
    for w in words:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            log_likelihood += T.log(P[stoi[a], stoi[b]])
            n += 1
    nll = -log_likelihood / n
    g = T.Generator().manual_seed(2147483647)
    samples = []
    for _ in range(5):
        out, ix = [], 0
        while True:
            ix = T.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        samples.append("".join(out))
    return nll.item(), N.sum().item(), samples, set("".join(samples)) <= set(stoi)


def test_bigram_language_model_matches_pytorch():
    ours, theirs = bigram_names(tg), bigram_names(torch)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-6)
    assert ours[1] == theirs[1]
    assert ours[3] and theirs[3] and all(s.endswith(".") for s in ours[2])


def test_char_mlp_sampling_loop_runs():
    """The MLP lecture's sampling loop: embedding lookup, tanh layer, softmax, multinomial."""
    g = tg.Generator().manual_seed(2147483647)
    C = tg.randn((27, 10), generator=g)
    W1 = tg.randn((30, 200), generator=g) * 0.2
    W2 = tg.randn((200, 27), generator=g) * 0.01
    names = []
    for _ in range(3):
        context, out = [0, 0, 0], []
        while True:
            emb = C[tg.tensor([context])]
            h = tg.tanh(emb.view(1, -1) @ W1)
            probs = tg.nn.functional.softmax(h @ W2, dim=1)
            ix = tg.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0 or len(out) > 50:
                break
        names.append(out)
    assert all(isinstance(i, int) and 0 <= i < 27 for n in names for i in n)


# ---- bernoulli / poisson ----------------------------------------------------------------------

BERNOULLI_CASES = [
    "M.bernoulli(M.tensor([2.0]))",
    "M.bernoulli(M.tensor([1, 0]))",
    "M.bernoulli(M.tensor([0.5], requires_grad=True))",
    "M.bernoulli(M.tensor([0.5], dtype=M.float64), 0.3)",
    "M.bernoulli(M.tensor([0.5]), 1.3)",
    "M.ones(3).bernoulli_(2.0)",
    "M.ones(3, dtype=M.long).bernoulli_(0.5)",
    "M.ones(3).bernoulli(p=0.5)",
    "M.ones(2, 3).bernoulli_(M.full((3,), 0.5))",
    "M.bernoulli(M.rand(2, 3), generator=M.Generator().manual_seed(0))",
]


@pytest.mark.parametrize("case", BERNOULLI_CASES)
def test_bernoulli_shapes_dtypes_and_errors_match_pytorch(case):
    ours, theirs = outcome(lambda: eval(case, {"M": tg})), outcome(lambda: eval(case, {"M": torch}))
    if theirs[0] == "RuntimeError" and "p_in" in theirs[1]:
        assert ours[0] == "RuntimeError" and "[0, 1]" in ours[1]
    elif theirs[0] == "NotImplementedError":
        assert ours[0] == "NotImplementedError"
    else:
        assert ours == theirs


def test_bernoulli_frequency_and_zero_gradient():
    p = tg.tensor([0.0, 0.2, 0.7, 1.0], requires_grad=True)
    draws = tg.bernoulli(p.expand(100_000, 4).contiguous(), generator=tg.Generator().manual_seed(0))
    np.testing.assert_allclose(draws.detach().numpy().mean(0), [0.0, 0.2, 0.7, 1.0], atol=5e-3)
    y = tg.bernoulli(p)
    assert type(y.grad_fn).__name__ == "Bernoulli"
    y.sum().backward()
    assert p.grad.tolist() == [0.0, 0.0, 0.0, 0.0]
    x = tg.zeros(100_000)
    x.bernoulli_(tg.tensor(0.25))
    assert abs(x.mean().item() - 0.25) < 5e-3


def test_poisson_mean():
    rate = tg.full((50_000,), 3.0)
    assert abs(tg.poisson(rate, tg.Generator().manual_seed(0)).mean().item() - 3.0) < 0.05
    with pytest.raises(RuntimeError, match="non-negative"):
        tg.poisson(tg.tensor([-1.0]))


# ---- normal -------------------------------------------------------------------------------------

NORMAL_CASES = [
    "M.normal(0.0, -1.0, (2,))",
    "M.normal(M.zeros(2), -1.0)",
    "M.normal(M.zeros(2), M.tensor([-1.0, 1.0]))",
    "M.normal(M.zeros(2, 1), M.ones(3))",
    "M.normal(M.zeros(2), M.ones(2, dtype=M.float64))",
    "M.normal(M.zeros(2, dtype=M.float64), 1.0)",
    "M.normal(0.0, M.ones(2, dtype=M.float64))",
    "M.normal(0, 1, (2,))",
    "M.normal(2, 3, size=(2,), requires_grad=True)",
    "M.normal(2, 3, size=(2, 3), dtype=M.float64)",
    "M.normal(mean=0.5, std=2.0, size=(4,), generator=M.Generator().manual_seed(0))",
    "M.normal(M.zeros(2), std=M.ones(2))",
    "M.normal(M.zeros(2, requires_grad=True), std=M.ones(2))",
    "M.normal(M.zeros(2, requires_grad=True), std=2.0)",
    "M.normal(0.0, std=M.ones(2, requires_grad=True))",
    "M.normal(M.zeros(3), M.ones(3), generator=M.Generator())",
]


@pytest.mark.parametrize("case", NORMAL_CASES)
def test_normal_overloads_match_pytorch(case):
    assert outcome(lambda: eval(case, {"M": tg})) == outcome(lambda: eval(case, {"M": torch}))


def test_normal_statistics_and_reparameterised_gradient():
    mean = tg.tensor([1.0, -2.0], requires_grad=True)
    std = tg.tensor([0.5, 3.0], requires_grad=True)
    y = tg.normal(mean.expand(200_000, 2), std.expand(200_000, 2), generator=tg.Generator().manual_seed(0))
    np.testing.assert_allclose(y.detach().numpy().mean(0), [1.0, -2.0], atol=0.03)
    np.testing.assert_allclose(y.detach().numpy().std(0), [0.5, 3.0], rtol=0.01)
    y.sum().backward()
    eps = (y.detach() - mean.detach()) / std.detach()
    np.testing.assert_allclose(mean.grad.numpy(), [200_000, 200_000])
    np.testing.assert_allclose(std.grad.numpy(), eps.sum(0).numpy(), rtol=1e-4)


def test_normal_gradcheck_float64():
    def f(m, s):  # the same draw every call: a fixed generator seed
        return tg.normal(m, s, generator=tg.Generator().manual_seed(5))

    m = tg.randn(3, 2, dtype=tg.float64, requires_grad=True)
    s = (tg.rand(3, 2, dtype=tg.float64) + 0.5).requires_grad_()
    assert tg.autograd.gradcheck(f, (m, s))
    assert tg.autograd.gradcheck(lambda m: tg.normal(m, 2.0, generator=tg.Generator().manual_seed(1)), (m,))
    assert tg.autograd.gradgradcheck(f, (m, s))


# ---- creation in PyTorch's keyword forms ----------------------------------------------------------

CREATION_CASES = [
    "M.randn(size=(2, 3))",
    "M.randn((2, 3), generator=M.Generator().manual_seed(0), dtype=M.float64)",
    "M.randn(())",
    "M.randn([])",
    "M.randn(2, 3.0)",
    "M.randn(2.5)",
    "M.rand(size=(2,))",
    "M.rand(2, dtype=M.long)",
    "M.rand(2, 3, requires_grad=True)",
    "M.zeros(size=[2, 3])",
    "M.zeros((2, 3), size=(2,))",
    "M.zeros()",
    "M.zeros(True)",
    "M.zeros(M.tensor(3))",
    "M.ones(size=(2, 3), dtype=M.int32)",
    "M.empty(size=(2,))",
    "M.full((), 3)",
    "M.full([], 2.0)",
    "M.full((2,), True)",
    "M.full(size=(2,), fill_value=3.0)",
    "M.full((2,), M.tensor(3.0))",
    "M.rand_like(M.zeros(2, 3))",
    "M.rand_like(M.zeros(2), requires_grad=True)",
    "M.rand_like(M.zeros(2), dtype=M.float64)",
    "M.randn_like(M.zeros(2, dtype=M.float64))",
    "M.randint(3, 5, size=(2,))",
    "M.randint(low=3, high=5, size=(2,))",
    "M.randint(high=5, size=(2,))",
    "M.randint(5, (2,), dtype=M.float32)",
    "M.randint(5, (2, 2), generator=M.Generator().manual_seed(0))",
    "M.randint(5, 3, (2,))",
    "M.randint_like(M.zeros(2), 5)",
    "M.randint_like(M.zeros(2), 3, 5)",
    "M.randint_like(M.zeros(2), low=3, high=5)",
    "M.randint_like(M.zeros(2, dtype=M.long), 5)",
    "M.randperm(4, dtype=M.float32)",
    "M.randperm(0)",
    "M.randperm(-1)",
    "M.randperm(5, generator=M.Generator().manual_seed(0))",
    "M.empty_like(M.zeros(2, 3), dtype=M.float64)",
    "M.empty_like(M.zeros(2, 3, dtype=M.int32))",
]


@pytest.mark.parametrize("case", CREATION_CASES)
def test_creation_keyword_forms_match_pytorch(case):
    ours, theirs = outcome(lambda: eval(case, {"M": tg})), outcome(lambda: eval(case, {"M": torch}))
    if theirs[0] in ("TypeError", "NotImplementedError", "RuntimeError") and len(theirs) == 2:
        assert ours[0] == theirs[0], (ours, theirs)
    else:
        assert ours == theirs


def test_randint_and_randperm_values():
    x = tg.randint(low=3, high=6, size=(10_000,), generator=tg.Generator().manual_seed(0))
    assert set(x.tolist()) == {3, 4, 5}
    assert sorted(tg.randperm(10).tolist()) == list(range(10))
    assert set(tg.randint_like(tg.zeros(1000, dtype=tg.int32), 2, 4).tolist()) == {2, 3}


def test_every_random_function_takes_a_generator():
    calls = [
        lambda g: tg.rand(3, generator=g),
        lambda g: tg.randn(3, generator=g),
        lambda g: tg.rand_like(tg.zeros(3), generator=g),
        lambda g: tg.randn_like(tg.zeros(3), generator=g),
        lambda g: tg.randint(0, 9, (3,), generator=g),
        lambda g: tg.randint_like(tg.zeros(3), 9, generator=g),
        lambda g: tg.randperm(9, generator=g),
        lambda g: tg.normal(0.0, 1.0, (3,), generator=g),
        lambda g: tg.normal(tg.zeros(3), tg.ones(3), generator=g),
        lambda g: tg.bernoulli(tg.full((3,), 0.5), generator=g),
        lambda g: tg.multinomial(tg.ones(9), 3, generator=g),
        lambda g: tg.poisson(tg.ones(3), generator=g),
        lambda g: tg.zeros(3).uniform_(generator=g),
        lambda g: tg.zeros(3).normal_(generator=g),
        lambda g: tg.zeros(3).bernoulli_(0.5, generator=g),
    ]
    for call in calls:
        a = call(tg.Generator().manual_seed(11))
        b = call(tg.Generator().manual_seed(11))
        assert a.tolist() == b.tolist()


def test_rng_state_round_trip():
    state = tg.get_rng_state()
    assert state.dtype == tg.uint8 and state.ndim == 1
    a = tg.randn(5)
    tg.set_rng_state(state)
    assert tg.randn(5).tolist() == a.tolist()
    g = tg.Generator().manual_seed(3)
    saved = g.get_state()
    x = tg.multinomial(tg.ones(10), 4, generator=g)
    g.set_state(saved)
    assert tg.multinomial(tg.ones(10), 4, generator=g).tolist() == x.tolist()
    with pytest.raises(RuntimeError, match="uint8 tensor of 40 bytes"):
        g.set_state(tg.zeros(3))
