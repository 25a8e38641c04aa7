"""``python -m autograder <command>``: release, autograde, feedback and export, for every assignment."""

import argparse
import csv
import sys
from pathlib import Path

from .course import Course


def release(course, args):
    """Regenerate exercises/ from solutions/ (solutions and hidden tests stripped)."""
    for name in args.assignments or course.assignments():
        course.nbgrader("generate_assignment", name, "--force", "--create")
        print(f"released {name} -> {course.exercises / name}")


def autograde(course, args):
    """Grade every submission in autograder/submitted/<student>/<assignment>/."""
    for name in args.assignments or course.assignments():
        students = course.students(name)
        if not students:
            print(f"{name}: no submissions")
            continue
        # the gradebook must know the assignment (its cells, points and hidden tests)
        course.nbgrader("generate_assignment", name, "--force", "--create")
        course.nbgrader("autograde", name, "--force", "--create")
        print(f"{name}: graded {len(students)} submission(s)")


def feedback(course, args):
    """One HTML page per student and assignment, in autograder/feedback/."""
    for name in args.assignments or course.assignments():
        if course.students(name):
            course.nbgrader("generate_feedback", name, "--force")
            print(f"{name}: feedback in {course.feedback}")


def grade_rows(course):
    """One dict per graded (student, assignment): score per question, total and maximum."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(course.db_url) as gb:
        for assignment in gb.assignments:
            questions = [cell.name for nb in assignment.notebooks for cell in nb.grade_cells]
            for student in gb.students:
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                row = {"student": student.id, "assignment": assignment.name}
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        row[grade.name] = grade.score
                row["score"] = submission.score
                row["max_score"] = submission.max_score
                row["status"] = "review" if submission.needs_manual_grade else "ok"
                rows.append((questions, row))
    return rows


def export(course, args):
    """CSV: student, assignment, one column per question, score, max_score, status."""
    rows = grade_rows(course)
    questions = []
    for qs, _ in rows:
        questions += [q for q in qs if q not in questions]
    columns = ["student", "assignment", *questions, "score", "max_score", "status"]
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    with out if args.output else open(sys.stdout.fileno(), "w", closefd=False) as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        for _, row in rows:
            writer.writerow(row)
    if args.output:
        print(f"wrote {len(rows)} row(s) to {args.output}", file=sys.stderr)


COMMANDS = {"release": release, "autograde": autograde, "feedback": feedback, "export": export}


def parser():
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    p.add_argument("--root", type=Path, default=None, help="course folder (default: this repository)")
    p.add_argument("--timeout", type=int, default=None, help="seconds a cell may run (default 30)")
    sub = p.add_subparsers(dest="command", required=True)
    for name, func in COMMANDS.items():
        sp = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        if name == "export":
            sp.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
        else:
            sp.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    course = Course(args.root, timeout=args.timeout) if args.root else Course(timeout=args.timeout)
    COMMANDS[args.command](course, args)
    return 0
