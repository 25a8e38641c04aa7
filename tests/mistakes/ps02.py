"""Common mistakes in ps02-log-loss."""

from . import Mistake

A = "ps02-log-loss"

MISTAKES = [
    # -- sigmoid
    Mistake(A, "sigmoid", "naive", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''', visible="printed the warning 'RuntimeWarning: overflow encountered in exp'"),
    Mistake(A, "sigmoid", "where-both-branches", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
''', visible="printed the warning"),
    Mistake(A, "sigmoid", "naive-other-form", '''
def sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))
''', visible="printed the warning"),
    Mistake(A, "sigmoid", "one-branch", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    u = np.exp(-np.abs(z))
    return 1 / (1 + u)
''', visible="the branch for z >= 0 used for every z"),
    Mistake(A, "sigmoid", "integer-array", '''
def sigmoid(z):
    z = np.asarray(z)
    out = np.zeros_like(z)
    u = np.exp(-np.abs(z))
    out[z >= 0] = (1 / (1 + u))[z >= 0]
    out[z < 0] = (u / (1 + u))[z < 0]
    return out
''', visible="integer array"),
    # -- log_loss
    Mistake(A, "log_loss", "no-clip", '''
def log_loss(y_hat, y, eps=1e-12):
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="printed the warning 'RuntimeWarning: divide by zero encountered in log'"),
    Mistake(A, "log_loss", "clip-below-only", '''
def log_loss(y_hat, y, eps=1e-12):
    y_hat = np.maximum(y_hat, eps)
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="printed the warning"),
    Mistake(A, "log_loss", "fixed-eps", '''
def log_loss(y_hat, y, eps=1e-12):
    y_hat = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="eps ignored"),
    Mistake(A, "log_loss", "log10", '''
def log_loss(y_hat, y, eps=1e-12):
    y_hat = np.clip(y_hat, eps, 1 - eps)
    return float(-np.mean(y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat)))
''', visible="log10 instead of the natural logarithm"),
    Mistake(A, "log_loss", "sum", '''
def log_loss(y_hat, y, eps=1e-12):
    y_hat = np.clip(y_hat, eps, 1 - eps)
    return float(-np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="factor of 3"),
    Mistake(A, "log_loss", "no-minus", '''
def log_loss(y_hat, y, eps=1e-12):
    y_hat = np.clip(y_hat, eps, 1 - eps)
    return float(np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="opposite sign"),
    Mistake(A, "log_loss", "clips-in-place", '''
def log_loss(y_hat, y, eps=1e-12):
    np.clip(y_hat, eps, 1 - eps, out=y_hat)
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
''', visible="changed its input"),
    # -- log_loss_gradients
    Mistake(A, "log_loss_gradients", "no-sigmoid", '''
def log_loss_gradients(X, y, w, b):
    m = X.shape[0]
    dz = (X @ w + b - y) / m
    return X.T @ dz, float(np.sum(dz))
''', visible="the score z in place of the prediction sigmoid(z)"),
    Mistake(A, "log_loss_gradients", "divides-by-n", '''
def log_loss_gradients(X, y, w, b):
    n = X.shape[1]
    dz = (sigmoid(X @ w + b) - y) / n
    return X.T @ dz, float(np.sum(dz))
''', visible="number of features"),
    Mistake(A, "log_loss_gradients", "squared-error", '''
def log_loss_gradients(X, y, w, b):
    m = X.shape[0]
    a = sigmoid(X @ w + b)
    dz = (a - y) * a * (1 - a) / m
    return X.T @ dz, float(np.sum(dz))
''', visible="the squared error's gradient"),
    Mistake(A, "log_loss_gradients", "sign", '''
def log_loss_gradients(X, y, w, b):
    m = X.shape[0]
    dz = (y - sigmoid(X @ w + b)) / m
    return X.T @ dz, float(np.sum(dz))
''', visible="opposite sign"),
    Mistake(A, "log_loss_gradients", "db-array", '''
def log_loss_gradients(X, y, w, b):
    m = X.shape[0]
    dz = (sigmoid(X @ w + b) - y) / m
    return X.T @ dz, np.sum(dz, keepdims=True)
''', visible="expected a number"),
    # -- train_logistic
    Mistake(A, "train_logistic", "cost-after", '''
def train_logistic(X, y, lr, num_iters):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        dw, db = log_loss_gradients(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
        costs[i] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
''', visible="the cost after each update instead of before it"),
    Mistake(A, "train_logistic", "fixed-lr", '''
def train_logistic(X, y, lr, num_iters):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = log_loss(sigmoid(X @ w + b), y)
        dw, db = log_loss_gradients(X, y, w, b)
        w, b = w - 1.0 * dw, b - 1.0 * db
    return w, b, costs
''', visible="a learning rate of 1 whatever lr is"),
    Mistake(A, "train_logistic", "no-valueerror", '''
def train_logistic(X, y, lr, num_iters):
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = log_loss(sigmoid(X @ w + b), y)
        dw, db = log_loss_gradients(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, costs
''', visible="expected ValueError, but no error was raised"),
    Mistake(A, "train_logistic", "starts-from-ones", '''
def train_logistic(X, y, lr, num_iters):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    w, b = np.ones(X.shape[1]), 0.0
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = log_loss(sigmoid(X @ w + b), y)
        dw, db = log_loss_gradients(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, costs
''', visible="costs of two updates of the hand example"),
    Mistake(A, "train_logistic", "one-weight", '''
def train_logistic(X, y, lr, num_iters):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    w, b = np.zeros(1), 0.0
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        costs[i] = log_loss(sigmoid(X @ w + b), y)
        dw, db = log_loss_gradients(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, costs
''', visible="mismatch"),
    # -- predict_classes
    Mistake(A, "predict_classes", "greater-equal", '''
def predict_classes(X, w, b, threshold=0.5):
    return (sigmoid(X @ w + b) >= threshold).astype(int)
''', visible=">= instead of >"),
    Mistake(A, "predict_classes", "ignores-threshold", '''
def predict_classes(X, w, b, threshold=0.5):
    return (X @ w + b > 0).astype(int)
''', visible="the threshold ignored"),
    Mistake(A, "predict_classes", "score-vs-threshold", '''
def predict_classes(X, w, b, threshold=0.5):
    return (X @ w + b > threshold).astype(int)
''', visible="the score z compared with the threshold instead of the probability"),
    Mistake(A, "predict_classes", "booleans", '''
def predict_classes(X, w, b, threshold=0.5):
    return sigmoid(X @ w + b) > threshold
''', visible="expected integer labels, got dtype bool"),
    Mistake(A, "predict_classes", "rounds", '''
def predict_classes(X, w, b, threshold=0.5):
    return np.round(sigmoid(X @ w + b))
''', visible="expected integer labels"),
]
