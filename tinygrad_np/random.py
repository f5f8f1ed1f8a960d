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

    def get_state(self) -> Any:
        """The generator's state as a uint8 Tensor (as PyTorch's ``ByteTensor``; the bytes are
        NumPy's PCG64 state, not PyTorch's): save it and ``set_state`` it to replay the draws."""
        from .tensor import Tensor

        st = self.np.bit_generator.state
        raw = (
            st["state"]["state"].to_bytes(16, "little")
            + st["state"]["inc"].to_bytes(16, "little")
            + int(st["has_uint32"]).to_bytes(4, "little")
            + int(st["uinteger"]).to_bytes(4, "little")
        )
        return Tensor._wrap(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state` (a uint8 Tensor)."""
        if isinstance(new_state, dict):
            self.np.bit_generator.state = new_state
            return self
        raw = np.asarray(getattr(new_state, "_data", new_state))
        if raw.dtype != np.uint8 or raw.shape != (40,):
            raise RuntimeError(
                f"set_state: expected the uint8 tensor of 40 bytes that get_state returns, got "
                f"{raw.dtype} of shape {tuple(raw.shape)}"
            )
        b = raw.tobytes()
        self.np.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(b[:16], "little"), "inc": int.from_bytes(b[16:32], "little")},
            "has_uint32": int.from_bytes(b[32:36], "little"),
            "uinteger": int.from_bytes(b[36:40], "little"),
        }
        return self


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


def get_rng_state() -> Any:
    """The default generator's state (a uint8 Tensor), for :func:`set_rng_state`."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state saved by :func:`get_rng_state`."""
    default_generator.set_state(new_state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from."""
    return (generator or default_generator).np
