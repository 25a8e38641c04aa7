"""The grader's side of the kernels: a running zygote (``Zygote``), a kernel it forked (``Kernel``)
and the zygotes of this process, one per grading thread (``zygote``, ``prestart``, ``shutdown``).

A cell's time limit counts the CPU time of the kernel (read from ``/proc/<pid>/stat``), so a cell
gets the same time on a busy machine as on an idle one; a wall-clock backstop (``Limits.backstop``)
still ends a cell that sleeps.  A cell over its limit gets SIGINT (it fails with "timed out"); one
that ignores it for ``grace`` seconds more has its kernel killed.
"""

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from . import wire
from .sandbox import ENV

POLL = 0.05   # seconds between two looks at a running cell's CPU time
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class StartError(Exception):
    """Infrastructure: a zygote or kernel did not start (no student code had run)."""


def cpu_seconds(pid):
    """CPU time (user + system, its waited-for children included) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (comm) ": state is field 3
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / _TICK


class Zygote:
    """A running zygote (``python -m gradecore.sandbox``) and the socket to it.

    start: a ``wire.Start``; wait=False returns at once, ``ready()`` then waits for its imports."""

    def __init__(self, start, wait=True, timeout=120):
        ours, theirs = socket.socketpair()
        # the kernels' working folders, all removed with the zygote (whatever killed its kernels);
        # others may enter it (a --kernel-user kernel must reach its own folder) but not list it
        self.tmp = tempfile.mkdtemp(prefix="gradecore-")
        os.chmod(self.tmp, 0o711)
        # this package is importable in the zygote even where it is not installed
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        path = os.pathsep.join(p for p in [here, os.environ.get("PYTHONPATH", "")] if p)
        self.start = start
        # what the zygote prints (a warning of a library it imports, say) goes to a file, never to
        # the terminal; a zygote that fails to start has its last words quoted
        self.log = os.path.join(self.tmp, "zygote.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gradecore.sandbox", str(theirs.fileno()), self.tmp,
                 json.dumps(wire.to_dict(start))],
                pass_fds=[theirs.fileno()], env={**os.environ, **ENV, "PYTHONPATH": path}, start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            )
        theirs.close()
        self.sock, self.timeout, self.started = ours, timeout, False
        self.lock = threading.Lock()
        if wait:
            self.ready()

    def ready(self):
        """Wait until the zygote has imported everything (StartError if it does not)."""
        if self.started:
            return
        self.sock.settimeout(self.timeout)
        try:
            ready = (wire.recv(self.sock) or {}).get("ready")
            why = None if ready else "it exited while starting"
        except (OSError, ValueError) as exc:
            why = str(exc)
        if why:
            try:
                with open(self.log, "rb") as log:
                    last = log.read().decode(errors="replace").strip().splitlines()[-1:]
            except OSError:
                last = []
            self.close()
            raise StartError(f"the zygote did not start: {why}" + (f" ({last[0][:300]})" if last else ""))
        self.started = True

    def alive(self):
        return self.proc.poll() is None

    def _call(self, msg, fds=()):
        with self.lock:
            try:
                wire.send(self.sock, msg, fds)
                reply = wire.recv(self.sock)
            except (OSError, ValueError) as exc:
                raise StartError(f"lost the zygote: {exc}") from None
        if reply is None:
            raise StartError("the zygote exited")
        return reply

    def fork(self, fd, spec):
        return self._call({"op": "fork", "spec": wire.to_dict(spec)}, [fd])["pid"]

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


class Kernel:
    """A grading kernel forked by a zygote: ``run`` sends a cell and waits for its reply."""

    def __init__(self, zygote, spec, start_timeout=60):
        ours, theirs = socket.socketpair()
        try:
            self.pid = zygote.fork(theirs.fileno(), spec)
        finally:
            theirs.close()
        self.zygote, self.sock, self.reader = zygote, ours, wire.Reader(ours)
        self._ended = None
        hello = self._read(start_timeout)
        if not isinstance(hello, dict) or not hello.get("ready"):
            if isinstance(hello, dict) and hello.get("error"):
                why = f"could not start: {hello['error']}"
            else:
                why = "did not answer" if hello is TIMEOUT else f"died while starting ({self.stop()})"
            self.stop()
            raise StartError(f"the kernel {why}")
        self.protection = hello.get("protection")

    def _read(self, wall, cpu=None):
        """The next message; None if the kernel closed the socket (or sent garbage); TIMEOUT after
        ``wall`` seconds, or once the kernel has used ``cpu`` more seconds of CPU time."""
        deadline = time.monotonic() + wall
        start = cpu_seconds(self.pid) if cpu is not None else None
        while True:
            msg = self.reader.message()
            if msg is wire.Reader.BROKEN:
                return None
            if msg is not None:
                return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMEOUT
            if start is not None:
                used = cpu_seconds(self.pid)
                if used is not None and used - start >= cpu:
                    return TIMEOUT
            if not self.reader.fill(min(remaining, POLL) if start is not None else remaining):
                return None

    def run(self, run, limits):
        """Run one cell (a ``wire.Run`` without its token); a ``wire.Reply``, with ``timed_out``
        when it had to be interrupted, or ``dead`` when the kernel died ("crash") or could not be
        interrupted ("timeout")."""
        run.token = secrets.token_hex(8)
        try:
            wire.send(self.sock, {"op": "run", **wire.to_dict(run)})
        except OSError:
            return wire.Reply(dead="crash", exit=self.stop())
        msg, timed_out = self._read(limits.backstop, cpu=limits.timeout), False
        if msg is TIMEOUT:
            timed_out = True
            try:
                os.kill(self.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            msg = self._read(limits.grace)
            if msg is TIMEOUT:
                self.stop(natural=False)
                return wire.Reply(dead="timeout")
        if msg is None:
            return wire.Reply(dead="crash", exit=self.stop())
        reply = wire.Reply.from_dict(msg)
        if reply.token != run.token:  # not our kernel's answer: something wrote on its channel
            self.stop()
            return wire.Reply(dead="forged")
        reply.timed_out = timed_out
        return reply

    def stop(self, natural=True):
        """Kill the kernel and its children; how it ended (e.g. "was killed by SIGSEGV (...)").

        natural: it may have ended by itself (a crash): wait a moment to learn how."""
        if self._ended:
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


TIMEOUT = object()


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


# ---------------------------------------------------------------- this process's zygotes

_ZYGOTES = {}  # thread id -> its zygote (a Dask worker, too, may run several tasks at once)
_SPARE = []    # zygotes started ahead of need (prestart)
_LOCK = threading.Lock()
_ABORTED = threading.Event()


def start_of(settings):
    """The ``wire.Start`` of a zygote that can grade with these ``Settings``."""
    return wire.Start(list(settings.packages), dict(settings.forbidden), list(settings.private))


def zygote(start, fresh=False):
    """This thread's zygote for ``start`` (a ``wire.Start``): a spare one or a new one;
    ``fresh``: replace the current one."""
    if _ABORTED.is_set():
        raise StartError("grading was interrupted")
    key, old = threading.get_ident(), None
    with _LOCK:
        current = _ZYGOTES.pop(key, None)
        if current is not None and (fresh or not current.alive() or current.start != start):
            old, current = current, None
        if current is None:
            spare = next((z for z in _SPARE if z.start == start), None)
            if spare is not None:
                _SPARE.remove(spare)
                current = spare
    if old is not None:
        old.close()
    if current is None:
        current = Zygote(start)
    current.ready()
    with _LOCK:
        _ZYGOTES[key] = current
    return current


def prestart(n, start):
    """Start n zygotes now, without waiting for them (they import NumPy, Matplotlib, IPython)."""
    _ABORTED.clear()
    with _LOCK:
        _SPARE.extend(Zygote(start, wait=False) for _ in range(n))


def warm(start):
    """Start a zygote for this thread now, without waiting for it, unless one is there already."""
    with _LOCK:
        current = _ZYGOTES.get(threading.get_ident())
        if (current is not None and current.start == start) or any(z.start == start for z in _SPARE):
            return
    prestart(1, start)


def shutdown():
    """Stop every zygote of this process (their kernels die with them)."""
    with _LOCK:
        zygotes = list(_ZYGOTES.values()) + _SPARE
        _ZYGOTES.clear()
        _SPARE.clear()
    for z in zygotes:
        z.close()


atexit.register(shutdown)  # a Dask worker's zygotes and their folders go with it


def abort():
    """Interrupted: kill the zygotes (and so the kernels) under the grading threads."""
    _ABORTED.set()
    with _LOCK:
        zygotes = list(_ZYGOTES.values()) + _SPARE
    for z in zygotes:
        z.kill()
