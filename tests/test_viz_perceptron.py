"""The perceptron chapter's pictures: the searches and descents they draw, the numbers the page states,
and every explorer frame. The pictures get the reference implementations, as the book gives them."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
from nnopt.data import cars
from nnopt.explorer import Layout
from nnopt.viz import perceptron as viz
from nnref.perceptron import cost_gradients, gradient_descent, predict, squared_error_cost


@pytest.fixture(scope="module")
def data():
    weight, mpg = cars()
    return weight, mpg, (weight - weight.mean()) / weight.std()


@pytest.fixture(scope="module")
def problem(data):
    _, mpg, z = data
    return viz.SearchProblem(z, mpg, predict, squared_error_cost, gradient_descent)


def test_the_module_takes_its_algorithms_as_arguments():
    source = open(viz.__file__).read()
    assert "nnref" not in source.replace("``nnref``", "")
    for name in ("predict", "squared_error_cost", "cost_gradients", "gradient_descent"):
        assert f"def {name}(" not in source


def test_descent_path_is_gradient_descent(data):
    _, mpg, z = data
    params, costs = viz.descent_path(z, mpg, 0.3, 7, gradient_descent)
    w, b, gd_costs = gradient_descent(z[:, None], mpg, np.zeros(1), 0.0, 0.3, 7)
    assert params.shape == (8, 2) and costs.shape == (8,)
    np.testing.assert_allclose(params[-1], [w[0], b], rtol=1e-12)
    np.testing.assert_allclose(costs[:-1], gd_costs, rtol=1e-12)
    assert costs[-1] == pytest.approx(squared_error_cost(predict(z[:, None], w, b), mpg), rel=1e-12)


def test_cost_surface_and_least_squares(data, problem):
    _, mpg, z = data
    J = viz.cost_of(z, mpg, predict, squared_error_cost)
    assert J(1.5, -2.0) == pytest.approx(np.mean((1.5 * z - 2.0 - mpg) ** 2) / 2)
    surface = viz.CostSurface(J, (-1, 1), (0, 2), n=5)
    assert surface.values.shape == (5, 5)
    assert surface.values[4, 0] == pytest.approx(J(-1.0, 2.0))  # rows are b, columns w
    # the star is where both gradients vanish
    dw, db = cost_gradients(z[:, None], mpg, np.array([problem.star[0]]), problem.star[1])
    np.testing.assert_allclose([dw[0], db], 0.0, atol=1e-10)
    assert problem.lowest == pytest.approx(9.39, abs=0.005)
    assert math.hypot(*problem.star) == pytest.approx(24.4, abs=0.05)  # "about 24 away from the start"


def test_random_search_keeps_the_best_guess(problem):
    rng = np.random.default_rng(3)
    points, best = viz.random_search(problem.J, 50, rng, *viz.SEARCH_BOX)
    assert points.shape == (50, 2) and best.shape == (50,)
    costs = [problem.J(*p) for p in points]
    np.testing.assert_allclose(best, np.minimum.accumulate(costs))
    (wlo, whi), (blo, bhi) = viz.SEARCH_BOX
    assert np.all((points[:, 0] >= wlo) & (points[:, 0] <= whi) & (points[:, 1] >= blo) & (points[:, 1] <= bhi))


def test_random_local_search_moves_only_downhill_by_its_step(problem):
    path, best = viz.random_local_search(problem.J, 200, np.random.default_rng(4), 0.5)
    assert path.shape == (201, 2) and best.shape == (200,)
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert np.all(np.isclose(steps, 0.0) | np.isclose(steps, 0.5))
    assert np.all(np.diff(best) <= 0)
    np.testing.assert_allclose(best, [problem.J(*p) for p in path[1:]])


def test_following_the_gradient_with_rate_one_lands_on_the_minimum(data, problem):
    _, mpg, z = data
    path, best = viz.following_the_gradient(z, mpg, 2, 1.0, gradient_descent)
    np.testing.assert_allclose(path[1], problem.star, rtol=1e-10)
    assert best[0] == pytest.approx(problem.lowest, rel=1e-12)


def test_the_searches_as_the_page_describes_them(problem):
    gap = {}
    for step in (0.1, 0.5, 1.5):
        for seed in (0, 1, 2):
            for name, (_, best) in problem.runs(300, step, seed).items():
                gap[name, step, seed] = best - problem.lowest
    seeds = (0, 1, 2)
    # gradient descent does not depend on the seed; with step 0.5 it is within 3e-4 after 10 evaluations
    for step in (0.1, 0.5, 1.5):
        np.testing.assert_array_equal(gap["following the gradient", step, 0], gap["following the gradient", step, 2])
    assert 2e-4 < gap["following the gradient", 0.5, 0][9] < 3e-4
    assert gap["following the gradient", 0.5, 0][19] < 1e-6  # "within about 20 evaluations"
    # random search after 300 guesses: 0.03 to 1.5 above the minimum
    final = [gap["random search", 0.5, s][-1] for s in seeds]
    assert 0.03 < min(final) and max(final) < 1.5
    # random local search with step 0.5: far above after 30 tries, about 0.01 after 300
    assert min(gap["random local search", 0.5, s][29] for s in seeds) > 100
    assert max(gap["random local search", 0.5, s][-1] for s in seeds) < 0.02
    # step 1.5: stalled by 100 tries, below r^2 / 8 = 0.28, at about 0.15
    for s in seeds:
        stalled = gap["random local search", 1.5, s]
        assert stalled[99] == stalled[-1]
        assert 0.14 < stalled[-1] < 1.5 ** 2 / 8
    # step 0.1: gradient descent within 1e-6, random local search more than 90 above after 300
    assert max(gap["following the gradient", 0.1, s][-1] for s in seeds) < 1e-6
    assert min(gap["random local search", 0.1, s][-1] for s in seeds) > 90


def test_a_random_direction_is_worth_little_in_many_dimensions():
    # the average |cos| between a random direction and a fixed one: 2/pi in 2-D, about sqrt(2/(pi n)) for large n
    rng = np.random.default_rng(0)
    for n, expected in ((2, 2 / np.pi), (1000, np.sqrt(2 / (np.pi * 1000)))):
        u = rng.standard_normal((4000, n))
        cos = u[:, 0] / np.linalg.norm(u, axis=1)
        assert np.mean(np.abs(cos)) == pytest.approx(expected, rel=0.05)
    assert np.sqrt(2 / (np.pi * 1e6)) < 1e-3


def test_the_hand_example_and_its_taylor_expansion():
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 5.0])
    w, b, costs = gradient_descent(X, y, np.zeros(1), 0.0, 0.1, 3)
    np.testing.assert_allclose(costs, [7.5, 1.5098, 0.3217], atol=5e-5)
    w2, b2, _ = gradient_descent(X, y, np.zeros(1), 0.0, 0.1, 2)
    assert (w2[0], b2) == pytest.approx((1.2044, 0.5300), abs=5e-5)
    dw, db = cost_gradients(X, y, np.zeros(1), 0.0)
    g = np.append(dw, db)
    np.testing.assert_allclose(g, [-25 / 3, -11 / 3])
    first_order = 0.1 * g @ g
    H = np.array([[14 / 3, 2.0], [2.0, 1.0]])
    second_order = 0.5 * (0.1 * g) @ H @ (0.1 * g)
    assert first_order == pytest.approx(8.29, abs=0.005)
    assert costs[0] - costs[1] == pytest.approx(5.99, abs=0.005)
    assert second_order == pytest.approx(2.30, abs=0.005)
    assert first_order - second_order == pytest.approx(costs[0] - costs[1], rel=1e-12)
    # the best line 1.5 x + 0.667
    np.testing.assert_allclose(viz.least_squares(X[:, 0], y), [1.5, 2 / 3], rtol=1e-12)


def test_learning_rates_as_the_page_describes_them(data):
    _, mpg, z = data
    costs = {lr: viz.descent_path(z, mpg, lr, 40, gradient_descent)[1] for lr in (0.1, 1.0, 1.9, 2.05)}
    np.testing.assert_allclose(costs[0.1], costs[1.9], rtol=1e-9)  # |1 - lr| = 0.9 for both
    assert costs[1.0][1] == pytest.approx(costs[1.0][-1], rel=1e-12)  # one step to the minimum
    assert costs[2.05][-1] > costs[2.05][0]
    params, costs10 = viz.descent_path(z, mpg, 0.1, 30, gradient_descent)
    assert costs10[10] == pytest.approx(46, abs=0.5) and costs10[30] == pytest.approx(9.9, abs=0.05)
    # the raw weights' valley: curvature along one direction more than a hundred times the other
    weight = data[0]
    H = np.array([[np.mean(weight ** 2), weight.mean()], [weight.mean(), 1.0]])
    low, high = np.linalg.eigvalsh(H)
    assert high / low > 100


def test_static_figures_draw(data):
    weight, mpg, z = data
    axes = viz.draw_learning_rates(Figure(figsize=(10, 3.4)), z, mpg, [0.01, 0.1, 1.0, 1.9, 2.05], gradient_descent)
    assert [line.get_label() for line in axes[0].lines] == ["lr = 0.01", "lr = 0.1", "lr = 1", "lr = 1.9", "lr = 2.05"]
    assert [line.get_label() for line in axes[1].lines][:2] == ["lr = 0.1", "lr = 1.9"]
    # the two overlapping curves are told apart by line style and marker, not colour alone
    a, b = axes[0].lines[1], axes[0].lines[3]
    assert (a.get_linestyle(), a.get_marker()) != (b.get_linestyle(), b.get_marker())
    assert len(viz.draw_scaling(Figure(figsize=(10, 3.6)), weight, mpg, predict, squared_error_cost, gradient_descent)) == 2


@pytest.fixture(scope="module")
def book_explorers():
    return dict(viz.explorers(nnref))


@pytest.mark.parametrize("name", ["search", "descent"])
def test_every_frame_renders_and_each_control_changes_it(book_explorers, name):
    explorer = book_explorers[name]
    default = explorer.render()
    assert default.startswith(b"\x89PNG")
    alts = {explorer.alt_text()}
    for control in explorer.controls:
        for value in control.values:
            if value != control.default:
                assert explorer.render(**{control.name: value}) != default, (control.name, value)
                alts.add(explorer.alt_text(**{control.name: value}))
    assert len(alts) > len(explorer.controls)  # the alt text says what each frame shows
    for params in explorer.combinations():
        assert explorer.render(**params).startswith(b"\x89PNG")
    assert explorer.frame(Layout.NARROW).startswith(b"\x89PNG")


def test_the_numbers_ps01_promises(data):
    """ps01's "what to expect": the cars run of its part 5, with correct functions."""
    weight, mpg, z = data
    w, b, costs = gradient_descent(z[:, None], mpg, np.zeros(1), 0.0, lr=0.1, num_iters=60)
    assert f"w = {w[0]:.3f}, b = {b:.3f}, final cost = {costs[-1]:.3f}" == "w = -6.481, b = 23.472, final cost = 9.392"
    best_w, best_b = viz.least_squares(z, mpg)
    assert (round(best_w, 3), round(best_b, 3)) == (-6.493, 23.515)
    assert squared_error_cost(predict(z[:, None], np.array([best_w]), best_b), mpg) == pytest.approx(9.390, abs=5e-4)
    assert costs[30] - costs[-1] < 1.0 < costs[10] - costs[-1]  # falls fast for about 30 updates, then flattens
