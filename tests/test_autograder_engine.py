"""Grading a class reliably: the same grades twice, resuming after an interruption, infrastructure
faults retried and then reported (never a 0), a Dask cluster grading as the local pool does."""

import json
import os
import pwd
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from assignments import ASSIGNMENTS
from gradertools import HOSTILE, PS01, TIMEOUT, cli, export, put, small_course, submission
from nbtools import ROOT, make_submission, notebooks, points, read

pytestmark = pytest.mark.slow

# a small class: what the scores must be
CLASS = {
    "correct": 10,
    "wrong": 7,          # tests/assignments.py's wrong gradient_descent
    "untouched": 0,
    "crash_exit": 4,
    "tamper_in_function": 5,
    "stderr_warnings": 10,
}


def make_class(course, students=CLASS):
    from gradertools import release_nb

    for student in students:
        if student == "wrong":
            spec = ASSIGNMENTS[PS01]["wrong"]
            nb = submission({spec["cell"]: spec["code"]})
        elif student == "untouched":
            nb = release_nb()
        elif student == "loop":
            spec = ASSIGNMENTS[PS01]["loop"]
            nb = submission({spec["cell"]: spec["code"]})
        else:
            nb = HOSTILE[student][0]()
        put(course, student, nb)


def scores(rows):
    return {s: float(r["score"]) for (s, _), r in rows.items()}


