"""The mistakes catalogue (tests/mistakes/): visible tests name each mistake, hidden tests catch it too.

Graded with the grader's own core, so the verdicts are what the self-check and the autograder give.
"""

from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from gradecore import client, config
from gradecore.grade import grade
from gradecore.results import AfterTests, Outcome
from mistakes import catalogue
from nbtools import ROOT, make_submission, notebooks, read

pytestmark = pytest.mark.slow
MISTAKES = catalogue()
# the cells after the last test change no verdict: not run here
SETTINGS = config.settings(config.load(ROOT / "autograder" / "nbgrader_config.py"), limits={"timeout": 60},
                           after_tests=AfterTests.NEVER)


def _graded(mistake, folder):
    """The test results of a submission carrying the mistake, graded against ``folder``'s notebook."""
    (path,) = notebooks(mistake.assignment, ROOT / folder)
    solution = read(notebooks(mistake.assignment)[0])
    release = read(ROOT / "exercises" / mistake.assignment / path.name)
    nb = make_submission(release, solution, replace={mistake.cell: mistake.code.strip("\n")})
    folder = ROOT / "exercises" / mistake.assignment
    files = tuple((str(f.relative_to(folder)), f.read_bytes()) for f in sorted(folder.rglob("*"))
                  if f.is_file() and f.suffix != ".ipynb")
    return grade(path.read_text(), nbformat.writes(nb).encode(), SETTINGS.but(files=files)).tests


@pytest.fixture(scope="module")
def verdicts():
    """{(mistake id, "exercises" | "solutions"): test results}, graded two at a time."""
    work = [(m, folder) for m in MISTAKES for folder in ("exercises", "solutions")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda job: _graded(*job), work))
    client.shutdown()
    return {(m.id, folder): r for (m, folder), r in zip(work, results)}


def test_the_catalogue_covers_every_assignment():
    assert {m.assignment for m in MISTAKES} <= {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_visible_tests_name_the_mistake(verdicts, mistake):
    if mistake.visible is None:
        pytest.skip("caught by hidden tests only (the prompt says so)")
    tests = verdicts[(mistake.id, "exercises")]
    for gid in mistake.failing:
        assert tests[gid].outcome is not Outcome.PASSED, f"the visible {gid} passes {mistake.id}"
    messages = " | ".join(tests[gid].message or "" for gid in mistake.failing)
    assert mistake.visible in messages, f"{mistake.id}: {messages}"


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_hidden_tests_catch_the_mistake(verdicts, mistake):
    tests = verdicts[(mistake.id, "solutions")]
    for gid in mistake.failing:
        assert tests[gid].score < tests[gid].max_score, f"grading gives {gid} full marks for {mistake.id}"


def test_most_mistakes_are_caught_by_visible_tests():
    caught = sum(m.visible is not None for m in MISTAKES)
    assert caught >= 0.9 * len(MISTAKES), f"only {caught} of {len(MISTAKES)} mistakes have a visible check"
