"""Pictures of the backpropagation chapter: what they draw, the numbers behind them, and every explorer frame."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
from nnopt.data import moons
from nnopt.viz import backprop as viz
from nnref.backprop import (backward, backward_without_derivative, count_parameters, forward, forward_difference,
                            init_params, relative_error, train_network)
from nnref.logistic import log_loss

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
    viz.draw_network(ax, sizes, count_parameters)
    assert sum(len(c.get_offsets()) for c in ax.collections) == units
    assert len(ax.lines) == lines  # one line per weight
    assert ax.get_title().endswith(f": {total} parameters")


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


def test_fraction_right():
    assert viz.fraction_right(np.array([0.9, 0.2, 0.6, 0.4]), np.array([1.0, 0.0, 0.0, 0.0])) == 0.75


def test_train_moons_network_starts_from_scaled_init_params_and_learns():
    X, y = moons()
    Y = y[:, None]
    params0, costs0 = viz.train_moons_network(X, Y, 4, "tanh", init_params, train_network, num_iters=0, seed=5)
    reference = init_params(2, 4, 1, np.random.default_rng(5))
    np.testing.assert_allclose(params0["W1"], reference["W1"] * 100 / math.sqrt(2), rtol=1e-14)
    np.testing.assert_allclose(params0["W2"], reference["W2"] * 100 / 2, rtol=1e-14)
    assert costs0.shape == (0,)
    params, costs = viz.train_moons_network(X, Y, 4, "tanh", init_params, train_network, lr=1.5, num_iters=1500, seed=1)
    start, _ = viz.train_moons_network(X, Y, 4, "tanh", init_params, train_network, num_iters=0, seed=1)
    assert costs[0] == pytest.approx(log_loss(forward(X, start, "tanh")[0], Y), rel=1e-12)
    assert costs[-1] < 0.1 < 0.3 < costs[0]
    assert viz.fraction_right(forward(X, params, "tanh")[0][:, 0], y) > 0.95


def test_forward_difference_is_first_order_and_restores_x():
    # for sum(x**3): one-sided gives 3x^2 + 3xh + h^2, centred gives 3x^2 + h^2
    x = np.array([1.0, -2.0])
    g = forward_difference(lambda v: np.sum(v**3), x, h=0.1)
    np.testing.assert_allclose(g, 3 * x**2 + 0.3 * x + 0.01, rtol=1e-10)
    np.testing.assert_array_equal(x, [1.0, -2.0])


def test_buggy_backward_differs_only_in_the_hidden_layer():
    X, Y, params = viz.check_network()
    _, cache = forward(X, params, "tanh")
    right = backward(X, Y, params, cache, "tanh")
    wrong = backward_without_derivative(X, Y, params, cache, "tanh")
    for key in ("dW2", "db2"):
        np.testing.assert_allclose(wrong[key], right[key], rtol=1e-15)
    for key in ("dW1", "db1"):
        assert relative_error(wrong[key], right[key]) > 0.1


@pytest.fixture(scope="module")
def check():
    return viz.book_gradient_check(nnref)


def test_gradient_check_shows_truncation_and_round_off(check):
    X, Y, params = viz.check_network()
    hs = [1e-2, 1e-3, 1e-5, 1e-11]
    centred, gaps, analytic = viz.gradient_check(X, Y, params, hs, check, difference="centred")
    one_sided, _, _ = viz.gradient_check(X, Y, params, hs, check, difference="forward")
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
    buggy, _, _ = viz.gradient_check(X, Y, params, hs, check, backward_kind="bug: no g'(Z1)")
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
    pngs = [explorer.render(**params) for params in explorer.combinations()]
    assert len(pngs) == math.prod(len(c.values) for c in explorer.controls)
    return pngs


def test_boundary_explorer_renders_every_frame():
    X, y = moons(m=60)
    explorer = viz.boundary_explorer(X, y, forward, init_params, train_network, count_parameters,
                                     hidden_units=(1, 3), activations=("tanh", "relu"), num_iters=200)
    frames = _all_frames(explorer)
    assert len(frames) == 4 and len(set(frames)) == 4  # every frame differs
    assert len({explorer.alt_text(**p) for p in explorer.combinations()}) == 4
    assert explorer.frame("narrow", n_h=3, activation="relu").startswith(PNG)


def test_gradient_check_explorer_renders_every_frame(check):
    explorer = viz.gradient_check_explorer(*viz.check_network(), check)
    frames = _all_frames(explorer)
    assert len(frames) == 48 and len(set(frames)) == 48
    assert [c.kind.value for c in explorer.controls] == ["slider", "choice", "choice"]
    assert "right" in explorer.alt_text() and "wrong" in explorer.alt_text(backward_kind="bug: no g'(Z1)")


def test_book_explorers():
    found = dict(viz.explorers(nnref))
    assert sorted(found) == ["boundary", "gradient check"]
    for explorer in found.values():
        assert math.prod(len(c.values) for c in explorer.controls) <= 60
        assert explorer.render().startswith(PNG)


def test_the_module_takes_its_algorithms_as_arguments():
    source = open(viz.__file__).read()
    assert "nnref" not in source.replace("``nnref``", "")
    for name in ("count_parameters", "init_params", "forward", "backward", "numerical_gradient", "relative_error",
                 "accuracy", "softmax"):
        assert f"def {name}(" not in source


def test_the_numbers_of_the_page(check):
    """The numbers the backpropagation chapter states, recomputed with the reference implementations."""
    # the worked example, forwards and backwards (ReLU, labels 1, 0, 1)
    X = np.array([[3.0, 5.0], [5.0, 1.0], [10.0, 2.0]])
    params = {"W1": np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]), "b1": np.array([0.0, 0.0, -2.0]),
              "W2": np.array([[1.0], [0.0], [-1.0]]), "b2": np.array([0.5])}
    A2, cache = forward(X, params, "relu")
    np.testing.assert_allclose(A2.ravel(), [0.9707, 0.1824, 0.0041], atol=5e-5)
    Y = np.array([[1.0], [0.0], [1.0]])
    grads = backward(X, Y, params, cache, "relu")
    np.testing.assert_allclose(((A2 - Y) / 3).ravel(), [-0.0098, 0.0608, -0.3320], atol=5e-5)
    np.testing.assert_allclose(grads["dW2"].ravel(), [-3.045, -0.652, -4.886], atol=5e-4)
    assert grads["db2"][0] == pytest.approx(-0.2809, abs=5e-5)
    np.testing.assert_allclose(grads["dW1"], [[-3.045, 0, 3.016], [-0.652, 0, 0.603]], atol=5e-4)
    np.testing.assert_allclose(grads["db1"], [-0.2809, 0, 0.2712], atol=5e-5)
    # parameter counts, and exercise 1
    assert (count_parameters([3, 4, 2]), count_parameters([3, 4, 4, 1])) == (26, 41)
    assert count_parameters([784, 128, 10]) == 101_770 and 138 / 101_770 == pytest.approx(0.0014, abs=5e-5)
    # exercise 4: differences of x^3 at 1 with h = 0.1
    assert (1.1**3 - 1) / 0.1 == pytest.approx(3.31) and (1.1**3 - 0.9**3) / 0.2 == pytest.approx(3.01)
    # the gradient-check explorer's answers
    Xc, Yc, pc = viz.check_network()
    fine = np.geomspace(1e-1, 1e-12, 45)
    centred, _, _ = viz.gradient_check(Xc, Yc, pc, fine, check, difference="centred")
    forward_d, _, _ = viz.gradient_check(Xc, Yc, pc, fine, check, difference="forward")
    assert fine[np.argmin(centred)] == pytest.approx(1e-5, rel=0.5) and 1e-11 < centred.min() < 3e-11
    assert 1e-8 < fine[np.argmin(forward_d)] < 1e-7 and 1e-8 < forward_d.min() < 3e-8
    steps = [1e-5]
    at_h, _, _ = viz.gradient_check(Xc, Yc, pc, steps, check, difference="forward")
    assert 3e-6 < at_h[0] < 5e-6  # "about 4e-6: suspicious"
    buggy, _, _ = viz.gradient_check(Xc, Yc, pc, [10.0 ** -k for k in range(1, 13)], check, backward_kind="bug: no g'(Z1)")
    assert np.all((0.25 < buggy) & (buggy < 0.3))
    assert np.finfo(float).eps ** (1 / 3) == pytest.approx(6e-6, rel=0.02)


@pytest.mark.slow
def test_the_boundary_explorer_answers():
    X, y = moons()
    runs = {}
    for n_h, activation in [(3, "sigmoid"), (3, "tanh"), (3, "relu"), (2, "relu"), (4, "sigmoid"), (20, "tanh"),
                            (20, "sigmoid")]:
        params, costs = viz.train_moons_network(X, y[:, None], n_h, activation, init_params, train_network)
        right = viz.fraction_right(forward(X, params, activation)[0][:, 0], y)
        runs[n_h, activation] = (right, costs, params)
    below = {act: int(np.argmax(runs[3, act][1] < 0.25)) for act in ("sigmoid", "tanh", "relu")}
    assert 250 < below["relu"] < 300 and 340 < below["tanh"] < 400 and 1700 < below["sigmoid"] < 1900
    assert runs[3, "tanh"][0] == 0.975 and runs[3, "tanh"][1][-1] == pytest.approx(0.066, abs=5e-4)
    assert runs[3, "relu"][0] == runs[2, "relu"][0] == 0.88
    assert runs[3, "relu"][1][-1] == pytest.approx(0.245, abs=5e-4)
    # two of the three ReLU units are copies: their weight vectors point the same way
    W = np.vstack([runs[3, "relu"][2]["W1"], runs[3, "relu"][2]["b1"]])
    W = W / np.linalg.norm(W, axis=0)
    assert np.max((W.T @ W)[np.triu_indices(3, 1)]) > 0.999
    # the sigmoid is the slowest to get below 0.25 from 3 units up (400 to 2700 updates, tanh 60 to 370), and
    # ends with the highest cost from 4 units up
    for n_h in (3, 4, 6, 10, 20):
        costs = {act: viz.train_moons_network(X, y[:, None], n_h, act, init_params, train_network)[1]
                 for act in ("sigmoid", "tanh", "relu")}
        first = {act: int(np.argmax(c < 0.25)) for act, c in costs.items()}
        assert 400 <= first["sigmoid"] <= 2750 and 55 <= first["tanh"] <= 375, (n_h, first)
        assert first["sigmoid"] > max(first["tanh"], first["relu"]), (n_h, first)
        if n_h >= 4:
            assert costs["sigmoid"][-1] > max(costs["tanh"][-1], costs["relu"][-1]), n_h


def test_the_numbers_ps03_promises(check):
    """ps03's "what to expect": its training cell, its explorers' settings, with correct functions."""
    X, y = moons()
    params, costs = train_network(X, y[:, None], 4, "tanh", 2.0, 3000, np.random.default_rng(0))
    right = np.mean((forward(X, params, "tanh")[0][:, 0] > 0.5) == (y == 1))
    assert f"final cost {costs[-1]:.4f}" == "final cost 0.0441" and right == 0.99
    # down to about 0.30 quickly, a plateau of several hundred updates, then down again
    assert abs(costs[100] - 0.30) < 0.01 and abs(costs[500] - 0.30) < 0.01 and costs[1000] < 0.1
    for n_h, activation, expected in ((1, "tanh", 0.87), (3, "tanh", 0.975), (10, "relu", 0.98)):
        p, _ = viz.train_moons_network(X, y[:, None], n_h, activation, init_params, train_network, num_iters=1000)
        assert viz.fraction_right(forward(X, p, activation)[0][:, 0], y) == expected
    errors, _, _ = viz.gradient_check(*viz.check_network(), [1e-5], check)
    assert 1e-12 < errors[0] < 1e-10  # "near 1e-11"
