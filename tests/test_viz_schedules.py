"""The learning-rate decay chapter's pictures: the runs they show are right, and every frame draws."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
from nnref.minibatch import make_minibatches
from nnref.perceptron import cost_gradients, gradient_descent
from nnref.schedules import (SCHEDULES, cosine_decay, exponential_decay, inverse_sqrt_decay, sgd_runs, staircase_decay,
                             step_decay, time_based_decay, warmup_cosine)
from nnopt.viz import schedules as viz


@pytest.fixture(scope="module")
def cars():
    return viz.cars_standardized()


@pytest.fixture(scope="module")
def explorers():
    return dict(viz.explorers(nnref))


def test_family_pairs_each_step_schedule_with_the_smooth_one_it_samples():
    d, interval = 0.3, 4
    p = viz.family(d, interval)
    for epoch in range(0, 41, interval):
        assert step_decay(0.2, epoch=epoch, **p["step"]) == pytest.approx(exponential_decay(0.2, epoch=epoch, **p["exponential"]))
        assert staircase_decay(0.2, epoch=epoch, **p["staircase"]) == pytest.approx(time_based_decay(0.2, epoch=epoch, **p["time_based"]))
    assert p["exponential"]["gamma"] == pytest.approx(math.exp(-d)) and p["time_based"]["decay_rate"] == d
    # between the ticks the step schedules stay at the last sampled value (above the smooth curves)
    assert step_decay(0.2, epoch=interval + 1, **p["step"]) > exponential_decay(0.2, epoch=interval + 1, **p["exponential"])


def test_family_cosine_reaches_zero_at_the_last_epoch_drawn():
    p = viz.family(0.1, 10, warmup=5, num_epochs=51)
    assert cosine_decay(0.2, epoch=50, **p["cosine"]) == 0.0
    assert warmup_cosine(0.2, epoch=5, **p["warmup_cosine"]) == 0.2
    assert warmup_cosine(0.2, epoch=0, **p["warmup_cosine"]) == pytest.approx(0.2 / 6)


def test_learning_rates_count_epochs_from_zero():
    lrs = viz.learning_rates(SCHEDULES, "time_based", 0.2, 4, decay_rate=1.0)
    np.testing.assert_allclose(lrs, [0.2, 0.1, 0.2 / 3, 0.05])
    np.testing.assert_array_equal(viz.learning_rates(SCHEDULES, None, 0.3, 3), [0.3, 0.3, 0.3])
    # the inverse square root is undefined at 0: the first two passes both use epoch 1
    lrs = viz.learning_rates(SCHEDULES, "inverse_sqrt", 0.2, 4, k=0.5)
    np.testing.assert_allclose(lrs, [inverse_sqrt_decay(0.2, 0.5, e) for e in (1, 1, 2, 3)])
    # cosine over the 30 epochs of a run: the last pass (epoch 29) is just above lr_min
    lrs = viz.learning_rates(SCHEDULES, "cosine", 0.1, 30, lr_min=0.0, total_epochs=30)
    assert lrs[0] == 0.1 and 0 < lrs[-1] < 0.001


def test_least_squares_is_the_minimum(cars):
    x, y = cars
    np.testing.assert_allclose(viz.least_squares(x, y), np.polyfit(x, y, 1), rtol=1e-10)


def test_full_batch_runs_are_batch_gradient_descent(cars):
    x, y = cars
    lrs = np.array([[0.5] * 6, [0.1] * 6])
    run = sgd_runs(x, y, lrs, batch_size=len(x), rng=np.random.default_rng(3))
    for k, lr in enumerate([0.5, 0.1]):
        w, b, _ = gradient_descent(x[:, None], y, np.zeros(1), 0.0, lr, 6)
        np.testing.assert_allclose(run["ends"][k, -1], [w[0], b], rtol=1e-12)
    assert run["ends"].shape == (2, 7, 2) and run["rms"].shape == (2, 6)


def test_minibatch_runs_match_a_plain_loop_with_the_course_functions(cars):
    x, y = cars[0][:50], cars[1][:50]
    lrs = np.array([viz.learning_rates(SCHEDULES, "exponential", 0.2, 3, gamma=0.5),
                    viz.learning_rates(SCHEDULES, None, 0.05, 3)])
    run = sgd_runs(x, y, lrs, batch_size=8, rng=np.random.default_rng(7), keep_last=1)
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
    run = sgd_runs(x, y, lrs, batch_size=1, rng=np.random.default_rng(0), keep_last=0)
    settled = np.sqrt(np.mean(run["rms"][:, 10:] ** 2, axis=1))
    floors = np.array([viz.noise_floor(x, y, lr, 1) for lr in (0.03, 0.1, 0.3)])
    # the model is rough (it ignores reshuffling and the noise of the curvature), but right within 1.5x
    assert np.all(settled / floors > 1 / 1.5) and np.all(settled / floors < 1.5)
    assert settled[0] < settled[1] < settled[2]
    assert floors[1] / floors[0] == pytest.approx(math.sqrt(0.1 / 0.03 * (2 - 0.03) / (2 - 0.1)))


def test_every_decay_ends_closer_than_the_constant_rate(cars):
    x, y = cars
    runs = viz.decay_runs(x, y, [0.1], [1], SCHEDULES, sgd_runs, num_epochs=30)
    final = runs[1]["rms"][:, -1]
    assert final.shape == (1 + len(viz.sgd_schedules()),)
    assert np.all(final[1:] < final[0] / 1.5)


def test_a_decay_that_is_too_fast_stalls_where_the_step_budget_says(cars):
    # small lr0 and large batches: the noise is negligible and the distance shrinks by prod(1 - lr)
    x, y = cars
    runs = viz.decay_runs(x, y, [0.01], [32], SCHEDULES, sgd_runs, num_epochs=30)
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
    params = viz.family(0.1, 5, num_epochs=11)
    viz.draw_schedules(ax, SCHEDULES, 0.2, 11, params, log=True)
    lines = {line.get_label().split(",")[0].split(" ")[0]: line for line in ax.get_lines()}
    assert set(lines) == {"time-based", "exponential", "step", "k/√epoch", "staircase", "cosine", "5"}
    np.testing.assert_array_equal(lines["k/√epoch"].get_xdata(), np.arange(1, 11))
    np.testing.assert_allclose(lines["time-based"].get_ydata(), 0.2 / (1 + 0.1 * np.arange(11)))
    assert lines["step"].get_drawstyle() == "steps-post"
    assert ax.get_yscale() == "log"


def test_comparison_titles_report_the_last_epoch(cars):
    x, y = cars
    fig = Figure()
    runs = viz.decay_runs(x, y, [0.1], [8], SCHEDULES, sgd_runs, num_epochs=6)[8]
    two = {key: runs[key][[0, 2]] for key in ("ends", "rms", "cloud")}
    viz.draw_decay_comparison(fig, runs["lrs"][[0, 2]], two, viz.least_squares(x, y), "exponential", 8,
                              viz.STYLES["exponential"], floor=0.3)
    title = fig.axes[2].get_title()
    assert f"{two['rms'][0, -1]:.2g} (constant)" in title and f"{two['rms'][1, -1]:.2g}" in title
    assert "batch size 8" in fig.axes[0].get_title()


def test_the_schedules_come_from_the_caller():
    # a picture draws whatever schedule it is given: here one that is always 0.05
    flat = {name: (lambda lr0, epoch, **params: 0.05) for name in viz.NAMES}
    ax = Figure().subplots()
    viz.draw_schedules(ax, flat, 0.2, 6, viz.family(0.1, 5, num_epochs=6))
    assert all(np.all(line.get_ydata() == 0.05) for line in ax.get_lines())
    with pytest.raises(ValueError, match="missing"):
        viz.schedules_explorer({"time_based": time_based_decay})


def test_the_student_package_holds_no_algorithm():
    tree = ast.parse(Path(viz.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not any(name and name.split(".")[0] == "nnref" for name in imported)
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    defined |= {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert not defined & {f.__name__ for f in SCHEDULES.values()}


def test_alt_text_says_what_the_frame_shows(explorers):
    explorer = explorers["schedules"]
    text = explorer.alt_text(d=0.1, interval=10, warmup=5, scale="log")
    assert "logarithmic" in text and "time-based, d = 0.1 ends at 0.033" in text
    assert "from 0.033 to 0.2" in text  # 5 warm-up epochs start at lr0 / 6
    decay = explorers["decay"]
    assert "constant rate is 1.3 from the minimum" in decay.alt_text()


@pytest.mark.parametrize("name", ["schedules", "decay"])
def test_every_frame_renders(explorers, name):
    explorer = explorers[name]
    combinations = list(explorer.combinations())
    assert len(combinations) <= 84
    frames = [explorer.render(**params) for params in combinations]
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == len(frames)  # every control position draws something different
    # the narrow (phone) layout stacks the three panels
    fig = explorer.figure("narrow")
    assert len(fig.axes) == 3 and fig.axes[0].get_position().y0 > fig.axes[1].get_position().y0


# ----------------------------------------------------------------------------- the chapter's numbers


def test_numbers_of_the_noise_floor_section(cars):
    x, y = cars
    w_star, b_star = viz.least_squares(x, y)
    assert (round(w_star, 2), round(b_star, 2), round(math.hypot(w_star, b_star), 1)) == (-6.49, 23.51, 24.4)
    residual = w_star * x + b_star - y
    sigma2 = np.var(residual * x) + np.var(residual)
    assert round(sigma2, 2) == 34.35
    assert round(0.1 * sigma2 / 1.9, 2) == 1.81 and round(viz.noise_floor(x, y, 0.1, 1), 2) == 1.34
    lrs = [0.01, 0.03, 0.1, 0.3]
    run = sgd_runs(x, y, np.repeat(np.array(lrs)[:, None], 30, axis=1), 1, np.random.default_rng(0), keep_last=0)
    settled = np.sqrt(np.mean(run["rms"][:, 10:] ** 2, axis=1))
    assert round(settled[2], 2) == 1.36
    # "right to within about 20 %" on the whole figure
    ratios = settled / [viz.noise_floor(x, y, lr, 1) for lr in lrs]
    assert np.all(np.abs(ratios - 1) < 0.2)


def test_numbers_of_the_schedules_section():
    # the corrected table, and the hyperbola's slow tail: from epoch 10 to 11 it falls by d / (1 + 11 d)
    assert [round(time_based_decay(0.2, 1.0, e), 4) for e in range(1, 5)] == [0.1, 0.0667, 0.05, 0.04]
    assert 1 - time_based_decay(0.2, 1.0, 11) / time_based_decay(0.2, 1.0, 10) == pytest.approx(1 / 12)
    assert 1 / 12 < 0.09
    # 0.95 per epoch is d = 0.0513, a half-life of 13.5 epochs; 0.1027 at epoch 13, 0.0975 at 14
    assert round(-math.log(0.95), 4) == 0.0513 and round(math.log(2) / -math.log(0.95), 1) == 13.5
    assert round(exponential_decay(0.2, 0.95, 13), 4) == 0.1027 and round(exponential_decay(0.2, 0.95, 14), 4) == 0.0975
    assert round(exponential_decay(0.2, 0.95, 10), 4) == 0.1197 and round(0.95 ** 10, 3) == 0.599
    # after 50 epochs with d = 0.1: time-based divides by 6, exponential by e^5 = 148
    assert 0.2 / time_based_decay(0.2, 0.1, 50) == pytest.approx(6)
    assert round(0.2 / exponential_decay(0.2, math.exp(-0.1), 50)) == 148
    # epoch 1 to 100: the inverse square root divides by 10, time-based decay with d = 1 by about 50
    assert inverse_sqrt_decay(0.2, 1.0, 1) / inverse_sqrt_decay(0.2, 1.0, 100) == pytest.approx(10)
    assert round(time_based_decay(0.2, 1.0, 1) / time_based_decay(0.2, 1.0, 100)) == 50
    # the family of the figure: gamma = e^-0.1 = 0.905; the values at epoch 50 in its alt text
    p = viz.family(0.1, 10)
    assert round(p["exponential"]["gamma"], 3) == 0.905
    at_50 = {name: SCHEDULES[name](lr0=0.2, epoch=50, **p[name]) for name in viz.NAMES}
    assert round(at_50["time_based"], 3) == 0.033 and round(at_50["exponential"], 3) == 0.001
    assert round(at_50["inverse_sqrt"], 3) == 0.028 and at_50["cosine"] == 0.0
    assert round(warmup_cosine(0.2, epoch=0, **p["warmup_cosine"]), 3) == 0.033
    # gamma = 0.9: the whole future budget is ten times the first epoch's
    assert sum(exponential_decay(1.0, 0.9, e) for e in range(2000)) == pytest.approx(10)


def test_numbers_of_the_cosine_and_warm_up_section():
    # a fifth of the way: still 90 % of the way from lr_min to lr0; the midpoint exactly halfway
    assert (1 + math.cos(math.pi / 5)) / 2 == pytest.approx(0.9045, abs=1e-4)
    assert cosine_decay(0.2, 0.02, 40, 20) == pytest.approx(0.11)
    # the budget of a cosine over epochs 0..E is (E + 1)(lr0 + lr_min) / 2; of a warm-up Ew lr0 / 2
    assert sum(cosine_decay(0.2, 0.0, 50, e) for e in range(51)) == pytest.approx(51 * 0.1)
    for warmup in (5, 10):
        assert sum(warmup_cosine(0.2, 0.0, warmup, 50, e) for e in range(warmup)) == pytest.approx(warmup * 0.2 / 2)
    assert round(0.2 / 11, 3) == 0.018


def test_numbers_of_adams_first_steps():
    from nnref.optim import adam

    plain, warm = viz.adam_step_sizes(adam, 1e-3, 0), viz.adam_step_sizes(adam, 1e-3, 10)
    assert round(plain[0], 2) == 1.0 and round(plain[2], 2) == 0.58
    # the steady step on pure noise: sqrt((1 - beta1) / (1 + beta1)) = 0.229 of the rate
    assert round(math.sqrt(0.1 / 1.9), 2) == 0.23
    assert np.all(np.abs(plain[-30:] - 0.23) < 0.02) and np.all(np.abs(warm[-30:] - 0.23) < 0.02)
    assert round(warm[0], 2) == 0.09 and round(warm.max(), 2) == 0.32 and np.argmax(warm) + 1 == 11
    # exercise 10: a gradient of 1e-6 with epsilon 1e-8 moves 0.99 of the rate at the first step
    w, _ = adam(np.zeros(1), np.array([1e-6]), {"learning_rate": 1.0})
    assert round(-w[0], 2) == 0.99


def test_numbers_of_the_per_update_section():
    # gamma = 0.9 divided by 13 updates: after one epoch 8e-16 of lr0; the N-th roots for 13 and 398
    assert f"{(0.9 / 13) ** 13:.0e}" == "8e-16"
    assert round(0.9 ** (1 / 13), 5) == 0.99193 and round(0.9 ** (1 / 398), 6) == 0.999735
    # exercise 7
    assert round(1 / 13, 4) == 0.0769 and round(0.99193 ** 13, 3) == 0.9 and round(0.9 / 13, 4) == 0.0692


def test_numbers_of_the_exercises():
    assert [round(time_based_decay(0.2, 1.0, e), 4) for e in range(5, 9)] == [0.0333, 0.0286, 0.025, 0.0222]
    # exercise 8: cosine from 0.1 to 0.001 over 10 epochs; PyTorch would return at epoch 11 to epoch 9's value
    assert cosine_decay(0.1, 0.001, 10, 5) == pytest.approx(0.0505)
    assert round(cosine_decay(0.1, 0.001, 10, 9), 4) == 0.0034 and round(cosine_decay(0.1, 0.001, 10, 8), 4) == 0.0105
    assert round(0.009 / 0.099, 4) == 0.0909 and round(10 * math.acos(2 * 0.0909 - 1) / math.pi, 2) == 8.05
    # exercise 9
    assert [warmup_cosine(0.1, 0.0, 4, 20, e) for e in range(5)] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1])
    assert warmup_cosine(0.1, 0.0, 4, 20, 12) == pytest.approx(0.05)
    # exercise 5: the constant rate with an RMS distance of 0.1, and the updates it needs
    lr = 0.02 / 34.36
    assert round(lr, 5) == 0.00058 and 9000 < math.log(244) / lr < 10000


def test_numbers_of_decay_at_work_and_the_budget(cars):
    x, y = cars
    runs = viz.decay_runs(x, y, [0.1], [1], SCHEDULES, sgd_runs, schedules={"exponential": ("exponential",
                                                                                              dict(gamma=0.9))})[1]
    final = runs["rms"][:, -1]
    assert final[0] / final[1] > 6
    # alpha0 = 0.01, batches of 32 (13 updates per epoch)
    assert math.ceil(398 / 32) == 13
    assert round(13 * 0.01 / (1 - 0.9), 2) == 1.3 and round(math.exp(-1.3), 2) == 0.27
    assert round(24.4 * math.exp(-1.3), 1) == 6.6
    spent = 13 * sum(exponential_decay(0.01, 0.9, e) for e in range(30))
    assert round(spent, 2) == 1.24 and round(24.4 * math.exp(-spent), 1) == 7.0
    assert round(13 * 0.01 * 30, 2) == 3.9
    # the explorer's answer 3: step budget 3.16 against 2.10
    assert round(0.2 * 10 / (1 - math.exp(-1)), 2) == 3.16 and round(0.2 / (1 - math.exp(-0.1)), 2) == 2.10
    assert round(0.2 * (1 - math.exp(-5.1)) / (1 - math.exp(-0.1)), 1) == 2.1


def test_numbers_of_the_decay_explorer(cars):
    x, y = cars
    schedules = viz.sgd_schedules(30)
    labels = list(schedules)
    lr0s = [0.01, 0.03, 0.1, 0.3]
    runs = viz.decay_runs(x, y, lr0s, [1, 8, 32], SCHEDULES, sgd_runs, schedules=schedules)

    def final(batch_size, lr0):
        i = lr0s.index(lr0) * (1 + len(labels))
        row = runs[batch_size]["rms"][i:i + 1 + len(labels), -1]
        return dict(zip(["constant"] + labels, row))

    # answer 1: the constant floor at batch size 1, and at batch size 8
    assert [round(final(1, lr0)["constant"], 2) for lr0 in (0.03, 0.1)] == [0.67, 1.33]
    assert round(final(1, 0.3)["constant"], 1) == 3.0
    assert round(final(8, 0.1)["constant"], 2) == 0.41
    # answer 2: the ranking at lr0 = 0.1, batch size 1, and the last rates
    f = final(1, 0.1)
    assert (round(f["cosine"], 3), round(f["warm-up + cosine"], 3), round(f["exponential"], 2)) == (0.031, 0.033, 0.2)
    assert (round(f["step"], 2), round(f["time-based"], 2)) == (0.14, 0.15)
    assert min(f, key=f.get) == "cosine" and max(f, key=f.get) == "constant"
    last = {label: viz.learning_rates(SCHEDULES, name, 0.1, 30, **params)[-1]
            for label, (name, params) in schedules.items()}
    assert round(last["cosine"], 4) == 0.0003 and round(last["exponential"], 4) == 0.0047
    assert 0.003 <= last["step"] < last["time-based"] < 0.0035
    # answer 3: at lr0 = 0.01, batch size 32, every decay ends further than the constant rate
    f = final(32, 0.01)
    assert (round(f["constant"], 1), round(f["exponential"], 1), round(f["time-based"], 1), round(f["cosine"], 1)) \
        == (0.5, 7.0, 14.5, 3.2)
    # answer 4: with or without warm-up, the cosine ends within a few hundredths everywhere
    for bs in (1, 8, 32):
        for lr0 in lr0s:
            f = final(bs, lr0)
            assert abs(f["cosine"] - f["warm-up + cosine"]) < 0.04


def test_what_ps07s_training_part_promises():
    # ps07 part 8: SGD with batches of 8 for 30 epochs from lr 0.1 on the cars, with make_minibatches and
    # cost_gradients, passing the number of completed epochs to the schedule
    weight, mpg = viz.cars()
    z = (weight - weight.mean()) / weight.std()
    X = z[:, None]
    w_best, b_best = np.polyfit(z, mpg, 1)

    def train(schedule):
        rng = np.random.default_rng(0)
        w, b = np.zeros(1), 0.0
        for epoch in range(30):
            lr = schedule(epoch)
            for X_batch, y_batch in make_minibatches(X, mpg, 8, rng):
                dw, db = cost_gradients(X_batch, y_batch, w, b)
                w, b = w - lr * dw, b - lr * db
        return np.hypot(w[0] - w_best, b - b_best)

    assert round(train(lambda e: 0.1), 3) == 0.722
    assert round(train(lambda e: exponential_decay(0.1, 0.9, e)), 3) == 0.015
    assert round(train(lambda e: cosine_decay(0.1, 0.0, 30, e)), 3) == 0.023
    assert round(train(lambda e: exponential_decay(0.1, 0.5, e)), 3) == 0.025
