"""``MLP``: a multi-layer perceptron from a list of layer sizes, activations named by string."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from .container import Sequential
from .linear import Identity, Linear
from .module import Module

__all__ = ["MLP"]

_ACTIVATIONS: dict[str, Any] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "leaky_relu": LeakyReLU,
    "gelu": GELU,
    "softplus": Softplus,
    "silu": SiLU,
    "elu": ELU,
    "softmax": lambda: Softmax(dim=-1),
    "log_softmax": lambda: LogSoftmax(dim=-1),
    "identity": Identity,
}


def _make_activation(name: Any, role: str) -> Module:
    if name is None:
        return Identity()
    if isinstance(name, Module):
        return name
    if isinstance(name, type) and issubclass(name, Module):
        return name()
    key = name.lower() if isinstance(name, str) else name
    if key not in _ACTIVATIONS:
        known = ", ".join(repr(k) for k in sorted(_ACTIVATIONS))
        raise ValueError(f"MLP: unknown {role} {name!r}; known names are {known} (or None)")
    return _ACTIVATIONS[key]()


class MLP(Sequential):
    """``Linear(sizes[0], sizes[1])``, activation, ``Linear(sizes[1], sizes[2])``, ... ,
    ``Linear(sizes[-2], sizes[-1])`` and, if given, ``output_activation``.

    The activation sits between consecutive Linear layers (an ``Identity`` for
    ``None``/``'identity'``, so the layout never changes): ``state_dict`` keys are
    ``0.weight, 0.bias, 2.weight, 2.bias, ...`` like the equivalent ``nn.Sequential``.

    >>> MLP([1, 20, 1], activation="sigmoid")  # the classic sine-wave fit
    MLP(
      (0): Linear(in_features=1, out_features=20, bias=True)
      (1): Sigmoid()
      (2): Linear(in_features=20, out_features=1, bias=True)
    )
    """

    def __init__(self, sizes: Sequence[int], activation: Any = "relu", output_activation: Any = None) -> None:
        sizes = list(sizes)
        if len(sizes) < 2 or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(f"MLP: sizes must be a list of at least two positive ints, got {sizes}")
        _make_activation(activation, "activation")  # validate before building anything
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(_make_activation(activation, "activation"))
        if output_activation is not None:
            layers.append(_make_activation(output_activation, "output_activation"))
        super().__init__(*layers)
        self.sizes = sizes
