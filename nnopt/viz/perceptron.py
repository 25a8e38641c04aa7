"""Pictures of the perceptron chapter (book: ``perceptron``): searching for the best line, and gradient descent.

Every picture that needs an algorithm of the chapter takes it as an argument: the book passes the
reference implementations, an assignment the student's own ``predict``, ``squared_error_cost``,
``cost_gradients`` and ``gradient_descent`` (with the contracts of ps01). The data are one feature
``x`` (shape (m,)) and the targets ``y`` (shape (m,)); the model is the line ``w x + b``.
"""

from importlib import import_module

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from ..explorer import Control, Explorer
from .common import COLORS, PLAIN, SERIES, cost_curve, panels, path


def cost_of(x, y, predict, squared_error_cost):
    """The squared-error cost J(w, b) of the line ``w x + b`` on one feature, as a function of two numbers.

    x, y: shape (m,); predict, squared_error_cost: the functions of ps01.
    """
    X = np.asarray(x, dtype=np.float64)[:, None]

    def J(w, b):
        return float(squared_error_cost(predict(X, np.array([float(w)]), float(b)), y))

    return J


class CostSurface:
    """The cost J(w, b) evaluated once on a grid over a box of (w, b), for drawing its contours.

    J: a function of two numbers (:func:`cost_of`); wlim, blim: the box; n: grid points per side.
    """

    def __init__(self, J, wlim, blim, n=60):
        self.ws, self.bs = np.linspace(*wlim, n), np.linspace(*blim, n)
        self.values = np.array([[J(w, b) for w in self.ws] for b in self.bs])  # rows: b, columns: w

    def draw(self, ax, levels=20):
        """Filled contours, logarithmically spaced (the cost spans decades), on ax. Returns the ax."""
        lo, hi = max(self.values.min(), 1e-12), self.values.max()
        ax.contourf(self.ws, self.bs, self.values, levels=np.geomspace(lo, hi, levels), cmap="Blues_r", alpha=0.85)
        ax.set_xlim(self.ws[0], self.ws[-1])
        ax.set_ylim(self.bs[0], self.bs[-1])
        # five ticks a side: every tick label costs a text layout on each redraw
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        return ax


def least_squares(x, y):
    """The best line for one feature, by the normal equations: (w*, b*) as floats (the star in the pictures)."""
    A = np.column_stack([x, np.ones_like(x)])
    w, b = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(w), float(b)


def descent_path(x, y, lr, num_iters, gradient_descent, w0=0.0, b0=0.0):
    """Run ``gradient_descent`` on one feature one update at a time and keep every iterate.

    x, y: shape (m,). Returns (params, costs): params of shape (num_iters + 1, 2) holding (w, b)
    before each update and after the last, costs of shape (num_iters + 1,) the cost at each
    (``gradient_descent`` reports the cost *before* an update, so the last one comes from one more call).
    """
    X = np.asarray(x, dtype=np.float64)[:, None]
    w, b = np.array([float(w0)]), float(b0)
    params, costs = [(float(w0), float(b0))], []
    for _ in range(num_iters + 1):
        w_next, b_next, cost = gradient_descent(X, y, w, b, lr, 1)
        costs.append(float(cost[0]))
        if len(params) <= num_iters:
            w, b = np.asarray(w_next, dtype=np.float64), float(b_next)
            params.append((float(w[0]), b))
    return np.array(params), np.array(costs)


def cost_at(x, y, w, b, gradient_descent):
    """The cost at (w, b) as ``gradient_descent`` reports it (the cost before its first update): a float."""
    X = np.asarray(x, dtype=np.float64)[:, None]
    return float(gradient_descent(X, y, np.array([float(w)]), float(b), 1.0, 1)[2][0])


def draw_fit(ax, x, y, w, b, predict, xlabel="x", ylabel="y", to_model=None):
    """Scatter of the data (shape (m,) each) and the perceptron's line ``predict`` draws. Returns the ax.

    ``to_model`` maps the plotted x to the model's input (e.g. standard units); identity by default.
    """
    to_model = to_model or (lambda v: v)
    ax.scatter(x, y, s=8, color=COLORS["data"], alpha=0.6, label="data")
    grid = np.linspace(x.min(), x.max(), 50)
    ax.plot(grid, predict(to_model(grid)[:, None], np.array([w]), b), color=COLORS["model"], lw=2.5, label="model")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(y.min() - 0.15 * np.ptp(y), y.max() + 0.15 * np.ptp(y))
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    return ax


