"""The lesson notebooks (docs/notebooks/*.ipynb) run top to bottom, and ship with outputs.

Each notebook is executed in a fresh kernel with nbclient, from the repository root, as a
reader running it would; an exception in any cell fails the test. The notebooks are written
from their sources by ``docs/notebooks/make_notebooks.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="the notebooks need nbformat (the [test] extra)")
nbclient = pytest.importorskip("nbclient", reason="running the notebooks needs nbclient (the [test] extra)")
pytest.importorskip("ipykernel", reason="running the notebooks needs ipykernel (the [test] extra)")


def test_the_lessons_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {
        "autodiff_from_scratch",
        "reading_the_engine",
        "fully_connected_layer_by_hand",
        "debugging_with_pictures",
        "two_layer_classifier",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError naming the cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_its_outputs(path):
    """The site shows the committed outputs (mkdocs-jupyter does not execute): every code
    cell has run, in order, and the notebook matches its source."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "docs" / "notebooks" / "make_notebooks.py"
    )
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    source = (ROOT / "docs" / "notebooks" / "src" / f"{path.stem}.py").read_text(encoding="utf-8")
    expected = [(c.cell_type, c.source) for c in make.cells_of(source)]
    assert [(c.cell_type, c.source) for c in nb.cells] == expected, (
        f"{path.name} is out of date with src/{path.stem}.py: run python docs/notebooks/make_notebooks.py"
    )
