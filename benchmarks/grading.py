"""Grading speed: this course's autograder against plain serial ``nbgrader autograde``, same class.

Builds a synthetic class in a temporary folder: N students (default 100) times every assignment in
solutions/, a realistic mix of submissions per assignment:

  honest   55% correct, 15% one function wrong (tests/assignments.py), 10% half done, 5% untouched
  hostile  3% an infinite loop, 3% a kernel crash (os._exit), 3% np.isclose monkeypatched,
           3% correct code that warns on stderr, 3% 1 MB of output

Then grades it twice, in two copies of the course: ``python -m autograder autograde --jobs N``
(default: the number of cores) and ``nbgrader autograde ASSIGNMENT`` for each assignment in turn, as
the course's CLI used to.  Prints notebooks per second for both, the ratio, and whether the two
agree on every test cell of every honest submission (on hostile ones they differ by design: see
autograder/README.md).  Wall-clock times include each tool's start-up.  On a shared machine the
figures are noisy; the load average is printed with them.

Run: ``make benchmark-grading``, or ``python benchmarks/grading.py --students 20``.
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import nbformat  # noqa: E402

from autograder.course import Course  # noqa: E402

MIX = [("correct", 55), ("wrong", 15), ("half", 10), ("untouched", 5),
       ("loop", 3), ("crash", 3), ("tamper", 3), ("warning", 3), ("flood", 3)]
HONEST = {"correct", "wrong", "half", "untouched"}


def cells(nb, kind):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get(kind)]


def answers(solution):
    """{grade_id: the solution's code without the solution markers}."""
    out = {}
    for cell in cells(solution, "solution"):
        lines = [l for l in cell.source.splitlines() if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
        out[cell.metadata.nbgrader["grade_id"]] = "\n".join(lines)
    return out


def make(kind, release, solution, spec):
    """A student's notebook of the given kind."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    code = answers(solution)
    ids = [c.metadata.nbgrader["grade_id"] for c in cells(nb, "solution")]
    first = ids[0]
    replace = {}
    if kind == "wrong":
        replace = {spec["wrong"]["cell"]: spec["wrong"]["code"]}
    elif kind == "loop":
        replace = {spec["loop"]["cell"]: spec["loop"]["code"]}
    elif kind == "crash":
        replace = {first: code[first] + "\nimport os\nos._exit(1)\n"}
    elif kind == "tamper":
        replace = {first: code[first] + "\nimport numpy as np\nnp.isclose = lambda a, b, **k: "
                          "np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)\n"}
    elif kind == "warning":  # the first function warns every time it runs (in the tests too)
        import ast

        name = next(n.name for n in ast.parse(code[first]).body if isinstance(n, ast.FunctionDef))
        replace = {first: code[first] + f"\n\nimport warnings\n_{name} = {name}\n\n"
                          f"def {name}(*args, **kwargs):\n"
                          f"    warnings.warn('a warning from correct code', RuntimeWarning)\n"
                          f"    return _{name}(*args, **kwargs)\n"}
    elif kind == "flood":
        replace = {first: code[first] + "\nprint('x' * 1_000_000)\n"}
    for cell in cells(nb, "solution"):
        gid = cell.metadata.nbgrader["grade_id"]
        if kind == "untouched" or (kind == "half" and ids.index(gid) >= len(ids) // 2):
            continue
        cell.source = replace.get(gid, code[gid])
    return nb


def build(folder, students, seed):
    """The course copy with its synthetic class; returns ({(student, assignment): kind}, assignments)."""
    from assignments import ASSIGNMENTS

    course = Course(folder)
    rng = random.Random(seed)
    kinds, names = [k for k, _ in MIX], [w for _, w in MIX]
    plan, used = {}, []
    for src in sorted((ROOT / "solutions").iterdir()):
        if not src.is_dir():
            continue
        shutil.copytree(src, course.solutions / src.name)
        released = ROOT / "exercises" / src.name
        if released.is_dir():
            shutil.copytree(released, course.exercises / src.name)
        else:  # an assignment still being written: release it here
            course.nbgrader("generate_assignment", src.name, "--force", "--create", capture=True)
        spec = ASSIGNMENTS.get(src.name)
        if spec is None:
            print(f"skipping {src.name}: no round-trip spec in tests/assignments.py yet")
            continue
        used.append(src.name)
        for path in sorted(src.glob("*.ipynb")):
            solution = nbformat.read(path, as_version=4)
            release = nbformat.read(course.exercises / src.name / path.name, as_version=4)
            for i in range(students):
                student = f"s{i:03d}"
                kind = rng.choices(kinds, names)[0]
                plan[student, src.name] = kind
                target = course.submitted / student / src.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(make(kind, release, solution, spec), str(target))
    return plan, used


def ours(folder, jobs, timeout):
    """Seconds, and {(student, assignment): {test: score}}."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "--root", str(folder), "autograde", "--jobs", str(jobs),
                    "--timeout", str(timeout)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    seconds = time.perf_counter() - start
    out = subprocess.run([sys.executable, "-m", "autograder", "--root", str(folder), "export"], check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    scores = {}
    for row in csv.DictReader(io.StringIO(out)):
        scores[row["student"], row["assignment"]] = {k: float(v) for k, v in row.items()
                                                     if k.startswith("test_") and v != ""}
    return seconds, scores


def nbgrader(folder, assignments, timeout):
    """Plain serial ``nbgrader autograde``, one assignment after the other: seconds and scores."""
    from nbgrader.api import Gradebook

    course = Course(folder, timeout=timeout)
    for assignment in assignments:  # the gradebook must know the assignments (not timed)
        course.prepare(assignment)
    start = time.perf_counter()
    for assignment in assignments:
        course.nbgrader("autograde", assignment, "--force", "--create", check=False, capture=True)
    seconds = time.perf_counter() - start
    scores = {}
    with Gradebook(course.db_url) as gb:
        for assignment in assignments:
            for sub in gb.assignment_submissions(assignment):
                scores[sub.student_id, assignment] = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
    return seconds, scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--timeout", type=int, default=5, help="seconds per cell, for both graders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        plan, assignments = build(tmp / "ours", args.students, args.seed)
        shutil.copytree(tmp / "ours", tmp / "nbgrader")
        n = len(plan)
        honest = sum(kind in HONEST for kind in plan.values())
        print(f"class: {args.students} students x {len(assignments)} assignments = {n} notebooks "
              f"({honest} honest, {n - honest} hostile); cell timeout {args.timeout} s; "
              f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}")
        t_ours, s_ours = ours(tmp / "ours", args.jobs, args.timeout)
        print(f"autograder --jobs {args.jobs}: {t_ours:7.1f} s  {n / t_ours:6.2f} notebooks/s "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        t_nbg, s_nbg = nbgrader(tmp / "nbgrader", assignments, args.timeout)
        print(f"nbgrader autograde (serial):  {t_nbg:7.1f} s  {n / t_nbg:6.2f} notebooks/s "
              f"(load average {os.getloadavg()[0]:.1f})")
        print(f"ratio: {t_nbg / t_ours:.2f}x")
        differ = [(key, s_ours.get(key), s_nbg.get(key)) for key, kind in sorted(plan.items())
                  if kind in HONEST and s_ours.get(key) != s_nbg.get(key)]
        print(f"grades agree on {honest - len(differ)} of {honest} honest submissions"
              + ("" if not differ else ":"))
        for key, a, b in differ[:10]:
            print(f"  {key} ({plan[key]}): autograder {a}, nbgrader {b}")
        hostile = {kind: 0 for kind in plan.values() if kind not in HONEST}
        for key, kind in plan.items():
            if kind not in HONEST and s_ours.get(key) != s_nbg.get(key):
                hostile[kind] += 1
        print("hostile submissions graded differently (by design): "
              + ", ".join(f"{k} {v}/{sum(1 for x in plan.values() if x == k)}" for k, v in sorted(hostile.items())))
        return 1 if differ else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
