"""Keep ``benchmarks/ab_eager.py`` (the eager-overhead A/B) from rotting: every workload
builds and steps, and one short A/B of this checkout against itself prints its table.
No timing assertions."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "ab_eager.py")


def test_every_workload_builds_and_steps():
    sys.path.insert(0, os.path.dirname(SCRIPT))
    try:
        import ab_eager
    finally:
        sys.path.remove(os.path.dirname(SCRIPT))
    for name in ab_eager.WORKLOADS:
        step = ab_eager._build(name)
        step()
        step()


def test_one_round_prints_the_table():
    out = subprocess.run(
        [sys.executable, SCRIPT, ROOT, ROOT, "--rounds", "1", "--only", "add1"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "| add1 | us/op |" in out.stdout
