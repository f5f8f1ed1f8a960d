"""Module-level functions, ``tinygrad_np.exp(x)`` etc., as in ``torch``.

Each forwards to the Tensor method of the same name, after turning a
non-tensor first argument into a tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._format import set_printoptions
from .ops import composite, linalg, movement, products, statistics
from .tensor import Tensor, _infer_array, where

__all__ = [
    "abs",
    "add",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "cat",
    "chunk",
    "clamp",
    "clip",
    "concat",
    "cos",
    "cumsum",
    "div",
    "divide",
    "fmod",
    "remainder",
    "floor_divide",
    "exp",
    "flatten",
    "gather",
    "gelu",
    "leaky_relu",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "permute",
    "pow",
    "prod",
    "relu",
    "reshape",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "tanh",
    "transpose",
    "unsqueeze",
    "var",
    "where",
    "pad",
    "is_tensor",
    "numel",
    "mm",
    "bmm",
    "broadcast_to",
    "unbind",
    "isnan",
    "isinf",
    "isfinite",
    "sign",
    "floor",
    "ceil",
    "round",
    "rsqrt",
    "reciprocal",
    "allclose",
    "equal",
    "t",
    "dot",
    "all",
    "any",
    "log2",
    "log10",
    "log1p",
    "expm1",
    "exp2",
    "sgn",
    "trunc",
    "fix",
    "frac",
    "tril",
    "triu",
    "norm",
    "sort",
    "argsort",
    "topk",
    "unique",
    "bincount",
    "histc",
    "histogram",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "cumprod",
    "diag",
    "diagonal",
    "trace",
    "outer",
    "ger",
    "nonzero",
    "argwhere",
    "isclose",
    "masked_select",
    "einsum",
    "set_printoptions",
    "logcumsumexp",
    "nanmedian",
    "matrix_power",
    "diag_embed",
    "cov",
    "corrcoef",
    "block_diag",
    "clone",
    "detach",
    "masked_fill",
    "narrow",
    "select",
    "ravel",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "negative",
    "multiply",
    "subtract",
    "positive",
    "is_floating_point",
    "is_nonzero",
    "is_complex",
    "isneginf",
    "isposinf",
    "isreal",
    "sinc",
    "copysign",
    "abs_",
    "neg_",
    "exp_",
    "log_",
    "log2_",
    "log10_",
    "log1p_",
    "expm1_",
    "exp2_",
    "sqrt_",
    "rsqrt_",
    "reciprocal_",
    "square_",
    "floor_",
    "ceil_",
    "round_",
    "trunc_",
    "frac_",
    "sin_",
    "cos_",
    "tan_",
    "tanh_",
    "sigmoid_",
    "relu_",
    "asin_",
    "acos_",
    "atan_",
    "sinh_",
    "cosh_",
    "asinh_",
    "acosh_",
    "atanh_",
    "arcsin_",
    "arccos_",
    "arctan_",
    "arcsinh_",
    "arccosh_",
    "arctanh_",
    "erf_",
    "erfc_",
    "clamp_",
    "clip_",
    "clamp_min_",
    "clamp_max_",
    "nan_to_num_",
    "logit_",
    "detach_",
    "concatenate",
    "result_type",
    "promote_types",
    "can_cast",
    "scalar_tensor",
    "logspace",
    "erfinv",
    "addmm",
    "addmv",
    "baddbmm",
    "addbmm",
    "mv",
    "inner",
    "kron",
    "cross",
    "dist",
    "nansum",
    "nanmean",
    "quantile",
    "nanquantile",
    "aminmax",
    "cummax",
    "cummin",
    "xlogy",
    "hypot",
    "float_power",
    "deg2rad",
    "rad2deg",
    "heaviside",
    "signbit",
    "rot90",
    "index_add",
    "index_fill",
    "index_copy",
    "tensor_split",
    "hsplit",
    "vsplit",
    "dsplit",
    "msort",
    "true_divide",
    "tensordot",
    "cartesian_prod",
    "tril_indices",
    "triu_indices",
    "std_mean",
    "var_mean",
    "inverse",
    "det",
    "logdet",
    "slogdet",
    "erf",
    "erfc",
    "clamp_min",
    "clamp_max",
    "lerp",
    "addcmul",
    "addcdiv",
    "logaddexp",
    "logaddexp2",
    "logit",
    "nan_to_num",
    "diff",
    "tile",
    "take_along_dim",
    "movedim",
    "moveaxis",
    "swapaxes",
    "swapdims",
    "scatter",
    "scatter_add",
    "count_nonzero",
    "repeat_interleave",
    "meshgrid",
    "hstack",
    "vstack",
    "row_stack",
    "dstack",
    "column_stack",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_tensors",
    "broadcast_shapes",
    "cdist",
    "searchsorted",
    "bucketize",
    "isin",
    "absolute",
    "index_select",
    "median",
    "kthvalue",
    "unique_consecutive",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "arcsinh",
    "arccosh",
    "arctanh",
]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._wrap(_infer_array(x, None))


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def _method(name: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_t(input), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"``tinygrad_np.{name}(input, ...)`` is ``input.{name}(...)``; see :meth:`Tensor.{name}`."
    return fn


abs = _method("abs")
add = _method("add")
sub = _method("sub")
mul = _method("mul")
div = _method("div")
divide = _method("div")
fmod = _method("fmod")
remainder = _method("remainder")
floor_divide = _method("floor_divide")
pow = _method("pow")
neg = _method("neg")
exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
rsqrt = _method("rsqrt")
reciprocal = _method("reciprocal")
square = _method("square")
sin = _method("sin")
cos = _method("cos")
tanh = _method("tanh")
sigmoid = _method("sigmoid")
relu = _method("relu")
leaky_relu = _method("leaky_relu")
gelu = _method("gelu")
softplus = _method("softplus")
sign = _method("sign")
floor = _method("floor")
ceil = _method("ceil")
round = _method("round")
clamp = _method("clamp")
clip = _method("clip")
maximum = _method("maximum")
minimum = _method("minimum")
sum = _method("sum")
mean = _method("mean")
max = _method("max")
min = _method("min")
amax = _method("amax")
amin = _method("amin")
argmax = _method("argmax")
argmin = _method("argmin")
var = _method("var")
std = _method("std")
prod = _method("prod")
logsumexp = _method("logsumexp")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
cumsum = _method("cumsum")
reshape = _method("reshape")
flatten = _method("flatten")
squeeze = _method("squeeze")
unsqueeze = _method("unsqueeze")
transpose = _method("transpose")
permute = _method("permute")
broadcast_to = _method("broadcast_to")
gather = _method("gather")
split = _method("split")
chunk = _method("chunk")
unbind = _method("unbind")
isnan = _method("isnan")
isinf = _method("isinf")
isfinite = _method("isfinite")
all = _method("all")
any = _method("any")
mm = _method("mm")
bmm = _method("bmm")
dot = _method("dot")
t = _method("t")
allclose = _method("allclose")
equal = _method("equal")
log2 = _method("log2")
log10 = _method("log10")
log1p = _method("log1p")
expm1 = _method("expm1")
exp2 = _method("exp2")
sgn = _method("sgn")
trunc = _method("trunc")
fix = _method("fix")
frac = _method("frac")
tril = _method("tril")
triu = _method("triu")
norm = _method("norm")
sort = _method("sort")
argsort = _method("argsort")
topk = _method("topk")
unique = _method("unique")
bincount = _method("bincount")
histc = _method("histc")
histogram = _method("histogram")
flip = _method("flip")
fliplr = _method("fliplr")
flipud = _method("flipud")
roll = _method("roll")
cumprod = _method("cumprod")
diag = _method("diag")
diagonal = _method("diagonal")
trace = _method("trace")
outer = _method("outer")
ger = _method("ger")
nonzero = _method("nonzero")
argwhere = _method("argwhere")
isclose = _method("isclose")
masked_select = _method("masked_select")
logcumsumexp = _method("logcumsumexp")
nanmedian = _method("nanmedian")
matrix_power = _method("matrix_power")
diag_embed = _method("diag_embed")
cov = _method("cov")
corrcoef = _method("corrcoef")
clone = _method("clone")
detach = _method("detach")
masked_fill = _method("masked_fill")
narrow = _method("narrow")
select = _method("select")
ravel = _method("ravel")
eq = _method("eq")
ne = _method("ne")
lt = _method("lt")
le = _method("le")
gt = _method("gt")
ge = _method("ge")
greater = _method("greater")
greater_equal = _method("greater_equal")
less = _method("less")
less_equal = _method("less_equal")
not_equal = _method("not_equal")
logical_and = _method("logical_and")
logical_or = _method("logical_or")
logical_xor = _method("logical_xor")
logical_not = _method("logical_not")
bitwise_and = _method("bitwise_and")
bitwise_or = _method("bitwise_or")
bitwise_xor = _method("bitwise_xor")
bitwise_not = _method("bitwise_not")
negative = _method("negative")
multiply = _method("multiply")
subtract = _method("subtract")
positive = _method("positive")
is_floating_point = _method("is_floating_point")
is_nonzero = _method("is_nonzero")
is_complex = _method("is_complex")
isneginf = _method("isneginf")
isposinf = _method("isposinf")
isreal = _method("isreal")
sinc = _method("sinc")
copysign = _method("copysign")
abs_ = _method("abs_")
neg_ = _method("neg_")
exp_ = _method("exp_")
log_ = _method("log_")
log2_ = _method("log2_")
log10_ = _method("log10_")
log1p_ = _method("log1p_")
expm1_ = _method("expm1_")
exp2_ = _method("exp2_")
sqrt_ = _method("sqrt_")
rsqrt_ = _method("rsqrt_")
reciprocal_ = _method("reciprocal_")
square_ = _method("square_")
floor_ = _method("floor_")
ceil_ = _method("ceil_")
round_ = _method("round_")
trunc_ = _method("trunc_")
frac_ = _method("frac_")
sin_ = _method("sin_")
cos_ = _method("cos_")
tan_ = _method("tan_")
tanh_ = _method("tanh_")
sigmoid_ = _method("sigmoid_")
relu_ = _method("relu_")
asin_ = _method("asin_")
acos_ = _method("acos_")
atan_ = _method("atan_")
sinh_ = _method("sinh_")
cosh_ = _method("cosh_")
asinh_ = _method("asinh_")
acosh_ = _method("acosh_")
atanh_ = _method("atanh_")
arcsin_ = _method("arcsin_")
arccos_ = _method("arccos_")
arctan_ = _method("arctan_")
arcsinh_ = _method("arcsinh_")
arccosh_ = _method("arccosh_")
arctanh_ = _method("arctanh_")
erf_ = _method("erf_")
erfc_ = _method("erfc_")
clamp_ = _method("clamp_")
clip_ = _method("clip_")
clamp_min_ = _method("clamp_min_")
clamp_max_ = _method("clamp_max_")
nan_to_num_ = _method("nan_to_num_")
logit_ = _method("logit_")
detach_ = _method("detach_")
erfinv = _method("erfinv")
addmm = _method("addmm")
addmv = _method("addmv")
baddbmm = _method("baddbmm")
addbmm = _method("addbmm")
mv = _method("mv")
inner = _method("inner")
kron = _method("kron")
cross = _method("cross")
dist = _method("dist")
nansum = _method("nansum")
nanmean = _method("nanmean")
quantile = _method("quantile")
nanquantile = _method("nanquantile")
aminmax = _method("aminmax")
cummax = _method("cummax")
cummin = _method("cummin")
xlogy = _method("xlogy")
hypot = _method("hypot")
float_power = _method("float_power")
deg2rad = _method("deg2rad")
rad2deg = _method("rad2deg")
heaviside = _method("heaviside")
signbit = _method("signbit")
rot90 = _method("rot90")
index_add = _method("index_add")
index_fill = _method("index_fill")
index_copy = _method("index_copy")
tensor_split = _method("tensor_split")
hsplit = _method("hsplit")
vsplit = _method("vsplit")
dsplit = _method("dsplit")
msort = _method("msort")
true_divide = _method("true_divide")
inverse = _method("inverse")
det = _method("det")
logdet = _method("logdet")
slogdet = _method("slogdet")
erf = _method("erf")
erfc = _method("erfc")
clamp_min = _method("clamp_min")
clamp_max = _method("clamp_max")
lerp = _method("lerp")
addcmul = _method("addcmul")
addcdiv = _method("addcdiv")
logaddexp = _method("logaddexp")
logaddexp2 = _method("logaddexp2")
logit = _method("logit")
nan_to_num = _method("nan_to_num")
diff = _method("diff")
tile = _method("tile")
take_along_dim = _method("take_along_dim")
movedim = _method("movedim")
moveaxis = _method("moveaxis")
swapaxes = _method("swapaxes")
swapdims = _method("swapdims")
scatter = _method("scatter")
scatter_add = _method("scatter_add")
count_nonzero = _method("count_nonzero")
absolute = _method("abs")
index_select = _method("index_select")
median = _method("median")
kthvalue = _method("kthvalue")
unique_consecutive = _method("unique_consecutive")
tan = _method("tan")
asin = _method("asin")
acos = _method("acos")
atan = _method("atan")
atan2 = _method("atan2")
sinh = _method("sinh")
cosh = _method("cosh")
asinh = _method("asinh")
acosh = _method("acosh")
atanh = _method("atanh")
arcsin = _method("arcsin")
arccos = _method("arccos")
arctan = _method("arctan")
arctan2 = _method("arctan2")
arcsinh = _method("arcsinh")
arccosh = _method("arccosh")
arctanh = _method("arctanh")


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters of ``equation`` (``'ij,jk->ik'`` is ``a @ b``),
    with ``...`` and the implicit output form; differentiable. See :func:`ops.linalg.einsum`."""
    return linalg.einsum(equation, *operands)


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product; see :meth:`Tensor.matmul`."""
    return linalg.matmul(input, other)


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension."""
    return movement.cat(tensors, dim if axis is None else axis)


