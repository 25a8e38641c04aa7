"""Grade one notebook: ``grade(source, submission, settings) -> Result``, a pure function.

It touches no file of the course (it may run on a Dask worker, or in a student's self-check):

1. **Read** the submission; an invalid or empty file gets a clear result (score 0, flagged).
2. **Rebuild** the cells in the source's order (``rebuild``): the student's cells, and every locked
   cell from the source, whatever the student did to it.
3. **Scan** the student's code for tampering (``scan``): a finding flags, it changes no score.
4. **Run** every cell in a fresh, isolated kernel (``client``, ``sandbox``).  A cell over its CPU
   time is interrupted and the others still run.  A crash restarts the kernel, replays the cells
   that had run and gives the crashed cell a second chance (a kill from outside is not the
   student's fault); a second crash scores that cell 0 and grading goes on with the next cell.
   The cells after the last test cannot change a grade: they run when a person will read the
   graded copy (``Settings.after_tests``: the notebook has cells graded by hand, or is flagged).
5. **Score** each test cell with nbgrader's rule (``score``), except that stderr costs nothing and
   a test during which the checking tools changed scores 0.  Written answers and tasks are left to
   a person (``Outcome.MANUAL``).
6. A kernel that cannot start (before any student code ran) is retried; if that persists the
   result is a fault, never a score.
"""

import json
import re
import time

import nbformat

from . import client, scan, wire
from .client import StartError
from .rebuild import graded_cells, meta, points, read_submission, rebuild, role
from .results import AfterTests, Answer, CellError, Outcome, Protection, Result, Settings, TestResult
from .score import Redactor, error_text, message, score_test

VERSION = "2"  # part of every result's key: results of another version are not reused


class SetupDied(StartError):
    """Infrastructure: the kernel died in the course's own set-up cells, before any student code."""


class Runner:
    """Runs the cells of one submission, restarting the kernel after crashes."""

    def __init__(self, settings, spec, start):
        self.limits, self.spec, self.start = settings.limits, spec, start
        self.inject = dict(settings.inject)
        self.starts = 0
        self.kernel = None
        self.protection = None

    def new_kernel(self):
        """A fresh kernel (StartError after ``retries`` failed attempts)."""
        last = None
        for attempt in range(self.limits.retries):
            self.starts += 1
            try:
                self.spec.fail = self.starts <= self.inject.get("fail_starts", 0)
                kernel = client.Kernel(client.zygote(self.start, fresh=attempt > 0), self.spec)
                self.protection = self.protection or kernel.protection
                return kernel
            except StartError as exc:
                last = exc
                time.sleep(0.2 * attempt)
        raise StartError(f"{last} ({self.limits.retries} attempts)")

    def run_all(self, cells, go_on=None):
        """{index: wire.Reply} of the code cells; SetupDied if the kernel died before any student code.

        go_on(replies): called once the last test cell has run; False leaves the cells after it."""
        last = max((i for i, c in enumerate(cells) if c.kind == "test"), default=-1)
        todo = [i for i, c in enumerate(cells) if c.runs]
        replies, done, second_chance = {}, [], set()
        budget = 3 + 2 * sum(c.kind == "test" for c in cells)
        student_ran = False
        self.kernel = self.new_kernel()
        try:
            k = 0
            while k < len(todo):
                i = todo[k]
                if i > last and go_on is not None:
                    if not go_on(replies):
                        break
                    go_on = None
                cell = cells[i]
                student_ran = student_ran or cell.kind == "student"
                reply = self.kernel.run(self._run(cell), self.limits)
                if not reply.dead:
                    replies[i] = reply
                    if not reply.timed_out:
                        done.append(i)  # replayed after a crash (a cell that timed out is not)
                    k += 1
                    continue
                if not student_ran:
                    raise SetupDied(f"the kernel {reply.exit or 'died'} before any student code ran")
                if reply.dead == "crash" and i not in second_chance:
                    second_chance.add(i)
                else:
                    replies[i] = reply
                    k += 1
                budget -= 1
                if budget < 0 or not self.restart(cells, done):
                    for j in todo[k:]:
                        replies.setdefault(j, wire.Reply(dead="not run"))
                    break
        finally:
            self.kernel.close()
        return replies

    def restart(self, cells, done):
        """A new kernel in the state of the old one: the cells that had run, run again."""
        self.kernel.close()
        self.kernel = self.new_kernel()
        for i in done:
            if self.kernel.run(self._run(cells[i]), self.limits).dead:
                return False
        return True

    @staticmethod
    def _run(cell):
        return wire.Run(code=cell.code, kind=cell.kind, token="", builtins=cell.builtins, binds=cell.binds)


