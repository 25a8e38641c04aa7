"""What the notebook tests need to know about each assignment, beyond its notebooks.

For each assignment: a wrong version of one function, with the test cells it must fail (and no other),
and a function to make loop forever, with the test cells that must then fail. Every other test cell
of a submission carrying that change must still score.
"""

ASSIGNMENTS = {
    "ps01-perceptron": {
        "wrong": {
            "cell": "gradient_descent",
            # records the cost after each update instead of before it
            "code": '''
def gradient_descent(X, y, w, b, lr, num_iters):
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        dw, db = cost_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
        costs[i] = squared_error_cost(predict(X, w, b), y)
    return w, b, costs
''',
            "fails": ["test_gradient_descent"],
        },
        "loop": {
            "cell": "squared_error_cost",
            "code": '''
def squared_error_cost(y_hat, y):
    while True:
        pass
''',
            # gradient_descent calls squared_error_cost, so its test loops too
            "fails": ["test_squared_error_cost", "test_gradient_descent"],
        },
    },
    "ps02-log-loss": {
        "wrong": {
            "cell": "sigmoid",
            # the naive formula: right values, but exp(1000) overflows and prints a RuntimeWarning
            "code": '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''',
            # the other tests keep |z| <= 50, where the naive formula is fine
            "fails": ["test_sigmoid"],
        },
        "loop": {
            "cell": "log_loss",
            "code": '''
def log_loss(y_hat, y, eps=1e-12):
    while True:
        pass
''',
            # train_logistic records the cost with log_loss, so its test loops too
            "fails": ["test_log_loss", "test_train_logistic"],
        },
    },
    "ps03-backprop": {
        "wrong": {
            "cell": "backward",
            # forgets the derivative of the hidden activation: dZ1 = dA1 instead of dA1 * g'(Z1)
            "code": '''
def backward(X, Y, params, cache, activation="tanh"):
    m = X.shape[0]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = dZ2 @ params["W2"].T
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
''',
            "fails": ["test_backward"],
        },
        "loop": {
            "cell": "forward",
            "code": '''
def forward(X, params, activation="tanh"):
    while True:
        pass
''',
            # backward's test builds its own cache, so only forward's test loops
            "fails": ["test_forward"],
        },
    },
    "ps04-minibatch": {
        "wrong": {
            "cell": "minibatch_gradient_descent",
            # shuffles only once: makes the mini-batches before the epochs and reuses them every epoch
            "code": '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    if lr <= 0:
        raise ValueError("lr must be positive")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    w = np.zeros(X.shape[1])
    b = 0.0
    costs = np.zeros(num_epochs)
    batches = make_minibatches(X, y, batch_size, rng)
    for k in range(num_epochs):
        for X_batch, y_batch in batches:
            dw, db = log_loss_gradients(X_batch, y_batch, w, b)
            w = w - lr * dw
            b = b - lr * db
        costs[k] = log_loss(sigmoid(X @ w + b), y)
    return w, b, costs
''',
            "fails": ["test_minibatch_gradient_descent_epochs"],
        },
        "loop": {
            "cell": "minibatch_gradient_descent",
            "code": '''
def minibatch_gradient_descent(X, y, lr, num_epochs, batch_size, rng):
    while True:
        pass
''',
            # make_minibatches does not call it: only the two tests of minibatch_gradient_descent loop
            "fails": ["test_minibatch_gradient_descent", "test_minibatch_gradient_descent_epochs"],
        },
    },
    "ps05-ewa": {
        "wrong": {
            "cell": "ewa_bias_corrected",
            # counts the steps from 2 instead of 1: divides v_t by 1 - beta**(t + 1)
            "code": '''
def ewa_bias_corrected(theta, beta):
    v = ewa(theta, beta)
    t = np.arange(1, v.shape[0] + 1)
    return v / (1 - beta ** (t + 1))
''',
            "fails": ["test_ewa_bias_corrected"],
        },
        "loop": {
            "cell": "ewa",
            "code": '''
def ewa(theta, beta):
    while True:
        pass
''',
            # ewa_bias_corrected calls ewa, so its test loops too; effective_window does not
            "fails": ["test_ewa", "test_ewa_bias_corrected"],
        },
    },
    "ps06-optimizers": {
        "wrong": {
            "cell": "adam",
            # forgets the bias correction: steps with m / (sqrt(v) + eps)
            "code": '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw**2
    next_w = w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, config["t"] + 1
    return next_w, config
''',
            "fails": ["test_adam"],
        },
        "loop": {
            "cell": "rmsprop",
            "code": '''
def rmsprop(w, dw, config=None):
    while True:
        pass
''',
            # the four rules are independent: only rmsprop's test loops
            "fails": ["test_rmsprop"],
        },
    },
    "ps07-lr-decay": {
        "wrong": {
            "cell": "time_based_decay",
            # reads "decreases linearly" literally: lr0 * (1 - decay_rate * epoch) instead of the hyperbola
            "code": '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 * (1 - decay_rate * epoch))
''',
            # staircase_decay is written from its own formula, so only time-based decay's test fails
            "fails": ["test_time_based_decay"],
        },
        "loop": {
            "cell": "inverse_sqrt_decay",
            "code": '''
def inverse_sqrt_decay(lr0, k, epoch):
    while True:
        pass
''',
            # the five schedules are independent: only the inverse square root's test loops
            "fails": ["test_inverse_sqrt_decay"],
        },
    },
    "ps08-batchnorm": {
        "wrong": {
            "cell": "batchnorm_backward",
            # treats the batch mean and variance as constants: only the direct path dx = gamma * dout * inv_std
            "code": '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''',
            "fails": ["test_batchnorm_backward"],
        },
        "loop": {
            "cell": "standardize",
            "code": '''
def standardize(X, stats=None):
    while True:
        pass
''',
            # no other graded function calls standardize, so only its own test loops
            "fails": ["test_standardize"],
        },
    },
    "ps09-capstone": {
        "wrong": {
            "cell": "confusion_counts",
            # rows and columns swapped: rows are the predicted classes, columns the true ones
            "code": '''
def confusion_counts(P, y):
    k = P.shape[1]
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (np.argmax(P, axis=1), np.asarray(y).astype(int)), 1)
    return C
''',
            "fails": ["test_confusion_counts"],
        },
        "loop": {
            "cell": "accuracy",
            "code": '''
def accuracy(P, y):
    while True:
        pass
''',
            # no graded function calls accuracy (only the ungraded comparison at the end), so only its test loops
            "fails": ["test_accuracy"],
        },
    },
}
