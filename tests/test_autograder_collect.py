"""collect: LMS exports (Canvas file names, Moodle folders, a folder per student; a folder or a zip)
into nbgrader's submitted layout.  Students are keyed by their LMS id where there is one and never
merged; no file is dropped without a reason; lateness is recorded; an assignment of several
notebooks gets each file in its place."""

import json
import zipfile
from pathlib import PurePosixPath

import nbformat
import pytest

from autograder import roster as rosters
from autograder.collect import collected, find_assignment, identify, is_late
from fixtures.lms import PS91, canvas_files, course_copy, moodle_files, tie, write_export
from gradertools import NB, PS01, cli, small_course, submission

ASSIGNMENTS = ["ps01-perceptron", "ps02-log-loss", "ps10-extra"]


def test_assignment_names_in_file_names():
    assert find_assignment("smithj_1234_5678_ps01-perceptron-1", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("alice_ps01", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("bob_late_PS1", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("carol_ps_02", ASSIGNMENTS) == ["ps02-log-loss"]
    assert find_assignment("dave_ps10", ASSIGNMENTS) == ["ps10-extra"]  # not ps01
    assert find_assignment("erin_homework", ASSIGNMENTS) == []


def test_who_a_file_belongs_to():
    canvas = identify(PurePosixPath("smithjane_LATE_1001_7001_ps01-perceptron-1.ipynb"), ASSIGNMENTS)
    assert (canvas.key, canvas.name, canvas.lms, canvas.canvas_id, canvas.late, canvas.upload, canvas.filename) == (
        "1001", "smithjane", "canvas", "1001", True, 7001, "ps01-perceptron-1.ipynb")
    assert not identify(PurePosixPath("smithjane_1001_7001_a_b.ipynb"), ASSIGNMENTS).late
    moodle = identify(PurePosixPath("Jane Smith_501_assignsubmission_file_/work/ps01.ipynb"), ASSIGNMENTS)
    assert (moodle.key, moodle.name, moodle.lms, moodle.participant) == ("jane-smith", "Jane Smith", "moodle", "501")
    assert identify(PurePosixPath("alice/ps01.ipynb"), ASSIGNMENTS).key == "alice"
    assert identify(PurePosixPath("ps01-perceptron/bob/notebook.ipynb"), ASSIGNMENTS).key == "bob"
    assert identify(PurePosixPath("carol_ps01.ipynb"), ASSIGNMENTS).key == "carol"
    assert identify(PurePosixPath("ps01-perceptron.ipynb"), ASSIGNMENTS) is None


def export_files(folder, notebook_bytes):
    """An export of files and folders named by hand, and files that cannot be placed."""
    files = {
        "alice_1001_2001_ps01-perceptron.ipynb": notebook_bytes,           # Canvas
        "bob_LATE_1002_2002_ps01.ipynb": notebook_bytes,                   # late, short name
        "Carol Jones_1003_assignsubmission_file_/ps01-perceptron.ipynb": notebook_bytes,  # Moodle
        "dave/my work.ipynb": notebook_bytes,                              # folder per student, no assignment
        "erin/ps01 (1).ipynb": notebook_bytes,                             # folder per student
        "frank_1006_2006_ps01-perceptron.ipynb": b"old version",
        "frank_1006_2007_ps01-perceptron-1.ipynb": notebook_bytes,         # a resubmission: uploaded later
        "ps01-perceptron.ipynb": notebook_bytes,                           # no student
        "grace_1007_2007_notes.ipynb": notebook_bytes,                     # no assignment
        "heidi_1008_2008_ps01-perceptron.pdf": b"%PDF",                    # not a notebook
        "__MACOSX/._alice_1001_2001_ps01-perceptron.ipynb": b"",           # system file
    }
    return write_export(folder, files), files


def check_collected(course, proc):
    out = proc.stdout
    placed = {p.parent.parent.name for p in course.submitted.glob(f"*/{PS01}/{NB}")}
    assert placed == {"1001", "1002", "carol-jones", "erin", "1006"}
    assert (course.submitted / "1006" / PS01 / NB).read_bytes() != b"old version"  # the later upload
    assert (course.submitted / "1001" / PS01 / "timestamp.txt").exists()
    assert is_late(course, "1002", PS01) and not is_late(course, "1001", PS01)
    reasons = {line.split(": ", 1)[0].removeprefix("NOT PLACED "): line.split(": ", 1)[1]
               for line in out.splitlines() if line.startswith("NOT PLACED")}
    assert reasons == {
        "dave/my work.ipynb": "no assignment name in the file name (e.g. ps01); use --assignment",
        "frank_1006_2006_ps01-perceptron.ipynb": "an older file of 1006 for ps01-perceptron/ps01-perceptron.ipynb: "
                                                 "kept frank_1006_2007_ps01-perceptron-1.ipynb",
        "ps01-perceptron.ipynb": "no student name: expected an LMS export (Canvas or Moodle), "
                                 "<student>_<anything>_<assignment>.ipynb or a folder per student",
        "grace_1007_2007_notes.ipynb": "no assignment name in the file name (e.g. ps01); use --assignment",
        "heidi_1008_2008_ps01-perceptron.pdf": "not a notebook (.ipynb)",
        "__MACOSX/._alice_1001_2001_ps01-perceptron.ipynb": "skipped: a system file, not a submission",
    }
    assert "5 notebook(s) placed, 6 file(s) not placed" in out
    assert proc.returncode == 1  # notebooks were left out: say so in the status too
    students = rosters.load(course)
    assert (students["1001"].name, students["1001"].lms, students["1001"].canvas_id) == ("alice", "canvas", "1001")
    assert (students["carol-jones"].name, students["carol-jones"].participants()) == ("Carol Jones", {PS01: "1003"})


@pytest.fixture
def notebook_bytes():
    return nbformat.writes(submission()).encode()


def test_collect_a_folder(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    folder, _ = export_files(tmp_path / "export", notebook_bytes)
    check_collected(course, cli(course, "collect", str(folder), check=False))


def test_collect_a_zip(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    folder, files = export_files(tmp_path / "export", notebook_bytes)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in files:
            zf.write(folder / name, name)
    check_collected(course, cli(course, "collect", str(archive), check=False))


def test_collect_with_a_named_assignment_and_a_dry_run(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    (tmp_path / "export" / "dave").mkdir(parents=True)
    (tmp_path / "export" / "dave" / "my work.ipynb").write_bytes(notebook_bytes)
    dry = cli(course, "collect", str(tmp_path / "export"), "--assignment", "ps01", "--dry-run").stdout
    assert "would place dave/my work.ipynb -> autograder/submitted/dave/ps01-perceptron/ps01-perceptron.ipynb" in dry
    assert not course.submitted.exists() and not course.roster.exists()
    cli(course, "collect", str(tmp_path / "export"), "--assignment", PS01)
    assert (course.submitted / "dave" / PS01 / NB).read_bytes() == notebook_bytes


# ---------------------------------------------------------------- Canvas and Moodle exports of a class


@pytest.fixture
def ps91(tmp_path):
    return course_copy(tmp_path / "course")


def test_canvas_students_are_keyed_by_their_canvas_id(ps91, tmp_path):
    """Two students with one sortable name stay two; each notebook of the assignment goes in its place;
    of two uploads the one Canvas received last is kept, whatever the files' times; LATE is recorded."""
    folder = write_export(tmp_path / "canvas", canvas_files(ps91))
    out = cli(ps91, "collect", str(folder)).stdout
    assert sorted(p.name for p in ps91.submitted.iterdir()) == ["1001", "1002", "1003", "1004"]
    for student in ("1001", "1002", "1003", "1004"):
        assert sorted(p.name for p in (ps91.submitted / student / PS91).glob("*.ipynb")) == ["explain.ipynb", "fit.ipynb"]
    assert "note: 2 Canvas students named smithjane: kept apart by their Canvas ids (1001, 1002)" in out
    assert ("NOT PLACED leeal_late_1003_7005_explain.ipynb: an older file of 1003 for ps91-line-fit/explain.ipynb: "
            "kept leeal_LATE_1003_7009_explain-1.ipynb") in out
    kept = collected(ps91, "1003", PS91)
    assert kept["explain.ipynb"].file == "leeal_LATE_1003_7009_explain-1.ipynb" and kept["explain.ipynb"].late
    assert is_late(ps91, "1003", PS91) and not is_late(ps91, "1001", PS91)
    own = json.loads((ps91.submitted / "1001" / PS91 / "explain.ipynb").read_text())
    assert any("largest residual" in "".join(c["source"]) for c in own["cells"])  # their own cells came along
    students = rosters.load(ps91)
    assert {k: (s.name, s.canvas_id) for k, s in students.items()} == {
        "1001": ("smithjane", "1001"), "1002": ("smithjane", "1002"), "1003": ("leeal", "1003"), "1004": ("ngkim", "1004")}


def test_moodle_participants_of_one_name_stay_apart_and_a_tie_places_nothing(ps91, tmp_path):
    files = moodle_files(ps91)
    folder = write_export(tmp_path / "moodle", files)
    tie(folder, ["Omar Diaz_503_assignsubmission_file_/fit.ipynb", "Omar Diaz_503_assignsubmission_file_/fit (1).ipynb"])
    proc = cli(ps91, "collect", str(folder), check=False)
    assert proc.returncode == 1, proc.stdout
    assert sorted(p.name for p in ps91.submitted.iterdir()) == ["jane-smith-501", "jane-smith-502", "omar-diaz"]
    assert "kept apart as jane-smith-501, jane-smith-502" in proc.stdout
    assert not (ps91.submitted / "omar-diaz" / PS91 / "fit.ipynb").exists()  # neither of the tie
    assert (ps91.submitted / "omar-diaz" / PS91 / "explain.ipynb").exists()
    for name in ("fit.ipynb", "fit (1).ipynb"):
        line = next(l for l in proc.stdout.splitlines() if l.startswith(f"NOT PLACED Omar Diaz_503_assignsubmission_file_/{name}:"))
        assert "as new as" in line and "neither placed" in line
    # collecting again finds each participant's key in the roster: nothing new, nothing merged
    again = cli(ps91, "collect", str(folder), check=False).stdout
    assert "unchanged Jane Smith_502_assignsubmission_file_/fit.ipynb -> autograder/submitted/jane-smith-502/" in again
    assert sorted(p.name for p in ps91.submitted.iterdir()) == ["jane-smith-501", "jane-smith-502", "omar-diaz"]


def test_the_assignment_is_found_in_the_export_name_or_by_its_notebooks(ps91, tmp_path):
    """A Moodle zip is named after its assignment; Canvas file names carry only the notebook's name."""
    files = {"Ann Lee_9_assignsubmission_file_/notebook.ipynb": (ps91.exercises / PS91 / "fit.ipynb").read_bytes()}
    archive = write_export(tmp_path / "m", files, "NNOPT-ps91 line fit-1234.zip")
    out = cli(ps91, "collect", str(archive), check=False).stdout
    assert "cannot tell which one this file is" in out  # two notebooks: the file must say which
    files = {"annlee_11_12_fit-2.ipynb": (ps91.exercises / PS91 / "fit.ipynb").read_bytes()}
    out = cli(ps91, "collect", str(write_export(tmp_path / "c", files))).stdout
    assert "placed annlee_11_12_fit-2.ipynb -> autograder/submitted/11/ps91-line-fit/fit.ipynb" in out


def test_a_newer_collect_replaces_an_older_one_and_never_the_reverse(ps91, tmp_path):
    first = {"amy_5_100_fit.ipynb": (ps91.exercises / PS91 / "fit.ipynb").read_bytes()}
    cli(ps91, "collect", str(write_export(tmp_path / "one", first)))
    older = {"amy_5_90_fit.ipynb": b'{"cells": []}'}  # an earlier upload, in a later download
    out = cli(ps91, "collect", str(write_export(tmp_path / "two", older)), check=False).stdout
    assert "older than the file already collected for 5 (amy_5_100_fit.ipynb): kept that one" in out
    assert (ps91.submitted / "5" / PS91 / "fit.ipynb").read_bytes() == first["amy_5_100_fit.ipynb"]


def test_a_zip_a_student_made_is_reported(ps91, tmp_path):
    files = {"Kim Ng_8_assignsubmission_file_/work.zip": b"PK\x05\x06" + bytes(18)}
    proc = cli(ps91, "collect", str(write_export(tmp_path / "z", files)), check=False)
    assert proc.returncode == 1
    assert ("NOT PLACED Kim Ng_8_assignsubmission_file_/work.zip: a zip inside the export (a student zipped their "
            "work?): unpack it into the export's folder and collect that folder") in proc.stdout


def test_a_large_class_shows_progress(ps91, tmp_path):
    data = (ps91.exercises / PS91 / "fit.ipynb").read_bytes()
    files = {f"s{n}_{n}_{1000 + n}_fit.ipynb": data for n in range(1, 41)}
    out = cli(ps91, "collect", str(write_export(tmp_path / "big", files))).stdout
    assert "[1/40] placed" in out and "[40/40] placed" in out
    assert "40 notebook(s) placed, 0 file(s) not placed" in out


@pytest.mark.slow
def test_collected_submissions_grade(tmp_path, notebook_bytes):
    """From an LMS zip to grades: no further step needed."""
    course = small_course(tmp_path / "course")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice_1_2_ps01-perceptron.ipynb", notebook_bytes)
        zf.writestr("bob_3_4_ps01-perceptron.ipynb", b"")
    cli(course, "collect", str(archive))
    cli(course, "autograde")
    rows = cli(course, "export").stdout.splitlines()
    assert rows[1].startswith("1,alice,1,ps01-perceptron,2.0,2.0,3.0,3.0,10.0,10.0,ok")
    assert rows[2].startswith("3,bob,3,ps01-perceptron,0.0,0.0,0.0,0.0,0.0,10.0,review: invalid notebook file")


def test_release_check_finds_a_leaked_hidden_test(tmp_path):
    """`release` fails when a file of exercises/ holds a line of a hidden test or a solution."""
    course = small_course(tmp_path)
    assert course.check_release(PS01) == []
    release = course.exercises / PS01 / NB
    nb = nbformat.read(str(release), as_version=4)
    hidden = next(c for c in nbformat.read(str(course.solutions / PS01 / NB), as_version=4).cells
                  if "BEGIN HIDDEN TESTS" in c.source).source.split("### BEGIN HIDDEN TESTS\n")[1].splitlines()[1]
    nb.cells[-1].source += "\n" + hidden
    nbformat.write(nb, str(release))
    (course.exercises / PS01 / "notes.txt").write_text("### BEGIN SOLUTION\n")
    problems = course.check_release(PS01)
    assert len(problems) == 2
    assert any("notes.txt: contains solution or hidden-test markers" in p for p in problems)
    assert any("ps01-perceptron.ipynb: contains a solution or hidden-test line" in p for p in problems)
