"""Helpers for the autograder's tests: a small course copy, the CLI, and the hostile submissions.

Every fixture submission is ps01-perceptron (predict 2 points, squared_error_cost 2, cost_gradients 3,
gradient_descent 3; gradient_descent calls predict, squared_error_cost and cost_gradients) with the
score it must get and its status.  autograder/README.md lists the same table.
"""

import csv
import io
import os
import shutil
import subprocess
import sys

import nbformat

from autograder.course import Course
from nbtools import ROOT, make_submission, read

PS01 = "ps01-perceptron"
NB = f"{PS01}.ipynb"
TIMEOUT = 3  # seconds per cell in these tests


def small_course(tmp_path, assignments=(PS01,)):
    """A course copy with only these assignments (solutions and the committed release): no nbgrader run."""
    for name in assignments:
        shutil.copytree(ROOT / "solutions" / name, tmp_path / "solutions" / name)
        shutil.copytree(ROOT / "exercises" / name, tmp_path / "exercises" / name)
    return Course(tmp_path)


def cli(course, *args, env=None, check=True):
    """Run ``python -m autograder --root COURSE ARGS``; the CompletedProcess (text)."""
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "--root", str(course.root), *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def export(course):
    """{(student, assignment): row} of the CSV export, and its columns."""
    out = cli(course, "export").stdout
    reader = csv.DictReader(io.StringIO(out))
    rows = {(r["student"], r["assignment"]): r for r in reader}
    return rows, reader.fieldnames


def release_nb():
    return read(ROOT / "exercises" / PS01 / NB)


def solution_nb():
    return read(ROOT / "solutions" / PS01 / NB)


def submission(replace=None):
    """The release with every answer filled in from the solutions; ``replace``: {grade_id: code}."""
    return make_submission(release_nb(), solution_nb(), replace)


def put(course, student, nb, name=NB, assignment=PS01):
    folder = course.submitted / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    data = nb if isinstance(nb, bytes) else nbformat.writes(nb).encode()
    (folder / name).write_bytes(data)


# ---------------------------------------------------------------- the hostile and broken submissions

CORRECT_PREDICT = "def predict(X, w, b):\n    return X @ w + b\n"
WRONG = {  # wrong answers of the right shapes: they pass only if the checks are fooled
    "squared_error_cost": "def squared_error_cost(y_hat, y):\n    return 0.0\n",
    "cost_gradients": "def cost_gradients(X, y, w, b):\n    return np.zeros(X.shape[1]), 0.0\n",
    "gradient_descent": "def gradient_descent(X, y, w, b, lr, num_iters):\n"
                        "    return np.zeros_like(w), 0.0, np.zeros(num_iters)\n",
}
FOOL_ISCLOSE = "np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)"


def _edit(cell_id, **changes):
    def build():
        nb = submission()
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == cell_id:
                cell.update(changes)
        return nb
    return build


def _delete(cell_id):
    def build():
        nb = submission()
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != cell_id]
        return nb
    return build


def _move_to_top(cell_id):
    def build():
        nb = submission()
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell_id)
        nb.cells.remove(cell)
        nb.cells.insert(0, cell)
        return nb
    return build


def _edited_test():
    nb = submission({"squared_error_cost": WRONG["squared_error_cost"]})
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_squared_error_cost":
            cell.source = "# Checks squared_error_cost\nprint('all good')"
    return nb


