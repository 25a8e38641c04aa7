"""The optimizer race's landscapes: gradients and Hessians against centred differences, minima, shapes,
the table, the tilted bowls."""

import numpy as np
import pytest

from nnopt.landscapes import LANDSCAPES, Landscape, plateau, quadratic, rosenbrock, saddle
from nnopt.viz.optim import run
from nnref.optim import adam, sgd

NAMES = list(LANDSCAPES)


def centred_differences(f, p, h=1e-6):
    """Gradient of a landscape at points p of shape (k, 2) by centred differences, one axis at a time."""
    g = np.zeros_like(p)
    for i in range(2):
        step = np.zeros(2)
        step[i] = h
        g[:, i] = (f(p + step) - f(p - step)) / (2 * h)
    return g


def points_in_box(land, rng, k=50):
    """k random points inside the landscape's plot limits, shape (k, 2)."""
    low = np.array([land.xlim[0], land.ylim[0]])
    high = np.array([land.xlim[1], land.ylim[1]])
    return low + (high - low) * rng.random((k, 2))


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_centred_differences(name, rng):
    land = LANDSCAPES[name]
    p = points_in_box(land, rng)
    np.testing.assert_allclose(land.grad(p), centred_differences(land.f, p), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_centred_differences_of_the_gradient(name, rng):
    land = LANDSCAPES[name]
    p = points_in_box(land, rng)
    H = land.hessian(p)
    assert H.shape == (50, 2, 2)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))  # symmetric
    for i in range(2):  # column i: the derivative of the gradient along axis i
        column = centred_differences(lambda q: land.grad(q)[:, i], p)
        np.testing.assert_allclose(H[:, i, :], column, rtol=1e-6, atol=1e-6)
    assert land.hessian(np.array(land.start)).shape == (2, 2)


def test_hessians_by_hand():
    np.testing.assert_array_equal(LANDSCAPES["ravine"].hessian(np.array([3.0, -1.0])), [[1, 0], [0, 25]])
    # the saddle point's Hessian diag(2, -2) has eigenvalues of both signs; the minima's diag(2, 4) does not
    np.testing.assert_array_equal(LANDSCAPES["saddle"].hessian(np.zeros(2)), [[2, 0], [0, -2]])
    np.testing.assert_allclose(LANDSCAPES["saddle"].hessian(np.array([0.0, np.sqrt(2)])), [[2, 0], [0, 4]])
    np.testing.assert_array_equal(LANDSCAPES["rosenbrock"].hessian(np.ones(2)), [[802, -400], [-400, 200]])
    # the plateau's start: the well curves down radially out there (a negative eigenvalue)
    assert np.linalg.eigvalsh(LANDSCAPES["plateau"].hessian(np.array(LANDSCAPES["plateau"].start)))[0] < 0


def test_quadratic_bowls(rng):
    # the default bowl is the ravine
    bowl, ravine = quadratic(), LANDSCAPES["ravine"]
    p = rng.standard_normal((6, 2))
    for what in ("f", "grad", "hessian"):
        np.testing.assert_allclose(getattr(bowl, what)(p), getattr(ravine, what)(p), atol=1e-12)
    # turned by 45 degrees: the same eigenvalues, the steep axis along (1, -1) / sqrt(2)
    turned = quadratic((1.0, 25.0), angle=45.0, start=(-3.0, -2.0), xlim=(-4, 4), ylim=(-4, 4))
    A = turned.hessian(np.zeros(2))
    np.testing.assert_allclose(np.linalg.eigvalsh(A), [1.0, 25.0])
    np.testing.assert_allclose(turned.f(np.array([1.0, 1.0]) / np.sqrt(2)), 0.5)
    np.testing.assert_allclose(turned.f(np.array([1.0, -1.0]) / np.sqrt(2)), 12.5)
    np.testing.assert_allclose(turned.grad(p), p @ A, atol=1e-12)
    np.testing.assert_allclose(turned.grad(p), centred_differences(turned.f, p), rtol=1e-6, atol=1e-6)
    assert turned.start == (-3.0, -2.0) and turned.xlim == (-4, 4)
    with pytest.raises(ValueError, match="curvatures must be two positive numbers"):
        quadratic((1.0, -1.0))


