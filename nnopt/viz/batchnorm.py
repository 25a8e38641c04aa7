"""Pictures of the chapter on feature scaling and batch normalisation (book: ``batch-norm``).

Two explorers: gradient descent on a two-feature linear regression (the cars' weight and acceleration,
``nnopt.data.cars_weight_acceleration``) with raw, min-max-scaled or standardised features; and a small
network trained with and without batch norm (``nnref.batchnorm.train_mlp``) on the two moons.
Everything that does not depend on a slider is computed once, in the explorer's factory.
"""

import numpy as np

from nnref.batchnorm import batchnorm_forward, min_max_scale, standardize, train_mlp
from ..explorer import Control, Explorer
from nnref.perceptron import gradient_descent
from .common import COLORS, cost_curve, path

SCALINGS = ("raw", "min-max", "z-score")
SCALING_COLORS = {"raw": "#c44e52", "min-max": "#dd8452", "z-score": "#4c72b0"}
SCALING_LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.4, 1.5]
NUM_ITERS = 200
DIVERGED = 1e6  # a cost this far above its minimum counts as diverged: the run stops there


# ----------------------------------------------------------------------------- feature scaling

def scale_features(X, scaling):
    """``X`` (shape (m, n)) as it is ("raw"), scaled to [0, 1] ("min-max") or standardised ("z-score")."""
    if scaling == "raw":
        return np.asarray(X, dtype=np.float64).copy()
    if scaling == "min-max":
        return min_max_scale(X)[0]
    if scaling == "z-score":
        return standardize(X)[0]
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


def descent_run(X, y, lr, num_iters=NUM_ITERS):
    """Batch gradient descent from zeros (``nnref.perceptron.gradient_descent``), keeping every iterate.

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
        A = np.column_stack([X, np.ones(len(X))])
        costs.append(0.5 * np.mean((A @ params[-1] - y) ** 2))
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

    X: raw features of shape (m, 2), y: targets (m,), lrs: the learning rates to run for each scaling.
    Attributes per scaling: ``features`` (m, 2), ``eig`` (3,), ``best`` (w, b, J*), ``runs[lr]`` =
    (params, gaps) of :func:`descent_run`, ``box`` (xlim, ylim) and ``grid`` (xs, ys, J on the grid).
    """

    def __init__(self, X, y, lrs=SCALING_LRS, num_iters=NUM_ITERS, names=("w1", "w2")):
        self.names, self.lrs, self.num_iters = names, list(lrs), num_iters
        self.features, self.eig, self.best, self.runs, self.box, self.grid = {}, {}, {}, {}, {}, {}
        for scaling in SCALINGS:
            Xs = scale_features(X, scaling)
            self.features[scaling] = Xs
            self.eig[scaling] = curvatures(Xs)
            self.best[scaling] = least_squares(Xs, y)
            self.runs[scaling] = {lr: descent_run(Xs, y, lr, num_iters) for lr in self.lrs}
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
                 fontsize=10)
    return ax


def _gap_axis(ax, num_iters):
    """Fixed limits and few ticks for J - J* on a log scale (fewer tick objects: a faster redraw)."""
    ax.set_ylim(1e-10, 1e4)
    ax.set_yticks([1e-9, 1e-6, 1e-3, 1, 1e3], ["1e-9", "1e-6", "0.001", "1", "1000"])
    ax.set_xlim(0, num_iters)
    ax.set_xticks(np.linspace(0, num_iters, 5))


def draw_gaps(ax, study, lr, selected=None):
    """The cost above its minimum, ``J - J*``, against the iteration, one curve per scaling. Returns the ax.

    Curves that diverged stop where they left the picture; ``selected`` is drawn thicker.
    """
    for scaling in SCALINGS:
        _, gaps = study.runs[scaling][lr]
        thick = selected is None or scaling == selected
        cost_curve(ax, np.clip(gaps, 1e-12, None), color=SCALING_COLORS[scaling], label=scaling,
                   ylabel="cost above its minimum")
        line = ax.lines[-1]
        line.set_lw(2.4 if thick else 1.2)
        line.set_alpha(1.0 if thick else 0.55)
    _gap_axis(ax, study.num_iters)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"J − J* with lr = {lr:g}", fontsize=10)
    return ax


def draw_scaling_comparison(fig, study, lrs):
    """Four panels (2 x 2): the descent on each scaling with its own learning rate (``lrs``: scaling -> lr),
    and the three cost curves. Returns the fig."""
    axes = fig.subplots(2, 2).ravel()
    for ax, scaling in zip(axes, SCALINGS):
        draw_scaled_descent(ax, study, scaling, lrs[scaling])
        ax.set_title(f"{scaling}: lr = {lrs[scaling]:g}, κ = {study.kappa(scaling):.3g}", fontsize=10)
    ax = axes[-1]
    for scaling in SCALINGS:
        _, gaps = study.runs[scaling][lrs[scaling]]
        cost_curve(ax, np.clip(gaps, 1e-12, None), color=SCALING_COLORS[scaling], label=scaling,
                   ylabel="cost above its minimum")
    _gap_axis(ax, study.num_iters)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("J − J* after each step", fontsize=10)
    return fig


def scaling_explorer(X, y, names=("w1", "w2")):
    """Scaling and learning rate -> path on the cost contours and cost curves (an :class:`Explorer`).

    X: raw features of shape (m, 2); y: shape (m,). All 27 runs are computed here, once.
    """
    study = ScalingStudy(X, y, names=names)

    def draw(fig, scaling, lr):
        ax_path, ax_gap = fig.subplots(1, 2)
        draw_scaled_descent(ax_path, study, scaling, lr)
        draw_gaps(ax_gap, study, lr, selected=scaling)
        return fig

    return Explorer(
        draw,
        [
            Control("scaling", "features", list(SCALINGS), default="raw", fmt="{}"),
            Control("lr", "learning rate", study.lrs, default=0.003),
        ],
        figsize=(10, 3.6),
        margins=dict(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.28),
        alt="Gradient descent on a two-feature regression with raw, min-max and standardised features",
    )


