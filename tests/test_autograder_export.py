"""export: the detailed CSV and the gradebook files for Canvas and Moodle, checked against the layout
each LMS's importer reads (``canvas_import`` and ``moodle_import`` below restate their rules), and
written whole or not at all.

Canvas's gradebook importer (Grades > Import; the rules of its GradebookImporter): the header row's
first column holds "Student" and its second "ID"; "SIS User ID" and "SIS Login ID" may follow
(together), then "Section" must close the student columns; every other column is an assignment,
known by its title or by "Title (id)"; a row whose first column is "Points Possible" gives the
assignments' points; a student is found by ID, then SIS User ID or SIS Login ID, then name; an empty
grade or "-" is no grade.  Moodle's "Import grades from CSV": the first row names the columns; the
user picks which column identifies a user, mapped to the user id, username, ID number or email; an
empty value or "-" is no grade, anything else must read as a number.
"""

import csv
import io
import os
import re

import pytest

from autograder import export as ex
from autograder.grades import Cell, CellGrade, CellKind, Standing, SubmissionGrade
from autograder.roster import Student


def canvas_import(text):
    """What Canvas's gradebook import reads from a file: ({assignment title: points possible},
    [(how the student is found, who, {assignment title: grade or None})])."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], header
    student_columns = 3
    sis_user = sis_login = None
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        sis_login, student_columns = 2, 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        sis_user, sis_login, student_columns = 2, 3, 5
    assert "Section" in header[student_columns - 1], f"Section must close the student columns: {header}"
    assignments = header[student_columns:]
    assert not any(re.search(r"(Current|Final) (Score|Points|Grade)", a) for a in assignments)
    points, students = {}, []
    for row in rows[1:]:
        assert len(row) == len(header), row
        if "Points Possible" in row[0]:
            points = {a: row[student_columns + i] for i, a in enumerate(assignments)}
            continue
        if row[1].strip():
            assert row[1].isdigit(), f"a Canvas user id is a number: {row[1]}"
            found = ("ID", row[1])
        elif sis_user is not None and row[sis_user].strip():
            found = ("SIS User ID", row[sis_user])
        elif sis_login is not None and row[sis_login].strip():
            found = ("SIS Login ID", row[sis_login])
        else:
            found = ("name", row[0])
        grades = {}
        for i, a in enumerate(assignments):
            value = row[student_columns + i].strip()
            assert value in ("", "-") or re.fullmatch(r"-?[0-9.,]+%?", value), value
            grades[a] = None if value in ("", "-") else float(value)
        students.append((found[0], found[1], grades))
    return points, students


def moodle_import(text, identifier):
    """What Moodle's CSV import reads when ``identifier`` is mapped to the user's email or ID number:
    {identifier value: {column: grade or None}}."""
    rows = list(csv.DictReader(io.StringIO(text)))
    header = list(csv.reader(io.StringIO(text)))[0]
    assert identifier in header and len(set(header)) == len(header), header
    users = {}
    for row in rows:
        user = row[identifier].strip()
        assert user, f"a row Moodle cannot map to a user: {row}"
        assert user not in users, f"two rows for {user}"
        grades = {}
        for column in header:
            if column in ("Full name", "Email address", "ID number"):
                continue
            value = row[column].strip()
            assert value in ("", "-") or re.fullmatch(r"-?\d+([.,]\d+)?", value), value
            grades[column] = None if value in ("", "-") else float(value.replace(",", "."))
        users[user] = grades
    return users


# ---------------------------------------------------------------- a small gradebook, without grading

CELLS = [Cell("fit", "test_slope", CellKind.TEST, 2.0), Cell("fit", "report_line", CellKind.ANSWER, 2.0),
         Cell("explain", "task_plot", CellKind.TASK, 2.0), Cell("explain", "test_slope", CellKind.TEST, 1.0)]


def sub(student, assignment, scores, standing=Standing.OK, flags=(), late=False):
    cells = [CellGrade(c, score=s, outcome="passed" if c.kind is CellKind.TEST else "") for c, s in zip(CELLS, scores)]
    return SubmissionGrade(student=student, name=student, assignment=assignment, standing=standing, cells=cells,
                           comments={}, flags=list(flags), late=late)


@pytest.fixture
def subs():
    return [
        sub("1001", "ps91-line-fit", [2.0, 1.5, 2.0, 1.0]),
        sub("1002", "ps91-line-fit", [0.0, None, None, 1.0], Standing.MANUAL),   # hand grading open
        sub("jane-smith", "ps91-line-fit", [2.0, 2.0, 0.0, 1.0], Standing.REVIEW, ["test cell test_slope was edited (restored)"], late=True),
        sub("1001", "ps92-other", [1.0, 2.0, 2.0, 1.0]),
    ]


@pytest.fixture
def students():
    return {"1001": Student("1001", "Smith, Jane", "canvas", "1001", "S1001", "jsmith", "Section A"),
            "1002": Student("1002", "smithjane", "canvas", "1002"),
            "jane-smith": Student("jane-smith", "Jane Smith", "moodle", email="jane@example.org",
                                  moodle_participants="ps91-line-fit=501")}


def test_detailed_csv(subs, students):
    rows = list(csv.DictReader(io.StringIO(ex.detailed(subs, students))))
    assert list(rows[0]) == ["student", "name", "lms_id", "assignment", "fit:test_slope", "report_line", "task_plot",
                             "explain:test_slope", "score", "max_score", "status", "late"]
    first, open_, flagged = rows[0], rows[1], rows[2]
    assert (first["name"], first["lms_id"], first["score"], first["max_score"], first["status"]) == (
        "Smith, Jane", "1001", "6.5", "7.0", "ok")
    # not graded yet is empty, not 0; an autograded 0 stays 0
    assert (open_["report_line"], open_["task_plot"], open_["fit:test_slope"], open_["score"]) == ("", "", "0.0", "")
    assert open_["status"] == "needs manual grading: report_line, task_plot"
    assert flagged["status"] == "review: test cell test_slope was edited (restored)" and flagged["late"] == "late"
    assert flagged["lms_id"] == "jane@example.org"


def test_canvas_file_reads_as_canvas_reads_it(subs, students):
    text, no_id = ex.canvas(subs, students, ["ps91-line-fit", "ps92-other"], {"ps91-line-fit": "PS91 Line fit (4321)"})
    points, rows = canvas_import(text)
    # a column Canvas knows (the title it exported) takes no points; a new one says its points
    assert points == {"PS91 Line fit (4321)": "", "ps92-other": "7"}
    found = {who: (how, grades) for how, who, grades in rows}
    assert found["1001"] == ("ID", {"PS91 Line fit (4321)": 6.5, "ps92-other": 6.0})
    assert found["1002"] == ("ID", {"PS91 Line fit (4321)": None, "ps92-other": None})  # not graded yet: no grade
    assert "Jane Smith" not in found and no_id == []  # a Moodle student is not Canvas's
    assert text.splitlines()[0] == "Student,ID,SIS User ID,SIS Login ID,Section,PS91 Line fit (4321),ps92-other"
    assert "Smith, Jane" in text and "S1001" in text and "Section A" in text


def test_moodle_file_reads_as_moodle_reads_it(subs, students):
    text, left_out = ex.moodle(subs, students, ["ps91-line-fit", "ps92-other"],
                               {"ps91-line-fit": "Assignment: ps91 Line fit (Real)"})
    assert moodle_import(text, "Email address") == {
        "jane@example.org": {"Assignment: ps91 Line fit (Real)": 5.0, "ps92-other": None}}
    assert left_out == []  # the Canvas students are not Moodle's


def test_a_student_of_no_lms_goes_to_both_and_without_ids_is_said(subs, students):
    mine = [sub("alice", "ps91-line-fit", [2.0, 2.0, 2.0, 1.0])]
    _, rows = canvas_import(ex.canvas(mine, students, ["ps91-line-fit"], {})[0])
    assert rows == [("name", "alice", {"ps91-line-fit": 7.0})]
    text, left_out = ex.moodle(mine, students, ["ps91-line-fit"], {})
    assert left_out == ["alice"] and text.count("\n") == 1  # Moodle needs an email or an ID number


def test_scores_read_as_numbers_by_both():
    assert [ex._number(x) for x in (10.0, 9.5, 1 / 3, 0.0, 2.005)] == ["10", "9.5", "0.33", "0", "2"]


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "grades.csv"
    target.write_text("the old grades\n")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        ex.write(target, "new,grades\n" * 1000)
    assert target.read_text() == "the old grades\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_what_is_not_graded_yet_is_said(subs):
    assert ex.not_graded_yet(subs) == ["ps91-line-fit: 1 submission(s) not fully graded yet (empty in the LMS files; "
                                       "1 need grading by hand: python -m autograder formgrade)"]


def test_the_lms_class_lists_fill_the_roster(tmp_path):
    """Canvas's gradebook export (by Canvas id), Moodle's grading worksheet (by participant number) and
    Moodle's grade export (by full name: a name two students share is reported, never guessed)."""
    from autograder.roster import assignment_columns, merge_lms_list

    students = {"1001": Student("1001", "smithjane", "canvas", "1001"),
                "jane-smith-501": Student("jane-smith-501", "Jane Smith", "moodle", moodle_participants="ps91-line-fit=501"),
                "jane-smith-502": Student("jane-smith-502", "Jane Smith", "moodle", moodle_participants="ps91-line-fit=502"),
                "omar-diaz": Student("omar-diaz", "Omar Diaz", "moodle", moodle_participants="ps91-line-fit=503")}
    canvas = tmp_path / "canvas.csv"
    canvas.write_text("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,PS91 Line fit (4321),Current Score\n"
                      "    Points Possible,,,,,10,(read only)\n\"Smith, Jane\",1001,S1001,jsmith,A,,\n")
    assert merge_lms_list(students, canvas) == (1, [])
    assert (students["1001"].name, students["1001"].sis_user_id, students["1001"].section) == ("Smith, Jane", "S1001", "A")
    assert assignment_columns(canvas, ["ps91-line-fit"]) == ("canvas", {"ps91-line-fit": "PS91 Line fit (4321)"})
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text("Identifier,Full name,Email address,Status\nParticipant 501,Jane Smith,j501@example.org,x\n")
    assert merge_lms_list(students, worksheet) == (1, [])
    assert students["jane-smith-501"].email == "j501@example.org" and not students["jane-smith-502"].email
    grades = tmp_path / "grades.csv"
    grades.write_text("First name,Last name,ID number,Email address,Assignment: ps91 Line fit (Real)\n"
                      "Omar,Diaz,A77,omar@example.org,\nJane,Smith,A78,jane@example.org,\n")
    updated, problems = merge_lms_list(students, grades)
    assert updated == 1 and (students["omar-diaz"].email, students["omar-diaz"].id_number) == ("omar@example.org", "A77")
    assert problems == ["Jane Smith: 2 students of that name were collected (jane-smith-501, jane-smith-502): "
                        "fill in autograder/roster.csv by hand"]
    assert assignment_columns(grades, ["ps91-line-fit"]) == ("moodle", {"ps91-line-fit": "Assignment: ps91 Line fit (Real)"})
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a Canvas gradebook export"):
        merge_lms_list(students, tmp_path / "other.csv")
