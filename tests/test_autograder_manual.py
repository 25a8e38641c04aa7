"""A term with an assignment of every nbgrader kind (tests/fixtures/lms.py: two notebooks, a data
file, autograded tests with hidden parts, a code answer and a written answer graded by hand, a task):
released by nbgrader, collected from a Canvas and a Moodle export of a small class, autograded, graded
by hand in the gradebook as formgrader does it, then feedback, export (the LMS files checked against
their importers' layouts) and report.  And formgrader itself, served on 127.0.0.1."""

import html
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from autograder import grades
from fixtures.lms import (MANUAL, PS91, canvas_files, course_copy, enter_manual_grade, moodle_files,
                          tie, write_export)
from gradertools import cli, export
from nbtools import ROOT
from test_autograder_export import canvas_import, moodle_import

pytestmark = pytest.mark.slow
CANVAS = ["1001", "1002", "1003", "1004"]
MOODLE = ["jane-smith-501", "jane-smith-502", "omar-diaz"]


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    course = course_copy(root / "course", nbgrader=True)
    canvas = write_export(root / "canvas", canvas_files(course), "submissions.zip")
    files = moodle_files(course)
    folder = write_export(root / "moodle", files)
    tie(folder, [n for n in files if n.startswith("Omar Diaz") and "fit" in n])
    shutil.make_archive(str(root / "NNOPT-ps91 line fit-77"), "zip", folder)
    cli(course, "collect", str(canvas))
    cli(course, "collect", str(root / "NNOPT-ps91 line fit-77.zip"), check=False)  # Omar's tie: not placed
    graded = cli(course, "autograde", "--timeout", "10")
    return course, graded


def test_released_as_nbgrader_releases_it(term):
    course, _ = term
    assert sorted(p.name for p in (course.exercises / PS91).iterdir()) == ["explain.ipynb", "fit.ipynb", "points.csv"]
    assert course.check_current(PS91) is None and course.check_release(PS91) == []


def test_every_kind_of_cell_is_graded(term):
    course, graded = term
    assert "faults 0" in graded.stdout and "Traceback" not in graded.stderr
    rows, _ = export(course)
    assert sorted(s for s, _ in rows) == sorted(CANVAS + MOODLE)
    right = rows["1001", PS91]
    assert [right[t] for t in ("test_slope", "test_intercept", "test_residuals")] == ["2.0", "1.0", "1.0"]
    # the cells graded by hand are open, not 0, and so is the total
    assert [right[c] for c in MANUAL] == ["", "", ""] and right["score"] == ""
    assert right["status"].startswith("needs manual grading: ") and all(c in right["status"] for c in MANUAL)
    assert rows["1002", PS91]["test_slope"] == "0.0" and rows["1002", PS91]["test_intercept"] == "1.0"
    assert rows["1003", PS91]["late"] == "late" and rows["1001", PS91]["late"] == ""
    assert rows["1004", PS91]["test_slope"] == "0.0"
    # the gradebook says what formgrader must show: the hand-graded cells need a grade
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        sub = gb.find_submission(PS91, "1001")
        open_ = sorted(g.name for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
        assert open_ == sorted(MANUAL)


def test_grades_given_by_hand_reach_export_feedback_and_report(term, tmp_path):
    course, _ = term
    enter_manual_grade(course, "1001", "fit", "report_line", 2.0, "The line is printed as asked.")
    enter_manual_grade(course, "1001", "explain", "why_undefined", 1.5, "Right; say why no line y = mx + b fits.")
    enter_manual_grade(course, "1001", "explain", "task_plot", 2.0, "A clear look at the residuals.")
    rows, _ = export(course)
    right = rows["1001", PS91]
    assert (right["why_undefined"], right["score"], right["status"]) == ("1.5", "9.5", "ok")
    cli(course, "feedback", "ps91", "--student", "1001")
    page = html.unescape((course.feedback / "1001" / PS91 / "explain.html").read_text())
    assert "why_undefined (answer graded by hand): 1.5 / 2 point(s)" in re.sub("<[^>]+>", "", page)
    assert "Right; say why no line y = mx + b fits." in page and "A clear look at the residuals." in page
    fit = html.unescape((course.feedback / "1001" / PS91 / "fit.html").read_text())
    assert "Score: 9.5 / 10 for the whole assignment (2 notebooks)" in re.sub("<[^>]+>", "", fit)
    cli(course, "report")
    report = html.unescape((course.reports / "index.html").read_text())
    needing = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td>ps91-line-fit</td><td>needs manual grading", report)
    assert "1001" not in needing and "1002" in needing
    # a regrade keeps what the person gave
    cli(course, "autograde", "--force", "--timeout", "10")
    assert export(course)[0]["1001", PS91]["score"] == "9.5"


def test_lms_files_with_the_lms_class_lists(term, tmp_path):
    course, _ = term
    canvas_list = tmp_path / "canvas-grades.csv"
    canvas_list.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,PS91 Line fit (4321),Current Score,Final Score\n"
        "    Points Possible,,,,,10,(read only),(read only)\n"
        "\"Smith, Jane\",1001,S1001,jsmith,Section A,,,\n"
        "\"Smith, Jane\",1002,S1002,jsmith2,Section B,,,\n"
        "\"Lee, Al\",1003,S1003,alee,Section A,,,\n"
        "\"Ng, Kim\",1004,S1004,kng,Section B,,,\n")
    out = cli(course, "roster", str(canvas_list)).stdout
    assert "4 student(s) updated" in out and "canvas column titles of ps91-line-fit" in out
    worksheet = tmp_path / "Grades-NNOPT-ps91.csv"
    worksheet.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade\n"
                         "Participant 501,Jane Smith,jane501@example.org,Submitted,,10\n"
                         "Participant 502,Jane Smith,jane502@example.org,Submitted,,10\n")
    assert "2 student(s) updated" in cli(course, "roster", str(worksheet)).stdout
    proc = cli(course, "export", "--canvas", str(tmp_path / "canvas.csv"), "--moodle", str(tmp_path / "moodle.csv"),
               "-o", str(tmp_path / "detail.csv"), check=False)
    assert proc.returncode == 1 and "1 student(s) left out, with no email and no ID number (omar-diaz)" in proc.stderr
    points, students = canvas_import((tmp_path / "canvas.csv").read_text())
    assert points == {"PS91 Line fit (4321)": ""}  # Canvas has the assignment: its points stay Canvas's
    found = {who: (how, g["PS91 Line fit (4321)"]) for how, who, g in students}
    assert found == {"1001": ("ID", 9.5), "1002": ("ID", None), "1003": ("ID", None), "1004": ("ID", None)}
    assert "\"Smith, Jane\",1001,S1001,jsmith,Section A,9.5" in (tmp_path / "canvas.csv").read_text()
    moodle = moodle_import((tmp_path / "moodle.csv").read_text(), "Email address")
    assert moodle == {"jane501@example.org": {PS91: None}, "jane502@example.org": {PS91: None}}
    detail = (tmp_path / "detail.csv").read_text()
    assert detail.count("\n") == 1 + len(CANVAS + MOODLE)


