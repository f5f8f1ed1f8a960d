"""Names that don't depend on where the graph was built (issue 12.6)."""

import re

import tinygrad_np as tg
from tinygrad_np import cli, nn, viz


def labels(source):
    return [m.replace("\\n", "\n") for m in re.findall(r'label="((?:[^"\\]|\\.)*)"', source)]


def build(model):  # the caller of draw_graph has no local naming these tensors
    return nn.functional.mse_loss(model(tg.linspace(0, 1, 4).reshape(-1, 1)), tg.zeros(4, 1))


def test_unnamed_tensors_are_named_after_the_modules_and_ops_they_feed():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 3), nn.Sigmoid(), nn.Linear(3, 1))
    loss = build(model)
    got = labels(viz.draw_graph(loss, params=model).source)
    assert "input to 0: Linear\n(4, 1) float32" in got
    assert "output of 2: Linear\n(4, 1) float32" in got
    assert "argument 1 of MseLoss\n(4, 1) float32" in got
    # a caller's variable still wins
    pred = model(tg.ones(4, 1))
    got = labels(viz.draw_graph(nn.functional.mse_loss(pred, tg.zeros(4, 1)), params=model).source)
    assert "pred\n(4, 1) float32" in got


def test_the_demo_drawing_names_x_y_pred(tmp_path):
    task = cli.TASKS["sine"]
    model, criterion, x, y, _ = cli.train(task, epochs=2, seed=0, progress=False)
    path = cli.write_graph(model, criterion, x, y, tmp_path / "graph.svg")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".dot":  # no renderer: the DOT source
        found = set(re.findall(r'label="([^"\\]*)', text))
    else:
        found = {re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>.*?</text>", text)}
    for name in ("x", "y", "pred", "loss"):
        assert name in found, (name, sorted(found))


def test_a_plain_dict_of_parameters_invents_no_module_names():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = (w * tg.tensor([1.0, 1.0, 1.0])).tanh()
    got = labels(viz.draw_graph(h.sum(), params={"w": w}).source)
    assert not any("output of" in g or "input to" in g for g in got)
