"""Grade one submission: ``grade(source, submission, settings) -> result``, a pure function.

It runs in a worker (a local process, or a Dask worker on another machine) and touches neither the
course folder nor the gradebook: the instructor's process writes what it returns.

1. Read the submission.  An invalid or empty file gets a clear result (score 0, status says why).
2. Rebuild the notebook in the source's order: the student's solution cells and own cells, and every
   locked cell (setup and tests, hidden tests included) from the source by ``grade_id``, whatever the
   student did to them.  A test cell deleted, edited, moved or changed to markdown is flagged.
3. Scan the student's code for tampering (``scan.tampering``).
4. Run the cells in a fresh, limited kernel (``kernel.py``).  A cell that runs too long is
   interrupted and the others still run.  A crash restarts the kernel, replays the cells that had
   run, and gives the crashed cell a second chance (an external kill is not the student's fault); a
   second crash scores that cell 0 and grading goes on with the next cell.
5. Score each test cell as nbgrader does from its outputs (an error: 0; a number as last value:
   partial credit; otherwise full marks), except that text on stderr (a warning) does not cost
   points, and a test during which the checking tools were tampered with scores 0.
6. A kernel that cannot start (before any student code ran) is retried; if that persists the result
   is a "fault", never a score.
"""

import atexit
import json
import re
import threading
import time

import nbformat

from . import scan
from .kernel import Kernel, StartError, Zygote

VERSION = "1"  # part of every result's key: results of another version are not reused
DEFAULTS = {
    "timeout": 30,          # seconds a cell may run before it is interrupted
    "grace": 5,             # seconds an interrupted cell has to stop before its kernel is killed
    "memory": 2 * 2**30,    # address-space limit of a grading kernel, bytes
    "output_limit": 100_000,  # characters of stdout (and of stderr) kept per cell
    "retries": 3,           # attempts at starting a kernel before the submission is a fault
    "user": None,           # run kernels as this user (needs root)
}
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# ---------------------------------------------------------------- 1-2: read and rebuild


