"""The error function and its inverse, vectorised over arrays (NumPy has none; SciPy is not a
dependency).

Two series, each evaluated with a fixed number of whole-array steps:

* |x| < 3:  erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*5*...*(2n+1)),
  a series of positive terms (no cancellation), 80 terms reach float64 precision.
* |x| >= 3: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
  a continued fraction evaluated from depth 60 upwards.

Both are accurate to about 1e-15 in float64; the result has the input's dtype.
"""

from __future__ import annotations

import math

import numpy as np

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def erf(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise."""
    a = np.asarray(x, dtype=np.float64)
    out = np.empty_like(a)
    small = np.abs(a) < 3
    out[small] = _erf_series(a[small])
    big = ~small
    if big.any():
        out[big] = np.sign(a[big]) * (1 - _erfc_fraction(np.abs(a[big])))
    dt = x.dtype if isinstance(x, np.ndarray) and x.dtype.kind == "f" else np.float64
    return out.astype(dt, copy=False)


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 - erf(x), without the cancellation of computing ``1 - erf(x)``
    where erf(x) is near 1: the continued fraction for |x| >= 2 (relative error
    about 1e-16), the series below (where erfc(x) > 0.004, so ``1 - erf`` loses
    little)."""
    a = np.asarray(x, dtype=np.float64)
    out = np.empty_like(a)
    big = np.abs(a) >= 2
    out[~big] = 1 - _erf_series(a[~big])
    if big.any():
        tail = _erfc_fraction(np.abs(a[big]))
        out[big] = np.where(a[big] > 0, tail, 2 - tail)
    dt = x.dtype if isinstance(x, np.ndarray) and x.dtype.kind == "f" else np.float64
    return out.astype(dt, copy=False)


def _erf_series(x: np.ndarray) -> np.ndarray:
    term = x.copy()  # n = 0 term: x / 1
    total = x.copy()
    two_x2 = 2 * x * x
    for n in range(1, 80):
        term *= two_x2 / (2 * n + 1)
        total += term
    return _TWO_OVER_SQRT_PI * np.exp(-x * x) * total


def _erfc_fraction(x: np.ndarray) -> np.ndarray:
    tail = np.zeros_like(x)
    for k in range(60, 0, -1):
        tail = (k / 2) / (x + tail)
    return np.exp(-x * x) / (math.sqrt(math.pi) * (x + tail))


_GILES_CENTRAL = (
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
)
_GILES_TAIL = (
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
)


def erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse of erf on (-1, 1) (+-inf at +-1, NaN beyond): M. Giles' polynomial
    approximation (single precision), then Newton steps in float64 (one for float32 input,
    three for float64) on erf(|x|) = |y|,
    or for |y| > 1/2 on log erfc(|x|) = log(1 - |y|), which stays accurate and nearly linear
    as |y| nears 1."""
    a = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1 - a) * (1 + a))
        central, tail = w - 2.5, np.sqrt(w) - 3
        p_c, p_t = np.zeros_like(a), np.zeros_like(a)
        for c, t in zip(_GILES_CENTRAL, _GILES_TAIL, strict=True):
            p_c, p_t = p_c * central + c, p_t * tail + t
        z = np.abs(np.where(w < 5, p_c, p_t) * a)  # |x|, about 1e-7 relative
        m = np.abs(a)
        central = m <= 0.5
        tail = (m > 0.5) & (m < 1)
        zc, mc = z[central], m[central]
        zt, target = z[tail], np.log1p(-m[tail])
        single = isinstance(y, np.ndarray) and y.dtype.itemsize <= 4
        for _ in range(1 if single else 3):  # each step about squares the relative error
            zc = zc - (erf(zc) - mc) / (_TWO_OVER_SQRT_PI * np.exp(-zc * zc))  # Newton on erf(z) = |y|
            tc = erfc(zt)
            zt = zt + (np.log(tc) - target) * tc / (_TWO_OVER_SQRT_PI * np.exp(-zt * zt))  # on log erfc
        z[central], z[tail] = zc, zt
        x = np.copysign(z, a)
        x = np.where(m == 1, np.copysign(np.inf, a), np.where(m > 1, np.nan, x))
    dt = y.dtype if isinstance(y, np.ndarray) and y.dtype.kind == "f" else np.float64
    return x.astype(dt, copy=False)
