"""A perceptron as linear regression (book: ``perceptron``; graded in ps01).

Conventions: rows are examples, ``X`` has shape (m, n), ``y`` and ``y_hat`` shape (m,),
``w`` shape (n,), ``b`` a float.
"""

import numpy as np

from ._validate import as_float_array, check_non_negative_int, check_positive, check_rows


def _check_linear(X, w, b):
    X = as_float_array(X, "X", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have one weight per feature: X has {X.shape[1]} columns, w shape {w.shape}")
    return X, w, float(b)


def predict(X, w, b):
    """Output of the perceptron, ``X @ w + b``.

    X: inputs of shape (m, n); w: weights of shape (n,); b: bias (float).
    Returns y_hat of shape (m,).
    """
    X, w, b = _check_linear(X, w, b)
    return X @ w + b


def squared_error_cost(y_hat, y):
    """Half the mean squared error, ``(1 / 2m) * sum((y_hat - y)**2)``.

    y_hat, y: arrays of shape (m,). Returns a float.
    """
    y_hat = as_float_array(y_hat, "y_hat", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {y_hat.shape} and {y.shape}")
    if y.shape[0] == 0:
        raise ValueError("y must hold at least one example")
    m = y.shape[0]
    return float(np.sum((y_hat - y) ** 2) / (2 * m))


def cost_gradients(X, y, w, b):
    """Gradients of ``squared_error_cost(predict(X, w, b), y)`` with respect to ``w`` and ``b``.

    X: shape (m, n); y: shape (m,); w: shape (n,); b: float.
    Returns (dw, db): dw of shape (n,), db a float.
    """
    X, w, b = _check_linear(X, w, b)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    m = X.shape[0]
    # chain rule: dJ/dy_hat = (y_hat - y) / m, and dy_hat/dw = x, dy_hat/db = 1
    residual = (X @ w + b - y) / m
    return X.T @ residual, float(np.sum(residual))


def gradient_descent(X, y, w, b, lr, num_iters):
    """Batch gradient descent on the squared-error cost.

    X: shape (m, n); y: shape (m,); w: initial weights of shape (n,); b: initial bias;
    lr: learning rate > 0; num_iters: number of updates >= 0.
    Returns (w, b, costs): the final weights (n,) and bias, and ``costs`` of shape (num_iters,)
    where ``costs[i]`` is the cost *before* update i. The inputs are not modified.
    """
    X, w, b = _check_linear(X, w, b)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    check_positive(lr, "lr")
    check_non_negative_int(num_iters, "num_iters")
    w = w.copy()
    costs = np.empty(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(X @ w + b, y)
        dw, db = cost_gradients(X, y, w, b)
        # step against the gradient
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs
