"""ps06 maths: every update rule against torch.optim, its state, its inputs, its defaults, bad input;
Newton's step against numpy.linalg and autograd; the numbers the optimizers chapter states."""

import numpy as np
import pytest

from nnref.optim import (RULES, adadelta, adagrad, adam, adamw, momentum_forms, nesterov_momentum, newton_step,
                         rmsprop, sgd, sgd_momentum)

NUM_STEPS = 100


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else np.linalg.norm(a - b) / scale


# Two problems, each a gradient function grad(k, w) of the step number k and the weights w.
def random_quadratic(rng):
    """Gradient of 0.5 w.A w - c.w with a random well-conditioned A: each step depends on the last."""
    Q = rng.standard_normal((5, 5))
    A = Q @ Q.T / 5 + np.eye(5)
    c = rng.standard_normal(5)
    return rng.standard_normal(5), lambda k, w: A @ w - c


def random_gradients(rng):
    """A fresh random gradient at every step, for weights of shape (3, 4)."""
    G = rng.standard_normal((NUM_STEPS, 3, 4))
    return rng.standard_normal((3, 4)), lambda k, w: G[k]


PROBLEMS = {"quadratic": random_quadratic, "random gradients": random_gradients}


def path_ours(rule, config, grad, w0, learning_rates=None):
    """Iterates of one of our rules, shape (NUM_STEPS + 1, *w0.shape)."""
    w, path = w0, [w0]
    for k in range(NUM_STEPS):
        if learning_rates is not None:
            config["learning_rate"] = learning_rates[k]
        w, config = rule(w, grad(k, w), config)
        path.append(w)
    return np.array(path)


def path_torch(torch, make_optimizer, grad, w0, learning_rates=None, num_steps=NUM_STEPS):
    """Iterates of a torch.optim optimizer fed the same gradient function."""
    param = torch.tensor(w0, requires_grad=True)
    optimizer = make_optimizer(torch, [param])
    path = [w0]
    for k in range(num_steps):
        if learning_rates is not None:
            optimizer.param_groups[0]["lr"] = learning_rates[k]
        param.grad = torch.from_numpy(grad(k, param.detach().numpy().copy()))
        optimizer.step()
        path.append(param.detach().numpy().copy())
    return np.array(path)


