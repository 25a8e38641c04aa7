"""Pictures of the log-loss chapter (book: ``log-loss``): activation functions, log loss against
squared error, and the decision boundary of logistic regression trained by gradient descent.

Every picture that needs an algorithm takes it as an argument: the book passes the reference
implementations, an assignment the student's own (``sigmoid``, ``log_loss``, ``train_logistic``,
``predict_classes`` with the contracts of ps02). Activation functions come as a dict
``{name: (g, g_prime)}`` of elementwise functions and their derivatives, and softmax as a row-wise
function of scores (m, k).
"""

from importlib import import_module

import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..explorer import Control, Explorer
from .common import COLORS, SERIES, panels

# class 0 (benign) and class 1 (malignant): colour and marker both differ, for colour-blind readers
CLASS_COLORS = ("#4c72b0", "#c44e52")
CLASS_MARKERS = ("o", "^")

DERIVATIVE_TEXT = {
    "sigmoid": "σ'(z) = σ(z) (1 − σ(z))",
    "tanh": "tanh'(z) = 1 − tanh²(z)",
    "relu": "relu'(z) = 1 if z > 0, else 0",
    "softmax": "∂p_j/∂z₁ = p_j (δ₁ⱼ − p₁)",
}
# the largest |g'(z)|: the sigmoid's slope peaks at 1/4, tanh's and relu's at 1; softmax's at 1/4
PEAK_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "softmax": 0.25}
VALUE_LIMITS = {"sigmoid": (-0.05, 1.05), "tanh": (-1.1, 1.1), "relu": (-0.3, 5.0), "softmax": (-0.05, 1.05)}
SOFTMAX_STYLES = SERIES[:3]
PROBABILITY_CMAP = matplotlib.colormaps["RdBu_r"]


# -- activation functions --------------------------------------------------------------------------
def activation_curves(g, x, w=1.0, b=0.0, softmax=False):
    """The output of one neuron ``a = g(w x + b)`` and its slope ``da/dx = w g'(w x + b)``.

    g: a pair ``(g, g_prime)`` of elementwise functions, or, with ``softmax=True``, a row-wise softmax;
    x: inputs of shape (k,). Returns (a, da). For an elementwise activation both have shape (k,). For a
    softmax both have shape (k, 3): the probabilities of three classes whose scores are ``(w x + b, 1, 0)``,
    and their derivatives with respect to x.
    """
    x = np.asarray(x, dtype=np.float64)
    z = w * x + b
    if softmax:
        p = np.asarray(g(np.column_stack([z, np.ones_like(z), np.zeros_like(z)])))
        # Jacobian column of the first score, dp_j/dz_1 = p_j (delta_1j - p_1), times dz_1/dx = w
        return p, w * p * ((np.arange(3) == 0) - p[:, :1])
    g, g_prime = g
    # chain rule: d g(w x + b) / dx = g'(w x + b) * w
    return np.asarray(g(z)), w * np.asarray(g_prime(z))