def grade(source, submission, settings=None):
    """Grade one submitted notebook against its source notebook.

    source: the source notebook (nbformat JSON text; the instructor's, hidden tests included, or the
    released one for a self-check); submission: the student's file (bytes); settings: ``Settings``.
    Returns a ``Result``."""
    started = time.monotonic()
    settings = settings or Settings()
    src = nbformat.reads(source, as_version=4)
    redact = Redactor(src)
    graded = graded_cells(src)
    result = Result(max_score=sum(points(c) for c in graded.values()))

    def finish():
        result.seconds = round(time.monotonic() - started, 3)
        return result

    if settings.renamed:
        result.review(f"notebook renamed: {settings.renamed}")
    try:
        submitted = read_submission(submission)
    except ValueError as exc:
        result.review(f"invalid notebook file: {exc}")
        result.score = 0.0
        result.tests = {gid: TestResult(gid, points(c), 0.0, Outcome.INVALID, f"not graded: {exc}")
                        for gid, c in graded.items()}
        return finish()

    cells, flags, result.changed = rebuild(src, submitted)
    for flag in flags:
        result.review(flag)
    forbidden = dict(settings.forbidden)
    findings = scan.tampering([c.code for c in cells if c.kind == "student"], [c.code for c in cells if c.locked],
                              settings.packages, forbidden)
    if findings:
        result.review("suspicious code (tampering?): " + ", ".join(findings[:4]))
    for cell in cells:
        if cell.kind == "test":
            cell.builtins = scan.builtins_used(cell.code)
            cell.binds = sorted(scan.bound_names(scan.parse(cell.code)))

    by_hand = any(role(c) in ("manual", "task") for c in graded.values())

    def go_on(replies):
        """Run the cells after the last test? (They change no grade: only a person reads them.)"""
        policy = AfterTests(settings.after_tests)
        if policy is not AfterTests.REVIEW:
            return policy is AfterTests.ALWAYS
        return by_hand or bool(result.reasons) or any(_flags(r) for r in replies.values())

    runner = Runner(settings, _spec(settings, cells), client.start_of(settings))
    try:
        for attempt in range(settings.limits.retries):
            try:
                replies = runner.run_all(cells, go_on)
                break
            except SetupDied:
                if attempt + 1 == settings.limits.retries:
                    raise
    except StartError as exc:
        result.fault, result.kernel_starts = str(exc), runner.starts
        return finish()
    result.kernel_starts = runner.starts
    result.protection = Protection(runner.protection) if runner.protection else None
    _score(result, src, graded, cells, replies, settings, redact)
    result.notebook = _executed(src, cells, replies)
    return finish()


def _flags(reply):
    """The reply says something a person should look at (it flags the notebook)."""
    return bool(reply.blocked or reply.restored or reply.shadowed or reply.tampered or reply.dead)


def _spec(settings, cells):
    """What the zygote needs to fork this submission's kernel."""
    limits = settings.limits
    forbidden = {name for name, _ in settings.forbidden}
    # what the course's own cells import is imported once, in the zygote (and so readable by --kernel-user)
    preload = sorted({m for c in cells if c.locked for m in scan.imports(c.code) if m.split(".")[0] not in forbidden})
    return wire.Spec(memory=limits.memory, output_limit=limits.output_limit,
                     cpu=int(limits.timeout + limits.grace) * (len(cells) + 4) + 60, preload=preload,
                     files={path: data.hex() for path, data in settings.files}, user=settings.user,
                     probes=[list(p) for p in settings.probes], landlock=settings.landlock)


