"""Feedback pages: one HTML file per student, assignment and notebook, feedback/<student>/<assignment>/<notebook>.html.

A page follows the notebook as the student wrote it: the assignment's prompts (with their maths),
the student's own answers (code, written answers, the cells they added), the error their own cell
raised (a SyntaxError with its line, say), a box per test with its score and the message of a
failed check, and the score and comment a grader gave each cell graded by hand (or "not graded
yet").  It never contains a test cell's code beyond its first line ("# Checks ..."), a hidden test,
a traceback, or the review flags (those are for the instructor: see the report).  Every message
and output shown is redacted of hidden-test lines (student code can read the tests it runs beside).

Each page is one file that stands alone: MathJax is inside it (compressed, unpacked by the browser),
so a page sent to its student shows its maths with no network and no other file.
"""

import base64
import gzip
import html
import json
import re
from functools import lru_cache
from pathlib import Path

import nbformat
from gradecore.score import Redactor

from . import grades as grading
from .grades import CellKind, Standing

MATHJAX = "tex-svg-full.js"  # MathJax with every TeX package: nothing to load later


def mathjax_source():
    """The MathJax folder of the installed sphinx-mathjax-offline package."""
    from importlib.metadata import distribution

    dist = distribution("sphinx-mathjax-offline")
    for file in dist.files or []:
        if file.name == MATHJAX:
            return Path(dist.locate_file(file)).parent
    raise FileNotFoundError("sphinx-mathjax-offline's MathJax is not installed (pip install -r requirements.txt)")


@lru_cache(maxsize=1)
def _mathjax_packed():
    """MathJax, gzipped and base64-encoded, to sit inside a page."""
    return base64.b64encode(gzip.compress((mathjax_source() / MATHJAX).read_bytes(), 9, mtime=0)).decode()


MATHJAX_CONFIG = ("window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']]}, svg: {fontCache: 'global'}, "
                  "options: {enableMenu: false}, loader: {load: []}};")
