"""Batch, stochastic and mini-batch gradient descent (book: ``gradient-descent-variants``; graded in ps04).

Conventions: rows are examples, ``X`` has shape (m, n), ``y`` shape (m,) with labels 0/1.
The model is the logistic regression of ``nnref.logistic``; only the data each update sees changes:
``batch_size = m`` is batch gradient descent, ``batch_size = 1`` is stochastic gradient descent.
"""

import numpy as np

from ._validate import as_float_array, check_non_negative_int, check_positive, check_positive_int, check_rng, check_rows
from .logistic import log_loss, log_loss_gradients, sigmoid


def make_minibatches(X, y, batch_size, rng):
    """Shuffle the examples once and cut them into mini-batches.

    X: shape (m, n); y: shape (m,); batch_size: an integer >= 1; rng: a ``np.random.Generator``.
    Returns a list of ``(X_batch, y_batch)`` pairs (copies), of shapes (batch_size, n) and (batch_size,),
    except the last one, which holds the remaining ``m % batch_size`` examples when that is not zero.
    Every example is in exactly one batch; a ``batch_size`` larger than m gives a single batch.
    The shuffle is one call to ``rng.permutation(m)``.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one example")
    check_positive_int(batch_size, "batch_size")
    check_rng(rng)
    m = X.shape[0]
    # 1) shuffle, so that each batch is a random sample of the data
    order = rng.permutation(m)
    # 2) partition the shuffled order into consecutive slices
    batches = []
    for start in range(0, m, batch_size):
        rows = order[start:start + batch_size]
        batches.append((X[rows], y[rows]))
    return batches


def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    """Logistic regression by mini-batch gradient descent, starting from ``w = 0``, ``b = 0``.

    X: shape (m, n); y: labels 0/1 of shape (m,); lr: learning rate > 0; num_epochs: number of passes
    over the data >= 0; batch_size: an integer >= 1; rng: a ``np.random.Generator``, which reshuffles
    the data at the start of every epoch (``make_minibatches``).
    Returns (w, b, costs): the final weights (n,) and bias, and ``costs`` of shape (num_epochs,) where
    ``costs[k]`` is the log loss on the full data *after* epoch k. Each epoch makes ``ceil(m / batch_size)``
    updates, one per mini-batch.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    check_positive(lr, "lr")
    check_non_negative_int(num_epochs, "num_epochs")
    check_positive_int(batch_size, "batch_size")
    check_rng(rng)
    w = np.zeros(X.shape[1])
    b = 0.0
    costs = np.empty(num_epochs)
    for k in range(num_epochs):
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            # the gradient on one mini-batch estimates the full-data gradient
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w = w - lr * dw
            b = b - lr * db
        costs[k] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
