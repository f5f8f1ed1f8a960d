"""The cheap pre-checks of the hot paths: ``grad_mode.tracing`` (the threads whose
``state.tracer`` is set) must follow the thread-local tracer exactly, so that an op, an
in-place change, a module call or an optimizer step still reports to a tracer (what
``tinygrad_np.compile`` relies on), and other threads keep the plain path."""

import threading

import numpy as np

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd import grad_mode


class FakeTracer:
    """Records what the hooks report instead of tracing (runs ops plainly)."""

    def __init__(self):
        self.ops, self.calls, self.modules, self.refused = [], [], [], []

    def record_op(self, cls, args):
        self.ops.append(cls.__name__)
        state = grad_mode.state
        state.tracer = None  # run the op itself untraced, as compiled.py does
        try:
            return cls.apply(*args)
        finally:
            state.tracer = self

    def record_call(self, fn, args, params):
        self.calls.append(fn.__name__)

    def module_called(self, module):
        self.modules.append(type(module).__name__)

    def refuse(self, why):
        self.refused.append(why)

    def escape(self, what):
        self.refused.append(what)

    def bumped(self, t):  # an in-place change (the real tracer accepts a written-down update)
        self.refused.append("in place")


def test_tracing_set_follows_the_thread_local_tracer():
    ident = threading.get_ident()
    assert grad_mode.state.tracer is None and ident not in grad_mode.tracing
    tracer = FakeTracer()
    grad_mode.state.tracer = tracer
    try:
        assert grad_mode.state.tracer is tracer and ident in grad_mode.tracing
        grad_mode.state.tracer = tracer  # set twice: still one entry
        assert ident in grad_mode.tracing
    finally:
        grad_mode.state.tracer = None
    assert ident not in grad_mode.tracing and not grad_mode.tracing


def test_every_hook_still_reports_to_the_tracer():
    layer = nn.Linear(2, 1)
    opt = tg.optim.SGD(layer.parameters(), lr=0.1)
    x = tg.tensor(np.ones((3, 2), np.float32))
    tracer = FakeTracer()
    grad_mode.state.tracer = tracer
    try:
        out = layer(x)
        (out.sum() + 1).item()
        opt.zero_grad()
        opt.step()
        layer.weight._bump()
    finally:
        grad_mode.state.tracer = None
    assert tracer.modules == ["Linear"]
    assert "Sum" in tracer.ops and "Add" in tracer.ops
    assert tracer.calls == ["zero_grad", "step"]
    assert len(tracer.refused) == 2  # .item() escapes, the in-place change is refused


def test_a_tracer_in_one_thread_leaves_other_threads_on_the_plain_path():
    tracer = FakeTracer()
    started, done = threading.Event(), threading.Event()

    def trace():
        grad_mode.state.tracer = tracer
        started.set()
        done.wait(10)
        grad_mode.state.tracer = None

    t = threading.Thread(target=trace)
    t.start()
    started.wait(10)
    try:
        assert grad_mode.tracing  # some thread traces ...
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()  # ... but not this one: recorded as usual
        y.backward()
        assert y.grad_fn is not None and x.grad.tolist() == [3.0, 3.0]
        assert tracer.ops == []
    finally:
        done.set()
        t.join()
    assert not grad_mode.tracing


def test_float16_losses_still_take_the_float32_path():
    x = tg.tensor(np.full(70_000, 200.0, np.float16), requires_grad=True)
    y = tg.tensor(np.zeros(70_000, np.float16))
    loss = nn.functional.mse_loss(x, y)  # 40,000 per element: a float16 sum would be inf
    assert loss.dtype == tg.float16 and loss.item() == 40_000.0
    logits = tg.tensor(np.zeros((2, 3), np.float16), requires_grad=True)
    ce = nn.functional.cross_entropy(logits, tg.tensor([0, 2]))
    assert ce.dtype == tg.float16 and abs(ce.item() - np.log(3)) < 1e-3


def test_anomaly_set_follows_detect_anomaly_and_checks_still_run():
    ident = threading.get_ident()
    assert ident not in grad_mode.anomalous
    x = tg.tensor([0.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        assert ident in grad_mode.anomalous and tg.autograd.is_anomaly_enabled()
        y = x.sqrt()  # finite forward, infinite gradient at 0
        assert y.grad_fn._trace  # the forward stack is kept under anomaly detection
        try:
            y.sum().backward()
        except RuntimeError as e:
            assert "SqrtBackward0" in str(e)
        else:
            raise AssertionError("detect_anomaly did not stop the non-finite gradient")
    assert ident not in grad_mode.anomalous and not tg.autograd.is_anomaly_enabled()
    tg.autograd.set_detect_anomaly(True)
    try:
        assert ident in grad_mode.anomalous
    finally:
        tg.autograd.set_detect_anomaly(False)
    assert not grad_mode.anomalous


def test_each_thread_starts_with_its_own_switches():
    seen = {}

    def run():
        seen.update(grad_mode.state.__dict__)

    with tg.no_grad(), tg.autograd.detect_anomaly():
        t = threading.Thread(target=run)
        t.start()
        t.join()
    assert seen == {
        "grad_enabled": True,
        "backward_observer": None,
        "_tracer": None,
        "_anomaly_enabled": False,
    }
