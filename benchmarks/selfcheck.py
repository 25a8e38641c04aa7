"""How long the self-check takes on a finished notebook of each assignment (the aim: under 5 s).

For every assignment, the released notebook with every answer filled in from the solutions is
checked with ``python -m nnopt.selfcheck`` as a student runs it (a new process each time: Python's
start, the zygote's imports of NumPy, Matplotlib and IPython, the notebook's cells).  Prints the
wall-clock seconds per assignment (the best and the median of ``--repeat`` runs) and the machine's
load average, which the figures depend on.

Run: ``python benchmarks/selfcheck.py`` (``--repeat 3``).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import nbformat  # noqa: E402

from nbtools import make_submission, notebooks, read  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for assignment in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
            for path in notebooks(assignment):
                release = ROOT / "exercises" / assignment / path.name
                if not release.is_file():
                    print(f"{assignment}: not released")
                    continue
                mine = Path(tmp) / path.name
                nbformat.write(make_submission(read(release), read(path)), str(mine))
                times, status = [], None
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    proc = subprocess.run([sys.executable, "-m", "nnopt.selfcheck", str(mine)], cwd=tmp,
                                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
                    times.append(time.perf_counter() - start)
                    status = proc.returncode
                verdict = "passes" if status == 0 else f"exit {status}: {proc.stdout.strip().splitlines()[-1:]}"
                worst = max(worst, min(times))
                print(f"{assignment:22s} {path.name:28s} best {min(times):5.2f} s  median {statistics.median(times):5.2f} s"
                      f"  ({verdict})", flush=True)
    print(f"slowest assignment: {worst:.2f} s (load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
