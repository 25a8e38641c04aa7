"""Pictures of the optimizers chapter (book: ``optimizers``): momentum, Nesterov, AdaGrad, RMSprop, Adam
and AdamW on 2-D landscapes.

Every picture that needs an update rule takes it as an argument, with the contract of ps06
(``next_w, config = rule(w, dw, config)``): the book passes the reference implementations, an
assignment the student's own. The centre piece is the *optimizer race*: the rules start from the
same point of a landscape (:mod:`nnopt.landscapes`) and take the same number of steps. They move on
different scales, so each runs at its own learning rate (:func:`race_configs`):

* SGD takes steps ``lr * dw``; momentum and Nesterov, whose velocity is an *average* gradient, run at
  ``lr / (1 - beta)``: the rate at which PyTorch's ``SGD(lr=lr, momentum=beta)`` moves, and the one
  that makes their steps on a steady slope ``1 / (1 - beta)`` times SGD's;
* RMSprop and Adam divide by the root mean square of the gradient, so they move about ``lr`` per
  coordinate whatever the gradient's size, and share a second rate, on the scale of the landscape;
  AdaGrad runs at ten times that rate, so that its first step (``lr``) is RMSprop's first step
  (``lr / sqrt(1 - 0.99) = 10 lr``).

Both rates are multiplied by one slider ("learning-rate scale") and printed in the legend.
"""

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Control, Explorer
from ..landscapes import LANDSCAPES
from .common import COLORS, PLAIN, SERIES, is_narrow, panels

# The racers, in the order of the legend, each with a style that differs in colour, line and marker.
RULE_STYLES = {
    "SGD": SERIES[0],
    "Momentum": SERIES[1],
    "Nesterov": SERIES[5],
    "AdaGrad": SERIES[4],
    "RMSprop": SERIES[2],
    "Adam": SERIES[3],
}
EXTRAS = ("Nesterov", "AdaGrad")  # shown when the race explorer's toggle is on

# For each landscape: the learning rate of SGD (momentum and Nesterov run at it / (1 - beta)), the
# learning rate of RMSprop and Adam (AdaGrad: ten times it), and the number of steps of the race. At
# scale 1 each shows its typical picture: on the ravine SGD zigzags across (lr * 25 = 1.75, close to
# the limit 2) and crawls along.
RACE = {
    "ravine": (0.07, 0.1, 80),
    "saddle": (0.05, 0.05, 80),
    "rosenbrock": (0.001, 0.1, 500),
    "plateau": (0.5, 0.1, 100),
}
ADAGRAD_FACTOR = 10.0
SCALES = [0.5, 1.0, 2.0]
BETAS = [0.5, 0.9]  # (beta = 0 would make momentum and Nesterov plain SGD)
GAP_LIMITS = (1e-10, 1e3)  # the y-axis of the loss curves, the same for every landscape
FAR = 1e6  # a path whose |w| passes this has diverged; it is cut there


def run(rule, grad_fn, w0, num_steps, config=None):
    """Iterate an update rule from ``w0`` and return the path (not graded: it only calls ``rule``).

    rule: an update rule with ps06's contract; grad_fn: maps weights to the gradient of the same
    shape; w0: starting weights, any shape; num_steps: number of updates >= 0; config: the rule's
    hyper-parameters (None for its defaults). Neither ``w0`` nor ``config`` is modified: the rule
    works on a copy of the dict.
    Returns path of shape (num_steps + 1, *w0.shape), with ``path[0] == w0`` and ``path[k]`` the
    weights after k updates.
    """
    w = np.array(w0, dtype=np.float64)
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)) or num_steps < 0:
        raise ValueError(f"num_steps must be an integer >= 0, got {num_steps!r}")
    config = dict(config or {})  # a rule replaces its state arrays, so a shallow copy is enough
    path = np.empty((num_steps + 1,) + w.shape)
    path[0] = w
    for k in range(1, num_steps + 1):
        w, config = rule(w, grad_fn(w), config)
        path[k] = w
    return path


