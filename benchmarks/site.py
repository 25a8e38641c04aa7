"""The static site as a reader gets it: each page's first-view bytes, and how fast an explorer moves.

* First view: every file a page loads when it is opened, at 1280 and 390 px (HTML, CSS, scripts,
  MathJax's fonts, figures, each explorer's default frame), counted as a static host sends them:
  text (HTML, JS, CSS, SVG) gzipped, images and fonts as they are. The frames an explorer loads
  ahead (those one move away) are counted apart, as "ahead". Target: at most 1.5 MB per page.
* Latency: the site served on 127.0.0.1; for every explorer, the time from a control's move to its
  new frame decoded and painted, the first move (made as soon as the explorer scrolls into view)
  and then every move one step away from the default. The first move comes 0.3 s after the
  explorer scrolls into view (a reader's glance; its frames start loading 300 px before). Target: 50 ms.

Run: ``python benchmarks/site.py [BUILD/html]`` (``make benchmark-site``; default ``_build/html``).
Needs Debian's chromium and Playwright (the test environment).
"""

import functools
import gzip
import http.server
import statistics
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1280, 390)
SETTLE_MS = 300  # a reader's glance between the explorer coming into view and the first move
BUDGET = 1.5e6  # bytes of a first view
TEXT = {".html", ".js", ".css", ".svg", ".json", ".txt", ".xml"}  # what a static host gzips


def host_bytes(path):
    """Bytes a static host sends for the file at ``path``: gzipped (level 6) if it is text."""
    data = Path(path).read_bytes()
    return len(gzip.compress(data, 6)) if Path(path).suffix in TEXT else len(data)


def pages(html):
    """The site's pages (every .html file but the search page and the index), as paths relative to html."""
    skip = {"search.html", "genindex.html", "index.html"}
    return sorted(p.relative_to(html).as_posix() for p in Path(html).rglob("*.html")
                  if p.relative_to(html).as_posix() not in skip and "_static" not in p.parts and "reports" not in p.parts)


@dataclass
class FirstView:
    """What one page loads when opened at one width: bytes as a host sends them."""

    page: str
    width: int
    bytes: int = 0
    files: int = 0
    ahead: int = 0  # frames loaded ahead of a move (not part of the first view)
    largest: list = field(default_factory=list)  # (bytes, file) of the five largest files


def local_path(url):
    """The file behind a file:// or loopback http:// URL of the site."""
    parsed = urllib.parse.urlparse(url)
    return Path(urllib.parse.unquote(parsed.path))


def first_view(browser, html, page, width):
    """Open ``page`` from file:// at ``width`` px, wait for its math, and count what it loaded."""
    tab = browser.new_page(viewport={"width": width, "height": 900})
    urls = []
    tab.on("request", lambda request: urls.append(request.url))
    tab.goto((Path(html) / page).as_uri())
    tab.wait_for_load_state("load")
    tab.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    tab.wait_for_timeout(300)
    shown = set(tab.evaluate("() => [...document.images].map(i => i.currentSrc || i.src)"))
    tab.close()
    view = FirstView(page, width)
    sizes = {}
    for url in dict.fromkeys(urls):
        if not url.startswith("file:"):
            continue
        path = local_path(url)
        if not path.is_file():
            continue
        size = host_bytes(path)
        if "/_frames/" in url and url not in shown:
            view.ahead += size
            continue
        sizes[path.relative_to(html).as_posix()] = size
    view.bytes, view.files = sum(sizes.values()), len(sizes)
    view.largest = sorted(((b, f) for f, b in sizes.items()), reverse=True)[:5]
    return view


MOVE = """async ([e, k, j]) => {
  const root = document.querySelectorAll(".nnopt-explorer")[e];
  const img = root.querySelector("img.nnopt-frame");
  const inputs = [...root.querySelectorAll("input[data-k]")].filter(i => Number(i.dataset.k) === k);
  const start = performance.now();
  if (inputs[0].type === "range") {
    inputs[0].value = String(j);
    inputs[0].dispatchEvent(new Event("input", {bubbles: true}));
  } else if (inputs[0].type === "checkbox") {
    inputs[0].click();
  } else {
    inputs.find(i => Number(i.value) === j).click();
  }
  await img.decode();
  await new Promise(resolve => requestAnimationFrame(() => resolve()));
  return performance.now() - start;
}"""

