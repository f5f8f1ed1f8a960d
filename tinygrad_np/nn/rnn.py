"""Recurrent layers, as ``torch.nn``: ``RNN``, ``LSTM``, ``GRU`` over whole sequences and
their one-step ``RNNCell``, ``LSTMCell``, ``GRUCell``.

The parameter names, shapes, gate order and initialisation are PyTorch's, so state dicts
exchange both ways. Layer ``k`` of a multi-layer network (suffix ``_reverse`` for the
backward direction of a bidirectional one) holds ``weight_ih_l{k}`` (G*H, input),
``weight_hh_l{k}`` (G*H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G*H,), with G gates
stacked in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n). Every weight starts as
U(-1/sqrt(H), 1/sqrt(H)).

Everything is composed from differentiable Tensor ops (one matrix product for the input
part of the whole sequence, then one step per time step), so gradients, including
higher-order ones, come from those ops. Packed sequences (``nn.utils.rnn.pack_padded_sequence``)
are not supported: pad the batch and pass a plain tensor.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..functions import cat, stack
from ..tensor import Tensor, _infer_array
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _param(shape: tuple[int, ...], dtype: Any) -> Parameter:
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    return Parameter(np.empty(shape, dt.np))


# ---- two multi-output ops: their backward is one stack/concatenate, where L separate index ops
# would each scatter into a zero array of the whole input (quadratic in the sequence length) ----


class Steps(Function):
    """x (L, ...) -> its L slices x[0], ..., x[L-1] (an ``unbind(0)`` with one backward)."""

    formula = "d x[t] / dx = 1 at step t: the gradient is the step gradients stacked"

    @staticmethod
    def forward(ctx, x):
        a = x._data.copy()  # private memory: the steps are views of it
        return tuple(Tensor._wrap(a[t]) for t in range(a.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(list(grads), 0)  # dL/dx = [dL/dx[0], ..., dL/dx[L-1]]


class Gates(Function):
    """x (..., G*H) -> its G equal pieces along the last dimension (the gates of a cell)."""

    formula = "d piece_k / dx = 1 on piece k: the gradient is the piece gradients concatenated"

    @staticmethod
    def forward(ctx, x, n):
        a = x._data
        h = a.shape[-1] // n
        return tuple(Tensor._wrap(np.ascontiguousarray(a[..., k * h : (k + 1) * h])) for k in range(n))

    @staticmethod
    def backward(ctx, *grads):
        return cat(list(grads), -1), None  # dL/dx = [dL/dpiece_0, ..., dL/dpiece_{G-1}]


# ---- one time step of each cell (shared by the layers and the cells) ------------------------------


def rnn_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), with ``xw`` the input part already computed."""
    pre = xw + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def lstm_step(
    xw: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None
) -> tuple[Tensor, Tensor]:
    """gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split as (i, f, g, o);
    c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c') (times W_hr^T with a projection)."""
    i, f, g, o = Gates.apply(xw + F.linear(h, w_hh, b_hh), 4)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


def gru_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n) (each ``h_*``
    with its b_hh part inside), h' = (1 - z) n + z h."""
    x_r, x_z, x_n = Gates.apply(xw, 3)
    h_r, h_z, h_n = Gates.apply(F.linear(h, w_hh, b_hh), 3)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


