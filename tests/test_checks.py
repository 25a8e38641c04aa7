"""The assignments' checks fail with messages that say what is wrong."""

import numpy as np
import pytest

from nnopt.checks import check_close, check_float, check_raises, check_unchanged


@pytest.mark.parametrize(
    "got, expected, message",
    [
        (None, 1.0, "returned None"),
        (np.ones((3, 1)), np.ones(3), r"expected shape \(3,\), got shape \(3, 1\)"),
        (3.0, 3.5, "expected 3.5, got 3"),
        (np.array([1.0, 2.0, 9.0]), np.array([1.0, 2.0, 3.0]), "1 of 3 entries differ; at index 2 expected 3, got 9"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "contains NaN"),
        ("abc", 1.0, "expected numbers"),
    ],
)
def test_check_close_messages(got, expected, message):
    with pytest.raises(AssertionError, match=message):
        check_close(got, expected, "f(x)")


def test_check_close_accepts_rounding():
    check_close(np.array([1.0, 2.0]) + 1e-12, [1.0, 2.0], "f(x)")


def test_check_float():
    check_float(np.float64(1.0), "f")
    with pytest.raises(AssertionError, match=r"expected a number \(float\), got array of shape \(1,\)"):
        check_float(np.array([1.0]), "f")


def test_check_unchanged_and_raises():
    with pytest.raises(AssertionError, match="changed its input"):
        check_unchanged(np.zeros(2), np.ones(2), "f")
    check_raises(lambda: int("x"), "int('x')")
    with pytest.raises(AssertionError, match="no error was raised"):
        check_raises(lambda: 1, "f")
    with pytest.raises(AssertionError, match="expected ValueError, got KeyError"):
        check_raises(lambda: {}["a"], "f")


def test_check_no_warning():
    from nnopt.checks import check_no_warning

    assert check_no_warning(lambda: np.exp(1.0), "exp") == pytest.approx(np.e)
    with pytest.raises(AssertionError, match="exp of 1000: printed the warning 'RuntimeWarning: overflow"):
        check_no_warning(lambda: np.exp(np.array([1000.0])), "exp of 1000")
