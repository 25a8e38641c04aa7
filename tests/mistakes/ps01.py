"""Common mistakes in ps01-perceptron."""

from . import Mistake

A = "ps01-perceptron"

MISTAKES = [
    Mistake(A, "cost_gradients", "divides-by-n", '''
def cost_gradients(X, y, w, b):
    m, n = X.shape
    error = X @ w + b - y
    return X.T @ error / n, float(error.sum() / n)
''', visible="factor"),
]