def _meta(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
    return meta if isinstance(meta, dict) else {}


def role(cell):
    """nbgrader's role of a source cell: "test", "solution", "manual" (graded solution), "locked" or None."""
    meta = _meta(cell)
    if not meta.get("grade_id"):
        return None
    if meta.get("solution"):
        return "manual" if meta.get("grade") else "solution"
    if meta.get("grade"):
        return "test"
    return "locked" if meta.get("locked") else None


def visible(source):
    """The part of a test cell the students see (nbgrader's ClearHiddenTests)."""
    lines, hidden = [], False
    for line in source.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def hidden_lines(source):
    """Line numbers (1-based) of a test cell that belong to hidden tests, markers included."""
    lines, hidden = set(), False
    for number, line in enumerate(source.split("\n"), 1):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        if hidden:
            lines.add(number)
        if "END HIDDEN TESTS" in line:
            hidden = False
    return lines


def _norm(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def read_submission(data):
    """The submitted notebook, or raise ValueError saying why it cannot be graded."""
    if not data.strip():
        raise ValueError("the notebook file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not text (not a notebook)") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:
        raise ValueError(f"not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError("not a valid notebook (no list of cells)")
    for cell in nb.cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str):
            raise ValueError("not a valid notebook (a malformed cell)")
        cell.setdefault("metadata", {})
        cell.setdefault("cell_type", "code")
    return nb


def _longest_increasing(seq):
    """Indices of one longest increasing subsequence of seq (what stayed in place)."""
    best = []  # best[i]: indices of the longest run ending at i
    for i, value in enumerate(seq):
        prev = max((best[j] for j in range(i) if seq[j] < value), key=len, default=[])
        best.append(prev + [i])
    return set(max(best, key=len, default=[]))


def rebuild(source, submitted):
    """The cells to grade, in the source's order, and the review flags of the rebuilding.

    Returns (cells, flags, solutions): cells are dicts with kind ("setup", "student", "test",
    "markdown"), grade_id, code; solutions: {grade_id: the student's code} for the feedback.
    """
    roles = {_meta(c)["grade_id"]: role(c) for c in source.cells if role(c)}
    matched, order, attached, anchor = {}, [], {None: []}, None
    for cell in submitted.cells:
        gid = _meta(cell).get("grade_id")
        if gid in roles and gid not in matched:
            matched[gid], anchor = cell, gid
            order.append(gid)
        elif gid in roles and roles[gid] not in ("solution", "manual"):
            continue  # a copy of a locked cell: the source's own cell runs instead
        else:
            attached.setdefault(anchor, []).append(cell)  # the student's own cell
    flags = []
    if not matched:
        flags.append("none of the assignment's cells are in the notebook (graded its code as it is)")
    position = {gid: i for i, gid in enumerate(roles)}
    kept = _longest_increasing([position[g] for g in order])
    moved = {g for i, g in enumerate(order) if i not in kept}
    cells, solutions = [], {}

    def own(gid):
        for cell in attached.get(gid, []):
            kind = "student" if cell.cell_type == "code" else "markdown"
            cells.append({"kind": kind, "grade_id": None, "code": cell.source})

    own(None)
    for cell in source.cells:
        kind, gid = role(cell), _meta(cell).get("grade_id")
        if kind in ("solution", "manual"):
            mine = matched.get(gid)
            if mine is not None:
                solutions[gid] = mine.source
                cells.append({"kind": "student" if mine.cell_type == "code" else "markdown", "grade_id": gid,
                              "code": mine.source, "manual": kind == "manual"})
        elif kind == "test":
            mine = matched.get(gid)
            if mine is None:
                flags.append(f"test cell {gid} was deleted (restored)")
            elif mine.cell_type != cell.cell_type:
                flags.append(f"test cell {gid} was changed to {mine.cell_type} (restored)")
            elif _norm(mine.source) != _norm(visible(cell.source)):
                flags.append(f"test cell {gid} was edited (restored)")
            elif gid in moved:
                flags.append(f"test cell {gid} was moved (graded in its place)")
            cells.append({"kind": "test" if cell.cell_type == "code" else "markdown", "grade_id": gid,
                          "code": cell.source})
        elif kind == "locked":
            cells.append({"kind": "setup" if cell.cell_type == "code" else "markdown", "grade_id": gid,
                          "code": cell.source})
        if gid:
            own(gid)
    return cells, flags, solutions


# ---------------------------------------------------------------- 4: run


class SetupDied(StartError):
    """Infrastructure: the kernel died in the course's own setup cells, before any student code."""


_ZYGOTES = {}  # one zygote per grading thread (a Dask worker, too, may run several tasks at once)
_SPARE = []   # zygotes started ahead of need (prestart)
_LOCK = threading.Lock()
_ABORTED = threading.Event()


def _zygote(fresh=False):
    """This thread's zygote: a spare one, or a new one; ``fresh``: replace the current one."""
    if _ABORTED.is_set():
        raise StartError("grading was interrupted")
    key = threading.get_ident()
    with _LOCK:
        zygote = _ZYGOTES.pop(key, None)
        if zygote is not None and (fresh or not zygote.alive()):
            zygote.close()
            zygote = None
        if zygote is None and _SPARE:
            zygote = _SPARE.pop()
    if zygote is None:
        zygote = Zygote()
    zygote.ready()
    with _LOCK:
        _ZYGOTES[key] = zygote
    return zygote


def prestart(n):
    """Start n zygotes now, without waiting for them (they import NumPy, Matplotlib, IPython)."""
    _ABORTED.clear()
    with _LOCK:
        _SPARE.extend(Zygote(wait=False) for _ in range(n))


def shutdown():
    """Stop every zygote of this process (their kernels die with them)."""
    with _LOCK:
        zygotes = list(_ZYGOTES.values()) + _SPARE
        _ZYGOTES.clear()
        _SPARE.clear()
    for zygote in zygotes:
        zygote.close()


atexit.register(shutdown)  # a Dask worker's zygotes and their folders go with it


def abort():
    """Interrupted: kill the zygotes (and so the kernels) under the grading threads."""
    _ABORTED.set()
    with _LOCK:
        zygotes = list(_ZYGOTES.values()) + _SPARE
    for zygote in zygotes:
        zygote.kill()


class Runner:
    """Runs the cells of one submission, restarting the kernel after crashes."""

    def __init__(self, settings, fork):
        self.settings, self.fork = settings, fork
        self.starts = 0
        self.kernel = None

    def start(self):
        """A fresh kernel (StartError after ``retries`` failed attempts)."""
        inject = self.settings.get("inject") or {}
        last = None
        for attempt in range(self.settings["retries"]):
            self.starts += 1
            try:
                fail = self.starts <= inject.get("fail_starts", 0)
                return Kernel(_zygote(fresh=attempt > 0), {**self.fork, "fail": fail})
            except StartError as exc:
                last = exc
                time.sleep(0.2 * attempt)
        raise StartError(f"{last} ({self.settings['retries']} attempts)")

    def run_all(self, cells):
        """{index: reply} for the code cells; raises StartError if the kernel died before any student code."""
        timeout, grace = self.settings["timeout"], self.settings["grace"]
        todo = [i for i, c in enumerate(cells) if c["kind"] in ("setup", "student", "test")]
        replies, done, second_chance = {}, [], set()
        budget = 3 + 2 * sum(c["kind"] == "test" for c in cells)
        student_ran = False
        self.kernel = self.start()
        try:
            k = 0
            while k < len(todo):
                i = todo[k]
                cell = cells[i]
                student_ran = student_ran or cell["kind"] == "student"
                reply = self.kernel.run(self._msg(cell), timeout, grace)
                if "dead" not in reply:
                    replies[i] = reply
                    if not reply.get("timed_out"):
                        done.append(i)  # replayed after a crash (a cell that timed out is not)
                    k += 1
                    continue
                if not student_ran:
                    raise SetupDied(f"the kernel {reply.get('exit', 'died')} before any student code ran")
                if reply["dead"] == "crash" and i not in second_chance:
                    second_chance.add(i)
                else:
                    replies[i] = reply
                    k += 1
                budget -= 1
                if budget < 0 or not self.restart(cells, done):
                    for j in todo[k:]:
                        replies.setdefault(j, {"dead": "not run"})
                    break
        finally:
            self.kernel.close()
        return replies

    def restart(self, cells, done):
        """A new kernel in the state of the old one: the cells that had run, run again."""
        self.kernel.close()
        self.kernel = self.start()
        for i in done:
            reply = self.kernel.run(self._msg(cells[i]), self.settings["timeout"], self.settings["grace"])
            if "dead" in reply:
                return False
        return True

    @staticmethod
    def _msg(cell):
        return {"code": cell["code"], "kind": cell["kind"], "builtins": cell.get("builtins", []),
                "binds": cell.get("binds", [])}


# ---------------------------------------------------------------- 5: score


def redact(text, secrets):
    """Text with every line of a hidden test it quotes replaced (a student's code can read the test
    cells it runs in, and raise them as its error message)."""
    for line in secrets:
        if line in text:
            text = text.replace(line, "[hidden test]")
    out = []
    for line in text.split("\n"):  # and the pieces of one (a message cut short, say)
        bare = re.sub(r"^\w+: ", "", line.strip()).removesuffix(" ...").strip()
        out.append("[hidden test]" if len(bare) >= 8 and any(bare in secret for secret in secrets) else line)
    return "\n".join(out)


def secret_lines(source):
    """The lines of the source's hidden tests that are specific enough to recognise."""
    lines = set()
    for cell in source.cells:
        for block in HIDDEN.findall(cell.source):
            lines.update(l.strip() for l in block.splitlines() if len(l.strip()) >= 8)
    return sorted(lines, key=len, reverse=True)


def _message(reply, cell, settings):
    """What a student may read about a failed test: the error's message, never hidden test code."""
    if reply.get("dead") == "crash":
        return f"the kernel crashed while this test ran: it {reply.get('exit', 'died')}"
    if reply.get("dead") == "timeout":
        return f"timed out after {settings['timeout']} s and could not be interrupted (the kernel was restarted)"
    if reply.get("dead") == "not run":
        return "not run: the kernel kept crashing"
    if reply.get("dead") == "forged":
        return "the kernel's answer was forged (tampering): scored 0"
    if reply.get("timed_out"):
        return f"timed out after {settings['timeout']} s (an infinite loop?)"
    ename = reply.get("ename", "Error")
    evalue = ANSI.sub("", reply.get("evalue", "")).strip()
    # a message the student's own code raised is theirs to write: short, and never quoting tests
    limit = 200 if reply.get("origin") == "student" else 1000
    if len(evalue) > limit:
        evalue = evalue[:limit] + " ..."
    text = redact(f"{ename}: {evalue}" if evalue else ename, settings.get("secrets", []))
    if ename == "MemoryError":
        text += f" (a grading kernel may use at most {settings['memory'] / 2**30:.1f} GiB)"
    line = reply.get("line")
    if line:
        if line in hidden_lines(cell["code"]):
            text += " (in a hidden test)"
        else:
            shown = visible(cell["code"]).split("\n")
            number = line - sum(1 for h in hidden_lines(cell["code"]) if h < line)
            if 0 < number <= len(shown) and shown[number - 1].strip():
                text += f" (at: {shown[number - 1].strip()[:200]})"
    return text


def _warnings(stderr, secrets=()):
    """The warnings a cell printed, one line each (the source lines Python quotes are left out)."""
    found = []
    for line in ANSI.sub("", stderr).splitlines():
        match = re.search(r"\b(\w*Warning): (.*)", line)
        text = redact(f"{match[1]}: {match[2]}"[:200], secrets) if match else None
        if text and text not in found:
            found.append(text)
    return found[:5]


def score_test(cell, source_cell, reply, settings):
    """(score, outcome, message) of one test cell from its kernel reply."""
    from nbgrader.utils import determine_grade

    points = float(_meta(source_cell)["points"])
    if reply is None:
        return 0.0, "not run", "not run"
    if "dead" in reply:
        return 0.0, {"crash": "crashed", "timeout": "timed out"}.get(reply["dead"], "not run"), \
            _message(reply, cell, settings)
    if reply["status"] != "ok" or reply.get("timed_out"):
        return 0.0, "timed out" if reply.get("timed_out") else "failed", _message(reply, cell, settings)
    if reply.get("tampered"):
        why = ", ".join(reply["tampered"][:3])
        return 0.0, "untrusted", f"scored 0: the checking tools were changed while this test ran ({why})"
    # nbgrader's rule on the outputs, without stderr (a warning from correct code costs nothing)
    outputs = []
    if reply.get("result"):
        outputs.append(nbformat.v4.new_output("execute_result", {"text/plain": reply["result"]}, execution_count=1))
    graded = nbformat.from_dict({**source_cell, "outputs": outputs})
    score, _ = determine_grade(graded)
    return float(score if score is not None else points), "passed", None


# ---------------------------------------------------------------- the whole submission


def _outputs(reply):
    """The notebook outputs of a kernel reply (the autograded copy; instructor-only)."""
    outs = []
    if not reply:
        return outs
    for name in ("stdout", "stderr"):
        if reply.get(name):
            outs.append(nbformat.v4.new_output("stream", name=name, text=reply[name]))
    if "dead" in reply:
        outs.append(nbformat.v4.new_output("error", ename="KernelDied", evalue=reply.get("exit", reply["dead"]),
                                           traceback=[]))
    elif reply.get("status") == "error":
        outs.append(nbformat.v4.new_output("error", ename=reply.get("ename", "Error"),
                                           evalue=reply.get("evalue", ""),
                                           traceback=reply.get("traceback", "").split("\n")))
    elif reply.get("result") is not None:
        outs.append(nbformat.v4.new_output("execute_result", {"text/plain": reply["result"]}, execution_count=None))
    return outs


def grade(source, submission, settings=None):
    """Grade one submitted notebook against its source notebook.

    source: the instructor's notebook (JSON text, hidden tests included); submission: the student's
    file (bytes); settings: see DEFAULTS, plus "files" (hex of the assignment's other files),
    "renamed" (the file's name when it is not the source's), "inject" (fault injection, tests only).

    Returns a dict: status ("ok", "review: why", "fault: why"), flags, tests ({grade_id: {score,
    max_score, outcome, message, warnings, truncated}}), score, max_score, solutions, notebook
    (the executed copy), seconds, kernel_starts.
    """
    started = time.monotonic()
    settings = {**DEFAULTS, **(settings or {})}
    src = nbformat.reads(source, as_version=4)
    settings["secrets"] = secret_lines(src)
    tests = {_meta(c)["grade_id"]: c for c in src.cells if role(c) in ("test", "manual")}
    max_score = sum(float(_meta(c)["points"]) for c in tests.values())
    result = {"status": "ok", "flags": [], "tests": {}, "score": 0.0, "max_score": max_score,
              "solutions": {}, "notebook": None, "kernel_starts": 0}

    def finish():
        result["flags"] = list(dict.fromkeys(result["flags"]))
        if not result["status"].startswith("fault"):
            result["status"] = "review: " + "; ".join(result["flags"]) if result["flags"] else "ok"
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    def zero(message, outcome):
        for gid, cell in tests.items():
            result["tests"][gid] = {"score": 0.0, "max_score": float(_meta(cell)["points"]), "outcome": outcome,
                                    "message": message, "warnings": [], "truncated": False}

    if settings.get("renamed"):
        result["flags"].append(f"notebook renamed: {settings['renamed']}")
    try:
        submitted = read_submission(submission)
    except ValueError as exc:
        result["flags"].append(f"invalid notebook file: {exc}")
        zero(f"not graded: {exc}", "invalid")
        return finish()

    cells, flags, result["solutions"] = rebuild(src, submitted)
    result["flags"] += flags
    student_code = [c["code"] for c in cells if c["kind"] == "student"]
    locked_code = [c["code"] for c in cells if c["kind"] in ("setup", "test")]
    findings = scan.tampering(student_code, locked_code)
    if findings:
        result["flags"].append("suspicious code (tampering?): " + ", ".join(findings[:4]))
    for cell in cells:
        if cell["kind"] == "test":
            cell["builtins"] = scan.builtins_used(cell["code"])
            cell["binds"] = sorted(scan.bound_names(scan.parse(cell["code"])))
    # cells after the last test cannot change a grade: they are not run
    last = max((i for i, c in enumerate(cells) if c["kind"] == "test"), default=-1)
    # what the course's own cells import is imported once, in the zygote (and so readable by --kernel-user)
    preload = sorted({m for c in cells[:last + 1] if c["kind"] in ("setup", "test") for m in scan.imports(c["code"])})
    fork = {"memory": settings["memory"], "output_limit": settings["output_limit"], "preload": preload,
            "files": settings.get("files", {}), "user": settings.get("user"),
            "cpu": int(settings["timeout"] + settings["grace"]) * (len(cells) + 4) + 60}
    runner = Runner(settings, fork)
    try:
        for attempt in range(settings["retries"]):
            try:
                replies = runner.run_all(cells[:last + 1])
                break
            except SetupDied:
                if attempt + 1 == settings["retries"]:
                    raise
    except StartError as exc:
        result["status"] = f"fault: {exc}"
        result["tests"] = {}
        result["score"] = None
        result["kernel_starts"] = runner.starts
        return finish()
    result["kernel_starts"] = runner.starts

    # score the test cells, and the flags the kernel raised
    source_by_id = {_meta(c)["grade_id"]: c for c in src.cells if role(c)}
    total, manual = 0.0, []
    for i, cell in enumerate(cells):
        reply = replies.get(i)
        if reply and reply.get("restored"):
            result["flags"].append("tampering: restored " + ", ".join(reply["restored"][:4]) +
                                   f" before {cell['grade_id'] or 'a locked cell'}")
        if reply and reply.get("shadowed"):
            result["flags"].append("tampering: " + ", ".join(reply["shadowed"][:4]) + " shadow builtins")
        if reply and reply.get("dead") in ("crash", "forged"):
            result["flags"].append(f"the kernel crashed in {cell['grade_id'] or 'a cell of the student'}: "
                                   f"it {reply.get('exit', reply['dead'])}")
        if cell.get("manual") and cell["grade_id"] in tests:
            manual.append(cell["grade_id"])
        if cell["kind"] != "test":
            continue
        gid = cell["grade_id"]
        score, outcome, message = score_test(cell, source_by_id[gid], reply, settings)
        if outcome == "untrusted":
            result["flags"].append(f"tampering: the checking tools changed while {gid} ran")
        total += score
        result["tests"][gid] = {
            "score": score, "max_score": float(_meta(source_by_id[gid])["points"]), "outcome": outcome,
            "message": message, "warnings": _warnings((reply or {}).get("stderr", ""), settings["secrets"]),
            "truncated": bool((reply or {}).get("truncated")),
        }
    for gid in manual:  # answers graded by a person (none in this course so far)
        result["tests"][gid] = {"score": None, "max_score": float(_meta(tests[gid])["points"]),
                                "outcome": "manual", "message": "graded by hand", "warnings": [],
                                "truncated": False}
        result["flags"].append(f"grade {gid} by hand")
    for gid in tests:  # a test cell that never ran (it came after a kernel that kept crashing)
        result["tests"].setdefault(gid, {"score": 0.0, "max_score": float(_meta(tests[gid])["points"]),
                                         "outcome": "not run", "message": "not run", "warnings": [],
                                         "truncated": False})
    result["tests"] = {gid: result["tests"][gid] for gid in tests}
    result["score"] = total
    result["notebook"] = _executed(src, cells, replies, last)
    return finish()


def _executed(source, cells, replies, last):
    """The graded notebook with its outputs, as nbformat JSON (written to autograded/)."""
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    for i, cell in enumerate(cells):
        meta = {}
        if cell["grade_id"]:
            meta = {"nbgrader": _meta(next(c for c in source.cells if _meta(c).get("grade_id") == cell["grade_id"]))}
        if cell["kind"] == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell["code"], metadata=meta))
        else:
            code = nbformat.v4.new_code_cell(cell["code"], metadata=meta)
            code.outputs = _outputs(replies.get(i)) if i <= last else []
            nb.cells.append(code)
    return json.dumps(nb)
