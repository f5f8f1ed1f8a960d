"""The ``tinygrad-np`` command: help, each task, bad arguments, an unwritable --out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_np import cli

ROOT = Path(__file__).resolve().parents[1]


def needs_matplotlib():
    pytest.importorskip("matplotlib", reason="the demo's plot needs matplotlib (the [examples] extra)")


def run_main(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_the_tasks_and_options(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tinygrad-np")
    for word in ("--task", "--epochs", "--out", "--seed", "sine", "xor", "moons", "spirals", "demo"):
        assert word in out


@pytest.mark.parametrize("task", ["sine", "xor", "moons", "spirals"])
def test_each_task_trains_and_writes_both_pictures(task, tmp_path, capsys):
    needs_matplotlib()
    code, out, _ = run_main(
        ["demo", "--task", task, "--epochs", "3", "--out", str(tmp_path), "--no-progress"], capsys
    )
    assert code == 0
    assert f"--task {task}" in out and "3 epochs" in out
    loss = float(out.split("final loss ")[1].split()[0])
    assert loss > 0
    svg, png = tmp_path / f"{task}_graph.svg", tmp_path / f"{task}_fit.png"
    assert f"graph drawing: {svg}" in out and f"plot: {png}" in out
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert "<svg" in svg.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if task != "sine":
        assert "train accuracy" in out


def test_sine_demo_learns(tmp_path, capsys):
    """The default demo (sine, its default epochs) actually fits the curve."""
    code, out, _ = run_main(["--out", str(tmp_path), "--no-progress"], capsys)
    assert code == 0
    assert "--task sine" in out and "2000 epochs" in out
    assert float(out.split("final loss ")[1].split()[0]) < 0.005


def test_same_seed_same_loss(tmp_path, capsys):
    runs = [
        run_main(
            ["--task", "moons", "--epochs", "5", "--seed", "3", "--out", str(tmp_path), "--no-progress"],
            capsys,
        )[1]
        for _ in range(2)
    ]
    loss = [r.split("final loss ")[1].split()[0] for r in runs]
    assert loss[0] == loss[1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--task", "mnist"], "argument --task: invalid choice: 'mnist'"),
        (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
        (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (["train"], "argument command: invalid choice: 'train'"),
    ],
)
def test_bad_arguments_get_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tinygrad-np")
    assert message in err


@pytest.mark.parametrize("where", ["under-a-file", "is-a-file"])
def test_unwritable_out_is_a_clear_error_without_traceback(where, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "pictures" if where == "under-a-file" else blocker
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_np", "--out", str(out), "--epochs", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"tinygrad-np: error: cannot write to --out '{out}': ")
    reason = "it is a file, not a folder" if where == "is-a-file" else "Not a directory"
    assert reason in proc.stderr
    assert proc.stdout == ""  # refused before any training


def test_missing_tqdm_and_matplotlib_name_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run_main(["--epochs", "2", "--out", str(tmp_path)], capsys)
    assert code == 0
    assert 'tqdm is not installed; pip install "tinygrad-np[examples]"' in err
    assert 'matplotlib is not installed; pip install "tinygrad-np[examples]"' in err
    assert "final loss" in out and "plot:" not in out
    assert (tmp_path / "sine_graph.svg").exists()


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    pytest.importorskip("tqdm", reason="the progress bar is tqdm's")
    code, out, err = run_main(["--epochs", "30", "--out", str(tmp_path)], capsys)
    assert code == 0
    assert "training" in err and "30/30" in err
    assert "training" not in out


def test_python_dash_m_runs_the_same_main(tmp_path):
    needs_matplotlib()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinygrad_np",
            "--task",
            "xor",
            "--epochs",
            "2",
            "--out",
            str(tmp_path),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "final loss" in proc.stdout
    assert (tmp_path / "xor_fit.png").exists()
