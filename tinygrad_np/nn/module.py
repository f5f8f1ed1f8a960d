"""``nn.Module``: the base class of every layer and network.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: :class:`Parameter` objects (learnable weights),
* ``_buffers``: tensors that are state but not learned (BatchNorm's running
  statistics); non-persistent ones are left out of ``state_dict``,
* ``_modules``: child modules.

The dotted path from the root to a tensor (``"0.weight"``,
``"encoder.bn.running_mean"``) is its name in ``named_parameters`` and its key in
``state_dict``, exactly as in PyTorch, so a ``state_dict`` moves between the two
libraries as a dict of arrays. Walks over the module tree use an explicit stack.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.grad_mode import no_grad
from ..device import check_device
from ..tensor import Size, Tensor, to_args
from .parameter import Parameter

__all__ = ["Module", "RemovableHandle"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it could not match."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "id")
    _next_id = 0

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _as_array(value: Any) -> np.ndarray | None:
    """A checkpoint value as an array: our Tensors, NumPy arrays and anything with
    ``__array__`` (e.g. a torch tensor) or plain numbers; None if it is not numeric."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (np.ndarray, np.generic, int, float, bool, list)) or hasattr(value, "__array__"):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError, RuntimeError):
            return None
        return array if array.dtype.kind in "biuf" else None
    return None


