"""Move a model between tinygrad_np and PyTorch: :func:`to_torch` and :func:`from_torch`.

Both walk the module tree without recursion and rebuild each module as the other
library's class of the same name: the constructor gets the hyperparameters read from the
source module's attributes (``in_features``, ``kernel_size``, ``eps``, ...; the
attribute names are PyTorch's in both libraries; ``RNN``/``LSTM``/``GRU``, whose
constructors take ``*args, **kwargs``, are read through ``RNNBase``'s), then the parameters and buffers are
copied (same names, dtypes and values, ``requires_grad`` kept) and each module's
train/eval mode is set. Containers (``Sequential``, ``ModuleList``, ``ModuleDict``,
``ParameterList``, ``ParameterDict``) keep their children and names, so ``state_dict``
keys are identical. ``nn.MLP`` (tinygrad_np only) becomes a ``torch.nn.Sequential`` of
the same layers.

A module of any other class (a user's ``Module`` subclass with its own ``forward``) is
refused: its ``forward`` is Python code that cannot be translated, so the way over is to
write the class in the other library and exchange ``state_dict``. ``torch`` is imported
only inside these functions.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

# constructor arguments never read from the source module
_SKIP = {"self", "device", "dtype", "_weight", "_freeze", "init", "args", "kwargs"}
_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
_PARAM_CONTAINERS = ("ParameterList", "ParameterDict")
# RNN/LSTM/GRU take (*args, **kwargs) and pass them to RNNBase with the mode they set
# themselves; RNN also reads ``nonlinearity`` from its kwargs
_SET_BY_SUBCLASS = {"mode"}
_KWARGS_READ = ("nonlinearity",)


def to_torch(model: Any) -> Any:
    """The ``torch.nn.Module`` equivalent to ``model`` (a tinygrad_np module built from
    ``tinygrad_np.nn`` layers and containers): same tree, class names, hyperparameters,
    parameters and buffers (copied), modes.

    >>> # tm = to_torch(model); tm(torch.from_numpy(x.numpy()))  # same outputs as model(x)
    """
    import torch

    from .. import nn as tnn

    return _convert(model, tnn, torch.nn, _to_torch_tensor, "to_torch", "tinygrad_np.nn", "torch.nn")


def from_torch(module: Any) -> Any:
    """The tinygrad_np module equivalent to ``module`` (a ``torch.nn.Module`` built from
    ``torch.nn`` layers and containers that tinygrad_np has): the reverse of :func:`to_torch`."""
    import torch

    from .. import nn as tnn

    return _convert(module, torch.nn, tnn, _from_torch_tensor, "from_torch", "torch.nn", "tinygrad_np.nn")


def _to_torch_tensor(t: Any) -> Any:
    import torch

    return torch.from_numpy(np.array(t._data, copy=True))


def _from_torch_tensor(t: Any) -> Any:
    from ..tensor import Tensor

    return Tensor._wrap(t.detach().cpu().numpy().copy())


def _convert(root: Any, src_nn: Any, dst_nn: Any, copy: Any, fn: str, src_name: str, dst_name: str) -> Any:
    """Rebuild every module of ``root``, children before parents (an iterative post-order,
    no recursion); a module that appears twice is rebuilt once and stays shared."""
    order: list[tuple[str, Any]] = []
    seen: set[int] = set()
    stack: list[tuple[str, Any, bool]] = [("", root, False)]
    while stack:
        name, m, children_done = stack.pop()
        if children_done:
            order.append((name, m))
            continue
        if id(m) in seen:
            continue
        seen.add(id(m))
        stack.append((name, m, True))
        stack.extend((f"{name}.{k}" if name else k, c, False) for k, c in m._modules.items() if c is not None)
    built: dict[int, Any] = {}
    for name, m in order:
        built[id(m)] = _convert_one(name, m, src_nn, dst_nn, built, copy, fn, src_name, dst_name)
    return built[id(root)]


def _convert_one(
    name: str,
    m: Any,
    src_nn: Any,
    dst_nn: Any,
    built: dict[int, Any],
    copy: Any,
    fn: str,
    src_name: str,
    dst_name: str,
) -> Any:
    cls_name = type(m).__name__
    where = f"'{name}'" if name else "the model"
    if cls_name == "MLP" and type(m) is getattr(src_nn, "MLP", None):
        cls_name = "Sequential"  # tinygrad_np's MLP is a Sequential of standard layers
    elif type(m) is not getattr(src_nn, cls_name, None):
        raise TypeError(
            f"{fn}: {where} is a {cls_name} (defined in {type(m).__module__}), not one of {src_name}'s "
            f"layers or containers, so its forward cannot be rebuilt in {dst_name}. Write the same class "
            f"with {dst_name} and copy the weights through state_dict, e.g. "
            "torch_model.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in model.state_dict().items()}) "
            "(the other way: model.load_state_dict({k: tinygrad_np.from_numpy(v.numpy()) for k, v in "
            "torch_model.state_dict().items()}))."
        )
    dst_cls = getattr(dst_nn, cls_name, None)
    if dst_cls is None or not isinstance(dst_cls, type):
        raise TypeError(f"{fn}: {where} is a {cls_name}, which {dst_name} does not have")
    children = [(k, None if c is None else built[id(c)]) for k, c in m._modules.items()]
    if cls_name in _CONTAINERS:
        out = dst_cls()
        for k, c in children:
            out.add_module(k, c)
    elif cls_name in _PARAM_CONTAINERS:
        out = dst_cls()
    else:
        out = dst_cls(**_hyperparameters(m, dst_cls))
        if children:
            raise TypeError(f"{fn}: {where} ({cls_name}) has submodules, which a {cls_name} does not have")
    _copy_state(m, out, copy, where, cls_name, fn)
    out.training = m.training  # this module only: its children already have their own modes
    return out


def _hyperparameters(m: Any, dst_cls: type) -> dict[str, Any]:
    """Constructor arguments of ``dst_cls`` read from the attributes of the same name on ``m``."""
    kwargs: dict[str, Any] = {}
    params, forwarded = _init_parameters(dst_cls)
    for p in params:
        if p.name in _SKIP or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or not hasattr(m, p.name):
            continue
        if forwarded and p.name in _SET_BY_SUBCLASS:
            continue
        value = getattr(m, p.name)
        if p.name == "bias" and not isinstance(value, bool):  # a layer's bias Parameter (or None)
            value = value is not None
        elif p.name == "weight" and not isinstance(value, (bool, int, float)):
            continue  # a loss's class weights: copied as a buffer below
        if forwarded and p.default is not p.empty and value == p.default:
            continue  # (torch's GRU refuses even proj_size=0)
        kwargs[p.name] = value
    if forwarded:
        kwargs.update((k, getattr(m, k)) for k in _KWARGS_READ if hasattr(m, k))
    return kwargs


def _init_parameters(cls: type) -> tuple[list[inspect.Parameter], bool]:
    """The named constructor parameters of ``cls``: its own, or, when its ``__init__``
    takes only ``(*args, **kwargs)`` (``LSTM``), those of the first base class that names
    them; the flag says they came from a base."""
    for i, klass in enumerate(cls.__mro__):
        init = vars(klass).get("__init__")
        if init is None:
            continue
        params = list(inspect.signature(init).parameters.values())
        if any(p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self" for p in params):
            return params, i > 0
    return [], False


def _copy_state(src: Any, dst: Any, copy: Any, where: str, cls_name: str, fn: str) -> None:
    """Parameters and buffers of ``src`` (this module's own) into ``dst``, by name."""
    src_params = {k: v for k, v in src._parameters.items() if v is not None}
    dst_params = {k: v for k, v in dst._parameters.items() if v is not None}
    if cls_name not in _PARAM_CONTAINERS and set(src_params) != set(dst_params):
        raise RuntimeError(
            f"{fn}: {where} ({cls_name}) has parameters {sorted(src_params)} but the rebuilt one has "
            f"{sorted(dst_params)}"
        )
    for k, p in src_params.items():
        value = copy(p)
        if cls_name == "ParameterList":
            dst.append(_parameter_like(dst, value, p.requires_grad))
            continue
        if cls_name == "ParameterDict":
            dst[k] = _parameter_like(dst, value, p.requires_grad)
            continue
        target = dst._parameters[k]
        target.data = value
        target.requires_grad_(p.requires_grad)
    for k, b in src._buffers.items():
        if b is None and dst._buffers.get(k) is None:
            continue  # declared but absent (InstanceNorm's running stats without tracking)
        if k not in dst._buffers:
            raise RuntimeError(f"{fn}: {where} ({cls_name}) has a buffer {k!r} the rebuilt one does not have")
        dst._buffers[k] = None if b is None else copy(b)


def _parameter_like(dst: Any, value: Any, requires_grad: bool) -> Any:
    """A Parameter of ``dst``'s library holding ``value``."""
    if type(dst).__module__.startswith("torch"):
        import torch

        return torch.nn.Parameter(value, requires_grad=requires_grad)
    from ..nn import Parameter

    return Parameter(value, requires_grad=requires_grad)


__all__ = ["from_torch", "to_torch"]
