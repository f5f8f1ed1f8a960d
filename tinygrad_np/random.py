"""Random numbers. One default generator, reseeded by ``manual_seed``, feeds
every random function and ``nn`` initialisation, so runs are reproducible."""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A seedable source of random numbers (a NumPy PCG64 generator)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.np = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed; as in PyTorch any int in [-2**63, 2**64) is accepted and a negative
        seed is taken modulo 2**64 (``-1`` is the same seed as ``2**64 - 1``)."""
        self._seed = _seed_value(seed)
        self.np = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))._seed

    def get_state(self) -> dict[str, Any]:
        return self.np.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> None:
        self.np.bit_generator.state = state


def _seed_value(seed: Any) -> int:
    """``seed`` as PyTorch stores it: an int in [0, 2**64), negatives wrapped modulo 2**64."""
    value = int(seed)
    if not -(2**63) <= value < 2**64:
        raise ValueError(
            f"manual_seed: seed {value} is out of range (Overflow when unpacking long long); "
            "a seed must lie in [-2**63, 2**64 - 1]"
        )
    return value % 2**64


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; every later random op is then reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from."""
    return (generator or default_generator).np
