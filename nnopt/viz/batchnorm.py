"""Pictures of the chapter on feature scaling and batch normalisation (book: ``batch-norm``).

Two explorers: gradient descent on a two-feature linear regression (the cars' weight and acceleration,
``nnopt.data.cars_weight_acceleration``) with raw, min-max-scaled or standardised features; and a small
network trained with and without batch norm on the two moons. Everything that does not depend on a
control is computed once, in the explorer's factory.

Every picture that needs an algorithm takes it as an argument, with the contracts of the assignments:
``scalers = {"min-max": min_max_scale, "z-score": standardize}`` (ps08), ``gradient_descent`` (ps01),
``batchnorm_forward`` (ps08), and the trainer ``train_mlp`` (the book's is ``nnref.batchnorm.train_mlp``).
The book passes the reference implementations, an assignment the student's own.
"""

from importlib import import_module

import numpy as np

from ..explorer import Control, Explorer
from matplotlib.ticker import NullLocator

from .common import COLORS, PLAIN, SERIES, cost_curve, panels, path

SCALINGS = ("raw", "min-max", "z-score")
# one style per scaling, the same in every picture (colour, line style and marker)
SCALING_STYLES = dict(zip(SCALINGS, [SERIES[1], SERIES[4], SERIES[0]]))
SCALING_LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.4, 1.5]
NUM_ITERS = 200
DIVERGED = 1e6  # a cost this far above its minimum counts as diverged: the run stops there


# ----------------------------------------------------------------------------- feature scaling

def scale_features(X, scaling, scalers):
    """``X`` (shape (m, n)) as it is ("raw"), scaled to [0, 1] ("min-max") or standardised ("z-score").

    scalers: {"min-max": min_max_scale, "z-score": standardize}, functions ``f(X) -> (X_scaled, stats)``.
    """
    if scaling == "raw":
        return np.asarray(X, dtype=np.float64).copy()
    if scaling in ("min-max", "z-score"):
        return np.asarray(scalers[scaling](np.asarray(X, dtype=np.float64))[0], dtype=np.float64)
    raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")


def curvatures(X):
    """Eigenvalues (ascending, shape (n + 1,)) of the squared-error cost's Hessian ``[X 1]^T [X 1] / m``.

    The bias counts as a feature that is always 1. Gradient descent converges for ``lr < 2 / largest``,
    and the ratio largest / smallest (the condition number) measures how slowly it then crawls.
    """
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ A / len(A))


def least_squares(X, y):
    """The minimiser (w of shape (n,), b) of the squared-error cost and the minimum cost J*."""
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta[:-1], float(theta[-1]), float(0.5 * np.mean((A @ theta - y) ** 2))


def descent_run(X, y, lr, gradient_descent, num_iters=NUM_ITERS):
    """Batch gradient descent from zeros with ``gradient_descent`` (ps01's), keeping every iterate.

    X: shape (m, n); y: shape (m,). Returns (params, gaps): params of shape (k + 1, n + 1) holding
    (w_1 .. w_n, b) before each update and after the last, and gaps of shape (k + 1,), the cost above its
    minimum at each. k = num_iters, unless the cost grows past ``DIVERGED``, where the run stops.
    """
    *_, j_min = least_squares(X, y)
    w, b = np.zeros(X.shape[1]), 0.0
    params, costs = [np.append(w, b)], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_iters):
            w, b, cost = gradient_descent(X, y, w, b, lr, 1)
            costs.append(cost[0])
            params.append(np.append(w, b))
            if not cost[0] - j_min < DIVERGED:
                break
        # the cost after the last update, as gradient_descent reports it (the cost before its next update)
        costs.append(gradient_descent(X, y, w, b, lr, 1)[2][0])
    return np.array(params), np.array(costs) - j_min


def profile_cost(X, y):
    """The cost of two weights with the bias at its best value for them, ``min_b J(w1, w2, b)``.

    X: shape (m, 2); y: shape (m,). Returns J(P) for points P of shape (..., 2). The best bias is
    ``mean(y) - mean(X) @ w``, so this is half the mean squared error of the centred problem.
    """
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    C, c, v = Xc.T @ Xc / len(X), Xc.T @ yc / len(X), float(np.mean(yc * yc))

    def J(P):
        quad = np.einsum("...i,ij,...j->...", P, C, P)
        return 0.5 * (quad - 2 * P @ c + v)

    return J


