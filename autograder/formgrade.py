"""formgrade: nbgrader's formgrader on this course's gradebook, to grade by hand.

``python -m autograder formgrade`` starts a Jupyter server on 127.0.0.1 with nbgrader's formgrader
and this course's configuration (the layout of ``nbgrader_config.py``, the gradebook of
``autograder/``), from the repository root or any copy of the course, and prints the address to
open.  In formgrader, *Manual Grading* lists each assignment's submissions; a cell graded by hand
(a written answer, a code answer read by a person, a task) takes a score and a comment, and any
autograded test can be given another score.  All of it is saved in the gradebook, which
``feedback``, ``report`` and ``export`` read.

nbgrader's own *Generate Feedback* button (and ``nbgrader generate_feedback``) would write nbgrader's
page over this course's, with every hidden test in it: the configuration makes it write this
course's page instead (``FeedbackExporter``), the one ``python -m autograder feedback`` writes.
Formgrader's *Autograde* and *Generate* buttons run plain nbgrader (serial, without this course's
fairness and checks): grade with ``python -m autograder autograde`` and release with
``python -m autograder release`` instead.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbconvert.exporters import Exporter

from .course import CONFIG, ROOT, UserError, tool_env

HOST = "127.0.0.1"


def config_text(course):
    """A configuration file that is this course's nbgrader_config.py with the course's root and gradebook."""
    return (f"c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(CONFIG)!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(course.root)!r}\n"
            f"c.CourseDirectory.db_url = {course.db_url!r}\n")


def server_command(course, port, token):
    """The command of the Jupyter server that serves formgrader for ``course``."""
    argv = [sys.executable, "-m", "jupyter_server",
            f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False", f"--ServerApp.root_dir={course.root}",
            "--ServerApp.default_url=/formgrader", f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # Jupyter refuses root otherwise; `run` warns
    return argv


def sync_students(course):
    """The roster's names and LMS ids in the gradebook, so that formgrader shows who each student is."""
    from nbgrader.api import Gradebook

    from . import roster as rosters

    students = rosters.load(course)
    if not students:
        return
    with Gradebook(course.db_url) as gb:
        known = {s.id for s in gb.students}
        for key, s in students.items():
            if key in known:
                gb.update_or_create_student(key, last_name=s.name or None, email=s.email or None,
                                            lms_user_id=s.canvas_id or None)


def run(course, port=8890, log=print):
    """Serve formgrader until Ctrl-C; returns the exit status."""
    if not course.gradebook.exists():
        raise UserError("nothing graded yet: run `python -m autograder autograde` first (formgrader grades "
                        "the cells of graded submissions)")
    sync_students(course)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log("warning: serving formgrader as root; run it as an ordinary user where you can")
    token = secrets.token_hex(16)
    signal.signal(signal.SIGTERM, _interrupt)  # a `kill` stops the server too
    with tempfile.TemporaryDirectory(prefix="formgrade-") as config_dir:
        Path(config_dir, "nbgrader_config.py").write_text(config_text(course))
        env = tool_env()
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([config_dir, env.get("JUPYTER_CONFIG_PATH", "")]).rstrip(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        server = subprocess.Popen(server_command(course, port, token), cwd=course.root, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = f"http://{HOST}:{port}/formgrader?token={token}"
        try:
            last = ""
            for line in server.stderr:
                if f"{HOST}:{port}/" in line:
                    break
                if "already in use" in line or "Errno 98" in line:
                    raise UserError(f"port {port} is in use: python -m autograder formgrade --port ANOTHER")
                last = line.strip() or last
            else:
                raise UserError(f"the Jupyter server stopped: {last or 'no message'}")
            _wait_listening(port, server)  # Jupyter says its address just before it listens
            log(f"formgrader: {url}")
            log("(open it in a browser on this machine; Ctrl-C stops the server)")
            for _ in server.stderr:  # the server's log is its own business; keep the pipe drained
                pass
            return server.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            if server.poll() is None:
                server.terminate()  # Jupyter shuts down cleanly on SIGTERM
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()


def _wait_listening(port, server, seconds=60):
    """Return once something accepts connections on the port (or the server died, or time ran out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class FeedbackExporter(Exporter):
    """What nbgrader's GenerateFeedback writes with this course's configuration: this course's page.

    nbgrader gives each autograded notebook (student, assignment and notebook in ``resources``); the
    page is built from the gradebook and the result records, as ``python -m autograder feedback`` does."""

    file_extension = ".html"
    output_mimetype = "text/html"

    def from_notebook_node(self, nb, resources=None, **kw):
        from . import feedback, grades
        from .course import Course

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        info = resources["nbgrader"]
        course = Course(self.parent.coursedir.root)
        subs = grades.load(course, [info["assignment"]], [info["student"]])
        if not subs:
            raise ValueError(f"{info['student']} has no graded submission of {info['assignment']}")
        return feedback.page_for(course, subs[0], info["notebook"] + ".ipynb"), resources
