"""Two-dimensional test functions for the optimizer race (book: ``optimizers``).

Each landscape shows one difficulty of training: a ravine (an ill-conditioned bowl), a saddle point,
Rosenbrock's curved valley and a plateau. Every function is vectorised over points: ``f(p)`` takes
``p`` of shape (..., 2), whose last axis holds (x, y), and returns the values, shape (...);
``grad(p)`` returns the gradients, shape (..., 2), and ``hessian(p)`` the matrices of second
derivatives, shape (..., 2, 2) (for Newton's method, book: ``preconditioning``). So ``f`` can be
evaluated on a whole plotting grid (``np.stack([X, Y], axis=-1)``) or on one point (shape (2,)).

:func:`quadratic` makes further bowls ``w . A w / 2`` with chosen curvatures and a chosen tilt.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _xy(p):
    """x and y of points of shape (..., 2), as float64."""
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"p must hold points (x, y) along its last axis, shape (..., 2), got shape {p.shape}")
    return p[..., 0], p[..., 1]


# Ravine: f = (x**2 + 25 y**2) / 2, a bowl 25 times steeper across (y) than along (x).
# Gradient descent must keep lr < 2/25 to stay stable across, which makes it crawl along.
RAVINE_STEEPNESS = 25.0


def ravine(p):
    """Elongated quadratic ``(x**2 + 25 y**2) / 2``; minimum 0 at (0, 0). p: (..., 2) -> (...)."""
    x, y = _xy(p)
    return 0.5 * (x**2 + RAVINE_STEEPNESS * y**2)


def ravine_grad(p):
    """Gradient of ``ravine``, ``(x, 25 y)``. p: (..., 2) -> (..., 2)."""
    x, y = _xy(p)
    return np.stack([x, RAVINE_STEEPNESS * y], axis=-1)


def _matrices(hxx, hxy, hyy):
    """2 x 2 symmetric matrices from their entries, each of shape (...): shape (..., 2, 2)."""
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)


def ravine_hessian(p):
    """Hessian of ``ravine``, ``diag(1, 25)`` everywhere. p: (..., 2) -> (..., 2, 2)."""
    x, _ = _xy(p)
    return _matrices(np.ones_like(x), np.zeros_like(x), np.full_like(x, RAVINE_STEEPNESS))


def saddle(p):
    """Saddle ``x**2 - y**2 + y**4 / 4``; saddle point (0, 0), minima -1 at (0, ±sqrt 2). p: (..., 2) -> (...).

    Along x the origin is a minimum, along y a maximum: y is the escape direction. The quartic term
    keeps the function bounded below, so an escaped optimizer settles in one of the two minima.
    """
    x, y = _xy(p)
    return x**2 - y**2 + y**4 / 4


def saddle_grad(p):
    """Gradient of ``saddle``, ``(2 x, -2 y + y**3)``. p: (..., 2) -> (..., 2)."""
    x, y = _xy(p)
    return np.stack([2 * x, -2 * y + y**3], axis=-1)


def saddle_hessian(p):
    """Hessian of ``saddle``, ``diag(2, -2 + 3 y**2)``: indefinite for y**2 < 2/3. p: (..., 2) -> (..., 2, 2)."""
    x, y = _xy(p)
    return _matrices(np.full_like(x, 2.0), np.zeros_like(x), -2 + 3 * y**2)


def rosenbrock(p):
    """Rosenbrock's function ``(1 - x)**2 + 100 (y - x**2)**2``; minimum 0 at (1, 1). p: (..., 2) -> (...).

    The minimum lies at the bottom of a narrow curved valley along the parabola y = x**2.
    """
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p):
    """Gradient of ``rosenbrock``, ``(-2 (1 - x) - 400 x (y - x**2), 200 (y - x**2))``. p: (..., 2) -> (..., 2)."""
    x, y = _xy(p)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


def rosenbrock_hessian(p):
    """Hessian of ``rosenbrock``, ``[[2 - 400 (y - 3 x**2), -400 x], [-400 x, 200]]``. p: (..., 2) -> (..., 2, 2)."""
    x, y = _xy(p)
    return _matrices(2 - 400 * (y - 3 * x**2), -400 * x, np.full_like(x, 200.0))


def plateau(p):
    """Plateau ``1 - exp(-(x**2 + y**2) / 2)``; minimum 0 at (0, 0). p: (..., 2) -> (...).

    A Gaussian well in a flat plain: a few units from the origin the function is almost exactly 1
    and its gradient almost exactly 0, so the step ``lr * dw`` of plain gradient descent is tiny.
    """
    x, y = _xy(p)
    return 1 - np.exp(-(x**2 + y**2) / 2)


def plateau_grad(p):
    """Gradient of ``plateau``, ``(x, y) * exp(-(x**2 + y**2) / 2)``. p: (..., 2) -> (..., 2)."""
    x, y = _xy(p)
    well = np.exp(-(x**2 + y**2) / 2)
    return np.stack([x * well, y * well], axis=-1)


def plateau_hessian(p):
    """Hessian of ``plateau``, ``exp(-r**2 / 2) (I - p p^T)``: negative along p once |p| > 1. p: (..., 2) -> (..., 2, 2)."""
    x, y = _xy(p)
    well = np.exp(-(x**2 + y**2) / 2)
    return _matrices(well * (1 - x**2), -well * x * y, well * (1 - y**2))


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with what a race on it needs.

    name: label for plots; f: values, (..., 2) -> (...); grad: gradients, (..., 2) -> (..., 2);
    hessian: second derivatives, (..., 2) -> (..., 2, 2);
    start: default starting point (x, y); xlim, ylim: plot limits (low, high);
    minimum: the (x, y) of the minimum the race from ``start`` heads for.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: tuple[float, float]


LANDSCAPES = {
    "ravine": Landscape(
        "Ravine", ravine, ravine_grad, ravine_hessian,
        start=(-4.5, 0.9), xlim=(-5.0, 5.0), ylim=(-1.5, 1.5), minimum=(0.0, 0.0),
    ),
    # starts almost on the line y = 0, where the gradient has almost no component along the escape direction
    "saddle": Landscape(
        "Saddle", saddle, saddle_grad, saddle_hessian,
        start=(-2.0, 1e-3), xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), minimum=(0.0, 2**0.5),
    ),
    "rosenbrock": Landscape(
        "Rosenbrock", rosenbrock, rosenbrock_grad, rosenbrock_hessian,
        start=(-1.2, 1.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(1.0, 1.0),
    ),
    "plateau": Landscape(
        "Plateau", plateau, plateau_grad, plateau_hessian,
        start=(3.0, 2.5), xlim=(-4.0, 4.0), ylim=(-4.0, 4.0), minimum=(0.0, 0.0),
    ),
}


def quadratic(curvatures=(1.0, RAVINE_STEEPNESS), angle=0.0, start=(-4.5, 0.9), xlim=(-5.0, 5.0),
              ylim=(-1.5, 1.5), name=None):
    """A bowl ``w . A w / 2`` whose axes have the given curvatures, turned by ``angle`` degrees.

    curvatures: (h_along, h_across), the eigenvalues of A (both > 0); angle: the tilt of the bowl's
    first axis against the x axis, in degrees (0 with the defaults gives ``ravine``);
    ``A = R diag(curvatures) R^T`` with R the rotation by ``angle``. The minimum is 0 at (0, 0).
    start, xlim, ylim, name: as in :class:`Landscape` (the defaults are the ravine's).
    Returns a :class:`Landscape`.
    """
    h = np.asarray(curvatures, dtype=np.float64)
    if h.shape != (2,) or np.any(h <= 0):
        raise ValueError(f"curvatures must be two positive numbers, got {curvatures!r}")
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag(h) @ R.T

    def f(p):
        x, y = _xy(p)
        return 0.5 * (A[0, 0] * x**2 + 2 * A[0, 1] * x * y + A[1, 1] * y**2)

    def grad(p):
        x, y = _xy(p)
        return np.stack([A[0, 0] * x + A[0, 1] * y, A[0, 1] * x + A[1, 1] * y], axis=-1)

    def hessian(p):
        x, _ = _xy(p)
        return _matrices(np.full_like(x, A[0, 0]), np.full_like(x, A[0, 1]), np.full_like(x, A[1, 1]))

    label = name or f"bowl {h[0]:g} x {h[1]:g}, turned {angle:g}°"
    return Landscape(label, f, grad, hessian, start=tuple(start), xlim=tuple(xlim), ylim=tuple(ylim),
                     minimum=(0.0, 0.0))
