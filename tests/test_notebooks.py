"""The graded notebooks: solutions pass, releases pass nothing, releases are current and leak nothing."""

import json
import re

import pytest
from nbgrader.validator import Validator

from nbtools import ROOT, course_copy, nbgrader_cells, notebooks, read

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
SOLUTIONS = [nb for a in ASSIGNMENTS for nb in notebooks(a)]

pytestmark = pytest.mark.slow


def test_every_assignment_is_released():
    released = sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir())
    assert released == ASSIGNMENTS


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_passes_all_tests(path):
    results = Validator().validate(str(path))
    failed = [c["source"].splitlines()[0] + "\n" + c["raw_error"][-500:] for c in results.get("failed", [])]
    assert results.keys() <= {"failed"} and not failed, "\n\n".join(failed)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_release_passes_no_test(path):
    release = ROOT / "exercises" / path.parent.name / path.name
    validator = Validator()
    validator.invert = True
    results = validator.validate(str(release))
    assert not results.get("passed"), [c["source"].splitlines()[0] for c in results["passed"]]
    assert nbgrader_cells(read(release), "grade"), "the release has no test cells"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_sources_have_points_and_no_outputs(path):
    nb = read(path)
    tests = nbgrader_cells(nb, "grade")
    assert tests and all(c.metadata["nbgrader"]["points"] > 0 for c in tests.values())
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    # each test cell's first line says what it checks
    assert all(c.source.startswith("# Checks ") for c in tests.values())


def test_exercises_are_current(tmp_path):
    """exercises/ is exactly what `python -m autograder release` makes from solutions/ now."""
    course = course_copy(tmp_path)
    for assignment in ASSIGNMENTS:
        for fresh in sorted((course.exercises / assignment).iterdir()):
            committed = ROOT / "exercises" / assignment / fresh.name
            assert committed.exists(), f"{committed} is missing: run `make release`"
            assert json.loads(committed.read_text()) == json.loads(fresh.read_text()), (
                f"{committed} is stale: run `make release` and commit exercises/"
            )
        names = {p.name for p in (ROOT / "exercises" / assignment).iterdir()}
        assert names == {p.name for p in (course.exercises / assignment).iterdir()}


def _hidden_lines(source):
    """Lines of solution regions and hidden-test regions of a cell (stripped, non-trivial)."""
    lines = []
    for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", source, flags=re.S):
        lines += [l.strip() for l in block.splitlines() if len(l.strip()) > 12 and not l.strip().startswith("#")]
    return lines


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_release_leaks_no_solution_or_hidden_test(path):
    secret = [line for cell in read(path).cells for line in _hidden_lines(cell.source)]
    assert secret, "the source has no solution or hidden-test regions"
    release_dir = ROOT / "exercises" / path.parent.name
    for file in release_dir.rglob("*"):
        if file.is_file():
            text = file.read_text()
            leaked = [line for line in secret if line in text]
            assert not leaked, f"{file} contains solution/hidden-test lines: {leaked[:3]}"
            assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
