"""Update rules of gradient descent (book: ``optimizers``, ``preconditioning``; graded in ps06).

Every rule has one contract, after CS231n's ``optim.py``::

    next_w, config = rule(w, dw, config=None)

w: the weights, an array of any shape; dw: the gradient of the cost at ``w``, same shape.
config: a dict of hyper-parameters and state. ``None`` means a new empty dict. Missing keys are
filled with the defaults (``config.setdefault``) and state arrays start as zeros of ``w``'s shape.

What is modified: ``w`` and ``dw`` never are; ``next_w`` is a new array. The returned ``config``
is the *same* dict that was passed in, updated: its defaults filled and its state keys
(``velocity``, ``cache``, ``delta``, ``m``, ``v``, ``t``) replaced by the new state. The state arrays
are new arrays each step, so an array the caller took out of ``config`` earlier keeps its old values.
Pass the returned config back in on the next step.

Hyper-parameters outside their range give a ``ValueError`` naming the key:
``learning_rate > 0``; ``momentum``, ``decay_rate``, ``beta1``, ``beta2`` in [0, 1);
``epsilon >= 0``; ``weight_decay >= 0``.

Newton's method (``newton_step``) has a contract of its own: it needs the Hessian as well.
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


def nesterov_momentum(w, dw, config=None):
    """Nesterov's accelerated gradient, in the course's exponentially weighted form.

    ``velocity = momentum * velocity + (1 - momentum) * dw``, then
    ``w - learning_rate * ((1 - momentum) * dw + momentum * velocity)``: the step of momentum taken from
    the point that the velocity is about to reach (the "look-ahead"), written with the gradient at ``w``.
    This equals PyTorch's ``SGD(momentum=momentum, dampening=0, nesterov=True)`` run with learning rate
    ``learning_rate * (1 - momentum)``.

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

    # 1) velocity: exponentially weighted average of the gradients, as in momentum
    velocity = beta * velocity + (1 - beta) * dw
    # 2) update: the next velocity's direction, beta v + (1 - beta) dw, evaluated one step ahead
    next_w = w - config["learning_rate"] * ((1 - beta) * dw + beta * velocity)

    config["velocity"] = velocity
    return next_w, config


def adagrad(w, dw, config=None):
    """AdaGrad: divide each gradient component by the root of the *sum* of its squares so far.

    ``cache = cache + dw**2``, then ``w - learning_rate * dw / (sqrt(cache) + epsilon)`` (epsilon outside
    the root, as PyTorch's ``Adagrad(lr_decay=0, initial_accumulator_value=0)``). The sum only grows, so
    every coordinate's effective learning rate only shrinks: about ``learning_rate / (|g| sqrt(t))`` for a
    gradient of steady size ``|g|``.

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1e-2), ``epsilon`` (default 1e-10),
    ``cache`` (state, the sum of the squared gradients; zeros of w's shape at first).
    Returns (next_w, config): next_w of w's shape, and the same config dict with the new cache.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    check_positive(config["learning_rate"], "learning_rate")
    check_non_negative(config["epsilon"], "epsilon")
    cache = _state(config, "cache", w)

    # 1) accumulate: the sum of all squared gradients so far (no decay)
    cache = cache + dw**2
    # 2) update: each component's step is scaled by 1 / (root of its accumulated square)
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])

    config["cache"] = cache
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


def adadelta(w, dw, config=None):
    """Adadelta (Zeiler 2012): RMSprop whose step is rescaled by the root mean square of past *steps*.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``;
    ``step = sqrt(delta + epsilon) / sqrt(cache + epsilon) * dw`` (epsilon inside both roots, as in the
    paper and PyTorch); ``delta = decay_rate * delta + (1 - decay_rate) * step**2``;
    ``w - learning_rate * step``. This is PyTorch's ``Adadelta(lr, rho=decay_rate, eps=epsilon)``; the
    paper has no learning rate (``learning_rate = 1``). Not graded: the book's AdaGrad section uses it.

    w: weights, any shape; dw: gradient, same shape as w.
    config: ``learning_rate`` (default 1.0), ``decay_rate`` (default 0.9), ``epsilon`` (default 1e-6),
    ``cache`` (state, EWA of the squared gradients) and ``delta`` (state, EWA of the squared steps),
    both zeros of w's shape at first.
    Returns (next_w, config): next_w of w's shape, and the same config dict with the new cache and delta.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1.0)
    config.setdefault("decay_rate", 0.9)
    config.setdefault("epsilon", 1e-6)
    check_positive(config["learning_rate"], "learning_rate")
    check_beta(config["decay_rate"], "decay_rate")
    check_non_negative(config["epsilon"], "epsilon")
    cache = _state(config, "cache", w)
    delta = _state(config, "delta", w)
    rho, eps = config["decay_rate"], config["epsilon"]

    # 1) second moment of the gradients, as in RMSprop
    cache = rho * cache + (1 - rho) * dw**2
    # 2) step: the ratio of two root mean squares has the units of w
    step = np.sqrt(delta + eps) / np.sqrt(cache + eps) * dw
    # 3) second moment of the steps
    delta = rho * delta + (1 - rho) * step**2
    next_w = w - config["learning_rate"] * step

    config["cache"], config["delta"] = cache, delta
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


