"""The pictures of the gradient-descent-variants chapter: the runs they draw and what they draw."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
from nnopt.viz import minibatch as viz
from nnref.logistic import log_loss, log_loss_gradients, sigmoid
from nnref.minibatch import descent_trace, lowest_cost, minibatch_gradient_descent


@pytest.fixture(scope="module")
def data():
    return viz.tumours()


@pytest.fixture(scope="module")
def explorer(data):
    X, y, _ = data
    return viz.variants_explorer(X, y, minibatch_gradient_descent, lowest_cost(X, y)[0], descent_trace)


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


def test_per_example_gradients_average_to_the_gradient(rng):
    X = rng.standard_normal((9, 3))
    y = (rng.random(9) < 0.5).astype(float)
    w, b = rng.standard_normal(3), 0.4
    G = viz.per_example_gradients(X, y, w, b, log_loss_gradients)
    dw, db = log_loss_gradients(X, y, w, b)
    assert G.shape == (9, 4)
    np.testing.assert_allclose(G.mean(axis=0), np.append(dw, db), rtol=1e-12)


def test_gradient_noise_falls_like_one_over_the_batch_size(data):
    X, y, _ = data
    _, w, b = lowest_cost(X, y)
    sizes = [1, 4, 32, 256, 569]
    measured, predicted = viz.gradient_noise(X, y, w, b, sizes, np.random.default_rng(1), log_loss_gradients,
                                             num_draws=400)
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
    _, (w_best,), b_best = lowest_cost(X[:, :1], y)
    viz.draw_paths(fig, X[:, 0], y, 0.3, 1, (569, 32, 1), descent_trace, sigmoid, log_loss, (w_best, b_best))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    assert titles[0].startswith("batch, B = 569: 1 updates")
    assert titles[1].startswith("mini-batch, B = 32: 18 updates")
    assert titles[2].startswith("stochastic, B = 1: 569 updates")


def test_shuffling_picture_shows_sorted_data_doing_worse(data):
    X, y, _ = data
    fig = Figure()
    ax = fig.subplots()
    viz.draw_shuffling(ax, X, y, 0.3, 2, 4, descent_trace, lowest_cost(X, y)[0])
    curves = {line.get_label(): line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert len(curves) == 3
    sorted_curve = curves["sorted by label, never shuffled"]
    reshuffled = curves["reshuffled every epoch"]
    assert len(sorted_curve) == len(reshuffled) == 2 * 143 + 1
    # sorted by label, the cost at the end of an epoch is far above the reshuffled one's
    assert sorted_curve[-1] > 10 * reshuffled[-1]


def test_update_times_are_positive():
    us = viz.time_updates([1, 8], log_loss_gradients, num_features=3, min_seconds=0.001)
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
    names = [name for name, _ in viz.explorers(nnref)]
    assert names == ["variants"]


def test_the_explorer_with_only_the_graded_function_shows_the_epochs(data):
    X, y, _ = data
    explorer = viz.variants_explorer(X, y, minibatch_gradient_descent, lowest_cost(X, y)[0],
                                     batch_sizes=[8, 32], rates=[0.3, 1.0], num_epochs=5)
    fig = Figure(figsize=(9.5, 4.4))
    explorer.draw(fig, batch_size=32, lr=1.0)
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel().startswith("epoch")
    assert len(fig.legends[0].get_texts()) == 3
    assert "above its minimum for stochastic" in explorer.alt_text(batch_size=8)
    assert explorer.frame("narrow").startswith(b"\x89PNG")


def test_learning_curves_are_the_runs_of_k_epochs(data):
    X, y, _ = data
    X_train, y_train, X_val, y_val = X[:400], y[:400], X[400:], y[400:]
    train, validation = viz.learning_curves(X_train, y_train, X_val, y_val, 0.3, 4, 32, 7,
                                            minibatch_gradient_descent, sigmoid, log_loss)
    assert train.shape == validation.shape == (5,)
    assert train[0] == pytest.approx(np.log(2.0)) and validation[0] == pytest.approx(np.log(2.0))
    # the run of k epochs is the first k epochs of a longer run: its costs are the longer run's
    _, _, costs = minibatch_gradient_descent(X_train, y_train, 0.3, 4, 32, np.random.default_rng(7))
    np.testing.assert_allclose(train[1:], costs, rtol=1e-12)
    w, b, _ = minibatch_gradient_descent(X_train, y_train, 0.3, 3, 32, np.random.default_rng(7))
    assert validation[3] == pytest.approx(log_loss(sigmoid(X_val @ w + b), y_val), rel=1e-12)
    ax = viz.draw_learning_curves(Figure().subplots(), train, validation, best=3, stop=4)
    assert [line.get_label() for line in ax.get_lines()][:3] == ["training data", "validation data",
                                                                  "lowest validation loss (epoch 3)"]


def test_the_module_takes_its_algorithms_as_arguments():
    source = open(viz.__file__).read()
    assert "nnref" not in source.replace("``nnref``", "").replace("(``nnref.minibatch``)", "")
    for name in ("make_minibatches", "minibatch_gradient_descent", "sigmoid", "log_loss", "log_loss_gradients",
                 "descent_trace", "lowest_cost", "train_logistic", "standardize"):
        assert f"def {name}(" not in source


def test_the_numbers_of_the_page(data):
    """The numbers the gradient-descent-variants chapter states, recomputed (timings are not: they vary)."""
    X, y, _ = data
    m = len(y)
    assert [viz.updates_per_epoch(m, B) for B in (569, 256, 128, 64, 32, 1)] == [1, 3, 5, 9, 18, 569]
    assert divmod(1000, 64) == (15, 40) and viz.updates_per_epoch(1000, 64) == 16  # exercise 1
    # the hand example: one epoch of batch GD and of SGD, and a second epoch of SGD (exercise 4)
    X_two, y_two = np.array([[1.0], [-1.0]]), np.array([1.0, 0.0])
    _, _, batch = minibatch_gradient_descent(X_two, y_two, 1.0, 1, 2, np.random.default_rng(0))
    w, b, sgd = minibatch_gradient_descent(X_two, y_two, 1.0, 2, 1, np.random.default_rng(0))
    assert batch[0] == pytest.approx(0.474, abs=5e-4) and sgd == pytest.approx([0.313, 0.195], abs=5e-4)
    assert w[0] == pytest.approx(1.5379, abs=5e-5) and b == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(np.random.default_rng(0).permutation(5), [2, 4, 3, 0, 1])
    # the correction factor of the noise formula
    assert (m - 512) / (m - 1) == pytest.approx(0.100, abs=5e-4) and (m - 32) / (m - 1) == pytest.approx(0.945, abs=5e-4)
    # the paths: 10, 180 and 5690 updates in ten epochs
    assert [10 * viz.updates_per_epoch(m, B) for B in (m, 32, 1)] == [10, 180, 5690]
    # the Explore answers, from the explorer's own runs (15 epochs, seed 0)
    min_cost = lowest_cost(X, y)[0]

    def gap(lr, B):
        return minibatch_gradient_descent(X, y, lr, 15, B, np.random.default_rng(0))[2] - min_cost

    assert gap(0.01, m)[-1] == pytest.approx(0.41, abs=0.005) and gap(0.01, 32)[-1] == pytest.approx(0.19, abs=0.005)
    assert gap(0.01, 1)[-1] < 0.002
    sgd = gap(0.03, 1)
    assert np.any(np.diff(sgd[10:]) > 0) and np.all(np.diff(gap(0.01, 1)) < 0)
    assert np.all(np.diff(gap(0.3, 32)) < 0) and np.any(np.diff(gap(1.0, 32)[10:]) > 0)
    batch10 = gap(10.0, m)
    assert batch10[3] < 1e-3 <= batch10[2]  # within 0.001 after 4 epochs
    assert np.argmax(gap(0.03, 1) < 1e-3) == 5 and np.argmax(gap(1.0, 32) < 1e-3) == 5  # 6 epochs


def test_the_held_out_example_of_the_page():
    from nnopt.data import breast_cancer

    X_raw, y, _ = breast_cancer()
    order = np.random.default_rng(0).permutation(len(y))
    train, val = order[:400], order[400:]
    mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
    X_train, X_val = (X_raw[train] - mean) / std, (X_raw[val] - mean) / std
    t, v = viz.learning_curves(X_train, y[train], X_val, y[val], 0.3, 60, 32, 0, minibatch_gradient_descent,
                               sigmoid, log_loss)
    assert np.all(np.diff(t[:31]) < 0) and t[60] < t[45] < t[30]  # falling, ever more slowly
    assert np.all(np.abs(np.diff(t[40:])) < 1e-4)  # by the end only the noise moves it
    assert int(np.argmin(v[:20])) == 14 and v[14] == pytest.approx(0.310, abs=5e-4)
    assert np.all(np.abs(v[14:] - v[14]) < 0.0035)
    assert int(np.argmin(v)) == 40 and v[40] == pytest.approx(0.309, abs=5e-4)
    assert t[14] == pytest.approx(0.241, abs=5e-4) and t[60] == pytest.approx(0.235, abs=5e-4)
    # early stopping with a patience of 10: stops at epoch 24 with the parameters of epoch 14
    kept = 0
    for epoch in range(1, 61):
        if v[epoch] < v[kept]:
            kept = epoch
        elif epoch - kept >= 10:
            break
    assert (epoch, kept) == (24, 14)


def test_the_numbers_ps04_promises(data):
    """ps04's "what to expect": its comparison, the lowest cost of its explorer, its held-out part."""
    X, y, _ = data
    m = len(y)
    final = {B: minibatch_gradient_descent(X, y, 0.3, 15, B, np.random.default_rng(0))[2][-1] for B in (m, 32, 1)}
    assert [round(final[B], 4) for B in (m, 32, 1)] == [0.3846, 0.2578, 0.2691]
    assert round(lowest_cost(X, y)[0], 4) == 0.2558
    long_run = minibatch_gradient_descent(X, y, 10.0, 50, m, np.random.default_rng(0))[2]
    assert f"{long_run[-1]:.5f}" == "0.25582"
    at3 = {B: minibatch_gradient_descent(X, y, 3.0, 15, B, np.random.default_rng(0))[2][-1] for B in (m, 32, 1)}
    assert abs(at3[m] - at3[32]) < 0.001 and at3[1] > at3[m] + 0.1
    # the held-out part: the first 30 epochs of the book's example
    from nnopt.data import breast_cancer

    X_raw, y_all, _ = breast_cancer()
    order = np.random.default_rng(0).permutation(len(y_all))
    train, val = order[:400], order[400:]
    mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
    t, v = viz.learning_curves((X_raw[train] - mean) / std, y_all[train], (X_raw[val] - mean) / std, y_all[val],
                               0.3, 30, 32, 0, minibatch_gradient_descent, sigmoid, log_loss)
    assert np.all(np.diff(t) < 0)
    assert int(np.argmin(v)) == 14 and f"{v[14]:.4f}" == "0.3098"
