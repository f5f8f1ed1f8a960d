"""``Function``: one differentiable op, and the graph node it leaves behind.

Every op, built-in or user-defined, is a subclass with two static methods::

    class Exp(Function):
        formula = "d exp(x)/dx = exp(x)"

        @staticmethod
        def forward(ctx, x):              # Tensors in, Tensor out
            y = Tensor._wrap(np.exp(x._data))
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):          # dL/dy in, dL/dx out
            (y,) = ctx.saved_tensors
            return grad * y               # d/dx e^x = e^x

``Exp.apply(x)`` runs ``forward`` with recording switched off and, when some
input requires a gradient, keeps the ``ctx`` object as the output's
``grad_fn``: a node of the graph that holds

* ``_edges``: for each forward argument, ``None`` or the node that made it
  (its ``grad_fn``; for a leaf, the leaf tensor itself, where the gradient
  ends), with the argument's shape and dtype so the engine can undo
  broadcasting;
* the tensors saved for backward, each with its version number (``SavedEntry``);
* ``_seq``, a creation counter. A node is always created after the nodes of
  its inputs, so processing nodes in decreasing ``_seq`` is a topological
  order: the engine needs no separate sort.

Backward is written with Tensor ops, so it is itself differentiable: under
``create_graph=True`` the engine leaves recording on and the gradient gets a
graph of its own (higher-order derivatives); otherwise recording is off and
the same code runs as plain NumPy arithmetic.

No reference cycles: a node refers to its inputs' nodes, never to its own
outputs. A saved *output* is kept as its array and rebuilt into a Tensor
(with ``grad_fn`` = this node) when backward asks for it.
"""

from __future__ import annotations

import functools
import itertools
import traceback
import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor, VersionCounter
from . import grad_mode
from .grad_mode import anomalous as _anomalous
from .grad_mode import tracing as _tracing

_next_seq = itertools.count().__next__
_ref = weakref.ref
_new_obj = object.__new__
_needs_cache: dict[tuple[bool, ...], tuple[bool, ...]] = {}
# Set by tinygrad_np.viz.record_inputs(): nodes keep their forward arguments as ``_inputs``.
_keep_inputs = False


# One entry of ``save_for_backward``, kept as a plain tuple (this runs for most ops, and a
# tuple is made and freed about 0.1 us faster than an object with attributes):
#
#     (tensor, version_counter, version, array, output_nr)
#
# ``version`` is the counter's value when the tensor was saved; backward refuses the entry
# if the tensor was changed in place since. A tensor that ``forward`` received (or made
# elsewhere) is kept as itself, with ``array=None, output_nr=-1``. An output of this very
# op is kept as ``(None, counter, version, its array, which output)``: keeping the Tensor
# would make a reference cycle (output -> node -> saved entry -> output); see
# ``_outputs_as_arrays`` and ``_unpack``.
SavedEntry = tuple[Tensor | None, VersionCounter, int, np.ndarray | None, int]


def _typename(obj: Any) -> str:
    """The type name as PyTorch's errors print it: ``int``, ``numpy.ndarray``."""
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _unpack(entry: SavedEntry, node: Function) -> Tensor:
    """The saved tensor of ``entry``, after checking it was not changed in place."""
    tensor, counter, version, array, output_nr = entry
    if counter.value != version:
        shape = array.shape if tensor is None else tensor.shape
        raise RuntimeError(
            f"{node.name()}: one of the variables needed for gradient computation "
            f"(a tensor of shape {tuple(shape)}) has been modified by an in-place "
            f"operation: it is at version {counter.value}; expected version "
            f"{version}. Do the in-place change after backward, or use an "
            "out-of-place op (e.g. `x = x + 1` instead of `x += 1`)."
        )
    if tensor is not None:
        return tensor
    # a saved output: rebuild it, attached to the node that produced it
    out = Tensor._wrap(array)
    out._vc = counter
    out.grad_fn = node
    out._output_nr = output_nr
    out._requires_grad = True
    return out


