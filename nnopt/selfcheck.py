"""Check an assignment notebook before submitting: ``python -m nnopt.selfcheck NOTEBOOK.ipynb``.

The notebook is graded as the grader will grade it, by the same grading core (``gradecore``): the
same kind of kernel, the test cells restored from the released notebook whatever happened to them,
the same rules for warnings (text on stderr costs nothing), time limits and crashes.  Only the
hidden tests are missing: they run when the notebook is graded.  It lists every test cell that
fails with its message, and exits with status 0 only when every visible test passes (1 otherwise,
2 when the file cannot be checked).

The released notebooks are found by ``releases()``: ``nnopt/releases/<assignment>/`` in the student
kit, otherwise the repository's ``exercises/``; ``--release PATH`` names one.
"""

import argparse
import json
import sys
from pathlib import Path

KIT_RELEASES = Path(__file__).resolve().with_name("releases")   # the student kit's released notebooks
REPOSITORY = Path(__file__).resolve().parents[1]
CONFIG = "nbgrader_config.py"                                    # the course's grading configuration


class Mistake(Exception):
    """The notebook cannot be checked: one line says why."""


def releases():
    """The folder of the released notebooks, one folder per assignment: nnopt/releases/ in the student
    kit, otherwise the repository's exercises/."""
    return KIT_RELEASES if KIT_RELEASES.is_dir() else REPOSITORY / "exercises"


def config_file(folder=None):
    """The course's grading configuration: beside the released notebooks in the kit, in autograder/
    in the repository (None: the grading core's defaults)."""
    for path in ((folder or releases()) / CONFIG, REPOSITORY / "autograder" / CONFIG):
        if path.is_file():
            return path
    return None


def _ids(nb):
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])
            if isinstance(c, dict)} - {None}


def find_release(path, nb, folder=None):
    """The released notebook a student's notebook is a copy of: the one of the same file name, else
    the one that shares most of its cells (a renamed copy)."""
    folder = folder or releases()
    candidates = sorted(folder.glob("*/*.ipynb"))
    same = [p for p in candidates if p.name == path.name]
    if len(same) == 1:
        return same[0]
    mine, best, overlap = _ids(nb), None, 0
    for candidate in candidates:
        try:
            shared = len(mine & _ids(json.loads(candidate.read_text())))
        except (OSError, ValueError):
            continue
        if shared > overlap:
            best, overlap = candidate, shared
    return best


def check(path, release=None, **changes):
    """(Result, the released notebook's JSON) of a student's notebook; Mistake if it cannot be checked.

    changes: settings to change (the tests give shorter time limits)."""
    path = Path(path)
    if not path.is_file():
        raise Mistake(f"no such notebook: {path}")
    data = path.read_bytes()
    try:
        nb = json.loads(data)
    except ValueError:
        raise Mistake(f"{path} is not a notebook (not valid JSON)") from None
    if not isinstance(nb, dict):
        raise Mistake(f"{path} is not a notebook")
    if release is None:
        release = find_release(path, nb)
        if release is None:
            raise Mistake(f"{path} is not an assignment notebook: none of its cells is a cell of an assignment "
                          f"in {releases()} (give the released notebook with --release PATH)")
    release = Path(release)
    if not release.is_file():
        raise Mistake(f"no such released notebook: {release}")
    folder = release.parent
    files = tuple((str(f.relative_to(folder)), f.read_bytes()) for f in sorted(folder.rglob("*"))
                  if f.is_file() and f.suffix != ".ipynb" and f.name != CONFIG
                  and not any(p.startswith(".") for p in f.relative_to(folder).parts))
    from gradecore import client, config
    from gradecore.results import AfterTests

    where = config_file(folder.parent)
    settings = config.settings(config.load(where) if where else None, files=files,
                               after_tests=AfterTests.NEVER)
    settings = settings.but(**changes) if changes else settings
    client.warm(client.start_of(settings))  # its imports run while this process reads the notebooks
    from gradecore.grade import grade

    source = release.read_text()
    return grade(source, data, settings), json.loads(source)


def _first_lines(release):
    """{grade_id: the first line of the cell} of the released notebook (a test's "# Checks ...")."""
    lines = {}
    for cell in release["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if gid:
            lines[gid] = (text.strip().splitlines() or [gid])[0].lstrip("# ").strip()
    return lines


def report(result, release):
    """(lines to print, whether every visible test passes)."""
    from gradecore.results import Outcome

    first = _first_lines(release)
    lines = []
    for gid, what in result.changed.items():
        action = "graded where it belongs" if what == "moved" else "the original runs instead"
        lines.append(f"CHANGED {first.get(gid, gid)}\n        this test cell was {what} ({action}): "
                     f"put it back as it was in the released notebook")
    for answer in result.answers:
        if answer.error and answer.error.ename == "SyntaxError":
            lines.append(f"ERROR   in your cell {answer.grade_id or 'of your own'}\n        {answer.error}")
    tests = [t for t in result.tests.values() if t.outcome is not Outcome.MANUAL]
    failed = [t for t in tests if t.outcome is not Outcome.PASSED or t.score < t.max_score]
    for test in failed:
        message = (test.message or test.outcome.value).replace("\n", "\n        ")
        lines.append(f"FAILED  {first.get(test.grade_id, test.grade_id)}\n        {message}")
    if result.reasons:
        lines.append("a person will look at this notebook when it is graded:")
        lines += [f"  - {reason}" for reason in result.reasons]
    manual = len(result.tests) - len(tests)
    if manual:
        lines.append(f"{manual} answer(s) will be graded by hand")
    if failed:
        lines.append(f"{len(failed)} of {len(tests)} test cell(s) fail")
    else:
        lines.append(f"all {len(tests)} visible test cell(s) pass (hidden tests run when it is graded)")
    return lines, not failed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnopt.selfcheck", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path, help="your assignment notebook")
    parser.add_argument("--release", type=Path, help="the released notebook it is a copy of (default: found)")
    args = parser.parse_args(argv)
    try:
        result, release = check(args.notebook, args.release)
    except Mistake as exc:
        print(f"selfcheck: {exc}", file=sys.stderr)
        return 2
    if result.fault:
        print(f"selfcheck: could not run the notebook: {result.fault}", file=sys.stderr)
        return 2
    lines, passed = report(result, release)
    print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
