"""Hypothesis over random conv/pool configurations: values and gradients equal PyTorch's."""

import numpy as np
import pytest
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch
hyp = pytest.importorskip("hypothesis", reason="property tests need hypothesis")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import tinygrad_np as tg  # noqa: E402
import tinygrad_np.nn.functional as F  # noqa: E402

TF = torch.nn.functional


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(dh * (kh - 1) + 1, 8))
    w = draw(st.integers(dw * (kw - 1) + 1, 8))
    n = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    return n, cin, cout, (kh, kw), (sh, sw), (dh, dw), (ph, pw), (h, w), groups, seed


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_conv2d_random_configs(case):
    n, cin, cout, k, s, d, p, (h, w), groups, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, cin, h, w))
    wt = rng.standard_normal((cout, cin // groups, *k))
    b = rng.standard_normal(cout)
    xo, wo, bo = (tg.tensor(a, requires_grad=True) for a in (x, wt, b))
    xt, wtt, bt = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    yo = F.conv2d(xo, wo, bo, stride=s, padding=p, dilation=d, groups=groups)
    yt = TF.conv2d(xt, wtt, bt, stride=s, padding=p, dilation=d, groups=groups)
    np.testing.assert_allclose(yo.data, yt.detach().numpy(), rtol=1e-9, atol=1e-9)
    g = rng.standard_normal(yt.shape)
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    for ours, theirs in ((xo, xt), (wo, wtt), (bo, bt)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-9)


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h, w = draw(st.integers(kh, 7)), draw(st.integers(kw, 7))
    return (kh, kw), (sh, sw), (ph, pw), (h, w), draw(st.booleans()), draw(st.integers(0, 2**16))


@settings(max_examples=25, deadline=None)
@given(pool_cases())
def test_pools_random_configs(case):
    k, s, p, (h, w), include_pad, seed = case
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    for ours_fn, theirs_fn, kw in (
        (F.max_pool2d, TF.max_pool2d, {}),
        (F.avg_pool2d, TF.avg_pool2d, {"count_include_pad": include_pad}),
    ):
        xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yo, yt = ours_fn(xo, k, s, p, **kw), theirs_fn(xt, k, s, p, **kw)
        np.testing.assert_allclose(yo.data, yt.detach().numpy(), rtol=1e-12)
        yo.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-12)
