"""A self-contained HTML page that walks through forward, then backward, one node at a time.

The page holds the graph once as inline SVG plus the recorded steps as JSON; Prev/Next (or the
arrow keys) move the highlight to the node backward runs at that step, mark the nodes already
done (green), turn orange the tensors whose gradient is complete, light up the edges along
which that node sends gradient back, and show the chain rule with numbers. No network access is needed, and the same HTML is what Jupyter shows
(``_repr_html_``).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
from pathlib import Path
from typing import Any

from .draw import FORMULA_OPS, _emit, prepare
from .steps import BackwardTrace, auto_names, forward_steps
from .summary import SMALL

_CSS = """
#UID { font-family: Helvetica, Arial, sans-serif; font-size: 14px; color: #222; }
#UID .vz-bar { margin: 6px 0; display: flex; gap: 8px; align-items: center; }
#UID .vz-bar button { font-size: 14px; padding: 3px 12px; }
#UID .vz-panel { background: #f7f7f7; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
#UID .vz-formula { color: #555; font-style: italic; margin: 2px 0 6px 0; }
#UID .vz-lines { font-family: Menlo, Consolas, monospace; font-size: 13px; white-space: pre-wrap; margin: 0; }
#UID .vz-key { color: #666; font-size: 12px; margin: 4px 0; }
#UID .vz-svg svg { max-width: 100%; height: auto; }
#UID g.vz-grad polygon, #UID g.vz-grad ellipse { fill: #fdae6b !important; }
#UID g.vz-cur polygon, #UID g.vz-cur ellipse, #UID g.vz-cur path {
  fill: #ffd54f !important; stroke: #d62728 !important; stroke-width: 3px !important; }
