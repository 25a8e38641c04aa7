"""Grading a class: which submissions to grade, where, and recording what comes back.

Where: threads of this process, one per core by default, each driving a zygote that forks the
grading kernels; or the workers of a Dask cluster when a scheduler address is given.  Either way the
pure function ``grade.grade`` runs there and returns a result; only this process writes (sqlite does
not like concurrent writers):

1. the gradebook (nbgrader's, so its tools still read the grades): one submission per student and
   assignment, one grade per test cell, ``flagged`` when a human should look;
2. the autograded copy, autograded/<student>/<assignment>/<notebook>.ipynb (with hidden tests:
   instructor-only);
3. a result record, results/<assignment>/<student>/<notebook>.json, written last and atomically.

A record holds the key of what it graded: a hash of the submission, the source notebook and the
settings that change scores.  A submission whose record has the same key is not graded again, so
grading twice gives the same grades, and a run that was interrupted picks up where it stopped
without losing or double-counting anything (the gradebook is updated in place, never appended to).

Infrastructure faults: a kernel or zygote that cannot start is retried inside ``grade``; a Dask
worker that dies has its tasks rescheduled by Dask; what still fails is recorded as a fault, never as
a grade, and is retried by the next run.
"""

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field

from . import grade as grading


@dataclass(eq=False)
class Job:
    """One notebook of one student's submission of one assignment."""

    student: str
    assignment: str
    notebook: str             # the source notebook's name, e.g. ps01-perceptron.ipynb
    source: str               # the source notebook (JSON text, hidden tests included)
    data: bytes               # the submitted file
    settings: dict
    key: str = ""
    flags: list = field(default_factory=list)

    @property
    def label(self):
        return f"{self.assignment} {self.student}"


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _key(source, data, settings):
    keep = {k: settings.get(k) for k in ("timeout", "grace", "memory", "output_limit", "renamed", "files")}
    digest = hashlib.sha256()
    for part in (grading.VERSION, json.dumps(keep, sort_keys=True), source):
        digest.update(part.encode())
    digest.update(data)
    return digest.hexdigest()


def _match(sources, files):
    """{source notebook name: (file, renamed?)} for a student's folder; renaming only with one source."""
    names = {f.name: f for f in files}
    found = {name: (names[name], False) for name in sources if name in names}
    rest = [f for f in files if f.name not in sources]
    if len(sources) == 1 and not found and rest:
        (name,) = sources
        # several candidates: the one that has most of the assignment's cells
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
               for c in json.loads(sources[name])["cells"]} - {None}
        def overlap(path):
            try:
                cells = json.loads(path.read_bytes()).get("cells", [])
                return sum(c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in ids for c in cells)
            except Exception:
                return -1
        best = max(rest, key=lambda p: (overlap(p), p.stat().st_mtime))
        found[name] = (best, True)
    return found


def jobs_for(course, assignment, sources, settings):
    """The jobs of one assignment (one per student and notebook) and records for empty folders."""
    jobs, empty = [], []
    files = course.release_files(assignment)
    for student in course.students(assignment):
        folder = course.submitted / student / assignment
        notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        matched = _match(sources, notebooks)
        for name, source in sources.items():
            if name not in matched:
                empty.append((student, assignment, name, source))
                continue
            path, renamed = matched[name]
            job_settings = {**settings, "files": files, "renamed": path.name if renamed else None}
            job = Job(student, assignment, name, source, path.read_bytes(), job_settings)
            if renamed and len(notebooks) > 1:
                job.flags.append(f"{len(notebooks)} notebooks in the submission: graded {path.name}")
            job.key = _key(source, job.data + "".join(p.name for p in notebooks).encode(), job_settings)
            jobs.append(job)
    return jobs, empty


# ---------------------------------------------------------------- where the work runs


