"""Links from the book to the student kit, which the site serves under ``kit/``.

Two roles:

* ``{assignment}`ps01-perceptron``` renders the assignment's name, linking to its released notebook
  (``kit/ps01-perceptron.ipynb``), followed by a "Download the assignments" link to the kit's zip;
* ``{kit}`Download the assignments``` links its text to the kit's zip (``kit/nnopt-course-kit.zip``).

The links are relative to the page, so they work from file:// as over http.  When an HTML build has
finished, the kit is built from the repository (:mod:`autograder.kit`, the same files as
``python -m autograder kit``) and its zip and notebooks are written to the output's ``kit/``; a kit
that would leak a solution fails the build.
"""

import posixpath
import warnings
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

FOLDER = "kit"  # the folder of the site that serves the kit
logger = logging.getLogger(__name__)


class kit_link(nodes.reference):
    """A link to a file of the kit; in HTML it carries ``download``, so a browser saves the file."""


def visit_kit_link_html(self, node):
    self.body.append(self.starttag(node, "a", "", href=node["refuri"], download="", CLASS="reference download"))


def depart_kit_link_html(self, node):
    self.body.append("</a>")


def _visit_as_reference(self, node):
    self.visit_reference(node)


def _depart_as_reference(self, node):
    self.depart_reference(node)


def _zip_name():
    from autograder.kit import NAME

    return f"{NAME}.zip"


class KitRole(SphinxRole):
    """The role's text, linking to the kit's zip."""

    def uri(self, name):
        """``kit/name`` relative to the page being written (the HTML builder writes docname.html)."""
        return posixpath.relpath(f"{FOLDER}/{name}", posixpath.dirname(self.env.docname) or ".")

    def run(self):
        return [kit_link(self.rawtext, self.text, refuri=self.uri(_zip_name()))], []


class AssignmentRole(KitRole):
    """An assignment's name linking to its notebook, then a "Download the assignments" link."""

    def run(self):
        exercises = Path(self.env.srcdir) / "exercises" / self.text
        notebooks = sorted(exercises.glob("*.ipynb"))
        if not notebooks:
            message = self.inliner.reporter.error(f"no released assignment {self.text!r} in exercises/",
                                                  line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        notebook = kit_link(self.rawtext, "", nodes.strong(text=self.text), refuri=self.uri(notebooks[0].name))
        download = kit_link("", "Download the assignments", refuri=self.uri(_zip_name()))
        return [notebook, nodes.Text(" ("), download, nodes.Text(")")], []


def publish(app, exception):
    """Write the kit's zip and notebooks into the HTML output's kit/ folder."""
    if exception is not None or app.builder.format != "html":
        return
    from autograder import kit

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            folder = kit.publish(Path(app.outdir) / FOLDER, kit.build(Path(app.srcdir)))
        except kit.KitError as exc:
            raise ExtensionError(f"cannot publish the student kit: {exc}") from None
    for warning in caught:  # the kit's own notes (a package still being written), not the book's
        logger.info(f"student kit: {warning.message}")
    logger.info(f"student kit written to {folder}")


def setup(app):
    app.add_node(kit_link, html=(visit_kit_link_html, depart_kit_link_html),
                 **{fmt: (_visit_as_reference, _depart_as_reference) for fmt in ("latex", "text", "man", "texinfo")})
    app.add_role("kit", KitRole())
    app.add_role("assignment", AssignmentRole())
    app.connect("build-finished", publish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
