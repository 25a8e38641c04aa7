"""python -m autograder <command>: the instructor's grading tools, on top of nbgrader.

  release     regenerate exercises/ from solutions/ (nbgrader generate_assignment), and check it leaks nothing
  collect     put an LMS export (folder or zip) into autograder/submitted/<student>/<assignment>/
  roster      read the LMS's class list (ids for the gradebook files), into autograder/roster.csv
  autograde   grade the submissions, in parallel (or on a Dask cluster); reruns reuse earlier results
  formgrade   nbgrader's formgrader on this course's gradebook, to grade answers and tasks by hand
  feedback    one HTML page per student, assignment and notebook in autograder/feedback/
  export      the grades: a detailed CSV, and gradebook files that Canvas and Moodle import
  report      a class summary with pictures in autograder/reports/
  kit         the student kit: _build/kit/nnopt-course-kit.zip and its unpacked tree

Assignments may be named by their short names (ps01).  See autograder/README.md.
"""

import argparse
import re
import sys
from pathlib import Path

from gradecore.results import AfterTests, Limits

from .course import ROOT, Course, UserError

COMMANDS = {}  # name: (function, [(flags, options)])
ASSIGNMENTS = (("assignments",), dict(nargs="*", metavar="ASSIGNMENT",
                                      help="assignments, by full or short name (default: all)"))


def command(*arguments):
    """Register a command: the function (its docstring is its help) with its command-line arguments."""
    def register(func):
        COMMANDS[func.__name__] = (func, arguments)
        return func
    return register


def arg(*flags, **options):
    return flags, options


def _size(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)i?B?", text.strip(), re.I)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 2G, 512M)")
    return int(float(match[1]) * 1024 ** " KMG".index(match[2].upper() or " "))


def _graded(course, subs, what):
    if not subs:
        raise UserError(f"nothing graded yet to {what}: run `python -m autograder autograde` first")


def _students(course, names):
    """The keys of the students named (by key, LMS id, email or name), or None for all."""
    if not names:
        return None
    from . import roster as rosters

    students = rosters.load(course)
    known = set(students)
    if course.submitted.is_dir():
        known |= {p.name for p in course.submitted.iterdir() if p.is_dir()}
    keys = []
    for name in names:
        key = name if name in known else rosters.find(students, name)
        if key is None:
            sample = ", ".join(sorted(known)[:8]) + (" ..." if len(known) > 8 else "")
            raise UserError(f"no student {name!r} (students: {sample or 'none collected yet'})")
        keys.append(key)
    return keys


def _current(course, assignments):
    """Refuse to go on when exercises/ is not what release makes now (missing or stale)."""
    for assignment in assignments:
        problem = course.check_current(assignment)
        if problem:
            raise UserError(problem)


@command(ASSIGNMENTS)
def release(course, args):
    """Regenerate exercises/ from solutions/ (solutions and hidden tests stripped), and check it."""
    problems = []
    for name in course.resolve_all(args.assignments):
        course.release(name)
        problems += course.check_release(name)
        print(f"released {name} -> {course.exercises / name}")
    for problem in problems:
        print(f"LEAK: {problem}", file=sys.stderr)
    return 1 if problems else 0


@command(arg("path", type=Path, help="the LMS's download of submissions: a folder or a zip file"),
         arg("--assignment", help="the assignment of every file (default: found in the names)"),
         arg("--dry-run", action="store_true", help="say where each file would go, copy nothing"))
def collect(course, args):
    """Put an LMS export (Canvas, Moodle, or a folder per student) into nbgrader's submitted layout."""
    from .collect import collect as run

    result = run(args.path, course, args.assignment, dry_run=args.dry_run)
    for note in result.notes:
        print(f"note: {note}")
    for name, why in result.superseded + result.problems:
        print(f"NOT PLACED {name}: {why}")
    lost = [name for name, why in result.problems
            if name.lower().endswith((".ipynb", ".zip")) and "system file" not in why]
    print(f"{len(result.placed)} notebook(s) {'would be ' if args.dry_run else ''}placed, "
          f"{len(result.superseded) + len(result.problems)} file(s) not placed")
    return 1 if lost else 0  # a student's notebook is in none of the folders: look at it


