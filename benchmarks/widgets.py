"""How long one explorer update takes in a live kernel (draw + rasterise + encode + alt text).

Prints, for every explorer of the book, the median and the slowest update over all its control
positions. The target in JupyterLab is 100 ms median and 150 ms at most per update; slower
explorers are flagged. Run: `make benchmark`.
"""

import importlib
import inspect
import itertools
import pkgutil
import statistics
import time

import nnopt.viz
import nnref


def explorers():
    """(name, explorer) for every explorer the book shows: each chapter module's ``explorers()``."""
    for info in pkgutil.iter_modules(nnref.__path__):  # so that ref.<module> works, as after an import in a page
        importlib.import_module(f"nnref.{info.name}")
    for info in pkgutil.iter_modules(nnopt.viz.__path__):
        module = importlib.import_module(f"nnopt.viz.{info.name}")
        if hasattr(module, "explorers"):
            # a chapter's pictures take their algorithms as arguments: here, the reference implementations
            takes_ref = bool(inspect.signature(module.explorers).parameters)
            for name, explorer in (module.explorers(nnref) if takes_ref else module.explorers()):
                yield f"{info.name}: {name}", explorer


def main():
    print(f"{'explorer':40s} {'frames':>6s} {'median ms':>10s} {'max ms':>8s}")
    for name, explorer in explorers():
        explorer.render()  # first draw builds the figure and caches fonts
        times = []
        for values in itertools.product(*(c.values for c in explorer.controls)):
            params = {c.name: v for c, v in zip(explorer.controls, values)}
            start = time.perf_counter()
            explorer.render(**params)
            explorer.alt_text(**params)
            times.append(1000 * (time.perf_counter() - start))
        median, slowest = statistics.median(times), max(times)
        flag = "  SLOW" if median > 100 or slowest > 150 else ""
        print(f"{name:40s} {len(times):6d} {median:10.1f} {slowest:8.1f}{flag}", flush=True)


if __name__ == "__main__":
    main()
