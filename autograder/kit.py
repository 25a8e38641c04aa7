"""The student kit: what a student downloads, built from this repository (``python -m autograder kit``).

It writes ``_build/kit/nnopt-course-kit/`` and the same files as ``_build/kit/nnopt-course-kit.zip``:

    README.md                    two commands (set up; open JupyterLab) and how to check one's work
    requirements.txt             the course's packages and JupyterLab, pinned to the course's tested versions
    constraints.txt              every package those pull in, pinned likewise (from the course's constraints.txt)
    assignments/<psNN-name>/     the released notebooks (exercises/) with the files they need
    package/                     the student-side packages, installed by requirements.txt:
        pyproject.toml           which packages (one place: [tool.hatch.build.targets.wheel] packages)
        page_config.json         keeps nbgrader's instructor menus out of the student's JupyterLab
        nnopt/                   checks, data sets, explorers, self-check ...
        nnopt/releases/<psNN-name>/<notebook>.ipynb   the pristine released notebooks, for the self-check,
        nnopt/releases/nbgrader_config.py             and the course's grading settings (time limits ...)
        gradecore/               the grading core the self-check runs

The template (README, pyproject, page config) is the folder ``kit/`` of this repository.  The kit is
checked before it is written: it carries no solution or hidden-test line of solutions/, no nbgrader
marker, and neither ``nnref`` nor ``autograder``.  The zip is reproducible: the same inputs give the
same bytes (sorted entries, one fixed date, fixed permissions).
"""

import io
import shutil
import sys
import tomllib
import warnings
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from .course import CONFIG, ROOT, _sources

NAME = "nnopt-course-kit"
TEMPLATE = ROOT / "kit"
# every entry of the zip carries this date (the earliest a zip can hold)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# names that must never reach a student
FORBIDDEN_PACKAGES = ("nnref", "autograder")


class KitError(Exception):
    """The kit cannot be built, or would leak what a student must not get (one line per problem)."""


@dataclass(frozen=True)
class Kit:
    """The kit's files: {path inside the kit (posix): content}."""

    files: dict

    def write(self, folder):
        """The unpacked tree in ``folder`` (replaced if it exists); returns the folder."""
        folder = Path(folder)
        if folder.exists():
            shutil.rmtree(folder)
        for name, data in sorted(self.files.items()):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return folder

    def zip_bytes(self):
        """The zip of the kit, every path under one folder ``nnopt-course-kit/``: the same bytes each time."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, data in sorted(self.files.items()):
                info = zipfile.ZipInfo(f"{NAME}/{name}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the permissions below are honoured
                info.external_attr = 0o100644 << 16
                archive.writestr(info, data, compresslevel=9)
        return buffer.getvalue()

    def notebooks(self):
        """The released notebooks: {assignment: [path inside the kit, ...]}."""
        found = {}
        for name in sorted(self.files):
            parts = PurePosixPath(name).parts
            if parts[0] == "assignments" and name.endswith(".ipynb"):
                found.setdefault(parts[1], []).append(name)
        return found


def packages(template=TEMPLATE):
    """The student-side packages, as the kit's pyproject.toml lists them."""
    config = tomllib.loads((template / "pyproject.toml").read_text())
    return config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def _package_files(root, package):
    """{path inside the kit: bytes} of one package of the repository (no caches, no hidden files)."""
    folder = root / package
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" or p.endswith(".egg-info")
                                      for p in rel.parts) and path.suffix != ".pyc":
            if rel.parts[:2] == ("nnopt", "releases"):
                continue  # made afresh from exercises/ below
            files[f"package/{rel.as_posix()}"] = path.read_bytes()
    return files


def _release_files(course):
    """The released assignments: each under assignments/, and each notebook again under nnopt/releases/
    with the course's grading configuration beside them (the self-check grades by the same settings)."""
    files = {f"package/nnopt/releases/{CONFIG.name}": CONFIG.read_bytes()}
    for assignment in course.assignments():
        folder = course.exercises / assignment
        if not folder.is_dir():
            raise KitError(f"{assignment} is not released: run `python -m autograder release {assignment}`")
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not any(p.startswith(".") for p in rel.parts):
                files[f"assignments/{assignment}/{rel.as_posix()}"] = path.read_bytes()
                if path.suffix == ".ipynb":
                    files[f"package/nnopt/releases/{assignment}/{rel.as_posix()}"] = path.read_bytes()
    return files


def _pins(constraints):
    """{canonical name: "name==version"} of a pip constraints file."""
    pins = {}
    for line in constraints.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            pins[canonicalize_name(line.split("==")[0])] = line
    return pins


def _closure(names):
    """Canonical names of the distributions ``names`` pull in, in this environment (themselves included),
    following the extras that the requirements ask for (jsonschema[format-nongpl] ...)."""
    seen, todo = set(), [(canonicalize_name(n), "") for n in names]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # needed on another platform only
        seen.add((name, extra))
        for text in requires:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                todo += [(canonicalize_name(req.name), e) for e in ["", *req.extras]]
    return {name for name, _ in seen}