def race_configs(landscape, scale=1.0, beta=0.9, names=RULE_STYLES):
    """The configs of the rules in the race on one landscape (book: ``optimizers``, Explore).

    landscape: a key of ``RACE``; scale: multiplies the base learning rates of ``RACE``;
    beta: momentum's and Nesterov's ``momentum`` and Adam's ``beta1``. RMSprop keeps its default
    ``decay_rate`` 0.99 and Adam its default ``beta2`` 0.999. names: the racers wanted.
    Returns {rule name: config dict}, in the order of ``RULE_STYLES``.
    """
    lr_gd, lr_adaptive, _ = RACE[landscape]
    configs = {
        "SGD": {"learning_rate": scale * lr_gd},
        "Momentum": {"learning_rate": scale * lr_gd / (1 - beta), "momentum": beta},
        "Nesterov": {"learning_rate": scale * lr_gd / (1 - beta), "momentum": beta},
        "AdaGrad": {"learning_rate": scale * lr_adaptive * ADAGRAD_FACTOR},
        "RMSprop": {"learning_rate": scale * lr_adaptive},
        "Adam": {"learning_rate": scale * lr_adaptive, "beta1": beta},
    }
    return {name: config for name, config in configs.items() if name in names}


def rule_label(name, config):
    """Legend text of one racer: its name and the hyper-parameters that the race sets."""
    text = f"{name}: lr = {config['learning_rate']:.3g}"
    if "momentum" in config:
        text += f", β = {config['momentum']:g}"
    if "beta1" in config:
        text += f", β1 = {config['beta1']:g}"
    return text


def race_paths(landscape, configs, rules, num_steps=None):
    """Run each rule of ``configs`` from the landscape's start; cut a path where it diverges.

    landscape: a key of ``LANDSCAPES``; configs: {name: config}, e.g. from :func:`race_configs`;
    rules: {name: rule function} holding every name of ``configs``; num_steps: updates per rule
    (default: the race's number for this landscape).
    Returns {name: (path, diverged)}: path of shape (k + 1, 2) with k <= num_steps (k < num_steps
    only when the rule diverged: the path stops at its last point with |w| < 1e6).
    """
    land = LANDSCAPES[landscape]
    num_steps = RACE[landscape][2] if num_steps is None else num_steps
    out = {}
    for name, config in configs.items():
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows; we cut it below
            path = run(rules[name], land.grad, np.array(land.start), num_steps, config)
        bad = ~np.all(np.isfinite(path) & (np.abs(path) < FAR), axis=1)
        diverged = bool(bad.any())
        out[name] = (path[: np.argmax(bad)] if diverged else path, diverged)
    return out


def loss_gap(landscape, points):
    """``f(points) - f(minimum)`` of a landscape, floored at 1e-16 for a log axis. points: (k, 2) -> (k,)."""
    land = LANDSCAPES[landscape] if isinstance(landscape, str) else landscape
    gap = land.f(points) - land.f(np.array(land.minimum))
    return np.maximum(gap, 1e-16)


def contour_grid(landscape, n=140):
    """The landscape sampled for contour plots: (xs (n,), ys (n,), log10 of f - f_min + 1e-3, shape (n, n)).

    landscape: a key of ``LANDSCAPES`` or a :class:`nnopt.landscapes.Landscape`.
    """
    land = LANDSCAPES[landscape] if isinstance(landscape, str) else landscape
    xs = np.linspace(*land.xlim, n)
    ys = np.linspace(*land.ylim, n)
    Z = land.f(np.stack(np.meshgrid(xs, ys), axis=-1)) - land.f(np.array(land.minimum))
    return xs, ys, np.log10(np.maximum(Z, 0.0) + 1e-3)