def draw_activation(ax_value, ax_slope, name, g, w=1.0, b=0.0, slope_limits=None, x=None):
    """Draw ``g(w x + b)`` on ``ax_value`` and its slope on ``ax_slope``, with the standard ``g(x)``
    (w = 1, b = 0) dashed for reference and a dotted line where ``w x + b = 0``. Returns the two axes.

    name: "sigmoid", "tanh", "relu" or "softmax" (its texts and limits); g: ``(g, g_prime)``, or the
    softmax function for "softmax".
    """
    x = np.linspace(-5, 5, 201) if x is None else x
    softmax = name == "softmax"
    a, da = activation_curves(g, x, w, b, softmax)
    a0, da0 = activation_curves(g, x, softmax=softmax)
    muted = dict(color=COLORS["muted"], ls="--", lw=1)
    standard = (w, b) == (1.0, 0.0)
    if softmax:
        if not standard:
            ax_value.plot(x, a0[:, 0], **muted, label="p1 at w = 1, b = 0")
            ax_slope.plot(x, da0[:, 0], **muted)
        for j, style in enumerate(SOFTMAX_STYLES):
            ax_value.plot(x, a[:, j], **style, markevery=25, ms=4, lw=2, label=f"p{j + 1}")
            ax_slope.plot(x, da[:, j], **style, markevery=25, ms=4, lw=2)
        ax_value.set_title(f"softmax of scores (wx + b, 1, 0), w = {w:g}, b = {b:g}", fontsize=10, y=1.0)
        ax_value.legend(fontsize=9, loc="center left" if w > 0 else "center right")
    else:
        if not standard:  # the reference curve, unless it is the curve itself
            ax_value.plot(x, a0, **muted, label="w = 1, b = 0")
            ax_slope.plot(x, da0, **muted)
        ax_value.plot(x, a, color=COLORS["model"], lw=2, label=f"w = {w:g}, b = {b:g}")
        ax_slope.plot(x, da, color=COLORS["path"], lw=2)
        ax_value.set_title(f"{name}: a = {name}(wx + b)", fontsize=10, y=1.0)
        ax_value.legend(fontsize=9, loc="upper left")
        # where the input to the activation is zero: x = -b / w
        for ax in (ax_value, ax_slope) if w != 0 else ():
            ax.axvline(-b / w, color=COLORS["muted"], ls=":", lw=1)
    ax_value.set_ylim(VALUE_LIMITS[name])
    ax_slope.set_title(f"slope da/dx = w · g'(wx + b);   {DERIVATIVE_TEXT[name]}", fontsize=9, y=1.0)
    if slope_limits is not None:
        ax_slope.set_ylim(slope_limits)
    for ax in (ax_value, ax_slope):
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xlim(x[0], x[-1])
        ax.set_xlabel("input x")
        ax.grid(True, alpha=0.3)
    return ax_value, ax_slope


def activation_explorer(activations, softmax=None, weights=(-1.0, 0.5, 1.0, 2.0, 4.0), biases=(-2.0, 0.0, 2.0)):
    """Activation, weight and bias -> the neuron's output and its slope (an :class:`Explorer`).

    activations: ``{name: (g, g_prime)}`` for names among "sigmoid", "tanh", "relu"; softmax: a row-wise
    softmax of scores (m, k), shown as a fourth choice, or None.
    """
    functions = dict(activations)
    if softmax is not None:
        functions["softmax"] = softmax
    names = list(functions)
    low, high = min(min(weights), 0.0), max(weights)
    # fixed slope axes per activation, so that the frames of one activation compare at a glance:
    # w g'(z) lies between w_min * peak and w_max * peak (softmax's slopes take both signs)
    limits = {n: (PEAK_SLOPE[n] * (low - 0.05 * high), PEAK_SLOPE[n] * 1.05 * high) for n in names}
    if "softmax" in limits:
        limits["softmax"] = (-limits["softmax"][1], limits["softmax"][1])

    def draw(fig, name, w, b):
        ax_value, ax_slope = panels(fig, 2)
        draw_activation(ax_value, ax_slope, name, functions[name], w, b, slope_limits=limits[name])

    def alt(name, w, b):
        if name == "softmax":
            return (f"Softmax probabilities of three classes with scores w x + b, 1 and 0 for w = {w:g}, b = {b:g}, "
                    f"and their slopes; the first class takes over where w x + b exceeds 1")
        at = -b / w + 0.0  # + 0.0: no "-0"
        direction = "rising" if w > 0 else "falling"
        if name == "relu":
            side = "below" if w > 0 else "above"
            return (f"relu of w x + b with w = {w:g}, b = {b:g}: zero, with zero slope, for x {side} {at:g}, "
                    f"then a straight line of slope {w:g}")
        return (f"{name} of w x + b with w = {w:g}, b = {b:g}: an S-shaped curve {direction} through its middle at "
                f"x = {at:g}; its slope peaks there at {abs(w) * PEAK_SLOPE[name]:g}")

    return Explorer(
        draw,
        [
            Control("name", "activation", names, default=names[0], fmt="{}", kind="choice"),
            Control("w", "weight w", list(weights), default=1.0),
            Control("b", "bias b", list(biases), default=0.0),
        ],
        figsize=(10, 3.4),
        narrow_figsize=(4.6, 6.4),
        margins=dict(left=0.06, right=0.98, bottom=0.16, top=0.9, wspace=0.22),
        alt=alt,
    )


