"""Put an LMS export of student notebooks into nbgrader's layout, submitted/<student>/<assignment>/.

Accepted, as a folder or a zip file:

- Canvas ("Download Submissions"): ``<sortable name>[_LATE]_<user id>_<attachment id>_<file>``.  The
  student's key is the Canvas user id (two students of the same name stay apart), ``LATE`` is
  recorded, and of several uploads of one notebook the one Canvas received last (the highest
  attachment id) is kept;
- Moodle ("Download all submissions"): a folder ``<Full Name>_<participant>_assignsubmission_file_``
  per student.  Moodle numbers participants per assignment, so the key is the name; two participants
  of one name in one assignment are kept apart by their numbers (and reported);
- a folder per student (``alice/ps01.ipynb``) or ``<student>_<anything>_<assignment>.ipynb``.

The assignment is found in the file's name, its folders or the export's own name (the full name
``ps01-perceptron``, the short one ``ps01``/``PS1``, or the name of one of its notebooks), or named
with ``--assignment``.  An assignment of several notebooks gets each file under the notebook its
name names.  Every file not placed is reported with the reason; of several files of one student for
one notebook the newest is kept and the others are reported; two equally new files are both
reported and neither is placed (a file name is no reason to prefer one).

Each placed notebook is saved under the source notebook's name, with nbgrader's ``timestamp.txt``
and ``collected.json`` (which file it came from, its time, whether the LMS marked it late).  The
students' names and LMS ids go to the roster (``roster.py``).
"""

import json
import os
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import roster as rosters
from .course import UserError

MAX_BYTES = 50 * 2**20  # a bigger "notebook" is not one a student wrote
SYSTEM_FILES = ("Thumbs.db", "desktop.ini")
CANVAS = re.compile(r"(?P<name>[^_/]+?)(?:_(?P<late>late))?_(?P<user>\d+)_(?P<upload>\d+)_(?P<file>.+)", re.I)
MOODLE = re.compile(r"(?P<name>.+)_(?P<participant>\d+)_assignsubmission_[a-z]+_?", re.I)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def short_name(assignment):
    """The short name of an assignment: ps01 for ps01-perceptron."""
    return assignment.split("-")[0]


def find_assignment(text, assignments):
    """Assignments named in ``text`` (a file name or folder), by full or short name."""
    text = text.lower()
    found = [a for a in assignments if a.lower() in text]
    if found:
        return found
    for a in assignments:
        match = re.fullmatch(r"([a-z]+)0*(\d+)", short_name(a).lower())
        if match:  # ps01 also as ps1, PS-01, ps_1
            pattern = rf"(?<![a-z0-9]){match[1]}[-_ ]?0*{match[2]}(?![0-9])"
            if re.search(pattern, text):
                found.append(a)
    return found


def _stem(name):
    """A file's name without its extension and the copy markers browsers and LMSs add ("-1", " (2)")."""
    stem = PurePosixPath(name).stem.lower()
    return re.sub(r"(\s*\(\d+\)|-\d+)$", "", stem).strip()


# ---------------------------------------------------------------- reading the export


@dataclass
class Entry:
    """A file of the export."""

    path: PurePosixPath
    size: int
    time: datetime
    load: object  # () -> bytes


