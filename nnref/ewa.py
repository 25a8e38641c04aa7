"""Exponentially weighted averages (book: ``exponentially-weighted-averages``; graded in ps05).

An exponentially weighted average (EWA) smooths a series ``theta_1 .. theta_T`` with one number,
``beta`` in [0, 1): each new average keeps ``beta`` of the old one and adds ``1 - beta`` of the new
value. Momentum, RMSprop and Adam (``nnref.optim``) are EWAs of the gradients and their squares.
"""

import numpy as np

from ._validate import as_float_array, check_beta


def ewa(theta, beta):
    """Exponentially weighted average, ``v_t = beta * v_{t-1} + (1 - beta) * theta_t`` with ``v_0 = 0``.

    theta: the series theta_1 .. theta_T, shape (T,); beta: decay factor in [0, 1).
    Returns v of shape (T,) holding v_1 .. v_T (``v_0`` is not included).
    """
    theta = as_float_array(theta, "theta", ndim=1)
    check_beta(beta, "beta")
    v = np.empty_like(theta)
    v_prev = 0.0  # v_0 = 0: the average starts empty, which biases early values towards zero
    for t, theta_t in enumerate(theta):
        # keep beta of the old average, add (1 - beta) of the new value
        v_prev = beta * v_prev + (1 - beta) * theta_t
        v[t] = v_prev
    return v


def ewa_bias_corrected(theta, beta):
    """Bias-corrected exponentially weighted average, ``v_t / (1 - beta**t)`` for t = 1 .. T.

    theta: the series, shape (T,); beta: decay factor in [0, 1).
    Returns v_hat of shape (T,). The weights of ``v_t`` sum to ``1 - beta**t``; dividing by that
    sum makes them sum to 1, so a constant series is reproduced exactly from the first step.
    """
    v = ewa(theta, beta)
    t = np.arange(1, v.shape[0] + 1)
    return v / (1 - beta**t)


def effective_window(beta):
    """Roughly how many recent values an EWA averages over, ``1 / (1 - beta)``.

    beta: decay factor in [0, 1). Returns a float (beta = 0.9 gives 10, beta = 0.98 gives 50).
    A value that many steps old has weight ``beta**(1 / (1 - beta))``, about ``1/e`` when beta is near 1.
    """
    check_beta(beta, "beta")
    return float(1 / (1 - beta))
