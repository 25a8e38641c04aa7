"""Feedback pages, built from a grading result made by hand (no kernel): what the student wrote is
there (their code, written answers, own cells, their cell's own error), the scores and comments a
grader gave, and nothing that is not theirs to see (a test cell's code past its first line, a hidden
test, a review reason).  A page sent alone shows its maths with no network."""

import html
import re

import pytest

from autograder import feedback
from conftest import cut_off_network
from autograder.engine import Record
from autograder.grades import CellGrade, CellKind, Standing, SubmissionGrade, graded_cells
from fixtures.lms import PS91, course_copy
from gradecore.results import Answer, CellError, Outcome, Result, TestResult

HIDDEN_LINE = "assert abs(slope(np.array([1.0, 2.0, 4.0]), np.array([-1.0, -2.0, -4.0])) + 1.0) < 1e-12"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return course_copy(tmp_path_factory.mktemp("feedback"))


def submission(course, scores, comments=None, answers=None, reasons=(), messages=None):
    """A SubmissionGrade of ps91 for one student, with the given scores {cell: score or None}."""
    cells = [CellGrade(c, score=scores.get(c.name), outcome="passed" if c.kind is CellKind.TEST else "",
                       message=(messages or {}).get(c.name)) for c in graded_cells(course, PS91)]
    for g in cells:
        if g.cell.kind is CellKind.TEST and g.message:
            g.outcome = "failed"
    tests = {g.cell.name: TestResult(g.cell.name, g.cell.max_score, g.score, Outcome(g.outcome or "manual"), g.message)
             for g in cells}
    records = {f"{nb}.ipynb": Record("s1", PS91, f"{nb}.ipynb",
                                     Result(max_score=10.0, tests=tests, reasons=list(reasons),
                                            answers=(answers or {}).get(nb, [])))
               for nb in ("fit", "explain")}
    standing = Standing.MANUAL if any(g.pending for g in cells) else (Standing.REVIEW if reasons else Standing.OK)
    return SubmissionGrade(student="s1", name="Jane Smith", assignment=PS91, standing=standing, cells=cells,
                           comments=comments or {}, flags=list(reasons), records=records)


ANSWERS = {
    "fit": [Answer("def slope(x, y)\n    return 0.0", "slope", error=CellError(
                "SyntaxError", "SyntaxError: expected ':' (line 1: def slope(x, y))", 1)),
            Answer("def intercept(x, y, m):\n    return 1.0", "intercept"),
            Answer("print('y = 2.00 x + 1.00')", "report_line")],
    "explain": [Answer("def residuals(x, y, m, b):\n    return y - (m * x + b)", "residuals"),
                Answer("The denominator $\\sum_i (x_i - \\bar x)^2$ is zero when all *x* are equal.", "why_undefined",
                       markdown=True),
                Answer("plt.plot(x, r)", None, after="task_plot"),
                Answer("The residuals look random.", None, after="task_plot", markdown=True)],
}


def text_of(page):
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html.unescape(page)))


def test_the_page_shows_the_students_own_work(course):
    sub = submission(course, {"test_slope": 0.0, "test_intercept": 1.0, "test_residuals": 1.0},
                     answers=ANSWERS, messages={"test_slope": "NameError: name 'slope' is not defined"})
    fit = text_of(feedback.page_for(course, sub, "fit.ipynb"))
    assert "def slope(x, y) return 0.0" in fit
    assert "your cell raised SyntaxError: expected ':' (line 1: def slope(x, y))" in fit
    assert "NameError: name 'slope' is not defined" in fit
    assert "print('y = 2.00 x + 1.00')" in fit and "report_line (answer graded by hand): not graded yet" in fit
    explain = text_of(feedback.page_for(course, sub, "explain.ipynb"))
    assert r"The denominator \(\sum_i (x_i - \bar x)^2\) is zero when all x are equal." in explain  # markdown, maths
    assert "YOUR ANSWER HERE" not in explain
    # their own cells, after the task they answer, then the task's grade
    assert explain.index("plt.plot(x, r)") < explain.index("The residuals look random.") < explain.index(
        "task_plot (task graded by hand): not graded yet")


def test_grades_and_comments_given_by_hand(course):
    scores = {"test_slope": 2.0, "test_intercept": 1.0, "report_line": 2.0, "test_residuals": 1.0,
              "why_undefined": 1.5, "task_plot": 2.0}
    comments = {("explain", "why_undefined"): "Say why no line fits.", ("explain", "task_plot"): "Clear plot."}
    sub = submission(course, scores, comments, ANSWERS)
    explain = text_of(feedback.page_for(course, sub, "explain.ipynb"))
    assert "Score: 9.5 / 10 for the whole assignment (2 notebooks)" in explain
    assert "why_undefined (answer graded by hand): 1.5 / 2 point(s)" in explain
    assert "Your grader: Say why no line fits." in explain and "Your grader: Clear plot." in explain


def test_nothing_the_student_may_not_see(course):
    sub = submission(course, {"test_slope": 0.0}, answers=ANSWERS, reasons=["suspicious code (tampering?): uses gc"],
                     messages={"test_slope": f"AssertionError: {HIDDEN_LINE}"})
    page = html.unescape(feedback.page_for(course, sub, "fit.ipynb"))
    assert HIDDEN_LINE not in page and "[hidden test]" in page  # redacted, even if the record had it
    assert "Checks slope on three points of the line y = 2x + 1." in page  # a test's first line ...
    assert "< 1e-12" not in page  # ... and nothing more of it
    assert "tampering" not in page and "suspicious" not in page  # review reasons are the instructor's


def test_a_page_needs_no_other_file(course):
    page = feedback.page_for(course, submission(course, {}), "fit.ipynb")
    assert "<script src" not in page and "<link" not in page and "mathjax-packed" in page
    assert len(page) < 1_500_000  # MathJax packed inside: about 1 MB


@pytest.mark.browser
def test_a_page_alone_shows_its_maths_offline(course, tmp_path, browser):
    alone = tmp_path / "sent-by-email.html"
    alone.write_text(feedback.page_for(course, submission(course, {}, answers=ANSWERS), "explain.ipynb"))
    page = browser.new_page()
    refused = cut_off_network(page)
    try:
        page.goto(alone.as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60000)
        page.evaluate("() => MathJax.startup.promise")
        assert not refused, refused
        assert page.locator("mjx-container").count() >= 5  # the prompts' and the student's maths
        assert "\\sum" not in page.inner_text("body")
    finally:
        page.close()
