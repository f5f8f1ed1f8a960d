"""``tinygrad_np.compile(step_fn)``: trace a training step once, replay it as NumPy calls.

A training step does the same thing every time: the same ops on arrays of the same shapes,
the same backward walk, the same optimizer update. Eager mode pays Python for that on every
step (a tensor and a node per op, the edges, the heap of the backward walk, fresh arrays).
A compiled step pays it once, in three stages, one module each:

1. ``tape.py``, **trace**: the first two calls run eagerly and write every op, the backward
   walk and the optimizer calls on a *tape* (the two tapes must agree).
2. ``program.py`` with ``rules.py``, **lower**: on the third call the tape becomes a
   *program*, the flat list of NumPy calls those ops make, writing into buffers allocated
   once. ``explain()`` prints it: what a tracing compiler makes of the graph.
3. **replay**: every later call with inputs of the same shapes and dtypes runs the program
   (or, where an op has no kernel rule, the tape op by op). The kernels are the very NumPy
   calls eager mode makes, in the same order, so the results are bit for bit the same.

Whatever cannot be replayed faithfully runs eagerly; with ``verbose=True`` the step says
why, once (see ``tape.py`` for the list). ``reasons`` keeps every such note.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from ..autograd import grad_mode
from ..tensor import Tensor
from .program import Program, lower
from .tape import Tape, _Recorder


class CompiledStep:
    """A step function that is traced on its first calls and replayed afterwards; made by
    :func:`compile`. Calls go to ``step_fn`` eagerly whenever the tape cannot be used."""

    def __init__(self, fn: Callable[..., Any], verbose: bool = False, cache_size_limit: int = 8) -> None:
        self.fn = fn
        self.verbose = verbose
        self.cache_size_limit = cache_size_limit
        self.tapes: dict[Any, Tape] = {}  # input signature -> confirmed tape
        self.first: dict[Any, Tape] = {}  # input signature -> tape of the first trace
        self.eager: dict[Any, str] = {}  # input signature -> why it runs eagerly
        self.reasons: list[str] = []  # every fallback reason, in order (each printed once)
        self.last: Tape | None = None
        self.replays = 0  # calls served by a tape
        self.lowering = True  # replay tapes as programs of NumPy kernels where they can be built
        self.programs: dict[Any, Program | None] = {}  # input signature -> program (None: can't)
        self.busy = threading.Lock()  # a program's buffers serve one call at a time

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if grad_mode.state.tracer is not None:  # inside another step being traced: it records the ops
            return self.fn(*args, **kwargs)
        key = self._key(args, kwargs)
        if key is None:
            return self.fn(*args, **kwargs)
        tape = self.tapes.get(key)
        if tape is not None:
            why = tape.guard()
            if why is None:
                self.replays += 1
                program = self.programs.get(key, False)
                if program is False or (program is not None and program.stale()):
                    program = self._lower(key, tape, args)
                if program is None:
                    return tape.replay(args)
                if not self.busy.acquire(blocking=False):  # another thread is in it: eager
                    self.replays -= 1
                    return self.fn(*args)
                try:
                    return program.run(args)
                finally:
                    self.busy.release()
            self._fallback(why)
            return self.fn(*args)
        if key in self.eager:
            return self.fn(*args)
        if key not in self.first and len(self.first) + len(self.tapes) >= self.cache_size_limit:
            self._fallback(f"more than cache_size_limit={self.cache_size_limit} input signatures")
            return self.fn(*args)
        return self._trace(key, args)

    def _lower(self, key: Any, tape: Tape, args: tuple) -> Program | None:
        """Build the program of a confirmed tape (``program.py``); None where it cannot be
        built (the tape then replays op by op, and ``reasons`` says why)."""
        program = None
        if self.lowering:
            names = _tensor_names(tape)
            built = lower(tape, args, key[0], names)
            if isinstance(built, str):
                self.reasons.append(f"replayed op by op, not as NumPy kernels: {built}")
            else:
                program = built
        self.programs[key] = program
        return program

    def _key(self, args: tuple, kwargs: dict) -> Any:
        if kwargs:
            self._fallback("keyword arguments are not traced")
            return None
        parts: list[Any] = [grad_mode.state.grad_enabled]
        for a in args:
            if not isinstance(a, Tensor):
                self._fallback(f"a non-tensor argument ({type(a).__name__}) is not traced")
                return None
            parts.append((a._data.shape, a._data.dtype.str, a._requires_grad))
        return tuple(parts)

    def _trace(self, key: Any, args: tuple) -> Any:
        tape = Tape()
        tape.n_inputs = len(args)
        rec = _Recorder(tape)
        for a in args:
            rec.new_slot(a)
        state = grad_mode.state
        if state.anomaly_enabled:
            self._fallback("anomaly detection is on")
            return self.fn(*args)
        state.tracer = rec
        try:
            result = self.fn(*args)
        finally:
            state.tracer = None
        tape.result = self._result_spec(result, rec)
        for slot, _t, _ in tape.fixed:
            rec.check_unchanged(slot)
        if rec.reason is None:
            first = self.first.pop(key, None)
            if first is None:
                self.first[key] = tape  # confirmed by the next call's trace
            elif _same(first.signature, tape.signature):
                tape.signature = []  # (only needed for this comparison)
                self.tapes[key] = tape
                self.last = tape
            else:
                rec.refuse(
                    "the step did different things on its first two calls (a tensor made "
                    "outside an op, such as torch.randn or a dropout mask, or a changing value)"
                )
        if rec.reason is not None:
            self.first.pop(key, None)
            self.eager[key] = rec.reason
            self._fallback(rec.reason)
        return result

    def _result_spec(self, result: Any, rec: _Recorder) -> Any:
        if result is None:
            return None
        if isinstance(result, Tensor):
            slot = rec.slots.get(id(result))
            if slot is None:
                rec.refuse("the step returns a tensor made outside an op")
            return ("slot", slot)
        if type(result) in (tuple, list) and all(isinstance(r, Tensor) for r in result):
            slots = [rec.slots.get(id(r)) for r in result]
            if None in slots:
                rec.refuse("the step returns a tensor made outside an op")
            return ("seq", type(result)(slots))
        rec.refuse(f"the step returns {type(result).__name__} (return tensors, or None)")
        return None

    def _fallback(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
            if self.verbose:
                print(
                    f"tinygrad_np.compile({getattr(self.fn, '__name__', 'step')}): runs eagerly: {reason}",
                    file=sys.stderr,
                )

    def reset(self) -> None:
        """Forget every tape (the next calls trace again): needed after replacing a module,
        a parameter or the optimizer that the step uses, which the tapes hold by identity."""
        self.tapes.clear()
        self.first.clear()
        self.eager.clear()
        self.programs.clear()
        self.last = None

    def explain(self) -> list[str]:
        """The most recent tape as readable lines (empty before one exists): its program of
        NumPy calls once built, else the tape's op-by-op entries."""
        if self.last is None:
            return []
        for key, tape in self.tapes.items():
            program = self.programs.get(key)
            if tape is self.last and program is not None:
                return program.lines
        return self.last.explain()


