"""The static scan, without kernels: what it flags, what it does not, and that grading threads may
scan at the same time (CPython 3.11's ast is not thread-safe)."""

import ast
import gc
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from gradecore import scan

LOCKED = ["import numpy as np\nfrom nnopt.checks import check_close"]


def findings(code, packages=("nnopt",), forbidden=("nnref",)):
    return scan.tampering([code], LOCKED, packages, forbidden)


def test_honest_code_is_not_flagged():
    assert findings("def predict(X, w, b):\n    return X @ w + b\n\nresult = predict(np.ones((2, 2)), np.ones(2), 0)") == []
    assert findings("for _i in range(3):\n    print(_i)") == []  # a loop variable named _i is not history
    assert findings("%matplotlib inline\nx = 1") == []  # IPython's magics are not get_ipython()


def test_tampering_and_forbidden_imports_are_flagged():
    assert "assigns np.isclose" in findings("np.isclose = lambda *a, **k: True")
    assert "redefines check_close" in findings("check_close = print")
    assert "assigns nnopt.checks.check_close" in findings("import nnopt.checks\nnnopt.checks.check_close = 1")
    assert "imports nnref.optim" in findings("from nnref.optim import adam")
    assert "imports importlib" in findings("import importlib")
    assert "calls __import__ on computed code" in findings("m = __import__('nn' + 'ref')")
    assert "reads the input history (In)" in findings("print(In[-1])")


def test_a_syntax_error_is_no_finding():
    assert findings("def f(:\n") == []
    assert scan.parse("def f(:\n") is None


DEEP = "x = " + "(" * 60 + "1" + ")" * 60 + "\n" + "\n".join(
    f"def f{i}(a, b=[1, {{2: 3}}]):\n    return [a, (a, {{a: a}})]" for i in range(60))


class Garbage:
    """Cyclic garbage whose finalizer lets another thread run: the garbage collector, run while a
    syntax tree is being built, then switches threads in the middle of it."""

    def __init__(self):
        self.me = self

    def __del__(self):
        time.sleep(0)


def test_many_threads_scan_at_once():
    expected = ast.dump(scan.tree(DEEP))
    errors = []

    def one(_):
        try:
            for _ in range(3):
                Garbage(), Garbage()
                assert ast.dump(scan.tree(DEEP)) == expected
        except Exception as exc:  # without the lock: SystemError: AST constructor recursion depth mismatch
            errors.append(repr(exc))

    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(50, 1, 1)
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(120)))
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)
    assert errors == []
