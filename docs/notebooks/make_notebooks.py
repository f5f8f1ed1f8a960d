"""Write the lesson notebooks of docs/notebooks/ from their sources, with outputs.

    python docs/notebooks/make_notebooks.py              # every lesson
    python docs/notebooks/make_notebooks.py reading_the_engine

Each lesson is written as a Python file in the "percent" format (``src/<name>.py``): a
``# %%`` line starts a code cell, ``# %% [markdown]`` a markdown cell whose lines are
``# ``-commented. This script turns each source into ``<name>.ipynb`` with nbformat, runs
it top to bottom with nbclient (from the repository root, so ``import tinygrad_np`` is this
checkout) and saves it with its outputs, which the docs site shows as they are. The test
suite runs every committed notebook again (``tests/test_notebooks.py``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def cells_of(source: str) -> list[nbformat.NotebookNode]:
    """The cells of a percent-format source."""
    cells: list[nbformat.NotebookNode] = []
    kind, lines = None, []

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(
                line[2:] if line.startswith("# ") else line.lstrip("#") for line in text.splitlines()
            )
            cells.append(nbformat.v4.new_markdown_cell(text))
        elif kind == "code" and text:
            cells.append(nbformat.v4.new_code_cell(text))

    for line in source.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def run(nb: nbformat.NotebookNode, timeout: int = 120) -> nbformat.NotebookNode:
    """Execute ``nb`` top to bottom in a fresh kernel, from the repository root."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    return nb


def make(name: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells_of((HERE / "src" / f"{name}.py").read_text(encoding="utf-8"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    run(nb)
    for i, cell in enumerate(nb.cells):  # no per-run noise in the committed file
        cell.metadata.pop("execution", None)
        cell.id = f"{name[:40]}-{i}"
        for out in cell.get("outputs", []):  # a drawing: its repr text names a memory address
            if "image/svg+xml" in out.get("data", {}):
                out["data"].pop("text/plain", None)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    print(f"wrote {name}.ipynb ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.stem for p in (HERE / "src").glob("*.py"))
    for n in names:
        make(n)
