"""What a grading kernel cannot reach: the course's private files and the forbidden packages (the
reference implementations, the instructor's tools), by any route.

Two layers, both set up in the forked kernel before any cell runs:

1. **Landlock** (Linux 5.13 and later): the kernel process gives up every file access but reading
   the Python installation, the course's own packages, the system's libraries and a few system
   files, and reading and writing its own working folder.  It also loses TCP, and (Landlock ABI 6)
   sending signals to processes outside itself.  Whatever student code does, through Python, C,
   ctypes or a program it starts, the operating system refuses the rest.
2. **An audit hook** (``sys.addaudithook``, which nothing can remove): it refuses, and records,
   importing a forbidden package, opening or listing a file under a private folder (or a forbidden
   package's folder) and, once student code runs, starting programs, forking, calling C through
   ``ctypes``, signalling another process and walking the garbage collector's object graph.  On a
   machine without Landlock it is the only layer: the result says which protection was in force.

Each refusal is recorded as a sentence ("tried to import nnref (the reference implementations)")
that the kernel sends with its next reply, so the grader flags the submission with the reason.
"""

import ctypes
import errno
import os
import sys

from .results import Protection

# ---------------------------------------------------------------- Landlock (linux/landlock.h)

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_VERSION = 1 << 0
_PATH_BENEATH = 1
_NO_NEW_PRIVS = 38
# file-system rights: ABI 1 (bits 0-12), REFER (ABI 2), TRUNCATE (ABI 3)
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ABI1_FS = (1 << 13) - 1
_REFER, _TRUNCATE = 1 << 13, 1 << 14
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE
_NET_TCP = (1 << 0) | (1 << 1)        # bind and connect (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)         # abstract unix sockets and signals (ABI 6)
READ = EXECUTE | READ_FILE | READ_DIR

# what every Python process needs to read, besides the Python installation
SYSTEM = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/ld.so.conf",
          "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
          "/etc/mime.types", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu",
          "/sys/fs/cgroup", "/dev/urandom", "/dev/random", "/dev/zero"]
DEVICES_RW = ["/dev/null"]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi():
    """The Landlock ABI version of the running Linux kernel (0: none)."""
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def expand(path, denied):
    """Paths to grant so that ``path`` is readable except everything in ``denied``.

    Landlock can only allow: a folder that holds something denied is replaced by its entries, each
    granted whole or expanded in turn."""
    inside = [d for d in denied if _under(d, path)]
    if not inside:
        return [path]
    if path in inside or not os.path.isdir(path):
        return []
    granted = []
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return []
    for name in names:
        granted += expand(os.path.join(path, name), inside)
    return granted


def restrict(readable, writable):
    """Enter a Landlock domain: only ``readable`` paths can be read (and executed), only
    ``writable`` ones written.  Returns the ABI version used (0: Landlock is not available)."""
    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = _libc()
    fs = _ABI1_FS | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(fs, _NET_TCP if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if abi >= 6 else 2 if abi >= 4 else 1)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((readable, READ), (writable, fs)):
            for path in paths:
                _add(libc, ruleset, path, rights, fs)
        if libc.prctl(_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _add(libc, ruleset, path, rights, handled):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this machine
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights & handled, fd)
        if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_PATH_BENEATH), ctypes.byref(rule),
                        ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)


# ---------------------------------------------------------------- what may be read, what may not


class Boundary:
    """The folders a kernel may read and those it may not, worked out once in the zygote.

    forbidden: {package: what it is}; private: folders no kernel may read (the course's root);
    packages: the course's own packages, which kernels read (they are inside the course's root)."""

    def __init__(self, forbidden, private, packages):
        self.forbidden = dict(forbidden)
        self.forbidden_paths = {}   # folder or file -> the package it belongs to
        for name in self.forbidden:
            for path in _locations(name):
                self.forbidden_paths[path] = name
        # a forbidden package's folder is private, and so is the folder holding it (the repository)
        self.private = sorted({os.path.realpath(p) for p in private} |
                              {os.path.dirname(p) for p in self.forbidden_paths})
        own = [p for name in [*packages, __package__] if name.split(".")[0] not in self.forbidden
               for p in _locations(name)]
        self.python = sorted({os.path.realpath(p) for p in
                              [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                               *[p for p in sys.path if p and not any(_under(os.path.realpath(p), d)
                                                                      for d in self.private)]]
                              if os.path.exists(p)})
        self.allowed = sorted(set(own) | set(self.python))
        self.readable = []
        for path in [*self.allowed, *SYSTEM]:
            self.readable += expand(os.path.realpath(path), list(self.forbidden_paths))

    def refuses(self, path, workdir=None):
        """Why opening or listing ``path`` is refused (None: allowed)."""
        real = os.path.realpath(path)
        for where, name in self.forbidden_paths.items():
            if _under(real, where):
                if real.endswith((".py", ".pyc", ".so")):  # an import, whatever route it took
                    return f"tried to import {name} ({self.forbidden[name]})"
                return f"tried to read {name}'s files ({self.forbidden[name]}): {path}"
        if workdir and _under(real, workdir):
            return None
        if any(_under(real, folder) for folder in self.private) and not any(
                _under(real, folder) for folder in self.allowed):
            return f"tried to read a private file of the course: {path}"
        return None

    def prune_path(self):
        """Take private folders off sys.path (an import must not even list them)."""
        keep = [p for p in sys.path if not p or not any(_under(os.path.realpath(p), d) for d in self.private)
                or any(_under(os.path.realpath(p), a) for a in self.allowed)]
        for gone in set(sys.path) - set(keep):
            sys.path_importer_cache.pop(gone, None)
        sys.path[:] = keep


