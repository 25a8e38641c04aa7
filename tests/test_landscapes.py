"""The optimizer race's landscapes: gradients against centred differences, minima, shapes, the table."""

import numpy as np
import pytest

from nnopt.landscapes import LANDSCAPES, Landscape, plateau, rosenbrock, saddle
from nnref.optim import adam, run, sgd

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
