"""An autograde round trip per assignment: full, zero and exact partial scores; a loop times out."""

import csv
import io
import subprocess
import sys

import pytest

from assignments import ASSIGNMENTS
from nbtools import ROOT, course_copy, make_submission, notebooks, points, read, submit

pytestmark = pytest.mark.slow


def scores(course):
    """{(student, assignment): row} from the CLI's CSV export."""
    out = subprocess.run(
        [sys.executable, "-m", "autograder", "--root", str(course.root), "export"],
        check=True, capture_output=True, text=True,
    ).stdout
    return {(r["student"], r["assignment"]): r for r in csv.DictReader(io.StringIO(out))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade four submissions of every assignment in a private copy of the course."""
    course = course_copy(tmp_path_factory.mktemp("course"), timeout=5)
    for assignment, spec in ASSIGNMENTS.items():
        for path in notebooks(assignment):
            release = read(course.exercises / assignment / path.name)
            solution = read(path)
            submit(course, "correct", assignment, make_submission(release, solution), path.name)
            submit(course, "untouched", assignment, release, path.name)
            for case in ("wrong", "loop"):
                change = {spec[case]["cell"]: spec[case]["code"]}
                submit(course, case, assignment, make_submission(release, solution, change), path.name)
    subprocess.run([sys.executable, "-m", "autograder", "--root", str(course.root), "--timeout", "5", "autograde"],
                   check=True, capture_output=True, text=True)
    return scores(course)


def test_every_assignment_has_a_round_trip():
    assert sorted(ASSIGNMENTS) == sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_scores(graded, assignment):
    pts = {}
    for path in notebooks(assignment):
        pts.update(points(read(path)))
    total = sum(pts.values())
    assert float(graded["correct", assignment]["max_score"]) == total
    assert float(graded["correct", assignment]["score"]) == total
    assert float(graded["untouched", assignment]["score"]) == 0
    for case in ("wrong", "loop"):
        row = graded[case, assignment]
        fails = ASSIGNMENTS[assignment][case]["fails"]
        # exactly the named test cells lose their points, every other one keeps them
        for test, p in pts.items():
            assert float(row[test]) == (0 if test in fails else p), f"{case}: {test} scored {row[test]}"
        assert float(row["score"]) == total - sum(pts[t] for t in fails)
