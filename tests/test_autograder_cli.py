"""The command line: every command has --help, every assignment may be named by its short name, and
every mistake of its user gets one clear line and a non-zero status, never a traceback."""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder import cli as autograder_cli
from gradertools import NB, PS01, cli, put, small_course, submission
from nbtools import ROOT


def mistake(course, *args):
    """Run a command that must fail: its one line of explanation (stderr)."""
    proc = cli(course, *args, check=False)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("warning: grading as root")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def course(tmp_path):
    return small_course(tmp_path / "course")


@pytest.mark.parametrize("name", sorted(autograder_cli.COMMANDS))
def test_every_command_has_help(name, capsys):
    with pytest.raises(SystemExit) as stop:
        autograder_cli.parser().parse_args([name, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m autograder {name}") and autograder_cli.COMMANDS[name][0].__doc__.split()[0] in out


def test_an_unknown_assignment_lists_the_valid_names(course):
    for command in ("autograde", "feedback", "export", "report", "release"):
        line = mistake(course, command, "ps99")
        assert line == f"error: no assignment 'ps99' (assignments: {PS01})", command
    assert mistake(course, "collect", "somewhere", "--assignment", "ps99").startswith("error: no assignment 'ps99'")


def test_short_names_are_accepted_by_every_command(course, tmp_path):
    put(course, "alice", submission())
    for command in ("feedback", "report"):  # accepted: what stops them is that nothing is graded yet
        assert mistake(course, command, "ps01").startswith("error: nothing graded yet")
    rows = cli(course, "export", "ps01").stdout.splitlines()
    assert rows[1].startswith("alice,alice,,ps01-perceptron,") and rows[1].endswith(",not graded yet,")
    (tmp_path / "export" / "bob").mkdir(parents=True)
    (tmp_path / "export" / "bob" / "anything.ipynb").write_bytes(nbformat.writes(submission()).encode())
    out = cli(course, "collect", str(tmp_path / "export"), "--assignment", "PS1", "--dry-run").stdout
    assert "would place bob/anything.ipynb -> autograder/submitted/bob/ps01-perceptron/ps01-perceptron.ipynb" in out
    assert course.resolve("ps01") == course.resolve("PS1") == course.resolve("ps-1") == PS01


def test_missing_or_unreadable_exports(course, tmp_path):
    assert mistake(course, "collect", "missing.zip") == "error: no such file or folder: missing.zip"
    (tmp_path / "notes.txt").write_text("hello")
    assert mistake(course, "collect", str(tmp_path / "notes.txt")).endswith("notes.txt is neither a folder nor a zip file")
    assert mistake(course, "roster", str(tmp_path / "nothing.csv")).startswith("error: no such file")


def test_nothing_collected_yet(course):
    line = mistake(course, "autograde")
    assert line.startswith("error: nothing collected yet for ps01-perceptron: run `python -m autograder collect")
    assert "--force" not in line
    assert mistake(course, "export") == "error: nothing to export: nothing collected or graded yet"
    assert mistake(course, "feedback").startswith("error: nothing graded yet")
    assert mistake(course, "formgrade").startswith("error: nothing graded yet")


def test_no_such_student(course):
    put(course, "alice", submission())
    assert mistake(course, "feedback", "--student", "nobody") == "error: no student 'nobody' (students: alice)"


def test_stale_or_missing_exercises(course):
    put(course, "alice", submission())
    release = course.exercises / PS01 / NB
    nb = json.loads(release.read_text())
    nb["cells"][0]["source"] = ["# an older prompt\n"]
    release.write_text(json.dumps(nb))
    line = mistake(course, "autograde", "ps01")
    assert line == ("error: exercises/ps01-perceptron/ps01-perceptron.ipynb is not what release makes from "
                    "solutions/ now (solutions/ changed since the release?): run `python -m autograder release "
                    "ps01-perceptron` (and commit exercises/)")
    release.unlink()
    assert mistake(course, "autograde").startswith("error: exercises/ps01-perceptron/ps01-perceptron.ipynb is missing")


def test_not_a_course_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(tmp_path), "report"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.strip() == f"error: {tmp_path} is not a course folder (no solutions/ in it): see --root"


@pytest.mark.slow
def test_changed_cells_after_grading_say_how_to_regrade(course):
    """A test cell added after grading: nbgrader refuses to record it; the command says what to do,
    and doing it grades with the new cell.  A second run with nothing to do prints no traceback."""
    put(course, "alice", submission())
    cli(course, "autograde", "--timeout", "10")
    again = cli(course, "autograde", "--timeout", "10")
    assert "nothing to grade" in again.stdout and "Traceback" not in again.stdout + again.stderr
    source = course.solutions / PS01 / NB
    nb = nbformat.read(str(source), as_version=4)
    extra = nbformat.v4.new_code_cell("# Checks predict once more.\nassert predict(np.ones((1, 1)), np.ones(1), 0.0)[0] == 1.0",
                                      metadata={"nbgrader": {"grade": True, "grade_id": "test_predict_again",
                                                             "locked": True, "points": 1, "schema_version": 3,
                                                             "solution": False, "task": False}})
    nb.cells.append(extra)
    nbformat.write(nb, str(source))
    for rel, made in course.released(PS01).items():  # what `release` writes
        (course.exercises / PS01 / rel).write_text(nbformat.writes(nbformat.from_dict(made)))
    line = mistake(course, "autograde", "ps01", "--timeout", "10")
    assert "changed (added, removed or renamed) since its submissions were graded" in line
    assert "python -m autograder autograde ps01-perceptron --new-cells" in line
    cli(course, "autograde", "ps01", "--new-cells", "--timeout", "10")
    rows = cli(course, "export").stdout
    assert "test_predict_again" in rows.splitlines()[0]
    # the student's notebook predates the new cell: it is restored from the source, and flagged
    assert ",1.0,11.0,11.0,review: test cell test_predict_again was deleted (restored)," in rows


@pytest.mark.slow
def test_formgrade_on_a_port_in_use(course):
    import socket

    from nbgrader.api import Gradebook

    course.gradebook.parent.mkdir(parents=True)
    Gradebook(course.db_url).close()  # an empty gradebook: formgrade has something to serve
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert mistake(course, "formgrade", "--port", str(port)) == (
            f"error: port {port} is in use: python -m autograder formgrade --port ANOTHER")
