"""Pictures of the optimizers chapter (book: ``optimizers``): momentum, RMSprop and Adam on 2-D landscapes.

The centre piece is the *optimizer race*: SGD, momentum, RMSprop and Adam start from the same point
of a landscape (:mod:`nnopt.landscapes`) and take the same number of steps. The rules move on
different scales, so each runs at its own learning rate (:func:`race_configs`):

* SGD takes steps ``lr * dw``; momentum, whose velocity is an *average* gradient, runs at
  ``lr / (1 - beta)``: the rate at which PyTorch's ``SGD(lr=lr, momentum=beta)`` moves, and the one
  that makes its steps on a steady slope ``1 / (1 - beta)`` times SGD's;
* RMSprop and Adam divide by the root mean square of the gradient, so they move about ``lr`` per
  coordinate whatever the gradient's size, and share a second rate, on the scale of the landscape.

Both rates are multiplied by one slider ("learning-rate scale") and printed in the legend.
"""

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Control, Explorer
from ..landscapes import LANDSCAPES
from nnref.optim import RULES, run, rmsprop, sgd, sgd_momentum
from .common import COLORS, PLAIN

RULE_COLORS = {"SGD": "#4c72b0", "Momentum": "#dd8452", "RMSprop": "#55a868", "Adam": "#c44e52"}

# For each landscape: the learning rate of SGD (momentum runs at it / (1 - beta)), the learning rate
# of RMSprop and Adam, and the number of steps of the race. At scale 1 each shows its typical picture:
# on the ravine SGD zigzags across (lr * 25 = 1.75, close to the limit 2) and crawls along.
RACE = {
    "ravine": (0.07, 0.1, 80),
    "saddle": (0.05, 0.05, 80),
    "rosenbrock": (0.001, 0.1, 500),
    "plateau": (0.5, 0.1, 100),
}
SCALES = [0.25, 0.5, 1.0, 2.0, 4.0]
BETAS = [0.0, 0.5, 0.9]
GAP_LIMITS = (1e-10, 1e3)  # the y-axis of the loss curves, the same for every landscape
FAR = 1e6  # a path whose |w| passes this has diverged; it is cut there


def race_configs(landscape, scale=1.0, beta=0.9):
    """The configs of the four rules in the race on one landscape (book: ``optimizers``, Explore).

    landscape: a key of ``LANDSCAPES``; scale: multiplies both base learning rates of ``RACE``;
    beta: momentum's ``momentum`` and Adam's ``beta1``. RMSprop keeps its default ``decay_rate``
    0.99 and Adam its default ``beta2`` 0.999.
    Returns {rule name: config dict} in the order of ``RULES``.
    """
    lr_gd, lr_adaptive, _ = RACE[landscape]
    return {
        "SGD": {"learning_rate": scale * lr_gd},
        "Momentum": {"learning_rate": scale * lr_gd / (1 - beta), "momentum": beta},
        "RMSprop": {"learning_rate": scale * lr_adaptive},
        "Adam": {"learning_rate": scale * lr_adaptive, "beta1": beta},
    }


def rule_label(name, config):
    """Legend text of one racer: its name and the hyper-parameters that the race sets."""
    text = f"{name}: lr = {config['learning_rate']:.3g}"
    if name == "Momentum":
        text += f", β = {config['momentum']:g}"
    if name == "Adam":
        text += f", β1 = {config['beta1']:g}"
    return text


