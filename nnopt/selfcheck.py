"""Check an assignment notebook before submitting: ``python -m nnopt.selfcheck NOTEBOOK.ipynb``.

Runs the notebook from top to bottom in a fresh kernel, as the grader will, and lists every test cell
that fails with its message. Exits with status 0 when all visible tests pass, 1 otherwise.
(``nbgrader validate`` does the same but always exits 0.) Hidden tests run only at grading time.
"""

import argparse
import re
import sys
from pathlib import Path


def failures(path, timeout=60):
    """The failing test cells of a notebook, as (first line of the cell, error message) pairs."""
    from nbgrader.validator import Validator

    validator = Validator()
    validator.timeout = timeout
    results = validator.validate(str(path))
    found = []
    for cell in results.get("changed", []):
        found.append((cell["source"].splitlines()[0], "this test cell was edited: restore it before submitting"))
    for cell in results.get("failed", []):
        error = re.sub(r"\x1b\[[0-9;]*m", "", cell["raw_error"]).strip().splitlines()
        found.append((cell["source"].splitlines()[0], error[-1] if error else "failed"))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnopt.selfcheck", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    found = failures(args.notebook)
    for first_line, message in found:
        print(f"FAILED  {first_line}\n        {message}")
    print("all visible tests pass" if not found else f"{len(found)} test cell(s) fail")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