#UID g.vz-done polygon, #UID g.vz-done ellipse, #UID g.vz-done path { fill: #c7e9c0 !important; }
#UID g.vz-flow path { stroke: #d62728 !important; stroke-width: 2.5px !important; }
#UID g.vz-flow polygon { fill: #d62728 !important; stroke: #d62728 !important; }
#UID g.vz-val polygon, #UID g.vz-val ellipse { fill: #9ecae1 !important; }
#UID g.vz-fdone polygon, #UID g.vz-fdone path { fill: #deebf7 !important; }
#UID g.vz-fflow path { stroke: #2171b5 !important; stroke-width: 2.5px !important; }
#UID g.vz-fflow polygon { fill: #2171b5 !important; stroke: #2171b5 !important; }
#UID .vz-phase { font-size: 12px; color: #fff; border-radius: 4px; padding: 1px 6px; }
#UID .vz-phase-forward { background: #2171b5; }
#UID .vz-phase-backward { background: #d62728; }
"""

_JS = """
(function () {
  var root = document.getElementById("UID");
  var steps = JSON.parse(root.querySelector(".vz-data").textContent);
  var k = 0;
  var MARKS = ["vz-cur", "vz-done", "vz-flow", "vz-grad", "vz-val", "vz-fdone", "vz-fflow"];
  function q(sel) { return root.querySelectorAll(sel); }
  function node(id) { return root.querySelector("g.node.vz_" + id); }
  function mark(id, cls) { var n = node(id); if (n) n.classList.add(cls); }
  function show(i) {
    k = Math.max(0, Math.min(steps.length - 1, i));
    MARKS.forEach(function (m) {
      q("." + m).forEach(function (e) { e.classList.remove(m); });
    });
    var s = steps[k];
    for (var j = 0; j <= k; j++) {
      var t = steps[j];
      if (t.phase !== s.phase) continue;
      if (j < k) mark(t.node, s.phase === "forward" ? "vz-fdone" : "vz-done");
      t.ready.forEach(function (id) { mark(id, s.phase === "forward" ? "vz-val" : "vz-grad"); });
    }
    mark(s.node, "vz-cur");
    var flow = s.phase === "forward" ? "vz-fflow" : "vz-flow";
    q("g.edge.vz_to_" + s.node).forEach(function (e) { e.classList.add(flow); });
    if (s.phase === "forward") {
      q("g.edge.vz_from_" + s.node).forEach(function (e) { e.classList.add(flow); });
    }
    var ph = root.querySelector(".vz-phase");
    ph.textContent = s.phase;
    ph.className = "vz-phase vz-phase-" + s.phase;
    root.querySelector(".vz-title").textContent = s.title;
    root.querySelector(".vz-formula").textContent = s.formula ? "local derivative: " + s.formula : "";
    root.querySelector(".vz-lines").textContent = s.lines.join("\\n");
    root.setAttribute("data-step", String(k + 1));
    root.setAttribute("data-phase", s.phase);
    root.setAttribute("data-node", s.node);
    root.querySelector(".vz-prev").disabled = (k === 0);
    root.querySelector(".vz-next").disabled = (k === steps.length - 1);
  }
  root.querySelector(".vz-prev").addEventListener("click", function () { show(k - 1); });
  root.querySelector(".vz-next").addEventListener("click", function () { show(k + 1); });
  root.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") show(k + 1);
    if (e.key === "ArrowLeft") show(k - 1);
    if (e.key === "Home") show(0);
    if (e.key === "End") show(steps.length - 1);
  });
  show(0);
})();
"""


_counter = itertools.count()


class Stepper:
    """The stepper page: ``html`` (a fragment for Jupyter), ``page()`` (a whole HTML document),
    ``save(path)``, and ``trace`` (the :class:`BackwardTrace` it shows)."""

    def __init__(self, trace: BackwardTrace, svg: str, forward: list[dict[str, Any]] | None = None) -> None:
        self.trace = trace
        self.forward = list(forward or [])
        self.steps = self.forward + [s.as_dict(len(trace.steps)) for s in trace.steps]
        data = script_json(self.steps)
        # unique within a page (a notebook may show several), the same from run to run
        digest = hashlib.sha1((data + svg).encode("utf-8")).hexdigest()[:8]
        self.uid = f"vz{digest}n{next(_counter)}"
        css = _CSS.replace("UID", self.uid)
        js = _JS.replace("UID", self.uid)
        self.html = (
            f'<div id="{self.uid}" class="vz-stepper" tabindex="0">\n<style>{css}</style>\n'
            f'<div class="vz-bar"><button class="vz-prev" type="button">&#9664; Prev</button>'
            f'<button class="vz-next" type="button">Next &#9654;</button>'
            f'<span class="vz-phase"></span> <b class="vz-title"></b></div>\n'
            f'<div class="vz-panel"><div class="vz-formula"></div><pre class="vz-lines"></pre></div>\n'
            f'<div class="vz-key">Forward: yellow: the op that runs now &middot; pale blue: ops done '
            f"&middot; blue: tensors whose value exists &middot; blue arrows: what it reads and makes. "
            f"Backward: yellow: the node backward runs now &middot; green: ops done &middot; "
            f"orange: tensors whose gradient dL/dt is complete &middot; red arrows: where this node "
            f"sends gradient back (against the forward arrows). Keys: &larr; &rarr; Home End</div>\n"
            f'<div class="vz-svg">{_strip_xml_header(svg)}</div>\n'
            f'<script type="application/json" class="vz-data">{data}</script>\n'
            f"<script>{js}</script>\n</div>\n"
        )

    def page(self, title: str = "Forward and backward, step by step") -> str:
        return (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body>\n{self.html}</body></html>\n"
        )

    def save(self, path: str | Path) -> str:
        Path(path).write_text(self.page(), encoding="utf-8")
        return str(path)

    def _repr_html_(self) -> str:
        return self.html

    def __len__(self) -> int:
        """The number of backward steps (``len(page.steps)`` counts the forward ones too)."""
        return len(self.trace)


# JSON inside <script>: with these escaped, no text (``</script>``, ``<!--<script>``, ``]]>``)
# can end or re-open the element early, and U+2028/2029 cannot end a line in old JavaScript.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe as the text of an HTML ``<script>`` element."""
    return json.dumps(value).translate(_SCRIPT_ESCAPES)


def _strip_xml_header(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def stepper(
    root: Any,
    params: Any = None,
    gradient: Any = None,
    rankdir: str = "TB",
    show_data: bool = True,
    forward: bool = True,
    max_elements: int = SMALL,
) -> Stepper:
    """Record the engine's backward pass behind ``root`` (see :func:`backward_steps`) and
    return it as an interactive page (Jupyter shows it inline; ``save(path)`` writes a
    standalone HTML file; no server or network): the graph with step numbers, Prev/Next
    buttons and arrow keys, the current node highlighted. With ``forward=True`` the page first
    walks the forward pass (ops in the order they ran, values appearing node by node), then
    backward: for each node, why it runs now, the incoming gradient, the vector-Jacobian
    product for each input with shapes and numbers, and where each result goes. Tensors of
    at most ``max_elements`` elements are shown in full, bigger ones as a summary."""
    graph, names, model, trace = prepare(root, params, 1, steps=True, gradient=gradient, limit=max_elements)
    assert trace is not None
    step_names = auto_names(graph)
    # no gradients on the drawing itself: they appear (orange) as the steps compute them
    drawing = _emit(
        graph,
        names,
        model,
        trace,
        show_data,
        False,
        None,
        rankdir,
        [],
        True,
        step_names,
        show_formulas=len(graph.ops) <= FORMULA_OPS,
    )
    fwd = forward_steps(graph, step_names, max_elements) if forward else None
    return Stepper(trace, drawing.pipe(format="svg").decode("utf-8"), fwd)
