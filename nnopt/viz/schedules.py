"""Pictures of the learning-rate decay chapter (book: ``learning-rate-decay``).

Two kinds of picture: the schedules themselves (learning rate against epoch), and mini-batch
stochastic gradient descent on the cars data of the perceptron chapter with and without decay
(how close to the minimum each run ends).

Epoch numbering (stated once for the whole module): the learning rate used during pass ``e + 1``
through the data is the schedule at ``epoch = e``, the number of passes completed before it
(PyTorch's convention; the first pass uses epoch 0). The inverse square root is undefined at 0,
so it is evaluated at ``max(e, 1)``, as a guarded ``LambdaLR`` would.
"""

import math

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from ..data import cars, standardize_column
from ..explorer import Control, Explorer
from nnref.minibatch import make_minibatches
from nnref.schedules import schedule
from .common import COLORS, PLAIN

# colours of the two runs compared in every SGD picture
CONSTANT = COLORS["model"]
DECAYED = COLORS["data"]

# one colour per schedule, the same in every picture of the chapter
SCHEDULE_COLORS = {
    "time_based": "#4c72b0",
    "exponential": "#c44e52",
    "step": "#dd8452",
    "inverse_sqrt": "#55a868",
    "staircase": "#8172b3",
}

# the schedules of the SGD pictures (30 epochs): display label -> (name, hyper-parameters)
SGD_SCHEDULES = {
    "time-based": ("time_based", dict(decay_rate=1.0)),
    "exponential": ("exponential", dict(gamma=0.9)),
    "step": ("step", dict(drop=0.5, epochs_drop=5)),
    "1/sqrt(epoch)": ("inverse_sqrt", dict(k=1.0)),
    "staircase": ("staircase", dict(decay_rate=1.0, interval=5)),
}


def learning_rates(name, lr0, num_epochs, **params):
    """The learning rate of each pass through the data: shape (num_epochs,).

    Entry ``e`` is the schedule ``name`` (a key of ``nnref.schedules.SCHEDULES``) at epoch ``e``, the
    number of passes completed before it; ``name=None`` gives the constant rate ``lr0``. The inverse
    square root, undefined at 0, is evaluated at ``max(e, 1)``.
    """
    epochs = np.arange(num_epochs)
    if name is None:
        return np.full(num_epochs, float(lr0))
    if name == "inverse_sqrt":
        epochs = np.maximum(epochs, 1)
    return schedule(name, lr0, epochs, **params)


def family(d, interval):
    """Hyper-parameters of the five schedules built from one decay rate ``d`` and a step ``interval``.

    Time-based decay uses ``decay_rate = d`` and exponential decay ``gamma = exp(-d)``, so both start
    with the slope ``-d * lr0``. Step decay with ``drop = exp(-d * interval)`` equals exponential decay
    at every multiple of ``interval``, and the staircase with ``decay_rate = d * interval`` equals
    time-based decay there: each piecewise-constant schedule samples a smooth one. The inverse square
    root uses ``k = 1``. Returns {name: params}.
    """
    return {
        "time_based": dict(decay_rate=d),
        "exponential": dict(gamma=math.exp(-d)),
        "step": dict(drop=math.exp(-d * interval), epochs_drop=interval),
        "inverse_sqrt": dict(k=1.0),
        "staircase": dict(decay_rate=d * interval, interval=interval),
    }


def _label(name, params):
    """A legend entry naming the schedule and its hyper-parameters."""
    p = params
    return {
        "time_based": lambda: f"time-based, d = {p.get('decay_rate', 0):g}",
        "exponential": lambda: f"exponential, γ = {p.get('gamma', 1):.3g}",
        "step": lambda: f"step, ×{p.get('drop', 1):.3g} every {p.get('epochs_drop', 1)}",
        "inverse_sqrt": lambda: f"k/√epoch, k = {p.get('k', 1):g}",
        "staircase": lambda: f"staircase, d = {p.get('decay_rate', 0):g} every {p.get('interval', 1)}",
    }[name]()


def _few_ticks(ax, axis="both"):
    """At most about four major ticks on the linear axes (ticks are most of the cost of a redraw)."""
    if axis in ("x", "both"):
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
    if axis in ("y", "both"):
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))