def adamw(w, dw, config=None):
    """AdamW (Loshchilov and Hutter): weight decay applied to ``w`` directly, then Adam's step.

    ``w <- w - learning_rate * weight_decay * w`` first, then :func:`adam` from the decayed ``w``
    (PyTorch's ``AdamW``). Adding ``weight_decay * w`` to the gradient instead (L2 regularisation) would
    let Adam divide the decay by ``sqrt(v_hat)``: a weight whose gradients are large would decay less.

    w: weights, any shape; dw: gradient of the loss *without* its L2 term, same shape as w.
    config: Adam's keys and state, plus ``weight_decay`` (default 1e-2).
    Returns (next_w, config): next_w of w's shape, and the same config dict with Adam's new m, v and t.
    """
    w, dw, config = _start(w, dw, config)
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("weight_decay", 1e-2)
    check_positive(config["learning_rate"], "learning_rate")
    check_non_negative(config["weight_decay"], "weight_decay")

    # 1) decoupled weight decay: shrink w by the factor 1 - lr * weight_decay
    decayed = w - config["learning_rate"] * config["weight_decay"] * w
    # 2) Adam's step from the decayed weights, with the loss's gradient only
    return adam(decayed, dw, config)


def newton_step(w, grad, hessian):
    """One step of Newton's method, ``w - solve(hessian, grad)``: the stationary point of the quadratic
    model ``f(w + d) ~ f(w) + grad . d + d . (hessian d) / 2``.

    w: the point, shape (n,); grad: the gradient at w, shape (n,); hessian: the Hessian at w, shape (n, n).
    Returns w_next, shape (n,). Raises ValueError for shapes that do not fit, or a singular Hessian (the
    model then has no unique stationary point). The step goes to a minimum only if the Hessian is
    positive definite: towards a saddle or a maximum of the model it goes just as readily.
    """
    w = as_float_array(w, "w", ndim=1)
    grad = as_float_array(grad, "grad", ndim=1)
    hessian = as_float_array(hessian, "hessian", ndim=2)
    check_same_shape("w", w, "grad", grad)
    n = w.shape[0]
    if hessian.shape != (n, n):
        raise ValueError(f"hessian must have shape ({n}, {n}) for w of shape ({n},), got {hessian.shape}")
    try:
        # the Newton direction d solves hessian @ d = grad (no inverse is formed)
        direction = np.linalg.solve(hessian, grad)
    except np.linalg.LinAlgError:
        direction = None
    if direction is None or not np.all(np.isfinite(direction)):
        raise ValueError("hessian is singular: the quadratic model has no unique stationary point")
    return w - direction


# The rules of the optimizer race (book: ``optimizers``), in the order of its legend.
RULES = {
    "SGD": sgd,
    "Momentum": sgd_momentum,
    "Nesterov": nesterov_momentum,
    "AdaGrad": adagrad,
    "RMSprop": rmsprop,
    "Adam": adam,
}


def momentum_forms(grads, lrs, beta):
    """Three ways to write momentum, fed the same gradients and the same learning-rate schedule.

    grads: gradients g_1 .. g_T, shape (T, n); lrs: learning rates, shape (T,); beta: the momentum.
    Returns {form: weights after each step, shape (T + 1, n)}, all starting from w_0 = 0:
    ``"course"`` m = beta m + (1 - beta) g, w -= lr m (:func:`sgd_momentum`);
    ``"pytorch"`` u = beta u + g, w -= lr (1 - beta) u (PyTorch's SGD at the rate lr (1 - beta));
    ``"lr inside"`` u = beta u - lr (1 - beta) g, w += u (CS231n, Sutskever et al.).
    The first two agree for any schedule; the third agrees only while lr is constant.
    """
    grads = np.asarray(grads, dtype=np.float64)
    T, n = grads.shape
    out = {form: np.zeros((T + 1, n)) for form in ("course", "pytorch", "lr inside")}
    w = {form: np.zeros(n) for form in out}
    config = {"momentum": beta}
    u_pt, u_in = np.zeros(n), np.zeros(n)
    for t in range(T):
        config["learning_rate"] = lrs[t]
        w["course"], config = sgd_momentum(w["course"], grads[t], config)
        # PyTorch's buffer has no (1 - beta); its learning rate carries it
        u_pt = beta * u_pt + grads[t]
        w["pytorch"] = w["pytorch"] - lrs[t] * (1 - beta) * u_pt
        # the learning rate enters the buffer with each gradient
        u_in = beta * u_in - lrs[t] * (1 - beta) * grads[t]
        w["lr inside"] = w["lr inside"] + u_in
        for form in out:
            out[form][t + 1] = w[form]
    return out
