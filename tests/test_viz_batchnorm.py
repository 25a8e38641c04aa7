"""The batch-norm chapter's data and pictures: the loader, the scaling study, the training runs, the
small-batch noise, and every explorer frame; with the numbers the chapter quotes."""

import base64
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import ast
from pathlib import Path

from nnopt.data import cars_weight_acceleration, moons
from nnopt.viz import batchnorm as viz
from nnref.batchnorm import batchnorm_forward, min_max_scale, standardize, train_mlp
from nnref.perceptron import gradient_descent
from nnopt.viz.batchnorm import (SCALINGS, ScalingStudy, batch_noise, curvatures, descent_run, draw_batch_noise,
                                 draw_scaled_descent, draw_training, profile_cost, scaling_explorer,
                                 training_explorer, training_runs)

SCALERS = {"min-max": min_max_scale, "z-score": standardize}


@pytest.fixture(scope="module")
def cars():
    return cars_weight_acceleration()


@pytest.fixture(scope="module")
def study(cars):
    return ScalingStudy(*cars, SCALERS, gradient_descent)


@pytest.fixture(scope="module")
def runs():
    return training_runs(*moons(400, 0.25, 0), train_mlp)


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
    params, gaps = descent_run(Z, y, 0.3, gradient_descent, num_iters=25)
    w, b, costs = gradient_descent(Z, y, np.zeros(2), 0.0, 0.3, 25)
    assert params.shape == (26, 3) and gaps.shape == (26,)
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    np.testing.assert_allclose(gaps[:-1] + 9.193447362960704, costs, rtol=1e-12)
    assert np.all(np.diff(gaps) <= 1e-12)  # a stable learning rate: the cost never rises
    # 0.01 is above 2 / 259 for the raw features: the run stops long before 200 steps
    params, gaps = descent_run(X, y, 0.01, gradient_descent)
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
    assert [t.get_text() for t in ax_acc.get_legend().get_texts()] == ["without batch norm", "with batch norm"]
    # the toggle: train mode shows each mini-batch normalised with its own statistics
    fig = draw_training(Figure(), runs, 4, 0.3, mode="train")
    np.testing.assert_allclose(fig.axes[1].lines[1].get_ydata(), runs[4, 0.3, True]["accuracy_train_mode"])


def test_batch_noise_shrinks_with_the_batch_and_pairs_give_plus_minus_one():
    X, _ = moons(400, 0.25, 0)
    unit = X @ np.array([1.0, 0.5])
    outputs, test_value = batch_noise(unit, [2, 4, 16, 64], batchnorm_forward, num_batches=300,
                                      rng=np.random.default_rng(3))
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
    combinations = list(explorer.combinations())
    assert len(combinations) == expected <= 60
    frames = [explorer.render(**params) for params in combinations]
    sizes = set()
    for png in frames:
        image = Image.open(io.BytesIO(png))
        sizes.add(image.size)
        assert np.asarray(image.convert("L")).std() > 10  # not a blank picture
    assert sizes == {(int(explorer.figsize[0] * explorer.dpi), int(explorer.figsize[1] * explorer.dpi))}
    assert len(set(frames)) == len(frames)
    # the narrow (phone) layout stacks the panels
    fig = explorer.figure("narrow")
    assert fig.axes[0].get_position().y0 > fig.axes[1].get_position().y0


def test_scaling_explorer_renders_every_frame(cars):
    explorer = scaling_explorer(*cars, SCALERS, gradient_descent)
    assert [c.name for c in explorer.controls] == ["scaling", "lr"]
    assert explorer.controls[0].kind == "choice"
    _check_frames(explorer, 27)
    assert "raw features (condition number 1.96e+04, stable below 0.00772)" in explorer.alt_text()
    assert "raw diverges" in explorer.alt_text(lr=0.01)


def test_training_explorer_renders_every_frame(runs):
    explorer = training_explorer(runs)
    assert [len(c.values) for c in explorer.controls] == [3, 4, 2]
    assert explorer.controls[2].kind == "toggle"
    _check_frames(explorer, 24)
    assert "accuracy in train mode" in explorer.alt_text(mode="train")


