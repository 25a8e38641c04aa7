"""The class list: who each student is in the LMS, beside the key the grading tools use.

``autograder/roster.csv`` (instructor-only, ignored by git) has one row per student.  ``key`` is the
student's folder under ``submitted/`` and their id in nbgrader's gradebook: the LMS user id where the
export gives one (Canvas), otherwise a name made safe for a folder.  The other columns are what the
LMS knows: the display name, and the identifiers its grade import matches on.

``collect`` adds the students it places; ``python -m autograder roster FILE`` fills in the
identifiers from a class list the LMS exports:

- Canvas's gradebook export (Grades > Export): ``Student, ID, SIS User ID, SIS Login ID, Section, ...``,
  matched on ``ID`` (the Canvas user id that Canvas puts in the names of downloaded submissions);
- Moodle's grading worksheet of an assignment (Assignment > Download grading worksheet):
  ``Identifier`` ("Participant 123"), ``Full name``, ``Email address``, ... matched on the participant
  number that Moodle puts in the folder names of downloaded submissions;
- Moodle's grade export (Grades > Export > Plain text file): ``First name, Last name, ID number, ...,
  Email address``, matched on the full name (a name two students share is reported, not guessed).

Moodle numbers the participants of each assignment separately: the number in a submission folder is
not a user id, and the same student has another number in the next assignment.  So a Moodle student's
key is their name, and the numbers they had are kept in ``moodle_participants``.
"""

import csv
import io
import os
import re
from dataclasses import asdict, dataclass, fields


@dataclass
class Student:
    """One row of the roster."""

    key: str                      # folder under submitted/ and nbgrader's student id
    name: str = ""                # as the LMS shows it ("Smith, Jane" on Canvas, "Jane Smith" on Moodle)
    lms: str = ""                 # "canvas", "moodle", or "" (a folder or file name without LMS ids)
    canvas_id: str = ""           # Canvas user id ("ID" in Canvas's gradebook)
    sis_user_id: str = ""         # Canvas "SIS User ID"
    sis_login_id: str = ""        # Canvas "SIS Login ID"
    section: str = ""             # Canvas "Section"
    email: str = ""               # Moodle "Email address"
    id_number: str = ""           # Moodle "ID number"
    moodle_participants: str = ""  # "assignment=number" pairs, ";"-separated

    def participants(self):
        """{assignment: Moodle participant number}."""
        pairs = (p.split("=", 1) for p in self.moodle_participants.split(";") if "=" in p)
        return {a: n for a, n in pairs}

    def add_participant(self, assignment, number):
        known = self.participants()
        known[assignment] = number
        self.moodle_participants = ";".join(f"{a}={n}" for a, n in sorted(known.items()))

    @property
    def lms_id(self):
        """The id the LMS's grade import matches first: Canvas's user id, Moodle's email or ID number."""
        return self.canvas_id or self.email or self.id_number


COLUMNS = [f.name for f in fields(Student)]


def safe_key(text):
    """A student key safe for a folder name and for nbgrader: letters, digits, ".", "@", "-"."""
    return re.sub(r"[^A-Za-z0-9.@-]+", "-", text.strip()).strip("-.").lower()


def load(course):
    """{key: Student} from the roster file (empty when there is none)."""
    try:
        text = course.roster.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    students = {}
    for row in csv.DictReader(io.StringIO(text)):
        values = {c: (row.get(c) or "") for c in COLUMNS}
        if values["key"]:
            students[values["key"]] = Student(**values)
    return students


def save(course, students):
    """Write the roster (atomically: a reader never sees half a file)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for key in sorted(students):
        writer.writerow(asdict(students[key]))
    course.roster.parent.mkdir(parents=True, exist_ok=True)
    tmp = course.roster.with_name(course.roster.name + ".tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    os.replace(tmp, course.roster)


def display_name(students, key):
    """The name to show for a key: the LMS's display name, or the key itself."""
    student = students.get(key)
    return student.name if student and student.name else key


def find(students, text):
    """The key of a student named by key, LMS id, email or exact display name; None if none or several."""
    if text in students:
        return text
    hits = [s.key for s in students.values()
            if text in (s.canvas_id, s.email, s.id_number, s.sis_user_id, s.sis_login_id)
            or text.casefold() == s.name.casefold()]
    return hits[0] if len(hits) == 1 else None


# ---------------------------------------------------------------- class lists exported by the LMS


