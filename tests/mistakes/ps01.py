"""Common mistakes in ps01-perceptron."""

from . import Mistake

A = "ps01-perceptron"

MISTAKES = [
    # -- predict
    Mistake(A, "predict", "column", '''
def predict(X, w, b):
    return X @ w.reshape(-1, 1) + b
''', visible="expected shape (2,), got shape (2, 1)"),
    Mistake(A, "predict", "no-bias", '''
def predict(X, w, b):
    return X @ w
''', visible="the bias b left out"),
    Mistake(A, "predict", "transposed", '''
def predict(X, w, b):
    return X.T @ w + b
''', visible="mismatch"),
    Mistake(A, "predict", "sums-everything", '''
def predict(X, w, b):
    return np.sum(X @ w) + b
''', visible="got shape ()"),
    Mistake(A, "predict", "in-place", '''
def predict(X, w, b):
    X *= w
    return X.sum(axis=1) + b
''', visible="changed its input"),
    # -- squared_error_cost
    Mistake(A, "squared_error_cost", "no-half", '''
def squared_error_cost(y_hat, y):
    return float(np.mean((y_hat - y) ** 2))
''', visible="factor of 2"),
    Mistake(A, "squared_error_cost", "sum-not-mean", '''
def squared_error_cost(y_hat, y):
    return float(np.sum((y_hat - y) ** 2) / 2)
''', visible="factor of 3"),
    Mistake(A, "squared_error_cost", "absolute", '''
def squared_error_cost(y_hat, y):
    return float(np.mean(np.abs(y_hat - y)))
''', visible="absolute errors"),
    Mistake(A, "squared_error_cost", "rmse", '''
def squared_error_cost(y_hat, y):
    return float(np.sqrt(np.mean((y_hat - y) ** 2)))
''', visible="square root"),
    Mistake(A, "squared_error_cost", "array", '''
def squared_error_cost(y_hat, y):
    return np.sum((y_hat - y) ** 2, keepdims=True) / (2 * len(y))
''', visible="expected a number"),
    # -- cost_gradients
    Mistake(A, "cost_gradients", "divides-by-n", '''
def cost_gradients(X, y, w, b):
    m, n = X.shape
    error = X @ w + b - y
    return X.T @ error / n, float(error.sum() / n)
''', visible="number of features"),
    Mistake(A, "cost_gradients", "no-mean", '''
def cost_gradients(X, y, w, b):
    error = X @ w + b - y
    return X.T @ error, float(error.sum())
''', visible="factor of 3"),
    Mistake(A, "cost_gradients", "sign", '''
def cost_gradients(X, y, w, b):
    m = X.shape[0]
    error = y - (X @ w + b)
    return X.T @ error / m, float(error.sum() / m)
''', visible="opposite sign"),
    Mistake(A, "cost_gradients", "no-transpose", '''
def cost_gradients(X, y, w, b):
    m = X.shape[0]
    error = X @ w + b - y
    return X @ error / m, float(error.sum() / m)
''', visible="mismatch"),
    Mistake(A, "cost_gradients", "db-array", '''
def cost_gradients(X, y, w, b):
    m = X.shape[0]
    error = (X @ w + b - y) / m
    return X.T @ error, np.array([error.sum()])
''', visible="expected a number"),
    Mistake(A, "cost_gradients", "half-again", '''
def cost_gradients(X, y, w, b):
    m = X.shape[0]
    error = X @ w + b - y
    return X.T @ error / (2 * m), float(error.sum() / (2 * m))
''', visible="factor of 1/2"),
    # -- gradient_descent
    Mistake(A, "gradient_descent", "cost-after", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    if lr <= 0:
        raise ValueError("lr must be positive")
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        dw, db = cost_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
        costs[i] = squared_error_cost(predict(X, w, b), y)
    return w, b, costs
''', visible="the cost after each update instead of before it"),
    Mistake(A, "gradient_descent", "fixed-lr", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    if lr <= 0:
        raise ValueError("lr must be positive")
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(predict(X, w, b), y)
        dw, db = cost_gradients(X, y, w, b)
        w = w - 0.1 * dw
        b = b - 0.1 * db
    return w, b, costs
''', visible="a learning rate of 0.1 whatever lr is"),
    Mistake(A, "gradient_descent", "in-place", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    if lr <= 0:
        raise ValueError("lr must be positive")
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(predict(X, w, b), y)
        dw, db = cost_gradients(X, y, w, b)
        w -= lr * dw
        b -= lr * db
    return w, b, costs
''', visible="changed its input"),
    Mistake(A, "gradient_descent", "stale-bias", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    if lr <= 0:
        raise ValueError("lr must be positive")
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(predict(X, w, b), y)
        dw, _ = cost_gradients(X, y, w, b)
        w = w - lr * dw
        _, db = cost_gradients(X, y, w, b)
        b = b - lr * db
    return w, b, costs
''', visible="b updated with a gradient computed after w had changed"),
    Mistake(A, "gradient_descent", "no-valueerror", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(predict(X, w, b), y)
        dw, db = cost_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs
''', visible="expected ValueError, but no error was raised"),
    Mistake(A, "gradient_descent", "silent-message", '''
def gradient_descent(X, y, w, b, lr, num_iters):
    if lr <= 0:
        raise ValueError("bad input")
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = squared_error_cost(predict(X, w, b), y)
        dw, db = cost_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs
''', visible="does not name 'lr'"),
]