def _log_axis(ax):
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_locator(NullLocator())  # minor ticks on a log axis cost a third of a redraw


def draw_schedules(ax, lr0, num_epochs, params, names=None, log=False, ylim=None, dashed=()):
    """Learning rate against epoch for several schedules. Returns the ax.

    lr0: initial learning rate; num_epochs: epochs 0..num_epochs - 1 are drawn (the inverse square
    root from epoch 1, where it is defined); params: {name: hyper-parameters} as from :func:`family`;
    names: which of them to draw (all by default); log: a logarithmic learning-rate axis; dashed:
    names drawn thin and dashed (for reference). Piecewise-constant schedules are drawn as steps.
    """
    names = list(params) if names is None else names
    epochs = np.arange(num_epochs)
    for name in names:
        start = 1 if name == "inverse_sqrt" else 0
        lrs = schedule(name, lr0, epochs[start:], **params[name])
        style = dict(color=SCHEDULE_COLORS[name], lw=1.8)
        if name in dashed:
            style.update(lw=1.0, ls="--", alpha=0.7)
        if name in ("step", "staircase"):
            style["drawstyle"] = "steps-post"
        ax.plot(epochs[start:], lrs, label=_label(name, params[name]), **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_xlim(0, num_epochs - 1)
    if log:
        _log_axis(ax)
    if ylim is not None:
        ax.set_ylim(ylim)
    ax.grid(True, alpha=0.3)
    return ax


def draw_schedule_panels(fig, lr0, d, interval, log=False, num_epochs=51):
    """The five schedules of :func:`family` in two panels: smooth ones, and piecewise-constant ones
    drawn over the smooth curves they sample (dashed). Returns the fig."""
    params = family(d, interval)
    ax_smooth, ax_steps = fig.subplots(1, 2, sharey=True)
    ylim = (1e-5, 0.3) if log else (0, 0.21)
    draw_schedules(ax_smooth, lr0, num_epochs, params, ["time_based", "exponential", "inverse_sqrt"], log, ylim)
    ax_smooth.set_title(f"smooth schedules, lr0 = {lr0:g}", fontsize=10)
    draw_schedules(ax_steps, lr0, num_epochs, params, ["time_based", "exponential", "step", "staircase"], log,
                   ylim, dashed=("time_based", "exponential"))
    ax_steps.set_title("piecewise constant, over the smooth curves they sample", fontsize=10)
    ax_steps.set_ylabel("")
    for ax in (ax_smooth, ax_steps):
        ax.legend(fontsize=8, loc="lower left" if log else "upper right")
    return fig


def schedules_explorer():
    """lr0, decay rate d, step interval and axis scale -> the five schedules (an :class:`Explorer`)."""
    return Explorer(
        lambda fig, lr0, d, interval, scale: draw_schedule_panels(fig, lr0, d, interval, log=scale == "log"),
        [
            Control("lr0", "initial learning rate lr0", [0.1, 0.2], default=0.2),
            Control("d", "decay rate d", [0.02, 0.05, 0.1, 0.2, 0.5, 1.0], default=0.1),
            Control("interval", "step every (epochs)", [5, 10], default=10),
            Control("scale", "learning-rate axis", ["linear", "log"], default="linear", fmt="{}"),
        ],
        margins=dict(left=0.085, right=0.99, bottom=0.16, top=0.9, wspace=0.06),
        alt="Learning rate against epoch for time-based, exponential, step, inverse square-root and staircase decay",
    )


# -- mini-batch SGD with and without decay ----------------------------------------------------------


def least_squares(x, y):
    """The minimum (w*, b*) of the squared-error cost of one feature x (shape (m,)): shape (2,)."""
    slope = np.cov(x, y, bias=True)[0, 1] / np.var(x)
    return np.array([slope, y.mean() - slope * x.mean()])


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
    w_star, b_star = least_squares(x, y)
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


def noise_floor(x, y, lr, batch_size):
    """The root-mean-square distance to the minimum at which SGD with a constant ``lr`` settles.

    The book's model (x in standard units, so the curvature is 1): ``sqrt(lr * tr / (B * (2 - lr)))``,
    with ``tr`` the total variance of the per-example gradients at the minimum and ``B`` the batch size.
    """
    w_star, b_star = least_squares(x, y)
    residual = w_star * x + b_star - y
    trace = np.var(residual * x) + np.var(residual)
    return math.sqrt(lr * trace / (batch_size * (2 - lr)))


def cars_standardized():
    """The perceptron chapter's data: car weight in standard units and miles per gallon, shape (398,) each."""
    weight, mpg = cars()
    z, _, _ = standardize_column(weight)
    return z, mpg


def _plot_distance(ax, start, rms, **style):
    """The distance at the start, then the RMS distance during each epoch (plotted at its end)."""
    return ax.plot(np.arange(len(rms) + 1), np.append(start, rms), **style)[0]


def _distance_axis(ax, num_epochs):
    _log_axis(ax)
    ax.set_xlabel("epoch (passes through the data)")
    ax.set_ylabel("distance to the minimum (RMS)")
    ax.set_xlim(0, num_epochs)
    ax.grid(True, alpha=0.3)
    _few_ticks(ax, "x")


def draw_noise_floor(ax, x, y, lrs, batch_size=1, num_epochs=30, seed=0):
    """Distance to the minimum against epoch for constant learning rates ``lrs``. Returns the ax.

    Solid: the RMS distance during each epoch of one run; dotted: :func:`noise_floor`.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    run = sgd_runs(x, y, np.repeat(lrs[:, None], num_epochs, axis=1), batch_size, np.random.default_rng(seed),
                   keep_last=0)
    start = np.linalg.norm(least_squares(x, y))
    colors = ["#9ecae1", "#4292c6", "#2171b5", "#08306b"] if len(lrs) <= 4 else [None] * len(lrs)
    for lr, rms, color in zip(lrs, run["rms"], colors):
        line = _plot_distance(ax, start, rms, color=color, lw=1.6, label=f"lr = {lr:g}")
        ax.axhline(noise_floor(x, y, lr, batch_size), color=line.get_color(), ls=":", lw=1.2)
    _distance_axis(ax, num_epochs)
    ax.legend(fontsize=8, loc="upper right")
    return ax


def decay_runs(x, y, lr0s, batch_sizes, num_epochs=30, seed=0, schedules=None):
    """Precompute SGD with a constant rate and with every schedule, for every lr0 and batch size.

    Returns {batch_size: dict(lrs, ends, rms, cloud)} (see :func:`sgd_runs`) where row ``i * (1 + S)``
    is the constant rate ``lr0s[i]`` and row ``i * (1 + S) + 1 + j`` is schedule j of ``schedules``
    (a dict label -> (name, params), :data:`SGD_SCHEDULES` by default) from that lr0.
    Every batch size uses the same seed.
    """
    schedules = SGD_SCHEDULES if schedules is None else schedules
    rows = []
    for lr0 in lr0s:
        rows.append(learning_rates(None, lr0, num_epochs))
        rows += [learning_rates(name, lr0, num_epochs, **params) for name, params in schedules.values()]
    lrs = np.array(rows)
    return {bs: dict(lrs=lrs, **sgd_runs(x, y, lrs, bs, np.random.default_rng(seed))) for bs in batch_sizes}


def draw_decay_comparison(fig, lrs, run, minimum, label, batch_size, floor=None, half_width=2.5):
    """Three panels comparing two SGD runs (row 0 constant, row 1 decayed) on a cost with curvature 1.

    lrs: shape (2, T); run: a dict of :func:`sgd_runs` for those two rows; minimum: (w*, b*); floor:
    the constant run's :func:`noise_floor`, drawn dotted if given. Left: the learning rates; middle:
    the iterates of the last epochs near the minimum, with circles of equal cost; right: the RMS
    distance to the minimum during each epoch. Returns the fig.
    """
    ax_lr, ax_near, ax_dist = fig.subplots(1, 3)
    num_epochs = lrs.shape[1]
    names = ["constant", label]
    colors = [CONSTANT, DECAYED]
    for k in range(2):
        # rate lrs[k, e] holds during pass e + 1, from epoch e to e + 1
        ax_lr.plot(np.arange(num_epochs + 1), np.append(lrs[k], lrs[k, -1]), color=colors[k], lw=1.8,
                   drawstyle="steps-post", label=names[k])
    ax_lr.set_ylim(0, 1.1 * lrs.max())
    ax_lr.set_xlim(0, num_epochs)
    ax_lr.set_xlabel("epoch")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title(f"learning rates, batch size {batch_size}", fontsize=10)
    ax_lr.legend(fontsize=8)
    ax_lr.grid(True, alpha=0.3)
    _few_ticks(ax_lr)

    # the cost is a round bowl here (curvature 1 both ways): its contours are circles about the minimum
    angle = np.linspace(0, 2 * np.pi, 100)
    for radius in (0.5, 1, 2):
        ax_near.plot(minimum[0] + radius * np.cos(angle), minimum[1] + radius * np.sin(angle),
                     color=COLORS["muted"], lw=0.6, alpha=0.6)
    cloud, ends = run["cloud"], run["ends"]
    step = max(1, cloud.shape[1] // 400)  # at most ~400 dots a run keeps the redraw fast
    for k in range(2):
        ax_near.plot(cloud[k, ::step, 0], cloud[k, ::step, 1], ".", color=colors[k], ms=2.5, alpha=0.6)
        ax_near.plot(*ends[k, -1], "*", color=colors[k], ms=11, mec="black", mew=0.5)
    ax_near.plot(*minimum, "+", color="black", ms=12, mew=1.5)
    outside = [names[k] for k in range(2) if np.max(np.abs(ends[k, -1] - minimum)) > half_width]
    if outside:
        ax_near.text(0.03, 0.03, " and ".join(outside) + ": ends outside this box", transform=ax_near.transAxes,
                     fontsize=8, color="black")
    ax_near.set_xlim(minimum[0] - half_width, minimum[0] + half_width)
    ax_near.set_ylim(minimum[1] - half_width, minimum[1] + half_width)
    ax_near.set_aspect("equal")
    _few_ticks(ax_near)
    ax_near.set_xlabel("w")
    ax_near.set_ylabel("b")
    ax_near.set_title("last 5 epochs near the minimum (+)", fontsize=10)

    start = np.linalg.norm(ends[0, 0] - minimum)
    for k in range(2):
        _plot_distance(ax_dist, start, run["rms"][k], color=colors[k], lw=1.6)
    if floor is not None:
        ax_dist.axhline(floor, color=CONSTANT, ls=":", lw=1.2)
    _distance_axis(ax_dist, num_epochs)
    ax_dist.set_ylim(1e-3, 50)
    final = run["rms"][:, -1]
    ax_dist.set_title(f"last epoch: {final[0]:.2g} (constant) vs {final[1]:.2g}", fontsize=10)
    return fig


def decay_explorer(x, y, num_epochs=30, seed=0):
    """Schedule, lr0 and batch size -> SGD with and without that decay (an :class:`Explorer`).

    x, y: data of shape (m,) with x in standard units. Every run is computed once, here.
    """
    lr0s = [0.01, 0.03, 0.1, 0.3]
    batch_sizes = [1, 8, 32]
    labels = list(SGD_SCHEDULES)
    runs = decay_runs(x, y, lr0s, batch_sizes, num_epochs, seed)
    minimum = least_squares(x, y)

    floors = {(lr0, bs): noise_floor(x, y, lr0, bs) for lr0 in lr0s for bs in batch_sizes}

    def draw(fig, schedule_label, lr0, batch_size):
        run = runs[batch_size]
        i = lr0s.index(lr0) * (1 + len(labels))
        rows = [i, i + 1 + labels.index(schedule_label)]
        two = {key: run[key][rows] for key in ("ends", "rms", "cloud")}
        return draw_decay_comparison(fig, run["lrs"][rows], two, minimum, schedule_label, batch_size,
                                     floors[lr0, batch_size])

    return Explorer(
        draw,
        [
            Control("schedule_label", "schedule", labels, default="exponential", fmt="{}"),
            Control("lr0", "initial learning rate lr0", lr0s, default=0.1),
            Control("batch_size", "batch size", batch_sizes, default=1),
        ],
        margins=dict(left=0.075, right=0.98, bottom=0.16, top=0.9, wspace=0.38),
        alt="Mini-batch SGD on the cars data with a constant learning rate and with a decaying one",
    )


def explorers():
    """Every explorer of the chapter with the book's data: (name, explorer) pairs (for the benchmark)."""
    yield "schedules", schedules_explorer()
    x, y = cars_standardized()
    yield "decay", decay_explorer(x, y)
