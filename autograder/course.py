"""Where things are, and what nbgrader knows about them.

The layout (``nbgrader_config.py``): ``solutions/`` is nbgrader's source, ``exercises/`` its release,
and ``autograder/`` holds the submissions, the autograded copies, the feedback, the gradebook, the
per-submission result records (``results/``) and the class report (``reports/``); everything in
``autograder/`` but the code is instructor-only and ignored by git.

nbgrader's own commands (``release`` uses ``generate_assignment``) run as separate processes with
this course's configuration file, so the instructor's shell needs no ``nbgrader_config.py`` in the
working directory.  ``root`` may point at a copy of the course (the tests grade in a temporary folder).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "nbgrader_config.py"
ROOT = HERE.parent


def tool_env():
    """The environment with this Python's bin/ first on PATH: nbgrader runs `alembic` by name (also when
    the gradebook is created in this process)."""
    return {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


class Course:
    """A course directory in this repository's layout (see ``nbgrader_config.py``)."""

    def __init__(self, root=ROOT, timeout=None):
        self.root = Path(root).resolve()
        self.timeout = timeout

    @property
    def solutions(self):
        return self.root / "solutions"

    @property
    def exercises(self):
        return self.root / "exercises"

    @property
    def submitted(self):
        return self.root / "autograder" / "submitted"

    @property
    def autograded(self):
        return self.root / "autograder" / "autograded"

    @property
    def feedback(self):
        return self.root / "autograder" / "feedback"

    @property
    def results(self):
        """One JSON record per graded submission: results/<assignment>/<student>.json."""
        return self.root / "autograder" / "results"

    @property
    def reports(self):
        return self.root / "autograder" / "reports"

    @property
    def gradebook(self):
        return self.root / "autograder" / "gradebook.db"

    @property
    def db_url(self):
        return f"sqlite:///{self.gradebook}"

    def assignments(self):
        """Names of the assignments: the folders of solutions/, in order (ps01-..., ps02-...)."""
        return sorted(p.name for p in self.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))

    def notebooks(self, assignment):
        """The source notebooks of an assignment (one per assignment in this course)."""
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

    def config(self):
        """This course's nbgrader configuration, loaded in this process."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader(CONFIG.name, str(CONFIG.parent)).load_config()

    def prepare(self, assignment):
        """Record the assignment's cells and points in the gradebook, in this process.

        What ``nbgrader generate_assignment`` records (its preprocessors up to SaveCells), without
        its 4 s start-up and without rewriting exercises/.  Returns {notebook name: source JSON}.
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
            for step in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums, SaveCells):
                nb, resources = step(config=config).preprocess(nb, resources)
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

    def nbgrader(self, command, *args, check=True, capture=False):
        """Run ``nbgrader COMMAND ARGS`` on this course; returns the CompletedProcess."""
        self.gradebook.parent.mkdir(parents=True, exist_ok=True)  # sqlite needs the folder
        argv = [
            sys.executable, "-m", "nbgrader", command, *args,
            f"--JupyterApp.config_file={CONFIG}",
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.db_url={self.db_url}",
        ]
        if self.timeout is not None:
            argv.append(f"--Execute.timeout={self.timeout}")
        return subprocess.run(argv, check=check, capture_output=capture, text=True, cwd=self.root, env=tool_env())


def _sources(text):
    """The sources of a notebook's cells (none if it is not a notebook)."""
    import json

    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return []
    return ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else str(c.get("source", ""))
            for c in cells if isinstance(c, dict)]
