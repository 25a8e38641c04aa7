"""A grading kernel cannot reach the reference implementations (nnref) by any route.

For every assignment, a submission that implements nothing and fetches each graded function at run
time by a computed module name, five ways (importlib, __import__, exec of the file read from disk,
runpy, sys.path), scores exactly what the untouched release scores, and is flagged with the reason.
Each route is first shown to work where nothing stands in the way (a plain Python process)."""

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

import nnref
from gradecore import client, config, isolation
from gradecore.grade import grade
from gradecore.results import Protection, Status
from nbtools import ROOT, nbgrader_cells, notebooks, read

pytestmark = pytest.mark.slow

# def _fetch(module, name): the graded function `name` of nnref.<module>, by a computed name
ROUTES = {
    "importlib": "import importlib\n\ndef _fetch(module, name):\n"
                 "    return getattr(importlib.import_module('nn' + 'ref.' + module), name)\n",
    "__import__": "def _fetch(module, name):\n"
                  "    return getattr(__import__('nn' + 'ref.' + module, fromlist=[name]), name)\n",
    "exec": "import os, nnopt\n\ndef _fetch(module, name):\n"
            "    root = os.path.dirname(os.path.dirname(os.path.abspath(nnopt.__file__)))\n"
            "    path = os.path.join(root, 'nn' + 'ref', module + '.py')\n"
            "    namespace = {'__name__': 'nn' + 'ref.' + module, '__package__': 'nn' + 'ref'}\n"
            "    exec(compile(open(path).read(), path, 'exec'), namespace)\n"
            "    return namespace[name]\n",
    "runpy": "import runpy\n\ndef _fetch(module, name):\n"
             "    return runpy.run_module('nn' + 'ref.' + module)[name]\n",
    "sys.path": "import os, sys, nnopt\n\ndef _fetch(module, name):\n"
                "    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(nnopt.__file__))))\n"
                "    sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in type(f).__module__]\n"
                "    for key in [k for k in sys.modules if k.split('.')[0] == 'nn' + 'ref']:\n"
                "        del sys.modules[key]\n"
                "    return getattr(__import__('nn' + 'ref.' + module, fromlist=[name]), name)\n",
}
SETTINGS = config.settings(config.load(ROOT / "autograder" / "nbgrader_config.py"), private=(str(ROOT),),
                           limits={"timeout": 20})


def reference():
    """{function name: its nnref module's short name}."""
    found = {}
    for info in pkgutil.iter_modules(nnref.__path__):
        module = importlib.import_module(f"nnref.{info.name}")
        for name, value in vars(module).items():
            if callable(value) and getattr(value, "__module__", None) == module.__name__:
                found.setdefault(name, info.name)
    return found


REFERENCE = reference()
NOTEBOOKS = [(a.name, path) for a in sorted((ROOT / "solutions").iterdir()) if a.is_dir() for path in notebooks(a.name)]


def importer(release, solution, route):
    """The release with every graded function replaced by one that fetches nnref's at run time."""
    nb = nbformat.from_dict(release)
    first = True
    for gid, cell in nbgrader_cells(nb, "solution").items():
        names = [n.name for n in ast.parse(nbgrader_cells(solution, "solution")[gid].source).body
                 if isinstance(n, ast.FunctionDef) and n.name in REFERENCE]
        if not names:
            continue
        code = [ROUTES[route]] if first else []
        code += [f"def {name}(*args, **kwargs):\n    return _fetch({REFERENCE[name]!r}, {name!r})(*args, **kwargs)\n"
                 for name in names]
        cell.source, first = "\n".join(code), False
    return nb


def files(assignment):
    folder = ROOT / "exercises" / assignment
    return tuple((str(f.relative_to(folder)), f.read_bytes()) for f in sorted(folder.rglob("*"))
                 if f.is_file() and f.suffix != ".ipynb")