class LocalPool:
    """Grading on this machine: ``workers`` threads, each driving its own zygote (a process that
    forks the kernels, see kernel.py).  The threads only wait on sockets; the work, and every line
    of student code, runs in the kernels.  Zygotes are started at once, while the gradebook is
    being prepared."""

    def __init__(self, workers):
        self.workers = max(1, workers)
        grading.prestart(self.workers)

    def run(self, jobs):
        """Yield (job, result) as results come, in any order."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        executor = ThreadPoolExecutor(self.workers, thread_name_prefix="grader")
        futures = {}
        for job in jobs:
            futures[executor.submit(grading.grade, job.source, job.data, job.settings)] = job
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a bug of the grader: never a grade
                    result = fault(job, f"grader error: {type(exc).__name__}: {exc}")
                yield job, result
        finally:
            pending = [f for f in futures if not f.done()]
            executor.shutdown(wait=False, cancel_futures=True)
            if pending:  # interrupted: stop the kernels still running, so that the threads end now
                grading.abort()
            grading.shutdown()


class DaskPool:
    """The workers of a Dask cluster (``--scheduler tcp://host:8786``).

    Every worker needs this course's environment (``pip install -r requirements.txt`` and the
    course package); files go with the tasks, so no shared file system is needed.
    """

    def __init__(self, address):
        from distributed import Client

        self.client = Client(address, timeout=30)

    def run(self, jobs):
        from distributed import as_completed

        futures = {}
        for job in jobs:
            future = self.client.submit(grading.grade, job.source, job.data, job.settings,
                                        pure=False, key=f"grade-{job.key[:20]}-{time.monotonic_ns()}")
            futures[future] = job
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # KilledWorker (its workers kept dying), or a grader error
                    yield job, fault(job, f"{type(exc).__name__} on the cluster: {exc}")
        finally:
            for future in futures:
                future.cancel()
            self.client.close()


def fault(job, why):
    return {"status": f"fault: {why}", "flags": [], "tests": {}, "score": None, "max_score": None,
            "solutions": {}, "notebook": None}


# ---------------------------------------------------------------- recording


def record_path(course, student, assignment, notebook):
    return course.results / assignment / student / (os.path.splitext(notebook)[0] + ".json")


def read_record(course, student, assignment, notebook):
    try:
        return json.loads(record_path(course, student, assignment, notebook).read_text())
    except (OSError, ValueError):
        return None


def records(course):
    """Every result record: [(student, assignment, notebook, record)]."""
    found = []
    for path in sorted(course.results.glob("*/*/*.json")):
        try:
            found.append((path.parent.name, path.parent.parent.name, path.stem + ".ipynb",
                          json.loads(path.read_text())))
        except ValueError:
            continue
    return found


def _write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _timestamp(course, student, assignment):
    path = course.submitted / student / assignment / "timestamp.txt"
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def save(course, gb, student, assignment, notebook, result):
    """The result in the gradebook: scores per test cell, flagged for review (faults: removed)."""
    from nbgrader.api import MissingEntry

    if result["status"].startswith("fault"):
        try:  # a fault is no grade: a stale one would look like one
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        return
    gb.update_or_create_student(student)
    timestamp = _timestamp(course, student, assignment)
    kwargs = {"timestamp": timestamp} if timestamp else {}
    gb.update_or_create_submission(assignment, student, **kwargs)
    nb = gb.find_submission_notebook(os.path.splitext(notebook)[0], assignment, student)
    for grade in nb.grades:
        test = result["tests"].get(grade.name)
        grade.auto_score = test["score"] if test else 0.0
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    nb.flagged = result["status"].startswith("review")
    gb.db.commit()


def record(course, gb, job, result):
    """Write one result: gradebook, autograded copy, then the record (which marks it done)."""
    result = dict(result)
    if job.flags and not result["status"].startswith("fault"):
        result["flags"] = list(job.flags) + result.get("flags", [])
        result["status"] = "review: " + "; ".join(result["flags"])
    notebook = result.pop("notebook", None)
    save(course, gb, job.student, job.assignment, job.notebook, result)
    if notebook:
        _write_atomic(course.autograded / job.student / job.assignment / job.notebook, notebook)
    result.update(key=job.key, student=job.student, assignment=job.assignment, notebook=job.notebook,
                  graded_at=time.strftime("%Y-%m-%d %H:%M:%S"))
    _write_atomic(record_path(course, job.student, job.assignment, job.notebook), json.dumps(result, indent=1))
    return result


def _missing_record(course, gb, student, assignment, notebook, source):
    """A folder without the notebook: every test 0 (as nbgrader does), flagged."""
    import nbformat

    tests = {}
    for cell in nbformat.reads(source, as_version=4).cells:
        if grading.role(cell) in ("test", "manual"):
            points = float(cell.metadata.nbgrader["points"])
            tests[cell.metadata.nbgrader["grade_id"]] = {"score": 0.0, "max_score": points, "outcome": "missing",
                                                         "message": "no notebook submitted", "warnings": [],
                                                         "truncated": False}
    result = {"status": "review: no notebook in the submission", "flags": ["no notebook in the submission"],
              "tests": tests, "score": 0.0, "max_score": sum(t["max_score"] for t in tests.values()),
              "solutions": {}}
    job = Job(student, assignment, notebook, source, b"", {}, key="missing")
    return record(course, gb, job, result)


# ---------------------------------------------------------------- the command


def autograde(course, assignments, jobs=None, scheduler=None, force=False, settings=None, log=print):
    """Grade every submission of the assignments; returns a summary dict (graded, reused, faults, review)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own, on every new submission
    settings = {**grading.DEFAULTS, **(settings or {})}
    inject = os.environ.get("AUTOGRADER_INJECT")  # fault injection, for the tests
    if inject:
        settings["inject"] = json.loads(inject)
    stop_after = int(os.environ.get("AUTOGRADER_INTERRUPT_AFTER", "0"))  # a simulated Ctrl-C, for the tests
    todo, summary = [], {"graded": 0, "reused": 0, "faults": 0, "review": 0, "seconds": 0.0}
    started = time.monotonic()
    pool = None
    course.gradebook.parent.mkdir(parents=True, exist_ok=True)  # sqlite needs the folder
    with Gradebook(course.db_url) as gb:
        for assignment in assignments:
            if not course.students(assignment):
                continue
            sources = {p.name: p.read_text() for p in course.notebooks(assignment)}
            found, empty = jobs_for(course, assignment, sources, settings)
            if pool is None and not scheduler and found:
                pool = LocalPool(jobs or cores())  # its zygotes start while the gradebook is prepared
            course.prepare(assignment)
            for student, _, notebook, source in empty:
                _missing_record(course, gb, student, assignment, notebook, source)
            graded = {(s.student_id, s.assignment.name) for s in gb.assignment_submissions(assignment)}
            for job in found:
                old = None if force else read_record(course, job.student, job.assignment, job.notebook)
                if old and old.get("key") == job.key and not old["status"].startswith("fault"):
                    summary["reused"] += 1
                    if (job.student, job.assignment) not in graded:  # e.g. a gradebook made afresh
                        save(course, gb, job.student, job.assignment, job.notebook, old)
                    continue
                todo.append(job)
        if not todo:
            grading.shutdown()
            log(f"nothing to grade ({summary['reused']} submission(s) already graded; --force grades again)")
            return summary
        where = f"the Dask cluster at {scheduler}" if scheduler else f"{pool.workers} local worker(s)"
        log(f"grading {len(todo)} submission(s) on {where} ({summary['reused']} already graded)")
        pool = pool or DaskPool(scheduler)
        results = pool.run(todo)
        try:
            for n, (job, result) in enumerate(results, 1):
                result = record(course, gb, job, result)
                status = result["status"]
                summary["graded"] += 1
                summary["faults"] += status.startswith("fault")
                summary["review"] += status.startswith("review")
                score = "-" if result["score"] is None else f"{result['score']:g}/{result['max_score']:g}"
                log(f"[{n}/{len(todo)}] {job.label}: {score} {status[:150]}")
                if stop_after and n >= stop_after:
                    raise KeyboardInterrupt
        finally:
            results.close()
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def warn_if_root(stream=sys.stderr):
    """Grading as root lets student code do anything on this machine: say so."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("warning: grading as root: student code would run with root privileges. Grade as an "
              "unprivileged user, pass --kernel-user nobody, or use a container (autograder/README.md).",
              file=stream)
        return True
    return False
