"""The scoring rule and the messages a student reads, without kernels: nbgrader's rule written once
(it must agree with nbgrader's own), messages of failed tests, redaction of hidden tests."""

import itertools

import nbformat
import pytest

from gradecore import wire
from gradecore.rebuild import HIDDEN
from gradecore.results import Limits, Outcome
from gradecore.score import Redactor, message, nbgrader_score, score_test, warnings_in

OUTPUTS = [
    {"output_type": "stream", "name": "stdout", "text": "fine\n"},
    {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: overflow\n"},
    {"output_type": "error", "ename": "AssertionError", "evalue": "no", "traceback": []},
    {"output_type": "execute_result", "data": {"text/plain": "1.5"}, "metadata": {}, "execution_count": 1},
    {"output_type": "execute_result", "data": {"text/plain": "0"}, "metadata": {}, "execution_count": 1},
    {"output_type": "execute_result", "data": {"text/plain": "-2"}, "metadata": {}, "execution_count": 1},
    {"output_type": "execute_result", "data": {"text/plain": "'a string'"}, "metadata": {}, "execution_count": 1},
    {"output_type": "display_data", "data": {"text/plain": "<Figure>"}, "metadata": {}},
]


@pytest.mark.parametrize("outputs", [list(c) for n in range(3) for c in itertools.permutations(OUTPUTS, n)])
def test_the_scoring_rule_is_nbgraders(outputs):
    from nbgrader.utils import determine_grade

    cell = nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 3,
                                                                    "solution": False, "locked": True}})
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    assert nbgrader_score(3.0, outputs) == determine_grade(cell)[0]


def test_too_much_partial_credit_fails_the_test_as_nbgrader_refuses_it():
    reply = wire.Reply(success=True, result="7")
    test = score_test("t", 3.0, "7", reply, Limits(), lambda text: text)
    assert test.outcome is Outcome.FAILED and test.score == 0.0 and "partial credit" in test.message


def test_stderr_costs_nothing_but_is_listed():
    reply = wire.Reply(success=True, stderr="<ipython-input>:3: RuntimeWarning: overflow in exp\n  y = np.exp(z)\n")
    test = score_test("t", 2.0, "y = f()", reply, Limits(), lambda text: text)
    assert (test.score, test.outcome, test.warnings) == (2.0, Outcome.PASSED, ["RuntimeWarning: overflow in exp"])


def _source(*cells):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


TEST = ("# Checks adam\nstate = adam(w, g, {'learning_rate': 0.1})\ncheck_close(state, 1.0, 'one step')\n"
        f"{HIDDEN[0]}\n_config = {{'learning_rate': 0.25, 'beta1': 0.5}}\n"
        "check_close(adam(w, g, _config), 0.875, 'adam with beta1 = 0.5 on the hidden problem')\n"
        f"{HIDDEN[1]}\n")


def test_a_quoted_hidden_line_is_replaced_and_the_error_type_kept():
    redact = Redactor(_source(TEST))
    text = redact("ValueError: check_close(adam(w, g, _config), 0.875, 'adam with beta1 = 0.5 on the hidden problem')")
    assert text == "ValueError: [hidden test]"
    # a piece of one, as in a message cut short
    assert redact("AssertionError: _config = {'learning_rate': 0.25, 'beta") == "AssertionError: [hidden test]"


def test_what_the_students_can_read_is_never_redacted():
    redact = Redactor(_source(TEST))
    # 'learning_rate' is in a hidden line, and in the visible test too
    assert redact("KeyError: 'learning_rate'") == "KeyError: 'learning_rate'"
    assert redact("AssertionError: one step: expected 1, got 2") == "AssertionError: one step: expected 1, got 2"


def test_a_failure_in_a_hidden_test_says_so_and_a_visible_one_shows_its_line():
    limits, redact = Limits(timeout=3), Redactor(_source(TEST))
    hidden = wire.Reply(error=wire.Error("AssertionError", "adam with beta1 = 0.5: expected 0.875, got 1", line=6))
    assert message(hidden, TEST, limits, redact).endswith("(in a hidden test)")
    shown = wire.Reply(error=wire.Error("NameError", "name 'adam' is not defined", line=2))
    assert message(shown, TEST, limits, redact) == (
        "NameError: name 'adam' is not defined (at: state = adam(w, g, {'learning_rate': 0.1}))")


def test_an_assertion_that_explains_itself_is_not_followed_by_its_line():
    limits, redact = Limits(timeout=3), Redactor(_source(TEST))
    explained = wire.Reply(error=wire.Error("AssertionError", "one step: expected 1, got 2", line=2, origin="library"))
    assert message(explained, TEST, limits, redact) == "AssertionError: one step: expected 1, got 2"
    theirs = wire.Reply(error=wire.Error("AssertionError", "w must be 1-D", line=2, origin="student"))
    assert message(theirs, TEST, limits, redact) == (
        "AssertionError: w must be 1-D (at: state = adam(w, g, {'learning_rate': 0.1}))")
    bare = wire.Reply(error=wire.Error("AssertionError", "", line=2))
    assert message(bare, TEST, limits, redact) == (
        "AssertionError (at: state = adam(w, g, {'learning_rate': 0.1}))")


def test_timeouts_crashes_and_student_messages():
    limits, redact = Limits(timeout=3), Redactor(_source(TEST))
    assert message(wire.Reply(timed_out=True), TEST, limits, redact) == \
        "timed out after 3 s of CPU time (an infinite loop?)"
    crash = wire.Reply(dead="crash", exit="was killed by SIGSEGV (segmentation fault)")
    assert "crashed while this test ran: it was killed by SIGSEGV" in message(crash, TEST, limits, redact)
    long = wire.Reply(error=wire.Error("ValueError", "x" * 5000, origin="student"))
    assert len(message(long, TEST, limits, redact)) < 250  # a student's own message is cut short


def test_warnings_are_redacted_too():
    redact = Redactor(_source(TEST))
    found = warnings_in("UserWarning: check_close(adam(w, g, _config), 0.875, 'adam with beta1 = 0.5 on the hidden "
                        "problem')\nUserWarning: careful\n", redact)
    assert found == ["UserWarning: [hidden test]", "UserWarning: careful"]