def _addindent(s: str, spaces: int) -> str:
    """Indent every line but the first (how a child's repr nests in its parent's)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_tensor_input(module: Module, args: tuple[Any, ...], error: Exception) -> None:
    """After a built-in layer's forward failed: if its input is not a Tensor (a list, an
    ndarray, a number), say so, as PyTorch does, instead of the error from deep inside."""
    if not args or isinstance(args[0], Tensor) or not type(module).__module__.startswith("tinygrad_np."):
        return
    if getattr(error, "_input_not_a_tensor", False):  # an inner layer (of a Sequential) said it
        return
    name = type(module).__name__
    err = TypeError(
        f"{name}: the input (argument 1) must be a Tensor, not {type(args[0]).__name__}; "
        "convert it first with tinygrad_np.tensor(x) (or tinygrad_np.from_numpy(x) for an ndarray)"
    )
    err._input_not_a_tensor = True  # type: ignore[attr-defined]
    raise err from error


class Module:
    """Base class for all neural-network modules; subclasses define ``forward``.

    >>> import tinygrad_np.nn as nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x)
    >>> [name for name, _ in Net().named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments; Module.__init__ takes none"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_hooks_with_kwargs"] = set()  # ids of hooks that take (and may return) kwargs

    forward: Callable[..., Any]

    def forward(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ---- calling ------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the forward pre-hooks, ``forward``, then the forward hooks."""
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # compile: guard on .training, no hooks
            grad_mode.state.tracer.module_called(self)
        if not self._forward_hooks and not self._forward_pre_hooks:
            try:
                return self.forward(*args, **kwargs)
            except Exception as e:
                _check_tensor_input(self, args, e)  # a list or ndarray given to a layer
                raise
        with_kwargs = self._hooks_with_kwargs
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got {result}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        try:
            out = self.forward(*args, **kwargs)
        except Exception as e:
            _check_tensor_input(self, args, e)
            raise
        for hid, hook in list(self._forward_hooks.items()):
            result = hook(self, args, kwargs, out) if hid in with_kwargs else hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a non-None result replaces ``args``.
        With ``with_kwargs=True`` it is ``hook(module, args, kwargs)`` returning ``(args, kwargs)``."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result replaces the
        output. With ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> Any:
        """``hook(module, grad_input, grad_output)`` runs in backward once dL/d(each tensor input)
        is known; ``grad_input``/``grad_output`` are tuples (``None`` where an input needs no
        grad). A tuple it returns replaces ``grad_input``. Returns a handle with ``remove()``."""
        from .hooks import install_full_backward_hook

        return install_full_backward_hook(self, hook, prepend)

    def _add_hook(
        self, hooks: OrderedDict[int, Any], hook: Callable[..., Any], prepend: bool, with_kwargs: bool
    ) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    # ---- registration -------------------------------------------------------------------------
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, a declared-but-absent one, like ``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is module state but not a parameter (saved in
        ``state_dict`` unless ``persistent=False``)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    @staticmethod
    def _check_name(name: Any, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if d.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (nn.Module or None expected)"
                )
            d["_modules"][name] = value
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from the instance dict and the registries other than ``keep``
        before it is registered in ``keep``. ``keep`` itself is left alone, so replacing
        a parameter (or a child) keeps its slot: ``parameters()``, ``state_dict()`` and a
        ``Sequential``'s forward keep their order, as in PyTorch."""
        d = self.__dict__
        d.pop(name, None)
        for reg in ("_parameters", "_buffers", "_modules"):
            if reg != keep:
                d[reg].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: look in the registries
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            entries = d.get(reg)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            if name in d.get(reg, {}):
                del d[reg][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(dir(type(self))) | set(self.__dict__)
        keys |= set(self._parameters) | set(self._modules) | set(self._buffers)
        return sorted(k for k in keys if not k[0].isdigit())

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ---- walking the tree ----------------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every descendant, depth first.
        A module registered twice is listed once, under its first name, unless
        ``remove_duplicate=False``; ``memo`` is a set of modules to skip (and fill)."""
        seen: set[Module] = set() if memo is None else memo
        stack: list[tuple[str, Module, int]] = [(prefix, self, 0)]
        path: list[Module] = []  # the ancestors of the module being visited
        while stack:
            name, module, depth = stack.pop()
            if module in seen:
                continue
            if remove_duplicate:
                seen.add(module)
            else:  # nothing cuts a cycle here: refuse one instead of walking it forever
                del path[depth:]
                if any(module is m for m in path):
                    raise RecursionError(
                        f"named_modules: the module at '{name}' ({type(module).__name__}) contains "
                        "itself; a module cannot be its own descendant"
                    )
                path.append(module)
            yield name, module
            children = [
                (name + ("." if name else "") + key, child, depth + 1)
                for key, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        seen: set[int] = set()
        for mod_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs; a shared parameter appears once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The module at dotted path ``target`` (``""`` is ``self``)."""
        mod = self
        if target == "":
            return mod
        for item in target.split("."):
            if item not in mod._modules or mod._modules[item] is None:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._parameters or mod._parameters[name] is None:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target`` (``"bn.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._buffers or mod._buffers[name] is None:
            if name not in mod._buffers and not hasattr(mod, name):
                raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
            raise AttributeError(f"`{name}` is not a buffer")
        return mod._buffers[name]

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Replace (or, unless ``strict``, add) the submodule at dotted path ``target``,
        e.g. swap a classifier head: ``model.set_submodule("head.fc", nn.Linear(8, 2))``."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and name not in parent._modules:
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        setattr(parent, name, module)

    def share_memory(self) -> Module:
        """Accepted for multiprocessing scripts; arrays are already plain process memory."""
        return self

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first, in order) and then on ``self``."""
        # reversed pre-order that visits the last child first == post-order, first child first
        # a child registered twice under one parent is visited once (``children()``), as in PyTorch
        order: list[Module] = []
        stack: list[Module] = [self]
        while stack:
            m = stack.pop()
            order.append(m)
            stack.extend(m.children())
        for m in reversed(order):
            fn(m)
        return self

    # ---- modes and gradients -------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on every module."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout passes through, BatchNorm uses running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to ``None``, or to zeros)."""
        if grad_mode.tracing and grad_mode.state.tracer is not None:  # tinygrad_np.compile records the call
            return grad_mode.state.tracer.record_call(self.zero_grad, (set_to_none,), [])
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                p._grad = p._grad.detach()
                p._grad._data[...] = 0
                p._grad._bump()

    # ---- dtype and device -------------------------------------------------------------------------
    def _apply(self, fn: Callable[[np.ndarray], np.ndarray]) -> Module:
        """Replace every parameter's and buffer's array by ``fn(array)``, keeping
        the Parameter objects (optimizers hold references to them)."""
        for m in self.modules():
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is None:
                    continue
                new = fn(t._data)
                if new is not t._data:
                    t._data = new
                    t._bump()
                    if t._grad is not None:
                        t._grad._data = fn(t._grad._data)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(tensor)``: converts
        floating parameters and buffers in place and returns ``self``."""
        dt = to_args(args, dict(kwargs))
        if dt is None:
            return self
        target = dtypes.to_dtype(dt).np
        if target.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dt}")
        return self._apply(lambda a: a.astype(target) if a.dtype.kind == "f" and a.dtype != target else a)

    def float(self) -> Module:
        return self.to(dtypes.float32)

    def double(self) -> Module:
        return self.to(dtypes.float64)

    def half(self) -> Module:
        return self.to(dtypes.float16)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        check_device("cuda")
        return self  # pragma: no cover - check_device raises

    # ---- state_dict ------------------------------------------------------------------------------
    def state_dict(
        self, *, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name; values are detached
        tensors sharing memory with the module (``keep_vars=True`` keeps the originals).
        As in PyTorch, a module or parameter registered under several names (``Sequential(a,
        a)``, tied weights) is listed under every one of them."""
        out: Any = OrderedDict() if destination is None else destination
        walk = self.named_modules(prefix=prefix.rstrip(".") if prefix else "", remove_duplicate=False)
        for mod_prefix, module in walk:
            sep = "." if mod_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[mod_prefix + sep + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    out[mod_prefix + sep + name] = b if keep_vars else b.detach()
        return out

    def _state_dict_fixups(self, prefix: str, state_dict: dict[str, Any]) -> None:
        """Hook for subclasses to complete an incoming state_dict (e.g. BatchNorm's
        ``num_batches_tracked``, absent from old checkpoints)."""

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> Any:
        """Copy values (Tensors or NumPy arrays) into the parameters and buffers, in place.

        With ``strict=True`` missing or unexpected keys raise ``RuntimeError``
        naming them; a shape mismatch always raises. Returns the named tuple
        ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        incoming = OrderedDict(state_dict)
        for mod_prefix, module in self.named_modules(remove_duplicate=False):
            module._state_dict_fixups(mod_prefix + "." if mod_prefix else "", incoming)
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in incoming]
        unexpected = [k for k in incoming if k not in own]
        errors: list[str] = []
        pending: list[tuple[Tensor, np.ndarray]] = []
        for key, target in own.items():
            if key not in incoming:
                continue
            value = incoming[key]
            array = _as_array(value)
            if array is None:
                errors.append(
                    f'While copying the parameter named "{key}", expected Tensor or NumPy array from '
                    f"checkpoint but received {type(value)}"
                )
                continue
            if array.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {Size(array.shape)!r} from "
                    f"checkpoint, the shape in current model is {Size(target._data.shape)!r}."
                )
                continue
            pending.append((target, array))
        if strict:
            if unexpected:
                errors.insert(
                    0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected))
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing))
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)
                )
            )
        with no_grad():
            for target, array in pending:
                if assign:
                    target._data = np.array(array, dtype=target._data.dtype)
                    target._bump()
                else:
                    target.copy_(array)
        return _IncompatibleKeys(missing, unexpected)

    # ---- printing ----------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(m), 2) for key, m in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
