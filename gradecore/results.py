"""The values of grading: what ``grade`` is given (``Settings``, ``Limits``) and what it returns
(``Result``, made of one ``TestResult`` per graded cell and the student's ``Answer`` cells).

Statuses and outcomes are enums, never prefixed strings: a ``Result`` is ``Status.OK``, ``REVIEW``
(a person should look; ``reasons`` say why, the score is still the fair one) or ``FAULT`` (the
grading infrastructure failed: no score at all).  Every value has ``to_dict``/``from_dict`` for the
JSON records the instructor's tools keep.
"""

import hashlib
from dataclasses import dataclass, field, fields, replace
from enum import Enum


class Status(str, Enum):
    OK = "ok"
    REVIEW = "review"   # graded, but a person should look (the reasons say why)
    FAULT = "fault"     # not graded: the grading infrastructure failed


class Outcome(str, Enum):
    """What happened to one graded cell."""

    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    CRASHED = "crashed"
    UNTRUSTED = "untrusted"   # it passed while the checking tools were changed: scored 0
    NOT_RUN = "not run"       # the kernel kept crashing before it
    INVALID = "invalid"       # the notebook file could not be read
    MISSING = "missing"       # no notebook was submitted
    MANUAL = "manual"         # a written answer or a task: graded by a person


class AfterTests(str, Enum):
    """When the cells after the last test cell run: they change no grade, but a person who opens the
    graded copy sees their output."""

    ALWAYS = "always"
    REVIEW = "review"   # when a person will look: the notebook has cells graded by hand, or is flagged
    NEVER = "never"


class Protection(str, Enum):
    """What kept a grading kernel away from the course's private files."""

    LANDLOCK = "landlock"     # the Linux kernel's Landlock, and the audit hook
    AUDIT = "audit hook"      # the audit hook alone (no Landlock on this machine)


@dataclass(frozen=True)
class Limits:
    """What a grading kernel may use."""

    timeout: float = 30.0        # CPU seconds a cell may use before it is interrupted
    grace: float = 5.0           # seconds an interrupted cell has to stop before its kernel is killed
    memory: int = 2 * 2**30      # address space of a grading kernel, bytes
    output_limit: int = 100_000  # characters of stdout (and of stderr) kept per cell
    retries: int = 3             # attempts at starting a kernel before the submission is a fault

    @property
    def backstop(self):
        """Wall-clock seconds after which a cell is interrupted even if it uses no CPU (it sleeps)."""
        return max(10 * self.timeout, self.timeout + 60)


@dataclass(frozen=True)
class Settings:
    """Everything ``grade`` needs besides the two notebooks.

    The course-specific names come from the course's configuration (``gradecore.config``); the
    rest is per submission (``files``, ``renamed``).
    """

    limits: Limits = Limits()
    packages: tuple = ()      # the course's own packages: kernels read them, the guard keeps them intact
    probes: tuple = ()        # (module, statement): each must raise an AssertionError quoting `token`
    forbidden: tuple = ()     # (package, what it is): no kernel may import or read them
    private: tuple = ()       # folders no kernel may read or list (the course's root)
    landlock: bool = True     # use Landlock where the machine's kernel has it
    after_tests: AfterTests = AfterTests.REVIEW  # when the cells after the last test cell run
    user: str = None          # run the kernels as this user (needs root)
    files: tuple = ()         # (relative path, bytes): the assignment's other files, beside the notebook
    renamed: str = None       # the submitted file's name, when it is not the source notebook's
    inject: tuple = ()        # fault injection, tests only: (("fail_starts", n),)

    def but(self, **changes):
        """A copy with some fields changed (``limits`` may be given as a dict of its fields)."""
        if isinstance(changes.get("limits"), dict):
            changes["limits"] = replace(self.limits, **changes["limits"])
        return replace(self, **changes)

    def scoring(self):
        """What changes scores: part of the key under which a result is reused."""
        return {"limits": _plain(self.limits), "packages": list(self.packages),
                "probes": [list(p) for p in self.probes], "forbidden": [list(f) for f in self.forbidden],
                "renamed": self.renamed,
                "files": sorted((path, hashlib.sha256(data).hexdigest()) for path, data in self.files)}


