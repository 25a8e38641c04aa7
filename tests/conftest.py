"""Shared fixtures: the repository root, and PyTorch as an oracle where it is installed."""

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def torch():
    """PyTorch in float64, or a skip with the reason (``make test`` installs torch==2.13.0)."""
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here: pip install torch==2.13.0")
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole session (Playwright allows one sync driver at a time)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield b
        b.close()


def cut_off_network(page, allowed=("file:", "data:", "blob:")):
    """Refuse every request of ``page`` whose URL does not start with one of ``allowed``.

    Returns the list the refused URLs are appended to (an offline page asks for none)."""
    refused = []

    def route(request_route):
        if request_route.request.url.startswith(allowed):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return refused


def pytest_collection_modifyitems(items):
    """Cheapest first: unit tests, then notebooks and grading (slow), then the browser checks."""
    def cost(item):
        return (item.get_closest_marker("browser") is not None, item.get_closest_marker("slow") is not None)

    items.sort(key=cost)  # a stable sort keeps each file's own order
