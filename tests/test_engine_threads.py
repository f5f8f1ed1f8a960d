"""The engine's per-thread state: grad mode and the teaching observer (``viz.backward_steps``).

A backward pass recorded for the viz tools in one thread must not record, nor slow down, the
passes other threads run meanwhile (issue 10, item 25).
"""

from __future__ import annotations

import threading

import numpy as np

import tinygrad_np as tg
from tinygrad_np import viz
from tinygrad_np.autograd import fast_backward, grad_mode


def _spy_array_passes(monkeypatch):
    """A list that gets the thread name of every backward pass that takes the array walk."""
    used = []
    init = fast_backward.ArrayPass.__init__

    def wrapper(self, *args):
        used.append(threading.current_thread().name)
        init(self, *args)

    monkeypatch.setattr(fast_backward.ArrayPass, "__init__", wrapper)
    return used


def test_recording_in_one_thread_leaves_another_threads_backward_alone(monkeypatch):
    used = _spy_array_passes(monkeypatch)
    other_done = threading.Event()
    errors = []

    def other() -> None:  # a training step in another thread, while the recording is under way
        try:
            w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
            (w * w).exp().sum().backward()
            np.testing.assert_allclose(
                w.grad.numpy(), 2 * w.detach().numpy() * np.exp(w.detach().numpy() ** 2), rtol=1e-6
            )
        except Exception as e:  # reported below, in the main thread
            errors.append(e)
        finally:
            other_done.set()

    x = tg.tensor([0.5, -1.0], requires_grad=True)
    h = x.tanh()
    started = []

    def in_the_middle(g):  # runs inside the recorded pass: let the other thread run a whole pass
        if not started:
            started.append(True)
            t = threading.Thread(target=other, name="other")
            t.start()
            assert other_done.wait(30)
            t.join()
        return None

    h.register_hook(in_the_middle)
    trace = viz.backward_steps((h * h).sum())

    assert not errors, errors
    assert started
    assert used == ["other"]  # the other thread kept the array walk; the recording did not
    ops = [step.node.name() for step in trace]
    assert "ExpBackward0" not in ops and "TanhBackward0" in ops  # only this thread's nodes
    assert grad_mode.state.backward_observer is None  # uninstalled afterwards


def test_observer_is_per_thread():
    seen = []
    grad_mode.state.backward_observer = lambda node, grads, sent: seen.append(node.name())
    try:
        result = []

        def other() -> None:
            result.append(grad_mode.state.backward_observer)
            y = tg.tensor([1.0, 2.0], requires_grad=True)
            (y * 3).sum().backward()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert result == [None] and seen == []  # another thread starts without the observer
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        assert seen == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    finally:
        grad_mode.state.backward_observer = None
