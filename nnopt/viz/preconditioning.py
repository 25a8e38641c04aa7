"""Pictures of the chapter on Newton's method and preconditioning (book: ``preconditioning``).

Newton's method on the race's four landscapes (:mod:`nnopt.landscapes`, which give their Hessians),
and gradient descent with and without a preconditioner on bowls ``w . A w / 2`` of chosen condition
number and tilt. Every picture takes the algorithms it runs as arguments: ``newton_step(w, grad,
hessian)`` and update rules with ps06's contract (``sgd``, ``rmsprop``). The book passes the
reference implementations, the assignment the student's own.
"""

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Control, Explorer
from ..landscapes import LANDSCAPES, quadratic
from .common import COLORS, PLAIN, SERIES, panels
from .optim import GAP_LIMITS, contour_grid, draw_landscape, loss_gap, run

METHOD_STYLES = {
    "gradient descent": SERIES[0],
    "diagonal of H": SERIES[4],
    "RMSprop": SERIES[2],
    "Newton": SERIES[1],
}
NEWTON_TITLES = {
    "ravine": "ravine: the minimum in one step",
    "saddle": "saddle: straight to the saddle point",
    "rosenbrock": "Rosenbrock: the minimum in five steps",
    "plateau": "plateau: away from the well",
}


def newton_path(newton_step, land, num_steps, start=None):
    """Newton's iterates ``w <- newton_step(w, grad(w), hessian(w))`` on a Landscape.

    Returns shape (k + 1, 2): the start and each iterate, k <= num_steps (it stops early where
    ``newton_step`` refuses a singular Hessian, or the point leaves a box 100 times the plot's).
    """
    w = np.array(land.start if start is None else start, dtype=np.float64)
    path = [w]
    far = 100 * max(abs(v) for v in (*land.xlim, *land.ylim))
    for _ in range(num_steps):
        try:
            w = np.asarray(newton_step(w, land.grad(w), land.hessian(w)), dtype=np.float64)
        except ValueError:
            break
        if not np.all(np.isfinite(w)) or np.abs(w).max() > far:
            break
        path.append(w)
    return np.array(path)


def draw_newton(fig, newton_step, sgd, num_steps=8, gd_steps=80):
    """Newton's method against gradient descent on the four landscapes of the race (2 x 2 maps).

    Newton takes up to ``num_steps`` steps (a marker and a number at each); gradient descent takes
    ``gd_steps`` steps of ``sgd`` at the race's rate. Returns (axes, {landscape: Newton's path}).
    """
    from .optim import RACE

    axes = np.ravel(fig.subplots(2, 2))
    paths = {}
    for ax, name in zip(axes, LANDSCAPES):
        land = LANDSCAPES[name]
        draw_landscape(ax, name)
        gd = run(sgd, land.grad, np.array(land.start), gd_steps, {"learning_rate": RACE[name][0]})
        ax.plot(gd[:, 0], gd[:, 1], lw=1.2, ms=2.5, markevery=4, alpha=0.8, **METHOD_STYLES["gradient descent"])
        path = newton_path(newton_step, land, num_steps)
        paths[name] = path
        ax.plot(path[:, 0], path[:, 1], lw=1.8, ms=6, mec="k", zorder=6, **METHOD_STYLES["Newton"])
        scale = max(np.ptp(land.xlim), np.ptp(land.ylim))
        for k in range(1, len(path)):
            x, y = path[k]
            moved = np.linalg.norm(path[k] - path[k - 1]) > 0.05 * scale
            if moved and land.xlim[0] < x < land.xlim[1] and land.ylim[0] < y < land.ylim[1]:
                ax.annotate(str(k), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=9, zorder=7)
        ax.set_title(NEWTON_TITLES[name], fontsize=9)
    handles = [axes[0].plot([], [], lw=1.5, ms=5, label=label, **METHOD_STYLES[key])[0]
               for key, label in (("Newton", "Newton's method"), ("gradient descent", f"gradient descent, {gd_steps} steps"))]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    return axes, paths