# (rule, config, the torch optimizer that must give the same iterates)
TWINS = {
    "sgd defaults": (sgd, {}, lambda torch, p: torch.optim.SGD(p, lr=1e-2)),
    "sgd": (sgd, {"learning_rate": 0.05}, lambda torch, p: torch.optim.SGD(p, lr=0.05)),
    "momentum defaults": (
        sgd_momentum,
        {},
        lambda torch, p: torch.optim.SGD(p, lr=1e-2 * (1 - 0.9), momentum=0.9, dampening=0),
    ),
    "momentum": (
        sgd_momentum,
        {"learning_rate": 0.1, "momentum": 0.75},
        lambda torch, p: torch.optim.SGD(p, lr=0.1 * (1 - 0.75), momentum=0.75, dampening=0),
    ),
    "rmsprop defaults": (
        rmsprop,
        {},
        lambda torch, p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0, centered=False),
    ),
    "rmsprop": (
        rmsprop,
        {"learning_rate": 3e-3, "decay_rate": 0.9, "epsilon": 1e-6},
        lambda torch, p: torch.optim.RMSprop(p, lr=3e-3, alpha=0.9, eps=1e-6, momentum=0, centered=False),
    ),
    "adam defaults": (adam, {}, lambda torch, p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
    "adam": (
        adam,
        {"learning_rate": 0.02, "beta1": 0.8, "beta2": 0.95, "epsilon": 1e-6},
        lambda torch, p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.95), eps=1e-6),
    ),
    # Nesterov: PyTorch's buffer is velocity / (1 - momentum), so its rate is lr * (1 - momentum)
    "nesterov defaults": (
        nesterov_momentum,
        {},
        lambda torch, p: torch.optim.SGD(p, lr=1e-2 * (1 - 0.9), momentum=0.9, dampening=0, nesterov=True),
    ),
    "nesterov": (
        nesterov_momentum,
        {"learning_rate": 0.2, "momentum": 0.6},
        lambda torch, p: torch.optim.SGD(p, lr=0.2 * (1 - 0.6), momentum=0.6, dampening=0, nesterov=True),
    ),
    "adagrad defaults": (
        adagrad,
        {},
        lambda torch, p: torch.optim.Adagrad(p, lr=1e-2, lr_decay=0, initial_accumulator_value=0, eps=1e-10),
    ),
    "adagrad": (
        adagrad,
        {"learning_rate": 0.3, "epsilon": 1e-6},
        lambda torch, p: torch.optim.Adagrad(p, lr=0.3, eps=1e-6),
    ),
    "adadelta defaults": (adadelta, {}, lambda torch, p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
    "adadelta": (
        adadelta,
        {"learning_rate": 0.5, "decay_rate": 0.95, "epsilon": 1e-4},
        lambda torch, p: torch.optim.Adadelta(p, lr=0.5, rho=0.95, eps=1e-4),
    ),
    "adamw defaults": (
        adamw,
        {},
        lambda torch, p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2),
    ),
    "adamw": (
        adamw,
        {"learning_rate": 0.05, "beta1": 0.7, "beta2": 0.9, "epsilon": 1e-7, "weight_decay": 0.3},
        lambda torch, p: torch.optim.AdamW(p, lr=0.05, betas=(0.7, 0.9), eps=1e-7, weight_decay=0.3),
    ),
}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("twin", TWINS)
def test_rule_matches_torch_for_100_steps(torch, rng, twin, problem):
    rule, config, make_optimizer = TWINS[twin]
    w0, grad = PROBLEMS[problem](rng)
    ours = path_ours(rule, dict(config), grad, w0)
    theirs = path_torch(torch, make_optimizer, grad, w0)
    # compare the displacements from w0, so that a small step cannot hide behind a large w0
    assert relative_error(ours - w0, theirs - w0) < 1e-10
    assert relative_error(ours[-1] - w0, theirs[-1] - w0) < 1e-10


def test_momentum_equivalence_survives_a_learning_rate_schedule(torch, rng):
    # Both forms keep the learning rate outside the velocity, so PyTorch's buffer stays
    # velocity / (1 - beta) whatever the learning rates: the equivalence holds step by step.
    w0, grad = random_gradients(rng)
    lrs = 0.1 / (1 + np.arange(NUM_STEPS) / 10)
    ours = path_ours(sgd_momentum, {"momentum": 0.9}, grad, w0, learning_rates=lrs)
    make = lambda torch, p: torch.optim.SGD(p, lr=1.0, momentum=0.9, dampening=0)  # noqa: E731
    theirs = path_torch(torch, make, grad, w0, learning_rates=lrs * (1 - 0.9))
    assert relative_error(ours - w0, theirs - w0) < 1e-10


def path_lr_inside(w0, grad, learning_rates, beta):
    """Momentum with the learning rate inside the velocity (CS231n, Sutskever et al. 2013):
    u = beta * u - lr * dw; w = w + u."""
    w, u, path = w0, np.zeros_like(w0), [w0]
    for k in range(NUM_STEPS):
        u = beta * u - learning_rates[k] * grad(k, w)
        w = w + u
        path.append(w)
    return np.array(path)


