"""tinygrad_np.viz: DOT structure, rendering, the backward recorder, diagnostics, collapsing."""

import re
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, viz
from tinygrad_np.autograd import Function
from tinygrad_np.viz import renderer as vrender


def parse(source):
    """(nodes: id -> label, edges: [(a, b)]) from a drawing's DOT text; the formula lines that
    small drawings write under an op's name are left out (tests/test_viz_formulas.py checks them)."""
    nodes = {}
    for m in re.finditer(r"^\t(\w+) \[label=\"((?:[^\"\\]|\\.)*)\"", source, re.M):
        label = m.group(2).replace("\\n", "\n")
        if m.group(1).startswith("op"):
            label = "\n".join(ln for ln in label.split("\n") if not ("/d" in ln and "=" in ln))
        nodes[m.group(1)] = label
    edges = re.findall(r"^\t+(\w+) -> (\w+)", source, re.M)
    return nodes, edges


def attrs_of(source, node_id):
    return re.search(rf"^\t+{node_id} \[(.*)\]$", source, re.M).group(1)


def by_label(nodes, text):
    found = [k for k, v in nodes.items() if text in v.split("\n")]
    assert len(found) == 1, (text, nodes)
    return found[0]


def small_graph():
    x = tg.tensor(2.0, requires_grad=True)
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * x
    loss = h.sum()
    return x, w, h, loss


def _try_find():
    try:
        vrender.find_renderer()
        return True
    except vrender.RendererNotFoundError:
        return False


needs_renderer = pytest.mark.skipif(
    not _try_find(), reason="no DOT renderer (graphviz-pure or dot) installed"
)


# ---- DOT structure ------------------------------------------------------------------------------
def test_dot_nodes_edges_labels_and_direction():
    x, w, h, loss = small_graph()
    d = viz.draw_graph(loss, params={"weight": w})
    nodes, edges = parse(d.source)
    ops = [k for k in nodes if k.startswith("op")]
    assert sorted(nodes[k] for k in ops) == ["MulBackward0", "SumBackward0"]
    assert len(nodes) == 6 and len(edges) == 5
    wid = by_label(nodes, "weight")  # parameter name from params
    xid = by_label(nodes, "x")  # caller's local variable names
    hid = by_label(nodes, "h")
    lid = by_label(nodes, "loss")
    mul, s = by_label(nodes, "MulBackward0"), by_label(nodes, "SumBackward0")
    assert nodes[wid] == "weight\n(3,) float32" and nodes[xid] == "x\nscalar float32"
    # edges follow the data: leaves -> Mul -> h -> Sum -> loss
    assert set(edges) == {(wid, mul), (xid, mul), (mul, hid), (hid, s), (s, lid)}
    assert 'shape="box"' in attrs_of(d.source, wid) and "#9ecae1" in attrs_of(d.source, wid)  # parameter
    assert 'shape="ellipse"' in attrs_of(d.source, xid) and "#deebf7" in attrs_of(d.source, xid)  # leaf
    assert "peripheries=2" in attrs_of(d.source, lid)  # output
    assert 'rankdir="TB"' in d.source
    assert 'rankdir="LR"' in viz.draw_graph(loss, rankdir="LR").source


def test_draw_graph_returns_a_graphviz_digraph_and_validates_arguments():
    graphviz = pytest.importorskip("graphviz", reason="the graphviz package is a dependency")
    _, _, _, loss = small_graph()
    assert isinstance(viz.draw_graph(loss), graphviz.Digraph)
    with pytest.raises(ValueError, match="rankdir must be 'TB' or 'LR'"):
        viz.draw_graph(loss, rankdir="XY")
    with pytest.raises(ValueError, match="collapse must be None, 'modules' or 'clusters'"):
        viz.draw_graph(loss, collapse="layers")
    with pytest.raises(TypeError, match="root must be a Tensor"):
        viz.draw_graph([1.0])