STATE = """(e) => {
  const root = document.querySelectorAll(".nnopt-explorer")[e];
  const data = JSON.parse(root.querySelector("script.nnopt-frames").textContent);
  return data.shape;
}"""


@dataclass
class Latency:
    """Move times of one explorer (ms): the first move, and every one-step move from the default."""

    page: str
    explorer: int
    first: float
    moves: list


def serve(html):
    """A static server of the site on 127.0.0.1 (a daemon thread); returns (server, base URL)."""
    handler = functools.partial(QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def latencies(browser, base, page, width=1280):
    """Move every control of every explorer of ``page`` one step, timing each move (loopback http)."""
    tab = browser.new_page(viewport={"width": width, "height": 900})
    tab.goto(f"{base}/{page}")
    tab.wait_for_load_state("load")
    out = []
    for e in range(tab.locator(".nnopt-explorer").count()):
        explorer = tab.locator(".nnopt-explorer").nth(e)
        explorer.scroll_into_view_if_needed()
        tab.wait_for_timeout(SETTLE_MS)
        shape = tab.evaluate(STATE, e)
        moves = []
        first = None
        for k, n in enumerate(shape):
            current = explorer_index(tab, e, k)
            for j in range(n):
                if j == current:
                    continue
                ms = tab.evaluate(MOVE, [e, k, j])
                first = ms if first is None else first
                moves.append(ms)
                # back to the default, so that every move is one step from it
                tab.evaluate(MOVE, [e, k, current])
        if moves:
            out.append(Latency(page, e, first, moves))
    tab.close()
    return out


def explorer_index(tab, e, k):
    """The index of the value control k of explorer e stands at."""
    return tab.evaluate("""([e, k]) => {
      const root = document.querySelectorAll(".nnopt-explorer")[e];
      const inputs = [...root.querySelectorAll("input[data-k]")].filter(i => Number(i.dataset.k) === k);
      if (inputs[0].type === "range") return Number(inputs[0].value);
      if (inputs[0].type === "checkbox") return inputs[0].checked ? 1 : 0;
      return Number(inputs.find(i => i.checked).value);
    }""", [e, k])


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--no-first-run", "--disable-sync"],
    )


def main(html):
    from playwright.sync_api import sync_playwright

    html = Path(html).resolve()
    with sync_playwright() as p:
        browser = launch(p)
        print(f"First view as a static host sends it (text gzipped); budget {BUDGET / 1e6:.1f} MB")
        print(f"{'page':42s} {'1280 px':>10s} {'390 px':>10s} {'files':>6s} {'ahead':>9s}  largest file")
        worst = 0
        for page in pages(html):
            views = [first_view(browser, html, page, w) for w in WIDTHS]
            worst = max(worst, *(v.bytes for v in views))
            big = views[0].largest[0] if views[0].largest else (0, "")
            flag = "  OVER" if max(v.bytes for v in views) > BUDGET else ""
            print(f"{page:42s} {views[0].bytes / 1e6:9.2f}M {views[1].bytes / 1e6:9.2f}M {views[0].files:6d} "
                  f"{views[0].ahead / 1e3:8.0f}k  {big[1]} ({big[0] / 1e3:.0f} kB){flag}")
        print(f"heaviest first view: {worst / 1e6:.2f} MB")

        server, base = serve(html)
        import os

        print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("Explorer moves on loopback (ms, from the move to the new frame painted); target 50 ms")
        print(f"{'page':42s} {'explorer':>8s} {'moves':>6s} {'first':>7s} {'median':>7s} {'max':>7s}")
        every = []
        try:
            for page in pages(html):
                for lat in latencies(browser, base, page):
                    every += lat.moves
                    print(f"{page:42s} {lat.explorer:8d} {len(lat.moves):6d} {lat.first:7.1f} "
                          f"{statistics.median(lat.moves):7.1f} {max(lat.moves):7.1f}")
        finally:
            server.shutdown()
        if every:
            print(f"all moves: {len(every)}, median {statistics.median(every):.1f} ms, max {max(every):.1f} ms")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ROOT / "_build" / "html")
