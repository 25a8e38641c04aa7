"""The checks of the assignments' test cells: each failure says what was expected, what came back and,
where the check can tell, why.

A test cell makes one :class:`Checks` for the function it tests, runs every check, and ends with
``done()``, which reports *all* the checks that failed at once::

    check = Checks("predict")
    check.close(predict(X, w, b), [1.5, 2.0, 0.5], "predict(X, w, b) with X of shape (3, 2)")
    check.unchanged(X_before, X, "predict(X, w, b): X")
    check.done()        # AssertionError listing every failure, or "predict: all 2 checks passed"

A failure reads ``predict(X, w, b) with X of shape (3, 2): expected shape (3,), got shape (3, 1)``;
a near miss gives the relative difference; a result off by a constant factor or of the opposite sign
says so; ``mistakes={"divided by n instead of m": value}`` names a common mistake whose result the
test knows.  An error raised by the function under test is not a failed check: it stops the cell at
once, and its traceback shows the student's own line (the frames of these helpers are hidden).

``check_close``, ``check_float``, ``check_unchanged``, ``check_raises`` and ``check_no_warning`` are
the same checks, failing at once (for a single check, or the hidden tests).
"""

import warnings

import numpy as np


def _describe(value):
    return f"{type(value).__name__} {value!r}" if np.ndim(value) == 0 else f"array of shape {np.shape(value)}"


def _number(x):
    return f"{x:.10g}"


def _relative(got, expected):
    scale = max(abs(got), abs(expected))
    return abs(got - expected) / scale if scale else 0.0


def _factor(got, expected):
    """The constant k with got = k * expected for every entry (None if there is none)."""
    nonzero = np.abs(expected) > 1e-12
    if not np.any(nonzero) or np.any(np.abs(got[~nonzero]) > 1e-12):
        return None
    ratios = got[nonzero] / expected[nonzero]
    k = float(np.median(ratios))
    if not np.isfinite(k) or abs(k) < 1e-12 or not np.allclose(ratios, k, rtol=1e-6):
        return None
    return None if np.isclose(k, 1.0, rtol=1e-6) else k


def _factor_text(k, several):
    """Words for a constant factor between result and expectation, or None if it tells nothing."""
    if np.isclose(k, -1.0):
        return "has the opposite sign"
    for name, value in (("", abs(k)), ("1/", 1 / abs(k))):
        if value > 1.5 and np.isclose(value, round(value), rtol=1e-6):
            return f"is off by a factor of {'-' if k < 0 else ''}{name}{round(value)} (got = {k:.6g} x expected)"
    # any two numbers have a ratio: for one number only a round one says something
    return f"is off by a constant factor of {k:.6g}" if several and abs(k - 1) > 1e-2 else None


def close_failure(got, expected, what, rtol=1e-7, atol=1e-10, mistakes=None, labels=None):
    """Why ``got`` does not equal ``expected`` up to rounding, or None if it does.

    labels: names of the entries along the first axis (e.g. ``["epoch 0", "epoch 9"]``), so that a
    message says "at epoch 9 (index 1)" instead of "at index 1".
    """

    def at(index):
        where = index[0] if len(index) == 1 else index
        return f"{labels[index[0]]} (index {where})" if labels is not None else f"index {where}"

    if got is None:
        return f"{what}: returned None. Did you forget the return statement?"
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{what}: expected numbers, got {_describe(got)}"
    expected = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != expected.shape:
        hint = ""
        if got_arr.size == expected.size:
            hint = " (the right number of entries in another shape: return exactly this shape)"
        return f"{what}: expected shape {expected.shape}, got shape {got_arr.shape}{hint}"
    for bad, word in ((np.isnan, "NaN"), (np.isinf, "inf")):
        if np.any(bad(got_arr)) and not np.any(bad(expected)):
            where = tuple(int(i) for i in np.argwhere(bad(got_arr))[0]) if got_arr.ndim else ()
            return f"{what}: the result contains {word}{' at ' + at(where) if where else ''}: {got_arr!r}"
    wrong = ~np.isclose(got_arr, expected, rtol=rtol, atol=atol)
    if not np.any(wrong):
        return None
    # the message: what came back, then the likeliest cause
    if expected.ndim == 0:
        found = f"expected {_number(expected.item())}, got {_number(got_arr.item())}"
        index = ()
    else:
        index = tuple(int(i) for i in np.unravel_index(np.argmax(np.where(wrong, np.abs(got_arr - expected), -1)),
                                                          expected.shape))
        found = (f"{int(wrong.sum())} of {wrong.size} entries differ; the largest difference at {at(index)}: "
                 f"expected {_number(expected[index])}, got {_number(got_arr[index])}")
    for cause, value in (mistakes or {}).items():
        value = np.asarray(value, dtype=np.float64)
        if value.shape == expected.shape and np.allclose(got_arr, value, rtol=1e-6, atol=atol):
            return f"{what}: {found}. This looks like {cause}"
    k = _factor(got_arr, expected)
    words = None if k is None else _factor_text(k, several=np.count_nonzero(expected) > 1)
    if words:
        return f"{what}: {found}. The result {words}"
    whole = np.array_equal(got_arr, np.trunc(got_arr)) and not np.array_equal(expected, np.trunc(expected))
    if whole and expected.size > 1:
        return f"{what}: {found}. The result holds whole numbers only: was it computed in an integer array?"
    relative = _relative(got_arr[index], expected[index])
    if relative < 1e-2:
        return f"{what}: {found} (a near miss: relative difference {relative:.2g})"
    return f"{what}: {found}"


