"""``nn.Parameter``: a tensor that a Module registers as a learnable weight."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _infer_array


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default, shared with ``data``'s memory.

    Assigning one to a Module attribute registers it, so it shows up in
    ``parameters()`` and ``state_dict()``.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), np.float32)
        array = data._data if isinstance(data, Tensor) else _infer_array(data, None)
        self._init(array)  # not Tensor(...), PyTorch's legacy constructor: the dtype is kept
        if requires_grad:
            self.requires_grad = True
        if isinstance(data, Tensor):
            self._vc = data._vc  # same memory, same version counter

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        """A new Parameter with a copy of the values (as PyTorch, the gradient is not copied);
        makes ``copy.deepcopy(model)`` work."""
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self._data.copy(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce__(self) -> Any:
        raise TypeError("Parameters are saved through state_dict() and tinygrad_np.save, not pickle")