def draw_activations(fig, activations, softmax):
    """The four activations of the chapter in a 2 x 2 grid, each with its derivative dashed. Returns the axes.

    activations: ``{"sigmoid": (g, g_prime), "tanh": ..., "relu": ...}``; softmax: a row-wise softmax.
    """
    axes = fig.subplots(2, 2).ravel()
    z = np.linspace(-5, 5, 401)
    uses = {
        "sigmoid": "output for two classes",
        "tanh": "hidden layers (zero-centred)",
        "relu": "hidden layers (the default)",
        "softmax": "output for k classes",
    }
    for ax, name in zip(axes, uses):
        if name == "softmax":
            a, da = activation_curves(softmax, z, softmax=True)
            for j, style in enumerate(SOFTMAX_STYLES):
                ax.plot(z, a[:, j], **style, markevery=50, ms=4, lw=2, label=f"p{j + 1}")
            ax.plot(z, da[:, 0], color=SOFTMAX_STYLES[0]["color"], ls="--", lw=1.5, label="∂p1/∂z1")
            ax.set_xlabel("score z1 (the others: 1 and 0)")
        else:
            a, da = activation_curves(activations[name], z)
            ax.plot(z, a, color=COLORS["model"], lw=2, label=name)
            ax.plot(z, da, color=COLORS["path"], ls="--", lw=1.5, label="derivative")
            ax.set_xlabel("z")
        ax.axhline(0, color="black", lw=0.5)
        ax.axvline(0, color="black", lw=0.5)
        ax.set_ylim(VALUE_LIMITS[name][0], 3.0 if name == "relu" else 1.1)
        ax.set_title(f"{name}: {uses[name]}", fontsize=10, y=1.0)
        ax.legend(fontsize=9, loc="center left" if name == "softmax" else "upper left")
        ax.grid(True, alpha=0.3)
    return axes


# -- log loss against squared error ----------------------------------------------------------------
def losses_of_one_example(z, sigmoid, log_loss, y=1.0):
    """Both costs of one example with label ``y`` as functions of its score ``z`` (shape (k,)).

    sigmoid, log_loss: the functions of ps02. Returns (log_loss, squared_error, log_loss_slope,
    squared_error_slope), each of shape (k,): the log loss and ``(sigmoid(z) - y)**2 / 2`` of the one
    example, and their derivatives with respect to z, ``a - y`` and ``(a - y) a (1 - a)``.
    """
    a = np.asarray(sigmoid(np.asarray(z, dtype=np.float64)))
    ll = np.array([log_loss(np.array([p]), np.array([y])) for p in a])
    return ll, 0.5 * (a - y) ** 2, a - y, (a - y) * a * (1 - a)


def costs_along_line(Z, y, w, b, s, sigmoid, log_loss):
    """The log loss and the squared-error cost of ``sigmoid(s (Z @ w + b))`` for each s (shape (k,)).

    Walks the straight line through parameter space from (0, 0) (s = 0) to (w, b) (s = 1) and beyond.
    Z: shape (m, n); y: shape (m,). Returns (log_losses, squared_errors), each of shape (k,).
    """
    a = np.asarray(sigmoid(np.outer(s, Z @ w + b)))  # (k, m)
    return np.array([log_loss(row, y) for row in a]), 0.5 * np.mean((a - y) ** 2, axis=1)