def _rows(path):
    """The rows of a CSV file as dicts (Excel's byte-order mark tolerated)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader), [h.strip() for h in (reader.fieldnames or [])]


def kind_of(header):
    """Which LMS file a header is: "canvas", "moodle-worksheet", "moodle-grades" or None."""
    if len(header) > 1 and header[0].strip() == "Student" and header[1].strip() == "ID":
        return "canvas"
    if "Identifier" in header and "Full name" in header:
        return "moodle-worksheet"
    if "First name" in header and "Last name" in header:
        return "moodle-grades"
    return None


def merge_lms_list(students, path):
    """Fill the roster's identifiers from a class list the LMS exported.

    Returns (updated, problems): how many students got identifiers, and one line per row that matched
    no student or several.  Raises ValueError when the file is none of the known layouts."""
    rows, header = _rows(path)
    kind = kind_of(header)
    if kind is None:
        raise ValueError(f"{path}: not a Canvas gradebook export (Student, ID, ...), a Moodle grading "
                         "worksheet (Identifier, Full name, ...) or a Moodle grade export (First name, Last name, ...)")
    updated, problems = 0, []
    for row in rows:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if kind == "canvas":
            if not row.get("ID", "").isdigit():  # "Points Possible" and other non-student rows
                continue
            matched = [s for s in students.values() if s.canvas_id == row["ID"]]
            label = f"{row.get('Student', '')} (ID {row['ID']})"
        elif kind == "moodle-worksheet":
            number = re.sub(r"\D", "", row.get("Identifier", ""))
            matched = [s for s in students.values() if number and number in s.participants().values()]
            label = f"{row.get('Full name', '')} ({row.get('Identifier', '')})"
        else:
            full = f"{row.get('First name', '')} {row.get('Last name', '')}".strip()
            matched = [s for s in students.values() if s.lms == "moodle" and s.name.casefold() == full.casefold()]
            label = full
        if len(matched) != 1:
            if matched:
                problems.append(f"{label}: {len(matched)} students of that name were collected "
                                f"({', '.join(s.key for s in matched)}): fill in autograder/roster.csv by hand")
            continue  # a student who submitted nothing yet is no problem
        student = matched[0]
        if kind == "canvas":
            student.name = row.get("Student") or student.name
            student.sis_user_id = row.get("SIS User ID", student.sis_user_id)
            student.sis_login_id = row.get("SIS Login ID", student.sis_login_id)
            student.section = row.get("Section", student.section)
        else:
            student.email = row.get("Email address", student.email)
            student.id_number = row.get("ID number", student.id_number)
        updated += 1
    return updated, problems


# the columns of Canvas's gradebook export that are not assignments
CANVAS_NOT_ASSIGNMENTS = re.compile(r"^(Student|ID|SIS User ID|SIS Login ID|Integration ID|Root Account|Section)$|"
                                    r"(Current|Final|Unposted|Override) (Score|Points|Grade|Status)")


def assignment_columns(path, assignments):
    """{assignment: the LMS's title of its column} from a class list the LMS exported (Canvas's
    gradebook export; Moodle's grade export, whose grade items read "Assignment: ps01 ... (Real)")."""
    from .collect import find_assignment

    _, header = _rows(path)
    kind = kind_of(header)
    titles = {}
    for title in header:
        if kind == "canvas" and CANVAS_NOT_ASSIGNMENTS.search(title):
            continue
        if kind == "moodle-grades" and not re.match(r"\w[\w ]*: ", title):
            continue
        if kind not in ("canvas", "moodle-grades"):
            continue
        found = find_assignment(re.sub(r"\s*\(\d+\)$", "", title), assignments)
        if len(found) == 1:
            titles.setdefault(found[0], title)
    return ("canvas" if kind == "canvas" else "moodle"), titles


def load_columns(course):
    """{"canvas": {assignment: title}, "moodle": {...}} (empty when no class list was read)."""
    import json

    try:
        return json.loads(course.lms_columns.read_text())
    except (OSError, ValueError):
        return {}


def save_columns(course, lms, titles):
    import json

    known = load_columns(course)
    known.setdefault(lms, {}).update(titles)
    tmp = course.lms_columns.with_name(course.lms_columns.name + ".tmp")
    tmp.write_text(json.dumps(known, indent=1, sort_keys=True))
    os.replace(tmp, course.lms_columns)
