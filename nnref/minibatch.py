"""Batch, stochastic and mini-batch gradient descent (book: ``gradient-descent-variants``; graded in ps04).

Conventions: rows are examples, ``X`` has shape (m, n), ``y`` shape (m,) with labels 0/1.
The model is the logistic regression of ``nnref.logistic``; only the data each update sees changes:
``batch_size = m`` is batch gradient descent, ``batch_size = 1`` is stochastic gradient descent.
One loop, :func:`_updates`, makes every update: ``minibatch_gradient_descent`` (ps04) and the book's
per-update traces both run it.
"""

import numpy as np

from ._validate import as_float_array, check_non_negative_int, check_positive, check_positive_int, check_rng, check_rows
from .logistic import log_loss, log_loss_gradients, sigmoid
from .optim import newton_step

SHUFFLES = ("every epoch", "once", "never")


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


def ordered_batches(X, y, batch_size):
    """Consecutive slices of the data in the order given (no shuffle): a list of (X_batch, y_batch)."""
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(y), batch_size)]


def _updates(X, y, lr, batch_size, rng, shuffle="every epoch", w0=None, b0=0.0):
    """Mini-batch gradient descent on the log loss, for ever: yields ``(w, b, end_of_epoch)`` after each update.

    shuffle: "every epoch" (``make_minibatches`` at the start of each epoch), "once" (one shuffle, then
    the same batches every epoch) or "never" (consecutive slices in the data's own order).
    """
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    b = float(b0)
    if shuffle not in SHUFFLES:
        raise ValueError(f"shuffle must be one of {SHUFFLES}, got {shuffle!r}")
    fixed = {"once": lambda: make_minibatches(X, y, batch_size, rng),
             "never": lambda: ordered_batches(X, y, batch_size)}.get(shuffle, lambda: None)()
    while True:
        batches = fixed if fixed is not None else make_minibatches(X, y, batch_size, rng)
        for k, (X_batch, y_batch) in enumerate(batches):
            # the gradient on one mini-batch estimates the full-data gradient
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w = w - lr * dw
            b = b - lr * db
            yield w, b, k == len(batches) - 1


def _check_run(X, y, lr, batch_size, rng):
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    check_positive(lr, "lr")
    check_positive_int(batch_size, "batch_size")
    check_rng(rng)
    return X, y


def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    """Logistic regression by mini-batch gradient descent, starting from ``w = 0``, ``b = 0``.

    X: shape (m, n); y: labels 0/1 of shape (m,); lr: learning rate > 0; num_epochs: number of passes
    over the data >= 0; batch_size: an integer >= 1; rng: a ``np.random.Generator``, which reshuffles
    the data at the start of every epoch (``make_minibatches``).
    Returns (w, b, costs): the final weights (n,) and bias, and ``costs`` of shape (num_epochs,) where
    ``costs[k]`` is the log loss on the full data *after* epoch k. Each epoch makes ``ceil(m / batch_size)``
    updates, one per mini-batch.
    """
    X, y = _check_run(X, y, lr, batch_size, rng)
    check_non_negative_int(num_epochs, "num_epochs")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.empty(num_epochs)
    if num_epochs == 0:
        return w, b, costs
    epoch = 0
    for w, b, end_of_epoch in _updates(X, y, lr, batch_size, rng):
        if end_of_epoch:
            costs[epoch] = log_loss(sigmoid(X @ w + b), y)
            epoch += 1
            if epoch == num_epochs:
                break
    return w, b, costs


def descent_trace(X, y, lr, num_updates, batch_size, rng, shuffle="every epoch", w0=None, b0=0.0):
    """Mini-batch gradient descent on the log loss, recording every update (the book's pictures).

    X: shape (m, n); y: labels 0/1 of shape (m,); lr > 0; num_updates: how many updates to make (the
    epochs run on until there are that many, the last one possibly cut short); batch_size >= 1;
    rng: a ``np.random.Generator``, consumed as ``minibatch_gradient_descent`` consumes it (one
    ``rng.permutation(m)`` per epoch), so a trace passes through that function's parameters; shuffle:
    "every epoch", "once" or "never" (see the module's loop); w0, b0: the start (zeros by default).
    Returns (params, costs): params of shape (num_updates + 1, n + 1) holding ``(w_1, ..., w_n, b)``
    before the first update and after each one, and costs of shape (num_updates + 1,), the full-data
    log loss at each of them.
    """
    X, y = _check_run(X, y, lr, batch_size, rng)
    check_non_negative_int(num_updates, "num_updates")
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    params, costs = [np.append(w, float(b0))], [log_loss(sigmoid(X @ w + b0), y)]
    updates = _updates(X, y, lr, batch_size, rng, shuffle, w0, b0)
    for _ in range(num_updates):
        w, b, _ = next(updates)
        params.append(np.append(w, b))
        costs.append(log_loss(sigmoid(X @ w + b), y))
    return np.array(params), np.array(costs)


def lowest_cost(X, y, num_steps=25):
    """The minimum of the log loss over (w, b) and where it is, by Newton's method from zeros.

    X: shape (m, n); y: labels of shape (m,), not linearly separable (else there is no minimum).
    Returns (cost, w, b).
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(A.shape[1])
    for _ in range(num_steps):
        a = sigmoid(A @ theta)
        # gradient and Hessian of the mean log loss in (w, b)
        gradient = A.T @ (a - y) / len(y)
        hessian = (A * (a * (1 - a))[:, None]).T @ A / len(y)
        theta = newton_step(theta, gradient, hessian)
    return log_loss(sigmoid(A @ theta), y), theta[:-1], float(theta[-1])
