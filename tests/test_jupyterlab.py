"""A live kernel: in JupyterLab, an explorer's slider redraws its picture (served on 127.0.0.1 only)."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest


pytestmark = [pytest.mark.slow, pytest.mark.browser]
TOKEN = "nnopt-test"
# an explorer with one control of each kind, whose alt text says what its frame shows
LIVE = """\
import numpy as np
from nnopt.explorer import Control, Explorer
from nnopt.viz.common import panels

calls = []


def draw(fig, lr, grid, colour):
    calls.append(lr)
    ax, = panels(fig, 1)
    ax.plot(np.arange(10), lr * np.arange(10), color=colour)
    ax.grid(grid == "on")

explorer = Explorer(draw, [Control("lr", "learning rate", [0.01, 0.1, 1.0], default=0.1),
                           Control("grid", "grid", ["off", "on"], fmt="{}", kind="toggle"),
                           Control("colour", "colour", ["C0", "C1", "C2"], fmt="{}", kind="choice")],
                    figsize=(6, 3), alt=lambda lr, grid, colour: f"a line of slope {lr:g}, grid {grid}, in {colour}")
explorer
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LIVE), nbformat.v4.new_code_cell("print('drawn', len(calls))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(root / "live.ipynb"))
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", "--allow-root", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):  # wait for the server (a minute at most)
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("jupyter lab did not start")
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_slider_redraws_in_jupyterlab(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab) else r.abort())
        page.goto(f"{lab}/lab/tree/live.ipynb?token={TOKEN}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        image = page.locator(".jp-OutputArea .nnopt-live-frame img").first
        try:
            image.wait_for(timeout=60_000)
        except Exception:
            error = page.get_by_text("Click to show javascript error")
            if error.count():
                error.first.click()
                pytest.fail("the widget failed: " + page.locator(".jp-OutputArea").first.inner_text()[:2000])
            raise
        page.get_by_text("drawn 1").wait_for(timeout=60_000)  # displaying drew the default picture only
        before = image.get_attribute("src")
        assert image.get_attribute("alt") == "a line of slope 0.1, grid off, in C0"
        # the slider shows its value text (ipywidgets 8.1.9 announces the index, "1": a known limit,
        # which the picture's alt text makes up for by naming the settings it shows)
        readout = page.locator(".jp-OutputArea .widget-slider .widget-readout").first
        assert readout.inner_text().strip() == "0.1"
        # a toggle is a checkbox, a choice radio buttons
        assert page.locator(".jp-OutputArea .widget-checkbox input[type=checkbox]").count() == 1
        assert page.locator(".jp-OutputArea .widget-radio-box input[type=radio]").count() == 3
        # move the first slider one step right with the keyboard, as a user can
        page.locator(".jp-OutputArea .widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(before) => document.querySelector('.jp-OutputArea .nnopt-live-frame img').src !== before", arg=before,
            timeout=30_000,
        )
        page.wait_for_function(
            "() => document.querySelector('.jp-OutputArea .nnopt-live-frame img').alt === 'a line of slope 1, grid off, in C0'",
            timeout=30_000,
        )
        assert readout.inner_text().strip() == "1"
        assert page.locator(".jp-OutputArea .nnopt-live-frame img").first.get_attribute("src") != before
    finally:
        shots = Path(__file__).resolve().parents[1] / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "jupyterlab-live-explorer.png"))
        page.close()