def draw_loss_comparison(fig, Z, y, w, b, sigmoid, log_loss):
    """Why log loss and not squared error, in three panels (Z standardised inputs (m, n), y (m,)).

    Left: the cost of one example with y = 1 against its score z. Middle: the size of the gradient
    with respect to z. Right: both costs on the data along the line s (w, b) through parameter space.
    Returns the three axes.
    """
    ax_loss, ax_slope, ax_line = panels(fig, 3)
    z = np.linspace(-8, 8, 401)
    ll, se, dll, dse = losses_of_one_example(z, sigmoid, log_loss)
    ll_style = dict(color=COLORS["model"], lw=2, label="log loss")
    se_style = dict(color=COLORS["data"], lw=2, ls="--", label="squared error")
    ax_loss.plot(z, ll, **ll_style)
    ax_loss.plot(z, se, **se_style)
    ax_loss.set_ylim(-0.1, 4)
    ax_loss.set_title("cost of one example with y = 1", fontsize=10, y=1.0)
    ax_loss.set_xlabel("score z (prediction σ(z))")
    ax_slope.plot(z, np.abs(dll), **ll_style)
    ax_slope.plot(z, np.abs(dse), **se_style)
    ax_slope.set_title("size of the gradient |∂L/∂z|", fontsize=10, y=1.0)
    ax_slope.set_xlabel("score z")
    ax_slope.annotate("confidently wrong:\nsquared error barely\npushes back", xy=(-6, abs(dse[50])),
                      xytext=(-7.5, 0.45), fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.8))
    s = np.linspace(-3, 3, 301)
    line_ll, line_se = costs_along_line(Z, y, w, b, s, sigmoid, log_loss)
    ax_line.plot(s, line_ll, **ll_style)
    ax_line.plot(s, line_se, **se_style)
    ax_line.plot(1, line_ll[np.searchsorted(s, 1.0)], "*", color=COLORS["model"], ms=10)
    ax_line.set_ylim(0, 1.2)
    ax_line.set_xlabel("s: parameters s · (w*, b*)")
    ax_line.set_title("cost on the data along a line", fontsize=10, y=1.0)
    for ax in (ax_loss, ax_slope, ax_line):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=9, loc="upper right")
    return ax_loss, ax_slope, ax_line


# -- logistic regression on two features -----------------------------------------------------------
def standard_units(X):
    """Column-wise standard units of X (m, n), population std. Returns (Z, mean, std), mean and std (n,)."""
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / std, mean, std


def logistic_path(Z, y, lr, iterations, train_logistic):
    """``train_logistic`` run for each number of updates in ``iterations``, and its loss curve.

    Z: shape (m, n); y: labels 0/1 of shape (m,). Returns (params, costs): params, a dict
    {k: (w_1, ..., w_n, b) of shape (n + 1,) after k updates} for each k in ``iterations``, and costs
    of shape (max(iterations) + 1,), the log loss after 0, 1, ... updates (the costs before each update
    of one run one update longer).
    """
    params = {}
    for k in iterations:
        w, b, _ = train_logistic(Z, y, lr, k)
        params[k] = np.append(np.asarray(w, dtype=np.float64), float(b))
    _, _, costs = train_logistic(Z, y, lr, max(iterations) + 1)
    return params, np.asarray(costs, dtype=np.float64)


def draw_classes(ax, X, y, names, s=12, key=True):
    """Scatter of two features (X of shape (m, 2)) by class (y of shape (m,), 1 = malignant). Returns the ax.

    key: name the classes in the top corners (cheaper to draw than a legend).
    """
    for label, text, corner in ((0, "● benign (y = 0)", 0.02), (1, "▲ malignant (y = 1)", 0.98)):
        pick = y == label
        ax.scatter(X[pick, 0], X[pick, 1], s=s, marker=CLASS_MARKERS[label], color=CLASS_COLORS[label],
                   alpha=0.75, lw=0)
        if key:
            ax.text(corner, 0.97, text, color=CLASS_COLORS[label], transform=ax.transAxes, fontsize=9,
                    ha="left" if corner < 0.5 else "right", va="top",
                    bbox=dict(fc="white", ec="none", alpha=0.85, pad=1.5))
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return ax


