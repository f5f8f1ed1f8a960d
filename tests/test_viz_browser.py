"""The backward stepper page, opened in headless Chromium: click Next through every step."""

import shutil

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import viz
from tinygrad_np.viz import renderer

webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if shutil.os.path.exists("/usr/bin/chromedriver") else None
)


def _renderer_ok():
    try:
        renderer.find_renderer()
        return True
    except renderer.RendererNotFoundError:
        return False


pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None, reason="chromium and chromedriver are not installed"
    ),
    pytest.mark.skipif(not _renderer_ok(), reason="no DOT renderer (graphviz-pure or dot) installed"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        yield drv
    finally:
        drv.quit()


def test_clicking_next_walks_the_engines_steps(browser, tmp_path):
    from selenium.webdriver.common.by import By

    x = tg.tensor(0.5, requires_grad=True)
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    h = (w * x).tanh()
    loss = h.sum()
    st = viz.stepper(loss)
    steps = st.trace.steps
    assert [s.name for s in steps] == [
        "SumBackward0",
        "TanhBackward0",
        "MulBackward0",
        "AccumulateGrad",
        "AccumulateGrad",
    ]
    page = tmp_path / "stepper.html"
    st.save(page)
    browser.get(page.as_uri())
    root = browser.find_element(By.ID, st.uid)
    nxt = root.find_element(By.CLASS_NAME, "vz-next")
    prev = root.find_element(By.CLASS_NAME, "vz-prev")
    assert prev.get_attribute("disabled") is not None

    for k, step in enumerate(steps):
        if k:
            nxt.click()
        assert root.get_attribute("data-step") == str(k + 1)
        assert root.get_attribute("data-node") == step.dot_id
        current = root.find_elements(By.CSS_SELECTOR, "g.vz-cur")
        assert len(current) == 1
        assert f"vz_{step.dot_id}" in current[0].get_attribute("class")
        assert len(root.find_elements(By.CSS_SELECTOR, "g.node.vz-done")) == k
        ready = {r for s in steps[: k + 1] for r in s.ready}
        grad_nodes = root.find_elements(By.CSS_SELECTOR, "g.node.vz-grad")
        assert {c.get_attribute("class").split()[1].removeprefix("vz_") for c in grad_nodes} == ready
        title = root.find_element(By.CLASS_NAME, "vz-title").text
        assert title == f"Step {k + 1} of {len(steps)}: {step.name}"
        shown = root.find_element(By.CLASS_NAME, "vz-lines").text
        assert shown.split("\n") == step.lines
    assert nxt.get_attribute("disabled") is not None

    # the numbers shown are the engine's: tanh step and the final gradients
    tanh_lines = steps[1].lines
    g = 1 - np.tanh(np.array([0.5, -1.0])) ** 2
    assert tanh_lines[1].endswith(np.array2string(g.astype(np.float32), precision=4, separator=", "))
    loss.backward()
    # leaves in the order their gradients arrived: w (MulBackward0's input 0), then x
    assert steps[3].lines[0].startswith("dL/dw = ")
    assert steps[4].lines[0].startswith(f"dL/dx = {x.grad.item():.4g}")

    prev.click()
    assert root.get_attribute("data-step") == str(len(steps) - 1)
    # the edges into the current node (where its gradient goes back) are lit up
    browser.execute_script("arguments[0].querySelector('.vz-prev').click()", root)
    flows = root.find_elements(By.CSS_SELECTOR, "g.edge.vz-flow")
    assert flows and all(f"vz_to_{steps[len(steps) - 3].dot_id}" in f.get_attribute("class") for f in flows)
