"""Scoring a test cell, and what the student may read about it.

``nbgrader_score`` is nbgrader's rule (``nbgrader.utils.determine_grade``) written once here: an
error scores 0, a number as the cell's last value is partial credit, anything else full marks.  One
deliberate difference, in ``score_test``: text on stderr costs nothing (nbgrader zeroes a test cell
that prints a warning, so a correct ``np.exp`` overflow warning would cost a student the question);
the warnings are listed instead.

Messages never quote a hidden test: student code can read the test cell it runs in and raise its
lines as its error message, so every message is redacted (``Redactor``) of what only the hidden
tests contain, and a message the student's own code raised is cut short.
"""

import re

from .rebuild import HIDDEN, hidden_lines, visible
from .results import Outcome, TestResult

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STUDENT_MESSAGE = 200   # characters of a message raised by the student's own code
MESSAGE = 1000          # characters of any other message
HIDDEN_TEXT = "[hidden test]"


def nbgrader_score(points, outputs):
    """nbgrader's score of a code test cell from its outputs (nbformat output dicts)."""
    for output in outputs:
        if output["output_type"] == "error" or (output["output_type"] == "stream" and output["name"] == "stderr"):
            return 0.0
        if output["output_type"] == "execute_result":
            return _partial(output["data"]["text/plain"], points)
    return points


def _partial(text, points):
    """A cell's last value as partial credit: a number in [0, points]; anything else is full marks."""
    if not text:
        raise KeyError("output ['data']['text/plain'] does not exist")
    if isinstance(text, list):
        if len(text) > 1:
            return points
        text = text[0]
    try:
        value = float(text)
    except ValueError:
        return points
    if value > points:
        raise ValueError("partial credit cannot be greater than maximum points for cell")
    return value if value >= 0 else points


class Redactor:
    """Removes from a message what only the hidden tests contain.

    A line of a hidden test (or a long enough piece of one, as in a message cut short) is replaced
    by "[hidden test]", unless the students can read it anyway (it is in a prompt, a visible test
    or a set-up cell): a ``KeyError: 'learning_rate'`` stays readable when the prompt names the key.
    The error's type before the colon is always kept."""

    MIN = 8  # shorter pieces tell nothing

    def __init__(self, source):
        shown, hidden = [], []
        for cell in source.cells:
            text = cell.source
            hidden += [block for block in re.findall(f"{re.escape(HIDDEN[0])}(.*?){re.escape(HIDDEN[1])}", text, re.S)]
            if not (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("solution"):
                shown.append(visible(text))
        self.shown = "\n".join(shown)
        lines = {line.strip() for block in hidden for line in block.splitlines()}
        self.secrets = sorted((l for l in lines if len(l) >= self.MIN and l not in self.shown), key=len, reverse=True)

    def secret(self, piece):
        piece = piece.strip()
        return len(piece) >= self.MIN and piece not in self.shown and any(piece in s for s in self.secrets)

    def __call__(self, text):
        for line in self.secrets:
            if line in text:
                text = text.replace(line, HIDDEN_TEXT)
        out = []
        for line in text.split("\n"):  # and the pieces of one (a message cut short, say)
            head = re.match(r"^\s*(\w+: )?", line)[0]
            bare = line[len(head):].removesuffix(" ...").strip()
            out.append(head + HIDDEN_TEXT if bare != HIDDEN_TEXT and self.secret(bare) else line)
        return "\n".join(out)


def error_text(error, redact, limit=MESSAGE):
    """ "ExceptionName: message" of a ``wire.Error``, redacted and capped."""
    evalue = ANSI.sub("", error.evalue or "").strip()
    if error.origin == "student":  # a message the student's own code raised is theirs to write: short
        limit = min(limit, STUDENT_MESSAGE)
    if len(evalue) > limit:
        evalue = evalue[:limit] + " ..."
    return redact(f"{error.ename}: {evalue}" if evalue else error.ename)


def message(reply, code, limits, redact):
    """What a student may read about a failed test cell (``code``: its source, hidden tests included)."""
    if reply.dead == "crash":
        return f"the kernel crashed while this test ran: it {reply.exit or 'died'}"
    if reply.dead == "timeout":
        return (f"timed out after {limits.timeout:g} s of CPU time and could not be interrupted "
                "(the kernel was restarted)")
    if reply.dead == "not run":
        return "not run: the kernel kept crashing"
    if reply.dead == "forged":
        return "the kernel's answer was forged (tampering): scored 0"
    if reply.timed_out:
        return f"timed out after {limits.timeout:g} s of CPU time (an infinite loop?)"
    error = reply.error
    text = error_text(error, redact)
    if error.ename == "MemoryError":
        text += f" (a grading kernel may use at most {limits.memory / 2**30:.1f} GiB)"
    if error.line:
        hidden = hidden_lines(code)
        if error.line in hidden:
            text += " (in a hidden test)"
        else:
            shown = visible(code).split("\n")
            number = error.line - sum(1 for h in hidden if h < error.line)
            # a test's assertion with a message says what failed: its line (often ``check.done()``) adds
            # nothing; the student's own assertion still needs the line of the test that set it off
            explained = (error.origin != "student" and error.ename == "AssertionError"
                         and (error.evalue or "").strip())
            if 0 < number <= len(shown) and shown[number - 1].strip() and not explained:
                text += f" (at: {shown[number - 1].strip()[:200]})"
    return text


def warnings_in(stderr, redact):
    """The warnings a cell printed, one line each (the source lines Python quotes are left out)."""
    found = []
    for line in ANSI.sub("", stderr).splitlines():
        match = re.search(r"\b(\w*Warning): (.*)", line)
        text = redact(f"{match[1]}: {match[2]}"[:200]) if match else None
        if text and text not in found:
            found.append(text)
    return found[:5]


def score_test(grade_id, points, code, reply, limits, redact):
    """The ``TestResult`` of a test cell from its kernel reply (None: it never ran)."""
    result = TestResult(grade_id, points, 0.0)
    if reply is None:
        result.outcome, result.message = Outcome.NOT_RUN, "not run"
        return result
    result.warnings = warnings_in(reply.stderr, redact)
    result.truncated = reply.truncated
    if reply.dead:
        result.outcome = {"crash": Outcome.CRASHED, "timeout": Outcome.TIMED_OUT}.get(reply.dead, Outcome.NOT_RUN)
        result.message = message(reply, code, limits, redact)
    elif not reply.success or reply.timed_out:
        result.outcome = Outcome.TIMED_OUT if reply.timed_out else Outcome.FAILED
        result.message = message(reply, code, limits, redact)
    elif reply.tampered:
        result.outcome = Outcome.UNTRUSTED
        result.message = ("scored 0: the checking tools were changed while this test ran ("
                          + ", ".join(reply.tampered[:3]) + ")")
    else:
        # nbgrader's rule on the outputs, without stderr (a warning from correct code costs nothing)
        outputs = []
        if reply.result is not None:
            outputs.append({"output_type": "execute_result", "data": {"text/plain": reply.result}})
        try:
            result.score, result.outcome = float(nbgrader_score(points, outputs)), Outcome.PASSED
        except (KeyError, ValueError):  # nbgrader stops on these: here they are the test's failure
            result.outcome = Outcome.FAILED
            result.message = f"the test cell's last value is not a valid partial credit: {reply.result[:100]!r}"
    return result
