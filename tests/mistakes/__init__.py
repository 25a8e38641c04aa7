"""A catalogue of the mistakes students make, one module per assignment (``ps01.py`` ...).

Each :class:`Mistake` is a wrong implementation of one graded function, as a student would write it.
``tests/test_mistakes.py`` grades a submission carrying it twice, with the grader's own core: with the
released notebook as the source (what the student sees when running the visible tests, and what the
self-check says), and with the instructor's notebook (hidden tests included).  The visible tests must
fail with a message that contains ``visible`` (the words a student can act on); the hidden tests must
fail too.  Where only a hidden test can catch a mistake, ``visible`` is None and the prompt says so.
"""

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    assignment: str            # e.g. "ps01-perceptron"
    cell: str                  # grade_id of the solution cell the wrong code replaces
    name: str                  # a short id, unique in its assignment: "divides-by-n"
    code: str                  # the whole cell, as the student wrote it
    visible: str | None        # part of the visible tests' message (None: caught by hidden tests only)
    tests: tuple = ()          # test cells that must fail (default: ("test_" + cell,))

    @property
    def failing(self):
        return self.tests or (f"test_{self.cell}",)

    @property
    def id(self):
        return f"{self.assignment[:4]}-{self.cell}-{self.name}"


def catalogue():
    """Every mistake of every module of this package, in module order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        found += importlib.import_module(f"{__name__}.{info.name}").MISTAKES
    ids = [m.id for m in found]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"mistake ids used twice: {sorted(duplicated)}"
    return found
