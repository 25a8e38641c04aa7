"""Pictures and experiments of the capstone chapter: the digits, an honest comparison of optimizers and
schedules, and what goes wrong on real data (book: ``capstone``; ps09).

Nothing here trains a network by itself: every experiment takes the functions it runs as arguments,
``train`` (the training loop of ps09, ``train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size,
rng, X_val, y_val, patience) -> (params, history)``), ``init(n_in, n_hidden, k, rng) -> params``, the update
rules and the schedules. The book passes the reference implementations, a notebook the student's own.
The pictures take the results (histories, confusion counts) and draw them.
"""

from dataclasses import dataclass

import numpy as np

from ..data import digits
from ..explorer import Control, Explorer
from matplotlib.ticker import FixedLocator, NullLocator

from .common import COLORS, PLAIN, SERIES, panels

LN10 = float(np.log(10))  # the cross-entropy of predicting 1/10 for every class


# ----------------------------------------------------------------------------- the data

def stratified_split(y, fractions, rng):
    """Indices that split the examples into parts with the same class proportions.

    y: labels of shape (m,); fractions: the parts' shares of each class, summing to 1, e.g. (0.6, 0.2, 0.2);
    rng: a ``np.random.Generator`` (each class is shuffled with one ``rng.permutation``).
    Returns a list of sorted index arrays, one per part; every example is in exactly one.
    Each class is cut at the rounded cumulative shares, so each part's count of a class is within 1 of
    its share.
    """
    fractions = np.asarray(fractions, dtype=np.float64)
    if fractions.ndim != 1 or np.any(fractions <= 0) or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions!r}")
    labels = np.asarray(y)
    parts = [[] for _ in fractions]
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        members = members[rng.permutation(members.size)]
        cuts = np.round(np.cumsum(fractions)[:-1] * members.size).astype(int)
        for part, chunk in zip(parts, np.split(members, cuts)):
            part.append(chunk)
    return [np.sort(np.concatenate(part)) for part in parts]