def race_paths(landscape, configs, num_steps=None, rules=None):
    """Run each rule of ``configs`` from the landscape's start; cut a path where it diverges.

    landscape: a key of ``LANDSCAPES``; configs: {rule name: config}, e.g. from :func:`race_configs`;
    num_steps: updates per rule (default: the race's number for this landscape); rules: {name: rule
    function} for names that are not keys of ``RULES`` (e.g. two momentum runs with different betas).
    Returns {rule name: (path, diverged)}: path of shape (k + 1, 2) with k <= num_steps (k < num_steps
    only when the rule diverged: the path stops at its last point with |w| < 1e6).
    """
    land = LANDSCAPES[landscape]
    num_steps = RACE[landscape][2] if num_steps is None else num_steps
    out = {}
    for name, config in configs.items():
        rule = (rules or {}).get(name) or RULES[name]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows; we cut it below
            path = run(rule, land.grad, np.array(land.start), num_steps, config)
        bad = ~np.all(np.isfinite(path) & (np.abs(path) < FAR), axis=1)
        diverged = bool(bad.any())
        out[name] = (path[: np.argmax(bad)] if diverged else path, diverged)
    return out


def loss_gap(landscape, points):
    """``f(points) - f(minimum)`` of a landscape, floored at 1e-16 for a log axis. points: (k, 2) -> (k,)."""
    land = LANDSCAPES[landscape]
    gap = land.f(points) - land.f(np.array(land.minimum))
    return np.maximum(gap, 1e-16)


def contour_grid(landscape, n=140):
    """The landscape sampled for contour plots: (xs (n,), ys (n,), log10 of f - f_min + 1e-3, shape (n, n))."""
    land = LANDSCAPES[landscape]
    xs = np.linspace(*land.xlim, n)
    ys = np.linspace(*land.ylim, n)
    Z = land.f(np.stack(np.meshgrid(xs, ys), axis=-1)) - land.f(np.array(land.minimum))
    return xs, ys, np.log10(np.maximum(Z, 0.0) + 1e-3)


def draw_landscape(ax, landscape, grid=None, marks=True):
    """Filled contours of a landscape (log scale) with its start (square) and minimum (star). Returns the ax.

    grid: the result of :func:`contour_grid` (computed here when None; pass it to redraw quickly).
    """
    land = LANDSCAPES[landscape]
    xs, ys, G = contour_grid(landscape) if grid is None else grid
    ax.contourf(xs, ys, G, levels=np.linspace(-3, G.max(), 18), cmap="Blues_r", alpha=0.9)
    if marks:
        ax.plot(*land.start, "s", color="k", ms=6, zorder=5)
        ax.plot(*land.minimum, "*", color="gold", mec="k", ms=13, zorder=5)
        if landscape == "saddle":
            ax.plot(0, 0, "x", color="k", ms=8, mew=2, zorder=5)
    ax.set_xlim(land.xlim)
    ax.set_ylim(land.ylim)
    # fixed ticks: cheaper than letting the locator search for them at every redraw
    ax.set_xticks(np.linspace(*land.xlim, 5))
    ax.set_yticks(np.linspace(*land.ylim, 5))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def draw_paths(ax, paths, colors=RULE_COLORS):
    """Descent paths {name: (path (k, 2), diverged)} as lines with a dot per step. Returns the ax."""
    for name, (path, diverged) in paths.items():
        dots = 2.0 if len(path) <= 150 else 0.0
        ax.plot(path[:, 0], path[:, 1], "-o", color=colors[name], lw=1.3, ms=dots, zorder=3)
        if not diverged:
            ax.plot(*path[-1], "o", color=colors[name], mec="k", ms=6, zorder=4)
    return ax


def draw_gaps(ax, landscape, paths, labels=None, colors=RULE_COLORS):
    """Loss curves ``f - f_min`` (log scale) of the paths {name: (path, diverged)}. Returns the ax.

    labels: {name: legend text} (the names by default); a diverged run says so in the legend.
    """
    labels = labels or {name: name for name in paths}
    for name, (path, diverged) in paths.items():
        label = labels[name] + ("  (diverged)" if diverged else "")
        gap = loss_gap(landscape, path)
        if diverged:  # show the blow-up: one more point far above the axis
            gap = np.append(gap, GAP_LIMITS[1] * 1e3)
        ax.semilogy(np.arange(len(gap)), gap, color=colors[name], lw=1.5, label=label)
    ax.set_ylim(GAP_LIMITS)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_yticks([1e-9, 1e-6, 1e-3, 1, 1e3])
    ax.yaxis.set_minor_locator(NullLocator())  # minor ticks on a log axis cost a third of a redraw
    ax.set_xlabel("step")
    ax.set_ylabel("f − f_min")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return ax