def _box(runs, w_best):
    """Axis limits around the origin, the minimum and every run that did not diverge (runs: params arrays)."""
    points = [np.zeros(2), w_best] + [p[:, :2] for p in runs]
    points = np.vstack(points)
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.08 * (hi - lo) + 1e-9
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def _banded(J, j_min, levels=18):
    """RGBA image (shape J.shape + (4,)) of filled contours of J: bands between levels spaced
    logarithmically in J - j_min, dark at the minimum (the look of ``common.contour``)."""
    from matplotlib import colormaps

    gap = np.maximum(J - j_min, 0.0)
    edges = np.geomspace(1e-3, 1.0, levels) * gap.max()
    band = np.searchsorted(edges, gap)  # 0 .. levels
    colors = colormaps["Blues_r"](np.linspace(0.0, 1.0, levels + 1))
    colors[:, 3] = 0.85
    return colors[band]


class ScalingStudy:
    """Every gradient-descent run of the scaling explorer, computed once.

    X: raw features of shape (m, 2), y: targets (m,); scalers and gradient_descent: the functions of
    ps08 and ps01 (see the module's docstring); lrs: the learning rates to run for each scaling.
    Attributes per scaling: ``features`` (m, 2), ``eig`` (3,), ``best`` (w, b, J*), ``runs[lr]`` =
    (params, gaps) of :func:`descent_run`, ``box`` (xlim, ylim) and ``grid`` (xs, ys, J on the grid).
    """

    def __init__(self, X, y, scalers, gradient_descent, lrs=SCALING_LRS, num_iters=NUM_ITERS, names=("w1", "w2")):
        self.names, self.lrs, self.num_iters = names, list(lrs), num_iters
        self.features, self.eig, self.best, self.runs, self.box, self.grid = {}, {}, {}, {}, {}, {}
        for scaling in SCALINGS:
            Xs = scale_features(X, scaling, scalers)
            self.features[scaling] = Xs
            self.eig[scaling] = curvatures(Xs)
            self.best[scaling] = least_squares(Xs, y)
            self.runs[scaling] = {lr: descent_run(Xs, y, lr, gradient_descent, num_iters) for lr in self.lrs}
            kept = [p for p, g in self.runs[scaling].values() if g[-1] < g[0]]
            xlim, ylim = _box(kept, self.best[scaling][0])
            self.box[scaling] = (xlim, ylim)
            xs, ys = np.linspace(*xlim, 300), np.linspace(*ylim, 300)
            J = profile_cost(Xs, y)(np.stack(np.meshgrid(xs, ys), axis=-1))
            self.grid[scaling] = (xs, ys, _banded(J, self.best[scaling][2]))

    def kappa(self, scaling):
        """Condition number of the cost's Hessian (bias included) for a scaling."""
        return self.eig[scaling][-1] / self.eig[scaling][0]

    def lr_max(self, scaling):
        """The largest stable learning rate ``2 / largest curvature`` for a scaling."""
        return 2.0 / self.eig[scaling][-1]


def draw_scaled_descent(ax, study, scaling, lr):
    """Contours of the cost over the two weights (bias at its best) and the path of gradient descent.

    The path is the (w1, w2) part of the run with learning rate ``lr`` on the ``scaling`` features,
    from the square (zeros) to the star; the cross marks the minimum. Returns the ax.
    """
    xs, ys, image = study.grid[scaling]
    # the filled contours, drawn once in the factory as an image: much faster to show than contourf
    ax.imshow(image, extent=(xs[0], xs[-1], ys[0], ys[-1]), origin="lower", aspect="auto",
              interpolation="nearest")
    params, gaps = study.runs[scaling][lr]
    diverged = not gaps[-1] < gaps[0]
    path(ax, params[:, :2])
    ax.plot(*study.best[scaling][0], "x", color="k", ms=8, mew=2)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(study.names[0])
    ax.set_ylabel(study.names[1])
    if diverged:
        ax.text(0.5, 0.5, f"diverged after {len(gaps) - 1} steps", transform=ax.transAxes, ha="center",
                va="center", fontsize=11, color=COLORS["path"], bbox=dict(fc="white", ec=COLORS["path"]))
    ax.set_title(f"{scaling}: κ = {study.kappa(scaling):.3g}, stable for lr < {study.lr_max(scaling):.3g}",
                 fontsize=10, y=1.0, pad=4)
    return ax


