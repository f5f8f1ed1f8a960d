"""The table from tinygrad_np to ONNX: each op class, and each layer written whole, to nodes.

``OPS`` maps a :class:`~tinygrad_np.autograd.Function` subclass to an emitter
``emit(g, node, *args) -> output name``: ``node`` is the recorded op, ``args`` its
forward arguments (Tensors, arrays and plain settings), ``g`` the
:class:`~tinygrad_np.onnx.build.GraphBuilder` (``g.value(t)`` is the name of a Tensor
argument's value).

``MODULES`` maps a layer class to an emitter ``emit(g, module, x) -> output name`` for
the layers whose ops have no direct ONNX form (a convolution here is an im2col matrix
product) or that ONNX has as one node (BatchNormalization, LayerNormalization). A layer is written whole only when its class
is exactly one of these (a subclass may override ``forward``).

Dynamic sizes: a reshape target copies the sizes it keeps from the input at run time
(``0`` in ONNX's Reshape, or ``Shape``/``Gather`` for a size that moved), so a batch size
other than the traced one flows through.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import nn
from ..nn import functional as _functional
from ..nn.functional.linear import Addmm
from ..nn.hooks import _InputGrad, _OutputGrad
from ..ops import binary, conv, elementwise, linalg, movement, piecewise, reduce
from ..tensor import Tensor
from .errors import unsupported

INT64_MAX = int(np.iinfo(np.int64).max)
INT64_MIN = int(np.iinfo(np.int64).min)


def _unary(op_type: str) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor) -> str:
        return g.node(op_type, [g.value(x)])

    return emit


def _binary(op_type: str) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor, y: Tensor) -> str:
        return g.node(op_type, [g.value(x), g.value(y)])

    return emit


def _dtype(t: Tensor) -> np.dtype:
    return t._data.dtype


# ---- elementwise --------------------------------------------------------------------------------


def _erfc(g: Any, node: Any, x: Tensor) -> str:
    # erfc(x) = 1 - erf(x)
    return g.node("Sub", [g.scalar(1, _dtype(x)), g.node("Erf", [g.value(x)])])


def _leaky_relu(g: Any, node: Any, x: Tensor, slope: float) -> str:
    return g.node("LeakyRelu", [g.value(x)], alpha=float(slope))


def _gelu(g: Any, node: Any, x: Tensor, approximate: str) -> str:
    dt, v = _dtype(x), g.value(x)
    if approximate == "tanh":  # x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.node("Mul", [g.node("Mul", [v, v]), v])
        inner = g.node("Add", [v, g.node("Mul", [cube, g.scalar(0.044715, dt)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.scalar(math.sqrt(2 / math.pi), dt)])])
    else:  # x/2 (1 + erf(x / sqrt 2))
        t = g.node("Erf", [g.node("Mul", [v, g.scalar(1 / math.sqrt(2), dt)])])
    half_x = g.node("Mul", [v, g.scalar(0.5, dt)])
    return g.node("Mul", [half_x, g.node("Add", [t, g.scalar(1, dt)])])


def _softplus(g: Any, node: Any, x: Tensor, beta: float, threshold: float) -> str:
    # log(1 + e^(beta x)) / beta, and x itself where beta x > threshold
    dt, v = _dtype(x), g.value(x)
    bx = g.node("Mul", [v, g.scalar(beta, dt)])
    soft = g.node("Div", [g.node("Softplus", [bx]), g.scalar(beta, dt)])
    return g.node("Where", [g.node("Greater", [bx, g.scalar(threshold, dt)]), v, soft])


def _clamp(g: Any, node: Any, x: Tensor, lo: Any, hi: Any) -> str:
    dt = _dtype(x)
    lo_name = "" if lo is None else g.scalar(lo, dt)
    hi_name = "" if hi is None else g.scalar(hi, dt)
    return g.node("Clip", [g.value(x), lo_name, hi_name])


def _log_base(base: float) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor) -> str:  # log_b(x) = ln(x) / ln(b)
        return g.node("Div", [g.node("Log", [g.value(x)]), g.scalar(math.log(base), _dtype(x))])

    return emit


def _log1p(g: Any, node: Any, x: Tensor) -> str:
    # log(1 + x): ONNX has no log1p (torch.onnx writes the same); |x| < 1e-7 rounds 1 + x
    return g.node("Log", [g.node("Add", [g.value(x), g.scalar(1, _dtype(x))])])


def _expm1(g: Any, node: Any, x: Tensor) -> str:
    # e^x - 1: ONNX has no expm1 (torch.onnx writes the same)
    return g.node("Sub", [g.node("Exp", [g.value(x)]), g.scalar(1, _dtype(x))])


def _exp2(g: Any, node: Any, x: Tensor) -> str:
    return g.node("Pow", [g.scalar(2, _dtype(x)), g.value(x)])  # 2^x


def _rsqrt(g: Any, node: Any, x: Tensor) -> str:
    return g.node("Reciprocal", [g.node("Sqrt", [g.value(x)])])  # 1 / sqrt(x)


def _hardtanh(g: Any, node: Any, x: Tensor, lo: float, hi: float) -> str:
    dt = _dtype(x)
    return g.node("Clip", [g.value(x), g.scalar(lo, dt), g.scalar(hi, dt)])


def _threshold(g: Any, node: Any, x: Tensor, threshold: float, value: float) -> str:
    # value where x <= threshold, else x (NaN is not <=: it stays NaN)
    dt, v = _dtype(x), g.value(x)
    below = g.node("LessOrEqual", [v, g.scalar(threshold, dt)])
    return g.node("Where", [below, g.scalar(value, dt), v])


def _elu(g: Any, node: Any, x: Tensor, alpha: float, scale: float, input_scale: float) -> str:
    """scale x for x > 0, scale alpha (e^(input_scale x) - 1) else. In float32: elu is an
    Elu node, selu a Selu node, celu (input_scale = 1/alpha) a Celu node; other dtypes
    (onnxruntime runs those nodes in float32 only) get the formula in basic ops."""
    dt, v = _dtype(x), g.value(x)
    if dt == np.float32:
        if input_scale == 1 and scale == 1:
            return g.node("Elu", [v], alpha=float(alpha))
        if input_scale == 1:
            return g.node("Selu", [v], alpha=float(alpha), gamma=float(scale))
        if scale == 1 and math.isclose(input_scale * alpha, 1.0, rel_tol=1e-12):
            return g.node("Celu", [v], alpha=float(alpha))
    # Where picks: an overflowing e^(input_scale x) on the positive side is never used
    e = g.node("Exp", [g.node("Mul", [v, g.scalar(input_scale, dt)])])
    neg = g.node("Mul", [g.node("Sub", [e, g.scalar(1, dt)]), g.scalar(alpha * scale, dt)])
    pos = g.node("Mul", [v, g.scalar(scale, dt)])
    return g.node("Where", [g.node("Greater", [v, g.scalar(0, dt)]), pos, neg])


def _hard_sigmoid_of(g: Any, x: Tensor) -> str:
    # clip(x/6 + 1/2, 0, 1): a HardSigmoid node in float32, else clip(x + 3, 0, 6) / 6
    dt, v = _dtype(x), g.value(x)
    if dt == np.float32:
        return g.node("HardSigmoid", [v], alpha=1 / 6, beta=0.5)
    shifted = g.node("Add", [v, g.scalar(3, dt)])
    clipped = g.node("Clip", [shifted, g.scalar(0, dt), g.scalar(6, dt)])
    return g.node("Div", [clipped, g.scalar(6, dt)])


def _hardsigmoid(g: Any, node: Any, x: Tensor) -> str:
    return _hard_sigmoid_of(g, x)


def _hardswish(g: Any, node: Any, x: Tensor) -> str:
    # x hardsigmoid(x): a HardSwish node in float32
    if _dtype(x) == np.float32:
        return g.node("HardSwish", [g.value(x)])
    return g.node("Mul", [g.value(x), _hard_sigmoid_of(g, x)])


def _clamp_tensor(g: Any, node: Any, x: Tensor, lo: Tensor | None, hi: Tensor | None) -> str:
    # min(max(x, lo), hi), broadcasting
    v = g.value(x)
    if lo is not None:
        v = g.node("Max", [v, g.value(lo)])
    if hi is not None:
        v = g.node("Min", [v, g.value(hi)])
    return v


def _clamp_min_no_grad(g: Any, node: Any, x: Tensor, eps: float) -> str:
    return g.node("Max", [g.value(x), g.scalar(eps, _dtype(x))])  # max(x, eps) (cosine_similarity)


def _remainder(g: Any, node: Any, x: Tensor, y: Tensor) -> str:
    if _dtype(x).kind in "iu":
        return g.node("Mod", [g.value(x), g.value(y)])  # floor-mod, the sign of y
    # x mod y = x - floor(x / y) y (Python's sign convention, as torch.remainder)
    vx, vy = g.value(x), g.value(y)
    return g.node("Sub", [vx, g.node("Mul", [g.node("Floor", [g.node("Div", [vx, vy])]), vy])])


def _where(g: Any, node: Any, cond: Any, x: Tensor, y: Tensor) -> str:
    # the condition is a constant here (build.py refuses one that depends on the input's values)
    return g.node("Where", [g.value(np.asarray(cond, dtype=bool)), g.value(x), g.value(y)])


# ---- reductions ---------------------------------------------------------------------------------


def _reduction(op_type: str) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor, dims: Any, keepdim: bool, *rest: Any) -> str:
        return g.reduce(op_type, g.value(x), dims, keepdim)

    return emit


def _amax(g: Any, node: Any, x: Tensor, dims: Any, keepdim: bool, is_max: bool, *rest: Any) -> str:
    return g.reduce("ReduceMax" if is_max else "ReduceMin", g.value(x), dims, keepdim)


def _vector_norm(g: Any, node: Any, x: Tensor, p: float, dims: Any, keepdim: bool) -> str:
    """||x||_p: ReduceL2, ReduceL1, max/min |x| for +-inf, the nonzero count for 0, else
    (sum |x|^p)^(1/p)."""
    dt, v = _dtype(x), g.value(x)
    if p == 2:
        return g.reduce("ReduceL2", v, dims, keepdim)
    if p == 1:
        return g.reduce("ReduceL1", v, dims, keepdim)
    if math.isinf(p):
        return g.reduce("ReduceMax" if p > 0 else "ReduceMin", g.node("Abs", [v]), dims, keepdim)
    if p == 0:
        nonzero = g.node("Not", [g.node("Equal", [v, g.scalar(0, dt)])])
        return g.reduce("ReduceSum", g.node("Cast", [nonzero], to=g.onnx_dtype(dt)), dims, keepdim)
    powered = g.node("Pow", [g.node("Abs", [v]), g.scalar(p, dt)])
    return g.node("Pow", [g.reduce("ReduceSum", powered, dims, keepdim), g.scalar(1.0 / p, dt)])


def _softmax(op_type: str) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor, dim: int) -> str:
        return g.node(op_type, [g.value(x)], axis=int(dim))

    return emit


def _cumsum(g: Any, node: Any, x: Tensor, dim: int) -> str:
    return g.node("CumSum", [g.value(x), g.const(np.asarray(dim, np.int64))])


# ---- movement -----------------------------------------------------------------------------------


def _flip(g: Any, node: Any, x: Tensor, dims: Any) -> str:
    # a slice with step -1 along each flipped axis
    axes = [int(d) % x.ndim for d in dims]
    n = len(axes)
    ends = g.ints([INT64_MIN] * n)
    return g.node("Slice", [g.value(x), g.ints([-1] * n), ends, g.ints(axes), g.ints([-1] * n)])


def _triangle(upper: int) -> Callable[..., str]:
    def emit(g: Any, node: Any, x: Tensor, diagonal: int) -> str:
        return g.node("Trilu", [g.value(x), g.const(np.asarray(int(diagonal), np.int64))], upper=upper)

    return emit


def _cast(g: Any, node: Any, x: Tensor, dtype: Any) -> str:
    return g.node("Cast", [g.value(x)], to=g.onnx_dtype(dtype))


def _identity(g: Any, node: Any, x: Tensor, *rest: Any) -> str:
    return g.node("Identity", [g.value(x)])


def _reshape(g: Any, node: Any, x: Tensor, shape: Any) -> str:
    return reshape(g, g.value(x), tuple(x._data.shape), tuple(int(s) for s in shape))


def reshape(g: Any, x: str, src: tuple[int, ...], dst: tuple[int, ...]) -> str:
    """Reshape ``x`` (traced shape ``src``) to ``dst`` so that sizes kept from the input are
    read from it at run time: the leading sizes equal in both are copied (``0``), the
    trailing ones too (``Shape`` + ``Gather``), and the first size in between is ``-1``."""
    if -1 in dst:  # resolve it: the traced sizes are concrete
        known = math.prod(s for s in dst if s != -1)
        dst = tuple(math.prod(src) // known if s == -1 and known else s for s in dst)
    lead = 0
    while lead < min(len(src), len(dst)) and src[lead] == dst[lead]:
        lead += 1
    tail = 0
    while tail < min(len(src), len(dst)) - lead and src[-1 - tail] == dst[-1 - tail]:
        tail += 1
    middle = len(dst) - lead - tail
    if tail == 0 or middle == 0:  # only leading copies: ONNX's 0 copies the size at the same index
        target = [0] * lead + list(dst[lead:])
        if middle:
            target[lead] = -1
        return g.node("Reshape", [x, g.ints(target)])
    # trailing sizes moved to other positions: read them from the input's shape
    pieces = []
    if lead:
        pieces.append(g.ints([0] * lead))
    pieces.append(g.ints([-1, *list(dst[lead + 1 : lead + middle])]))
    shape = g.node("Shape", [x])
    pieces.append(g.node("Gather", [shape, g.ints(range(len(src) - tail, len(src)))], axis=0))
    return g.node("Reshape", [x, g.node("Concat", pieces, axis=0)])


def _permute(g: Any, node: Any, x: Tensor, dims: Any) -> str:
    return g.node("Transpose", [g.value(x)], perm=[int(d) for d in dims])


def _expand(g: Any, node: Any, x: Tensor, shape: Any) -> str:
    # sizes x already has become 1: Expand broadcasts both ways, so they follow x at run time
    src = (1,) * (len(shape) - x.ndim) + tuple(x._data.shape)
    target = [1 if s == t else int(t) for s, t in zip(src, shape, strict=True)]
    return g.node("Expand", [g.value(x), g.ints(target)])


def _index(g: Any, node: Any, x: Tensor, index: Any) -> str:
    """Basic indexing (ints, slices, None, ...) as Slice/Gather/Unsqueeze; one integer
    array (alone with slices) as Gather."""
    items = list(index)
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    at = next((k for k, i in enumerate(items) if i is Ellipsis), None)
    if at is not None:
        items[at : at + 1] = [slice(None)] * (x.ndim - used)
    items += [slice(None)] * (x.ndim - sum(1 for i in items if i is not None))
    arrays = [i for i in items if isinstance(i, np.ndarray)]
    where = _where_from(g, node)
    if any(a.dtype.kind == "b" for a in arrays):
        raise unsupported(
            "indexing with a bool mask (IndexBackward0)", where, "the result's size depends on the data"
        )
    if len(arrays) > 1 or (arrays and any(isinstance(i, (int, np.integer)) for i in items)):
        raise unsupported(
            "advanced indexing with several index arrays (IndexBackward0)",
            where,
            "only one index array is mapped",
        )
    v = g.value(x)
    starts, ends, axes, steps = [], [], [], []
    axis = 0
    for i in items:
        if isinstance(i, slice) and i != slice(None):
            step = 1 if i.step is None else int(i.step)
            if step > 0:
                starts.append(0 if i.start is None else int(i.start))
                ends.append(INT64_MAX if i.stop is None else int(i.stop))
            else:
                starts.append(-1 if i.start is None else int(i.start))
                ends.append(INT64_MIN if i.stop is None else int(i.stop))
            axes.append(axis)
            steps.append(step)
        if i is not None:
            axis += 1
    if axes:
        v = g.node("Slice", [v, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    pos = 0
    for i in items:
        if i is None:
            v = g.node("Unsqueeze", [v, g.ints([pos])])
            pos += 1
        elif isinstance(i, (int, np.integer)):
            v = g.node("Gather", [v, g.const(np.asarray(int(i), np.int64))], axis=pos)
        elif isinstance(i, np.ndarray):
            v = g.node("Gather", [v, g.value(i)], axis=pos)
            pos += i.ndim
        else:
            pos += 1
    return v


def _gather(g: Any, node: Any, x: Tensor, dim: int, idx: Any) -> str:
    return g.node("GatherElements", [g.value(x), g.value(idx)], axis=int(dim))


def _cat(g: Any, node: Any, dim: int, *xs: Tensor) -> str:
    return g.node("Concat", [g.value(t) for t in xs], axis=int(dim))


def _pad(g: Any, node: Any, x: Tensor, widths: Any, value: float) -> str:
    pads = [int(lo) for lo, _ in widths] + [int(hi) for _, hi in widths]
    return g.node("Pad", [g.value(x), g.ints(pads), g.scalar(value, _dtype(x))], mode="constant")


# ---- matrix products ----------------------------------------------------------------------------


def _addmm(g: Any, node: Any, x: Tensor, w: Tensor, b: Tensor | None) -> str:
    if x.ndim == 2:  # y = x W^T + b as one Gemm
        inputs = [g.value(x), g.value(w)] + ([g.value(b)] if b is not None else [])
        return g.node("Gemm", inputs, transB=1)
    y = g.node("MatMul", [g.value(x), g.node("Transpose", [g.value(w)], perm=[1, 0])])
    return y if b is None else g.node("Add", [y, g.value(b)])


def _einsum(g: Any, node: Any, inputs: Any, output: str, *xs: Tensor) -> str:
    # the equation as parsed (an ellipsis already spelled out as letters)
    return g.node("Einsum", [g.value(x) for x in xs], equation=",".join(inputs) + "->" + output)


def _unmapped(what: str, why: str) -> Callable[..., str]:
    def emit(g: Any, node: Any, *args: Any) -> str:
        raise unsupported(what, _where_from(g, node), why)

    return emit


OPS: dict[type, Callable[..., Any]] = {
    # elementwise, one input
    elementwise.Neg: _unary("Neg"),
    elementwise.Exp: _unary("Exp"),
    elementwise.Log: _unary("Log"),
    elementwise.Sqrt: _unary("Sqrt"),
    elementwise.Sin: _unary("Sin"),
    elementwise.Cos: _unary("Cos"),
    elementwise.Tanh: _unary("Tanh"),
    elementwise.Sigmoid: _unary("Sigmoid"),
    elementwise.Relu: _unary("Relu"),
    elementwise.Abs: _unary("Abs"),
    elementwise.Erf: _unary("Erf"),
    elementwise.Floor: _unary("Floor"),
    elementwise.Ceil: _unary("Ceil"),
    elementwise.Round: _unary("Round"),
    elementwise.Erfc: _erfc,
    elementwise.LeakyRelu: _leaky_relu,
    elementwise.Gelu: _gelu,
    elementwise.Softplus: _softplus,
    elementwise.Clamp: _clamp,
    elementwise.Sign: _unary("Sign"),
    elementwise.Log2: _log_base(2),
    elementwise.Log10: _log_base(10),
    elementwise.Log1p: _log1p,
    elementwise.Expm1: _expm1,
    elementwise.Exp2: _exp2,
    elementwise.Reciprocal: _unary("Reciprocal"),
    elementwise.Rsqrt: _rsqrt,
    # piecewise activations
    piecewise.Hardtanh: _hardtanh,
    piecewise.Threshold: _threshold,
    piecewise.Elu: _elu,
    piecewise.Hardsigmoid: _hardsigmoid,
    piecewise.Hardswish: _hardswish,
    piecewise.ClampTensor: _clamp_tensor,
    _functional._ClampMinNoGrad: _clamp_min_no_grad,
    # elementwise, two inputs (same dtype; ONNX broadcasts as NumPy does)
    binary.Add: _binary("Add"),
    binary.Sub: _binary("Sub"),
    binary.Mul: _binary("Mul"),
    binary.Div: _binary("Div"),
    binary.Pow: _binary("Pow"),
    binary.Maximum: _binary("Max"),
    binary.Minimum: _binary("Min"),
    binary.Remainder: _remainder,
    binary.Where: _where,
    # reductions
    reduce.Sum: _reduction("ReduceSum"),
    reduce.Mean: _reduction("ReduceMean"),
    reduce.Prod: _reduction("ReduceProd"),
    reduce.Amax: _amax,
    reduce.LogSumExp: _reduction("ReduceLogSumExp"),
    linalg.VectorNorm: _vector_norm,
    reduce.Softmax: _softmax("Softmax"),
    reduce.LogSoftmax: _softmax("LogSoftmax"),
    reduce.Cumsum: _cumsum,
    # movement
    movement.Cast: _cast,
    movement.Clone: _identity,
    movement.Reshape: _reshape,
    movement.Permute: _permute,
    movement.Expand: _expand,
    movement.Index: _index,
    movement.Gather: _gather,
    movement.Cat: _cat,
    movement.Pad: _pad,
    movement.Flip: _flip,
    linalg.Tril: _triangle(0),
    linalg.Triu: _triangle(1),
    # matrix products
    linalg.Matmul: _binary("MatMul"),
    Addmm: _addmm,
    linalg.Einsum: _einsum,
    # the nodes a module's full backward hook adds: the identity in forward
    _OutputGrad: _identity,
    _InputGrad: _identity,
    # no ONNX form
    conv.Unfold: _unmapped(
        "im2col (UnfoldBackward0, from F.conv*/F.*pool*/F.unfold)",
        "convolutions and pools are exported as layers: use nn.Conv2d, nn.MaxPool2d, ... modules",
    ),
    conv.Fold: _unmapped(
        "col2im (FoldBackward0, from F.fold)", "use nn.ConvTranspose2d for a transposed convolution"
    ),
    movement.CopySlices: _unmapped("an in-place write into a view (CopySlices)", "use out-of-place ops"),
}


# ---- layers written whole ---------------------------------------------------------------------------


def _tuple(v: Any, n: int) -> list[int]:
    return [int(a) for a in v] if isinstance(v, (tuple, list)) else [int(v)] * n


def _conv(g: Any, m: Any, x: Tensor) -> str:
    n = len(m.kernel_size)
    v = g.value(x)
    pads = _conv_pads(m, n)
    if m.padding_mode != "zeros" and any(pads):
        mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[m.padding_mode]
        if mode == "wrap" and g.opset < 19:
            raise unsupported(
                f"padding_mode='circular' of {type(m).__name__}", _where_module(m, g), "needs opset 19+"
            )
        frame = [0, 0, *pads[:n], 0, 0, *pads[n:]]
        v = g.node("Pad", [v, g.ints(frame)], mode=mode)
        pads = [0] * (2 * n)
    inputs = [v, g.value(m.weight)] + ([g.value(m.bias)] if m.bias is not None else [])
    return g.node(
        "Conv",
        inputs,
        kernel_shape=list(m.kernel_size),
        strides=list(m.stride),
        pads=pads,
        dilations=list(m.dilation),
        group=int(m.groups),
    )


def _conv_pads(m: Any, n: int) -> list[int]:
    if m.padding == "valid":
        return [0] * (2 * n)
    if m.padding == "same":  # PyTorch puts the odd extra pixel at the end
        total = [d * (k - 1) for d, k in zip(m.dilation, m.kernel_size, strict=True)]
        return [t // 2 for t in total] + [t - t // 2 for t in total]
    return list(m.padding) * 2


def _conv_transpose(g: Any, m: Any, x: Tensor, *output_size: Any) -> str:
    if output_size and output_size[0] is not None:
        raise unsupported(
            "ConvTranspose2d called with output_size", _where_module(m, g), "pass output_padding instead"
        )
    inputs = [g.value(x), g.value(m.weight)] + ([g.value(m.bias)] if m.bias is not None else [])
    return g.node(
        "ConvTranspose",
        inputs,
        kernel_shape=list(m.kernel_size),
        strides=list(m.stride),
        pads=list(m.padding) * 2,
        dilations=list(m.dilation),
        output_padding=list(m.output_padding),
        group=int(m.groups),
    )


def _max_pool(g: Any, m: Any, x: Tensor) -> str:
    n = 1 if isinstance(m, nn.MaxPool1d) else 2
    if m.return_indices:
        raise unsupported(
            f"{type(m).__name__}(return_indices=True)", _where_module(m, g), "indices are not exported"
        )
    stride = m.stride if m.stride not in (None, (), []) else m.kernel_size
    return g.node(
        "MaxPool",
        [g.value(x)],
        kernel_shape=_tuple(m.kernel_size, n),
        strides=_tuple(stride, n),
        pads=_tuple(m.padding, n) * 2,
        dilations=_tuple(m.dilation, n),
        ceil_mode=int(bool(m.ceil_mode)),
    )


def _avg_pool(g: Any, m: Any, x: Tensor) -> str:
    n = 1 if isinstance(m, nn.AvgPool1d) else 2
    if getattr(m, "divisor_override", None):
        raise unsupported(
            "AvgPool2d(divisor_override=...)", _where_module(m, g), "ONNX has no divisor override"
        )
    stride = m.stride if m.stride not in (None, (), []) else m.kernel_size
    return g.node(
        "AveragePool",
        [g.value(x)],
        kernel_shape=_tuple(m.kernel_size, n),
        strides=_tuple(stride, n),
        pads=_tuple(m.padding, n) * 2,
        ceil_mode=int(bool(m.ceil_mode)),
        count_include_pad=int(bool(m.count_include_pad)),
    )


def _adaptive_pool(g: Any, m: Any, x: Tensor) -> str:
    is_max = isinstance(m, nn.AdaptiveMaxPool2d)
    if getattr(m, "return_indices", False):
        raise unsupported(
            "AdaptiveMaxPool2d(return_indices=True)", _where_module(m, g), "indices are not exported"
        )
    sizes = tuple(x._data.shape[-_SPATIAL[type(m)] :])  # (an unbatched input has no N axis)
    size = m.output_size
    if isinstance(size, (tuple, list)):  # None in a position keeps that size
        out = [s if o is None else int(o) for o, s in zip(size, sizes, strict=True)]
    else:
        out = list(sizes) if size is None else [int(size)] * len(sizes)
    if all(o == 1 for o in out):
        return g.node("GlobalMaxPool" if is_max else "GlobalAveragePool", [g.value(x)])
    if any(s % o for s, o in zip(sizes, out, strict=True)):
        raise unsupported(
            f"{type(m).__name__}({m.output_size}) on a {sizes} input",
            _where_module(m, g),
            "uneven windows (the input size is not a multiple of the output size)",
        )
    kernel = [s // o for s, o in zip(sizes, out, strict=True)]
    return g.node("MaxPool" if is_max else "AveragePool", [g.value(x)], kernel_shape=kernel, strides=kernel)


def _batch_norm(g: Any, m: Any, x: Tensor) -> str:
    dt = _dtype(x)
    c = m.num_features
    scale = g.value(m.weight) if m.weight is not None else g.const(np.ones(c, dt))
    bias = g.value(m.bias) if m.bias is not None else g.const(np.zeros(c, dt))
    inputs = [g.value(x), scale, bias, g.value(m.running_mean), g.value(m.running_var)]
    return g.node("BatchNormalization", inputs, epsilon=float(m.eps))


def _layer_norm(g: Any, m: Any, x: Tensor) -> str:
    shape = tuple(m.normalized_shape)
    dt = _dtype(x)
    scale = g.value(m.weight) if m.weight is not None else g.const(np.ones(shape, dt))
    inputs = [g.value(x), scale] + ([g.value(m.bias)] if m.bias is not None else [])
    return g.node("LayerNormalization", inputs, axis=-len(shape), epsilon=float(m.eps))


def _embedding(g: Any, m: Any, idx: Tensor) -> str:
    return g.node("Gather", [g.value(m.weight), g.value(idx)], axis=0)


def _prelu(g: Any, m: Any, x: Tensor) -> str:
    slope = g.value(m.weight)
    if m.num_parameters > 1:  # one slope per channel (dimension 1)
        slope = g.node("Reshape", [slope, g.ints([-1] + [1] * (x.ndim - 2))])
    return g.node("PRelu", [g.value(x), slope])


MODULES: dict[type, Callable[..., str]] = {
    nn.Conv1d: _conv,
    nn.Conv2d: _conv,
    nn.ConvTranspose2d: _conv_transpose,
    nn.MaxPool1d: _max_pool,
    nn.MaxPool2d: _max_pool,
    nn.AvgPool1d: _avg_pool,
    nn.AvgPool2d: _avg_pool,
    nn.AdaptiveAvgPool1d: _adaptive_pool,
    nn.AdaptiveAvgPool2d: _adaptive_pool,
    nn.AdaptiveMaxPool2d: _adaptive_pool,
    nn.BatchNorm1d: _batch_norm,
    nn.BatchNorm2d: _batch_norm,
    nn.LayerNorm: _layer_norm,
    nn.Embedding: _embedding,
    nn.PReLU: _prelu,
}


# the layers with spatial axes: how many (an input with one axis less is unbatched)
_SPATIAL: dict[type, int] = {
    nn.Conv1d: 1,
    nn.Conv2d: 2,
    nn.ConvTranspose2d: 2,
    nn.MaxPool1d: 1,
    nn.MaxPool2d: 2,
    nn.AvgPool1d: 1,
    nn.AvgPool2d: 2,
    nn.AdaptiveAvgPool1d: 1,
    nn.AdaptiveAvgPool2d: 2,
    nn.AdaptiveMaxPool2d: 2,
}


def writes_whole(call: Any) -> bool:
    """Whether a module call is written as its own nodes (see ``MODULES``)."""
    m = call.module
    if type(m) not in MODULES or not isinstance(call.output, Tensor):  # (the trace ran in eval mode)
        return False
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):  # eval with batch statistics: its ops are traced
        return m.running_mean is not None and m.running_var is not None
    return True


def emit_module(g: Any, call: Any) -> str:
    """The nodes of a layer written whole; an unbatched input to a spatial layer gets a
    batch axis of 1 around it (Unsqueeze, the layer, Squeeze)."""
    emit = MODULES[type(call.module)]
    x = call.inputs[0] if call.inputs else None
    n = _SPATIAL.get(type(call.module))
    if n is None or not isinstance(x, Tensor) or x.ndim != n + 1:
        return emit(g, call.module, *call.inputs)
    g.alias(x, g.node("Unsqueeze", [g.value(x), g.ints([0])]))
    try:
        out = emit(g, call.module, *call.inputs)
    finally:
        g.alias(x, None)
    return g.node("Squeeze", [out, g.ints([0])])


def emit_op(g: Any, node: Any) -> Any:
    emit = OPS.get(type(node))
    if emit is None:
        raise unsupported(f"op {type(node).__name__} ({node.name()})", _where_from(g, node))
    return emit(g, node, *node._inputs)


def where_from(tr: Any) -> Callable[[Any], str]:
    """``node -> 'module ...'``: where the ops of trace ``tr`` come from, for error messages."""
    return lambda node: _owner_text(tr, node)


def _where_from(g: Any, node: Any) -> str:
    return _owner_text(g.trace, node)


def _owner_text(tr: Any, node: Any) -> str:
    call = tr.owner(node._seq)
    if call is None:
        return "the model's forward"
    return _describe(call)


def _where_module(m: Any, g: Any) -> str:
    for call in g.trace.calls:
        if call.module is m:
            return _describe(call)
    return f"module {type(m).__name__}"


def _describe(call: Any) -> str:
    if not call.name:
        return f"the model ({type(call.module).__name__})"
    return f"module '{call.name}' ({type(call.module).__name__})"