@dataclass(frozen=True)
class DigitsSplit:
    """The digits split once into training, validation and test sets (rows are images)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def sizes(self):
        return len(self.y_train), len(self.y_val), len(self.y_test)


def digits_split(seed=0, fractions=(0.6, 0.2, 0.2), scale=True):
    """The digits (``nnopt.data.digits``) split by :func:`stratified_split` with ``default_rng(seed)``.

    scale: divide the grey levels (0 to 16) by 16, so that every pixel lies in [0, 1] (min-max scaling
    with the known limits of the data, not limits estimated from it). Returns a :class:`DigitsSplit`.
    """
    X, y = digits()
    if scale:
        X = X / 16.0
    train, val, test = stratified_split(y, fractions, np.random.default_rng(seed))
    return DigitsSplit(X[train], y[train], X[val], y[val], X[test], y[test])


def draw_digits(fig, X, y, per_class=6):
    """A grid of example images, one row per class (X of shape (m, 64), y of shape (m,)). Returns the fig."""
    classes = np.unique(y)
    axes = fig.subplots(per_class, classes.size, squeeze=False)
    for j, label in enumerate(classes):
        rows = np.flatnonzero(y == label)[:per_class]
        for i in range(per_class):
            ax = axes[i, j]
            ax.set_axis_off()
            if i < rows.size:
                ax.imshow(X[rows[i]].reshape(8, 8), cmap="gray_r", vmin=0, vmax=X.max(), interpolation="nearest")
        axes[0, j].set_title(str(label), fontsize=11)
    return fig


# ----------------------------------------------------------------------------- the experiments

@dataclass(frozen=True)
class Setting:
    """One training set-up of the comparison: an update rule by name, its learning rate, a schedule by name."""

    optimizer: str
    lr: float
    schedule: str = "constant"


def schedule_factories(step_decay, exponential_decay, drop=0.5, epochs_drop=15, gamma=0.97):
    """The comparison's schedules as functions ``lr0 -> schedule(epoch)``, built from ps07's functions.

    step_decay(lr0, drop, epochs_drop, epoch) and exponential_decay(lr0, gamma, epoch): the student's or the
    reference ones. Returns {"constant": ..., "step": ..., "exponential": ...}.
    """
    return {
        "constant": lambda lr0: (lambda epoch: lr0),
        "step": lambda lr0: (lambda epoch: step_decay(lr0, drop, epochs_drop, epoch)),
        "exponential": lambda lr0: (lambda epoch: exponential_decay(lr0, gamma, epoch)),
    }


def run_setting(train, init, rules, schedules, data, setting, seeds, num_epochs, batch_size=64, hidden=32,
                patience=None, n_train=None):
    """Train one :class:`Setting` once per seed; returns the list of ``(params, history)``.

    train, init: the training loop and the initialisation (see the module docstring); rules:
    {name: update rule}; schedules: {name: lr0 -> schedule}, e.g. from :func:`schedule_factories`;
    data: a :class:`DigitsSplit`; seeds: one run per seed, whose ``default_rng(seed)`` draws the initial
    weights and then shuffles every epoch; n_train: train on the first n_train training images only.
    """
    X, y = data.X_train[:n_train], data.y_train[:n_train]
    k = int(max(data.y_train.max(), data.y_val.max())) + 1
    results = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = init(X.shape[1], hidden, k, rng)
        schedule = schedules[setting.schedule](setting.lr)
        with np.errstate(over="ignore", invalid="ignore"):  # a learning rate too large may overflow
            results.append(train(X, y, params, rules[setting.optimizer], {}, schedule, num_epochs, batch_size,
                                 rng, data.X_val, data.y_val, patience))
    return results


def compare(train, init, rules, schedules, data, settings, seeds, num_epochs, **kwargs):
    """:func:`run_setting` for every setting: {setting: [history per seed]} (the parameters are dropped)."""
    return {s: [history for _, history in run_setting(train, init, rules, schedules, data, s, seeds, num_epochs,
                                                       **kwargs)]
            for s in settings}


def best_losses(histories):
    """The lowest validation loss of each run (what early stopping keeps), shape (number of runs,)."""
    return np.array([h["val_loss"][h["best_epoch"]] for h in histories])


def spread(values):
    """'mean ± standard deviation' of a few runs' numbers (sample standard deviation, ddof=1)."""
    values = np.asarray(values, dtype=np.float64)
    sd = values.std(ddof=1) if values.size > 1 else 0.0
    return f"{values.mean():.3f} ± {sd:.3f}"


# ----------------------------------------------------------------------------- the pictures

def _style(k, **extra):
    style = dict(SERIES[k % len(SERIES)])
    style.update(extra)
    return style


LOSS_TICKS = [1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]


def _loss_axis(ax, num_epochs, ylim=(0.02, 3.0)):
    ax.set_yscale("log")
    ax.set_ylim(*ylim)
    # a few fixed major ticks and no minor ones: a log axis's dozens of minor ticks cost most of a redraw
    ax.yaxis.set_major_locator(FixedLocator([t for t in LOSS_TICKS if ylim[0] <= t <= ylim[1]]))
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlim(0, num_epochs)
    step = next(step for step in (5, 10, 20, 25, 50, 100) if num_epochs / step <= 6)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(0, num_epochs + 1, step)))
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.grid(True, which="major", alpha=0.3)
    ax.axhline(LN10, color=COLORS["muted"], lw=0.8, ls=":")


def _joined(curves):
    """Several curves as one polyline with NaN breaks: one artist instead of one per curve (cheaper to draw)."""
    xs, ys = [], []
    for y in curves:
        xs += [np.arange(1, len(y) + 1), [np.nan]]
        ys += [np.asarray(y, dtype=np.float64), [np.nan]]
    return np.concatenate(xs), np.concatenate(ys)


