"""Lowering a confirmed tape to a *program*: a flat list of NumPy calls over buffers allocated once.

The tape (``tape.py``) replays each op's own ``forward`` and each node's own ``backward_np``:
exact, but every call still makes tensors, contexts and fresh arrays. Lowering goes one level
down. Each op on the tape is turned into the NumPy calls its ``forward`` and ``backward_np``
make, by the op's rule in ``rules.py``, with every result written into a buffer (``out=``)
that is allocated once, when the program is built. The program is then just::

    for fn, args in kernels:
        fn(*args)

with the arguments bound to the buffers: one Python call per NumPy kernel, no graph, no
allocation. What stays around the loop: the step's input tensors are copied into their
buffers, a gradient reaching a parameter is stored as its ``.grad`` (a fresh tensor, as in
eager mode), and the optimizer's own ``zero_grad()``/``step()`` run as calls.

How a program is built (``lower``): the tape is walked once with the step's real inputs.
Each rule *runs* the NumPy calls it emits (into the new buffers), so every buffer gets the
shape and dtype NumPy itself gives. Optimizer calls and ``.grad`` writes are not run while
building, so a build that fails (an op with no rule) leaves nothing changed and the step
keeps the tape's replay. Buffers are never shared between two values of one step (no
liveness analysis), so a step holds about the memory eager mode holds at its peak.

An op without a rule of its own, but whose output shape depends only on its inputs' shapes
(``OPAQUE`` in ``rules.py``: convolutions, pooling, softmax, cross-entropy, ...), is run as
one *opaque* kernel: its own ``forward`` on tensors wrapping the input buffers, the result
copied into its buffer; its backward likewise. Any other op (a shape that depends on the
data, such as ``x[x > 0]``, or several outputs) keeps the whole step on the tape's replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as _random
from ..autograd import grad_mode
from ..autograd.fast_backward import ArrayPass
from ..autograd.function import _function_init
from ..ops.reduce import broadcast_axes
from ..tensor import Tensor
from .tape import (
    _SLOT,
    Tape,
    _Backward,
    _Call,
    _GradRead,
    _Op,
    _Update,
    clear_grad,
    grad_of_tensor,
    update_in_place,
)

_new_obj = object.__new__


# ---- kernels that are small Python functions (the rest are NumPy functions themselves) ----------


# Each takes the buffer to write as its last argument, ``out``; called without it (as the
# builder does once, to learn the result's shape and dtype) it returns the result instead.


def sum_into(a: np.ndarray, axis: Any, keepdims: bool, out: np.ndarray | None = None) -> Any:
    """``out = a.sum(axis, keepdims=keepdims)`` (``ndarray.sum`` is ``np.add.reduce``)."""
    return np.add.reduce(a, axis, None, out, keepdims)


def cast_into(a: np.ndarray, dtype: np.dtype, out: np.ndarray | None = None) -> Any:
    """``out = a.astype(dtype)``."""
    if out is None:
        return a.astype(dtype)
    np.copyto(out, a, casting="unsafe")
    return out


def copy_of(fn: Callable[..., Any], a: np.ndarray, args: tuple, out: np.ndarray | None = None) -> Any:
    """``out = fn(a, *args)`` where that is not a view of ``a`` (a reshape that copies)."""
    if out is None:
        return fn(a, *args)
    np.copyto(out, fn(a, *args))
    return out


def read_tensor(t: Tensor, out: np.ndarray) -> None:
    """Copy a tensor's current value (the gradient handed to ``backward``) into a buffer."""
    np.copyto(out, t._data)


def store_grad(t: Tensor, g: np.ndarray) -> None:
    """``t.grad += g`` as the engine does it: a new array each time (a ``.grad`` handed to the
    user is never overwritten by a later step)."""
    old = t._grad
    t._grad = Tensor._wrap(g.copy() if old is None else old._data + g)


def store_input_grad(inputs: list[Any], i: int, g: np.ndarray) -> None:
    """``store_grad`` for the step's ``i``-th input tensor (a different tensor each call)."""
    store_grad(inputs[i], g)


def read_grad(t: Tensor, out: np.ndarray) -> None:
    """``out = t.grad`` (the step reads a parameter's gradient: ``p -= lr * p.grad``)."""
    np.copyto(out, grad_of_tensor(t)._data)