def _score(result, src, graded, cells, replies, settings, redact):
    """Fill ``result`` from the kernel's replies: scores, the student's answers, review reasons."""
    broken = {}  # a name the student's failed cell should have defined -> that cell's error
    total = 0.0
    for i, cell in enumerate(cells):
        reply = replies.get(i)
        where = cell.grade_id or "a cell of the student's own"
        if reply is not None:
            for why in reply.blocked:
                result.review(why if cell.kind != "setup" else f"the course's own cell {where} {why} (fix the notebook)")
            if reply.restored:
                result.review("tampering: restored " + ", ".join(reply.restored[:4]) + f" before {where}")
            if reply.shadowed:
                result.review("tampering: " + ", ".join(reply.shadowed[:4]) + " shadow builtins")
            if reply.dead in ("crash", "forged"):
                result.review(f"the kernel crashed in {where}: it {reply.exit or reply.dead}")
        if cell.students:
            error = _cell_error(reply, cell, settings, redact) if cell.runs else None
            result.answers.append(Answer(cell.code, cell.grade_id, cell.after, cell.kind == "markdown", error))
            if error:
                for name in _defines(cell, src):
                    broken.setdefault(name, (cell, error))
        if cell.kind != "test":
            continue
        test = score_test(cell.grade_id, points(graded[cell.grade_id]), cell.code, reply, settings.limits, redact)
        if test.outcome is Outcome.UNTRUSTED:
            result.review(f"tampering: the checking tools changed while {cell.grade_id} ran")
        undefined = re.fullmatch(r"NameError: name '(\w+)' is not defined.*", test.message or "", re.S)
        if undefined and undefined[1] in broken:
            failed, error = broken[undefined[1]]
            test.message += (f"; {undefined[1]} is not defined because your cell "
                             f"{failed.grade_id or 'of your own'} failed: {error}")
        total += test.score or 0.0
        result.tests[cell.grade_id] = test
    answered = {c.grade_id for c in cells if c.grade_id}
    for gid, cell in graded.items():
        if role(cell) in ("manual", "task"):  # written answers and tasks: graded by a person
            note = "graded by hand" if gid in answered else "graded by hand (the answer is missing)"
            result.tests[gid] = TestResult(gid, points(cell), None, Outcome.MANUAL, note)
        elif gid not in result.tests:  # a test cell that never ran
            result.tests[gid] = TestResult(gid, points(cell), 0.0, Outcome.NOT_RUN, "not run")
    result.tests = {gid: result.tests[gid] for gid in graded}
    result.score = total


def _cell_error(reply, cell, settings, redact):
    """The error of a student's cell (its SyntaxError with the line, say), or None."""
    if reply is None or (reply.success and not reply.dead and not reply.timed_out):
        return None
    if reply.dead or reply.timed_out or reply.error is None:
        return CellError("Timeout" if reply.timed_out or reply.dead == "timeout" else "KernelDied",
                         message(reply, cell.code, settings.limits, redact))
    error = reply.error
    text = error_text(error, redact)
    lines = cell.code.split("\n")
    if error.line and 0 < error.line <= len(lines):
        text += f" (line {error.line}: {lines[error.line - 1].strip()[:120]})"
    return CellError(error.ename, text, error.line)


def _defines(cell, src):
    """Names a student's cell defines: those of the source's cell of the same grade_id, else its own
    top-level defs and assignments (read line by line: a cell with a SyntaxError has no tree)."""
    if cell.grade_id:
        code = next((c.source for c in src.cells if meta(c).get("grade_id") == cell.grade_id), "")
        names = scan.bound_names(scan.parse(code))
        if names:
            return list(names)
    return [a or b for a, b in re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*=", cell.code, re.M)]


def _outputs(reply):
    """The notebook outputs of a kernel reply (the graded copy; instructor-only)."""
    outs = []
    if reply is None:
        return outs
    for name in ("stdout", "stderr"):
        if getattr(reply, name):
            outs.append(nbformat.v4.new_output("stream", name=name, text=getattr(reply, name)))
    if reply.dead:
        outs.append(nbformat.v4.new_output("error", ename="KernelDied", evalue=reply.exit or reply.dead,
                                           traceback=[]))
    elif reply.timed_out:
        outs.append(nbformat.v4.new_output("error", ename="Timeout", evalue="the cell was interrupted",
                                           traceback=[]))
    elif not reply.success:
        error = reply.error or wire.Error()
        outs.append(nbformat.v4.new_output("error", ename=error.ename, evalue=error.evalue,
                                           traceback=error.traceback.split("\n")))
    elif reply.result is not None:
        outs.append(nbformat.v4.new_output("execute_result", {"text/plain": reply.result}, execution_count=None))
    return outs


def _executed(source, cells, replies):
    """The graded notebook with its outputs, as nbformat JSON (instructor-only: hidden tests)."""
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    by_id = {meta(c)["grade_id"]: c for c in source.cells if meta(c).get("grade_id")}
    for i, cell in enumerate(cells):
        data = {"nbgrader": meta(by_id[cell.grade_id])} if cell.grade_id in by_id else {}
        if cell.kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.code, metadata=data))
        else:
            code = nbformat.v4.new_code_cell(cell.code, metadata=data)
            code.outputs = _outputs(replies.get(i))
            nb.cells.append(code)
    return json.dumps(nb)
