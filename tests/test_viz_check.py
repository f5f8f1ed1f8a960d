"""check_graph never passes vacuously (issue 12.3): ops it cannot check are in its result."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, viz
from tinygrad_np.autograd import Function


class Twice(Function):
    formula = "d(2x)/dx = 2"

    @staticmethod
    def forward(ctx, x, flag):
        return x * 2.0

    @staticmethod
    def backward(ctx, g):
        return g * 2.0, None


def test_nothing_checked_is_a_failing_result():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 4), nn.Sigmoid(), nn.Linear(4, 1))
    x = tg.linspace(0, 3, 8).reshape(-1, 1)
    loss = ((model(x) - x.sin()) ** 2).mean()
    with pytest.warns(UserWarning, match="skipped"):
        result = viz.check_graph(loss)
    assert result  # not empty: `assert not viz.check_graph(loss)` fails
    assert result.skipped and all(r.status == "skipped" and not r.ok for r in result)
    assert not result.failed


def test_non_tensor_arguments_are_reported_as_skipped():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    out = Twice.apply(x, True).sum()
    with pytest.warns(UserWarning):
        result = viz.check_graph(out, all=True)
    by_name = {r.name: r.status for r in result}
    assert by_name[Twice.name()] == "skipped"  # the flag is not a tensor: cannot re-run it
    assert result.checked == 0 and len(result) == 2


def test_scalar_constants_and_live_data_are_used_without_record_inputs():
    x = tg.tensor([0.3, -0.7], requires_grad=True)
    data = tg.tensor([2.0, 3.0])
    y = x * 3.0  # x is the edge's leaf, 3 the noted constant: checkable
    z = (y + data).sum()  # y was not kept by anyone: Add and Sum cannot be re-run
    with pytest.warns(UserWarning, match="skipped 2 op"):
        result = viz.check_graph(z, all=True)
    assert [r.status for r in result] == ["ok", "skipped", "skipped"]
    assert result.checked == 1
    with pytest.warns(UserWarning, match="skipped 2 op"):
        assert len(viz.check_graph(z)) == 2


def test_with_record_inputs_everything_is_checked_and_passes():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 4), nn.Sigmoid(), nn.Linear(4, 1))
    x = tg.linspace(0, 3, 8).reshape(-1, 1)
    with viz.record_inputs():
        loss = ((model(x) - x.sin()) ** 2).mean()
    result = viz.check_graph(loss)
    assert result == [] and result.checked >= 5
    assert np.isfinite(loss.item())
