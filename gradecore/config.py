"""The course's grading settings, read from its nbgrader configuration file.

The names that belong to a course, not to this grading core, are configuration: which packages are
the course's own (its checks, its data), which statements must still fail after every test, and
which packages no grading kernel may reach.  They are traitlets of ``Grading``, set in the course's
``nbgrader_config.py`` beside nbgrader's own settings; a cell's time limit is nbgrader's
``Execute.timeout``::

    c.Execute.timeout = 30
    c.Grading.packages = ["nnopt"]
    c.Grading.probes = {"nnopt.checks": ["check_close(0.0, 1.0, token)"]}
    c.Grading.forbidden = {"nnref": "the reference implementations"}

The instructor's tools and the student's self-check read the same file, so both grade alike.
"""

from traitlets import Bool, Dict, Enum, List, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import Config, PyFileConfigLoader

from .results import AfterTests, Limits, Settings


class Grading(Configurable):
    """What grading needs to know about a course."""

    packages = List(Unicode(), help="The course's own packages: grading kernels may read them, and the tamper "
                                    "guard keeps them as they were.").tag(config=True)
    probes = Dict(help="{module: [statement]}: after every test cell, each statement (run with the module's "
                       "names and a random `token`) must raise an AssertionError quoting the token, else the "
                       "test is not trusted.").tag(config=True)
    forbidden = Dict(help="{package: what it is}: packages no grading kernel may import or read, e.g. the "
                          "reference implementations.").tag(config=True)
    landlock = Bool(True, help="Isolate the grading kernels with Landlock where the machine's kernel has it "
                               "(the audit hook is always on).").tag(config=True)
    after_tests = Enum([a.value for a in AfterTests], default_value=None, allow_none=True,
                       help="When the cells after the last test cell run: 'always', 'review' (when a person "
                            "will look at the notebook: it has cells graded by hand, or it is flagged) or "
                            "'never'.  Default: Settings' own.").tag(config=True)


def load(path):
    """The traitlets Config of a configuration file (``nbgrader_config.py``)."""
    from pathlib import Path

    path = Path(path)
    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def settings(config=None, **changes):
    """The ``Settings`` a configuration describes (``changes``: fields to set on top)."""
    config = config if config is not None else Config()
    grading = Grading(config=config)
    limits = Limits()
    if "timeout" in config.get("Execute", {}):
        limits = Limits(timeout=float(config.Execute.timeout))
    base = Settings(limits=limits, packages=tuple(grading.packages),
                    probes=tuple((module, s) for module, statements in grading.probes.items() for s in statements),
                    forbidden=tuple(grading.forbidden.items()), landlock=grading.landlock)
    if grading.after_tests:
        base = base.but(after_tests=AfterTests(grading.after_tests))
    return base.but(**changes) if changes else base
