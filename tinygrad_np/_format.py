"""``repr`` of a tensor in PyTorch's style: ``tensor([ 0.1207, -1.0436], requires_grad=True)``.

The rules are PyTorch's (``torch/_tensor_str.py``), written again here:

* One format for the whole tensor, chosen from its nonzero finite values:
  integer-valued floats print as ``2.``; otherwise 4 decimals (``2.5000``); and
  scientific notation (``1.0000e-05``) when max/min > 1000, max > 1e8, or (for
  non-integer values) min < 1e-4.
* Every element is right-aligned to the widest formatted value, so columns line
  up and a minus sign gets room (``[ 1.5000, -2.2500]``).
* At most 80 characters a line, wrapping a long row with an indent under the
  opening bracket; more than 1000 elements are summarised with ``...`` (3 at
  each edge).
* Suffixes: ``size=`` for empty tensors that are not 1-D, ``dtype=`` unless the
  dtype is the default float dtype, int64 or bool (always for empty tensors of
  another dtype than the default), then ``grad_fn=<...>`` or ``requires_grad=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class _PrintOptions:
    """The settings :func:`set_printoptions` changes (PyTorch's ``PRINT_OPTS``)."""

    __slots__ = ("edgeitems", "linewidth", "precision", "sci_mode", "threshold")

    def __init__(self) -> None:
        self.precision, self.threshold, self.edgeitems, self.linewidth = 4, 1000.0, 3, 80
        self.sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000.0, 3, 80),
    "short": (2, 1000.0, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: digits after the point
    (``precision``), the element count above which a tensor is summarised with ``...``
    (``threshold``) keeping ``edgeitems`` at each edge, the line width, a ``profile``
    ('default', 'short', 'full') and ``sci_mode`` (True/False forces scientific notation
    on or off; None, what every call without it sets, chooses automatically).

    >>> import tinygrad_np as torch
    >>> torch.set_printoptions(precision=2)
    >>> torch.tensor([1.12345])
    tensor([1.12])
    >>> torch.set_printoptions(profile="default")
    >>> torch.tensor([1.12345])
    tensor([1.1235])
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        opts = _PROFILES[profile]
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = opts
    if precision is not None:
        PRINT_OPTS.precision = int(precision)
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = int(edgeitems)
    if linewidth is not None:
        PRINT_OPTS.linewidth = int(linewidth)
    PRINT_OPTS.sci_mode = sci_mode  # as PyTorch: every call sets it, None meaning automatic


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements that will be printed: for big tensors, the 3 at each edge of every dimension."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0 or a.size <= PRINT_OPTS.threshold:
        return a.reshape(-1)
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge : n]
            a = np.take(a, keep, axis=axis)
    return a.reshape(-1)


class _Formatter:
    """Chooses one number format for all elements and pads each to one width."""

    def __init__(self, a: np.ndarray) -> None:
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        vals = _summarized(a)
        if not self.floating:
            for v in vals.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        nz = vals[np.isfinite(vals) & (vals != 0)].astype(np.float64)
        if nz.size == 0:
            return
        absval = np.abs(nz)
        lo, hi = absval.min(), absval.max()
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        elif self.int_mode:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8)
        else:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in nz.tolist())
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in nz.tolist())
        else:
            widths = (len(f"{v:.{p}f}") for v in nz.tolist())
        self.max_width = max(self.max_width, *widths)

    def format(self, value: Any) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                s = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if math.isfinite(value):
                    s += "."
            else:
                s = f"{value:.{p}f}"
        else:
            s = str(value)
        return " " * (self.max_width - len(s)) + s


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and a.shape[0] > 2 * edge:
        data = [fmt.format(v) for v in a[:edge].tolist()] + [" ..."]
        data += [fmt.format(v) for v in a[-edge:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """Nested brackets; depth is the number of dimensions (not a graph walk)."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    n, edge = a.shape[0], PRINT_OPTS.edgeitems
    if summarize and n > 2 * edge:
        rows = [_array_str(a[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
        rows += [_array_str(a[i], indent + 1, summarize, fmt) for i in range(n - edge, n)]
    else:
        rows = [_array_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _add_suffixes(body: str, suffixes: list[str], indent: int) -> str:
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for s in suffixes:
        if last_line_len + len(s) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + s)
            last_line_len = indent + len(s)
        else:
            parts.append(", " + s)
            last_line_len += len(s) + 2
    return "".join(parts) + ")"


def tensor_repr(t: Any) -> str:
    """``tensor([...], dtype=..., grad_fn=<...>)`` as PyTorch prints it."""
    from .dtypes import get_default_dtype

    a = t._data
    prefix = "tensor("
    indent = len(prefix)
    default = get_default_dtype().np
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != default:
            suffixes.append(f"dtype=tinygrad_np.{t.dtype.name}")
        body = "[]"
    else:
        if a.dtype not in (default, np.dtype(np.int64), np.dtype(np.bool_)):
            suffixes.append(f"dtype=tinygrad_np.{t.dtype.name}")
        body = _array_str(a, indent, a.size > PRINT_OPTS.threshold, _Formatter(a))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
