"""Each student's grade for each assignment, from every place that knows part of it.

- the result records of ``autograde`` (``results/``): each autograded test's outcome and message;
- nbgrader's gradebook: the scores (a person's score over the autograder's, as nbgrader counts them),
  which cells still need grading by hand, the graders' comments and the review flag (all of which
  formgrader edits);
- the roster (the students' names) and what ``collect`` noted (lateness).

``load`` gives one ``SubmissionGrade`` per student and assignment; ``export``, ``feedback`` and
``report`` all read grades through it, so a grade entered in formgrader reaches all three.  A cell
graded by hand and not graded yet has ``score`` None, never 0.
"""

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from . import collect as collecting
from . import roster as rosters


class CellKind(Enum):
    TEST = "autograded test"
    ANSWER = "answer graded by hand"
    TASK = "task graded by hand"


class Standing(Enum):
    """Where a student's assignment stands, worst first."""

    FAULT = "fault"                       # the grading infrastructure failed: no grade yet
    NOT_GRADED = "not graded yet"         # collected, not autograded
    MANUAL = "needs manual grading"       # autograded; cells graded by hand are still open
    REVIEW = "review"                     # graded; a person should look (the reasons say why)
    OK = "ok"


@dataclass
class Cell:
    """A graded cell of a source notebook."""

    notebook: str    # the notebook's stem
    name: str        # its grade_id
    kind: CellKind
    max_score: float


@dataclass
class CellGrade:
    cell: Cell
    score: float | None = None          # None: not graded yet
    outcome: str = ""                   # the autograder's (passed, failed, timed out, ...); "" when graded by hand
    message: str | None = None          # why a test failed (safe for the student: redacted by the grader)
    warnings: list = field(default_factory=list)
    truncated: bool = False
    adjusted: bool = False              # a person changed the autograder's score
    extra_credit: float = 0.0

    @property
    def pending(self):
        return self.score is None


@dataclass
class SubmissionGrade:
    student: str
    name: str                           # the display name (roster)
    assignment: str
    standing: Standing
    cells: list                         # [CellGrade], in the notebooks' order
    comments: dict                      # {(notebook stem, cell name): the grader's comment}
    flags: list                         # review reasons (instructor-only)
    fault: str = ""
    late: bool = False
    records: dict = field(default_factory=dict)  # {notebook file name: engine.Record}

    @property
    def max_score(self):
        return sum(c.cell.max_score for c in self.cells)

    @property
    def score(self):
        """The total, or None while a cell is not graded yet (or nothing is)."""
        if self.standing in (Standing.FAULT, Standing.NOT_GRADED) or any(c.pending for c in self.cells):
            return None
        return sum(c.score + c.extra_credit for c in self.cells)

    @property
    def pending(self):
        return [c.cell.name for c in self.cells if c.pending]

    @property
    def status(self):
        """One line: "ok", "review: why", "needs manual grading: cells[; review: why]", "not graded yet",
        "fault: why"."""
        review = "review: " + "; ".join(self.flags) if self.flags else ""
        if self.standing is Standing.FAULT:
            return f"fault: {self.fault}"
        if self.standing is Standing.NOT_GRADED:
            return Standing.NOT_GRADED.value
        if self.standing is Standing.MANUAL:
            return f"{Standing.MANUAL.value}: {', '.join(self.pending)}" + (f"; {review}" if review else "")
        return review or Standing.OK.value


def kind(cell):
    """The CellKind of a source cell (nbgrader's own tests of its metadata), None if not graded."""
    from nbgrader import utils

    if utils.is_task(cell):
        return CellKind.TASK
    if utils.is_grade(cell):
        return CellKind.ANSWER if utils.is_solution(cell) else CellKind.TEST
    return None


def graded_cells(course, assignment):
    """The graded cells of an assignment's source notebooks, in order."""
    import nbformat

    cells = []
    for path in course.notebooks(assignment):
        for cell in nbformat.read(str(path), as_version=4).cells:
            k = kind(cell)
            if k:
                meta = cell.metadata["nbgrader"]
                cells.append(Cell(path.stem, meta["grade_id"], k, float(meta.get("points", 0))))
    return cells


