"""ps02 maths: hand-computed cases, stability without warnings, gradients against PyTorch and differences."""

import warnings

import numpy as np
import pytest

from numeric import numeric_grad
from nnref.logistic import (
    ACTIVATIONS,
    log_loss,
    log_loss_gradients,
    predict_classes,
    sigmoid,
    softmax,
    train_logistic,
)


def logistic_cost(X, y, w, b):
    """The log loss of logistic regression written out directly, for the checks below."""
    a = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))


def test_sigmoid_by_hand():
    assert sigmoid(0.0) == 0.5
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, and sigmoid(-z) = 1 - sigmoid(z)
    np.testing.assert_allclose(sigmoid(np.array([np.log(3.0), -np.log(3.0)])), [0.75, 0.25], rtol=1e-15)
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14)


def test_sigmoid_keeps_shape_and_input():
    z = np.array([[-1.0, 0.0], [2.0, 3.0]])
    before = z.copy()
    assert sigmoid(z).shape == (2, 2)
    assert sigmoid(z).dtype == np.float64
    np.testing.assert_array_equal(z, before)


def test_sigmoid_of_huge_inputs_is_finite_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, divide) fails the test
        a = sigmoid(np.array([-1000.0, -750.0, 750.0, 1000.0]))
        assert sigmoid(1000.0) == 1.0
        assert sigmoid(-1000.0) == 0.0
    assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, [0.0, 0.0, 1.0, 1.0])


