"""ps06 maths: every update rule against torch.optim, its state, its inputs, its defaults, bad input."""

import numpy as np
import pytest

from nnref.optim import RULES, adam, rmsprop, run, sgd, sgd_momentum

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


def path_torch(torch, make_optimizer, grad, w0, learning_rates=None):
    """Iterates of a torch.optim optimizer fed the same gradient function."""
    param = torch.tensor(w0, requires_grad=True)
    optimizer = make_optimizer(torch, [param])
    path = [w0]
    for k in range(NUM_STEPS):
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
    rmsprop: {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    adam: {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
STATE = {sgd: [], sgd_momentum: ["velocity"], rmsprop: ["cache"], adam: ["m", "v", "t"]}


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
    if rule is adam:
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


def test_run_path_shape_and_inputs():
    w0 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    config = {"learning_rate": 0.1}
    path = run(adam, lambda w: 2 * w, w0, 7, config)
    assert path.shape == (8, 2, 3)
    np.testing.assert_array_equal(path[0], w0)
    assert config == {"learning_rate": 0.1}  # the caller's config is not filled nor given state
    np.testing.assert_array_equal(w0, [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    assert run(sgd, lambda w: w, w0, 0).shape == (1, 2, 3)


def test_run_sgd_on_a_parabola_by_hand():
    # f = 1.5 w**2, dw = 3 w: each step multiplies w by 1 - 0.1 * 3
    path = run(sgd, lambda w: 3 * w, np.array([2.0]), 5, {"learning_rate": 0.1})
    np.testing.assert_allclose(path[:, 0], 2.0 * 0.7 ** np.arange(6))


def test_run_equals_the_explicit_loop(rng):
    w0, grad = random_quadratic(rng)
    expected = path_ours(adam, {"learning_rate": 0.05}, grad, w0)
    path = run(adam, lambda w: grad(0, w), w0, NUM_STEPS, {"learning_rate": 0.05})
    np.testing.assert_array_equal(path, expected)


def test_rules_table_and_run_checks():
    assert RULES == {"SGD": sgd, "Momentum": sgd_momentum, "RMSprop": rmsprop, "Adam": adam}
    with pytest.raises(ValueError, match="num_steps"):
        run(sgd, lambda w: w, np.ones(2), -1)