def test_several_roots_and_show_data_summaries():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x.exp()
    b = x.sum()
    d = viz.draw_graph([a, b], show_data=True)
    nodes, _ = parse(d.source)
    assert nodes[by_label(nodes, "b")] == "b\nscalar float32\nvalue 10"
    assert "value mean 2.5 std 1.12\nvalue min 1 max 4" in nodes[by_label(nodes, "x")]
    assert d.source.count("peripheries=2") == 2


def test_module_parameters_get_their_names():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    out = model(tg.randn(5, 3)).sum()
    nodes, _ = parse(viz.draw_graph(out, params=model).source)
    names = {v.split("\n")[0] for v in nodes.values()}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= names
    # a Module among the caller's locals is used when params is not given
    nodes2, _ = parse(viz.draw_graph(out).source)
    assert {v.split("\n")[0] for v in nodes2.values()} == names


def test_names_come_from_the_callers_frame():
    def inner():
        q = tg.tensor([1.0, -1.0], requires_grad=True)
        hidden_act = q.relu()
        return viz.draw_graph(hidden_act.sum())

    nodes, _ = parse(inner().source)
    assert by_label(nodes, "hidden_act") and by_label(nodes, "q")


def test_deep_chain_needs_no_recursion():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes, edges = parse(viz.draw_graph(y, max_nodes=None).source)
    # 3000 ops, 3001 tensors and the constant 1.0 of each op
    assert len(nodes) == 3000 + 3001 + 3000 and len(edges) == 9000


def test_import_is_light():
    code = "import sys, tinygrad_np, tinygrad_np.viz; print('graphviz' in sys.modules, 'tinygrad_np.viz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
    code = "import sys, tinygrad_np; print('tinygrad_np.viz' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


