"""The grading core's small parts, without kernels: result values and their records, settings from
the course's configuration, the wire format, the CPU clock, the isolation's boundary, the guard."""

import os
import socket
import struct
import threading

import pytest

from gradecore import client, config, isolation, wire
from gradecore.results import (Answer, CellError, Limits, Outcome, Protection, Result, Settings, Status,
                               TestResult)
from nbtools import ROOT


def test_a_result_goes_to_a_record_and_back():
    result = Result(max_score=5.0, score=2.0, protection=Protection.LANDLOCK, kernel_starts=1, seconds=0.5,
                    tests={"t": TestResult("t", 2.0, 2.0, Outcome.PASSED, warnings=["UserWarning: x"]),
                           "w": TestResult("w", 3.0, None, Outcome.MANUAL, "graded by hand")},
                    answers=[Answer("def f(:", "f", error=CellError("SyntaxError", "SyntaxError: invalid syntax", 1)),
                             Answer("My notes", None, "t", markdown=True)],
                    notebook="{}")
    result.review("tried to import nnref (the reference implementations)")
    data = result.to_dict()
    assert data["status"] == "review" and data["tests"]["w"]["outcome"] == "manual" and "notebook" not in data
    back = Result.from_dict(data)
    back.notebook = "{}"
    assert back == result
    assert back.status is Status.REVIEW and back.needs_manual_grade and back.answer("f") == "def f(:"


def test_status_is_a_value_with_its_reasons():
    result = Result(max_score=1.0)
    assert (result.status, result.describe()) == (Status.OK, "ok")
    result.review("renamed")
    result.review("renamed")
    assert (result.status, result.describe()) == (Status.REVIEW, "review: renamed")
    result.fault = "the zygote did not start"
    assert (result.status, result.describe()) == (Status.FAULT, "fault: the zygote did not start")


def test_limits_have_a_generous_wall_clock_backstop():
    assert Limits(timeout=3).backstop == 63
    assert Limits(timeout=30).backstop == 300


def test_the_course_settings_come_from_nbgrader_config():
    settings = config.settings(config.load(ROOT / "autograder" / "nbgrader_config.py"))
    assert settings.packages == ("nnopt",)
    assert dict(settings.forbidden)["nnref"] == "the reference implementations"
    assert settings.limits.timeout == 30  # Execute.timeout
    assert ("nnopt.checks", "check_close(0.0, 1.0, token)") in settings.probes
    assert config.settings().packages == ()  # nothing course-specific by default
    changed = settings.but(limits={"timeout": 3}, user="nobody")
    assert changed.limits == Limits(timeout=3) and changed.user == "nobody" and changed.packages == ("nnopt",)


def test_the_key_of_a_result_changes_with_what_changes_scores():
    base = Settings(files=(("data.csv", b"1,2"),))
    assert base.scoring() == Settings(files=(("data.csv", b"1,2"),), user="nobody").scoring()
    assert base.scoring() != base.but(files=(("data.csv", b"1,3"),)).scoring()
    assert base.scoring() != base.but(limits={"timeout": 3}).scoring()


def test_messages_cross_the_wire_whole_whatever_the_pieces():
    ours, theirs = socket.socketpair()
    reply = wire.Reply(token="abc", success=True, stdout="x" * 300_000, error=wire.Error("ValueError", "no", 3))
    sender = threading.Thread(target=wire.send, args=(theirs, reply))  # more than a socket's buffer
    sender.start()
    try:
        reader = wire.Reader(ours)
        msg = None
        while msg is None:
            assert reader.fill(5)
            msg = reader.message()
        sender.join()
        reply = wire.Reply.from_dict(msg)
        assert reply.token == "abc" and len(reply.stdout) == 300_000 and reply.error.line == 3
        theirs.sendall(struct.pack("!I", wire.MAX_MESSAGE + 1))
        reader.fill(5)
        assert reader.message() is wire.Reader.BROKEN  # a forged length is no message
    finally:
        ours.close()
        theirs.close()


def test_cpu_seconds_of_a_process():
    before = client.cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    after = client.cpu_seconds(os.getpid())
    assert after > before
    assert client.cpu_seconds(2**22 + 12345) is None  # no such process


def test_landlock_grants_around_what_is_denied(tmp_path):
    for rel in ("course/nnref/optim.py", "course/nnopt/checks.py", "course/solutions/ps01.ipynb", "course/README"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    root = str(tmp_path / "course")
    granted = isolation.expand(root, [os.path.join(root, "nnref"), os.path.join(root, "solutions")])
    assert sorted(os.path.relpath(p, root) for p in granted) == ["README", "nnopt"]
    assert isolation.expand(root, []) == [root]


def test_the_boundary_refuses_the_private_folders_but_not_the_course_package():
    boundary = isolation.Boundary({"nnref": "the reference implementations"}, [str(ROOT)], ["nnopt"])
    assert boundary.refuses(str(ROOT / "nnref" / "optim.py")) == "tried to import nnref (the reference implementations)"
    assert "private file" in boundary.refuses(str(ROOT / "solutions"))
    assert boundary.refuses(str(ROOT / "nnopt" / "checks.py")) is None
    assert boundary.refuses(os.__file__) is None  # the Python installation
    work = ROOT / "autograder" / "some-kernel"
    assert boundary.refuses(str(work / "data.csv"), workdir=str(work)) is None


def test_the_guard_leaves_ipythons_own_open_alone():
    from IPython.core.interactiveshell import InteractiveShell

    from gradecore.guard import Guard

    shell = InteractiveShell()
    guard = Guard(shell)
    assert guard.shadows(["open", "len"]) == {}  # IPython's open, no student name
    shell.user_ns["len"] = lambda x: 0
    hidden = guard.shadows(["open", "len"])
    assert list(hidden) == ["len"] and "len" not in shell.user_ns


@pytest.mark.skipif(isolation.landlock_abi() < 1, reason="no Landlock on this machine's kernel")
def test_landlock_is_there():
    assert isolation.landlock_abi() >= 1
