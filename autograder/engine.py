"""Grading a class: which notebooks to grade, where, and recording what comes back.

Where: threads of this process, one per core by default, each driving a zygote that forks the
grading kernels; or the workers of a Dask cluster when a scheduler address is given.  Either way the
pure function ``gradecore.grade.grade`` runs there and returns a ``Result``; only this process
writes (sqlite does not like concurrent writers):

1. the gradebook (nbgrader's, so formgrader and its other tools still read the grades): one
   submission per student and assignment, one grade per graded cell, ``flagged`` when a person
   should look, ``needs_manual_grade`` on written answers and tasks; scores a person gave in
   formgrader are kept;
2. the autograded copy, autograded/<student>/<assignment>/<notebook>.ipynb (with hidden tests:
   instructor-only);
3. a ``Record``, results/<assignment>/<student>/<notebook>.json, written last and atomically.

A record holds the key of what it graded: a hash of the submission, the source notebook and the
settings that change scores.  A notebook whose record has the same key is not graded again, so
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

from gradecore import client, config
from gradecore.grade import VERSION, grade
from gradecore.rebuild import graded_cells, points
from gradecore.results import Outcome, Result, Status, TestResult


@dataclass(eq=False)
class Job:
    """One notebook of one student's submission of one assignment."""

    student: str
    assignment: str
    notebook: str             # the source notebook's name, e.g. ps01-perceptron.ipynb
    source: str               # the source notebook (JSON text, hidden tests included)
    data: bytes               # the submitted file
    settings: object          # gradecore.results.Settings
    key: str = ""
    flags: list = field(default_factory=list)

    @property
    def label(self):
        return f"{self.assignment} {self.student}"


@dataclass
class Record:
    """What autograde recorded for one notebook: the ``Result`` and what it is the result of."""

    student: str
    assignment: str
    notebook: str
    result: Result
    key: str = ""
    graded_at: str = ""

    def to_dict(self):
        return {**self.result.to_dict(), "student": self.student, "assignment": self.assignment,
                "notebook": self.notebook, "key": self.key, "graded_at": self.graded_at}

    @classmethod
    def from_dict(cls, data):
        return cls(data["student"], data["assignment"], data["notebook"], Result.from_dict(data),
                   data.get("key", ""), data.get("graded_at", ""))


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def settings_for(course, **changes):
    """The grading settings of a course: its nbgrader_config.py, the course's root kept private."""
    return config.settings(course.config(), private=(str(course.root),), **changes)


def _key(source, data, settings):
    digest = hashlib.sha256()
    for part in (VERSION, json.dumps(settings.scoring(), sort_keys=True), source):
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
    """The jobs of one assignment (one per student and notebook) and the notebooks nobody submitted."""
    jobs, empty = [], []
    files = tuple((path, bytes.fromhex(text)) for path, text in course.release_files(assignment).items())
    for student in course.students(assignment):
        folder = course.submitted / student / assignment
        notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        matched = _match(sources, notebooks)
        for name, source in sources.items():
            if name not in matched:
                empty.append((student, name, source))
                continue
            path, renamed = matched[name]
            job_settings = settings.but(files=files, renamed=path.name if renamed else None)
            job = Job(student, assignment, name, source, path.read_bytes(), job_settings)
            if renamed and len(notebooks) > 1:
                job.flags.append(f"{len(notebooks)} notebooks in the submission: graded {path.name}")
            job.key = _key(source, job.data + "".join(p.name for p in notebooks).encode(), job_settings)
            jobs.append(job)
    return jobs, empty


# ---------------------------------------------------------------- where the work runs


