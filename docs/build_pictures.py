"""Pictures the docs build draws from code (a MkDocs hook, see ``hooks:`` in mkdocs.yml).

Every picture here is computed when the site is built, by the code the pages describe, and
added to the site as ``images/generated/<name>.svg``; nothing is committed. To look at them
outside a build::

    python docs/build_pictures.py OUTDIR

* ``home_neuron``: what the library draws: a neuron ``tanh(w x + b)`` with its loss, parameter
  names, values and gradients, nodes numbered in the order backward visits them (home page);
* ``tutorial_graph`` and ``tutorial_fit``: the tutorial's sine network after the tutorial's
  training loop, as a graph with gradients, and its fit against ``sin(x)`` (tutorial);
* ``engine_step_<k>``: the engine page's worked example, ``c = b*b + b`` with ``b = 3a``, at
  each step of its backward pass: the node running now, the ones done, the tensors whose
  gradient is complete (engine page).
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path
from typing import Any

import tinygrad_np as torch
from tinygrad_np import nn, optim, viz

ENGINE_STEP_CSS = {  # the stepper page's colours (tinygrad_np/viz/stepper.py), as a static picture
    "done": "fill:#c7e9c0",
    "grad": "fill:#fdae6b",
    "cur": "fill:#ffd54f;stroke:#d62728;stroke-width:3px",
}


def home_neuron() -> bytes:
    w = torch.tensor(0.8, requires_grad=True)
    b = torch.tensor(-0.5, requires_grad=True)
    x, target = torch.tensor(1.5), torch.tensor(0.2)
    loss = ((w * x + b).tanh() - target) ** 2
    return viz.draw_graph(loss, params={"w": w, "b": b}, show_data=True, show_grad=True, steps=True).pipe(
        format="svg"
    )


def tutorial_model() -> tuple[Any, Any, Any, list[float]]:
    """The tutorial's network, data and training loop (docs/tutorial.md), and its losses."""
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 200).reshape(-1, 1)
    y = torch.sin(x)
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(2000):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, x, y, losses


def tutorial_graph(model: Any, x: Any, y: Any) -> bytes:
    loss = nn.MSELoss()(model(x), y)
    return viz.draw_graph(loss, params=model, show_grad=True, rankdir="LR").pipe(format="svg")


def tutorial_fit(model: Any, x: Any, y: Any, losses: list[float]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with torch.no_grad():
        pred = model(x)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(x.numpy()[:, 0], y.numpy()[:, 0], label="sin(x)", color="#1f77b4", linewidth=3, alpha=0.5)
    left.plot(x.numpy()[:, 0], pred.numpy()[:, 0], label="model(x)", color="#d62728", linestyle="--")
    left.set_xlabel("x")
    left.set_title("the fit after 2000 steps")
    left.legend()
    right.semilogy(losses, color="#2ca02c")
    right.set_xlabel("step")
    right.set_title("MSE loss")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)
    return out.getvalue()


def engine_steps() -> list[bytes]:
    """The engine page's worked example at each step of backward, as the stepper shows it."""
    a = torch.tensor(2.0, requires_grad=True)
    b = a * 3
    c = b * b + b
    page = viz.stepper(c, params={"a": a}, rankdir="LR")
    svg = page.html[page.html.index("<svg") : page.html.index("</svg>") + len("</svg>")]
    steps = [s.as_dict() for s in page.trace.steps]
    pictures = []
    for k, step in enumerate(steps):
        rules = [_css(s["node"], "done") for s in steps[:k]]
        rules += [_css(t, "grad") for s in steps[: k + 1] for t in s["ready"]]
        rules.append(_css(step["node"], "cur"))
        rules.append(f"g.edge.vz_to_{step['node']} path {{stroke:#d62728;stroke-width:2.5px}}")
        style = "<style>" + "\n".join(rules) + "</style>"
        at = svg.index(">", svg.index("<svg")) + 1  # just inside the <svg> element
        pictures.append((svg[:at] + style + svg[at:]).encode("utf-8"))
    return pictures


def _css(dot_id: str, kind: str) -> str:
    shapes = ", ".join(f"g.node.vz_{dot_id} {shape}" for shape in ("polygon", "ellipse", "path"))
    return f"{shapes} {{{ENGINE_STEP_CSS[kind]}}}"


def pictures() -> dict[str, bytes]:
    """name -> SVG bytes of every generated picture."""
    model, x, y, losses = tutorial_model()
    result = {
        "home_neuron": home_neuron(),
        "tutorial_graph": tutorial_graph(model, x, y),
        "tutorial_fit": tutorial_fit(model, x, y, losses),
    }
    for k, svg in enumerate(engine_steps(), 1):
        result[f"engine_step_{k}"] = svg
    return result


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the pictures to the site as images/generated/<name>.svg."""
    from mkdocs.structure.files import File

    for name, svg in pictures().items():
        files.append(File.generated(config, f"images/generated/{name}.svg", content=svg))
    return files


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "pictures")
    out.mkdir(parents=True, exist_ok=True)
    for name, svg in pictures().items():
        (out / f"{name}.svg").write_bytes(svg)
        print("wrote", out / f"{name}.svg")