def entries(path):
    """The files of a folder or zip export."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file or folder: {path}")
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file():
                stat = file.stat()
                yield Entry(PurePosixPath(file.relative_to(path).as_posix()), stat.st_size,
                            datetime.fromtimestamp(stat.st_mtime), file.read_bytes)
        return
    if not zipfile.is_zipfile(path):
        raise UserError(f"{path} is neither a folder nor a zip file")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{path}: not a readable zip file ({exc})") from None
    for info in infos:
        yield Entry(PurePosixPath(info.filename), info.file_size, datetime(*info.date_time),
                    lambda name=info.filename: _read_zip(path, name))


def _read_zip(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


# ---------------------------------------------------------------- who, which assignment, which notebook


@dataclass
class Identity:
    """Who a file belongs to, as the export says."""

    key: str                 # the student's key (see roster.py)
    name: str                # the display name the export gives
    lms: str = ""            # "canvas", "moodle" or ""
    canvas_id: str = ""
    participant: str = ""    # Moodle's number of this student in this assignment
    late: bool = False
    upload: int = 0          # Canvas's attachment id: later uploads have higher ones
    filename: str = ""       # the file's own name, without the LMS's prefix


def identify(rel, assignments):
    """The Identity of a file of the export, or None when no student can be told."""
    parts = rel.parts
    canvas = CANVAS.fullmatch(rel.name)
    if canvas:
        return Identity(key=canvas["user"], name=canvas["name"], lms="canvas", canvas_id=canvas["user"],
                        late=bool(canvas["late"]), upload=int(canvas["upload"]), filename=canvas["file"])
    for folder in parts[:-1]:
        moodle = MOODLE.fullmatch(folder)
        if moodle:
            name = moodle["name"].strip()
            return Identity(key=rosters.safe_key(name), name=name, lms="moodle",
                            participant=moodle["participant"], filename=rel.name)
    if len(parts) > 1:  # a folder per student
        first = parts[0]
        if find_assignment(first, assignments) and len(parts) > 2:
            first = parts[1]  # <assignment>/<student>/<file>
        key = rosters.safe_key(first.split("_")[0])
        return Identity(key=key, name=first, filename=rel.name) if key else None
    if "_" in rel.stem and not find_assignment(rel.stem.split("_")[0], assignments):
        key = rosters.safe_key(rel.stem.split("_")[0])
        return Identity(key=key, name=rel.stem.split("_")[0], filename=rel.name) if key else None
    return None


def which_assignment(rel, identity, course, export_name, named=None):
    """(assignment, why not): the assignment a file belongs to."""
    assignments = course.assignments()
    if named:
        return named, None
    own = _stem(identity.filename if identity else rel.name)
    for text in (own, *rel.parts[:-1], export_name):
        found = find_assignment(text, assignments)
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, f"names several assignments ({', '.join(found)}); use --assignment"
    by_notebook = [a for a in assignments if own in {p.stem.lower() for p in course.notebooks(a)}]
    if len(by_notebook) == 1:
        return by_notebook[0], None
    return None, "no assignment name in the file name (e.g. ps01); use --assignment"


def which_notebook(filename, notebooks):
    """(notebook name, why not): which of an assignment's notebooks a file is."""
    if len(notebooks) == 1:
        return notebooks[0].name, None
    stem = _stem(filename)
    exact = [p.name for p in notebooks if p.stem.lower() == stem]
    named = exact or [p.name for p in notebooks if p.stem.lower() in stem]
    if len(named) == 1:
        return named[0], None
    return None, (f"the assignment has {len(notebooks)} notebooks ({', '.join(p.name for p in notebooks)}): "
                  "cannot tell which one this file is; name it like one of them")


# ---------------------------------------------------------------- the plan


@dataclass
class Placement:
    """A file of the export that goes to submitted/<key>/<assignment>/<notebook>."""

    file: str
    identity: Identity
    assignment: str
    notebook: str
    time: datetime
    load: object

    @property
    def order(self):
        """Which of two files of one notebook is newer: Canvas's upload order, then the file's time."""
        return (self.identity.upload, self.time)


@dataclass
class Plan:
    placed: list = field(default_factory=list)      # [Placement]
    problems: list = field(default_factory=list)    # [(file, reason)]: not placed, nothing newer was
    superseded: list = field(default_factory=list)  # [(file, reason)]: older than a file that was placed
    notes: list = field(default_factory=list)       # lines worth saying that lose no file


def plan(path, course, assignment=None):
    """Where each file of the export goes (nothing is written)."""
    assignments = course.assignments()
    named = course.resolve(assignment) if assignment else None
    result, candidates = Plan(), []
    export_name = Path(path).stem
    for entry in entries(path):
        rel, name = entry.path, str(entry.path)
        if any(part.startswith((".", "__MACOSX")) for part in rel.parts) or rel.name in SYSTEM_FILES:
            result.problems.append((name, "skipped: a system file, not a submission"))
            continue
        if rel.suffix.lower() == ".zip":
            result.problems.append((name, "a zip inside the export (a student zipped their work?): unpack it "
                                          "into the export's folder and collect that folder"))
            continue
        if rel.suffix.lower() != ".ipynb":
            result.problems.append((name, "not a notebook (.ipynb)"))
            continue
        if entry.size > MAX_BYTES:
            result.problems.append((name, f"too large for a notebook ({entry.size / 2**20:.0f} MB)"))
            continue
        identity = identify(rel, assignments)
        if identity is None:
            result.problems.append((name, "no student name: expected an LMS export (Canvas or Moodle), "
                                          "<student>_<anything>_<assignment>.ipynb or a folder per student"))
            continue
        found, why = which_assignment(rel, identity, course, export_name, named)
        if why:
            result.problems.append((name, why))
            continue
        notebook, why = which_notebook(identity.filename, course.notebooks(found))
        if why:
            result.problems.append((name, why))
            continue
        candidates.append(Placement(name, identity, found, notebook, entry.time, entry.load))
    _keep_apart(candidates, rosters.load(course), result)
    groups = {}
    for p in candidates:
        groups.setdefault((p.identity.key, p.assignment, p.notebook), []).append(p)
    for (key, assignment_name, notebook), files in sorted(groups.items()):
        files.sort(key=lambda p: p.order)
        newest = files[-1]
        tied = [p for p in files if p.order == newest.order]
        kept = "neither of the newest is placed" if len(tied) > 1 else f"kept {newest.file}"
        for p in files[:-len(tied)]:
            result.superseded.append((p.file, f"an older file of {key} for {assignment_name}/{notebook}: {kept}"))
        if len(tied) > 1:
            for p in tied:
                others = ", ".join(q.file for q in tied if q is not p)
                result.problems.append((p.file, f"as new as {others} (both {key}, {assignment_name}/{notebook}): "
                                                "neither placed; leave only the right one in the export"))
            continue
        result.placed.append(newest)
    return result


