"""Rebuilding the cells to grade from the source and the submission, without kernels."""

import nbformat
import pytest

from gradecore.rebuild import HIDDEN, SOLUTION, graded_cells, read_submission, rebuild, role, visible


def cell(kind, gid, source, cell_type="code", points=None):
    meta = {"grade_id": gid, "schema_version": 3, "locked": kind in ("locked", "test", "task"),
            "solution": kind in ("solution", "manual"), "grade": kind in ("test", "manual"), "task": kind == "task"}
    if points is not None:
        meta["points"] = points
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    return make(source, metadata={"nbgrader": meta})


def source():
    return nbformat.v4.new_notebook(cells=[
        cell("locked", "setup", "import numpy as np"),
        cell("solution", "f", f"def f(x):\n    {SOLUTION[0]}\n    return 2 * x\n    {SOLUTION[1]}"),
        cell("test", "test_f", f"# Checks f\nassert f(1) == 2\n{HIDDEN[0]}\nassert f(2) == 4\n{HIDDEN[1]}", points=2),
        cell("manual", "why", "### BEGIN SOLUTION\nBecause.\n### END SOLUTION", "markdown", points=1),
        cell("task", "task_plot", "Plot f.", "markdown", points=3),
    ])


def student(**changes):
    """The released notebook, answered: the students' copy of the test cell has no hidden tests."""
    nb = source()
    nb.cells[1].source = "def f(x):\n    return 2 * x"
    nb.cells[2].source = visible(nb.cells[2].source)
    nb.cells[3].source = "Because the line is vertical."
    for gid, change in changes.items():
        target = next(c for c in nb.cells if c.metadata.nbgrader["grade_id"] == gid)
        target.update(change)
    return nb


def kinds(cells):
    return [(c.kind, c.grade_id) for c in cells]


def test_roles_are_nbgraders():
    nb = source()
    assert [role(c) for c in nb.cells] == ["locked", "solution", "test", "manual", "task"]
    assert list(graded_cells(nb)) == ["test_f", "why", "task_plot"]


def test_an_honest_notebook_is_graded_as_written():
    cells, flags, _ = rebuild(source(), student())
    assert flags == []
    assert kinds(cells) == [("setup", "setup"), ("student", "f"), ("test", "test_f"), ("markdown", "why"),
                            ("markdown", "task_plot")]
    assert HIDDEN[0] in cells[2].code  # the source's test cell runs, hidden tests included
    assert cells[1].code == "def f(x):\n    return 2 * x" and cells[1].students
    assert not cells[4].students  # a task's prompt is the course's


def test_locked_cells_come_from_the_source_whatever_the_student_did():
    nb = student(test_f={"source": "print('all good')"}, setup={"source": "import numpy as np\nnp.isclose = 1"})
    cells, flags, _ = rebuild(source(), nb)
    assert flags == ["test cell test_f was edited (restored)"]
    assert cells[0].code == "import numpy as np" and "assert f(2) == 4" in cells[2].code


def test_deleted_moved_and_retyped_test_cells_are_restored_and_flagged():
    nb = student()
    nb.cells = [c for c in nb.cells if c.metadata.nbgrader["grade_id"] != "test_f"]
    assert rebuild(source(), nb)[1:] == (["test cell test_f was deleted (restored)"], {"test_f": "deleted"})
    nb = student()
    nb.cells.insert(0, nb.cells.pop(2))
    cells, flags, _ = rebuild(source(), nb)
    assert flags == ["test cell test_f was moved (graded in its place)"]
    assert kinds(cells)[2] == ("test", "test_f")
    nb = student(test_f={"cell_type": "markdown"})
    assert rebuild(source(), nb)[1] == ["test cell test_f was changed to markdown (restored)"]


def test_the_students_own_cells_stay_where_they_put_them():
    nb = student()
    nb.cells.insert(2, nbformat.v4.new_code_cell("helper = 3"))
    nb.cells.append(nbformat.v4.new_markdown_cell("My plot:"))
    cells, _, _ = rebuild(source(), nb)
    own = [(c.kind, c.code, c.after) for c in cells if c.grade_id is None]
    assert own == [("student", "helper = 3", "f"), ("markdown", "My plot:", "task_plot")]


def test_a_notebook_of_other_cells_is_graded_as_it_is_and_flagged():
    cells, flags, _ = rebuild(source(), nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f(x): return 2*x")]))
    assert "none of the assignment's cells" in flags[0]
    assert kinds(cells)[0] == ("student", None)


@pytest.mark.parametrize("data, why", [(b"", "empty"), (b"\xff\xfe", "not text"), (b"{", "not a valid notebook"),
                                       (b'{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                                        "not a valid notebook")])
def test_an_unreadable_file_says_why(data, why):
    with pytest.raises(ValueError, match=why):
        read_submission(data)