def draw_landscape(ax, landscape, grid=None, marks=True):
    """Filled contours of a landscape (log scale) with its start (square) and minimum (star). Returns the ax.

    landscape: a key of ``LANDSCAPES`` or a Landscape; grid: the result of :func:`contour_grid`
    (computed here when None; pass it to redraw quickly).
    """
    land = LANDSCAPES[landscape] if isinstance(landscape, str) else landscape
    xs, ys, G = contour_grid(land) if grid is None else grid
    ax.contourf(xs, ys, G, levels=np.linspace(-3, G.max(), 13), cmap="Blues_r", alpha=0.9)
    if marks:
        ax.plot(*land.start, "s", color="k", ms=6, zorder=5)
        ax.plot(*land.minimum, "*", color="gold", mec="k", ms=13, zorder=5)
        if landscape == "saddle":
            ax.plot(0, 0, "x", color="k", ms=8, mew=2, zorder=5)
    ax.set_xlim(land.xlim)
    ax.set_ylim(land.ylim)
    # few, fixed ticks: each tick costs a text layout at every redraw
    ax.set_xticks(np.linspace(*land.xlim, 3))
    ax.set_yticks(np.linspace(*land.ylim, 3))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def _every(n_points, marks=25):
    """A ``markevery`` that puts about ``marks`` markers on a line of n points (every point if few)."""
    return 1 if n_points <= 2 * marks else max(1, n_points // marks)


def draw_paths(ax, paths, styles=RULE_STYLES):
    """Descent paths {name: (path (k, 2), diverged)}, each in its style, with a marker per step
    (every few steps on a long path), and a larger marker where a finished run ends. Returns the ax."""
    for name, (path, diverged) in paths.items():
        style = styles[name]
        ax.plot(path[:, 0], path[:, 1], color=style["color"], linestyle=style["linestyle"], lw=1.4,
                marker=style["marker"], ms=3, markevery=_every(len(path)), zorder=3)
        if not diverged:
            ax.plot(*path[-1], marker=style["marker"], color=style["color"], mec="k", ms=7, zorder=4)
    return ax


def draw_gaps(ax, landscape, paths, labels=None, styles=RULE_STYLES, legend=True):
    """Loss curves ``f - f_min`` (log scale) of the paths {name: (path, diverged)}. Returns the ax.

    labels: {name: legend text} (the names by default); a diverged run says so in the legend.
    """
    for name, (path, diverged) in paths.items():
        label = (labels or {}).get(name, name)
        if diverged:
            label += "  (diverged)"
        gap = np.minimum(loss_gap(landscape, path), GAP_LIMITS[1] * 1e3)
        ax.semilogy(np.arange(len(gap)), gap, lw=1.5, label=label, ms=4, markevery=_every(len(gap), 10),
                    **styles[name])
    ax.set_ylim(GAP_LIMITS)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_yticks([1e-9, 1e-6, 1e-3, 1, 1e3])
    longest = max(len(path) for path, _ in paths.values()) - 1
    ax.set_xticks(np.linspace(0, longest, 5).round())
    ax.yaxis.set_minor_locator(NullLocator())  # minor ticks on a log axis cost a third of a redraw
    ax.set_xlabel("step")
    ax.set_ylabel("f − f_min")
    ax.grid(True, alpha=0.3)
    if legend and is_narrow(ax.figure):  # a phone: below the plot, where it hides no curve
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    elif legend:
        ax.legend(fontsize=9, loc="lower left")
    return ax


def draw_race(fig, landscape, paths, labels=None, grid=None, title=None, styles=RULE_STYLES):
    """The race on one landscape: the paths on the contour map and the loss curves (side by side, or
    stacked in a narrow figure).

    paths: {name: (path, diverged)} from :func:`race_paths`; labels: legend texts; grid: from
    :func:`contour_grid`; styles: {name: a style of ``SERIES``}. Returns the two axes.
    """
    ax_map, ax_loss = panels(fig, 2, width_ratios=[1.35, 1])
    draw_landscape(ax_map, landscape, grid)
    draw_paths(ax_map, paths, styles)
    finished = [len(p) - 1 for p, diverged in paths.values() if not diverged]
    num_steps = max(finished) if finished else RACE[landscape][2]
    ax_map.set_title(title or f"{LANDSCAPES[landscape].name}: {num_steps} steps from ■ towards ★", fontsize=10)
    draw_gaps(ax_loss, landscape, paths, labels, styles)
    ax_loss.set_title("distance to the minimum's value", fontsize=10)
    return ax_map, ax_loss


def race_summary(landscape, paths):
    """One sentence per racer for the alt text: where each run ends, or that it diverged."""
    parts = []
    for name, (path, diverged) in paths.items():
        if diverged:
            parts.append(f"{name} diverges after {len(path) - 1} steps")
        else:
            parts.append(f"{name} ends {loss_gap(landscape, path[-1:])[0]:.1g} above the minimum")
    return "; ".join(parts)


def race_explorer(rules, extras=EXTRAS):
    """Landscape, learning-rate scale, beta and the extra racers -> the optimizer race (an :class:`Explorer`).

    rules: {name: update rule} for names of ``RULE_STYLES`` (the book passes the reference rules, a
    notebook the student's own; a missing name is left out of the race). extras: the names shown only
    when the toggle is on (no toggle when ``rules`` holds none of them).
    Every path of every control position is computed here, once, and the contour grids once per
    landscape, so that a redraw only draws.
    """
    unknown = set(rules) - set(RULE_STYLES)
    if unknown:
        raise ValueError(f"rules has names the race does not know: {sorted(unknown)}; use {list(RULE_STYLES)}")
    extras = [name for name in extras if name in rules]
    names = list(RACE)
    grids = {name: contour_grid(name) for name in names}
    cache = {}
    for name in names:
        for scale in SCALES:
            for beta in BETAS:
                configs = race_configs(name, scale, beta, names=rules)
                labels = {rule: rule_label(rule, config) for rule, config in configs.items()}
                cache[name, scale, beta] = (race_paths(name, configs, rules), labels)

    def shown(landscape, scale, beta, extra):
        paths, labels = cache[landscape, scale, beta]
        keep = [n for n in paths if extra == "on" or n not in extras]
        return {n: paths[n] for n in keep}, {n: labels[n] for n in keep}

    def draw(fig, landscape, scale, beta, extra="off"):
        paths, labels = shown(landscape, scale, beta, extra)
        return draw_race(fig, landscape, paths, labels, grids[landscape])

    def alt(landscape, scale, beta, extra="off"):
        paths, _ = shown(landscape, scale, beta, extra)
        return (f"The optimizer race on the {landscape} at learning-rate scale {scale:g} with beta {beta:g}: "
                f"{race_summary(landscape, paths)}.")

    controls = [
        Control("landscape", "landscape", names, default="saddle", fmt="{}", kind="choice"),
        Control("scale", "learning-rate scale", SCALES, default=1.0, fmt="×{:g}"),
        Control("beta", "β (momentum), β1 (Adam)", BETAS, default=0.9),
    ]
    if extras:
        controls.append(Control("extra", " and ".join(extras), ["off", "on"], default="off", fmt="{}",
                                kind="toggle"))
    return Explorer(
        draw,
        controls,
        figsize=(10, 3.9),
        margins=dict(left=0.075, right=0.98, bottom=0.13, top=0.92, wspace=0.22),
        alt=alt,
        narrow_figsize=(4.6, 8.4),
    )


LANDSCAPE_TITLES = {
    "ravine": "ravine: steep across, shallow along",
    "saddle": "saddle point at (0, 0)",
    "rosenbrock": "Rosenbrock: a curved valley",
    "plateau": "plateau around a well",
}


def draw_landscapes(fig):
    """The four landscapes of the race (2 x 2), each with its start and its minimum. Returns the axes."""
    axes = np.ravel(fig.subplots(2, 2))
    for ax, name in zip(axes, RACE):
        draw_landscape(ax, name)
        ax.set_title(LANDSCAPE_TITLES[name], fontsize=10)
    return axes


def draw_race_overview(fig, rules, beta=0.9, scale=1.0):
    """The race on each of the four landscapes (2 x 2 maps) at the Explore section's default settings,
    with one legend for all. rules: {name: rule}. Returns (axes, {landscape: paths})."""
    axes = np.ravel(fig.subplots(2, 2))
    everything = {}
    for ax, name in zip(axes, RACE):
        paths = race_paths(name, race_configs(name, scale, beta, names=rules), rules)
        everything[name] = paths
        draw_landscape(ax, name)
        draw_paths(ax, paths)
        ax.set_title(f"{LANDSCAPE_TITLES[name]} ({RACE[name][2]} steps)", fontsize=9)
    handles = [axes[0].plot([], [], lw=1.5, ms=5, label=name, **RULE_STYLES[name])[0] for name in rules]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=9, frameon=False)
    return axes, everything


