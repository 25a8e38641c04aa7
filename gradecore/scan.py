"""Static checks of code, by its syntax tree: tampering in students' cells, and what locked cells use.

``tampering(student_cells, locked_cells)`` lists what in a student's code looks like an attempt to
make the tests pass without solving the problem: assigning to attributes of NumPy, builtins or the
course's checks (``np.allclose = ...``), redefining a checking tool that a locked cell imported
(``check_close = lambda *a: None``), replacing assert-related builtins (``def isinstance``,
``class AssertionError``), or reaching into the interpreter (``gc``, ``ctypes``, ``sys._getframe``,
``get_ipython()``, file descriptors).  Each finding flags the submission for a human look; the
score itself comes from a run in which the kernel has undone such changes (see ``guard.Guard``).

CPython 3.11's ``ast`` is not thread-safe (two threads building syntax trees at once can fail with
``SystemError: AST constructor recursion depth mismatch``), and grading threads scan at the same
time: every tree is built under one lock (``parse``).
"""

import ast
import builtins
import functools
import re
import threading

BUILTINS = set(dir(builtins))
# builtins a test leans on: replacing them by a function or class is tampering, whatever the value
ASSERT_BUILTINS = {
    "isinstance", "issubclass", "len", "abs", "all", "any", "bool", "float", "int", "round", "sum", "min",
    "max", "type", "getattr", "hasattr", "callable", "repr", "str", "print", "range", "zip", "map", "sorted",
}
# modules and names that ordinary numerical code never needs
SUSPECT_MODULES = {"gc", "ctypes", "inspect", "importlib", "builtins", "socket", "signal", "gradecore", "nbgrader",
                   "traitlets", "IPython", "threading", "multiprocessing", "subprocess", "resource", "runpy"}
SUSPECT_ATTRS = {
    "settrace", "setprofile", "_getframe", "modules", "__subclasses__", "__globals__", "__code__",
    "f_locals", "f_globals", "f_back", "__builtins__", "_exit", "kill", "killpg", "fork", "dup", "dup2",
    "write", "fdopen", "setrlimit", "__dict__", "__setattr__",
}
SUSPECT_OWNERS = {"sys", "os"}  # SUSPECT_ATTRS count on these, or on anything for dunder names
KNOWN_MODULES = {"np", "numpy", "builtins", "__builtins__", "sys", "math", "plt", "matplotlib"}
HISTORY = {"In", "Out", "_ih", "_oh", "_dh"}
# what IPython turns magics and shell commands into: not a finding
MAGIC_METHODS = {"run_line_magic", "run_cell_magic", "system", "getoutput"}


_AST = threading.Lock()


@functools.lru_cache(maxsize=4096)
def parse(code):
    """The syntax tree of a cell (IPython magics turned into Python first), or None.

    Cached: the course's cells are the same in every submission (the trees are only read)."""
    found = tree(code)
    if found is None:  # not Python as it is: a magic, a shell escape?
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            found = tree(TransformerManager().transform_cell(code))
        except Exception:
            pass
    return found


