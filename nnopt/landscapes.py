"""Two-dimensional test functions for the optimizer race (book: ``optimizers``).

Each landscape shows one difficulty of training: a ravine (an ill-conditioned bowl), a saddle point,
Rosenbrock's curved valley and a plateau. Every function is vectorised over points: ``f(p)`` takes
``p`` of shape (..., 2), whose last axis holds (x, y), and returns the values, shape (...);
``grad(p)`` returns the gradients, shape (..., 2). So ``f`` can be evaluated on a whole plotting grid
(``np.stack([X, Y], axis=-1)``) or on one point (shape (2,)).
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


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with what a race on it needs.

    name: label for plots; f: values, (..., 2) -> (...); grad: gradients, (..., 2) -> (..., 2);
    start: default starting point (x, y); xlim, ylim: plot limits (low, high);
    minimum: the (x, y) of the minimum the race from ``start`` heads for.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: tuple[float, float]


LANDSCAPES = {
    "ravine": Landscape(
        "Ravine", ravine, ravine_grad,
        start=(-4.5, 0.9), xlim=(-5.0, 5.0), ylim=(-1.5, 1.5), minimum=(0.0, 0.0),
    ),
    # starts almost on the line y = 0, where the gradient has almost no component along the escape direction
    "saddle": Landscape(
        "Saddle", saddle, saddle_grad,
        start=(-2.0, 1e-3), xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), minimum=(0.0, 2**0.5),
    ),
    "rosenbrock": Landscape(
        "Rosenbrock", rosenbrock, rosenbrock_grad,
        start=(-1.2, 1.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(1.0, 1.0),
    ),
    "plateau": Landscape(
        "Plateau", plateau, plateau_grad,
        start=(3.0, 2.5), xlim=(-4.0, 4.0), ylim=(-4.0, 4.0), minimum=(0.0, 0.0),
    ),
}
