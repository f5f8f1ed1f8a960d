"""tinygrad_np: a computational-graph autodiff engine on NumPy, PyTorch-style.

>>> import tinygrad_np as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""

from . import autograd, backends, data, dtypes, linalg, nn, optim, utils
from ._runtime import (
    are_deterministic_algorithms_enabled,
    get_num_threads,
    set_num_threads,
    use_deterministic_algorithms,
)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import cuda, device, get_default_device, set_default_device
from .dtypes import (
    bool_ as bool,  # noqa: A004 - torch.bool
)
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .functions import *  # noqa: F403
from .functions import __all__ as _functions_all
from .legacy import *  # noqa: F403
from .legacy import __all__ as _legacy_all
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .sampling import bernoulli, multinomial, normal, poisson
from .serialization import load, save
from .tensor import Size, Tensor

half = float16
float = float32
double = float64
long = int64
int = int32
short = int16

__version__ = "0.1.0"

__all__ = [
    "Generator",
    "Size",
    "Tensor",
    "arange",
    "as_tensor",
    "autograd",
    "bool",
    "cuda",
    "default_generator",
    "device",
    "double",
    "dtype",
    "dtypes",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_device",
    "get_default_dtype",
    "half",
    "inference_mode",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "linspace",
    "long",
    "manual_seed",
    "no_grad",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_default_device",
    "set_default_dtype",
    "set_grad_enabled",
    "short",
    "tensor",
    "uint8",
    "zeros",
    "zeros_like",
    *_functions_all,
    *_legacy_all,
]
__all__ += ["data", "linalg", "load", "nn", "optim", "save", "utils"]
__all__ += ["backends", "are_deterministic_algorithms_enabled", "get_num_threads", "set_num_threads"]
__all__ += ["use_deterministic_algorithms"]
__all__ += ["bernoulli", "get_rng_state", "multinomial", "poisson", "randint_like", "set_rng_state"]


def __getattr__(name: str) -> object:
    # `tinygrad_np.viz` is imported on first use: drawing pulls in graphviz,
    # which `import tinygrad_np` should not pay for.
    if name in ("viz", "onnx"):  # `onnx`: the exporter; the onnx package is imported by export()
        import importlib

        return importlib.import_module("." + name, __name__)
    if name == "compile":  # looked up here, not bound by an import: the builtin stays unshadowed
        from .compiled import compile as compile_step

        return compile_step
    raise AttributeError(f"module 'tinygrad_np' has no attribute {name!r}")
