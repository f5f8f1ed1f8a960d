"""``tinygrad_np.compile(step_fn)``: trace a training step once, replay it without a graph.

A training step does the same thing every time: the same ops on arrays of the same shapes,
the same backward walk, the same optimizer update. Eager mode pays Python for that on every
step (a node per op, its edges, the heap of the backward walk, the gradient buffers). A
compiled step pays it once:

1. **Trace** (the first two calls, run eagerly): every op that ``Function.apply`` runs is
   written on a *tape*, with where its tensor arguments came from (an input of the step, a
   tensor from outside such as a parameter, or the output of an earlier op), its other
   arguments, and ``needs_input_grad``. ``backward()`` runs through ``_TracingPass``, the
   array walk of ``autograd/fast_backward.py`` that also writes down which node ran when and
   where each gradient went. ``optimizer.zero_grad()`` and ``optimizer.step()`` are written
   down as calls. The second call traces again and must give the same tape: a tensor made
   outside an op (``torch.randn`` in the step, a dropout mask) is a new object each time, and
   a Python value that changes between calls shows up as a different argument.
2. **Replay** (later calls with inputs of the same shapes and dtypes): each op's own
   ``forward``, then each node's own ``backward_np`` (or ``backward``), then the optimizer's
   own update, in the recorded order, on the new inputs. No node, edge, heap or dict of
   buffers is made. The kernels are the very same functions in the very same order, so the
   results are bit for bit those of eager mode.

Whatever the tape cannot replay faithfully makes the step run eagerly, and with
``verbose=True`` says why, once: a value read into Python mid-step (``.item()``,
``bool(t)``, ``.numpy()``, ``.tolist()``), tensor hooks or ``retain_grad``, anomaly
detection, ``create_graph`` or ``autograd.grad``, in-place changes outside ops (except the
hand-written optimizer: ``p.grad = None`` and ``p -= lr * p.grad`` under ``no_grad`` on a
tensor from outside the step, written down as ``_Update``/``_GradRead``), NumPy arrays
computed in Python and handed to an op, a tape that differs between the first two calls.
New input shapes or dtypes trace a new tape (at most ``cache_size_limit`` are kept).

Limits, as with ``torch.jit.trace``: Python side effects of ``step_fn`` that touch no tensor
(printing, counters) happen only while tracing; Python values the step computes (a learning
rate passed to an op, a branch on a global flag) are frozen at tracing, except where the two
traces disagree; the tape holds the parameters and optimizers it saw (``reset()`` after
replacing them); a returned tensor carries no ``grad_fn``. Changes the guards do see: input
shapes, dtypes and ``requires_grad``, grad mode, anomaly mode, ``Module.training``, new hooks,
``requires_grad`` of the tensors used; an optimizer's ``param_groups`` (``lr`` set by a
scheduler) are read by its own ``step()`` on every replay.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.fast_backward import ArrayPass
from ..autograd.function import _function_init
from ..tensor import Tensor

_new_obj = object.__new__
_SLOT, _CONST = 0, 1  # kinds of an op argument on the tape


class _Op:
    """One forward op on the tape: ``outs = cls.forward(ctx, *args)``."""

    __slots__ = ("args", "cls", "fetch", "init", "keep", "needs", "out_meta", "outs", "shapes", "single")

    def __init__(self, cls: type, args: tuple, needs: tuple, outs: tuple, single: bool) -> None:
        self.cls, self.args, self.needs, self.outs, self.single = cls, args, needs, outs, single
        self.init = cls.__init__ is not _function_init  # a user Function with its own __init__
        # the arguments in one C call when they are all tensors (two or more: a tuple)
        slots = [v for k, v in args if k == _SLOT]
        self.fetch = itemgetter(*slots) if len(slots) == len(args) >= 2 else None
        self.keep = False  # does a backward on the tape use this op's ctx?
        self.out_meta: tuple = ()
        self.shapes: tuple = ()  # the outputs' (shape, dtype), for explain()


class _Backward:
    """One ``backward()`` call on the tape: the seeds, the nodes in the order the walk ran
    them (with the buffer slots they read and write), and the leaves that got gradients."""

    __slots__ = ("keys", "leaves", "nodes", "retain", "seeds")

    def __init__(self, retain: bool) -> None:
        self.retain = retain
        self.keys: dict[tuple, int] = {}  # ("n", op, output_nr) or ("l", slot) -> buffer index
        self.seeds: list[tuple[int, int | None, Tensor | None]] = []  # (buffer, slot, or tensor)
        self.nodes: list[tuple[int, tuple[int, ...], tuple]] = []  # (op, in buffers, sends)
        self.leaves: list[tuple[int, int]] = []  # (slot, buffer)

    def key(self, k: tuple) -> int:
        return self.keys.setdefault(k, len(self.keys))


class _Call:
    """An optimizer call on the tape (``zero_grad``, ``step``), replayed as itself."""

    __slots__ = ("args", "fn")

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        self.fn, self.args = fn, args


class _Update:
    """An in-place update of a tensor from outside the step, made under ``no_grad`` (the
    hand-written SGD step ``p -= lr * p.grad``): ``ufunc(t, other, out=t)``."""

    __slots__ = ("bump", "other", "slot", "ufunc")

    def __init__(self, ufunc: Any, slot: int, other: tuple, bump: bool) -> None:
        self.ufunc, self.slot, self.other, self.bump = ufunc, slot, other, bump


class _GradRead:
    """``p.grad`` read in the step (after backward): slot ``slot`` is ``p``'s ``.grad`` then."""

    __slots__ = ("of", "shape", "slot")

    def __init__(self, of: int, slot: int, shape: tuple) -> None:
        self.of, self.slot, self.shape = of, slot, shape


