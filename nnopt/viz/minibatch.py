"""Pictures of the chapter on gradient-descent variants (book: ``gradient-descent-variants``).

Batch, stochastic and mini-batch gradient descent on the logistic regression of ``nnref.logistic``:
the data are the tumour measurements of ``nnopt.data.breast_cancer`` in standard units. The runs use
the course's own ``make_minibatches`` and ``log_loss_gradients`` and consume the random generator as
``minibatch_gradient_descent`` does (one ``rng.permutation(m)`` per epoch), so a trace recorded here
passes through the same parameters as that function.
"""

import time

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Control, Explorer
from nnref.logistic import log_loss, log_loss_gradients, sigmoid
from nnref.minibatch import make_minibatches, minibatch_gradient_descent
from .common import COLORS, PLAIN, contour

# one colour per variant, the same in every picture of the chapter
VARIANT_COLORS = {"batch": "#4c72b0", "mini-batch": "#dd8452", "stochastic": "#c44e52"}


def tumours():
    """The chapter's data: the two tumour measurements in standard units and the labels.

    Returns (X, y, names): X of shape (569, 2) (mean radius and mean texture, each with mean 0 and
    population standard deviation 1), y of shape (569,) with 1 for malignant, and the column names.
    """
    from ..data import breast_cancer

    X, y, names = breast_cancer()
    return (X - X.mean(axis=0)) / X.std(axis=0), y, names


def full_cost(X, y, w, b):
    """The log loss of ``sigmoid(X @ w + b)`` on all of X (shape (m, n)) and y (shape (m,)): a float."""
    return log_loss(sigmoid(X @ w + b), y)


def lowest_cost(X, y, num_steps=25):
    """The minimum of the log loss over (w, b) and where it is, by Newton's method from zeros.

    X: shape (m, n); y: labels of shape (m,), not linearly separable (else there is no minimum).
    Returns (cost, w, b).
    """
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(A.shape[1])
    for _ in range(num_steps):
        a = sigmoid(A @ theta)
        gradient = A.T @ (a - y) / len(y)
        hessian = (A * (a * (1 - a))[:, None]).T @ A / len(y)
        theta = theta - np.linalg.solve(hessian, gradient)
    return full_cost(X, y, theta[:-1], theta[-1]), theta[:-1], float(theta[-1])


def ordered_batches(X, y, batch_size):
    """Consecutive slices of the data in the order given (no shuffle): a list of (X_batch, y_batch)."""
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(y), batch_size)]


def descent_trace(X, y, lr, num_updates, batch_size, rng, shuffle="every epoch", w0=None, b0=0.0):
    """Mini-batch gradient descent on the log loss, recording every update.

    X: shape (m, n); y: labels 0/1 of shape (m,); lr > 0; num_updates: how many updates to make (the
    epochs run on until there are that many, the last one possibly cut short); batch_size >= 1
    (``m`` is batch gradient descent, 1 is stochastic gradient descent); rng: a ``np.random.Generator``.
    shuffle: ``"every epoch"`` (``make_minibatches`` at the start of each epoch, as in
    ``minibatch_gradient_descent``), ``"once"`` (one shuffle, then the same batches every epoch) or
    ``"never"`` (consecutive slices in the data's own order).
    w0, b0: the start (zeros by default).
    Returns (params, costs): params of shape (num_updates + 1, n + 1) holding ``(w_1, ..., w_n, b)``
    before the first update and after each one, and costs of shape (num_updates + 1,), the full-data
    log loss at each of them.
    """
    w = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, dtype=np.float64).copy()
    b = float(b0)
    params, costs = [np.append(w, b)], [full_cost(X, y, w, b)]
    fixed = None
    if shuffle == "once":
        fixed = make_minibatches(X, y, batch_size, rng)
    elif shuffle == "never":
        fixed = ordered_batches(X, y, batch_size)
    elif shuffle != "every epoch":
        raise ValueError(f'shuffle must be "every epoch", "once" or "never", got {shuffle!r}')
    while len(costs) <= num_updates:
        batches = fixed if fixed is not None else make_minibatches(X, y, batch_size, rng)
        for X_batch, y_batch in batches:
            # one update on the mini-batch's gradient, then the cost on all the data
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w = w - lr * dw
            b = b - lr * db
            params.append(np.append(w, b))
            costs.append(full_cost(X, y, w, b))
            if len(costs) > num_updates:
                break
    return np.array(params), np.array(costs)


