"""The grading kernel: a fork server ("zygote") and the fresh, limited kernel it forks per submission.

Why not Jupyter's ipykernel, as ``nbgrader autograde`` does?  Starting an ipykernel and importing
NumPy and Matplotlib costs 2-3 s of CPU per notebook, more than grading it, and its TCP ports can
race when many start at once (a student then scores 0 for nothing).  Here each grading worker starts
one zygote: a plain Python process that imports IPython, NumPy, Matplotlib and the course package
once.  For every submission it forks a kernel process (a few milliseconds) which

1. becomes its own process group, dies with the zygote (``PR_SET_PDEATHSIG``) and gets resource
   limits: address space (the memory limit), CPU time, file size, no core dumps; optionally it
   switches to an unprivileged user;
2. runs the cells in an IPython ``InteractiveShell`` (magics, ``display``, tracebacks as in Jupyter)
   with standard output and error captured and capped (output flooding);
3. answers the grader (``autograder.grade``) over a private socket, one JSON message per request.

Before each locked cell (setup or test) the kernel restores what the course's tests rely on, and
after each test cell it checks that nothing was tampered with while the test ran (see ``Guard``).

Run as ``python -m autograder.kernel FD`` (by ``Zygote``); nothing here is imported by students.
"""

import json
import os
import pwd
import random
import resource
import signal
import socket
import shutil
import struct
import sys
import tempfile
import time

# what every grading kernel imports anyway: done once, in the zygote
PRELOAD = ["numpy", "numpy.random", "numpy.testing", "numpy.linalg", "matplotlib", "matplotlib.pyplot", "IPython",
           "secrets", "warnings", "math", "copy"]
# environment of the zygote and its kernels: one BLAS thread per kernel (the workers run in
# parallel), no GUI, reproducible hashing, and nbgrader's marker so notebooks behave as under nbgrader
ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "NBGRADER_EXECUTION": "autograde",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
MAX_MESSAGE = 64 * 2**20  # a longer message from a kernel is a broken (or forged) one


# ---------------------------------------------------------------- messages: 4-byte length + JSON


def send(sock, obj, fds=()):
    data = json.dumps(obj).encode()
    packet = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [packet], list(fds))
    else:
        sock.sendall(packet)


def _recv_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(sock, with_fds=False):
    """One message (or None at end of file); with_fds: (message, [fds])."""
    fds = []
    if with_fds:
        head, fds, _, _ = socket.recv_fds(sock, 4, 4)
        if len(head) < 4:
            rest = _recv_exact(sock, 4 - len(head)) if head else None
            head = head + rest if rest else None
    else:
        head = _recv_exact(sock, 4)
    if not head:
        return (None, fds) if with_fds else None
    (size,) = struct.unpack("!I", head)
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes")
    data = _recv_exact(sock, size)
    msg = None if data is None else json.loads(data)
    return (msg, fds) if with_fds else msg


# ---------------------------------------------------------------- the zygote (a fork server)


def zygote(fd, base=None):
    """Serve fork and wait requests on socket ``fd`` until the grader closes it.

    base: the folder for the kernels' working folders (the grader removes it with the zygote)."""
    ctl = socket.socket(fileno=fd)
    imported = set()
    statuses = {}  # pid -> raw wait status of children already reaped
    workdirs = {}  # pid -> the kernel's working folder, removed once it has exited

    def preload(names):
        for name in names:
            if name not in imported:
                imported.add(name)
                try:
                    __import__(name)
                except BaseException:  # the notebook's own import will report it
                    pass
        if "IPython" in imported and _SHELL is None:
            _warm(_shell())  # built once here, copied into every kernel by fork

    def reap():
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            statuses[pid] = status

    preload(PRELOAD)
    send(ctl, {"ready": True})
    while True:
        msg, fds = recv(ctl, with_fds=True)
        if msg is None:
            return
        reap()
        if msg["op"] == "fork":
            preload(msg.get("preload", []))
            workdir = tempfile.mkdtemp(prefix="kernel-", dir=base)
            pid = os.fork()
            if pid == 0:
                ctl.close()
                try:
                    kernel(fds[0], workdir, msg)
                finally:
                    os._exit(0)
            os.close(fds[0])
            workdirs[pid] = workdir
            send(ctl, {"pid": pid})
        elif msg["op"] == "wait":
            # the exit status of a kernel, waiting at most msg["timeout"] seconds (None: still running)
            pid, status = msg["pid"], statuses.pop(msg["pid"], None)
            deadline = time.monotonic() + msg.get("timeout", 0)
            while status is None:
                try:
                    done, raw = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    status = raw
                elif time.monotonic() >= deadline:
                    break
                else:
                    time.sleep(0.01)
            if status is not None:
                shutil.rmtree(workdirs.pop(pid, ""), ignore_errors=True)
            send(ctl, {"status": status})