def clear_grad(t: Tensor) -> None:
    """``t.grad = None`` in the step (a hand-written ``zero_grad``)."""
    t._grad = None


def update_in_place(ufunc: Any, t: Tensor, other: Any, bump: bool) -> None:
    """``t -= other`` (or another ufunc) in place, as ``Tensor._inplace_binary`` does it."""
    ufunc(t._data, other._data if isinstance(other, Tensor) else other, out=t._data, casting="unsafe")
    if bump:
        t._bump()


def grad_of_tensor(t: Tensor) -> Tensor:
    """``t.grad`` at replay; it was a tensor when traced."""
    g = t._grad
    if g is None:
        raise RuntimeError(
            f"compiled step: the .grad of a tensor of shape {tuple(t._data.shape)} is None on replay "
            "(it was set when the step was traced)"
        )
    return g


class Tape:
    """The recorded step: entries (``_Op``, ``_Backward``, ``_Call``, ``_Update``,
    ``_GradRead``) and the slot table."""

    def __init__(self) -> None:
        self.entries: list[Any] = []
        self.n_slots = 0
        self.n_inputs = 0
        self.fixed: list[tuple[int, Tensor, bool]] = []  # (slot, outside tensor, requires_grad)
        self.result: Any = None  # how to rebuild the step's return value from slots
        self.signature: list[Any] = []  # compared between the two traces
        self.modules: dict[int, tuple[Any, bool]] = {}  # id -> (module called, its .training)

    # ---- replay ----------------------------------------------------------------------------
    def replay(self, inputs: tuple[Tensor, ...]) -> Any:
        env: list[Any] = [None] * self.n_slots
        env[: self.n_inputs] = inputs
        for slot, t, _ in self.fixed:
            env[slot] = t
        ctxs: list[Any] = [None] * len(self.entries)
        state = grad_mode.state
        prev = state.grad_enabled
        state.grad_enabled = False  # as inside Function.apply and a plain backward
        try:
            for i, e in enumerate(self.entries):
                kind = type(e)
                if kind is _Op:
                    cls = e.cls
                    ctx = _new_obj(cls)
                    if e.init:
                        ctx.__init__()
                    ctx.needs_input_grad = e.needs
                    fetch = e.fetch
                    args = (
                        fetch(env) if fetch is not None else [env[v] if k == _SLOT else v for k, v in e.args]
                    )
                    out = cls.forward(ctx, *args)
                    if e.single:
                        env[e.outs[0]] = out
                    else:
                        for s, o in zip(e.outs, out, strict=True):
                            env[s] = o
                        ctx._out_meta = e.out_meta
                    if e.keep:
                        ctxs[i] = ctx
                elif kind is _Backward:
                    _replay_backward(e, env, ctxs)
                elif kind is _GradRead:
                    env[e.slot] = grad_of_tensor(env[e.of])
                elif kind is _Update:
                    other = e.other[1] if e.other[0] == _CONST else env[e.other[1]]
                    update_in_place(e.ufunc, env[e.slot], other, e.bump)
                else:
                    state.grad_enabled = prev
                    try:
                        e.fn(*e.args)
                    finally:
                        state.grad_enabled = False
        finally:
            state.grad_enabled = prev
        return _rebuild(self.result, env)

    def guard(self) -> str | None:
        """Why this tape cannot be replayed now (None if it can): cheap checks per call."""
        state = grad_mode.state
        if state.anomaly_enabled:
            return "anomaly detection is on"
        if state.backward_observer is not None:
            return "a backward observer (tinygrad_np.viz) is set"
        for m, training in self.modules.values():
            if m.training is not training:
                return f"{type(m).__name__}.training changed since tracing (train()/eval())"
        for _, t, rg in self.fixed:
            if t._requires_grad is not rg:
                return "requires_grad of a tensor used by the step changed since tracing"
            if t._hooks:
                return "a hook was registered on a tensor used by the step"
        return None

    def _slot_of_fixed(self, t: Tensor) -> int:
        return next(slot for slot, f, _ in self.fixed if f is t)

    # ---- the lesson ------------------------------------------------------------------------
    def _grad_name(self, key: tuple, names: list[str]) -> str:
        """``grad[t5]``: the gradient buffer of a tensor of the tape (a leaf or an op output)."""
        if key[0] == "l":
            return f"grad[{names[key[1]]}]"
        return f"grad[{names[self.entries[key[1]].outs[key[2]]]}]"

    def explain(self) -> list[str]:
        """The tape as readable lines: one per op kernel, node backward and optimizer call."""
        names = [f"in{i}" for i in range(self.n_inputs)] + [""] * (self.n_slots - self.n_inputs)
        for slot, _t, _ in self.fixed:
            names[slot] = f"w{slot}"
        lines = []
        for i, e in enumerate(self.entries):
            if type(e) is _Op:
                for s in e.outs:
                    names[s] = f"t{s}"
                args = ", ".join(names[v] if k == _SLOT else _short(v) for k, v in e.args)
                outs = ", ".join(names[s] for s in e.outs)
                shapes = ", ".join(f"{tuple(shape)} {dt}" for shape, dt in e.shapes)
                lines.append(f"{i:3d} fwd  {outs} = {e.cls.__name__}.forward({args})  # {shapes}")
            elif type(e) is _Backward:
                gnames = {b: self._grad_name(k, names) for k, b in e.keys.items()}
                gname = gnames.__getitem__
                for b, _, _ in e.seeds:
                    lines.append(f"{i:3d} seed {gname(b)} = ones")
                for op, ins, sends in e.nodes:
                    node = self.entries[op].cls
                    how = "backward_np" if node.backward_np is not None else "backward"
                    outs = ", ".join(gname(b) for _, b, _, _ in sends)
                    ins_s = ", ".join(gname(b) for b in ins)
                    lines.append(f"{i:3d} bwd  {outs} += {node.__name__}.{how}({ins_s})")
                for slot, b in e.leaves:
                    lines.append(f"{i:3d} acc  {names[slot]}.grad += {gname(b)}")
            elif type(e) is _GradRead:
                names[e.slot] = f"{names[e.of]}.grad"
                lines.append(f"{i:3d} read {names[e.slot]}")
            elif type(e) is _Update:
                other = names[e.other[1]] if e.other[0] == _SLOT else _short(e.other[1])
                lines.append(
                    f"{i:3d} upd  np.{e.ufunc.__name__}({names[e.slot]}, {other}, out={names[e.slot]})"
                )
            elif e.fn is clear_grad:
                lines.append(f"{i:3d} call {names[self._slot_of_fixed(e.args[0])]}.grad = None")
            else:
                owner = getattr(e.fn, "__self__", None)
                name = getattr(e.fn, "__qualname__", repr(e.fn))
                lines.append(
                    f"{i:3d} call {name}()" + ("" if owner is None else f"  # {type(owner).__name__}")
                )
        return lines


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array({v.tolist()!r})" if v.size <= 4 else f"array{v.shape}"
    return repr(v)


