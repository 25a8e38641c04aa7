"""Pictures and explorers of the book's chapters, one module per chapter.

Plotting functions take an ``ax`` (or a ``fig``) and data, draw, and return what they drew on;
explorers (:mod:`nnopt.explorer`) wrap them with sliders.
"""

import importlib
import inspect
import pkgutil


def chapter_explorers(ref):
    """(name, explorer) for every explorer of the book: each chapter module's ``explorers()``.

    ref: the package whose functions the pictures run (the book passes ``nnref``, the reference
    implementations); names read "<module>: <explorer>".
    """
    for info in pkgutil.iter_modules(ref.__path__):  # so that ref.<module> works, as after an import in a page
        importlib.import_module(f"{ref.__name__}.{info.name}")
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "explorers"):
            # a chapter's pictures take their algorithms as arguments: here, ref's
            takes_ref = bool(inspect.signature(module.explorers).parameters)
            for name, explorer in (module.explorers(ref) if takes_ref else module.explorers()):
                yield f"{info.name}: {name}", explorer
