"""Loss functions, as ``torch.nn.functional``: each returns the per-element loss
reduced by ``reduction`` ('mean', 'sum' or 'none').

All are composed from Tensor ops except binary cross-entropy, whose clamped
logarithms need a dedicated op (``BinaryCrossEntropy``) to keep the gradient
finite at inputs of exactly 0 or 1, and the common case of ``cross_entropy``
(logits (N, C), class indices, no weight or smoothing) and of ``mse_loss``
('mean' or 'sum'), which are one node each (``CrossEntropy``, ``MseLoss``) for speed. Class-index targets are used through
``gather`` (no one-hot matrix is built).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function, saved_arrays
from ...tensor import Tensor, where

__all__ = [
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction (use 'mean', 'sum' or 'none')")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_tensor(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(np.asarray(x, dtype=like._data.dtype))


def _mean_by(total: Tensor, count: float) -> Tensor:
    """``total / count`` for a 'mean' reduction; with nothing counted (every target ignored,
    or an empty batch) the loss is 0/0 = nan and its gradient zero, as PyTorch (not
    (1/0) * 0 = nan, which would turn every weight into nan after one step)."""
    if count == 0:
        return total * 0.0 + float("nan")
    return total / count


def _is_half(*tensors: Any) -> bool:
    """Whether a loss must be computed in float32 and rounded back, as PyTorch does for
    float16 (an element count above 65,504 is inf in float16). Type code "e" is float16."""
    return any(isinstance(t, Tensor) and t._data.dtype.char == "e" for t in tensors)


def _float(x: Any) -> Any:
    return x.float() if isinstance(x, Tensor) and x._data.dtype.char == "e" else x


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input._data.shape != target._data.shape:
        raise ValueError(
            f"{op}: Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}) is not supported. Please ensure they have the same size."
        )


# ---- regression ------------------------------------------------------------------------------------


def mse_loss(
    input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """(x - y)^2."""
    target = _as_tensor(target, input)
    _same_shape(input, target, "mse_loss")
    dt = input._data.dtype
    # the common case, one node: float32/float64 (float16, type code "e", is computed in float32 below)
    if reduction != "none" and dt.kind == "f" and dt.char != "e" and target._data.dtype == dt:
        _check_reduction(reduction)
        return MseLoss.apply(input, target, reduction == "mean")
    if _is_half(input, target):
        return mse_loss(input.float(), _float(target), reduction=reduction).half()
    d = input - target
    return _reduce(d * d, reduction)


class MseLoss(Function):
    """l = (1/N) sum (x - y)^2 (or the sum) in one node instead of three (sub, square, mean)."""

    formula = "d mse(x, y)/dx = 2 (x - y) / N,  d/dy = -2 (x - y) / N"

    @staticmethod
    def forward(ctx, x, y, mean):
        d = x._data - y._data
        ctx.scale = 2.0 / max(d.size, 1) if mean else 2.0
        if ctx.needs_input_grad and (ctx.needs_input_grad[0] or ctx.needs_input_grad[1]):
            ctx.save_for_backward(x, y)
        total = np.vdot(d, d) if d.dtype.kind == "f" else (d * d).sum()
        if mean:  # an empty input's mean is 0/0 = nan, as in PyTorch (written out: np.errstate costs ~0.8 us)
            total = total / d.size if d.size else np.nan
        return _wrap_loss(total, d.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = (x - y) * (grad * ctx.scale)  # 2 (x - y) / N
        return (gx if need_x else None), (-gx if need_y else None), None

    @staticmethod
    def backward_np(ctx, g):
        x, y = saved_arrays(ctx)
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = x - y
        gx *= float(g) * ctx.scale  # 2 (x - y) / N (g is the loss's gradient: one number)
        return (gx if need_x else None), (-gx if need_y else None), None


def l1_loss(
    input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """|x - y|."""
    target = _as_tensor(target, input)
    _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2); d = x - y."""
    target = _as_tensor(target, input)
    _same_shape(input, target, "huber_loss")
    d = input - target
    ad = d.abs()
    return _reduce(where(ad._data < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)), reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta/2."""
    target = _as_tensor(target, input)
    _same_shape(input, target, "smooth_l1_loss")
    d = input - target
    ad = d.abs()
    if beta == 0:
        return _reduce(ad, reduction)
    return _reduce(where(ad._data < beta, (0.5 / beta) * d * d, ad - 0.5 * beta), reduction)


# ---- classification --------------------------------------------------------------------------------


def _class_targets(
    input: Tensor, target: Any, ignore_index: int, op: str
) -> tuple[Tensor, np.ndarray, np.ndarray, bool]:
    """Validate class-index targets; return (batched input, safe indices, valid mask, unbatched)."""
    idx = target._data if isinstance(target, Tensor) else np.asarray(target)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: expected class-index targets of an integer dtype (Long), got {idx.dtype}; "
            "convert them with target.long() (for class probabilities pass a floating target of "
            "the input's shape to cross_entropy)"
        )
    unbatched = input.ndim == 1
    if unbatched:
        input, idx = input.unsqueeze(0), idx.reshape(1)
    if input.ndim < 2:
        raise ValueError(f"{op}: expected input of shape (N, C) or (N, C, d1, ...), got {tuple(input.shape)}")
    expected = (input.shape[0], *tuple(input.shape[2:]))
    if idx.shape != expected:
        raise ValueError(
            f"{op}: expected target of shape {expected} for input {tuple(input.shape)}, got {idx.shape}"
        )
    valid = idx != ignore_index
    n_classes = input.shape[1]
    bad = valid & ((idx < 0) | (idx >= n_classes))
    if bad.any():
        raise IndexError(
            f"{op}: Target {int(idx[bad][0])} is out of bounds (expected 0 <= target < {n_classes})."
        )
    safe = np.where(valid, idx, 0).astype(np.int64)
    return input, safe, valid, unbatched


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-w[y] * input[y] for log-probabilities ``input`` (N, C, ...) and class indices y;
    'mean' divides by the sum of the weights of the non-ignored targets."""
    _check_reduction(reduction)
    if _is_half(input):
        return nll_loss(
            input.float(), target, _float(weight), ignore_index=ignore_index, reduction=reduction
        ).half()
    x, safe, valid, unbatched = _class_targets(input, target, ignore_index, "nll_loss")
    picked = x.gather(1, Tensor._wrap(safe[:, None])).squeeze(1)  # input[n, y_n, ...]
    dt = x._data.dtype
    w = valid.astype(dt)
    if weight is not None:
        w = w * np.asarray(weight._data if isinstance(weight, Tensor) else weight, dt)[safe]
    loss = -picked * Tensor._wrap(w)
    if reduction == "none":
        return loss.squeeze(0) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    return _mean_by(loss.sum(), float(w.sum(dtype=np.float64)))  # the sum of the counted weights


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """-sum_c q_c log softmax(x)_c, with q the one-hot of class-index targets or the
    given class probabilities, mixed with the uniform distribution by ``label_smoothing``:
    q' = (1 - eps) q + eps / C. log_softmax is computed stably (shifted by the max),
    so logits of any size give finite values and gradients."""
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input._data.dtype.char == "e":  # float16: in float32, as PyTorch (see _is_half)
        return cross_entropy(
            input.float(),
            _float(target),
            _float(weight),
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        ).half()
    if (
        input.ndim == 2
        and weight is None
        and label_smoothing == 0
        and reduction != "none"
        and input._data.dtype.kind == "f"
        and (target._data if isinstance(target, Tensor) else np.asarray(target)).dtype.kind in "iu"
    ):  # the common case as one node: log_softmax and the picked mean in one pass
        # (the targets are checked inside forward: a compiled step replays that with new targets)
        return CrossEntropy.apply(input, target, ignore_index, reduction == "mean")
    class_dim = 0 if input.ndim == 1 else 1
    logp = input.log_softmax(class_dim)
    n_classes = input.shape[class_dim]
    tdata = target._data if isinstance(target, Tensor) else np.asarray(target)
    wshape = [1] * input.ndim
    wshape[class_dim] = n_classes
    w = None if weight is None else _as_tensor(weight, input).reshape(wshape)
    if tdata.dtype.kind == "f":  # class probabilities
        target = _as_tensor(target, input)
        index_shape = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1 :])
        if tuple(target.shape) == index_shape and target.shape != input.shape:
            raise RuntimeError(  # class indices stored as floats: the classic slip
                f"cross_entropy: expected class-index targets of dtype Long (int64), got {target.dtype} "
                f"of shape {tuple(target.shape)}; convert them with target.long(). (Class probabilities "
                f"are floats of the input's shape {tuple(input.shape)}.)"
            )
        if tuple(target.shape) != tuple(input.shape):
            raise ValueError(
                f"cross_entropy: probability targets must have the input's shape {tuple(input.shape)}, "
                f"got {tuple(target.shape)}"
            )
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target if w is None else logp * target * w
        loss = -prod.sum(class_dim)
        if reduction == "mean":
            return _mean_by(loss.sum(), input._data.size // n_classes if input.ndim > 1 else 1)
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    # the uniform part: -(1/C) sum_c w_c log p_c per sample, normalised as nll_loss normalises
    smooth = -(logp if w is None else logp * w).sum(class_dim)
    _, safe, valid, _ = _class_targets(input, target, ignore_index, "cross_entropy")
    smooth = smooth * Tensor._wrap(valid.reshape(smooth.shape).astype(input._data.dtype))
    if reduction == "mean":
        if weight is None:
            denom = valid.sum()
        else:
            denom = np.asarray(weight._data if isinstance(weight, Tensor) else weight)[safe][valid].sum()
        smooth = _mean_by(smooth.sum(), float(denom))
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


class CrossEntropy(Function):
    """l = -(1/N) sum_n log softmax(x_n)[y_n] (or the sum), for logits (N, C) and class
    indices y; rows whose target is ``ignore_index`` count for nothing (N counts the others).
    One node instead of log_softmax + gather + mean, and no (N, C) log-probabilities kept."""

    formula = "d cross_entropy(x, y)/dx = (softmax(x) - onehot(y)) / N"
    node_name = "NllLossBackward0"  # as PyTorch names it

    @staticmethod
    def forward(ctx, x, target, ignore_index, mean):
        _, safe, valid, _ = _class_targets(x, target, ignore_index, "nll_loss")
        a = x._data
        shifted = a - a.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(a.shape[0])
        picked = shifted[rows, safe] - np.log(s[:, 0])  # log softmax(x_n)[y_n]
        w = valid.astype(a.dtype)
        scale = 1.0
        count = float(w.sum(dtype=np.float64))
        if mean:  # with nothing counted the loss is 0/0 = nan and the gradient zero, as PyTorch
            scale = 1.0 / count if count else 0.0
        ctx.rows, ctx.safe, ctx.w, ctx.scale = rows, safe, w, scale
        if ctx.needs_input_grad and ctx.needs_input_grad[0]:
            ctx.probs = e / s  # softmax, kept for the array-level backward
            ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            loss = 0.0 - (picked * w).sum(dtype=np.float64) * scale if count or not mean else np.nan
            return _wrap_loss(loss, a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        onehot = np.zeros(x._data.shape, x._data.dtype)
        onehot[ctx.rows, ctx.safe] = ctx.w
        w = Tensor._wrap(ctx.w[:, None])
        # d/dx_n = (softmax(x_n) - onehot(y_n)) * w_n / N
        return (x.softmax(1) * w - Tensor._wrap(onehot)) * (grad * ctx.scale), None, None, None

    @staticmethod
    def backward_np(ctx, g):
        saved_arrays(ctx)  # the freed-graph and in-place checks
        d = ctx.probs * ctx.w[:, None]
        d[ctx.rows, ctx.safe] -= ctx.w
        d *= g * d.dtype.type(ctx.scale)
        return d, None, None, None  # (softmax(x_n) - onehot(y_n)) * w_n / N


def _wrap_loss(value: Any, dt: np.dtype) -> Tensor:
    return Tensor._wrap(np.asarray(value, dtype=dt))


class BinaryCrossEntropy(Function):
    """l = -(y max(log x, -100) + (1 - y) max(log(1 - x), -100)), elementwise.

    The logarithms are clamped at -100 as in PyTorch, so x = 0 or 1 gives a
    finite loss; the gradient dl/dx = (x - y) / max(x (1 - x), 1e-12) stays finite too.
    """

    formula = (
        "l = -(y log x + (1 - y) log(1 - x)), logs clamped at -100:  "
        "dl/dx = (x - y) / max(x (1 - x), 1e-12);  dl/dy = log(1 - x) - log x"
    )

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x._data), -100)
            log_1mx = np.maximum(np.log1p(-x._data), -100)
        return Tensor._wrap(-(y._data * log_x + (1 - y._data) * log_1mx))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = grad * (x - y) / (x * (1 - x)).clamp(min=1e-12) if need_x else None  # (x - y) / (x (1 - x))
        gy = None
        if need_y:
            gy = grad * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100))  # log(1-x) - log x
        return gx, gy


def binary_cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1] (logs clamped at -100)."""
    _check_reduction(reduction)
    target = _as_tensor(target, input)
    _same_shape(input, target, "binary_cross_entropy")
    if input._data.size and (input._data.min() < 0 or input._data.max() > 1):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """-w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), computed stably as
    (1 - y) x + (1 + (p - 1) y) softplus(-x), where softplus(z) = log(1 + e^z)
    never overflows."""
    _check_reduction(reduction)
    target = _as_tensor(target, input)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    log_sig_neg = (-input).softplus()  # -log sigmoid(x) = softplus(-x)
    if pos_weight is not None:
        log_sig_neg = log_sig_neg * (1 + (_as_tensor(pos_weight, input) - 1) * target)
    loss = (1 - target) * input + log_sig_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
