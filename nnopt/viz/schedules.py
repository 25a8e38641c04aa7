"""Pictures of the learning-rate decay chapter (book: ``learning-rate-decay``).

Two kinds of picture: the schedules themselves (learning rate against epoch), and mini-batch
stochastic gradient descent on the cars data of the perceptron chapter with and without decay
(how close to the minimum each run ends).

Every picture that needs a schedule takes the schedule functions as an argument, ``rules``: a dict
from the names of :data:`NAMES` to functions with the contracts of ps07 (``time_based_decay``,
``exponential_decay``, ...), called with keywords, ``rule(lr0=..., epoch=..., **params)``. The book
passes the reference implementations, an assignment the student's own. The SGD runs are computed by a
function passed in too (the book's is ``nnref.schedules.sgd_runs``).

Epoch numbering (stated once for the whole module): the learning rate used during pass ``e + 1``
through the data is the schedule at ``epoch = e``, the number of passes completed before it
(PyTorch's convention; the first pass uses epoch 0). The inverse square root is undefined at 0,
so it is evaluated at ``max(e, 1)``, as a guarded ``LambdaLR`` would.
"""

import math
from importlib import import_module

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from ..data import cars, standardize_column
from ..explorer import Control, Explorer
from .common import COLORS, PLAIN, SERIES, panels

# the schedules of the chapter, in the order of the book; each has one style in every picture
NAMES = ("time_based", "exponential", "step", "inverse_sqrt", "staircase", "cosine", "warmup_cosine")
STYLES = dict(zip(NAMES, SERIES))
# the constant learning rate every SGD picture compares with: grey, no marker
CONSTANT = dict(color=COLORS["muted"], linestyle="-")


def sgd_schedules(num_epochs=30):
    """The schedules of the SGD pictures for a run of ``num_epochs``: {label: (name, params)}.

    Five of the seven (the inverse square root and the staircase behave like time-based decay here),
    so that the explorer keeps to 5 x 4 x 3 = 60 frames.
    """
    return {
        "time-based": ("time_based", dict(decay_rate=1.0)),
        "exponential": ("exponential", dict(gamma=0.9)),
        "step": ("step", dict(drop=0.5, epochs_drop=5)),
        "cosine": ("cosine", dict(lr_min=0.0, total_epochs=num_epochs)),
        "warm-up + cosine": ("warmup_cosine", dict(lr_min=0.0, warmup_epochs=3, total_epochs=num_epochs)),
    }


def learning_rates(rules, name, lr0, num_epochs, **params):
    """The learning rate of each pass through the data: shape (num_epochs,).

    Entry ``e`` is the schedule ``rules[name]`` at epoch ``e``, the number of passes completed before
    it; ``name=None`` gives the constant rate ``lr0``. The inverse square root, undefined at 0, is
    evaluated at ``max(e, 1)``.
    """
    if name is None:
        return np.full(num_epochs, float(lr0))
    first = 1 if name == "inverse_sqrt" else 0
    rule = rules[name]
    return np.array([float(rule(lr0=lr0, epoch=max(e, first), **params)) for e in range(num_epochs)])


