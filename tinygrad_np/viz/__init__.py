"""See backprop happen: graph drawings, a backward stepper and gradient diagnostics.

>>> import tinygrad_np as torch
>>> from tinygrad_np import viz
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = x * x
>>> loss = y + x
>>> print(viz.backward_steps(loss).order())
['AddBackward0', 'MulBackward0', 'AccumulateGrad']

* :func:`draw_graph` returns a ``graphviz.Digraph`` of the graph behind a tensor;
* :func:`backward_steps` records the engine's real backward pass step by step (data);
* :func:`stepper` turns those steps into a self-contained HTML page (Prev/Next);
* :func:`check_graph` compares each op's backward with finite differences.

Importing this package does not import ``graphviz``; rendering runs a ``dot``-compatible
program found as described in :mod:`tinygrad_np.viz.renderer`.
"""

from __future__ import annotations

from typing import Any

from .check import CheckResult, OpCheck, check_graph, record_inputs
from .draw import draw_graph, prepare
from .group import trace_modules
from .renderer import (
    ENV_VAR,
    TIMEOUT_ENV_VAR,
    RendererNotFoundError,
    RenderTimeoutError,
    find_renderer,
    render,
)
from .stepper import Stepper, stepper
from .steps import BackwardStep, BackwardTrace


def backward_steps(
    root: Any, params: Any = None, gradient: Any = None, max_elements: int = 16
) -> BackwardTrace:
    """The order in which backward visits the nodes behind ``root``, with the gradient each
    node receives, its local derivative formula and the gradients it sends on.

    Runs the engine's own backward (``retain_graph=True``, results not written to any
    ``.grad``) while recording, so the order and numbers are exactly the engine's.
    ``gradient`` is dL/droot for a non-scalar root. Each step's ``lines`` explain it: why the
    node runs now, the incoming gradient, each input's vector-Jacobian product with shapes and
    numbers (tensors of up to ``max_elements`` elements in full), and where each result goes.
    """
    _, _, _, trace = prepare(root, params, 1, steps=True, gradient=gradient, limit=max_elements)
    assert trace is not None
    return trace


__all__ = [
    "ENV_VAR",
    "BackwardStep",
    "BackwardTrace",
    "CheckResult",
    "OpCheck",
    "RenderTimeoutError",
    "RendererNotFoundError",
    "TIMEOUT_ENV_VAR",
    "Stepper",
    "backward_steps",
    "check_graph",
    "draw_graph",
    "find_renderer",
    "record_inputs",
    "render",
    "stepper",
    "trace_modules",
]
