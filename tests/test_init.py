"""nn.init extras: truncated normal, identity, orthogonal (no PyTorch needed)."""

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.nn as nn


def test_trunc_normal_bounds_and_seed():
    w = tg.empty(200, 50)
    tg.manual_seed(1)
    out = nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert out is w and w._data.min() >= -0.5 and w._data.max() <= 1.0
    first = w._data.copy()
    tg.manual_seed(1)
    nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0)
    np.testing.assert_array_equal(w._data, first)
    with pytest.raises(ValueError, match="a < b"):
        nn.init.trunc_normal_(w, a=1.0, b=0.0)


def test_eye_and_orthogonal():
    w = nn.Parameter(tg.empty(3, 5))
    nn.init.eye_(w)
    np.testing.assert_array_equal(w._data, np.eye(3, 5))
    assert w.grad_fn is None and w.requires_grad
    for shape in [(4, 6), (6, 4), (3, 2, 2, 2)]:
        q = nn.init.orthogonal_(tg.empty(*shape), gain=2.0)._data.reshape(shape[0], -1)
        small = q @ q.T if shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.eye_(tg.empty(2, 2, 2))