# -- how to search at all ---------------------------------------------------------------------------

def random_search(J, num_evals, rng, wlim, blim):
    """Guess (w, b) uniformly in a box ``num_evals`` times and keep the best guess so far.

    J: the cost as a function of two numbers; rng: a ``np.random.Generator``.
    Returns (points, best): points of shape (num_evals, 2), every guess, and best of shape (num_evals,),
    the lowest cost found after each evaluation.
    """
    points = np.column_stack([rng.uniform(*wlim, num_evals), rng.uniform(*blim, num_evals)])
    costs = np.array([J(w, b) for w, b in points])
    return points, np.minimum.accumulate(costs)


def random_local_search(J, num_evals, rng, step, start=(0.0, 0.0)):
    """From ``start``, try a random direction of length ``step``; move there only if the cost falls.

    Each try costs one evaluation of J. Returns (path, best): path of shape (num_evals + 1, 2), the start
    and where the search stands after each try (unchanged after a rejected one), and best of shape
    (num_evals,), the cost after each try.
    """
    here = np.array(start, dtype=np.float64)
    cost_here = J(*here)
    path_, best = [here.copy()], []
    for _ in range(num_evals):
        angle = rng.uniform(0.0, 2.0 * np.pi)
        trial = here + step * np.array([np.cos(angle), np.sin(angle)])
        cost_trial = J(*trial)
        if cost_trial < cost_here:  # keep the move only if it goes downhill
            here, cost_here = trial, cost_trial
        path_.append(here.copy())
        best.append(cost_here)
    return np.array(path_), np.array(best)


def following_the_gradient(x, y, num_evals, lr, gradient_descent, start=(0.0, 0.0)):
    """Gradient descent from ``start``: one gradient (and cost) per update. Returns (path, best) as above."""
    params, costs = descent_path(x, y, lr, num_evals, gradient_descent, *start)
    return params, costs[1:]


SEARCH_BOX = ((-15.0, 5.0), (-5.0, 50.0))  # (w, b) box of the search pictures, cars in standard units