def test_feedback_pages_show_the_students_work_and_no_hidden_test(term):
    course, _ = term
    proc = cli(course, "feedback", "ps91")
    assert f"wrote {2 * len(CANVAS + MOODLE)} feedback page(s)" in proc.stdout and "[7/7]" in proc.stderr
    hidden = [line.strip() for path in course.notebooks(PS91) for cell in json.loads(path.read_text())["cells"]
              for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END", "".join(cell["source"]), re.S)
              for line in block.splitlines() if len(line.strip()) > 8]
    assert hidden
    for page in sorted(course.feedback.glob("*/*/*.html")):
        text = html.unescape(page.read_text())
        assert not [line for line in hidden if line in text], page
        assert "HIDDEN" not in text and "Traceback" not in text and "<script src" not in text
        assert "review" not in re.sub("<[^>]+>", " ", text).lower(), page  # flags are for the instructor
    mine = html.unescape((course.feedback / "1001" / PS91 / "explain.html").read_text())
    assert "largest residual" in mine and "a line suits the data" in mine  # their own cells, answering the task
    assert "the points lie on a vertical line" in mine  # their written answer, not "YOUR ANSWER HERE"
    broken = re.sub("<[^>]+>", "", html.unescape((course.feedback / "1004" / PS91 / "fit.html").read_text()))
    assert "SyntaxError" in broken  # the real error of their cell, not only the NameError it causes
    missing = html.unescape((course.feedback / "omar-diaz" / PS91 / "fit.html").read_text())
    assert "This notebook was not in your submission." in missing
    named = cli(course, "feedback", "--student", "Omar Diaz")
    assert "wrote 2 feedback page(s)" in named.stdout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url, token, method="GET", body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, response.read().decode()


def test_formgrader_serves_the_course_gradebook_on_loopback(term):
    """`formgrade` from the course's root: formgrader lists the submissions, takes a grade as its page
    does, and its "Generate Feedback" writes this course's page (no hidden test)."""
    course, _ = term
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(course.root), "formgrade",
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + 180
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                pytest.fail(f"formgrade stopped: {server.stderr.read()[-2000:]}")
            url = re.search(r"(http://127\.0\.0\.1:\d+)/formgrader\?token=(\w+)", line)
        base, token = url[1], url[2]
        assert base == f"http://127.0.0.1:{port}"
        status, body = _request(f"{base}/formgrader/api/assignments", token)
        (assignment,) = json.loads(body)
        assert (assignment["name"], assignment["num_submissions"], assignment["max_score"]) == (PS91, 7, 10.0)
        _, body = _request(f"{base}/formgrader/api/submitted_notebooks/{PS91}/explain", token)
        notebook = next(n for n in json.loads(body) if n["student"] == "1002")
        status, page = _request(f"{base}/formgrader/submissions/{notebook['id']}/", token)
        assert status == 200 and "the points lie on a vertical line" in html.unescape(page)
        _, body = _request(f"{base}/formgrader/api/grades?submission_id={notebook['id']}", token)
        grade = next(g for g in json.loads(body) if g["name"] == "why_undefined")
        assert grade["needs_manual_grade"]
        _request(f"{base}/formgrader/api/grade/{grade['id']}", token, "PUT", {"manual_score": 0.5})
        _, body = _request(f"{base}/formgrader/api/assignment/{PS91}/1002/generate_feedback", token, "POST")
        assert json.loads(body)["success"], body
        text = html.unescape((course.feedback / "1002" / PS91 / "explain.html").read_text())
        assert "why_undefined (answer graded by hand): 0.5 / 2 point(s)" in re.sub("<[^>]+>", "", text)
        assert "HIDDEN" not in text and "mathjax-packed" in text
        sub = next(s for s in grades.load(course, [PS91], ["1002"]))
        assert next(g for g in sub.cells if g.cell.name == "why_undefined").score == 0.5
    finally:
        server.terminate()
        server.wait(60)
    assert server.returncode is not None
