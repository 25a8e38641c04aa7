"""The kernel side: a fork server ("zygote") and the fresh, isolated, limited kernel it forks per
submission.  Everything here runs outside the grader's process; student code runs only in a kernel.

Why not Jupyter's ipykernel, as ``nbgrader autograde`` does?  Starting an ipykernel and importing
NumPy and Matplotlib costs 2-3 s of CPU per notebook, more than grading it, and its TCP ports can
race when many start at once (a student then scores 0 for nothing).  A zygote imports IPython,
NumPy, Matplotlib and the course's packages once; for every submission it forks a kernel (a few
milliseconds) which

1. becomes its own process group, dies with the zygote (``PR_SET_PDEATHSIG``), gets resource limits
   (address space, CPU time, file size, no core dumps) and optionally an unprivileged user;
2. is isolated (``isolation``): Landlock where the machine has it, and an audit hook;
3. runs the cells in an IPython ``InteractiveShell`` (magics, ``display``, tracebacks as in Jupyter)
   with standard output and error captured and capped (output flooding), the tamper guard
   (``guard``) around every locked cell;
4. answers the grader (``client``) over a private socket (``wire``), one message per cell.

Run as ``python -m gradecore.sandbox FD FOLDER START`` (by ``client.Zygote``).
"""

import contextlib
import json
import os
import pwd
import random
import resource
import shutil
import signal
import socket
import sys
import tempfile
import time

from . import isolation, wire
from .guard import Guard

# what every grading kernel imports anyway: done once, in the zygote
PRELOAD = ["numpy", "numpy.random", "numpy.testing", "numpy.linalg", "matplotlib", "matplotlib.pyplot", "IPython",
           "secrets", "warnings", "math", "copy"]
# environment of the zygote and its kernels: one BLAS thread per kernel (the kernels run in
# parallel), no GUI, reproducible hashing, and nbgrader's marker so notebooks behave as under nbgrader
ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "NBGRADER_EXECUTION": "autograde",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
FILE_SIZE = 256 * 2**20  # the largest file a kernel may write


# ---------------------------------------------------------------- the zygote (a fork server)


def zygote(fd, base, start):
    """Serve fork and wait requests on socket ``fd`` until the grader closes it.

    base: the folder of the kernels' working folders (the grader removes it with the zygote);
    start: a ``wire.Start``, what none of the kernels may reach."""
    ctl = socket.socket(fileno=fd)
    for name in start.packages:  # the course's packages, found before private folders leave sys.path
        _try_import(name)
    boundary = isolation.Boundary(start.forbidden, start.private, start.packages)
    audit = isolation.Audit(boundary)
    audit.install()  # from here on, even a preload cannot import a forbidden package
    boundary.prune_path()
    imported = set()
    statuses = {}  # pid -> raw wait status of children already reaped
    workdirs = {}  # pid -> the kernel's working folder, removed once it has exited

    def preload(names):
        for name in names:
            if name not in imported:
                imported.add(name)
                _try_import(name)
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
    wire.send(ctl, {"ready": True})
    while True:
        msg, fds = wire.recv(ctl, with_fds=True)
        if msg is None:
            return
        reap()
        if msg["op"] == "fork":
            spec = wire.Spec(**msg["spec"])
            preload(spec.preload)
            workdir = tempfile.mkdtemp(prefix="kernel-", dir=base)
            pid = os.fork()
            if pid == 0:
                ctl.close()
                try:
                    kernel(fds[0], workdir, spec, boundary, audit, start.packages)
                finally:
                    os._exit(0)
            os.close(fds[0])
            workdirs[pid] = workdir
            wire.send(ctl, {"pid": pid})
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
            wire.send(ctl, {"status": status})


def _try_import(name):
    try:
        __import__(name)
    except BaseException:  # the notebook's own import will report it
        pass


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
                 "import numpy as np\nnp.ones(2) @ np.ones(2)", "def (:\n    pass"]:
        shell.run_cell(code, store_history=True)
    shell.reset(new_session=False)
    shell.execution_count = 1
    shell.error = None


def _grading_shell_class():
    import traceback

    from IPython.core.interactiveshell import InteractiveShell

    class GradingShell(InteractiveShell):
        """An InteractiveShell that records the last error of a cell (a ``wire.Error``) with a plain
        Python traceback: IPython's own formatting costs some 15 ms an error, and the probe after
        every test cell makes one."""

        error = None

        @contextlib.contextmanager
        def _tee(self, channel):
            """IPython 9 keeps every byte a cell prints in its history: not here (output flooding)."""
            yield

        def showtraceback(self, exc_tuple=None, *args, **kwargs):
            try:
                etype, value, tb = self._get_exc_info(exc_tuple)
            except ValueError:
                return
            try:
                line, origin = _cell_line(tb, self.user_ns)
            except Exception:
                line, origin = None, None
            try:
                text = "".join(traceback.format_exception(etype, value, tb))
            except BaseException:
                text = ""
            self.error = wire.Error(getattr(etype, "__name__", str(etype)), _safe_str(value), line, origin,
                                    _cap(text, 20000))

        def showsyntaxerror(self, *args, **kwargs):
            """A cell that does not compile: the error and its line in the cell."""
            try:
                etype, value, _ = self._get_exc_info()
            except ValueError:
                return
            line = value.lineno if isinstance(getattr(value, "lineno", None), int) else None
            self.error = wire.Error(etype.__name__, _safe_str(getattr(value, "msg", value)), line, "syntax",
                                    _cap("".join(traceback.format_exception_only(etype, value)), 20000))

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


