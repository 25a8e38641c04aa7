"""The assignments' checks fail with messages that say what is wrong, and why where they can tell."""

import re

import numpy as np
import pytest

from nnopt.checks import Checks, check_close, check_float, check_no_warning, check_raises, check_unchanged


@pytest.mark.parametrize(
    "got, expected, message",
    [
        (None, 1.0, "returned None"),
        (np.ones((3, 1)), np.ones(3), r"expected shape \(3,\), got shape \(3, 1\) \(the right number of entries"),
        (3.0, 3.5, "expected 3.5, got 3$"),
        (np.array([1.0, 2.0, 9.0]), np.array([1.0, 2.0, 3.0]),
         "1 of 3 entries differ; the largest difference at index 2: expected 3, got 9"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "contains NaN at index 1"),
        (np.array([1.0, np.inf]), np.array([1.0, 2.0]), "contains inf at index 1"),
        ("abc", 1.0, "expected numbers"),
        (np.array([3.0, 6.0]), np.array([1.0, 2.0]), r"off by a factor of 3 \(got = 3 x expected\)"),
        (np.array([0.5, 1.0]), np.array([1.5, 3.0]), "off by a factor of 1/3"),
        (np.array([-1.0, 2.0]), np.array([1.0, -2.0]), "opposite sign"),
        (1.000123, 1.0, r"near miss: relative difference 0.00012"),
        (np.array([2.0, 5.0, 5.0]), np.array([2.0, 5.5, 5.25]), "whole numbers only"),
    ],
)
def test_check_close_messages(got, expected, message):
    with pytest.raises(AssertionError, match=message):
        check_close(got, expected, "f(x)")


def test_check_close_accepts_rounding():
    check_close(np.array([1.0, 2.0]) + 1e-12, [1.0, 2.0], "f(x)")


def test_a_known_mistake_is_named():
    with pytest.raises(AssertionError, match="This looks like dividing by n instead of m"):
        check_close([2.0, 4.5], [3.0, 1.0], "dw", mistakes={"dividing by n instead of m": [2.0, 4.5]})


def test_labels_name_the_entry_that_differs():
    epochs = [0, 9, 10]
    with pytest.raises(AssertionError, match=r"largest difference at epoch 9 \(index 1\): expected 0.1, got 0.05"):
        check_close([0.1, 0.05, 0.05], [0.1, 0.1, 0.05], "lr", labels=[f"epoch {e}" for e in epochs])
    with pytest.raises(AssertionError, match=r"contains inf at epoch 9 \(index 1\)"):
        check_close([0.1, np.inf], [0.1, 0.1], "lr", labels=["epoch 0", "epoch 9"])


def test_every_failure_of_a_cell_is_reported_at_once(capsys):
    check = Checks("f")
    check.close(1.0, 2.0, "f(1)")
    check.close(2.0, 2.0, "f(2)")
    check.true(False, "f(3): wrong")
    with pytest.raises(AssertionError) as info:
        check.done()
    assert str(info.value) == "f: 2 of 3 checks failed\n- f(1): expected 2, got 1. The result is off by a factor of 1/2 (got = 0.5 x expected)\n- f(3): wrong"
    check.close(2.0, 2.0, "f(2)")
    check.done()
    assert capsys.readouterr().out == "f: all 1 checks passed\n"


def test_check_float():
    check_float(np.float64(1.0), "f")
    with pytest.raises(AssertionError, match=r"expected a number \(float\), got array of shape \(1,\)"):
        check_float(np.array([1.0]), "f")


def test_unchanged_changed_and_raises():
    with pytest.raises(AssertionError, match="changed its input"):
        check_unchanged(np.zeros(2), np.ones(2), "f")
    check = Checks()
    assert not check.changed(np.zeros(2), np.zeros(2), "config['cache']")
    assert check.failures == ["config['cache']: did not change between the two steps"]
    check_raises(lambda: int("x"), "int('x')")
    with pytest.raises(AssertionError, match="no error was raised"):
        check_raises(lambda: 1, "f")
    with pytest.raises(AssertionError, match="expected ValueError, got KeyError"):
        check_raises(lambda: {}["a"], "f")
    with pytest.raises(AssertionError, match="does not name 'learning_rate'"):
        check_raises(lambda: int("x"), "f", mentions="learning_rate")


def test_check_no_warning():
    assert check_no_warning(lambda: np.exp(1.0), "exp") == pytest.approx(np.e)
    with pytest.raises(AssertionError, match="exp of 1000: printed the warning 'RuntimeWarning: overflow"):
        check_no_warning(lambda: np.exp(np.array([1000.0])), "exp of 1000")


def test_ipython_hides_the_frames_of_the_checks():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    with capture_output() as out:
        shell.run_cell("from nnopt.checks import Checks\nc = Checks('f')\nc.close(1.0, 3.5, 'f(1)')\nc.done()")
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    assert "AssertionError: f(1): expected 3.5, got 1" in text
    # the helpers' frames are skipped but the last (IPython always shows it): a two-line function
    assert "in Checks.done" not in text and "in close_failure" not in text and "in _fail" in text, text
