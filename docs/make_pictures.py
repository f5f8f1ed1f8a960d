"""Write the pictures of docs/images/ with tinygrad_np.viz.

    python docs/make_pictures.py            # all pictures, into docs/images/
    python docs/make_pictures.py --out DIR  # somewhere else

Each picture is written as PNG and SVG (PDF too when Graphviz's own `dot` is the renderer):

* sine_net: the sine-wave network (1 -> 20 sigmoid -> 1) with its MSE loss, every op and tensor,
  parameter names, and gradients coloured by size;
* sine_net_modules: the same graph with each module folded into one box;
* cnn_modules: a small CNN (conv-relu-pool twice, then a linear layer) folded by module;
* mlp10_gradients: a 10-layer ReLU MLP folded by module, coloured by gradient size, so the
  gradient shrinking towards the input is visible at a glance;
* dead_relu: an MLP whose second hidden layer never fires: its parameters and everything before
  it get zero gradient, drawn grey and dashed;
* bad_backward: a user-defined Function with a wrong backward, found by the per-op check;
* stepper.html: the stepper page (forward, then backward) for a small two-layer network, and
  stepper_matmul.png: a screenshot of it in headless Chromium at the backward step of the
  last linear layer (taken only where selenium and chromium are installed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_np as torch
from tinygrad_np import nn, viz
from tinygrad_np.autograd import Function


def save(drawing, out: Path, name: str) -> None:
    for fmt in ("png", "svg", "pdf"):
        try:
            drawing.render(outfile=out / f"{name}.{fmt}")
        except ValueError:  # graphviz-pure writes no PDF
            continue
    print("wrote", out / f"{name}.png")


def sine_net(out: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    x = torch.linspace(-np.pi, np.pi, 64).reshape(-1, 1)
    y = torch.sin(x)
    with viz.trace_modules(model):  # exact module boxes
        pred = model(x)
        loss = nn.functional.mse_loss(pred, y)
    save(viz.draw_graph(loss, params=model, show_grad=True), out, "sine_net")
    save(viz.draw_graph(loss, params=model, collapse="modules", rankdir="LR"), out, "sine_net_modules")


def cnn(out: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )
    images = torch.randn(4, 1, 28, 28)
    labels = torch.tensor([3, 1, 4, 1])
    with viz.trace_modules(model):  # exact module membership, parameter-free modules included
        logits = model(images)
    loss = nn.functional.cross_entropy(logits, labels)
    save(viz.draw_graph(loss, params=model, collapse="modules", show_grad=True), out, "cnn_modules")


def deep_mlp(out: Path) -> None:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(10):
        layers += [nn.Linear(32, 32), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(32, 1))
    x = torch.randn(16, 32)
    loss = model(x).pow(2).mean()
    save(viz.draw_graph(loss, params=model, collapse="modules", show_grad=True), out, "mlp10_gradients")


def dead_relu(out: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(8, 16),
        nn.ReLU(),
        nn.Linear(16, 16),
        nn.ReLU(),
        nn.Linear(16, 16),
        nn.ReLU(),
        nn.Linear(16, 1),
    )
    with torch.no_grad():
        model[2].bias.fill_(-50.0)  # every unit of the second hidden layer is dead
    with viz.trace_modules(model):
        loss = model(torch.randn(32, 8)).pow(2).mean()
    save(viz.draw_graph(loss, params=model, collapse="modules", show_grad=True), out, "dead_relu")


class Cube(Function):
    """x^3 with a deliberately wrong backward (3x instead of 3x^2)."""

    formula = "d x^3/dx = 3 x^2"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x  # wrong: should be 3 * x * x


def bad_backward(out: Path) -> None:
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    x = torch.randn(3)
    with viz.record_inputs():
        h = (w * x).tanh()
        loss = Cube.apply(h).sum()
    failures = viz.check_graph(loss)
    print("check_graph:", [(f.name, f.detail) for f in failures])
    save(viz.draw_graph(loss, params={"w": w}, check=failures), out, "bad_backward")


def stepper(out: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = torch.randn(2, 3)
    y = torch.tensor([[1.0], [-1.0]])
    pred = model(x)
    loss = nn.functional.mse_loss(pred, y)
    page = viz.stepper(loss, params=model)
    path = page.save(out / "stepper.html")
    print("wrote", path)
    # the backward step of the last linear layer: dL/d2.weight = (dL/dpred)^T · tanh
    target = next(
        k
        for k, s in enumerate(page.steps)
        if s["phase"] == "backward" and s["name"].startswith("Addmm") and "pred" in " ".join(s["lines"][:2])
    )
    screenshot(out / "stepper.html", page.uid, target, out / "stepper_matmul.png")


def screenshot(page: Path, uid: str, step: int, png: Path) -> None:
    """A picture of the stepper page at ``step`` (0-based) in headless Chromium, if installed."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        chromium = None
    if chromium is None or driver is None:
        print("(no screenshot: selenium, chromium and chromedriver are needed)")
        return
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1300,2400"):
        opts.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver), options=opts)
    try:
        browser.get(page.resolve().as_uri())
        root = browser.find_element(By.ID, uid)
        for _ in range(step):
            root.find_element(By.CLASS_NAME, "vz-next").click()
        height = browser.execute_script(f"return document.getElementById('{uid}').scrollHeight")
        browser.execute_cdp_cmd(  # a viewport as tall as the page, so nothing is cut off
            "Emulation.setDeviceMetricsOverride",
            {"width": 1300, "height": int(height) + 40, "deviceScaleFactor": 1, "mobile": False},
        )
        root.screenshot(str(png))
    finally:
        browser.quit()
    print("wrote", png)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(Path(__file__).parent / "images"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    for make in (sine_net, cnn, deep_mlp, dead_relu, bad_backward, stepper):
        make(out)


if __name__ == "__main__":
    main()