concat = cat
concatenate = cat


def stack(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    return movement.stack(tensors, dim if axis is None else axis)


def pad(input: Any, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Constant padding, ``pad = (left, right, top, bottom, ...)`` from the last dimension."""
    return movement.pad(_t(input), pad, mode, value)


where = where


# ---- composed functions without a Tensor method of their own (ops/composite.py) ----
cdist = composite.cdist
meshgrid = composite.meshgrid
hstack = composite.hstack
vstack = composite.vstack
row_stack = composite.vstack
dstack = composite.dstack
column_stack = composite.column_stack
broadcast_tensors = composite.broadcast_tensors
broadcast_shapes = composite.broadcast_shapes
searchsorted = composite.searchsorted
bucketize = composite.bucketize
isin = composite.isin


def repeat_interleave(
    input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each entry repeated ``repeats`` times in place; ``repeat_interleave(counts)`` alone gives
    ``[0] * counts[0] + [1] * counts[1] + ...``. See :meth:`Tensor.repeat_interleave`."""
    return composite.repeat_interleave(input, repeats, dim, output_size)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dimension (one tensor, or a tuple for several)."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dimensions: (k,) -> (1, k)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dimensions: (k,) -> (1, k, 1), (m, k) -> (m, k, 1)."""
    return _atleast(tensors, 3)


def _atleast(tensors: tuple[Any, ...], n: int) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(composite.atleast_nd(t, n) for t in tensors[0])
    out = tuple(composite.atleast_nd(t, n) for t in tensors)
    return out[0] if len(out) == 1 else out


tensordot = products.tensordot
block_diag = products.block_diag
cartesian_prod = products.cartesian_prod
tril_indices = products.tril_indices
triu_indices = products.triu_indices
std_mean = statistics.std_mean
var_mean = statistics.var_mean


def result_type(tensor1: Any, tensor2: Any) -> Any:
    """The dtype PyTorch's promotion gives an operation on the two (tensors or numbers)."""
    from . import dtypes

    return dtypes.from_numpy_dtype(dtypes.result_type(tensor1, tensor2))


def promote_types(type1: Any, type2: Any) -> Any:
    """The smallest dtype both dtypes can be cast to safely (PyTorch's table)."""
    from . import dtypes

    a, b = (Tensor._wrap(np.zeros(1, t.np)) for t in (type1, type2))  # one-dim tensors: no scalar rules
    return dtypes.from_numpy_dtype(dtypes.result_type(a, b))


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's type promotion allows a cast from ``from_`` to ``to`` (no float to
    integer, no number to bool)."""
    return bool(np.can_cast(from_.np, to.np, casting="same_kind"))


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor of ``s``, float32 by default (even for an int)."""
    from .creation import tensor
    from .dtypes import get_default_dtype

    return tensor(s, dtype=dtype or get_default_dtype(), requires_grad=requires_grad)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    **_: Any,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    from .creation import linspace
    from .dtypes import float64, get_default_dtype

    out = base ** linspace(start, end, steps, dtype=float64)  # in float64, then rounded once
    return out.to(dtype or get_default_dtype()).requires_grad_(requires_grad)
