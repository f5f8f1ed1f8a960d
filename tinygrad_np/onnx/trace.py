"""Record one forward pass of a model as a list of steps in execution order.

The model runs once on copies of the example inputs that require grad (integer inputs
are kept as they are), with every float parameter requiring grad for the duration, so
every op that depends on an input or a parameter is recorded in the autograd graph.
While it runs, ops keep their forward arguments (``Function._inputs``, as
:func:`tinygrad_np.viz.record_inputs`), and forward hooks note, for each submodule call,
its inputs, its output and the range of node numbers (``_seq``) created inside it.

:func:`steps` then walks back from the outputs, without recursion: a value made by a
layer that ``mapping.MODULES`` can write whole (a convolution, a pool, a norm) stops the
walk at the layer's inputs; any other value continues into the op that made it. The
steps sorted by ``_seq`` are a topological order (a node is always numbered after its
inputs' nodes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import function as _function
from ..autograd import grad_mode
from ..tensor import Tensor
from .errors import unsupported

# A value of the graph: ("in", i) a graph input, ("op", node, output_nr) an op's output,
# ("leaf", id) a parameter (or other leaf requiring grad). Constants have no key (None).
Key = tuple[Any, ...]


@dataclass
class ModuleCall:
    """One call of a submodule during the trace."""

    module: Any
    name: str
    inputs: tuple[Any, ...]
    output: Any
    start: int
    end: int
    input_keys: list[Key | None]  # taken when the call began (an in-place op may change them later)
    output_key: Key | None  # taken when the call returned


@dataclass
class Trace:
    """What one traced forward pass left behind (see the module docstring)."""

    inputs: list[Tensor]
    outputs: list[Tensor]
    calls: list[ModuleCall]
    names: dict[int, str]  # id(parameter or buffer, or its array) -> state_dict name
    input_ids: dict[int, int] = field(default_factory=dict)  # id(input or its array) -> position

    def key(self, t: Any) -> Key | None:
        """The graph value ``t`` stands for; None for a constant."""
        i = self.input_ids.get(id(t))
        if i is not None:
            return ("in", i)
        if not isinstance(t, Tensor):
            return None
        if t.grad_fn is not None:
            return ("op", t.grad_fn, t._output_nr)
        if t._requires_grad:
            return ("leaf", id(t))
        return None

    def arg_keys(self, node: Any) -> list[tuple[Tensor, Key | None]]:
        """Each top-level Tensor argument of a recorded op with the value it was when the op
        ran, read from the op's edges (an in-place op later changes the Tensor's grad_fn)."""
        out = []
        for a, edge in zip(node._inputs, node._edges, strict=True):
            if not isinstance(a, Tensor):
                continue
            if edge is None:  # needs no gradient: an integer input or a constant
                out.append((a, self.key(a) if id(a) in self.input_ids else None))
            elif isinstance(edge[0], Tensor):  # a leaf: an input copy or a parameter
                i = self.input_ids.get(id(edge[0]))
                out.append((a, ("in", i) if i is not None else ("leaf", id(edge[0]))))
            else:
                out.append((a, ("op", edge[0], edge[1])))
        return out

    def owner(self, seq: int) -> ModuleCall | None:
        """The innermost module call that created node number ``seq``."""
        best = None
        for call in self.calls:
            if call.start < seq < call.end and (
                best is None or call.end - call.start < best.end - best.start
            ):
                best = call
        return best


def run(model: Any, inputs: tuple[Any, ...]) -> Trace:
    """Run ``model`` once on copies of ``inputs`` with everything recorded (see above)."""
    copies = [_traced_copy(x) for x in inputs]
    names: dict[int, str] = {}
    modules = dict(model.named_modules()) if hasattr(model, "named_modules") else {}
    if hasattr(model, "state_dict"):
        for name, t in [*model.named_parameters(), *model.named_buffers()]:
            names.setdefault(id(t), name)
            names.setdefault(id(t._data), name)
    calls: list[ModuleCall] = []
    trace = Trace(copies, [], calls, names)
    for i, c in enumerate(copies):
        trace.input_ids[id(c)] = i
        trace.input_ids[id(c._data)] = i  # an integer input used as an index arrives as its array
    handles = []
    for name, module in modules.items():
        starts: list[tuple[int, list[Key | None]]] = []

        def pre(mod: Any, args: Any, starts: list[Any] = starts) -> None:
            starts.append((_function._next_seq(), [trace.key(a) for a in args]))

        def post(mod: Any, args: Any, out: Any, starts: list[Any] = starts, name: str = name) -> None:
            start, keys = starts.pop()
            out_key = trace.key(out) if isinstance(out, Tensor) else None
            calls.append(ModuleCall(mod, name, tuple(args), out, start, _function._next_seq(), keys, out_key))

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    frozen = [
        p for p in (model.parameters() if modules else ()) if not p.requires_grad and p.is_floating_point()
    ]
    modes = [(m, m.training) for m in modules.values()]
    previous_keep = _function._keep_inputs
    try:
        for p in frozen:
            p.requires_grad_(True)
        if modules:
            model.eval()
        _function._keep_inputs = True
        with grad_mode.enable_grad():
            out = model(*copies)
    finally:
        _function._keep_inputs = previous_keep
        for h in handles:
            h.remove()
        for p in frozen:
            p.requires_grad_(False)
        for m, mode in modes:
            m.training = mode
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"ONNX export: the model's output {i} is a {type(o).__name__}, not a Tensor")
    trace.outputs = outputs
    return trace


def _traced_copy(x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"ONNX export: example inputs must be Tensors, got {type(x).__name__}; "
            "pass a Tensor or a tuple of Tensors"
        )
    copy = Tensor._wrap(x._data.copy())
    if copy._data.dtype.kind == "f":
        copy.requires_grad_(True)
    return copy


def steps(trace: Trace, module_rule: Any) -> list[Any]:
    """Nodes and module calls needed for the outputs, in execution order.

    ``module_rule(call)`` says whether a call is written whole (its inner ops are
    skipped). A call whose output is one of its inputs (Identity, Dropout in eval) is
    never a step: the value passes through.
    """
    made_by: dict[Key, ModuleCall] = {}
    for call in trace.calls:  # inner calls end first: the innermost writable layer wins
        out_key = call.output_key
        if out_key is None or out_key[0] != "op" or out_key in made_by:
            continue
        if out_key in call.input_keys:
            continue
        if module_rule(call):
            made_by[out_key] = call
    found: dict[int, tuple[int, Any]] = {}
    stack = [trace.key(o) for o in trace.outputs]
    seen: set[Key] = set()
    while stack:
        key = stack.pop()
        if key is None or key[0] != "op" or key in seen:
            continue
        seen.add(key)
        call = made_by.get(key)
        if call is not None:
            found[id(call)] = (key[1]._seq, call)
            stack.extend(call.input_keys)
            continue
        node = key[1]
        if id(node) not in found:
            found[id(node)] = (node._seq, node)
            stack.extend(k for _, k in trace.arg_keys(node))
    return [step for _, step in sorted(found.values(), key=lambda s: s[0])]


def other_values(x: Any, rng: np.random.Generator, resize: dict[int, int], spread: float = 1.0) -> Any:
    """An input like ``x`` with other values, and the sizes ``resize`` gives ({axis: size})
    on its dynamic axes: a second trace on it shows which constants depend on the input."""
    if not isinstance(x, Tensor):
        return x
    a = x._data
    shape = tuple(resize.get(i, s) for i, s in enumerate(a.shape))
    finite = a.size > 0 and a.dtype.kind == "f" and bool(np.isfinite(a).all())
    if a.dtype.kind == "f":
        scale = spread * ((float(np.std(a)) or 1.0) if finite else 1.0)
        b = rng.standard_normal(shape) * scale + (float(np.mean(a)) if finite else 0.0)
    elif a.dtype.kind in "iu" and a.size:
        b = rng.choice(a.reshape(-1), size=shape)  # values the input has: still valid indices
    else:
        b = np.resize(a, shape)
    return Tensor._wrap(np.asarray(b, dtype=a.dtype))


def check_same_graph(
    first: Trace, a: list[Any], second: Trace, b: list[Any], where: Any, resized: bool
) -> None:
    """Raise if the second trace (other values; other sizes on the dynamic axes when
    ``resized``) differs from the first: another sequence of ops, or a constant argument
    (or output) that changed, i.e. was computed from the input outside the graph."""
    if len(a) != len(b) or any(_kind(s) != _kind(t) for s, t in zip(a, b, strict=False)):
        raise unsupported(
            "the forward pass",
            "the model",
            "it runs different ops for inputs of other values or sizes (data-dependent control flow)",
        )
    why = (
        "one of its arguments was computed from the input's values"
        + (" or sizes" if resized else "")
        + " outside the graph and would be frozen to the traced input (e.g. max(dim)/min(dim) values: "
        "use amax/amin; torch.where on a comparison; indices from argmax/argsort/nonzero; .long(); "
        + ("a tensor made with x.shape[0] rows; " if resized else "")
        + "random numbers)"
    )
    for s, t in zip(a, b, strict=True):
        if isinstance(s, ModuleCall):
            continue
        for x, y, edge in zip(s._inputs, t._inputs, s._edges, strict=True):
            if edge is None and not _same_constant(x, y, first, resized):  # (an edge: a graph value)
                raise unsupported(f"op {type(s).__name__} ({s.name()})", where(s), why)
    for i, (x, y) in enumerate(zip(first.outputs, second.outputs, strict=True)):
        if first.key(x) is None and not _same_constant(x, y, first, resized):
            raise unsupported(f"output {i}", "the model", why.replace("one of its arguments", "it"))


def _kind(step: Any) -> Any:
    return type(step.module) if isinstance(step, ModuleCall) else type(step)


def _same_constant(x: Any, y: Any, tr: Trace, resized: bool) -> bool:
    """Whether forward argument ``x`` (first trace) and ``y`` (second) agree where they
    are constants. Plain settings (shapes, dims) are compared only when no size changed."""
    if isinstance(x, (tuple, list)):
        if not isinstance(y, (tuple, list)) or len(x) != len(y):
            return resized
        return all(_same_constant(p, q, tr, resized) for p, q in zip(x, y, strict=True))
    if isinstance(x, Tensor):
        if tr.key(x) is not None:
            return True  # a value of the graph, not a constant
        x = x._data
        y = y._data if isinstance(y, Tensor) else y
    if isinstance(x, np.ndarray):
        if id(x) in tr.input_ids:
            return True
        y = np.asarray(y)
        return (
            x.shape == y.shape
            and x.dtype == y.dtype
            and bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))
        )
    if resized or not isinstance(x, _SETTINGS):
        return True  # other objects (hooks' state, functions) carry no values into the graph
    try:
        return bool(x == y) or (x != x and y != y)  # NaN settings compare equal
    except Exception:
        return True


# plain settings an op receives (dims, slopes, dtypes, slices); compared between the traces
_SETTINGS = (int, float, bool, str, type(None), np.generic, np.dtype, slice)
