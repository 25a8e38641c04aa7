"""Checks used by the assignments' test cells: on failure they say what was expected and what came back.

Every check raises ``AssertionError`` with a message a student can act on, for example
``predict(X, w, b): expected shape (3,), got shape (3, 1)`` or
``squared_error_cost: expected 1.25, got 2.5``.
"""

import numpy as np


def _describe(value):
    return f"{type(value).__name__} {value!r}" if np.ndim(value) == 0 else f"array of shape {np.shape(value)}"


def check_close(got, expected, what, rtol=1e-7, atol=1e-10):
    """Assert that ``got`` equals ``expected`` (a number or an array) up to rounding.

    what: names the call being checked, e.g. ``"predict(X, w, b)"``; it starts every message.
    """
    if got is None:
        raise AssertionError(f"{what}: returned None. Did you forget the return statement?")
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what}: expected numbers, got {_describe(got)}") from None
    expected = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got shape {got_arr.shape}")
    if np.any(np.isnan(got_arr)) and not np.any(np.isnan(expected)):
        raise AssertionError(f"{what}: the result contains NaN: {got_arr!r}")
    bad = ~np.isclose(got_arr, expected, rtol=rtol, atol=atol)
    if np.any(bad):
        if expected.ndim == 0:
            raise AssertionError(f"{what}: expected {expected.item():.10g}, got {got_arr.item():.10g}")
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = index[0] if len(index) == 1 else index
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} entries differ; at index {where} "
            f"expected {expected[index]:.10g}, got {got_arr[index]:.10g}"
        )


def check_float(got, what):
    """Assert that ``got`` is a plain number (a Python or NumPy scalar), not an array."""
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        raise AssertionError(f"{what}: expected a number (float), got {_describe(got)}")


def check_unchanged(before, after, what):
    """Assert that an input array was not modified by the function under test."""
    if not np.array_equal(before, after):
        raise AssertionError(f"{what}: the function changed its input; work on a copy instead")


def check_raises(func, what, error=ValueError):
    """Assert that ``func()`` raises ``error`` (a ValueError by default)."""
    try:
        func()
    except error:
        return
    except Exception as exc:  # a different error: say which
        raise AssertionError(f"{what}: expected {error.__name__}, got {type(exc).__name__}: {exc}") from None
    raise AssertionError(f"{what}: expected {error.__name__}, but no error was raised")


def check_no_warning(func, what):
    """Return ``func()``, failing with a clear message if it warns (a printed warning zeroes a graded cell)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning becomes an exception we can name
        try:
            return func()
        except Warning as w:
            raise AssertionError(f"{what}: printed the warning '{type(w).__name__}: {w}'") from None
