"""The book: it builds with no warning, and every page works in Chromium with no network, at 1280 and 390 px.

The site is built once per test session into a temporary folder (a cold build: the execution cache
of a developer's _build/ could hide a page that no longer runs). Every page is opened from file://
with every other request refused, at a desktop and a phone width, and checked as a reader would use
it: math typeset and out of the Tab order, images loaded with real alt text, numbered figures,
every control of every explorer changing its picture and alt text, the navigation buttons, no
sideways scrolling of the page, no equation under its number, axe-core's accessibility rules, no
console error. Screenshots of every page at both widths go to _build/screenshots/ to be looked at.
"""

import importlib.util
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import CHROMIUM, cut_off_network
from nbtools import ROOT

pytestmark = pytest.mark.slow
SHOTS = ROOT / "_build" / "screenshots"
AXE_VERSION = "4.14.1"
AXE_CACHE = ROOT / "_build" / ".cache" / "axe-core"  # never committed (_build/ is ignored)
WIDTHS = (1280, 390)
HASH_NAME = re.compile(r"^[0-9a-f]{32,}(\.\w+)?$")


def load_site_benchmark():
    spec = importlib.util.spec_from_file_location("site_benchmark", ROOT / "benchmarks" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


@pytest.fixture(scope="session")
def axe_script():
    """axe-core's axe.min.js, from the npm registry (npm pack) into a cache folder made here."""
    script = AXE_CACHE / f"axe-{AXE_VERSION}.min.js"
    if not script.is_file():
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(AXE_CACHE)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.fail(f"npm pack axe-core@{AXE_VERSION} failed: {proc.stderr[-500:]}")
        with tarfile.open(AXE_CACHE / f"axe-core-{AXE_VERSION}.tgz") as tar:
            script.write_bytes(tar.extractfile("package/axe.min.js").read())
    return script.read_text()


def test_book_builds_without_warnings(site):
    html, returncode, log = site
    # Sphinx's warnings ("WARNING: ..."); -W also turns them into a non-zero exit
    warnings = [line for line in log.splitlines()
                if ("WARNING:" in line or "ERROR:" in line) and "[IPKernelApp]" not in line]
    assert returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    for page in toc_pages():
        assert (html / f"{page}.html").is_file(), page


def test_pages_are_light(site):
    """No page inlines an image, carries widget state, the icon script or Thebe; favicon; one copy of each script."""
    html, _, _ = site
    for page in toc_pages():
        text = (html / f"{page}.html").read_text()
        assert "data:image/png;base64" not in text, page  # frames and figures are files
        assert "application/vnd.jupyter.widget-state+json" not in text, page
        assert "fontawesome" not in text and "thebe" not in text.lower(), page
        assert 'rel="icon"' in text, page
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
        assert len(scripts) == len(set(scripts)), page
        assert "searchindex.js" not in text, page  # the search index is loaded by the search page only


def test_first_view_within_budget(site, browser):
    """Every page's first view, as a static host sends it, is at most 1.5 MB at both widths."""
    html, _, _ = site
    bench = load_site_benchmark()
    heavy = []
    for page in toc_pages():
        for width in WIDTHS:
            view = bench.first_view(browser, html, f"{page}.html", width)
            if view.bytes > bench.BUDGET:
                heavy.append(f"{page} at {width} px: {view.bytes / 1e6:.2f} MB, largest {view.largest[:3]}")
    assert not heavy, "\n".join(heavy)


def open_offline(browser, url, width):
    """Open a page with every request that is not a local file refused.

    Returns (page, refused URLs, console errors).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    refused = cut_off_network(page, ("file:", "data:"))
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    return page, refused, errors


def check_math(page, name, width):
    # typeset: MathJax rendered every formula, and no raw TeX is left in the text
    n_math = page.locator("div.math, span.math").count()
    assert page.locator("mjx-container").count() >= n_math, name
    text = page.inner_text("article")
    assert "\\frac" not in text and "$$" not in text and "\\(" not in text, name
    # out of the Tab order, but for the few wider than the column, which scroll (a keyboard scrolls them)
    tab_stops = page.evaluate("""() => [...document.querySelectorAll("article mjx-container, article span.math")]
      .filter(m => m.tabIndex >= 0 && m.scrollWidth <= m.clientWidth + 1).length""")
    assert tab_stops == 0, f"{name}: {tab_stops} formulas are Tab stops"
    problems = page.evaluate("""() => {
      const out = [];
      // an inline formula is never clipped by its box
      document.querySelectorAll("article span.math").forEach((span, i) => {
        const style = getComputedStyle(span);
        if (style.overflowX === "hidden" && span.scrollWidth > span.clientWidth + 1 || style.overflowY === "hidden" && span.scrollHeight > span.clientHeight + 1)
          out.push(`inline formula ${i} clipped: ${span.textContent.slice(0, 40)}`);
      });
      // a display formula stays in the text column (scrolling in its own box) and clear of its number
      const column = document.querySelector("article").getBoundingClientRect();
      document.querySelectorAll("article div.math").forEach((div, i) => {
        const box = div.getBoundingClientRect();
        if (box.right > column.right + 1) out.push(`display formula ${i} passes the column by ${box.right - column.right}px`);
        const math = div.querySelector("mjx-container");
        const number = div.querySelector(".eqno");
        if (math && number) {
          const m = math.getBoundingClientRect(), n = number.getBoundingClientRect();
          if (m.right > n.left + 1 && m.left < n.right) out.push(`formula ${number.textContent.trim()} under its number`);
        }
        if (math && math.scrollWidth > math.clientWidth + 1 && getComputedStyle(math).overflowX !== "auto")
          out.push(`display formula ${i} clipped`);
      });
      // a table scrolls in its own box
      document.querySelectorAll("article table").forEach((table, i) => {
        const box = table.parentElement.getBoundingClientRect();
        if (box.right > column.right + 1) out.push(`table ${i} passes the column`);
      });
      return out;
    }""")
    assert not problems, f"{name} at {width} px:\n" + "\n".join(problems)


def check_images(page, name):
    images = page.evaluate("""() => [...document.querySelectorAll('article img')].map(i => ({
        src: i.getAttribute('src'), alt: i.getAttribute('alt'), ok: i.complete && i.naturalWidth > 0,
        figure: !!i.closest('figure'), caption: i.closest('figure') ? (i.closest('figure').querySelector('figcaption') || {}).textContent || '' : ''
    }))""")
    for image in images:
        assert image["ok"], f"{name}: image {image['src']} did not load"
        alt = (image["alt"] or "").strip()
        assert alt and not HASH_NAME.match(alt), f"{name}: image {image['src']} has no real alt text ({alt!r})"
    bare = [i["src"] for i in images if not i["figure"] and "_frames/" not in (i["src"] or "")]
    assert not bare, f"{name}: figures without a caption and number: {bare}"
    for image in images:
        if image["figure"]:
            assert re.match(r"\s*Fig\.\s*\d", image["caption"]), f"{name}: figure {image['src']} is not numbered"


def move_every_control(page, name, width):
    """Every control of every explorer changes the picture and its alt text; sliders announce their value text."""
    for k, explorer in enumerate(page.locator(".nnopt-explorer").all()):
        explorer.scroll_into_view_if_needed()
        img = explorer.locator("img.nnopt-frame")
        for s, control in enumerate(explorer.locator("input[data-k]").all()):
            kind = control.get_attribute("type")
            before = (img.get_attribute("src"), img.get_attribute("alt"))
            if kind == "range":
                current, top = int(control.input_value()), int(control.get_attribute("max"))
                control.fill(str(top if current != top else 0))  # fires the input event
                text = control.get_attribute("aria-valuetext")
                assert text and text == explorer.locator("output").nth(0).evaluate(
                    "(o, c) => c.parentNode.querySelector('output').textContent", control.element_handle()), \
                    f"{name}: explorer {k}, slider {s} does not announce its value text"
            elif kind == "checkbox":
                assert control.get_attribute("role") == "switch"
                control.click()
            else:  # a radio button: choose it unless it is already chosen
                if control.is_checked():
                    continue
                control.check()
            page.evaluate("(i) => i.decode()", img.element_handle())
            after = (img.get_attribute("src"), img.get_attribute("alt"))
            assert after[0] != before[0], f"{name}: explorer {k}, control {s} ({kind}) did not change the picture"
            assert after[1] != before[1], f"{name}: explorer {k}, control {s} ({kind}) did not change the alt text"
            assert page.evaluate("(i) => i.naturalWidth > 0", img.element_handle())
        page.screenshot(path=str(SHOTS / f"{Path(name).name}-{width}-explorer{k}.png"))


def check_navigation(page, name, width):
    """The visible buttons open the chapter list and the page contents (phone) or fold the list (desktop)."""
    def visible(selector):
        buttons = [b for b in page.locator(selector).all() if b.is_visible()]
        assert len(buttons) == 1, f"{name} at {width} px: {len(buttons)} visible {selector} buttons"
        return buttons[0]

    page.evaluate("() => window.scrollTo(0, 0)")
    visible(".search-button__button")  # one search button
    toggle = visible(".primary-toggle")
    if width < 992:
        toggle.click()
        dialog = page.locator("#pst-primary-sidebar-modal")
        page.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open")
        links = dialog.locator("nav a.reference")
        assert links.count() >= 3 and links.first.is_visible(), f"{name}: no chapter list"
        page.screenshot(path=str(SHOTS / f"{Path(name).name}-{width}-chapters.png"))
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open")
        if page.locator(".bd-sidebar-secondary .nav-link").count():  # a page with sections
            visible(".secondary-toggle").click()
            page.wait_for_function("() => document.querySelector('#pst-secondary-sidebar-modal').open")
            assert page.locator("#pst-secondary-sidebar-modal .nav-link").first.is_visible()
            page.keyboard.press("Escape")
    else:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        toggle.click()
        page.wait_for_function("() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility === 'hidden'")
        toggle.click()
        page.wait_for_function("() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility === 'visible'")


def check_axe(page, name, width, axe_script):
    page.add_script_tag(content=axe_script)
    # preload: false, or axe fetches the stylesheets, which file:// refuses (console errors of its own)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], preload: false})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} -- {[n['target'] for n in v['nodes'][:3]]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name} at {width} px:\n" + "\n".join(bad)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", toc_pages())
def test_page_offline(site, browser, axe_script, name, width):
    html, returncode, _ = site
    page, refused, errors = open_offline(browser, (html / f"{name}.html").as_uri(), width)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{Path(name).name}-{width}.png"), full_page=True, timeout=120_000)
        assert not refused, f"{name} asked the network for {refused}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width} px scrolls sideways by {overflow} px"
        check_math(page, name, width)
        check_images(page, name)
        check_axe(page, name, width, axe_script)
        move_every_control(page, name, width)
        check_navigation(page, name, width)
        assert not errors, f"{name} at {width} px: console errors {errors}"
    finally:
        page.close()


@pytest.mark.browser
def test_search_snippets_are_plain_text(site, browser):
    """The search page finds a page, and its snippet shows no TeX (served over loopback: fetch needs http)."""
    html, _, _ = site
    bench = load_site_benchmark()
    server, base = bench.serve(html)
    page = browser.new_page()
    try:
        page.goto(f"{base}/search.html?q=momentum")
        page.wait_for_selector("#search-results li p.context", timeout=30_000)
        snippets = page.locator("#search-results li p.context").all_inner_texts()
        assert snippets and not any("\\" in s or "$" in s for s in snippets), snippets[:3]
    finally:
        page.close()
        server.shutdown()


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