# ---- rendering ----------------------------------------------------------------------------------
@needs_renderer
def test_svg_and_png_rendering(tmp_path):
    _, _, _, loss = small_graph()
    d = viz.draw_graph(loss)
    svg = d.pipe(format="svg").decode()
    assert "<svg" in svg and "MulBackward0" in svg and "SumBackward0" in svg
    assert d.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert d._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")
    out = d.render(outfile=tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert out == str(tmp_path / "g.png")
    out = d.render(tmp_path / "graph", format="svg")
    assert out.endswith("graph.svg") and "digraph" in (tmp_path / "graph").read_text()


@needs_renderer
def test_pdf_with_graphviz_pure_is_a_clear_error(monkeypatch):
    _, _, _, loss = small_graph()
    d = viz.draw_graph(loss)
    if not vrender.find_renderer().rsplit("/", 1)[-1].startswith("graphviz-pure"):
        assert d.pipe(format="pdf")[:4] == b"%PDF"
        return
    with pytest.raises(ValueError, match="writes SVG and PNG but not PDF"):
        d.pipe(format="pdf")


def test_no_renderer_keeps_the_source_and_names_three_ways(monkeypatch, tmp_path):
    monkeypatch.delenv(vrender.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(vrender, "_scripts_dirs", lambda: [tmp_path])
    _, _, _, loss = small_graph()
    d = viz.draw_graph(loss)
    assert "MulBackward0" in d.source
    with pytest.raises(vrender.RendererNotFoundError) as e:
        d.pipe(format="svg")
    msg = str(e.value)
    assert "TINYGRAD_NP_DOT" in msg and "`dot`" in msg and "pip install graphviz-pure" in msg


def test_env_var_renderer_comes_first(monkeypatch, tmp_path):
    fake = tmp_path / "fakedot"
    fake.write_text('#!/bin/sh\ncat > /dev/null\necho "<svg>fake $1</svg>"\n')
    fake.chmod(0o755)
    monkeypatch.setenv(vrender.ENV_VAR, str(fake))
    _, _, _, loss = small_graph()
    assert viz.draw_graph(loss).pipe(format="svg") == b"<svg>fake -Tsvg</svg>\n"
    monkeypatch.setenv(vrender.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(vrender.RendererNotFoundError, match="does not name an executable"):
        viz.find_renderer()


def test_scripts_folder_is_searched(monkeypatch, tmp_path):
    monkeypatch.delenv(vrender.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    exe = tmp_path / "graphviz-pure"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(vrender, "_scripts_dirs", lambda: [tmp_path])
    assert viz.find_renderer() == str(exe)


# ---- backward steps -----------------------------------------------------------------------------
def diamond():
    x = tg.tensor([0.5, -1.0], requires_grad=True)
    a = x * 2.0
    b = a.exp()
    c = a.sin()
    loss = (b * c).sum()
    return x, a, b, c, loss


def test_steps_follow_the_engines_actual_order_and_gradients():
    x, a, b, c, loss = diamond()
    trace = viz.backward_steps(loss)
    assert x.grad is None  # recording writes no .grad
    # the engine's own order, seen independently through tensor hooks during a real backward
    seen = []
    for t, name in [(a, "MulBackward0"), (b, "ExpBackward0"), (c, "SinBackward0")]:
        t.register_hook(lambda g, name=name: seen.append(name))
    prod = loss.grad_fn._edges[0][0]
    for t in (a, b, c):
        t.retain_grad()
    loss.backward(retain_graph=True)
    assert trace.order() == [
        "SumBackward0",
        "MulBackward0",
        "SinBackward0",
        "ExpBackward0",
        "MulBackward0",
        "AccumulateGrad",
    ]
    op_steps = [s for s in trace if s.kind == "op"]
    assert [s.node for s in op_steps][1] is prod
    assert [s.name for s in op_steps[2:]] == seen[:2] + seen[2:]  # Sin, Exp, then Mul(a = 2x)
    # gradients received and sent are the engine's
    by_node = {id(s.node): s for s in trace}
    np.testing.assert_allclose(by_node[id(c.grad_fn)].grad_in[0], c.grad.data)
    np.testing.assert_allclose(by_node[id(b.grad_fn)].grad_in[0], b.grad.data)
    np.testing.assert_allclose(by_node[id(a.grad_fn)].grad_in[0], a.grad.data)
    np.testing.assert_allclose(trace[-1].grad_in[0], x.grad.data)
    (i, name, g) = by_node[id(a.grad_fn)].grads_out[0]
    assert (i, name) == (0, "x")
    np.testing.assert_allclose(g, x.grad.data)
    exp_x = np.exp(2 * np.array([0.5, -1.0]))
    expected = 2 * (exp_x * np.sin(2 * np.array([0.5, -1.0])) + exp_x * np.cos(2 * np.array([0.5, -1.0])))
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-5)


def test_step_lines_show_the_chain_rule_with_numbers():
    x = tg.tensor(3.0, requires_grad=True)
    y = x * x
    z = y.sin()
    trace = viz.backward_steps(z)
    sin = trace[0]
    assert sin.name == "SinBackward0" and sin.formula == "d sin(x)/dx = cos(x)"
    assert sin.lines[0] == "Why now: z is the root: backward starts here, dL/dz given"
    assert sin.lines[1] == "Incoming: dL/dz () = 1"
    assert sin.lines[2] == "dL/dy = dL/dz ⊙ cos(y)"
    assert sin.lines[4] == f"    = 1 · {np.cos(9.0):.4g} = {np.cos(9.0):.4g}"
    mul = trace[1]
    assert mul.lines[0] == "Why now: every op that used y has sent its gradient: SinBackward0 (step 1)"
    assert len(mul.grads_out) == 2  # x used twice: the engine sums both into x
    assert mul.lines[-2].endswith("the first gradient for x")
    assert "added to the" in mul.lines[-1] and "from MulBackward0 (step 2)" in mul.lines[-1]
    assert trace[2].lines[1:] == [
        f"dL/dx () = {2 * 3.0 * np.cos(9.0):.4g}",
        "x.grad is None: backward() stores this gradient there",
    ]
    assert "step 1: SinBackward0" in str(trace)


def test_steps_refuse_a_freed_graph():
    _, _, _, loss = small_graph()
    loss.backward()
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        viz.backward_steps(loss)


def test_step_numbers_on_the_static_graph():
    x, a, b, c, loss = diamond()
    nodes, _ = parse(viz.draw_graph(loss, steps=True).source)
    assert "#1  SumBackward0" in nodes.values() and "#3  SinBackward0" in nodes.values()
    assert nodes[by_label(nodes, "#6  x")] == "#6  x\n(2,) float32"


def test_non_scalar_root_takes_a_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    trace = viz.backward_steps(y, gradient=tg.tensor([1.0, 0.5]))
    np.testing.assert_allclose(trace[-1].grad_in[0], [2.0, 2.0])


# ---- gradient diagnostics -----------------------------------------------------------------------
def test_dead_relu_layer_is_flagged_vanishing():
    tg.manual_seed(0)
    lin = nn.Linear(3, 4)
    with tg.no_grad():
        lin.bias.fill_(-100.0)  # every unit dead
    out = lin(tg.randn(6, 3)).relu().sum()
    d = viz.draw_graph(out, params={"fc.weight": lin.weight, "fc.bias": lin.bias}, show_grad=True)
    nodes, _ = parse(d.source)
    wid = by_label(nodes, "fc.weight")
    assert "vanishing grad (|g| < 1e-07)" in nodes[wid] and "#d9d9d9" in attrs_of(d.source, wid)
    assert "filled,dashed" in attrs_of(d.source, wid)
    assert lin.weight.grad is None  # drawing does not touch .grad


def test_nan_gradient_is_flagged_red_and_magnitudes_coloured():
    w = tg.tensor([-1.0, 4.0], requires_grad=True)
    v = tg.tensor([1e-3, 2e-3], requires_grad=True)
    loss = w.sqrt().sum() + (v * 1000.0).sum()
    d = viz.draw_graph(loss, show_grad=True)
    nodes, _ = parse(d.source)
    wid, vid = by_label(nodes, "w"), by_label(nodes, "v")
    assert "NaN/Inf in grad!" in nodes[wid] and "#ff3b30" in attrs_of(d.source, wid)
    assert "grad mean 1e+03 std 0" in nodes[vid]
    assert 'fillcolor="#ec7014"' in attrs_of(d.source, vid)  # the largest gradient: top of the scale
    assert "tensor colour = |grad|" in d.source


def test_show_grad_after_backward_uses_dot_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 3.0).sum()
    loss.backward()
    nodes, _ = parse(viz.draw_graph(loss, show_grad=True).source)
    assert "grad mean 3 std 0" in nodes[by_label(nodes, "x")]


class BadSquare(Function):
    formula = "d x^2/dx = 2x"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tg.Tensor(x.data**2)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x * 3.0  # wrong on purpose: should be 2x


def test_check_graph_finds_the_wrong_backward():
    x = tg.tensor([0.3, -0.7, 1.2], requires_grad=True)
    with viz.record_inputs():
        loss = (BadSquare.apply(x.sin() * 2.0) + x).sum()
    results = viz.check_graph(loss, all=True)
    assert [r.name for r in results if r.status == "failed"] == ["BadSquareBackward"]
    assert all(r.status == "ok" for r in results if r.name != "BadSquareBackward")
    (bad,) = viz.check_graph(loss)
    assert bad.analytic == pytest.approx(1.5 * bad.numeric, rel=1e-4)
    d = viz.draw_graph(loss, check=True)
    nodes, _ = parse(d.source)
    bid = by_label(nodes, "BadSquareBackward")
    assert "backward != finite differences" in nodes[bid] and "#ff3b30" in attrs_of(d.source, bid)


def test_check_graph_without_recording_uses_saved_inputs():
    x = tg.tensor([0.3, -0.7], requires_grad=True)
    loss = BadSquare.apply(x).sum()
    with pytest.warns(UserWarning, match="record_inputs"):
        result = viz.check_graph(loss)
    (bad,) = result.failed
    assert bad.name == "BadSquareBackward"
    assert [r.name for r in result.skipped] == ["SumBackward0"]  # its input was not kept


# ---- collapsing ---------------------------------------------------------------------------------
def mlp(depth=10):
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(8, 1))


def test_collapse_modules_from_parameters():
    tg.manual_seed(0)
    model = mlp()
    loss = model(tg.randn(4, 8)).pow(2).mean()
    d = viz.draw_graph(loss, params=model, collapse="modules")
    nodes, edges = parse(d.source)
    boxes = [v for k, v in nodes.items() if k.startswith("m")]
    assert len(boxes) == 11 and boxes[0].startswith("0: Linear\n") and "weight (8, 8) float32" in boxes[0]
    assert sum(v == "ReluBackward0" for v in nodes.values()) == 10  # parameter-less modules stay ops
    assert not any("weight" in v.split("\n")[0] for v in nodes.values())  # parameters folded in
    assert len(nodes) < 30


def test_collapse_modules_with_traced_forward_and_clusters():
    tg.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 2 * 2, 3)
    )
    with viz.trace_modules(cnn):
        logits = cnn(tg.randn(2, 1, 4, 4))
    loss = logits.sum()
    nodes, edges = parse(viz.draw_graph(loss, params=cnn, collapse="modules").source)
    boxes = [v.split("\n")[0] for k, v in nodes.items() if k.startswith("m")]
    assert boxes == ["0: Conv2d", "1: ReLU", "2: MaxPool2d", "3: Flatten", "4: Linear"]
    chain = {a: b for a, b in edges}
    assert chain["m0"] == "m1" and chain["m1"] == "m2" and chain["m2"] == "m3" and chain["m3"] == "m4"
    src = viz.draw_graph(loss, params=cnn, collapse="clusters").source
    assert src.count("subgraph cluster_") == 5 and 'label="0: Conv2d"' in src


