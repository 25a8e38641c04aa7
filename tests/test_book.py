"""The book: it builds with no warning, and every page works in Chromium with no network.

The site is built once per test session into a temporary folder (a cold build: the execution cache
of a developer's _build/ could hide a page that no longer runs). Screenshots of every page go to
_build/screenshots/ to be looked at.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CHROMIUM
from nbtools import ROOT

pytestmark = pytest.mark.slow
SHOTS = ROOT / "_build" / "screenshots"


def toc_pages():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--all", "-W", "-n", "--keep-going",
         "--path-output", str(out)],
        capture_output=True, text=True,
    )
    log = proc.stdout + proc.stderr
    return out / "_build" / "html", proc.returncode, log


def test_book_builds_without_warnings(site):
    html, returncode, log = site
    # Sphinx's warnings ("WARNING: ..."); -W also turns them into a non-zero exit
    warnings = [line for line in log.splitlines() if "WARNING:" in line or "ERROR:" in line]
    assert returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    for page in toc_pages():
        assert (html / f"{page}.html").is_file(), page


def open_offline(browser, url):
    """Open a page with every request that is not a local file refused; returns (page, refused URLs)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    refused = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    return page, refused


@pytest.mark.browser
@pytest.mark.parametrize("name", toc_pages())
def test_page_offline(site, browser, name):
    html, returncode, _ = site
    page, refused = open_offline(browser, (html / f"{name}.html").as_uri())
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        assert not refused, f"{name} asked the network for {refused}"
        # math is typeset: MathJax rendered every formula, and no raw TeX is left in the text
        n_math = page.locator("div.math, span.math").count()
        assert page.locator("mjx-container").count() >= n_math
        text = page.inner_text("article")
        assert "\\frac" not in text and "$$" not in text
        # every image (figures and explorer frames) has loaded
        broken = page.evaluate(
            "() => [...document.querySelectorAll('article img')].filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        assert broken == 0
        # every slider of every explorer changes its picture
        for k, explorer in enumerate(page.locator(".nnopt-explorer").all()):
            explorer.scroll_into_view_if_needed()
            img = explorer.locator("img.nnopt-frame")
            for s, slider in enumerate(explorer.locator("input[type=range]").all()):
                before = img.get_attribute("src")
                current, top = int(slider.input_value()), int(slider.get_attribute("max"))
                slider.fill(str(top if current != top else 0))  # fires the input event
                assert img.get_attribute("src") != before, f"explorer {k}, slider {s} did not change the picture"
                assert page.evaluate("(i) => i.naturalWidth > 0", img.element_handle())
            page.screenshot(path=str(SHOTS / f"{Path(name).name}-explorer{k}.png"))
        page.screenshot(path=str(SHOTS / f"{Path(name).name}.png"), full_page=True)
    finally:
        page.close()


def test_kit_links_resolve_from_file_and_over_http(site):
    """The intro and every chapter link to the student kit (kitlinks); each link names a file of the
    built site, from file:// (relative to the page) and over http (served on 127.0.0.1)."""
    import functools
    import http.server
    import re
    import threading
    import urllib.parse
    import urllib.request

    html, _, _ = site
    links = {}  # page -> hrefs of its kit links
    for page in toc_pages():
        text = (html / f"{page}.html").read_text()
        links[page] = re.findall(r'<a class="reference download" download="" href="([^"]+)"', text)
        if page == "book/intro" or 'id="graded-assignment"' in text:
            assert any(h.endswith("kit/nnopt-course-kit.zip") for h in links[page]), (page, links[page])
        if 'id="graded-assignment"' in text:
            assert any(h.endswith(".ipynb") for h in links[page]), (page, links[page])
    hrefs = [(page, href) for page, found in links.items() for href in found]
    assert len(hrefs) >= 9, links
    for page, href in hrefs:
        assert (html / page).parent.joinpath(href).resolve().is_file(), (page, href)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for page, href in hrefs:
            url = urllib.parse.urljoin(f"http://127.0.0.1:{server.server_port}/{page}.html", href)
            with urllib.request.urlopen(url, timeout=30) as response:
                assert response.status == 200 and response.read(), url
    finally:
        server.shutdown()
        server.server_close()
