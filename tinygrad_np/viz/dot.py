"""Small helpers that write DOT text (no Graphviz needed to build a drawing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FONT = "Helvetica"


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
    return f"\t{node_id} {attrs(**kw)}\n"


def edge(a: str, b: str, **kw: Any) -> str:
    return f"\t{a} -> {b}" + (f" {attrs(**kw)}" if kw else "") + "\n"


def graph_header(rankdir: str, label: str | None = None) -> list[str]:
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
