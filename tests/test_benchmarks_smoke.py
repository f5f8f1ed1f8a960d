"""Keep ``benchmarks/`` from rotting: run the harness in its quick mode (no timing assertions)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, BENCH)
    try:
        import impl_numpy
        import impl_tinygrad
        import run
        import workloads

        yield run, workloads, impl_numpy, impl_tinygrad
    finally:
        sys.path.remove(BENCH)


def test_quick_run_writes_the_table(tmp_path):
    out = tmp_path / "bench.md"
    proc = subprocess.run(
        [
            sys.executable,
            os.path.join(BENCH, "run.py"),
            "--quick",
            "--repeats",
            "1",
            "--impls",
            "tinygrad_np,numpy",
            "--only",
            "mlp,mlp_blas,sine,elementwise,elementwise_chain,chain,rss",
            "--markdown",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.strip() in proc.stdout
    assert (
        "| workload | tinygrad_np | tinygrad_np compiled | NumPy by hand | PyTorch CPU | tg/NumPy | tg/PyTorch |"
        in text
    )
    assert "mlp: first-step losses agree" in text
    assert "sine: first-step losses agree" in text
    assert "chain of 1,000 adds" in text
    assert "RSS after import |" in text
    assert "$OPENBLAS_CORETYPE:" in text and "$OPENBLAS_L2_SIZE:" in text


def test_unknown_workload_is_refused():
    proc = subprocess.run(
        [sys.executable, os.path.join(BENCH, "run.py"), "--only", "nope", "--impls", "numpy"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "unknown workload(s) ['nope']" in proc.stderr


def test_loss_check_catches_different_math(bench_modules):
    run, workloads, _, _ = bench_modules
    w = workloads.BY_NAME["sine"]
    with pytest.raises(SystemExit, match="sine: loss of step 1 differs: bad gives 1.5"):
        run.check_losses(w, {"numpy": lambda: 1.0, "bad": lambda: 1.5})


@pytest.mark.parametrize("name", ["mlp", "sine"])
def test_tinygrad_and_numpy_train_identically(bench_modules, name):
    """Same init, same math: losses agree for several steps, not only the first."""
    _, workloads, impl_numpy, impl_tinygrad = bench_modules
    w = workloads.BY_NAME[name]
    a, b = impl_numpy.__dict__[w.builder](w.init()), impl_tinygrad.__dict__[w.builder](w.init())
    for _ in range(4):
        la, lb = float(a()), float(b())
        assert abs(la - lb) <= 1e-4 * abs(la), (la, lb)


def test_numpy_elementwise_chain_matches_tinygrad_forward(bench_modules):
    _, workloads, impl_numpy, impl_tinygrad = bench_modules
    init = workloads.elementwise_init()
    assert impl_numpy.elementwise_chain(init, 10)() == pytest.approx(
        impl_tinygrad.elementwise_chain(init, 10)()
    )
