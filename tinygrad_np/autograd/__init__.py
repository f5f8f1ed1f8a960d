"""Automatic differentiation: the graph nodes, the backward engine and its tools.

Read in this order: ``grad_mode.py`` (the recording switch), ``function.py``
(an op and the node it leaves in the graph), ``engine.py`` (backward, the whole
algorithm). ``fast_backward.py`` is the same walk on NumPy arrays, the speed path a
plain ``loss.backward()`` takes, and ``engine_checks.py`` the errors backward raises;
neither is needed to understand what backward computes.
"""

from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import AccumulateGrad, Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "AccumulateGrad",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
]
