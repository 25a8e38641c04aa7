"""Drawing pieces shared by several chapters."""

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

# plain tick labels on log axes ("100", not a typeset power of ten: cheaper to draw, easier to read)
PLAIN = FuncFormatter(lambda v, _pos: f"{v:g}" if v < 1e4 else f"{v:.0e}")

COLORS = {"data": "#4c72b0", "model": "#dd8452", "path": "#c44e52", "cost": "#55a868", "muted": "#8c8c8c"}


def contour(ax, f, xlim, ylim, levels=20, n=120, log=True):
    """Filled contours of a scalar function ``f(P)`` of points P of shape (..., 2) over a box.

    Returns the ax. With ``log`` the levels are spaced logarithmically (for costs spanning decades).
    """
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    Z = f(grid)
    if log:
        lo, hi = max(Z.min(), 1e-12), Z.max()
        ax.contourf(xs, ys, Z, levels=np.geomspace(lo, hi, levels), cmap="Blues_r", alpha=0.85)
    else:
        ax.contourf(xs, ys, Z, levels=levels, cmap="Blues_r", alpha=0.85)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax


def path(ax, points, color=COLORS["path"], label=None):
    """A descent path: points of shape (k, 2) joined by lines, start and end marked. Returns the ax."""
    points = np.asarray(points)
    ax.plot(points[:, 0], points[:, 1], "-o", color=color, ms=2.5, lw=1.2, label=label)
    ax.plot(*points[0], "s", color=color, ms=5)
    ax.plot(*points[-1], "*", color=color, ms=10)
    return ax


def cost_curve(ax, costs, color=COLORS["cost"], label=None, ylabel="cost"):
    """Cost against iteration on a log scale (costs of shape (k,)). Returns the ax."""
    costs = np.asarray(costs)
    ax.semilogy(np.arange(len(costs)), costs, color=color, lw=1.5, label=label)
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_locator(NullLocator())  # dozens of minor ticks cost a third of a redraw
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return ax
