"""The batch-norm chapter's data and pictures: the loader, the scaling study, the training runs, the
small-batch noise, and every explorer frame; with the numbers the chapter quotes."""

import base64
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from nnopt.data import cars_weight_acceleration, moons
from nnref.perceptron import gradient_descent
from nnopt.viz.batchnorm import (SCALINGS, ScalingStudy, batch_noise, curvatures, descent_run, draw_batch_noise,
                                 draw_scaled_descent, draw_training, profile_cost, scaling_explorer,
                                 training_explorer, training_runs)


@pytest.fixture(scope="module")
def cars():
    return cars_weight_acceleration()


@pytest.fixture(scope="module")
def study(cars):
    return ScalingStudy(*cars)


@pytest.fixture(scope="module")
def runs():
    return training_runs(*moons(400, 0.25, 0))


def test_cars_weight_acceleration(cars):
    X, mpg = cars
    assert X.shape == (398, 2) and mpg.shape == (398,)
    assert X.dtype == mpg.dtype == np.float64
    # the ranges and means the chapter quotes: weight in 1000 lb, seconds from 0 to 60 mph
    np.testing.assert_allclose(X.min(axis=0), [1.613, 8.0])
    np.testing.assert_allclose(X.max(axis=0), [5.14, 24.8])
    np.testing.assert_allclose(X.mean(axis=0), [2.970, 15.568], atol=1e-3)
    assert np.corrcoef(X.T)[0, 1] == pytest.approx(-0.417, abs=1e-3)


def test_curvatures_of_standardised_features_depend_only_on_the_correlation(cars):
    X, _ = cars
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    rho = abs(np.corrcoef(X.T)[0, 1])
    np.testing.assert_allclose(curvatures(Z), [1 - rho, 1.0, 1 + rho], rtol=1e-10)


def test_condition_numbers_and_limits_quoted_in_the_chapter(study):
    assert study.kappa("raw") == pytest.approx(19642, rel=1e-3)
    assert study.kappa("min-max") == pytest.approx(91.3, rel=1e-3)
    assert study.kappa("z-score") == pytest.approx(2.433, rel=1e-3)
    assert study.lr_max("raw") == pytest.approx(0.00772, rel=1e-3)
    np.testing.assert_allclose(study.eig["raw"], [0.0132, 1.310, 259.2], rtol=1e-3)
    # scaling changes the weights' meaning, not the best fit
    for scaling in SCALINGS:
        assert study.best[scaling][2] == pytest.approx(9.1934, rel=1e-4)


def test_descent_run_is_gradient_descent_and_stops_when_it_diverges(cars):
    X, y = cars
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    params, gaps = descent_run(Z, y, 0.3, num_iters=25)
    w, b, costs = gradient_descent(Z, y, np.zeros(2), 0.0, 0.3, 25)
    assert params.shape == (26, 3) and gaps.shape == (26,)
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    np.testing.assert_allclose(gaps[:-1] + 9.193447362960704, costs, rtol=1e-12)
    assert np.all(np.diff(gaps) <= 1e-12)  # a stable learning rate: the cost never rises
    # 0.01 is above 2 / 259 for the raw features: the run stops long before 200 steps
    params, gaps = descent_run(X, y, 0.01)
    assert len(gaps) < 20 and gaps[-1] > 1e6


def test_gaps_after_200_steps_quoted_in_the_chapter(study):
    assert study.runs["raw"][0.003][1][-1] == pytest.approx(12.58, abs=0.01)
    assert study.runs["min-max"][1.0][1][-1] == pytest.approx(0.0091, abs=1e-4)
    gaps = study.runs["z-score"][1.0][1]
    assert np.argmax(gaps < 1e-10) == 15
    assert np.argmax(study.runs["z-score"][0.3][1] < 1e-3) == 22
    # near the limit 1.41 the descent oscillates but converges; 1.5 diverges
    assert 1e-3 < study.runs["z-score"][1.4][1][-1] < 0.1
    assert len(study.runs["z-score"][1.5][1]) < 201


def test_profile_cost_is_the_cost_at_the_best_bias(cars):
    X, y = cars
    J = profile_cost(X, y)
    rng = np.random.default_rng(0)
    for w in rng.normal(0.0, 3.0, size=(5, 2)):
        b = np.mean(y - X @ w)  # the best bias for these weights
        assert J(w) == pytest.approx(0.5 * np.mean((X @ w + b - y) ** 2), rel=1e-12)
        assert J(w) <= 0.5 * np.mean((X @ w + b + 0.1 - y) ** 2)