def draw_race(fig, landscape, paths, labels=None, grid=None, title=None, colors=RULE_COLORS):
    """The race on one landscape: the paths on the contour map (left) and the loss curves (right).

    paths: {name: (path, diverged)} from :func:`race_paths`; labels: legend texts; grid: from
    :func:`contour_grid`; colors: {name: colour}. Returns the two axes.
    """
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    draw_landscape(ax_map, landscape, grid)
    draw_paths(ax_map, paths, colors)
    finished = [len(p) - 1 for p, diverged in paths.values() if not diverged]
    num_steps = max(finished) if finished else RACE[landscape][2]
    ax_map.set_title(title or f"{LANDSCAPES[landscape].name}: {num_steps} steps from ■ towards ★", fontsize=10)
    draw_gaps(ax_loss, landscape, paths, labels, colors)
    ax_loss.set_title("distance to the minimum's value", fontsize=10)
    return ax_map, ax_loss


def race_explorer():
    """Landscape, learning-rate scale and beta -> the optimizer race (an :class:`Explorer`).

    Every path of every slider position is computed here, once (60 positions, 4 rules each), and the
    contour grids once per landscape, so that a redraw only draws.
    """
    names = list(RACE)
    grids = {name: contour_grid(name) for name in names}
    cache = {}
    for name in names:
        for scale in SCALES:
            for beta in BETAS:
                configs = race_configs(name, scale, beta)
                labels = {rule: rule_label(rule, config) for rule, config in configs.items()}
                cache[name, scale, beta] = (race_paths(name, configs), labels)

    def draw(fig, landscape, scale, beta):
        paths, labels = cache[landscape, scale, beta]
        return draw_race(fig, landscape, paths, labels, grids[landscape])

    return Explorer(
        draw,
        [
            Control("landscape", "landscape", names, default="saddle", fmt="{}"),
            Control("scale", "learning-rate scale", SCALES, default=1.0, fmt="×{:g}"),
            Control("beta", "β (momentum), β1 (Adam)", BETAS, default=0.9),
        ],
        figsize=(10, 3.9),
        margins=dict(left=0.075, right=0.98, bottom=0.13, top=0.92, wspace=0.22),
        alt="SGD, momentum, RMSprop and Adam racing on a two-dimensional landscape, and their loss curves",
    )


def draw_landscapes(fig):
    """The four landscapes of the race side by side, each with its start and its minimum. Returns the axes."""
    axes = fig.subplots(1, len(RACE))
    titles = {
        "ravine": "ravine: steep across, shallow along",
        "saddle": "saddle point at (0, 0)",
        "rosenbrock": "Rosenbrock: a curved valley",
        "plateau": "plateau around a well",
    }
    for ax, name in zip(axes, RACE):
        draw_landscape(ax, name)
        ax.set_title(titles[name], fontsize=10)
    return axes


