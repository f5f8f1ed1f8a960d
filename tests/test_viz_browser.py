"""The stepper page, opened in headless Chromium: click Next through every forward and backward step."""

import shutil

import numpy as np
import pytest
from conftest import needs_renderer

import tinygrad_np as tg
from tinygrad_np import viz

webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if shutil.os.path.exists("/usr/bin/chromedriver") else None
)


pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None, reason="chromium and chromedriver are not installed"
    ),
    needs_renderer,
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


def test_clicking_next_walks_forward_then_the_engines_backward_steps(browser, tmp_path):
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
    assert [s["phase"] for s in st.steps] == ["forward"] * 3 + ["backward"] * 5
    page = tmp_path / "stepper.html"
    st.save(page)
    browser.get(page.as_uri())
    root = browser.find_element(By.ID, st.uid)
    nxt = root.find_element(By.CLASS_NAME, "vz-next")
    prev = root.find_element(By.CLASS_NAME, "vz-prev")
    assert prev.get_attribute("disabled") is not None

    for k, step in enumerate(st.steps):
        if k:
            nxt.click()
        phase = step["phase"]
        same = [s for s in st.steps[: k + 1] if s["phase"] == phase]
        assert root.get_attribute("data-step") == str(k + 1)
        assert root.get_attribute("data-phase") == phase
        assert root.get_attribute("data-node") == step["node"]
        current = root.find_elements(By.CSS_SELECTOR, "g.vz-cur")
        assert len(current) == 1
        assert f"vz_{step['node']}" in current[0].get_attribute("class")
        done = "vz-fdone" if phase == "forward" else "vz-done"
        assert len(root.find_elements(By.CSS_SELECTOR, f"g.node.{done}")) == len(same) - 1
        ready = {r for s in same for r in s["ready"]}
        mark = "vz-val" if phase == "forward" else "vz-grad"
        marked = root.find_elements(By.CSS_SELECTOR, f"g.node.{mark}")
        assert {c.get_attribute("class").split()[1].removeprefix("vz_") for c in marked} == ready
        assert root.find_element(By.CLASS_NAME, "vz-title").text == step["title"]
        assert root.find_element(By.CLASS_NAME, "vz-phase").text == phase
        shown = root.find_element(By.CLASS_NAME, "vz-lines").text
        assert [ln.strip() for ln in shown.split("\n")] == [ln.strip() for ln in step["lines"]]
    assert nxt.get_attribute("disabled") is not None

    # the numbers shown are the engine's: the tanh step's product and the final gradients
    tanh_lines = steps[1].lines
    g = 1 - np.tanh(np.array([0.5, -1.0])) ** 2
    assert tanh_lines[-2].endswith(np.array2string(g.astype(np.float32), precision=4, separator=", "))
    loss.backward()
    np.testing.assert_allclose(steps[3].grad_in[0], w.grad.numpy())
    assert steps[3].lines[1].startswith("dL/dw (2,) = ")
    assert steps[4].lines[1] == f"dL/dx () = {x.grad.item():.4g}"

    prev.click()
    assert root.get_attribute("data-step") == str(len(st.steps) - 1)
    # the edges into the current node (where its gradient goes back) are lit up
    browser.execute_script("arguments[0].querySelector('.vz-prev').click()", root)
    flows = root.find_elements(By.CSS_SELECTOR, "g.edge.vz-flow")
    assert flows and all(f"vz_to_{steps[len(steps) - 3].dot_id}" in f.get_attribute("class") for f in flows)
    # keyboard: Home goes to the first forward step, End to the last backward step
    from selenium.webdriver.common.keys import Keys

    root.send_keys(Keys.HOME)
    assert root.get_attribute("data-step") == "1" and root.get_attribute("data-phase") == "forward"
    root.send_keys(Keys.ARROW_RIGHT)
    assert root.get_attribute("data-step") == "2"
    root.send_keys(Keys.END)
    assert root.get_attribute("data-step") == str(len(st.steps))


def test_hostile_parameter_names_do_not_break_the_page(browser, tmp_path):
    from selenium.webdriver.common.by import By

    names = ["<!--<script>", "</script><script>window.pwned=1</script>", "a\u2028b </SCRIPT >"]
    ws = [tg.tensor([1.0, -2.0], requires_grad=True) for _ in names]
    loss = sum((w.tanh().sum() for w in ws), tg.tensor(0.0))
    st = viz.stepper(loss, params=dict(zip(names, ws, strict=True)))
    page = tmp_path / "hostile.html"
    st.save(page)
    browser.get(page.as_uri())
    root = browser.find_element(By.ID, st.uid)
    nxt = root.find_element(By.CLASS_NAME, "vz-next")
    shown = [root.find_element(By.CLASS_NAME, "vz-lines").text]
    for k in range(1, len(st.steps)):
        nxt.click()
        assert root.get_attribute("data-step") == str(k + 1)
        shown.append(root.find_element(By.CLASS_NAME, "vz-lines").text)
    assert browser.execute_script("return window.pwned === undefined")
    for name in names[:2]:  # shown as text, exactly as written
        assert any(name in text for text in shown)
