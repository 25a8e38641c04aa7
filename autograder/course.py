"""Where things are, and what nbgrader knows about them.

The layout is nbgrader's ``CourseDirectory`` configuration in ``nbgrader_config.py`` (one place):
``solutions/`` is nbgrader's source, ``exercises/`` its release, and ``autograder/`` holds the
submissions, the autograded copies, the feedback and the gradebook; beside them this project keeps
the per-submission result records (``results/``), the class report (``reports/``) and the class
list (``roster.csv``).  Everything in ``autograder/`` but the code is instructor-only and ignored by git.

nbgrader's own commands (``release`` uses ``generate_assignment``) run as separate processes with
this course's configuration file, so the instructor's shell needs no ``nbgrader_config.py`` in the
working directory.  ``root`` may point at a copy of the course (the tests grade in a temporary folder).
"""

import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "nbgrader_config.py"
ROOT = HERE.parent
# this project's files beside nbgrader's, in the folder of the gradebook
RESULTS, REPORTS, ROSTER, LMS_COLUMNS = "results", "reports", "roster.csv", "lms-columns.json"
# what nbgrader's generate_assignment does to a source notebook, SaveCells (the gradebook) left out
RELEASE_STEPS = ("IncludeHeaderFooter", "InstantiateTests", "LockCells", "ClearSolutions", "ClearOutput",
                 "CheckCellMetadata", "ComputeChecksums", "ClearHiddenTests", "ClearMarkScheme",
                 "ComputeChecksums", "CheckCellMetadata")


class UserError(Exception):
    """A mistake of the person running a command: said in one line, exit status 2, no traceback."""


def tool_env():
    """The environment with this Python's bin/ first on PATH: nbgrader runs `alembic` by name (also when
    the gradebook is created in this process)."""
    here = str(Path(sys.executable).parent)
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != here]
    return {**os.environ, "PATH": os.pathsep.join([here, *rest])}


@functools.lru_cache(maxsize=None)
def _config(path=CONFIG):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


