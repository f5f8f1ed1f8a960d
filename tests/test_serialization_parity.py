"""State dicts cross between PyTorch and tinygrad_np as plain arrays, through tinygrad_np.save/load."""

import io

import numpy as np
from conftest import requires_torch, torch  # a stand-in when PyTorch is absent

pytestmark = requires_torch

import tinygrad_np as tg  # noqa: E402
from tinygrad_np import nn  # noqa: E402


def _pair():
    ours = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    return ours, theirs


def test_our_checkpoint_loads_into_torch(tmp_path):
    tg.manual_seed(0)
    ours, theirs = _pair()
    tg.save(ours.state_dict(), tmp_path / "model.tg")
    loaded = tg.load(tmp_path / "model.tg")
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in loaded.items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_torch_checkpoint_loads_into_ours(tmp_path):
    torch.manual_seed(0)
    ours, theirs = _pair()
    tg.save({k: v.numpy() for k, v in theirs.state_dict().items()}, tmp_path / "from_torch.tg")
    ours.load_state_dict(tg.load(tmp_path / "from_torch.tg"))
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_torch_optimizer_state_dict_round_trips_as_arrays():
    q = torch.nn.Parameter(torch.randn(4))
    opt = torch.optim.Adam([q], lr=0.01)
    q.grad = torch.ones(4)
    opt.step()
    sd = opt.state_dict()
    as_arrays = {
        "state": {k: {n: v.numpy() for n, v in s.items()} for k, s in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    buf = io.BytesIO()
    tg.save(as_arrays, buf)
    buf.seek(0)
    out = tg.load(buf)
    assert out["param_groups"] == sd["param_groups"]
    for name, value in sd["state"][0].items():
        assert out["state"][0][name].dtype == value.numpy().dtype
        np.testing.assert_array_equal(out["state"][0][name], value.numpy())
