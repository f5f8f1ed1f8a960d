"""Hostile names (parameter names are any strings) stay text in every output of viz: the DOT
source, the SVG and the stepper page, parsed by real HTML parsers."""

import json
from html.parser import HTMLParser

import pytest
from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import viz
from tinygrad_np.viz import dot
from tinygrad_np.viz.stepper import script_json

HOSTILE = [
    "<!--<script>",
    "</script><script>alert(1)</script>",
    '"]]> &lt; & <b onmouseover="x">',
    "line\u2028sep\u2029end </SCRIPT >",
]


def hostile_graph():
    ws = [tg.tensor([1.0, -2.0], requires_grad=True) for _ in HOSTILE]
    x = tg.tensor([0.5, 0.25])
    loss = sum(((w * x).tanh().sum() for w in ws), tg.tensor(0.0))
    return loss, dict(zip(HOSTILE, ws, strict=True))


def test_script_json_cannot_close_or_reopen_a_script():
    text = script_json(HOSTILE)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == HOSTILE


def test_dot_quote_keeps_entities_literal():
    assert dot.quote("a &lt; b") == '"a &amp;lt; b"'
    assert dot.quote('say "hi"\\n') == '"say \\"hi\\"\\\\n"'


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@needs_renderer
def test_stepper_page_with_hostile_names_parses_as_intended():
    loss, params = hostile_graph()
    st = viz.stepper(loss, params=params)
    page = st.page(title="</title><script>x</script>")
    expected = st.steps
    assert any(name in line for s in expected for line in s["lines"] for name in HOSTILE)

    # Python's own parser: exactly our two scripts, the data intact, no injected element
    p = _Collect()
    p.feed(page)
    assert len(p.scripts) == 2
    assert json.loads(p.scripts[0]) == expected
    assert "b" in p.tags  # the title element <b class="vz-title">; count it:
    assert p.tags.count("b") == 1

    # html5lib parses as browsers do (script data double-escaped state for `<!--<script>`)
    html5lib = pytest.importorskip("html5lib", reason="html5lib parses HTML as a browser does")
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    assert doc.find("head/title").text == "</title><script>x</script>"
    root = doc.find(f".//div[@id='{st.uid}']")
    scripts = root.findall(".//script")
    assert len(scripts) == 2 and len(doc.findall(".//script")) == 2
    assert scripts[0].get("type") == "application/json"
    assert json.loads(scripts[0].text) == expected
    assert "show(0)" in scripts[1].text
    assert len(root.findall(".//button")) == 2
    assert len(doc.findall(".//b")) == 1
    svg_text = " ".join("".join(t.itertext()) for t in root.iter() if str(t.tag).endswith("text"))
    for name in HOSTILE:
        # graphviz turns the U+2028/2029 line separators into breaks; the rest is literal text
        for piece in name.replace("\u2028", "\u2029").split("\u2029"):
            assert piece.strip() in svg_text


@needs_renderer
def test_svg_of_hostile_names_is_well_formed_xml():
    import xml.etree.ElementTree as ET

    loss, params = hostile_graph()
    svg = viz.draw_graph(loss, params=params).pipe(format="svg").decode("utf-8")
    tree = ET.fromstring(svg)
    texts = " ".join("".join(t.itertext()) for t in tree.iter() if t.tag.endswith("text"))
    assert "&lt; & <b onmouseover" in texts  # an entity in a name is drawn as written
