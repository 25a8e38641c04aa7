"""How long one explorer update takes in a live kernel (draw + rasterise + encode + alt text).

Prints, for every explorer of the book, the median and the slowest update over all its control
positions. The target in JupyterLab is 100 ms median and 150 ms at most per update; slower
explorers are flagged. The speed of a shared virtual machine drifts (by up to a half, here, within
minutes): a fixed piece of work is timed before and after the run, so that a change between the two
shows the machine's speed moved (equal figures do not prove it held in between). Run: `make benchmark`.
"""

import statistics
import time

import nnref
from nnopt.viz import chapter_explorers


def reference_ms():
    """Milliseconds of a fixed piece of pure-Python work (the best of five): the machine's speed now."""
    def work():
        start = time.perf_counter()
        sum(i * i for i in range(300_000))
        return 1000 * (time.perf_counter() - start)

    return min(work() for _ in range(5))


def main():
    print(f"reference work before: {reference_ms():.1f} ms")
    print(f"{'explorer':40s} {'frames':>6s} {'median ms':>10s} {'max ms':>8s}")
    for name, explorer in chapter_explorers(nnref):
        explorer.render()  # first draw builds the figure and caches fonts
        times = []
        for params in explorer.combinations():
            start = time.perf_counter()
            explorer.render(**params)
            explorer.alt_text(**params)
            times.append(1000 * (time.perf_counter() - start))
        median, slowest = statistics.median(times), max(times)
        flag = "  SLOW" if median > 100 or slowest > 150 else ""
        print(f"{name:40s} {len(times):6d} {median:10.1f} {slowest:8.1f}{flag}", flush=True)
    print(f"reference work after: {reference_ms():.1f} ms")


if __name__ == "__main__":
    main()