def draw_runs(ax, histories, k=0, label=None, train=True):
    """Validation loss (solid) and, with ``train``, training loss (dashed) of several seeds of one setting.

    The epoch that early stopping keeps (lowest validation loss) is marked on each run. Returns the ax.
    """
    style = SERIES[k % len(SERIES)]
    ax.plot(*_joined(h["val_loss"] for h in histories), color=style["color"], lw=1.6, alpha=0.85,
            label=label or "validation")
    if train:
        ax.plot(*_joined(h["train_loss"] for h in histories), color=style["color"], lw=0.9, ls="--", alpha=0.7,
                label="training")
    best = np.array([(h["best_epoch"] + 1, h["val_loss"][h["best_epoch"]]) for h in histories])
    ax.plot(best[:, 0], best[:, 1], marker=style["marker"], color=style["color"], mec="k", mew=0.6, ms=7,
            ls="none", label="lowest validation loss")
    return ax


def draw_band(ax, histories, k=0, label=None, lw=1.6, alpha=0.18):
    """Mean validation loss over the seeds, with a band from the lowest to the highest run. Returns the ax."""
    curves = np.array([h["val_loss"] for h in histories])
    epochs = np.arange(1, curves.shape[1] + 1)
    ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=SERIES[k % len(SERIES)]["color"],
                    alpha=alpha, lw=0)
    ax.plot(epochs, curves.mean(axis=0), lw=lw, label=label, markevery=max(1, curves.shape[1] // 6),
            **_style(k, ms=4))
    return ax


def draw_comparison(fig, runs, optimizer, schedule, title=True):
    """Left: the chosen setting's seeds; right: every optimizer's mean validation loss under this schedule.

    runs: {Setting: [history, ...]} from :func:`compare`. Returns the fig.
    """
    ax_runs, ax_all = panels(fig, 2)
    names = list(dict.fromkeys(s.optimizer for s in runs))
    setting = next(s for s in runs if s.optimizer == optimizer and s.schedule == schedule)
    histories = runs[setting]
    num_epochs = len(histories[0]["val_loss"])
    draw_runs(ax_runs, histories, names.index(optimizer))
    _loss_axis(ax_runs, num_epochs, (1e-3, 3.0))
    ax_runs.legend(fontsize=9, loc="upper right")
    if title:
        ax_runs.set_title(f"{optimizer}, lr = {setting.lr:g}, {schedule}: lowest validation loss "
                          f"{spread(best_losses(histories))}", fontsize=9)
    for k, name in enumerate(names):
        chosen = next(s for s in runs if s.optimizer == name and s.schedule == schedule)
        draw_band(ax_all, runs[chosen], k, label=f"{name} (lr = {chosen.lr:g})", lw=2.6 if name == optimizer else 1.2,
                  alpha=0.25 if name == optimizer else 0.08)
    _loss_axis(ax_all, num_epochs, (0.05, 3.0))
    ax_all.set_ylabel("validation cross-entropy")
    ax_all.legend(fontsize=9, loc="upper right")
    if title:
        ax_all.set_title(f"mean of {len(histories)} seeds (band: lowest to highest), {schedule}", fontsize=9)
    return fig


def comparison_alt(runs):
    """The explorer's alt text: a function of the controls saying what the frame shows."""
    def alt(optimizer, schedule):
        setting = next(s for s in runs if s.optimizer == optimizer and s.schedule == schedule)
        losses = best_losses(runs[setting])
        epochs = [h["best_epoch"] + 1 for h in runs[setting]]
        return (f"Learning curves of {len(losses)} seeds for {optimizer} at learning rate {setting.lr:g} with the "
                f"{schedule} schedule: the lowest validation loss is {spread(losses)}, reached at epochs "
                f"{', '.join(map(str, epochs))}; beside them, every optimizer's mean validation loss with this schedule.")
    return alt


def comparison_explorer(runs):
    """Optimizer and schedule -> learning curves over the seeds (an :class:`~nnopt.explorer.Explorer`).

    runs: {Setting: [history, ...]} from :func:`compare`, with the same optimizers for every schedule:
    the book's runs of the reference implementations, or a notebook's of the student's own.
    """
    names = list(dict.fromkeys(s.optimizer for s in runs))
    schedules = list(dict.fromkeys(s.schedule for s in runs))
    return Explorer(
        lambda fig, optimizer, schedule: draw_comparison(fig, runs, optimizer, schedule),
        [
            Control("optimizer", "optimizer", names, default=names[-1], fmt="{}", kind="choice"),
            Control("schedule", "schedule", schedules, default=schedules[0], fmt="{}", kind="choice"),
        ],
        figsize=(9, 3.6),
        narrow_figsize=(4.6, 7.2),
        margins=dict(left=0.09, right=0.985, bottom=0.13, top=0.9, wspace=0.26),
        alt=comparison_alt(runs),
    )


def draw_lr_sweep(ax, sweep):
    """Lowest validation loss against the learning rate, one line per optimizer, bars from lowest to highest seed.

    sweep: {Setting: [history, ...]}. Returns the ax.
    """
    names = list(dict.fromkeys(s.optimizer for s in sweep))
    for k, name in enumerate(names):
        settings = sorted((s for s in sweep if s.optimizer == name), key=lambda s: s.lr)
        lrs = np.array([s.lr for s in settings])
        best = [best_losses(sweep[s]) for s in settings]
        mean = np.array([b.mean() for b in best])
        lo, hi = mean - np.array([b.min() for b in best]), np.array([b.max() for b in best]) - mean
        ax.errorbar(lrs, mean, yerr=[lo, hi], capsize=3, label=name, **_style(k, ms=5))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("lowest validation loss")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    return ax


def draw_loss_curves(ax, curves, title=None, key="train_loss", ylim=(0.02, 12.0)):
    """One curve per labelled history: {label: history}; the dotted line is ln 10. Returns the ax."""
    num_epochs = 1
    for k, (label, h) in enumerate(curves.items()):
        values = h[key]
        num_epochs = max(num_epochs, len(values))
        ax.plot(np.arange(1, len(values) + 1), values, label=label, markevery=max(1, len(values) // 8),
                **_style(k, ms=4))
    _loss_axis(ax, num_epochs, ylim)
    ax.set_ylabel({"train_loss": "training loss", "val_loss": "validation loss"}.get(key, key))
    ax.legend(fontsize=9, loc="upper right")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def draw_preactivations(ax, samples):
    """Histograms of hidden pre-activations, {label: values}, on a shared log-spaced x axis of |z|. Returns the ax."""
    top = max(np.abs(v).max() for v in samples.values())
    bins = np.linspace(-top, top, 61)
    for k, (label, values) in enumerate(samples.items()):
        ax.hist(values, bins=bins, histtype="step", lw=1.6, color=SERIES[k]["color"], ls=SERIES[k]["linestyle"],
                label=f"{label}: std {values.std():.2f}")
    ax.set_xlabel("hidden pre-activation z at the start")
    ax.set_ylabel("count")
    ax.legend(fontsize=9)
    return ax


def draw_overfitting(fig, curves, patience=None):
    """Training and validation loss of some runs ({label: history}), one panel each, best epoch marked.

    With ``patience``, a vertical line shows where early stopping with that patience would stop. Returns the fig.
    """
    axes = panels(fig, len(curves), sharey=True)
    for k, (ax, (label, h)) in enumerate(zip(axes, curves.items())):
        epochs = np.arange(1, len(h["val_loss"]) + 1)
        ax.plot(epochs, h["train_loss"], label="training", markevery=max(1, epochs.size // 8), **_style(0, ms=4))
        ax.plot(epochs, h["val_loss"], label="validation", markevery=max(1, epochs.size // 8), **_style(1, ms=4))
        best = h["best_epoch"]
        ax.plot(best + 1, h["val_loss"][best], "*", color="k", ms=11, label=f"lowest validation loss (epoch {best + 1})")
        if patience is not None:
            ax.axvline(min(best + 1 + patience, epochs.size), color=COLORS["muted"], lw=1, ls="--",
                       label=f"early stopping, patience {patience}")
        _loss_axis(ax, epochs.size, (1e-4, 3.0))
        ax.legend(fontsize=9, loc="center right")
        ax.set_title(label, fontsize=9)
        if k:
            ax.set_ylabel("")
    return fig


def draw_confusion(ax, counts, title=None):
    """A confusion matrix (k, k) of counts: rows true classes, columns predicted, each cell labelled. Returns the ax."""
    counts = np.asarray(counts)
    k = counts.shape[0]
    off = counts.copy()
    np.fill_diagonal(off, 0)
    ax.imshow(np.where(np.eye(k, dtype=bool), 0, off), cmap="Oranges", vmin=0, vmax=max(1, off.max()))
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=9,
                        fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


# ----------------------------------------------------------------------------- the chapter's study

OPTIMIZERS = ("SGD", "Momentum", "RMSprop", "Adam")
SWEEP_LRS = {"SGD": (0.1, 0.3, 1.0, 3.0), "Momentum": (0.3, 1.0, 3.0, 10.0),
             "RMSprop": (3e-4, 1e-3, 3e-3, 1e-2), "Adam": (1e-3, 3e-3, 1e-2, 3e-2)}
SCHEDULES = ("constant", "step")


@dataclass
class Study:
    """Everything the chapter measures, from one call of :func:`chapter_study`."""

    data: DigitsSplit
    sweep: dict        # {Setting (constant schedule): [history per seed]}, every learning rate of SWEEP_LRS
    lrs: dict          # {optimizer: the learning rate with the lowest mean validation loss in the sweep}
    runs: dict         # {Setting: [history per seed]}, every optimizer at its learning rate, every schedule
    final: Setting     # the setting with the lowest mean validation loss in ``runs``
    final_val: np.ndarray    # validation accuracy of each seed of ``final``, trained with early stopping
    final_test: np.ndarray   # test accuracy of the same models: measured once, at the very end
    confusion: np.ndarray    # confusion counts on the test set of the first seed's model
    stopped_epochs: np.ndarray  # epochs each final run trained before early stopping stopped it


def chapter_study(train, init, rules, schedules, predict_proba, accuracy, confusion_counts, seeds=(0, 1, 2, 3, 4),
                  sweep_seeds=(0, 1), num_epochs=40, sweep_epochs=20, patience=10):
    """The chapter's comparison, run with the functions given (the book passes the reference ones).

    1. sweep: every optimizer at each learning rate of ``SWEEP_LRS`` (constant rate, ``sweep_seeds``); each
       optimizer keeps the rate with the lowest mean validation loss;
    2. runs: every optimizer at its rate with each schedule of ``SCHEDULES``, one run per seed of ``seeds``;
    3. final: the setting with the lowest mean validation loss, retrained with early stopping (``patience``);
       its validation accuracy, then once its test accuracy and confusion counts.
    predict_proba(X, params) -> P; accuracy(P, y); confusion_counts(P, y). Returns a :class:`Study`.
    """
    data = digits_split()
    sweep = compare(train, init, rules, schedules, data,
                    [Setting(name, lr) for name in OPTIMIZERS for lr in SWEEP_LRS[name]], sweep_seeds, sweep_epochs)
    lrs = {name: min((s for s in sweep if s.optimizer == name), key=lambda s: best_losses(sweep[s]).mean()).lr
           for name in OPTIMIZERS}
    runs = compare(train, init, rules, schedules, data,
                   [Setting(name, lrs[name], schedule) for schedule in SCHEDULES for name in OPTIMIZERS],
                   seeds, num_epochs)
    final = min(runs, key=lambda s: best_losses(runs[s]).mean())
    trained = run_setting(train, init, rules, schedules, data, final, seeds, num_epochs, patience=patience)
    val = np.array([accuracy(predict_proba(data.X_val, params), data.y_val) for params, _ in trained])
    # the test set is used here for the first and only time
    test = np.array([accuracy(predict_proba(data.X_test, params), data.y_test) for params, _ in trained])
    confusion = confusion_counts(predict_proba(data.X_test, trained[0][0]), data.y_test)
    stopped = np.array([len(history["val_loss"]) for _, history in trained])
    return Study(data, sweep, lrs, runs, final, val, test, confusion, stopped)


def dead_units(X, params):
    """Fraction of hidden relu units that output 0 for every row of X (they receive no gradient any more)."""
    preactivations = X @ params["W1"] + params["b1"]  # (m, hidden)
    return float(np.mean(np.all(preactivations <= 0, axis=0)))


@dataclass
class Failures:
    """What goes wrong on real data, from :func:`failure_study`: {label: history} per experiment."""

    large_lr: dict       # SGD at growing learning rates
    dead: dict           # {label: fraction of dead hidden units after training} for the same runs
    unscaled: dict       # raw grey levels 0..16 against pixels scaled to [0, 1]
    preactivations: dict  # {label: hidden pre-activations at the start, flattened}
    overfitting: dict    # a small training set, and a wide network, trained long without early stopping


def failure_study(train, init, rules, schedules, data=None, seed=0):
    """The chapter's three failures, run with the functions given (see :func:`run_setting`)."""
    data = digits_split() if data is None else data
    raw = digits_split(scale=False)

    def one(setting, data=data, num_epochs=30, **kwargs):
        return run_setting(train, init, rules, schedules, data, setting, [seed], num_epochs, **kwargs)[0]

    large, dead = {}, {}
    for lr in (1.0, 10.0, 100.0):
        params, history = one(Setting("SGD", lr))
        large[f"SGD, lr = {lr:g}"] = history
        dead[f"SGD, lr = {lr:g}"] = dead_units(data.X_train, params)
    unscaled = {
        "pixels / 16, SGD lr = 1": one(Setting("SGD", 1.0))[1],
        "raw 0..16, SGD lr = 1": one(Setting("SGD", 1.0), raw)[1],
        "raw 0..16, SGD lr = 1 / 256": one(Setting("SGD", 1.0 / 256), raw)[1],
        "raw 0..16, Adam lr = 0.01": one(Setting("Adam", 0.01), raw)[1],
    }
    params = init(64, 32, 10, np.random.default_rng(seed))
    pre = {"pixels / 16": (data.X_train @ params["W1"]).ravel(), "raw 0..16": (raw.X_train @ params["W1"]).ravel()}
    small = stratified_split(data.y_train, (100 / len(data.y_train), 1 - 100 / len(data.y_train)),
                             np.random.default_rng(seed))[0]
    few = DigitsSplit(data.X_train[small], data.y_train[small], data.X_val, data.y_val, data.X_test, data.y_test)
    overfitting = {f"100 training images, {h} hidden units, Adam lr = 0.01": one(Setting("Adam", 0.01), few, 200, hidden=h)[1]
                   for h in (32, 256)}
    return Failures(large, dead, unscaled, pre, overfitting)


def explorers(ref):
    """The chapter's explorer with ``ref``'s implementations (``ref``: the package of reference implementations,
    ``nnref``, passed in by the benchmark): (name, explorer) pairs. The runs are shorter than the book's (2 seeds,
    10 epochs): the benchmark times the drawing, which does not depend on them."""
    from importlib import import_module

    cap, optim, schedules = (import_module(f"{ref.__name__}.{name}") for name in ("capstone", "optim", "schedules"))
    rules = {"SGD": optim.sgd, "Momentum": optim.sgd_momentum, "RMSprop": optim.rmsprop, "Adam": optim.adam}
    settings = [Setting(name, lr, schedule) for schedule in SCHEDULES
                for name, lr in zip(OPTIMIZERS, (1.0, 3.0, 0.003, 0.01))]
    runs = compare(cap.train_classifier, cap.init_network, rules, schedule_factories(schedules.step_decay,
                   schedules.exponential_decay), digits_split(), settings, (0, 1), 10)
    yield "comparison", comparison_explorer(runs)
