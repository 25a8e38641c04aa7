"""The book site's own Sphinx extension: light pages that work offline, on phones, for everyone.

What it does, and why:

* sets ``NNOPT_BOOK_BUILD=1`` for the kernels that execute the pages, so that explorers draw their
  static view (every frame) during the build and only there (:mod:`nnopt.explorer`);
* moves every image inlined in a page as a data URI (the explorers' frames) into a file of
  ``_frames/``, named by its content: a page then weighs its HTML plus the frames it shows, and the
  script ``nnopt-explorer.js`` loads the other frames when they are one move away;
* adds the site's stylesheet and scripts from ``book/_static`` and its templates from
  ``book/_ext/templates`` (a favicon; the theme's Font Awesome script, 1.5 MB, replaced by a few CSS icons; the
  search scripts loaded on the search page only);
* gives the bibliography's entries the list-item role their list needs (sphinxcontrib-bibtex marks
  them as "doc-biblioentry", a role screen readers no longer know);
* drops the Thebe scripts and the Thebe configuration in each page's body (no live kernel on the
  static site; Jupyter Book emits Thebe's configuration twice, a JavaScript error on every page) and
  any script emitted twice.
"""

import base64
import hashlib
import os
import re
from pathlib import Path

from nnopt.explorer import BOOK_BUILD

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "_static"
FRAMES = "_frames"  # the folder of the output that holds the extracted images
DATA_URI = re.compile(r"data:image/(png|webp|jpeg);base64,([A-Za-z0-9+/=]+)")
# what sphinx-thebe writes into every page's body (Jupyter Book turns it on whatever launch_buttons say)
THEBE_BODY = re.compile(r'\s*<script type="text/x-thebe-config">.*?</script>\s*<script>kernelName = [^<]*</script>',
                        re.DOTALL)


def extract_data_uris(body, outdir, pathto):
    """Replace each image data URI in ``body`` by the relative URL of a file written under outdir/_frames.

    pathto: Sphinx's ``pathto(path, 1)`` for the page, giving a resource's URL relative to it.
    Returns the new body. Files are named by a hash of their bytes: a frame shared by several
    explorers or pages is stored once.
    """
    folder = Path(outdir) / FRAMES
    folder.mkdir(exist_ok=True)

    def replace(match):
        extension, payload = match.groups()
        data = base64.b64decode(payload)
        name = f"{hashlib.sha1(data).hexdigest()[:16]}.{extension}"
        target = folder / name
        if not target.exists():
            target.write_bytes(data)
        return pathto(f"{FRAMES}/{name}", 1)

    return DATA_URI.sub(replace, body)


def _script_key(script):
    """What makes two of a page's scripts the same: the file and, for inline scripts, their body."""
    return (str(script.filename), str(script.attributes.get("body", "")))


def page_context(app, pagename, templatename, context, doctree):
    scripts = []
    seen = set()
    for script in context.get("script_files", []):
        key = _script_key(script)
        if "thebe" in key[0].lower() or "thebe" in key[1].lower() or key in seen:
            continue
        seen.add(key)
        scripts.append(script)
    context["script_files"] = scripts
    context["css_files"] = [css for css in context.get("css_files", []) if "thebe" not in str(css.filename)]
    if "body" in context:
        body = extract_data_uris(THEBE_BODY.sub("", context["body"]), app.outdir, context["pathto"])
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def config_inited(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.templates_path = [str(HERE / "templates"), *config.templates_path]


def setup(app):
    os.environ[BOOK_BUILD] = "1"  # inherited by the kernels that execute the pages
    app.connect("config-inited", config_inited)
    app.connect("html-page-context", page_context)
    app.add_css_file("nnopt.css")
    app.add_js_file("nnopt-explorer.js", defer="defer")
    app.add_js_file("nnopt-site.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
