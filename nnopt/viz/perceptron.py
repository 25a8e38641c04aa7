"""Pictures of the perceptron chapter (book: ``perceptron``): fitting a line by gradient descent."""

import numpy as np

from ..explorer import Control, Explorer
from nnref.perceptron import gradient_descent, predict
from .common import COLORS, contour, cost_curve, path


def descent_path(x, y, lr, num_iters, w0=0.0, b0=0.0):
    """Run batch gradient descent on one feature and keep every iterate.

    x, y: shape (m,). Returns (params, costs): params of shape (num_iters + 1, 2) holding (w, b)
    before each update and after the last, costs of shape (num_iters + 1,) the cost at each.
    """
    X = x[:, None]
    w, b = np.array([w0]), float(b0)
    params, costs = [(w0, b0)], []
    for _ in range(num_iters):
        w, b, cost = gradient_descent(X, y, w, b, lr, 1)
        costs.append(cost[0])
        params.append((w[0], b))
    costs.append(cost_surface(x, y)(np.array(params[-1])))
    return np.array(params), np.array(costs)


def cost_surface(x, y):
    """The squared-error cost J(w, b) of one feature as a function of points P of shape (..., 2)."""
    # J = 1/2 * mean((w x + b - y)^2), expanded in the data's moments so a grid costs no loop
    sxx, sx, sy, sxy, syy = (np.mean(v) for v in (x * x, x, y, x * y, y * y))

    def J(P):
        w, b = P[..., 0], P[..., 1]
        return 0.5 * (w * w * sxx + 2 * w * b * sx + b * b - 2 * w * sxy - 2 * b * sy + syy)

    return J


def draw_fit(ax, x, y, w, b, xlabel="x", ylabel="y", to_model=None):
    """Scatter of the data (shape (m,) each) and the perceptron's line ``w x + b``. Returns the ax.

    ``to_model`` maps the plotted x to the model's input (e.g. standard units); identity by default.
    """
    to_model = to_model or (lambda v: v)
    ax.scatter(x, y, s=8, color=COLORS["data"], alpha=0.6, label="data")
    grid = np.linspace(x.min(), x.max(), 50)
    ax.plot(grid, predict(to_model(grid)[:, None], np.array([w]), b), color=COLORS["model"], lw=2.5, label="model")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(y.min() - 0.15 * np.ptp(y), y.max() + 0.15 * np.ptp(y))
    return ax


def draw_descent(fig, weight, mpg, lr, num_iters):
    """Three panels for one run of gradient descent on the cars data (weight in standard units).

    Left: data and fitted line; middle: cost against iteration; right: the path on the cost surface.
    """
    z = (weight - weight.mean()) / weight.std()
    params, costs = descent_path(z, mpg, lr, num_iters)
    w, b = params[-1]
    ax_fit, ax_cost, ax_surf = fig.subplots(1, 3)
    draw_fit(ax_fit, weight, mpg, w, b, "weight (1000 lb)", "miles per gallon",
             to_model=lambda v: (v - weight.mean()) / weight.std())
    ax_fit.set_title(f"after {num_iters} updates: w = {w:.3g}, b = {b:.3g}", fontsize=10)
    cost_curve(ax_cost, costs)
    ax_cost.set_title(f"cost J = {costs[-1]:.4g}", fontsize=10)
    J = cost_surface(z, mpg)
    contour(ax_surf, J, (-15, 5), (-5, 50))
    path(ax_surf, params)
    ax_surf.set_xlabel("w")
    ax_surf.set_ylabel("b")
    ax_surf.set_title(f"path on the cost surface, lr = {lr:g}", fontsize=10)
    return fig


def descent_explorer(weight, mpg):
    """Learning rate and number of updates -> fitted line, cost curve and path (an :class:`Explorer`)."""
    return Explorer(
        lambda fig, lr, num_iters: draw_descent(fig, weight, mpg, lr, num_iters),
        [
            Control("lr", "learning rate", [0.01, 0.03, 0.1, 0.3, 1.0, 1.5, 1.9, 2.05], default=0.1),
            Control("num_iters", "updates", [1, 3, 10, 30, 100], default=10),
        ],
        alt="Gradient descent fitting a line to car weight and fuel economy",
    )


def draw_learning_rates(ax, x, y, rates, num_iters=40):
    """Cost curves of gradient descent for several learning rates (x, y of shape (m,)). Returns the ax."""
    for lr in rates:
        _, costs = descent_path(x, y, lr, num_iters)
        cost_curve(ax, costs, color=None, label=f"lr = {lr:g}")
    ax.legend(fontsize=8)
    return ax


def draw_scaling(fig, weight, mpg, lr=0.15, num_iters=30):
    """The same descent on raw and on standardised inputs: the cost surfaces and paths side by side."""
    z = (weight - weight.mean()) / weight.std()
    cases = [
        ("raw input (1000 lb)", weight, (-25, 15), (-20, 80)),
        ("standardised input", z, (-15, 5), (-5, 50)),
    ]
    axes = fig.subplots(1, 2)
    for ax, (title, x, xlim, ylim) in zip(axes, cases):
        params, costs = descent_path(x, mpg, lr, num_iters)
        contour(ax, cost_surface(x, mpg), xlim, ylim)
        path(ax, params)
        ax.set_title(f"{title}: J = {costs[-1]:.3g} after {num_iters} steps", fontsize=10)
        ax.set_xlabel("w")
        ax.set_ylabel("b")
    return fig


def explorers():
    """Every explorer of the chapter with the book's data: (name, explorer) pairs (for the benchmark)."""
    from ..data import cars

    weight, mpg = cars()
    yield "descent", descent_explorer(weight, mpg)
