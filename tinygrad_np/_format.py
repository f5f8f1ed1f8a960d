"""``repr`` of a tensor in PyTorch's style: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

from __future__ import annotations

from typing import Any

import numpy as np

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(a: np.ndarray) -> Any:
    finite = a[np.isfinite(a)]
    if finite.size == 0 or np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    nonzero = np.abs(finite[finite != 0])
    if nonzero.size and (nonzero.max() >= 1e8 or nonzero.min() < 1e-4):
        return lambda v: f"{v:.4e}"
    return lambda v: f"{v:.4f}"


def tensor_repr(t: Any) -> str:
    a = t.data
    prefix = "tensor("
    if a.dtype.kind == "f":
        fmt = {"float_kind": _float_formatter(a)}
    else:
        fmt = None
    body = np.array2string(
        a, separator=", ", prefix=prefix, formatter=fmt, threshold=1000, edgeitems=3, max_line_width=80
    )
    extras = []
    if a.size == 0:
        extras.append(f"size={tuple(a.shape)}")
    if a.dtype.name not in _DEFAULT_DTYPES:
        extras.append(f"dtype=tinygrad_np.{t.dtype.name}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"
