"""The tamper guard: what the tests rely on stays as the course made it (it runs in the kernel).

Student code runs in the same interpreter as the tests, so it can replace ``np.isclose``, a check
of the course, a builtin, or a method of the shell.  The guard

- records, before any student code runs, every entry of the protected modules (builtins, math,
  NumPy, this grading core and the course's own packages), the classes the course's packages define
  and the shell's classes; the names that locked cells bind (``np``, ``check_close``, data) are
  recorded after each of them;
- ``restore`` (before each locked cell) puts back whatever was replaced, and says what;
- ``changes`` (after a test cell) only looks: a test that passed while its tools were different is
  not trusted;
- ``probe`` (after a test cell) checks that a failing check still fails: the course's probes
  (statements that must raise an ``AssertionError`` quoting a random token), NumPy's ``isclose``,
  and a failing ``assert`` through the shell;
- ``shadows`` hides, while a test cell runs, the student's names that shadow builtins it uses.
"""

import re
import sys
import types

MISSING = object()
ASSERTION = AssertionError
# names of the user namespace that IPython itself binds (histories, outputs, exit)
IPYTHON_NAMES = re.compile(r"_+|_\d+|_i+\d*|_oh|_ih|_dh|In|Out|exit|quit|get_ipython")
# entries of builtins that IPython itself changes around every cell
VOLATILE = {"builtins": {"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__"}}
ALWAYS = ("builtins", "math", "numpy", __package__)
NUMPY_PROBES = [("numpy", "assert isclose(0.0, 1.0), token"), ("numpy", "assert allclose(0.0, 1.0), token")]


class Guard:
    """Keeps a kernel's tools intact.  packages: the course's packages; probes: [(module, statement)]."""

    def __init__(self, shell, packages=(), probes=()):
        self.shell = shell
        self.roots = set(ALWAYS) | {p.split(".")[0] for p in packages}
        self.packages = {p.split(".")[0] for p in packages} | {__package__}
        self.probes = NUMPY_PROBES + [tuple(p) for p in probes]
        self.modules = {}   # name -> (module, {key: value})
        self.classes = {}   # class -> {key: value}
        self.names = {}     # user namespace name -> value bound by a locked cell
        self.snapshot()
        for cls in type(shell).__mro__:
            if cls is type(shell) or cls.__module__.startswith("IPython"):
                self.classes[cls] = dict(vars(cls))

    def _protected(self, name):
        return name.split(".")[0] in self.roots

    def snapshot(self):
        """Record modules not yet recorded (the zygote's, then any a locked cell imports)."""
        for name, module in list(sys.modules.items()):
            if module is None or name in self.modules or not self._protected(name):
                continue
            self.modules[name] = (module, dict(vars(module)))
            if name.split(".")[0] in self.packages:  # the course's classes, e.g. Checks
                for value in vars(module).values():
                    if isinstance(value, type) and value.__module__ == name and value not in self.classes:
                        self.classes[value] = dict(vars(value))

    def before(self):
        """Identities of the user namespace before a locked cell."""
        return {k: id(v) for k, v in self.shell.user_ns.items()}

    def bind(self, before):
        """After a locked cell: protect the names it bound (not IPython's own: In, Out, _, _5...)."""
        for key, value in self.shell.user_ns.items():
            if not IPYTHON_NAMES.fullmatch(key) and before.get(key) != id(value):
                self.names[key] = value
        self.snapshot()

    def _diff(self, fix, own=()):
        changed = []
        for name, (module, saved) in self.modules.items():
            live = vars(module)
            skip = VOLATILE.get(name, ())
            for key, value in saved.items():
                if key in skip or live.get(key, MISSING) is value:
                    continue
                changed.append(f"{name}.{key}")
                if fix:
                    live[key] = value
        for cls, saved in self.classes.items():
            for key, value in saved.items():
                if cls.__dict__.get(key, MISSING) is not value:
                    changed.append(f"{cls.__name__}.{key}")
                    if fix:
                        setattr(cls, key, value)
            for key in set(cls.__dict__) - set(saved):  # an attribute added to a class
                changed.append(f"{cls.__name__}.{key}")
                if fix:
                    delattr(cls, key)
        for key, value in list(vars(self.shell).items()):
            if callable(value) and hasattr(type(self.shell), key):  # a method replaced on the instance
                changed.append(f"get_ipython().{key}")
                if fix:
                    del vars(self.shell)[key]
        ns = self.shell.user_ns
        for key, value in self.names.items():
            if key not in own and ns.get(key, MISSING) is not value:
                # rebinding data (X = ...) is restored silently; replacing a tool is tampering
                if _is_tool(value):
                    changed.append(key)
                if fix:
                    ns[key] = value
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changed.append("sys.settrace/setprofile")
            if fix:
                sys.settrace(None)
                sys.setprofile(None)
        return changed

    def restore(self):
        return self._diff(fix=True)

    def changes(self, own=()):
        """What changed, apart from the names ``own`` that the cell itself binds."""
        return self._diff(fix=False, own=set(own))

    def shadows(self, builtin_names):
        """Hide user-namespace names that shadow builtins a test cell uses; returns {name: value}.

        IPython's own names (its ``open``, say) are not the student's: they stay."""
        ns, hidden = self.shell.user_ns, {}
        ipython = self.shell.user_ns_hidden
        for key in builtin_names:
            if key in ns and key not in self.names and ipython.get(key, MISSING) is not ns[key]:
                hidden[key] = ns.pop(key)
        return hidden

    def probe(self, token):
        """What no longer fails as it should (run after a test cell, on the recorded tools)."""
        failed = []
        for module, statement in self.probes:
            saved = self.modules.get(module)
            if saved is None:
                continue
            what = f"{module}: {statement.strip().splitlines()[-1]}"
            try:
                exec(statement, {**saved[1], "token": token})
                failed.append(f"{what} accepts a wrong answer")
            except AssertionError as exc:
                if type(exc) is not ASSERTION or token not in str(exc):
                    failed.append(f"{what} raises a forged AssertionError")
            except BaseException as exc:
                failed.append(f"{what} raised {type(exc).__name__}")
        # the shell still reports a failing assert as an error
        self.shell.error = None
        result = self.shell.run_cell(f"assert False, {token!r}", store_history=False, silent=True)
        error = self.shell.error
        if result.success or error is None or error.ename != "AssertionError" or token not in error.evalue:
            failed.append("a failing assert is not reported as an error")
        self.shell.error = None
        return failed


def _is_tool(value):
    if isinstance(value, types.ModuleType):
        return True
    return callable(value) and getattr(value, "__module__", "__main__") not in ("__main__", None)
