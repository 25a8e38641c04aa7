"""python -m autograder <command>: the instructor's grading tools, on top of nbgrader.

  release     regenerate exercises/ from solutions/ (nbgrader generate_assignment), and check it leaks nothing
  collect     put an LMS export (folder or zip) into autograder/submitted/<student>/<assignment>/
  autograde   grade the submissions, in parallel (or on a Dask cluster); reruns reuse earlier results
  feedback    one HTML page per student and assignment in autograder/feedback/
  export      a CSV: student, assignment, one column per question, score, max_score, status
  report      a class summary with pictures in autograder/reports/
  kit         the student kit: _build/kit/nnopt-course-kit.zip and its unpacked tree

See autograder/README.md.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

from .course import ROOT, Course


def release(course, args):
    """Regenerate exercises/ from solutions/ (solutions and hidden tests stripped), and check it."""
    problems = []
    for name in args.assignments or course.assignments():
        course.nbgrader("generate_assignment", name, "--force", "--create")
        problems += course.check_release(name)
        print(f"released {name} -> {course.exercises / name}")
    for problem in problems:
        print(f"LEAK: {problem}", file=sys.stderr)
    return 1 if problems else 0


def collect(course, args):
    """Put an LMS export (a folder or a zip of notebooks) into nbgrader's submitted layout."""
    from .collect import collect as run

    placed, problems = run(args.path, course, args.assignment, dry_run=args.dry_run)
    for name, destination in placed:
        print(f"{'would place' if args.dry_run else 'placed'} {name} -> {destination.relative_to(course.root)}")
    for name, why in problems:
        print(f"NOT PLACED {name}: {why}")
    print(f"{len(placed)} notebook(s) placed, {len(problems)} file(s) not placed")
    return 0


def _size(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)i?B?", text.strip(), re.I)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 2G, 512M)")
    return int(float(match[1]) * 1024 ** " KMG".index(match[2].upper() or " "))