def test_lr_inside_the_velocity_diverges_once_the_learning_rate_changes(rng):
    # With a constant rate lr * (1 - beta) the lr-inside form gives the same iterates as ours;
    # after a drop of the learning rate it still carries the old, larger steps in its velocity.
    w0, grad = random_gradients(rng)
    beta = 0.9
    constant = np.full(NUM_STEPS, 0.1)
    dropped = np.where(np.arange(NUM_STEPS) < 50, 0.1, 0.01)
    for lrs, same in ((constant, True), (dropped, False)):
        ours = path_ours(sgd_momentum, {"momentum": beta}, grad, w0, learning_rates=lrs)
        inside = path_lr_inside(w0, grad, lrs * (1 - beta), beta)
        gap = relative_error(ours - w0, inside - w0)
        assert (gap < 1e-10) if same else (gap > 1e-2)


def test_one_step_by_hand():
    w = np.array([1.0, -2.0])
    dw = np.array([0.5, -4.0])
    np.testing.assert_allclose(sgd(w, dw)[0], w - 1e-2 * dw)
    # velocity = 0.1 * dw on the first step
    np.testing.assert_allclose(sgd_momentum(w, dw)[0], w - 1e-2 * 0.1 * dw)
    # cache = 0.01 * dw**2, so dw / sqrt(cache) = 10 * sign(dw)
    np.testing.assert_allclose(rmsprop(w, dw, {"epsilon": 0.0})[0], w - 1e-2 * 10 * np.sign(dw))
    # bias correction makes m_hat = dw and v_hat = dw**2: the first Adam step is lr * sign(dw)
    np.testing.assert_allclose(adam(w, dw, {"epsilon": 0.0})[0], w - 1e-3 * np.sign(dw))


def test_state_after_steps():
    w = np.array([1.0, 2.0, 3.0])
    g1, g2 = np.array([1.0, -1.0, 2.0]), np.array([3.0, 0.0, -1.0])

    w1, config = sgd_momentum(w, g1)
    w2, config = sgd_momentum(w1, g2, config)
    np.testing.assert_allclose(config["velocity"], 0.9 * 0.1 * g1 + 0.1 * g2)

    w1, config = rmsprop(w, g1, {"decay_rate": 0.5})
    w2, config = rmsprop(w1, g2, config)
    np.testing.assert_allclose(config["cache"], 0.5 * 0.5 * g1**2 + 0.5 * g2**2)

    w1, config = adam(w, g1)
    assert config["t"] == 1  # t counts updates: 0 before the first, 1 after it
    np.testing.assert_allclose(config["m"], 0.1 * g1)
    np.testing.assert_allclose(config["v"], 0.001 * g1**2)
    w2, config = adam(w1, g2, config)
    assert config["t"] == 2
    np.testing.assert_allclose(config["m"], 0.9 * 0.1 * g1 + 0.1 * g2)
    np.testing.assert_allclose(config["v"], 0.999 * 0.001 * g1**2 + 0.001 * g2**2)


def test_adam_t_starts_at_zero():
    w, dw = np.array([1.0, 2.0]), np.array([0.3, -0.7])
    np.testing.assert_array_equal(adam(w, dw, {"t": 0})[0], adam(w, dw)[0])
    # a later step (t = 9 done) has smaller bias corrections, hence a different update
    later = {"t": 9, "m": 0.1 * dw, "v": 0.001 * dw**2}
    assert not np.allclose(adam(w, dw, later)[0], adam(w, dw)[0])