def draw_momentum_averaging(fig, sgd, sgd_momentum, lr=0.07, beta=0.9, num_steps=25):
    """Why momentum damps a zigzag: the gradient and the velocity along a run of SGD on the ravine.

    The run is ``sgd`` at ``lr``; along its path the gradients are fed to ``sgd_momentum``'s velocity
    (its moves are ignored). Panels: the x components (along the ravine), the y components (across).
    Returns the two axes.
    """
    land = LANDSCAPES["ravine"]
    path = run(sgd, land.grad, np.array(land.start), num_steps, {"learning_rate": lr})
    grads = land.grad(path[:-1])
    velocity = np.zeros_like(grads)
    config = {"momentum": beta}
    for k, g in enumerate(grads):
        _, config = sgd_momentum(path[k], g, config)
        velocity[k] = config["velocity"]
    steps = np.arange(1, num_steps + 1)
    axes = panels(fig, 2)
    for ax, i, what in zip(axes, (0, 1), ("x component (along the ravine)", "y component (across the ravine)")):
        ax.axhline(0, color="k", lw=0.6)
        ax.plot(steps, grads[:, i], ms=4, lw=1.3, label="gradient dw", **RULE_STYLES["SGD"])
        ax.plot(steps, velocity[:, i], ms=4, lw=1.6, label=f"velocity m (β = {beta:g})", **RULE_STYLES["Momentum"])
        ax.set_title(what, fontsize=10)
        ax.set_xlabel("step t")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=9)
    return axes