def _replay_backward(bw: _Backward, env: list[Any], ctxs: list[Any]) -> None:
    """The recorded walk of ``ArrayPass.run`` on the replayed nodes: same calls, same order."""
    bufs: list[Any] = [None] * len(bw.keys)
    acc = _new_obj(ArrayPass)  # only its leaf accumulation is used (``handed_out``)
    acc.handed_out = {}
    for b, slot, const in bw.seeds:
        bufs[b] = env[slot]._data if slot is not None else const._data.copy()
    retain = bw.retain
    for op, ins, sends in bw.nodes:
        node = ctxs[op]
        result = ArrayPass.results(node, [bufs[b] for b in ins])
        if result is None:  # (no gradient reached it)
            continue
        if not retain:
            node._saved = None
        if type(result) is not tuple:
            result = (result,)
        for i, b, shape, dt in sends:
            g = result[i]
            if g is None:
                continue
            if type(g) is not np.ndarray:
                g = g._data if isinstance(g, Tensor) else np.asarray(g)
            if g.shape != shape:
                from ..ops.reduce import sum_to_array

                g = sum_to_array(g, shape)
            if g.dtype != dt:
                g = g.astype(dt)
            prev = bufs[b]
            bufs[b] = g if prev is None else np.asarray(prev + g)
    for slot, b in bw.leaves:
        if bufs[b] is not None:
            acc.accumulate_array(env[slot], bufs[b])