class Checks:
    """The checks of one test cell; ``done()`` raises one AssertionError listing every failure.

    name: the function under test, e.g. ``"predict"`` (it starts the summary line).
    """

    def __init__(self, name=""):
        self.name, self.count, self.failures = name, 0, []

    def _record(self, failure):
        self.count += 1
        if failure:
            self.failures.append(failure)
        return failure is None

    def close(self, got, expected, what, rtol=1e-7, atol=1e-10, mistakes=None, labels=None):
        """``got`` equals ``expected`` (a number or an array) up to rounding; returns whether it does.

        what: names the call being checked, e.g. ``"predict(X, w, b)"``; it starts the message.
        mistakes: {cause: the value that mistake gives}, named in the message when ``got`` matches one.
        labels: names of the entries along the first axis, e.g. ``[f"epoch {e}" for e in epochs]``.
        """
        return self._record(close_failure(got, expected, what, rtol, atol, mistakes, labels))

    def number(self, got, what):
        """``got`` is a plain number (a Python or NumPy scalar), not an array."""
        plain = not isinstance(got, (bool, np.bool_)) and isinstance(got, (int, float, np.integer, np.floating))
        return self._record(None if plain else f"{what}: expected a number (float), got {_describe(got)}")

    def unchanged(self, before, after, what):
        """An input array was not modified by the function under test (``before`` is a copy)."""
        same = np.array_equal(before, after)
        return self._record(None if same else f"{what}: the function changed its input; work on a copy instead")

    def changed(self, before, after, what):
        """State that must move between two calls did move (``before`` is a copy), e.g. a cache."""
        moved = not np.array_equal(np.asarray(before), np.asarray(after))
        return self._record(None if moved else f"{what}: did not change between the two steps")

    def raises(self, func, what, error=ValueError, mentions=None):
        """``func()`` raises ``error`` (a ValueError by default), whose message names ``mentions`` if given."""
        try:
            func()
        except error as exc:
            if mentions and mentions not in str(exc):
                return self._record(f"{what}: raised {error.__name__}, but its message does not name "
                                    f"{mentions!r}: {str(exc)[:200]!r}")
            return self._record(None)
        except Exception as exc:  # a different error: say which
            return self._record(f"{what}: expected {error.__name__}, got {type(exc).__name__}: {str(exc)[:200]}")
        return self._record(f"{what}: expected {error.__name__}, but no error was raised")

    def no_warning(self, func, what):
        """Return ``func()``; a warning it prints is a failure (a warning on stderr is noise in a notebook)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = func()
        first = next((w for w in caught if issubclass(w.category, Warning)), None)
        self._record(None if first is None else
                     f"{what}: printed the warning '{first.category.__name__}: {first.message}'")
        return value

    def true(self, condition, message):
        """A condition the test states in words: ``message`` is the failure."""
        return self._record(None if condition else message)

    def done(self):
        """Raise one AssertionError listing every failure so far; print a summary line if all passed."""
        __tracebackhide__ = True  # noqa: F841 (IPython leaves this frame out of tracebacks)
        failures, count, self.failures, self.count = self.failures, self.count, [], 0
        if len(failures) == 1:
            _fail(failures[0])
        if failures:
            head = f"{self.name + ': ' if self.name else ''}{len(failures)} of {count} checks failed"
            _fail(head + "\n- " + "\n- ".join(failures))
        if self.name:
            print(f"{self.name}: all {count} checks passed")


def _fail(message):
    """The one frame of these helpers that a traceback shows (IPython always shows the last one)."""
    raise AssertionError(message)


def _at_once(method):
    def check(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841
        checks = Checks()
        value = getattr(checks, method)(*args, **kwargs)
        checks.done()
        return value

    check.__name__ = f"check_{method}"
    check.__doc__ = f"Checks.{method}, failing at once: " + getattr(Checks, method).__doc__
    return check


check_close = _at_once("close")
check_float = _at_once("number")
check_unchanged = _at_once("unchanged")
check_raises = _at_once("raises")
check_no_warning = _at_once("no_warning")
