"""export: the grades as CSV files, each written whole or not at all.

- The detailed file (for the instructor): one row per student and assignment, with the student's key,
  LMS name and id, one column per graded cell, the total, the maximum, the status and lateness.  A
  cell not graded yet is empty, never 0; so is the total of an assignment that has one.
- Canvas's gradebook import (the students collected from Canvas, and those of no LMS): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per
  assignment, one row per student, and a ``Points Possible`` row for the assignments Canvas does not
  have yet.  Canvas finds a student by ``ID`` (its user id, which collect read from the file names),
  then the SIS ids, then the name; an assignment by its column title ("Title (id)" as Canvas exports
  it, when the roster read Canvas's gradebook export), else it creates one.
- Moodle's "Import grades from CSV" (the students collected from Moodle, and those of no LMS): ``Full name, Email address, ID number``, then one column per
  assignment.  Moodle asks which column identifies a user (map "Email address" to the email, or "ID
  number" to the ID number) and which grade item each other column goes to.

An empty grade means "no grade" to both LMSs: an assignment not fully graded yet stays empty there.
"""

import csv
import io
import os
import sys

from . import roster as rosters
from .grades import CellKind


def _number(value):
    """A score as the LMSs read it: at most two decimals, a point for the decimal mark."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def question_columns(subs):
    """{(assignment, notebook, cell): column title}: the cell's name, or notebook:cell where one
    assignment has that name in two notebooks."""
    titles, seen = {}, {}
    for sub in subs:
        for grade in sub.cells:
            c = grade.cell
            seen.setdefault((sub.assignment, c.name), set()).add(c.notebook)
    for sub in subs:
        for grade in sub.cells:
            c = grade.cell
            clash = len(seen[sub.assignment, c.name]) > 1
            titles.setdefault((sub.assignment, c.notebook, c.name), f"{c.notebook}:{c.name}" if clash else c.name)
    return titles


def detailed(subs, students):
    """The detailed CSV's text: one row per student and assignment."""
    titles = question_columns(subs)
    questions = list(dict.fromkeys(titles.values()))
    columns = ["student", "name", "lms_id", "assignment", *questions, "score", "max_score", "status", "late"]
    rows = []
    for sub in subs:
        values = {titles[sub.assignment, g.cell.notebook, g.cell.name]:
                  "" if g.pending else str(float(g.score + g.extra_credit)) for g in sub.cells}
        student = students.get(sub.student)
        rows.append([sub.student, (student.name if student else "") or sub.name, student.lms_id if student else "",
                     sub.assignment,
                     *(values.get(q, "") for q in questions),
                     "" if sub.score is None else str(float(sub.score)), str(float(sub.max_score)),
                     sub.status, "late" if sub.late else ""])
    return _csv(columns, rows)


def _by_student(subs, students, lms):
    """{student: {assignment: SubmissionGrade}} of the students of this LMS (or of none: a folder of their own)."""
    table = {}
    for sub in subs:
        student = students.get(sub.student)
        if student is None or student.lms in ("", lms):
            table.setdefault(sub.student, {})[sub.assignment] = sub
    return table


def canvas(subs, students, assignments, titles):
    """Canvas's gradebook import; returns (text, students without a Canvas id)."""
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
               *(titles.get(a, a) for a in assignments)]
    maxima = {s.assignment: s.max_score for s in subs}
    points = ["Points Possible", "", "", "", "",
              *("" if a in titles else _number(maxima.get(a, 0)) for a in assignments)]
    rows, no_id = [points], []
    for key, mine in sorted(_by_student(subs, students, "canvas").items()):
        s = students.get(key) or rosters.Student(key=key)
        if not s.canvas_id:
            no_id.append(key)
        scores = [_number(mine[a].score) if a in mine and mine[a].score is not None else "" for a in assignments]
        rows.append([s.name or key, s.canvas_id, s.sis_user_id, s.sis_login_id, s.section, *scores])
    return _csv(columns, rows), no_id


def moodle(subs, students, assignments, titles):
    """Moodle's CSV grade import; returns (text, students left out: no email and no ID number)."""
    columns = ["Full name", "Email address", "ID number", *(titles.get(a, a) for a in assignments)]
    rows, left_out = [], []
    for key, mine in sorted(_by_student(subs, students, "moodle").items()):
        s = students.get(key) or rosters.Student(key=key)
        if not (s.email or s.id_number):
            left_out.append(key)
            continue
        scores = [_number(mine[a].score) if a in mine and mine[a].score is not None else "" for a in assignments]
        rows.append([s.name or key, s.email, s.id_number, *scores])
    return _csv(columns, rows), left_out


def write(path, text):
    """The whole text to ``path`` (a temporary file renamed over it), or to standard output for "-"."""
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def not_graded_yet(subs):
    """Lines saying which assignments have submissions that the LMS files leave empty, and why."""
    lines = []
    for assignment in dict.fromkeys(s.assignment for s in subs):
        open_ = [s for s in subs if s.assignment == assignment and s.score is None]
        if open_:
            manual = sum(1 for s in open_ if any(g.cell.kind is not CellKind.TEST and g.pending for g in s.cells))
            lines.append(f"{assignment}: {len(open_)} submission(s) not fully graded yet (empty in the LMS files"
                         + (f"; {manual} need grading by hand: python -m autograder formgrade" if manual else "") + ")")
    return lines
