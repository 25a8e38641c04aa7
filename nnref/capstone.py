"""Softmax classification of the handwritten digits with one hidden layer (book: ``capstone``; graded in ps09).

Conventions: rows are examples. ``X`` has shape (m, n), ``y`` holds class labels 0..k-1 of shape (m,),
``Y = one_hot(y, k)`` shape (m, k). The network computes

    Z1 = X @ W1 + b1,   A1 = relu(Z1),   Z2 = A1 @ W2 + b2,   P = softmax(Z2)

with ``W1`` (n, h), ``b1`` (h,), ``W2`` (h, k), ``b2`` (k,), and the cost is the mean cross-entropy
``-(1/m) * sum(Y * log P)``. With batch normalisation (``bn_param`` given) the hidden layer is
``Z1 = batchnorm(X @ W1; gamma1, beta1)`` instead, and ``params`` holds ``gamma1``, ``beta1`` (h,) in place
of ``b1`` (the shift beta makes the bias redundant).

Training reuses the course's pieces, one implementation each: ``make_minibatches`` (ps04), an update rule
of ``nnref.optim`` (ps06), a schedule of ``nnref.schedules`` (ps07), ``batchnorm_forward`` and
``batchnorm_backward`` (ps08), ``softmax`` (the log-loss chapter's) and ``relu``.
"""

import numpy as np

from ._validate import as_float_array, check_non_negative_int, check_positive_int, check_rng, check_rows
from .batchnorm import batchnorm_backward, batchnorm_forward
from .logistic import relu, softmax
from .minibatch import make_minibatches

__all__ = ["one_hot", "softmax", "cross_entropy", "softmax_cross_entropy_gradient", "network_forward",
           "network_backward", "train_classifier", "accuracy", "confusion_counts", "init_network", "predict_proba"]