class SearchProblem:
    """The three searches of the chapter on one feature: random search, random local search and
    following the gradient, drawn on the contours of the cost.

    x: the feature in standard units, shape (m,); y: targets (m,); predict, squared_error_cost,
    gradient_descent: the functions of ps01. The cost surface is evaluated once, here.
    """

    def __init__(self, x, y, predict, squared_error_cost, gradient_descent, box=SEARCH_BOX):
        self.x, self.y, self.box = x, y, box
        self.gradient_descent = gradient_descent
        self.J = cost_of(x, y, predict, squared_error_cost)
        self.surface = CostSurface(self.J, *box)
        self.star = least_squares(x, y)
        self.lowest = self.J(*self.star)

    def runs(self, num_evals, step, seed):
        """{name: (points, best costs)} of the three searches (see their functions); the step is the
        length of a trial move of the local search and the learning rate of gradient descent."""
        wlim, blim = self.box
        return {
            "random search": random_search(self.J, num_evals, np.random.default_rng(seed), wlim, blim),
            "random local search": random_local_search(self.J, num_evals, np.random.default_rng(seed), step),
            "following the gradient": following_the_gradient(self.x, self.y, num_evals, step, self.gradient_descent),
        }

    def draw(self, fig, runs, num_evals, step):
        """Left: the searches on the cost's contours; right: the lowest cost found against evaluations.

        runs: from :meth:`runs` (possibly cut to ``num_evals``). Returns the two axes.
        """
        ax_map, ax_cost = panels(fig, 2, width_ratios=[1.1, 1])
        self.surface.draw(ax_map)
        for (name, (points, best)), style in zip(runs.items(), SERIES):
            if name == "random search":
                ax_map.plot(points[:, 0], points[:, 1], "x", color=style["color"], ms=4, mew=1.2, alpha=0.8)
            else:
                ax_map.plot(points[:, 0], points[:, 1], **style, ms=2.5, lw=1.4)
            evals = np.arange(1, len(best) + 1)
            ax_cost.loglog(evals, np.maximum(best - self.lowest, 1e-6), **style, lw=1.8, ms=4,
                           markevery=max(1, len(best) // 8), label=name)
        ax_map.plot(0, 0, "s", color="k", ms=6)
        ax_map.plot(*self.star, "*", color="k", ms=11)
        ax_map.set_title(f"{num_evals} evaluations, step {step:g} (x: random guesses)", fontsize=10)
        ax_cost.set_ylim(1e-6, 1e3)
        ax_cost.set_xlim(1, max(num_evals, 2))
        # few fixed ticks and no minor ones: tick layout costs more than the lines
        ax_cost.set_yticks([1e-6, 1e-4, 1e-2, 1.0, 1e2])
        ax_cost.set_xticks([t for t in (1, 3, 10, 30, 100, 300) if t <= max(num_evals, 2)])
        for axis in (ax_cost.xaxis, ax_cost.yaxis):
            axis.set_major_formatter(PLAIN)
            axis.set_minor_locator(NullLocator())
        ax_cost.set_xlabel("cost or gradient evaluations")
        ax_cost.set_ylabel("lowest cost found − minimum")
        ax_cost.grid(True, which="major", alpha=0.3)
        ax_cost.legend(fontsize=9, loc="lower left")
        ax_cost.set_title("how close each search gets", fontsize=10)
        return ax_map, ax_cost


def search_explorer(x, y, predict, squared_error_cost, gradient_descent,
                    evaluations=(3, 10, 30, 100, 300), steps=(0.1, 0.5, 1.5), seeds=(0, 1, 2)):
    """Evaluations, step size and seed -> three ways to search for the best line (an :class:`Explorer`).

    x: one feature in standard units, shape (m,); y: targets (m,). All runs are made here, once.
    """
    problem = SearchProblem(x, y, predict, squared_error_cost, gradient_descent)
    runs = {(step, seed): problem.runs(max(evaluations), step, seed) for step in steps for seed in seeds}

    def draw(fig, num_evals, step, seed):
        # random search keeps every guess; the two walks, where they stand after each try
        cut = {name: (points[:num_evals] if name == "random search" else points[:num_evals + 1], best[:num_evals])
               for name, (points, best) in runs[step, seed].items()}
        return problem.draw(fig, cut, num_evals, step)

    def alt(num_evals, step, seed):
        gaps = {name: best[num_evals - 1] - problem.lowest for name, (_, best) in runs[step, seed].items()}
        return (f"After {num_evals} evaluations with step {step:g} (seed {seed}), the lowest cost found is "
                + "; ".join(f"{max(gap, 0.0):.2g} above the minimum for {name}" for name, gap in gaps.items()))

    return Explorer(
        draw,
        [
            Control("num_evals", "evaluations", list(evaluations), default=30, fmt="{:d}"),
            Control("step", "step size", list(steps), default=0.5),
            Control("seed", "random seed", list(seeds), default=0, fmt="{:d}"),
        ],
        figsize=(10, 3.8),
        narrow_figsize=(4.6, 7.2),
        margins=dict(left=0.07, right=0.98, bottom=0.14, top=0.91, wspace=0.25),
        alt=alt,
    )


# -- gradient descent -------------------------------------------------------------------------------

def draw_descent(fig, weight, mpg, params, costs, surface, predict, lr):
    """Three panels for one run of gradient descent on the cars data (weight in standard units).

    Left: data and fitted line; middle: cost against iteration; right: the path on the cost surface.
    params, costs: from :func:`descent_path`; surface: a :class:`CostSurface` of the standardised cost.
    """
    w, b = params[-1]
    num_iters = len(params) - 1
    ax_fit, ax_cost, ax_surf = panels(fig, 3)
    draw_fit(ax_fit, weight, mpg, w, b, predict, "weight (1000 lb)", "miles per gallon",
             to_model=lambda v: (v - weight.mean()) / weight.std())
    ax_fit.set_title(f"after {num_iters} updates: w = {w:.3g}, b = {b:.3g}", fontsize=10)
    cost_curve(ax_cost, costs)
    ax_cost.set_title(f"cost J = {costs[-1]:.4g}", fontsize=10)
    surface.draw(ax_surf)
    path(ax_surf, params)
    ax_surf.set_title(f"path on the cost surface, lr = {lr:g}", fontsize=10)
    return fig


def descent_explorer(weight, mpg, predict, squared_error_cost, gradient_descent,
                     rates=(0.01, 0.03, 0.1, 0.3, 1.0, 1.5, 1.9, 2.05), iterations=(1, 3, 10, 30, 100)):
    """Learning rate and number of updates -> fitted line, cost curve and path (an :class:`Explorer`).

    weight, mpg: the cars (shape (m,) each); the weight is put in standard units inside. The runs of
    ``gradient_descent`` are made here, once per learning rate.
    """
    z = (weight - weight.mean()) / weight.std()
    surface = CostSurface(cost_of(z, mpg, predict, squared_error_cost), (-15, 5), (-5, 50))
    runs = {lr: descent_path(z, mpg, lr, max(iterations), gradient_descent) for lr in rates}

    def draw(fig, lr, num_iters):
        params, costs = runs[lr]
        return draw_descent(fig, weight, mpg, params[:num_iters + 1], costs[:num_iters + 1], surface, predict, lr)

    def alt(lr, num_iters):
        (w, b), cost = runs[lr][0][num_iters], runs[lr][1][num_iters]
        return (f"Gradient descent with learning rate {lr:g} after {num_iters} updates: the line "
                f"w = {w:.3g}, b = {b:.3g} (in standard units) through the cars, and a cost of {cost:.4g}")

    return Explorer(
        draw,
        [
            Control("lr", "learning rate", list(rates), default=0.1),
            Control("num_iters", "updates", list(iterations), default=10, fmt="{:d}"),
        ],
        narrow_figsize=(4.6, 9.6),
        alt=alt,
    )


def draw_learning_rates(fig, x, y, rates, gradient_descent, num_iters=40, pair=(0.1, 1.9)):
    """Runs of gradient descent for several learning rates on one feature (x, y of shape (m,)).

    Left: the cost above its minimum against the iteration (log scale), every rate in ``rates``.
    Right: the weight w against the iteration for the two rates of ``pair``, one creeping towards the
    best w (dotted), the other overshooting it from side to side. Returns the two axes.
    """
    ax_cost, ax_w = panels(fig, 2)
    w_best, b_best = least_squares(x, y)
    lowest = cost_at(x, y, w_best, b_best, gradient_descent)
    t = np.arange(num_iters + 1)
    every = max(5, num_iters // 8)
    for i, (lr, style) in enumerate(zip(rates, SERIES)):
        params, costs = descent_path(x, y, lr, num_iters, gradient_descent)
        # markers at shifted iterations, so that curves lying on top of each other both show
        marks = (i % every, every)
        ax_cost.semilogy(t, np.maximum(costs - lowest, 1e-12), lw=1.6, ms=5, markevery=marks,
                         label=f"lr = {lr:g}", **style)
        if lr in pair:
            ax_w.plot(t, params[:, 0], lw=1.4, ms=5, markevery=marks, label=f"lr = {lr:g}", **style)
    ax_cost.set_ylim(1e-6, 1e4)
    ax_cost.set_xlabel("iteration")
    ax_cost.set_ylabel("cost − lowest cost")
    ax_cost.grid(True, which="major", alpha=0.3)
    ax_cost.legend(fontsize=9, loc="lower right", ncol=2)
    ax_w.axhline(w_best, color="k", ls=":", lw=1, label="best w")
    ax_w.set_xlabel("iteration")
    ax_w.set_ylabel("weight w")
    ax_w.grid(True, alpha=0.3)
    ax_w.legend(fontsize=9, loc="upper right")
    return ax_cost, ax_w


def draw_scaling(fig, weight, mpg, predict, squared_error_cost, gradient_descent, lr=0.15, num_iters=30):
    """The same descent on raw and on standardised inputs: the cost surfaces and paths side by side."""
    z = (weight - weight.mean()) / weight.std()
    cases = [
        ("raw input (1000 lb)", weight, (-25, 15), (-20, 80)),
        ("standardised input", z, (-15, 5), (-5, 50)),
    ]
    axes = panels(fig, 2)
    for ax, (title, x, wlim, blim) in zip(axes, cases):
        params, costs = descent_path(x, mpg, lr, num_iters, gradient_descent)
        CostSurface(cost_of(x, mpg, predict, squared_error_cost), wlim, blim).draw(ax)
        path(ax, params)
        ax.set_title(f"{title}: J = {costs[-1]:.3g} after {num_iters} steps", fontsize=10)
    return axes


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    from ..data import cars

    weight, mpg = cars()
    p = import_module(f"{ref.__name__}.perceptron")
    z = (weight - weight.mean()) / weight.std()
    yield "search", search_explorer(z, mpg, p.predict, p.squared_error_cost, p.gradient_descent)
    yield "descent", descent_explorer(weight, mpg, p.predict, p.squared_error_cost, p.gradient_descent)
