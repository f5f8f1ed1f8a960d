"""Export a model to ONNX, as ``torch.onnx.export``: ``tinygrad_np.onnx.export(model, x, "model.onnx")``.

The exporter runs the model once on the example input, with every op recorded (the input is a
copy that requires grad, and ops keep their forward arguments), and walks the recorded graph
from the outputs back to the inputs (``trace.py``). Each op class, and each layer whose ops have
no direct ONNX form (convolutions and pools are im2col products here), becomes ONNX nodes through
one table (``mapping.py``); parameters and buffers become initializers under their
``state_dict`` names, constants become initializers too. The ``onnx`` package (the optional
extra ``pip install "tinygrad-np[onnx]"``) is imported only when :func:`export` runs.

>>> # tinygrad_np.onnx.export(model, torch.randn(1, 64), "digits.onnx",
>>> #                         input_names=["x"], output_names=["logits"],
>>> #                         dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
"""

from __future__ import annotations

import os
from typing import Any

from .errors import UnsupportedOperatorError

SUPPORTED_OPSETS = range(17, 22)


def export(
    model: Any,
    args: Any,
    f: Any,
    export_params: bool = True,
    verbose: bool = False,
    training: Any = None,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
    opset_version: int | None = None,
    dynamic_axes: dict[str, Any] | None = None,
    do_constant_folding: bool = True,
    keep_initializers_as_inputs: bool = False,
    **kwargs: Any,
) -> None:
    """Write ``model`` as an ONNX file at ``f`` (a path or a binary file object).

    ``args`` is the example input: a Tensor, or a tuple of them (one per ``forward``
    argument). ``input_names``/``output_names`` name the graph's inputs and outputs
    (default ``input``/``output``, numbered when there are several); ``dynamic_axes`` marks
    axes whose size may change, e.g. ``{"input": {0: "batch"}, "output": {0: "batch"}}`` or
    ``{"input": [0]}``. The model runs in eval mode during the export (as PyTorch's default
    ``training=TrainingMode.EVAL``) and gets its modes back afterwards.

    An op with no ONNX form raises :class:`UnsupportedOperatorError` naming the op and
    the module that ran it; nothing is written at ``f`` then (the file is written to a
    temporary name beside it and moved into place only when complete).
    """
    if kwargs:
        raise TypeError(f"export: unsupported keyword argument(s) {sorted(kwargs)}")
    opset = 17 if opset_version is None else int(opset_version)
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(
            f"export: opset_version {opset} is not supported; use one of "
            f"{SUPPORTED_OPSETS.start}..{SUPPORTED_OPSETS.stop - 1} (default 17)"
        )
    if training not in (None, False, "eval", "EVAL"):
        raise ValueError("export: only eval-mode export is supported (training=None or False)")
    if not export_params:
        raise ValueError(
            "export: export_params=False is not supported; parameters are stored as initializers"
        )
    try:
        import onnx
    except ImportError as e:
        raise ImportError(
            'tinygrad_np.onnx.export needs the onnx package: pip install "tinygrad-np[onnx]" '
            "(or pip install onnx)"
        ) from e
    from .build import build_model

    proto = build_model(
        model, args, input_names, output_names, dynamic_axes, opset, keep_initializers_as_inputs
    )
    if verbose:
        import onnx

        print(onnx.helper.printable_graph(proto.graph))
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
        return
    _write_atomically(os.fspath(f), data)


def _write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then move it into place:
    a failure leaves no half-written file at ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


__all__ = ["UnsupportedOperatorError", "export"]
