"""Whole training runs: nn + optim + data + save/load together, as a user writes them.

The PyTorch side-by-side run skips (with a reason) when torch is absent.
"""

import io

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, optim
from tinygrad_np.data import DataLoader, datasets
from tinygrad_np.optim import lr_scheduler


def _accuracy(logits, labels):
    return float((logits.argmax(1)._data == labels._data).mean())


def test_sine_network_fits_sin():
    """The classic 1 -> 20 sigmoid -> 1 network, MSE loss, full-batch SGD with momentum."""
    tg.manual_seed(0)
    x, y = datasets.sine(100).tensors
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.MSELoss()
    for _ in range(1000):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    with tg.no_grad():
        mse = loss_fn(model(x), y).item()
        x_test = tg.tensor(np.linspace(0.05, np.pi - 0.05, 37, dtype=np.float32)[:, None])
        test_mse = float(((model(x_test)._data - np.sin(x_test._data)) ** 2).mean())
    assert mse < 1e-3 and test_mse < 1e-3


def test_xor_is_solved():
    tg.manual_seed(1)
    x, y = datasets.xor().tensors
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    with tg.no_grad():
        predictions = (model(x)._data > 0).astype(np.float32)
    np.testing.assert_array_equal(predictions, y._data)
    assert loss.item() < 0.05


def test_two_moons_minibatches_reach_97_percent():
    tg.manual_seed(2)
    train = datasets.two_moons(400, noise=0.1)
    test_x, test_y = datasets.two_moons(400, noise=0.1).tensors
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    sched = lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    for _ in range(40):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        sched.step()
    with tg.no_grad():
        train_acc = _accuracy(model(train.tensors[0]), train.tensors[1])
        test_acc = _accuracy(model(test_x), test_y)
    assert train_acc > 0.97 and test_acc > 0.97
    assert sched.get_last_lr()[0] == pytest.approx(0.01 * 0.5**2)


def test_spirals_with_rmsprop():
    tg.manual_seed(3)
    ds = datasets.spirals(100, classes=3, noise=0.1)
    x, y = ds.tensors
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = optim.RMSprop(model.parameters(), lr=0.005)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(60):
        for xb, yb in DataLoader(ds, batch_size=50, shuffle=True):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    with tg.no_grad():
        assert _accuracy(model(x), y) > 0.95


def _train_steps(model, opt, batches, loss_fn):
    losses = []
    for xb, yb in batches:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_checkpoint_resume_gives_the_uninterrupted_run():
    """Save model + optimizer + scheduler mid-training, load into fresh objects, continue:
    the losses and weights equal those of a run that never stopped."""

    def make():
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
        opt = optim.Adam(model.parameters(), lr=0.02, amsgrad=True)
        return model, opt, lr_scheduler.ExponentialLR(opt, gamma=0.9)

    tg.manual_seed(4)
    x, y = datasets.two_moons(64, noise=0.2).tensors
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    tg.manual_seed(5)
    model, opt, sched = make()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    loss_fn = nn.CrossEntropyLoss()

    full = []
    for _ in range(6):
        full += _train_steps(model, opt, batches, loss_fn)
        sched.step()

    model2, opt2, sched2 = make()
    model2.load_state_dict(init)
    resumed = []
    for _ in range(3):
        resumed += _train_steps(model2, opt2, batches, loss_fn)
        sched2.step()
    buf = io.BytesIO()
    tg.save({"model": model2.state_dict(), "optim": opt2.state_dict(), "sched": sched2.state_dict()}, buf)
    buf.seek(0)
    ckpt = tg.load(buf)
    model3, opt3, sched3 = make()
    model3.load_state_dict(ckpt["model"])
    opt3.load_state_dict(ckpt["optim"])
    sched3.load_state_dict(ckpt["sched"])
    for _ in range(3):
        resumed += _train_steps(model3, opt3, batches, loss_fn)
        sched3.step()
    np.testing.assert_allclose(resumed, full, rtol=1e-6)
    for (k, a), b in zip(model.state_dict().items(), model3.state_dict().values()):
        np.testing.assert_allclose(a._data, b._data, rtol=1e-6, atol=1e-7, err_msg=k)


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "RMSprop"])
def test_side_by_side_with_pytorch(opt_name):
    """Same initial state_dict, same batches: the loss trajectories agree step for step."""
    torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch")
    tg.manual_seed(6)
    ds = datasets.two_moons(200, noise=0.15)
    ours = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Sigmoid(), nn.Linear(16, 2))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 16),
        torch.nn.Sigmoid(),
        torch.nn.Linear(16, 2),
    )
    theirs.load_state_dict({k: torch.from_numpy(v._data.copy()) for k, v in ours.state_dict().items()})
    kwargs = {
        "SGD": dict(lr=0.1, momentum=0.9, nesterov=True),
        "Adam": dict(lr=0.01),
        "RMSprop": dict(lr=0.003),
    }
    opt_ours = getattr(optim, opt_name)(ours.parameters(), **kwargs[opt_name])
    opt_theirs = getattr(torch.optim, opt_name)(theirs.parameters(), **kwargs[opt_name])
    loss_ours, loss_theirs = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    ours_losses, theirs_losses = [], []
    for _ in range(5):
        for xb, yb in DataLoader(ds, batch_size=25, shuffle=True):
            opt_ours.zero_grad()
            loss = loss_ours(ours(xb), yb)
            loss.backward()
            opt_ours.step()
            ours_losses.append(loss.item())
            opt_theirs.zero_grad()
            tloss = loss_theirs(theirs(torch.from_numpy(xb._data)), torch.from_numpy(yb._data))
            tloss.backward()
            opt_theirs.step()
            theirs_losses.append(tloss.item())
    assert len(ours_losses) == 40
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=2e-4, atol=1e-5)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k]._data, v.numpy(), rtol=1e-3, atol=1e-4, err_msg=k)


def test_digits_classifier():
    """A real dataset: scikit-learn's bundled 8x8 digits, 64 -> 64 -> 10, held-out accuracy."""
    pytest.importorskip("sklearn", reason="digits() needs scikit-learn")
    tg.manual_seed(7)
    train, test = tg.data.random_split(datasets.digits(), [1497, 300])
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(10):
        for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    x_test, y_test = next(iter(DataLoader(test, batch_size=len(test))))
    with tg.no_grad():
        assert _accuracy(model(x_test), y_test) > 0.93
