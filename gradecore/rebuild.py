"""The cells to grade, rebuilt from the source notebook and the submission.

The student's solution cells and their own extra cells are kept; every locked cell (set-up, test
and task cells, hidden tests included) comes from the source by ``grade_id``, whatever the student
did to it.  A test cell deleted, edited, moved or changed to markdown is restored and flagged
(nbgrader silently scores a deleted one 0).

nbgrader's cell roles (``nbgrader/utils.py``), from a cell's ``metadata.nbgrader``:

=================  ==============================  ========
role               metadata                        graded
=================  ==============================  ========
``"solution"``     solution                        no (its tests are)
``"manual"``       solution and grade (points)     by a person
``"test"``         grade (points), locked          by running it
``"task"``         task (points), locked           by a person
``"locked"``       locked                          no
=================  ==============================  ========
"""

from dataclasses import dataclass, field

import nbformat

# nbgrader's markers (its ClearSolutions and ClearHiddenTests defaults)
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
GRADED = ("test", "manual", "task")   # roles that carry points
ANSWERS = ("solution", "manual")      # roles whose cell is the student's


@dataclass
class Cell:
    """A cell to grade.  kind: "setup" or "test" (the course's, run), "student" (run), "markdown"."""

    kind: str
    code: str
    grade_id: str = None
    role: str = None          # the source cell's role; None for a cell of the student's own
    after: str = None         # a cell of the student's own: the source cell it follows
    builtins: list = field(default_factory=list)   # test cells: builtins the cell uses
    binds: list = field(default_factory=list)      # test cells: names the cell binds

    @property
    def runs(self):
        return self.kind in ("setup", "student", "test")

    @property
    def locked(self):
        return self.kind in ("setup", "test")

    @property
    def students(self):
        """The student wrote it (a solution cell, a written answer, a cell of their own)."""
        return self.role in ANSWERS or self.role is None


def meta(cell):
    """A cell's ``metadata.nbgrader`` (empty if it has none or it is malformed)."""
    data = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
    return data if isinstance(data, dict) else {}


def role(cell):
    """nbgrader's role of a source cell: "test", "solution", "manual", "task", "locked" or None."""
    data = meta(cell)
    if not data.get("grade_id"):
        return None
    if data.get("solution"):
        return "manual" if data.get("grade") else "solution"
    if data.get("grade"):
        return "test"
    if data.get("task"):
        return "task"
    return "locked" if data.get("locked") else None


def points(cell):
    return float(meta(cell).get("points", 0) or 0)


def graded_cells(source):
    """{grade_id: cell} of the source's cells that carry points, in order."""
    return {meta(c)["grade_id"]: c for c in source.cells if role(c) in GRADED}


def visible(text):
    """The part of a test cell the students see (nbgrader's ClearHiddenTests)."""
    lines, hidden = [], False
    for line in text.split("\n"):
        if HIDDEN[0] in line:
            hidden = True
        elif HIDDEN[1] in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def hidden_lines(text):
    """Line numbers (1-based) of a test cell that belong to hidden tests, markers included."""
    lines, hidden = set(), False
    for number, line in enumerate(text.split("\n"), 1):
        if HIDDEN[0] in line:
            hidden = True
        if hidden:
            lines.add(number)
        if HIDDEN[1] in line:
            hidden = False
    return lines


def read_submission(data):
    """The submitted notebook, or raise ValueError saying why it cannot be graded."""
    if not data.strip():
        raise ValueError("the notebook file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not text (not a notebook)") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:
        raise ValueError(f"not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError("not a valid notebook (no list of cells)")
    for cell in nb.cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str):
            raise ValueError("not a valid notebook (a malformed cell)")
        cell.setdefault("metadata", {})
        cell.setdefault("cell_type", "code")
    return nb


def _norm(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _longest_increasing(seq):
    """Indices of one longest increasing subsequence of seq (what stayed in place)."""
    best = []  # best[i]: indices of the longest run ending at i
    for i, value in enumerate(seq):
        prev = max((best[j] for j in range(i) if seq[j] < value), key=len, default=[])
        best.append(prev + [i])
    return set(max(best, key=len, default=[]))


def rebuild(source, submitted):
    """The cells to grade, in the source's order, and the review flags of the rebuilding.

    source, submitted: nbformat notebooks.  Returns (cells, flags, changed): a list of ``Cell``, a
    list of sentences, and {grade_id: what the student did} of the test cells that were restored or
    moved ("deleted", "edited", "moved", "changed to markdown")."""
    roles = {meta(c)["grade_id"]: role(c) for c in source.cells if role(c)}
    matched, order, attached, anchor = {}, [], {None: []}, None
    for cell in submitted.cells:
        gid = meta(cell).get("grade_id")
        if gid in roles and gid not in matched:
            matched[gid], anchor = cell, gid
            order.append(gid)
        elif gid in roles and roles[gid] not in ANSWERS:
            continue  # a copy of a locked cell: the source's own cell runs instead
        else:
            attached.setdefault(anchor, []).append(cell)  # the student's own cell
    flags = []
    if not matched:
        flags.append("none of the assignment's cells are in the notebook (graded its code as it is)")
    position = {gid: i for i, gid in enumerate(roles)}
    kept = _longest_increasing([position[g] for g in order])
    moved = {g for i, g in enumerate(order) if i not in kept}
    cells, changed = [], {}

    def own(gid):
        for cell in attached.get(gid, []):
            kind = "student" if cell.cell_type == "code" else "markdown"
            cells.append(Cell(kind, cell.source, after=gid))

    own(None)
    for cell in source.cells:
        kind, gid = role(cell), meta(cell).get("grade_id")
        if kind in ANSWERS:
            mine = matched.get(gid)
            if mine is not None:
                cells.append(Cell("student" if mine.cell_type == "code" else "markdown", mine.source, gid, kind))
        elif kind == "test":
            mine = matched.get(gid)
            if mine is None:
                changed[gid] = "deleted"
            elif mine.cell_type != cell.cell_type:
                changed[gid] = f"changed to {mine.cell_type}"
            elif _norm(mine.source) != _norm(visible(cell.source)):
                changed[gid] = "edited"
            elif gid in moved:
                changed[gid] = "moved"
            if gid in changed:
                fix = "graded in its place" if changed[gid] == "moved" else "restored"
                flags.append(f"test cell {gid} was {changed[gid]} ({fix})")
            cells.append(Cell("test" if cell.cell_type == "code" else "markdown", cell.source, gid, kind))
        elif kind in ("locked", "task"):
            cells.append(Cell("setup" if cell.cell_type == "code" else "markdown", cell.source, gid, kind))
        if gid:
            own(gid)
    return cells, flags, changed
