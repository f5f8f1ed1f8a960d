"""Sampling from distributions given as tensors: ``multinomial``, ``bernoulli`` and
``normal`` (all of PyTorch's overloads), drawn from a :class:`~tinygrad_np.Generator`.

The draws come from NumPy's PCG64, so the numbers differ from PyTorch's for the
same seed; the distributions, shapes, dtypes, errors and gradients are PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .autograd.function import Function
from .random import Generator, rng
from .tensor import Size, Tensor

__all__ = ["bernoulli", "multinomial", "normal", "poisson"]


def _float_name(a: np.ndarray) -> str:
    d = dtypes.from_numpy_dtype(a.dtype)
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}.get(
        d.name, d.name.capitalize()
    )


# ---- multinomial ---------------------------------------------------------------------------------


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """Indices drawn from the categorical distribution of each row of ``input``.

    ``input`` holds non-negative weights (1-D: one distribution, 2-D: one per row);
    they need not sum to one: category ``i`` has probability ``w_i / sum(w)``. Without
    replacement each row yields ``num_samples`` distinct categories, drawn one after
    another from the weights of those not yet drawn (as PyTorch, by taking the top
    ``num_samples`` of ``w_i / q_i`` with ``q_i ~ Exp(1)``); with replacement the draws
    are independent. The result is int64 of shape ``(num_samples,)`` or
    ``(rows, num_samples)`` and is not differentiable.

    >>> import tinygrad_np as torch
    >>> g = torch.Generator().manual_seed(0)
    >>> torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 2, replacement=True, generator=g)
    tensor([1, 1])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(
            f"multinomial(): argument 'num_samples' (position 2) must be int, not {type(num_samples).__name__}"
        )
    w = input._data
    if w.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {_float_name(w)}"
        )
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = w.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if n_cat > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = w.reshape(-1, n_cat).astype(np.float64)
    if rows.shape[0] == 0:
        idx = np.zeros((0, num_samples), np.int64)
    elif replacement and num_samples > 1:
        idx = _with_replacement(rows, int(num_samples), rng(generator))
    else:
        idx = _without_replacement(rows, int(num_samples), rng(generator))
    result = Tensor._wrap(idx.reshape((*w.shape[:-1], num_samples)))
    if out is not None:
        out.data = result
        return out
    return result


def _check_rows(rows: np.ndarray, replacement: bool) -> None:
    """PyTorch's checks: every weight finite and >= 0, every row's sum > 0."""
    if replacement:
        if np.isnan(rows).any() or (rows < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        if np.isinf(rows).any():
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
            )
    elif not (np.all(rows >= 0) and np.all(rows < np.inf)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def _with_replacement(rows: np.ndarray, n: int, g: np.random.Generator) -> np.ndarray:
    """Inverse-CDF sampling of every row at once: row ``r``'s cumulative weights are
    shifted to ``(r, r + 1]`` so one ``searchsorted`` over the flattened CDFs serves all
    rows; a zero-weight category has an empty interval and is never drawn."""
    _check_rows(rows, replacement=True)
    k = rows.shape[1]
    cdf = np.cumsum(rows, axis=1)
    cdf /= cdf[:, -1:]
    shift = np.arange(rows.shape[0], dtype=np.float64)[:, None]
    u = g.random((rows.shape[0], n)) + shift
    flat = np.searchsorted((cdf + shift).ravel(), u.ravel(), side="right").reshape(u.shape)
    return np.clip(flat - (shift * k).astype(np.int64), 0, k - 1).astype(np.int64)


def _without_replacement(rows: np.ndarray, n: int, g: np.random.Generator) -> np.ndarray:
    """The top ``n`` keys ``w_i / q_i`` with ``q_i ~ Exp(1)`` (the exponential form of the
    Gumbel top-k trick): the same law as drawing categories one by one without putting
    them back. Zero-weight categories come last, as in PyTorch."""
    _check_rows(rows, replacement=False)
    keys = rows / g.exponential(size=rows.shape)
    return np.argsort(-keys, axis=1, kind="stable")[:, :n].astype(np.int64)


# ---- bernoulli -------------------------------------------------------------------------------------


class _Sample(Function):
    """A random sample whose law depends on ``p``; the sample is piecewise constant in
    ``p``, so its derivative is zero (as PyTorch's ``BernoulliBackward0``)."""

    formula = "d sample/dp = 0 (a draw is piecewise constant in its parameter)"

    @staticmethod
    def forward(ctx, p, sample):
        return sample

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None  # d sample / dp = 0 almost everywhere


class Bernoulli(_Sample):
    """A Bernoulli(p) sample (zero gradient)."""


class Poisson(_Sample):
    """A Poisson(rate) sample (zero gradient)."""


def _check_p(p: float, op: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"{op} expects p to be in [0, 1], but got p={p:g}")


def _bernoulli_array(p: Any, shape: tuple[int, ...], dt: np.dtype, g: np.random.Generator) -> np.ndarray:
    """1 with probability ``p`` (a float or an array broadcast to ``shape``), else 0."""
    if isinstance(p, np.ndarray) and not (np.all(p >= 0) and np.all(p <= 1)):
        raise RuntimeError(
            "bernoulli: every probability must be in [0, 1] (Expected p_in >= 0 && p_in <= 1 to be true, "
            "but got false)"
        )
    return (g.random(shape) < p).astype(dt)


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None, out: Tensor | None = None
) -> Tensor:
    """0/1 samples: element ``i`` is 1 with probability ``input[i]`` (or with probability
    ``p`` for every element when ``p`` is given), in ``input``'s dtype. Gradients through
    the sample are zero, as in PyTorch.

    >>> import tinygrad_np as torch
    >>> torch.bernoulli(torch.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    a = input._data
    if p is None:
        if a.dtype.kind != "f":
            raise NotImplementedError(
                f"bernoulli: not implemented for '{_float_name(a)}': the probabilities must be a "
                f"floating tensor, e.g. input.float()"
            )
        sample = _bernoulli_array(a, a.shape, a.dtype, rng(generator))
    else:
        _check_p(float(p), "bernoulli_")
        sample = _bernoulli_array(float(p), a.shape, a.dtype, rng(generator))
    result = Bernoulli.apply(input, Tensor._wrap(sample)) if input._requires_grad else Tensor._wrap(sample)
    if out is not None:
        out.data = result.detach()
        return out
    return result


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill ``self`` in place with 0/1 samples, 1 with probability ``p`` (a float, or a
    tensor broadcast to ``self``'s shape)."""
    a = self._data
    if isinstance(p, Tensor):
        prob: Any = np.broadcast_to(p._data, a.shape) if p._data.shape != a.shape else p._data
    else:
        prob = float(p)
        _check_p(prob, "bernoulli_")
    return self._overwrite("bernoulli_", _bernoulli_array(prob, a.shape, a.dtype, rng(generator)))