def test_scaled_descent_draws_the_run_and_marks_divergence(study):
    ax = Figure().subplots()
    draw_scaled_descent(ax, study, "min-max", 0.3)
    params = study.runs["min-max"][0.3][0]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), params[:, 0])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), params[:, 1])
    assert "κ = 91.3" in ax.get_title()
    assert not ax.texts
    ax = Figure().subplots()
    draw_scaled_descent(ax, study, "raw", 0.1)
    assert ax.texts and ax.texts[0].get_text().startswith("diverged")


def test_training_runs_show_what_the_chapter_says(runs):
    assert len(runs) == 3 * 4 * 2
    for history in runs.values():
        assert history["loss"].shape == history["accuracy"].shape == (30,)
        assert np.all(np.isfinite(history["loss"]))
    # batch 16, lr 3: without batch norm the network ends predicting one class; with it, it trains
    assert runs[16, 3.0, False]["accuracy"][-1] == 0.5
    assert runs[16, 3.0, True]["accuracy"][-1] > 0.85
    # batch 4: the noisy statistics make batch norm worse at every learning rate that works
    for lr in (0.03, 0.3, 1.0):
        assert runs[4, lr, True]["loss"][-1] > runs[4, lr, False]["loss"][-1]
    # batch 64, lr 0.03: batch norm's accuracy reaches 85 % first
    first = {bn: np.argmax(runs[64, 0.03, bn]["accuracy"] >= 0.85) for bn in (False, True)}
    assert first[True] < first[False]


def test_training_picture_draws_both_networks(runs):
    fig = draw_training(Figure(), runs, 16, 3.0)
    ax_loss, ax_acc = fig.axes
    np.testing.assert_allclose(ax_acc.lines[0].get_ydata(), runs[16, 3.0, False]["accuracy"])
    np.testing.assert_allclose(ax_acc.lines[1].get_ydata(), runs[16, 3.0, True]["accuracy"])
    np.testing.assert_allclose(ax_loss.lines[1].get_ydata(), runs[16, 3.0, True]["loss"])
    assert [t.get_text() for t in ax_acc.get_legend().get_texts()] == ["without", "with batch norm"]


def test_batch_noise_shrinks_with_the_batch_and_pairs_give_plus_minus_one():
    X, _ = moons(400, 0.25, 0)
    unit = X @ np.array([1.0, 0.5])
    outputs, test_value = batch_noise(unit, [2, 4, 16, 64], num_batches=300, rng=np.random.default_rng(3))
    # a pair gives +-d / sqrt(d**2 + eps), d half their gap: +-1 unless the two values nearly coincide
    assert np.all(np.abs(outputs[2]) <= 1.0) and np.mean(np.abs(outputs[2]) > 0.99) > 0.95
    spreads = [np.std(outputs[B]) for B in (4, 16, 64)]
    assert spreads[0] > spreads[1] > spreads[2]
    assert test_value == pytest.approx((unit[0] - unit.mean()) / np.sqrt(unit.var(ddof=1) + 1e-5))
    assert test_value == pytest.approx(-0.439, abs=1e-3)
    np.testing.assert_allclose(np.percentile(outputs[64], [5, 95]), [-0.64, -0.28], atol=0.01)
    ax = draw_batch_noise(Figure().subplots(), outputs, test_value)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4", "16", "64"]


def _check_frames(explorer, expected):
    frames = list(explorer.frames().values())
    assert len(frames) == expected
    sizes = set()
    for uri in frames:
        image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
        sizes.add(image.size)
        assert np.asarray(image.convert("L")).std() > 10  # not a blank picture
    assert sizes == {(int(explorer.figsize[0] * explorer.dpi), int(explorer.figsize[1] * explorer.dpi))}


def test_scaling_explorer_renders_every_frame(cars):
    explorer = scaling_explorer(*cars)
    assert [c.name for c in explorer.controls] == ["scaling", "lr"]
    _check_frames(explorer, 27)


def test_training_explorer_renders_every_frame(runs):
    explorer = training_explorer(None, None, runs)
    assert [len(c.values) for c in explorer.controls] == [3, 4]
    _check_frames(explorer, 12)
