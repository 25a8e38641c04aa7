"""Feedback pages: one HTML page per student and assignment, feedback/<student>/<assignment>/<notebook>.html.

A page shows the score per question, the message of each failed test, any warnings the student's
code printed, the assignment's prompts (with their maths) and the student's own code.  It is built
from the released notebook (what students already have) and the result record; it never contains
the code of a test cell beyond its first line ("# Checks ..."), a hidden test, or a traceback: a
failed test shows its error message only, and says whether the failure was in a hidden test.

Maths is typeset by MathJax served from feedback/_mathjax/ (copied from the sphinx-mathjax-offline
package): the pages work with no network.  Send each student their folder together with _mathjax/
(or the whole feedback folder through a private channel).
"""

import html
import json
import shutil
from pathlib import Path

from . import engine
from .grade import role, visible

MATHJAX_FILES = ["tex-svg.js", "input/tex/extensions", "ui"]


def mathjax_source():
    """The MathJax folder of the installed sphinx-mathjax-offline package."""
    from importlib.metadata import distribution

    dist = distribution("sphinx-mathjax-offline")
    for file in dist.files or []:
        if file.name == "tex-svg.js":
            return Path(dist.locate_file(file)).parent
    raise FileNotFoundError("sphinx-mathjax-offline's MathJax is not installed (pip install -r requirements.txt)")


def copy_mathjax(folder):
    """MathJax (SVG output: one script, no font files) into ``folder``/_mathjax."""
    source, target = mathjax_source(), Path(folder) / "_mathjax"
    for rel in MATHJAX_FILES:
        if (target / rel).exists():
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        if (source / rel).is_dir():
            shutil.copytree(source / rel, target / rel)
        else:
            shutil.copy2(source / rel, target / rel)
    return target


def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content, options):
        # MathJax finds \( \) and \[ \]; the TeX itself is escaped as text
        left, right = (r"\[", r"\]") if options.get("display_mode") else (r"\(", r"\)")
        return left + html.escape(content) + right

    return MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin, renderer=math)


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; border-radius: 4px; }
.result { border-left: 4px solid; padding: .4rem .8rem; margin: .8rem 0; }
.passed { border-color: #2a7; background: #effaf3; } .failed { border-color: #c33; background: #fdf0f0; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: .4rem .8rem; }
.message { font-family: ui-monospace, monospace; white-space: pre-wrap; }
"""


def _release(course, assignment, notebook):
    """The released notebook (no solutions, no hidden tests), or None."""
    path = course.exercises / assignment / notebook
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _src(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _result_box(gid, test):
    ok = test["outcome"] == "passed" and test["score"] == test["max_score"]
    score = "-" if test["score"] is None else f"{test['score']:g}"
    parts = [f"<div class='result {'passed' if ok else 'failed'}'><b>{html.escape(gid)}</b>: "
             f"{score} / {test['max_score']:g} point(s), {html.escape(test['outcome'])}"]
    if test.get("message"):
        parts.append(f"<div class='message'>{html.escape(test['message'])}</div>")
    for warning in test.get("warnings", []):
        parts.append(f"<div class='message'>warning printed by your code (no points lost): {html.escape(warning)}</div>")
    if test.get("truncated"):
        parts.append("<div>your code printed a lot: its output was cut short (no points lost)</div>")
    parts.append("</div>")
    return "".join(parts)


def page(course, student, assignment, notebook, result, mathjax="../../_mathjax/tex-svg.js"):
    """The HTML of one feedback page."""
    md = _markdown()
    title = f"{assignment}: feedback for {student}"
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
           f"<style>{STYLE}</style>",
           "<script>window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']]}, svg: {fontCache: 'global'}};</script>",
           f"<script defer src='{html.escape(mathjax)}'></script></head><body>",
           f"<h1>{html.escape(title)}</h1>"]
    if result["status"].startswith("fault"):
        out.append("<p class='note'>Your submission could not be graded yet; it will be.</p></body></html>")
        return "".join(out)
    score = "-" if result["score"] is None else f"{result['score']:g}"
    out.append(f"<p><b>Score: {score} / {result['max_score']:g}</b></p>")
    if result.get("flags"):
        out.append("<div class='note'><p>An instructor will look at this submission:</p><ul>")
        out += [f"<li>{html.escape(flag)}</li>" for flag in result["flags"]]
        out.append("</ul></div>")
    out.append("<table><tr><th>question</th><th>checks</th><th>score</th><th>result</th></tr>")
    release = _release(course, assignment, notebook) or {"cells": []}
    first_lines = {}
    for cell in release["cells"]:
        if role(cell) == "test":
            first_lines[cell["metadata"]["nbgrader"]["grade_id"]] = visible(_src(cell)).split("\n")[0].lstrip("# ")
    for gid, test in result["tests"].items():
        score = "-" if test["score"] is None else f"{test['score']:g}"
        why = test.get("message") or ""
        out.append(f"<tr><td>{html.escape(gid)}</td><td>{html.escape(first_lines.get(gid, ''))}</td>"
                   f"<td>{score} / {test['max_score']:g}</td><td>{html.escape(test['outcome'])}"
                   f"{': ' + html.escape(why) if why else ''}</td></tr>")
    out.append("</table><h2>Your notebook</h2>")
    for cell in release["cells"]:
        kind = role(cell)
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") == "markdown":
            out.append(md.render(_src(cell)))
        elif kind in ("solution", "manual"):
            code = result.get("solutions", {}).get(gid)
            shown = code if code is not None else "(this cell is missing from your notebook)"
            out.append(f"<pre><code>{html.escape(shown)}</code></pre>")
        elif kind == "test" and gid in result["tests"]:
            out.append(_result_box(gid, result["tests"][gid]))
        elif kind == "locked":
            out.append(f"<pre><code>{html.escape(_src(cell))}</code></pre>")
    out.append("</body></html>")
    return "".join(out)


def write_all(course, assignments=None, students=None):
    """Every feedback page of the graded submissions; returns the paths written."""
    written = []
    for student, assignment, notebook, result in engine.records(course):
        if (assignments and assignment not in assignments) or (students and student not in students):
            continue
        path = course.feedback / student / assignment / (Path(notebook).stem + ".html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(course, student, assignment, notebook, result))
        written.append(path)
    if written:
        copy_mathjax(course.feedback)
    return written