def _gap_axis(ax, num_iters):
    """Fixed limits and few ticks for J - J* on a log scale (fewer tick objects: a faster redraw)."""
    ax.set_ylim(1e-10, 1e4)
    ax.set_yticks([1e-9, 1e-6, 1e-3, 1, 1e3], ["1e-9", "1e-6", "0.001", "1", "1000"])
    ax.set_xlim(0, num_iters)
    ax.set_xticks(np.linspace(0, num_iters, 5))


def _gap_curve(ax, gaps, scaling, **style):
    """One scaling's J - J* curve, in its style (markers every 25 steps)."""
    cost_curve(ax, np.clip(gaps, 1e-12, None), color=SCALING_STYLES[scaling]["color"], label=scaling,
               ylabel="cost above its minimum")
    line = ax.lines[-1]
    line.set(linestyle=SCALING_STYLES[scaling]["linestyle"], marker=SCALING_STYLES[scaling]["marker"],
             markevery=25, ms=4, **style)
    return line


def draw_gaps(ax, study, lr, selected=None):
    """The cost above its minimum, ``J - J*``, against the iteration, one curve per scaling. Returns the ax.

    Curves that diverged stop where they left the picture; ``selected`` is drawn thicker.
    """
    for scaling in SCALINGS:
        _, gaps = study.runs[scaling][lr]
        thick = selected is None or scaling == selected
        _gap_curve(ax, gaps, scaling, lw=2.4 if thick else 1.2, alpha=1.0 if thick else 0.55)
    _gap_axis(ax, study.num_iters)
    ax.legend(fontsize=9, loc="lower left")
    ax.set_title(f"J − J* with lr = {lr:g}", fontsize=10, y=1.0, pad=4)
    return ax


def draw_scaling_comparison(fig, study, lrs):
    """Four panels (2 x 2): the descent on each scaling with its own learning rate (``lrs``: scaling -> lr),
    and the three cost curves. Returns the fig."""
    axes = fig.subplots(2, 2).ravel()
    for ax, scaling in zip(axes, SCALINGS):
        draw_scaled_descent(ax, study, scaling, lrs[scaling])
        ax.set_title(f"{scaling}: lr = {lrs[scaling]:g}, κ = {study.kappa(scaling):.3g}", fontsize=10, y=1.0, pad=4)
    ax = axes[-1]
    for scaling in SCALINGS:
        _, gaps = study.runs[scaling][lrs[scaling]]
        _gap_curve(ax, gaps, scaling, lw=1.8)
    _gap_axis(ax, study.num_iters)
    ax.legend(fontsize=9, loc="lower left")
    ax.set_title("J − J* after each step", fontsize=10, y=1.0, pad=4)
    return fig


def scaling_explorer(X, y, scalers, gradient_descent, names=("w1", "w2")):
    """Scaling and learning rate -> path on the cost contours and cost curves (an :class:`Explorer`).

    X: raw features of shape (m, 2); y: shape (m,); scalers, gradient_descent: see the module's
    docstring. All 27 runs are computed here, once.
    """
    study = ScalingStudy(X, y, scalers, gradient_descent, names=names)

    def draw(fig, scaling, lr):
        ax_path, ax_gap = panels(fig, 2)
        draw_scaled_descent(ax_path, study, scaling, lr)
        draw_gaps(ax_gap, study, lr, selected=scaling)
        return fig

    def alt(scaling, lr):
        gaps = {s: study.runs[s][lr][1] for s in SCALINGS}

        def outcome(s):
            g = gaps[s]
            if not g[-1] < g[0]:
                return f"{s} diverges"
            return f"{s} ends {g[-1]:.2g} above the minimum"

        return (f"Gradient descent with learning rate {lr:g} on the {scaling} features (condition number "
                f"{study.kappa(scaling):.3g}, stable below {study.lr_max(scaling):.3g}) after {study.num_iters} "
                f"steps: " + "; ".join(outcome(s) for s in SCALINGS) + ".")

    return Explorer(
        draw,
        [
            Control("scaling", "features", list(SCALINGS), default="raw", fmt="{}", kind="choice"),
            Control("lr", "learning rate", study.lrs, default=0.003),
        ],
        figsize=(9, 3.6),
        narrow_figsize=(4.6, 8),
        margins=dict(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3),
        alt=alt,
    )


