"""Short text for values and gradients, and the gradient-magnitude colour scale.

A gradient's magnitude is its root mean square, ``rms(g) = sqrt(mean(g^2))``, placed on a log10
scale. Three conditions are flagged: any NaN/Inf ("bad", red), ``max |g| < VANISHING`` everywhere
("vanishing", grey and dashed; the signature of a dead ReLU layer or of a saturated sigmoid
stack) and ``rms(g) > EXPLODING`` ("exploding", coloured as usual with a thick red border).
"""

from __future__ import annotations

import numpy as np

VANISHING = 1e-7
EXPLODING = 1e3  # root mean square above this is flagged as exploding
SMALL = 16  # tensors with at most this many elements are printed in full

# light yellow (small gradients) -> orange (large gradients); black text stays readable on all
_PALETTE = ("#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014")
BAD_COLOUR = "#ff3b30"
VANISHING_COLOUR = "#d9d9d9"


def fmt_number(v: float) -> str:
    return f"{float(v):.4g}"


def summarize(a: np.ndarray | None) -> str:
    """A scalar's value; for arrays, ``shape`` with mean/std/min/max."""
    if a is None:
        return "?"
    a = np.asarray(a)
    if a.size == 1:
        return fmt_number(a.reshape(()))
    if a.size == 0:
        return f"empty {tuple(a.shape)}"
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    with np.errstate(all="ignore"):
        return f"mean {a.mean():.3g} std {a.std():.3g}\nmin {a.min():.3g} max {a.max():.3g}"


def show_numbers(a: np.ndarray | None, limit: int = SMALL) -> str:
    """Every number of a tensor of at most ``limit`` elements, else a summary (mean, std, min,
    max) and its first few entries (plain text, one line)."""
    if a is None:
        return "?"
    a = np.asarray(a)
    if a.size == 1:
        return fmt_number(a.reshape(()))
    if a.size <= limit:
        return np.array2string(a, precision=4, separator=", ", suppress_small=False).replace("\n", "")
    first = ", ".join(fmt_number(v) for v in a.reshape(-1)[:4])
    return f"shape {tuple(a.shape)}: " + summarize(a).replace("\n", " ") + f"; first entries [{first}, ...]"


def grad_status(g: np.ndarray | None) -> str:
    """'none', 'bad' (NaN/Inf), 'vanishing' (all |g| < 1e-7), 'exploding' (rms > 1e3) or 'ok'."""
    if g is None:
        return "none"
    g = np.asarray(g)
    if g.dtype.kind not in "fc" or g.size == 0:
        return "ok"
    if not np.isfinite(g).all():
        return "bad"
    if np.abs(g).max() < VANISHING:
        return "vanishing"
    if log_magnitude(g) > np.log10(EXPLODING):
        return "exploding"
    return "ok"


def log_magnitude(g: np.ndarray) -> float:
    """log10 of the root mean square of ``g``."""
    g = np.asarray(g, dtype=np.float64)
    return float(np.log10(np.sqrt(np.mean(g * g)) + 1e-300))


def colour_scale(logs: list[float]) -> tuple[float, float]:
    """The (low, high) ends of the colour scale for the finite log-magnitudes of one graph."""
    if not logs:
        return (0.0, 1.0)
    lo, hi = min(logs), max(logs)
    if hi - lo < 1.0:  # at least one decade, so small wobbles stay pale
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    return (lo, hi)


def grad_colour(log_mag: float, scale: tuple[float, float]) -> str:
    lo, hi = scale
    t = min(max((log_mag - lo) / (hi - lo), 0.0), 1.0)
    return _PALETTE[round(t * (len(_PALETTE) - 1))]


def palette() -> tuple[str, ...]:
    return _PALETTE