def autograde(course, args):
    """Grade every collected submission of one assignment, or of all (in parallel; reruns reuse results)."""
    from . import engine

    if not args.kernel_user:
        engine.warn_if_root()
    assignments = args.assignments or course.assignments()
    unknown = [a for a in assignments if a not in course.assignments()]
    if unknown:
        print(f"no such assignment: {', '.join(unknown)}", file=sys.stderr)
        return 2
    settings = {"memory": args.memory, "output_limit": args.output_limit, "user": args.kernel_user}
    timeout = args.cell_timeout or course.timeout
    if timeout:
        settings["timeout"] = timeout
    try:
        summary = engine.autograde(course, assignments, jobs=args.jobs, scheduler=args.scheduler,
                                   force=args.force, settings=settings)
    except KeyboardInterrupt:
        print("interrupted: what was graded is saved; run the same command again to finish", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # nbgrader refuses to change the cells of a graded assignment
        print(f"cannot grade: {exc}", file=sys.stderr)
        return 2
    print(f"graded {summary['graded']}, reused {summary['reused']}, review {summary['review']}, "
          f"faults {summary['faults']} in {summary['seconds']} s")
    return 3 if summary["faults"] else 0


def feedback(course, args):
    """One HTML page per student and assignment, in autograder/feedback/ (MathJax served locally)."""
    from . import feedback as pages

    written = pages.write_all(course, args.assignments, args.student)
    print(f"wrote {len(written)} feedback page(s) in {course.feedback}")
    return 0


def grade_rows(course):
    """(columns, rows) of the export: one row per student and assignment."""
    from nbgrader.api import Gradebook

    from . import engine

    status, faults = {}, {}
    for student, assignment, _, record in engine.records(course):
        old = status.get((student, assignment), "ok")
        # the worst status of the assignment's notebooks: fault, then review, then ok
        rank = {"fault": 2, "review": 1, "ok": 0}
        new = record["status"]
        if rank[new.split(":")[0]] > rank[old.split(":")[0]]:
            status[(student, assignment)] = new
        else:
            status.setdefault((student, assignment), old)
        if new.startswith("fault"):
            faults[(student, assignment)] = record
    rows, questions = [], []
    if not course.gradebook.exists():
        return ["student", "assignment", "score", "max_score", "status"], []
    with Gradebook(course.db_url) as gb:
        for assignment in gb.assignments:
            names = [cell.name for nb in assignment.notebooks for cell in nb.grade_cells]
            questions += [q for q in names if q not in questions]
            max_score = assignment.max_score
            graded = set()
            for submission in gb.assignment_submissions(assignment.name):
                student = submission.student_id
                graded.add(student)
                row = {"student": student, "assignment": assignment.name}
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        row[grade.name] = "" if grade.score is None else grade.score
                flagged = any(nb.flagged for nb in submission.notebooks) or submission.needs_manual_grade
                row.update(score=submission.score, max_score=submission.max_score,
                           status=status.get((student, assignment.name), "review: flagged" if flagged else "ok"))
                rows.append(row)
            for (student, name), record in faults.items():  # faults have no grade, only a status
                if name == assignment.name and student not in graded:
                    rows.append({"student": student, "assignment": name, "score": "", "max_score": max_score,
                                 "status": status[(student, name)]})
    rows.sort(key=lambda r: (r["assignment"], r["student"]))
    return ["student", "assignment", *questions, "score", "max_score", "status"], rows


def export(course, args):
    """CSV with one row per student and assignment: student, assignment, questions, score, max_score, status."""
    columns, rows = grade_rows(course)
    handle = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if args.output:
            handle.close()
    if args.output:
        print(f"wrote {len(rows)} row(s) to {args.output}", file=sys.stderr)
    return 0


def report(course, args):
    """A class summary with pictures: scores per question, common failures, submissions to look at."""
    from . import report as rep

    index = rep.write(course, Path(args.output) if args.output else None)
    print(f"wrote {index}")
    return 0


def kit(course, args):
    """The student kit in _build/kit/: released notebooks, the student-side packages, pinned requirements."""
    from . import kit as student_kit

    try:
        archive = student_kit.main(course.root, args.output)
    except student_kit.KitError as exc:
        print(f"cannot build the kit: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {archive} and {archive.with_suffix('')}/")
    return 0


COMMANDS = {"release": release, "collect": collect, "autograde": autograde, "feedback": feedback,
            "export": export, "report": report, "kit": kit}


def parser():
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=ROOT, help="course folder (default: this repository)")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="seconds a cell may run (default 30); also an option of autograde")
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    for name, func in COMMANDS.items():
        sp = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        if name in ("release", "autograde", "feedback"):
            sp.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="assignment names (default: all)")
        if name == "collect":
            sp.add_argument("path", type=Path, help="a folder or a zip file of student notebooks")
            sp.add_argument("--assignment", help="the assignment of every file (default: found in the names)")
            sp.add_argument("--dry-run", action="store_true", help="say where each file would go, copy nothing")
        if name == "autograde":
            sp.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: the number of cores)")
            sp.add_argument("--scheduler", metavar="ADDRESS",
                            help="a Dask scheduler, e.g. tcp://10.0.0.5:8786: grade on its workers")
            sp.add_argument("--force", action="store_true", help="grade again even what was graded already")
            sp.add_argument("--timeout", dest="cell_timeout", type=int, default=None, metavar="SECONDS",
                            help="seconds a cell may run before it is interrupted (default 30)")
            sp.add_argument("--memory", type=_size, default=_size("2G"),
                            help="address-space limit of each grading kernel (default 2G)")
            sp.add_argument("--output-limit", type=int, default=100_000,
                            help="characters of output kept per cell and stream (default 100000)")
            sp.add_argument("--kernel-user", metavar="USER",
                            help="run student code as this unprivileged user (needs root), e.g. nobody")
        if name == "feedback":
            sp.add_argument("--student", action="append", help="only this student (repeatable)")
        if name == "export":
            sp.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
        if name == "report":
            sp.add_argument("--output", "-o", help="folder of the report (default: autograder/reports)")
        if name == "kit":
            sp.add_argument("--output", "-o", help="folder to write the kit in (default: _build/kit)")
    return p


def main(argv=None):
    import os

    from .course import tool_env

    args = parser().parse_args(argv)
    os.environ["PATH"] = tool_env()["PATH"]  # a new gradebook runs `alembic` by name
    course = Course(args.root, timeout=args.timeout)
    return COMMANDS[args.command](course, args) or 0
