"""nn.functional additions (nn/functional/extra.py: interpolate, kl_div, softmin, glu,
hardshrink, softshrink, pixel_shuffle/unshuffle, in-place activations) and ``erfinv``
(ops/special.py, ops/elementwise.py: Erfinv): gradcheck in float64 and PyTorch parity of values
and gradients, then errors.

Run: ``python -m pytest -q tests/test_functional_extra.py``
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from conftest import HAVE_TORCH, torch
from test_composite import _inputs, assert_matches_pytorch
from test_ops import Case

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch parity test: needs torch")
CASES: list[Case] = []


def add(id: str, fn: Any, *shapes: tuple[int, ...], domain: tuple[str, ...] = ()) -> None:
    CASES.append(Case(id, fn, tuple(shapes), domain))


def Fn(m: Any) -> Any:
    return m.nn.functional


add("interpolate-nearest-size", lambda m, x: Fn(m).interpolate(x, size=(5, 7)), (1, 2, 3, 4))
add("interpolate-nearest-scale", lambda m, x: Fn(m).interpolate(x, scale_factor=2), (2, 1, 3, 2))
add("interpolate-nearest-down", lambda m, x: Fn(m).interpolate(x, scale_factor=0.6), (1, 2, 5, 4))
add(
    "interpolate-nearest-exact",
    lambda m, x: Fn(m).interpolate(x, size=(4, 6), mode="nearest-exact"),
    (1, 1, 3, 4),
)
add("interpolate-nearest-1d", lambda m, x: Fn(m).interpolate(x, size=7), (2, 3, 4))
add("interpolate-linear", lambda m, x: Fn(m).interpolate(x, scale_factor=2.5, mode="linear"), (2, 3, 4))
add("interpolate-bilinear", lambda m, x: Fn(m).interpolate(x, size=(6, 5), mode="bilinear"), (1, 2, 3, 4))
add(
    "interpolate-bilinear-corners",
    lambda m, x: Fn(m).interpolate(x, scale_factor=(2, 1.5), mode="bilinear", align_corners=True),
    (1, 2, 3, 4),
)
add(
    "interpolate-bilinear-down", lambda m, x: Fn(m).interpolate(x, size=(2, 3), mode="bilinear"), (1, 1, 5, 7)
)
add(
    "interpolate-bilinear-recompute",
    lambda m, x: Fn(m).interpolate(x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True),
    (1, 1, 3, 4),
)
add(
    "interpolate-trilinear",
    lambda m, x: Fn(m).interpolate(x, size=(3, 4, 2), mode="trilinear"),
    (1, 1, 2, 3, 3),
)
add(
    "kl_div-batchmean",
    lambda m, x, y: Fn(m).kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
    (3, 4),
    (3, 4),
)
add(
    "kl_div-log-target",
    lambda m, x, y: Fn(m).kl_div(x, y.log_softmax(1), reduction="sum", log_target=True),
    (3, 4),
    (3, 4),
)
add("softmin", lambda m, x: Fn(m).softmin(x, dim=1), (3, 4))
add("glu", lambda m, x: Fn(m).glu(x), (3, 4))
add("glu-dim0", lambda m, x: Fn(m).glu(x, 0), (4, 3))
add("hardshrink", lambda m, x: Fn(m).hardshrink(x, 0.3), (3, 4), domain=("away",))
add("softshrink", lambda m, x: Fn(m).softshrink(x), (3, 4), domain=("away",))
add("pixel_shuffle", lambda m, x: Fn(m).pixel_shuffle(x, 2), (2, 8, 3, 2))
add("pixel_unshuffle", lambda m, x: Fn(m).pixel_unshuffle(x, 2), (1, 2, 4, 6))
add("pixel_shuffle-no-batch", lambda m, x: Fn(m).pixel_shuffle(x, 3), (9, 1, 2))
add("relu_-nonleaf", lambda m, x: Fn(m).relu_(x * 1), (3, 4), domain=("away",))
add("elu_-nonleaf", lambda m, x: Fn(m).elu_(x * 1, 0.5), (3, 4), domain=("away",))
add("leaky_relu_-nonleaf", lambda m, x: Fn(m).leaky_relu_(x * 1, 0.2), (3, 4), domain=("away",))
add("hardtanh_-nonleaf", lambda m, x: Fn(m).hardtanh_(x * 2, -1.0, 0.5), (3, 4), domain=("away",))
add(
    "margin_ranking_loss",
    lambda m, a, b: Fn(m).margin_ranking_loss(a, b, m.tensor([1.0, -1.0, 1.0, -1.0], dtype=a.dtype), 0.1),
    (4,),
    (4,),
)
add(
    "hinge_embedding_loss",
    lambda m, x: Fn(m).hinge_embedding_loss(
        x, m.tensor([1.0, -1.0, -1.0, 1.0], dtype=x.dtype), reduction="sum"
    ),
    (3, 4),
    domain=("away",),
)
add(
    "soft_margin_loss",
    lambda m, x: Fn(m).soft_margin_loss(x, m.tensor([1.0, -1.0, -1.0, 1.0], dtype=x.dtype)),
    (3, 4),
)
add(
    "cosine_embedding_loss",
    lambda m, a, b: Fn(m).cosine_embedding_loss(a, b, m.tensor([1.0, -1.0, 1.0], dtype=a.dtype), margin=-0.5),
    (3, 4),
    (3, 4),
)
add(
    "triplet_margin_loss",
    lambda m, a, p, n: Fn(m).triplet_margin_loss(a, p, n, margin=2.0),
    (3, 4),
    (3, 4),
    (3, 4),
)
add(
    "triplet_margin_loss-swap-p1",
    lambda m, a, p, n: Fn(m).triplet_margin_loss(a, p, n, p=1, swap=True, reduction="none"),
    (3, 4),
    (3, 4),
    (3, 4),
)
add(
    "gaussian_nll_loss",
    lambda m, x, y, v: Fn(m).gaussian_nll_loss(x, y, v),
    (3, 4),
    (3, 4),
    (3, 4),
    domain=("any", "any", "pos"),
)
add(
    "gaussian_nll_loss-per-sample-var-full",
    lambda m, x, y, v: Fn(m).gaussian_nll_loss(x, y, v, full=True, reduction="sum"),
    (3, 4),
    (3, 4),
    (3,),
    domain=("any", "any", "pos"),
)
add("poisson_nll_loss", lambda m, x, y: Fn(m).poisson_nll_loss(x, y), (3, 4), (3, 4), domain=("any", "pos"))
add(
    "poisson_nll_loss-rate-full",
    lambda m, x, y: Fn(m).poisson_nll_loss(x, y * 2, log_input=False, full=True),
    (3, 4),
    (3, 4),
    domain=("pos", "pos"),
)
add("group_norm", lambda m, x, w, b: Fn(m).group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,))
add("group_norm-no-affine", lambda m, x: Fn(m).group_norm(x, 1), (2, 3, 2, 2))
add("rms_norm", lambda m, x, w: Fn(m).rms_norm(x, (4,), w), (3, 4), (4,))
add("rms_norm-eps-2d", lambda m, x: Fn(m).rms_norm(x, [3, 4], eps=1e-3), (2, 3, 4))
add("adaptive_avg_pool1d", lambda m, x: Fn(m).adaptive_avg_pool1d(x, 2), (2, 3, 4))
add("erfinv", lambda m, x: m.erfinv(x), (3, 4), domain=("unit",))
add("erfinv-method-inplace", lambda m, x: (x * 1).erfinv_(), (3, 4), domain=("unit",))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradcheck(case: Case) -> None:
    xs = _inputs(case, np.float64, tg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda *a: case.fn(tg, *a), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_and_gradients_match_pytorch(case: Case, dtype: Any) -> None:
    assert_matches_pytorch(case, dtype)


def test_erfinv_second_order_and_edges() -> None:
    x = tg.tensor([0.3, -0.95, 0.0], dtype=tg.float64, requires_grad=True)
    assert gradgradcheck(tg.erfinv, (x,))
    out = tg.tensor([1.0, -1.0, 1.5, -0.0, float("nan")]).erfinv()
    assert out.tolist()[:2] == [float("inf"), float("-inf")] and np.isnan(out.tolist()[2])
    assert np.signbit(out.numpy()[3]) and np.isnan(out.tolist()[4])
    assert tg.erfinv(tg.tensor([0, 1])).dtype == tg.float32


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfinv_matches_pytorch_across_the_domain(dtype: Any) -> None:
    y = np.concatenate([np.linspace(-1, 1, 20001), [1 - 1e-7, -1 + 1e-7, 1e-30, 0.5, np.nextafter(0.5, 1)]])
    y = y.astype(dtype)
    ours, ref = tg.tensor(y).erfinv().numpy(), torch.tensor(y).erfinv().numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_trunc_normal_by_hand_with_erfinv_() -> None:
    """The initialiser timm and many ViT codes write: uniform_, erfinv_, mul_, add_, clamp_."""
    tg.manual_seed(0)
    t = tg.empty(20000)
    with tg.no_grad():
        t.uniform_(2 * 0.02275 - 1, 2 * 0.97725 - 1)  # the CDF at -2 and 2 standard deviations
        t.erfinv_().mul_(0.5 * np.sqrt(2.0)).add_(1.0).clamp_(min=0.0, max=2.0)
    a = t.numpy()
    assert a.min() >= 0.0 and a.max() <= 2.0 and abs(a.mean() - 1.0) < 0.02 and 0.4 < a.std() < 0.48


@needs_torch
def test_interpolate_in_float32_matches_pytorch_on_odd_scales() -> None:
    a = np.random.default_rng(0).standard_normal((2, 3, 7, 5)).astype(np.float32)
    for kw in (
        dict(scale_factor=1.3, mode="bilinear"),
        dict(scale_factor=0.7, mode="nearest"),
        dict(size=(13, 3), mode="bilinear", align_corners=True),
        dict(size=(1, 1), mode="bilinear", align_corners=True),
        dict(scale_factor=3, mode="nearest-exact"),
    ):
        ours = Fn(tg).interpolate(tg.tensor(a), **kw).numpy()
        ref = Fn(torch).interpolate(torch.tensor(a), **kw).numpy()
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6, err_msg=str(kw))


def test_kl_div_mean_warns_as_pytorch() -> None:
    with pytest.warns(UserWarning, match="batchmean"):
        Fn(tg).kl_div(tg.zeros(2, 3), tg.ones(2, 3) / 3)


def test_upsample_is_deprecated_for_interpolate() -> None:
    with pytest.warns(UserWarning, match="deprecated"):
        out = Fn(tg).upsample(tg.ones(1, 1, 2, 2), scale_factor=2)
    assert out.shape == (1, 1, 4, 4)


def test_inplace_activation_returns_its_input() -> None:
    x = tg.tensor([-1.0, 2.0])
    assert Fn(tg).relu_(x) is x and x.tolist() == [0.0, 2.0]
    y = tg.tensor([-1.0, 2.0])
    assert Fn(tg).leaky_relu_(y, 0.5) is y and y.tolist() == [-0.5, 2.0]


ERRORS = [
    (lambda m: Fn(m).interpolate(m.ones(1, 1, 2, 2)), ValueError),
    (lambda m: Fn(m).interpolate(m.ones(1, 1, 2, 2), size=3, scale_factor=2), ValueError),
    (lambda m: Fn(m).interpolate(m.ones(1, 1, 2, 2), size=(3, 3, 3)), ValueError),
    (lambda m: Fn(m).interpolate(m.ones(1, 1, 2, 2), size=3, mode="nearest", align_corners=True), ValueError),
    (lambda m: Fn(m).interpolate(m.ones(1, 1, 2), size=3, mode="bilinear"), NotImplementedError),
    (lambda m: Fn(m).glu(m.ones(2, 3)), RuntimeError),
    (lambda m: Fn(m).pixel_shuffle(m.ones(1, 3, 2, 2), 2), RuntimeError),
    (lambda m: Fn(m).pixel_unshuffle(m.ones(1, 1, 3, 2), 2), RuntimeError),
    (lambda m: Fn(m).softshrink(m.ones(2), -1.0), RuntimeError),
]


@pytest.mark.parametrize("call, error", ERRORS, ids=range(len(ERRORS)))
def test_errors(call: Any, error: type) -> None:
    with pytest.raises(error):
        call(tg)


@needs_torch
@pytest.mark.parametrize("call, error", ERRORS, ids=range(len(ERRORS)))
def test_pytorch_raises_the_same_error_type(call: Any, error: type) -> None:
    with pytest.raises(error):
        call(torch)