def _labels(y, name="y", k=None):
    """Class labels as an int array of shape (m,): whole numbers (any dtype) in [0, k)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per example), got shape {arr.shape}")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must hold class numbers, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)) or not np.array_equal(arr, np.round(arr)):
        raise ValueError(f"{name} must hold whole numbers (class labels 0, 1, ...), got {arr[:5]!r} ...")
    labels = arr.astype(np.int64)
    if k is not None and labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"{name} must hold labels in [0, {k}), got values from {labels.min()} to {labels.max()}")
    return labels


def one_hot(y, k):
    """One row per example with a 1 in the column of its class: ``Y[i, y[i]] = 1``, zeros elsewhere.

    y: class labels of shape (m,), whole numbers in [0, k) (ints, or floats such as 3.0 as
    ``make_minibatches`` returns them); k: the number of classes, an integer >= 1.
    Returns Y, float64 of shape (m, k). A label outside [0, k), a fractional label or a y that is not
    1-D gives a ``ValueError``.
    """
    check_positive_int(k, "k")
    labels = _labels(y, "y", k)
    Y = np.zeros((labels.size, k))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def cross_entropy(P, Y, eps=1e-12):
    """Mean multi-class cross-entropy, ``-(1/m) * sum(Y * log(clip(P, eps, 1)))``.

    P: predicted probabilities of shape (m, k), rows summing to 1; Y: one-hot labels of shape (m, k)
    (or any rows of class probabilities); eps: P is clipped to [eps, 1] so that a probability of exactly 0
    for the true class gives a large finite loss (``-log(eps)``, 27.6), with no warning. Returns a float.
    """
    P = as_float_array(P, "P", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    if P.shape != Y.shape:
        raise ValueError(f"P and Y must have the same shape, got {P.shape} and {Y.shape}")
    if P.shape[0] == 0:
        raise ValueError("P must hold at least one example")
    if not (0.0 < eps < 1.0):
        raise ValueError(f"eps must be in (0, 1), got {eps!r}")
    m = P.shape[0]
    # only the log-probability of each example's class counts (Y is 0 elsewhere)
    return float(-np.sum(Y * np.log(np.clip(P, eps, 1.0))) / m)


def softmax_cross_entropy_gradient(Z, Y):
    """Gradient of ``cross_entropy(softmax(Z), Y)`` with respect to the scores: ``(softmax(Z) - Y) / m``.

    Z: scores of shape (m, k); Y: one-hot labels of shape (m, k). Returns dZ of shape (m, k).
    Each row of dZ sums to 0 (for one-hot rows of Y). Stable for any float Z (no warning).
    """
    Z = as_float_array(Z, "Z", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    if Z.shape != Y.shape:
        raise ValueError(f"Z and Y must have the same shape, got {Z.shape} and {Y.shape}")
    # the Jacobian of softmax, p_j (delta_jl - p_l), times -y_j / p_j, summed over j: p_l - y_l
    return (softmax(Z) - Y) / Z.shape[0]


def accuracy(P, y):
    """Fraction of the rows of ``P`` whose largest entry is in the column of the true class.

    P: probabilities (or scores) of shape (m, k); y: labels of shape (m,) in [0, k). Returns a float in [0, 1].
    A tie goes to the first largest column (``np.argmax``).
    """
    P = as_float_array(P, "P", ndim=2)
    labels = _labels(y, "y", P.shape[1])
    check_rows("P", P, "y", labels)
    if labels.size == 0:
        raise ValueError("P must hold at least one example")
    return float(np.mean(np.argmax(P, axis=1) == labels))


def confusion_counts(P, y):
    """Confusion matrix: ``C[i, j]`` is the number of examples of true class i predicted as class j.

    P: probabilities (or scores) of shape (m, k), the prediction of a row being its ``argmax``;
    y: labels of shape (m,) in [0, k). Returns C, int64 of shape (k, k): rows are true classes, columns
    predicted ones, so ``C.sum() == m``, the diagonal holds the right answers and ``trace(C) / m`` is the
    accuracy.
    """
    P = as_float_array(P, "P", ndim=2)
    k = P.shape[1]
    labels = _labels(y, "y", k)
    check_rows("P", P, "y", labels)
    C = np.zeros((k, k), dtype=np.int64)
    # one count per example, at (true class, predicted class); add.at counts repeated pairs
    np.add.at(C, (labels, np.argmax(P, axis=1)), 1)
    return C


# --------------------------------------------------------------------------------------- the network

def init_network(n_in, n_hidden, k, rng, batchnorm=False):
    """He-initialised weights for ``[n_in, n_hidden, k]``: ``W ~ N(0, 2 / n_in)``, zero biases.

    rng draws ``W1`` then ``W2``. With ``batchnorm``, ``gamma1`` (ones) and ``beta1`` (zeros) replace ``b1``.
    Returns a dict of float64 arrays.
    """
    for value, name in ((n_in, "n_in"), (n_hidden, "n_hidden"), (k, "k")):
        check_positive_int(value, name)
    check_rng(rng)
    # relu zeroes half of its inputs, so the weights' variance 2 / n_in keeps the activations' scale
    params = {"W1": rng.standard_normal((n_in, n_hidden)) * np.sqrt(2.0 / n_in)}
    if batchnorm:
        params.update(gamma1=np.ones(n_hidden), beta1=np.zeros(n_hidden))
    else:
        params["b1"] = np.zeros(n_hidden)
    params.update(W2=rng.standard_normal((n_hidden, k)) * np.sqrt(2.0 / n_hidden), b2=np.zeros(k))
    return params


def _check_params(params, n, batchnorm):
    first = ("W1", "gamma1", "beta1") if batchnorm else ("W1", "b1")
    for key in first + ("W2", "b2"):
        if key not in params:
            raise ValueError(f"params is missing {key!r}" + (" (batch norm needs gamma1 and beta1)" if batchnorm else ""))
    W1 = as_float_array(params["W1"], "params['W1']", ndim=2)
    W2 = as_float_array(params["W2"], "params['W2']", ndim=2)
    h, k = W2.shape
    if W1.shape != (n, h) or params["b2"].shape != (k,):
        raise ValueError(f"params do not fit X with {n} columns: need W1 ({n}, h), W2 (h, k), b2 (k,); "
                         f"got W1 {W1.shape}, W2 {W2.shape}, b2 {np.shape(params['b2'])}")


def network_forward(X, params, bn_param=None):
    """Forward pass: class probabilities of the one-hidden-layer relu network.

    X: inputs of shape (m, n); params: ``W1, b1, W2, b2`` (see the module docstring).
    bn_param: None for no batch norm, else the ``bn_param`` dict of ``batchnorm_forward`` (its ``mode``,
    "train" or "test", decides which statistics normalise; in train mode the running ones are updated in
    place); params then holds ``gamma1, beta1`` instead of ``b1``.
    Returns (P, cache): P of shape (m, k), and a dict with ``Z1``, ``A1`` (m, h), ``Z2`` (m, k) and, with
    batch norm, ``bn`` (the cache of ``batchnorm_forward``).
    """
    X = as_float_array(X, "X", ndim=2)
    _check_params(params, X.shape[1], bn_param is not None)
    cache = {}
    # 1) hidden layer: affine (or affine + batch norm), then relu
    if bn_param is None:
        Z1 = X @ params["W1"] + params["b1"]
    else:
        Z1, cache["bn"] = batchnorm_forward(X @ params["W1"], params["gamma1"], params["beta1"], bn_param)
    A1 = relu(Z1)
    # 2) output layer: scores, then probabilities
    Z2 = A1 @ params["W2"] + params["b2"]
    cache.update(Z1=Z1, A1=A1, Z2=Z2)
    return softmax(Z2), cache


def network_backward(X, Y, params, cache):
    """Backpropagation: gradients of ``cross_entropy(P, Y)`` for the ``P`` of ``network_forward(X, params)``.

    X: the inputs (m, n); Y: one-hot labels of shape (m, k); params: as given to ``network_forward``;
    cache: what it returned (``Z1``, ``A1``, ``Z2`` are read, and ``bn`` with batch norm).
    Returns a dict with one gradient per parameter, named ``"d" + key`` (``dW1``, ``db1`` or ``dgamma1``
    and ``dbeta1``, ``dW2``, ``db2``), each of the shape of its parameter.
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_rows("X", X, "Y", Y)
    # 1) softmax and cross-entropy together: dZ2 = (P - Y) / m
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    grads = {"dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
    # 2) back through W2 and the relu (its slope is 1 where Z1 > 0, else 0)
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    # 3) [back through batch norm], then the first layer
    if "bn" in cache:
        dZ1, grads["dgamma1"], grads["dbeta1"] = batchnorm_backward(dZ1, cache["bn"])
    else:
        grads["db1"] = dZ1.sum(axis=0)
    grads["dW1"] = X.T @ dZ1
    return grads


def predict_proba(X, params, bn_param=None):
    """Class probabilities (m, k) of the network at test time (batch norm with its running statistics)."""
    if bn_param is not None:
        bn_param = {**bn_param, "mode": "test"}  # a shallow copy: test mode leaves the statistics alone
    return network_forward(X, params, bn_param)[0]


def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng,
          X_val=None, y_val=None, patience=None, bn_param=None):
    """Mini-batch training of the network with an update rule, a learning-rate schedule and early stopping.

    X: training inputs (m, n); y: labels (m,) in [0, k), k = ``len(params["b2"])``; params: the initial
    parameters (not modified); rule: an update rule with ps06's contract ``rule(w, dw, config)``;
    config: its hyper-parameters (each parameter array gets its own copy, so its own state);
    schedule: a function of the epoch number (0 for the first pass) giving that epoch's learning rate,
    written into every parameter's ``config["learning_rate"]`` before the epoch's updates;
    num_epochs: maximum number of epochs >= 0; batch_size: integer >= 1; rng: shuffles the examples at the
    start of every epoch (one ``make_minibatches`` call per epoch).
    X_val, y_val: validation data (both or neither); patience: None to train every epoch and return the
    last parameters, or an integer >= 1 to stop once the validation loss has not improved (strictly) for
    ``patience`` epochs in a row and return the parameters of the epoch with the lowest validation loss.
    bn_param: None, or a ``bn_param`` dict to batch-normalise the hidden layer (see ``network_forward``);
    its running statistics are updated in place, and with early stopping restored to the best epoch's.

    Returns (params, history): the trained parameters (new arrays) and a dict with, for the E epochs run,
    ``"lr"`` (E,) the learning rate of each epoch, ``"train_loss"`` (E,) the cross-entropy on all of
    (X, y) after each epoch, ``"val_loss"`` (E,) the same on (X_val, y_val) (only with validation data),
    and ``"best_epoch"``, the index of the epoch with the lowest validation loss (the last epoch without
    validation data; -1 if no epoch ran). Losses are measured in test mode.
    """
    X = as_float_array(X, "X", ndim=2)
    k = np.shape(params["b2"])[0]
    labels = _labels(y, "y", k)
    check_rows("X", X, "y", labels)
    check_non_negative_int(num_epochs, "num_epochs")
    check_positive_int(batch_size, "batch_size")
    check_rng(rng)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if patience is not None:
        check_positive_int(patience, "patience")
        if X_val is None:
            raise ValueError("patience needs validation data (X_val, y_val)")
    Y = one_hot(labels, k)
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val", ndim=2)
        Y_val = one_hot(y_val, k)
        check_rows("X_val", X_val, "y_val", Y_val)

    params = {key: np.array(value, dtype=np.float64) for key, value in params.items()}
    configs = {key: dict(config) for key in params}  # one state per parameter array
    history = {"lr": [], "train_loss": []}
    if X_val is not None:
        history["val_loss"] = []
    best = (np.inf, -1, params, None)  # (validation loss, epoch, params, running statistics)
    for epoch in range(num_epochs):
        # 1) this epoch's learning rate, from the schedule
        lr = float(schedule(epoch))
        for key in configs:
            configs[key]["learning_rate"] = lr
        # 2) one update per mini-batch of a fresh shuffle
        if bn_param is not None:
            bn_param["mode"] = "train"
        for X_batch, y_batch in make_minibatches(X, labels, batch_size, rng):
            P, cache = network_forward(X_batch, params, bn_param)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        # 3) the losses after the epoch, on all the training and validation data
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(predict_proba(X, params, bn_param), Y))
        if X_val is None:
            continue
        val_loss = cross_entropy(predict_proba(X_val, params, bn_param), Y_val)
        history["val_loss"].append(val_loss)
        # 4) early stopping: remember the best epoch; stop after `patience` epochs without improvement
        if val_loss < best[0]:
            running = None if bn_param is None else (bn_param["running_mean"].copy(), bn_param["running_var"].copy())
            best = (val_loss, epoch, dict(params), running)  # the rules return new arrays: a shallow copy keeps them
        elif patience is not None and epoch - best[1] >= patience:
            break
    runs = len(history["lr"])
    result = {key: np.array(values) for key, values in history.items()}
    result["best_epoch"] = best[1] if X_val is not None else runs - 1
    if patience is not None and best[1] >= 0:
        params = best[2]
        if best[3] is not None:
            bn_param["running_mean"][:], bn_param["running_var"][:] = best[3]
    return params, result