def tree(code):
    """The syntax tree of Python code, or None; built under one lock, whatever the thread."""
    with _AST:
        try:
            return ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def _root(node):
    """The name an attribute chain starts from: ``np`` for ``np.testing.assert_allclose``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


def bound_names(tree):
    """Names a cell binds at top level: {name: kind} with kind "import", "def" or "value"."""
    return dict(_bound_names(tree))


@functools.lru_cache(maxsize=4096)  # by tree: parse's trees of the course's cells come back every time
def _bound_names(tree):
    names = {}
    for node in tree.body if tree else []:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = "import"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = "def"
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.setdefault(sub.id, "value")
    return names


def module_aliases(trees, packages=()):
    """Names bound to modules by import statements in any of the cells (and the course's packages)."""
    aliases = set(KNOWN_MODULES) | set(packages)
    for tree in trees:
        aliases.update(_imported(tree))
    return aliases


@functools.lru_cache(maxsize=4096)
def _imported(tree):
    return frozenset((a.asname or a.name).split(".")[0] for node in (ast.walk(tree) if tree else ())
                     if isinstance(node, ast.Import) for a in node.names)


def tools(locked_trees):
    """Names that locked setup cells bind by import or def: the tests' tools (np, check_close, ...)."""
    found = set()
    for tree in locked_trees:
        found.update(k for k, kind in bound_names(tree).items() if kind in ("import", "def"))
    return found


def tampering(student_codes, locked_codes, packages=(), forbidden=()):
    """Findings in the students' code, as short sentences (empty: nothing suspicious).

    packages: the course's own packages (their attributes are tools); forbidden: packages no
    student code has any business importing (the reference implementations, say)."""
    locked = [parse(code) for code in locked_codes]
    student = [parse(code) for code in student_codes]
    protected = tools(locked)
    modules = module_aliases(locked + student, packages) | protected
    suspect = SUSPECT_MODULES | set(forbidden)
    findings = []
    stored = {n.id for tree in student if tree for n in ast.walk(tree)
              if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}

    def add(text):
        if text not in findings:
            findings.append(text)

    for tree in student:
        if tree is None:
            continue
        # rebinding a tool of the tests at top level
        for name, kind in bound_names(tree).items():
            if name in protected and kind != "import":
                add(f"redefines {name}")
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                        if _root(sub) in modules:
                            add(f"assigns {_dotted(sub)}")
                    elif isinstance(sub, ast.Subscript) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                        if _dotted(sub.value) in ("sys.modules", "__builtins__", "builtins.__dict__") or (
                            isinstance(sub.value, ast.Call) and _dotted(sub.value.func) in ("vars", "globals")
                        ):
                            add(f"assigns {_dotted(sub.value)}[...]")
                    elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in BUILTINS:
                        value = getattr(node, "value", None)
                        if sub.id.endswith(("Error", "Exception")) or (
                            sub.id in ASSERT_BUILTINS and isinstance(value, (ast.Lambda, ast.Name, ast.Attribute))
                        ):
                            add(f"replaces the builtin {sub.id}")
                    elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in protected:
                        add(f"redefines {sub.id}")
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and (
                node.name in ASSERT_BUILTINS or (node.name in BUILTINS and node.name.endswith(("Error", "Exception")))
            ):
                add(f"replaces the builtin {node.name}")
            if isinstance(node, ast.Global):
                for name in node.names:
                    if name in protected:
                        add(f"rebinds {name} from a function")
            if isinstance(node, ast.Call):
                func = _dotted(node.func)
                if func in ("setattr", "delattr") and node.args and _root(node.args[0]) in modules:
                    add(f"calls {func} on {_dotted(node.args[0]) or 'a module'}")
                if func in ("__import__", "exec", "eval", "compile") and not (
                    node.args and isinstance(node.args[0], ast.Constant)
                ):
                    add(f"calls {func} on computed code")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    if name.split(".")[0] in suspect:
                        add(f"imports {name}")
                if isinstance(node, ast.ImportFrom) and node.module in ("os", "sys"):
                    for alias in node.names:
                        if alias.name in SUSPECT_ATTRS:
                            add(f"imports {node.module}.{alias.name}")
            if isinstance(node, ast.Attribute) and node.attr in SUSPECT_ATTRS:
                owner = _root(node)
                if owner in SUSPECT_OWNERS or node.attr.startswith("__") or node.attr.startswith("f_"):
                    if node.attr != "write" or owner == "os":
                        add(f"uses {_dotted(node)}")
            if isinstance(node, ast.Name) and node.id in ("get_ipython", "__builtins__", "__import__"):
                add(f"uses {node.id}")
            # the notebook's input history holds the test cells as they ran, hidden tests included
            if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in stored
                    and (node.id in HISTORY or re.fullmatch(r"_i+\d*", node.id))):
                add(f"reads the input history ({node.id})")
            if isinstance(node, ast.Call) and _dotted(node.func) in ("globals", "vars", "locals") and not node.args:
                add(f"calls {_dotted(node.func)}()")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/proc/" in node.value:
                add("reads /proc")
    # IPython's rewriting of magics calls get_ipython(): only explicit use counts
    explicit = any("get_ipython" in code for code in student_codes)
    return [f for f in findings if f != "uses get_ipython" or explicit]


def builtins_used(code):
    """Builtin names a cell reads without binding them itself (hidden from shadows while it runs)."""
    return list(_builtins_used(code))


@functools.lru_cache(maxsize=4096)
def _builtins_used(code):
    tree = parse(code)
    if tree is None:
        return []
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted((loaded - stored) & BUILTINS)


def imports(code):
    """Modules a cell imports (preloaded by the zygote)."""
    return list(_imports(code))


@functools.lru_cache(maxsize=4096)
def _imports(code):
    tree = parse(code)
    found = []
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found