# ---- stepper ------------------------------------------------------------------------------------
@needs_renderer
def test_stepper_page_is_self_contained():
    x, a, b, c, loss = diamond()
    st = viz.stepper(loss)
    page = st.page()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "http://" not in page.split("<svg")[0]
    assert st._repr_html_() == st.html and len(st) == 6
    assert "src=" not in page  # nothing loaded from elsewhere
    assert '"name": "SinBackward0"' in page and "vz_op" in page


def test_data_inputs_are_drawn_when_a_node_holds_them():
    tg.manual_seed(0)
    lin = nn.Linear(2, 3)
    data = tg.randn(4, 2)
    target = tg.randn(4, 3)
    out = lin(data)
    loss = ((out - target) ** 2).mean()
    d = viz.draw_graph(loss, params=lin)
    nodes, edges = parse(d.source)
    did = by_label(nodes, "data")  # the layer's op saved it: drawn, named after the local variable
    assert nodes[did] == "data\n(4, 2) float32" and "#f0f0f0" in attrs_of(d.source, did)
    assert (did, "op0") in edges  # into the linear layer's first op (Matmul or Addmm)
    tid = by_label(nodes, "target")  # Sub saved nothing, but the node noted its operand
    assert nodes[tid] == "target\n(4, 3) float32"
    assert by_label(nodes, "2")  # the exponent of ** 2


