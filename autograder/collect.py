"""Put an LMS export of student notebooks into nbgrader's layout, submitted/<student>/<assignment>/.

Accepted, as a folder or a zip file:

- files named ``<student>_<anything>_<assignment>.ipynb`` (Canvas: ``smithj_12345_67890_ps01-perceptron.ipynb``;
  ``<anything>`` may be empty: ``alice_ps01.ipynb``);
- one folder per student (Moodle: ``Jane Smith_12345_assignsubmission_file_/ps01-perceptron.ipynb``,
  or simply ``alice/ps01.ipynb``); the student is the folder's name up to its first ``_``.

The assignment is found in the file's name (or its folders): its full name (``ps01-perceptron``) or
its short name (``ps01``, ``PS1``); ``--assignment`` names it for every file instead.  The notebook is
saved under the source notebook's name, with the file's time in ``timestamp.txt`` (nbgrader's late
submission handling reads it).  Every file that cannot be placed is reported with the reason; when a
student has several files for one assignment, the newest is kept and the others are reported.
"""

import re
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

MAX_BYTES = 50 * 2**20  # a bigger "notebook" is not one a student wrote


def _short(assignment):
    """The short name of an assignment: ps01 for ps01-perceptron."""
    return assignment.split("-")[0]


def find_assignment(text, assignments):
    """Assignments named in ``text`` (a file name or folder), by full or short name."""
    text = text.lower()
    found = [a for a in assignments if a.lower() in text]
    if found:
        return found
    for a in assignments:
        match = re.fullmatch(r"([a-z]+)0*(\d+)", _short(a).lower())
        if match:  # ps01 also as ps1, PS-01, ps_1
            pattern = rf"(?<![a-z0-9]){match[1]}[-_ ]?0*{match[2]}(?![0-9])"
            if re.search(pattern, text):
                found.append(a)
    return found


def student_id(text):
    """A student id safe for a folder name: the text up to its first "_", cleaned."""
    return re.sub(r"[^A-Za-z0-9.@-]+", "-", text.split("_")[0].strip()).strip("-.")


def _entries(path):
    """(relative path, bytes or a loader, modification time) for every file of a folder or zip."""
    path = Path(path)
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file():
                rel = PurePosixPath(file.relative_to(path).as_posix())
                yield rel, file.stat().st_size, file.read_bytes, datetime.fromtimestamp(file.stat().st_mtime)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield (PurePosixPath(info.filename), info.file_size,
                           lambda name=info.filename: _read_zip(path, name), datetime(*info.date_time))
    else:
        raise ValueError(f"{path} is neither a folder nor a zip file")


def _read_zip(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def plan(path, course, assignment=None):
    """Where each file goes: (placed, problems); placed: [(file, student, assignment, data, time)],
    problems: [(file, reason)]."""
    assignments = course.assignments()
    if assignment and assignment not in assignments:
        raise ValueError(f"no assignment {assignment!r} in {course.solutions}")
    candidates, problems = {}, []
    for rel, size, load, mtime in _entries(path):
        name = str(rel)
        if any(part.startswith((".", "__MACOSX")) for part in rel.parts) or rel.name in ("Thumbs.db", "desktop.ini"):
            problems.append((name, "skipped: a system file, not a submission"))
            continue
        if rel.suffix.lower() != ".ipynb":
            problems.append((name, "not a notebook (.ipynb)"))
            continue
        if size > MAX_BYTES:
            problems.append((name, f"too large for a notebook ({size / 2**20:.0f} MB)"))
            continue
        if assignment:
            found = [assignment]
        else:
            found = find_assignment(rel.stem, assignments) or find_assignment("/".join(rel.parts[:-1]), assignments)
        if not found:
            problems.append((name, "no assignment name in the file name (e.g. ps01); use --assignment"))
            continue
        if len(found) > 1:
            problems.append((name, f"names several assignments ({', '.join(found)}); use --assignment"))
            continue
        if len(rel.parts) > 1:
            student = student_id(rel.parts[0])
        elif "_" in rel.stem and not find_assignment(rel.stem.split("_")[0], assignments):
            student = student_id(rel.stem)
        else:
            student = ""
        if not student:
            problems.append((name, "no student name: expected <student>_<anything>_<assignment>.ipynb "
                                   "or a folder per student"))
            continue
        candidates.setdefault((student, found[0]), []).append((name, load, mtime))
    placed = []
    for (student, assignment_name), files in sorted(candidates.items()):
        files.sort(key=lambda f: (f[2], f[0]))  # oldest first: the last one is kept
        name, load, mtime = files[-1]
        for other, _, _ in files[:-1]:
            problems.append((other, f"an older file of {student} for {assignment_name}: kept {name}"))
        placed.append((name, student, assignment_name, load(), mtime))
    return placed, problems


def collect(path, course, assignment=None, dry_run=False):
    """Copy the notebooks into submitted/; returns (placed [(file, destination)], problems [(file, why)])."""
    placed, problems = plan(path, course, assignment)
    done = []
    for name, student, assignment_name, data, mtime in placed:
        notebooks = course.notebooks(assignment_name)
        if len(notebooks) != 1:
            problems.append((name, f"{assignment_name} has {len(notebooks)} notebooks: place this one by hand"))
            continue
        folder = course.submitted / student / assignment_name
        destination = folder / notebooks[0].name
        if not dry_run:
            folder.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            (folder / "timestamp.txt").write_text(mtime.strftime("%Y-%m-%d %H:%M:%S.%f"))
        done.append((name, destination))
    return done, problems
