"""Attention, composed from Tensor ops (so gradients come free):
``scaled_dot_product_attention`` and the forward of ``nn.MultiheadAttention``.

    Attention(Q, K, V) = softmax(Q K^T * scale + mask) V,   scale = 1 / sqrt(head_dim)

Masks follow PyTorch: in ``scaled_dot_product_attention`` a bool mask says where a query
*may* attend (True = keep); in ``MultiheadAttention`` a bool ``attn_mask`` or
``key_padding_mask`` says where it may *not* (True = masked out). Float masks are added to
the scores in both.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes
from ...functions import cat
from ...tensor import Tensor, where

__all__ = ["mha_forward", "scaled_dot_product_attention"]


def _mask_array(mask: Any, dtype: np.dtype, name: str) -> Tensor:
    """A float mask (added to the scores) from a bool one (True = masked out) or a float one."""
    if not isinstance(mask, Tensor):
        raise TypeError(f"MultiheadAttention: {name} must be a Tensor, got {type(mask).__name__}")
    if mask._data.dtype != np.bool_ and mask._data.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if mask._data.dtype == np.bool_:
        return Tensor._wrap(np.where(mask._data, -np.inf, 0.0).astype(dtype))
    return mask if mask._data.dtype == dtype else mask.to(dtypes.from_numpy_dtype(dtype))


def _repeat_heads(t: Tensor, groups: int) -> Tensor:
    """(..., Hk, S, E) -> (..., Hk * groups, S, E), each head repeated ``groups`` times in a row
    (``repeat_interleave`` on the head dimension, for grouped-query attention)."""
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(*shape[:-3], shape[-3], groups, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * groups, *shape[-2:])


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + bias) V over the last two dimensions of ``query`` (..., L, E),
    ``key`` (..., S, E) and ``value`` (..., S, Ev).

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S). ``is_causal``: query ``i`` attends to keys ``0..i`` (no ``attn_mask`` then).
    ``scale`` defaults to 1/sqrt(E). ``dropout_p`` drops attention weights (always, as
    PyTorch's function: pass 0 in evaluation). A query row that may attend to nothing gives
    zeros (PyTorch's safe softmax), not NaN. ``enable_gqa`` repeats each key/value head for a
    group of query heads.
    """
    from .. import functional as F

    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
        )
    dts = (query._data.dtype, key._data.dtype, value._data.dtype)
    if len(set(dts)) > 1:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got "
            f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query {tuple(query.shape)}, key {tuple(key.shape)} and value "
            f"{tuple(value.shape)} do not fit: query and key need the same last dimension (E), key and "
            f"value the same sequence length (S)"
        )
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, groups), _repeat_heads(value, groups)
    L, S = query.shape[-2], key.shape[-2]
    dt = query._data.dtype
    if attn_mask is not None and attn_mask._data.dtype not in (np.dtype(np.bool_), dt):
        raise RuntimeError(
            f"Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
            f"{attn_mask.dtype} and query.dtype: {query.dtype} instead."
        )
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * factor
    keep = None  # where a query may attend (bool array), when a mask can forbid it
    if is_causal:
        keep = np.tril(np.ones((L, S), dtype=bool))
    elif attn_mask is not None and attn_mask._data.dtype == np.bool_:
        keep = attn_mask._data
    elif attn_mask is not None:
        scores = scores + attn_mask
    if keep is not None:
        scores = scores.masked_fill(Tensor._wrap(~keep), -math.inf)
    # safe softmax: a row with no finite score attends to nothing (zeros, zero gradient)
    dead = Tensor._wrap(np.isneginf(scores._data).all(-1, keepdims=True))
    if dead._data.any():
        scores = where(dead, Tensor._wrap(np.zeros((), dt)), scores)
        weights = where(dead, Tensor._wrap(np.zeros((), dt)), scores.softmax(-1))
    else:
        weights = scores.softmax(-1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, True)
    return weights @ value


def _check_mask_shape(mask: Tensor, L: int, S: int, bh: int) -> Tensor:
    if mask.ndim == 2:
        if tuple(mask.shape) != (L, S):
            raise RuntimeError(f"The shape of the 2D attn_mask is {mask.shape}, but should be {(L, S)}.")
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        if tuple(mask.shape) != (bh, L, S):
            raise RuntimeError(f"The shape of the 3D attn_mask is {mask.shape}, but should be {(bh, L, S)}.")
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")


def mha_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    num_heads: int,
    q_w: Tensor,
    k_w: Tensor,
    v_w: Tensor,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on (L, N, E) query and (S, N, E_k/E_v) key/value, PyTorch's steps:
    project q, k, v; split E into ``num_heads`` heads; attention per head with the merged
    masks; join the heads; project out. Returns the (L, N, E) output and, with
    ``need_weights``, the attention weights (N, L, S) averaged over heads (or (N, H, L, S))."""
    from .. import functional as F

    L, N, E = query.shape
    S = key.shape[0]
    head_dim = E // num_heads
    if key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
            "`generate_square_subsequent_mask` to create this mask."
        )
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = F.linear(query, q_w, b_q)
    k = F.linear(key, k_w, b_k)
    v = F.linear(value, v_w, b_v)
    dt = q._data.dtype
    mask = (
        None
        if attn_mask is None
        else _check_mask_shape(_mask_array(attn_mask, dt, "attn_mask"), L, S, N * num_heads)
    )
    kpm = None
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (N, S):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(N, S)}, but got {tuple(key_padding_mask.shape)}"
            )
        kpm = _mask_array(key_padding_mask, dt, "key_padding_mask")
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, N, E)], 0)
        v = cat([v, bias_v.expand(1, N, E)], 0)
        mask = None if mask is None else F.pad(mask, (0, 1))
        kpm = None if kpm is None else F.pad(kpm, (0, 1))
    # (len, N, E) -> (N * heads, len, head_dim)
    q = q.reshape(L, N * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], N * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], N * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        k = cat([k, Tensor._wrap(np.zeros((N * num_heads, 1, head_dim), dt))], 1)
        v = cat([v, Tensor._wrap(np.zeros((N * num_heads, 1, head_dim), dt))], 1)
        mask = None if mask is None else F.pad(mask, (0, 1))
        kpm = None if kpm is None else F.pad(kpm, (0, 1))
    S = k.shape[1]
    if kpm is not None:
        kpm = kpm.reshape(N, 1, 1, S).expand(N, num_heads, 1, S).reshape(N * num_heads, 1, S)
        mask = kpm if mask is None else mask + kpm
    p = dropout_p if training else 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores + mask
        weights = scores.softmax(-1)
        if p > 0.0:
            weights = F.dropout(weights, p, True)
        out = weights @ v
    else:
        mask4 = None
        if mask is not None:  # (1 or N * heads, L or 1, S) -> broadcastable to (N, heads, L, S)
            mask4 = mask.unsqueeze(0) if mask.shape[0] == 1 else mask.reshape(N, num_heads, -1, S)
        out = scaled_dot_product_attention(
            q.reshape(N, num_heads, L, head_dim),
            k.reshape(N, num_heads, S, head_dim),
            v.reshape(N, num_heads, S, head_dim),
            mask4,
            p,
        ).reshape(N * num_heads, L, head_dim)
        weights = None
    out = out.transpose(0, 1).reshape(L * N, E)
    out = F.linear(out, out_proj_weight, out_proj_bias).reshape(L, N, E)
    if weights is None:
        return out, None
    weights = weights.reshape(N, num_heads, L, S)
    return out, (weights.mean(1) if average_attn_weights else weights)