def _shell():
    """The IPython shell of the kernels: built once in the zygote, copied into every kernel by fork."""
    global _SHELL
    if _SHELL is None:
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False  # no sqlite history file, no history thread
        config.InteractiveShell.colors = "NoColor"
        _SHELL = _grading_shell_class().instance(config=config)
    return _SHELL


_SHELL = None


def _warm(shell):
    """Run a few throwaway cells so that what IPython imports lazily (traceback formatting, the
    debugger's exceptions...) is imported once here, not in every kernel (nor as --kernel-user)."""
    for code in ["1 + 1", "print('')", "def _f():\n    raise ValueError('warm-up')\n_f()", "assert False, 'warm-up'",
                 "import numpy as np\nnp.ones(2) @ np.ones(2)"]:
        shell.run_cell(code, store_history=True)
    shell.reset(new_session=False)
    shell.execution_count = 1
    shell.error = None


def _grading_shell_class():
    import contextlib

    from IPython.core.interactiveshell import InteractiveShell

    class GradingShell(InteractiveShell):
        """An InteractiveShell that records the last error of a cell instead of printing it."""

        error = None
        _line = None

        @contextlib.contextmanager
        def _tee(self, channel):
            """IPython 9 keeps every byte a cell prints in its history: not here (output flooding)."""
            yield

        def showtraceback(self, exc_tuple=None, *args, **kwargs):
            try:
                _, _, tb = self._get_exc_info(exc_tuple)
                self._line, self._origin = _cell_line(tb, self.user_ns)
            except Exception:
                self._line, self._origin = None, None
            return super().showtraceback(exc_tuple, *args, **kwargs)

        def showsyntaxerror(self, *args, **kwargs):
            self._line, self._origin = None, "student"
            return super().showsyntaxerror(*args, **kwargs)

        def _showtraceback(self, etype, evalue, stb):
            self.error = {
                "ename": getattr(etype, "__name__", str(etype)),
                "evalue": _safe_str(evalue),
                "line": self._line,
                "origin": self._origin,
                "traceback": _cap("\n".join(stb), 20000),
            }

    return GradingShell


def _cell_line(tb, user_ns):
    """(line, origin) of an error: the line of the running cell it came from (its top-level frame),
    and who raised it: "cell" (the running cell's own code), "student" (code of another cell: the
    student's functions, whose message the student controls) or "library" (NumPy, the checks...)."""
    line, cell_file, innermost = None, None, None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals is user_ns and frame.f_code.co_name == "<module>":
            line, cell_file = tb.tb_lineno, frame.f_code.co_filename
        innermost = frame
        tb = tb.tb_next
    if innermost is None or innermost.f_globals is not user_ns:
        return line, "library"
    return line, "cell" if innermost.f_code.co_filename == cell_file else "student"


def _safe_str(value, limit=2000):
    try:
        return _cap(str(value), limit)
    except BaseException:
        return "(an error whose message could not be shown)"


def _cap(text, limit):
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters]"


# ---------------------------------------------------------------- a kernel (one per submission)