class Course:
    """A course directory in this repository's layout (see ``nbgrader_config.py``)."""

    def __init__(self, root=ROOT, timeout=None):
        self.root = Path(root).resolve()
        self.timeout = timeout
        os.environ["PATH"] = tool_env()["PATH"]  # nbgrader's gradebooks run `alembic` by name

    def config(self):
        """This course's nbgrader configuration, loaded in this process."""
        return _config()

    def _dir(self, name):
        return self.root / self.config().CourseDirectory[name]

    @property
    def solutions(self):
        return self._dir("source_directory")

    @property
    def exercises(self):
        return self._dir("release_directory")

    @property
    def submitted(self):
        return self._dir("submitted_directory")

    @property
    def autograded(self):
        return self._dir("autograded_directory")

    @property
    def feedback(self):
        return self._dir("feedback_directory")

    @property
    def gradebook(self):
        """nbgrader's gradebook: the file of the configured ``db_url``, in this course's folder."""
        configured = Path(self.config().CourseDirectory.db_url.removeprefix("sqlite:///"))
        return self.root / configured.relative_to(ROOT) if configured.is_relative_to(ROOT) else configured

    @property
    def db_url(self):
        return f"sqlite:///{self.gradebook}"

    @property
    def results(self):
        """One JSON record per graded notebook: results/<assignment>/<student>/<notebook>.json."""
        return self.gradebook.parent / RESULTS

    @property
    def reports(self):
        return self.gradebook.parent / REPORTS

    @property
    def roster(self):
        """The class list: each student's key beside their LMS name and ids (roster.py)."""
        return self.gradebook.parent / ROSTER

    @property
    def lms_columns(self):
        """The LMS's own titles of the assignment columns, from the class list it exported (roster.py)."""
        return self.gradebook.parent / LMS_COLUMNS

    def assignments(self):
        """Names of the assignments: the folders of solutions/, in order (ps01-..., ps02-...)."""
        if not self.solutions.is_dir():
            return []
        return sorted(p.name for p in self.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))

    def resolve(self, name):
        """The assignment a user means by ``name``: its full name or its short name (ps01, PS1, ps-1)."""
        from .collect import find_assignment

        names = self.assignments()
        if name in names:
            return name
        if re.fullmatch(r"[A-Za-z]+[-_ ]?\d+", name.strip()):
            found = find_assignment(name, names)
            if len(found) == 1:
                return found[0]
        listed = ", ".join(names) if names else f"none: {self.solutions} has no assignment folder"
        raise UserError(f"no assignment {name!r} (assignments: {listed})")

    def resolve_all(self, names):
        """Every assignment when ``names`` is empty, else each one resolved."""
        return [self.resolve(n) for n in names] if names else self.assignments()

    def notebooks(self, assignment):
        """The source notebooks of an assignment."""
        return sorted(self.solutions.joinpath(assignment).glob("*.ipynb"))

    def students(self, assignment):
        """Students with a submission of ``assignment`` in nbgrader's submitted layout."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if (p / assignment).is_dir())

    def release_files(self, assignment, limit=20 * 2**20):
        """The assignment's files other than notebooks, as the students got them: {path: hex}.

        They are copied next to the notebook in each grading kernel (data files, say)."""
        folder = self.exercises / assignment
        files = {}
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            rel = path.relative_to(folder)
            if path.is_file() and path.suffix != ".ipynb" and not any(p.startswith(".") for p in rel.parts):
                if path.stat().st_size <= limit:
                    files[str(rel)] = path.read_bytes().hex()
        return files

    def released(self, assignment):
        """What ``release`` would write for the assignment now: {file name: bytes or notebook JSON dict}.

        nbgrader's generate_assignment steps run in this process (without the gradebook)."""
        import nbformat
        from nbgrader import preprocessors

        made = {}
        folder = self.solutions / assignment
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not path.is_file() or any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
                continue
            if path.suffix != ".ipynb":
                made[str(rel)] = path.read_bytes()
                continue
            nb = nbformat.read(str(path), as_version=4)
            resources = {"nbgrader": {"notebook": path.stem, "assignment": assignment}}
            for step in RELEASE_STEPS:
                nb, resources = getattr(preprocessors, step)(config=self.config()).preprocess(nb, resources)
            made[str(rel)] = json.loads(nbformat.writes(nb))
        return made

    def check_current(self, assignment):
        """Why exercises/<assignment> is not what release would make now (None: it is)."""
        folder = self.exercises / assignment
        fix = f"run `python -m autograder release {assignment}` (and commit exercises/)"
        if not folder.is_dir():
            return f"{folder.relative_to(self.root)} is missing: {fix}"
        for name, made in self.released(assignment).items():
            path = folder / name
            if not path.is_file():
                return f"{path.relative_to(self.root)} is missing: {fix}"
            if isinstance(made, bytes):
                same = path.read_bytes() == made
            else:
                try:
                    same = json.loads(path.read_text()) == made
                except ValueError:
                    same = False
            if not same:
                return (f"{path.relative_to(self.root)} is not what release makes from solutions/ now "
                        f"(solutions/ changed since the release?): {fix}")
        return None

    def prepare(self, assignment):
        """Record the assignment's cells and points in the gradebook, in this process.

        What ``nbgrader generate_assignment`` records (its preprocessors up to SaveCells), without
        its 4 s start-up and without rewriting exercises/.  Returns {notebook name: source JSON}.
        Raises UserError when the cells changed since submissions were recorded (nbgrader refuses).
        """
        import nbformat
        from nbgrader.api import Gradebook
        from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, ClearSolutions,
                                            ComputeChecksums, LockCells, SaveCells)

        self.gradebook.parent.mkdir(parents=True, exist_ok=True)  # sqlite needs the folder
        config = self.config()
        with Gradebook(self.db_url) as gb:
            gb.update_or_create_assignment(assignment)
        sources = {}
        for path in self.notebooks(assignment):
            text = path.read_text()
            sources[path.name] = text
            nb = nbformat.reads(text, as_version=4)
            resources = {"nbgrader": {"notebook": path.stem, "assignment": assignment, "db_url": self.db_url}}
            try:
                for step in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums, SaveCells):
                    nb, resources = step(config=config).preprocess(nb, resources)
            except RuntimeError as exc:
                if "Cannot add or remove cells" not in str(exc):
                    raise
                raise UserError(
                    f"{assignment}: the cells of {path.name} changed (added, removed or renamed) since its "
                    f"submissions were graded. To grade again with the new cells: python -m autograder "
                    f"autograde {assignment} --new-cells (manual grades of the cells that remain are kept)"
                ) from None
        return sources

    def secret_lines(self, assignment):
        """The lines a student must never see: those of the solution and hidden-test regions of the
        assignment's source notebooks (stripped; comments and lines of 12 characters or fewer left out)."""
        secret = []
        for path in self.notebooks(assignment):
            for source in _sources(path.read_text()):
                for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", source, re.S):
                    secret += [l.strip() for l in block.splitlines() if len(l.strip()) > 12 and not l.strip().startswith("#")]
        return secret

    def check_release(self, assignment):
        """Problems that would leak a solution or a hidden test through exercises/ (empty: none)."""
        secret = self.secret_lines(assignment)
        problems = []
        for file in sorted((self.exercises / assignment).rglob("*")):
            try:
                text = file.read_text() if file.is_file() else ""
            except UnicodeDecodeError:
                continue
            if file.suffix == ".ipynb":
                text += "\n".join(_sources(text))
            if "BEGIN SOLUTION" in text or "HIDDEN TESTS" in text:
                problems.append(f"{file}: contains solution or hidden-test markers")
            leaked = [line for line in secret if line in text]
            if leaked:
                problems.append(f"{file}: contains a solution or hidden-test line: {leaked[0]!r}")
        return problems

    def nbgrader(self, command, *args, check=True, capture=False, db_url=None):
        """Run ``nbgrader COMMAND ARGS`` on this course; returns the CompletedProcess.

        ``db_url``: another gradebook than the course's (``release`` uses a throw-away one, so that
        releasing never touches the grades)."""
        self.gradebook.parent.mkdir(parents=True, exist_ok=True)  # sqlite needs the folder
        argv = [
            sys.executable, "-m", "nbgrader", command, *args,
            f"--JupyterApp.config_file={CONFIG}",
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.db_url={db_url or self.db_url}",
        ]
        if self.timeout is not None:
            argv.append(f"--Execute.timeout={self.timeout}")
        return subprocess.run(argv, check=check, capture_output=capture, text=True, cwd=self.root, env=tool_env())

    def release(self, assignment):
        """``nbgrader generate_assignment`` into exercises/, with a throw-away gradebook; returns its log
        (raises UserError with nbgrader's last error line when it fails)."""
        with tempfile.TemporaryDirectory() as tmp:
            proc = self.nbgrader("generate_assignment", assignment, "--force", "--create", check=False,
                                 capture=True, db_url=f"sqlite:///{tmp}/release.db")
        if proc.returncode:
            errors = [l for l in proc.stderr.splitlines() if "ERROR" in l or "Error" in l] or proc.stderr.splitlines()
            raise UserError(f"release of {assignment} failed: {(errors or ['(no message)'])[-1].strip()}")
        return proc.stderr


def _sources(text):
    """The sources of a notebook's cells (none if it is not a notebook)."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return []
    return ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else str(c.get("source", ""))
            for c in cells if isinstance(c, dict)]