def call_with_grad_mode(enabled: bool, fn: Callable[..., Any], args: tuple) -> None:
    """An optimizer call, run with the grad mode the step was traced in."""
    state = grad_mode.state
    state.grad_enabled = enabled
    try:
        fn(*args)
    finally:
        state.grad_enabled = False


class Opaque:
    """An op run as one kernel: its own ``forward`` (then ``backward_np``) on tensors over the
    buffers, the results copied into their buffers. The context lives from one to the other."""

    __slots__ = ("args", "cls", "ctx", "grads", "init", "needs", "out")

    def __init__(self, cls: type, args: list[Any], needs: tuple) -> None:
        """``args``: the op's arguments, tensors over the buffers and constants."""
        self.cls, self.needs = cls, needs
        self.init = cls.__init__ is not _function_init
        self.args = args
        self.out: np.ndarray | None = None
        self.grads: list[np.ndarray | None] = []
        self.ctx: Any = None

    def run_forward(self) -> Any:
        ctx = _new_obj(self.cls)
        if self.init:
            ctx.__init__()
        ctx.needs_input_grad = self.needs
        result = self.cls.forward(ctx, *self.args)
        self.ctx = ctx
        return result._data

    def forward(self) -> None:
        _copy_checked(self.out, self.run_forward(), self.cls)

    def run_backward(self, g: np.ndarray) -> tuple:
        result = ArrayPass.results(self.ctx, [g])  # backward_np, else the Tensor-level backward
        result = result if type(result) is tuple else (result,)
        return tuple(
            r._data if isinstance(r, Tensor) else (None if r is None else np.asarray(r)) for r in result
        )

    def backward(self, g: np.ndarray) -> None:
        for r, buf in zip(self.run_backward(g), self.grads, strict=False):
            if buf is not None:
                _copy_checked(buf, r, self.cls)


def _copy_checked(buf: np.ndarray, a: np.ndarray, cls: type) -> None:
    if a.shape != buf.shape or a.dtype != buf.dtype:  # (never silently broadcast into a buffer)
        raise RuntimeError(
            f"compiled step: {cls.__name__} gave a result of shape {a.shape} {a.dtype} on replay, "
            f"{buf.shape} {buf.dtype} when traced; its output shape depends on the data. "
            "Call the step without tinygrad_np.compile."
        )
    np.copyto(buf, a)


# ---- the builder: emits kernels, runs them, names the buffers for explain() ----------------------


class Builder:
    """Collects the kernels of a program. ``out(fn, *args)`` allocates the result buffer and
    emits ``fn(*args, out)``; ``emit`` emits a call as given. Both run the call at once."""

    def __init__(self) -> None:
        self.kernels: list[tuple[Callable[..., Any], tuple]] = []
        self.texts: list[tuple[Any, str, tuple]] = []  # (result buffer or None, what, args)
        self.names: dict[int, str] = {}
        self.keep: list[Any] = []  # everything named, alive while the program is (ids stay unique)
        self.temps = 0

    def name(self, a: Any, name: str) -> None:
        self.names[id(a)] = name
        self.keep.append(a)

    def temp(self, a: np.ndarray) -> np.ndarray:
        self.temps += 1
        self.name(a, f"tmp{self.temps}")
        return a

    def out(self, fn: Callable[..., Any], *args: Any) -> np.ndarray:
        """``fn(*args)`` into a new buffer: ``fn(*args, buffer)``."""
        sample = np.asarray(fn(*args))
        buf = self.temp(np.empty(sample.shape, sample.dtype))
        self.emit(fn, (*args, buf), result=buf)
        return buf

    def emit(
        self,
        fn: Callable[..., Any],
        args: tuple,
        result: Any = None,
        run: bool = True,
        text: str = "",
        show: tuple | None = None,
    ) -> None:
        """Emit ``fn(*args)``. For explain(): ``result`` is the buffer it writes (its last
        argument; a tuple for several), ``show`` the arguments to print when they are not
        ``args``, ``text`` a line to print as it is. ``run`` False: a call with effects outside
        the buffers, not run while building."""
        if run:
            fn(*args)
        self.kernels.append((fn, args))
        if show is None:
            show = args[:-1] if result is not None and type(result) is not tuple else args
        self.texts.append((result, text or _fn_name(fn), None if text else show))

    def view(self, a: np.ndarray, how: str, fn: Callable[..., Any], *args: Any) -> np.ndarray:
        """A view of a buffer (reshape, transpose): no kernel, made once. If NumPy must copy
        (a non-contiguous reshape), the copy is a kernel."""
        v = fn(a, *args)
        if _owner(v) is _owner(a):
            self.name(v, f"{self.names.get(id(a), '?')}{how}")
            return v
        return self.out(copy_of, fn, a, args)

    def lines(self) -> list[str]:
        def show(v: Any) -> str:
            if isinstance(v, np.ndarray):
                return self.names.get(id(v), f"array{v.shape}")
            if isinstance(v, Tensor):
                return self.names.get(id(v), f"tensor{tuple(v._data.shape)}")
            if callable(v):
                return _fn_name(v)
            return repr(v)

        out = []
        for i, (result, what, args) in enumerate(self.texts):
            if args is None:  # (a line given as it is)
                out.append(f"{i:3d}  {what}")
                continue
            shown = [show(a) for a in args]
            nin = getattr(self.kernels[i][0], "nin", None)
            if result is None and nin is not None and len(shown) > nin:  # a ufunc in place
                shown[nin:] = [f"out={shown[nin]}"]
            call = f"{what}({', '.join(shown)})"
            if result is None:
                out.append(f"{i:3d}  {call}")
            else:
                results = result if type(result) is tuple else (result,)
                names = ", ".join("_" if r is None else show(r) for r in results)
                out.append(f"{i:3d}  {names} = {call}")
        return out