def _rebuild(spec: Any, env: list[Any]) -> Any:
    if spec is None:
        return None
    kind, v = spec
    if kind == "slot":
        return env[v]
    return type(v)(env[s] for s in v) if kind == "seq" else v


# ---- tracing ---------------------------------------------------------------------------------


class _Recorder:
    """Set as ``grad_mode.state.tracer`` while a step is traced; the hooks in
    ``Function.apply``, ``engine._run``, the optimizers and ``Tensor`` call it."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        self.slots: dict[int, int] = {}  # id(tensor) -> slot
        self.seen: dict[int, tuple[Tensor, np.ndarray, int]] = {}  # slot -> (tensor, data, version)
        self.keep: list[Any] = []  # tensors and nodes seen, alive while tracing (ids stay unique)
        self.node_op: dict[int, int] = {}  # id(node) -> index of its _Op
        self.optimized: set[int] = set()  # ids of tensors a traced optimizer call may change
        self.aliases: dict[int, Tensor] = {}  # id(t.data) -> t
        self.expected_bump: int | None = None  # id of the tensor an update is about to change
        self.reason: str | None = None

    def refuse(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason

    # ---- slots -----------------------------------------------------------------------------
    def new_slot(self, t: Tensor) -> int:
        tape = self.tape
        slot = tape.n_slots
        tape.n_slots += 1
        self.slots[id(t)] = slot
        self.seen[slot] = (t, t._data, _version(t))
        self.keep.append(t)
        return slot

    def slot_of(self, t: Tensor) -> int:
        """The slot of a tensor used by an op: known, or a new tensor from outside the step."""
        t = self.aliases.get(id(t), t)  # (``p.data`` is ``p``)
        slot = self.slots.get(id(t))
        if slot is None:
            slot = self.new_slot(t)
            self.tape.fixed.append((slot, t, t._requires_grad))
            self.tape.signature.append(("outside", id(t)))
            return slot
        self.check_unchanged(slot)
        return slot

    def check_unchanged(self, slot: int) -> None:
        t, data, version = self.seen[slot]
        if (t._data is not data or _version(t) != version) and id(t) not in self.optimized:
            self.refuse(
                f"a tensor of shape {tuple(t.shape)} was changed in place during the step "
                "(in-place ops and assignments are not traced)"
            )

    # ---- the hooks ---------------------------------------------------------------------------
    def record_op(self, cls: type, args: tuple) -> Any:
        """``Function.apply`` while tracing: run the op as usual and write it on the tape."""
        flags = grad_mode.state.__dict__  # (this thread's switches: see grad_mode._State)
        enabled = flags["grad_enabled"]
        needs_list = []
        spec = []
        sig: list[Any] = [cls, None]
        for a in args:
            if isinstance(a, Tensor):
                needs_list.append(enabled and a._requires_grad)
                slot = self.slot_of(a)
                spec.append((_SLOT, slot))
                sig.append(slot)
            else:
                needs_list.append(False)
                spec.append((_CONST, a))
                sig.append(_const_key(a, self))
        sig[1] = needs = tuple(needs_list)
        # ops inside this op's forward are part of it: the tracer is off while it runs (set in
        # the thread's dict directly; the thread stays marked as tracing)
        flags["_tracer"] = None
        try:
            out = cls.apply(*args)
        finally:
            flags["_tracer"] = self
        single = type(out) is not tuple
        outputs = (out,) if single else out
        outs = tuple(self.new_slot(o) for o in outputs)
        op = _Op(cls, tuple(spec), needs, outs, single)
        op.shapes = tuple([(o._data.shape, o._data.dtype) for o in outputs])
        if not single:
            op.out_meta = tuple((o._data.shape, o._data.dtype) for o in outputs)
        for o in outputs:
            node = o.grad_fn
            if node is not None and type(node) is cls and id(node) not in self.node_op:
                self.node_op[id(node)] = len(self.tape.entries)
                self.keep.append(node)
                break
        self.tape.entries.append(op)
        self.tape.signature.append(tuple(sig))
        return out

    def pass_class(self, chosen: type, inputs: Any) -> type:
        """``engine._run`` while tracing: the tracing walk for a plain ``backward()``."""
        if chosen is not ArrayPass:
            self.refuse("backward with create_graph=True, anomaly detection or an observer")
            return chosen
        if inputs is not None:
            self.refuse("autograd.grad or backward(inputs=...)")
            return chosen
        return _TracingPass

    def record_call(self, fn: Callable[..., Any], args: tuple, changes: list[Tensor]) -> Any:
        """An optimizer's ``zero_grad``/``step`` (or ``.grad = None``) while tracing."""
        state = grad_mode.state
        state.tracer = None
        try:
            result = fn(*args)
        finally:
            state.tracer = self
        self.optimized.update(id(t) for t in changes)
        self.tape.entries.append(_Call(fn, args))
        self.tape.signature.append(
            ("call", getattr(fn, "__func__", fn), id(getattr(fn, "__self__", None)), args)
        )
        return result

    def module_called(self, module: Any) -> None:
        """``Module.__call__`` while tracing: its ``training`` flag becomes a guard."""
        if module._forward_hooks or module._forward_pre_hooks:
            self.refuse(f"forward hooks on {type(module).__name__} (Python that a replay would skip)")
        self.tape.modules.setdefault(id(module), (module, module.training))

    def escape(self, what: str) -> None:
        """A tensor's value read into Python (``.item()`` and friends) while tracing."""
        self.refuse(f"{what} reads a tensor's value into Python during the step")

    # ---- a hand-written optimizer: p.grad = None, p.grad read, p -= lr * p.grad ----------------
    def fixed_slot(self, t: Tensor) -> int | None:
        """The slot of ``t`` (or of the tensor whose ``.data`` it is) if it comes from
        outside the step (a parameter), else None."""
        t = self.aliases.get(id(t), t)
        slot = self.slot_of(t)
        return slot if any(s == slot for s, _, _ in self.tape.fixed) else None

    def grad_assigned(self, t: Tensor, value: Any) -> None:
        """``t.grad = value`` while tracing: ``= None`` on a parameter is written down."""
        slot = None if value is not None else self.fixed_slot(t)
        if slot is None:
            self.refuse("assigning .grad inside the step (only `p.grad = None` on a parameter is traced)")
            return
        t = self.tape.fixed[[s for s, _, _ in self.tape.fixed].index(slot)][1]
        self.tape.entries.append(_Call(clear_grad, (t,)))
        self.tape.signature.append(("clear_grad", slot))

    def grad_read(self, t: Tensor, g: Tensor) -> None:
        """``t.grad`` read while tracing (``p -= lr * p.grad``): a slot read from ``t`` on replay."""
        if id(g) in self.slots:
            return
        slot = self.fixed_slot(t)
        if slot is None:
            self.refuse("reading the .grad of a tensor made in the step")
            return
        gslot = self.new_slot(g)
        self.tape.entries.append(_GradRead(slot, gslot, g._data.shape))
        self.tape.signature.append(("grad", slot, gslot))

    def data_alias(self, alias: Tensor, t: Tensor) -> None:
        """``t.data`` made while tracing: the same memory, the same slot (``p.data -= ...``)."""
        self.aliases[id(alias)] = self.aliases.get(id(t), t)
        self.keep.append(alias)

    def update(self, t: Tensor, ufunc: Any, other: Any) -> None:
        """``t -= other`` (``+=``, ``*=``, ``/=``) without a graph while tracing, about to run."""
        if grad_mode.state.grad_enabled and t._requires_grad:
            self.refuse("an in-place change recorded in the graph during the step")
            return
        slot = self.fixed_slot(t)
        if slot is None:
            self.refuse("an in-place change of a tensor computed in the step")
            return
        if isinstance(other, Tensor):
            other_spec: tuple = (_SLOT, self.slot_of(self.aliases.get(id(other), other)))
        else:
            other_spec = (_CONST, other)
            if isinstance(other, np.ndarray) and other.ndim:
                self.refuse("an in-place update by a NumPy array computed in Python")
        original = self.aliases.get(id(t), t)
        self.optimized.add(id(original))
        self.expected_bump = id(t)
        self.tape.entries.append(_Update(ufunc, slot, other_spec, original is t))
        self.tape.signature.append(("update", ufunc, slot, other_spec[0], _const_key(other_spec[1], self)))

    def bumped(self, t: Tensor) -> None:
        """``Tensor._bump`` (a version change) while tracing: an update written down just
        before is fine; any other in-place change is not traced."""
        if self.expected_bump == id(t):
            self.expected_bump = None
            return
        self.refuse(
            f"a tensor of shape {tuple(t._data.shape)} was changed in place during the step "
            "(in-place ops and updates outside ops are not traced)"
        )


