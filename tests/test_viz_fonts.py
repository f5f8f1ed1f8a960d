"""Pictures survive fonts (issue 12.5): every node's text fits its box and the legend fits the
picture when the text is measured in DejaVu Sans (Linux's usual sans-serif), a wider font than
the Helvetica metrics Graphviz lays out with."""

import html
import os
import re

import numpy as np
import pytest
from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import nn, viz
from tinygrad_np.viz import renderer

ImageFont = pytest.importorskip("PIL.ImageFont", reason="pillow measures text in a real font")
matplotlib = pytest.importorskip("matplotlib", reason="matplotlib ships the DejaVu Sans font file")
FONT_FILE = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")


pytestmark = needs_renderer
_fonts = {}


def width(text, size):
    if size not in _fonts:
        _fonts[size] = ImageFont.truetype(FONT_FILE, size)
    return _fonts[size].getlength(text)


def _numbers(s):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", s)]


def overflows(svg):
    """(what, by how many points) for each text wider than its node's shape, or outside the
    picture, when drawn in DejaVu Sans."""
    bad = []
    view = _numbers(re.search(r'viewBox="([^"]+)"', svg).group(1))
    transform = _numbers(re.search(r'<g id="graph0"[^>]*transform="[^"]*translate\(([^)]+)\)', svg).group(1))
    tx = transform[0]
    for g in re.findall(
        r'<g id="(?:node|clust)\d+" class="(?:node|cluster)[^"]*">(.*?)</g>\s*(?=<!--|<g id=|</g>)', svg, re.S
    ):
        texts = re.findall(
            r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>(.*?)</text>', g, re.S
        )
        ell = re.search(r'<ellipse[^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([\d.]+)" ry="([\d.]+)"', g)
        shape = re.search(r'<(?:polygon|path)[^>]*(?:points|d)="([^"]+)"', g)
        for x, y, size, raw in texts:
            x, y, size = float(x), float(y), float(size)
            text = html.unescape(re.sub(r"<[^>]+>", "", raw))
            half = width(text, size) / 2
            if ell:
                cx, cy, rx, ry = map(float, ell.groups())
                dy = max(abs(y - 0.75 * size - cy), abs(y + 0.25 * size - cy))
                room = rx * np.sqrt(max(0.0, 1 - (dy / ry) ** 2))
                left, right = cx - room, cx + room
            elif shape:
                xs = _numbers(shape.group(1))[0::2]
                left, right = min(xs), max(xs)
            else:
                continue
            over = max(left - (x - half), (x + half) - right)
            if over > 0.5:
                bad.append((text, round(over, 1)))
    # the legend (graph label) and every text must lie inside the picture
    for x, size, raw in re.findall(
        r'<text[^>]*x="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S
    ):
        text = html.unescape(re.sub(r"<[^>]+>", "", raw))
        half = width(text, float(size)) / 2
        left, right = float(x) + tx - half, float(x) + tx + half
        if left < view[0] - 0.5 or right > view[0] + view[2] + 0.5:
            bad.append(("outside the picture: " + text, round(max(view[0] - left, right - view[2]), 1)))
    return bad


def sine_graph():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    x = tg.linspace(-np.pi, np.pi, 64).reshape(-1, 1)
    y = tg.sin(x)
    pred = model(x)
    loss = nn.functional.mse_loss(pred, y)
    return model, loss


@pytest.mark.parametrize(
    "kwargs",
    [
        {"show_grad": True},
        {"show_grad": True, "show_data": True},
        {"collapse": "modules", "rankdir": "LR", "show_grad": True},
        {"steps": True},
    ],
)
def test_text_fits_boxes_and_legend_fits_the_picture_in_a_wider_font(kwargs):
    model, loss = sine_graph()
    svg = viz.draw_graph(loss, params=model, **kwargs).pipe(format="svg").decode("utf-8")
    assert overflows(svg) == []


def test_the_check_measures_something():
    # the same drawing without the font-stack sizing overflows: the test would catch it
    model, loss = sine_graph()
    src = viz.draw_graph(loss, params=model, show_grad=True).source
    unsized = re.sub(r' width="[\d.]+"', "", src)
    unsized = re.sub(r' pad="[\d.]+"', "", unsized)
    svg = renderer.render(unsized, "svg").decode("utf-8")
    assert overflows(svg)
