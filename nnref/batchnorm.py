"""Feature scaling and batch normalization (book: ``batch-norm``; graded in ps08).

Conventions: rows are examples, ``X`` and ``x`` have shape (m, n), one column per feature
(or per unit of a layer); statistics are taken over the rows, one value per column.
``train_mlp`` (not graded) trains a small network with and without batch norm for the book's widgets.
"""

import numpy as np

from ._validate import (
    as_float_array,
    check_non_negative_int,
    check_positive,
    check_positive_int,
    check_rng,
    check_rows,
)
from .logistic import sigmoid


def _check_stats(stats, n):
    """Stats given for reuse must be a pair of arrays with one value per column of X."""
    if len(stats) != 2:
        raise ValueError(f"stats must be a pair of arrays, got {len(stats)} items")
    first, second = (as_float_array(s, "stats", ndim=1) for s in stats)
    if first.shape != (n,) or second.shape != (n,):
        raise ValueError(
            f"stats must hold one value per column of X ({n}), got shapes {first.shape} and {second.shape}"
        )
    return first, second


def _divide_or_zero(numerator, denominator):
    """``numerator / denominator`` column by column, 0 where the denominator is 0 (no warning)."""
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def min_max_scale(X, stats=None):
    """Scale each column of ``X`` to [0, 1], ``(X - min) / (max - min)``.

    X: data of shape (m, n); stats: None to compute ``(min, max)`` from X (training data),
    or the pair returned for the training data, reused for test data.
    Returns (X_scaled, stats): X_scaled of shape (m, n) and stats = (min, max), each of shape (n,).
    A column whose ``max == min`` carries no information and maps to 0, with no warning.
    Test data may fall outside [0, 1].
    """
    X = as_float_array(X, "X", ndim=2)
    if stats is None:
        if X.shape[0] == 0:
            raise ValueError("X must hold at least one example to compute its statistics")
        stats = (X.min(axis=0), X.max(axis=0))
    low, high = _check_stats(stats, X.shape[1])
    return _divide_or_zero(X - low, high - low), (low, high)


def standardize(X, stats=None):
    """Give each column of ``X`` mean 0 and standard deviation 1, ``(X - mean) / std``.

    X: data of shape (m, n); stats: None to compute ``(mean, std)`` from X (training data),
    or the pair returned for the training data, reused for test data.
    ``std`` is the population standard deviation (``ddof=0``, as scikit-learn's ``StandardScaler``).
    Returns (X_scaled, stats): X_scaled of shape (m, n) and stats = (mean, std), each of shape (n,).
    A constant column (``std == 0``) maps to 0, with no warning.
    """
    X = as_float_array(X, "X", ndim=2)
    if stats is None:
        if X.shape[0] == 0:
            raise ValueError("X must hold at least one example to compute its statistics")
        stats = (X.mean(axis=0), X.std(axis=0))
    mean, std = _check_stats(stats, X.shape[1])
    return _divide_or_zero(X - mean, std), (mean, std)


