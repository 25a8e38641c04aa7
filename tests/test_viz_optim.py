"""The optimizers chapter's pictures: the race's set-up, the behaviours the page describes, the explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.landscapes import LANDSCAPES
from nnopt.viz.optim import (
    BETAS,
    RACE,
    SCALES,
    contour_grid,
    draw_landscapes,
    draw_momentum_averaging,
    draw_momentum_ravine,
    draw_momentum_schedule,
    draw_race,
    draw_rmsprop_steps,
    explorers,
    loss_gap,
    momentum_forms,
    race_configs,
    race_explorer,
    race_paths,
    rule_label,
)

PNG = b"\x89PNG\r\n\x1a\n"


def race(landscape, scale=1.0, beta=0.9):
    """{rule: loss gap after each step} of the race, and {rule: diverged}."""
    paths = race_paths(landscape, race_configs(landscape, scale, beta))
    return {name: loss_gap(landscape, p) for name, (p, _) in paths.items()}, {n: d for n, (_, d) in paths.items()}


def test_race_configs_tie_the_rates_as_documented():
    lr_gd, lr_adaptive, _ = RACE["ravine"]
    configs = race_configs("ravine", scale=2.0, beta=0.5)
    assert list(configs) == ["SGD", "Momentum", "RMSprop", "Adam"]
    assert configs["SGD"] == {"learning_rate": 2 * lr_gd}
    assert configs["Momentum"] == {"learning_rate": pytest.approx(2 * lr_gd / 0.5), "momentum": 0.5}
    assert configs["RMSprop"] == {"learning_rate": 2 * lr_adaptive}
    assert configs["Adam"] == {"learning_rate": 2 * lr_adaptive, "beta1": 0.5}
    assert rule_label("Momentum", configs["Momentum"]) == "Momentum: lr = 0.28, β = 0.5"
    assert rule_label("Adam", configs["Adam"]) == "Adam: lr = 0.2, β1 = 0.5"


def test_beta_zero_makes_momentum_plain_sgd():
    paths = race_paths("ravine", race_configs("ravine", 1.0, 0.0))
    np.testing.assert_array_equal(paths["Momentum"][0], paths["SGD"][0])


def test_paths_start_at_the_start_and_have_one_point_per_step():
    for name, (lr_gd, lr_adaptive, num_steps) in RACE.items():
        paths = race_paths(name, race_configs(name))
        for rule, (path, diverged) in paths.items():
            assert not diverged, (name, rule)
            assert path.shape == (num_steps + 1, 2)
            np.testing.assert_array_equal(path[0], LANDSCAPES[name].start)


def test_a_diverging_run_is_cut_before_it_overflows():
    # ravine at x2: SGD's lr = 0.14 > 2/25 diverges; momentum survives at beta = 0.9, not at 0.5
    # (the third question of the Explore section: alpha (1 - beta) h < 2 (1 + beta))
    for beta, momentum_diverges in ((0.9, False), (0.5, True)):
        paths = race_paths("ravine", race_configs("ravine", 2.0, beta))
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
    paths = race_paths("saddle", race_configs("saddle"))
    y_after_10 = {name: path[10, 1] for name, (path, _) in paths.items()}
    assert y_after_10["SGD"] < 0.01 and y_after_10["Adam"] > 0.4 and y_after_10["RMSprop"] > 1
    # momentum grows the escape direction faster than SGD
    assert gaps["Momentum"][50] < 0.1
    # plateau: SGD is stuck on the plain, RMSprop and Adam reach the well
    paths = race_paths("plateau", race_configs("plateau"))
    assert np.linalg.norm(paths["SGD"][0][-1] - LANDSCAPES["plateau"].start) < 0.2
    gaps, _ = race("plateau")
    assert gaps["SGD"][-1] > 0.99 and gaps["Adam"][-1] < 1e-2 and gaps["RMSprop"][-1] < 1e-2
    # ravine: RMSprop's per-coordinate rates beat SGD by far; momentum with beta = 0.5 beats SGD by a
    # factor of about a million after 60 steps, with beta = 0.9 it overshoots and is worse
    gaps, _ = race("ravine")
    assert gaps["RMSprop"][-1] < 1e-6 * gaps["SGD"][-1]
    assert gaps["Momentum"][60] > gaps["SGD"][60]
    gaps, _ = race("ravine", beta=0.5)
    assert gaps["Momentum"][60] < 1e-5 * gaps["SGD"][60]
    # Rosenbrock: momentum gets closest at the default settings, SGD is slowest
    gaps, _ = race("rosenbrock")
    assert min(gaps, key=lambda r: gaps[r][-1]) == "Momentum"
    assert max(gaps, key=lambda r: gaps[r][-1]) == "SGD"


def test_momentum_forms_course_and_pytorch_agree_under_a_schedule(rng):
    grads = rng.standard_normal((60, 4))
    lrs = 0.2 / (1 + np.arange(60) / 5)  # changes at every step
    forms = momentum_forms(grads, lrs, beta=0.8)
    assert forms["course"].shape == (61, 4)
    np.testing.assert_allclose(forms["pytorch"], forms["course"], rtol=1e-12, atol=1e-14)
    assert np.abs(forms["lr inside"] - forms["course"]).max() > 1e-3


def test_momentum_forms_lr_inside_agrees_only_until_the_rate_drops(rng):
    grads = rng.standard_normal((80, 2))
    lrs = np.where(np.arange(80) < 40, 0.1, 0.01)
    forms = momentum_forms(grads, lrs, beta=0.9)
    gap = np.abs(forms["lr inside"] - forms["course"]).max(axis=1)
    assert gap[:41].max() < 1e-12 and gap[41:].max() > 1e-3


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
    configs = race_configs("saddle")
    labels = {k: rule_label(k, c) for k, c in configs.items()}
    ax_map, ax_loss = draw_race(fig, "saddle", race_paths("saddle", configs), labels)
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend == list(labels.values())
    assert "Momentum: lr = 0.5, β = 0.9" in legend
    assert len(ax_loss.get_lines()) == 4
    # each path is one line with a dot per step (81 points), plus the markers of start, minimum, saddle and ends
    long_lines = [line for line in ax_map.get_lines() if len(line.get_xdata()) == RACE["saddle"][2] + 1]
    assert len(long_lines) == 4
    assert ax_map.get_title() == "Saddle: 80 steps from ■ towards ★"


def test_a_diverged_run_says_so_in_the_legend():
    fig = Figure()
    configs = race_configs("ravine", 4.0, 0.9)
    _, ax_loss = draw_race(fig, "ravine", race_paths("ravine", configs))
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend[0] == "SGD  (diverged)" and legend[2] == "RMSprop"


def test_static_figures_draw():
    draws = [draw_landscapes, draw_momentum_ravine, draw_momentum_averaging, draw_rmsprop_steps]
    for draw in draws:
        fig = Figure()
        axes = draw(fig)
        assert len(fig.axes) == len(axes) >= 2
    fig = Figure()
    ax = draw_momentum_schedule(fig.subplots())
    course, pytorch, inside = (line.get_ydata() for line in ax.get_lines()[:3])
    np.testing.assert_allclose(course, pytorch, atol=1e-15)
    # after the drop at step 40 the course's step is 0.01 * v at once; the lr-inside form still steps ~0.1
    assert course[40] < 0.011 and inside[40] > 0.08


def test_explorer_has_at_most_60_frames_and_renders_each_as_png():
    explorer = race_explorer()
    assert [c.name for c in explorer.controls] == ["landscape", "scale", "beta"]
    assert explorer.controls[0].values == list(RACE)
    assert explorer.controls[1].values == SCALES and explorer.controls[2].values == BETAS
    assert explorer.defaults() == {"landscape": "saddle", "scale": 1.0, "beta": 0.9}
    assert len(RACE) * len(SCALES) * len(BETAS) <= 60
    frames = explorer.frames()
    assert len(frames) == 60
    pngs = set()
    for uri in frames.values():
        assert uri.startswith("data:image/png;base64,")
        pngs.add(uri)
    assert len(pngs) == 60  # every slider position draws a different picture


def test_explorers_yields_the_race():
    assert [name for name, _ in explorers()] == ["race"]
