"""Drawing pieces shared by several chapters, and the book's display set-up.

* :func:`panels`: n axes side by side in a wide figure, stacked in a narrow (phone) one;
* :data:`COLORS` and :data:`SERIES`: a colour-blind-safe palette (Okabe and Ito's), and plot styles
  that tell lines apart by their line style and marker too, not by colour alone;
* :func:`use_book_display`: the call of every book page's hidden setup cell.
"""

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from ..explorer import DENSITY, encode_png

# plain tick labels on log axes ("100", not a typeset power of ten: cheaper to draw, easier to read)
PLAIN = FuncFormatter(lambda v, _pos: f"{v:g}" if v < 1e4 else f"{v:.0e}")

# Okabe and Ito's colours, told apart under every common colour-vision deficiency
OKABE_ITO = {"blue": "#0072B2", "vermillion": "#D55E00", "bluish green": "#009E73", "reddish purple": "#CC79A7",
             "orange": "#E69F00", "sky blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000"}
COLORS = {"data": OKABE_ITO["blue"], "model": OKABE_ITO["orange"], "path": OKABE_ITO["vermillion"],
          "cost": OKABE_ITO["bluish green"], "muted": "#767676"}

# Styles of lines whose colour carries meaning (one per series: ``ax.plot(x, y, **SERIES[k])``): each
# differs from the others in colour, line style and marker, so that a reader who cannot tell the
# colours apart, or prints in grey, still can. On a line of many points add ``markevery=``.
SERIES = [
    {"color": OKABE_ITO["blue"], "linestyle": "-", "marker": "o"},
    {"color": OKABE_ITO["vermillion"], "linestyle": "--", "marker": "s"},
    {"color": OKABE_ITO["bluish green"], "linestyle": "-.", "marker": "^"},
    {"color": OKABE_ITO["reddish purple"], "linestyle": ":", "marker": "D"},
    {"color": OKABE_ITO["orange"], "linestyle": (0, (5, 1.5, 1, 1.5, 1, 1.5)), "marker": "v"},
    {"color": OKABE_ITO["sky blue"], "linestyle": (0, (8, 2)), "marker": "P"},
    {"color": OKABE_ITO["black"], "linestyle": (0, (1, 1)), "marker": "X"},
]


def is_narrow(fig):
    """Whether a figure is drawn in the narrow (phone) layout: a figure taller than it is wide."""
    width, height = fig.get_size_inches()
    return height > width


def panels(fig, n, **subplot_kw):
    """n axes side by side in a wide figure, stacked top to bottom in a narrow one (see :func:`is_narrow`).

    subplot_kw: passed to ``fig.subplots`` (sharex, sharey, subplot_kw, gridspec_kw, width_ratios...);
    in the narrow layout, width ratios become height ratios. Returns an array of n axes, in reading
    order: left to right, or top to bottom.
    """
    kw = dict(subplot_kw)
    if is_narrow(fig):
        if "width_ratios" in kw:
            kw["height_ratios"] = kw.pop("width_ratios")
        if "width_ratios" in kw.get("gridspec_kw", {}):
            gridspec_kw = dict(kw["gridspec_kw"])
            gridspec_kw["height_ratios"] = gridspec_kw.pop("width_ratios")
            kw["gridspec_kw"] = gridspec_kw
        shape = (n, 1)
    else:
        shape = (1, n)
    return np.ravel(fig.subplots(*shape, squeeze=False, **kw))


def use_book_display():
    """Set up a book page's figures: call it once in the page's hidden setup cell.

    Every figure a cell shows becomes a palette PNG at twice its size in pixels, displayed at its
    size (crisp on high-density screens, small to download). Explorers need nothing here: while the
    book is built they show their static view by themselves (:func:`nnopt.explorer.building_book`),
    and in JupyterLab their live one. Outside IPython this does nothing.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot as plt

    # let the inline backend register its own formatters first, so that ours is not overwritten
    plt.switch_backend(plt.get_backend())
    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


def figure_png(fig):
    """A figure as a palette PNG at twice its size, and the display size: (bytes, {"width", "height"})."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DENSITY * fig.get_dpi(), bbox_inches="tight", facecolor="white")
    rgba = np.asarray(Image.open(buffer).convert("RGBA"))
    height, width = (n - n % DENSITY for n in rgba.shape[:2])  # whole CSS pixels (the tight box's padding)
    rgba = rgba[:height, :width]
    return encode_png(rgba), {"width": width // DENSITY, "height": height // DENSITY}


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