DEFAULTS = {
    sgd: {"learning_rate": 1e-2},
    sgd_momentum: {"learning_rate": 1e-2, "momentum": 0.9},
    nesterov_momentum: {"learning_rate": 1e-2, "momentum": 0.9},
    adagrad: {"learning_rate": 1e-2, "epsilon": 1e-10},
    rmsprop: {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    adadelta: {"learning_rate": 1.0, "decay_rate": 0.9, "epsilon": 1e-6},
    adam: {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    adamw: {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 1e-2},
}
STATE = {sgd: [], sgd_momentum: ["velocity"], nesterov_momentum: ["velocity"], adagrad: ["cache"],
         rmsprop: ["cache"], adadelta: ["cache", "delta"], adam: ["m", "v", "t"], adamw: ["m", "v", "t"]}


@pytest.mark.parametrize("rule", DEFAULTS, ids=lambda r: r.__name__)
def test_defaults_are_filled(rule):
    w, dw = np.ones((2, 3)), np.full((2, 3), 0.5)
    next_w, config = rule(w, dw)
    assert set(config) == set(DEFAULTS[rule]) | set(STATE[rule])
    for key, value in DEFAULTS[rule].items():
        assert config[key] == value
    for key in STATE[rule]:
        if key != "t":
            assert config[key].shape == w.shape and config[key].dtype == np.float64
    assert next_w.shape == w.shape and next_w.dtype == np.float64
    # values the caller gave are kept
    _, config = rule(w, dw, {"learning_rate": 0.5})
    assert config["learning_rate"] == 0.5


@pytest.mark.parametrize("rule", DEFAULTS, ids=lambda r: r.__name__)
def test_same_config_returned_and_inputs_not_modified(rule, rng):
    w, dw = rng.standard_normal(4), rng.standard_normal(4)
    config = {key: rng.random(4) for key in STATE[rule] if key != "t"}  # state the caller holds
    if "t" in STATE[rule]:
        config["t"] = 3
    kept = {key: np.copy(value) for key, value in config.items()}
    held = dict(config)
    w_copy, dw_copy = w.copy(), dw.copy()

    next_w, out = rule(w, dw, config)

    assert out is config  # the same dict, updated
    np.testing.assert_array_equal(w, w_copy)
    np.testing.assert_array_equal(dw, dw_copy)
    assert next_w is not w and not np.array_equal(next_w, w)
    for key in kept:  # the caller's state arrays keep their old values; config holds new ones
        np.testing.assert_array_equal(held[key], kept[key])
        if key != "t":
            assert config[key] is not held[key]


@pytest.mark.parametrize("rule", DEFAULTS, ids=lambda r: r.__name__)
def test_lists_and_ints_are_accepted_as_float64(rule):
    next_w, _ = rule([1, 2], [1, 1])
    assert next_w.dtype == np.float64 and next_w.shape == (2,)


BAD_CONFIGS = [
    (sgd, "learning_rate", 0.0),
    (sgd, "learning_rate", -0.1),
    (sgd_momentum, "learning_rate", 0.0),
    (sgd_momentum, "momentum", 1.0),
    (sgd_momentum, "momentum", -0.1),
    (rmsprop, "learning_rate", -1.0),
    (rmsprop, "decay_rate", 1.0),
    (rmsprop, "epsilon", -1e-8),
    (adam, "learning_rate", 0.0),
    (adam, "beta1", 1.0),
    (adam, "beta2", 1.5),
    (adam, "beta2", -0.5),
    (adam, "epsilon", -1.0),
    (adam, "t", -1),
    (adam, "t", 1.5),
    (nesterov_momentum, "learning_rate", -1.0),
    (nesterov_momentum, "momentum", 1.0),
    (adagrad, "learning_rate", 0.0),
    (adagrad, "epsilon", -1e-10),
    (adadelta, "decay_rate", 1.0),
    (adadelta, "learning_rate", 0.0),
    (adamw, "learning_rate", -1e-3),
    (adamw, "weight_decay", -0.1),
    (adamw, "beta2", 1.0),
]


@pytest.mark.parametrize("rule, key, value", BAD_CONFIGS)
def test_bad_hyper_parameters_are_rejected_by_name(rule, key, value):
    with pytest.raises(ValueError, match=f"^{key} must"):
        rule(np.ones(2), np.ones(2), {key: value})


@pytest.mark.parametrize("rule", DEFAULTS, ids=lambda r: r.__name__)
def test_shape_mismatch_is_rejected(rule):
    with pytest.raises(ValueError, match="dw must have the shape of w"):
        rule(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="dw must have the shape of w"):
        rule(np.ones((2, 3)), np.ones((3, 2)))
    for key in STATE[rule]:
        if key != "t":
            with pytest.raises(ValueError, match=f"{key} must have the shape of w"):
                rule(np.ones(2), np.ones(2), {key: np.zeros(3)})


def test_rules_table():
    assert RULES == {"SGD": sgd, "Momentum": sgd_momentum, "Nesterov": nesterov_momentum, "AdaGrad": adagrad,
                     "RMSprop": rmsprop, "Adam": adam}


def test_new_rules_by_hand():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    # Nesterov, first step: v = 0.1 dw; step = lr ((1 - 0.9) dw + 0.9 v) = lr * 0.19 * dw
    np.testing.assert_allclose(nesterov_momentum(w, dw)[0], w - 1e-2 * 0.19 * dw)
    # AdaGrad, first step: cache = dw**2, so the step is lr * sign(dw) (up to epsilon)
    np.testing.assert_allclose(adagrad(w, dw, {"epsilon": 0.0})[0], w - 1e-2 * np.sign(dw))
    # ... and a constant gradient g for t steps: cache = t g**2, the t-th step is lr / sqrt(t)
    x, config = np.array([0.0]), {"learning_rate": 0.1, "epsilon": 0.0}
    steps = []
    for _ in range(4):
        new, config = adagrad(x, np.array([3.0]), config)
        steps.append(float(x[0] - new[0]))
        x = new
    np.testing.assert_allclose(steps, 0.1 / np.sqrt([1, 2, 3, 4]))
    # AdamW with a zero gradient: Adam's step is 0 (m = 0), so only the decay acts: w (1 - lr wd)
    np.testing.assert_allclose(adamw(w, np.zeros(2), {"learning_rate": 0.1, "weight_decay": 0.5})[0], w * 0.95)
    # AdamW with weight_decay = 0 is Adam
    np.testing.assert_array_equal(adamw(w, dw, {"weight_decay": 0.0})[0], adam(w, dw)[0])
    # Adadelta's first step with the defaults: sqrt(eps) / sqrt(0.1 dw**2 + eps) * dw
    np.testing.assert_allclose(adadelta(w, dw)[0], w - np.sqrt(1e-6) / np.sqrt(0.1 * dw**2 + 1e-6) * dw)


def test_nesterov_looks_ahead():
    # Nesterov's step equals momentum's step taken with the velocity one step ahead (the next
    # velocity if the gradient stayed dw): m_next = beta m + (1 - beta) dw, step = lr * m_next'
    rng = np.random.default_rng(7)
    w, v, dw = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)
    beta, lr = 0.8, 0.3
    nxt, config = nesterov_momentum(w, dw, {"learning_rate": lr, "momentum": beta, "velocity": v})
    v_new = beta * v + (1 - beta) * dw
    np.testing.assert_allclose(nxt, w - lr * (beta * v_new + (1 - beta) * dw))
    np.testing.assert_allclose(config["velocity"], v_new)


def test_adamw_is_not_adam_with_l2(torch):
    # PyTorch's Adam(weight_decay=wd) is Adam on dw + wd * w (L2); AdamW decays w itself: different paths
    rng = np.random.default_rng(3)
    w0, grad = random_quadratic(rng)
    config = {"learning_rate": 0.05, "weight_decay": 0.3}
    ours = path_ours(adamw, dict(config), grad, w0)
    l2 = path_torch(torch, lambda torch, p: torch.optim.Adam(p, lr=0.05, weight_decay=0.3), grad, w0)
    ours_l2 = path_ours(adam, {"learning_rate": 0.05}, lambda k, w: grad(k, w) + 0.3 * w, w0)
    assert relative_error(ours_l2 - w0, l2 - w0) < 1e-10
    assert relative_error(ours - w0, l2 - w0) > 1e-3


# -- Newton's method -----------------------------------------------------------------------------


def test_newton_step_solves_the_quadratic_model(rng):
    # f(w) = w.A w / 2 - c.w: one Newton step from anywhere lands on the minimum A^-1 c
    Q = rng.standard_normal((4, 4))
    A = Q @ Q.T + 0.1 * np.eye(4)
    c = rng.standard_normal(4)
    w = rng.standard_normal(4)
    np.testing.assert_allclose(newton_step(w, A @ w - c, A), np.linalg.solve(A, c), rtol=1e-10)
    # the same as the textbook formula with the inverse
    g = rng.standard_normal(4)
    np.testing.assert_allclose(newton_step(w, g, A), w - np.linalg.inv(A) @ g, rtol=1e-10)
    # inputs unchanged; lists accepted
    w_copy, A_copy = w.copy(), A.copy()
    newton_step(w, g, A)
    np.testing.assert_array_equal(w, w_copy)
    np.testing.assert_array_equal(A, A_copy)
    assert newton_step([1, 1], [2, 4], [[2, 0], [0, 4]]).tolist() == [0.0, 0.0]


def test_newton_step_with_autograd_on_rosenbrock(torch):
    # Newton's method converges on Rosenbrock's curved valley from the classic start in a few steps
    def f(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    w = np.array([-1.2, 1.0])
    for _ in range(7):
        p = torch.tensor(w, requires_grad=True)
        (g,) = torch.autograd.grad(f(p), p)
        H = torch.autograd.functional.hessian(f, p)
        w = newton_step(w, g.numpy(), H.numpy())
    np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-12)


@pytest.mark.parametrize("hessian", [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 1.0]], np.zeros((2, 2))])
def test_newton_step_refuses_a_singular_hessian(hessian):
    with pytest.raises(ValueError, match="hessian is singular"):
        newton_step(np.ones(2), np.ones(2), hessian)


