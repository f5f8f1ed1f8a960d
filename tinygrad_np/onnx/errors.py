"""The error the exporter raises for an op or layer it cannot write as ONNX."""

from __future__ import annotations


class UnsupportedOperatorError(RuntimeError):
    """An op (or a layer's setting) with no ONNX mapping. The message names the op, the
    module that ran it and what to do; nothing is written to the target file."""


def unsupported(what: str, where: str, why: str = "it has no ONNX mapping") -> UnsupportedOperatorError:
    """The error for ``what`` (an op or layer) run by ``where`` (a module path and class)."""
    return UnsupportedOperatorError(
        f"ONNX export: cannot export {what} in {where}: {why}. "
        "Rewrite that forward with supported ops or layers (the table is "
        "tinygrad_np/onnx/mapping.py: OPS and MODULES; add an entry there for a new op), or "
        "move the model to PyTorch with tinygrad_np.utils.to_torch(model) and use "
        "torch.onnx.export. Nothing was written."
    )