class Function:
    """Base class of every differentiable op; see the module docstring.

    Subclasses define static ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)`` and set ``formula``, the local derivative
    as a short readable string (shown by the graph drawing and the docs).
    ``backward`` returns one gradient per ``forward`` argument (``None`` for
    arguments that are not tensors or need no gradient).
    """

    formula: str = ""

    # Class-level defaults: a node is made with ``object.__new__`` and only the
    # attributes that differ from these are stored on it (the hot path of every op).
    _saved: tuple[SavedEntry | None, ...] | None = ()
    _edges: tuple[tuple[Any, int, tuple[int, ...], np.dtype] | None, ...] = ()
    _seq = 0
    needs_input_grad: tuple[bool, ...] = ()
    _out_meta: tuple[
        tuple[tuple[int, ...], np.dtype], ...
    ] = ()  # (shape, dtype) per output; multi-output only
    _tensor_hooks: dict[int, list[Any]] | None = None
    _retained: dict[int, Any] | None = None
    _trace: list[str] | None = None
    _non_differentiable: tuple[int, ...] = ()
    _consts: Any = ()  # operands that need no gradient, for drawings (a tuple; operands.py)
    materialize_grads = True
    # Optional array-level mirror of ``backward``: static ``backward_np(ctx, *grad_arrays)``
    # returning NumPy arrays (or NotImplemented to fall back). The engine uses it when
    # ``create_graph=False`` and anomaly detection is off; see autograd/fast_backward.py.
    backward_np: Any = None

    def __init__(self) -> None:
        pass  # everything has a class-level default (see above)

    # ---- used inside forward/backward -------------------------------------------
    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs of forward that get no gradient (e.g. indices), as in PyTorch."""
        self._check_tensors("mark_non_differentiable", tensors)
        self._non_differentiable = tuple(id(t) for t in tensors)

    def _check_tensors(self, method: str, tensors: tuple[Any, ...]) -> None:
        """PyTorch's error for a non-tensor given to ``ctx.<method>`` (checked when recording)."""
        if True in self.needs_input_grad:
            for i, t in enumerate(tensors):
                if not isinstance(t, Tensor):
                    raise RuntimeError(
                        f"{method} can only accept variables, but argument {i} is of type {_typename(t)}"
                    )

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Accepted for PyTorch compatibility; in-place changes are tracked by version counters."""
        self._check_tensors("mark_dirty", tensors)

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors (inputs or outputs of forward) for backward."""
        saved = []
        for t in tensors:
            if t is None:
                saved.append(None)
                continue
            try:
                counter = t._vcs  # the ``_vc`` property, inlined: this runs for most ops
            except AttributeError:  # not a Tensor
                if True in self.needs_input_grad:  # as PyTorch: checked only when recording
                    i = next(i for i, x in enumerate(tensors) if x is t)
                    raise TypeError(
                        f"save_for_backward can only save variables, but argument {i} is of type "
                        f"{_typename(t)}"
                    ) from None
                saved.append(None)
                continue
            if counter is None:
                counter = t._vcs = VersionCounter()
            saved.append((t, counter, counter.value, None, -1))  # a SavedEntry (see above)
        self._saved = tuple(saved)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        if self._saved is None:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to "
                "read saved tensors after they were freed). The saved tensors are freed "
                "when backward finishes; pass retain_graph=True to the first backward() "
                "call if you need to backward through the graph again."
            )
        return tuple(None if s is None else _unpack(s, self) for s in self._saved)

    # ---- the graph ----------------------------------------------------------------
    # PyTorch's name for this op's node where it is not ``<class name>Backward0``
    # (``Reshape`` is PyTorch's ``ViewBackward0``); empty for most ops.
    node_name: str = ""

    @classmethod
    def name(cls) -> str:
        """The node's name as PyTorch prints it: ``MulBackward0`` for a built-in op and,
        as in PyTorch, ``MyFnBackward`` (no number) for a user-defined Function ``MyFn``."""
        if cls.node_name:
            return cls.node_name
        return cls.__name__ + ("Backward0" if cls.__module__.startswith("tinygrad_np.") else "Backward")

    @classmethod
    def op_name(cls) -> str:
        """The op's short name, ``Mul`` for ``MulBackward0`` (for drawings and step lists)."""
        return short_name(cls.name())

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """``(node, output_index)`` per forward argument, ``(None, 0)`` where no
        gradient flows; as ``grad_fn.next_functions`` in PyTorch, where a leaf
        shows as its :class:`AccumulateGrad` node."""
        return tuple(
            (None, 0)
            if e is None
            else (grad_accumulator(e[0]), 0)
            if isinstance(e[0], Tensor)
            else (e[0], e[1])
            for e in self._edges
        )

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("subclasses of Function define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("subclasses of Function define backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op; record it in the graph when an input requires grad.

        What happens when an op runs, in the order of the code below:

        1. The node is made: ``ctx``, an instance of the op's class. It becomes the
           output's ``grad_fn`` only if the op is recorded.
        2. Recording off (``no_grad``, or backward without ``create_graph``): run
           ``forward`` and return its result; nothing is recorded.
        3. One pass over the arguments: ``ctx.needs_input_grad`` (known inside forward
           too, so an op saves only what its backward will use) and, for each tensor
           that requires grad, the edge to its node (for a leaf, the leaf tensor
           itself), with its shape and dtype so the engine can undo broadcasting.
        4. ``forward`` runs with recording off: an op is one node, whatever it does
           inside.
        5. No argument requires grad: the result is a plain tensor, no node is kept.
        6. Otherwise the node is numbered (``_seq``, the engine's topological order)
           and attached (written out here for one new output, else ``_attach``): it
           becomes the ``grad_fn`` of each float output, and a saved output is kept as
           its array (no reference cycle).
        """
        state = grad_mode.state
        flags = state.__dict__  # this thread's switches, as a plain dict (see grad_mode._State)
        if _tracing and flags["_tracer"] is not None:  # tinygrad_np.compile traces a step: it records the op
            return state.tracer.record_op(cls, args)
        ctx = _new_obj(cls)  # 1.
        if cls.__init__ is not _function_init:  # a user-defined Function with its own __init__
            ctx.__init__()
        if not flags["grad_enabled"]:  # 2.
            ctx.needs_input_grad = (False,) * len(args)
            out = cls.forward(ctx, *args)
            if _anomalous and state.anomaly_enabled:
                _check_forward(ctx, args, out)
            return out
        needs = []  # 3.
        edges = []
        consts = None  # for drawings: what the tensors that need no gradient look like
        record = False
        for a in args:
            if isinstance(a, Tensor):
                if a._base is not None and a._vc.value != a._view_version:
                    a._sync_view()  # a view whose memory changed since its history was made
                d = a._data
                if a._requires_grad:
                    node = a.grad_fn
                    if node is None:  # a leaf: the edge ends at the tensor itself
                        edges.append((a, 0, d.shape, d.dtype))
                    else:
                        edges.append((node, a._output_nr, d.shape, d.dtype))
                    needs.append(True)
                    record = True
                    continue
                # noted for drawings in one of the two forms of autograd/operands.py (written out:
                # this runs in every op with such an operand, ``y + 1`` included)
                if d.size == 1:
                    entry = (len(edges), a)
                else:
                    entry = (len(edges), d.shape, d.dtype, None, _ref(a))  # operands.describe_operand
                consts = (entry,) if consts is None else (*consts, entry)  # (a tuple: one allocation)
            needs.append(False)
            edges.append(None)
        needs = tuple(needs)
        # one shared tuple per pattern: a node keeps no tracked object of its own for it
        ctx.needs_input_grad = _needs_cache.setdefault(needs, needs)
        flags["grad_enabled"] = False  # 4.
        try:
            out = cls.forward(ctx, *args)
        finally:
            flags["grad_enabled"] = True
        if not record:  # 5.
            if _anomalous and state.anomaly_enabled:
                _check_forward(ctx, args, out)
            return out
        ctx._edges = tuple(edges)  # 6.
        ctx._seq = _next_seq()
        if consts is not None:
            ctx._consts = consts
        if type(out) is not Tensor or ctx._non_differentiable or _keep_inputs or _anomalous:
            return ctx._attach(args, out, state)  # several outputs, or a tool is on
        for a in args:
            if a is out:  # forward returned an input unchanged: it gets its own Tensor
                return ctx._attach(args, out, state)
        # one new output, the common case (``_attach`` written out for it)
        if out._data.dtype.kind == "f":
            out.grad_fn = ctx
            out._output_nr = 0
            out._requires_grad = True
        saved = ctx._saved
        if saved:
            for s in saved:
                if s is not None and s[0] is out:  # a saved output: keep its array (no cycle)
                    ctx._saved = _outputs_as_arrays(saved, (out,))
                    break
        return out

    def _attach(self, args: tuple[Any, ...], out: Any, state: Any) -> Any:
        """Make this node (its ``_edges`` and ``_seq`` set) the ``grad_fn`` of ``out``, the
        output(s) of forward; a saved output is kept as its array. The general case (several
        outputs, an input returned unchanged, outputs marked non-differentiable, the tools
        on); ``apply`` does the common one, one new output, itself."""
        single = type(out) is not tuple
        originals = (out,) if single else out
        outputs = tuple([_fresh_output(o, args) for o in originals])
        nd = self._non_differentiable
        for i, o in enumerate(outputs):
            if o._data.dtype.kind == "f" and id(originals[i]) not in nd:
                o.grad_fn = self
                o._output_nr = i
                o._requires_grad = True
        if not single:  # (one output: no _out_meta, the engine reads 1)
            self._out_meta = tuple([(o._data.shape, o._data.dtype) for o in outputs])
        if self._saved:
            self._saved = _outputs_as_arrays(self._saved, outputs)
        if _keep_inputs:  # tinygrad_np.viz.check_graph replays the op on these
            self._inputs = args
        if _anomalous and state.anomaly_enabled:
            self._trace = traceback.format_stack()[:-3]
            _check_forward(self, args, outputs)
        return outputs[0] if single else outputs


def short_name(node_name: str) -> str:
    """``MulBackward0`` -> ``Mul``, ``MyFnBackward`` -> ``MyFn``: a node's name without the
    ``Backward`` suffix and PyTorch's overload number."""
    base = node_name.rstrip("0123456789")
    return base.removesuffix("Backward") or node_name


def _fresh_output(o: Any, args: tuple[Any, ...]) -> Tensor:
    if not isinstance(o, Tensor):
        raise TypeError(f"Function.forward must return Tensors, got {type(o).__name__}")
    for a in args:
        if o is a:  # forward returned an input unchanged: give the output its own Tensor
            alias = Tensor._wrap(o._data)
            alias._vc = o._vc
            return alias
    return o


def _outputs_as_arrays(
    saved: tuple[SavedEntry | None, ...], outputs: tuple[Tensor, ...]
) -> tuple[SavedEntry | None, ...]:
    """``saved`` with each output of the op kept as its array, not as the Tensor (that
    would be a reference cycle: output -> node -> saved entry -> output)."""
    result = []
    for s in saved:
        if s is not None:
            for i, o in enumerate(outputs):
                if s[0] is o:
                    s = (None, s[1], s[2], o._data, i)
                    break
        result.append(s)
    return tuple(result)


def _check_forward(ctx: Function, args: tuple[Any, ...], out: Any) -> None:
    """Under ``detect_anomaly``: name the op whose forward first produced NaN/Inf."""
    outputs = out if isinstance(out, tuple) else (out,)
    if all(_finite(o._data) for o in outputs if isinstance(o, Tensor)):
        return
    if all(_finite(a._data) for a in args if isinstance(a, Tensor)):
        shapes = ", ".join(str(tuple(a.shape)) for a in args if isinstance(a, Tensor))
        raise RuntimeError(
            f"detect_anomaly: {type(ctx).__name__} produced NaN or Inf in its forward output "
            f"from finite inputs of shape(s) {shapes}."
        )


def _finite(a: np.ndarray) -> bool:
    return a.dtype.kind != "f" or bool(np.isfinite(a).all())


def saved_arrays(ctx: Function) -> list[np.ndarray | None]:
    """The saved tensors' arrays for ``backward_np``: the same checks as
    ``ctx.saved_tensors`` (freed graph, in-place change) without building Tensors."""
    saved = ctx._saved
    if saved is None:
        return list(ctx.saved_tensors)  # raises the freed-graph error
    out = []
    for s in saved:
        if s is None:
            out.append(None)
            continue
        tensor, counter, version, array, _ = s
        if counter.value != version:
            _unpack(s, ctx)  # raises the in-place error
        out.append(array if tensor is None else tensor._data)
    return out


class AccumulateGrad:
    """How ``next_functions`` shows a leaf tensor, as in PyTorch: the step where
    backward ends and adds into ``.grad``.

    The graph's edges end at the leaf tensor itself and the engine accumulates
    into it directly, so a training step makes no such object; one is made only
    when asked for (``next_functions``, the drawing), and a leaf caches it
    weakly, so that asking twice gives the same node while someone holds it.
    """

    __slots__ = ("__weakref__", "_seq", "variable")
    formula = "dL/dleaf accumulates into .grad"

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self._seq = _next_seq()

    @staticmethod
    def name() -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    @property
    def next_functions(self) -> tuple[()]:
        return ()


def grad_accumulator(t: Tensor) -> AccumulateGrad:
    """The (cached) AccumulateGrad node of leaf ``t``."""
    ref = t._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node


_function_init = Function.__init__


class FunctionCtx(Function):
    """Alias kept for code that annotates ``ctx`` with PyTorch's type name."""


def once_differentiable(backward: Any) -> Any:
    """Decorator for a ``Function.backward`` that is not itself differentiable (as
    PyTorch's): it runs with recording off, so ``create_graph=True`` records no graph
    through it and its gradients get no higher derivative."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grad_outputs: Any) -> Any:
        with grad_mode.no_grad():
            return backward(ctx, *grad_outputs)

    return wrapper
