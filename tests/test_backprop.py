"""ps03 maths: parameter counts and a forward pass by hand, backpropagation against PyTorch and differences."""

import numpy as np
import pytest

from nnref.backprop import (
    backward,
    count_parameters,
    forward,
    init_params,
    numerical_gradient,
    relative_error,
    train_network,
)
from nnref.logistic import log_loss

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu"]


def random_network(rng, m, n_x, n_h, n_y):
    """Inputs, 0/1 labels and parameters of unit scale, so that every layer does something."""
    X = rng.standard_normal((m, n_x))
    Y = (rng.random((m, n_y)) < 0.5).astype(float)
    params = {
        "W1": rng.standard_normal((n_x, n_h)),
        "b1": rng.standard_normal(n_h),
        "W2": rng.standard_normal((n_h, n_y)),
        "b2": rng.standard_normal(n_y),
    }
    return X, Y, params


def test_count_parameters_of_the_seed_networks():
    # (3*4 + 4) + (4*2 + 2) and (3*4 + 4) + (4*4 + 4) + (4*1 + 1)
    assert count_parameters([3, 4, 2]) == 26
    assert count_parameters([3, 4, 4, 1]) == 41
    assert count_parameters((2, 1)) == 3


def test_init_params_shapes_scale_and_draw_order():
    params = init_params(3, 4, 2, np.random.default_rng(7))
    assert {key: value.shape for key, value in params.items()} == {
        "W1": (3, 4), "b1": (4,), "W2": (4, 2), "b2": (2,)
    }
    np.testing.assert_array_equal(params["b1"], np.zeros(4))
    np.testing.assert_array_equal(params["b2"], np.zeros(2))
    # W1 is drawn first, then W2, each as standard_normal(shape) * 0.01
    twin = np.random.default_rng(7)
    np.testing.assert_array_equal(params["W1"], twin.standard_normal((3, 4)) * 0.01)
    np.testing.assert_array_equal(params["W2"], twin.standard_normal((4, 2)) * 0.01)
    assert all(value.dtype == np.float64 for value in params.values())


def test_forward_of_the_seed_example():
    # the seeds' inputs (3 examples, 2 features) with hand-set weights
    X = np.array([[3.0, 5.0], [5.0, 1.0], [10.0, 2.0]])
    params = {
        "W1": np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]),
        "b1": np.array([0.0, 0.0, -2.0]),
        "W2": np.array([[1.0], [0.0], [-1.0]]),
        "b2": np.array([0.5]),
    }
    a2, cache = forward(X, params, activation="relu")
    # Z1 = [3 W11 + 5 W21, ...] row by row, then + b1
    np.testing.assert_array_equal(cache["Z1"], [[3.0, 5.0, -1.0], [5.0, 1.0, 7.0], [10.0, 2.0, 16.0]])
    np.testing.assert_array_equal(cache["A1"], [[3.0, 5.0, 0.0], [5.0, 1.0, 7.0], [10.0, 2.0, 16.0]])
    # Z2 = A1[:, 0] - A1[:, 2] + 0.5
    np.testing.assert_array_equal(cache["Z2"], [[3.5], [-1.5], [-5.5]])
    np.testing.assert_allclose(a2, 1.0 / (1.0 + np.exp(-np.array([[3.5], [-1.5], [-5.5]]))), rtol=1e-15)
    assert cache["A2"] is a2
    a2_tanh, cache_tanh = forward(X, params)  # tanh by default
    np.testing.assert_allclose(cache_tanh["A1"], np.tanh(cache["Z1"]), rtol=1e-15)
    assert a2_tanh.shape == (3, 1)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backward_matches_pytorch(torch, activation):
    torch_g = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    rng = np.random.default_rng(3)
    for m, n_x, n_h, n_y in [(1, 1, 1, 1), (4, 3, 5, 1), (10, 2, 4, 3), (25, 6, 8, 2)]:
        X, Y, params = random_network(rng, m, n_x, n_h, n_y)
        a2, cache = forward(X, params, activation)
        grads = backward(X, Y, params, cache, activation)
        leaves = {key: torch.tensor(value, requires_grad=True) for key, value in params.items()}
        Y_t = torch.tensor(Y)
        A1 = torch_g(torch.tensor(X) @ leaves["W1"] + leaves["b1"])
        A2 = torch.sigmoid(A1 @ leaves["W2"] + leaves["b2"])
        cost = -torch.sum(Y_t * torch.log(A2) + (1 - Y_t) * torch.log(1 - A2)) / m
        cost.backward()
        assert log_loss(a2, Y) == pytest.approx(cost.item(), rel=1e-12)
        for key, leaf in leaves.items():
            assert grads["d" + key].shape == params[key].shape
            assert relative_error(grads["d" + key], leaf.grad.numpy()) < 1e-10, (activation, key, m)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backward_matches_numerical_gradient(activation, rng):
    X, Y, params = random_network(rng, 6, 3, 4, 2)
    _, cache = forward(X, params, activation)
    grads = backward(X, Y, params, cache, activation)

    def cost(_):
        return log_loss(forward(X, params, activation)[0], Y)

    for key in params:
        assert relative_error(grads["d" + key], numerical_gradient(cost, params[key])) < 1e-7, key


