"""``tinygrad_np.backends``: the switches PyTorch scripts set for their GPU libraries.

Seeding and device-selection code reads and writes these (``backends.cudnn.deterministic
= True``, ``backends.mps.is_available()``). tinygrad_np computes on the CPU with NumPy, so
the flags are kept (a script can read back what it set) and change nothing: every result
is already deterministic for a given seed, and no accelerator library is available.

>>> import tinygrad_np as torch
>>> torch.backends.cudnn.benchmark = False
>>> torch.backends.mps.is_available(), torch.backends.cudnn.is_available()
(False, False)
"""

from __future__ import annotations

__all__ = ["cuda", "cudnn", "mps"]


class _Cudnn:
    """cuDNN settings: accepted, with no effect on the CPU."""

    def __init__(self) -> None:
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> None:
        return None


class _Mps:
    """Apple's Metal backend: never available here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class _Matmul:
    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True


class _Cuda:
    """CUDA library settings: accepted, with no effect on the CPU."""

    def __init__(self) -> None:
        self.matmul = _Matmul()

    @staticmethod
    def is_built() -> bool:
        return False


cudnn = _Cudnn()
mps = _Mps()
cuda = _Cuda()