# name: (build -> notebook or bytes, file name, score, status kind, text in the status, {test: outcome})
HOSTILE = {
    "correct": (lambda: submission(), NB, 10, "ok", "", {}),
    "infinite_loop": (
        lambda: submission({"predict": "def predict(X, w, b):\n    while True:\n        pass\n"}),
        NB, 5, "ok", "", {"test_predict": "timed out", "test_gradient_descent": "timed out"}),
    "crash_exit": (
        lambda: submission({"cost_gradients": "import os\n\ndef cost_gradients(X, y, w, b):\n    os._exit(1)\n"}),
        NB, 4, "review", "crashed", {"test_cost_gradients": "crashed", "test_gradient_descent": "crashed"}),
    "segfault": (  # reads far outside an array's memory
        lambda: submission({"squared_error_cost": "def squared_error_cost(y_hat, y):\n"
                                                  "    view = np.lib.stride_tricks.as_strided(y, (2,), (2**40,))\n"
                                                  "    return float(view.sum())\n"}),
        NB, 5, "review", "SIGSEGV", {"test_squared_error_cost": "crashed"}),
    "ctypes_call": (  # C code through ctypes: refused once student code runs
        lambda: submission({"squared_error_cost": "import ctypes\n\ndef squared_error_cost(y_hat, y):\n"
                                                  "    return ctypes.string_at(0)\n"}),
        NB, 5, "review", "tried to call C code through ctypes", {"test_squared_error_cost": "failed"}),
    "memory_bomb": (
        lambda: submission({"predict": "def predict(X, w, b):\n    hog = []\n    while True:\n"
                                       "        hog.append(np.ones(2**24))\n"}),
        NB, 5, "ok", "", {"test_predict": "failed"}),
    "kill_grader": (  # tries to kill its parent process (the zygote): refused
        lambda: submission({"cost_gradients": "import os, signal\n\ndef cost_gradients(X, y, w, b):\n"
                                              "    os.kill(os.getppid(), signal.SIGKILL)\n"}),
        NB, 4, "review", "tried to send a signal to another process",
        {"test_cost_gradients": "failed", "test_gradient_descent": "failed"}),
    "import_reference": (  # fetches the reference implementation at run time, by a computed name
        lambda: submission({"predict": "import importlib\n\ndef predict(X, w, b):\n"
                                       "    return importlib.import_module('nn' + 'ref.perceptron').predict(X, w, b)\n"}),
        NB, 5, "review", "tried to import nnref (the reference implementations)",
        {"test_predict": "failed", "test_gradient_descent": "failed"}),
    "read_solutions": (  # reads the instructor's notebook from the course folder
        lambda: submission({"predict": CORRECT_PREDICT + "\nimport os, nnopt\n"
                                       "_root = os.path.dirname(os.path.dirname(nnopt.__file__))\n"
                                       "try:\n    print(os.listdir(os.path.join(_root, 'solutions')))\n"
                                       "except OSError as e:\n    print(e)\n"}),
        NB, 10, "review", "tried to read a private file of the course", {}),
    "run_program": (  # starts a program
        lambda: submission({"predict": CORRECT_PREDICT + "\nimport subprocess\n"
                                       "try:\n    subprocess.run(['ls', '/'])\nexcept OSError as e:\n    print(e)\n"}),
        NB, 10, "review", "tried to run a program (subprocess.Popen)", {}),
    "leak_hidden_tests": (  # raises the hidden tests (read from IPython's input history) as its message
        lambda: submission({"predict": "def predict(X, w, b):\n"
                                       "    raise ValueError(In[-1].split('BEGIN HIDDEN TESTS')[-1])\n"}),
        NB, 5, "review", "reads the input history (In)", {"test_predict": "failed"}),
    "deleted_test": (_delete("test_predict"), NB, 10, "review", "test_predict was deleted", {}),
    "edited_test": (_edited_test, NB, 5, "review", "test_squared_error_cost was edited", {}),
    "moved_test": (_move_to_top("test_gradient_descent"), NB, 10, "review", "test_gradient_descent was moved", {}),
    "retyped_test": (_edit("test_cost_gradients", cell_type="markdown", outputs=None, execution_count=None),
                     NB, 10, "review", "test_cost_gradients was changed to markdown", {}),
    "tamper_numpy": (
        lambda: submission({"predict": CORRECT_PREDICT + f"\nnp.isclose = lambda a, b, **k: {FOOL_ISCLOSE}\n"
                                       "np.allclose = lambda *a, **k: True\n"
                                       "np.testing.assert_allclose = lambda *a, **k: None\n", **WRONG}),
        NB, 2, "review", "np.isclose", {}),
    "tamper_checks": (
        lambda: submission({"predict": CORRECT_PREDICT + "\nimport nnopt.checks\n"
                                       "nnopt.checks.check_close = lambda *a, **k: None\n"
                                       "check_close = lambda *a, **k: None\ncheck_float = lambda *a, **k: None\n",
                            **WRONG}),
        NB, 2, "review", "check_close", {}),
    "tamper_builtins": (
        lambda: submission({
            "predict": CORRECT_PREDICT + "\nimport builtins\n_real = builtins.isinstance\n"
                       "builtins.isinstance = lambda o, c: True if c == (int, float, np.integer, np.floating) "
                       "else _real(o, c)\nbuiltins.AssertionError = Warning\n",
            # db as a 0-d array: check_float fails it unless isinstance lies
            "cost_gradients": "def cost_gradients(X, y, w, b):\n    m = X.shape[0]\n    r = (X @ w + b - y) / m\n"
                              "    return X.T @ r, np.array(np.sum(r))\n"}),
        NB, 7, "review", "isinstance", {"test_cost_gradients": "failed"}),
    "tamper_in_function": (
        lambda: submission({"squared_error_cost": "def squared_error_cost(y_hat, y):\n"
                                                  f"    np.isclose = lambda a, b, **k: {FOOL_ISCLOSE}\n"
                                                  "    return 0.0\n"}),
        NB, 5, "review", "changed while test_squared_error_cost ran",
        {"test_squared_error_cost": "untrusted", "test_gradient_descent": "untrusted"}),
    "output_flood": (
        # 20 MB on each of the first two calls (the visible test's), then quiet: a flood on every call
        # of gradient descent would make it slow enough to time out, which is a fair grade but another case
        lambda: submission({"predict": "_floods = [2]\n\ndef predict(X, w, b):\n    if _floods[0]:\n"
                                       "        _floods[0] -= 1\n        print('x' * 20_000_000)\n"
                                       "    return X @ w + b\n"}),
        NB, 10, "ok", "", {}),
    "stderr_warnings": (
        lambda: submission({"squared_error_cost": "import warnings\n\ndef squared_error_cost(y_hat, y):\n"
                                                  "    warnings.warn('costs are fun', RuntimeWarning)\n"
                                                  "    return float(np.sum((y_hat - y) ** 2) / (2 * y.shape[0]))\n"}),
        NB, 10, "ok", "", {}),
    "missing_function": (lambda: submission({"cost_gradients": "# I ran out of time\n"}), NB, 4, "ok", "",
                         {"test_cost_gradients": "failed"}),
    "syntax_error": (lambda: submission({"predict": "def predict(X, w, b):\n    retrun X @ w + b\n"}), NB, 5, "ok",
                     "", {"test_predict": "failed"}),
    "wrong_shapes": (lambda: submission({"predict": "def predict(X, w, b):\n    return (X @ w + b)[:, None]\n"}),
                     NB, 5, "ok", "", {"test_predict": "failed"}),
    "nan_results": (lambda: submission({"squared_error_cost": "def squared_error_cost(y_hat, y):\n"
                                                              "    return float('nan')\n"}),
                    NB, 5, "ok", "", {"test_squared_error_cost": "failed"}),
    "invalid_notebook": (lambda: b'{"cells": [{"cell_type": "code", "sour', NB, 0, "review", "invalid notebook", {}),
    "empty_notebook": (lambda: b"", NB, 0, "review", "empty", {}),
    "renamed_notebook": (lambda: submission(), "my homework (1).ipynb", 10, "review", "renamed", {}),
}
