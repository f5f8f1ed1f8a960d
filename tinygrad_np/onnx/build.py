"""Turn a traced forward pass into an ``onnx.ModelProto``.

:class:`GraphBuilder` collects nodes and initializers and hands out value names; the
emitters of ``mapping.py`` call it. :func:`build_model` traces the model, emits every
step in order and checks the result with ``onnx.checker``. The ``onnx`` package is
imported only inside these functions (this module is imported by ``export``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import mapping, trace
from .errors import unsupported

# the IR version each opset first appeared with (onnxruntime reads every one of them)
_IR_VERSION = {17: 8, 18: 8, 19: 9, 20: 9, 21: 10}


class GraphBuilder:
    """Nodes, initializers and value names of the graph being written."""

    def __init__(self, tr: trace.Trace, opset: int) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.trace = tr
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.values: dict[Any, str] = {}  # trace key -> value name
        self._const_names: dict[int, str] = {}  # id(array) -> initializer name
        self._used: set[str] = set()
        self._count = 0
        self._keep: list[Any] = []  # the constants' arrays: their ids stay unique while the builder lives
        self._aliases: dict[int, str] = {}  # id(tensor) -> name standing in for its value

    # ---- names ------------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        """A value name not used yet, built from ``hint``."""
        name = hint
        while name in self._used:
            self._count += 1
            name = f"{hint}_{self._count}"
        self._used.add(name)
        return name

    # ---- values -----------------------------------------------------------------------------
    def value(self, t: Any) -> str:
        """The name of the graph value behind ``t`` (a Tensor or an array): an input, an
        earlier op's output, or an initializer (parameters under their state_dict names)."""
        alias = self._aliases.get(id(t))
        if alias is not None:
            return alias
        key = self.trace.key(t)
        if key is not None and key[0] != "leaf":
            if key not in self.values:
                raise RuntimeError(f"ONNX export: internal error, value {key[:1]} used before it was made")
            return self.values[key]
        array = t._data if isinstance(t, Tensor) else np.asarray(t)
        return self.const(array, self.trace.names.get(id(t)) or self.trace.names.get(id(array)))

    def alias(self, t: Any, name: str | None) -> None:
        """Make ``value(t)`` return ``name`` (None: back to ``t``'s own value)."""
        if name is None:
            self._aliases.pop(id(t), None)
        else:
            self._aliases[id(t)] = name

    @contextlib.contextmanager
    def aliased(self, args: list[tuple[Any, Any]]) -> Iterator[None]:
        """Within the block, ``value(t)`` of each ``(t, key)`` is the value ``key`` (the
        Tensor as it was when the op or call ran; an in-place op may have changed it since)."""
        set_here = []
        for t, key in args:
            if key is not None and key[0] != "leaf" and id(t) not in self._aliases:
                self.alias(t, self.values[key])
                set_here.append(t)
        try:
            yield
        finally:
            for t in set_here:
                self.alias(t, None)

    def const(self, array: Any, name: str | None = None) -> str:
        """An initializer holding ``array`` (one per distinct array object)."""
        array = np.asarray(array)
        cached = self._const_names.get(id(array))
        if cached is not None:
            return cached
        out = self.fresh(name or f"onnx::const_{len(self.initializers)}")
        self.initializers.append(self.numpy_helper.from_array(np.array(array, order="C"), out))
        self._const_names[id(array)] = out
        self._keep.append(array)
        return out

    def ints(self, values: Any) -> str:
        """A 1-D int64 constant (shapes, axes, pads)."""
        return self.const(np.asarray(list(values), dtype=np.int64))

    def scalar(self, value: Any, dtype: Any) -> str:
        """A 0-d constant of ``dtype``."""
        return self.const(np.asarray(value, dtype=dtype))

    # ---- nodes ------------------------------------------------------------------------------
    def node(self, op_type: str, inputs: list[str], n_out: int = 1, **attrs: Any) -> Any:
        """Add one node; return its output name (or list of names when ``n_out > 1``)."""
        outs = [self.fresh(f"/{op_type}_{len(self.nodes)}_output_{i}") for i in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(
            self.helper.make_node(op_type, inputs, outs, name=f"/{op_type}_{len(self.nodes)}", **attrs)
        )
        return outs[0] if n_out == 1 else outs

    def reduce(self, op_type: str, x: str, axes: Any, keepdims: bool) -> str:
        """A Reduce* node; ``axes`` None reduces every axis. The axes are an input from
        opset 18 on (13 for ReduceSum), an attribute before."""
        as_input = op_type == "ReduceSum" or self.opset >= 18
        if axes is None:
            return self.node(op_type, [x], keepdims=int(keepdims))
        axes = [int(a) for a in axes]
        if as_input:
            return self.node(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.node(op_type, [x], axes=axes, keepdims=int(keepdims))

    def onnx_dtype(self, dtype: Any) -> int:
        return self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def build_model(
    model: Any,
    args: Any,
    input_names: list[str] | None,
    output_names: list[str] | None,
    dynamic_axes: dict[str, Any] | None,
    opset: int,
    keep_initializers_as_inputs: bool = False,
) -> Any:
    """Trace ``model`` on ``args`` and return the checked ``onnx.ModelProto``."""
    import onnx
    from onnx import helper

    from .. import __version__

    inputs = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    tr = trace.run(model, inputs)
    in_names = _names(input_names, len(tr.inputs), "input")
    out_names = _names(output_names, len(tr.outputs), "output")
    dims = _dynamic_dims(dynamic_axes, in_names, out_names, tr)

    order = trace.steps(tr, mapping.writes_whole)
    resized_outputs = _check_against_other_inputs(model, tr, order, in_names, dims)
    for name, t, other in zip(out_names, tr.outputs, resized_outputs, strict=True):
        # an output axis that followed the inputs' dynamic sizes is dynamic too (named unless given)
        named = dims.setdefault(name, {})
        for axis, (a, b) in enumerate(zip(t._data.shape, other, strict=True)):
            if a != b:
                named.setdefault(axis, f"{name}_dynamic_axes_{axis + 1}")

    g = GraphBuilder(tr, opset)
    for i, name in enumerate(in_names):
        g._used.add(name)
        g.values[("in", i)] = name
    g._used.update(out_names)
    for step in order:
        if isinstance(step, trace.ModuleCall):
            with g.aliased(list(zip(step.inputs, step.input_keys, strict=True))):
                out = mapping.emit_module(g, step)
            g.values[step.output_key] = out
        else:
            with g.aliased(tr.arg_keys(step)):
                outs = mapping.emit_op(g, step)
            outs = outs if isinstance(outs, (tuple, list)) else (outs,)
            for nr, out in enumerate(outs):
                g.values[("op", step, nr)] = out
    # the graph's outputs: rename the last node's output, or add an Identity
    for i, (o, name) in enumerate(zip(tr.outputs, out_names, strict=True)):
        g.node("Identity", [g.value(o)])
        g.nodes[-1].output[0] = name
        if o._data.dtype.kind == "b":
            raise unsupported(f"output {i} (bool)", "the model", "bool outputs are not supported")

    graph_inputs = [
        _value_info(helper, n, t, dims.get(n, {})) for n, t in zip(in_names, tr.inputs, strict=True)
    ]
    graph_outputs = [
        _value_info(helper, n, t, dims.get(n, {})) for n, t in zip(out_names, tr.outputs, strict=True)
    ]
    if keep_initializers_as_inputs:
        graph_inputs += [
            helper.make_tensor_value_info(init.name, init.data_type, list(init.dims))
            for init in g.initializers
        ]
    graph = helper.make_graph(g.nodes, "main_graph", graph_inputs, graph_outputs, g.initializers)
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="tinygrad_np",
        producer_version=__version__,
    )
    proto.ir_version = _IR_VERSION[opset]
    onnx.checker.check_model(proto)
    return proto


def _check_against_other_inputs(
    model: Any, tr: trace.Trace, order: list[Any], in_names: list[str], dims: dict[str, dict[int, str]]
) -> list[tuple[int, ...]]:
    """Trace twice more, on other values (the first time also with other sizes on the dynamic
    axes, the second with values three times as spread): a constant that changes was computed
    from the input outside the graph and would be frozen in the file (see trace.check_same_graph).
    Two runs make a coincidence (say an argmax that happens to agree) unlikely. Returns the
    output shapes of the run with other sizes."""
    resize = []  # per input, {dynamic axis: traced size + 1}
    for name, t in zip(in_names, tr.inputs, strict=True):
        resize.append({axis: t._data.shape[axis] + 1 for axis in dims.get(name, {})})
    shapes: list[tuple[int, ...]] = []
    for seed, sizes, spread in ((0, resize, 1.0), (1, [{} for _ in resize], 3.0)):
        rng = np.random.default_rng(seed)
        others = tuple(trace.other_values(t, rng, r, spread) for t, r in zip(tr.inputs, sizes, strict=True))
        try:
            tr2 = trace.run(model, others)
        except Exception as e:
            if not any(sizes):
                raise
            shapes = {n: tuple(o.shape) for n, o in zip(in_names, others, strict=True)}
            raise RuntimeError(
                f"ONNX export: the model fails on inputs of other sizes along the dynamic axes {shapes} "
                f"({type(e).__name__}: {e}); the exported file could not run them either. Fix the forward "
                "(e.g. reshape with -1 instead of the batch size) or drop those dynamic_axes."
            ) from e
        order2 = trace.steps(tr2, mapping.writes_whole)
        trace.check_same_graph(tr, order, tr2, order2, mapping.where_from(tr), any(sizes))
        if seed == 0:
            if len(tr2.outputs) != len(tr.outputs) or any(
                a.ndim != b.ndim for a, b in zip(tr.outputs, tr2.outputs, strict=False)
            ):
                raise unsupported(
                    "the outputs", "the model", "their number or ranks change with the input's size"
                )
            shapes = [tuple(o._data.shape) for o in tr2.outputs]
    return shapes


def _names(given: list[str] | None, n: int, stem: str) -> list[str]:
    given = list(given or [])
    if len(given) > n:
        raise ValueError(f"export: {len(given)} {stem}_names given for {n} {stem}(s)")
    default = [stem] if n == 1 else [f"{stem}_{i}" for i in range(n)]
    names = given + default[len(given) :]
    if len(set(names)) != len(names):
        raise ValueError(f"export: {stem} names must be distinct, got {names}")
    return names


def _dynamic_dims(
    dynamic_axes: dict[str, Any] | None, in_names: list[str], out_names: list[str], tr: trace.Trace
) -> dict[str, dict[int, str]]:
    """``{value name: {axis: dim name}}`` from torch-style ``dynamic_axes``."""
    out: dict[str, dict[int, str]] = {}
    tensors = dict(zip(in_names, tr.inputs, strict=True)) | dict(zip(out_names, tr.outputs, strict=True))
    for name, axes in (dynamic_axes or {}).items():
        if name not in tensors:
            raise ValueError(
                f"export: dynamic_axes names {name!r}, which is not an input or output name "
                f"(inputs {in_names}, outputs {out_names})"
            )
        ndim = tensors[name].ndim
        items = axes.items() if isinstance(axes, dict) else ((a, None) for a in axes)
        named: dict[int, str] = {}
        for axis, dim in items:
            a = int(axis)
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"export: dynamic axis {axis} of {name!r} is out of range for {ndim} dimensions"
                )
            named[a % ndim] = str(dim) if dim is not None else f"{name}_dynamic_axes_{a % ndim + 1}"
        out[name] = named
    return out


def _value_info(helper: Any, name: str, t: Tensor, dynamic: dict[int, str]) -> Any:
    shape = [dynamic.get(i, s) for i, s in enumerate(t._data.shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(t._data.dtype), shape)
