"""The pictures of the gradient-descent-variants chapter: the runs they draw and what they draw."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnref.logistic import log_loss, log_loss_gradients, sigmoid, train_logistic
from nnref.minibatch import minibatch_gradient_descent
from nnopt.viz import minibatch as viz


@pytest.fixture(scope="module")
def data():
    return viz.tumours()


@pytest.fixture(scope="module")
def explorer(data):
    X, y, _ = data
    return viz.variants_explorer(X, y)


def test_tumours_are_standardised(data):
    X, y, names = data
    assert X.shape == (569, 2) and y.shape == (569,) and len(names) == 2
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0)
    assert set(np.unique(y)) == {0.0, 1.0} and y.sum() == 212  # malignant


@pytest.mark.parametrize("m, batch_size, expected", [(569, 32, 18), (569, 1, 569), (569, 569, 1), (569, 1000, 1),
                                                     (64, 64, 1), (65, 64, 2)])
def test_updates_per_epoch(m, batch_size, expected):
    assert viz.updates_per_epoch(m, batch_size) == expected


@pytest.mark.parametrize("batch_size", [1, 7, 60])
def test_trace_passes_through_the_epochs_of_minibatch_gradient_descent(rng, batch_size):
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] + rng.standard_normal(60) > 0).astype(float)
    per = viz.updates_per_epoch(60, batch_size)
    params, costs = viz.descent_trace(X, y, 0.3, 4 * per, batch_size, np.random.default_rng(3))
    w, b, epoch_costs = minibatch_gradient_descent(X, y, 0.3, 4, batch_size, np.random.default_rng(3))
    assert params.shape == (4 * per + 1, 4) and costs.shape == (4 * per + 1,)
    # same generator, same shuffles: the trace's cost at each epoch's end is the function's
    np.testing.assert_allclose(costs[per::per], epoch_costs, rtol=1e-12)
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    assert costs[0] == pytest.approx(np.log(2.0))  # from zeros every prediction is 1/2


def test_trace_of_the_full_batch_in_order_is_batch_gradient_descent(rng):
    X = rng.standard_normal((30, 2))
    y = (X[:, 1] > 0.3).astype(float)
    y[:3] = 1 - y[:3]  # not separable
    _, costs = viz.descent_trace(X, y, 0.5, 12, 30, np.random.default_rng(0), shuffle="never")
    _, _, costs_gd = train_logistic(X, y, 0.5, 13)
    np.testing.assert_allclose(costs, costs_gd, rtol=1e-12)


def test_trace_can_stop_inside_an_epoch_and_shuffle_once(rng):
    X = rng.standard_normal((10, 2))
    y = (np.arange(10) % 2).astype(float)
    params, costs = viz.descent_trace(X, y, 0.1, 7, 3, np.random.default_rng(0), shuffle="once")
    assert params.shape == (8, 3) and costs.shape == (8,)
    # shuffled once: the second epoch sees the same 4 batches in the same order as the first
    batches = viz.make_minibatches(X, y, 3, np.random.default_rng(0))
    w, b = np.zeros(2), 0.0
    for X_batch, y_batch in batches + batches[:3]:
        dw, db = log_loss_gradients(X_batch, y_batch, w, b)
        w, b = w - 0.1 * dw, b - 0.1 * db
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    with pytest.raises(ValueError, match="shuffle"):
        viz.descent_trace(X, y, 0.1, 3, 3, np.random.default_rng(0), shuffle="sometimes")


def test_ordered_batches_keep_the_order():
    X = np.arange(10.0)[:, None]
    y = np.arange(10.0)
    batches = viz.ordered_batches(X, y, 4)
    assert [list(yb) for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_lowest_cost_is_the_minimum(data):
    X, y, _ = data
    cost, w, b = viz.lowest_cost(X, y)
    dw, db = log_loss_gradients(X, y, w, b)
    np.testing.assert_allclose(dw, 0.0, atol=1e-12)
    assert abs(db) < 1e-12
    assert cost == pytest.approx(log_loss(sigmoid(X @ w + b), y))
    # scikit-learn's unpenalised logistic regression, an independent solver, agrees
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.coef_[0], w, rtol=1e-5)
    assert model.intercept_[0] == pytest.approx(b, rel=1e-5)


def test_per_example_gradients_average_to_the_gradient(rng):
    X = rng.standard_normal((9, 3))
    y = (rng.random(9) < 0.5).astype(float)
    w, b = rng.standard_normal(3), 0.4
    G = viz.per_example_gradients(X, y, w, b)
    dw, db = log_loss_gradients(X, y, w, b)
    assert G.shape == (9, 4)
    np.testing.assert_allclose(G.mean(axis=0), np.append(dw, db), rtol=1e-12)


def test_gradient_noise_falls_like_one_over_the_batch_size(data):
    X, y, _ = data
    _, w, b = viz.lowest_cost(X, y)
    sizes = [1, 4, 32, 256, 569]
    measured, predicted = viz.gradient_noise(X, y, w, b, sizes, np.random.default_rng(1), num_draws=400)
    # the formula sigma^2 / B * (m - B) / (m - 1), and measurements within sampling error of it
    assert predicted[0] / predicted[1] == pytest.approx(4 * 568 / 565)
    assert predicted[-1] == 0.0 and measured[-1] == pytest.approx(0.0, abs=1e-25)
    np.testing.assert_allclose(measured[:-1], predicted[:-1], rtol=0.3)
    assert np.all(np.diff(measured) < 0)


def test_noise_picture_draws_the_formula_and_the_measurements():
    fig = Figure()
    ax = fig.subplots()
    sizes = np.array([1, 2, 4, 8])
    predicted = 0.2 / sizes * (100 - sizes) / 99
    viz.draw_gradient_noise(ax, sizes, predicted * 1.1, predicted, 100)
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_ydata() * lines[0].get_xdata(), 0.2)  # sigma^2 / B recovered
    np.testing.assert_allclose(lines[2].get_ydata(), predicted * 1.1)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_paths_picture_has_a_panel_per_variant(data):
    X, y, _ = data
    fig = Figure(figsize=(9, 3))
    viz.draw_paths(fig, X[:, 0], y, lr=0.3, num_epochs=1, batch_sizes=(569, 32, 1))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    assert titles[0].startswith("batch, B = 569: 1 updates")
    assert titles[1].startswith("mini-batch, B = 32: 18 updates")
    assert titles[2].startswith("stochastic, B = 1: 569 updates")


def test_shuffling_picture_shows_sorted_data_doing_worse(data):
    X, y, _ = data
    fig = Figure()
    ax = fig.subplots()
    viz.draw_shuffling(ax, X, y, lr=0.3, num_epochs=2, batch_size=4)
    curves = {line.get_label(): line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert len(curves) == 3
    sorted_curve = curves["sorted by label, never shuffled"]
    reshuffled = curves["reshuffled every epoch"]
    assert len(sorted_curve) == len(reshuffled) == 2 * 143 + 1
    # sorted by label, the cost at the end of an epoch is far above the reshuffled one's
    assert sorted_curve[-1] > 10 * reshuffled[-1]


def test_update_times_are_positive():
    us = viz.time_updates([1, 8], num_features=3, min_seconds=0.001)
    assert us.shape == (2,) and np.all(us > 0)
    fig = Figure()
    ax = viz.draw_update_times(fig.subplots(), [1, 8], us)
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), us / [1, 8])


def test_variants_picture_draws_three_variants_with_their_times():
    fig = Figure(figsize=(10, 3.5))
    m = 100
    runs = {
        "batch": (m, np.linspace(0.7, 0.5, 11), np.linspace(0.7, 0.6, 6), 0.04),
        "mini-batch": (16, np.linspace(0.7, 0.4, 11), np.linspace(0.7, 0.35, 6), 0.3),
        "stochastic": (1, np.linspace(0.7, 0.45, 11), np.linspace(0.7, 0.31, 6), 6.0),
    }
    viz.draw_variants(fig, runs, m, 0.1, min_cost=0.3)
    ax_up, ax_ep = fig.axes
    assert [len(line.get_xdata()) for line in ax_up.get_lines()] == [11, 11, 11]
    assert [len(line.get_xdata()) for line in ax_ep.get_lines()] == [6, 6, 6]
    # the curves are the cost above the minimum
    np.testing.assert_allclose(ax_ep.get_lines()[2].get_ydata(), np.linspace(0.7, 0.31, 6) - 0.3)
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels == ["batch, B = 100: 1 update and 0.04 ms per epoch",
                      "mini-batch, B = 16: 7 updates and 0.3 ms per epoch",
                      "stochastic, B = 1: 100 updates and 6 ms per epoch"]


def test_explorer_frames(explorer):
    sizes = explorer.controls[0].values
    rates = explorer.controls[1].values
    assert len(sizes) * len(rates) <= 60
    pictures = {explorer.render(batch_size=B, lr=lr) for B in sizes for lr in rates}
    assert len(pictures) == len(sizes) * len(rates)  # every frame is a different picture
    assert all(p.startswith(b"\x89PNG") for p in pictures)


def test_explorer_draws_the_chosen_batch_size(explorer):
    fig = Figure(figsize=(10, 3.5))
    explorer.draw(fig, batch_size=64, lr=0.3)
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels[0].startswith("batch, B = 569: 1 update and")
    assert labels[1].startswith("mini-batch, B = 64: 9 updates and")
    assert labels[2].startswith("stochastic, B = 1: 569 updates and")
    ax_up, ax_ep = fig.axes
    # 150 updates from the start, 15 epochs from the start; the stochastic run ends near the minimum
    assert all(len(line.get_xdata()) == 151 for line in ax_up.get_lines())
    assert all(len(line.get_xdata()) == 16 for line in ax_ep.get_lines())
    assert ax_ep.get_lines()[2].get_ydata()[-1] < 0.05


def test_explorers_yields_the_chapters_explorer():
    names = [name for name, _ in viz.explorers()]
    assert names == ["variants"]
