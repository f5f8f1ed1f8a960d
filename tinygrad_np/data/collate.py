"""``default_collate``: merge a list of samples into one batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["default_collate"]


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``:

    - Tensors and NumPy arrays are stacked into one Tensor (a new first dimension);
    - Python floats give a float64 Tensor, ints int64, bools bool (as PyTorch);
    - tuples (and namedtuples) and lists are collated position by position, dicts
      key by key; a plain tuple of samples gives a *list* of batches (as PyTorch,
      so ``batch[0] = batch[0].to(device)`` works), a namedtuple a namedtuple;
    - strings are returned as they come (a list, or a tuple inside a sequence sample);
      anything else (``None``, objects, string arrays) is a ``TypeError``, as in PyTorch:
      pass a ``collate_fn`` for such samples.

    >>> import tinygrad_np as tg
    >>> default_collate([(tg.tensor([1.0, 2.0]), 0), (tg.tensor([3.0, 4.0]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([_array(x) for x in batch])
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind in "OUSV":
            raise TypeError(_UNSUPPORTED.format(elem.dtype))
        return _stack([np.asarray(x) for x in batch])
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, Sequence):
        if any(len(x) != len(elem) for x in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(samples) for samples in zip(*batch, strict=True)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):
            return type(elem)(*columns)
        return columns
    raise TypeError(_UNSUPPORTED.format(type(elem)))


_UNSUPPORTED = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _stack(arrays: list[np.ndarray]) -> Tensor:
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise RuntimeError(
            f"default_collate: stack expects each sample to be of equal size, got shapes {sorted(shapes)}; "
            "pad the samples or pass a collate_fn"
        )
    return Tensor._wrap(np.stack(arrays))


def _array(x: Any) -> np.ndarray:
    if not isinstance(x, Tensor):
        raise TypeError(f"default_collate: expected all samples to be Tensors, got {type(x).__name__}")
    return x._data