def test_leaf_and_constant_roots():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse(viz.draw_graph(x, show_grad=True).source)
    assert list(nodes.values()) == ["x\n(2,) float32"] and edges == []
    c = tg.tensor([1.0, 2.0]) * 2
    nodes, _ = parse(viz.draw_graph(c, show_grad=True, show_data=True).source)
    assert list(nodes.values()) == ["c\n(2,) float32\nvalue mean 3 std 1\nvalue min 2 max 4"]


def test_without_the_graphviz_package_the_dot_source_is_returned(monkeypatch):
    monkeypatch.setattr(vrender, "_drawing_class", False)
    _, _, _, loss = small_graph()
    d = viz.draw_graph(loss)
    assert isinstance(d, vrender.DotSource)
    assert d.source.startswith("digraph backprop {\n") and "MulBackward0" in str(d)


def test_show_grad_of_a_non_scalar_root_seeds_ones():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    nodes, _ = parse(viz.draw_graph(y, show_grad=True).source)
    assert "grad mean 3 std 0" in nodes[by_label(nodes, "x")]
    nodes, _ = parse(viz.draw_graph(y, show_grad=True, gradient=tg.tensor([1.0, 0.0])).source)
    assert "grad mean 1.5 std 1.5" in nodes[by_label(nodes, "x")]