# ----------------------------------------------------------------------------- batch normalisation

BN_BATCH_SIZES = [4, 16, 64]
BN_LRS = [0.03, 0.3, 1.0, 3.0]
# the two networks of every batch-norm picture: without (grey, dashed) and with batch norm (blue, solid)
BN_STYLES = {False: dict(color=COLORS["muted"], linestyle="--", marker="s"), True: dict(SERIES[0])}
BN_LABELS = {False: "without batch norm", True: "with batch norm"}
MODES = ("test", "train")


def training_runs(X, y, train_mlp, batch_sizes=BN_BATCH_SIZES, lrs=BN_LRS, hidden=(16, 16), num_epochs=30, seed=0):
    """Train the same network with and without batch norm for every batch size and learning rate.

    train_mlp: the trainer (``nnref.batchnorm.train_mlp``), called as
    ``train_mlp(X, y, hidden, batch_size, lr, num_epochs, rng, use_batchnorm)`` and returning a dict
    with ``loss``, ``accuracy`` (test mode) and ``accuracy_train_mode``, arrays of shape (num_epochs,).
    Returns {(batch_size, lr, use_batchnorm): that dict}. Both runs of a pair start from the same
    weights (the same seed).
    """
    runs = {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for batch_size in batch_sizes:
            for lr in lrs:
                for use_bn in (False, True):
                    runs[batch_size, lr, use_bn] = train_mlp(
                        X, y, hidden, batch_size, lr, num_epochs, np.random.default_rng(seed), use_bn)
    return runs


def draw_training(fig, runs, batch_size, lr, mode="test"):
    """Training loss and accuracy per epoch, with and without batch norm. Returns the fig.

    mode: "test" shows the accuracy in test mode (running statistics), "train" in train mode (each
    mini-batch normalised with its own statistics); the network without batch norm has no modes.
    """
    ax_loss, ax_acc = panels(fig, 2)
    key = "accuracy" if mode == "test" else "accuracy_train_mode"
    for use_bn in (False, True):
        history = runs[batch_size, lr, use_bn]
        epochs = np.arange(1, len(history["loss"]) + 1)
        style = dict(BN_STYLES[use_bn], lw=1.8, ms=4, markevery=5)
        ax_loss.semilogy(epochs, history["loss"], label=BN_LABELS[use_bn], **style)
        ax_acc.plot(epochs, history[key], label=BN_LABELS[use_bn], **style)
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.set_xlim(1, len(epochs))
        ax.grid(True, alpha=0.3)
    ax_loss.set_ylabel("training loss (train mode)")
    ax_loss.set_ylim(0.05, 3)
    ax_loss.yaxis.set_major_formatter(PLAIN)
    ax_loss.yaxis.set_minor_locator(NullLocator())
    ax_loss.legend(fontsize=9, loc="upper right")
    ax_loss.set_title(f"mean log loss in the epoch, batch {batch_size}, lr {lr:g}", fontsize=10, y=1.0, pad=4)
    ax_acc.set_ylabel(f"accuracy ({mode} mode)")
    ax_acc.set_ylim(0.4, 1.0)
    ax_acc.axhline(0.5, color="k", lw=0.6, ls=":")
    ax_acc.legend(fontsize=9, loc="lower right")
    ax_acc.set_title(f"training-set accuracy after each epoch, {mode} mode", fontsize=10, y=1.0, pad=4)
    return fig


def training_explorer(runs):
    """Batch size, learning rate and mode -> training curves with and without batch norm (an :class:`Explorer`).

    runs: from :func:`training_runs`.
    """
    batch_sizes = sorted({k[0] for k in runs})
    lrs = sorted({k[1] for k in runs})

    def alt(batch_size, lr, mode):
        key = "accuracy" if mode == "test" else "accuracy_train_mode"
        ends = {bn: runs[batch_size, lr, bn] for bn in (False, True)}
        return (f"A network with two hidden layers of 16 units on the two moons, batch size {batch_size}, learning "
                f"rate {lr:g}: after 30 epochs the training loss is {ends[False]['loss'][-1]:.2g} without batch norm "
                f"and {ends[True]['loss'][-1]:.2g} with it; the accuracy in {mode} mode is "
                f"{ends[False][key][-1]:.2f} without and {ends[True][key][-1]:.2f} with batch norm.")

    return Explorer(
        lambda fig, batch_size, lr, mode: draw_training(fig, runs, batch_size, lr, mode),
        [
            Control("batch_size", "batch size", batch_sizes, default=16, fmt="{:d}"),
            Control("lr", "learning rate", lrs, default=0.3 if 0.3 in lrs else lrs[0]),
            Control("mode", "accuracy in train mode", list(MODES), fmt="{} mode", kind="toggle"),
        ],
        figsize=(9, 3.4),
        narrow_figsize=(4.6, 7.5),
        margins=dict(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.28),
        alt=alt,
    )


def batch_noise(z, batch_sizes, batchnorm_forward, num_batches=300, rng=None, index=0):
    """How one example's normalised value depends on the rest of its mini-batch.

    z: one unit's pre-activations over a data set, shape (m,); batchnorm_forward: ps08's function.
    For each batch size B, ``num_batches`` batches are drawn that hold example ``index`` and B - 1
    others chosen at random; each batch is put through ``batchnorm_forward`` in train mode (gamma = 1,
    beta = 0), and the example's output is kept. Returns ({B: outputs of shape (num_batches,)}, the
    example's output in test mode with the data set's mean and unbiased variance as running statistics).
    """
    rng = np.random.default_rng(0) if rng is None else rng
    others = np.delete(np.arange(len(z)), index)
    one, zero = np.ones(1), np.zeros(1)
    outputs = {}
    for B in batch_sizes:
        values = np.empty(num_batches)
        for k in range(num_batches):
            batch = np.concatenate([[index], rng.choice(others, B - 1, replace=False)])
            out, _ = batchnorm_forward(z[batch][:, None], one, zero, {"mode": "train"})
            values[k] = np.asarray(out)[0, 0]
        outputs[B] = values
    test_param = {"mode": "test", "running_mean": np.array([z.mean()]), "running_var": np.array([z.var(ddof=1)])}
    test_out, _ = batchnorm_forward(z[[index]][:, None], one, zero, test_param)
    return outputs, float(np.asarray(test_out)[0, 0])


def draw_batch_noise(ax, outputs, test_value):
    """Strips of one example's train-mode output for each batch size, and its test-mode value. Returns the ax."""
    rng = np.random.default_rng(1)
    sizes = sorted(outputs)
    for k, B in enumerate(sizes):
        values = outputs[B]
        ax.plot(k + 0.25 * rng.uniform(-1, 1, len(values)), values, "o", ms=2, alpha=0.35, color=COLORS["data"])
        lo, hi = np.percentile(values, [5, 95])
        ax.plot([k + 0.33, k + 0.33], [lo, hi], color="k", lw=2)
    ax.axhline(test_value, color=COLORS["model"], lw=2, ls="--", label=f"test mode: {test_value:.2f}")
    ax.set_xticks(range(len(sizes)), [str(B) for B in sizes])
    ax.set_xlabel("batch size")
    ax.set_ylabel("normalised value")
    ax.legend(fontsize=9, loc="upper right")
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    from ..data import cars_weight_acceleration, moons

    bn = import_module(f"{ref.__name__}.batchnorm")
    perceptron = import_module(f"{ref.__name__}.perceptron")
    X, mpg = cars_weight_acceleration()
    scalers = {"min-max": bn.min_max_scale, "z-score": bn.standardize}
    yield "scaling", scaling_explorer(X, mpg, scalers, perceptron.gradient_descent,
                                      names=("w for weight", "w for acceleration"))
    X, y = moons(400, 0.25, 0)
    yield "training", training_explorer(training_runs(X, y, bn.train_mlp))