class Capture:
    """A text stream that keeps the first ``limit`` characters written to it and counts the rest."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, limit):
        self.limit, self.parts, self.kept, self.dropped = limit, [], 0, 0

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("captured stream")

    def value(self):
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [output truncated: {self.dropped} more characters]\n"
        return text


class Guard:
    """Keeps what the tests rely on as the course made it.

    ``snapshot`` (before any student code) records every entry of the protected modules (builtins,
    NumPy, the course package, this module) and of the shell's classes.  Names bound by locked cells
    (``np``, ``check_close``, data) are recorded after each of them runs.  ``restore`` (before each
    locked cell) puts back whatever student code replaced, and says what it was; ``changes`` (after
    a test cell) only looks.  A test cell's own names that shadow builtins (``len = ...`` in the
    student's namespace) are hidden while it runs.
    """

    PREFIXES = ("numpy", "nnopt")
    SINGLE = ("builtins", "math", "autograder.kernel")
    # entries IPython itself changes around every cell
    VOLATILE = {"builtins": {"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__"}}

    def __init__(self, shell):
        self.shell = shell
        self.modules = {}   # name -> (module, {key: value})
        self.classes = {}   # class -> {key: value}
        self.names = {}     # user namespace name -> value bound by a locked cell
        self.snapshot()
        for cls in type(shell).__mro__:
            if cls is type(shell) or cls.__module__.startswith("IPython"):
                self.classes[cls] = dict(vars(cls))

    def _protected(self, name):
        return name in self.SINGLE or name.split(".")[0] in self.PREFIXES

    def snapshot(self):
        """Record modules not yet recorded (the zygote's, then any a locked cell imports)."""
        for name, module in list(sys.modules.items()):
            if module is not None and name not in self.modules and self._protected(name):
                self.modules[name] = (module, dict(vars(module)))

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
            skip = self.VOLATILE.get(name, ())
            for key, value in saved.items():
                if key in skip or live.get(key, _MISSING) is value:
                    continue
                changed.append(f"{name}.{key}")
                if fix:
                    live[key] = value
        for cls, saved in self.classes.items():
            for key, value in saved.items():
                if cls.__dict__.get(key, _MISSING) is not value:
                    changed.append(f"{cls.__name__}.{key}")
                    if fix:
                        setattr(cls, key, value)
        for key, value in list(vars(self.shell).items()):
            if callable(value) and hasattr(type(self.shell), key):  # a method replaced on the instance
                changed.append(f"get_ipython().{key}")
                if fix:
                    del vars(self.shell)[key]
        ns = self.shell.user_ns
        for key, value in self.names.items():
            if key not in own and ns.get(key, _MISSING) is not value:
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
        """Hide user-namespace names that shadow builtins a test cell uses; returns {name: value}."""
        ns, hidden = self.shell.user_ns, {}
        for key in builtin_names:
            if key in ns and key not in self.names:
                hidden[key] = ns.pop(key)
        return hidden

    def probe(self, token):
        """Checks that failing checks still fail (run after a test cell, on the pristine tools)."""
        failed = []
        np = sys.modules.get("numpy")
        try:
            if np is not None and (bool(np.isclose(0.0, 1.0)) or bool(np.allclose(0.0, 1.0))):
                failed.append("np.isclose/np.allclose(0, 1) is True")
        except BaseException as exc:
            failed.append(f"np.isclose raised {type(exc).__name__}")
        checks = sys.modules.get("nnopt.checks")
        if checks is not None:
            for name, call in [("check_close", lambda f: f(0.0, 1.0, token)),
                               ("check_float", lambda f: f("x", token))]:
                func = self.names.get(name, getattr(checks, name, None))
                if func is None:
                    continue
                try:
                    call(func)
                    failed.append(f"{name} accepts a wrong answer")
                except AssertionError as exc:
                    if type(exc) is not _ASSERTION or token not in str(exc):
                        failed.append(f"{name} raises a forged AssertionError")
                except BaseException as exc:
                    failed.append(f"{name} raised {type(exc).__name__}")
        # the shell still reports a failing assert as an error
        self.shell.error = None
        result = self.shell.run_cell(f"assert False, {token!r}", store_history=False, silent=True)
        error = self.shell.error or {}
        if result.success or error.get("ename") != "AssertionError" or token not in error.get("evalue", ""):
            failed.append("a failing assert is not reported as an error")
        self.shell.error = None
        return failed


_MISSING = object()
IPYTHON_NAMES = __import__("re").compile(r"_+|_\d+|_i+\d*|_oh|_ih|_dh|In|Out|exit|quit|get_ipython")
_ASSERTION = AssertionError


def _is_tool(value):
    import types

    if isinstance(value, types.ModuleType):
        return True
    return callable(value) and getattr(value, "__module__", "__main__") not in ("__main__", None)


def _limit(settings):
    """Resource limits of a kernel, set in the forked process before it runs anything else."""
    memory = settings.get("memory")
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = settings.get("cpu")
    if cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fsize = settings.get("fsize", 256 * 2**20)
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))