def test_backward_does_not_mutate_inputs(rng):
    X, Y, params = random_network(rng, 5, 2, 3, 1)
    _, cache = forward(X, params)
    before = {key: value.copy() for key, value in {**params, **cache, "X": X, "Y": Y}.items()}
    backward(X, Y, params, cache)
    for key, value in {**params, **cache, "X": X, "Y": Y}.items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_numerical_gradient_of_a_known_function():
    # f(x) = sum(x**3) + x0 * x1 has gradient 3 x**2 + (x1, x0, 0)
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    g = numerical_gradient(lambda v: np.sum(v**3) + v[0] * v[1], x)
    np.testing.assert_allclose(g, 3 * before**2 + np.array([-2.0, 1.0, 0.0]), rtol=1e-8)
    np.testing.assert_array_equal(x, before)  # every entry restored exactly
    # a matrix argument, with the function reading it through a closure
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = numerical_gradient(lambda _: np.sum(A**2), A)
    np.testing.assert_allclose(g, 2 * A, rtol=1e-8)
    np.testing.assert_array_equal(A, [[1.0, 2.0], [3.0, 4.0]])


def test_numerical_gradient_restores_x_when_f_fails():
    x = np.array([1.0, 2.0])

    def broken(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(broken, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # ||(3, 4)|| / (||(3, 4)|| + 0) = 1
    assert relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 1.0
    # opposite vectors: ||2a|| / (2 ||a||) = 1
    assert relative_error(np.array([1.0, -1.0]), np.array([-1.0, 1.0])) == pytest.approx(1.0)
    # ||(0, 1)|| / (1 + sqrt(2))
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(1 / (1 + np.sqrt(2)))
    assert isinstance(relative_error(np.ones((2, 2)), 2 * np.ones((2, 2))), float)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_train_network_learns_an_interval(activation):
    # label 1 inside (-0.5, 1.5): not linearly separable, but one hidden layer can cut out the interval
    X = np.linspace(-3, 3, 25)[:, None]
    Y = ((X > -0.5) & (X < 1.5)).astype(float)
    params, costs = train_network(X, Y, n_h=6, activation=activation, lr=2.0, num_iters=2000,
                                  rng=np.random.default_rng(1))
    assert costs.shape == (2000,)
    assert costs[0] == pytest.approx(np.log(2.0), abs=1e-2)  # tiny weights: every prediction near 1/2
    assert costs[-1] < 0.05
    a2, _ = forward(X, params, activation)
    np.testing.assert_array_equal(a2 > 0.5, Y == 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: count_parameters([3]), "layer_sizes"),
        (lambda: count_parameters([3, 0, 2]), "layer_sizes"),
        (lambda: count_parameters([3, 2.5]), "layer_sizes"),
        (lambda: init_params(0, 4, 1, np.random.default_rng(0)), "n_x"),
        (lambda: init_params(2, 4, 1, 0), "rng"),
        (lambda: forward(np.ones((3, 2)), init_params(2, 4, 1, np.random.default_rng(0)), "softplus"), "activation"),
        (lambda: forward(np.ones((3, 5)), init_params(2, 4, 1, np.random.default_rng(0))), "params"),
        (lambda: forward(np.ones(3), init_params(3, 4, 1, np.random.default_rng(0))), "X must be 2-D"),
        (lambda: forward(np.ones((3, 2)), {"W1": np.ones((2, 4))}), "params is missing"),
        (lambda: backward(np.ones((3, 2)), np.ones(3), *_net(), "tanh"), "Y must be 2-D"),
        (lambda: backward(np.ones((3, 2)), np.ones((3, 2)), *_net(), "tanh"), "Y.*shape|shape.*Y"),
        (lambda: backward(np.ones((3, 2)), np.ones((4, 1)), *_net(), "tanh"), "same number of examples"),
        (lambda: backward(np.ones((3, 2)), np.ones((3, 1)), _net()[0], {}, "tanh"), "cache"),
        (lambda: numerical_gradient(np.sum, [1.0, 2.0]), "x must be a float64"),
        (lambda: numerical_gradient(np.sum, np.ones(2), h=0.0), "h must be a positive"),
        (lambda: relative_error(np.ones(2), np.ones(3)), "shape"),
        (lambda: train_network(np.ones((3, 2)), np.ones((3, 1)), 4, "tanh", -0.1, 5, np.random.default_rng(0)), "lr"),
        (lambda: train_network(np.ones((3, 2)), np.ones((3, 1)), 0, "tanh", 0.1, 5, np.random.default_rng(0)), "n_h"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _net():
    """Parameters and the forward cache of a small network on three examples of two features."""
    params = init_params(2, 4, 1, np.random.default_rng(0))
    _, cache = forward(np.ones((3, 2)), params)
    return params, cache


def test_forward_difference_has_the_contract_of_numerical_gradient():
    # the book's one-sided differences: (f(x + h) - f(x)) / h, x restored, even when f fails
    from nnref.backprop import forward_difference

    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = forward_difference(lambda v: np.sum(v**2), x, h=1e-3)
    np.testing.assert_allclose(g, 2 * x + 1e-3, rtol=1e-9)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])
    with pytest.raises(ValueError, match="h must be"):
        forward_difference(lambda v: 0.0, x, h=0.0)
