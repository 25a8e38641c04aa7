"""The log-loss chapter's pictures: the curves they draw are right, and every explorer frame renders."""

import itertools
import math
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
from nnopt.data import breast_cancer
from nnref.logistic import ACTIVATIONS, log_loss, predict_classes, sigmoid, softmax, train_logistic
from nnopt.viz.logistic import (
    BoundaryGrid,
    activation_curves,
    costs_along_line,
    draw_activations,
    draw_boundary,
    draw_loss_comparison,
    explorers,
    fraction_right,
    logistic_path,
    losses_of_one_example,
    standard_units,
)


@pytest.fixture(scope="module")
def biopsies():
    X, y, names = breast_cancer()
    Z, mean, std = standard_units(X)
    return X, y, names, Z, mean, std


def test_breast_cancer_data():
    X, y, names = breast_cancer()
    assert X.shape == (569, 2) and y.shape == (569,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert int(y.sum()) == 212  # malignant is class 1
    assert names == ["mean radius", "mean texture"]
    # malignant tumours have larger nuclei on average
    assert X[y == 1, 0].mean() > X[y == 0, 0].mean()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("w, b", [(1.0, 0.0), (-1.0, 2.0), (4.0, -2.0)])
def test_activation_slopes_match_differences(name, w, b):
    x = np.array([-3.1, -1.3, -0.45, 0.35, 1.7, 2.9])  # away from relu's kink at wx + b = 0
    g, soft = (softmax, True) if name == "softmax" else (ACTIVATIONS[name], False)
    a, da = activation_curves(g, x, w, b, soft)
    h = 1e-6
    plus, _ = activation_curves(g, x + h, w, b, soft)
    minus, _ = activation_curves(g, x - h, w, b, soft)
    np.testing.assert_allclose(da, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-8)
    assert a.shape == da.shape == ((6, 3) if name == "softmax" else (6,))


def test_softmax_curves_are_probabilities():
    p, dp = activation_curves(softmax, np.linspace(-5, 5, 11), w=2.0, b=1.0, softmax=True)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(dp.sum(axis=1), 0.0, atol=1e-15)  # the probabilities move, their sum does not
    # the scores are (w x + b, 1, 0): at x = 0 with b = 1 the first two tie
    p_at, _ = activation_curves(softmax, np.array([0.0]), w=1.0, b=1.0, softmax=True)
    assert p_at[0, 0] == pytest.approx(p_at[0, 1])


def test_losses_of_one_example():
    z = np.array([-3.0, 0.0, 2.0])
    ll, se, dll, dse = losses_of_one_example(z, sigmoid, log_loss, y=1.0)
    a = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(ll, -np.log(a))
    np.testing.assert_allclose(se, 0.5 * (a - 1) ** 2)
    np.testing.assert_allclose(dll, a - 1)
    np.testing.assert_allclose(dse, (a - 1) * a * (1 - a))
    ll0, _, dll0, _ = losses_of_one_example(z, sigmoid, log_loss, y=0.0)
    np.testing.assert_allclose(ll0, -np.log(1 - a))
    np.testing.assert_allclose(dll0, a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll_far, _, _, _ = losses_of_one_example(np.array([-1000.0, 1000.0]), sigmoid, log_loss)
    np.testing.assert_allclose(ll_far, [-np.log(1e-12), 0.0], atol=1e-11)  # clipped at eps = 1e-12


def test_costs_along_line(biopsies):
    _, y, _, Z, _, _ = biopsies
    w, b, _ = train_logistic(Z, y, 1.0, 300)
    ll, se = costs_along_line(Z, y, w, b, np.array([0.0, 1.0]), sigmoid, log_loss)
    # at s = 0 every prediction is 1/2: log loss ln 2, squared error (1/2)(1/2)^2
    assert ll[0] == pytest.approx(math.log(2.0))
    assert se[0] == pytest.approx(0.125)
    a = 1 / (1 + np.exp(-(Z @ w + b)))
    assert ll[1] == pytest.approx(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def test_logistic_path_is_train_logistic(biopsies):
    _, y, _, Z, _, _ = biopsies
    params, costs = logistic_path(Z, y, lr=0.3, iterations=(1, 25), train_logistic=train_logistic)
    w, b, train_costs = train_logistic(Z, y, 0.3, 25)
    assert set(params) == {1, 25} and costs.shape == (26,)
    np.testing.assert_allclose(params[25], np.append(w, b), rtol=1e-12)
    np.testing.assert_allclose(costs[:-1], train_costs, rtol=1e-12)
    w1, b1, _ = train_logistic(Z, y, 0.3, 1)
    np.testing.assert_allclose(params[1], np.append(w1, b1), rtol=1e-12)
    assert costs[-1] == pytest.approx(log_loss(sigmoid(Z @ w + b), y), rel=1e-12)
    assert fraction_right(Z, y, w, b, predict_classes) == pytest.approx(np.mean((Z @ w + b > 0) == (y == 1)))


def test_boundary_line_is_where_the_score_is_zero(biopsies):
    X, _, _, _, mean, std = biopsies
    grid = BoundaryGrid(X, mean, std, sigmoid, n=30)
    w, b = np.array([3.7, 0.94]), -0.71
    x1, x2 = grid.boundary(w, b)
    z = ((np.column_stack([x1, x2]) - mean) / std) @ w + b
    np.testing.assert_allclose(z, 0.0, atol=1e-12)
    # a vertical boundary when the second weight is zero, none when both are
    x1, x2 = grid.boundary(np.array([2.0, 0.0]), 1.0)
    np.testing.assert_allclose(x1, mean[0] - std[0] * 0.5)
    assert grid.boundary(np.zeros(2), 0.3) is None
    P = grid.probabilities(w, b)
    assert P.shape == (30, 30) and np.all((P > 0) & (P < 1))
    shade = grid.shading(w, b)
    assert shade.shape == (30, 30, 3) and shade.min() >= 0.7 - 1e-12 and shade.max() <= 1.0


def test_draw_boundary_draws_data_and_line(biopsies):
    X, y, names, _, mean, std = biopsies
    ax = Figure().subplots()
    draw_boundary(ax, X, y, np.array([3.7, 0.94]), -0.71, BoundaryGrid(X, mean, std, sigmoid, n=20), names)
    assert len(ax.collections) == 2  # one scatter per class
    assert sum(len(c.get_offsets()) for c in ax.collections) == 569
    assert len(ax.lines) == 1 and ax.lines[0].get_color() == "black"
    assert len(ax.images) == 1
    assert ax.get_xlabel() == "mean radius"


def test_static_figures_draw_their_panels(biopsies):
    _, y, _, Z, _, _ = biopsies
    axes = draw_activations(Figure(figsize=(9, 6)), ACTIVATIONS, softmax)
    assert len(axes) == 4 and [len(ax.lines) >= 2 for ax in axes] == [True] * 4
    panels = draw_loss_comparison(Figure(figsize=(10, 3)), Z, y, np.array([3.7, 0.94]), -0.71, sigmoid, log_loss)
    assert len(panels) == 3
    for ax in panels:
        assert [line.get_label() for line in ax.lines[:2]] == ["log loss", "squared error"]


@pytest.fixture(scope="module")
def book_explorers():
    return dict(explorers(nnref))


@pytest.mark.parametrize("name", ["activations", "boundary"])
def test_every_frame_renders_and_sliders_change_it(book_explorers, name):
    explorer = book_explorers[name]
    values = [c.values for c in explorer.controls]
    assert math.prod(len(v) for v in values) <= 60
    pngs = {}
    for combo in itertools.product(*values):
        png = explorer.render(**{c.name: v for c, v in zip(explorer.controls, combo)})
        assert png.startswith(b"\x89PNG")
        pngs[combo] = png
    # moving any one control from the default changes the picture, and its alt text
    default = tuple(c.default for c in explorer.controls)
    for k, control in enumerate(explorer.controls):
        for v in control.values:
            if v != control.default:
                other = default[:k] + (v,) + default[k + 1:]
                assert pngs[other] != pngs[default], (control.name, v)
                assert explorer.alt_text(**{control.name: v}) != explorer.alt_text(), (control.name, v)
    assert explorer.frame("narrow").startswith(b"\x89PNG")


def test_the_activation_is_a_choice_and_each_label_appears_once(book_explorers):
    explorer = book_explorers["activations"]
    assert [c.kind.value for c in explorer.controls] == ["choice", "slider", "slider"]
    for name in ("sigmoid", "tanh", "relu", "softmax"):
        for w in (1.0, 2.0):
            fig = explorer.figure(name=name, w=w)
            labels = fig.axes[0].get_legend_handles_labels()[1]
            assert len(labels) == len(set(labels)), (name, w, labels)


def test_the_numbers_of_the_page(biopsies):
    """Every number the log-loss chapter states, recomputed from the data and the reference implementations."""
    X, y, _, Z, _, _ = biopsies
    assert sigmoid(2.0) == pytest.approx(0.8808, abs=5e-5)
    assert sigmoid(2.0) * (1 - sigmoid(2.0)) == pytest.approx(0.1050, abs=5e-5)
    np.testing.assert_allclose(-np.log([0.99, 0.9, 0.5, 0.1, 0.01]), [0.010, 0.105, 0.693, 2.303, 4.605], atol=5e-4)
    assert y.mean() == pytest.approx(0.373, abs=5e-4)
    assert log_loss(np.full(569, y.mean()), y) == pytest.approx(0.660, abs=5e-4)
    assert 569 * np.log10(0.5) == pytest.approx(-171, abs=0.5)  # the likelihood of 569 shrugs, about 1e-171
    assert sigmoid(37.0) == 1.0 and sigmoid(36.0) < 1.0
    assert -np.log(1e-12) == pytest.approx(27.6, abs=0.05)
    # the hand example: two updates, and exercise 3
    X_small, y_small = np.array([[-1.0], [0.0], [2.0]]), np.array([0.0, 1.0, 1.0])
    _, _, costs = train_logistic(X_small, y_small, 1.0, 3)
    np.testing.assert_allclose(costs, [0.6931, 0.4749, 0.3924], atol=5e-5)
    w2, b2, _ = train_logistic(X_small, y_small, 1.0, 2)
    assert (w2[0], b2) == pytest.approx((0.7974, 0.2595), abs=5e-5)
    # the trained model on the biopsies
    w, b, _ = train_logistic(Z, y, 1.0, 1000)
    np.testing.assert_allclose(w, [3.72, 0.94], atol=5e-3)
    assert np.exp(w[0]) == pytest.approx(41, abs=0.5) and np.exp(w[1]) == pytest.approx(2.6, abs=0.05)
    assert np.mean(predict_classes(Z, w, b) == y) == pytest.approx(0.891, abs=5e-4)
    # the curvature at the start and at the minimum, and the stable learning rates
    A = np.column_stack([Z, np.ones(len(y))])

    def largest_curvature(w, b):
        a = sigmoid(A @ np.append(w, b))
        return np.linalg.eigvalsh((A * (a * (1 - a))[:, None]).T @ A / len(y)).max()

    start, end = largest_curvature(np.zeros(2), 0.0), largest_curvature(w, b)
    assert start == pytest.approx(0.33, abs=0.005) and 2 / start == pytest.approx(6, abs=0.1)
    assert end == pytest.approx(0.090, abs=0.0005) and 2 / end == pytest.approx(22, abs=0.3)
    # the Explore answers
    w3, _, _ = train_logistic(Z, y, 1.0, 3)
    assert np.linalg.norm(w3) == pytest.approx(0.9, abs=0.05) and np.linalg.norm(w) == pytest.approx(3.8, abs=0.05)
    w1, b1, _ = train_logistic(Z, y, 0.01, 1)
    assert np.mean(predict_classes(Z, w1, b1) == y) == pytest.approx(0.88, abs=0.005)
    _, _, c20 = train_logistic(Z, y, 20.0, 1001)
    _, _, c30 = train_logistic(Z, y, 30.0, 1001)
    assert c20[-1] == pytest.approx(c20.min(), abs=1e-9)
    assert c30[-1] == pytest.approx(c30[-3]) and c30[-2] == pytest.approx(c30[-4]) and c30[-1] != pytest.approx(c30[-2])
    assert c30[-1] == pytest.approx(0.34, abs=0.006) and c30[-2] == pytest.approx(0.34, abs=0.006)
    # exercise 4: the L2-penalised minimiser, and exercise 6: the threshold of z > -1
    from scipy.optimize import brentq
    w_map = brentq(lambda v: sigmoid(-v) - 0.1 * v, 0.0, 10.0)
    assert w_map == pytest.approx(1.63, abs=0.005) and sigmoid(w_map) == pytest.approx(0.84, abs=0.005)
    assert sigmoid(-1.0) == pytest.approx(0.269, abs=5e-4)
    assert sigmoid(-1.6) == pytest.approx(0.168, abs=5e-4) and sigmoid(-1.7) == pytest.approx(0.154, abs=5e-4)


def test_probit_is_not_canonical():
    """The page's counterexample: with the probit link the log loss's dL/dz is not y_hat - y."""
    from scipy.stats import norm

    z, y, h = np.array([-1.5, 0.3, 2.0]), np.array([1.0, 0.0, 1.0]), 1e-6

    def loss(z):
        p = norm.cdf(z)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))

    numeric = (loss(z + h) - loss(z - h)) / (2 * h)
    p = norm.cdf(z)
    np.testing.assert_allclose(numeric, (p - y) * norm.pdf(z) / (p * (1 - p)), rtol=1e-6)
    assert not np.allclose(numeric, p - y, rtol=1e-2)


def test_the_numbers_ps02_promises(biopsies):
    """ps02's "what to expect": the biopsies run of its part 6 and the explorer, with correct functions."""
    _, y, _, Z, _, _ = biopsies
    w, b, costs = train_logistic(Z, y, lr=1.0, num_iters=500)
    labels = predict_classes(Z, w, b)
    assert f"w = {w.round(3)}, b = {b:.3f}, final log loss = {costs[-1]:.4f}" == \
        "w = [3.721 0.937], b = -0.708, final log loss = 0.2558"
    assert f"{np.mean(labels == y):.1%}" == "89.1%" and int(np.sum((labels == 0) & (y == 1))) == 39
    # the explorer at learning rate 1: near 89% from 30 updates on; at 30 two values near 0.34
    for k in (30, 100, 300, 1000):
        wk, bk, _ = train_logistic(Z, y, 1.0, k)
        assert abs(np.mean(predict_classes(Z, wk, bk) == y) - 0.89) < 0.005
    _, _, c30 = train_logistic(Z, y, 30.0, 1001)
    assert abs(c30[-1] - 0.34) < 0.006 and abs(c30[-2] - 0.34) < 0.006 and c30[-1] != c30[-2]