# ---- poisson ---------------------------------------------------------------------------------------


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Samples from Poisson(rate) for each element of ``input`` (the rates), in
    ``input``'s dtype; not differentiable (zero gradient, as PyTorch)."""
    a = input._data
    if a.dtype.kind != "f":
        raise NotImplementedError(
            f"poisson: not implemented for '{_float_name(a)}'; use a floating rate tensor"
        )
    if not np.all(a >= 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    sample = rng(generator).poisson(a).astype(a.dtype)
    return Poisson.apply(input, Tensor._wrap(sample)) if input._requires_grad else Tensor._wrap(sample)


# ---- normal --------------------------------------------------------------------------------------


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from N(mean, std^2), in PyTorch's four forms:

    - ``normal(mean: Tensor, std: Tensor)``: one sample per element of the broadcast shape;
    - ``normal(mean: Tensor, std=1.0)`` and ``normal(mean: float, std: Tensor)``: the
      tensor's shape;
    - ``normal(mean: float, std: float, size, *, dtype=, requires_grad=)``: the given shape.

    With a tensor mean or std the sample is ``mean + std * eps`` with ``eps ~ N(0, 1)``,
    so gradients flow as PyTorch's: d/dmean = 1, d/dstd = eps = (out - mean) / std.

    >>> import tinygrad_np as torch
    >>> torch.normal(2.0, 0.0, size=(3,))
    tensor([2., 2., 2.])
    """
    g = rng(generator)
    tensor_form = isinstance(mean, Tensor) or isinstance(std, Tensor)
    if not tensor_form:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments: with a float mean and a float std, "
                "pass size, e.g. normal(0.0, 1.0, size=(2, 3)), or make mean or std a Tensor"
            )
        _check_std(float(std))
        shape = tuple(size) if isinstance(size, (tuple, list, Size)) else (size,)
        shape = tuple(int(s) for s in shape)
        dt = (dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)).np
        if dt.kind != "f":
            raise NotImplementedError(
                f"normal: not implemented for '{_float_name(np.zeros(0, dt))}'; pass a floating dtype"
            )
        result = Tensor._wrap(g.normal(float(mean), float(std), shape).astype(dt))
        if requires_grad:
            result.requires_grad = True
        if out is not None:
            out.data = result
            return out
        return result
    if size is not None or requires_grad or dtype is not None:
        raise TypeError(
            "normal(): size, dtype and requires_grad are only accepted with a float mean and a float std; "
            "with a tensor mean or std the shape and dtype come from the tensors"
        )
    result = _normal_tensors(mean, std, g)
    if out is not None:
        out.data = result.detach()
        return out
    return result


def _check_std(std: float) -> None:
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _normal_tensors(mean: Any, std: Any, g: np.random.Generator) -> Tensor:
    """``mean + std * eps`` (broadcast), composed from Tensor ops so gradients come free."""
    for t in (mean, std):
        if isinstance(t, Tensor) and t._data.dtype.kind != "f":
            raise NotImplementedError(
                f"normal: not implemented for '{_float_name(t._data)}'; mean and std must be floating tensors"
            )
    if isinstance(std, Tensor):
        if not np.all(std._data >= 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        _check_std(float(std))
    shapes = [t._data.shape for t in (mean, std) if isinstance(t, Tensor)]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(
            f"normal: the shapes of mean {shapes[0]} and std {shapes[-1]} do not broadcast together"
        ) from None
    dt = (mean if isinstance(mean, Tensor) else std)._data.dtype  # PyTorch: mean's dtype when a tensor
    eps = Tensor._wrap(g.standard_normal(shape).astype(dt))
    if isinstance(std, Tensor):
        return mean + std.to(dtypes.from_numpy_dtype(dt)) * eps
    return mean.to(dtypes.from_numpy_dtype(dt)) + eps * float(std)
