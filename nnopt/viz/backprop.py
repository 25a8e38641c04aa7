"""Pictures of the backpropagation chapter (book: ``backprop``): a network with one hidden layer.

Two explorers: the decision boundary of a trained 2-layer network on the moons (hidden units and
activation), and a gradient check (step ``h``, one-sided or centred differences, a correct or a buggy
``backward``) showing truncation error for large steps and round-off error for small ones.

Every picture that needs an algorithm takes it as an argument, with the contracts of ps03 (and ps02's
``log_loss``): the book passes the reference implementations, an assignment the student's own.
``train_network(X, Y, n_h, activation, lr, num_iters, rng, params=None) -> (params, costs)`` is batch
gradient descent on the network from ``params`` (the reference's, or a loop a notebook writes with its
own ``forward`` and ``backward``).
"""

from importlib import import_module

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from ..explorer import Control, Explorer
from .common import COLORS, SERIES, cost_curve, panels

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu")
HIDDEN_UNITS = (1, 2, 3, 4, 6, 10, 20)
PARAM_NAMES = ("W1", "b1", "W2", "b2")
PARAM_COLORS = {name: style["color"] for name, style in zip(("W1", "b1", "W2", "b2"), SERIES)}
CLASS_COLORS = (COLORS["path"], COLORS["data"])  # label 0, label 1
GRADIENT_THRESHOLDS = (1e-7, 1e-4)  # below: right; between: suspicious; above: wrong
COST_TICKS = (0.02, 0.05, 0.1, 0.2, 0.5)


# -- architecture ---------------------------------------------------------------------------


def draw_network(ax, layer_sizes, count_parameters):
    """A fully connected network as circles (units) and lines (weights), inputs on the left. Returns the ax.

    layer_sizes: sizes from input to output, e.g. ``[3, 4, 2]``; count_parameters: the function of ps03,
    for the title.
    """
    sizes = [int(n) for n in layer_sizes]
    tallest = max(sizes)
    # centre each layer vertically
    positions = [[(k, (size - 1) / 2 - j) for j in range(size)] for k, size in enumerate(sizes)]
    for left, right in zip(positions[:-1], positions[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color=COLORS["muted"], lw=0.7, alpha=0.7, zorder=1)
    last = len(sizes) - 1
    for k, layer in enumerate(positions):
        color = COLORS["muted"] if k == 0 else (COLORS["model"] if k == last else COLORS["data"])
        xs, ys = zip(*layer)
        ax.scatter(xs, ys, s=260, color="white", edgecolors=color, linewidths=2, zorder=2)
        name = "input" if k == 0 else ("output" if k == last else f"hidden {k}")
        ax.text(k, -(tallest - 1) / 2 - 0.55, f"{name}\n{sizes[k]} unit{'s' if sizes[k] > 1 else ''}", ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.5, last + 0.5)
    ax.set_ylim(-(tallest - 1) / 2 - 1.5, (tallest - 1) / 2 + 0.5)
    ax.set_axis_off()
    ax.set_title(f"{sizes}: {count_parameters(sizes)} parameters", fontsize=10)
    return ax


def draw_computation_graph(ax):
    """The 2-layer network as a chain of array operations: forward arrows above, backward arrows below.

    Each node is an array of the forward pass; the label under a backward arrow is the gradient it carries.
    Returns the ax.
    """
    nodes = ["$X$", "$Z_1$", "$A_1$", "$Z_2$", "$A_2$", "$J$"]
    shapes = ["$(m, n_x)$", "$(m, n_h)$", "$(m, n_h)$", "$(m, n_y)$", "$(m, n_y)$", "number"]
    forward_ops = ["$X W_1 + b_1$", "$g$", "$A_1 W_2 + b_2$", "$\\sigma$", "log loss"]
    box = dict(boxstyle="round,pad=0.35", fc="white", ec=COLORS["data"], lw=1.5)
    for k, (name, shape) in enumerate(zip(nodes, shapes)):
        ax.text(2 * k, 0, name, ha="center", va="center", fontsize=13, bbox=box)
        ax.text(2 * k, 0.42, shape, ha="center", va="bottom", fontsize=9, color="0.35")
    for k, op in enumerate(forward_ops):
        ax.annotate("", xy=(2 * k + 1.62, 0.12), xytext=(2 * k + 0.38, 0.12),
                    arrowprops=dict(arrowstyle="->", color="0.2", lw=1.3))
        ax.text(2 * k + 1, 0.2, op, ha="center", va="bottom", fontsize=9)
    backward_ops = {3: "$dZ_2 = (A_2 - Y)/m$", 2: "$dA_1 = dZ_2 W_2^{\\top}$", 1: "$dZ_1 = dA_1 \\odot g'(Z_1)$"}
    for k, text in backward_ops.items():
        start = 2 * k + (3.62 if k == 3 else 1.62)
        ax.annotate("", xy=(2 * k + 0.38, -0.14), xytext=(start, -0.14),
                    arrowprops=dict(arrowstyle="->", color=COLORS["path"], lw=1.3))
        ax.text((2 * k + 0.38 + start) / 2, -0.24, text, ha="center", va="top", fontsize=9, color=COLORS["path"])
    for k, text in {3: "$dW_2 = A_1^{\\top} dZ_2$\n$db_2$ = column sums of $dZ_2$",
                    1: "$dW_1 = X^{\\top} dZ_1$\n$db_1$ = column sums of $dZ_1$"}.items():
        ax.annotate("", xy=(2 * k, -0.95), xytext=(2 * k, -0.2),
                    arrowprops=dict(arrowstyle="->", color=COLORS["model"], lw=1.3))
        ax.text(2 * k, -1.0, text, ha="center", va="top", fontsize=9, color=COLORS["model"])
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-1.42, 0.7)
    ax.set_axis_off()
    return ax


