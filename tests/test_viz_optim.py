"""The optimizers chapter's pictures: the race's set-up, the behaviours and numbers the page states,
the explorer, and the pictures drawing whatever rules they are given."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
import nnref.optim
from nnopt.explorer import Kind, Layout
from nnopt.landscapes import LANDSCAPES
from nnopt.viz.optim import (
    BETAS,
    RACE,
    RULE_STYLES,
    SCALES,
    adam_step_for_tiny_gradients,
    contour_grid,
    draw_adaptive_rates,
    draw_epsilon_placement,
    draw_landscapes,
    draw_momentum_averaging,
    draw_momentum_rates,
    draw_momentum_ravine,
    draw_momentum_schedule,
    draw_nesterov_ravine,
    draw_race,
    draw_race_overview,
    draw_rmsprop_steps,
    draw_weight_decay,
    explorers,
    loss_gap,
    momentum_rates,
    race_configs,
    race_explorer,
    race_paths,
    rule_label,
    run,
    step_sizes,
    weight_decay_runs,
)
from nnref.optim import (RULES, adadelta, adagrad, adam, adamw, momentum_forms, nesterov_momentum, rmsprop, sgd,
                         sgd_momentum)

CLASSIC = {name: RULES[name] for name in ("SGD", "Momentum", "RMSprop", "Adam")}


def race(landscape, scale=1.0, beta=0.9, rules=RULES):
    """{rule: loss gap after each step} of the race, and {rule: diverged}."""
    paths = race_paths(landscape, race_configs(landscape, scale, beta, names=rules), rules)
    return {name: loss_gap(landscape, p) for name, (p, _) in paths.items()}, {n: d for n, (_, d) in paths.items()}


# -- run: iterating a rule ------------------------------------------------------------------------


def test_run_path_shape_and_inputs():
    w0 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    config = {"learning_rate": 0.1}
    path = run(adam, lambda w: 2 * w, w0, 7, config)
    assert path.shape == (8, 2, 3)
    np.testing.assert_array_equal(path[0], w0)
    assert config == {"learning_rate": 0.1}  # the caller's config is not filled nor given state
    np.testing.assert_array_equal(w0, [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    assert run(sgd, lambda w: w, w0, 0).shape == (1, 2, 3)
    with pytest.raises(ValueError, match="num_steps"):
        run(sgd, lambda w: w, np.ones(2), -1)


def test_run_sgd_on_a_parabola_by_hand():
    # f = 1.5 w**2, dw = 3 w: each step multiplies w by 1 - 0.1 * 3
    path = run(sgd, lambda w: 3 * w, np.array([2.0]), 5, {"learning_rate": 0.1})
    np.testing.assert_allclose(path[:, 0], 2.0 * 0.7 ** np.arange(6))


def test_run_carries_the_state_between_steps():
    # momentum's velocity must survive from one step to the next: with a constant gradient 1 it is 1 - 0.9**t
    path = run(sgd_momentum, lambda w: np.ones(1), np.zeros(1), 3, {"learning_rate": 1.0})
    np.testing.assert_allclose(-np.diff(path[:, 0]), 1 - 0.9 ** np.arange(1, 4))


# -- the race ---------------------------------------------------------------------------------------


def test_race_configs_tie_the_rates_as_documented():
    lr_gd, lr_adaptive, _ = RACE["ravine"]
    configs = race_configs("ravine", scale=2.0, beta=0.5)
    assert list(configs) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"] == list(RULE_STYLES)
    assert configs["SGD"] == {"learning_rate": 2 * lr_gd}
    assert configs["Momentum"] == {"learning_rate": pytest.approx(2 * lr_gd / 0.5), "momentum": 0.5}
    assert configs["Nesterov"] == configs["Momentum"]
    assert configs["AdaGrad"] == {"learning_rate": pytest.approx(10 * 2 * lr_adaptive)}
    assert configs["RMSprop"] == {"learning_rate": 2 * lr_adaptive}
    assert configs["Adam"] == {"learning_rate": 2 * lr_adaptive, "beta1": 0.5}
    assert rule_label("Momentum", configs["Momentum"]) == "Momentum: lr = 0.28, β = 0.5"
    assert rule_label("Adam", configs["Adam"]) == "Adam: lr = 0.2, β1 = 0.5"
    assert list(race_configs("ravine", names=CLASSIC)) == list(CLASSIC)


def test_racers_differ_in_colour_line_and_marker():
    # under red-green colour blindness the line style and the marker still tell the racers apart
    for key in ("color", "linestyle", "marker"):
        values = [str(style[key]) for style in RULE_STYLES.values()]
        assert len(set(values)) == len(values), key


def test_beta_zero_makes_momentum_and_nesterov_plain_sgd():
    paths = race_paths("ravine", race_configs("ravine", 1.0, 0.0), RULES)
    np.testing.assert_array_equal(paths["Momentum"][0], paths["SGD"][0])
    np.testing.assert_allclose(paths["Nesterov"][0], paths["SGD"][0], atol=1e-12)


def test_paths_start_at_the_start_and_have_one_point_per_step():
    for name, (_, _, num_steps) in RACE.items():
        paths = race_paths(name, race_configs(name, names=CLASSIC), CLASSIC)
        for rule, (path, diverged) in paths.items():
            assert not diverged, (name, rule)
            assert path.shape == (num_steps + 1, 2)
            np.testing.assert_array_equal(path[0], LANDSCAPES[name].start)


def test_a_diverging_run_is_cut_before_it_overflows():
    # ravine at x2: SGD's lr = 0.14 > 2/25 diverges; momentum survives at beta = 0.9, not at 0.5
    # (an Explore question: alpha (1 - beta) h < 2 (1 + beta))
    for beta, momentum_diverges in ((0.9, False), (0.5, True)):
        paths = race_paths("ravine", race_configs("ravine", 2.0, beta), RULES)
        assert paths["SGD"][1] and paths["Momentum"][1] == momentum_diverges
        assert not paths["RMSprop"][1] and not paths["Adam"][1]
        sgd_path = paths["SGD"][0]
        assert 1 < len(sgd_path) < RACE["ravine"][2] + 1
        assert np.all(np.isfinite(sgd_path)) and np.abs(sgd_path).max() < 1e6


def test_the_behaviours_the_page_describes():
    # saddle: SGD waits near the saddle (1 above the minimum) for most of the race; RMSprop and Adam leave at once
    gaps, _ = race("saddle")
    assert gaps["SGD"][60] > 0.9
    assert gaps["RMSprop"][20] < 0.1 and gaps["Adam"][50] < 0.1
    paths = race_paths("saddle", race_configs("saddle"), RULES)
    y_after_10 = {name: path[10, 1] for name, (path, _) in paths.items()}
    assert y_after_10["SGD"] < 0.01 and y_after_10["Adam"] > 0.4 and y_after_10["RMSprop"] > 1
    # momentum grows the escape direction faster than SGD, Nesterov faster still
    assert gaps["Momentum"][50] < 0.1 and gaps["Nesterov"][40] < gaps["Momentum"][40]
    # plateau: SGD is stuck on the plain, RMSprop, Adam and AdaGrad reach the well
    paths = race_paths("plateau", race_configs("plateau"), RULES)
    assert np.linalg.norm(paths["SGD"][0][-1] - LANDSCAPES["plateau"].start) < 0.2
    gaps, _ = race("plateau")
    assert gaps["SGD"][-1] > 0.99 and gaps["Adam"][-1] < 1e-2 and gaps["RMSprop"][-1] < 1e-2
    assert gaps["AdaGrad"][-1] < 1e-6
    # ravine: RMSprop's per-coordinate rates beat SGD by far; momentum with beta = 0.5 beats SGD by a
    # factor of about a million after 60 steps, with beta = 0.9 it overshoots and is worse; Nesterov
    # at momentum's rate diverges (its limit is lower)
    gaps, diverged = race("ravine")
    assert gaps["RMSprop"][-1] < 1e-6 * gaps["SGD"][-1]
    assert gaps["Momentum"][60] > gaps["SGD"][60]
    assert diverged["Nesterov"] and not diverged["AdaGrad"] and gaps["AdaGrad"][-1] < 1e-6
    gaps, _ = race("ravine", beta=0.5)
    assert gaps["Momentum"][60] < 1e-5 * gaps["SGD"][60]
    # Rosenbrock: momentum gets closest of the classic four at the default settings, SGD is slowest
    gaps, _ = race("rosenbrock", rules=CLASSIC)
    assert min(gaps, key=lambda r: gaps[r][-1]) == "Momentum"
    assert max(gaps, key=lambda r: gaps[r][-1]) == "SGD"


def test_nesterov_stays_stable_only_below_its_own_limit():
    # on a curvature h, with c = lr (1 - beta) h: momentum needs c < 2 (1 + beta), Nesterov c < 2 (1 + beta) / (1 + 2 beta)
    beta, h = 0.5, 25.0
    for rule, limit in ((sgd_momentum, 2 * (1 + beta)), (nesterov_momentum, 2 * (1 + beta) / (1 + 2 * beta))):
        for c, stable in ((0.97 * limit, True), (1.03 * limit, False)):
            lr = c / ((1 - beta) * h)
            path = run(rule, lambda w: h * w, np.ones(1), 400, {"learning_rate": lr, "momentum": beta})
            assert (abs(path[-1, 0]) < 1) == stable, (rule.__name__, c)


def test_nesterov_figure_numbers():
    # the page: at lr = 0.4, beta = 0.9 Nesterov ends about 40 times closer than momentum after 60 steps
    fig = Figure()
    _, ax_loss = draw_nesterov_ravine(fig, sgd_momentum, nesterov_momentum)
    momentum, nesterov = (line.get_ydata()[-1] for line in ax_loss.get_lines())
    assert 0.01 < momentum < 0.03 and 3e-4 < nesterov < 8e-4 and momentum / nesterov > 30


def test_loss_gap_is_positive_and_zero_only_up_to_the_floor():
    for name, land in LANDSCAPES.items():
        gaps = loss_gap(name, np.array([land.minimum, land.start]))
        assert gaps[0] == pytest.approx(1e-16, abs=1e-14) and gaps[1] > 0.9


def test_contour_grid_shape_and_values():
    xs, ys, G = contour_grid("ravine", n=51)
    assert xs.shape == (51,) and ys.shape == (51,) and G.shape == (51, 51)
    # log10 of f - f_min + 1e-3: -3 at the minimum (0, 0), the centre of this grid; rows are y, columns x
    assert G[25, 25] == pytest.approx(-3) and G.min() == G[25, 25]
    assert G[25, 30] < G[30, 25]  # 0.5 to the right is lower than 0.3 up: the ravine is steep in y


def test_draw_race_draws_every_path_and_labels_the_rates():
    fig = Figure()
    configs = race_configs("saddle", names=CLASSIC)
    labels = {k: rule_label(k, c) for k, c in configs.items()}
    ax_map, ax_loss = draw_race(fig, "saddle", race_paths("saddle", configs, CLASSIC), labels)
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend == list(labels.values())
    assert "Momentum: lr = 0.5, β = 0.9" in legend
    assert len(ax_loss.get_lines()) == 4
    # each path is one line (81 points), plus the markers of start, minimum, saddle and ends
    long_lines = [line for line in ax_map.get_lines() if len(line.get_xdata()) == RACE["saddle"][2] + 1]
    assert len(long_lines) == 4
    assert [line.get_linestyle() for line in long_lines] == [RULE_STYLES[n]["linestyle"] for n in CLASSIC]
    assert ax_map.get_title() == "Saddle: 80 steps from ■ towards ★"


def test_a_diverged_run_says_so_in_the_legend():
    fig = Figure()
    configs = race_configs("ravine", 2.0, 0.9, names=CLASSIC)
    _, ax_loss = draw_race(fig, "ravine", race_paths("ravine", configs, CLASSIC))
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend[0] == "SGD  (diverged)" and legend[2] == "RMSprop"


def test_the_race_draws_the_rules_it_is_given():
    # a student's rule drives the race: a "momentum" that never moves stays at the start
    frozen = lambda w, dw, config=None: (np.array(w, dtype=float), config or {})  # noqa: E731
    paths = race_paths("ravine", race_configs("ravine", names=["SGD", "Momentum"]), {"SGD": sgd, "Momentum": frozen})
    assert np.all(paths["Momentum"][0] == LANDSCAPES["ravine"].start)
    assert not np.all(paths["SGD"][0] == LANDSCAPES["ravine"].start)


def test_static_figures_draw():
    figures = [
        lambda fig: draw_landscapes(fig),
        lambda fig: draw_momentum_ravine(fig, sgd, sgd_momentum),
        lambda fig: draw_momentum_averaging(fig, sgd, sgd_momentum),
        lambda fig: draw_rmsprop_steps(fig, sgd, rmsprop),
        lambda fig: draw_nesterov_ravine(fig, sgd_momentum, nesterov_momentum),
        lambda fig: draw_weight_decay(fig, adam, adamw, num_steps=600),
        lambda fig: draw_race_overview(fig, CLASSIC)[0],
    ]
    for draw in figures:
        fig = Figure()
        axes = draw(fig)
        assert len(fig.axes) == len(axes) >= 2
    # the same figures stack their panels in a narrow figure
    fig = Figure(figsize=(4, 7))
    ax_map, ax_loss = draw_momentum_ravine(fig, sgd, sgd_momentum)
    assert ax_map.get_position().y0 > ax_loss.get_position().y1


def test_momentum_averaging_uses_the_rule_given():
    fig = Figure()
    axes = draw_momentum_averaging(fig, sgd, sgd_momentum, beta=0.9, num_steps=25)
    grads, velocity = (line.get_ydata() for line in axes[1].get_lines()[1:3])
    # the velocity is the EWA of the gradients: v_1 = 0.1 g_1, v_2 = 0.9 v_1 + 0.1 g_2
    assert velocity[0] == pytest.approx(0.1 * grads[0]) and velocity[1] == pytest.approx(0.09 * grads[0] + 0.1 * grads[1])
    # across the ravine the gradient flips sign at each step and the velocity stays far smaller
    assert np.all(np.sign(grads[1:]) != np.sign(grads[:-1])) and np.abs(velocity).max() < 0.3 * np.abs(grads).max()


def test_momentum_schedule_figure():
    fig = Figure()
    lrs = np.where(np.arange(80) < 40, 0.1, 0.01)
    ax = draw_momentum_schedule(fig.subplots(), momentum_forms(np.ones((80, 1)), lrs, beta=0.9))
    course, pytorch, inside = (line.get_ydata() for line in ax.get_lines()[:3])
    np.testing.assert_allclose(course, pytorch, atol=1e-15)
    # after the drop at step 40 the course's step is 0.01 * v at once; the lr-inside form still steps ~0.1
    assert course[40] < 0.011 and inside[40] > 0.08


def test_adaptive_rates_figure():
    # AdaGrad's rate is lr / sqrt(t) for gradients of size 1; RMSprop's first rate is lr / sqrt(1 - rho),
    # then it settles to lr; Adadelta's first is sqrt(eps) / sqrt((1 - rho) + eps)
    ax = Figure().subplots()
    rules = {"AdaGrad": adagrad, "RMSprop": rmsprop, "Adadelta": adadelta}
    configs = {"AdaGrad": {"learning_rate": 0.1, "epsilon": 0.0}, "RMSprop": {"learning_rate": 0.01}}
    draw_adaptive_rates(ax, rules, configs, num_steps=2000)
    adagrad_rate, rms_rate, adadelta_rate = (line.get_ydata() for line in ax.get_lines()[:3])
    np.testing.assert_allclose(adagrad_rate[:1000], 0.1 / np.sqrt(np.arange(1, 1001)), rtol=1e-12)
    assert rms_rate[0] == pytest.approx(0.1, rel=1e-6) and rms_rate[999] == pytest.approx(0.01, rel=1e-3)
    assert rms_rate[-1] == pytest.approx(0.001, rel=1e-3)  # gradients ten times larger: a tenth of the rate
    assert adadelta_rate[0] == pytest.approx(1e-3 / np.sqrt(0.1 + 1e-6))
    np.testing.assert_allclose(step_sizes(sgd, [2.0, -3.0], {"learning_rate": 0.1}), [0.2, 0.3])


def test_weight_decay_numbers():
    # the page: after 12 000 steps (lr = 1e-4, lambda = 2) AdamW has shrunk both weights like (1 - lr lambda)**t
    # = 0.09 (each within 15 %); Adam + L2 has shrunk the noisy one to only 0.79 and the quiet one to below 0.05
    n, lr, lam = 12000, 1e-4, 2.0
    pure = (1 - lr * lam) ** np.arange(n + 1)
    w_adamw = weight_decay_runs(adamw, {"learning_rate": lr, "weight_decay": lam}, num_steps=n)
    w_l2 = weight_decay_runs(adam, {"learning_rate": lr}, num_steps=n, l2=lam)
    assert pure[-1] == pytest.approx(0.0907, abs=1e-4)
    assert np.all(np.abs(np.abs(w_adamw[-1]) / pure[-1] - 1) < 0.15)
    assert 0.75 < abs(w_l2[-1, 0]) < 0.83 and abs(w_l2[-1, 1]) < 0.05
    # Adam + L2's noisy weight decays at about lr lambda / 10 per step: exp(-2e-5 t)
    assert abs(w_l2[-1, 0]) == pytest.approx(np.exp(-lr * lam / 10 * n), abs=0.03)


def test_epsilon_placement_numbers():
    # the page: with eps = 1e-8 inside the root the denominator is at least sqrt(1e-8) = 1e-4, so at a
    # gradient of 1e-6 Adam steps about 0.01 lr instead of 0.99 lr
    outside, inside = adam_step_for_tiny_gradients(np.array([1e-6]), epsilon=1e-8)
    assert outside[0] == pytest.approx(0.990, abs=5e-4) and inside[0] == pytest.approx(0.0100, abs=5e-5)
    # and the reference Adam does the same from its first step to its hundredth, for a constant gradient 1e-6
    w, config = np.zeros(1), {"learning_rate": 1e-3}
    for _ in range(100):
        new, config = adam(w, np.array([1e-6]), config)
        assert (w - new)[0] / 1e-3 == pytest.approx(1e-6 / (1e-6 + 1e-8), rel=1e-6)
        w = new
    ax = draw_epsilon_placement(Figure().subplots())
    assert len(ax.get_lines()) >= 2


def test_momentum_rates_and_critical_damping():
    # Polyak's pair for curvatures 1 and 25: beta = (4/6)**2 = 4/9 and PyTorch's rate 4 / (1 + 5)**2 = 1/9;
    # both curvatures are then critically damped (a double root) with rate (sqrt(25) - 1) / (sqrt(25) + 1) = 2/3
    beta, lr = 4 / 9, 1 / 9
    for h in (1.0, 25.0):
        assert momentum_rates(h, lr, [beta])[0] == pytest.approx(2 / 3, abs=1e-6)
        critical = (1 - np.sqrt(lr * h)) ** 2
        assert critical == pytest.approx(beta)
    # any other beta is slower on one of the two
    betas = np.linspace(0, 0.95, 96)
    worst = np.maximum(momentum_rates(1.0, lr, betas), momentum_rates(25.0, lr, betas))
    assert worst.min() >= 2 / 3 - 1e-3 and abs(betas[np.argmin(worst)] - beta) < 0.02
    # gradient descent's best rate is (kappa - 1) / (kappa + 1) = 12/13 at lr = 2 / 26
    assert momentum_rates(1.0, 2 / 26, [0.0])[0] == pytest.approx(12 / 13)
    # underdamped (complex roots): the rate is sqrt(beta)
    assert momentum_rates(1.0, 0.01, [0.9])[0] == pytest.approx(np.sqrt(0.9))
    ax = draw_momentum_rates(Figure().subplots())
    assert "best β ≈ 0.44" in [t.get_text() for t in ax.texts]


def test_polyak_pair_on_the_ravine():
    # the page: beta = 4/9 with the course's lr = (1/9) / (1 - 4/9) = 0.2 brings the ravine from 20.25 to 8e-17
    # in 60 steps; at the same rate, beta = 0.4 diverges (0.2 * 0.6 * 25 = 3 > 2 * 1.4)
    land = LANDSCAPES["ravine"]
    path = run(sgd_momentum, land.grad, np.array(land.start), 60, {"learning_rate": 0.2, "momentum": 4 / 9})
    assert land.f(path[0]) == pytest.approx(20.25)
    assert 7.5e-17 < land.f(path[-1]) < 8.5e-17
    path = run(sgd_momentum, land.grad, np.array(land.start), 60, {"learning_rate": 0.2, "momentum": 0.4})
    assert land.f(path[-1]) > 1e10
    # gradient descent at its best rate 2 / 26 is still at about 1e-3 (the rate 12/13 per step)
    path = run(sgd, land.grad, np.array(land.start), 60, {"learning_rate": 2 / 26})
    assert 5e-4 < land.f(path[-1]) < 5e-3


# -- the explorer ---------------------------------------------------------------------------------


def test_explorer_controls_and_frames():
    explorer = race_explorer(RULES)
    assert [(c.name, c.kind) for c in explorer.controls] == [
        ("landscape", Kind.CHOICE), ("scale", Kind.SLIDER), ("beta", Kind.SLIDER), ("extra", Kind.TOGGLE)]
    assert explorer.controls[0].values == list(RACE)
    assert explorer.controls[1].values == SCALES and explorer.controls[2].values == BETAS
    assert explorer.controls[3].label == "Nesterov and AdaGrad"
    assert explorer.defaults() == {"landscape": "saddle", "scale": 1.0, "beta": 0.9, "extra": "off"}
    combos = list(explorer.combinations())
    assert len(combos) == len(RACE) * len(SCALES) * len(BETAS) * 2 == 48 <= 60
    pictures = {explorer.render(**params) for params in combos}
    assert len(pictures) == 48  # every control position draws a different picture
    assert explorer.frame(Layout.NARROW, landscape="ravine")[:8] == b"\x89PNG\r\n\x1a\n"


def test_explorer_alt_text_says_what_the_frame_shows():
    explorer = race_explorer(RULES)
    alt = explorer.alt_text(landscape="ravine", scale=2.0, beta=0.5)
    assert alt.startswith("The optimizer race on the ravine at learning-rate scale 2 with beta 0.5")
    assert "SGD diverges" in alt and "Nesterov" not in alt
    assert "Nesterov" in explorer.alt_text(landscape="ravine", extra="on")


def test_explorer_with_a_students_rules():
    # a notebook passes the rules the student wrote: no Nesterov, so the toggle shows AdaGrad alone
    rules = {name: RULES[name] for name in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam")}
    explorer = race_explorer(rules)
    assert explorer.controls[-1].label == "AdaGrad"
    only_classic = race_explorer(CLASSIC)
    assert [c.name for c in only_classic.controls] == ["landscape", "scale", "beta"]
    with pytest.raises(ValueError, match="names the race does not know"):
        race_explorer({"Lion": sgd})


def test_explorers_yields_the_race():
    assert [name for name, _ in explorers(nnref)] == ["race"]


# -- the numbers the page states -------------------------------------------------------------------


def test_numbers_of_the_first_sections():
    # ravine: the factor across at lr = 0.07 is -0.75, along 0.93, and x needs 63 steps to shrink 100-fold
    assert 1 - 25 * 0.07 == pytest.approx(-0.75) and np.log(100) / np.log(1 / 0.93) == pytest.approx(63, abs=0.5)
    # saddle: 72 steps for y to grow from 1e-3 to 1 at lr = 0.05; at x2, 38
    assert np.log(1000) / np.log(1.1) == pytest.approx(72, abs=0.5)
    assert np.log(1000) / np.log(1.2) == pytest.approx(38, abs=0.5)
    gaps, _ = race("saddle")
    assert 58 <= np.argmax(gaps["SGD"] < 0.9) <= 62 and np.argmax(gaps["SGD"] < 0.5) == 72
    gaps, _ = race("saddle", scale=2.0)
    assert np.argmax(gaps["SGD"] < 0.5) == 38
    # plateau: the gradient at (3, 2.5) has length 0.0019, a step at lr = 0.5 moves 0.001
    land = LANDSCAPES["plateau"]
    g = np.linalg.norm(land.grad(np.array(land.start)))
    assert g == pytest.approx(0.0019, abs=5e-5) and 0.5 * g == pytest.approx(0.001, abs=5e-5)
    # momentum: alternating gradients are divided by 19; the stable rate is 19 times higher
    assert (1 + 0.9) / (1 - 0.9) == pytest.approx(19)
    # the saddle's escape factor for momentum: 1 + sqrt(0.1)
    assert 1 + np.sqrt(0.1) == pytest.approx(1.32, abs=0.005)
    # Polyak's best beta is 0.44 for kappa = 25 and 0.9 for kappa ~ 1400
    polyak = lambda kappa: ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2  # noqa: E731
    assert polyak(25) == pytest.approx(4 / 9) and polyak(1442) == pytest.approx(0.9, abs=1e-4)


def test_numbers_of_the_worked_examples():
    # momentum's table
    w, config, rows = np.array([1.0]), {"learning_rate": 0.5, "momentum": 0.9}, []
    for _ in range(3):
        w, config = sgd_momentum(w, w, config)
        rows.append((config["velocity"][0], w[0]))
    np.testing.assert_allclose(rows, [(0.1, 0.95), (0.185, 0.8575), (0.25225, 0.731375)])
    # RMSprop: steps 0.1 and 0.0709 with sqrt(s_2) = 0.1411 |dw|; the first step is lr / sqrt(1 - rho)
    w, config = np.array([1.0, 1.0]), {"learning_rate": 0.01, "epsilon": 0.0}
    steps = []
    for _ in range(2):
        new, config = rmsprop(w, np.array([0.1, 10.0]), config)
        steps.append(w - new)
        w = new
    np.testing.assert_allclose(steps[0], [0.1, 0.1])
    np.testing.assert_allclose(steps[1], [0.0709, 0.0709], atol=5e-5)
    assert np.sqrt(0.0199) == pytest.approx(0.1411, abs=5e-5)
    # Adam's table and the uncorrected ratio: 3.2 at t = 1, peak 6.6 near t = 12; 1 - 0.999**105 = 0.1
    w, config, out = np.zeros(1), {"epsilon": 0.0}, []
    for g in (1.0, -1.0, 1.0):
        new, config = adam(w, np.array([g]), config)
        out.append(((new - w)[0] / 1e-3, config["m"][0], config["v"][0]))
        w = new
    np.testing.assert_allclose(out, [(-1, 0.1, 0.001), (0.0526, -0.01, 0.001999), (-0.336, 0.091, 0.002997)],
                               atol=5e-4)
    t = np.arange(1, 200)
    ratio = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert ratio[0] == pytest.approx(3.2, abs=0.05) and ratio.max() == pytest.approx(6.6, abs=0.05)
    assert t[np.argmax(ratio)] == 12 and 1 - 0.999**105 == pytest.approx(0.1, abs=5e-4)
    # Adadelta's first step is about 0.003 sign(dw) for large gradients
    assert (1 - adadelta(np.ones(1), np.array([5.0]))[0][0]) == pytest.approx(0.0032, abs=5e-5)


def test_numbers_of_the_exercises():
    # exercise 4: the turned ravine, 80 steps from (-3.5, -2.5)
    R = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    h = np.array([1.0, 25.0])
    costs = {}
    for rule, lr in ((sgd, 0.07), (rmsprop, 0.1)):
        path = run(rule, lambda w: R.T @ (h * (R @ w)), np.array([-3.5, -2.5]), 80, {"learning_rate": lr})
        costs[rule.__name__] = 0.5 * np.sum(h * (R @ path[-1]) ** 2)
    assert costs["sgd"] == pytest.approx(8e-5, rel=0.05) and costs["rmsprop"] == pytest.approx(6e-4, rel=0.05)
    gaps, _ = race("ravine", rules=CLASSIC)
    assert gaps["SGD"][80] == pytest.approx(9e-5, rel=0.05) and gaps["RMSprop"][80] == pytest.approx(2e-11, rel=0.1)
    # exercise 3: without correction the first Adam step is 3.16 lr
    assert 0.1 / np.sqrt(0.001) == pytest.approx(3.16, abs=0.005)
    # exercise 7: AdaGrad's distance after T steps is about 2 lr sqrt(T): 200 lr after 1e4 steps
    assert np.sum(1 / np.sqrt(np.arange(1, 10001))) == pytest.approx(200, rel=0.01)
    # exercise 9: 1375 steps for gradient descent at c = 0.01, about 131 for critical damping (beta = 0.81)
    assert np.log(1e6) / -np.log(0.99) == pytest.approx(1375, abs=1)
    assert np.log(1e6) / -np.log(0.9) == pytest.approx(131, abs=1) and (1 - np.sqrt(0.01)) ** 2 == pytest.approx(0.81)
    assert momentum_rates(1.0, 0.01, [0.81])[0] == pytest.approx(0.9, abs=1e-6)
    # exercise 10: Adadelta's steps on a constant gradient 1: 0.00316, 0.00324, and 0.0318 after 1e4 steps
    w, config, steps = np.zeros(1), {}, []
    for _ in range(10000):
        new, config = adadelta(w, np.ones(1), config)
        steps.append(w[0] - new[0])
        w = new
    assert steps[0] == pytest.approx(0.00316, abs=5e-6) and steps[1] == pytest.approx(0.00324, abs=5e-6)
    assert steps[-1] == pytest.approx(0.0318, abs=5e-5) and np.sqrt(1e-7 * 1e4) == pytest.approx(0.032, abs=5e-4)


def test_numbers_of_the_explore_answers():
    # 2: beta = 0.5 is near critical damping for the shallow direction, (1 - sqrt(0.07))**2 = 0.54
    assert (1 - np.sqrt(0.07)) ** 2 == pytest.approx(0.54, abs=0.005)
    # 3: at x2, c = 3.5 for every beta; limits 3 and 3.8
    assert 0.14 * 25 == pytest.approx(3.5) and 2 * 1.5 == 3 and 2 * 1.9 == pytest.approx(3.8)
    # 4: Nesterov's limits 1.36 (beta 0.9) and 1.5 (beta 0.5); at x0.5 it ends far below momentum
    assert 2 * 1.9 / 2.8 == pytest.approx(1.36, abs=0.005) and 2 * 1.5 / 2 == 1.5
    gaps, diverged = race("ravine", scale=0.5)
    assert not diverged["Nesterov"] and gaps["Nesterov"][-1] < 0.01 * gaps["Momentum"][-1]
    # 5: on Rosenbrock AdaGrad ends at 0.24, RMSprop at 0.65; both spiked across the wall
    gaps, _ = race("rosenbrock")
    assert gaps["AdaGrad"][-1] == pytest.approx(0.24, abs=0.005) and gaps["RMSprop"][-1] == pytest.approx(0.65, abs=0.005)
    assert gaps["AdaGrad"].max() > 100 and gaps["RMSprop"].max() > 100
