"""Measurements that need a fresh interpreter: import time, RSS, RSS growth, the chains.

Run by ``run.py`` as ``python benchmarks/probe.py WHAT IMPL [N]``; prints one JSON object.
Kept free of imports beyond the standard library until the measured import happens.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MODULES = {"tinygrad_np": "tinygrad_np", "numpy": "numpy", "torch": "torch"}


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def _impl(name: str, style: str) -> object:
    if name == "tinygrad_np":
        import impl_tinygrad as mod
    elif name == "numpy":
        import impl_numpy as mod
    else:
        import impl_torch as mod

        mod.HAS_NN, mod.HAS_OPTIM = "nn" in style, "optim" in style
    return mod


def main(argv: list[str]) -> dict[str, object]:
    what, impl = argv[0], argv[1]
    n = int(argv[2]) if len(argv) > 2 else 0
    style = argv[3] if len(argv) > 3 else ""
    if what == "import":
        t = time.perf_counter()
        __import__(MODULES[impl])
        return {"seconds": time.perf_counter() - t}
    if what == "rss":
        __import__(MODULES[impl])
        after_import = _status_kib("VmRSS")
        import workloads

        mod = _impl(impl, style)
        steps = [mod.mlp(workloads.mlp_init()), mod.sine(workloads.sine_init())]
        gc.collect()
        return {"import_mib": after_import / 1024, "setup_mib": _status_kib("VmRSS") / 1024, "n": len(steps)}
    if what == "growth":
        import workloads

        mod = _impl(impl, style)
        step = mod.sine(workloads.sine_init())
        for _ in range(200):  # warm-up: caches, allocator pools
            step()
        gc.collect()
        before = _status_kib("VmRSS")
        t = time.perf_counter()
        for _ in range(n):
            loss = step()
        seconds = time.perf_counter() - t
        gc.collect()
        after = _status_kib("VmRSS")
        return {
            "before_mib": before / 1024,
            "after_mib": after / 1024,
            "growth_mib": (after - before) / 1024,
            "peak_mib": _status_kib("VmHWM") / 1024,
            "final_loss": float(loss.item() if hasattr(loss, "item") else loss),
            "seconds": seconds,
        }
    if what == "chain":
        mod = _impl(impl, style)
        t = time.perf_counter()
        mod.chain(None, n)()
        return {"seconds": time.perf_counter() - t, "per_node_us": (time.perf_counter() - t) / n * 1e6}
    if what == "chain_alone":  # the chain with only this library loaded: median of 5 builds + backwards
        mod = _impl(impl, style)
        step = mod.chain(None, n)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        return {"per_node_us": sorted(times)[2] / n * 1e6}
    raise SystemExit(f"probe: unknown measurement {what!r}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
