"""Small helpers that write DOT text (no Graphviz needed to build a drawing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FONT = "Helvetica"  # the SVG asks for Helvetica, then the viewer's sans-serif (see _WIDE)

# Advance widths (per 1000 units of font size) of DejaVu Sans for the characters ' ' to '~'.
# The SVG names the font stack "Helvetica, sans-serif": macOS shows Helvetica, Windows Arial,
# Linux Liberation Sans or DejaVu Sans. DejaVu Sans is the widest of these (about 10% wider
# than Helvetica, whose metrics Graphviz lays out with), so every box and the picture's margin
# are sized for it: text fits its box whichever font the viewer picks.
_WIDE = (
    318,
    401,
    460,
    838,
    636,
    950,
    780,
    275,
    390,
    390,
    500,
    838,
    318,
    361,
    318,
    337,
    636,
    636,
    636,
    636,
    636,
    636,
    636,
    636,
    636,
    636,
    337,
    337,
    838,
    838,
    838,
    531,
    1000,
    684,
    686,
    698,
    770,
    632,
    575,
    775,
    752,
    295,
    295,
    656,
    557,
    863,
    748,
    787,
    603,
    787,
    695,
    635,
    611,
    732,
    684,
    989,
    685,
    611,
    685,
    390,
    337,
    390,
    838,
    500,
    500,
    613,
    635,
    550,
    635,
    615,
    352,
    635,
    634,
    278,
    278,
    579,
    278,
    974,
    634,
    612,
    635,
    635,
    411,
    521,
    392,
    634,
    592,
    818,
    592,
    592,
    525,
    636,
    337,
    636,
    838,
)
_WIDE_OTHER = 1000  # any other character: a full em, the most a glyph of these fonts takes


def text_width(line: str, fontsize: float) -> float:
    """The width in points of ``line`` in the widest font of the stack (DejaVu Sans)."""
    units = sum(_WIDE[o - 32] if 32 <= (o := ord(c)) < 127 else _WIDE_OTHER for c in line)
    return units * fontsize / 1000


def fit_width(label: str, fontsize: float, shape: str, margin: float = 0.08) -> str:
    """A node ``width`` (inches) that holds ``label`` in the widest font of the stack, with the
    horizontal ``margin`` (inches) on each side; an ellipse needs sqrt(2) times its text box."""
    widest = max((text_width(ln, fontsize) for ln in str(label).split("\n")), default=0.0)
    inches = (widest + 2) / 72 + 2 * margin
    if shape in ("ellipse", "oval", "circle", "doublecircle"):
        inches *= 1.42
    return f"{inches:.2f}"


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines in ``text`` become line breaks.

    ``&`` is written as ``&amp;``: Graphviz reads entities such as ``&lt;`` in labels, so a
    name containing one would otherwise be drawn as something else."""
    lines = str(text).replace("&", "&amp;").split("\n")
    return '"' + "\\n".join(ln.replace("\\", "\\\\").replace('"', '\\"') for ln in lines) + '"'


def attrs(**kw: Any) -> str:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        k = k.rstrip("_")  # class_ -> class
        parts.append(f"{k}={quote(v) if isinstance(v, str) else v}")
    return "[" + " ".join(parts) + "]"


def node(node_id: str, **kw: Any) -> str:
    """A node line; its minimum ``width`` fits the label in the widest font (``fit_width``)."""
    if "label" in kw and "width" not in kw:
        margin = float(str(kw.get("margin", "0.08")).split(",")[0])
        kw["width"] = fit_width(
            kw["label"], float(kw.get("fontsize", 10)), kw.get("shape", "ellipse"), margin
        )
    return f"\t{node_id} {attrs(**kw)}\n"


def edge(a: str, b: str, **kw: Any) -> str:
    return f"\t{a} -> {b}" + (f" {attrs(**kw)}" if kw else "") + "\n"


def graph_header(rankdir: str, label: str | None = None) -> list[str]:
    """Graph, node and edge defaults; ``label`` is the legend under the picture, with a margin
    (``pad``) wide enough that the legend is not clipped when drawn in the widest font."""
    pad = None
    if label:
        widest = max(text_width(ln, 10) for ln in label.split("\n"))
        pad = f"{max(0.1, 0.12 * widest / 72):.2f}"
    lines = [
        "\t"
        + "graph "
        + attrs(
            rankdir=rankdir,
            nodesep="0.25",
            ranksep="0.35",
            fontname=FONT,
            fontsize=10,
            label=label,
            labelloc="b" if label else None,
            pad=pad,
        )
        + "\n",
        "\t" + "node " + attrs(fontname=FONT, fontsize=10, height="0.3", margin="0.08,0.04") + "\n",
        "\t" + "edge " + attrs(color="#555555", arrowsize="0.6", fontname=FONT) + "\n",
    ]
    return lines


def shape_text(shape: Iterable[int], dtype: Any) -> str:
    shape = tuple(shape)
    dt = str(dtype)
    return f"scalar {dt}" if shape == () else f"{shape} {dt}"