def updates_per_epoch(m, batch_size):
    """``ceil(m / batch_size)``: the number of mini-batches, and so of updates, in one epoch."""
    return -(-m // batch_size)


# -- the noise of a mini-batch gradient ---------------------------------------------------------------

def per_example_gradients(X, y, w, b):
    """The gradient of each example's own log loss at (w, b): shape (m, n + 1), columns (dw..., db)."""
    r = sigmoid(X @ w + b) - y
    return np.column_stack([X * r[:, None], r])


def gradient_noise(X, y, w, b, batch_sizes, rng, num_draws=300):
    """How far mini-batch gradients fall from the full gradient, measured and predicted.

    For each batch size B, ``num_draws`` mini-batches of B distinct examples are drawn at random (the
    first B of ``rng.permutation(m)``) and their gradients (``log_loss_gradients``) compared with the
    full-data gradient at (w, b). Returns (measured, predicted), each of shape (len(batch_sizes),):
    the mean of ``||g_B - grad J||**2`` over the draws, and the formula
    ``sigma2 / B * (m - B) / (m - 1)`` where ``sigma2`` is the mean of ``||g_i - grad J||**2`` over the
    examples' own gradients g_i.
    """
    m = len(y)
    G = per_example_gradients(X, y, w, b)
    full = G.mean(axis=0)
    sigma2 = np.mean(np.sum((G - full) ** 2, axis=1))
    measured, predicted = [], []
    for B in batch_sizes:
        errors = []
        for _ in range(num_draws):
            rows = rng.permutation(m)[:B]
            dw, db = log_loss_gradients(X[rows], y[rows], w, b)
            errors.append(np.sum((np.append(dw, db) - full) ** 2))
        measured.append(np.mean(errors))
        predicted.append(sigma2 / B * (m - B) / (m - 1))
    return np.array(measured), np.array(predicted)


def draw_gradient_noise(ax, batch_sizes, measured, predicted, m):
    """Mean squared error of mini-batch gradients against the batch size, on log-log axes.

    batch_sizes, measured, predicted: shape (k,) (from :func:`gradient_noise`); m: the number of examples.
    The dashed line is ``sigma2 / B`` (what independent draws with replacement would give). Returns the ax.
    """
    B = np.asarray(batch_sizes, dtype=float)
    sigma2 = predicted[0] * (m - 1) / (m - B[0]) * B[0]
    grid = np.geomspace(1, B.max(), 100)
    ax.loglog(grid, sigma2 / grid, "--", color=COLORS["muted"], lw=1.2, label=r"$\sigma^2 / B$")
    fine = np.geomspace(1, min(B.max(), m - 1), 200)
    ax.loglog(fine, sigma2 / fine * (m - fine) / (m - 1), "-", color=VARIANT_COLORS["mini-batch"], lw=2,
              label=r"$\frac{\sigma^2}{B}\,\frac{m - B}{m - 1}$ (without replacement)")
    ax.loglog(B, measured, "o", color=VARIANT_COLORS["batch"], ms=6, label="measured (300 batches each)")
    ax.xaxis.set_major_formatter(PLAIN)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks([1, 4, 16, 64, 256])
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"mean of $\|g_B - \nabla J\|^2$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# -- what an update costs ---------------------------------------------------------------------------

def time_updates(batch_sizes, num_features=100, seed=0, min_seconds=0.05):
    """Measured wall time of one mini-batch update of logistic regression, for each batch size.

    Each update is ``log_loss_gradients`` on B random examples with ``num_features`` features, then
    the step. Returns microseconds per update, shape (len(batch_sizes),): the best of three rounds,
    each repeating the update for at least ``min_seconds``. Depends on the machine and its load.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((max(batch_sizes), num_features))
    y = (rng.random(max(batch_sizes)) < 0.5).astype(float)
    w, b = np.zeros(num_features), 0.0
    result = []
    for B in batch_sizes:
        X_batch, y_batch = X[:B], y[:B]
        rounds = []
        for _ in range(3):
            count, tic = 0, time.perf_counter()
            while True:
                dw, db = log_loss_gradients(X_batch, y_batch, w, b)
                w_new, b_new = w - 0.1 * dw, b - 0.1 * db
                count += 1
                elapsed = time.perf_counter() - tic
                if elapsed > min_seconds:
                    break
            rounds.append(1e6 * elapsed / count)
        result.append(min(rounds))
    return np.array(result)


def draw_update_times(ax, batch_sizes, us_per_update):
    """Time per update and per example against the batch size, on log-log axes. Returns the ax.

    batch_sizes, us_per_update: shape (k,) (from :func:`time_updates`).
    """
    B = np.asarray(batch_sizes, dtype=float)
    t = np.asarray(us_per_update)
    ax.loglog(B, t, "-o", color=VARIANT_COLORS["batch"], lw=1.8, ms=4, label="per update")
    ax.loglog(B, t / B, "-s", color=VARIANT_COLORS["stochastic"], lw=1.8, ms=4, label="per example (update time / B)")
    ax.xaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("batch size B")
    ax.set_ylabel("microseconds")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# -- paths on the cost surface of a one-feature model ------------------------------------------------

def cost_surface(x, y):
    """The log loss of one feature as a function J(P) of points P = (w, b) of shape (..., 2)."""

    def J(P):
        z = P[..., 0, None] * x + P[..., 1, None]
        # log(1 + e^z) - y z, the log loss of one example written without overflow
        return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)

    return J


def draw_paths(fig, x, y, lr, num_epochs, batch_sizes, seed=0, xlim=(-0.5, 6.0), ylim=(-3.0, 1.5)):
    """One panel per batch size: the path of (w, b) over ``num_epochs`` epochs on the contours of the cost.

    x: one feature of shape (m,); y: labels of shape (m,); batch_sizes: e.g. (m, 32, 1). Every path
    starts at the black square (0, 0) with the same seed; the black cross marks the minimum.
    Returns the fig.
    """
    from matplotlib import patheffects

    m = len(y)
    J = cost_surface(x, y)
    _, (w_best,), b_best = lowest_cost(x[:, None], y)
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    axes = fig.subplots(1, len(batch_sizes), sharey=True)
    for ax, B in zip(axes, batch_sizes):
        n = num_epochs * updates_per_epoch(m, B)
        params, costs = descent_trace(x[:, None], y, lr, n, B, np.random.default_rng(seed))
        contour(ax, J, xlim, ylim, levels=18)
        color = VARIANT_COLORS[variant_name(B, m)]
        if n <= 100:  # few steps: every iterate is a dot
            ax.plot(params[:, 0], params[:, 1], "-o", color=color, lw=1.8, ms=5, path_effects=halo)
        else:
            ax.plot(params[:, 0], params[:, 1], "-", color=color, lw=0.7 if n > 1000 else 1.2,
                    path_effects=halo if n <= 1000 else None)
        ax.plot(0, 0, "s", color="k", ms=6)
        ax.plot(w_best, b_best, "x", color="k", ms=10, mew=2.5)
        ax.set_title(f"{variant_name(B, m)}, B = {B}: {n} updates\ncost after {num_epochs} epochs: {costs[-1]:.3f}",
                     fontsize=10)
        ax.set_xlabel("weight w")
    axes[0].set_ylabel("bias b")
    return fig


def variant_name(batch_size, m):
    """``"batch"`` for B >= m, ``"stochastic"`` for B = 1, else ``"mini-batch"``."""
    return "batch" if batch_size >= m else "stochastic" if batch_size == 1 else "mini-batch"


# -- shuffling -----------------------------------------------------------------------------------------

def draw_shuffling(ax, X, y, lr, num_epochs, batch_size, seed=0, floor=1e-4):
    """How far above its minimum the cost is after every update of mini-batch GD, for three orders of
    the examples: reshuffled every epoch, shuffled once (the same batches every epoch), and sorted by
    label and never shuffled. X: shape (m, n); y: labels of shape (m,). Log y axis, x in epochs.
    Returns the ax.
    """
    m = len(y)
    min_cost, _, _ = lowest_cost(X, y)
    order = np.argsort(y, kind="stable")
    per = updates_per_epoch(m, batch_size)
    n = num_epochs * per
    cases = [
        ("reshuffled every epoch", X, y, "every epoch", VARIANT_COLORS["batch"]),
        ("shuffled once: the same batches every epoch", X, y, "once", VARIANT_COLORS["mini-batch"]),
        ("sorted by label, never shuffled", X[order], y[order], "never", VARIANT_COLORS["stochastic"]),
    ]
    for label, Xc, yc, shuffle, color in cases:
        _, costs = descent_trace(Xc, yc, lr, n, batch_size, np.random.default_rng(seed), shuffle=shuffle)
        ax.semilogy(np.arange(n + 1) / per, np.maximum(costs - min_cost, floor), color=color, lw=1.0, label=label)
        # the end of each epoch, where the per-epoch cost would be recorded
        ax.plot(np.arange(num_epochs + 1), np.maximum(costs[::per] - min_cost, floor), "o", color=color, ms=5)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlim(0, num_epochs)
    ax.set_ylim(floor, 1.0)
    ax.set_xlabel(f"epoch ({per} updates of batch size {batch_size} each; dots at the end of each epoch)")
    ax.set_ylabel("cost − lowest cost")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return ax


# -- the explorer: three variants side by side ---------------------------------------------------------

def timed_run(X, y, lr, batch_size, num_epochs, num_updates, seed=0):
    """One variant at one learning rate, recorded two ways from the same seed.

    Returns (per_update, per_epoch, ms_per_epoch): the full-data cost before and after each of the first
    ``num_updates`` updates (shape (num_updates + 1,), from :func:`descent_trace`); the cost at the start
    and after each epoch (shape (num_epochs + 1,), from ``minibatch_gradient_descent``); and the wall time
    of that call per epoch in milliseconds (measured once, so it varies a little from run to run).
    """
    _, per_update = descent_trace(X, y, lr, num_updates, batch_size, np.random.default_rng(seed))
    tic = time.perf_counter()
    _, _, costs = minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, np.random.default_rng(seed))
    ms = 1000 * (time.perf_counter() - tic) / num_epochs
    return per_update, np.concatenate([[per_update[0]], costs]), ms


def draw_variants(fig, runs, m, lr, min_cost, ylim=(1e-4, 4.0)):
    """Two panels: how far the cost is above its minimum, against updates and against epochs.

    runs: ``{name: (batch_size, per_update, per_epoch, ms_per_epoch)}`` for the names of
    ``VARIANT_COLORS`` (the last three as returned by :func:`timed_run`); m: the number of examples;
    min_cost: the lowest possible cost (:func:`lowest_cost`). The y axis is logarithmic: a cost within
    ``ylim[0]`` of the minimum is drawn on the bottom edge. A legend below the panels gives each variant's
    updates and measured milliseconds per epoch. Returns the fig.
    """
    # shared y axis: one set of tick labels; fixed ticks and title positions keep a redraw cheap
    ax_up, ax_ep = fig.subplots(1, 2, sharey=True)
    floor = ylim[0]
    for name, (B, per_update, per_epoch, ms) in runs.items():
        color = VARIANT_COLORS[name]
        per = updates_per_epoch(m, B)
        # batch GD dashed and on top: per update, mini-batch GD often runs right along it
        style = dict(ls="--", zorder=3) if name == "batch" else {}
        ax_up.semilogy(np.arange(len(per_update)), np.maximum(per_update - min_cost, floor), color=color, lw=1.3,
                       label=f"{name}, B = {B}: {per} update{'s' * (per > 1)} and {ms:.2g} ms per epoch", **style)
        ax_ep.semilogy(np.arange(len(per_epoch)), np.maximum(per_epoch - min_cost, floor), "-o", color=color,
                       lw=1.6, ms=3)
    ax_up.set_ylim(*ylim)
    ax_up.set_yticks([t for t in (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0) if ylim[0] <= t <= ylim[1]])
    ax_up.yaxis.set_major_formatter(PLAIN)
    ax_up.yaxis.set_minor_locator(NullLocator())
    ax_up.set_ylabel("cost − lowest cost")
    for ax, n, what in ((ax_up, len(per_update) - 1, "update (iteration)"),
                        (ax_ep, len(per_epoch) - 1, "epoch (one pass over the data)")):
        ax.set_xlim(0, n)
        ax.set_xticks(np.linspace(0, n, 6 if n % 5 == 0 else 2))
        ax.set_xlabel(what)
        ax.grid(True, which="major", alpha=0.3)
    ax_up.set_title(f"per update: the first {len(per_update) - 1} updates, lr = {lr:g}", fontsize=10, y=1.01)
    ax_ep.set_title(f"per epoch: {len(per_epoch) - 1} epochs, lr = {lr:g}", fontsize=10, y=1.01)
    # one legend for both panels, below them, with the measured time per epoch of each variant
    fig.legend(*ax_up.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=9,
               frameon=False, handlelength=1.5, columnspacing=2.0)
    return fig


BATCH_SIZES = [2, 4, 8, 16, 32, 64, 128, 256]
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def variants_explorer(X, y, batch_sizes=BATCH_SIZES, rates=RATES, num_epochs=15, num_updates=150, seed=0):
    """Batch size and learning rate -> the cost per update and per epoch of the three variants.

    X: shape (m, n); y: labels of shape (m,). Every run is made here, once, so that a frame only draws:
    batch (B = m) and stochastic (B = 1) gradient descent once per learning rate, mini-batch once per
    (batch size, learning rate), all from the same seed. The milliseconds per epoch shown for a batch
    size are the median of its timed runs over the learning rates (so they do not jitter with lr).
    """
    m = len(y)
    sizes = {"batch": [m], "mini-batch": list(batch_sizes), "stochastic": [1]}
    runs = {(B, lr): timed_run(X, y, lr, B, num_epochs, num_updates, seed)
            for Bs in sizes.values() for B in Bs for lr in rates}
    ms = {B: float(np.median([runs[B, lr][2] for lr in rates])) for Bs in sizes.values() for B in Bs}
    min_cost, _, _ = lowest_cost(X, y)

    def draw(fig, batch_size, lr):
        chosen = {"batch": m, "mini-batch": batch_size, "stochastic": 1}
        frame = {name: (B, *runs[B, lr][:2], ms[B]) for name, B in chosen.items()}
        return draw_variants(fig, frame, m, lr, min_cost)

    return Explorer(
        draw,
        [
            Control("batch_size", "mini-batch size B", list(batch_sizes), default=32),
            Control("lr", "learning rate", list(rates), default=0.3),
        ],
        figsize=(9.5, 4.4),
        margins=dict(left=0.085, right=0.985, bottom=0.25, top=0.93, wspace=0.08),
        alt="Cost per update and per epoch of batch, mini-batch and stochastic gradient descent on tumour data",
    )


def explorers():
    """Every explorer of the chapter with the book's data: (name, explorer) pairs (for the benchmark)."""
    X, y, _ = tumours()
    yield "variants", variants_explorer(X, y)