# ---- the sequence layers -------------------------------------------------------------------


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters of every layer and
    direction, the argument checks, and the loop over layers and directions."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                params = {
                    "weight_ih": (gate_size, layer_input),
                    "weight_hh": (gate_size, real_hidden),
                }
                if bias:
                    params["bias_ih"] = (gate_size,)
                    params["bias_hh"] = (gate_size,)
                if proj_size > 0:
                    params["weight_hr"] = (proj_size, hidden_size)
                for name, shape in params.items():
                    setattr(self, name + suffix, _param(shape, dtype))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction (PyTorch's ``all_weights``)."""
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        w = self._flat_weights
        return [w[i : i + per] for i in range(0, len(w), per)]

    def flatten_parameters(self) -> None:
        """Accepted for PyTorch compatibility (a cuDNN memory layout); does nothing here."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout:g}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks ------------------------------------------------------------------------------

    def _check_input(self, input: Any) -> Tensor:
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}: input must be a Tensor of shape (L, N, {self.input_size}), got {type(input).__name__}"
                " (packed sequences are not supported: pad the batch)"
            )
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )
        w = self.weight_ih_l0
        if input._data.dtype != w._data.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert input: "
                f"input.to({w.dtype}), or convert model: model.to({input.dtype})"
            )
        return input

    def _hidden_shape(self, batch: int, size: int) -> tuple[int, int, int]:
        return ((2 if self.bidirectional else 1) * self.num_layers, batch, size)

    def _check_hidden(self, hx: Any, input: Tensor, expected: tuple[int, ...], which: str = "") -> Tensor:
        if not isinstance(hx, Tensor):
            raise TypeError(f"{type(self).__name__}: hx must be a Tensor, got {type(hx).__name__}")
        if input.ndim == 2 and hx.ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.ndim}-D tensor")
        if input.ndim == 3 and hx.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.ndim}-D tensor")
        got = tuple(hx.shape) if input.ndim == 3 else (hx.shape[0], 1, hx.shape[1])
        if got != expected:
            shown = list(hx.shape) if input.ndim == 3 else [hx.shape[0], 1, hx.shape[1]]
            raise RuntimeError(f"Expected hidden{which} size {expected}, got {shown}")
        return hx

    # -- the loop over layers and directions --------------------------------------------------

    def _run(
        self, input: Tensor, states: list[tuple[Tensor, ...]]
    ) -> tuple[Tensor, list[tuple[Tensor, ...]]]:
        """``input`` (L, N, features) through every layer; ``states[layer * D + d]`` is the
        starting state of that layer and direction. Returns the last layer's output
        (L, N, D * H_out) and the final states in the same order."""
        directions = 2 if self.bidirectional else 1
        finals: list[tuple[Tensor, ...]] = []
        x = input
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                seq, final = self._direction(x, states[layer * directions + d], suffix, reverse=d == 1)
                outs.append(seq)
                finals.append(final)
            x = outs[0] if directions == 1 else cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def _direction(
        self, x: Tensor, state: tuple[Tensor, ...], suffix: str, reverse: bool
    ) -> tuple[Tensor, tuple[Tensor, ...]]:
        """One layer in one direction over the sequence ``x`` (L, N, features)."""
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        b_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
        b_hh = getattr(self, "bias_hh" + suffix) if self.bias else None
        xw = Steps.apply(F.linear(x, w_ih, b_ih))  # the input part of every step in one product
        steps = range(len(xw) - 1, -1, -1) if reverse else range(len(xw))
        outputs: list[Tensor] = [None] * len(xw)  # type: ignore[list-item]
        for t in steps:
            state = self._step(xw[t], state, w_hh, b_hh, suffix)
            outputs[t] = state[0]
        return stack(outputs, 0), state

    def _step(
        self, xw: Tensor, state: tuple[Tensor, ...], w_hh: Tensor, b_hh: Tensor | None, suffix: str
    ) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _forward(self, input: Any, hx: Any, n_states: int) -> tuple[Tensor, tuple[Tensor, ...]]:
        """Shared forward: check, arrange to (L, N, features), run, arrange back."""
        input = self._check_input(input)
        if input.shape[0 if input.ndim == 2 or not self.batch_first else 1] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        batch = x.shape[1]
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        sizes = [real_hidden, self.hidden_size][:n_states]
        if hx is None:
            starts = [Tensor._wrap(np.zeros(self._hidden_shape(batch, s), input._data.dtype)) for s in sizes]
        else:
            given = hx if n_states > 1 else (hx,)
            starts = []
            for k, (h, s) in enumerate(zip(given, sizes, strict=True)):
                which = f"[{k}]" if n_states > 1 else ""
                h = self._check_hidden(h, input, self._hidden_shape(batch, s), which)
                starts.append(h.unsqueeze(1) if unbatched else h)
        states = [tuple(s[i] for s in starts) for i in range(starts[0].shape[0])]
        out, finals = self._run(x, states)
        last = tuple(stack([f[k] for f in finals], 0) for k in range(n_states))
        if unbatched:
            return out.squeeze(1), tuple(s.squeeze(1) for s in last)
        return (out.transpose(0, 1) if self.batch_first else out), last


class RNN(RNNBase):
    """An Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), ``act`` tanh or
    relu. ``forward(input, h_0=None)`` returns ``(output, h_n)``: ``output`` (L, N, D*H) holds
    the last layer's h_t for every t (``(N, L, D*H)`` with ``batch_first``), ``h_n``
    (num_layers*D, N, H) the last state of every layer and direction.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:  # RNN(input_size, hidden_size, num_layers, nonlinearity, ...)
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = nonlinearity

    def _step(self, xw, state, w_hh, b_hh, suffix):
        return (rnn_step(xw, state[0], w_hh, b_hh, self.nonlinearity == "relu"),)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        out, (h,) = self._forward(input, hx, 1)
        return out, h


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's equations and gate order (i, f, g, o):
    c_t = f_t c_{t-1} + i_t g_t, h_t = o_t tanh(c_t). ``forward(input, (h_0, c_0)=None)``
    returns ``(output, (h_n, c_n))``. With ``proj_size > 0`` h_t is projected by
    ``weight_hr_l{k}`` (proj_size, hidden_size).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def _step(self, xw, state, w_hh, b_hh, suffix):
        w_hr = getattr(self, "weight_hr" + suffix) if self.proj_size > 0 else None
        return lstm_step(xw, state[0], state[1], w_hh, b_hh, w_hr)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0) of two Tensors")
        out, (h, c) = self._forward(input, hx, 2)
        return out, (h, c)


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's equations and gate order (r, z, n):
    n_t = tanh(x W_in^T + b_in + r_t (h W_hn^T + b_hn)), h_t = (1 - z_t) n_t + z_t h_{t-1}.
    ``forward(input, h_0=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("proj_size", 0):
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _step(self, xw, state, w_hh, b_hh, suffix):
        return (gru_step(xw, state[0], w_hh, b_hh),)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        out, (h,) = self._forward(input, hx, 1)
        return out, h


# ---- the cells -------------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (G*H, input), ``weight_hh`` (G*H, H), ``bias_ih``,
    ``bias_hh`` (G*H,), initialised U(-1/sqrt(H), 1/sqrt(H)), and the input checks."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _param((num_chunks * hidden_size,), dtype)
            self.bias_hh = _param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = self.__dict__.get("nonlinearity")
        if nl is not None and nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _prepare(self, input: Any, hx: Any, n_states: int) -> tuple[Tensor, list[Tensor], bool]:
        """(N, input) input and (N, H) states, zeros when ``hx`` is None; a 1-D input is a batch of one."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}"
            )
        if input._data.dtype != self.weight_ih._data.dtype:
            raise RuntimeError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype ({self.weight_ih.dtype}); "
                f"convert the input (input.to({self.weight_ih.dtype})) or the module"
            )
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        if hx is None:
            zeros = np.zeros((x.shape[0], self.hidden_size), input._data.dtype)
            return x, [Tensor._wrap(zeros) for _ in range(n_states)], unbatched
        states = list(hx) if n_states > 1 else [hx]
        out = []
        for k, h in enumerate(states):
            if not isinstance(h, Tensor):
                h = Tensor(_infer_array(h, None))
            if h.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.ndim}D instead")
            if unbatched and h.ndim != 1:
                raise RuntimeError(
                    f"{name}: for an unbatched (1-D) input, hidden{k} must be 1-D of size {self.hidden_size}, "
                    f"got shape {tuple(h.shape)}"
                )
            h = h.unsqueeze(0) if unbatched else h
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(
                    f"Input batch size {x.shape[0]} doesn't match hidden{k} batch size {h.shape[0]}"
                )
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(
                    f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected {self.hidden_size}"
                )
            out.append(h)
        return x, out, unbatched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), unbatched = self._prepare(input, hx, 1)
        h = rnn_step(
            F.linear(x, self.weight_ih, self.bias_ih),
            h,
            self.weight_hh,
            self.bias_hh,
            self.nonlinearity == "relu",
        )
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c)=None)`` returns ``(h', c')``."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(
                f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not {type(hx).__name__}"
            )
        x, (h, c), unbatched = self._prepare(input, hx, 2)
        h, c = lstm_step(F.linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh, None)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h=None)`` returns ``h'``."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), unbatched = self._prepare(input, hx, 1)
        h = gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h