# ----------------------------------------------------------------------------- batch normalisation

BN_BATCH_SIZES = [4, 16, 64]
BN_LRS = [0.03, 0.3, 1.0, 3.0]
BN_COLORS = {False: COLORS["muted"], True: COLORS["model"]}


def training_runs(X, y, batch_sizes=BN_BATCH_SIZES, lrs=BN_LRS, hidden=(16, 16), num_epochs=30, seed=0):
    """Train the same network with and without batch norm for every batch size and learning rate.

    Returns {(batch_size, lr, use_batchnorm): history} with the dicts of ``train_mlp``. Both runs of a
    pair start from the same weights (the same seed).
    """
    runs = {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for batch_size in batch_sizes:
            for lr in lrs:
                for use_bn in (False, True):
                    runs[batch_size, lr, use_bn] = train_mlp(
                        X, y, hidden, batch_size, lr, num_epochs, np.random.default_rng(seed), use_bn)
    return runs


def draw_training(fig, runs, batch_size, lr):
    """Training loss and accuracy per epoch, with and without batch norm. Returns the fig."""
    ax_loss, ax_acc = fig.subplots(1, 2)
    for use_bn in (False, True):
        history = runs[batch_size, lr, use_bn]
        label = "with batch norm" if use_bn else "without"
        epochs = np.arange(1, len(history["loss"]) + 1)
        cost_curve(ax_loss, history["loss"], color=BN_COLORS[use_bn], label=label, ylabel="training loss")
        ax_loss.lines[-1].set_xdata(epochs)
        ax_acc.plot(epochs, history["accuracy"], color=BN_COLORS[use_bn], lw=1.8, label=label)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_xlim(1, len(epochs))
    ax_loss.set_ylim(0.05, 3)
    ax_loss.legend(fontsize=8, loc="upper right")
    ax_loss.set_title(f"mean log loss in the epoch (batch size {batch_size}, lr = {lr:g})", fontsize=10)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (test mode)")
    ax_acc.set_xlim(1, len(epochs))
    ax_acc.set_ylim(0.4, 1.0)
    ax_acc.axhline(0.5, color="k", lw=0.6, ls=":")
    ax_acc.grid(True, alpha=0.3)
    ax_acc.legend(fontsize=8, loc="lower right")
    ax_acc.set_title("accuracy on the training set after each epoch", fontsize=10)
    return fig


def training_explorer(X, y, runs=None):
    """Batch size and learning rate -> training curves with and without batch norm (an :class:`Explorer`).

    X: shape (m, n), y: labels 0/1 of shape (m,). ``runs`` from :func:`training_runs` (computed if None).
    """
    runs = training_runs(X, y) if runs is None else runs
    batch_sizes = sorted({k[0] for k in runs})
    lrs = sorted({k[1] for k in runs})
    return Explorer(
        lambda fig, batch_size, lr: draw_training(fig, runs, batch_size, lr),
        [
            Control("batch_size", "batch size", batch_sizes, default=16, fmt="{:d}"),
            Control("lr", "learning rate", lrs, default=0.3 if 0.3 in lrs else lrs[0]),
        ],
        figsize=(10, 3.4),
        margins=dict(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.25),
        alt="Training loss and accuracy of a small network with and without batch normalisation",
    )


def batch_noise(z, batch_sizes, num_batches=300, rng=None, index=0):
    """How one example's normalised value depends on the rest of its mini-batch.

    z: one unit's pre-activations over a data set, shape (m,). For each batch size B, ``num_batches``
    batches are drawn that hold example ``index`` and B - 1 others chosen at random; each batch is put
    through ``batchnorm_forward`` in train mode (gamma = 1, beta = 0), and the example's output is kept.
    Returns ({B: outputs of shape (num_batches,)}, the example's output in test mode with the data set's
    mean and unbiased variance as running statistics).
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
            values[k] = out[0, 0]
        outputs[B] = values
    test_param = {"mode": "test", "running_mean": np.array([z.mean()]), "running_var": np.array([z.var(ddof=1)])}
    test_out, _ = batchnorm_forward(z[[index]][:, None], one, zero, test_param)
    return outputs, float(test_out[0, 0])


def draw_batch_noise(ax, outputs, test_value):
    """Strips of one example's train-mode output for each batch size, and its test-mode value. Returns the ax."""
    rng = np.random.default_rng(1)
    sizes = sorted(outputs)
    for k, B in enumerate(sizes):
        values = outputs[B]
        ax.plot(k + 0.25 * rng.uniform(-1, 1, len(values)), values, "o", ms=2, alpha=0.35, color=COLORS["data"])
        lo, hi = np.percentile(values, [5, 95])
        ax.plot([k + 0.33, k + 0.33], [lo, hi], color="k", lw=2)
    ax.axhline(test_value, color=COLORS["model"], lw=2, label=f"test mode: {test_value:.2f}")
    ax.set_xticks(range(len(sizes)), [str(B) for B in sizes])
    ax.set_xlabel("batch size")
    ax.set_ylabel("normalised value")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def explorers():
    """Every explorer of the chapter with the book's data: (name, explorer) pairs (for the benchmark)."""
    from ..data import cars_weight_acceleration, moons

    X, mpg = cars_weight_acceleration()
    yield "scaling", scaling_explorer(X, mpg, names=("w for weight", "w for acceleration"))
    X, y = moons(400, 0.25, 0)
    yield "training", training_explorer(X, y)
