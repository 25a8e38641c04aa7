"""The class report: reports/index.html with pictures beside it (PNG).  Instructor-only: it names students.

Per assignment: the distribution of total scores, and per question how many submissions passed,
failed, timed out or crashed (cells graded by hand: graded, or still open); then the most common
failure messages (numbers masked, so that "expected 1.25, got 2.5" and "expected 1.25, got 3" count
together).  At the end, every submission that needs a person: the cells still to grade by hand
(``python -m autograder formgrade``), the review reasons the grader gave (tampering, crashes,
restored test cells ...; clear a flag in formgrader once you have looked), and the faults.
Grades come from ``grades.load``: what was entered in formgrader is counted.
"""

import html
import re
from collections import Counter

from . import grades as grading
from .grades import CellKind, Standing

OUTCOME_COLORS = {"passed": "#2a7", "failed": "#c33", "timed out": "#e0a800", "crashed": "#222",
                  "untrusted": "#835", "not run": "#999", "invalid": "#555", "missing": "#bbb",
                  "graded by hand": "#38c", "to grade by hand": "#9cf"}
STYLE = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
         "img{max-width:100%;height:auto}")


def _mask(message):
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", message)


def _outcome(grade):
    if grade.cell.kind is CellKind.TEST:
        return grade.outcome or "not run"
    return "to grade by hand" if grade.pending else "graded by hand"


def _plot_assignment(assignment, subs, folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    graded = [s for s in subs if s.score is not None and s.max_score]
    questions = list(dict.fromkeys(g.cell.name for s in subs for g in s.cells))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.9 + max(2.9, 0.32 * len(questions))))
    ax1.hist([100 * s.score / s.max_score for s in graded], bins=range(0, 105, 5), color="#38c")
    ax1.set_xlabel("score (% of the maximum)")
    ax1.set_ylabel("submissions")
    ax1.set_title(f"{assignment}: total scores ({len(graded)} fully graded)")
    left = [0] * len(questions)
    for outcome, color in OUTCOME_COLORS.items():
        counts = [sum(_outcome(g) == outcome for s in subs for g in s.cells if g.cell.name == q) for q in questions]
        if any(counts):
            ax2.barh(questions, counts, left=left, color=color, label=outcome)
            left = [a + b for a, b in zip(left, counts)]
    for axis in (ax1.yaxis, ax2.xaxis):  # counts of submissions
        axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax2.invert_yaxis()
    ax2.set_xlabel("submissions")
    ax2.set_title("per question")
    ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    path = folder / f"{assignment}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path.name


def _table(header, rows):
    out = ["<table><tr>", *(f"<th>{html.escape(h)}</th>" for h in header), "</tr>"]
    for row in rows:
        out += ["<tr>", *(f"<td>{html.escape(str(v))}</td>" for v in row), "</tr>"]
    return "".join(out + ["</table>"])


def write(course, output=None, assignments=None, log=None):
    """Write the report; returns the path of its index.html."""
    folder = output or course.reports
    folder.mkdir(parents=True, exist_ok=True)
    subs = [s for s in grading.load(course, assignments) if s.standing is not Standing.NOT_GRADED]
    by_assignment = {}
    for sub in subs:
        by_assignment.setdefault(sub.assignment, []).append(sub)
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>",
           f"<style>{STYLE}</style></head><body><h1>Class report</h1>"]
    if not by_assignment:
        out.append("<p>Nothing graded yet: run <code>python -m autograder autograde</code>.</p>")
    for n, (assignment, rows) in enumerate(sorted(by_assignment.items()), 1):
        if log:
            log(f"[{n}/{len(by_assignment)}] {assignment}: {len(rows)} submission(s)")
        graded = [s for s in rows if s.score is not None and s.max_score]
        mean = sum(s.score / s.max_score for s in graded) / len(graded) if graded else 0
        manual = sum(1 for s in rows if s.standing is Standing.MANUAL)
        late = sum(1 for s in rows if s.late)
        facts = [f"{len(rows)} submission(s)", f"mean score {100 * mean:.0f}% of {len(graded)} fully graded"]
        facts += [f"{manual} with cells to grade by hand"] if manual else []
        facts += [f"{late} late (as the LMS marked them)"] if late else []
        out.append(f"<h2>{html.escape(assignment)}</h2><p>{html.escape('; '.join(facts))}</p>")
        out.append(f"<img src='{_plot_assignment(assignment, rows, folder)}' alt='scores of {html.escape(assignment)}'>")
        messages, example = Counter(), {}
        for s in rows:
            for g in s.cells:
                if g.message and g.outcome not in ("passed", "invalid", "missing"):
                    key = (g.cell.name, _mask(g.message))
                    messages[key] += 1
                    example.setdefault(key, g.message)
        if messages:
            out.append("<h3>Most common failures</h3>")
            out.append(_table(["question", "message", "count"],
                              [(gid, example[gid, m][:300], count) for (gid, m), count in messages.most_common(10)]))
    look = [s for s in subs if s.standing in (Standing.FAULT, Standing.MANUAL, Standing.REVIEW)]
    out.append("<h2>Submissions that need a person</h2>")
    if look:
        out.append("<p>Cells to grade by hand: <code>python -m autograder formgrade</code>. Review reasons are "
                   "the grader's; the score shown is the fair one. These reasons are not in the students' "
                   "feedback.</p>")
        out.append(_table(["student", "name", "assignment", "status"],
                          [(s.student, s.name, s.assignment, s.status) for s in
                           sorted(look, key=lambda s: (s.student, s.assignment))]))
    else:
        out.append("<p>None.</p>")
    out.append("</body></html>")
    index = folder / "index.html"
    tmp = index.with_name("index.html.tmp")
    tmp.write_text("".join(out), encoding="utf-8")
    tmp.replace(index)
    return index
