"""How long one explorer update takes (recompute + redraw + encode), as in a live kernel.

Prints, for every explorer of the book, the median and the slowest update over all its slider
positions. The target for a live slider is 100 ms per update. Run: `make benchmark`.
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
            times.append(1000 * (time.perf_counter() - start))
        print(f"{name:40s} {len(times):6d} {statistics.median(times):10.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