@command(arg("path", type=Path, help="Canvas's gradebook export, Moodle's grading worksheet or grade export (CSV)"))
def roster(course, args):
    """Read the LMS's class list: the ids and names its grade import matches on, into autograder/roster.csv."""
    from . import roster as rosters

    if not args.path.is_file():
        raise UserError(f"no such file: {args.path}")
    students = rosters.load(course)
    if not students:
        raise UserError("no student collected yet: run `python -m autograder collect EXPORT` first")
    try:
        updated, problems = rosters.merge_lms_list(students, args.path)
        lms, titles = rosters.assignment_columns(args.path, course.assignments())
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(str(exc)) from None
    rosters.save(course, students)
    if titles:
        rosters.save_columns(course, lms, titles)
    for problem in problems:
        print(f"NOT MATCHED {problem}")
    print(f"{updated} student(s) updated in {course.roster.relative_to(course.root)}"
          + (f"; {lms} column titles of {', '.join(sorted(titles))}" if titles else ""))
    return 1 if problems else 0


@command(ASSIGNMENTS,
         arg("--jobs", "-j", type=int, default=None, help="parallel workers (default: the number of cores)"),
         arg("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://10.0.0.5:8786: grade on its workers"),
         arg("--force", action="store_true", help="grade again even what was graded already"),
         arg("--timeout", dest="cell_timeout", type=int, default=None, metavar="SECONDS",
             help="CPU seconds a cell may use before it is interrupted (default: Execute.timeout of nbgrader_config.py)"),
         arg("--new-cells", action="store_true",
             help="the assignment's cells changed since it was graded: record the new cells and grade every "
                  "submission again (manual grades of the cells that remain are kept)"),
         arg("--memory", type=_size, default=None,
             help=f"address-space limit of each grading kernel (default {Limits().memory // 2**30}G)"),
         arg("--output-limit", type=int, default=None,
             help=f"characters of output kept per cell and stream (default {Limits().output_limit})"),
         arg("--kernel-user", metavar="USER", help="run student code as this unprivileged user (needs root), e.g. nobody"),
         arg("--all-cells", action="store_true",
             help="run the cells after the last test cell in every notebook (default, Grading.after_tests: only "
                  "where a person will look: notebooks with cells graded by hand, or flagged)"))
def autograde(course, args):
    """Grade every collected submission of one assignment, or of all (in parallel; reruns reuse results)."""
    from . import engine

    assignments = course.resolve_all(args.assignments)
    collected = [a for a in assignments if course.students(a)]
    if not collected:
        raise UserError(f"nothing collected yet for {', '.join(assignments) or 'any assignment'}: "
                        "run `python -m autograder collect EXPORT` first (or put submissions in "
                        f"{course.submitted.relative_to(course.root)}/<student>/<assignment>/)")
    _current(course, collected)
    if not args.kernel_user:
        engine.warn_if_root()
    limits = {k: v for k, v in (("memory", args.memory), ("output_limit", args.output_limit)) if v is not None}
    timeout = args.cell_timeout or course.timeout  # else nbgrader_config.py's Execute.timeout
    if timeout:
        limits["timeout"] = float(timeout)
    settings = engine.settings_for(course, user=args.kernel_user).but(limits=limits)
    if args.all_cells:
        settings = settings.but(after_tests=AfterTests.ALWAYS)
    try:
        summary = engine.autograde(course, collected, jobs=args.jobs, scheduler=args.scheduler,
                                   force=args.force, settings=settings, new_cells=args.new_cells)
    except KeyboardInterrupt:
        print("interrupted: what was graded is saved; run the same command again to finish", file=sys.stderr)
        return 130
    print(f"graded {summary['graded']}, reused {summary['reused']}, review {summary['review']}, "
          f"faults {summary['faults']} in {summary['seconds']} s")
    return 3 if summary["faults"] else 0


@command(arg("--port", type=int, default=8890, help="port on 127.0.0.1 (default 8890)"))
def formgrade(course, args):
    """nbgrader's formgrader on this course's gradebook (127.0.0.1): grade answers and tasks by hand."""
    from . import formgrade as fg

    return fg.run(course, args.port)


@command(ASSIGNMENTS, arg("--student", action="append", metavar="STUDENT",
                          help="only this student: key, LMS id, email or name (repeatable)"))