def gradebook_students(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        return sorted(s.student_id for s in gb.assignment_submissions(PS01))


def records(course):
    return sorted(p.parent.name for p in course.results.glob(f"{PS01}/*/*.json"))


def grade(course, *args, env=None, check=True):
    return cli(course, "autograde", "--timeout", str(TIMEOUT), *args, env=env, check=check)


def test_every_assignment_solved_scores_full_marks_and_ok(tmp_path):
    """No false alarm from the guard or the scan on any assignment's own solutions."""
    names = [p.name for p in sorted((ROOT / "solutions").iterdir()) if (ROOT / "exercises" / p.name).is_dir()]
    course = small_course(tmp_path, names)
    expected = {}
    for name in names:
        for path in notebooks(name):
            solution = read(path)
            put(course, "solver", make_submission(read(ROOT / "exercises" / name / path.name), solution),
                path.name, assignment=name)
            expected[name] = sum(points(solution).values())
    grade(course)
    rows, _ = export(course)
    for name, total in expected.items():
        row = rows["solver", name]
        assert (float(row["score"]), row["status"]) == (total, "ok"), row


def test_grading_twice_gives_the_same_grades(tmp_path):
    course = small_course(tmp_path)
    make_class(course)
    grade(course)
    first, _ = export(course)
    assert scores(first) == CLASS
    details = {s: json.loads((course.results / PS01 / s / f"{PS01}.json").read_text())["tests"] for s in CLASS}
    again = grade(course, "--force")
    assert f"graded {len(CLASS)}, reused 0" in again.stdout
    second, _ = export(course)
    assert second == first
    assert details == {s: json.loads((course.results / PS01 / s / f"{PS01}.json").read_text())["tests"] for s in CLASS}
    # a third run grades nothing: every submission is unchanged
    third = grade(course)
    assert "nothing to grade" in third.stdout
    assert "Traceback" not in third.stderr and "Error" not in third.stderr  # no zygote tracebacks
    assert export(course)[0] == first
    # a changed submission is graded again, alone
    put(course, "untouched", submission())
    fourth = grade(course)
    assert f"graded 1, reused {len(CLASS) - 1}" in fourth.stdout
    assert float(export(course)[0]["untouched", PS01]["score"]) == 10


def test_an_interrupted_run_resumes_without_losing_or_double_counting(tmp_path):
    course = small_course(tmp_path)
    make_class(course)
    stopped = grade(course, env={"AUTOGRADER_INTERRUPT_AFTER": "2"}, check=False)
    assert stopped.returncode == 130, stopped.stderr
    assert len(records(course)) == 2 and gradebook_students(course) == records(course)
    resumed = grade(course)
    assert f"graded {len(CLASS) - 2}, reused 2" in resumed.stdout
    rows, _ = export(course)
    assert scores(rows) == CLASS and len(rows) == len(CLASS)
    assert gradebook_students(course) == sorted(CLASS) == records(course)


def test_a_killed_run_resumes(tmp_path):
    """SIGKILL to the whole grading process group, then the same command again."""
    course = small_course(tmp_path)
    students = {**CLASS, "loop": 5}
    make_class(course, students)
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "--root", str(course.root), "autograde", "--timeout", str(TIMEOUT),
         "--jobs", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not records(course) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(records(course))
    assert 0 < done < len(students)
    resumed = grade(course)
    assert f"reused {done}" in resumed.stdout
    rows, _ = export(course)
    assert scores(rows) == students
    assert gradebook_students(course) == sorted(students) == records(course)


def test_new_test_cells_after_grading_say_how_to_regrade_and_keep_manual_grades(tmp_path):
    from nbgrader.api import Gradebook

    course = small_course(tmp_path)
    make_class(course, ["correct", "wrong"])
    grade(course)
    with Gradebook(course.db_url) as gb:  # a person gives a score of their own, as in formgrader
        gb.find_grade("test_gradient_descent", PS01, PS01, "wrong").manual_score = 2.0
        gb.db.commit()
    # the instructor adds a test cell to the graded assignment, and releases it again
    path = course.solutions / PS01 / f"{PS01}.ipynb"
    nb = read(path)
    index, cell = next((i, c) for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id")
                       == "test_predict")
    extra = nbformat.from_dict(json.loads(json.dumps(cell)))
    extra.metadata.nbgrader.update(grade_id="test_predict_again", points=1)
    extra["id"] = "test-predict-again"
    nb.cells.insert(index + 1, extra)
    nbformat.write(nb, str(path))
    cli(course, "release", PS01)
    refused = grade(course, check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"autograde {PS01} --new-cells" in refused.stderr
    grade(course, "--new-cells")
    rows, _ = export(course)
    assert (rows["correct", PS01]["test_predict_again"], float(rows["correct", PS01]["score"])) == ("1.0", 11)
    with Gradebook(course.db_url) as gb:
        kept = gb.find_grade("test_gradient_descent", PS01, PS01, "wrong")
        assert (kept.manual_score, kept.auto_score, kept.needs_manual_grade) == (2.0, 0.0, False)


def test_a_kernel_that_fails_to_start_is_retried(tmp_path):
    course = small_course(tmp_path)
    make_class(course, ["correct", "wrong"])
    grade(course, env={"AUTOGRADER_INJECT": json.dumps({"fail_starts": 2})})
    rows, _ = export(course)
    assert scores(rows) == {"correct": 10, "wrong": 7}
    assert {r["status"] for r in rows.values()} == {"ok"}
    record = json.loads((course.results / PS01 / "correct" / f"{PS01}.json").read_text())
    assert record["kernel_starts"] == 3


def test_a_persistent_fault_is_reported_never_graded(tmp_path):
    course = small_course(tmp_path)
    make_class(course, ["correct", "wrong"])
    failed = grade(course, env={"AUTOGRADER_INJECT": json.dumps({"fail_starts": 99})}, check=False)
    assert failed.returncode == 3
    rows, _ = export(course)
    for student in ("correct", "wrong"):
        row = rows[student, PS01]
        assert row["status"].startswith("fault: the kernel died while starting"), row
        assert row["score"] == "" and row["test_predict"] == ""  # no grade at all, not a 0
    assert gradebook_students(course) == []
    # the next run retries the faults and grades them
    grade(course)
    rows, _ = export(course)
    assert scores(rows) == {"correct": 10, "wrong": 7}
    assert gradebook_students(course) == ["correct", "wrong"]


def test_dask_cluster_grades_as_the_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = small_course(tmp_path / "local")
    make_class(local)
    grade(local)
    remote = small_course(tmp_path / "dask")
    make_class(remote)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        out = grade(remote, "--scheduler", cluster.scheduler_address)
    assert "Dask cluster at tcp://127.0.0.1:" in out.stdout
    assert export(remote)[0] == export(local)[0]
    for student in CLASS:
        a = json.loads((local.results / PS01 / student / f"{PS01}.json").read_text())
        b = json.loads((remote.results / PS01 / student / f"{PS01}.json").read_text())
        assert a["tests"] == b["tests"] and a["status"] == b["status"]


def test_grading_as_root_warns(tmp_path):
    course = small_course(tmp_path)
    make_class(course, ["correct"])
    proc = grade(course)
    assert ("warning: grading as root" in proc.stderr) == (os.geteuid() == 0)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching the kernels' user needs root")
def test_kernels_can_run_as_an_unprivileged_user(tmp_path):
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")
    course = small_course(tmp_path)
    secret = course.root / "instructor-only.txt"
    secret.write_text("the answers")
    secret.chmod(0o600)
    nb = submission()
    probe = f"import os\nprint('uid', os.getuid())\ntry:\n    open({str(secret)!r}).read()\nexcept OSError as e:\n    print(type(e).__name__)\n"
    nb.cells.insert(2, nbformat.v4.new_code_cell(probe))  # a cell of the student's own, after the imports
    put(course, "alice", nb)
    proc = grade(course, "--kernel-user", "nobody")
    assert "warning: grading as root" not in proc.stderr
    assert float(export(course)[0]["alice", PS01]["score"]) == 10
    graded = (course.autograded / "alice" / PS01 / f"{PS01}.ipynb").read_text()
    assert f"uid {nobody.pw_uid}" in graded and "PermissionError" in graded