def _locations(name):
    """The folders (or file) of an installed package, found without importing it."""
    import importlib.machinery
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return sorted({os.path.realpath(p) for p in spec.submodule_search_locations})
    if spec.origin and os.path.exists(spec.origin):
        if spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) or spec.origin.endswith(".py"):
            return [os.path.realpath(spec.origin)]
    return []


# ---------------------------------------------------------------- the audit hook

# events refused once student code runs: starting programs, C calls, other processes, the object graph
_PROGRAMS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
             "pty.spawn", "os.startfile"}
_OBJECT_GRAPH = {"gc.get_objects", "gc.get_referrers", "gc.get_referents"}
_SIGNALS = {"os.kill", "os.killpg", "signal.pthread_kill"}


class Audit:
    """The kernel's audit hook and what it refused (``take`` hands the sentences over)."""

    def __init__(self, boundary):
        self.boundary = boundary
        self.refused = []
        self.workdir = None
        self._busy = False

    def install(self):
        """Refuse forbidden imports and private files from now on (in the zygote: for good)."""
        sys.addaudithook(self._files)

    def arm(self):
        """Student code is about to run: also refuse programs, ctypes, signals and the object graph.

        A second hook, because hooks cannot be removed: once armed, always armed."""
        pid = os.getpid()
        refuse = self._refuse

        def no_programs(*args, **kwargs):
            refuse("tried to run a program (_posixsubprocess)", PermissionError(
                errno.EPERM, "starting programs is not allowed in a grading kernel"))

        # the one way of starting a program that raises no audit event
        import _posixsubprocess
        import subprocess

        _posixsubprocess.fork_exec = subprocess._fork_exec = no_programs

        def student(event, args):
            if event == "import" and args and args[0] == "_posixsubprocess":
                no_programs()
            elif event in _PROGRAMS:
                refuse(f"tried to run a program ({event})", PermissionError(
                    errno.EPERM, "starting programs is not allowed in a grading kernel"))
            elif event.startswith("ctypes."):
                refuse("tried to call C code through ctypes", PermissionError(
                    errno.EPERM, "ctypes is not allowed in a grading kernel"))
            elif event in _SIGNALS and args and args[0] not in (pid, 0, -pid):
                refuse(f"tried to send a signal to another process ({event})", PermissionError(
                    errno.EPERM, "signalling other processes is not allowed in a grading kernel"))
            elif event in _OBJECT_GRAPH:
                refuse(f"walked the interpreter's objects ({event})", PermissionError(
                    errno.EPERM, "the garbage collector's object graph is not available in a grading kernel"))

        sys.addaudithook(student)

    def take(self):
        """The refusals since the last call."""
        taken, self.refused = self.refused, []
        return taken

    def _refuse(self, why, error):
        if why not in self.refused:
            self.refused.append(why)
        raise error

    def _files(self, event, args):
        if self._busy:
            return
        if event == "import":
            top = str(args[0]).split(".")[0]
            if top in self.boundary.forbidden:
                self._refuse(f"tried to import {top} ({self.boundary.forbidden[top]})", ImportError(
                    f"{top} cannot be imported in a grading kernel ({self.boundary.forbidden[top]})", name=top))
        elif event in ("open", "os.listdir", "os.scandir", "glob.glob", "os.chdir", "shutil.copytree"):
            path = args[0] if args else None
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if not isinstance(path, str) or not path:
                return
            self._busy = True
            try:
                why = self.boundary.refuses(path, self.workdir)
            finally:
                self._busy = False
            if why:
                self._refuse(why, PermissionError(errno.EACCES, "not readable in a grading kernel", path))


def enter(boundary, audit, workdir, landlock=True):
    """Isolate this (forked) kernel: Landlock where the machine has it, and the audit hook.

    Returns the Protection in force."""
    audit.workdir = os.path.realpath(workdir)
    protection = Protection.AUDIT
    if landlock:
        own = f"/proc/{os.getpid()}"
        if restrict([*boundary.readable, own], [audit.workdir, *DEVICES_RW]):
            protection = Protection.LANDLOCK
    return protection
