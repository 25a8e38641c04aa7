"""One batch of hostile and broken submissions: each gets its fair score and a clear status, and the
correct one in the same batch gets full marks.  Then feedback, export and report of that batch."""

import json
import re
import subprocess
import sys

import pytest

from conftest import cut_off_network
from gradertools import HOSTILE, NB, PS01, TIMEOUT, cli, export, put, small_course, solution_nb

pytestmark = pytest.mark.slow


def grade_batch(folder):
    course = small_course(folder)
    for student, (build, name, *_) in HOSTILE.items():
        put(course, student, build(), name)
    proc = cli(course, "autograde", "--timeout", str(TIMEOUT), "--memory", "1G")
    rows, columns = export(course)
    return course, proc, rows, columns


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return grade_batch(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The same batch while two CPU-bound processes run beside it (the machine's 2 cores, and more)."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        return grade_batch(tmp_path_factory.mktemp("loaded"))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def record(course, student):
    return json.loads((course.results / PS01 / student / "ps01-perceptron.json").read_text())


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_fair_score_and_status(batch, student):
    course, _, rows, _ = batch
    _, _, score, kind, text, outcomes = HOSTILE[student]
    row = rows[student, PS01]
    assert float(row["score"]) == score, (row, record(course, student)["tests"])
    assert float(row["max_score"]) == 10
    assert row["status"].split(":")[0] == kind, row["status"]
    assert text in row["status"], row["status"]
    tests = record(course, student)["tests"]
    for test, outcome in outcomes.items():
        assert tests[test]["outcome"] == outcome, tests[test]


def test_grades_do_not_depend_on_the_load(batch, loaded):
    """Time limits count CPU time: a busy machine gives every test cell the same score."""
    scores = {key: {k: v for k, v in row.items() if k.startswith("test_") or k == "score"}
              for key, row in batch[2].items()}
    assert {key: {k: v for k, v in row.items() if k.startswith("test_") or k == "score"}
            for key, row in loaded[2].items()} == scores


def test_the_batch_is_never_stopped(batch):
    course, proc, rows, _ = batch
    assert proc.returncode == 0
    assert sorted(s for s, _ in rows) == sorted(HOSTILE)
    assert "faults 0" in proc.stdout
    assert rows["correct", PS01]["score"] == "10.0" and rows["correct", PS01]["status"] == "ok"


def test_messages_say_what_happened(batch):
    course = batch[0]
    assert "timed out after 3 s" in record(course, "infinite_loop")["tests"]["test_predict"]["message"]
    assert "MemoryError" in record(course, "memory_bomb")["tests"]["test_predict"]["message"]
    assert "segmentation fault" in record(course, "segfault")["tests"]["test_squared_error_cost"]["message"]
    assert "expected shape (2,), got shape (2, 1)" in record(course, "wrong_shapes")["tests"]["test_predict"]["message"]
    assert "NaN" in record(course, "nan_results")["tests"]["test_squared_error_cost"]["message"]
    assert "NameError" in record(course, "missing_function")["tests"]["test_cost_gradients"]["message"]
    warned = record(course, "stderr_warnings")["tests"]["test_squared_error_cost"]
    assert warned["score"] == 2 and warned["warnings"] == ["RuntimeWarning: costs are fun"]


def test_output_flood_is_capped(batch):
    course = batch[0]
    assert record(course, "output_flood")["tests"]["test_predict"]["truncated"]
    graded = course.autograded / "output_flood" / PS01 / NB
    assert graded.stat().st_size < 2_000_000  # not the 20 MB it printed (twice)


def test_tampering_is_flagged_with_the_reason(batch):
    course, _, rows, _ = batch
    for student in ("tamper_numpy", "tamper_checks", "tamper_builtins", "tamper_in_function"):
        assert "tampering" in rows[student, PS01]["status"], rows[student, PS01]["status"]
    # what the guard put back before the tests ran
    assert "numpy.isclose" in rows["tamper_numpy", PS01]["status"]
    assert "builtins.isinstance" in rows["tamper_builtins", PS01]["status"]
    assert "builtins.AssertionError" in rows["tamper_builtins", PS01]["status"]


def test_gradebook_matches_the_records(batch):
    """nbgrader's own gradebook has every submission once, with the same scores."""
    from nbgrader.api import Gradebook

    course, _, rows, _ = batch
    with Gradebook(course.db_url) as gb:
        subs = gb.assignment_submissions(PS01)
        assert sorted(s.student_id for s in subs) == sorted(HOSTILE)
        for sub in subs:
            assert sub.score == float(rows[sub.student_id, PS01]["score"])
            flagged = any(nb.flagged for nb in sub.notebooks)
            assert flagged == rows[sub.student_id, PS01]["status"].startswith("review")


# ---------------------------------------------------------------- export


def test_export_columns(batch):
    _, _, rows, columns = batch
    tests = ["test_predict", "test_squared_error_cost", "test_cost_gradients", "test_gradient_descent"]
    assert columns == ["student", "name", "lms_id", "assignment", *tests, "score", "max_score", "status", "late"]
    assert all(re.fullmatch(r"ok|review: .+|fault: .+", r["status"]) for r in rows.values())
    assert rows["infinite_loop", PS01]["test_predict"] == "0.0"
    assert rows["infinite_loop", PS01]["test_cost_gradients"] == "3.0"


# ---------------------------------------------------------------- feedback


@pytest.fixture(scope="module")
def pages(batch):
    course = batch[0]
    cli(course, "feedback")
    return course, sorted(course.feedback.glob("*/*/*.html"))


def _secrets():
    """Lines of the hidden tests and of the solutions (long enough to be specific)."""
    found = []
    for cell in solution_nb().cells:
        for block in re.findall(r"### BEGIN (?:HIDDEN TESTS|SOLUTION)\n(.*?)### END", cell.source, re.S):
            found += [line.strip() for line in block.splitlines() if len(line.strip()) > 12]
    return found


def test_one_page_per_student(pages):
    _, files = pages
    assert sorted(f.parent.parent.name for f in files) == sorted(HOSTILE)


def test_feedback_leaks_no_hidden_test(pages):
    import html

    course, files = pages
    secrets = [s for s in _secrets() if not s.startswith("#")]
    correct_code = {line for line in _secrets()}  # a correct student's own code is theirs to see
    for file in files:
        text = html.unescape(file.read_text())
        student = file.parent.parent.name
        record = json.loads((course.results / PS01 / student / "ps01-perceptron.json").read_text())
        for code in (a["source"] for a in record["answers"]):  # the student's own code is theirs to see
            text = text.replace(code, "")
        assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        assert "Traceback" not in text and "Cell In[" not in text and "---->" not in text
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{file}: {leaked[:3]}"
        # nor a piece of one (a message cut short)
        pieces = [m for m in re.findall(r"<div class='message'>(.*?)</div>", text, re.S)
                  if any(len(p.strip()) >= 8 and p.strip(" .") in s for p in m.split("\n") for s in secrets)]
        assert not pieces, f"{file}: {pieces[:3]}"
    assert correct_code  # the secrets list is not empty


def test_feedback_shows_scores_and_messages(pages):
    course, _ = pages
    text = (course.feedback / "wrong_shapes" / PS01 / "ps01-perceptron.html").read_text()
    assert "Score: 5 / 10" in text
    assert "expected shape (2,), got shape (2, 1)" in text
    text = (course.feedback / "stderr_warnings" / PS01 / "ps01-perceptron.html").read_text()
    assert "RuntimeWarning: costs are fun" in text and "Score: 10 / 10" in text


def test_feedback_math_is_local(pages):
    course, files = pages
    for file in files:
        # MathJax is inside the page (packed): the page loads nothing, so it works sent alone
        text = re.sub(r"<script type='application/octet-stream' id='mathjax-packed'>[^<]*</script>", "",
                      file.read_text())
        assert "http://" not in text and "https://" not in text and "cdn" not in text.lower()
        assert not re.findall(r"<script[^>]* src=", text) and "DecompressionStream" in text
        assert r"\(" in text and r"\frac" in text  # the prompts' maths, for MathJax


@pytest.mark.browser
def test_feedback_math_renders_offline(pages, browser):
    """Chromium with every non-file request refused: MathJax typesets the page's formulas."""
    course, _ = pages
    page = browser.new_page()
    refused = cut_off_network(page, ("file:", "data:"))
    try:
        page.goto((course.feedback / "correct" / PS01 / "ps01-perceptron.html").as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        assert not refused, refused
        assert page.locator("mjx-container").count() >= 4
        assert "\\frac" not in page.inner_text("body")
    finally:
        page.close()


# ---------------------------------------------------------------- report


def test_report_has_pictures_and_the_submissions_to_look_at(batch):
    course = batch[0]
    cli(course, "report")
    index = course.reports / "index.html"
    text = index.read_text()
    images = re.findall(r"<img src='([^']+)'", text)
    assert images == [f"{PS01}.png"]
    assert (course.reports / images[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for student in ("crash_exit", "tamper_numpy", "invalid_notebook", "renamed_notebook"):
        assert f"<td>{student}</td>" in text
    assert "Most common failures" in text
