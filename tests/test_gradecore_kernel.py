"""What grading does in its kernels, graded with ``gradecore.grade`` directly (no course, no
nbgrader): CPU-time limits, the cells after the last test, a test cell that opens a file, errors of
the student's own cells, and the notebook the instructor gets back."""

import json

import nbformat
import pytest

from gradecore import client, config
from gradecore.grade import grade
from gradecore.rebuild import HIDDEN, visible
from gradecore.results import AfterTests, Outcome, Status
from nbtools import ROOT

pytestmark = pytest.mark.slow
SETTINGS = config.settings(config.load(ROOT / "autograder" / "nbgrader_config.py"), limits={"timeout": 3})


def nbcell(kind, gid, source, points=None):
    meta = {"grade_id": gid, "schema_version": 3, "locked": kind in ("locked", "test"),
            "solution": kind == "solution", "grade": kind == "test", "task": False}
    if points:
        meta["points"] = points
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def source():
    return nbformat.v4.new_notebook(cells=[
        nbcell("locked", "setup", "import numpy as np\nimport time"),
        nbcell("solution", "double", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        nbcell("test", "test_double", f"# Checks double\nassert double(2) == 4\nassert open('data.txt').read() == 'hi'\n"
                                      f"{HIDDEN[0]}\nassert double(-1) == -2\n{HIDDEN[1]}", points=2),
        nbcell("solution", "wait", "def wait(seconds):\n    ### BEGIN SOLUTION\n    time.sleep(seconds)\n"
                                   "    return seconds\n    ### END SOLUTION"),
        nbcell("test", "test_wait", "# Checks wait: 5 s asleep use no CPU time\nassert wait(5) == 5", points=1),
        nbformat.v4.new_code_cell("print('after the tests:', double(21))"),
    ])


def answered(**code):
    """The students' copy (no hidden tests) with their code in the solution cells."""
    nb = source()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.source = code.get(gid, visible(cell.source))
    return nbformat.writes(nb).encode()


RIGHT = {"double": "def double(x):\n    return 2 * x", "wait": "def wait(s):\n    time.sleep(s)\n    return s"}


@pytest.fixture(scope="module")
def graded():
    src = nbformat.writes(source())
    settings = SETTINGS.but(files=(("data.txt", b"hi"),), after_tests=AfterTests.ALWAYS)
    cases = {
        "right": answered(**RIGHT),
        "loop": answered(double="def double(x):\n    while True:\n        x += 1", wait="def wait(s):\n    return s"),
        "syntax": answered(double="def double(x):\n    retrun 2 * x", wait="def wait(s):\n    return s"),
    }
    results = {name: grade(src, data, settings) for name, data in cases.items()}
    # by default the cells after the last test run only for a notebook a person will look at
    review = settings.but(after_tests=AfterTests.REVIEW)
    results["right, by default"] = grade(src, answered(**RIGHT), review)
    results["flagged, by default"] = grade(src, answered(**{**RIGHT, "double": RIGHT["double"] + "\nimport gc"}), review)
    client.shutdown()
    return results


def test_a_test_cell_that_opens_a_file_flags_nobody(graded):
    right = graded["right"]
    assert (right.score, right.status, right.reasons) == (3.0, Status.OK, [])


def test_the_time_limit_counts_cpu_time_not_sleep(graded):
    # a cell asleep for 5 s passes a 3 s limit; a loop that burns CPU is stopped
    assert graded["right"].tests["test_wait"].outcome is Outcome.PASSED
    loop = graded["loop"].tests["test_double"]
    assert loop.outcome is Outcome.TIMED_OUT and loop.message == "timed out after 3 s of CPU time (an infinite loop?)"


def test_cells_after_the_last_test_run_and_cannot_change_a_grade(graded):
    cells = json.loads(graded["right"].notebook)["cells"]
    assert cells[-1]["outputs"][0]["text"] == "after the tests: 42\n"
    loop = graded["loop"]
    assert loop.score == 1.0  # its last cell timed out too: shown, not scored
    assert loop.answers[-1].error.ename == "Timeout"


def test_by_default_the_cells_after_the_tests_run_when_a_person_will_look(graded):
    assert json.loads(graded["right, by default"].notebook)["cells"][-1]["outputs"] == []
    flagged = graded["flagged, by default"]
    assert flagged.status is Status.REVIEW and "imports gc" in flagged.describe()
    assert json.loads(flagged.notebook)["cells"][-1]["outputs"][0]["text"] == "after the tests: 42\n"
    assert graded["right, by default"].score == flagged.score == 3.0


def test_a_syntax_error_is_reported_with_its_line(graded):
    syntax = graded["syntax"]
    answer = next(a for a in syntax.answers if a.grade_id == "double")
    assert (answer.error.ename, answer.error.line) == ("SyntaxError", 2)
    assert str(answer.error) == "SyntaxError: invalid syntax (line 2: retrun 2 * x)"
    message = syntax.tests["test_double"].message
    assert message.startswith("NameError: name 'double' is not defined")
    assert "your cell double failed: SyntaxError: invalid syntax (line 2" in message