def _limit(spec):
    """Resource limits of a kernel, set in the forked process before it runs anything else."""
    if spec.memory:
        resource.setrlimit(resource.RLIMIT_AS, (spec.memory, spec.memory))
    if spec.cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (spec.cpu, spec.cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))


def _die_with_parent():
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def kernel(fd, workdir, spec, boundary, audit, packages):
    """The forked kernel: limits, isolation, a private working folder, then serve requests on ``fd``."""
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
    if spec.fail:  # fault injection (tests): a kernel that dies while starting
        os._exit(3)
    try:
        _prepare(workdir, spec)
        _limit(spec)
        protection = isolation.enter(boundary, audit, workdir, spec.landlock)
        audit.take()  # what the zygote refused (its preloads) is not this kernel's doing
        shell = _shell()
        # reproducible: the same submission gets the same random numbers on every run
        random.seed(0)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(0)
        guard = Guard(shell, packages, spec.probes)
    except BaseException as exc:  # say why, rather than just vanish
        wire.send(chan, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        raise
    serve(chan, shell, guard, audit, spec, protection)


def _prepare(workdir, spec):
    """The kernel's user, working folder (with the assignment's files) and environment."""
    if spec.user:  # grade with less trust: the kernel runs as this unprivileged user
        entry = pwd.getpwnam(spec.user)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        os.environ.update(HOME=workdir, USER=spec.user, LOGNAME=spec.user)
    for rel, text in spec.files.items():
        path = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(bytes.fromhex(text))
    os.chdir(workdir)
    os.environ.update(MPLCONFIGDIR=workdir, TMPDIR=workdir)
    tempfile.tempdir = workdir


_running = False  # True while student code may run: only then does SIGINT interrupt


def _on_sigint(signum, frame):
    if _running:
        raise KeyboardInterrupt


def serve(chan, shell, guard, audit, spec, protection):
    """Answer run requests until the grader says exit (or closes the socket)."""
    global _running
    signal.signal(signal.SIGINT, _on_sigint)
    armed = False
    wire.send(chan, {"ready": True, "pid": os.getpid(), "protection": protection.value})
    while True:
        msg = wire.recv(chan)
        if msg is None or msg.get("op") == "exit":
            return
        run = wire.Run(**{k: v for k, v in msg.items() if k != "op"})
        reply = wire.Reply(token=run.token)
        locked = run.kind in ("setup", "test")
        if not locked and not armed:
            audit.arm()  # student code from now on
            armed = True
        if locked:
            reply.restored = guard.restore()
            hidden = guard.shadows(run.builtins)
            reply.shadowed = [k for k, v in hidden.items() if callable(v)]
            before = guard.before()
        out, err = Capture(spec.output_limit), Capture(spec.output_limit)
        sys.stdout, sys.stderr = out, err
        shell.error = None
        cpu = time.process_time()
        try:
            _running = True
            result = shell.run_cell(run.code, store_history=True)
            _running = False
            reply.success = result.success
            if result.result is not None:  # the last value, as Jupyter shows it (partial credit)
                try:
                    reply.result = _cap(shell.display_formatter.format(result.result)[0].get("text/plain", ""), 1000)
                except BaseException:
                    reply.result = None
        except BaseException as exc:  # an interrupt outside the cell's own code
            _running = False
            reply.success = False
            shell.error = shell.error or wire.Error(ename=type(exc).__name__, evalue=_safe_str(exc))
        finally:
            _running = False
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply.cpu = round(time.process_time() - cpu, 3)
        reply.stdout, reply.stderr = out.value(), err.value()
        reply.truncated = bool(out.dropped or err.dropped)
        if not reply.success:
            reply.error = shell.error or wire.Error()
        if locked:
            for key, value in hidden.items():
                shell.user_ns.setdefault(key, value)
            if run.kind == "test":
                reply.tampered = guard.changes(run.binds) + guard.probe(run.token)
            guard.bind(before)
        reply.blocked = audit.take()
        try:
            wire.send(chan, reply)
        except (TypeError, ValueError):
            wire.send(chan, wire.Reply(token=run.token, error=wire.Error("GraderError", "unserialisable reply")))


def main(argv):
    os.environ.update(ENV)
    # this module under its own name, not __main__ (the guard protects gradecore.*)
    from gradecore import sandbox

    sandbox.zygote(int(argv[1]), argv[2], wire.Start(**json.loads(argv[3])))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the grader went away (a run with nothing to grade, an interrupt): nothing to say
