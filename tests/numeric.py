"""A numerical gradient for the tests, written independently of nnopt (which it checks)."""

import numpy as np


def numeric_grad(f, x, h=1e-6):
    """Centred differences of a scalar function ``f`` at a float array ``x`` (restored afterwards)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        g[i] = (plus - minus) / (2 * h)
    return g
