"""Memory: no reference cycles in the graph, so graphs die by reference counting alone,
and a training loop keeps a flat number of live objects and a flat RSS.

Run: ``/tmp/venv/bin/python -m pytest -q tests/test_memory.py``
"""

from __future__ import annotations

import gc
import os
import weakref

import numpy as np

import tinygrad_np as tg
from tinygrad_np.autograd import Function


def _live() -> tuple[int, int]:
    """Live Tensors and graph nodes (objects the cycle collector tracks)."""
    objs = gc.get_objects()
    tensors = sum(1 for o in objs if issubclass(type(o), tg.Tensor))  # type(): no __getattr__ calls
    nodes = sum(1 for o in objs if issubclass(type(o), Function))
    return tensors, nodes


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _train(steps: int, params: list[tg.Tensor], x: tg.Tensor, y: tg.Tensor) -> float:
    w1, b1, w2, b2 = params
    loss = None
    for _ in range(steps):
        h = (x @ w1 + b1).tanh()
        out = (h @ w2 + b2).log_softmax(1)
        loss = -(out * y).sum(1).mean() + 1e-4 * (w1 * w1).sum()
        loss.backward()
        with tg.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
    return loss.item()


def test_training_loop_keeps_live_objects_and_rss_flat() -> None:
    tg.manual_seed(0)
    x = tg.randn(32, 64)
    y = tg.zeros(32, 10)
    y[np.arange(32), np.arange(32) % 10] = 1.0
    params = [
        tg.randn(64, 64).mul_(0.1).requires_grad_(),
        tg.zeros(64, requires_grad=True),
        tg.randn(64, 10).mul_(0.1).requires_grad_(),
        tg.zeros(10, requires_grad=True),
    ]
    gc.collect()
    gc.disable()  # anything that survives must be reachable by reference counting alone
    try:
        first = _train(50, params, x, y)
        before, rss_before = _live(), _rss_bytes()
        last = _train(3000, params, x, y)
        after, rss_after = _live(), _rss_bytes()
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert last < first  # it did train
    assert after == before, f"live (tensors, nodes) grew from {before} to {after}"
    assert unreachable == 0, "the loop made reference cycles"
    # each step makes ~50 KB of arrays: a leak over 3000 steps would add 150 MB
    assert rss_after - rss_before < 16 * 2**20


def test_a_graph_dropped_without_backward_is_freed_by_refcounting() -> None:
    gc.disable()
    try:
        x = tg.randn(10, 10, requires_grad=True)
        h = (x @ x).relu()
        y = (h.exp() * h).sum() + x.max()
        refs = [weakref.ref(t) for t in (h, y)] + [weakref.ref(y.grad_fn), weakref.ref(h.grad_fn)]
        arr = weakref.ref(h._data.base if h._data.base is not None else h._data)
        del h, y
        assert all(r() is None for r in refs)
        assert arr() is None
    finally:
        gc.enable()


def test_backward_releases_saved_activations_while_the_loss_lives() -> None:
    x = tg.randn(100, 100, requires_grad=True)
    act = (x * 2).exp()  # Exp saves its output; Mul saves x
    data = weakref.ref(act._data)
    loss = (act * act).sum()
    del act
    assert data() is not None  # held by the graph for backward
    loss.backward()
    assert data() is None  # freed as backward consumed the graph
    assert loss.grad_fn is not None


def test_leaf_accumulator_is_not_kept_after_the_graph_dies() -> None:
    x = tg.ones(3, requires_grad=True)
    y = (x * 2).sum()
    acc = weakref.ref(y.grad_fn.next_functions[0][0].next_functions[0][0])
    del y
    assert acc() is None and x._accumulator() is None


def test_retain_grad_and_views_make_no_cycles() -> None:
    gc.disable()
    try:
        x = tg.ones(4, requires_grad=True)
        h = x * 2
        h.retain_grad()
        v = h[1:]
        v *= 3
        (h * h).sum().backward()
        refs = [weakref.ref(h), weakref.ref(v), weakref.ref(h.grad_fn)]
        del h, v
        assert all(r() is None for r in refs)
    finally:
        gc.enable()
