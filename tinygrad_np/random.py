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
        self._seed = int(seed)
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
