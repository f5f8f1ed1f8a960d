"""Planted-bug check: does the test suite catch small mistakes, with and without torch?

Not part of the default run (pytest collects only ``test_*.py``). Run it from the
repository root with the test extras installed (torch optional):

    python tests/mutations.py            # every mutation, with and without torch
    python tests/mutations.py --list     # the mutations only
    python tests/mutations.py --only adam-bias --full   # one mutation, whole suite

Each mutation replaces one exact snippet of one source file (it must occur exactly
once, so the list fails loudly when the code it targets moves). The tree is copied
to a temporary folder, the mutation applied there, and the mutation's tests run
twice: once as they are, and once with ``import torch`` made to fail, which is
what the README's torch-free test command sees. A mutation is *caught* when pytest
fails. The script exits 1 when any mutation escapes the torch-free run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    what: str


MUTATIONS = [
    Mutation(
        "adam-bias",
        "tinygrad_np/optim/adam.py",
        "denom /= math.sqrt(1 - beta2**step)",
        "denom /= math.sqrt(1 - beta2 ** (step + 1))",
        ("tests/test_optim.py", "tests/test_optim_reference.py"),
        "Adam's second-moment bias correction off by one step",
    ),
    Mutation(
        "adam-no-bias1",
        "tinygrad_np/optim/adam.py",
        "update *= lr / (1 - beta1**step)",
        "update *= lr",
        ("tests/test_optim.py", "tests/test_optim_reference.py"),
        "Adam without the first-moment bias correction",
    ),
    Mutation(
        "bn-running-var",
        "tinygrad_np/nn/functional/__init__.py",
        "(var._data.reshape(-1) * (n / (n - 1)))",
        "(var._data.reshape(-1))",
        ("tests/test_layers.py", "tests/test_norm_reference.py"),
        "BatchNorm's running variance updated with the biased batch variance",
    ),
    Mutation(
        "groupnorm-per-channel",
        "tinygrad_np/nn/normalization.py",
        "grouped = input.reshape(shape[0], self.num_groups, math.prod(shape[1:]) // self.num_groups)",
        "grouped = input.reshape(shape[0], self.num_channels, math.prod(shape[2:]))",
        ("tests/test_layers.py", "tests/test_norm_reference.py"),
        "GroupNorm statistics per channel instead of per group",
    ),
    Mutation(
        "ge-as-gt",
        "tinygrad_np/tensor.py",
        'return _no_grad_binary(np.greater_equal, self, other, "ge")',
        'return _no_grad_binary(np.greater, self, other, "ge")',
        ("tests/test_ops.py", "tests/test_ops_oracle.py", "tests/test_ops_parity.py", "tests/test_tensor.py"),
        "`>=` computed as `>`",
    ),
    Mutation(
        "npscalar-as-0d-array",
        "tinygrad_np/serialization.py",
        "            return array[()]",
        "            return array",
        ("tests/test_serialization.py", "tests/test_serialization_types.py"),
        "a saved NumPy scalar loaded back as a 0-d array",
    ),
    Mutation(
        "tanh-sign",
        "tinygrad_np/ops/elementwise.py",
        "return grad * (1 - y * y)  # d/dx tanh x = 1 - tanh^2 x",
        "return grad * (y * y - 1)  # d/dx tanh x = 1 - tanh^2 x",
        ("tests/test_ops.py", "tests/test_autograd_higher.py"),
        "tanh's Tensor-level backward with its sign flipped",
    ),
    Mutation(
        "matmul-np-transposed",
        "tinygrad_np/ops/linalg.py",
        "gb = mm(a.swapaxes(-1, -2), g) if need_b else None",
        "gb = mm(a.swapaxes(-1, -2), g).swapaxes(-1, -2) if need_b else None",
        ("tests/test_fast_paths.py", "tests/test_ops.py", "tests/test_train_end_to_end.py"),
        "matmul's array-mode dL/dB transposed",
    ),
    Mutation(
        "sgd-nesterov-dropped",
        "tinygrad_np/optim/sgd.py",
        "g = g + momentum * buf._data if nesterov else buf._data",
        "g = buf._data",
        ("tests/test_optim.py", "tests/test_optim_reference.py"),
        "SGD ignores nesterov",
    ),
    Mutation(
        "softmax-np-dropped-term",
        "tinygrad_np/ops/reduce.py",
        "return y * (g - (g * y).sum(ctx.dim, keepdims=True)), None  # s * (g - <g, s>)",
        "return y * g, None  # s * (g - <g, s>)",
        ("tests/test_fast_paths.py", "tests/test_ops.py", "tests/test_train_end_to_end.py"),
        "softmax's array-mode backward without the <g, s> term",
    ),
    Mutation(
        "sum-to-wrong-axis",
        "tinygrad_np/ops/reduce.py",
        "lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1",
        "lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1 and i > 0",
        ("tests/test_ops.py", "tests/test_engine.py"),
        "undoing broadcasting skips the first axis",
    ),
]


HIDE_TORCH = '''"""Hide torch as if it were not installed: find_spec("torch") is None, import fails."""
import importlib.machinery

_find_spec = importlib.machinery.PathFinder.find_spec


def _without_torch(cls, fullname, path=None, target=None):
    if fullname == "torch" or fullname.startswith("torch."):
        return None
    return _find_spec(fullname, path, target)


importlib.machinery.PathFinder.find_spec = classmethod(_without_torch)
'''


def _fake_torch(folder: Path) -> Path:
    """A folder whose ``sitecustomize.py`` makes torch unfindable (put first on PYTHONPATH):
    what the README's torch-free command sees, ``tests/conftest.py``'s check included."""
    hide = folder / "notorch"
    hide.mkdir(parents=True)
    (hide / "sitecustomize.py").write_text(HIDE_TORCH)
    return hide


def _run(tree: Path, tests: tuple[str, ...], hide_torch: Path | None) -> bool:
    """True when a test fails (pytest's exit status 1); any other status is a broken run."""
    env = dict(os.environ)
    paths = [str(tree)] + ([str(hide_torch)] if hide_torch else [])
    if hide_torch:
        paths.insert(0, str(hide_torch))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1, 5):  # 5: nothing collected (a module that skips without torch)
        raise SystemExit(f"pytest could not run {tests} (exit {done.returncode}):\n{done.stdout[-2000:]}")
    return done.returncode == 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print the mutations and exit")
    ap.add_argument("--only", help="comma-separated mutation names")
    ap.add_argument("--full", action="store_true", help="run the whole suite for each mutation")
    args = ap.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only.split(",")]
    if args.list:
        for m in chosen:
            print(f"{m.name:24} {m.file}: {m.what}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tree = tmp_path / "tree"
        shutil.copytree(
            ROOT, tree, ignore=shutil.ignore_patterns(".git", ".venv", "site", "__pycache__", ".hypothesis")
        )
        notorch = _fake_torch(tmp_path)
        rows, escaped = [], []
        for tests in sorted({t for m in chosen for t in m.tests}):  # the unmutated tree must pass
            if _run(tree, (tests,), None) or _run(tree, (tests,), notorch):
                raise SystemExit(f"{tests} fails without any mutation; fix that first")
        for m in chosen:
            path = tree / m.file
            original = path.read_text()
            if original.count(m.old) != 1:
                raise SystemExit(
                    f"{m.name}: the snippet occurs {original.count(m.old)} times in {m.file}; update the list"
                )
            path.write_text(original.replace(m.old, m.new))
            tests = ("tests",) if args.full else m.tests
            try:
                with_torch = _run(tree, tests, None)
                without = _run(tree, tests, notorch)
            finally:
                path.write_text(original)
            rows.append((m, with_torch, without))
            if not without:
                escaped.append(m.name)
            print(
                f"{m.name:24} with torch: {'caught' if with_torch else 'MISSED':7} without: {'caught' if without else 'MISSED'}",
                flush=True,
            )
    print("\n| mutation | what | caught with torch | caught without torch |\n|---|---|---|---|")
    for m, a, b in rows:
        print(f"| {m.name} | {m.what} | {'yes' if a else '**no**'} | {'yes' if b else '**no**'} |")
    return 1 if escaped else 0


if __name__ == "__main__":
    sys.exit(main())
