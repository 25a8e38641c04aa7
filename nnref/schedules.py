"""Learning-rate decay (book: ``learning-rate-decay``; graded in ps07).

Each schedule is a formula of the epoch number: ``lr0`` is the learning rate at epoch 0 (at the end of
the warm-up for ``warmup_cosine``) and ``epoch`` an integer counting the passes through the data made
so far (PyTorch's scheduler gives the same value after ``epoch`` calls of ``scheduler.step()``).
Every function returns a float.
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
from .minibatch import make_minibatches


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


def cosine_decay(lr0, lr_min, total_epochs, epoch):
    """Cosine annealing, ``lr_min + (lr0 - lr_min) * (1 + cos(pi * epoch / total_epochs)) / 2``.

    Half a cosine wave from ``lr0`` at epoch 0 down to ``lr_min`` at epoch ``total_epochs``
    (PyTorch's ``CosineAnnealingLR(T_max=total_epochs, eta_min=lr_min)`` in closed form).
    lr0: initial learning rate > 0; lr_min: final rate, 0 <= lr_min <= lr0; total_epochs: integer >= 1;
    epoch: integer in [0, total_epochs]. Past ``total_epochs`` the formula would climb back up (as
    PyTorch's scheduler does if it is stepped on), so those epochs raise ``ValueError``.
    """
    check_positive(lr0, "lr0")
    if not (np.isfinite(lr_min) and 0 <= lr_min <= lr0):
        raise ValueError(f"lr_min must be a number in [0, lr0] = [0, {lr0!r}], got {lr_min!r}")
    check_positive_int(total_epochs, "total_epochs")
    _check_epoch_within(epoch, total_epochs)
    return float(lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * epoch / total_epochs)) / 2)


def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    """Linear warm-up for ``warmup_epochs`` epochs, then cosine annealing down to ``lr_min``.

    - ``epoch < warmup_epochs``: ``lr0 * (epoch + 1) / (warmup_epochs + 1)``, a straight line that
      starts one step above 0 (the first epoch learns at ``lr0 / (warmup_epochs + 1)``) and would reach
      ``lr0`` at epoch ``warmup_epochs``;
    - ``warmup_epochs <= epoch <= total_epochs``:
      ``cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, epoch - warmup_epochs)``.

    PyTorch: ``SequentialLR([LinearLR(start_factor=1 / (warmup_epochs + 1), total_iters=warmup_epochs),
    CosineAnnealingLR(T_max=total_epochs - warmup_epochs, eta_min=lr_min)], milestones=[warmup_epochs])``.
    lr0: peak learning rate > 0; lr_min: 0 <= lr_min <= lr0; warmup_epochs: integer in
    [0, total_epochs); total_epochs: integer >= 1; epoch: integer in [0, total_epochs] (``ValueError``
    outside). With ``warmup_epochs = 0`` this is ``cosine_decay``.
    """
    check_positive(lr0, "lr0")
    if not (np.isfinite(lr_min) and 0 <= lr_min <= lr0):
        raise ValueError(f"lr_min must be a number in [0, lr0] = [0, {lr0!r}], got {lr_min!r}")
    check_positive_int(total_epochs, "total_epochs")
    check_non_negative_int(warmup_epochs, "warmup_epochs")
    if warmup_epochs >= total_epochs:
        raise ValueError(f"warmup_epochs must be less than total_epochs = {total_epochs}, got {warmup_epochs}")
    _check_epoch_within(epoch, total_epochs)
    if epoch < warmup_epochs:
        # 1) warm-up: the line through (-1, 0) and (warmup_epochs, lr0)
        return float(lr0 * (epoch + 1) / (warmup_epochs + 1))
    # 2) cosine annealing over the remaining epochs, its clock started at the end of the warm-up
    return cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, epoch - warmup_epochs)


def _check_epoch_within(epoch, total_epochs):
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be an integer in [0, total_epochs] = [0, {total_epochs}], got {epoch!r}")


# ---------------------------------------------------------------------------------------------------
# Not graded: helpers for the book's pictures and tests.

# every schedule of the chapter; each is called with keywords, rule(lr0=..., epoch=..., **params)
SCHEDULES = {
    "time_based": time_based_decay,
    "exponential": exponential_decay,
    "step": step_decay,
    "inverse_sqrt": inverse_sqrt_decay,
    "staircase": staircase_decay,
    "cosine": cosine_decay,
    "warmup_cosine": warmup_cosine,
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
    return np.array([rule(lr0=lr0, epoch=int(epoch), **params) for epoch in epochs], dtype=np.float64)


def per_update(name, params, updates_per_epoch):
    """The hyper-parameters that make schedule ``name`` count updates instead of epochs.

    With N = ``updates_per_epoch`` updates per epoch, update t = N * epoch is the start of that epoch.
    The returned parameters give, at update t = N * epoch, the rate that ``params`` give at ``epoch``
    (and, for the piecewise-constant schedules, the same rate at every update of the epoch):
    time-based decay divides ``decay_rate`` by N (d epoch = (d / N) t); exponential decay takes the
    N-th root of ``gamma`` (gamma^epoch = (gamma^(1/N))^t), *not* ``gamma / N``; step decay and the
    staircase multiply their interval by N; the inverse square root multiplies ``k`` by sqrt(N); cosine
    annealing multiplies ``total_epochs`` by N. Warm-up + cosine multiplies both of its epoch counts by
    N, and is the one exception: its ramp then starts one *update* above 0, not one epoch.
    """
    check_positive_int(updates_per_epoch, "updates_per_epoch")
    N = updates_per_epoch
    p = dict(params)
    convert = {
        "time_based": lambda: dict(p, decay_rate=p["decay_rate"] / N),
        "exponential": lambda: dict(p, gamma=p["gamma"] ** (1 / N)),
        "step": lambda: dict(p, epochs_drop=p["epochs_drop"] * N),
        "staircase": lambda: dict(p, interval=p["interval"] * N),
        "inverse_sqrt": lambda: dict(p, k=p["k"] * math.sqrt(N)),
        "cosine": lambda: dict(p, total_epochs=p["total_epochs"] * N),
        "warmup_cosine": lambda: dict(p, warmup_epochs=p["warmup_epochs"] * N, total_epochs=p["total_epochs"] * N),
    }
    if name not in convert:
        raise ValueError(f"name must be one of {sorted(convert)}, got {name!r}")
    return convert[name]()


def sgd_runs(x, y, lrs, batch_size, rng, keep_last=5):
    """Mini-batch SGD on the squared-error cost of one feature (the perceptron of ps01), many runs at once.

    x, y: data of shape (m,); lrs: shape (R, T), the learning rate of run r during pass e + 1;
    batch_size: an integer >= 1; rng: a ``np.random.Generator``, which draws one shuffle per epoch
    (``make_minibatches`` of ps04). All runs start at (w, b) = (0, 0) and see the same mini-batches,
    so they differ only in their learning rates.
    Returns a dict: ``ends`` of shape (R, T + 1, 2), the parameters (w, b) at the start and after each
    epoch; ``rms`` of shape (R, T), the root-mean-square distance to the minimum over the iterates of
    each epoch; ``cloud`` of shape (R, K, 2), every iterate of the last ``keep_last`` epochs.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    R, T = lrs.shape
    # the minimum of the cost: the least-squares line
    slope = np.cov(x, y, bias=True)[0, 1] / np.var(x)
    w_star, b_star = slope, y.mean() - slope * x.mean()
    w, b = np.zeros(R), np.zeros(R)
    ends, rms, cloud = [np.zeros((R, 2))], [], []
    for e in range(T):
        lr = lrs[:, e]
        squares, count = np.zeros(R), 0
        for x_batch, y_batch in make_minibatches(x[:, None], y, batch_size, rng):
            x_batch = x_batch[:, 0]
            # residuals of every run on this batch, shape (R, B); gradients as in ps01's cost_gradients
            residual = w[:, None] * x_batch + b[:, None] - y_batch
            w = w - lr * (residual @ x_batch) / len(y_batch)
            b = b - lr * residual.mean(axis=1)
            squares += (w - w_star) ** 2 + (b - b_star) ** 2
            count += 1
            if e >= T - keep_last:
                cloud.append(np.stack([w, b], axis=1))
        ends.append(np.stack([w, b], axis=1))
        rms.append(np.sqrt(squares / count))
    cloud = np.stack(cloud, axis=1) if cloud else np.zeros((R, 0, 2))
    return dict(ends=np.stack(ends, axis=1), rms=np.stack(rms, axis=1), cloud=cloud)