def _gradebook(course, assignments):
    """{(student, assignment): {"grades": {(nb, cell): row}, "comments": {(nb, cell): text}, "flagged": bool}}."""
    if not course.gradebook.exists():
        return {}
    from nbgrader.api import (Assignment, BaseCell, Comment, Grade, Gradebook, Notebook, SubmittedAssignment,
                              SubmittedNotebook)

    found = {}
    with Gradebook(course.db_url) as gb:
        def joined(model):
            return (gb.db.query(SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name, model)
                    .join(SubmittedNotebook, model.notebook_id == SubmittedNotebook.id)
                    .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                    .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                    .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                    .join(BaseCell, model.cell_id == BaseCell.id)
                    .filter(Assignment.name.in_(assignments)))

        for student, assignment, notebook, cell, grade in joined(Grade):
            entry = found.setdefault((student, assignment), {"grades": {}, "comments": {}, "flagged": False})
            entry["grades"][notebook, cell] = (grade.auto_score, grade.manual_score, grade.extra_credit,
                                               grade.needs_manual_grade)
        for student, assignment, notebook, cell, comment in joined(Comment):
            text = comment.manual_comment or comment.auto_comment
            if text and text.strip() and (student, assignment) in found:
                found[student, assignment]["comments"][notebook, cell] = text.strip()
        flagged = (gb.db.query(SubmittedAssignment.student_id, Assignment.name)
                   .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                   .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                   .filter(SubmittedNotebook.flagged, Assignment.name.in_(assignments)))
        for student, assignment in flagged:
            if (student, assignment) in found:
                found[student, assignment]["flagged"] = True
    return found


def _records(course, assignments):
    """{(student, assignment): {notebook file name: Record}} of the result records."""
    from . import engine

    found = {}
    for record in engine.records(course):
        if record.assignment in assignments:
            found.setdefault((record.student, record.assignment), {})[record.notebook] = record
    return found


def _grade(cell, record, row):
    """The CellGrade of one cell from its Record and its gradebook row (either may be missing)."""
    grade = CellGrade(cell)
    test = record.result.tests.get(cell.name) if record else None
    if test is not None and cell.kind is CellKind.TEST:
        grade.outcome, grade.message = test.outcome.value, test.message
        grade.warnings, grade.truncated = list(test.warnings), test.truncated
    if row is not None:
        auto, manual, extra, needs_manual = row
        # nbgrader's rule: a person's score over the autograder's; a task is always graded by a person
        open_ = needs_manual or (cell.kind is CellKind.TASK and manual is None)
        grade.score = None if open_ else (manual if manual is not None else (auto or 0.0))
        grade.adjusted = manual is not None and cell.kind is CellKind.TEST
        grade.extra_credit = extra or 0.0
    elif test is not None and cell.kind is CellKind.TEST and test.score is not None:
        grade.score = float(test.score)
    return grade


def load(course, assignments=None, students=None):
    """A SubmissionGrade for every student and assignment that has a submission, a record or a grade."""
    assignments = assignments or course.assignments()
    roster = rosters.load(course)
    records = _records(course, assignments)
    book = _gradebook(course, assignments)
    keys = set(records) | set(book)
    for assignment in assignments:
        keys |= {(s, assignment) for s in course.students(assignment)}
    cells = {a: graded_cells(course, a) for a in assignments}
    result = []
    for student, assignment in sorted(keys, key=lambda k: (k[1], k[0])):
        if students and student not in students:
            continue
        recs = records.get((student, assignment), {})
        entry = book.get((student, assignment))
        by_stem = {Path(nb).stem: r for nb, r in recs.items()}
        grades = [_grade(c, by_stem.get(c.notebook), (entry or {}).get("grades", {}).get((c.notebook, c.name)))
                  for c in cells[assignment]]
        faults = [r.result.fault for r in recs.values() if r.result.fault]
        flags = [reason for r in recs.values() for reason in r.result.reasons]
        if entry is not None and not entry["flagged"]:
            flags = []  # not flagged in the gradebook: nothing to review, or a person cleared the flag
        if faults:
            standing = Standing.FAULT
        elif not recs and entry is None:
            standing = Standing.NOT_GRADED
        elif any(g.pending for g in grades):
            standing = Standing.MANUAL
        else:
            standing = Standing.REVIEW if flags else Standing.OK
        result.append(SubmissionGrade(
            student=student, name=rosters.display_name(roster, student), assignment=assignment,
            standing=standing, cells=grades, comments=(entry or {}).get("comments", {}),
            flags=list(dict.fromkeys(flags)), fault="; ".join(faults),
            late=collecting.is_late(course, student, assignment), records=recs))
    return result