def feedback(course, args):
    """One HTML page per student, assignment and notebook, in autograder/feedback/ (each page stands alone)."""
    from . import feedback as pages
    from . import grades

    assignments = course.resolve_all(args.assignments)
    students = _students(course, args.student)
    subs = [s for s in grades.load(course, assignments, students) if s.standing is not grades.Standing.NOT_GRADED]
    _graded(course, subs, "give feedback on")
    _current(course, sorted({s.assignment for s in subs}))
    written = pages.write_all(course, assignments, students, log=lambda line: print(line, file=sys.stderr))
    print(f"wrote {len(written)} feedback page(s) in {course.feedback}")
    return 0


@command(ASSIGNMENTS,
         arg("--output", "-o", metavar="FILE", help="the detailed CSV (default: standard output)"),
         arg("--canvas", metavar="FILE", help="also a file for Canvas's gradebook import"),
         arg("--moodle", metavar="FILE", help="also a file for Moodle's CSV grade import (needs emails or ID "
                                              "numbers: python -m autograder roster)"))
def export(course, args):
    """The grades as CSV: the detailed file (one row per student and assignment), and files for the LMS."""
    from . import export as ex
    from . import grades
    from . import roster as rosters

    assignments = course.resolve_all(args.assignments)
    subs = grades.load(course, assignments)
    if not subs:
        raise UserError("nothing to export: nothing collected or graded yet")
    students, columns = rosters.load(course), rosters.load_columns(course)
    shown = [a for a in assignments if any(s.assignment == a for s in subs)]
    status = 0
    if args.canvas:
        text, no_id = ex.canvas(subs, students, shown, columns.get("canvas", {}))
        ex.write(args.canvas, text)
        print(f"wrote {args.canvas} for Canvas ({len(shown)} assignment(s))", file=sys.stderr)
        if no_id:
            print(f"{args.canvas}: {len(no_id)} student(s) have no Canvas id (Canvas matches them by name, if at "
                  f"all): {', '.join(no_id[:10])}", file=sys.stderr)
    if args.moodle:
        text, left_out = ex.moodle(subs, students, shown, columns.get("moodle", {}))
        ex.write(args.moodle, text)
        print(f"wrote {args.moodle} for Moodle ({len(shown)} assignment(s))", file=sys.stderr)
        if left_out:
            print(f"{args.moodle}: {len(left_out)} student(s) left out, with no email and no ID number "
                  f"({', '.join(left_out[:10])}): run `python -m autograder roster <Moodle's grade export>`",
                  file=sys.stderr)
            status = 1
    for line in ex.not_graded_yet(subs):
        print(line, file=sys.stderr)
    ex.write(args.output or "-", ex.detailed(subs, students))
    if args.output:
        print(f"wrote {len(subs)} row(s) to {args.output}", file=sys.stderr)
    return status


@command(ASSIGNMENTS, arg("--output", "-o", metavar="FOLDER", help="folder of the report (default: autograder/reports)"))
def report(course, args):
    """A class summary with pictures: scores per question, common failures, submissions that need a person."""
    from . import grades
    from . import report as rep

    assignments = course.resolve_all(args.assignments)
    subs = [s for s in grades.load(course, assignments) if s.standing is not grades.Standing.NOT_GRADED]
    _graded(course, subs, "report on")
    index = rep.write(course, Path(args.output) if args.output else None, assignments,
                      log=lambda line: print(line, file=sys.stderr))
    print(f"wrote {index}")
    return 0


@command(arg("--output", "-o", help="folder to write the kit in (default: _build/kit)"))
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


def parser():
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=ROOT, help="course folder (default: this repository)")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="CPU seconds a cell may use (default: nbgrader_config.py's); also an option of autograde")
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    for name, (func, arguments) in COMMANDS.items():
        sp = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        for flags, options in arguments:
            sp.add_argument(*flags, **options)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    course = Course(args.root, timeout=args.timeout)
    func, _ = COMMANDS[args.command]
    try:
        if not course.solutions.is_dir():
            raise UserError(f"{course.root} is not a course folder (no {course.solutions.name}/ in it): see --root")
        return func(course, args) or 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