class BoundaryGrid:
    """A grid over the plotting box of raw features X (m, 2), kept in standard units for the model.

    mean, std: the standardisation the model was trained with (shape (2,) each); sigmoid: the
    function of ps02, for the predicted probabilities.
    """

    def __init__(self, X, mean, std, sigmoid, n=150, pad=0.05):
        self.sigmoid = sigmoid
        lo, hi = X.min(axis=0), X.max(axis=0)
        lo, hi = lo - pad * (hi - lo), hi + pad * (hi - lo)
        self.extent = (lo[0], hi[0], lo[1], hi[1])
        self.mean, self.std = mean, std
        xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
        self.xs = xs
        self.points = (np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2) - mean) / std
        self.shape = (n, n)

    def probabilities(self, w, b):
        """sigmoid(w . z + b) at every grid point, shape (n, n) (rows: second feature)."""
        return np.asarray(self.sigmoid(self.points @ w + b)).reshape(self.shape)

    def shading(self, w, b, strength=0.3):
        """An RGB image (n, n, 3) of the probabilities: pale blue near 0, white at 1/2, pale red near 1.

        The colours are blended with white here, so that drawing needs no transparency (much cheaper).
        """
        rgb = PROBABILITY_CMAP(0.15 + 0.7 * self.probabilities(w, b))[..., :3]
        return strength * rgb + (1.0 - strength)

    def boundary(self, w, b):
        """The line w . z + b = 0 in raw units: (x1, x2) arrays, or None when w is (nearly) zero."""
        (w1, w2), (m1, m2), (s1, s2) = w, self.mean, self.std
        if abs(w2) > 1e-12:
            # w1 (x1 - m1)/s1 + w2 (x2 - m2)/s2 + b = 0, solved for x2
            return self.xs, m2 - s2 * (b + w1 * (self.xs - m1) / s1) / w2
        if abs(w1) > 1e-12:
            x1 = m1 - s1 * b / w1
            return np.array([x1, x1]), np.array(self.extent[2:])
        return None


def draw_boundary(ax, X, y, w, b, grid, names):
    """The data, the predicted probability of class 1 as shading, and the decision boundary (black).

    X: raw features (m, 2); y: labels (m,); w, b: the model on standardised features;
    grid: a :class:`BoundaryGrid` for X. Returns the ax.
    """
    ax.imshow(grid.shading(w, b), extent=grid.extent, origin="lower", aspect="auto", interpolation="nearest")
    draw_classes(ax, X, y, names)
    line = grid.boundary(w, b)
    if line is not None:
        ax.plot(*line, color="black", lw=2)
    ax.set_xlim(grid.extent[:2])
    ax.set_ylim(grid.extent[2:])
    # few ticks: every tick label costs a text layout on each redraw
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    return ax


def draw_loss_curve(ax, costs, best=None, ylim=(0.2, 0.72)):
    """Log loss after t = 0, 1, ... updates (costs of shape (k + 1,)) on linear axes, with the smallest
    possible loss ``best`` dashed. Returns the ax."""
    t = np.arange(len(costs))
    ax.plot(t, costs, color=COLORS["cost"], lw=1.8, marker="o" if len(costs) <= 12 else None, ms=3)
    if best is not None:
        ax.axhline(best, color=COLORS["muted"], ls="--", lw=1)
        ax.text(0.98, best - 0.01, f"smallest possible: {best:.4f}", transform=ax.get_yaxis_transform(),
                ha="right", va="top", fontsize=9, color=COLORS["muted"])
    ax.set_xlim(0, max(len(costs) - 1, 1))
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_ylim(ylim)
    ax.set_yticks([t for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7) if ylim[0] <= t <= ylim[1]])
    ax.set_xlabel("update t")
    ax.set_ylabel("log loss J")
    ax.grid(True, alpha=0.3)
    return ax