def _fn_name(fn: Any) -> str:
    if isinstance(fn, np.ufunc) or getattr(fn, "__module__", "") == "numpy":
        return f"np.{fn.__name__}"
    self = getattr(fn, "__self__", None)
    if isinstance(self, Opaque):
        how = (
            "forward" if fn.__name__ == "forward" else ("backward_np" if self.cls.backward_np else "backward")
        )
        return f"{self.cls.__name__}.{how}"
    return getattr(fn, "__name__", repr(fn))


def _owner(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


# ---- the program -------------------------------------------------------------------------------


class Program:
    """A lowered step: copy the inputs in, run the kernels, hand back the results."""

    __slots__ = ("bound", "inputs", "kernels", "lines", "result", "slots_of_inputs")

    def __init__(self) -> None:
        self.kernels: list[tuple[Callable[..., Any], tuple]] = []
        self.inputs: list[Any] = []  # the current call's input tensors (kernels read them)
        self.bound: list[tuple[Tensor, np.ndarray]] = []  # (tensor, the array bound into kernels)
        self.slots_of_inputs: list[np.ndarray] = []  # the input buffers
        self.result: Callable[[], Any] = lambda: None
        self.lines: list[str] = []

    def stale(self) -> bool:
        """Was a bound tensor given a new array (``p.data = ...``, ``load_state_dict`` assigning)?"""
        return any(t._data is not a for t, a in self.bound)

    def run(self, args: tuple[Tensor, ...]) -> Any:
        self.inputs[:] = args
        for buf, t in zip(self.slots_of_inputs, args, strict=True):
            np.copyto(buf, t._data)
        state = grad_mode.state
        prev = state.grad_enabled
        state.grad_enabled = False  # (as inside Function.apply and a plain backward)
        try:
            with np.errstate(all="ignore"):
                for fn, fargs in self.kernels:
                    fn(*fargs)
        finally:
            state.grad_enabled = prev
        return self.result()


def lower(
    tape: Tape, args: tuple[Tensor, ...], grad_enabled: bool, fixed_names: dict[int, str]
) -> Program | str:
    """Build the program of ``tape`` (the reason it cannot be built, as a string, otherwise).
    Nothing outside the new buffers changes while building."""
    from .rules import OPAQUE, RULES  # (rules.py imports this module)

    for e in tape.entries:
        if type(e) is _Op:
            if not e.single:
                return f"{e.cls.__name__} has several outputs (no kernel rule)"
            if e.cls not in RULES and e.cls not in OPAQUE:
                return f"{e.cls.__name__} has no kernel rule"
    lowering = Lowering(tape, args, grad_enabled, fixed_names)
    # an op drawing random numbers (dropout) draws while building too: put the generator back
    # afterwards, so that the build's real run draws what eager mode would
    generator = _random.default_generator.np
    generator_state = generator.bit_generator.state
    try:
        with np.errstate(all="ignore"):
            why = lowering.entries()
    finally:
        generator.bit_generator.state = generator_state
    if why is not None:
        return why
    prog, k = lowering.prog, lowering.k
    prog.kernels = k.kernels
    prog.lines = k.lines()
    prog.result = _result_maker(tape.result, lowering.val, tape.n_inputs, lowering.tensor_of, prog.inputs)
    return prog


class Lowering:
    """The state of one build: the builder, the program, and for each tape slot its buffer
    (``val``), the tensor behind an outside slot, and each opaque op's kernel object."""

    def __init__(
        self, tape: Tape, args: tuple[Tensor, ...], grad_enabled: bool, fixed_names: dict[int, str]
    ) -> None:
        self.tape, self.grad_enabled = tape, grad_enabled
        self.k = k = Builder()
        self.prog = Program()
        self.val: list[Any] = [None] * tape.n_slots
        self.tensor_of: dict[int, Tensor] = {}
        self.opaque: dict[int, Opaque] = {}  # entry index -> its kernel object
        for i, t in enumerate(args):
            buf = np.array(t._data, copy=True, order="C")
            self.val[i] = buf
            self.prog.slots_of_inputs.append(buf)
            k.name(buf, f"in{i}")
        self.slot_names = [f"in{i}" for i in range(tape.n_inputs)] + [
            f"t{s}" for s in range(tape.n_inputs, tape.n_slots)
        ]
        for slot, t, _ in tape.fixed:
            self.val[slot] = t._data
            self.tensor_of[slot] = t
            self.prog.bound.append((t, t._data))
            name = fixed_names.get(id(t), f"w{slot}")
            k.name(t._data, name)
            k.name(t, name)
            self.slot_names[slot] = name

    def entries(self) -> str | None:
        """Emit the kernels of every tape entry in order; the reason to give up, or None."""
        from .rules import RULES, SGD, sgd_plan, sgd_step

        k, tape, val, opaque, tensor_of = self.k, self.tape, self.val, self.opaque, self.tensor_of
        for index, e in enumerate(tape.entries):
            if type(e) is _Op:
                a = [val[v] if kind == _SLOT else v for kind, v in e.args]
                rule = RULES.get(e.cls)
                out = NotImplemented if rule is None else rule[0](k, *a)
                if out is NotImplemented:
                    tensors = [Tensor._wrap(val[v]) if kind == _SLOT else v for kind, v in e.args]
                    op = opaque[index] = Opaque(e.cls, tensors, e.needs)
                    sample = op.run_forward()
                    op.out = np.empty(sample.shape, sample.dtype)
                    k.emit(op.forward, (), result=op.out, show=tuple(a))
                    out = op.out
                shape, dtype = e.shapes[0]
                if not isinstance(out, np.ndarray) or (out.shape, out.dtype) != (shape, dtype):
                    return (
                        f"{e.cls.__name__}: the kernel rule's result differs from the traced op's"  # (a bug)
                    )
                val[e.outs[0]] = out
                k.name(out, f"t{e.outs[0]}")
            elif type(e) is _Backward:
                self.backward(e)
            elif type(e) is _GradRead:  # (while building, .grad is not set yet: zeros stand in)
                t = tensor_of[e.of]
                buf = np.zeros(e.shape, t._data.dtype)
                k.emit(read_grad, (t, buf), result=buf, run=False, show=(t,))
                k.names[id(buf)] = f"{k.names[id(t)]}.grad"
                k.keep.append(buf)
                val[e.slot] = buf
            elif type(e) is _Update:
                t = tensor_of[e.slot]
                other = val[e.other[1]] if e.other[0] == _SLOT else e.other[1]
                shown = k.names.get(id(other), repr(other))
                text = f"np.{e.ufunc.__name__}({k.names[id(t)]}, {shown}, out={k.names[id(t)]})  # in place"
                k.emit(update_in_place, (e.ufunc, t, other, e.bump), run=False, text=text)
            elif e.fn is clear_grad:
                k.emit(clear_grad, e.args, run=False, text=f"{k.names[id(e.args[0])]}.grad = None")
            elif type(getattr(e.fn, "__self__", None)) is SGD and e.fn.__name__ == "step" and not e.args:
                opt = e.fn.__self__
                text = "SGD.step()  # for each parameter: np.multiply(p.grad, lr, tmp); np.subtract(p, tmp, out=p)"
                k.emit(sgd_step, (opt, sgd_plan(opt)), run=False, text=text)
            else:
                assert type(e) is _Call
                owner = type(getattr(e.fn, "__self__", None)).__name__
                shown = ", ".join(repr(a) for a in e.args)
                text = f"{owner}.{getattr(e.fn, '__name__', 'call')}({shown})  # the optimizer's own code"
                k.emit(call_with_grad_mode, (self.grad_enabled, e.fn, e.args), run=False, text=text)
        return None

    def backward(self, bw: _Backward) -> None:
        """The recorded walk (``tape._replay_backward``) as kernels: each node's rule, then its
        gradients summed down to each input's shape (``ops.reduce.sum_to_array``, call for
        call), cast, and added to what the input already got."""
        from .rules import RULES

        k, tape, val, opaque = self.k, self.tape, self.val, self.opaque
        grads: dict[int, np.ndarray] = {}
        names = {b: tape._grad_name(key, self.slot_names) for key, b in bw.keys.items()}
        for b, slot, const in bw.seeds:
            if slot is not None:
                grads[b] = val[slot]  # dL/d(root) is an op's output on the tape
            else:  # the engine's ones, or a tensor given to backward(): read at each call
                buf = const._data.copy()
                k.name(const, "seed")
                k.emit(read_tensor, (const, buf), result=buf)
                k.name(buf, names[b])
                grads[b] = buf
        for op, ins, sends in bw.nodes:
            g = grads.get(ins[0]) if len(ins) == 1 else None
            if g is None:  # (no gradient reached this node)
                continue
            e = tape.entries[op]
            a = [val[v] if kind == _SLOT else v for kind, v in e.args]
            if op not in opaque:
                result = RULES[e.cls][1](k, e.needs, g, val[e.outs[0]], *a)
            else:
                node = opaque[op]
                sample = node.run_backward(g)
                node.grads = [None if r is None else k.temp(np.empty(r.shape, r.dtype)) for r in sample]
                k.emit(node.backward, (g,), result=tuple(node.grads))  # (fills the buffers)
                result = tuple(node.grads)
            if type(result) is not tuple:
                result = (result,)
            for i, b, shape, dt in sends:
                r = result[i]
                if r is None:
                    continue
                if r.shape != shape:  # ops.reduce.sum_to_array, call for call
                    axes = broadcast_axes(r.shape, shape)
                    summed = k.out(sum_into, r, axes, True) if axes else r
                    r = k.view(summed, f".reshape{shape}", np.reshape, shape)
                if r.dtype != dt:
                    r = k.out(cast_into, r, dt)
                prev = grads.get(b)
                grads[b] = r if prev is None else k.out(np.add, prev, r)
                if prev is not None or k.names.get(id(r), "").startswith("tmp"):
                    k.name(grads[b], names[b])
        n_inputs = tape.n_inputs
        for slot, b in bw.leaves:
            g = grads.get(b)
            if g is None:
                continue
            if slot < n_inputs:
                k.emit(store_input_grad, (self.prog.inputs, slot, g), run=False)
            else:
                k.emit(store_grad, (self.tensor_of[slot], g), run=False)


def _result_maker(
    spec: Any, val: list[Any], n_inputs: int, tensor_of: dict[int, Tensor], inputs: list[Any]
) -> Callable[[], Any]:
    """What the step returns: a fresh tensor holding a copy of the buffer (the buffer is
    overwritten by the next call); an input or outside tensor returned as itself."""
    if spec is None:
        return lambda: None

    def one(slot: int) -> Callable[[], Any]:
        if slot < n_inputs:
            return lambda: inputs[slot]
        if slot in tensor_of:
            t = tensor_of[slot]
            return lambda: t
        buf = val[slot]
        return lambda: Tensor._wrap(buf.copy())

    kind, v = spec
    if kind == "slot":
        return one(v)
    makers = [one(s) for s in v]
    seq = type(v)
    return lambda: seq(m() for m in makers)
