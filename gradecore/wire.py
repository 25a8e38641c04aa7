"""The messages between the grader and its zygotes and kernels, and how they travel.

On a private socket (a ``socketpair``: no port, nothing another process can connect to), each
message is a 4-byte big-endian length and that many bytes of JSON.  A kernel's answer is checked by
its ``token`` (a random value the grader sent with the request), so output that student code writes
on the socket itself cannot pass for an answer.
"""

import json
import socket
import struct
from dataclasses import asdict, dataclass, field, fields

MAX_MESSAGE = 64 * 2**20  # a longer message from a kernel is a broken (or forged) one


@dataclass
class Start:
    """What a zygote is started with (its command line): what none of its kernels may reach."""

    packages: list = field(default_factory=list)   # the course's packages (readable, guarded)
    forbidden: dict = field(default_factory=dict)  # package -> what it is
    private: list = field(default_factory=list)    # folders no kernel may read

    def key(self):
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class Spec:
    """What the zygote needs to fork a kernel (the grader's ``Settings``, as the kernel sees them)."""

    memory: int
    output_limit: int
    cpu: int                       # seconds of CPU for the whole kernel (RLIMIT_CPU)
    preload: list = field(default_factory=list)    # modules imported in the zygote first
    files: dict = field(default_factory=dict)      # relative path -> hex of the bytes
    user: str = None
    probes: list = field(default_factory=list)     # [module, statement]
    landlock: bool = True
    fail: bool = False             # fault injection (tests): the kernel dies while starting


@dataclass
class Run:
    """Run one cell; ``kind`` is "setup" or "test" for the course's (locked) cells, else "student"."""

    code: str
    kind: str
    token: str
    builtins: list = field(default_factory=list)   # builtins a test cell uses (hidden from shadows)
    binds: list = field(default_factory=list)      # names a test cell binds itself


@dataclass
class Error:
    ename: str = "Error"
    evalue: str = ""
    line: int = None          # line of the running cell
    origin: str = None        # "cell" (its own code), "student" (another cell's), "library", "syntax"
    traceback: str = ""       # instructor-only (the graded copy)


@dataclass
class Reply:
    """A kernel's answer to ``Run`` (``dead``, ``exit`` and ``timed_out`` are set by the grader)."""

    token: str = None
    success: bool = False
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    result: str = None        # the text of the cell's last value, as Jupyter shows it
    error: Error = None
    restored: list = field(default_factory=list)   # what the guard put back before a locked cell
    shadowed: list = field(default_factory=list)   # student names that shadow builtins the test uses
    tampered: list = field(default_factory=list)   # what changed while a test cell ran
    blocked: list = field(default_factory=list)    # what the isolation refused since the last reply
    timed_out: bool = False
    dead: str = None          # "crash", "timeout" (could not be interrupted), "forged", "not run"
    exit: str = None          # how a dead kernel ended, in words
    cpu: float = None         # CPU seconds the cell used

    @classmethod
    def from_dict(cls, data):
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if isinstance(values.get("error"), dict):
            values["error"] = Error(**{k: v for k, v in values["error"].items() if k in Error.__dataclass_fields__})
        return cls(**values)


def to_dict(message):
    return asdict(message)


def send(sock, obj, fds=()):
    """Send one message (a dict or a message dataclass), with file descriptors if any."""
    if hasattr(obj, "__dataclass_fields__"):
        obj = asdict(obj)
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
    """One message (or None at end of file), blocking; with_fds: (message, [fds])."""
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


class Reader:
    """Reads messages from a socket without blocking past a deadline (the grader's side)."""

    BROKEN = object()   # the peer sent something that is not a message

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def message(self):
        """A complete message from what was received so far, None if there is none yet, or BROKEN."""
        if len(self.buf) < 4:
            return None
        (size,) = struct.unpack("!I", self.buf[:4])
        if size > MAX_MESSAGE:
            return self.BROKEN
        if len(self.buf) < 4 + size:
            return None
        data, self.buf = self.buf[4:4 + size], self.buf[4 + size:]
        try:
            msg = json.loads(data)
        except ValueError:
            return self.BROKEN
        return msg if isinstance(msg, dict) else self.BROKEN

    def fill(self, timeout):
        """Receive what arrives within ``timeout`` seconds; False once the peer has closed the socket."""
        import select

        ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            chunk = self.sock.recv(1 << 20)
        except OSError:
            chunk = b""
        self.buf += chunk
        return bool(chunk)
