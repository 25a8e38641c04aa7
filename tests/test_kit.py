"""The student kit: built by one command, set up from the package registry alone, and carrying no answer.

The kit is unpacked into an empty folder and set up exactly with its README's commands, in a fresh
virtual environment, from a folder outside this repository and with this repository's .venv off PATH
(pip may use its cache). There the released notebooks and the self-check run, and we check that
nothing installed can reach or holds what only the instructor has: no graded function defined, no
solution or hidden-test line, no ``nnref``, no ``autograder``, no nbgrader.
"""

import ast
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course
from nbtools import ROOT, make_submission, nbgrader_cells, read

pytestmark = pytest.mark.slow
NAME = "nnopt-course-kit"
ASSIGNMENTS = Course(ROOT).assignments()
# what a student must not get, by import name
INSTRUCTOR_ONLY = ["nnref", "autograder", "nbgrader", "sklearn", "vega_datasets", "torch"]


def clean_env():
    """The environment of a student's shell: no path into this repository, no active virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and not Path(p).resolve().is_relative_to(ROOT))
    return env


def readme_commands(readme):
    """The README's two commands: the lines of its first bash block (set up; open JupyterLab)."""
    block = re.search(r"```bash\n(.*?)```", readme, re.S)[1]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    return commands


def graded_names():
    """The names of the functions defined in solution cells of solutions/."""
    names = set()
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbgrader_cells(read(path), "solution").values():
            names |= {n.name for n in ast.parse(python_only(cell.source)).body if isinstance(n, ast.FunctionDef)}
    assert len(names) > 20
    return names


def python_only(source):
    """A cell's source without IPython's magics and shell escapes."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def definitions(source, names):
    """(line, name) of every place that gives one of ``names`` an implementation: a def or class, an
    import (``from scipy.special import expit as sigmoid``), a lambda assigned to it, or an alias of
    another function (``sigmoid = expit``). Passing a function through (``self.sigmoid = sigmoid``) and
    data that happens to share a name (``accuracy = (y_hat == y).mean()``) are not."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found += [(node.lineno, node.name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [(node.lineno, a.asname or a.name.split(".")[-1]) for a in node.names]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [t.id if isinstance(t, ast.Name) else t.attr for t in targets
                     if isinstance(t, (ast.Name, ast.Attribute))]
            value = node.value
            source_name = value.id if isinstance(value, ast.Name) else value.attr if isinstance(value, ast.Attribute) else None
            if isinstance(value, ast.Lambda) or (source_name is not None):
                found += [(node.lineno, name) for name in bound if name != source_name]
    return [(line, name) for line, name in found if name in names]


def given_code(path):
    """The code a file gives a student: a .py file whole, a notebook's code cells but its solution cells."""
    if path.suffix == ".py":
        return [path.read_text()]
    nb = nbformat.read(str(path), as_version=4)
    return [python_only(c.source) for c in nb.cells
            if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("solution")]


def secret_lines(kit):
    """The solution and hidden-test lines of solutions/, each assignment's in order: {assignment: [line]}.

    A line that the kit's release of another assignment gives every student is public (ps09's training
    loop may repeat a line that ps07 gives); a release giving a line of its own solution still leaks."""
    course = Course(ROOT)
    secret = {a: course.secret_lines(a) for a in ASSIGNMENTS}
    public = set()
    for a in ASSIGNMENTS:
        for path in (kit / "assignments" / a).glob("*.ipynb"):
            given = {line.strip() for cell in read(path).cells for line in cell.source.splitlines()}
            public |= given - set(secret[a])
    secret = {a: [line for line in lines if line not in public] for a, lines in secret.items()}
    assert sum(map(len, secret.values())) > 100
    return secret


def text_lines(path):
    """The stripped, non-blank lines of a text file (a notebook's cell sources), or none for a binary file."""
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix == ".ipynb":
        try:
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        except Exception:  # not a notebook after all: scan it as text
            pass
    return [line.strip() for line in text.splitlines() if line.strip()]


