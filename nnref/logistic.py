"""Classification with one neuron: sigmoid, log loss, logistic regression (book: ``log-loss``; graded in ps02).

Conventions: rows are examples, ``X`` has shape (m, n), ``y`` and ``y_hat`` shape (m,) with labels 0/1,
``w`` shape (n,), ``b`` a float. Logistic regression is the perceptron of ``nnref.perceptron``
followed by a sigmoid. The activation functions (``ACTIVATIONS``, ``softmax``) are also used by
``nnref.backprop`` and by the book's activation-function explorer.
"""

import numpy as np

from ._validate import as_float_array, check_non_negative_int, check_positive, check_rows, check_same_shape
from .perceptron import predict


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, elementwise and stable for any float input.

    z: a float or an array of any shape. Returns an array of the same shape (a float for a scalar),
    with values in [0, 1]; ``sigmoid(-1000)`` is 0.0 and ``sigmoid(1000)`` is 1.0, with no warning.
    """
    z = as_float_array(z, "z")
    # exp(-|z|) lies in (0, 1], so it can neither overflow nor divide by zero
    e = np.exp(-np.abs(z))
    # z >= 0: 1 / (1 + e^-z);  z < 0: multiply above and below by e^z to get e^z / (1 + e^z)
    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a[()]


def _sigmoid_derivative(z):
    a = sigmoid(z)
    return a * (1.0 - a)


def tanh(z):
    """The hyperbolic tangent, elementwise; values in [-1, 1]."""
    return np.tanh(as_float_array(z, "z"))[()]


def _tanh_derivative(z):
    return 1.0 - tanh(z) ** 2


def relu(z):
    """The rectified linear unit ``max(z, 0)``, elementwise."""
    return np.maximum(as_float_array(z, "z"), 0.0)[()]


def _relu_derivative(z):
    # the kink at 0 has no derivative; we use 0 there (a valid subgradient, and PyTorch's choice)
    return (as_float_array(z, "z") > 0).astype(np.float64)[()]


ACTIVATIONS = {
    "sigmoid": (sigmoid, _sigmoid_derivative),
    "tanh": (tanh, _tanh_derivative),
    "relu": (relu, _relu_derivative),
}
"""Hidden-layer activations by name: ``name -> (g, g_prime)``, both elementwise functions of ``z``.

``g_prime`` is the derivative of ``g`` at ``z``: ``a (1 - a)`` for the sigmoid, ``1 - a**2`` for tanh
and 1 where ``z > 0`` else 0 for relu; relu's derivative at exactly ``z = 0`` is taken to be 0.
"""


def softmax(z):
    """Row-wise softmax ``exp(z_ij) / sum_j exp(z_ij)``, stable for large inputs.

    z: scores of shape (m, k), one row per example (or a single row of shape (k,)).
    Returns probabilities of the same shape; each row is positive and sums to 1.
    """
    z = as_float_array(z, "z")
    if z.ndim not in (1, 2):
        raise ValueError(f"z must be 1-D or 2-D, got shape {z.shape}")
    # softmax is unchanged by subtracting a constant from a row; with the row maximum, exp is at most 1
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_loss(y_hat, y, eps=1e-12):
    """The log loss (binary cross-entropy), ``-(1/m) * sum(y log y_hat + (1 - y) log(1 - y_hat))``.

    y_hat: predicted probabilities of shape (m,); y: labels 0/1 of shape (m,). Both may also have
    shape (m, k) for k outputs: the sum then runs over examples and outputs, still divided by m.
    eps: ``y_hat`` is clipped to [eps, 1 - eps] so that exact 0/1 predictions give a finite loss.
    Returns a float.
    """
    y_hat = as_float_array(y_hat, "y_hat")
    y = as_float_array(y, "y")
    check_same_shape("y_hat", y_hat, "y", y)
    if y.ndim not in (1, 2) or y.shape[0] == 0:
        raise ValueError(f"y must have shape (m,) or (m, k) with at least one example, got {y.shape}")
    if not (0.0 < eps < 0.5):
        raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")
    m = y.shape[0]
    # keep log away from 0
    y_hat = np.clip(y_hat, eps, 1.0 - eps)
    return float(-np.sum(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat)) / m)


def log_loss_gradients(X, y, w, b):
    """Gradients of ``log_loss(sigmoid(X @ w + b), y)`` with respect to ``w`` and ``b``.

    X: shape (m, n); y: labels 0/1 of shape (m,); w: shape (n,); b: float.
    Returns (dw, db): ``dw = X.T @ (a - y) / m`` of shape (n,) and ``db = mean(a - y)`` a float,
    where ``a = sigmoid(X @ w + b)``.
    """
    a = sigmoid(predict(X, w, b))
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    m = X.shape[0]
    # chain rule: dL/da * da/dz = (a - y) / (a (1 - a)) * a (1 - a) = a - y, then dz/dw = x, dz/db = 1
    dz = (a - y) / m
    return X.T @ dz, float(np.sum(dz))


def train_logistic(X, y, lr, num_iters):
    """Logistic regression by batch gradient descent, starting from ``w = 0``, ``b = 0``.

    X: shape (m, n); y: labels 0/1 of shape (m,); lr: learning rate > 0; num_iters: number of updates >= 0.
    Returns (w, b, costs): the final weights (n,) and bias, and ``costs`` of shape (num_iters,)
    where ``costs[i]`` is the log loss *before* update i.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    check_positive(lr, "lr")
    check_non_negative_int(num_iters, "num_iters")
    w = np.zeros(X.shape[1])
    b = 0.0
    costs = np.empty(num_iters)
    for i in range(num_iters):
        costs[i] = log_loss(sigmoid(X @ w + b), y)
        dw, db = log_loss_gradients(X, y, w, b)
        # step against the gradient
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs


def predict_classes(X, w, b, threshold=0.5):
    """Class labels from the predicted probabilities ``sigmoid(X @ w + b)``.

    X: shape (m, n); w: shape (n,); b: float; threshold: a probability in [0, 1].
    Returns integer labels of shape (m,): 1 where the probability is strictly above ``threshold``, else 0
    (so with 0.5, label 1 exactly when ``X @ w + b > 0``, as scikit-learn's ``LogisticRegression``).
    """
    if not (0.0 <= threshold <= 1.0):
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
    return (sigmoid(predict(X, w, b)) > threshold).astype(int)
