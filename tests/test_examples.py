"""Each script in examples/ runs in its quick mode (as CI does) and says what it checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# script -> the optional packages it needs (the [examples] extra)
NEEDS = {"sine.py": ["matplotlib"], "moons.py": ["matplotlib"], "digits.py": ["sklearn"]}
NEEDS["export_models.py"] = ["onnx", "onnxruntime", "torch"]  # the [onnx] extra and PyTorch

# script -> text its quick run must print
EXPECTED = {
    "sine.py": "final mse",
    "xor.py": "1 xor 0 = 1",
    "moons.py": "train accuracy",
    "digits.py": "CNN test accuracy",  # the script asserts the MLP's >= 95%
    "from_scratch_equations.py": "match the hand-derived equations",
    "hyperparameters.py": "MLP(",
    "custom_function.py": "gradcheck(WrongSoftsign): failed, as it should",
    "export_models.py": "max abs diff vs onnxruntime",
}


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_quick_mode(script, tmp_path):
    for module in NEEDS.get(script, []):
        pytest.importorskip(module, reason=f"{script} needs {module} (pip install 'tinygrad-np[examples]')")
    argv = [sys.executable, str(EXAMPLES / script), "--quick"]
    if "--out" in (EXAMPLES / script).read_text():
        argv += ["--out", str(tmp_path)]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert EXPECTED[script] in proc.stdout
    for line in proc.stdout.splitlines():  # every picture it names exists
        if line.startswith(("plot: ", "graph drawing: ")):
            assert Path(line.split(": ", 1)[1]).stat().st_size > 0


def _env():
    import os

    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env
