"""A 2-layer network and backpropagation (book: ``backprop``; graded in ps03).

Conventions: rows are examples. ``X`` has shape (m, n_x), ``Y`` shape (m, n_y) with labels 0/1.
The network computes

    Z1 = X @ W1 + b1,   A1 = g(Z1),   Z2 = A1 @ W2 + b2,   A2 = sigmoid(Z2)

with ``W1`` (n_x, n_h), ``b1`` (n_h,), ``W2`` (n_h, n_y), ``b2`` (n_y,), a hidden activation ``g``
from ``nnref.logistic.ACTIVATIONS`` ("sigmoid", "tanh" or "relu") and the cost
``-(1/m) * sum over examples and outputs of [Y log A2 + (1 - Y) log(1 - A2)]`` (``nnref.logistic.log_loss``).
(The seeds' Coursera notes use columns as examples, so their matrices are the transposes of these.)
"""

import numpy as np

from ._validate import (
    as_float_array,
    check_non_negative_int,
    check_positive,
    check_positive_int,
    check_rng,
    check_rows,
    check_same_shape,
)
from .logistic import ACTIVATIONS, log_loss, sigmoid


def count_parameters(layer_sizes):
    """Number of weights and biases of a fully connected network.

    layer_sizes: the sizes of the layers from input to output, e.g. ``[3, 4, 2]``
    (3 inputs, a hidden layer of 4 units, 2 outputs).
    Returns an int: for each layer ``n_in * n_out`` weights plus ``n_out`` biases
    (``[3, 4, 2] -> 26``, ``[3, 4, 4, 1] -> 41``).
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must hold at least two sizes (input and output), got {sizes!r}")
    for size in sizes:
        check_positive_int(size, "every entry of layer_sizes")
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))


def init_params(n_x, n_h, n_y, rng):
    """Small random weights and zero biases for a network of sizes ``[n_x, n_h, n_y]``.

    n_x, n_h, n_y: numbers of inputs, hidden units and outputs; rng: a ``np.random.Generator``.
    Returns a dict with ``W1`` (n_x, n_h), ``b1`` (n_h,), ``W2`` (n_h, n_y), ``b2`` (n_y,).
    The weights are drawn as ``rng.standard_normal(shape) * 0.01``, ``W1`` first and then ``W2``;
    the biases are zeros, so they draw nothing.
    """
    for value, name in ((n_x, "n_x"), (n_h, "n_h"), (n_y, "n_y")):
        check_positive_int(value, name)
    check_rng(rng)
    # small weights keep tanh and sigmoid away from their flat tails; random ones break the symmetry
    W1 = rng.standard_normal((n_x, n_h)) * 0.01
    W2 = rng.standard_normal((n_h, n_y)) * 0.01
    return {"W1": W1, "b1": np.zeros(n_h), "W2": W2, "b2": np.zeros(n_y)}


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    return ACTIVATIONS[activation]


def _check_params(params, n_x):
    """The four parameter arrays as float64, with shapes that fit each other and ``n_x`` inputs."""
    for key in ("W1", "b1", "W2", "b2"):
        if key not in params:
            raise ValueError(f"params is missing {key!r}")
    W1 = as_float_array(params["W1"], "params['W1']", ndim=2)
    b1 = as_float_array(params["b1"], "params['b1']", ndim=1)
    W2 = as_float_array(params["W2"], "params['W2']", ndim=2)
    b2 = as_float_array(params["b2"], "params['b2']", ndim=1)
    n_h, n_y = W2.shape
    if W1.shape != (n_x, n_h) or b1.shape != (n_h,) or b2.shape != (n_y,):
        raise ValueError(
            f"params do not fit X with {n_x} columns: need W1 ({n_x}, n_h), b1 (n_h,), W2 (n_h, n_y), "
            f"b2 (n_y,); got W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
        )
    return W1, b1, W2, b2


def forward(X, params, activation="tanh"):
    """Forward pass of the 2-layer network.

    X: inputs of shape (m, n_x); params: dict ``W1, b1, W2, b2`` (see ``init_params``);
    activation: the hidden activation, "sigmoid", "tanh" or "relu" (the output is always a sigmoid).
    Returns (a2, cache): ``a2`` of shape (m, n_y), the predicted probabilities, and ``cache``, a dict of the
    intermediate values that ``backward`` needs:
    ``Z1`` and ``A1`` of shape (m, n_h), ``Z2`` and ``A2`` of shape (m, n_y) (``A2`` is ``a2``).
    """
    g, _ = _check_activation(activation)
    X = as_float_array(X, "X", ndim=2)
    W1, b1, W2, b2 = _check_params(params, X.shape[1])
    # 1) hidden layer
    Z1 = X @ W1 + b1
    A1 = g(Z1)
    # 2) output layer
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward(X, Y, params, cache, activation="tanh"):
    """Backpropagation: gradients of the log loss of ``forward(X, params, activation)`` with respect to the parameters.

    X: inputs of shape (m, n_x); Y: labels 0/1 of shape (m, n_y); params: dict ``W1, b1, W2, b2``;
    cache: the dict returned by ``forward(X, params, activation)``; activation: the same hidden activation.
    Returns a dict ``dW1`` (n_x, n_h), ``db1`` (n_h,), ``dW2`` (n_h, n_y), ``db2`` (n_y,), each the shape of
    its parameter.
    """
    _, g_prime = _check_activation(activation)
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_rows("X", X, "Y", Y)
    _, _, W2, _ = _check_params(params, X.shape[1])
    for key in ("Z1", "A1", "A2"):
        if key not in cache:
            raise ValueError(f"cache is missing {key!r}: pass the cache that forward returned")
    Z1, A1, A2 = cache["Z1"], cache["A1"], cache["A2"]
    check_same_shape("cache['A2']", A2, "Y", Y)
    m = X.shape[0]
    # 1) output layer: sigmoid and log loss together give dJ/dZ2 = (A2 - Y) / m
    dZ2 = (A2 - Y) / m
    dW2 = A1.T @ dZ2
    db2 = np.sum(dZ2, axis=0)
    # 2) back through W2, then through the hidden activation (elementwise chain rule)
    dZ1 = (dZ2 @ W2.T) * g_prime(Z1)
    # 3) hidden layer
    dW1 = X.T @ dZ1
    db1 = np.sum(dZ1, axis=0)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function by centred differences, ``(f(x + h e_i) - f(x - h e_i)) / (2h)``.

    f: a function of ``x`` returning a float; x: a float64 array of any shape, nudged in place one entry at a
    time (so ``f`` may also read it through a closure, e.g. ``params["W1"]``) and restored exactly afterwards;
    h: the step > 0. Returns an array of the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError("x must be a float64 numpy array (its entries are nudged in place and restored)")
    check_positive(h, "h")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            f_plus = float(f(x))
            x[i] = old - h
            f_minus = float(f(x))
        finally:
            x[i] = old
        # centred difference: error O(h**2) instead of O(h) for a one-sided one
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def forward_difference(f, x, h=1e-5):
    """One-sided differences ``(f(x + h e_i) - f(x)) / h``: the gradient check done worse (error O(h)).

    The contract of :func:`numerical_gradient` (``x`` nudged in place and restored); the book's gradient
    check compares the two.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError("x must be a float64 numpy array (its entries are nudged in place and restored)")
    check_positive(h, "h")
    f0 = float(f(x))
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            grad[i] = (float(f(x)) - f0) / h
        finally:
            x[i] = old
    return grad