def owners(venv):
    """{file: distribution name} of every file a distribution's RECORD lists, in a virtual environment."""
    owned = {}
    for record in venv.glob("lib/python3*/site-packages/*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0]
        for row in record.read_text().splitlines():
            owned[(record.parent.parent / row.split(",")[0]).resolve()] = name
    return owned


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The kit, built by the one command, into a fresh folder."""
    out = tmp_path_factory.mktemp("built")
    proc = subprocess.run([sys.executable, "-m", "autograder", "kit", "--output", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def student(built, tmp_path_factory):
    """The kit unpacked in an empty folder and set up with its README's first command; its folder."""
    home = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(built / f"{NAME}.zip") as archive:
        archive.extractall(home)
    kit = home / NAME
    setup, _ = readme_commands((kit / "README.md").read_text())
    proc = subprocess.run(["bash", "-c", setup], cwd=kit, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return kit


def kit_python(kit, code, cwd):
    """Run Python code with the kit's interpreter in ``cwd``; returns the CompletedProcess."""
    return subprocess.run([str(kit / ".venv" / "bin" / "python"), "-c", code], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=600)


def site_packages(kit):
    (path,) = (kit / ".venv" / "lib").glob("python3*/site-packages")
    return path


# ---------------------------------------------------------------- the build


def test_zip_is_reproducible_and_matches_the_tree(built, tmp_path):
    again = subprocess.run([sys.executable, "-m", "autograder", "kit", "--output", str(tmp_path)],
                           capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / f"{NAME}.zip").read_bytes() == (built / f"{NAME}.zip").read_bytes()
    with zipfile.ZipFile(built / f"{NAME}.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith(f"{NAME}/") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        tree = sorted(p.relative_to(built).as_posix() for p in (built / NAME).rglob("*") if p.is_file())
        assert names == tree
        assert all(archive.read(n) == (built / n).read_bytes() for n in names)


def test_kit_holds_the_releases_and_the_student_packages_only(built):
    kit = built / NAME
    assert {p.name for p in kit.iterdir()} == {"README.md", "requirements.txt", "constraints.txt", "assignments",
                                              "package"}
    for assignment in ASSIGNMENTS:
        for notebook in (ROOT / "exercises" / assignment).glob("*.ipynb"):
            for copy in (kit / "assignments" / assignment / notebook.name,
                         kit / "package" / "nnopt" / "releases" / assignment / notebook.name):
                assert copy.read_bytes() == notebook.read_bytes(), copy
    # the self-check grades by the course's own settings
    config = kit / "package" / "nnopt" / "releases" / "nbgrader_config.py"
    assert config.read_bytes() == (ROOT / "autograder" / "nbgrader_config.py").read_bytes()
    packages = {p.name for p in (kit / "package").iterdir() if p.is_dir()}
    assert "nnopt" in packages and not packages & set(INSTRUCTOR_ONLY)
    pinned = (kit / "requirements.txt").read_text() + (kit / "constraints.txt").read_text()
    for name in ["nbgrader", "scikit-learn", "vega-datasets", "vega_datasets", "torch", "jupyter-book", "pandas"]:
        assert not re.search(rf"^{name}\b", pinned, re.M | re.I), name
    direct = [line for line in (kit / "requirements.txt").read_text().splitlines()
              if line and not line.startswith(("#", "-c", "./"))]
    assert direct and all(re.fullmatch(r"[\w.-]+==[\w.]+", line) for line in direct), direct
    for line in direct:  # each at the version the course was tested with
        assert re.search(rf"^{re.escape(line)}$", (ROOT / "constraints.txt").read_text(), re.M | re.I), line


def test_page_config_disables_nbgrader_instructor_plugins(built):
    config = json.loads((built / NAME / "package" / "page_config.json").read_text())
    disabled = {name for name, off in config["disabledExtensions"].items() if off}
    assert {"@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
            "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:menu",
            "@jupyter/nbgrader:validate-assignment"} <= disabled


# ---------------------------------------------------------------- set up as a student


def test_setup_uses_nothing_of_this_repository(student, tmp_path):
    proc = kit_python(student, "import json, sys, nnopt; print(json.dumps([sys.path, nnopt.__file__]))", tmp_path)
    assert proc.returncode == 0, proc.stderr
    path, nnopt_file = json.loads(proc.stdout)
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)], path
    assert Path(nnopt_file).is_relative_to(site_packages(student))
    # no .pth, egg-link or direct_url.json points back into the repository
    for file in site_packages(student).glob("*"):
        if file.suffix in (".pth", ".egg-link"):
            assert str(ROOT) not in file.read_text(), file
    for record in site_packages(student).glob("*.dist-info/direct_url.json"):
        assert str(ROOT) not in record.read_text(), record


@pytest.mark.parametrize("name", INSTRUCTOR_ONLY)
def test_instructor_packages_cannot_be_imported(student, tmp_path, name):
    proc = kit_python(student, f"import {name}", tmp_path)
    assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, (name, proc.stderr)


def test_no_graded_function_is_defined(student):
    """No graded function is given an implementation (a def, class, import, lambda or alias, see
    ``definitions``) in the kit's own files (notebooks: the cells a student is given, not the solution
    cells) or its installed packages."""
    names = graded_names()
    installed = [site_packages(student) / p.name for p in (student / "package").iterdir() if p.is_dir()]
    files = sorted(f for folder in [student / "assignments", student / "package", *installed]
                   for f in folder.rglob("*") if f.suffix in (".py", ".ipynb"))
    assert any(f.name == "checks.py" for f in files)
    found = [f"{f.relative_to(student)}:{line} {name}"
             for f in files for code in given_code(f) for line, name in definitions(code, names)]
    assert not found, found


def test_no_solution_or_hidden_test_line_is_installed(student):
    """Nothing in the virtual environment, nor in the kit's own files, holds a solution or hidden test.

    The kit's own files, those its package installs and those no package claims: not one of their lines.
    The files of the packages from the registry: no two consecutive lines of a solution or hidden test
    (one line alone, such as ``if config is None:``, is common Python)."""
    secret = secret_lines(student)
    lines = {line for block in secret.values() for line in block}
    pairs = {pair for block in secret.values() for pair in zip(block, block[1:])}
    owned = owners(student / ".venv")
    files = sorted(f for folder in [student / ".venv", student / "assignments", student / "package"]
                   for f in folder.rglob("*") if f.is_file() and not f.is_symlink() and f.suffix != ".pyc")
    ours = [f for f in files if owned.get(f.resolve(), "nnopt_course_kit") == "nnopt_course_kit"]
    assert len(files) > 1000 and any(f.name == "checks.py" for f in ours)
    found = []
    for f in files:
        text = text_lines(f)
        if f in ours:
            found += [f"{f.relative_to(student)}: {line!r}" for line in sorted(set(text) & lines)]
        else:
            found += [f"{f.relative_to(student)}: {pair!r}" for pair in sorted(set(zip(text, text[1:])) & pairs)]
    assert not found, found


# ---------------------------------------------------------------- notebooks and the self-check

RUNNER = '''
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

results = {}
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=300, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    results[str(path)] = [(o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
                          for o in c.get("outputs", []) if o.output_type == "error"]
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def finished(student, tmp_path_factory):
    """Finished notebooks (each release with its solution's answers), in a folder outside the kit."""
    work = tmp_path_factory.mktemp("work")
    paths = {}
    for assignment in ASSIGNMENTS:
        (release,) = (student / "assignments" / assignment).glob("*.ipynb")
        solution = ROOT / "solutions" / assignment / release.name
        (work / assignment).mkdir()
        paths[assignment] = work / assignment / release.name
        nbformat.write(make_submission(read(release), read(solution)), str(paths[assignment]))
    return paths


@pytest.fixture(scope="module")
def runs(student, finished, tmp_path_factory):
    """The errors of every released and every finished notebook, run by nbclient in the kit: {path: [(ename, evalue)]}."""
    script = tmp_path_factory.mktemp("runner") / "run.py"
    script.write_text(RUNNER)
    released = [str(next((student / "assignments" / a).glob("*.ipynb"))) for a in ASSIGNMENTS]
    proc = subprocess.run([str(student / ".venv" / "bin" / "python"), str(script), *released,
                           *map(str, finished.values())], cwd=script.parent, env=clean_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {path: [tuple(error) for error in errors] for path, errors in json.loads(proc.stdout).items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_runs_in_the_kit(student, runs, assignment):
    """A released notebook runs top to bottom in the kit; it stops only where the student has work to do."""
    (path,) = (student / "assignments" / assignment).glob("*.ipynb")
    errors = runs[str(path)]
    assert errors, "a released notebook with nothing to implement"
    # NotImplementedError from the stubs; a NameError where a later cell uses what a stub did not make
    assert {e[0] for e in errors} <= {"NotImplementedError", "NameError"}, errors


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_finished_notebook_runs_in_the_kit(finished, runs, assignment):
    errors = runs[str(finished[assignment])]
    assert not errors, errors


def selfcheck(student, notebook):
    return subprocess.run([str(student / ".venv" / "bin" / "python"), "-m", "nnopt.selfcheck", str(notebook)],
                          cwd=notebook.parent, env=clean_env(), capture_output=True, text=True, timeout=900)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfcheck_passes_a_finished_notebook(student, finished, runs, assignment):
    proc = selfcheck(student, finished[assignment])
    tests = nbgrader_cells(read(finished[assignment]), "grade")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1].startswith(f"all {len(tests)} visible test cell(s) pass"), proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_selfcheck_lists_the_failures_of_a_released_notebook(student):
    (release,) = (student / "assignments" / ASSIGNMENTS[0]).glob("*.ipynb")
    proc = selfcheck(student, release)
    tests = nbgrader_cells(read(release), "grade")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("FAILED") >= len(tests), proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


# ---------------------------------------------------------------- JupyterLab


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_opens_without_nbgrader(student):
    """The README's second command serves JupyterLab on the kit, with no nbgrader extension in it."""
    _, open_lab = readme_commands((student / "README.md").read_text())
    port, token = free_port(), "kit-test"
    command = (f"{open_lab} --no-browser --allow-root --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
               f"--IdentityProvider.token={token} --LabApp.news_url=None "
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    server = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=student, env=clean_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # wait for the server (two minutes at most)
            try:
                page = urllib.request.urlopen(f"{url}/lab?token={token}", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not start")
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S)[1])
        extensions = [e["name"] for e in config["federated_extensions"]]
        assert "@jupyter-widgets/jupyterlab-manager" in extensions, extensions
        assert not [e for e in extensions if "nbgrader" in e], extensions
        # the kit's page config is read: nbgrader's instructor plugins would be off if it were installed
        assert "@jupyter/nbgrader:create-assignment" in config["disabledExtensions"], config["disabledExtensions"]
        listing = json.loads(urllib.request.urlopen(f"{url}/api/contents/assignments?token={token}").read())
        assert sorted(item["name"] for item in listing["content"]) == ASSIGNMENTS
    finally:
        server.terminate()
        server.wait(timeout=30)
