"""The preconditioning chapter's pictures: Newton on the landscapes, the preconditioned descents, the
condition numbers, the explorer, and the numbers the page states."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnref
import nnref.optim
from nnopt.data import cars_weight_acceleration
from nnopt.explorer import Kind, Layout
from nnopt.landscapes import LANDSCAPES
from nnopt.viz.preconditioning import (
    ANGLES,
    KAPPAS,
    bowl,
    condition_number,
    draw_newton,
    draw_preconditioning_frame,
    draw_scaling_kappas,
    explorers,
    newton_path,
    preconditioned_kappas,
    preconditioned_paths,
    preconditioning_explorer,
    scaling_kappas,
)
from nnref.optim import newton_step, rmsprop, sgd


def test_newton_on_the_four_landscapes_as_the_page_says():
    paths = {name: newton_path(newton_step, land, 8) for name, land in LANDSCAPES.items()}
    # ravine: the minimum in one step
    np.testing.assert_allclose(paths["ravine"][1], [0.0, 0.0], atol=1e-15)
    # saddle: straight onto the saddle point (0, 0), which is 1 above the minima, and it stays there
    np.testing.assert_allclose(paths["saddle"][1:], 0.0, atol=1e-8)
    # Rosenbrock: step 2 overshoots to y = -3.2 with cost 1412; then distances 0.48, 0.056, 1e-5, 2e-11
    rosen = LANDSCAPES["rosenbrock"]
    r = paths["rosenbrock"]
    assert r[2, 1] == pytest.approx(-3.175, abs=1e-3)
    assert rosen.f(r[1]) == pytest.approx(4.73, abs=0.01) and rosen.f(r[2]) == pytest.approx(1412, abs=1)
    distances = np.linalg.norm(r - 1.0, axis=1)
    np.testing.assert_allclose(distances[3:5], [0.48, 0.056], rtol=0.01)
    assert 5e-6 < distances[5] < 2e-5 and 1e-11 < distances[6] < 3e-11
    # plateau: the radial curvature at the start is -0.007, and Newton walks uphill, away from the well
    plateau = LANDSCAPES["plateau"]
    assert np.linalg.eigvalsh(plateau.hessian(np.array(plateau.start)))[0] == pytest.approx(-0.007, abs=5e-4)
    p = paths["plateau"]
    assert np.all(np.diff(np.linalg.norm(p, axis=1)) > 0) and np.all(np.diff(plateau.f(p)) > 0)


def test_newton_path_stops_where_newton_step_refuses():
    def refuses(w, grad, hessian):
        raise ValueError("hessian is singular")

    path = newton_path(refuses, LANDSCAPES["ravine"], 5)
    assert path.shape == (1, 2)


def test_draw_newton():
    fig = Figure(figsize=(7.6, 7.4), layout="constrained")
    axes, paths = draw_newton(fig, newton_step, sgd)
    assert len(axes) == 4 and set(paths) == set(LANDSCAPES)
    assert [ax.get_title() for ax in axes][0] == "ravine: the minimum in one step"


def test_bowls_turn_the_start_with_the_bowl():
    aligned, turned = bowl(25, 0), bowl(25, 45)
    assert aligned.f(np.array(aligned.start)) == pytest.approx(turned.f(np.array(turned.start)))
    np.testing.assert_allclose(np.linalg.eigvalsh(turned.hessian(np.zeros(2))), [1, 25])


def test_preconditioned_kappas():
    # aligned: Jacobi's preconditioner is H^-1, kappa 1; turned by 45 degrees: diag(H) = 13 I, kappa stays 25
    assert preconditioned_kappas(bowl(25, 0)) == pytest.approx({"gradient descent": 25, "diagonal of H": 1, "Newton": 1})
    assert preconditioned_kappas(bowl(25, 45))["diagonal of H"] == pytest.approx(25)
    np.testing.assert_allclose(np.diag(bowl(25, 45).hessian(np.zeros(2))), [13, 13])
    assert 1 < preconditioned_kappas(bowl(25, 30))["diagonal of H"] < 25


def test_preconditioned_paths_as_the_explore_answers_say():
    def ends(kappa, angle):
        land = bowl(kappa, angle)
        return {name: land.f(p[-1]) for name, p in preconditioned_paths(land, newton_step, sgd, rmsprop).items()}

    aligned = ends(25, 0)
    assert aligned["diagonal of H"] < 1e-15 and aligned["Newton"] < 1e-15  # one step
    assert aligned["RMSprop"] < 1e-10 and 0.005 < aligned["gradient descent"] < 0.02
    turned = ends(25, 45)
    assert 0.005 < turned["gradient descent"] < 0.02 and 0.005 < turned["diagonal of H"] < 0.02
    assert 0.03 < turned["RMSprop"] < 0.08 and turned["Newton"] < 1e-15
    # gradient descent does not care about the tilt; at kappa = 100 it ends near 0.9 (rate 1 - 1.8/100)
    assert ends(100, 45)["gradient descent"] == pytest.approx(ends(100, 0)["gradient descent"], rel=1e-9)
    assert 0.8 < ends(100, 45)["gradient descent"] < 1.0
    assert 1 - 1.8 / 25 == pytest.approx(0.928) and 1 - 1.8 / 100 == pytest.approx(0.982)


def test_scaling_kappas_of_the_cars():
    # the page: 19 600 raw, 342 with Jacobi's preconditioner, 2.4 standardised (correlation -0.42)
    X, _ = cars_weight_acceleration()
    kappas = scaling_kappas(X)
    assert kappas["raw"] == pytest.approx(19642, rel=1e-3)
    assert kappas["diagonal"] == pytest.approx(341.7, rel=1e-3)
    assert kappas["standardised"] == pytest.approx(2.433, rel=1e-3)
    r = np.corrcoef(X.T)[0, 1]
    assert r == pytest.approx(-0.417, abs=1e-3) and kappas["standardised"] == pytest.approx((1 - r) / (1 + r))
    ax = draw_scaling_kappas(Figure().subplots(), X)
    assert len(ax.patches) == 4
    assert condition_number(np.diag([2.0, 8.0])) == 4.0


def test_the_pages_arithmetic():
    # memory and time of Newton for 1e7 and 1e6 parameters
    assert (1e7) ** 2 * 8 == 8e14  # 800 TB
    assert 1e7 * 8 == 8e7  # 80 MB
    assert (1e6) ** 2 * 8 == 8e12  # 8 TB
    assert 1e18 / 1e13 == 1e5  # seconds: more than a day
    # the damped Newton step at the saddle with lambda = 3 multiplies y by 3 and x by 3/5
    H = np.diag([2.0, -2.0]) + 3 * np.eye(2)
    x, y = 0.1, 0.01
    step = -np.linalg.solve(H, np.array([2 * x, -2 * y]))
    np.testing.assert_allclose(np.array([x, y]) + step, [0.6 * x, 3 * y])
    # Newton on w**4 multiplies w by 2/3; on sqrt(1 + w**2) it maps w to -w**3
    w = 0.7
    assert w - 4 * w**3 / (12 * w**2) == pytest.approx(2 / 3 * w)
    assert w - (w / np.sqrt(1 + w**2)) / (1 + w**2) ** -1.5 == pytest.approx(-(w**3))


def test_frame_and_explorer():
    fig = Figure(figsize=(10, 4.2))
    ax_map, ax_loss = draw_preconditioning_frame(fig, 25, 30, newton_step, sgd, rmsprop)
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend[0] == "gradient descent (κ seen: 25)" and legend[-1] == "Newton (κ seen: 1)"
    explorer = preconditioning_explorer(newton_step, sgd, rmsprop)
    assert [(c.name, c.kind) for c in explorer.controls] == [("kappa", Kind.SLIDER), ("angle", Kind.SLIDER)]
    assert explorer.controls[0].values == KAPPAS and explorer.controls[1].values == ANGLES
    pictures = {explorer.render(**params) for params in explorer.combinations()}
    assert len(pictures) == len(KAPPAS) * len(ANGLES)
    assert explorer.frame(Layout.NARROW, kappa=100, angle=45)[:4] == b"\x89PNG"
    alt = explorer.alt_text(kappa=25, angle=45)
    assert "condition number 25 turned by 45 degrees" in alt and "leaves a condition number of 25" in alt
    assert [name for name, _ in explorers(nnref)] == ["preconditioning"]