def backward_without_derivative(X, Y, params, cache, activation="tanh"):
    """A *wrong* backward pass, for the book's gradient check: it forgets the factor g'(Z1) of the hidden layer.

    The arguments and the result as :func:`backward`.
    """
    m = X.shape[0]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = dZ2 @ params["W2"].T  # the bug: no "* g'(Z1)"
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}


def relative_error(a, b):
    """Relative distance ``||a - b|| / (||a|| + ||b||)`` of two arrays of the same shape (Euclidean norms).

    Returns a float in [0, 1]; 0.0 when both are zero. Gradient checks expect about 1e-7 or less.
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    check_same_shape("a", a, "b", b)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)


def train_network(X, Y, n_h, activation, lr, num_iters, rng, params=None):
    """Train the 2-layer network by batch gradient descent from ``init_params`` (for the book's explorer).

    X: inputs of shape (m, n_x); Y: labels 0/1 of shape (m, n_y); n_h: number of hidden units;
    activation: "sigmoid", "tanh" or "relu"; lr: learning rate > 0; num_iters: number of updates >= 0;
    rng: a ``np.random.Generator`` for the initial weights; params: initial parameters to start from
    instead (a dict as ``init_params`` returns; rng is then unused).
    Returns (params, costs): the trained parameters (a dict as ``init_params``) and ``costs`` of shape
    (num_iters,), where ``costs[i]`` is the log loss *before* update i.
    """
    _check_activation(activation)
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_rows("X", X, "Y", Y)
    check_positive(lr, "lr")
    check_non_negative_int(num_iters, "num_iters")
    if params is None:
        params = init_params(X.shape[1], n_h, Y.shape[1], rng)
    costs = np.empty(num_iters)
    for i in range(num_iters):
        a2, cache = forward(X, params, activation)
        costs[i] = log_loss(a2, Y)
        grads = backward(X, Y, params, cache, activation)
        # step every parameter against its gradient
        params = {key: value - lr * grads["d" + key] for key, value in params.items()}
    return params, costs