def test_log_loss_by_hand():
    # every prediction 1/2: the loss is ln 2 whatever the labels
    assert log_loss(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == pytest.approx(np.log(2.0), rel=1e-15)
    # -(ln 0.9 + ln(1 - 0.2)) / 2
    assert log_loss(np.array([0.9, 0.2]), np.array([1.0, 0.0])) == pytest.approx(0.16425203348601893, rel=1e-14)
    assert isinstance(log_loss(np.array([0.9]), np.array([1.0])), float)


def test_log_loss_sums_outputs_and_averages_examples():
    y_hat = np.array([[0.5, 0.9], [0.5, 0.2]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    expected = -(2 * np.log(0.5) + np.log(0.9) + np.log(0.8)) / 2
    assert log_loss(y_hat, y) == pytest.approx(expected, rel=1e-14)


def test_log_loss_of_exact_predictions_is_finite_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = log_loss(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        wrong = log_loss(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    assert 0.0 < right < 1e-11
    # clipped to eps = 1e-12: each example costs about -ln(1e-12) (1 - eps is rounded in float64)
    assert wrong == pytest.approx(-np.log(1e-12), rel=1e-3)


def test_log_loss_gradients_by_hand():
    # from zeros every a = 1/2, so a - y = [1/2, -1/2]
    X = np.array([[1.0], [2.0]])
    y = np.array([0.0, 1.0])
    dw, db = log_loss_gradients(X, y, np.zeros(1), 0.0)
    np.testing.assert_allclose(dw, [(0.5 - 1.0) / 2])
    assert db == 0.0
    assert isinstance(db, float)


def test_log_loss_gradients_match_numerical(rng):
    X = rng.standard_normal((9, 3))
    y = (rng.random(9) < 0.5).astype(float)
    w = rng.standard_normal(3)
    b = -0.4
    dw, db = log_loss_gradients(X, y, w, b)
    num_dw = numeric_grad(lambda v: logistic_cost(X, y, v, b), w.copy())
    num_db = numeric_grad(lambda v: logistic_cost(X, y, w, v[0]), np.array([b]))
    np.testing.assert_allclose(dw, num_dw, rtol=1e-7, atol=1e-9)
    assert db == pytest.approx(num_db[0], rel=1e-7)


def test_log_loss_gradients_match_pytorch(torch, rng):
    for m, n in [(1, 1), (5, 2), (20, 4)]:
        X = rng.standard_normal((m, n))
        y = (rng.random(m) < 0.5).astype(float)
        w = rng.standard_normal(n)
        b = rng.standard_normal()
        w_t = torch.tensor(w, requires_grad=True)
        b_t = torch.tensor(b, requires_grad=True)
        z = torch.tensor(X) @ w_t + b_t
        cost = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
        cost.backward()
        dw, db = log_loss_gradients(X, y, w, b)
        np.testing.assert_allclose(dw, w_t.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert db == pytest.approx(b_t.grad.item(), rel=1e-12, abs=1e-15)


def test_train_logistic_steps_and_costs():
    X = np.array([[1.0], [2.0]])
    y = np.array([0.0, 1.0])
    # one hand-computed step with lr = 1: dw = -1/4, db = 0
    w, b, costs = train_logistic(X, y, lr=1.0, num_iters=1)
    np.testing.assert_allclose(w, [0.25])
    assert b == 0.0
    # the first cost is at w = 0, b = 0, where every prediction is 1/2
    assert costs[0] == pytest.approx(np.log(2.0))
    w, b, costs = train_logistic(X, y, lr=1.0, num_iters=50)
    assert costs.shape == (50,)
    assert np.all(np.diff(costs) < 0)
    _, _, none = train_logistic(X, y, lr=1.0, num_iters=0)
    assert none.shape == (0,)


def test_train_logistic_does_not_mutate_inputs(rng):
    X = rng.standard_normal((6, 2))
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    X0, y0 = X.copy(), y.copy()
    train_logistic(X, y, lr=0.5, num_iters=5)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_train_logistic_reaches_scikit_learn_optimum(rng):
    linear_model = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is the oracle here")
    X = rng.standard_normal((100, 2))
    # noisy labels, so that the optimum is finite
    y = (X @ np.array([1.5, -1.0]) + 0.3 + rng.standard_normal(100) > 0).astype(float)
    w, b, _ = train_logistic(X, y, lr=1.0, num_iters=3000)
    model = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(np.append(w, b), np.append(model.coef_[0], model.intercept_), atol=1e-5)


def test_predict_classes():
    X = np.array([[-2.0], [-0.1], [0.1], [3.0]])
    labels = predict_classes(X, np.array([1.0]), 0.0)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    assert np.issubdtype(labels.dtype, np.integer)
    # probabilities sigmoid([-2, -0.1, 0.1, 3]) ~ [0.12, 0.475, 0.525, 0.95]
    np.testing.assert_array_equal(predict_classes(X, np.array([1.0]), 0.0, threshold=0.9), [0, 0, 0, 1])
    np.testing.assert_array_equal(predict_classes(X, np.array([1.0]), 0.0, threshold=0.1), [1, 1, 1, 1])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_activation_derivatives_match_numerical(name):
    g, g_prime = ACTIVATIONS[name]
    z = np.array([-3.0, -0.7, -0.2, 0.3, 1.1, 4.0])  # away from relu's kink at 0
    np.testing.assert_allclose(g_prime(z), numeric_grad(lambda v: np.sum(g(v)), z.copy()), rtol=1e-8, atol=1e-10)


def test_activations_by_hand():
    z = np.array([-2.0, 0.0, 3.0])
    g, g_prime = ACTIVATIONS["relu"]
    np.testing.assert_array_equal(g(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(g_prime(z), [0.0, 0.0, 1.0])  # 0 at the kink, by convention
    g, g_prime = ACTIVATIONS["tanh"]
    assert g(0.0) == 0.0 and g_prime(0.0) == 1.0
    g, g_prime = ACTIVATIONS["sigmoid"]
    assert g(0.0) == 0.5 and g_prime(0.0) == 0.25


def test_softmax():
    z = np.array([[0.0, 0.0], [0.0, np.log(3.0)], [1000.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # adding a constant to a row changes nothing
    np.testing.assert_allclose(softmax(z[:2] + 50.0), p[:2], rtol=1e-14)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: log_loss(np.ones(3) / 2, np.ones(2)), "y_hat.*shape|shape.*y_hat"),
        (lambda: log_loss(np.array([]), np.array([])), "at least one example"),
        (lambda: log_loss(np.ones(2) / 2, np.ones(2), eps=0.0), "eps"),
        (lambda: log_loss_gradients(np.ones((3, 2)), np.ones(2), np.ones(2), 0.0), "same number of examples"),
        (lambda: log_loss_gradients(np.ones(3), np.ones(3), np.ones(1), 0.0), "X must be 2-D"),
        (lambda: log_loss_gradients(np.ones((3, 2)), np.ones(3), np.ones(3), 0.0), "w must have one weight"),
        (lambda: train_logistic(np.ones((3, 2)), np.ones(3), lr=0.0, num_iters=5), "lr must be a positive"),
        (lambda: train_logistic(np.ones((3, 2)), np.ones(3), lr=0.1, num_iters=-1), "num_iters"),
        (lambda: train_logistic(np.ones((3, 2)), np.ones(3), lr=0.1, num_iters=2.5), "num_iters"),
        (lambda: predict_classes(np.ones((3, 2)), np.ones(2), 0.0, threshold=1.5), "threshold"),
        (lambda: softmax(np.ones((2, 2, 2))), "z must be 1-D or 2-D"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