# -- decision boundaries --------------------------------------------------------------------


class ProbabilityGrid:
    """A grid of points covering the data X (m, 2), for drawing a classifier's probability and boundary."""

    def __init__(self, X, n=90, pad=0.35):
        lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
        self.xs = np.linspace(lo[0], hi[0], n)
        self.ys = np.linspace(lo[1], hi[1], n)
        gx, gy = np.meshgrid(self.xs, self.ys)
        self.points = np.column_stack([gx.ravel(), gy.ravel()])  # shape (n * n, 2)
        self.shape = gx.shape

    def evaluate(self, predict_proba):
        """``predict_proba`` maps points of shape (k, 2) to probabilities (k,); returns them as (n, n)."""
        return np.asarray(predict_proba(self.points)).reshape(self.shape)


def network_proba(forward, params, activation):
    """The network's probability of label 1 (``forward`` of ps03) as a function of points (k, n_x) -> (k,)."""
    return lambda P: np.asarray(forward(P, params, activation)[0])[:, 0]


def draw_boundary(ax, X, y, probabilities, grid):
    """Probability of label 1 as shades, the boundary (probability 1/2) as a line, and the data. Returns the ax.

    X: shape (m, 2); y: labels 0/1 of shape (m,); probabilities: shape (n, n) on ``grid``, a :class:`ProbabilityGrid`.
    """
    ax.contourf(grid.xs, grid.ys, probabilities, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35)
    if probabilities.min() < 0.5 < probabilities.max():
        ax.contour(grid.xs, grid.ys, probabilities, levels=[0.5], colors="k", linewidths=1.6)
    for label, (color, marker) in enumerate(zip(CLASS_COLORS, "o^")):
        mask = y == label
        ax.scatter(X[mask, 0], X[mask, 1], s=14, marker=marker, color=color, edgecolors="k", linewidths=0.35,
                   label=f"label {label}")
    ax.set_xlim(grid.xs[0], grid.xs[-1])
    ax.set_ylim(grid.ys[0], grid.ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def fraction_right(probabilities, y):
    """Fraction of examples whose predicted label (probability > 1/2) equals y (both of shape (m,))."""
    return float(np.mean((np.asarray(probabilities) > 0.5) == (y == 1)))


def train_moons_network(X, Y, n_h, activation, init_params, train_network, lr=1.5, num_iters=3000, seed=1):
    """Batch gradient descent on the 2-layer network (``train_network``) from larger weights than ``init_params``'.

    The weights are ``init_params``' draws scaled to a standard deviation of ``1 / sqrt(n_in)`` (instead of
    0.01), so that every setting of the explorer leaves the plateau near the start within ``num_iters``.
    X: shape (m, n_x); Y: labels 0/1 of shape (m, n_y). Returns (params, costs) with ``costs[i]`` the log
    loss before update i.
    """
    params = init_params(X.shape[1], n_h, Y.shape[1], np.random.default_rng(seed))
    params = {**params, "W1": params["W1"] * (100 / np.sqrt(X.shape[1])), "W2": params["W2"] * (100 / np.sqrt(n_h))}
    return train_network(X, Y, n_h, activation, lr, num_iters, None, params=params)


def boundary_explorer(X, y, forward, init_params, train_network, count_parameters,
                      hidden_units=HIDDEN_UNITS, activations=ACTIVATION_NAMES, lr=1.5, num_iters=3000, seed=1):
    """Hidden units and activation -> decision boundary and cost curve of a trained network (an :class:`Explorer`).

    X: shape (m, 2); y: labels 0/1 of shape (m,); forward, init_params, count_parameters: the functions of
    ps03; train_network: see the module's docstring. Every network is trained here, once (a few seconds
    with the reference implementation), so that moving a control only redraws.
    """
    grid = ProbabilityGrid(X)
    frames = {}
    for n_h in hidden_units:
        for activation in activations:
            params, costs = train_moons_network(X, y[:, None], n_h, activation, init_params, train_network,
                                                lr, num_iters, seed)
            proba = network_proba(forward, params, activation)
            frames[n_h, activation] = (grid.evaluate(proba), np.asarray(costs), fraction_right(proba(X), y))
    ylim = (min(c.min() for _, c, _ in frames.values()) * 0.8, 0.8)
    counts = {n_h: count_parameters([X.shape[1], n_h, 1]) for n_h in hidden_units}

    def draw(fig, n_h, activation):
        probabilities, costs, acc = frames[n_h, activation]
        ax_b, ax_c = panels(fig, 2, width_ratios=[1.25, 1])
        draw_boundary(ax_b, X, y, probabilities, grid)
        ax_b.set_title(f"{n_h} hidden {activation} unit{'s' if n_h > 1 else ''}: "
                       f"{100 * acc:.1f}% right", fontsize=10)
        ax_b.set_xticks([-2, -1, 0, 1, 2])
        ax_b.set_yticks([-2, -1, 0, 1, 2])
        cost_curve(ax_c, costs, ylabel="log loss")
        ax_c.set_ylim(*ylim)
        ax_c.set_yticks(COST_TICKS)
        ax_c.set_xticks(np.linspace(0, len(costs), 4).round())  # few ticks: each costs a text layout
        ax_c.set_title(f"training ({counts[n_h]} parameters): cost {costs[-1]:.3f}", fontsize=10)
        return fig

    def alt(n_h, activation):
        _, costs, acc = frames[n_h, activation]
        return (f"A network with {n_h} hidden {activation} unit{'s' * (n_h > 1)} trained on the two moons: "
                f"{100 * acc:.1f}% of the points on the right side of its boundary, a final cost of {costs[-1]:.3f}")

    return Explorer(
        draw,
        [
            Control("n_h", "hidden units", list(hidden_units), default=3, fmt="{:d}"),
            Control("activation", "hidden activation", list(activations), default="tanh", fmt="{}", kind="choice"),
        ],
        figsize=(10, 3.8),
        narrow_figsize=(4.6, 7.6),
        margins=dict(left=0.06, right=0.98, bottom=0.14, top=0.91, wspace=0.25),
        alt=alt,
    )


# -- gradient checking ----------------------------------------------------------------------


def check_network(seed=0, m=5, n_x=2, n_h=3, n_y=1):
    """A small random network for gradient checks, with every entry of unit scale so that each term matters.

    Returns (X, Y, params): X (m, n_x), labels Y (m, n_y) and params as ``init_params`` but drawn from N(0, 1).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x))
    Y = (rng.random((m, n_y)) < 0.5).astype(np.float64)
    params = {"W1": rng.standard_normal((n_x, n_h)), "b1": rng.standard_normal(n_h),
              "W2": rng.standard_normal((n_h, n_y)), "b2": rng.standard_normal(n_y)}
    return X, Y, params


def flat(grads, prefix=""):
    """The entries of a gradient dict (keys ``prefix + W1`` ...) as one vector, in the order W1, b1, W2, b2."""
    return np.concatenate([np.ravel(grads[prefix + name]) for name in PARAM_NAMES])


class GradientCheck:
    """The functions a gradient check compares and uses: ps03's ``forward`` and ``relative_error``, ps02's
    ``log_loss``, and dicts of backward passes ``{name: backward}`` and of numerical differences
    ``{name: numerical_gradient}`` (each with the contract of ps03's function of that name)."""

    def __init__(self, forward, log_loss, relative_error, backwards, differences):
        self.forward, self.log_loss, self.relative_error = forward, log_loss, relative_error
        self.backwards, self.differences = dict(backwards), dict(differences)


def gradient_check(X, Y, params, hs, check, activation="tanh", difference=None, backward_kind=None):
    """Relative error between a backward pass and numerical differences for each step in ``hs``.

    check: a :class:`GradientCheck`; difference, backward_kind: names among its differences and backward
    passes (the first of each by default). Returns (errors, gaps, analytic): ``errors`` of shape
    (len(hs),), the relative error over all parameters; ``gaps`` of shape (len(hs), P), the absolute
    difference of each of the P entries; ``analytic`` (P,).
    """
    difference = difference or next(iter(check.differences))
    backward_kind = backward_kind or next(iter(check.backwards))
    params = {key: np.array(value, dtype=np.float64) for key, value in params.items()}
    _, cache = check.forward(X, params, activation)
    analytic = flat(check.backwards[backward_kind](X, Y, params, cache, activation), "d")
    difference_fn = check.differences[difference]

    def cost(_):
        return check.log_loss(check.forward(X, params, activation)[0], Y)

    errors, gaps = [], []
    for h in hs:
        numeric = flat({name: difference_fn(cost, params[name], h) for name in PARAM_NAMES})
        errors.append(check.relative_error(analytic, numeric))
        gaps.append(np.abs(analytic - numeric))
    return np.array(errors), np.array(gaps), analytic


# "1e-5" rather than a typeset power of ten: typesetting tick labels costs more than the whole drawing
DECADE = FuncFormatter(lambda v, _pos: f"1e{round(np.log10(v)):d}" if v < 0.05 else f"{v:g}")


def _log_axis_tidy(ax, axis="both"):
    """Every other decade, plain labels, no minor ticks: a log axis that is cheap to draw and easy to read."""
    for a in ([ax.xaxis, ax.yaxis] if axis == "both" else [getattr(ax, axis + "axis")]):
        a.set_major_locator(LogLocator(base=10, numticks=6))
        a.set_major_formatter(DECADE)
        a.set_minor_locator(NullLocator())


def draw_error_bands(ax):
    """Shade the verdict of a gradient check by its relative error: right, suspicious, wrong. Returns the ax."""
    low, high = GRADIENT_THRESHOLDS
    ax.axhspan(1e-16, low, color="#55a868", alpha=0.12, lw=0)
    ax.axhspan(low, high, color="#ccb974", alpha=0.18, lw=0)
    ax.axhspan(high, 10, color="#c44e52", alpha=0.12, lw=0)
    for y, text in ((3e-10, "right"), (3e-6, "suspicious"), (1e-2, "wrong")):
        ax.text(0.985, y, text, transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=9,
                color="0.3")
    return ax


def draw_error_curves(ax, hs, curves, h=None, ylim=(1e-13, 2)):
    """Relative error against step size, one curve per entry of ``curves`` ({label: errors (len(hs),)}).

    The x axis runs from large steps (left) to small ones (right); ``h`` marks the current step. Returns the ax.
    """
    draw_error_bands(ax)
    styles = {"centred": ("#4c72b0", "-"), "forward": ("#dd8452", "--")}
    for label, errors in curves.items():
        color, ls = styles.get(label.split()[0], ("0.3", "-"))
        ax.loglog(hs, errors, ls, color=color, lw=1.8, label=label)
    if h is not None:
        ax.axvline(h, color="0.2", lw=0.8)
    ax.set_xlim(hs.max() * 1.5, hs.min() / 1.5)
    ax.set_ylim(*ylim)
    _log_axis_tidy(ax)
    ax.set_xlabel("step h (smaller to the right)")
    ax.set_ylabel("relative error")
    return ax


def draw_entry_gaps(ax, gaps, shapes, analytic=None, ylim=(1e-16, 1e3)):
    """Bars of |numerical - backprop| for each parameter entry, grouped and coloured by parameter. Returns the ax.

    gaps: shape (P,), in the order W1, b1, W2, b2; shapes: {name: shape} of the parameters;
    analytic: the P entries of the backward pass, drawn as dashes for scale (optional).
    """
    sizes = [int(np.prod(shapes[name])) for name in PARAM_NAMES]
    colors = [PARAM_COLORS[name] for name, size in zip(PARAM_NAMES, sizes) for _ in range(size)]
    index = np.arange(sum(sizes))
    # one call for all bars (a legend would cost more than the bars: the groups are named on the x axis)
    ax.bar(index, np.maximum(gaps, ylim[0]), color=colors, bottom=ylim[0] / 10)
    if analytic is not None:
        ax.plot(index, np.maximum(np.abs(analytic), ylim[0]), "_", color="k", ms=12, mew=1.5)
        ax.text(0.98, 0.96, "dashes: |backprop entry|", transform=ax.transAxes, ha="right", va="top", fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(*ylim)
    _log_axis_tidy(ax, "y")
    ends = np.cumsum(sizes)
    ax.set_xticks(ends - np.array(sizes) / 2 - 0.5, PARAM_NAMES)
    for label, name in zip(ax.get_xticklabels(), PARAM_NAMES):
        label.set_color(PARAM_COLORS[name])
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel("parameter entry")
    ax.set_ylabel("|numerical - backprop|")
    return ax


def gradient_check_explorer(X, Y, params, check, activation="tanh"):
    """Step h, kind of difference and backward pass -> relative error and per-entry gaps (an :class:`Explorer`).

    X (m, n_x), Y (m, n_y), params: a small network (``check_network``); check: a :class:`GradientCheck`
    (its differences are named "centred" and "forward" in the book). All checks are computed here.
    """
    steps = [10.0 ** -k for k in range(1, 13)]
    fine = np.geomspace(1e-1, 1e-12, 45)
    shapes = {name: np.shape(params[name]) for name in PARAM_NAMES}
    curves, at_steps = {}, {}
    for kind in check.backwards:
        for difference in check.differences:
            curves[kind, difference] = gradient_check(X, Y, params, fine, check, activation, difference, kind)[0]
            at_steps[kind, difference] = gradient_check(X, Y, params, steps, check, activation, difference, kind)

    def draw(fig, h, difference, backward_kind):
        ax_e, ax_g = panels(fig, 2, width_ratios=[1.2, 1])
        draw_error_curves(ax_e, fine, {f"{d} differences": curves[backward_kind, d] for d in check.differences}, h)
        errors, gaps, analytic = at_steps[backward_kind, difference]
        i = steps.index(h)
        ax_e.plot([h], [errors[i]], "o", color="k", ms=6, zorder=5)
        ax_e.legend(fontsize=9, loc="lower left")
        ax_e.set_title(f"backward pass: {backward_kind}", fontsize=10)
        draw_entry_gaps(ax_g, gaps[i], shapes, analytic)
        ax_g.set_title(f"{difference} differences, h = {h:.0e}: relative error {errors[i]:.1e}", fontsize=10)
        return fig

    def alt(h, difference, backward_kind):
        errors, _, _ = at_steps[backward_kind, difference]
        error = errors[steps.index(h)]
        verdict = "right" if error < GRADIENT_THRESHOLDS[0] else "suspicious" if error < GRADIENT_THRESHOLDS[1] else "wrong"
        return (f"Gradient check of the {backward_kind} backward pass with {difference} differences at h = {h:.0e}: "
                f"relative error {error:.1e}, which reads as {verdict}")

    return Explorer(
        draw,
        [
            Control("h", "step h", steps, default=1e-5, fmt="{:.0e}"),
            Control("difference", "differences", list(check.differences), fmt="{}", kind="choice"),
            Control("backward_kind", "backward pass", list(check.backwards), fmt="{}", kind="choice"),
        ],
        figsize=(10, 3.6),
        narrow_figsize=(4.6, 7.4),
        margins=dict(left=0.07, right=0.98, bottom=0.14, top=0.91, wspace=0.28),
        alt=alt,
    )


def book_gradient_check(ref):
    """The book's :class:`GradientCheck`: ``ref``'s functions (``ref``: the package ``nnref``), the correct
    backward pass and one that forgets g'(Z1), centred and forward (one-sided) differences."""
    bp, lg = import_module(f"{ref.__name__}.backprop"), import_module(f"{ref.__name__}.logistic")
    return GradientCheck(bp.forward, lg.log_loss, bp.relative_error,
                         backwards={"correct": bp.backward, "bug: no g'(Z1)": bp.backward_without_derivative},
                         differences={"centred": bp.numerical_gradient, "forward": bp.forward_difference})


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    from ..data import moons

    X, y = moons()
    bp = import_module(f"{ref.__name__}.backprop")
    yield "boundary", boundary_explorer(X, y, bp.forward, bp.init_params, bp.train_network, bp.count_parameters)
    yield "gradient check", gradient_check_explorer(*check_network(), book_gradient_check(ref))