def _version(t: Tensor) -> int:
    vc = t._vcs  # (the ``_vc`` property without making a counter: None is version 0)
    return 0 if vc is None else vc.value


def _const_key(a: Any, rec: _Recorder) -> Any:
    """A comparable stand-in for a non-tensor op argument (two traces must agree on it)."""
    if isinstance(a, np.ndarray):
        if a.ndim > 0:
            rec.refuse(
                f"an op got a NumPy array of shape {a.shape} computed in Python (it may depend on "
                "the data); pass it as a tensor input of the step"
            )
        return ("array", a.dtype.str, a.tobytes())
    if isinstance(a, (list, tuple)):
        if any(isinstance(x, (Tensor, np.ndarray)) for x in a):
            rec.refuse("an op got a list of tensors or arrays (not traced)")
        return (type(a), repr(a))
    if isinstance(a, Tensor):  # (not reached: tensors are slots)
        return id(a)
    return (type(a), repr(a))


class _TracingPass(ArrayPass):
    """``ArrayPass`` that writes down the walk on the tape while it runs it."""

    __slots__ = ("bw",)

    def __init__(self, retain: bool, create_graph: bool, inputs: Any, roots: Any) -> None:
        super().__init__(retain, create_graph, inputs, roots)
        self.bw = _Backward(retain)
        rec = grad_mode.state.tracer
        rec.tape.entries.append(self.bw)
        rec.tape.signature.append(("backward", retain))

    def key(self, rec: _Recorder, node: Any, nr: int) -> int:
        if isinstance(node, Tensor):
            return self.bw.key(("l", rec.slot_of(node)))
        op = rec.node_op.get(id(node))
        if op is None:
            rec.refuse(f"backward reaches {node.name()}, a node made outside the step")
            return -1
        rec.tape.entries[op].keep = True
        return self.bw.key(("n", op, nr))

    def seed(self, node: Any, nr: int, g: Tensor) -> None:
        rec = grad_mode.state.tracer
        b = self.key(rec, node, nr)
        # dL/d(root): an op's output on the tape, else read from the tensor at each replay
        # (the engine's ones, or a gradient given to backward); the two traces must agree
        # on its value
        slot = rec.slots.get(id(g))
        self.bw.seeds.append((b, slot, None if slot is not None else g))
        value = None if slot is not None else (g._data.dtype.str, g._data.shape, g._data.tobytes())
        rec.tape.signature.append(("seed", b, slot, value))
        super().seed(node, nr, g)

    def run(self) -> None:
        state = grad_mode.state
        rec = state.tracer
        state.tracer = None  # the ops that a Tensor-level backward runs are part of the node
        try:
            self.walk(rec)
        finally:
            state.tracer = rec

    def walk(self, rec: _Recorder) -> None:
        heap, buffers, bw = self.heap, self.buffers, self.bw
        while heap:
            node = heapq.heappop(heap)[2]
            grads = buffers.pop(node)
            if node._tensor_hooks or node._retained:
                rec.refuse("a tensor hook or retain_grad inside the step")
                grads = self.hooks(node, grads)
            op = rec.node_op.get(id(node), -1)
            ins = tuple(self.key(rec, node, nr) for nr in range(len(grads)))
            sends = []
            for i, edge in enumerate(node._edges):
                if edge is not None:
                    parent, nr, shape, dt = edge
                    sends.append((i, self.key(rec, parent, nr), shape, dt))
            bw.nodes.append((op, ins, tuple(sends)))
            rec.tape.signature.append(("node", op, ins, tuple(sends)))
            result = self.results(node, grads)  # (what ArrayPass.run computes, in one call)
            if result is not None:
                self.send(node, result)
        for leaf, (g,) in buffers.items():
            if leaf._hooks:
                rec.refuse("a hook on a leaf tensor used by the step")
                self.leaf(leaf, g)
                continue
            slot = rec.slot_of(leaf)
            bw.leaves.append((slot, self.key(rec, leaf, 0)))
            rec.tape.signature.append(("leaf", slot))
            self.accumulate_array(leaf, g)