def draw_momentum_averaging(fig, lr=0.07, beta=0.9, num_steps=25):
    """Why momentum damps a zigzag: the gradient and the velocity along a run of SGD on the ravine.

    The run is plain SGD at ``lr``; along its path we feed the gradients into the velocity of
    momentum, ``v = beta v + (1 - beta) dw``, without moving by it. Left: the x components (along the
    ravine); right: the y components (across). Returns the two axes.
    """
    land = LANDSCAPES["ravine"]
    path = run(sgd, land.grad, np.array(land.start), num_steps, {"learning_rate": lr})
    grads = land.grad(path[:-1])
    velocity = np.zeros_like(grads)
    v = np.zeros(2)
    for k, g in enumerate(grads):
        v = beta * v + (1 - beta) * g
        velocity[k] = v
    steps = np.arange(1, num_steps + 1)
    axes = fig.subplots(1, 2)
    for ax, i, what in zip(axes, (0, 1), ("x component (along the ravine)", "y component (across the ravine)")):
        ax.axhline(0, color="k", lw=0.6)
        ax.plot(steps, grads[:, i], "-o", ms=3, color=RULE_COLORS["SGD"], label="gradient dw")
        ax.plot(steps, velocity[:, i], "-o", ms=3, color=RULE_COLORS["Momentum"], label=f"velocity v (β = {beta:g})")
        ax.set_title(what, fontsize=10)
        ax.set_xlabel("step t")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    return axes