# unpack the MathJax inside the page and run it (DecompressionStream: every current browser)
MATHJAX_UNPACK = """(async () => {
  const packed = document.getElementById('mathjax-packed').textContent;
  const bytes = Uint8Array.from(atob(packed), c => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const script = document.createElement('script');
  script.textContent = await new Response(stream).text();
  document.head.appendChild(script);
})();"""

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; border-radius: 4px; }
.answer { border-left: 4px solid #38c; padding: .1rem .8rem; margin: .8rem 0; }
.answer > .label, .result > .label { font-size: .85rem; color: #555; }
.own { border-left-color: #999; }
.result { border-left: 4px solid; padding: .4rem .8rem; margin: .8rem 0; }
.passed { border-color: #2a7; background: #effaf3; } .failed { border-color: #c33; background: #fdf0f0; }
.open { border-color: #e0a800; background: #fff8e1; } .graded { border-color: #38c; background: #eef5fc; }
.message, .output { font-family: ui-monospace, monospace; white-space: pre-wrap; }
.comment { font-style: italic; } .comment p { display: inline; }
"""


def _markdown(images=True):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content, options):
        # MathJax finds \( \) and \[ \]; the TeX itself is escaped as text
        left, right = (r"\[", r"\]") if options.get("display_mode") else (r"\(", r"\)")
        return left + html.escape(content) + right

    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin, renderer=math)
    if not images:  # a student's markdown loads nothing from the network
        md.disable("image")
    return md


def _src(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _gid(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _read(path):
    """A notebook file as a NotebookNode (attribute access, as nbgrader's cell tests need), or None."""
    try:
        return nbformat.from_dict(json.loads(Path(path).read_text()))
    except (OSError, ValueError, AttributeError):
        return None


@lru_cache(maxsize=32)
def _redactor(source):
    """What hides the hidden tests of a source notebook from a message (gradecore's, as in grading)."""
    if not Path(source).is_file():
        return lambda text: text
    return Redactor(nbformat.read(source, as_version=4))


@lru_cache(maxsize=32)
def _release(path):
    return _read(path) or {"cells": []}


def _score(value, max_score):
    return "not graded yet" if value is None else f"{value:g} / {max_score:g}"


class Page:
    """The HTML of one feedback page, built cell by cell."""

    def __init__(self, course, sub, notebook):
        self.course, self.sub, self.notebook = course, sub, notebook
        self.stem = Path(notebook).stem
        self.md, self.student_md = _markdown(), _markdown(images=False)
        self.redact = _redactor(str(course.solutions / sub.assignment / notebook))
        self.grades = {g.cell.name: g for g in sub.cells if g.cell.notebook == self.stem}
        self.out = []

    def comment(self, gid):
        text = self.sub.comments.get((self.stem, gid))
        if text:  # formgrader takes Markdown and maths
            self.out.append(f"<div class='comment'><b>Your grader:</b> {self.student_md.render(text)}</div>")

    def answer(self, answer, label, own=False):
        """A cell the student wrote (a gradecore Answer), or a note that it is missing."""
        self.out.append(f"<div class='answer{' own' if own else ''}'><div class='label'>{html.escape(label)}</div>")
        if answer is None:
            self.out.append("<p>(this cell is missing from your notebook)</p>")
        elif answer.markdown:
            self.out.append(self.student_md.render(answer.source) or "<p>(empty)</p>")
        else:
            self.out.append(f"<pre><code>{html.escape(answer.source)}</code></pre>")
        if answer is not None and answer.error:
            self.out.append(f"<div class='message'>your cell raised "
                            f"{html.escape(self.redact(str(answer.error)))}</div>")
        self.out.append("</div>")

    def test_box(self, gid, first_line):
        g = self.grades.get(gid)
        if g is None:
            return
        ok = g.score is not None and g.score >= g.cell.max_score and g.outcome == "passed"
        self.out.append(f"<div class='result {'passed' if ok else 'failed'}'><div class='label'>"
                        f"{html.escape(first_line)}</div><b>{html.escape(gid)}</b>: "
                        f"{_score(g.score, g.cell.max_score)} point(s), {html.escape(g.outcome or 'not graded yet')}")
        if g.adjusted:
            self.out.append(" (score set by your grader)")
        if g.message:
            self.out.append(f"<div class='message'>{html.escape(self.redact(g.message))}</div>")
        for warning in g.warnings:
            self.out.append(f"<div class='message'>warning printed by your code (no points lost): "
                            f"{html.escape(warning)}</div>")
        if g.truncated:
            self.out.append("<div>your code printed a lot: its output was cut short (no points lost)</div>")
        self.out.append("</div>")

    def manual_box(self, gid):
        g = self.grades.get(gid)
        if g is None:
            return
        what = "task" if g.cell.kind is CellKind.TASK else "answer"
        extra = f" + {g.extra_credit:g} extra credit" if g.extra_credit else ""
        score = "not graded yet" if g.pending else f"{g.score:g} / {g.cell.max_score:g} point(s)"
        self.out.append(f"<div class='result {'open' if g.pending else 'graded'}'><b>{html.escape(gid)}</b> "
                        f"({what} graded by hand): {score}{extra}</div>")

    def summary(self):
        sub = self.sub
        total = _score(sub.score, sub.max_score)
        mine = [g for g in sub.cells if g.cell.notebook == self.stem]
        notebooks = len({g.cell.notebook for g in sub.cells})
        self.out.append(f"<p><b>Score: {total}</b>"
                        + (f" for the whole assignment ({notebooks} notebooks)" if notebooks > 1 else "") + "</p>")
        self.out.append("<table><tr><th>question</th><th>kind</th><th>score</th><th>result</th></tr>")
        for g in mine:
            # the message of a failed test is in its box, under the notebook's cell it checks
            result = g.outcome if g.cell.kind is CellKind.TEST else ("not graded yet" if g.pending else "graded")
            self.out.append(f"<tr><td>{html.escape(g.cell.name)}</td><td>{html.escape(g.cell.kind.value)}</td>"
                            f"<td>{_score(g.score, g.cell.max_score)}</td><td>{html.escape(result)}</td></tr>")
        self.out.append("</table>")

    def body(self):
        release = _release(str(self.course.exercises / self.sub.assignment / self.notebook))
        record = self.sub.records.get(self.notebook)
        answers = record.result.answers if record else []
        mine = {a.grade_id: a for a in answers if a.grade_id}
        added = {}
        for a in answers:
            if a.grade_id is None and a.source.strip():
                added.setdefault(a.after, []).append(a)

        def own(after):
            for a in added.get(after, []):
                self.answer(a, "a cell of yours", own=True)

        self.out.append("<h2>Your notebook</h2>")
        if any(g.outcome == "missing" for g in self.grades.values()):
            self.out.append("<p>This notebook was not in your submission.</p>")
        own(None)
        for cell in release["cells"]:
            gid = _gid(cell)
            k = grading.kind(cell)
            if k is CellKind.TEST:
                self.test_box(gid, _src(cell).split("\n")[0].lstrip("# "))
            elif k is CellKind.TASK:
                self.out.append(self.md.render(_src(cell)))
            elif cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                self.answer(mine.get(gid), "your answer" if k is CellKind.ANSWER else "your code")
                if k is CellKind.ANSWER:
                    self.manual_box(gid)
                self.comment(gid)
            elif cell.get("cell_type") == "markdown":
                self.out.append(self.md.render(_src(cell)))
            elif _src(cell).strip():
                self.out.append(f"<pre><code>{html.escape(_src(cell))}</code></pre>")
            own(gid)
            if k is CellKind.TASK:  # the student's answer to a task is in the cells they added after it
                self.manual_box(gid)
                self.comment(gid)

    def html(self):
        sub = self.sub
        title = f"{sub.assignment} · {self.stem}: feedback for {sub.name}"
        self.out.append(f"<h1>{html.escape(title)}</h1>")
        if sub.standing is Standing.FAULT:
            self.out.append("<p>Your submission could not be graded yet; it will be.</p>")
        else:
            self.summary()
            self.body()
        content = "".join(self.out)
        head = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
                "<meta name='viewport' content='width=device-width, initial-scale=1'>",
                f"<title>{html.escape(title)}</title><style>{STYLE}</style>"]
        if re.search(r"\\\(|\\\[", content):
            head += [f"<script>{MATHJAX_CONFIG}</script>",
                     f"<script type='application/octet-stream' id='mathjax-packed'>{_mathjax_packed()}</script>",
                     f"<script>{MATHJAX_UNPACK}</script>"]
        return "".join(head) + "</head><body>" + content + "</body></html>"


def page_for(course, sub, notebook):
    """The HTML of the feedback page of one notebook of a SubmissionGrade."""
    return Page(course, sub, notebook).html()


def page_path(course, student, assignment, notebook):
    return course.feedback / student / assignment / (Path(notebook).stem + ".html")


def write_all(course, assignments=None, students=None, log=None):
    """Every feedback page of the graded submissions; returns the paths written."""
    subs = [s for s in grading.load(course, assignments, students) if s.standing is not Standing.NOT_GRADED]
    written = []
    for n, sub in enumerate(subs, 1):
        for source in course.notebooks(sub.assignment):
            path = page_path(course, sub.student, sub.assignment, source.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(page_for(course, sub, source.name), encoding="utf-8")
            tmp.replace(path)
            written.append(path)
        if log:
            log(f"[{n}/{len(subs)}] {sub.assignment} {sub.student}")
    return written
