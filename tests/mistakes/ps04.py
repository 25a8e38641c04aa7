"""Common mistakes in ps04-minibatch."""

from . import Mistake

A = "ps04-minibatch"

LOOP = '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {{lr}}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {{batch_size}}")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_epochs)
{before}    for k in range(num_epochs):
{epoch}        for X_batch, y_batch in {batches}:
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w = w - {lr} * dw
            b = b - {lr} * db
        costs[k] = {cost}
    return w, b, costs
'''


def loop(before="", epoch="", batches="make_minibatches(X, y, batch_size, rng)", lr="lr",
         cost="log_loss(sigmoid(X @ w + b), y)"):
    return LOOP.format(before=before, epoch=epoch, batches=batches, lr=lr, cost=cost)


MISTAKES = [
    # -- make_minibatches
    Mistake(A, "make_minibatches", "no-shuffle", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(y), batch_size)]
''', visible="no shuffle", tests=("test_make_minibatches_shuffle",)),
    Mistake(A, "make_minibatches", "two-permutations", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    X, y = X[rng.permutation(len(y))], y[rng.permutation(len(y))]
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(y), batch_size)]
''', visible="(the rows of those examples)"),
    Mistake(A, "make_minibatches", "drops-last", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = rng.permutation(len(y))
    return [(X[order[i * batch_size:(i + 1) * batch_size]], y[order[i * batch_size:(i + 1) * batch_size]])
            for i in range(len(y) // batch_size)]
''', visible="the last, smaller batch dropped"),
    Mistake(A, "make_minibatches", "shuffles-in-place", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = rng.permutation(len(y))
    X[:], y[:] = X[order], y[order]
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(y), batch_size)]
''', visible="changed its input"),
    Mistake(A, "make_minibatches", "global-random", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = np.random.permutation(len(y))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(y), batch_size)]
''', visible="labels of the batches in order vs np.random.default_rng(0).permutation(5)",
            tests=("test_make_minibatches_shuffle",)),
    Mistake(A, "make_minibatches", "own-generator", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = np.random.default_rng(0).permutation(len(y))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(y), batch_size)]
''', visible="order of call 1 with one generator", tests=("test_make_minibatches_shuffle",)),
    Mistake(A, "make_minibatches", "no-valueerror", '''
def make_minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(y))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(y), max(batch_size, 1))]
''', visible="make_minibatches with batch_size = 0: expected ValueError"),
    Mistake(A, "make_minibatches", "generator", '''
def make_minibatches(X, y, batch_size, rng):
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = rng.permutation(len(y))
    return ((X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(y), batch_size))
''', visible="expected a list"),
    # -- minibatch_gradient_descent
    Mistake(A, "minibatch_gradient_descent", "shuffles-once", loop(
        before="    batches = make_minibatches(X, y, batch_size, rng)\n", batches="batches"),
        visible="one shuffle before the first epoch", tests=("test_minibatch_gradient_descent_epochs",)),
    Mistake(A, "minibatch_gradient_descent", "cost-before", loop(
        epoch="        costs[k] = log_loss(sigmoid(X @ w + b), y)\n", cost="costs[k]"),
        visible="the cost before the epoch instead of after it"),
    Mistake(A, "minibatch_gradient_descent", "cost-of-last-batch", loop(cost="log_loss(sigmoid(X_batch @ w + b), y_batch)"),
            visible="the cost of the last mini-batch instead of all the data",
            tests=("test_minibatch_gradient_descent_epochs",)),
    Mistake(A, "minibatch_gradient_descent", "own-generator", loop(
        before="    rng = np.random.default_rng(0)\n"),
        visible="a generator of your own", tests=("test_minibatch_gradient_descent_epochs",)),
    Mistake(A, "minibatch_gradient_descent", "fixed-lr", loop(lr="0.1"), visible="a learning rate of 0.1 whatever lr is",
            tests=("test_minibatch_gradient_descent", "test_minibatch_gradient_descent_epochs")),
    Mistake(A, "minibatch_gradient_descent", "one-update-per-epoch", '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_epochs)
    for k in range(num_epochs):
        grads = [log_loss_gradients(Xb, yb, w, b) for Xb, yb in make_minibatches(X, y, batch_size, rng)]
        w = w - lr * np.mean([g[0] for g in grads], axis=0)
        b = b - lr * np.mean([g[1] for g in grads])
        costs[k] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
''', visible="one update per epoch", tests=("test_minibatch_gradient_descent", "test_minibatch_gradient_descent_epochs")),
    Mistake(A, "minibatch_gradient_descent", "no-valueerror", '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_epochs)
    for k in range(num_epochs):
        for X_batch, y_batch in make_minibatches(X, y, max(batch_size, 1), rng):
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w, b = w - lr * dw, b - lr * db
        costs[k] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
''', visible="minibatch_gradient_descent with lr = 0: expected ValueError"),
    Mistake(A, "minibatch_gradient_descent", "in-place", '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.zeros(num_epochs)
    for k in range(num_epochs):
        order = rng.permutation(len(y))
        X[:], y[:] = X[order], y[order]
        for s in range(0, len(y), batch_size):
            dw, db = log_loss_gradients(X[s:s + batch_size], y[s:s + batch_size], w, b)
            w, b = w - lr * dw, b - lr * db
        costs[k] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
''', visible="changed its input", tests=("test_minibatch_gradient_descent_epochs",)),
]
