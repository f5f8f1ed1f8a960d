"""A/B timing of the eager engine's per-op overhead: two checkouts, fresh processes.

Each measurement runs in a fresh ``python -P`` process whose ``PYTHONPATH`` is one
checkout's root, so the two versions never share a process (or an import cache). The
checkouts take turns, round by round, and the table reports the best and the median over
the rounds, each round itself the best of a few timed batches::

    git worktree add --detach /tmp/old 0484369
    OPENBLAS_NUM_THREADS=1 python benchmarks/ab_eager.py /tmp/old .            # A=old, B=this tree
    OPENBLAS_NUM_THREADS=1 python benchmarks/ab_eager.py /tmp/old . --rounds 9 --only sine
    python benchmarks/ab_eager.py /tmp/old . --instructions   # valgrind: instructions, no noise
    python benchmarks/ab_eager.py . --profile sine     # cProfile of one workload, one checkout

Workloads (all tiny, so the time is the library's Python overhead, not BLAS):

- ``sine``: the benchmarks' sine step: Linear 1-20-1, sigmoid, MSE, batch 100, SGD(lr=0.5),
  ``zero_grad`` / ``backward`` / ``step`` (the same as ``impl_tinygrad.sine``);
- ``chain``: ``y = y * c`` 100 times on 16x16 float32 then ``y.backward(g)``, per node;
- ``add1``: one recorded op, ``y + 1`` forward only, on a (4,) tensor that requires grad;
- ``mlp``: Sequential(Linear 64-128, ReLU, Linear 128-10), cross-entropy, batch 32,
  SGD with momentum 0.9.

Set ``OPENBLAS_NUM_THREADS=1`` (the script sets it for its children when unset).

On a shared machine the times move by 10 % from run to run. ``--cpu`` times the
process's CPU time instead of wall time (time spent waiting for a core is left out; the
caches that other processes spoil are not). ``--instructions`` counts the machine
instructions per step under valgrind's callgrind (about 20 s a process, one process per
checkout and workload, the same count every run). Collection is switched on only inside
``itertools.starmap``'s C iterator, which drives the timed loop (the library never calls
it), so imports, building and warm-up are not counted. Instructions are a proxy for the
interpreter's work, not for time (cache misses and NumPy's own kernels weigh
differently), so keep both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

WORKLOADS = ("sine", "chain", "add1", "mlp")
# (steps per timed batch, timed batches per process, unit divisor, unit)
PLAN = {"sine": (300, 7, 1, "us/step"), "chain": (40, 7, 100, "us/node"), "add1": (20000, 7, 1, "us/op"),
        "mlp": (200, 7, 1, "us/step")}  # fmt: skip


def _build(name: str) -> Any:
    """The step function of workload ``name``, built with whatever ``tinygrad_np`` imports."""
    import numpy as np

    import tinygrad_np as tg
    import tinygrad_np.nn as nn
    import tinygrad_np.nn.functional as F

    rng = np.random.default_rng(0)

    def fixed(layer: Any) -> Any:
        """The layer with weights from ``rng``: both checkouts train on the same numbers."""
        w, b = layer.weight, layer.bias
        with tg.no_grad():
            w.copy_(tg.tensor((rng.standard_normal(w.shape) / np.sqrt(w.shape[1])).astype(np.float32)))
            b.copy_(tg.tensor(np.zeros(b.shape, np.float32)))
        return layer

    if name == "sine":
        xs = np.linspace(0.0, np.pi, 100, dtype=np.float32).reshape(100, 1)
        x, y = tg.tensor(xs), tg.tensor(np.sin(xs))
        l1, l2 = fixed(nn.Linear(1, 20)), fixed(nn.Linear(20, 1))
        opt = tg.optim.SGD([*l1.parameters(), *l2.parameters()], lr=0.5)

        def step() -> Any:
            loss = F.mse_loss(l2(l1(x).sigmoid()), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return step
    if name == "chain":
        a = tg.tensor(rng.standard_normal((16, 16)).astype(np.float32), requires_grad=True)
        c = tg.tensor(rng.uniform(0.9, 1.1, (16, 16)).astype(np.float32))
        g = tg.tensor(np.ones((16, 16), np.float32))

        def step() -> Any:
            y = a
            for _ in range(100):
                y = y * c
            a.grad = None
            y.backward(g)

        return step
    if name == "add1":
        t = tg.tensor(np.ones(4, np.float32), requires_grad=True)

        def step() -> Any:
            return t + 1

        return step
    if name == "mlp":
        model = nn.Sequential(fixed(nn.Linear(64, 128)), nn.ReLU(), fixed(nn.Linear(128, 10)))
        xb = tg.tensor(rng.standard_normal((32, 64)).astype(np.float32))
        yb = tg.tensor(rng.integers(0, 10, 32))
        opt = tg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step() -> Any:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return step
    raise ValueError(f"unknown workload {name!r}; choose from {WORKLOADS}")


def _child(name: str) -> None:
    """Time ``name`` in this process; print the best batch's time per unit as JSON."""
    import gc

    step = _build(name)
    n, batches, div, _ = PLAN[name]
    clock = time.process_time if os.environ.get("AB_EAGER_CPU") else time.perf_counter
    for _ in range(max(n // 10, 5)):  # warm up
        step()
    gc.collect()
    best = float("inf")
    for _ in range(batches):
        t0 = clock()
        for _ in range(n):
            step()
        best = min(best, (clock() - t0) / n / div)
    print(json.dumps({"us": best * 1e6}))


def _child_instructions(name: str) -> None:
    """Run ``name`` inside ``itertools.starmap`` (the callgrind collection window)."""
    import collections
    import itertools

    step = _build(name)
    for _ in range(max(PLAN[name][0] // 10, 5)):  # warm up
        step()
    collections.deque(itertools.starmap(step, itertools.repeat((), INSTR_STEPS[name])), maxlen=0)


# steps counted under valgrind per workload (the count is per step: no need for many)
INSTR_STEPS = {"sine": 20, "chain": 4, "add1": 2000, "mlp": 20}


def _run_instructions(root: str, name: str) -> float:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(root))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=starmap_next",
           "--callgrind-out-file=/dev/null", sys.executable, "-P", os.path.abspath(__file__),
           "--child-instructions", name]  # fmt: skip
    out = subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True)
    found = [ln for ln in out.stderr.splitlines() if "Collected :" in ln]
    if out.returncode or not found:
        raise RuntimeError(f"{name} in {root} under valgrind failed:\n{out.stderr[-3000:]}")
    return int(found[-1].split(":")[-1]) / INSTR_STEPS[name] / PLAN[name][2]


def _run_child(root: str, name: str) -> float:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(root))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    out = subprocess.run(
        [sys.executable, "-P", os.path.abspath(__file__), "--child", name],
        env=env, cwd="/", capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"{name} in {root} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])["us"]


def _profile(root: str, name: str) -> None:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(root))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = (
        "import cProfile, pstats, sys; sys.argv=['x']; "
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); import ab_eager as m; "
        f"s = m._build({name!r}); [s() for _ in range(50)]; "
        f"cProfile.run('for _ in range(2000): s()', '/tmp/ab_eager.prof'); "
        "pstats.Stats('/tmp/ab_eager.prof').sort_stats('tottime').print_stats(30)"
    )
    subprocess.run([sys.executable, "-P", "-c", code], env=env, cwd="/", check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roots", nargs="*", help="checkout roots to compare (A B ...)")
    ap.add_argument("--rounds", type=int, default=5, help="fresh processes per checkout and workload")
    ap.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads")
    ap.add_argument("--cpu", action="store_true", help="time with process_time (CPU time), not wall time")
    ap.add_argument("--instructions", action="store_true", help="count instructions (valgrind), once each")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-instructions", help=argparse.SUPPRESS)
    ap.add_argument("--profile", help="cProfile this workload in the first root")
    args = ap.parse_args()
    if args.child:
        _child(args.child)
        return
    if args.child_instructions:
        _child_instructions(args.child_instructions)
        return
    if args.profile:
        _profile(args.roots[0], args.profile)
        return
    names = args.only.split(",")
    if args.cpu:
        os.environ["AB_EAGER_CPU"] = "1"  # for the children
    if args.instructions:
        _instruction_table(args.roots, names)
        return
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(args.rounds):
        for name in names:
            order = args.roots if r % 2 == 0 else args.roots[::-1]  # alternate who goes first
            for root in order:
                times.setdefault((name, root), []).append(_run_child(root, name))
    labels = [chr(ord("A") + i) for i in range(len(args.roots))]
    for label, root in zip(labels, args.roots, strict=True):
        print(f"{label} = {os.path.abspath(root)}")
    head = " | ".join(f"{lab} best | {lab} median" for lab in labels)
    print(f"| workload | unit | {head} | B/A best |")
    print("|---" * (3 + 2 * len(labels)) + "|")
    for name in names:
        cells, bests = [], []
        for root in args.roots:
            ts = times[(name, root)]
            bests.append(min(ts))
            cells.append(f"{min(ts):.2f} | {statistics.median(ts):.2f}")
        ratio = f"{bests[1] / bests[0]:.3f}" if len(bests) > 1 else ""
        print(f"| {name} | {PLAN[name][3]} | {' | '.join(cells)} | {ratio} |")


def _instruction_table(roots: list[str], names: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(name, root) for name in names for root in roots]
    with ThreadPoolExecutor(2) as pool:  # two valgrind processes at a time
        counts = dict(zip(jobs, pool.map(lambda j: _run_instructions(j[1], j[0]), jobs), strict=True))
    for i, root in enumerate(roots):
        print(f"{chr(ord('A') + i)} = {os.path.abspath(root)}")
    print("| workload | unit | " + " | ".join(chr(ord("A") + i) for i in range(len(roots))) + " | B/A |")
    print("|---" * (3 + len(roots)) + "|")
    for name in names:
        c = [counts[(name, r)] for r in roots]
        ratio = f"{c[1] / c[0]:.3f}" if len(c) > 1 else ""
        unit = PLAN[name][3].replace("us", "instructions")
        print(f"| {name} | {unit} | " + " | ".join(f"{v:,.0f}" for v in c) + f" | {ratio} |")


if __name__ == "__main__":
    main()
