"""Devices. The CPU (NumPy) is the only one; the names exist so PyTorch scripts
that say where their tensors live run unchanged."""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801 - PyTorch's name
    """``device('cpu')``; other device types can be named but not used."""

    __slots__ = ("index", "type")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, idx = name.split(":", 1)
            index = int(idx)
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


def check_device(d: Any) -> None:
    """Accept the CPU; anything else is a clear error."""
    if d is None:
        return
    dev = d if isinstance(d, device) else device(d)
    if dev.type != "cpu":
        raise RuntimeError(
            f"device {str(dev)!r} is not available: tinygrad_np computes on the CPU with NumPy "
            "(cuda.is_available() is False). Use device='cpu' or leave the device out."
        )


def set_default_device(d: Any) -> None:
    """Only ``'cpu'`` (or None) is accepted."""
    check_device(d)


def get_default_device() -> device:
    return device("cpu")


class cuda:  # noqa: N801 - mirrors the torch.cuda namespace
    """Stand-in for ``torch.cuda``: there is no GPU backend."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        pass

    @staticmethod
    def manual_seed_all(seed: int) -> None:
        pass
