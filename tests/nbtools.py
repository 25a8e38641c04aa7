"""Helpers for the notebook tests: read nbgrader cells, make submissions, copy a course."""

import shutil
from pathlib import Path

import nbformat

from autograder.course import Course

ROOT = Path(__file__).resolve().parents[1]


def read(path):
    return nbformat.read(str(path), as_version=4)


def nbgrader_cells(nb, kind):
    """Cells of a notebook by nbgrader role: kind is "solution" or "grade"; returns {grade_id: cell}."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get(kind)
    }


def points(nb):
    """Points of each graded test cell: {grade_id: points}."""
    return {gid: c.metadata["nbgrader"]["points"] for gid, c in nbgrader_cells(nb, "grade").items()}


def notebooks(assignment, folder=ROOT / "solutions"):
    return sorted((folder / assignment).glob("*.ipynb"))


def make_submission(release_nb, solution_nb, replace=None):
    """A student's notebook: the release with every solution cell filled in from the solutions.

    replace: {grade_id: source} puts the given code in those solution cells instead.
    """
    replace = replace or {}
    answers = nbgrader_cells(solution_nb, "solution")
    nb = nbformat.from_dict(release_nb)
    for gid, cell in nbgrader_cells(nb, "solution").items():
        lines = answers[gid].source.splitlines()
        answer = "\n".join(l for l in lines if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
        cell.source = replace.get(gid, answer)
    return nb


def course_copy(tmp_path, timeout=None):
    """A private copy of the course (solutions only) in tmp_path, released; returns the Course."""
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    course = Course(tmp_path, timeout=timeout)
    for assignment in course.assignments():
        course.nbgrader("generate_assignment", assignment, "--force", "--create", capture=True)
    return course


def submit(course, student, assignment, nb, name):
    folder = course.submitted / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / name))
