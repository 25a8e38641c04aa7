"""Pictures of the backpropagation chapter: what they draw, the numbers behind them, and every explorer frame."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnref.backprop import backward, forward, init_params, relative_error
from nnopt.data import moons
from nnref.logistic import log_loss
from nnopt.viz import backprop as viz

PNG = b"\x89PNG\r\n\x1a\n"


def test_moons_data():
    X, y = moons()
    assert X.shape == (200, 2) and y.shape == (200,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    assert set(np.unique(y)) == {0.0, 1.0} and y.sum() == 100
    X2, _ = moons()
    np.testing.assert_array_equal(X, X2)  # the same seed gives the same points


@pytest.mark.parametrize("sizes, units, lines, total", [([3, 4, 2], 9, 20, 26), ([3, 4, 4, 1], 12, 32, 41)])
def test_draw_network_shows_every_unit_and_weight(sizes, units, lines, total):
    ax = Figure().subplots()
    viz.draw_network(ax, sizes)
    assert sum(len(c.get_offsets()) for c in ax.collections) == units
    assert len(ax.lines) == lines  # one line per weight
    assert ax.get_title().endswith(f"= {total}")


def test_draw_boundary_draws_the_half_probability_line():
    X, y = moons(m=40)
    grid = viz.ProbabilityGrid(X, n=60)
    w, b = np.array([1.0, -2.0]), 0.3
    probabilities = grid.evaluate(lambda P: 1 / (1 + np.exp(-(P @ w + b))))
    assert probabilities.shape == (60, 60)
    ax = Figure().subplots()
    viz.draw_boundary(ax, X, y, probabilities, grid)
    # the two classes are drawn, every point once
    scatters = [c for c in ax.collections if c.get_label().startswith("label")]
    assert [c.get_label() for c in scatters] == ["label 0", "label 1"]
    assert sum(len(c.get_offsets()) for c in scatters) == 40
    # the black contour lies on the line x.w + b = 0 (up to the grid's interpolation)
    contour_sets = [c for c in ax.get_children() if type(c).__name__ == "QuadContourSet"]
    boundary = [cs for cs in contour_sets if list(cs.levels) == [0.5]]
    assert len(boundary) == 1
    vertices = np.concatenate([p.vertices for p in boundary[0].get_paths()])
    assert len(vertices) > 10
    np.testing.assert_allclose(vertices @ w + b, 0.0, atol=1e-2)


def test_accuracy():
    assert viz.accuracy(np.array([0.9, 0.2, 0.6, 0.4]), np.array([1.0, 0.0, 0.0, 0.0])) == 0.75


def test_train_moons_network_starts_from_scaled_init_params_and_learns():
    X, y = moons()
    Y = y[:, None]
    params0, costs0 = viz.train_moons_network(X, Y, 4, "tanh", num_iters=0, seed=5)
    reference = init_params(2, 4, 1, np.random.default_rng(5))
    np.testing.assert_allclose(params0["W1"], reference["W1"] * 100 / math.sqrt(2), rtol=1e-14)
    np.testing.assert_allclose(params0["W2"], reference["W2"] * 100 / 2, rtol=1e-14)
    assert costs0.shape == (0,)
    params, costs = viz.train_moons_network(X, Y, 4, "tanh", lr=1.5, num_iters=1500, seed=1)
    start, _ = viz.train_moons_network(X, Y, 4, "tanh", num_iters=0, seed=1)
    assert costs[0] == pytest.approx(log_loss(forward(X, start, "tanh")[0], Y), rel=1e-12)
    assert costs[-1] < 0.1 < 0.3 < costs[0]
    assert viz.accuracy(forward(X, params, "tanh")[0][:, 0], y) > 0.95


def test_trained_network_is_cached():
    X, y = moons(m=30)
    first = viz.trained_network(X, y, 2, "relu", lr=1.0, num_iters=50)
    assert viz.trained_network(X, y, 2, "relu", lr=1.0, num_iters=50) is first
    assert viz.trained_network(X, y, 2, "relu", lr=1.0, num_iters=51) is not first


def test_forward_difference_is_first_order_and_restores_x():
    # for sum(x**3): one-sided gives 3x^2 + 3xh + h^2, centred gives 3x^2 + h^2
    x = np.array([1.0, -2.0])
    g = viz.forward_difference(lambda v: np.sum(v**3), x, h=0.1)
    np.testing.assert_allclose(g, 3 * x**2 + 0.3 * x + 0.01, rtol=1e-10)
    np.testing.assert_array_equal(x, [1.0, -2.0])


def test_buggy_backward_differs_only_in_the_hidden_layer():
    X, Y, params = viz.check_network()
    _, cache = forward(X, params, "tanh")
    right = backward(X, Y, params, cache, "tanh")
    wrong = viz.backward_without_derivative(X, Y, params, cache, "tanh")
    for key in ("dW2", "db2"):
        np.testing.assert_allclose(wrong[key], right[key], rtol=1e-15)
    for key in ("dW1", "db1"):
        assert relative_error(wrong[key], right[key]) > 0.1


def test_gradient_check_shows_truncation_and_round_off():
    X, Y, params = viz.check_network()
    hs = [1e-2, 1e-3, 1e-5, 1e-11]
    centred, gaps, analytic = viz.gradient_check(X, Y, params, hs, difference="centred")
    one_sided, _, _ = viz.gradient_check(X, Y, params, hs, difference="forward")
    assert gaps.shape == (4, 13) and analytic.shape == (13,)
    # truncation: centred error falls as h^2 (100x per decade), one-sided as h (10x per decade)
    assert 50 < centred[0] / centred[1] < 200
    assert 5 < one_sided[0] / one_sided[1] < 20
    # at h = 1e-5 the centred check passes by a wide margin, the one-sided one only looks "suspicious"
    assert centred[2] < 1e-9
    assert 1e-7 < one_sided[2] < 1e-4
    # round-off: at h = 1e-11 the error is back up
    assert centred[3] > 100 * centred[2]
    # a bug is visible at every step
    buggy, _, _ = viz.gradient_check(X, Y, params, hs, backward_kind="bug: no g'(Z1)")
    assert np.all(buggy > 1e-2)


def test_draw_error_curves_and_gaps():
    hs = np.geomspace(1e-1, 1e-12, 12)
    fig = Figure()
    ax_e, ax_g = fig.subplots(1, 2)
    viz.draw_error_curves(ax_e, hs, {"centred differences": hs**2, "forward differences": hs}, h=1e-5)
    assert [line.get_label() for line in ax_e.get_lines()[:2]] == ["centred differences", "forward differences"]
    assert ax_e.get_xlim()[0] > ax_e.get_xlim()[1]  # large steps on the left
    assert ax_e.get_xscale() == ax_e.get_yscale() == "log"
    shapes = {"W1": (2, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)}
    viz.draw_entry_gaps(ax_g, np.full(13, 1e-11), shapes, analytic=np.ones(13))
    assert len(ax_g.patches) == 13  # one bar per parameter entry
    assert [t.get_text() for t in ax_g.get_xticklabels()] == ["W1", "b1", "W2", "b2"]


def _all_frames(explorer):
    keys = explorer.frames()
    assert len(keys) == math.prod(len(c.values) for c in explorer.controls)
    return keys


def test_boundary_explorer_renders_every_frame():
    X, y = moons(m=60)
    explorer = viz.boundary_explorer(X, y, hidden_units=(1, 3), activations=("tanh", "relu"), num_iters=200)
    frames = _all_frames(explorer)
    assert len(frames) == 4 and len(set(frames.values())) == 4  # every frame differs
    assert explorer.render(n_h=3, activation="relu").startswith(PNG)


def test_gradient_check_explorer_renders_every_frame():
    explorer = viz.gradient_check_explorer(*viz.check_network())
    frames = _all_frames(explorer)
    assert len(frames) == 48 and len(set(frames.values())) == 48


def test_book_explorers():
    found = dict(viz.explorers())
    assert sorted(found) == ["boundary", "gradient check"]
    for explorer in found.values():
        assert math.prod(len(c.values) for c in explorer.controls) <= 60
        assert explorer.render().startswith(PNG)