def _keep_apart(candidates, known, result):
    """Never merge two students: Moodle participants who share a name get their number in the key."""
    by_name = {}
    for p in candidates:
        i = p.identity
        if i.lms == "moodle":
            by_name.setdefault((p.assignment, i.key), set()).add(i.participant)
    for p in candidates:
        i = p.identity
        if i.lms == "moodle":
            owner = next((s.key for s in known.values() if s.participants().get(p.assignment) == i.participant), None)
            taken = known.get(i.key) and known[i.key].participants().get(p.assignment) not in (None, i.participant)
            if owner:
                i.key = owner
            elif len(by_name[p.assignment, i.key]) > 1 or taken:
                i.key = f"{i.key}-{i.participant}"
    for (assignment, key), numbers in sorted(by_name.items()):
        if len(numbers) > 1:
            result.notes.append(f"{len(numbers)} Moodle participants named {key} in {assignment} "
                                f"(numbers {', '.join(sorted(numbers))}): kept apart as "
                                f"{', '.join(f'{key}-{n}' for n in sorted(numbers))}; Moodle numbers participants "
                                "per assignment, so say in autograder/roster.csv which is which")
    names = {}
    for p in candidates:
        if p.identity.lms == "canvas":
            names.setdefault(p.identity.name, set()).add(p.identity.key)
    for name, keys in sorted(names.items()):
        if len(keys) > 1:
            result.notes.append(f"{len(keys)} Canvas students named {name}: kept apart by their Canvas ids "
                                f"({', '.join(sorted(keys))})")


# ---------------------------------------------------------------- what collect leaves beside a notebook


@dataclass
class Collected:
    """collected.json of a submission folder: where each notebook came from."""

    file: str
    time: str
    late: bool
    order: list

    @staticmethod
    def path(course, student, assignment):
        return course.submitted / student / assignment / "collected.json"


def collected(course, student, assignment):
    """{notebook: Collected} of a submission (empty when it was not put there by collect)."""
    try:
        data = json.loads(Collected.path(course, student, assignment).read_text())
        return {nb: Collected(**info) for nb, info in data.items()}
    except (OSError, ValueError, TypeError):
        return {}


def is_late(course, student, assignment):
    """Whether the LMS marked any notebook of the submission late."""
    return any(c.late for c in collected(course, student, assignment).values())


def _write_atomic(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def collect(path, course, assignment=None, dry_run=False, log=print):
    """Copy the notebooks into submitted/ and record who they belong to; returns the Plan
    (placed: the Placements written, or that would be with ``dry_run``)."""
    result = plan(path, course, assignment)
    students = rosters.load(course)
    done, total = [], len(result.placed)
    for n, p in enumerate(result.placed, 1):
        folder = course.submitted / p.identity.key / p.assignment
        destination = folder / p.notebook
        data = p.load()
        before = collected(course, p.identity.key, p.assignment)
        old = before.get(p.notebook)
        rel = destination.relative_to(course.root)
        if destination.exists() and destination.read_bytes() == data:
            log(f"[{n}/{total}] unchanged {p.file} -> {rel}")
            done.append(p)
            continue
        order = [p.identity.upload, p.time.strftime(TIME_FORMAT)]
        if old and order < old.order:
            result.superseded.append((p.file, f"older than the file already collected for {p.identity.key} "
                                              f"({old.file}): kept that one"))
            continue
        log(f"[{n}/{total}] {'would place' if dry_run else 'placed'} {p.file} -> {rel}")
        done.append(p)
        if dry_run:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(destination, data)
        before[p.notebook] = Collected(p.file, p.time.strftime(TIME_FORMAT), p.identity.late, order)
        _write_atomic(Collected.path(course, p.identity.key, p.assignment),
                      json.dumps({nb: asdict(c) for nb, c in sorted(before.items())}, indent=1).encode())
        newest = max(datetime.strptime(c.time, TIME_FORMAT) for c in before.values())
        (folder / "timestamp.txt").write_text(newest.strftime(TIME_FORMAT))  # nbgrader's submission time
        _remember(students, p)
    result.placed = done
    if not dry_run and done:
        rosters.save(course, students)
    return result


def _remember(students, placement):
    """The student in the roster: their LMS ids beside their key (names from the LMS's class list win)."""
    i = placement.identity
    student = students.setdefault(i.key, rosters.Student(key=i.key))
    student.name = student.name or i.name
    student.lms = student.lms or i.lms
    student.canvas_id = student.canvas_id or i.canvas_id
    if i.participant:
        student.add_participant(placement.assignment, i.participant)
