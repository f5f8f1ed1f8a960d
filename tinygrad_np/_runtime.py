"""Process-wide settings PyTorch scripts call at start-up: thread count and the
deterministic-algorithms switch. NumPy runs tinygrad_np's kernels, so these are recorded
and read back but change nothing (results are deterministic for a given seed already).

>>> import tinygrad_np as torch
>>> torch.use_deterministic_algorithms(True)
>>> torch.are_deterministic_algorithms_enabled()
True
>>> torch.use_deterministic_algorithms(False)
"""

from __future__ import annotations

import operator
import os

__all__ = [
    "are_deterministic_algorithms_enabled",
    "get_num_threads",
    "set_num_threads",
    "use_deterministic_algorithms",
]

_state = {"deterministic": False, "threads": os.cpu_count() or 1}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the switch (every tinygrad_np op is deterministic, so nothing else changes)."""
    _state["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return bool(_state["deterministic"])


def set_num_threads(n: int) -> None:
    """Record the intra-op thread count (NumPy's BLAS keeps its own setting)."""
    n = operator.index(n)
    if n <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _state["threads"] = n


def get_num_threads() -> int:
    return int(_state["threads"])
