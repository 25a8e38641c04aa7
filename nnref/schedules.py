"""Learning-rate decay (book: ``learning-rate-decay``; graded in ps07).

Each schedule is a formula of the epoch number: ``lr0`` is the learning rate at epoch 0 and
``epoch`` an integer counting the passes through the data made so far (PyTorch's scheduler
gives the same value after ``epoch`` calls of ``scheduler.step()``). Every function returns a float.
"""

import math

import numpy as np

from ._validate import (
    check_fraction,
    check_non_negative,
    check_non_negative_int,
    check_positive,
    check_positive_int,
)


def time_based_decay(lr0, decay_rate, epoch):
    """Time-based decay, ``lr0 / (1 + decay_rate * epoch)``.

    lr0: initial learning rate > 0; decay_rate: >= 0; epoch: integer >= 0.
    With lr0=0.2 and decay_rate=1, epochs 1..4 give 0.1, 0.0667, 0.05, 0.04.
    """
    check_positive(lr0, "lr0")
    check_non_negative(decay_rate, "decay_rate")
    check_non_negative_int(epoch, "epoch")
    return float(lr0 / (1 + decay_rate * epoch))


def exponential_decay(lr0, gamma, epoch):
    """Exponential decay, ``lr0 * gamma**epoch``.

    lr0: initial learning rate > 0; gamma: factor per epoch in (0, 1]; epoch: integer >= 0.
    The continuous form ``lr0 * exp(-d * epoch)`` is the case ``gamma = exp(-d)``.
    """
    check_positive(lr0, "lr0")
    check_fraction(gamma, "gamma")
    check_non_negative_int(epoch, "epoch")
    return float(lr0 * gamma**epoch)


def step_decay(lr0, drop, epochs_drop, epoch):
    """Step decay, ``lr0 * drop**(epoch // epochs_drop)``.

    lr0: initial learning rate > 0; drop: factor in (0, 1] applied once every ``epochs_drop``
    epochs; epochs_drop: integer >= 1; epoch: integer >= 0.
    """
    check_positive(lr0, "lr0")
    check_fraction(drop, "drop")
    check_positive_int(epochs_drop, "epochs_drop")
    check_non_negative_int(epoch, "epoch")
    # number of drops made so far: completed blocks of epochs_drop epochs
    return float(lr0 * drop ** (epoch // epochs_drop))


def inverse_sqrt_decay(lr0, k, epoch):
    """Inverse square-root decay, ``k / sqrt(epoch) * lr0``.

    lr0: initial learning rate > 0; k: constant > 0; epoch: integer >= 1 (the formula is
    undefined at epoch 0, so it raises ``ValueError`` there).
    """
    check_positive(lr0, "lr0")
    check_positive(k, "k")
    check_positive_int(epoch, "epoch")
    return float(k / math.sqrt(epoch) * lr0)


def staircase_decay(lr0, decay_rate, epoch, interval):
    """Discrete staircase, ``lr0 / (1 + decay_rate * (epoch // interval))``.

    Time-based decay whose clock only ticks once every ``interval`` epochs.
    lr0: initial learning rate > 0; decay_rate: >= 0; epoch: integer >= 0; interval: integer >= 1.
    """
    check_positive(lr0, "lr0")
    check_non_negative(decay_rate, "decay_rate")
    check_non_negative_int(epoch, "epoch")
    check_positive_int(interval, "interval")
    # the clock: completed intervals, not epochs
    return float(lr0 / (1 + decay_rate * (epoch // interval)))


# Not graded: one calling convention, f(lr0, epoch, **params), for the book's pictures and widgets.
SCHEDULES = {
    "time_based": lambda lr0, epoch, decay_rate: time_based_decay(lr0, decay_rate, epoch),
    "exponential": lambda lr0, epoch, gamma: exponential_decay(lr0, gamma, epoch),
    "step": lambda lr0, epoch, drop, epochs_drop: step_decay(lr0, drop, epochs_drop, epoch),
    "inverse_sqrt": lambda lr0, epoch, k: inverse_sqrt_decay(lr0, k, epoch),
    "staircase": lambda lr0, epoch, decay_rate, interval: staircase_decay(lr0, decay_rate, epoch, interval),
}


def schedule(name, lr0, epochs, **params):
    """Learning rates of the schedule ``name`` at several epochs (not graded; for plots).

    name: a key of ``SCHEDULES``; lr0: initial learning rate; epochs: integers of shape (T,);
    params: that schedule's hyper-parameters by keyword, e.g. ``schedule("step", 0.1, range(30),
    drop=0.5, epochs_drop=10)``. Returns an array of shape (T,).
    """
    if name not in SCHEDULES:
        raise ValueError(f"name must be one of {sorted(SCHEDULES)}, got {name!r}")
    epochs = np.asarray(epochs)
    if epochs.ndim != 1 or not (epochs.size == 0 or np.issubdtype(epochs.dtype, np.integer)):
        raise ValueError(f"epochs must be a 1-D sequence of integers, got {epochs!r}")
    rule = SCHEDULES[name]
    return np.array([rule(lr0, int(epoch), **params) for epoch in epochs], dtype=np.float64)