def draw_rmsprop_steps(fig, sgd, rmsprop, lr_sgd=0.07, lr_rms=0.1, num_steps=40):
    """RMSprop's per-coordinate learning rates on the ravine, against SGD's single one.

    Panels: the paths of ``sgd`` and ``rmsprop`` on the ravine; RMSprop's effective learning rate of
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
    ax_map, ax_rate = panels(fig, 2, width_ratios=[1.35, 1])
    draw_landscape(ax_map, "ravine")
    draw_paths(ax_map, {"SGD": (sgd_path, False), "RMSprop": (np.array(rms_path), False)})
    ax_map.set_title(f"{num_steps} steps: SGD (lr = {lr_sgd:g}) and RMSprop (lr = {lr_rms:g})", fontsize=10)
    steps = np.arange(1, num_steps + 1)
    style = RULE_STYLES["RMSprop"]
    ax_rate.semilogy(steps, rates[:, 0], "-", color=style["color"], marker="o", ms=3, lw=1.8,
                     label="RMSprop, x (along)")
    ax_rate.semilogy(steps, rates[:, 1], "--", color=style["color"], marker="^", ms=3, lw=1.8,
                     label="RMSprop, y (across)")
    ax_rate.axhline(lr_sgd, lw=1.5, label=f"SGD, both (lr = {lr_sgd:g})", **{**RULE_STYLES["SGD"], "marker": None})
    ax_rate.set_ylim(0.01, 1)
    ax_rate.set_yticks([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    ax_rate.yaxis.set_major_formatter(PLAIN)
    ax_rate.yaxis.set_minor_locator(NullLocator())
    ax_rate.set_xlabel("step t")
    ax_rate.set_ylabel("lr / (√s + ε)")
    ax_rate.set_title("effective learning rate of each coordinate", fontsize=10)
    ax_rate.grid(True, alpha=0.3)
    ax_rate.legend(fontsize=9)
    return ax_map, ax_rate


def draw_momentum_ravine(fig, sgd, sgd_momentum, lr=0.07, betas=(0.5, 0.9), num_steps=60):
    """SGD and momentum with two betas on the ravine; momentum runs at ``lr / (1 - beta)``. Returns the axes."""
    configs = {"SGD": {"learning_rate": lr}}
    rules, styles, labels = {"SGD": sgd}, {"SGD": RULE_STYLES["SGD"]}, {"SGD": f"SGD: lr = {lr:g}"}
    for beta, style in zip(betas, (RULE_STYLES["Momentum"], SERIES[3])):
        name = f"Momentum β = {beta:g}"
        configs[name] = {"learning_rate": lr / (1 - beta), "momentum": beta}
        rules[name], styles[name] = sgd_momentum, style
        labels[name] = f"{name}: lr = {lr / (1 - beta):.3g}"
    paths = race_paths("ravine", configs, rules, num_steps)
    return draw_race(fig, "ravine", paths, labels, styles=styles, title=f"Ravine: {num_steps} steps of SGD and of momentum")


def draw_nesterov_ravine(fig, sgd_momentum, nesterov_momentum, lr=0.4, beta=0.9, num_steps=60):
    """Momentum and Nesterov with the same rate and beta on the ravine: the look-ahead damps the swing."""
    configs = {name: {"learning_rate": lr, "momentum": beta} for name in ("Momentum", "Nesterov")}
    rules = {"Momentum": sgd_momentum, "Nesterov": nesterov_momentum}
    labels = {name: rule_label(name, config) for name, config in configs.items()}
    paths = race_paths("ravine", configs, rules, num_steps)
    return draw_race(fig, "ravine", paths, labels, title=f"Ravine: {num_steps} steps, the same lr and β")


def momentum_rates(curvature, lr, betas):
    """How fast momentum shrinks the error along one direction of curvature ``h`` (a quadratic).

    lr: PyTorch's rate alpha' = alpha (1 - beta) (the product c = lr h is what matters); betas: shape (k,).
    Returns shape (k,): the larger modulus of the two roots of z**2 - (1 + beta - c) z + beta, the
    factor by which the error shrinks per step in the long run (>= 1: no convergence).
    """
    beta = np.asarray(betas, dtype=np.float64)
    a = 1 + beta - lr * curvature
    disc = a**2 - 4 * beta
    real = np.maximum(np.abs(a + np.sqrt(np.abs(disc))), np.abs(a - np.sqrt(np.abs(disc)))) / 2
    # two real roots (overdamped), or a complex pair of modulus sqrt(beta) (underdamped)
    return np.where(disc >= 0, real, np.sqrt(beta))


def draw_momentum_rates(ax, curvatures=(1.0, 25.0), lr=1 / 9):
    """The rate of convergence of momentum against beta, for the ravine's two curvatures at PyTorch's
    rate ``lr`` (Polyak's best for 1 and 25 by default), the slower of the two, and the critical
    damping of each curvature (where its two roots meet). Returns the ax."""
    betas = np.linspace(0, 0.95, 1901)
    rates = [momentum_rates(h, lr, betas) for h in curvatures]
    for k, (h, rate) in enumerate(zip(curvatures, rates)):
        ax.plot(betas, rate, lw=1.6, ms=4, markevery=190, label=f"curvature h = {h:g}", **SERIES[k])
        critical = (1 - np.sqrt(lr * h)) ** 2
        if 0 <= critical <= betas[-1]:
            ax.plot(critical, 1 - np.sqrt(lr * h), "o", color=SERIES[k]["color"], mec="k", ms=7, zorder=4)
    worst = np.maximum(*rates)
    ax.plot(betas, worst, color="k", lw=0.8, alpha=0.6, label="the slower of the two")
    best = betas[np.argmin(worst)]
    ax.axvline(best, color=COLORS["muted"], lw=0.8)
    ax.text(best + 0.01, 1.02, f"best β ≈ {best:.2f}", fontsize=9)
    ax.plot(betas, np.sqrt(betas), ":", color=COLORS["muted"], lw=1, label="√β (any complex pair)")
    ax.set_ylim(0.4, 1.1)
    ax.set_xlim(0, 0.95)
    ax.set_xlabel("momentum β")
    ax.set_ylabel("error factor per step")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    return ax


def draw_momentum_schedule(ax, forms, drop_at=40, lrs=(0.1, 0.01)):
    """Step sizes of the three ways to write momentum when the learning rate drops (constant gradient 1).

    forms: {"course", "pytorch", "lr inside": weights after each step, shape (T + 1, 1)}, from the
    reference ``momentum_forms`` fed gradients 1 and learning rates ``lrs[0]`` for the first
    ``drop_at`` steps, ``lrs[1]`` after (the PyTorch and lr-inside rates scaled by 1 - beta so that all
    three agree before the drop). Returns the ax.
    """
    num_steps = len(forms["course"]) - 1
    steps = np.arange(1, num_steps + 1)
    styles = {"course": ({**RULE_STYLES["Momentum"], "marker": None}, 3.0),
              "pytorch": ({"color": "k", "linestyle": "--"}, 1.2),
              "lr inside": ({**SERIES[3], "marker": None}, 1.8)}
    names = {"course": "course: m = βm + (1−β)dw, w −= lr·m",
             "pytorch": "PyTorch: u = βu + dw, w −= lr(1−β)·u",
             "lr inside": "lr inside: u = βu − lr(1−β)dw, w += u"}
    for form, w in forms.items():
        style, lw = styles[form]
        ax.plot(steps, np.abs(np.diff(w[:, 0])), lw=lw, label=names[form], **style)
    ax.axvline(drop_at + 0.5, color=COLORS["muted"], lw=0.8)
    ax.text(drop_at + 1.5, 0.095, f"lr drops from {lrs[0]:g} to {lrs[1]:g}", fontsize=9, va="top")
    ax.set_xlabel("step t")
    ax.set_ylabel("|w_t − w_(t−1)|")
    ax.set_ylim(0, 0.105)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="center right")
    return ax


def step_sizes(rule, grads, config=None):
    """The size of each step ``|w_t - w_(t-1)|`` of a rule fed the gradients ``grads`` (shape (T,)),
    in one dimension and without moving along a landscape. Returns shape (T,)."""
    w, config, out = np.zeros(1), dict(config or {}), []
    for g in grads:
        new, config = rule(w, np.array([g]), config)
        out.append(abs(new[0] - w[0]))
        w = new
    return np.array(out)


def draw_adaptive_rates(ax, rules, configs, num_steps=2000, seed=0):
    """AdaGrad's effective learning rate shrinks for ever; RMSprop's settles; Adadelta's is its own
    (log-log axes).

    rules: {name: rule} (e.g. AdaGrad, RMSprop, Adadelta); configs: {name: config}. Every rule is fed
    the same gradients in one dimension: +-1 with random signs for the first half of ``num_steps``
    steps, then +-10. Each curve is the step divided by the gradient's size, |w_t - w_(t-1)| / |g_t|:
    the learning rate the rule is using at step t. Returns the ax.
    """
    rng = np.random.default_rng(seed)
    grads = rng.choice([-1.0, 1.0], size=num_steps)
    grads[num_steps // 2:] *= 10
    steps = np.arange(1, num_steps + 1)
    for k, (name, rule) in enumerate(rules.items()):
        style = RULE_STYLES.get(name, SERIES[6])
        rate = step_sizes(rule, grads, configs.get(name)) / np.abs(grads)
        ax.loglog(steps, rate, lw=1.8, label=name, ms=5, markevery=0.1, **style)
    ax.axvline(num_steps // 2, color=COLORS["muted"], lw=0.8)
    ax.text(num_steps // 2 * 1.08, 0.9, "gradients\n×10", fontsize=9, va="top", transform=ax.get_xaxis_transform())
    ax.set_xlabel("step t")
    ax.set_ylabel("step / |gradient|")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    return ax


def weight_decay_runs(rule, config, noise=(10.0, 0.01), w0=(1.0, 1.0), num_steps=12000, l2=None, seed=1):
    """Two weights whose loss is flat (its gradient is pure noise, of two scales), under one rule.

    rule: an update rule; config: its hyper-parameters (e.g. Adam's with a learning rate, AdamW's with
    a ``weight_decay``); noise: the standard deviation of each weight's gradient noise; l2: None, or an
    L2 coefficient lambda whose gradient ``lambda * w`` is added to the noise (L2 regularisation).
    Returns the path, shape (num_steps + 1, 2). The only force towards 0 is the decay or the L2 term.
    """
    rng = np.random.default_rng(seed)
    noises = rng.standard_normal((num_steps, 2)) * np.asarray(noise)
    w, config, path = np.asarray(w0, dtype=np.float64), dict(config), [np.asarray(w0, dtype=np.float64)]
    for k in range(num_steps):
        dw = noises[k] + (0.0 if l2 is None else l2 * w)
        w, config = rule(w, dw, config)
        path.append(w)
    return np.array(path)


def draw_weight_decay(fig, adam, adamw, lr=1e-4, decay=2.0, noise=(10.0, 0.01), num_steps=12000):
    """L2 regularisation is not weight decay under Adam: two weights with gradient noise of very
    different scales, pulled to 0 only by an L2 term (Adam) or by decoupled decay (AdamW).

    Panels: |w| of each weight against the step, for Adam + L2 (coefficient ``decay``) and for AdamW
    (``weight_decay = decay``), with the pure decay (1 - lr decay)**t; the same runs on the (w1, w2) plane.
    Returns the two axes.
    """
    runs = {
        "Adam + L2": weight_decay_runs(adam, {"learning_rate": lr}, noise, num_steps=num_steps, l2=decay),
        "AdamW": weight_decay_runs(adamw, {"learning_rate": lr, "weight_decay": decay}, noise, num_steps=num_steps),
    }
    steps = np.arange(num_steps + 1)
    ax, ax_plane = panels(fig, 2)
    styles = {"Adam + L2": RULE_STYLES["Adam"], "AdamW": SERIES[6]}
    for name, path in runs.items():
        for i, ls in ((0, "-"), (1, "--")):
            style = {**styles[name], "linestyle": ls}
            ax.plot(steps, np.abs(path[:, i]), lw=1.5, ms=4, markevery=num_steps // 8,
                    label=f"{name}: w{i + 1} (gradient noise {noise[i]:g})", **style)
    ax.plot(steps, (1 - lr * decay) ** steps, color=COLORS["muted"], lw=3, alpha=0.5, zorder=0,
            label=f"(1 − lr·λ)^t, λ = {decay:g}")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 2)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_xlabel("step t")
    ax.set_ylabel("|w_i|")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    for name, path in runs.items():
        ax_plane.plot(path[:, 0], path[:, 1], lw=1.0, ms=4, markevery=num_steps // 8, label=name, **styles[name])
    ax_plane.plot(1, 1, "s", color="k", ms=6)
    ax_plane.set_xlabel("w1 (noisy gradients)")
    ax_plane.set_ylabel("w2 (quiet gradients)")
    ax_plane.set_title("the same runs, from ■ (1, 1)", fontsize=10)
    ax_plane.grid(True, alpha=0.3)
    ax_plane.legend(fontsize=9)
    return ax, ax_plane


def adam_step_for_tiny_gradients(grads, epsilon=1e-8):
    """Adam's step, as a fraction of the learning rate, for a constant gradient g (after bias correction
    m_hat = g and v_hat = g**2), with epsilon outside and inside the root.

    grads: gradient sizes, shape (k,). Returns (outside, inside): ``g / (|g| + eps)`` and
    ``g / sqrt(g**2 + eps)``, each shape (k,).
    """
    g = np.asarray(grads, dtype=np.float64)
    return g / (np.abs(g) + epsilon), g / np.sqrt(g**2 + epsilon)


def draw_epsilon_placement(ax, epsilon=1e-8):
    """Adam's step (in units of the learning rate) against the gradient's size, for epsilon outside
    and inside the square root (a constant gradient, bias-corrected). Returns the ax."""
    g = np.geomspace(1e-12, 1, 400)
    outside, inside = adam_step_for_tiny_gradients(g, epsilon)
    ax.semilogx(g, outside, lw=2, ms=5, markevery=40, label="ε outside: g / (√v̂ + ε)", **SERIES[0])
    ax.semilogx(g, inside, lw=2, ms=5, markevery=40, label="ε inside: g / √(v̂ + ε)", **SERIES[1])
    for x, text in ((epsilon, "|g| = ε"), (np.sqrt(epsilon), "|g| = √ε")):
        ax.axvline(x, color=COLORS["muted"], lw=0.8)
        ax.text(x * 1.3, 0.5, text, fontsize=9, rotation=90, va="center")
    ax.set_xlabel("size of the gradient |g|")
    ax.set_ylabel("step / learning rate")
    ax.set_ylim(0, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    return ax


def explorers(ref):
    """Every explorer of the chapter with ``ref``'s rules (``ref``: the package of reference
    implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    yield "race", race_explorer(ref.optim.RULES)