def _check_running(bn_param, key, n):
    """A running statistic is updated in place, so it must already be a float64 array of shape (n,)."""
    arr = bn_param[key]
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float64 or arr.shape != (n,):
        raise ValueError(
            f"bn_param[{key!r}] must be a float64 array of shape ({n},), got {type(arr).__name__} "
            f"of shape {np.shape(arr)}"
        )
    return arr


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of a layer's pre-activations, ``gamma * x_hat + beta``.

    x: data of shape (m, n), one row per example of the mini-batch; gamma (scale) and beta (shift):
    shape (n,). bn_param: dict with
      - ``mode``: "train" (normalise with the mini-batch's mean and biased variance) or
        "test" (normalise with the running statistics); required;
      - ``eps=1e-5``: added to the variance before the square root;
      - ``momentum=0.9``: weight of the old value in the running averages;
      - ``running_mean`` (zeros) and ``running_var`` (ones): float64 arrays of shape (n,).
    Missing keys are filled in with these defaults (``bn_param.setdefault``). In train mode the
    running statistics are updated in place, ``running = momentum * running + (1 - momentum) * batch``,
    with the unbiased batch variance for ``running_var`` (as PyTorch's ``BatchNorm1d(momentum=0.1)``);
    so train mode needs at least two examples. ``x``, ``gamma`` and ``beta`` are not modified.

    Returns (out, cache): out of shape (m, n) and a dict for ``batchnorm_backward`` holding
    ``mode``, ``x_hat`` (m, n) the normalised input, ``gamma`` (n,) and ``inv_std`` (n,),
    ``1 / sqrt(var + eps)`` with the variance used to normalise.
    """
    x = as_float_array(x, "x", ndim=2)
    gamma = as_float_array(gamma, "gamma", ndim=1)
    beta = as_float_array(beta, "beta", ndim=1)
    m, n = x.shape
    if gamma.shape != (n,) or beta.shape != (n,):
        raise ValueError(f"gamma and beta must have shape ({n},) for x of shape {x.shape}, "
                         f"got {gamma.shape} and {beta.shape}")
    mode = bn_param.get("mode")
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    eps = bn_param.setdefault("eps", 1e-5)
    momentum = bn_param.setdefault("momentum", 0.9)
    check_positive(eps, "bn_param['eps']")
    if not (0.0 <= momentum <= 1.0):
        raise ValueError(f"bn_param['momentum'] must be in [0, 1], got {momentum!r}")
    bn_param.setdefault("running_mean", np.zeros(n))
    bn_param.setdefault("running_var", np.ones(n))
    running_mean = _check_running(bn_param, "running_mean", n)
    running_var = _check_running(bn_param, "running_var", n)

    if mode == "train":
        if m < 2:
            raise ValueError(f"x must hold at least 2 examples in train mode (the unbiased variance of "
                             f"one example is undefined), got shape {x.shape}")
        # 1) mini-batch mean and biased variance, one per column
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        # 2) running averages for test time, updated in place; the variance estimate is unbiased
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        running_var *= momentum
        running_var += (1 - momentum) * var * m / (m - 1)
    else:
        # 1) test time: the running statistics stand in for the batch's
        mean, var = running_mean, running_var
    # 3) normalise, then 4) scale and shift
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    cache = {"mode": mode, "x_hat": x_hat, "gamma": gamma.copy(), "inv_std": inv_std}
    return out, cache


def batchnorm_backward(dout, cache):
    """Gradients of batch normalization, from the ``cache`` of ``batchnorm_forward``.

    dout: upstream gradient dL/dout of shape (m, n); cache: as returned by ``batchnorm_forward``.
    Returns (dx, dgamma, dbeta): dx of shape (m, n), dgamma and dbeta of shape (n,).
    In train mode the batch mean and variance depend on every example, which the closed form
    ``dx = (1/m) * inv_std * (m * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat))`` accounts for;
    in test mode they are constants and ``dx = inv_std * dx_hat``.
    """
    x_hat, gamma, inv_std = cache["x_hat"], cache["gamma"], cache["inv_std"]
    dout = as_float_array(dout, "dout", ndim=2)
    if dout.shape != x_hat.shape:
        raise ValueError(f"dout must have the shape of the layer's output {x_hat.shape}, got {dout.shape}")
    m = dout.shape[0]
    # out = gamma * x_hat + beta: the shift and scale see every example
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    # back through the scale to the normalised input
    dx_hat = dout * gamma
    if cache["mode"] == "test":
        return dx_hat * inv_std, dgamma, dbeta
    # back through x_hat = (x - mean) * inv_std: the direct path (m * dx_hat), the path through
    # the mean (- sum(dx_hat)), and the path through the variance (- x_hat * sum(dx_hat * x_hat))
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


# ---------------------------------------------------------------------------------------------------
# Not graded: a small network trained with and without batch norm, for the book's widgets.


def _init_mlp(sizes, rng, use_batchnorm):
    """He-initialised weights; hidden layers with batch norm get gamma=1, beta=0 instead of a bias."""
    params = {}
    num_layers = len(sizes) - 1
    for layer in range(1, num_layers + 1):
        n_in, n_out = sizes[layer - 1], sizes[layer]
        params[f"W{layer}"] = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        if use_batchnorm and layer < num_layers:
            params[f"gamma{layer}"] = np.ones(n_out)
            params[f"beta{layer}"] = np.zeros(n_out)
        else:
            params[f"b{layer}"] = np.zeros(n_out)
    return params


def _mlp_forward(X, params, bn_params, mode):
    """Logits of shape (m,) and the per-layer caches; hidden layers are [batch norm then] relu."""
    num_layers = sum(key.startswith("W") for key in params)
    a = X
    caches = []
    for layer in range(1, num_layers):
        z = a @ params[f"W{layer}"]
        bn_cache = None
        if bn_params:
            bn_param = bn_params[layer - 1]
            bn_param["mode"] = mode
            z, bn_cache = batchnorm_forward(z, params[f"gamma{layer}"], params[f"beta{layer}"], bn_param)
        else:
            z = z + params[f"b{layer}"]
        caches.append((a, z, bn_cache))
        a = np.maximum(z, 0.0)
    logits = a @ params[f"W{num_layers}"] + params[f"b{num_layers}"]
    caches.append((a, None, None))
    return logits[:, 0], caches


def _mlp_loss_and_grads(X, y, params, bn_params):
    """Mean log loss of a train-mode forward pass on (X, y), and its gradient for every parameter."""
    logits, caches = _mlp_forward(X, params, bn_params, "train")
    m = X.shape[0]
    # log loss written with the logits: log(1 + e^z) - y z, stable for any z
    loss = float(np.mean(np.logaddexp(0.0, logits) - y * logits))
    num_layers = len(caches)
    grads = {}
    # output layer: dL/dz = (sigmoid(z) - y) / m
    dz = ((sigmoid(logits) - y) / m)[:, None]
    for layer in range(num_layers, 0, -1):
        a_prev, _, _ = caches[layer - 1]
        grads[f"W{layer}"] = a_prev.T @ dz
        if f"b{layer}" in params:
            grads[f"b{layer}"] = dz.sum(axis=0)
        if layer > 1:
            # back to the previous layer: through the weights, then relu, then [batch norm]
            da = dz @ params[f"W{layer}"].T
            _, z_prev, bn_cache = caches[layer - 2]
            dz = da * (z_prev > 0)
            if bn_cache is not None:
                dz, grads[f"gamma{layer - 1}"], grads[f"beta{layer - 1}"] = batchnorm_backward(dz, bn_cache)
    return loss, grads


def train_mlp(X, y, hidden, batch_size, lr, num_epochs, rng, use_batchnorm):
    """Train a small relu network for binary classification by mini-batch gradient descent.

    X: inputs of shape (m, n); y: labels 0/1 of shape (m,); hidden: hidden-layer widths, an int
    (a 2-layer network) or a sequence such as (16, 16) (a 3-layer network); batch_size: integer >= 1;
    lr: learning rate > 0; num_epochs: integer >= 0; rng: ``np.random.default_rng(seed)``, used for
    the He initialisation and each epoch's shuffle; use_batchnorm: if true, every hidden layer
    normalises its pre-activations with ``batchnorm_forward`` (gamma and beta replace the bias)
    before the relu. The output is one sigmoid unit (``nnref.logistic.sigmoid``) and the cost is the
    mean log loss.
    With batch norm, a last mini-batch of a single example is skipped (its variance is undefined).

    Returns a dict of arrays of shape (num_epochs,):
      - ``"loss"``: the mean training log loss over the epoch's mini-batches (train mode);
      - ``"accuracy"``: accuracy on (X, y) after the epoch, in test mode (running statistics);
      - ``"accuracy_train_mode"``: accuracy on (X, y) after the epoch in train mode, each example
        normalised with the statistics of its mini-batch of the epoch just done (without moving the
        running statistics); the same as ``"accuracy"`` without batch norm.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_rows("X", X, "y", y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold labels 0 and 1")
    hidden = [hidden] if isinstance(hidden, (int, np.integer)) else list(hidden)
    if not hidden:
        raise ValueError("hidden must give at least one hidden-layer width")
    for width in hidden:
        check_positive_int(width, "hidden")
    check_positive_int(batch_size, "batch_size")
    check_positive(lr, "lr")
    check_non_negative_int(num_epochs, "num_epochs")
    check_rng(rng)
    if use_batchnorm and min(batch_size, X.shape[0]) < 2:
        raise ValueError("batch_size must be >= 2 with batch norm (and X must hold at least 2 examples)")

    m = X.shape[0]
    params = _init_mlp([X.shape[1], *hidden, 1], rng, use_batchnorm)
    bn_params = [{"mode": "train"} for _ in hidden] if use_batchnorm else []
    losses = np.empty(num_epochs)
    accuracies = np.empty(num_epochs)
    train_mode = np.empty(num_epochs)
    for epoch in range(num_epochs):
        order = rng.permutation(m)
        total, seen = 0.0, 0
        for start in range(0, m, batch_size):
            batch = order[start:start + batch_size]
            if use_batchnorm and batch.size < 2:
                continue
            loss, grads = _mlp_loss_and_grads(X[batch], y[batch], params, bn_params)
            # gradient descent step on every parameter
            for key, grad in grads.items():
                params[key] = params[key] - lr * grad
            total += loss * batch.size
            seen += batch.size
        losses[epoch] = total / seen
        logits, _ = _mlp_forward(X, params, bn_params, "test")
        accuracies[epoch] = np.mean((logits > 0) == (y == 1))
        train_mode[epoch] = _train_mode_accuracy(X, y, params, bn_params, order, batch_size)
    return {"loss": losses, "accuracy": accuracies, "accuracy_train_mode": train_mode}


def _train_mode_accuracy(X, y, params, bn_params, order, batch_size):
    """Accuracy when each mini-batch of ``order`` is normalised with its own statistics (train mode).

    The running statistics are left as they are (the forward passes work on copies of ``bn_params``).
    Without batch norm this is the ordinary accuracy. A last batch of one example is skipped.
    """
    if not bn_params:
        logits, _ = _mlp_forward(X, params, bn_params, "test")
        return float(np.mean((logits > 0) == (y == 1)))
    right, seen = 0, 0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        if batch.size < 2:
            continue
        copies = [dict(p, running_mean=p["running_mean"].copy(), running_var=p["running_var"].copy())
                  for p in bn_params]
        logits, _ = _mlp_forward(X[batch], params, copies, "train")
        right += int(np.sum((logits > 0) == (y[batch] == 1)))
        seen += batch.size
    return right / seen
