"""Pictures of the chapter on gradient-descent variants (book: ``gradient-descent-variants``).

Batch, stochastic and mini-batch gradient descent on logistic regression: the data are the tumour
measurements of ``nnopt.data.breast_cancer`` in standard units. Every picture that needs an algorithm
takes it as an argument, with the contracts of ps02 and ps04 (``sigmoid``, ``log_loss``,
``log_loss_gradients``, ``minibatch_gradient_descent``): the book passes the reference
implementations, an assignment the student's own. Two book-only pictures also take
``descent_trace(X, y, lr, num_updates, batch_size, rng, shuffle="every epoch", w0=None, b0=0.0) ->
(params, costs)``, mini-batch gradient descent that records every update (``nnref.minibatch``).
"""

import time
from importlib import import_module

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Control, Explorer
from .common import COLORS, PLAIN, SERIES, panels

# one style per variant (colour, line style, marker), the same in every picture of the chapter
VARIANT_STYLES = {"batch": SERIES[0], "mini-batch": SERIES[1], "stochastic": SERIES[2]}
VARIANT_COLORS = {name: style["color"] for name, style in VARIANT_STYLES.items()}


def tumours():
    """The chapter's data: the two tumour measurements in standard units and the labels.

    Returns (X, y, names): X of shape (569, 2) (mean radius and mean texture, each with mean 0 and
    population standard deviation 1), y of shape (569,) with 1 for malignant, and the column names.
    """
    from ..data import breast_cancer

    X, y, names = breast_cancer()
    return (X - X.mean(axis=0)) / X.std(axis=0), y, names


