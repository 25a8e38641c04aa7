"""The learning-rate decay chapter's pictures: the runs they show are right, and every frame draws."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnref.minibatch import make_minibatches
from nnref.perceptron import cost_gradients, gradient_descent
from nnref.schedules import exponential_decay, inverse_sqrt_decay, staircase_decay, step_decay, time_based_decay
from nnopt.viz import schedules as viz


@pytest.fixture(scope="module")
def cars():
    return viz.cars_standardized()


def test_family_pairs_each_step_schedule_with_the_smooth_one_it_samples():
    d, interval = 0.3, 4
    p = viz.family(d, interval)
    for epoch in range(0, 41, interval):
        assert step_decay(0.2, epoch=epoch, **p["step"]) == pytest.approx(exponential_decay(0.2, epoch=epoch, **p["exponential"]))
        assert staircase_decay(0.2, epoch=epoch, **p["staircase"]) == pytest.approx(time_based_decay(0.2, epoch=epoch, **p["time_based"]))
    assert p["exponential"]["gamma"] == pytest.approx(math.exp(-d)) and p["time_based"]["decay_rate"] == d
    # between the ticks the step schedules stay at the last sampled value (above the smooth curves)
    assert step_decay(0.2, epoch=interval + 1, **p["step"]) > exponential_decay(0.2, epoch=interval + 1, **p["exponential"])


def test_learning_rates_count_epochs_from_zero():
    lrs = viz.learning_rates("time_based", 0.2, 4, decay_rate=1.0)
    np.testing.assert_allclose(lrs, [0.2, 0.1, 0.2 / 3, 0.05])
    np.testing.assert_array_equal(viz.learning_rates(None, 0.3, 3), [0.3, 0.3, 0.3])
    # the inverse square root is undefined at 0: the first two passes both use epoch 1
    lrs = viz.learning_rates("inverse_sqrt", 0.2, 4, k=0.5)
    np.testing.assert_allclose(lrs, [inverse_sqrt_decay(0.2, 0.5, e) for e in (1, 1, 2, 3)])


def test_least_squares_is_the_minimum(cars):
    x, y = cars
    np.testing.assert_allclose(viz.least_squares(x, y), np.polyfit(x, y, 1), rtol=1e-10)


def test_full_batch_runs_are_batch_gradient_descent(cars):
    x, y = cars
    lrs = np.array([[0.5] * 6, [0.1] * 6])
    run = viz.sgd_runs(x, y, lrs, batch_size=len(x), rng=np.random.default_rng(3))
    for k, lr in enumerate([0.5, 0.1]):
        w, b, _ = gradient_descent(x[:, None], y, np.zeros(1), 0.0, lr, 6)
        np.testing.assert_allclose(run["ends"][k, -1], [w[0], b], rtol=1e-12)
    assert run["ends"].shape == (2, 7, 2) and run["rms"].shape == (2, 6)


def test_minibatch_runs_match_a_plain_loop_with_the_course_functions(cars):
    x, y = cars[0][:50], cars[1][:50]
    lrs = np.array([viz.learning_rates("exponential", 0.2, 3, gamma=0.5), viz.learning_rates(None, 0.05, 3)])
    run = viz.sgd_runs(x, y, lrs, batch_size=8, rng=np.random.default_rng(7), keep_last=1)
    minimum = viz.least_squares(x, y)
    rng = np.random.default_rng(7)
    params = [(np.zeros(1), 0.0), (np.zeros(1), 0.0)]
    squares = np.zeros((2, 3))
    for e in range(3):
        for X_batch, y_batch in make_minibatches(x[:, None], y, 8, rng):
            for k in range(2):
                w, b = params[k]
                dw, db = cost_gradients(X_batch, y_batch, w, b)
                params[k] = (w - lrs[k, e] * dw, b - lrs[k, e] * db)
                squares[k, e] += np.sum((np.array([params[k][0][0], params[k][1]]) - minimum) ** 2)
        for k in range(2):
            np.testing.assert_allclose(run["ends"][k, e + 1], [params[k][0][0], params[k][1]], rtol=1e-12)
    np.testing.assert_allclose(run["rms"], np.sqrt(squares / 7), rtol=1e-12)  # 50 examples: 7 batches
    assert run["cloud"].shape == (2, 7, 2)
    np.testing.assert_allclose(run["cloud"][:, -1], run["ends"][:, -1])


def test_constant_rate_settles_near_the_noise_floor_and_it_grows_like_sqrt_lr(cars):
    x, y = cars
    lrs = np.repeat([[0.03], [0.1], [0.3]], 30, axis=1)
    run = viz.sgd_runs(x, y, lrs, batch_size=1, rng=np.random.default_rng(0), keep_last=0)
    settled = np.sqrt(np.mean(run["rms"][:, 10:] ** 2, axis=1))
    floors = np.array([viz.noise_floor(x, y, lr, 1) for lr in (0.03, 0.1, 0.3)])
    # the model is rough (it ignores reshuffling and the noise of the curvature), but right within 1.5x
    assert np.all(settled / floors > 1 / 1.5) and np.all(settled / floors < 1.5)
    assert settled[0] < settled[1] < settled[2]
    assert floors[1] / floors[0] == pytest.approx(math.sqrt(0.1 / 0.03 * (2 - 0.03) / (2 - 0.1)))


def test_every_decay_ends_closer_than_the_constant_rate(cars):
    x, y = cars
    runs = viz.decay_runs(x, y, [0.1], [1], num_epochs=30)
    final = runs[1]["rms"][:, -1]
    assert final.shape == (1 + len(viz.SGD_SCHEDULES),)
    assert np.all(final[1:] < final[0] / 1.5)


def test_a_decay_that_is_too_fast_stalls_where_the_step_budget_says(cars):
    # small lr0 and large batches: the noise is negligible and the distance shrinks by prod(1 - lr)
    x, y = cars
    runs = viz.decay_runs(x, y, [0.01], [32], num_epochs=30)
    run = runs[32]
    start = np.linalg.norm(viz.least_squares(x, y))
    updates = math.ceil(len(x) / 32)
    predicted = start * np.prod((1 - run["lrs"]) ** updates, axis=1)
    distance = np.linalg.norm(run["ends"][:, -1] - viz.least_squares(x, y), axis=1)
    np.testing.assert_allclose(distance, predicted, rtol=0.05)
    assert distance[1] > 10  # time-based decay from lr0 = 0.01 has barely left the start


def test_draw_schedules_draws_each_schedule_from_where_it_is_defined():
    fig = Figure()
    ax = fig.subplots()
    params = viz.family(0.1, 5)
    viz.draw_schedules(ax, 0.2, 11, params, log=True)
    lines = {line.get_label().split(",")[0]: line for line in ax.get_lines()}
    assert set(lines) == {"time-based", "exponential", "step", "k/√epoch", "staircase"}
    np.testing.assert_array_equal(lines["k/√epoch"].get_xdata(), np.arange(1, 11))
    np.testing.assert_allclose(lines["time-based"].get_ydata(), 0.2 / (1 + 0.1 * np.arange(11)))
    assert lines["step"].get_drawstyle() == "steps-post"
    assert ax.get_yscale() == "log"


def test_comparison_titles_report_the_last_epoch(cars):
    x, y = cars
    fig = Figure()
    runs = viz.decay_runs(x, y, [0.1], [8], num_epochs=6)[8]
    two = {key: runs[key][[0, 2]] for key in ("ends", "rms", "cloud")}
    viz.draw_decay_comparison(fig, runs["lrs"][[0, 2]], two, viz.least_squares(x, y), "exponential", 8, floor=0.3)
    title = fig.axes[2].get_title()
    assert f"{two['rms'][0, -1]:.2g} (constant)" in title and f"{two['rms'][1, -1]:.2g}" in title
    assert "batch size 8" in fig.axes[0].get_title()


@pytest.mark.parametrize("name", ["schedules", "decay"])
def test_every_frame_renders(name):
    explorer = dict(viz.explorers())[name]
    frames = explorer.frames()
    sizes = [len(c.values) for c in explorer.controls]
    assert len(frames) == math.prod(sizes) <= 60
    assert all(f.startswith("data:image/png;base64,iVBOR") for f in frames.values())
    assert len(set(frames.values())) == len(frames)  # every slider position draws something different