def fraction_right(Z, y, w, b, predict_classes):
    """Fraction of examples whose class from ``predict_classes`` (ps02) is their label: a float."""
    return float(np.mean(np.asarray(predict_classes(Z, w, b)) == y))


def draw_training(fig, X, y, names, params, costs, grid, predict_classes, best=None):
    """Two panels for one run of gradient descent: the boundary after the run, and its loss curve.

    params: (w_1, w_2, b) of shape (3,) after the run; costs: log loss after each update, shape (k + 1,).
    Returns the two axes.
    """
    ax_data, ax_cost = panels(fig, 2)
    w, b = params[:2], params[2]
    Z = (X - grid.mean) / grid.std
    draw_boundary(ax_data, X, y, w, b, grid, names)
    k = len(costs) - 1
    ax_data.set_title(f"after {k} update{'s' * (k != 1)}: w = ({w[0]:.3g}, {w[1]:.3g}), b = {b:.3g}, "
                      f"accuracy {100 * fraction_right(Z, y, w, b, predict_classes):.1f}%", fontsize=9, y=1.0)
    draw_loss_curve(ax_cost, costs, best)
    ax_cost.set_title(f"log loss {costs[-1]:.4f}", fontsize=10, y=1.0)
    return ax_data, ax_cost


def boundary_explorer(X, y, names, train_logistic, sigmoid, predict_classes,
                      rates=(0.01, 0.1, 0.3, 1.0, 3.0, 10.0, 20.0, 30.0), iterations=(1, 3, 10, 30, 100, 300, 1000)):
    """Learning rate and number of updates -> decision boundary and loss curve (an :class:`Explorer`).

    X: raw features (m, 2), standardised inside; y: labels (m,); train_logistic, sigmoid,
    predict_classes: the functions of ps02. Every run is made here, once, so that moving a slider only
    redraws.
    """
    Z, mean, std = standard_units(X)
    grid = BoundaryGrid(X, mean, std, sigmoid)
    runs = {lr: logistic_path(Z, y, lr, iterations, train_logistic) for lr in rates}
    best = min(float(costs.min()) for _, costs in runs.values())
    right = {(lr, k): fraction_right(Z, y, params[k][:2], params[k][2], predict_classes)
             for lr, (params, _) in runs.items() for k in iterations}

    def draw(fig, lr, num_iters):
        params, costs = runs[lr]
        ax_data, ax_cost = draw_training(fig, X, y, names, params[num_iters], costs[: num_iters + 1], grid,
                                         predict_classes, best)
        ax_cost.set_title(f"lr = {lr:g}: log loss {costs[num_iters]:.4f} after {num_iters} "
                          f"update{'s' * (num_iters != 1)}", fontsize=10, y=1.0)

    def alt(lr, num_iters):
        cost = runs[lr][1][num_iters]
        return (f"Logistic regression with learning rate {lr:g} after {num_iters} updates: a straight boundary "
                f"between benign and malignant biopsies, {100 * right[lr, num_iters]:.1f}% classified right, "
                f"log loss {cost:.4f} (smallest possible {best:.4f})")

    return Explorer(
        draw,
        [
            Control("lr", "learning rate", list(rates), default=1.0),
            Control("num_iters", "updates", list(iterations), default=30, fmt="{:d}"),
        ],
        figsize=(10, 3.8),
        narrow_figsize=(4.6, 7.6),
        margins=dict(left=0.06, right=0.98, bottom=0.14, top=0.91, wspace=0.22),
        alt=alt,
    )


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    from ..data import breast_cancer

    X, y, names = breast_cancer()
    lg = import_module(f"{ref.__name__}.logistic")
    yield "activations", activation_explorer(lg.ACTIVATIONS, lg.softmax)
    yield "boundary", boundary_explorer(X, y, names, lg.train_logistic, lg.sigmoid, lg.predict_classes)