def test_check_graph_passes_the_built_in_ops():
    import tinygrad_np.nn.functional as F

    tg.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 5)
    )
    a = tg.randn(3, 4, requires_grad=True)
    with viz.record_inputs():
        out = cnn(tg.randn(2, 1, 4, 4))
        b = (a.softmax(-1) * a.log_softmax(-1)).sum() + a[1:, ::2].sum() + tg.cat([a, a * 2], 0).amax()
        b = b + a.T.reshape(2, 6).prod(1).sum() + F.gelu(a).sum() + a.abs().mean() + (a @ a.T).cumsum(0).sum()
        loss = F.cross_entropy(out, tg.tensor([1, 3])) + b + F.mse_loss(out.sigmoid(), tg.rand(2, 5))
    results = viz.check_graph(loss, all=True)
    assert len(results) > 40 and all(r.status == "ok" for r in results), [
        r for r in results if r.status != "ok"
    ]


def test_module_boxes_show_dead_layers():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 1))
    with tg.no_grad():
        model[2].bias.fill_(-50.0)
    with viz.trace_modules(model):
        loss = model(tg.randn(8, 4)).pow(2).mean()
    d = viz.draw_graph(loss, params=model, collapse="modules", show_grad=True)
    nodes, _ = parse(d.source)
    boxes = {v.split("\n")[0]: (k, v) for k, v in nodes.items() if k.startswith("m")}
    for name in ("0: Linear", "2: Linear"):
        assert "vanishing parameter grad (|g| < 1e-07)" in boxes[name][1]
    assert "vanishing grad to its input (|g| < 1e-07)" in boxes["3: ReLU"][1]
    assert "filled,dashed" in attrs_of(d.source, boxes["3: ReLU"][0])
    assert "|parameter grad| rms" in boxes["4: Linear"][1]


def test_recording_leaves_retained_grads_alone():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    loss = h.sum()
    viz.backward_steps(loss)
    viz.draw_graph(loss, show_grad=True)
    assert h.grad is None and x.grad is None
    loss.backward()
    np.testing.assert_allclose(h.grad.data, [1.0, 1.0])  # retain_grad still works afterwards


def test_steps_through_a_gradient_graph():
    x = tg.tensor(3.0, requires_grad=True)
    (dx,) = tg.autograd.grad(x**3, x, create_graph=True)
    trace = viz.backward_steps(dx)
    assert trace[0].lines[1] == "Incoming: dL/d(dx) () = 1"
    assert trace[-1].lines[1].startswith("dL/dx () = 18")  # d2(x^3)/dx2 = 6x


def test_exploding_gradient_is_flagged():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    u = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * 1e4).sum() + u.sum()
    d = viz.draw_graph(loss, show_grad=True)
    nodes, _ = parse(d.source)
    wid, uid = by_label(nodes, "w"), by_label(nodes, "u")
    assert "exploding grad (rms > 1000)" in nodes[wid] and "penwidth=4" in attrs_of(d.source, wid)
    assert "exploding" not in nodes[uid]


def test_params_given_as_bare_parameters_is_a_clear_error():
    model = nn.Linear(2, 1)
    out = model(tg.randn(3, 2)).sum()
    with pytest.raises(
        TypeError, match=r"params must be a Module, a dict .* dict\(model.named_parameters\(\)\)"
    ):
        viz.draw_graph(out, params=model.parameters())
    nodes, _ = parse(viz.draw_graph(out, params=list(model.named_parameters())).source)
    assert by_label(nodes, "weight") and by_label(nodes, "bias")