def updates_per_epoch(m, batch_size):
    """``ceil(m / batch_size)``: the number of mini-batches, and so of updates, in one epoch."""
    return -(-m // batch_size)


# -- the noise of a mini-batch gradient ---------------------------------------------------------------

def per_example_gradients(X, y, w, b, log_loss_gradients):
    """The gradient of each example's own log loss at (w, b): shape (m, n + 1), columns (dw..., db)."""
    return np.array([np.append(*log_loss_gradients(X[i:i + 1], y[i:i + 1], w, b)) for i in range(len(y))])


def gradient_noise(X, y, w, b, batch_sizes, rng, log_loss_gradients, num_draws=300):
    """How far mini-batch gradients fall from the full gradient, measured and predicted.

    For each batch size B, ``num_draws`` mini-batches of B distinct examples are drawn at random (the
    first B of ``rng.permutation(m)``) and their gradients (``log_loss_gradients``) compared with the
    full-data gradient at (w, b). Returns (measured, predicted), each of shape (len(batch_sizes),):
    the mean of ``||g_B - grad J||**2`` over the draws, and the formula
    ``sigma2 / B * (m - B) / (m - 1)`` where ``sigma2`` is the mean of ``||g_i - grad J||**2`` over the
    examples' own gradients g_i.
    """
    m = len(y)
    G = per_example_gradients(X, y, w, b, log_loss_gradients)
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
    ax.legend(fontsize=9)
    return ax


# -- what an update costs ---------------------------------------------------------------------------

def time_updates(batch_sizes, log_loss_gradients, num_features=100, seed=0, min_seconds=0.05):
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
                grad_w, grad_b = log_loss_gradients(X_batch, y_batch, w, b)
                w_new, b_new = w - 0.1 * grad_w, b - 0.1 * grad_b
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
    ax.loglog(B, t, **VARIANT_STYLES["batch"], lw=1.8, ms=4, label="per update")
    ax.loglog(B, t / B, **VARIANT_STYLES["stochastic"], lw=1.8, ms=4, label="per example (update time / B)")
    ax.xaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("batch size B")
    ax.set_ylabel("microseconds")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    return ax


# -- paths on the cost surface of a one-feature model ------------------------------------------------

def cost_grid(x, y, sigmoid, log_loss, wlim, blim, n=70):
    """The log loss of the one-feature model sigmoid(w x + b) on a grid over a box of (w, b).

    Returns (ws, bs, values) with values of shape (n, n), rows for b and columns for w.
    """
    ws, bs = np.linspace(*wlim, n), np.linspace(*blim, n)
    values = np.array([[log_loss(sigmoid(w * x + b), y) for w in ws] for b in bs])
    return ws, bs, values


def draw_paths(fig, x, y, lr, num_epochs, batch_sizes, descent_trace, sigmoid, log_loss, best, seed=0,
               xlim=(-0.5, 6.0), ylim=(-3.0, 1.5)):
    """One panel per batch size: the path of (w, b) over ``num_epochs`` epochs on the contours of the cost.

    x: one feature of shape (m,); y: labels of shape (m,); batch_sizes: e.g. (m, 32, 1); best: (w*, b*),
    where the minimum is. Every path starts at the black square (0, 0) with the same seed; the black
    cross marks the minimum. Returns the fig.
    """
    from matplotlib import patheffects

    m = len(y)
    ws, bs, values = cost_grid(x, y, sigmoid, log_loss, xlim, ylim)
    levels = np.geomspace(values.min(), values.max(), 18)
    w_best, b_best = best
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    axes = panels(fig, len(batch_sizes), sharey=True)
    for ax, B in zip(axes, batch_sizes):
        n = num_epochs * updates_per_epoch(m, B)
        params, costs = descent_trace(x[:, None], y, lr, n, B, np.random.default_rng(seed))
        ax.contourf(ws, bs, values, levels=levels, cmap="Blues_r", alpha=0.85)
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

def draw_shuffling(ax, X, y, lr, num_epochs, batch_size, descent_trace, min_cost, seed=0, floor=1e-4):
    """How far above its minimum the cost is after every update of mini-batch GD, for three orders of
    the examples: reshuffled every epoch, shuffled once (the same batches every epoch), and sorted by
    label and never shuffled. X: shape (m, n); y: labels of shape (m,); min_cost: the lowest cost.
    Log y axis, x in epochs. Returns the ax.
    """
    m = len(y)
    order = np.argsort(y, kind="stable")
    per = updates_per_epoch(m, batch_size)
    n = num_epochs * per
    cases = [
        ("reshuffled every epoch", X, y, "every epoch", VARIANT_STYLES["batch"]),
        ("shuffled once: the same batches every epoch", X, y, "once", VARIANT_STYLES["mini-batch"]),
        ("sorted by label, never shuffled", X[order], y[order], "never", VARIANT_STYLES["stochastic"]),
    ]
    for label, Xc, yc, shuffle, style in cases:
        _, costs = descent_trace(Xc, yc, lr, n, batch_size, np.random.default_rng(seed), shuffle=shuffle)
        ax.semilogy(np.arange(n + 1) / per, np.maximum(costs - min_cost, floor), color=style["color"],
                    ls=style["linestyle"], lw=1.0, label=label)
        # the end of each epoch, where the per-epoch cost would be recorded
        ax.plot(np.arange(num_epochs + 1), np.maximum(costs[::per] - min_cost, floor), style["marker"],
                color=style["color"], ms=5)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlim(0, num_epochs)
    ax.set_ylim(floor, 1.0)
    ax.set_xlabel(f"epoch ({per} updates of batch size {batch_size} each; dots at the end of each epoch)")
    ax.set_ylabel("cost − lowest cost")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    return ax


# -- how many epochs: a held-out split ---------------------------------------------------------------

def learning_curves(X, y, X_val, y_val, lr, num_epochs, batch_size, seed, minibatch_gradient_descent, sigmoid,
                    log_loss):
    """The log loss on the training and on the validation data after 0, 1, ..., num_epochs epochs.

    X, y: the training data (m, n) and (m,); X_val, y_val: the held-out data. The parameters after k
    epochs are those of ``minibatch_gradient_descent(X, y, lr, k, batch_size, np.random.default_rng(seed))``:
    a run of k epochs is the first k epochs of a longer one, because the generator draws the same
    permutations in the same order. Returns (train, validation), each of shape (num_epochs + 1,).
    """
    train, validation = [], []
    for k in range(num_epochs + 1):
        w, b, _ = minibatch_gradient_descent(X, y, lr, k, batch_size, np.random.default_rng(seed))
        train.append(log_loss(sigmoid(X @ w + b), y))
        validation.append(log_loss(sigmoid(X_val @ w + b), y_val))
    return np.array(train), np.array(validation)


def draw_learning_curves(ax, train, validation, best=None, stop=None):
    """Training and validation loss against the epoch, with the best epoch and the early stop marked.

    train, validation: shape (k + 1,), the losses after 0..k epochs; best: the epoch of the lowest
    validation loss; stop: the epoch at which early stopping ends the run. Returns the ax.
    """
    epochs = np.arange(len(train))
    every = max(1, len(train) // 12)
    ax.plot(epochs, train, **SERIES[0], markevery=every, ms=4, lw=1.6, label="training data")
    ax.plot(epochs, validation, **SERIES[1], markevery=every, ms=4, lw=1.6, label="validation data")
    if best is not None:
        ax.plot(best, validation[best], "*", color="k", ms=12, label=f"lowest validation loss (epoch {best})")
    if stop is not None:
        ax.axvline(stop, color=COLORS["muted"], ls=":", lw=1.5, label=f"early stop (epoch {stop})")
    ax.set_xlim(0, len(train) - 1)
    ax.set_ylim(min(train.min(), validation.min()) * 0.95, min(0.5, max(train[1:].max(), validation[1:].max()) * 1.1))
    ax.set_xlabel("epoch")
    ax.set_ylabel("log loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")
    return ax


# -- the explorer: three variants side by side ---------------------------------------------------------

def timed_run(X, y, lr, batch_size, num_epochs, minibatch_gradient_descent, seed=0):
    """One variant at one learning rate: its per-epoch costs and its time.

    Returns (per_epoch, ms_per_epoch): the cost after each epoch (shape (num_epochs,), from
    ``minibatch_gradient_descent``) and the wall time of that call per epoch in milliseconds (measured
    once, so it varies a little from run to run).
    """
    tic = time.perf_counter()
    _, _, costs = minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, np.random.default_rng(seed))
    ms = 1000 * (time.perf_counter() - tic) / num_epochs
    return np.asarray(costs, dtype=np.float64), ms


def draw_variants(fig, runs, m, lr, min_cost, ylim=(1e-4, 4.0)):
    """How far the cost is above its minimum against epochs and, when the runs have them, against updates.

    runs: ``{name: (batch_size, per_update, per_epoch, ms_per_epoch)}`` for the names of
    ``VARIANT_STYLES``: per_update (the cost before and after each of the first updates, from
    ``descent_trace``, or None), per_epoch (the cost at the start and after each epoch); m: the number of
    examples; min_cost: the lowest possible cost. The y axes are logarithmic: a cost within ``ylim[0]`` of
    the minimum is drawn on the bottom edge. A legend below the panels gives each variant's updates and
    measured milliseconds per epoch. Returns the fig.
    """
    per_update_shown = all(run[1] is not None for run in runs.values())
    # shared y axis: one set of tick labels; fixed ticks and title positions keep a redraw cheap
    axes = panels(fig, 2 if per_update_shown else 1, sharey=True)
    ax_up, ax_ep = (axes[0], axes[1]) if per_update_shown else (None, axes[0])
    floor = ylim[0]
    for name, (B, per_update, per_epoch, ms) in runs.items():
        style = VARIANT_STYLES[name]
        per = updates_per_epoch(m, B)
        label = f"{name}, B = {B}: {per} update{'s' * (per > 1)} and {ms:.2g} ms per epoch"
        if per_update_shown:
            # batch GD on top: per update, mini-batch GD often runs right along it
            ax_up.semilogy(np.arange(len(per_update)), np.maximum(per_update - min_cost, floor), color=style["color"],
                           ls=style["linestyle"], lw=1.3, zorder=3 if name == "batch" else 2, label=label)
        ax_ep.semilogy(np.arange(len(per_epoch)), np.maximum(per_epoch - min_cost, floor), **style, lw=1.6, ms=3,
                       label=None if per_update_shown else label)
    shown = [ax for ax in (ax_up, ax_ep) if ax is not None]
    shown[0].set_ylim(*ylim)
    shown[0].set_yticks([t for t in (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0) if ylim[0] <= t <= ylim[1]])
    shown[0].yaxis.set_major_formatter(PLAIN)
    shown[0].yaxis.set_minor_locator(NullLocator())
    shown[0].set_ylabel("cost − lowest cost")
    lengths = {ax_up: "update (iteration)", ax_ep: "epoch (one pass over the data)"}
    for ax in shown:
        n = len(next(iter(runs.values()))[1 if ax is ax_up else 2]) - 1
        ax.set_xlim(0, n)
        ax.set_xticks(np.linspace(0, n, 6 if n % 5 == 0 else 2))
        ax.set_xlabel(lengths[ax])
        ax.grid(True, which="major", alpha=0.3)
    if per_update_shown:
        ax_up.set_title(f"per update: the first {len(per_update) - 1} updates, lr = {lr:g}", fontsize=10, y=1.01)
    ax_ep.set_title(f"per epoch: {len(per_epoch) - 1} epochs, lr = {lr:g}", fontsize=10, y=1.01)
    # one legend for all panels, below them, with the measured time per epoch of each variant
    fig.legend(*shown[0].get_legend_handles_labels(), loc="lower center", ncol=1 if len(shown) == 1 else 2,
               fontsize=9, frameon=False, handlelength=2.5, columnspacing=2.0)
    return fig


BATCH_SIZES = [2, 4, 8, 16, 32, 64, 128, 256]
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def variants_explorer(X, y, minibatch_gradient_descent, min_cost, descent_trace=None, batch_sizes=BATCH_SIZES,
                      rates=RATES, num_epochs=15, num_updates=150, seed=0):
    """Batch size and learning rate -> the cost per epoch (and per update) of the three variants.

    X: shape (m, n); y: labels of shape (m,); minibatch_gradient_descent: the function of ps04; min_cost:
    the lowest possible cost; descent_trace: see the module's docstring, for the per-update panel (None:
    no such panel). Every run is made here, once, so that a frame only draws: batch (B = m) and
    stochastic (B = 1) gradient descent once per learning rate, mini-batch once per (batch size, learning
    rate), all from the same seed. The milliseconds per epoch shown for a batch size are the median of its
    timed runs over the learning rates (so they do not jitter with lr).
    """
    m = len(y)
    sizes = [m, *batch_sizes, 1]
    runs = {(B, lr): timed_run(X, y, lr, B, num_epochs, minibatch_gradient_descent, seed) for B in sizes for lr in rates}
    ms = {B: float(np.median([runs[B, lr][1] for lr in rates])) for B in sizes}
    traces = {} if descent_trace is None else {
        (B, lr): descent_trace(X, y, lr, num_updates, B, np.random.default_rng(seed))[1] for B in sizes for lr in rates}
    cost_at_zero = np.log(2.0)  # every run starts from w = 0, b = 0, where every prediction is 1/2

    def per_epoch(B, lr):
        return np.concatenate([[cost_at_zero], runs[B, lr][0]])

    def draw(fig, batch_size, lr):
        chosen = {"batch": m, "mini-batch": batch_size, "stochastic": 1}
        frame = {name: (B, traces.get((B, lr)), per_epoch(B, lr), ms[B]) for name, B in chosen.items()}
        return draw_variants(fig, frame, m, lr, min_cost)

    def alt(batch_size, lr):
        gaps = {name: runs[B, lr][0][-1] - min_cost for name, B in (("batch", m), ("mini-batch", batch_size),
                                                                     ("stochastic", 1))}
        return (f"Learning rate {lr:g}, mini-batches of {batch_size}: after {num_epochs} epochs the cost is "
                + "; ".join(f"{gap:.2g} above its minimum for {name} gradient descent" for name, gap in gaps.items()))

    return Explorer(
        draw,
        [
            Control("batch_size", "mini-batch size B", list(batch_sizes), default=32, fmt="{:d}"),
            Control("lr", "learning rate", list(rates), default=0.3),
        ],
        figsize=(9.5, 4.4),
        narrow_figsize=(4.6, 8.0),
        margins=dict(left=0.085, right=0.985, bottom=0.25, top=0.93, wspace=0.08),
        alt=alt,
    )


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    mb = import_module(f"{ref.__name__}.minibatch")
    X, y, _ = tumours()
    min_cost, _, _ = mb.lowest_cost(X, y)
    yield "variants", variants_explorer(X, y, mb.minibatch_gradient_descent, min_cost, mb.descent_trace)