def _die_with_parent():
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def kernel(fd, workdir, settings):
    """The forked kernel: limits, a private working folder, then serve requests on socket ``fd``."""
    os.setsid()
    _die_with_parent()
    # the channel moves to a random high descriptor, and stdio goes to /dev/null: what student
    # code writes to file descriptors 1 and 2 is lost, what it prints is captured
    high = 200 + random.SystemRandom().randrange(700)
    os.dup2(fd, high)
    os.close(fd)
    chan = socket.socket(fileno=high)
    null = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(null, std)
    os.close(null)
    if settings.get("fail"):  # fault injection (tests): a kernel that dies while starting
        os._exit(3)
    try:
        _prepare(workdir, settings)
        shell = _shell()
        # reproducible: the same submission gets the same random numbers on every run
        random.seed(0)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(0)
        guard = Guard(shell)
    except BaseException as exc:  # say why, rather than just vanish
        send(chan, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        raise
    serve(chan, shell, guard, settings)


def _prepare(workdir, settings):
    """The kernel's user, working folder (with the assignment's files) and resource limits."""
    user = settings.get("user")
    if user:  # grade with less trust: the kernel runs as this unprivileged user
        entry = pwd.getpwnam(user)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        os.environ.update(HOME=workdir, USER=user, LOGNAME=user)
    for rel, text in settings.get("files", {}).items():
        path = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(bytes.fromhex(text))
    os.chdir(workdir)
    os.environ.update(MPLCONFIGDIR=workdir, TMPDIR=workdir)
    _limit(settings)


_running = False  # True while student code may run: only then does SIGINT interrupt


def _on_sigint(signum, frame):
    if _running:
        raise KeyboardInterrupt


def serve(chan, shell, guard, settings):
    """Answer run requests until the grader says exit (or closes the socket)."""
    global _running
    signal.signal(signal.SIGINT, _on_sigint)
    limit = settings.get("output_limit", 100_000)
    send(chan, {"ready": True, "pid": os.getpid()})
    while True:
        msg = recv(chan)
        if msg is None or msg.get("op") == "exit":
            return
        reply = {}
        locked = msg.get("kind") in ("setup", "test")
        if locked:
            reply["restored"] = guard.restore()
            hidden = guard.shadows(msg.get("builtins", []))
            reply["shadowed"] = [k for k, v in hidden.items() if callable(v)]
            before = guard.before()
        out, err = Capture(limit), Capture(limit)
        sys.stdout, sys.stderr = out, err
        shell.error = None
        try:
            _running = True
            result = shell.run_cell(msg["code"], store_history=True)
            _running = False
            success = result.success
            value = None
            if result.result is not None:  # the last value, as Jupyter shows it (partial credit)
                try:
                    value = _cap(shell.display_formatter.format(result.result)[0].get("text/plain", ""), 1000)
                except BaseException:
                    value = None
        except BaseException as exc:  # an interrupt outside the cell's own code
            _running = False
            success, value = False, None
            shell.error = shell.error or {"ename": type(exc).__name__, "evalue": _safe_str(exc), "line": None,
                                          "traceback": ""}
        finally:
            _running = False
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply.update(status="ok" if success else "error", stdout=out.value(), stderr=err.value(),
                     truncated=bool(out.dropped or err.dropped), result=value)
        if not success:
            reply.update(shell.error or {"ename": "Error", "evalue": "", "line": None, "traceback": ""})
        if locked:
            for key, value in hidden.items():
                shell.user_ns.setdefault(key, value)
            if msg.get("kind") == "test":
                reply["tampered"] = guard.changes(msg.get("binds", [])) + guard.probe(msg.get("token", "token"))
            guard.bind(before)
        reply["token"] = msg.get("token")
        try:
            send(chan, reply)
        except (TypeError, ValueError):
            send(chan, {"status": "error", "ename": "GraderError", "evalue": "unserialisable reply",
                        "token": msg.get("token")})



# ---------------------------------------------------------------- the grader's side


class StartError(Exception):
    """Infrastructure: a zygote or kernel did not start (no student code had run)."""


class Zygote:
    """A running zygote (``python -m autograder.kernel FD``) and the socket to it.

    wait=False returns at once; ``ready()`` then waits for the zygote's imports to finish."""

    def __init__(self, wait=True, timeout=120):
        import subprocess

        ours, theirs = socket.socketpair()
        # the kernels' working folders, all removed with the zygote (whatever killed its kernels);
        # others may enter it (a --kernel-user kernel must reach its own folder) but not list it
        self.tmp = tempfile.mkdtemp(prefix="autograder-")
        os.chmod(self.tmp, 0o711)
        # this package is importable in the zygote even where it is not installed
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        path = os.pathsep.join(p for p in [here, os.environ.get("PYTHONPATH", "")] if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.kernel", str(theirs.fileno()), self.tmp],
            pass_fds=[theirs.fileno()], env={**os.environ, **ENV, "PYTHONPATH": path}, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock, self.timeout, self.started = ours, timeout, False
        self.lock = __import__("threading").Lock()
        if wait:
            self.ready()

    def ready(self):
        """Wait until the zygote has imported everything (StartError if it does not)."""
        if self.started:
            return
        self.sock.settimeout(self.timeout)
        try:
            if not (recv(self.sock) or {}).get("ready"):
                raise StartError("the zygote exited while starting")
        except (OSError, ValueError) as exc:
            self.close()
            raise StartError(f"the zygote did not start: {exc}") from None
        self.started = True

    def alive(self):
        return self.proc.poll() is None

    def _call(self, msg, fds=()):
        with self.lock:
            try:
                send(self.sock, msg, fds)
                reply = recv(self.sock)
            except (OSError, ValueError) as exc:
                raise StartError(f"lost the zygote: {exc}") from None
        if reply is None:
            raise StartError("the zygote exited")
        return reply

    def fork(self, fd, settings):
        return self._call({"op": "fork", **settings}, [fd])["pid"]

    def wait(self, pid, timeout=0):
        return self._call({"op": "wait", "pid": pid, "timeout": timeout})["status"]

    def kill(self):
        """Kill the zygote now; its kernels die with it (PR_SET_PDEATHSIG)."""
        try:
            self.proc.kill()
        except OSError:
            pass

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


TIMEOUT = object()


class Kernel:
    """A grading kernel forked by ``zygote``: ``run`` sends a cell and waits for its reply."""

    def __init__(self, zygote, settings, start_timeout=60):
        ours, theirs = socket.socketpair()
        try:
            self.pid = zygote.fork(theirs.fileno(), settings)
        finally:
            theirs.close()
        self.zygote, self.sock, self.buf = zygote, ours, b""
        hello = self._read(start_timeout)
        if not isinstance(hello, dict) or not hello.get("ready"):
            if isinstance(hello, dict) and hello.get("error"):
                why = f"could not start: {hello['error']}"
            else:
                why = "did not answer" if hello is TIMEOUT else f"died while starting ({self.stop()})"
            self.stop()
            raise StartError(f"the kernel {why}")

    def _read(self, timeout):
        """The next message; None if the kernel closed the socket; TIMEOUT after ``timeout`` s."""
        import select

        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                (size,) = struct.unpack("!I", self.buf[:4])
                if size > MAX_MESSAGE:
                    return None
                if len(self.buf) >= 4 + size:
                    data, self.buf = self.buf[4:4 + size], self.buf[4 + size:]
                    try:
                        return json.loads(data)
                    except ValueError:
                        return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMEOUT
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                return TIMEOUT
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk

    def run(self, msg, timeout, grace=5):
        """Run one cell.  The reply, with ``timed_out`` when it had to be interrupted, or
        ``{"dead": why}`` when the kernel died ("crash") or could not be interrupted ("timeout")."""
        import secrets

        token = secrets.token_hex(8)
        try:
            send(self.sock, {**msg, "op": "run", "token": token})
        except OSError:
            return {"dead": "crash", "exit": self.stop()}
        reply, timed_out = self._read(timeout), False
        if reply is TIMEOUT:
            timed_out = True
            try:
                os.kill(self.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            reply = self._read(grace)
            if reply is TIMEOUT:
                self.stop(natural=False)
                return {"dead": "timeout"}
        if reply is None:
            return {"dead": "crash", "exit": self.stop()}
        if reply.get("token") != token:  # not our kernel's answer: something wrote on its channel
            self.stop()
            return {"dead": "forged"}
        reply["timed_out"] = timed_out
        return reply

    def stop(self, natural=True):
        """Kill the kernel and its children; how it ended (e.g. "killed by signal 11 (SIGSEGV)").

        natural: it may have ended by itself (a crash): wait a moment to learn how."""
        if getattr(self, "_ended", None):
            return self._ended
        status = None
        try:
            if natural:
                status = self.zygote.wait(self.pid, timeout=0.5)
        except StartError:
            pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if status is None:
            try:
                self.zygote.wait(self.pid, timeout=10)
            except StartError:
                pass
            self._ended = "was killed"
        else:
            self._ended = describe(status)
        self.sock.close()
        return self._ended

    def close(self):
        """End a kernel that is done."""
        self.stop(natural=False)


def describe(status):
    """A wait status in words."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        meaning = {"SIGSEGV": "segmentation fault", "SIGKILL": "killed, e.g. out of memory",
                   "SIGABRT": "aborted", "SIGXCPU": "CPU time limit", "SIGBUS": "bus error",
                   "SIGFPE": "arithmetic error"}.get(name, name)
        return f"was killed by {name} ({meaning})"
    if os.WIFEXITED(status):
        return f"exited with status {os.WEXITSTATUS(status)} (os._exit or a fatal error)"
    return f"ended with status {status}"


if __name__ == "__main__":
    os.environ.update(ENV)
    from autograder.kernel import zygote as serve_forks  # this module under its own name, not __main__

    serve_forks(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
