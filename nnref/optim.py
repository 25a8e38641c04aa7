"""Update rules of gradient descent (book: ``optimizers``; graded in ps06).

Every rule has one contract, after CS231n's ``optim.py``::

    next_w, config = rule(w, dw, config=None)

w: the weights, an array of any shape; dw: the gradient of the cost at ``w``, same shape.
config: a dict of hyper-parameters and state. ``None`` means a new empty dict. Missing keys are
filled with the defaults (``config.setdefault``) and state arrays start as zeros of ``w``'s shape.

What is modified: ``w`` and ``dw`` never are; ``next_w`` is a new array. The returned ``config``
is the *same* dict that was passed in, updated: its defaults filled and its state keys
(``velocity``, ``cache``, ``m``, ``v``, ``t``) replaced by the new state. The state arrays are new
arrays each step, so an array the caller took out of ``config`` earlier keeps its old values.
Pass the returned config back in on the next step.

Hyper-parameters outside their range give a ``ValueError`` naming the key:
``learning_rate > 0``; ``momentum``, ``decay_rate``, ``beta1``, ``beta2`` in [0, 1); ``epsilon >= 0``.
"""

import numpy as np

from ._validate import (
    as_float_array,
    check_beta,
    check_non_negative,
    check_non_negative_int,
    check_positive,
    check_same_shape,
)


def _start(w, dw, config):
    """Checked float64 copies of ``w`` and ``dw``, and the config dict (a new one for None)."""
    w = as_float_array(w, "w")
    dw = as_float_array(dw, "dw")
    check_same_shape("w", w, "dw", dw)
    return w, dw, {} if config is None else config


def _state(config, key, w):
    """The state array ``config[key]``, zeros of ``w``'s shape the first time."""
    s = as_float_array(config.setdefault(key, np.zeros_like(w)), key)
    check_same_shape("w", w, key, s)
    return s


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent, ``w - learning_rate * dw``.

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1e-2).
    Returns (next_w, config): next_w of w's shape, and the same config dict with defaults filled.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    check_positive(config["learning_rate"], "learning_rate")

    # step against the gradient
    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """Gradient descent with momentum, in the exponentially weighted form.

    ``velocity = momentum * velocity + (1 - momentum) * dw``, then ``w - learning_rate * velocity``.
    This equals PyTorch's ``SGD(momentum=momentum, dampening=0)`` run with learning rate
    ``learning_rate * (1 - momentum)``: PyTorch's buffer is ``velocity / (1 - momentum)``.

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1e-2), ``momentum`` (default 0.9),
    ``velocity`` (state, EWA of the gradients; zeros of w's shape at first).
    Returns (next_w, config): next_w of w's shape, and the same config dict with the new velocity.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    check_positive(config["learning_rate"], "learning_rate")
    check_beta(config["momentum"], "momentum")
    velocity = _state(config, "velocity", w)
    beta = config["momentum"]

    # 1) velocity: exponentially weighted average of the gradients
    velocity = beta * velocity + (1 - beta) * dw
    # 2) update: step along the averaged gradient
    next_w = w - config["learning_rate"] * velocity

    config["velocity"] = velocity
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSprop: divide each gradient component by the root of its recent mean square.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``, then
    ``w - learning_rate * dw / (sqrt(cache) + epsilon)`` (epsilon outside the root, as in PyTorch's
    ``RMSprop(alpha=decay_rate, eps=epsilon, momentum=0, centered=False)``).

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1e-2), ``decay_rate`` (default 0.99), ``epsilon`` (default 1e-8),
    ``cache`` (state, EWA of the squared gradients; zeros of w's shape at first).
    Returns (next_w, config): next_w of w's shape, and the same config dict with the new cache.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    check_positive(config["learning_rate"], "learning_rate")
    check_beta(config["decay_rate"], "decay_rate")
    check_non_negative(config["epsilon"], "epsilon")
    cache = _state(config, "cache", w)
    d = config["decay_rate"]

    # 1) second moment: exponentially weighted average of the squared gradients
    cache = d * cache + (1 - d) * dw**2
    # 2) update: each component's step is scaled by 1 / (root mean square of its gradient)
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])

    config["cache"] = cache
    return next_w, config


def adam(w, dw, config=None):
    """Adam: momentum and RMSprop together, with bias correction (Kingma and Ba, Algorithm 1).

    ``t += 1``; ``m = beta1 * m + (1 - beta1) * dw``; ``v = beta2 * v + (1 - beta2) * dw**2``;
    ``m_hat = m / (1 - beta1**t)``; ``v_hat = v / (1 - beta2**t)``;
    ``w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)`` (as PyTorch's ``Adam``).

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1e-3), ``beta1`` (default 0.9), ``beta2`` (default 0.999),
    ``epsilon`` (default 1e-8); state ``m`` and ``v`` (zeros of w's shape at first) and ``t``
    (the number of updates made so far: 0 before the first, 1 after it).
    Returns (next_w, config): next_w of w's shape, and the same config dict with the new m, v and t.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    check_positive(config["learning_rate"], "learning_rate")
    check_beta(config["beta1"], "beta1")
    check_beta(config["beta2"], "beta2")
    check_non_negative(config["epsilon"], "epsilon")
    check_non_negative_int(config["t"], "t")
    m = _state(config, "m", w)
    v = _state(config, "v", w)
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config["t"] + 1  # this is update number t, counted from 1

    # 1) first moment: exponentially weighted average of the gradients
    m = beta1 * m + (1 - beta1) * dw
    # 2) second moment: exponentially weighted average of the squared gradients
    v = beta2 * v + (1 - beta2) * dw**2
    # 3) bias correction: both averages started at 0, so divide by the sum of their weights
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    # 4) update
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])

    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config


RULES = {"SGD": sgd, "Momentum": sgd_momentum, "RMSprop": rmsprop, "Adam": adam}


def run(rule, grad_fn, w0, num_steps, config=None):
    """Iterate an update rule from ``w0`` and return the path (for the book's widgets; not graded).

    rule: one of the rules above (e.g. ``RULES["Adam"]``); grad_fn: function mapping weights to the
    gradient of the same shape; w0: starting weights, any shape; num_steps: number of updates >= 0;
    config: hyper-parameters for the rule (None for its defaults). Neither ``w0`` nor ``config`` is
    modified: the rule works on a copy of the dict.
    Returns path of shape (num_steps + 1, *w0.shape), with ``path[0] == w0`` and ``path[k]`` the
    weights after k updates.
    """
    w = as_float_array(w0, "w0")
    check_non_negative_int(num_steps, "num_steps")
    config = dict(config or {})  # the rules replace state arrays, never modify them, so a shallow copy is enough
    path = np.empty((num_steps + 1,) + w.shape)
    path[0] = w
    for k in range(1, num_steps + 1):
        w, config = rule(w, grad_fn(w), config)
        path[k] = w
    return path
