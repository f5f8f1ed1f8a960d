"""docs/ops.md is generated from the ops' ``formula`` strings and must match the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_op_reference", ROOT / "docs" / "gen_op_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_op_reference_page_is_up_to_date():
    gen = _generator()
    committed = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert committed == gen.render(), (
        "docs/ops.md is stale: run `python docs/gen_op_reference.py` and commit it"
    )


def test_every_op_with_a_formula_is_on_the_page():
    gen = _generator()
    page = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    classes = gen.op_classes()
    names = {c.__name__ for c in classes}
    assert {"Add", "Mul", "Matmul", "Exp", "Sigmoid", "Sum", "Reshape"} <= names
    for cls in classes:
        assert cls.formula in page.replace("\\|", "|"), cls.__name__
        assert f"`{cls.name()}`" in page


def test_forward_column_is_read_off_the_formula():
    gen = _generator()
    from tinygrad_np.ops.binary import Add
    from tinygrad_np.ops.elementwise import Exp

    assert gen._forward(Exp) == "`exp(x)`"
    assert gen._forward(Add) == "`x + y`"
    assert "d/dx e^x = e^x" in gen._backward_line(Exp)
