"""Benchmark tinygrad_np against the same workloads written by hand in NumPy and in PyTorch.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py [--quick] [--only NAME,...]
        [--repeats N] [--impls tinygrad_np,numpy,torch] [--markdown PATH]

Method: every implementation starts from the same data and initial weights
(``workloads.py``) and the first two training losses are checked equal (float32
tolerance) before anything is timed. Each sample times a batch of calls long enough
to dwarf the timer; the implementations take turns sample by sample (round-robin,
the order rotating every round) so that drifts of the shared machine hit all of them
alike. The table gives medians and the ratios tinygrad_np/NumPy and tinygrad_np/PyTorch.
Import time, RSS and RSS growth are measured in fresh subprocesses (``probe.py``), and
so is the 100,000-node chain a second time, each library alone in its process: a full
garbage collection walks every object in the process, and the shared process holds all
three libraries' objects. The garbage collector stays on, as in a user's program.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import machine  # noqa: E402
import workloads  # noqa: E402

ALL_IMPLS = ("tinygrad_np", "compiled", "numpy", "torch")
HEADERS = {
    "tinygrad_np": "tinygrad_np",
    "compiled": "tinygrad_np compiled",
    "numpy": "NumPy by hand",
    "torch": "PyTorch CPU",
}
MODULES = {"tinygrad_np": "impl_tinygrad", "compiled": "impl_tinygrad_compiled"}
PROBE_IMPLS = ("tinygrad_np", "numpy", "torch")  # the fresh-process probes (probe.py)
# issue 15's targets for the compiled step: (workload, reference, at most this many times it)
COMPILED_TARGETS = (
    ("sine", "numpy", 1.3),
    ("elementwise_chain", "numpy", 1.5),
    ("mlp", "mlp_blas", 1.2),
    ("cnn", "numpy", 1.2),
)
PROBES = ("import", "rss", "growth", "chain_alone", "chain_1m")
LOSS_RTOL = 1e-4


def load_impls(names: list[str]) -> dict[str, Any]:
    """Import the implementation modules; PyTorch is skipped when not installed."""
    mods: dict[str, Any] = {}
    for name in names:
        try:
            mods[name] = importlib.import_module(MODULES.get(name, f"impl_{name}"))
        except ImportError as e:
            if name != "torch":
                raise
            print(f"# PyTorch not available ({e}); its columns stay empty", file=sys.stderr)
    if "torch" in mods:
        tgmod = mods.get("tinygrad_np") or importlib.import_module("impl_tinygrad")
        mods["torch"].HAS_NN, mods["torch"].HAS_OPTIM = tgmod.HAS_NN, tgmod.HAS_OPTIM
    return mods


def build(mod: Any, w: workloads.Workload, size: int) -> Callable[[], Any]:
    init = w.init() if callable(w.init) else None
    return getattr(mod, w.builder)(init, size)


def check_losses(w: workloads.Workload, steps: dict[str, Callable[[], Any]]) -> str:
    """The first two losses must agree across implementations (same init, same math)."""
    losses = {name: [_scalar(step()) for _ in range(2)] for name, step in steps.items()}
    ref_name = "numpy" if "numpy" in losses else next(iter(losses))
    ref = losses[ref_name]
    for name, got in losses.items():
        for i in range(2):
            if abs(got[i] - ref[i]) > LOSS_RTOL * max(abs(ref[i]), 1e-3):
                raise SystemExit(
                    f"{w.name}: loss of step {i + 1} differs: {name} gives {got[i]!r}, "
                    f"{ref_name} gives {ref[i]!r} (same data and initial weights; tolerance "
                    f"{LOSS_RTOL} relative). The implementations do not compute the same thing."
                )
    return ", ".join(f"{n} {v[0]:.6g}" for n, v in losses.items())


def time_round_robin(
    steps: dict[str, Callable[[], Any]], repeats: int, target_s: float, per: int, settle_s: float
) -> dict[str, list[float]]:
    """Seconds per unit of work, one sample per implementation per round.

    Before each sample the runner sleeps ``settle_s``: OpenBLAS's idle worker threads
    busy-wait for about 0.1 s after a call (and libgomp's for a while too), so without
    the pause the library timed next would share the 2 cores with the threads of the one
    timed before (PyTorch's MLP step measured 2.5x slower right after NumPy's).
    """
    calls: dict[str, int] = {}
    for name, step in steps.items():  # warm up and calibrate the calls per sample
        step()
        t = time.perf_counter()
        step()
        once = max(time.perf_counter() - t, 1e-7)
        calls[name] = max(1, int(target_s / once))
    samples: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps)
    for r in range(repeats):
        rot = order[r % len(order) :] + order[: r % len(order)]
        for name in rot:
            step, n = steps[name], calls[name]
            if settle_s:
                time.sleep(settle_s)
            t = time.perf_counter()
            for _ in range(n):
                step()
            samples[name].append((time.perf_counter() - t) / n / per)
    return samples


def spread(a: list[float], b: list[float]) -> list[float]:
    """Quartiles of a/b taken round by round (samples of one round ran back to back): how
    much a row's ratio moves with the shared machine's drift."""
    return statistics.quantiles([x / y for x, y in zip(a, b, strict=True)], n=4)


def probe(what: str, impl: str, n: int = 0, style: str = "") -> dict[str, Any]:
    env = dict(os.environ)
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "probe.py"), what, impl, str(n), style],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if out.returncode != 0:
        return {"error": f"exit {out.returncode}: {out.stderr.strip().splitlines()[-1:] or ''}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def compiled_notes(
    w: workloads.Workload,
    size: int,
    mods: dict[str, Any],
    samples: dict[str, list[float]],
    medians: dict[str, dict[str, float]],
) -> list[str]:
    """The compiled step against issue 15's targets (ratios round by round), and its trace
    cost: the first two calls of a fresh compiled step (both trace) against an eager step."""
    notes = []
    for name, ref, limit in COMPILED_TARGETS:
        if name != w.name:
            continue
        if ref in samples and len(samples[ref]) >= 4:
            q = spread(samples["compiled"], samples[ref])
            med = statistics.median(samples["compiled"]) / statistics.median(samples[ref])
            notes.append(
                f"{w.name}: compiled/{HEADERS[ref]} {med:.2f}x (round quartiles {q[0]:.2f}x / {q[1]:.2f}x / "
                f"{q[2]:.2f}x); issue 15 target <= {limit}x: {verdict(med <= limit)}"
            )
    per = w.per if w.unit == "op" else 1
    first: list[float] = []
    second: list[float] = []
    third: list[float] = []
    for _ in range(5):  # fresh compiled steps: the first two calls trace, the third builds the program
        step = build(mods["compiled"], w, size)
        for times in (first, second, third):
            t = time.perf_counter()
            step()
            times.append((time.perf_counter() - t) / per)
    eager = statistics.median(samples["tinygrad_np"])
    tr1, tr2, tr3 = (statistics.median(t) / eager for t in (first, second, third))
    notes.append(
        f"{w.name}: compiled trace cost (median of 5 fresh steps): first call {tr1:.2f}x an eager step, "
        f"second (the confirming trace) {tr2:.2f}x, third (builds and runs the program) {tr3:.2f}x; "
        f"issue 15 target first call <= 3x: {verdict(tr1 <= 3)}"
    )
    return notes


def fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.3g} µs"
    return f"{s * 1e9:.3g} ns"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="few repeats and small sizes (smoke test)")
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated workload names: "
        + ", ".join([w.name for w in workloads.WORKLOADS] + list(PROBES)),
    )
    ap.add_argument(
        "--repeats", type=int, default=None, help="samples per implementation (default 15, quick 3)"
    )
    ap.add_argument("--impls", default=",".join(ALL_IMPLS), help="comma-separated: tinygrad_np,numpy,torch")
    ap.add_argument(
        "--growth-steps", type=int, default=None, help="sine steps for RSS growth (default 10000)"
    )
    ap.add_argument("--settle", type=float, default=0.25, help="pause before each sample, s (default 0.25)")
    ap.add_argument("--markdown", default=None, help="also write the report to this file")
    args = ap.parse_args(argv)

    names = [n for n in args.only.split(",") if n] or [w.name for w in workloads.WORKLOADS] + list(PROBES)
    unknown = [n for n in names if n not in workloads.BY_NAME and n not in PROBES]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}")
    impl_names = [n for n in args.impls.split(",") if n]
    repeats = args.repeats or (3 if args.quick else 15)
    target_s = 0.005 if args.quick else 0.05
    growth_steps = args.growth_steps or (300 if args.quick else 10_000)
    mods = load_impls(impl_names)
    impls = list(mods)
    torch_mod = sys.modules.get("torch")
    style = mods["tinygrad_np"].STYLE if "tinygrad_np" in mods else ""
    style_arg = ",".join(k for k, on in (("nn", "nn." in style), ("optim", "optim." in style)) if on)

    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    lines = [
        "# tinygrad_np benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M UTC}: `{' '.join(['python', 'benchmarks/run.py'] + (argv or sys.argv[1:]))}`"
        f" — {repeats} round-robin samples per implementation, medians shown"
        + (" (QUICK mode: small sizes, numbers are not meaningful)" if args.quick else "")
        + ".",
        f"tinygrad_np training code: {style or '-'}; PyTorch written the same way.",
        "",
        "| workload | "
        + " | ".join(HEADERS[i] for i in ALL_IMPLS)
        + " | tg/NumPy | tg/PyTorch | compiled/NumPy | compiled/tg | target | met |",
        "|---|" + "---:|" * len(ALL_IMPLS) + "---:|---:|---:|---:|---|---|",
    ]
    medians: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for w in workloads.WORKLOADS:
        if w.name not in names:
            continue
        size = w.quick_size if args.quick else w.size
        per = w.per if w.unit == "op" else (size if w.size else 1)
        steps: dict[str, Callable[[], Any]] = {}
        for name in impls:
            if name not in w.impls:
                continue
            try:
                steps[name] = build(mods[name], w, size)
            except NotImplementedError as e:
                notes.append(f"{w.name}: {name} skipped ({e})")
        if "tinygrad_np" in impls and "tinygrad_np" in w.impls and "tinygrad_np" not in steps:
            continue  # nothing to compare against
        if w.trains and len(steps) > 1:
            notes.append(f"{w.name}: first-step losses agree ({check_losses(w, dict(steps))})")
            steps = {name: build(mods[name], w, size) for name in steps}
        print(f"# timing {w.name} ...", file=sys.stderr, flush=True)
        gc.collect()
        rounds = 5 if w.unit == "node" and not args.quick else repeats
        samples = time_round_robin(steps, rounds, target_s, per, 0.0 if args.quick else args.settle)
        med = {name: statistics.median(s) for name, s in samples.items()}
        medians[w.name] = med
        tg, npy, pt = med.get("tinygrad_np"), med.get("numpy"), med.get("torch")
        comp = med.get("compiled")
        if comp is not None and "tinygrad_np" in samples:
            notes += compiled_notes(w, size, mods, samples, medians)
        ok: bool | None = None
        if w.name == "mlp" and tg is not None and pt is not None and npy is not None:
            blas = medians.get("mlp_blas", {}).get("numpy")
            ok = tg <= 0.75 * pt and tg <= 1.05 * npy and (blas is None or tg <= 1.6 * blas)
        elif w.name == "sine" and tg is not None and pt is not None:
            ok = tg <= 0.5 * pt
        elif w.name == "elementwise" and tg is not None and pt is not None:
            ok = tg <= 0.65 * pt
        elif w.name == "chain" and tg is not None:
            ok = tg <= 3e-6
        for other in ("numpy", "torch") if w.target and "tinygrad_np" in samples else ():
            if other in samples and len(samples[other]) >= 4:
                q = spread(samples["tinygrad_np"], samples[other])
                notes.append(
                    f"{w.name}: tinygrad_np/{HEADERS[other]} within each round, quartiles "
                    f"{q[0]:.2f}x / {q[1]:.2f}x / {q[2]:.2f}x over {len(samples[other])} rounds"
                )
        unit = "" if w.unit == "step" else f" (per {w.unit})"
        cells = " | ".join(fmt_time(med.get(i)) for i in ALL_IMPLS)
        lines.append(
            f"| {w.label.format(n=size)}{unit} | {cells} | {ratio(tg, npy)} | {ratio(tg, pt)} "
            f"| {ratio(comp, npy)} | {ratio(comp, tg)} | {w.target or '-'} | {verdict(ok)} |"
        )
    if "mlp" in medians and "mlp_blas" in medians and "tinygrad_np" in medians["mlp"]:
        blas = medians["mlp_blas"]["numpy"]
        notes.append(
            f"MLP step / BLAS floor: tinygrad_np {medians['mlp']['tinygrad_np'] / blas:.2f}x"
            + (f", NumPy {medians['mlp']['numpy'] / blas:.2f}x" if "numpy" in medians["mlp"] else "")
            + (f", PyTorch {medians['mlp']['torch'] / blas:.2f}x" if "torch" in medians["mlp"] else "")
            + " (target for tinygrad_np <= 1.6x)"
        )
        if "compiled" in medians["mlp"]:
            r = medians["mlp"]["compiled"] / blas
            notes.append(
                f"MLP step compiled / BLAS floor: {r:.2f}x; issue 15 target <= 1.2x: {verdict(r <= 1.2)}"
            )

    probe_rows: list[str] = []
    if any(p in names for p in PROBES):
        print("# fresh-process measurements ...", file=sys.stderr, flush=True)
        probe_rows += [
            "",
            "| measurement (fresh process) | "
            + " | ".join(HEADERS[i] for i in ALL_IMPLS)
            + " | target | met |",
            "|---|" + "---:|" * len(ALL_IMPLS) + "---|---|",
        ]
    if "import" in names:
        runs = 1 if args.quick else 5
        vals = {}
        for i in [i for i in impls if i in PROBE_IMPLS]:
            got = [probe("import", i).get("seconds") for _ in range(runs)]
            got = [g for g in got if g is not None]
            vals[i] = statistics.median(got) if got else None
        tg = vals.get("tinygrad_np")
        probe_rows.append(
            f"| `import` time (median of {runs}; tinygrad_np includes NumPy) | "
            + " | ".join(fmt_time(vals.get(i)) for i in ALL_IMPLS)
            + f" | tinygrad_np <= 0.2 s | {verdict(None if tg is None else tg <= 0.2)} |"
        )
    if "rss" in names:
        res = {i: probe("rss", i, 0, style_arg) for i in impls if i in PROBE_IMPLS}
        tg = res.get("tinygrad_np", {}).get("import_mib")
        probe_rows.append(
            "| RSS after import | "
            + " | ".join(_mib(res.get(i, {}).get("import_mib")) for i in ALL_IMPLS)
            + f" | tinygrad_np <= 60 MiB | {verdict(None if tg is None else tg <= 60)} |"
        )
        probe_rows.append(
            "| RSS after import + setup (MLP and sine weights and data) | "
            + " | ".join(_mib(res.get(i, {}).get("setup_mib")) for i in ALL_IMPLS)
            + " | - | - |"
        )
        notes += [f"rss probe {i}: {r['error']}" for i, r in res.items() if "error" in r]
    if "growth" in names:
        res = {i: probe("growth", i, growth_steps, style_arg) for i in impls if i in PROBE_IMPLS}
        tg = res.get("tinygrad_np", {}).get("growth_mib")
        probe_rows.append(
            f"| RSS growth over {growth_steps:,} sine steps (after 200 warm-up steps) | "
            + " | ".join(_mib(res.get(i, {}).get("growth_mib")) for i in ALL_IMPLS)
            + f" | tinygrad_np < 1 MiB | {verdict(None if tg is None else tg < 1)} |"
        )
        probe_rows.append(
            "| peak RSS (VmHWM) of that run | "
            + " | ".join(_mib(res.get(i, {}).get("peak_mib")) for i in ALL_IMPLS)
            + " | - | - |"
        )
        notes += [f"growth probe {i}: {r['error']}" for i, r in res.items() if "error" in r]
    if "chain_alone" in names:
        # The in-process chain row above shares the process with every library: each full
        # garbage collection walks all of their objects (PyTorch's alone are ~170,000), which a
        # program using one library does not pay. Here each library runs in its own process,
        # the processes alternating, 3 rounds; the median of the per-process medians.
        n = 1_000 if args.quick else workloads.CHAIN_NODES
        alone = [i for i in ("tinygrad_np", "torch") if i in impls]
        got: dict[str, list[float]] = {i: [] for i in alone}
        for _ in range(1 if args.quick else 3):
            for i in alone:
                r = probe("chain_alone", i, n)
                if "per_node_us" in r:
                    got[i].append(r["per_node_us"])
                else:
                    notes.append(f"chain_alone probe {i}: {r.get('error')}")
        vals = {i: statistics.median(v) * 1e-6 for i, v in got.items() if v}
        tg = vals.get("tinygrad_np")
        probe_rows.append(
            f"| chain of {n:,} adds, build + backward, each library alone in its process (per node) | "
            + " | ".join(fmt_time(vals.get(i)) for i in ALL_IMPLS)
            + f" | <= 3 us per node | {verdict(None if tg is None else tg <= 3e-6)} |"
        )
    if "chain_1m" in names and "tinygrad_np" in impls:
        n = 20_000 if args.quick else 1_000_000
        r = probe("chain", "tinygrad_np", n)
        ok = "error" not in r
        probe_rows.append(
            f"| chain of {n:,} adds, build + backward, tinygrad_np only | "
            + (f"{r['seconds']:.2f} s ({r['per_node_us']:.2f} µs/node)" if ok else f"FAILED: {r['error']}")
            + " | - | - | works | "
            + verdict(ok)
            + " |"
        )

    lines += probe_rows
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    lines += ["", "Machine:", ""] + [f"- {k}: {v}" for k, v in machine.facts(torch_mod)]
    lines.append(
        f"- load average at the start: {load_start[0]:.2f} (1 min). The run itself adds about 1; beyond "
        "that, other processes shared the 2 cores and inflated the absolute times (multi-threaded BLAS most)"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


def _scalar(v: Any) -> float:
    """A loss (Tensor, torch.Tensor, NumPy scalar) as a Python float."""
    return float(v.item() if hasattr(v, "item") else v)


def _mib(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} MiB"


if __name__ == "__main__":
    raise SystemExit(main())
