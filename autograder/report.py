"""The class report: reports/index.html with pictures beside it (PNG).

Per assignment: the distribution of total scores, and per question how many submissions passed,
failed, timed out or crashed; then the most common failure messages (numbers masked, so that
"expected 1.25, got 2.5" and "expected 1.25, got 3" count together) and every submission that needs
a human look (status "review: ..." or "fault: ...").  Instructor-only: it names students.
"""

import html
import re
from collections import Counter

from . import engine

OUTCOME_COLORS = {"passed": "#2a7", "failed": "#c33", "timed out": "#e0a800", "crashed": "#222",
                  "untrusted": "#835", "not run": "#999", "invalid": "#555", "missing": "#bbb", "manual": "#38c"}


def _mask(message):
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", message)


def _plot_assignment(assignment, rows, folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graded = [r for r in rows if r["score"] is not None and r["max_score"]]
    questions = list(dict.fromkeys(q for r in rows for q in r["tests"]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax1.hist([100 * r["score"] / r["max_score"] for r in graded], bins=range(0, 105, 5), color="#38c")
    ax1.set_xlabel("score (% of the maximum)")
    ax1.set_ylabel("submissions")
    ax1.set_title(f"{assignment}: total scores ({len(graded)} graded)")
    left = [0] * len(questions)
    for outcome, color in OUTCOME_COLORS.items():
        counts = [sum(r["tests"].get(q, {}).get("outcome") == outcome for r in rows) for q in questions]
        if any(counts):
            ax2.barh(questions, counts, left=left, color=color, label=outcome)
            left = [a + b for a, b in zip(left, counts)]
    ax2.invert_yaxis()
    ax2.set_xlabel("submissions")
    ax2.set_title("per question")
    ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    path = folder / f"{assignment}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path.name


def write(course, output=None):
    """Write the report; returns the path of its index.html."""
    folder = output or course.reports
    folder.mkdir(parents=True, exist_ok=True)
    by_assignment = {}
    for student, assignment, notebook, result in engine.records(course):
        by_assignment.setdefault(assignment, []).append({"student": student, **result})
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>",
           "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
           "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
           "</style></head><body><h1>Class report</h1>"]
    if not by_assignment:
        out.append("<p>Nothing graded yet: run <code>python -m autograder autograde</code>.</p>")
    look = []
    for assignment, rows in sorted(by_assignment.items()):
        graded = [r for r in rows if r["score"] is not None and r["max_score"]]
        mean = sum(r["score"] / r["max_score"] for r in graded) / len(graded) if graded else 0
        out.append(f"<h2>{html.escape(assignment)}</h2><p>{len(rows)} submission(s), mean score "
                   f"{100 * mean:.0f}%</p>")
        out.append(f"<img src='{_plot_assignment(assignment, rows, folder)}' alt='scores of {html.escape(assignment)}'>")
        messages = Counter()
        example = {}
        for r in rows:
            for gid, test in r["tests"].items():
                if test.get("message") and test["outcome"] not in ("passed", "invalid", "missing"):
                    key = (gid, _mask(test["message"]))
                    messages[key] += 1
                    example.setdefault(key, test["message"])
        if messages:
            out.append("<h3>Most common failures</h3><table><tr><th>question</th><th>message</th><th>count</th></tr>")
            for (gid, _), count in messages.most_common(10):
                out.append(f"<tr><td>{html.escape(gid)}</td><td>{html.escape(example[(gid, _)][:300])}</td>"
                           f"<td>{count}</td></tr>")
            out.append("</table>")
        look += [(r["student"], assignment, r["status"]) for r in rows if r["status"] != "ok"]
    out.append("<h2>Submissions that need a human look</h2>")
    if look:
        out.append("<table><tr><th>student</th><th>assignment</th><th>status</th></tr>")
        out += [f"<tr><td>{html.escape(s)}</td><td>{html.escape(a)}</td><td>{html.escape(st)}</td></tr>"
                for s, a, st in sorted(look)]
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append("</body></html>")
    index = folder / "index.html"
    index.write_text("".join(out))
    return index
