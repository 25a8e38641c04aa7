"""Input checks shared by every chapter: bad input gets a clear ``ValueError`` naming the argument."""

import numpy as np


def as_float_array(a, name, ndim=None):
    """Return ``a`` as a float64 array (a copy only if needed), checking its number of dimensions."""
    arr = np.asarray(a, dtype=np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    return arr


def check_rows(name_a, a, name_b, b):
    """Both arrays must have the same number of rows (examples)."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of examples (rows), "
            f"got {a.shape[0]} and {b.shape[0]}"
        )


def check_positive(value, name):
    """A strictly positive number (a learning rate, a step size)."""
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def check_positive_int(value, name):
    """An integer >= 1 (a batch size, a number of iterations)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def check_non_negative_int(value, name):
    """An integer >= 0 (a number of iterations that may be zero)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")


def check_beta(value, name):
    """A decay factor in [0, 1)."""
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def check_rng(rng, name="rng"):
    """Randomness comes only from an explicit ``np.random.default_rng(seed)``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy Generator, e.g. np.random.default_rng(0), got {type(rng).__name__}")


def check_non_negative(value, name):
    """A finite number >= 0 (a decay rate)."""
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def check_fraction(value, name):
    """A multiplicative decay factor in (0, 1]."""
    if not (0.0 < value <= 1.0):
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")


def check_same_shape(name_a, a, name_b, b):
    """Two arrays that go together elementwise (weights and their gradient)."""
    if a.shape != b.shape:
        raise ValueError(f"{name_b} must have the shape of {name_a}: {name_a} {a.shape}, {name_b} {b.shape}")