def bowl(kappa, angle):
    """The bowl of the preconditioning explorer: curvatures (1, kappa), turned by ``angle`` degrees,
    started from the ravine-like point (-2.8, 0.5) turned by the same angle (so that only the tilt differs)."""
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    start = (c * -2.8 - s * 0.5, s * -2.8 + c * 0.5)
    return quadratic((1.0, float(kappa)), angle=angle, start=start, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                     name=f"κ = {kappa:g}, turned {angle:g}°")


def condition_number(matrix):
    """Largest over smallest eigenvalue of a symmetric positive definite matrix (a float)."""
    eig = np.linalg.eigvalsh(matrix)
    return float(eig[-1] / eig[0])


def preconditioned_kappas(land):
    """The condition number gradient descent sees with each preconditioner on a bowl, as a dict.

    With a preconditioner P the descent behaves as on the bowl of P^(1/2) A P^(1/2): A itself for no
    preconditioner, D^(-1/2) A D^(-1/2) with D = diag(A) for the diagonal one, I for Newton (P = A^-1).
    """
    A = land.hessian(np.zeros(2))
    d = np.sqrt(np.diag(A))
    return {"gradient descent": condition_number(A), "diagonal of H": condition_number(A / np.outer(d, d)),
            "Newton": 1.0}


def preconditioned_paths(land, newton_step, sgd, rmsprop, num_steps=40, lr_rms=0.1):
    """Four descents on a bowl: gradient descent (at 1.8 / largest curvature, near its limit 2), gradient
    descent on the gradient divided by the Hessian's diagonal (learning rate 1), RMSprop (``lr_rms``)
    and Newton's method. Returns {method: path of shape (num_steps + 1, 2)}."""
    A = land.hessian(np.zeros(2))
    start = np.array(land.start)
    lr_gd = 1.8 / np.linalg.eigvalsh(A)[-1]
    diag = np.diag(A)
    paths = {
        "gradient descent": run(sgd, land.grad, start, num_steps, {"learning_rate": lr_gd}),
        # a preconditioner P = diag(A)^-1 multiplies the gradient before the step
        "diagonal of H": run(sgd, lambda w: land.grad(w) / diag, start, num_steps, {"learning_rate": 1.0}),
        "RMSprop": run(rmsprop, land.grad, start, num_steps, {"learning_rate": lr_rms}),
    }
    newton = newton_path(newton_step, land, num_steps)
    paths["Newton"] = np.vstack([newton, np.repeat(newton[-1:], num_steps + 1 - len(newton), axis=0)])
    return paths


def draw_preconditioning_frame(fig, kappa, angle, newton_step, sgd, rmsprop, grids=None, paths=None):
    """One frame of the explorer: the four descents on the bowl of ``kappa`` and ``angle`` (map, and the
    cost on a log scale). grids: {(kappa, angle): contour grid}, paths: the result of
    :func:`preconditioned_paths` (both computed here when None; pass them to redraw quickly).
    Returns the two axes."""
    land = bowl(kappa, angle)
    paths = preconditioned_paths(land, newton_step, sgd, rmsprop) if paths is None else paths
    kappas = preconditioned_kappas(land)
    ax_map, ax_loss = panels(fig, 2, width_ratios=[1.0, 1.0])
    grid = (grids or {}).get((kappa, angle)) or contour_grid(land, n=100)
    draw_landscape(ax_map, land, grid)
    for name, path in paths.items():
        style = METHOD_STYLES[name]
        ax_map.plot(path[:, 0], path[:, 1], lw=1.4, ms=3, zorder=3, **style)
        label = name + (f" (κ seen: {kappas[name]:.3g})" if name in kappas else "")
        gap = np.maximum(land.f(path), 1e-16)
        ax_loss.semilogy(np.arange(len(gap)), gap, lw=1.5, ms=4, markevery=5, label=label, **style)
    ax_map.set_aspect("equal")
    ax_map.set_title(f"bowl with κ = {kappa:g}, turned {angle:g}°", fontsize=10)
    ax_loss.set_ylim(GAP_LIMITS)
    ax_loss.set_yticks([1e-9, 1e-6, 1e-3, 1, 1e3])
    ax_loss.yaxis.set_major_formatter(PLAIN)
    ax_loss.yaxis.set_minor_locator(NullLocator())
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("f − f_min")
    ax_loss.grid(True, alpha=0.3)
    ax_loss.legend(fontsize=9, loc="lower left")
    ax_loss.set_title("cost after each step", fontsize=10)
    return ax_map, ax_loss


