"""Facts about the machine and libraries that a benchmark number depends on."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

BLAS_ENV = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict[str, Any]]:
    """threadpoolctl's view of the loaded BLAS/OpenMP libraries (what kernel they picked)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"error": "threadpoolctl not installed (pip install -r benchmarks/requirements.txt)"}]
    keys = ("user_api", "internal_api", "version", "architecture", "num_threads", "threading_layer", "prefix")
    return [{k: d[k] for k in keys if k in d} for d in threadpool_info()]


def facts(torch_module: Any = None) -> list[tuple[str, str]]:
    """(name, value) rows for the report; call after numpy (and torch) are imported."""
    import numpy as np

    rows = [
        ("CPU", f"{cpu_model()} ({os.cpu_count()} logical CPUs)"),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]} ({platform.platform()})"),
        ("NumPy", np.__version__),
    ]
    if torch_module is not None:
        rows.append(
            (
                "PyTorch",
                f"{torch_module.__version__}, num_threads={torch_module.get_num_threads()}, "
                f"interop_threads={torch_module.get_num_interop_threads()}",
            )
        )
    else:
        rows.append(("PyTorch", "not installed (or not selected): its columns are empty"))
    for d in blas_info():
        rows.append(("threadpool", ", ".join(f"{k}={v}" for k, v in d.items())))
    try:
        rows.append(
            ("load average at the end (1, 5, 15 min)", ", ".join(f"{v:.2f}" for v in os.getloadavg()))
        )
    except OSError:
        pass
    for var in BLAS_ENV:
        val = os.environ.get(var)
        rows.append((f"${var}", "unset" if val is None else f"SET to {val!r}"))
    return rows