def _python_marker(name, oldest):
    """"; python_full_version >= ..." when the installed version of ``name`` needs a later Python than
    ``oldest`` (Debian 12's Python 3.11.2 cannot install soupsieve 4.1.2, which needs 3.11.5), else ""."""
    needs = metadata.distribution(name).metadata.get("Requires-Python")
    first = ".".join((oldest.split(".") + ["0", "0"])[:3])  # 3.11 -> 3.11.0
    if not needs or SpecifierSet(needs).contains(first):
        return ""
    clauses = [f'python_full_version {spec.operator} "{spec.version}"' for spec in SpecifierSet(needs)]
    return "; " + " and ".join(sorted(clauses))


def requirements(template=TEMPLATE, constraints=ROOT / "constraints.txt"):
    """(requirements.txt, constraints.txt) of the kit: its dependencies at the course's tested versions."""
    project = tomllib.loads((template / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"]
    oldest = project["requires-python"].removeprefix(">=")  # the oldest Python the kit supports
    pins = _pins(constraints)
    missing = [n for n in direct if canonicalize_name(n) not in pins]
    if missing:
        raise KitError(f"not pinned in {constraints.name}: {', '.join(missing)}")
    closure = sorted(n for n in _closure(direct) if n in pins)
    reqs = ["# The assignments' packages and JupyterLab, at the versions the course was tested with",
            "# (on Python 3.11). In this folder: pip install -r requirements.txt",
            "-c constraints.txt",
            *sorted(pins[canonicalize_name(n)] for n in direct),
            "./package   # the course's own packages (package/pyproject.toml)", ""]
    cons = ["# Every package that requirements.txt pulls in, at the course's tested version",
            "# (where a version needs a later Python than the kit's, only on that Python).",
            *(pins[n] + _python_marker(n, oldest) for n in closure), ""]
    return "\n".join(reqs), "\n".join(cons)


def build(root=ROOT, template=TEMPLATE):
    """The kit made from the repository at ``root`` (checked: raises KitError on any leak)."""
    from .course import Course

    course = Course(root)
    pyproject = (template / "pyproject.toml").read_text()
    listed = packages(template)
    present = [p for p in listed if (course.root / p / "__init__.py").is_file()]
    for package in sorted(set(listed) - set(present)):
        # a package that is still being written (gradecore): the kit goes without it, and says so
        warnings.warn(f"the kit's package {package} is not in {course.root}: the kit leaves it out")
        pyproject = pyproject.replace(f'"{package}"', "").replace(", ]", "]").replace("[, ", "[")
    files = {
        "README.md": (template / "README.md").read_bytes(),
        "package/pyproject.toml": pyproject.encode(),
        "package/page_config.json": (template / "page_config.json").read_bytes(),
    }
    for package in present:
        files.update(_package_files(course.root, package))
    files.update(_release_files(course))
    reqs, cons = requirements(template, course.root / "constraints.txt")
    files["requirements.txt"], files["constraints.txt"] = reqs.encode(), cons.encode()
    problems = leaks(files, course)
    if problems:
        raise KitError("the kit would leak:\n  " + "\n  ".join(problems))
    return Kit(files)


def leaks(files, course):
    """What in ``files`` a student must not get: solution or hidden-test lines, nbgrader's markers,
    the reference implementations or the instructor tools (one line each; empty: none)."""
    secret = {a: set(course.secret_lines(a)) for a in course.assignments()}
    # a line that the release of another assignment gives every student is public (a training loop in
    # ps03 may repeat a line of ps01's solution); a release giving a line of its own solution still leaks
    public = set()
    for a in course.assignments():
        for path in (course.exercises / a).glob("*.ipynb"):
            public |= {line.strip() for source in _sources(path.read_text()) for line in source.splitlines()} - secret[a]
    secret = set().union(*secret.values()) - public
    problems = []
    for name, data in sorted(files.items()):
        parts = PurePosixPath(name).parts
        if parts[0] == "package" and len(parts) > 2 and parts[1] in FORBIDDEN_PACKAGES:
            problems.append(f"{name}: {parts[1]} is instructor-only")
            continue
        try:
            text = data.decode()
        except UnicodeDecodeError:
            continue  # compressed data sets
        if name.endswith(".ipynb"):
            text += "\n".join(_sources(text))  # the cells' lines, as a student sees them
            # (the grading core's code names the markers: only a notebook must not carry them)
            if "BEGIN SOLUTION" in text or "BEGIN HIDDEN TESTS" in text:
                problems.append(f"{name}: an nbgrader solution or hidden-test marker")
        lines = {line.strip() for line in text.splitlines()}
        found = sorted(lines & secret)
        if found:
            problems.append(f"{name}: a solution or hidden-test line: {found[0]!r}")
    return problems


def publish(folder, kit):
    """The files the site serves, in ``folder``: the zip and every released notebook, by its own name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{NAME}.zip").write_bytes(kit.zip_bytes())
    for paths in kit.notebooks().values():
        for name in paths:
            (folder / PurePosixPath(name).name).write_bytes(kit.files[name])
    return folder


def main(root=ROOT, output=None):
    """Build the kit into ``output`` (default _build/kit): the unpacked tree and the zip; returns the zip."""
    output = Path(output) if output else Path(root) / "_build" / "kit"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kit = build(root)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    kit.write(output / NAME)
    archive = output / f"{NAME}.zip"
    archive.write_bytes(kit.zip_bytes())
    return archive
