"""The one switch for gradient recording, and the contexts that flip it.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``create_graph=True`` in
backward all set the same thread-local flag. When it is off, ops compute their
result and record nothing, so evaluation and parameter updates cost no graph.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """This thread's switches. ``__init__`` runs once in each thread (at its first use) and
    puts every switch into the thread's own ``__dict__``: ``Function.apply`` reads and
    writes them there, as a plain dict (``state.__dict__["grad_enabled"]``), which costs one
    thread-local read per op instead of one per access (each ~70 ns)."""

    def __init__(self) -> None:
        self.grad_enabled = True  # each thread starts with gradients on
        # Set by the teaching tools (tinygrad_np.viz.backward_steps and what uses it): called
        # as observer(node, grads_in, sent) for each node in the order backward runs it, where
        # ``sent`` is the list of (input index, gradient) pairs the node passed on (empty for
        # a leaf, reported as its AccumulateGrad node). Per thread: other threads' passes are
        # not recorded and keep the fast path.
        self.backward_observer: Any = None
        self._tracer: Any = None  # the properties below
        self._anomaly_enabled = False

    # Set by tinygrad_np.compile while it traces a step (tinygrad_np/compiled.py): Function.apply,
    # the backward pass, the optimizers and Tensor's value reads report to it. None otherwise.
    @property
    def tracer(self) -> Any:
        return self._tracer

    @tracer.setter
    def tracer(self, value: Any) -> None:
        self._tracer = value
        _mark(tracing, value is not None)

    # Set by autograd.detect_anomaly / set_detect_anomaly.
    @property
    def anomaly_enabled(self) -> bool:
        return self._anomaly_enabled

    @anomaly_enabled.setter
    def anomaly_enabled(self, value: bool) -> None:
        self._anomaly_enabled = value
        _mark(anomalous, bool(value))


# The threads whose ``state.tracer`` is set, and those with anomaly detection on: both
# empty unless some thread traces a step or detects anomalies. The hot paths (every op,
# in-place change, module call, optimizer step) test these plain sets, one global read,
# before reading the thread-local flag (about 70 ns, as every read of a thread-local
# attribute): ``if tracing and state.tracer is not None``.
tracing: set[int] = set()
anomalous: set[int] = set()


def _mark(threads: set[int], on: bool) -> None:
    if on:
        threads.add(threading.get_ident())
    else:
        threads.discard(threading.get_ident())


state = _State()


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return state.grad_enabled


class _GradModeContext:
    """Base for contexts that set the grad flag on entry and restore it on exit;
    each also works as a decorator."""

    _mode = True

    def __enter__(self) -> None:
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.grad_enabled
            state.grad_enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.grad_enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager and decorator that turns graph recording off.

    >>> import tinygrad_np as tg
    >>> x = tg.ones(2, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _mode = False

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        # ``@no_grad`` without parentheses decorates directly, as in PyTorch
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class enable_grad(_GradModeContext):  # noqa: N801
    """Context manager and decorator that turns graph recording back on."""

    _mode = True

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class inference_mode(_GradModeContext):  # noqa: N801
    """Alias of :class:`no_grad` (there is no separate inference tensor type)."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """``set_grad_enabled(False)`` sets the flag at once; used with ``with`` it
    restores the previous value on exit, as PyTorch's does."""

    def __init__(self, mode: bool) -> None:
        self._prev = state.grad_enabled
        self._mode = bool(mode)
        state.grad_enabled = self._mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._prev