def _tensor_names(tape: Tape) -> dict[int, str]:
    """id(tensor) -> its name in the modules the step called (``0.weight``), for explain():
    each tensor by the first module that has it; where two modules would give two tensors
    one name (separate ``Linear`` layers, each with a ``weight``), the module is named too:
    ``linear0.weight``, ``linear1.weight``."""
    found: dict[int, tuple[int, Any, str]] = {}
    for k, (module, _training) in enumerate(tape.modules.values()):
        for name, t in (*module.named_parameters(), *module.named_buffers()):
            found.setdefault(id(t), (k, module, name))
    counts: dict[str, int] = {}
    for _, _, name in found.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        i: name if counts[name] == 1 else f"{type(module).__name__.lower()}{k}.{name}"
        for i, (k, module, name) in found.items()
    }


def _same(a: list[Any], b: list[Any]) -> bool:
    try:
        return bool(a == b)
    except Exception:  # an argument whose == is not a plain bool
        return False


def compile(  # torch.compile's name; tinygrad_np/__init__.py looks it up lazily
    fn: Callable[..., Any] | None = None,
    *,
    verbose: bool = False,
    cache_size_limit: int = 8,
    **options: Any,
) -> Any:
    """Trace ``fn`` (a training step: forward, ``backward()``, ``optimizer.step()``) on its
    first two calls and replay the recorded NumPy kernels on later calls with inputs of the
    same shapes and dtypes; see the module docstring. ``fn``'s positional arguments must be
    tensors; it may return None, a tensor or a tuple/list of tensors. Other options of
    ``torch.compile`` (``mode``, ``fullgraph``, ``backend``, ...) are accepted and ignored.
    Usable as ``@compile`` or ``@compile(verbose=True)``.
    """
    if fn is None:
        return lambda f: CompiledStep(f, verbose, cache_size_limit)
    return CompiledStep(fn, verbose, cache_size_limit)