def test_the_student_package_holds_no_algorithm():
    tree = ast.parse(Path(viz.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.split(".")[0] == "nnref" for name in imported)
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    graded = {"min_max_scale", "standardize", "batchnorm_forward", "batchnorm_backward", "gradient_descent",
              "predict", "squared_error_cost", "cost_gradients"}
    assert not defined & graded


def test_the_pictures_use_the_functions_they_are_given(cars):
    # a scaler that does nothing makes "min-max" the raw features
    identity = {"min-max": lambda X: (np.array(X, dtype=float), None), "z-score": standardize}
    np.testing.assert_array_equal(viz.scale_features(cars[0], "min-max", identity), cars[0])
    # a batch norm that returns its input unchanged gives each example its own raw value
    outputs, test_value = batch_noise(np.arange(10.0), [2], lambda x, g, b, p: (x, None), num_batches=3)
    assert np.all(outputs[2] == 0.0) and test_value == 0.0


# ----------------------------------------------------------------------------- the chapter's numbers


def test_numbers_of_the_scaling_explorer_answers(study):
    gaps = lambda scaling, lr: study.runs[scaling][lr][1]  # noqa: E731
    # 1: on the raw features 0.003 is the largest stable rate of the slider; 0.01 diverges within 10 steps
    assert len(gaps("raw", 0.01)) - 1 <= 10 and gaps("raw", 0.01)[-1] > 1e6
    assert round(2 / study.eig["raw"][-1], 4) == 0.0077 and round(study.eig["raw"][0], 3) == 0.013
    # 2: z-scores below 0.001 after 22 steps at 0.3, 6 at 1 (1e-10 after 15); min-max 0.62 after 200 at 0.3
    assert np.argmax(gaps("z-score", 0.3) < 1e-3) == 22 and np.argmax(gaps("z-score", 1.0) < 1e-3) == 6
    assert round(gaps("min-max", 0.3)[-1], 2) == 0.62
    assert round(gaps("min-max", 1.4)[-1], 4) == 0.0008 and len(gaps("min-max", 1.4)) == 201
    assert round(study.eig["min-max"][-1], 3) == 1.357 and round(study.lr_max("min-max"), 2) == 1.47
    assert gaps("min-max", 1.5)[-1] > 1e6
    # 3: z-scores: the steepest factor at 1.4 and 1.5, and the gap at 1.4 after 200 steps
    top = study.eig["z-score"][-1]
    assert round(top, 3) == 1.417 and round(1 - 1.4 * top, 2) == -0.98 and round(1 - 1.5 * top, 2) == -1.13
    assert round(gaps("z-score", 1.4)[-1], 2) == 0.03 and round(2 / top, 2) == 1.41
    np.testing.assert_allclose(study.eig["z-score"], [0.583, 1.0, 1.417], atol=5e-4)


def test_numbers_of_the_training_explorer_answers(runs):
    end = lambda key, bs, lr, bn: runs[bs, lr, bn][key][-1]  # noqa: E731
    # 1
    assert end("accuracy", 16, 3.0, False) == 0.5 and round(end("accuracy", 16, 3.0, True), 2) == 0.91
    assert round(end("accuracy", 4, 3.0, False), 2) == 0.61 and end("accuracy", 4, 3.0, True) == 0.5
    # 2: at batch size 4 the network without batch norm is better at every rate; train mode is worse
    for lr in (0.03, 0.3, 1.0, 3.0):
        assert end("accuracy", 4, lr, False) > end("accuracy", 4, lr, True)
        assert end("loss", 4, lr, False) < end("loss", 4, lr, True)
    assert (round(end("loss", 4, 0.3, False), 2), round(end("accuracy", 4, 0.3, False), 2)) == (0.17, 0.92)
    assert (round(end("loss", 4, 0.3, True), 2), round(end("accuracy", 4, 0.3, True), 2)) == (0.48, 0.89)
    assert abs(end("accuracy_train_mode", 4, 0.3, True) - 0.82) < 0.01
    # 3: batch size 64, lr 0.03: 85 % after 3 epochs with batch norm, 8 without; the first epochs' modes
    first = {bn: np.argmax(runs[64, 0.03, bn]["accuracy"] >= 0.85) + 1 for bn in (False, True)}
    assert first == {False: 8, True: 3}
    test, train = runs[64, 0.03, True]["accuracy"], runs[64, 0.03, True]["accuracy_train_mode"]
    assert [round(v, 2) for v in test[:3]] == [0.61, 0.8, 0.87]
    assert [round(v, 2) for v in train[:3]] == [0.79, 0.87, 0.88]
    assert round(0.9 ** 7, 2) == 0.48 and -(-400 // 64) == 7
    # 4: the dips at lr 1 and 3 are in both modes
    for lr, epoch, in_test, in_train in ((1.0, 11, 0.79, 0.77), (3.0, 14, 0.62, 0.64)):
        history = runs[64, lr, True]
        assert np.argmin(history["accuracy"]) + 1 == epoch
        assert round(history["accuracy"][epoch - 1], 2) == in_test
        assert round(history["accuracy_train_mode"][epoch - 1], 2) == in_train
        assert history["accuracy"][epoch] > history["accuracy"][epoch - 1] + 0.1  # it recovers
    # without batch norm the two modes are one
    np.testing.assert_array_equal(runs[16, 0.3, False]["accuracy"], runs[16, 0.3, False]["accuracy_train_mode"])


def test_parameter_counts_quoted_in_the_chapter(torch):
    from nnref.batchnorm import _init_mlp

    sizes = [2, 16, 16, 1]
    plain, normed = (_init_mlp(sizes, np.random.default_rng(0), bn) for bn in (False, True))
    assert sum(v.size for v in plain.values()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert sum(v.size for v in normed.values()) == 32 + 2 * 16 + 256 + 2 * 16 + 17 == 369
    # PyTorch agrees: a BatchNorm1d of 16 units has 32 parameters, and its running statistics are buffers
    bn = torch.nn.BatchNorm1d(16)
    assert sum(p.numel() for p in bn.parameters()) == 32
    buffers = dict(bn.named_buffers())
    assert buffers["running_mean"].numel() == buffers["running_var"].numel() == 16
    assert 2 * 2 * 16 == 64


def test_numbers_of_the_scaling_sections(cars):
    X, _ = cars
    # the cars: second moments 9.5 and 250; min-max means 0.38 and 0.45
    assert round(np.mean(X[:, 0] ** 2), 1) == 9.5 and abs(np.mean(X[:, 1] ** 2) - 250) < 5
    assert [round(v, 2) for v in min_max_scale(X)[0].mean(axis=0)] == [0.38, 0.45]
    # 0.01 % per step in the flattest direction at the largest stable rate 2 / 259
    assert round(2 / 259.17 * 0.0132 * 100, 2) == 0.01
    # by hand: x = (2, 3, 3, 4) and a new 5
    assert standardize(np.array([[2.0], [3.0], [3.0], [4.0]]))[1][1][0] == pytest.approx(np.sqrt(0.5))
    assert round(2 / np.sqrt(0.5), 2) == 2.83
    # the outliers: (1, 2, 3, 4, 5, 100)
    x = np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [100.0]])
    scaled = min_max_scale(x)[0][:5, 0]
    assert scaled.min() == 0.0 and round(scaled.max(), 2) == 0.04
    z, (mean, std) = standardize(x)
    assert (round(mean[0], 1), round(std[0], 1)) == (19.2, 36.2) and round(z[4, 0] - z[0, 0], 2) == 0.11
    # exercise 1
    column = np.array([[10.0], [20.0], [30.0], [40.0], [50.0]])
    _, mm = min_max_scale(column)
    np.testing.assert_allclose(min_max_scale(np.array([[0.0], [35.0]]), mm)[0][:, 0], [-0.25, 0.625])
    _, zs = standardize(column)
    np.testing.assert_allclose(standardize(np.array([[0.0], [35.0]]), zs)[0][:, 0], [-2.1213, 0.3536], atol=1e-4)


def test_numbers_of_the_batch_norm_sections():
    # by hand: (2, 4, 6, 8) with gamma 2 and beta 0.5, and the running statistics after that one batch
    bn_param = {"mode": "train"}
    out, _ = batchnorm_forward(np.array([[2.0], [4.0], [6.0], [8.0]]), np.array([2.0]), np.array([0.5]), bn_param)
    np.testing.assert_allclose(out[:, 0], [-2.183, -0.394, 1.394, 3.183], atol=5e-4)
    assert bn_param["running_mean"][0] == pytest.approx(0.5)
    assert round(bn_param["running_var"][0], 3) == 1.567
    # the starting values fade like 0.9^k: 1 % after 44 batches (exercise 3: k >= 43.7)
    assert 0.9 ** 43 > 0.01 > 0.9 ** 44 and round(np.log(0.01) / np.log(0.9), 1) == 43.7


def test_numbers_of_the_training_figure(runs):
    plain, normed = runs[16, 3.0, False], runs[16, 3.0, True]
    assert (round(plain["loss"].min(), 2), round(plain["loss"].max(), 2)) == (0.24, 0.73)
    assert int(np.sum(plain["accuracy"] < 0.8)) == 9 and plain["accuracy"][-1] == 0.5
    assert (round(normed["loss"].min(), 2), round(normed["loss"].max(), 2)) == (0.29, 0.46)
    assert (round(normed["accuracy"].min(), 2), round(normed["accuracy"].max(), 2)) == (0.84, 0.93)