class LocalPool:
    """Grading on this machine: ``workers`` threads, each driving its own zygote (a process that
    forks the kernels, see gradecore.sandbox).  The threads only wait on sockets; the work, and
    every line of student code, runs in the kernels.  Zygotes start at once, while the gradebook
    is being prepared."""

    def __init__(self, workers, start):
        self.workers = max(1, workers)
        client.prestart(self.workers, start)

    def run(self, jobs):
        """Yield (job, result) as results come, in any order."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        executor = ThreadPoolExecutor(self.workers, thread_name_prefix="grader")
        futures = {executor.submit(grade, job.source, job.data, job.settings): job for job in jobs}
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
                client.abort()
            client.shutdown()


class DaskPool:
    """The workers of a Dask cluster (``--scheduler tcp://host:8786``).

    Every worker needs this course's environment (``pip install -r requirements.txt`` and the
    course package); files go with the tasks, so no shared file system is needed.
    """

    workers = None

    def __init__(self, address):
        from distributed import Client

        self.client = Client(address, timeout=30)

    def run(self, jobs):
        from distributed import as_completed

        futures = {}
        for job in jobs:
            future = self.client.submit(grade, job.source, job.data, job.settings,
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
    return Result(max_score=None, fault=why)


# ---------------------------------------------------------------- recording


def record_path(course, student, assignment, notebook):
    return course.results / assignment / student / (os.path.splitext(notebook)[0] + ".json")


def read_record(course, student, assignment, notebook):
    """The Record of one notebook, or None."""
    try:
        return Record.from_dict(json.loads(record_path(course, student, assignment, notebook).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def records(course):
    """Every result record, as ``Record``s (by assignment, student, notebook)."""
    found = []
    for path in sorted(course.results.glob("*/*/*.json")):
        try:
            found.append(Record.from_dict(json.loads(path.read_text())))
        except (ValueError, KeyError, TypeError):
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


def save(course, gb, student, assignment, notebook, result, before=None, kept=None):
    """The result in the gradebook: a score per graded cell, flagged for review; faults: no grade.

    Scores a person gave (formgrader's manual_score) are kept; a written answer that changed since
    it was graded (``before``: the earlier Result) needs a person's look again.  kept: manual grades
    to put back (``_manual_grades``, when the assignment's cells were recorded afresh)."""
    from nbgrader.api import MissingEntry

    if result.status is Status.FAULT:
        try:  # a fault is no grade: a stale one would look like one (unless a person graded it)
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return
        if not any(g.manual_score is not None for nb in submission.notebooks for g in nb.grades):
            gb.remove_submission(assignment, student)
        return
    gb.update_or_create_student(student)
    timestamp = _timestamp(course, student, assignment)
    gb.update_or_create_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
    stem = os.path.splitext(notebook)[0]
    nb = gb.find_submission_notebook(stem, assignment, student)
    comments = {c.name: c for c in nb.comments}
    for grade_row in nb.grades:
        test = result.tests.get(grade_row.name)
        if test is None:
            grade_row.auto_score = 0.0
        else:
            grade_row.auto_score = None if test.outcome is Outcome.MANUAL else test.score
        score, comment = (kept or {}).get((student, stem, grade_row.name), (None, None))
        if score is not None:
            grade_row.manual_score = score
        if comment and grade_row.name in comments:
            comments[grade_row.name].manual_comment = comment
        if grade_row.manual_score is not None:  # a person's grade stands, unless the answer changed
            changed = before is not None and before.answer(grade_row.name) != result.answer(grade_row.name)
            grade_row.needs_manual_grade = bool(changed and test is not None and test.outcome is Outcome.MANUAL)
        else:
            grade_row.needs_manual_grade = grade_row.auto_score is None
    nb.flagged = result.status is Status.REVIEW
    gb.db.commit()


def record(course, gb, job, result, kept=None):
    """Write one result: gradebook, autograded copy, then the record (which marks it done)."""
    if job.flags and result.status is not Status.FAULT:
        for flag in job.flags:
            result.review(flag)
    before = read_record(course, job.student, job.assignment, job.notebook)
    save(course, gb, job.student, job.assignment, job.notebook, result, before.result if before else None, kept)
    if result.notebook:
        _write_atomic(course.autograded / job.student / job.assignment / job.notebook, result.notebook)
    done = Record(job.student, job.assignment, job.notebook, result, job.key, time.strftime("%Y-%m-%d %H:%M:%S"))
    _write_atomic(record_path(course, job.student, job.assignment, job.notebook),
                  json.dumps(done.to_dict(), indent=1))
    return done


def _missing_record(course, gb, student, assignment, notebook, source):
    """A folder without the notebook: every graded cell 0 (as nbgrader does), flagged."""
    import nbformat

    cells = graded_cells(nbformat.reads(source, as_version=4))
    result = Result(max_score=sum(points(c) for c in cells.values()), score=0.0,
                    tests={gid: TestResult(gid, points(c), 0.0, Outcome.MISSING, "no notebook submitted")
                           for gid, c in cells.items()},
                    reasons=["no notebook in the submission"])
    job = Job(student, assignment, notebook, source, b"", None, key="missing")
    return record(course, gb, job, result)


def _manual_grades(gb, assignment):
    """{(student, notebook, cell): (manual_score, manual_comment)} of an assignment's gradebook."""
    kept = {}
    for submission in gb.assignment_submissions(assignment):
        for nb in submission.notebooks:
            comments = {c.name: c.manual_comment for c in nb.comments}
            for g in nb.grades:
                if g.manual_score is not None or comments.get(g.name):
                    kept[submission.student_id, nb.name, g.name] = (g.manual_score, comments.get(g.name))
    return kept


# ---------------------------------------------------------------- the command


def autograde(course, assignments, jobs=None, scheduler=None, force=False, settings=None, new_cells=False,
              log=print):
    """Grade every submission of the assignments; returns a summary dict (graded, reused, faults, review).

    settings: gradecore Settings (default: the course's, ``settings_for``); new_cells: the cells of
    these assignments changed since they were graded: forget the recorded cells and grade everything
    again, keeping the manual grades of the cells that remain."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own, on every new submission
    settings = settings or settings_for(course)
    inject = os.environ.get("AUTOGRADER_INJECT")  # fault injection, for the tests
    if inject:
        settings = settings.but(inject=tuple(json.loads(inject).items()))
    stop_after = int(os.environ.get("AUTOGRADER_INTERRUPT_AFTER", "0"))  # a simulated Ctrl-C, for the tests
    todo, kept, summary = [], {}, {"graded": 0, "reused": 0, "faults": 0, "review": 0, "seconds": 0.0}
    started = time.monotonic()
    pool = None
    course.gradebook.parent.mkdir(parents=True, exist_ok=True)  # sqlite needs the folder
    with Gradebook(course.db_url) as gb:
        for assignment in assignments:
            if not course.students(assignment):
                continue
            sources = {p.name: p.read_text() for p in course.notebooks(assignment)}
            found, empty = jobs_for(course, assignment, sources, settings)
            reuse = {}
            for job in found:
                old = None if force or new_cells else read_record(course, job.student, job.assignment, job.notebook)
                if old and old.key == job.key and old.result.status is not Status.FAULT:
                    reuse[job] = old
            if pool is None and not scheduler and len(reuse) < len(found):
                pool = LocalPool(jobs or cores(), client.start_of(settings))  # zygotes start while the gradebook is prepared
            if new_cells:  # the gradebook forgets the old cells; the manual grades come back with each save
                kept[assignment] = _manual_grades(gb, assignment)
                gb.remove_assignment(assignment)
            course.prepare(assignment)
            for student, notebook, source in empty:
                _missing_record(course, gb, student, assignment, notebook, source)
            graded = {s.student_id for s in gb.assignment_submissions(assignment)}
            for job in found:
                if job in reuse:
                    summary["reused"] += 1
                    if job.student not in graded:  # e.g. a gradebook made afresh
                        save(course, gb, job.student, job.assignment, job.notebook, reuse[job].result)
                else:
                    todo.append(job)
        if not todo:
            client.shutdown()
            log(f"nothing to grade ({summary['reused']} notebook(s) already graded; --force grades again)")
            return summary
        where = f"the Dask cluster at {scheduler}" if scheduler else f"{pool.workers} local worker(s)"
        log(f"grading {len(todo)} notebook(s) on {where} ({summary['reused']} already graded)")
        pool = pool or DaskPool(scheduler)
        results = pool.run(todo)
        try:
            for n, (job, result) in enumerate(results, 1):
                done = record(course, gb, job, result, kept.get(job.assignment)).result
                summary["graded"] += 1
                summary["faults"] += done.status is Status.FAULT
                summary["review"] += done.status is Status.REVIEW
                score = "-" if done.score is None else f"{done.score:g}/{done.max_score:g}"
                log(f"[{n}/{len(todo)}] {job.label}: {score} {done.describe()[:150]}")
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