@pytest.mark.parametrize(
    "w, grad, hessian, message",
    [
        (np.ones(2), np.ones(2), np.eye(3), "hessian must have shape"),
        (np.ones(2), np.ones(2), np.ones((2, 3)), "hessian must have shape"),
        (np.ones(2), np.ones(3), np.eye(2), "grad must have the shape of w"),
        (np.ones((2, 1)), np.ones((2, 1)), np.eye(2), "w must be 1-D"),
        (np.ones(2), np.ones(2), np.ones(2), "hessian must be 2-D"),
    ],
)
def test_newton_step_refuses_shapes_that_do_not_fit(w, grad, hessian, message):
    with pytest.raises(ValueError, match=message):
        newton_step(w, grad, hessian)


def test_momentum_forms_course_and_pytorch_agree_under_a_schedule(torch, rng):
    grads = rng.standard_normal((60, 4))
    lrs = 0.2 / (1 + np.arange(60) / 5)  # changes at every step
    forms = momentum_forms(grads, lrs, beta=0.8)
    assert forms["course"].shape == (61, 4)
    np.testing.assert_allclose(forms["pytorch"], forms["course"], rtol=1e-12, atol=1e-14)
    assert np.abs(forms["lr inside"] - forms["course"]).max() > 1e-3
    # and the "pytorch" form is what torch.optim.SGD does at the rate lr (1 - beta)
    theirs = path_torch(torch, lambda torch, p: torch.optim.SGD(p, lr=1.0, momentum=0.8), lambda k, w: grads[k],
                        np.zeros(4), learning_rates=lrs * 0.2, num_steps=60)
    np.testing.assert_allclose(theirs, forms["pytorch"], rtol=1e-12, atol=1e-14)


def test_momentum_forms_lr_inside_agrees_only_until_the_rate_drops(rng):
    grads = rng.standard_normal((80, 2))
    lrs = np.where(np.arange(80) < 40, 0.1, 0.01)
    forms = momentum_forms(grads, lrs, beta=0.9)
    gap = np.abs(forms["lr inside"] - forms["course"]).max(axis=1)
    assert gap[:41].max() < 1e-12 and gap[41:].max() > 1e-3