@pytest.mark.parametrize("name", NAMES)
def test_minimum_is_stationary_and_lowest_on_a_grid(name):
    land = LANDSCAPES[name]
    np.testing.assert_allclose(land.grad(np.array(land.minimum)), [0.0, 0.0], atol=1e-12)
    x = np.linspace(*land.xlim, 81)
    y = np.linspace(*land.ylim, 81)
    grid = np.stack(np.meshgrid(x, y), axis=-1)
    assert land.f(np.array(land.minimum)) <= land.f(grid).min() + 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_vectorised_shapes(name, rng):
    land = LANDSCAPES[name]
    p = rng.standard_normal((4, 3, 2))
    assert land.f(p).shape == (4, 3)
    assert land.grad(p).shape == (4, 3, 2)
    assert np.ndim(land.f(np.array([0.5, -0.5]))) == 0
    # a batch gives the same values as one point at a time
    np.testing.assert_array_equal(land.f(p)[1, 2], land.f(p[1, 2]))
    np.testing.assert_array_equal(land.grad(p)[1, 2], land.grad(p[1, 2]))
    copy = p.copy()
    land.f(p), land.grad(p)
    np.testing.assert_array_equal(p, copy)


@pytest.mark.parametrize("name", NAMES)
def test_table_entries_are_sensible(name):
    land = LANDSCAPES[name]
    assert isinstance(land, Landscape)
    for x, y in (land.start, land.minimum):
        assert land.xlim[0] < x < land.xlim[1] and land.ylim[0] < y < land.ylim[1]
    assert land.start != land.minimum
    assert land.f(np.array(land.start)) > land.f(np.array(land.minimum))


def test_values_by_hand():
    assert rosenbrock(np.array([-1.2, 1.0])) == pytest.approx(24.2)  # 2.2**2 + 100 * 0.44**2
    assert rosenbrock(np.array([1.0, 1.0])) == 0.0
    assert saddle(np.array([0.0, np.sqrt(2.0)])) == pytest.approx(-1.0)
    assert plateau(np.array([0.0, 0.0])) == 0.0
    assert LANDSCAPES["ravine"].f(np.array([2.0, 1.0])) == pytest.approx(0.5 * (4 + 25))


def test_saddle_point_has_an_escape_direction():
    origin = np.zeros(2)
    np.testing.assert_array_equal(saddle(origin), 0.0)
    np.testing.assert_array_equal(LANDSCAPES["saddle"].grad(origin), [0.0, 0.0])
    eps = 1e-3
    assert saddle(np.array([eps, 0.0])) > 0 and saddle(np.array([-eps, 0.0])) > 0  # up along x
    assert saddle(np.array([0.0, eps])) < 0 and saddle(np.array([0.0, -eps])) < 0  # down along y
    # bounded below: nothing on a wide grid is lower than the minima
    grid = np.stack(np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-10, 10, 201)), axis=-1)
    assert saddle(grid).min() >= -1.0


def test_ravine_is_ill_conditioned():
    # the Hessian is diag(1, 25): curvature across is 25 times the curvature along
    ravine = LANDSCAPES["ravine"]
    hessian = np.array([ravine.grad(np.array(e)) for e in ([1.0, 0.0], [0.0, 1.0])])
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues[-1] / eigenvalues[0] == pytest.approx(25.0)


def test_plateau_is_flat_at_the_start_and_adam_crosses_it_faster_than_sgd():
    land = LANDSCAPES["plateau"]
    start = np.array(land.start)
    assert np.linalg.norm(land.grad(start)) < 1e-2
    assert land.f(start) > 0.99
    config = {"learning_rate": 0.1}
    end_sgd = run(sgd, land.grad, start, 200, config)[-1]
    end_adam = run(adam, land.grad, start, 200, config)[-1]
    assert np.linalg.norm(end_sgd - start) < 0.1  # plain gradient descent barely moves
    assert land.f(end_adam) < 0.01  # Adam normalises the step and reaches the well


@pytest.mark.parametrize("name", NAMES)
def test_bad_points_are_rejected(name):
    land = LANDSCAPES[name]
    with pytest.raises(ValueError, match="p must hold points"):
        land.f(np.ones(3))
    with pytest.raises(ValueError, match="p must hold points"):
        land.grad(np.ones((4, 3)))
    with pytest.raises(ValueError, match="p must hold points"):
        land.f(1.0)
    with pytest.raises(ValueError, match="p must hold points"):
        land.hessian(np.ones(3))
