"""The log-loss chapter's pictures: the curves they draw are right, and every explorer frame renders."""

import itertools
import math
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.data import breast_cancer
from nnref.logistic import train_logistic
from nnopt.viz.logistic import (
    BoundaryGrid,
    activation_curves,
    costs_along_line,
    draw_activations,
    draw_boundary,
    draw_loss_comparison,
    explorers,
    logistic_path,
    losses_of_one_example,
    standardize,
)


@pytest.fixture(scope="module")
def biopsies():
    X, y, names = breast_cancer()
    Z, mean, std = standardize(X)
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
    a, da = activation_curves(name, x, w, b)
    h = 1e-6
    plus, _ = activation_curves(name, x + h, w, b)
    minus, _ = activation_curves(name, x - h, w, b)
    np.testing.assert_allclose(da, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-8)
    assert a.shape == da.shape == ((6, 3) if name == "softmax" else (6,))


def test_softmax_curves_are_probabilities():
    p, dp = activation_curves("softmax", np.linspace(-5, 5, 11), w=2.0, b=1.0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(dp.sum(axis=1), 0.0, atol=1e-15)  # the probabilities move, their sum does not
    # the scores are (w x + b, 1, 0): at x = 0 with b = 1 the first two tie
    p_at, _ = activation_curves("softmax", np.array([0.0]), w=1.0, b=1.0)
    assert p_at[0, 0] == pytest.approx(p_at[0, 1])


def test_losses_of_one_example():
    z = np.array([-3.0, 0.0, 2.0])
    ll, se, dll, dse = losses_of_one_example(z, y=1.0)
    a = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(ll, -np.log(a))
    np.testing.assert_allclose(se, 0.5 * (a - 1) ** 2)
    np.testing.assert_allclose(dll, a - 1)
    np.testing.assert_allclose(dse, (a - 1) * a * (1 - a))
    ll0, _, dll0, _ = losses_of_one_example(z, y=0.0)
    np.testing.assert_allclose(ll0, -np.log(1 - a))
    np.testing.assert_allclose(dll0, a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll_far, _, _, _ = losses_of_one_example(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(ll_far, [1000.0, 0.0])


def test_costs_along_line(biopsies):
    _, y, _, Z, _, _ = biopsies
    w, b, _ = train_logistic(Z, y, 1.0, 300)
    ll, se = costs_along_line(Z, y, w, b, np.array([0.0, 1.0]))
    # at s = 0 every prediction is 1/2: log loss ln 2, squared error (1/2)(1/2)^2
    assert ll[0] == pytest.approx(math.log(2.0))
    assert se[0] == pytest.approx(0.125)
    a = 1 / (1 + np.exp(-(Z @ w + b)))
    assert ll[1] == pytest.approx(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def test_logistic_path_is_train_logistic(biopsies):
    _, y, _, Z, _, _ = biopsies
    params, costs = logistic_path(Z, y, lr=0.3, num_iters=25)
    w, b, train_costs = train_logistic(Z, y, 0.3, 25)
    assert params.shape == (26, 3) and costs.shape == (26,)
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    np.testing.assert_allclose(costs[:-1], train_costs, rtol=1e-12)
    np.testing.assert_array_equal(params[0], [0.0, 0.0, 0.0])


def test_boundary_line_is_where_the_score_is_zero(biopsies):
    X, _, _, _, mean, std = biopsies
    grid = BoundaryGrid(X, mean, std, n=30)
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
    draw_boundary(ax, X, y, np.array([3.7, 0.94]), -0.71, BoundaryGrid(X, mean, std, n=20), names)
    assert len(ax.collections) == 2  # one scatter per class
    assert sum(len(c.get_offsets()) for c in ax.collections) == 569
    assert len(ax.lines) == 1 and ax.lines[0].get_color() == "black"
    assert len(ax.images) == 1
    assert ax.get_xlabel() == "mean radius"


def test_static_figures_draw_their_panels(biopsies):
    _, y, _, Z, _, _ = biopsies
    axes = draw_activations(Figure(figsize=(9, 6)))
    assert len(axes) == 4 and [len(ax.lines) >= 2 for ax in axes] == [True] * 4
    panels = draw_loss_comparison(Figure(figsize=(10, 3)), Z, y, np.array([3.7, 0.94]), -0.71)
    assert len(panels) == 3
    for ax in panels:
        assert [line.get_label() for line in ax.lines[:2]] == ["log loss", "squared error"]


@pytest.mark.parametrize("name", ["activations", "boundary"])
def test_every_frame_renders_and_sliders_change_it(name):
    explorer = dict(explorers())[name]
    values = [c.values for c in explorer.controls]
    assert math.prod(len(v) for v in values) <= 60
    pngs = {}
    for combo in itertools.product(*values):
        png = explorer.render(**{c.name: v for c, v in zip(explorer.controls, combo)})
        assert png.startswith(b"\x89PNG")
        pngs[combo] = png
    # moving any one slider from the default changes the picture
    default = tuple(c.default for c in explorer.controls)
    for k, control in enumerate(explorer.controls):
        for v in control.values:
            if v != control.default:
                other = default[:k] + (v,) + default[k + 1:]
                assert pngs[other] != pngs[default], (control.name, v)
