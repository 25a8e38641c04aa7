"""The self-check is grading without the hidden tests: it agrees with the grader on every fixture of
gradertools whose verdict no hidden test changes, and tells a student what to fix in one place."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from gradecore import client
from gradecore.grade import grade
from gradertools import HOSTILE, NB, PS01, TIMEOUT, solution_nb, submission
from nbtools import ROOT
from nnopt import selfcheck

pytestmark = pytest.mark.slow
RELEASE = ROOT / "exercises" / PS01 / NB
LIMITS = {"timeout": TIMEOUT, "memory": 2**30}
# the fixtures whose verdict a hidden test changes: none of gradertools' (each fails or passes the
# visible tests as it does the hidden ones); the unreadable files are not checked at all (below)
UNREADABLE = {"invalid_notebook", "empty_notebook"}


def selfchecked(tmp_path, name):
    build, filename, *_ = HOSTILE[name]
    nb = build()
    path = tmp_path / name / filename
    path.parent.mkdir()
    path.write_bytes(nb if isinstance(nb, bytes) else nbformat.writes(nb).encode())
    return path


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """{fixture: (self-check Result, grader Result)}."""
    from gradecore import config

    tmp = tmp_path_factory.mktemp("selfcheck")
    settings = config.settings(config.load(ROOT / "autograder" / "nbgrader_config.py"), private=(str(ROOT),),
                               limits=LIMITS)
    source = (ROOT / "solutions" / PS01 / NB).read_text()

    def one(name):
        path = selfchecked(tmp, name)
        mine = selfcheck.check(path, limits=LIMITS)[0]
        theirs = grade(source, path.read_bytes(), settings.but(renamed=path.name if path.name != NB else None))
        return mine, theirs

    names = sorted(set(HOSTILE) - UNREADABLE)
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(names, pool.map(one, names)))
    client.shutdown()
    return results


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - UNREADABLE))
def test_the_selfcheck_and_the_grader_agree(both, name):
    mine, theirs = both[name]
    assert {g: t.outcome for g, t in mine.tests.items()} == {g: t.outcome for g, t in theirs.tests.items()}
    assert mine.score == theirs.score == HOSTILE[name][2]
    assert mine.changed == theirs.changed
    assert selfcheck.report(mine, nbformat.read(str(RELEASE), as_version=4))[1] == (mine.score == 10)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nnopt.selfcheck", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_finished_notebook_passes_quietly(tmp_path):
    path = selfchecked(tmp_path, "correct")
    out = run(path)
    assert (out.returncode, out.stderr) == (0, "")  # no kernel noise
    assert out.stdout.strip().splitlines() == ["all 4 visible test cell(s) pass (hidden tests run when it is graded)"]


def test_every_failing_test_cell_is_listed_with_its_message(tmp_path):
    nb = submission({"predict": "def predict(X, w, b):\n    return (X @ w + b)[:, None]\n",
                     "cost_gradients": "# I ran out of time\n"})
    path = tmp_path / NB
    nbformat.write(nb, str(path))
    out = run(path)
    assert out.returncode == 1 and out.stderr == ""
    failed = [line for line in out.stdout.splitlines() if line.startswith("FAILED")]
    assert [line.split()[2] for line in failed] == ["predict:", "cost_gradients", "gradient_descent:"]
    assert "expected shape (2,), got shape (2, 1)" in out.stdout
    assert "NameError: name 'cost_gradients' is not defined" in out.stdout
    assert out.stdout.strip().endswith("3 of 4 test cell(s) fail")


def test_a_deleted_test_cell_and_a_syntax_error_are_named(tmp_path):
    out = run(selfchecked(tmp_path, "deleted_test"))
    assert "CHANGED Checks predict" in out.stdout and "this test cell was deleted" in out.stdout
    out = run(selfchecked(tmp_path, "syntax_error"))
    assert "ERROR   in your cell predict\n        SyntaxError: invalid syntax (line 2: retrun X @ w + b)" in out.stdout


def test_a_timeout_asks_about_an_infinite_loop(tmp_path):
    result, release = selfcheck.check(selfchecked(tmp_path, "infinite_loop"), limits=LIMITS)
    lines, passed = selfcheck.report(result, release)
    assert not passed
    assert f"timed out after {TIMEOUT} s of CPU time (an infinite loop?)" in "\n".join(lines)


@pytest.mark.parametrize("content, why", [
    (None, "no such notebook"), (b"{", "is not a notebook"), (b'{"cells": [], "metadata": {}}', "not an assignment"),
])
def test_a_file_that_cannot_be_checked_gets_one_line(tmp_path, content, why):
    path = tmp_path / "mine.ipynb"
    if content is not None:
        path.write_bytes(content)
    out = run(path)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and why in out.stderr, out.stderr


def test_the_release_is_found_by_name_or_by_its_cells(tmp_path):
    nb = solution_nb()
    assert selfcheck.find_release(tmp_path / NB, nb) == RELEASE
    assert selfcheck.find_release(tmp_path / "my homework (1).ipynb", nb) == RELEASE
    assert selfcheck.releases() == (selfcheck.KIT_RELEASES if selfcheck.KIT_RELEASES.is_dir() else ROOT / "exercises")
    out = run(selfchecked(tmp_path, "correct"), "--release", tmp_path / "nowhere.ipynb")
    assert out.returncode == 2 and "no such released notebook" in out.stderr