@dataclass
class TestResult:
    """One graded cell: a test cell (scored by running it), a manual answer or a task."""

    __test__ = False  # not a pytest test class

    grade_id: str
    max_score: float
    score: float = None           # None: not graded yet (a manual cell) or not graded at all (a fault)
    outcome: Outcome = Outcome.NOT_RUN
    message: str = None           # what the student may read: the error, never a hidden test
    warnings: list = field(default_factory=list)  # warnings the cell printed (they cost nothing)
    truncated: bool = False       # the cell printed more than the output limit

    @property
    def needs_manual_grade(self):
        return self.outcome is Outcome.MANUAL

    def to_dict(self):
        return {**_plain(self), "outcome": self.outcome.value}

    @classmethod
    def from_dict(cls, data):
        return cls(**{**_known(cls, data), "outcome": Outcome(data["outcome"])})


@dataclass
class CellError:
    """The error a student's own cell raised (a SyntaxError, say), as the student may read it."""

    ename: str
    message: str                  # e.g. "SyntaxError: invalid syntax (line 3: retrun y)"
    line: int = None              # line of the cell, 1-based

    def __str__(self):
        return self.message

    def to_dict(self):
        return _plain(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**_known(cls, data))


@dataclass
class Answer:
    """A cell the student wrote: a solution cell (``grade_id``) or a cell of their own (``grade_id``
    None), placed after the source's cell ``after`` (None: before every cell)."""

    source: str
    grade_id: str = None
    after: str = None
    markdown: bool = False
    error: CellError = None

    def to_dict(self):
        return {**_plain(self), "error": self.error.to_dict() if self.error else None}

    @classmethod
    def from_dict(cls, data):
        error = data.get("error")
        return cls(**{**_known(cls, data), "error": CellError.from_dict(error) if error else None})


@dataclass
class Result:
    """A graded notebook.

    ``fault`` says why it could not be graded (then ``score`` is None and ``tests`` is empty);
    ``reasons`` why a person should look.  ``notebook`` is the executed copy (nbformat JSON, hidden
    tests included: instructor-only); it is not part of ``to_dict``.
    """

    max_score: float
    score: float = None
    tests: dict = field(default_factory=dict)       # grade_id -> TestResult, in the notebook's order
    reasons: list = field(default_factory=list)
    fault: str = None
    answers: list = field(default_factory=list)     # Answer, in the notebook's order
    changed: dict = field(default_factory=dict)     # test cells the student changed: grade_id -> "deleted",
    #                                                 "edited", "moved" or "changed to markdown" (restored)
    protection: Protection = None
    seconds: float = 0.0
    kernel_starts: int = 0
    notebook: str = None

    @property
    def status(self):
        if self.fault:
            return Status.FAULT
        return Status.REVIEW if self.reasons else Status.OK

    def describe(self):
        """The status in words: "ok", "review: reason; reason" or "fault: why"."""
        if self.fault:
            return f"fault: {self.fault}"
        return "review: " + "; ".join(self.reasons) if self.reasons else "ok"

    def review(self, reason):
        """Ask for a person's look, saying why (once per reason)."""
        if reason not in self.reasons:
            self.reasons.append(reason)

    @property
    def needs_manual_grade(self):
        return any(test.needs_manual_grade for test in self.tests.values())

    def answer(self, grade_id):
        """The student's source of a solution cell (None: the cell is missing)."""
        return next((a.source for a in self.answers if a.grade_id == grade_id), None)

    def to_dict(self):
        data = _plain(self)
        data.pop("notebook")
        data.update(status=self.status.value, tests={g: t.to_dict() for g, t in self.tests.items()},
                    answers=[a.to_dict() for a in self.answers],
                    protection=self.protection.value if self.protection else None)
        return data

    @classmethod
    def from_dict(cls, data):
        values = _known(cls, data)
        values.update(tests={g: TestResult.from_dict(t) for g, t in data.get("tests", {}).items()},
                      answers=[Answer.from_dict(a) for a in data.get("answers", [])],
                      protection=Protection(data["protection"]) if data.get("protection") else None)
        return cls(**values)


def _plain(obj):
    """A dataclass's fields as a dict (not recursing into nested dataclasses' own conversions)."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = _plain(value) if hasattr(value, "__dataclass_fields__") else value
    return out


def _known(cls, data):
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
