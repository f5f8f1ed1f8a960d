"""``detect_anomaly``: find the op that first produced NaN or Inf.

While it is on, every recorded op keeps the stack of the forward call that
made it; a forward that turns finite inputs into NaN/Inf raises at once, and
backward raises at the first node whose gradient is not finite, printing
where that node was created.
"""

from __future__ import annotations

from typing import Any

from . import grad_mode


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) that turns anomaly detection on.

    >>> import tinygrad_np as tg
    >>> x = tg.tensor([0.0], requires_grad=True)
    >>> with tg.autograd.detect_anomaly():
    ...     y = x.sqrt()          # finite forward; d sqrt(x)/dx is inf at 0
    ...     y.sum().backward()    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    RuntimeError: detect_anomaly: function 'SqrtBackward0' returned nan or inf values ...
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = grad_mode.state.anomaly_enabled
        grad_mode.state.anomaly_enabled = self.check_nan

    def __exit__(self, *exc: object) -> None:
        grad_mode.state.anomaly_enabled = self._prev

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off for this thread."""
    grad_mode.state.anomaly_enabled = bool(mode)


def is_anomaly_enabled() -> bool:
    return grad_mode.state.anomaly_enabled