KAPPAS = [5, 25, 100]
ANGLES = [0, 15, 30, 45]


def preconditioning_explorer(newton_step, sgd, rmsprop):
    """Condition number and tilt of a bowl -> gradient descent, the diagonal preconditioner, RMSprop and
    Newton on it (an :class:`Explorer`). newton_step, sgd, rmsprop: with the contracts of ps06."""
    functions = dict(newton_step=newton_step, sgd=sgd, rmsprop=rmsprop)
    # every run and contour grid once, here, so that a redraw only draws
    grids = {(k, a): contour_grid(bowl(k, a), n=100) for k in KAPPAS for a in ANGLES}
    runs = {(k, a): preconditioned_paths(bowl(k, a), **functions) for k in KAPPAS for a in ANGLES}

    def alt(kappa, angle):
        land = bowl(kappa, angle)
        kappas = preconditioned_kappas(land)
        ends = "; ".join(f"{name} ends at cost {max(land.f(p[-1]), 1e-16):.1g}" for name, p in runs[kappa, angle].items())
        return (f"Four descents on a bowl of condition number {kappa:g} turned by {angle:g} degrees: {ends}. "
                f"The diagonal preconditioner leaves a condition number of {kappas['diagonal of H']:.3g}.")

    return Explorer(
        lambda fig, kappa, angle: draw_preconditioning_frame(fig, kappa, angle, grids=grids, paths=runs[kappa, angle],
                                                             **functions),
        [
            Control("kappa", "condition number κ", KAPPAS, default=25),
            Control("angle", "tilt of the bowl", ANGLES, default=0, fmt="{:g}°"),
        ],
        figsize=(10, 4.2),
        margins=dict(left=0.07, right=0.98, bottom=0.13, top=0.92, wspace=0.25),
        alt=alt,
        narrow_figsize=(4.6, 8.2),
    )


def scaling_kappas(X):
    """Condition numbers of the least-squares Hessian ``H = A^T A / m`` (A: X with a column of ones) for
    the raw features, after dividing by the root of H's diagonal (the diagonal preconditioner), and
    after standardising each column of X (centre, then scale). X: shape (m, n). Returns a dict."""
    X = np.asarray(X, dtype=np.float64)
    ones = np.ones((X.shape[0], 1))
    A = np.hstack([X, ones])
    H = A.T @ A / len(X)
    d = np.sqrt(np.diag(H))
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    As = np.hstack([Z, ones])
    return {"raw": condition_number(H), "diagonal": condition_number(H / np.outer(d, d)),
            "standardised": condition_number(As.T @ As / len(X))}


def draw_scaling_kappas(ax, X):
    """A bar chart (log scale) of :func:`scaling_kappas` and Newton's 1. Returns the ax."""
    kappas = scaling_kappas(X)
    names = ["raw features", "divided by √diag(H)", "standardised", "Newton (H⁻¹)"]
    values = [kappas["raw"], kappas["diagonal"], kappas["standardised"], 1.0]
    colors = [SERIES[0]["color"], SERIES[4]["color"], SERIES[2]["color"], SERIES[6]["color"]]
    hatches = ["", "//", "..", "xx"]
    bars = ax.barh(names[::-1], values[::-1], color=colors[::-1], hatch=hatches[::-1], edgecolor="k", lw=0.6)
    for bar, value in zip(bars, values[::-1]):
        ax.text(value * 1.2, bar.get_y() + bar.get_height() / 2, f"{value:,.3g}", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(0.5, 1e6)
    ax.xaxis.set_major_formatter(PLAIN)
    ax.set_xlabel("condition number κ seen by gradient descent")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def explorers(ref):
    """Every explorer of the chapter with ``ref``'s functions (``ref``: the package of reference
    implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    yield "preconditioning", preconditioning_explorer(ref.optim.newton_step, ref.optim.sgd, ref.optim.rmsprop)
