"""``nn.utils.rnn``: ``pad_sequence`` batches sequences of different lengths by padding.

Packed sequences (``pack_padded_sequence``, ``pack_sequence``, ``pad_packed_sequence``) are
not supported: the recurrent layers take plain padded tensors. They exist here only to say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...functions import cat, stack
from ...tensor import Tensor

__all__ = ["pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence"]


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack tensors of shapes (L_i, *) into (L_max, B, *) (or (B, L_max, *) with
    ``batch_first``), filling the missing steps with ``padding_value`` after each sequence
    (``padding_side='right'``) or before it (``'left'``). Differentiable in the sequences."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                f"pad_sequence: every sequence needs the same trailing shape {trailing}, got {tuple(s.shape[1:])}"
            )
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = s.new_full((missing, *trailing), padding_value)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def _unsupported(name: str) -> Any:
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{name}: packed sequences are not supported; pass the padded batch (pad_sequence) to the "
            "RNN/LSTM/GRU directly and pick each sequence's last valid step from the output"
        )

    fn.__name__ = name
    return fn


pack_padded_sequence = _unsupported("pack_padded_sequence")
pack_sequence = _unsupported("pack_sequence")
pad_packed_sequence = _unsupported("pad_packed_sequence")
