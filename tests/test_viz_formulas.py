"""Formulas on the picture (issue 12.2): each op's local derivative under its name, from the
op's own ``formula`` (the op reference's source), in the DOT and in the rendered SVG text."""

import re

from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import viz
from tinygrad_np.autograd import Function
from tinygrad_np.ops.binary import Mul
from tinygrad_np.viz.draw import formula_lines


class Cube(Function):
    formula = "d x^3/dx = 3 x^2"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_formulas_are_written_under_the_op_names():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0])
    loss = Cube.apply(w * x).sum()
    src = viz.draw_graph(loss).source
    for line in [*formula_lines(Mul.formula), "d x^3/dx = 3 x^2"]:
        assert re.search(r'label="[^"]*\\n' + re.escape(line), src), line
    assert "d x^3/dx" not in viz.draw_graph(loss, show_formulas=False).source.split("tooltip")[0]
    no_formulas = viz.draw_graph(loss, show_formulas=False).source
    assert not re.search(r'label="[^"]*d\(x \* y\)/dx', no_formulas)  # only the tooltip has it
    assert 'tooltip="d(x * y)/dx = y,  d(x * y)/dy = x"' in no_formulas


def test_big_graphs_keep_formulas_in_tooltips_only():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(60):
        y = y.sin()
    src = viz.draw_graph(y).source
    assert not re.search(r'label="[^"]*d sin\(x\)/dx', src) and 'tooltip="d sin(x)/dx = cos(x)"' in src
    assert re.search(r'label="[^"]*d sin\(x\)/dx', viz.draw_graph(y, show_formulas=True).source)


@needs_renderer
def test_formulas_appear_in_the_rendered_svg_text():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = Cube.apply(w.tanh()).sum()
    svg = viz.draw_graph(loss).pipe(format="svg").decode("utf-8")
    texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>.*?</text>", svg)]
    for line in ("d x^3/dx = 3 x^2", "d tanh(x)/dx = 1 - tanh(x)^2"):
        want = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-", "&#45;")
        assert want in texts or line in texts, (line, texts)