def family(d, interval, warmup=5, num_epochs=51):
    """Hyper-parameters of the seven schedules built from one decay rate ``d`` and a step ``interval``.

    Time-based decay uses ``decay_rate = d`` and exponential decay ``gamma = exp(-d)``, so both start
    with the slope ``-d * lr0``. Step decay with ``drop = exp(-d * interval)`` equals exponential decay
    at every multiple of ``interval``, and the staircase with ``decay_rate = d * interval`` equals
    time-based decay there: each piecewise-constant schedule samples a smooth one. The inverse square
    root uses ``k = 1``. Cosine annealing goes from lr0 to 0 over the ``num_epochs - 1`` epochs drawn,
    and the warm-up + cosine schedule first warms up for ``warmup`` epochs. Returns {name: params}.
    """
    total = num_epochs - 1
    return {
        "time_based": dict(decay_rate=d),
        "exponential": dict(gamma=math.exp(-d)),
        "step": dict(drop=math.exp(-d * interval), epochs_drop=interval),
        "inverse_sqrt": dict(k=1.0),
        "staircase": dict(decay_rate=d * interval, interval=interval),
        "cosine": dict(lr_min=0.0, total_epochs=total),
        "warmup_cosine": dict(lr_min=0.0, warmup_epochs=warmup, total_epochs=total),
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
        "cosine": lambda: f"cosine, to {p.get('lr_min', 0):g} at {p.get('total_epochs')}",
        "warmup_cosine": lambda: f"{p.get('warmup_epochs')} warm-up + cosine",
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


def draw_schedules(ax, rules, lr0, num_epochs, params, names=None, log=False, ylim=None, thin=()):
    """Learning rate against epoch for several schedules. Returns the ax.

    rules: {name: schedule function} (see the module's docstring); lr0: initial learning rate;
    num_epochs: epochs 0..num_epochs - 1 are drawn (the inverse square root from epoch 1, where it is
    defined); params: {name: hyper-parameters} as from :func:`family`; names: which of them to draw
    (all by default); log: a logarithmic learning-rate axis; thin: names drawn thin and without
    markers (the smooth curves that piecewise-constant ones sample). Step-wise schedules are drawn as steps.
    """
    names = list(params) if names is None else names
    epochs = np.arange(num_epochs)
    for name in names:
        start = 1 if name == "inverse_sqrt" else 0
        lrs = [float(rules[name](lr0=lr0, epoch=int(e), **params[name])) for e in epochs[start:]]
        style = dict(STYLES[name], lw=1.8, ms=4, markevery=max(1, num_epochs // 8))
        label = _label(name, params[name])
        if name in thin:
            # the smooth curves a step schedule samples: thin, and named in the legend of the panel before
            style.update(lw=1.0, alpha=0.6, marker="")
            label = "_nolegend_"
        if name in ("step", "staircase"):
            style["drawstyle"] = "steps-post"
        ax.plot(epochs[start:], lrs, label=label, **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_xlim(0, num_epochs - 1)
    if log:
        _log_axis(ax)
        _few_ticks(ax, "x")
    else:
        _few_ticks(ax)
    if ylim is not None:
        ax.set_ylim(ylim)
    ax.grid(True, alpha=0.3)
    return ax


SMOOTH = ["time_based", "exponential", "inverse_sqrt"]
PIECEWISE = ["time_based", "exponential", "step", "staircase"]
ANNEALING = ["cosine", "warmup_cosine"]


def draw_schedule_panels(fig, rules, lr0, d, interval, warmup=5, log=False, num_epochs=51):
    """The seven schedules of :func:`family` in three panels: the smooth ones; the piecewise-constant
    ones over the smooth curves they sample (thin); cosine annealing without and with warm-up.
    Returns the fig."""
    params = family(d, interval, warmup, num_epochs)
    axes = panels(fig, 3, sharey=True)
    ylim = (1e-4, 0.3) if log else (0, 0.21)
    draw_schedules(axes[0], rules, lr0, num_epochs, params, SMOOTH, log, ylim)
    axes[0].set_title(f"smooth decay, lr0 = {lr0:g}", fontsize=10, y=1.0, pad=4)
    draw_schedules(axes[1], rules, lr0, num_epochs, params, PIECEWISE, log, ylim, thin=("time_based", "exponential"))
    axes[1].set_title("piecewise constant (thin: sampled)", fontsize=10, y=1.0, pad=4)
    draw_schedules(axes[2], rules, lr0, num_epochs, params, ANNEALING, log, ylim)
    axes[2].set_title("cosine, without and with warm-up", fontsize=10, y=1.0, pad=4)
    for ax in axes[1:]:
        ax.set_ylabel("")
    for ax in axes:
        ax.legend(fontsize=9, loc="lower left" if log else "upper right", handlelength=2.5, borderaxespad=0.3)
    return fig


def schedules_alt(rules, lr0=0.2, num_epochs=51):
    """The alt text of :func:`schedules_explorer`'s frames: a function of the controls' values."""

    def alt(d, interval, warmup, scale):
        params = family(d, interval, warmup, num_epochs)
        last = num_epochs - 1
        ends = ", ".join(f"{_label(name, params[name])} ends at {rules[name](lr0=lr0, epoch=last, **params[name]):.2g}"
                         for name in ("time_based", "exponential", "step", "inverse_sqrt", "staircase"))
        axis = "a logarithmic" if scale == "log" else "a linear"
        return (f"Learning rate against epoch (0 to {last}) on {axis} axis, from lr0 = {lr0:g}: {ends}. "
                f"Cosine annealing falls from {lr0:g} to 0 along half a cosine wave; with {warmup} warm-up "
                f"epochs it first rises in a straight line from {lr0 / (warmup + 1):.2g} to {lr0:g}.")

    return alt


def schedules_explorer(rules, lr0=0.2):
    """Decay rate d, step interval, warm-up epochs and axis scale -> the seven schedules (an :class:`Explorer`).

    rules: {name: schedule function} for every name of :data:`NAMES`.
    """
    missing = set(NAMES) - set(rules)
    if missing:
        raise ValueError(f"rules must hold a function for each of {NAMES}; missing {sorted(missing)}")
    return Explorer(
        lambda fig, d, interval, warmup, scale: draw_schedule_panels(fig, rules, lr0, d, interval, warmup,
                                                                     log=scale == "log"),
        [
            Control("d", "decay rate d", [0.02, 0.05, 0.1, 0.2, 0.5], default=0.1),
            Control("interval", "step every (epochs)", [5, 10], default=10, fmt="{:d}"),
            Control("warmup", "warm-up epochs", [0, 5, 10], default=5, fmt="{:d}"),
            Control("scale", "logarithmic learning-rate axis", ["linear", "log"], kind="toggle", fmt="{}"),
        ],
        figsize=(10, 3.8),
        narrow_figsize=(4.6, 10.5),
        margins=dict(left=0.085, right=0.99, bottom=0.13, top=0.92, wspace=0.06),
        alt=schedules_alt(rules, lr0),
    )


# -- mini-batch SGD with and without decay ----------------------------------------------------------


def least_squares(x, y):
    """The minimum (w*, b*) of the squared-error cost of one feature x (shape (m,)): shape (2,)."""
    slope = np.cov(x, y, bias=True)[0, 1] / np.var(x)
    return np.array([slope, y.mean() - slope * x.mean()])


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


def draw_noise_floor(ax, x, y, lrs, sgd_runs, batch_size=1, num_epochs=30, seed=0):
    """Distance to the minimum against epoch for constant learning rates ``lrs``. Returns the ax.

    sgd_runs: the function that runs SGD (``nnref.schedules.sgd_runs``). Solid: the RMS distance during
    each epoch of one run; dotted: :func:`noise_floor`, in the colour of its run.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    run = sgd_runs(x, y, np.repeat(lrs[:, None], num_epochs, axis=1), batch_size, np.random.default_rng(seed),
                   keep_last=0)
    start = np.linalg.norm(least_squares(x, y))
    for k, (lr, rms) in enumerate(zip(lrs, run["rms"])):
        style = SERIES[k % len(SERIES)]
        _plot_distance(ax, start, rms, color=style["color"], marker=style["marker"], markevery=5, ms=4, lw=1.6,
                       label=f"lr = {lr:g}")
        ax.axhline(noise_floor(x, y, lr, batch_size), color=style["color"], ls=":", lw=1.2)
    _distance_axis(ax, num_epochs)
    ax.legend(fontsize=9, loc="upper right")
    return ax


def decay_runs(x, y, lr0s, batch_sizes, rules, sgd_runs, num_epochs=30, seed=0, schedules=None):
    """Precompute SGD with a constant rate and with every schedule, for every lr0 and batch size.

    rules: {name: schedule function}; sgd_runs: the function that runs SGD (``nnref.schedules.sgd_runs``).
    Returns {batch_size: dict(lrs, ends, rms, cloud)} (see ``sgd_runs``) where row ``i * (1 + S)``
    is the constant rate ``lr0s[i]`` and row ``i * (1 + S) + 1 + j`` is schedule j of ``schedules``
    (a dict label -> (name, params), :func:`sgd_schedules` by default) from that lr0.
    Every batch size uses the same seed.
    """
    schedules = sgd_schedules(num_epochs) if schedules is None else schedules
    rows = []
    for lr0 in lr0s:
        rows.append(learning_rates(rules, None, lr0, num_epochs))
        rows += [learning_rates(rules, name, lr0, num_epochs, **params) for name, params in schedules.values()]
    lrs = np.array(rows)
    return {bs: dict(lrs=lrs, **sgd_runs(x, y, lrs, bs, np.random.default_rng(seed))) for bs in batch_sizes}


def draw_decay_comparison(fig, lrs, run, minimum, label, batch_size, style, floor=None, half_width=2.5):
    """Three panels comparing two SGD runs (row 0 constant, row 1 decayed) on a cost with curvature 1.

    lrs: shape (2, T); run: a dict of ``sgd_runs`` for those two rows; minimum: (w*, b*); label and
    style: the decayed run's legend entry and line style (from :data:`STYLES`); floor: the constant run's
    :func:`noise_floor`, drawn dotted if given. Left: the learning rates; middle: the iterates of the
    last epochs near the minimum, with circles of equal cost; right: the RMS distance to the minimum
    during each epoch. Returns the fig.
    """
    ax_lr, ax_near, ax_dist = panels(fig, 3)
    num_epochs = lrs.shape[1]
    names = ["constant", label]
    styles = [dict(CONSTANT), dict(color=style["color"], linestyle=style["linestyle"])]
    for k in range(2):
        # rate lrs[k, e] holds during pass e + 1, from epoch e to e + 1
        ax_lr.plot(np.arange(num_epochs + 1), np.append(lrs[k], lrs[k, -1]), lw=1.8, drawstyle="steps-post",
                   label=names[k], **styles[k])
    ax_lr.set_ylim(0, 1.1 * lrs.max())
    ax_lr.set_xlim(0, num_epochs)
    ax_lr.set_xlabel("epoch")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title(f"learning rates, batch size {batch_size}", fontsize=10, y=1.0, pad=4)
    ax_lr.legend(fontsize=9)
    ax_lr.grid(True, alpha=0.3)
    _few_ticks(ax_lr)

    # the cost is a round bowl here (curvature 1 both ways): its contours are circles about the minimum
    angle = np.linspace(0, 2 * np.pi, 100)
    for radius in (0.5, 1, 2):
        ax_near.plot(minimum[0] + radius * np.cos(angle), minimum[1] + radius * np.sin(angle),
                     color=COLORS["muted"], lw=0.6, alpha=0.6)
    cloud, ends = run["cloud"], run["ends"]
    step = max(1, cloud.shape[1] // 400)  # at most ~400 dots a run keeps the redraw fast
    # the two clouds differ in marker as well as colour: crosses for the constant rate, dots for the decay
    for k, marker, size in ((0, "x", 3), (1, "o", 2.5)):
        ax_near.plot(cloud[k, ::step, 0], cloud[k, ::step, 1], marker, color=styles[k]["color"], ms=size, alpha=0.6,
                     mew=0.8, ls="none")
        ax_near.plot(*ends[k, -1], "*", color=styles[k]["color"], ms=11, mec="black", mew=0.5)
    ax_near.plot(*minimum, "+", color="black", ms=12, mew=1.5)
    outside = [names[k] for k in range(2) if np.max(np.abs(ends[k, -1] - minimum)) > half_width]
    if outside:
        ax_near.text(0.03, 0.03, " and ".join(outside) + ": ends outside", transform=ax_near.transAxes,
                     fontsize=9, color="black")
    ax_near.set_xlim(minimum[0] - half_width, minimum[0] + half_width)
    ax_near.set_ylim(minimum[1] - half_width, minimum[1] + half_width)
    ax_near.set_aspect("equal")
    ax_near.set_xticks(np.round(minimum[0]) + np.array([-2.0, 0.0, 2.0]))
    ax_near.set_yticks(np.round(minimum[1]) + np.array([-2.0, 0.0, 2.0]))
    ax_near.set_xlabel("w")
    ax_near.set_ylabel("b")
    ax_near.set_title("last 5 epochs near the minimum", fontsize=10, y=1.0, pad=4)

    start = np.linalg.norm(ends[0, 0] - minimum)
    for k in range(2):
        _plot_distance(ax_dist, start, run["rms"][k], lw=1.6, **styles[k])
    if floor is not None:
        ax_dist.axhline(floor, color=CONSTANT["color"], ls=":", lw=1.2)
    _distance_axis(ax_dist, num_epochs)
    ax_dist.set_ylim(1e-3, 50)
    ax_dist.set_yticks([1e-3, 1e-2, 0.1, 1, 10], ["0.001", "0.01", "0.1", "1", "10"])  # fixed: cheaper to draw
    final = run["rms"][:, -1]
    ax_dist.set_title(f"last epoch: {final[0]:.2g} (constant), {final[1]:.2g}", fontsize=10, y=1.0, pad=4)
    return fig


def decay_explorer(x, y, rules, sgd_runs, num_epochs=30, seed=0):
    """Schedule, lr0 and batch size -> SGD with and without that decay (an :class:`Explorer`).

    x, y: data of shape (m,) with x in standard units; rules: {name: schedule function};
    sgd_runs: the function that runs SGD (``nnref.schedules.sgd_runs``). Every run is computed once, here.
    """
    lr0s = [0.01, 0.03, 0.1, 0.3]
    batch_sizes = [1, 8, 32]
    schedules = sgd_schedules(num_epochs)
    labels = list(schedules)
    runs = decay_runs(x, y, lr0s, batch_sizes, rules, sgd_runs, num_epochs, seed, schedules)
    minimum = least_squares(x, y)
    floors = {(lr0, bs): noise_floor(x, y, lr0, bs) for lr0 in lr0s for bs in batch_sizes}

    def rows(schedule_label, lr0):
        i = lr0s.index(lr0) * (1 + len(labels))
        return [i, i + 1 + labels.index(schedule_label)]

    def draw(fig, schedule_label, lr0, batch_size):
        run = runs[batch_size]
        two = {key: run[key][rows(schedule_label, lr0)] for key in ("ends", "rms", "cloud")}
        style = STYLES[schedules[schedule_label][0]]
        return draw_decay_comparison(fig, run["lrs"][rows(schedule_label, lr0)], two, minimum, schedule_label,
                                     batch_size, style, floors[lr0, batch_size])

    def alt(schedule_label, lr0, batch_size):
        final = runs[batch_size]["rms"][rows(schedule_label, lr0), -1]
        return (f"Mini-batch SGD on the cars, batch size {batch_size}, lr0 = {lr0:g}, {num_epochs} epochs: in the "
                f"last epoch the constant rate is {final[0]:.2g} from the minimum on average, {schedule_label} "
                f"decay {final[1]:.2g}.")

    return Explorer(
        draw,
        [
            Control("schedule_label", "schedule", labels, default="exponential", fmt="{}", kind="choice"),
            Control("lr0", "initial learning rate lr0", lr0s, default=0.1),
            Control("batch_size", "batch size", batch_sizes, default=1, fmt="{:d}"),
        ],
        figsize=(9.5, 3.5),
        narrow_figsize=(4.6, 11),
        margins=dict(left=0.085, right=0.985, bottom=0.15, top=0.9, wspace=0.42),
        alt=alt,
    )


# -- Adam's first steps, with and without warm-up -----------------------------------------------------


def adam_step_sizes(adam, lr0, warmup_steps, num_steps=100, n=2000, seed=0):
    """How far Adam moves on pure-noise gradients in each of its first steps, with a linear warm-up.

    adam: an update rule with ps06's contract, ``adam(w, dw, config) -> (next_w, config)``; lr0: the
    learning rate after the warm-up; warmup_steps: updates of linear warm-up, the rate of update t
    being ``lr0 * min(t, warmup_steps + 1) / (warmup_steps + 1)`` (0: none). The gradients of the n
    parameters are independent normal noise, the scale of parameter j spread over eight decades
    (from 1e-6 to 100), new at every step. Returns the root-mean-square step of each update divided by
    lr0, shape (num_steps,).
    """
    rng = np.random.default_rng(seed)
    scales = np.logspace(-6, 2, n)
    w, config = np.zeros(n), {}
    sizes = np.empty(num_steps)
    for t in range(1, num_steps + 1):
        config["learning_rate"] = lr0 * min(t, warmup_steps + 1) / (warmup_steps + 1)
        w_next, config = adam(w, rng.standard_normal(n) * scales, config)
        sizes[t - 1] = np.sqrt(np.mean((w_next - w) ** 2)) / lr0
        w = w_next
    return sizes


def draw_adam_steps(ax, sizes):
    """Adam's step sizes against the update number, one line per run. Returns the ax.

    sizes: {label: array of shape (T,)} from :func:`adam_step_sizes`.
    """
    for style, (label, values) in zip(SERIES, sizes.items()):
        ax.plot(np.arange(1, len(values) + 1), values, label=label, lw=1.6, ms=4, markevery=10, **style)
    ax.set_xlabel("update t")
    ax.set_ylabel("RMS step / lr0")
    ax.set_ylim(0, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")
    return ax


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    schedules = import_module(f"{ref.__name__}.schedules")
    yield "schedules", schedules_explorer(schedules.SCHEDULES)
    x, y = cars_standardized()
    yield "decay", decay_explorer(x, y, schedules.SCHEDULES, schedules.sgd_runs)
