"""collect: LMS exports (a folder or a zip, files named by the LMS or one folder per student) into
nbgrader's submitted layout, with every file it could not place reported and why."""

import os
import time
import zipfile

import nbformat
import pytest

from autograder.collect import find_assignment, student_id
from gradertools import NB, PS01, cli, small_course, submission

ASSIGNMENTS = ["ps01-perceptron", "ps02-log-loss", "ps10-extra"]


def test_assignment_names_in_file_names():
    assert find_assignment("smithj_1234_5678_ps01-perceptron-1", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("alice_ps01", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("bob_late_PS1", ASSIGNMENTS) == ["ps01-perceptron"]
    assert find_assignment("carol_ps_02", ASSIGNMENTS) == ["ps02-log-loss"]
    assert find_assignment("dave_ps10", ASSIGNMENTS) == ["ps10-extra"]  # not ps01
    assert find_assignment("erin_homework", ASSIGNMENTS) == []
    assert student_id("Jane Smith_12345_assignsubmission_file_") == "Jane-Smith"


def export_files(folder, notebook_bytes):
    """An LMS export: Canvas-style names, Moodle-style folders, and files that cannot be placed."""
    files = {
        "alice_1001_2001_ps01-perceptron.ipynb": notebook_bytes,           # Canvas
        "bob_LATE_1002_2002_ps01.ipynb": notebook_bytes,                   # late, short name
        "Carol Jones_1003_assignsubmission_file_/ps01-perceptron.ipynb": notebook_bytes,  # Moodle
        "dave/my work.ipynb": notebook_bytes,                              # folder per student, any name (ps01 in folder? no)
        "erin/ps01 (1).ipynb": notebook_bytes,                             # folder per student
        "frank_1006_2006_ps01-perceptron.ipynb": b"old version",
        "frank_1006_2007_ps01-perceptron-1.ipynb": notebook_bytes,         # a resubmission: newer
        "ps01-perceptron.ipynb": notebook_bytes,                           # no student
        "grace_1007_2007_notes.ipynb": notebook_bytes,                     # no assignment
        "heidi_1008_2008_ps01-perceptron.pdf": b"%PDF",                    # not a notebook
        "__MACOSX/._alice_1001_2001_ps01-perceptron.ipynb": b"",           # system file
    }
    for i, (name, data) in enumerate(files.items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = time.time() - 3600 + i  # later files are newer
        os.utime(path, (stamp, stamp))
    return files


def check_collected(course, out):
    placed = {p.parent.parent.name for p in course.submitted.glob(f"*/{PS01}/{NB}")}
    assert placed == {"alice", "bob", "Carol-Jones", "erin", "frank"}
    assert (course.submitted / "frank" / PS01 / NB).read_bytes() != b"old version"  # the newest kept
    assert (course.submitted / "alice" / PS01 / "timestamp.txt").exists()
    reasons = {line.split(": ", 1)[0].removeprefix("NOT PLACED "): line.split(": ", 1)[1]
               for line in out.splitlines() if line.startswith("NOT PLACED")}
    assert reasons == {
        "dave/my work.ipynb": "no assignment name in the file name (e.g. ps01); use --assignment",
        "frank_1006_2006_ps01-perceptron.ipynb": "an older file of frank for ps01-perceptron: kept "
                                                 "frank_1006_2007_ps01-perceptron-1.ipynb",
        "ps01-perceptron.ipynb": "no student name: expected <student>_<anything>_<assignment>.ipynb "
                                 "or a folder per student",
        "grace_1007_2007_notes.ipynb": "no assignment name in the file name (e.g. ps01); use --assignment",
        "heidi_1008_2008_ps01-perceptron.pdf": "not a notebook (.ipynb)",
        "__MACOSX/._alice_1001_2001_ps01-perceptron.ipynb": "skipped: a system file, not a submission",
    }
    assert "5 notebook(s) placed, 6 file(s) not placed" in out


@pytest.fixture
def notebook_bytes():
    return nbformat.writes(submission()).encode()


def test_collect_a_folder(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    export_files(tmp_path / "export", notebook_bytes)
    out = cli(course, "collect", str(tmp_path / "export")).stdout
    check_collected(course, out)


def test_collect_a_zip(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    files = export_files(tmp_path / "export", notebook_bytes)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in files:
            zf.write(tmp_path / "export" / name, name)
    out = cli(course, "collect", str(archive)).stdout
    check_collected(course, out)


def test_collect_with_a_named_assignment_and_a_dry_run(tmp_path, notebook_bytes):
    course = small_course(tmp_path / "course")
    (tmp_path / "export" / "dave").mkdir(parents=True)
    (tmp_path / "export" / "dave" / "my work.ipynb").write_bytes(notebook_bytes)
    dry = cli(course, "collect", str(tmp_path / "export"), "--assignment", PS01, "--dry-run").stdout
    assert "would place dave/my work.ipynb -> autograder/submitted/dave/ps01-perceptron/ps01-perceptron.ipynb" in dry
    assert not course.submitted.exists()
    cli(course, "collect", str(tmp_path / "export"), "--assignment", PS01)
    assert (course.submitted / "dave" / PS01 / NB).read_bytes() == notebook_bytes


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
    assert rows[1].startswith("alice,ps01-perceptron,2.0,2.0,3.0,3.0,10.0,10.0,ok")
    assert rows[2].startswith("bob,ps01-perceptron,0.0,0.0,0.0,0.0,0.0,10.0,review: invalid notebook file")


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