@pytest.mark.parametrize("route", ROUTES)
def test_each_route_works_where_nothing_stands_in_the_way(route):
    """In a plain Python process, each route does fetch the reference implementation."""
    names = sorted(REFERENCE)
    probe = ROUTES[route] + f"\nfor name, module in {[(n, REFERENCE[n]) for n in names]!r}:\n" \
                            "    assert _fetch(module, name).__name__ == name, name\nprint('fetched', len(" \
                            f"{names!r}))\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/")
    assert out.stdout.strip() == f"fetched {len(names)}", out.stderr[-2000:]


@pytest.fixture(scope="module")
def graded():
    """{(assignment, notebook, route): Result}, route "blank" for the untouched release."""
    work = []
    for assignment, path in NOTEBOOKS:
        release = read(ROOT / "exercises" / assignment / path.name)
        solution = read(path)
        settings = SETTINGS.but(files=files(assignment))
        work.append(((assignment, path.name, "blank"), path.read_text(), release, settings))
        for route in ROUTES:
            work.append(((assignment, path.name, route), path.read_text(), importer(release, solution, route), settings))
    # the audit hook alone, as on a machine without Landlock
    audit = SETTINGS.but(landlock=False, files=files("ps01-perceptron"))
    ps01 = ROOT / "solutions" / "ps01-perceptron" / "ps01-perceptron.ipynb"
    for route in ROUTES:
        nb = importer(read(ROOT / "exercises" / "ps01-perceptron" / ps01.name), read(ps01), route)
        work.append((("ps01-perceptron", ps01.name, f"{route}, audit hook only"), ps01.read_text(), nb, audit))
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda w: grade(w[1], nbformat.writes(w[2]).encode(), w[3]), work))
    client.shutdown()
    return {w[0]: r for w, r in zip(work, results)}


@pytest.mark.parametrize("assignment, notebook", [(a, p.name) for a, p in NOTEBOOKS])
@pytest.mark.parametrize("route", ROUTES)
def test_an_importer_scores_what_a_blank_submission_scores_and_is_flagged(graded, assignment, notebook, route):
    blank, fetched = graded[assignment, notebook, "blank"], graded[assignment, notebook, route]
    assert {g: t.score for g, t in fetched.tests.items()} == {g: t.score for g, t in blank.tests.items()}
    assert fetched.status is Status.REVIEW
    assert "nnref (the reference implementations)" in fetched.describe(), fetched.describe()
    if isolation.landlock_abi():
        assert fetched.protection is Protection.LANDLOCK


@pytest.mark.parametrize("route", ROUTES)
def test_the_audit_hook_alone_blocks_too(graded, route):
    blank = graded["ps01-perceptron", "ps01-perceptron.ipynb", "blank"]
    fetched = graded["ps01-perceptron", "ps01-perceptron.ipynb", f"{route}, audit hook only"]
    assert fetched.protection is Protection.AUDIT
    assert fetched.score == blank.score
    assert "nnref (the reference implementations)" in fetched.describe()


@pytest.mark.skipif(isolation.landlock_abi() < 1, reason="no Landlock on this machine's kernel")
def test_landlock_stops_what_no_audit_hook_sees(tmp_path):
    """A process in the kernels' Landlock domain, and a program it starts, can read the Python
    installation and the course package, and nothing of the course's private files."""
    probe = (
        "import os, subprocess, sys\n"
        f"from gradecore import isolation\n"
        f"boundary = isolation.Boundary({{'nnref': 'x'}}, [{str(ROOT)!r}], ['nnopt'])\n"
        f"assert isolation.restrict(boundary.readable, [{str(tmp_path)!r}])\n"
        "def cat(path):\n"
        "    return subprocess.run(['cat', path], capture_output=True).returncode\n"
        f"print(cat({str(ROOT / 'nnopt' / 'checks.py')!r}), cat({str(ROOT / 'nnref' / 'optim.py')!r}),\n"
        f"      cat({str(ROOT / 'solutions' / 'ps01-perceptron' / 'ps01-perceptron.ipynb')!r}), cat(os.__file__))\n"
        f"open({str(tmp_path / 'written')!r}, 'w').write('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["0", "1", "1", "0"], out.stderr[-2000:]
    assert (tmp_path / "written").read_text() == "ok"
