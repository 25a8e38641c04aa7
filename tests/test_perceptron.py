"""ps01 maths: hand-computed cases, a numerical gradient check, bad input."""

import numpy as np
import pytest

from numeric import numeric_grad
from nnref.perceptron import cost_gradients, gradient_descent, predict, squared_error_cost


# A tiny data set worked by hand: y_hat = [1*1 + 2*0 + 1, 1*3 + 2*1 + 1] = [2, 6]
X = np.array([[1.0, 0.0], [3.0, 1.0]])
w = np.array([1.0, 2.0])
b = 1.0
y = np.array([1.0, 8.0])


def test_predict_by_hand():
    np.testing.assert_allclose(predict(X, w, b), [2.0, 6.0])


def test_cost_by_hand():
    # residuals 1 and -2: (1 + 4) / (2 * 2)
    assert squared_error_cost(np.array([2.0, 6.0]), y) == pytest.approx(1.25)


def test_gradients_by_hand():
    dw, db = cost_gradients(X, y, w, b)
    # residual / m = [0.5, -1]; dw = X.T @ that, db = its sum
    np.testing.assert_allclose(dw, [0.5 - 3.0, -1.0])
    assert db == pytest.approx(-0.5)
    assert isinstance(db, float)


def test_gradients_match_numerical(rng):
    X = rng.standard_normal((7, 3))
    y = rng.standard_normal(7)
    w = rng.standard_normal(3)
    b = 0.3
    dw, db = cost_gradients(X, y, w, b)
    num_dw = numeric_grad(lambda v: squared_error_cost(predict(X, v, b), y), w.copy())
    num_db = numeric_grad(lambda v: squared_error_cost(predict(X, w, v[0]), y), np.array([b]))
    np.testing.assert_allclose(dw, num_dw, rtol=1e-7, atol=1e-9)
    assert db == pytest.approx(num_db[0], rel=1e-7)


def test_gradient_descent_costs_and_inputs():
    w0 = np.zeros(2)
    w_end, b_end, costs = gradient_descent(X, y, w0, 0.0, lr=0.1, num_iters=3)
    assert costs.shape == (3,)
    # the first cost is the cost at the starting point: (1 + 64) / 4
    assert costs[0] == pytest.approx(16.25)
    assert np.all(np.diff(costs) < 0)
    np.testing.assert_array_equal(w0, [0.0, 0.0])  # not modified in place
    # one hand-computed step: residual/m = [-0.5, -4], dw = [-12.5, -4], db = -4.5
    w1, b1, _ = gradient_descent(X, y, w0, 0.0, lr=0.1, num_iters=1)
    np.testing.assert_allclose(w1, [1.25, 0.4])
    assert b1 == pytest.approx(0.45)


def test_gradient_descent_converges_to_least_squares(rng):
    X = rng.standard_normal((50, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.01 * rng.standard_normal(50)
    w_end, b_end, _ = gradient_descent(X, y, np.zeros(2), 0.0, lr=0.5, num_iters=500)
    A = np.column_stack([X, np.ones(50)])
    exact = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(np.append(w_end, b_end), exact, atol=1e-8)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: predict(X[0], w, b), "X must be 2-D"),
        (lambda: predict(X, np.ones(3), b), "w must have one weight per feature"),
        (lambda: squared_error_cost(np.ones(3), np.ones(2)), "same shape"),
        (lambda: cost_gradients(X, np.ones(3), w, b), "same number of examples"),
        (lambda: gradient_descent(X, y, w, b, lr=0.0, num_iters=5), "lr must be a positive"),
        (lambda: gradient_descent(X, y, w, b, lr=-1.0, num_iters=5), "lr must be a positive"),
        (lambda: gradient_descent(X, y, w, b, lr=0.1, num_iters=2.5), "num_iters"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
