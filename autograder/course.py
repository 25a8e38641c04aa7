"""Where things are, and how nbgrader is run on them.

Every nbgrader command runs as a separate process with this course's configuration file, so the
instructor's shell needs no ``nbgrader_config.py`` in the working directory. ``root`` may point at
a copy of the course (the tests grade in a temporary folder).
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "nbgrader_config.py"
ROOT = HERE.parent


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
    def gradebook(self):
        return self.root / "autograder" / "gradebook.db"

    @property
    def db_url(self):
        return f"sqlite:///{self.gradebook}"

    def assignments(self):
        """Names of the assignments: the folders of solutions/, in order (ps01-..., ps02-...)."""
        return sorted(p.name for p in self.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))

    def students(self, assignment):
        """Students with a submission of ``assignment`` in nbgrader's submitted layout."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if (p / assignment).is_dir())

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
        # nbgrader runs the `alembic` command of its environment: put that environment's bin/ first
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        return subprocess.run(argv, check=check, capture_output=capture, text=True, cwd=self.root, env=env)
