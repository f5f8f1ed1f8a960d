"""Big drawings: the renderer's timeout (keyword and environment variable, a clear error), PNGs
capped in pixels, and graphs too big to draw refused early with the way to fold them."""

import io
import stat
import sys
import time

import pytest
from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import viz
from tinygrad_np.viz import renderer


def _slow_renderer(tmp_path, monkeypatch):
    prog = tmp_path / "slowdot"
    prog.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    prog.chmod(prog.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(renderer.ENV_VAR, str(prog))


def test_timeout_keyword_raises_the_librarys_error(tmp_path, monkeypatch):
    _slow_renderer(tmp_path, monkeypatch)
    x = tg.tensor([1.0], requires_grad=True)
    d = viz.draw_graph((x * 2).sum())
    start = time.monotonic()
    with pytest.raises(
        viz.RenderTimeoutError, match=r"within 0.5 s.*collapse='modules'.*TINYGRAD_NP_DOT_TIMEOUT"
    ):
        d.pipe(format="svg", timeout=0.5)
    assert time.monotonic() - start < 10
    assert issubclass(viz.RenderTimeoutError, RuntimeError)
    with pytest.raises(viz.RenderTimeoutError):
        d.render(outfile=tmp_path / "g.svg", timeout=0.5)


def test_timeout_from_the_environment(tmp_path, monkeypatch):
    _slow_renderer(tmp_path, monkeypatch)
    monkeypatch.setenv(renderer.TIMEOUT_ENV_VAR, "0.5")
    with pytest.raises(viz.RenderTimeoutError, match="within 0.5 s"):
        renderer.render("digraph { a }", "svg")
    monkeypatch.setenv(renderer.TIMEOUT_ENV_VAR, "soon")
    with pytest.raises(ValueError, match="TINYGRAD_NP_DOT_TIMEOUT='soon' is not a number"):
        renderer.render("digraph { a }", "svg")
    for bad in (0, -1, "x", True):
        with pytest.raises(ValueError, match="positive number of seconds"):
            renderer.render_timeout(bad)
    monkeypatch.delenv(renderer.TIMEOUT_ENV_VAR)
    assert renderer.render_timeout() == 120.0
    assert renderer.render_timeout(3) == 3.0


def _wide_chain(n):
    leaves = [tg.tensor([1.0], requires_grad=True) for _ in range(n)]
    acc = tg.tensor([0.0])
    for leaf in leaves:  # each leaf feeds two ops
        acc = acc + leaf * 2 + leaf.exp()
    return acc.sum()


@needs_renderer
def test_a_200_leaf_graph_renders_png_with_capped_pixels():
    # Graphviz lays this graph out as a diagonal staircase of about 27000 x 39000 pt: a
    # 1.9-gigapixel PNG at 96 dpi that took over 60 s; the SVG is quick
    loss = _wide_chain(200)
    d = viz.draw_graph(loss)
    with pytest.warns(UserWarning, match="dpi to stay under"):
        png = d.pipe(format="png", timeout=60)
    image = pytest.importorskip("PIL.Image", reason="pillow reads the PNG's size")
    w, h = image.open(io.BytesIO(png)).size
    assert w * h <= renderer.MAX_PNG_PIXELS * 1.05


def test_too_big_graphs_are_refused_early_with_the_way_to_fold_them():
    loss = _wide_chain(400)
    with pytest.raises(ValueError, match=r"nodes .*max_nodes=3000.*collapse='modules'.*max_nodes=None"):
        viz.draw_graph(loss)
    assert "digraph" in viz.draw_graph(loss, max_nodes=None).source
    with pytest.raises(ValueError, match="max_nodes=10"):
        viz.draw_graph(_wide_chain(3), max_nodes=10)