def draw_rmsprop_steps(fig, lr_sgd=0.07, lr_rms=0.1, num_steps=40):
    """RMSprop's per-coordinate learning rates on the ravine, against SGD's single one.

    Left: the paths of SGD and RMSprop on the ravine; right: RMSprop's effective learning rate of
    each coordinate, ``lr / (sqrt(cache) + epsilon)``, after each step (log scale), and SGD's ``lr``.
    Returns the two axes.
    """
    land = LANDSCAPES["ravine"]
    start = np.array(land.start)
    sgd_path = run(sgd, land.grad, start, num_steps, {"learning_rate": lr_sgd})
    w, config, rates, rms_path = start, {"learning_rate": lr_rms}, [], [start]
    for _ in range(num_steps):
        w, config = rmsprop(w, land.grad(w), config)
        rates.append(lr_rms / (np.sqrt(config["cache"]) + config["epsilon"]))
        rms_path.append(w)
    rates = np.array(rates)
    ax_map, ax_rate = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    draw_landscape(ax_map, "ravine")
    draw_paths(ax_map, {"SGD": (sgd_path, False), "RMSprop": (np.array(rms_path), False)})
    ax_map.set_title(f"{num_steps} steps: SGD (lr = {lr_sgd:g}) and RMSprop (lr = {lr_rms:g})", fontsize=10)
    steps = np.arange(1, num_steps + 1)
    ax_rate.semilogy(steps, rates[:, 0], "-", color=RULE_COLORS["RMSprop"], lw=1.8, label="RMSprop, x (along)")
    ax_rate.semilogy(steps, rates[:, 1], "--", color=RULE_COLORS["RMSprop"], lw=1.8, label="RMSprop, y (across)")
    ax_rate.axhline(lr_sgd, color=RULE_COLORS["SGD"], lw=1.5, label=f"SGD, both (lr = {lr_sgd:g})")
    ax_rate.set_ylim(0.01, 1)
    ax_rate.set_yticks([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    ax_rate.yaxis.set_major_formatter(PLAIN)
    ax_rate.yaxis.set_minor_locator(NullLocator())
    ax_rate.set_xlabel("step t")
    ax_rate.set_ylabel("lr / (√s + ε)")
    ax_rate.set_title("effective learning rate of each coordinate", fontsize=10)
    ax_rate.grid(True, alpha=0.3)
    ax_rate.legend(fontsize=8)
    return ax_map, ax_rate


def draw_momentum_ravine(fig, lr=0.07, betas=(0.5, 0.9), num_steps=60):
    """SGD and momentum with two betas on the ravine; momentum runs at ``lr / (1 - beta)``. Returns the axes."""
    configs = {"SGD": {"learning_rate": lr}}
    rules, colors, labels = {}, {"SGD": RULE_COLORS["SGD"]}, {"SGD": f"SGD: lr = {lr:g}"}
    for beta, color in zip(betas, (RULE_COLORS["Momentum"], "#8172b3")):
        name = f"Momentum β = {beta:g}"
        configs[name] = {"learning_rate": lr / (1 - beta), "momentum": beta}
        rules[name], colors[name] = sgd_momentum, color
        labels[name] = f"{name}: lr = {lr / (1 - beta):.3g}"
    paths = race_paths("ravine", configs, num_steps, rules)
    return draw_race(fig, "ravine", paths, labels, colors=colors,
                     title=f"Ravine: {num_steps} steps of SGD and of momentum")


def draw_momentum_schedule(ax, beta=0.9, drop_at=40, num_steps=80, lrs=(0.1, 0.01)):
    """Step sizes of the three ways to write momentum when the learning rate drops (constant gradient 1).

    The learning rate is ``lrs[0]`` for the first ``drop_at`` steps and ``lrs[1]`` after; the rates of
    the PyTorch and lr-inside forms are scaled by (1 - beta) so that all three agree before the drop.
    Returns the ax.
    """
    lr = np.where(np.arange(num_steps) < drop_at, lrs[0], lrs[1])
    forms = momentum_forms(np.ones((num_steps, 1)), lr, beta)
    steps = np.arange(1, num_steps + 1)
    styles = {"course": ("-", RULE_COLORS["Momentum"], 3.0), "pytorch": ("--", "k", 1.2),
              "lr inside": ("-", "#8172b3", 1.6)}
    names = {"course": "course: v = βv + (1−β)dw, w −= lr·v",
             "pytorch": "PyTorch: u = βu + dw, w −= lr(1−β)·u",
             "lr inside": "lr inside: u = βu − lr(1−β)dw, w += u"}
    for form, w in forms.items():
        style, color, lw = styles[form]
        ax.plot(steps, np.abs(np.diff(w[:, 0])), style, color=color, lw=lw, label=names[form])
    ax.axvline(drop_at + 0.5, color=COLORS["muted"], lw=0.8)
    ax.text(drop_at + 1.5, 0.095, f"lr drops from {lrs[0]:g} to {lrs[1]:g}", fontsize=8, va="top")
    ax.set_xlabel("step t")
    ax.set_ylabel("|w_t − w_(t−1)|")
    ax.set_ylim(0, 0.105)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center right")
    return ax


def momentum_forms(grads, lrs, beta):
    """Three ways to write momentum, fed the same gradient sequence and the same learning-rate schedule.

    grads: gradients g_1 .. g_T, shape (T, n); lrs: learning rates, shape (T,); beta: the momentum.
    Returns {form: weights after each step, shape (T + 1, n)}, all starting from w_0 = 0:
    ``"course"`` v = beta v + (1 - beta) g, w -= lr v;
    ``"pytorch"`` u = beta u + g, w -= lr (1 - beta) u (PyTorch's SGD at the rate lr (1 - beta));
    ``"lr inside"`` u = beta u - lr (1 - beta) g, w += u (CS231n, Sutskever et al.).
    The first two agree for any schedule; the third agrees only while lr is constant.
    """
    grads = np.asarray(grads, dtype=np.float64)
    T, n = grads.shape
    out = {form: np.zeros((T + 1, n)) for form in ("course", "pytorch", "lr inside")}
    w = {form: np.zeros(n) for form in out}
    config = {"momentum": beta}
    u_pt, u_in = np.zeros(n), np.zeros(n)
    for t in range(T):
        config["learning_rate"] = lrs[t]
        w["course"], config = sgd_momentum(w["course"], grads[t], config)
        u_pt = beta * u_pt + grads[t]
        w["pytorch"] = w["pytorch"] - lrs[t] * (1 - beta) * u_pt
        u_in = beta * u_in - lrs[t] * (1 - beta) * grads[t]
        w["lr inside"] = w["lr inside"] + u_in
        for form in out:
            out[form][t + 1] = w[form]
    return out


def explorers():
    """Every explorer of the chapter: (name, explorer) pairs (for the benchmark and the tests)."""
    yield "race", race_explorer()
