"""Common mistakes in ps09-capstone."""

from . import Mistake

A = "ps09-capstone"

MISTAKES = [
    # ---------------------------------------------------------------- one_hot
    Mistake(A, "one_hot", "eye-indexing", '''
def one_hot(y, k):
    return np.eye(k)[y]
''', visible="arrays used as indices"),
    Mistake(A, "one_hot", "k-from-labels", '''
def one_hot(y, k):
    y = np.asarray(y).astype(int)
    if np.any(y < 0) or np.any(y >= k):
        raise ValueError("y out of range")
    return np.eye(y.max() + 1)[y]
''', visible="expected shape (2, 5), got shape (2, 2)"),
    Mistake(A, "one_hot", "integer-array", '''
def one_hot(y, k):
    y = np.asarray(y)
    if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= k):
        raise ValueError("bad label in y")
    Y = np.zeros((len(y), k), dtype=int)
    Y[np.arange(len(y)), y.astype(int)] = 1
    return Y
''', visible="expected a float64 array"),
    Mistake(A, "one_hot", "transposed", '''
def one_hot(y, k):
    y = np.asarray(y)
    if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= k):
        raise ValueError("bad label in y")
    Y = np.zeros((k, len(y)))
    Y[y.astype(int), np.arange(len(y))] = 1.0
    return Y
''', visible="expected shape (5, 4), got shape (4, 5)"),
    Mistake(A, "one_hot", "negative-wraps", '''
def one_hot(y, k):
    y = np.asarray(y)
    if np.any(y != np.round(y)) or np.any(y >= k):
        raise ValueError("bad label in y")
    return np.eye(k)[y.astype(int)]
''', visible="a negative label: expected ValueError"),
    Mistake(A, "one_hot", "fractions-truncated", '''
def one_hot(y, k):
    y = np.asarray(y).astype(int)
    if np.any(y < 0) or np.any(y >= k):
        raise ValueError("bad label in y")
    return np.eye(k)[y]
''', visible="not a whole number: expected ValueError"),
    # ---------------------------------------------------------------- softmax
    Mistake(A, "softmax", "unstable", '''
def softmax(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)
''', visible="printed the warning 'RuntimeWarning: overflow"),
    Mistake(A, "softmax", "columns", '''
def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)
''', visible="normalising each column instead of each row"),
    Mistake(A, "softmax", "global-max", '''
def softmax(Z):
    E = np.exp(Z - np.max(Z))
    return E / E.sum(axis=1, keepdims=True)
''', visible="each row shifted by its own largest score"),
    Mistake(A, "softmax", "sum-of-all", '''
def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum()
''', visible="the row sums of softmax(Z)"),
    Mistake(A, "softmax", "no-keepdims", '''
def softmax(Z):
    E = np.exp(Z - Z.max(axis=1))
    return E / E.sum(axis=1)
''', visible="could not be broadcast"),
    Mistake(A, "softmax", "in-place", '''
def softmax(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z
''', visible="changed its input"),
    # ---------------------------------------------------------------- cross_entropy
    Mistake(A, "cross_entropy", "no-clipping", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    return float(-np.sum(Y * np.log(P)) / P.shape[0])
''', visible="printed the warning 'RuntimeWarning: divide by zero"),
    Mistake(A, "cross_entropy", "sum-not-mean", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    return float(-np.sum(Y * np.log(np.clip(P, eps, 1.0))))
''', visible="off by a factor of 3"),
    Mistake(A, "cross_entropy", "mean-over-entries", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    return float(-np.mean(Y * np.log(np.clip(P, eps, 1.0))))
''', visible="off by a factor of 1/4"),
    Mistake(A, "cross_entropy", "no-minus", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    return float(np.sum(Y * np.log(np.clip(P, eps, 1.0))) / P.shape[0])
''', visible="opposite sign"),
    Mistake(A, "cross_entropy", "binary-formula", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    P = np.clip(P, eps, 1 - eps)
    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / P.shape[0])
''', visible="the binary log loss's (1 - Y) log(1 - P) term"),
    Mistake(A, "cross_entropy", "eps-ignored", '''
def cross_entropy(P, Y, eps=1e-12):
    if np.shape(P) != np.shape(Y):
        raise ValueError("P and Y differ in shape")
    return float(-np.sum(Y * np.log(np.clip(P, 1e-12, 1.0))) / P.shape[0])
''', visible="is eps used?"),
    Mistake(A, "cross_entropy", "no-valueerror", '''
def cross_entropy(P, Y, eps=1e-12):
    return float(-np.sum(Y * np.log(np.clip(P, eps, 1.0))) / P.shape[0])
''', visible="does not name 'P'"),
    # ---------------------------------------------------------------- softmax_cross_entropy_gradient
    Mistake(A, "softmax_cross_entropy_gradient", "no-mean", '''
def softmax_cross_entropy_gradient(Z, Y):
    return softmax(Z) - Y
''', visible="off by a factor of 4"),
    Mistake(A, "softmax_cross_entropy_gradient", "reversed", '''
def softmax_cross_entropy_gradient(Z, Y):
    return (Y - softmax(Z)) / Z.shape[0]
''', visible="the sign is reversed"),
    Mistake(A, "softmax_cross_entropy_gradient", "unstable", '''
def softmax_cross_entropy_gradient(Z, Y):
    E = np.exp(Z)
    return (E / E.sum(axis=1, keepdims=True) - Y) / Z.shape[0]
''', visible="printed the warning 'RuntimeWarning: overflow"),
    Mistake(A, "softmax_cross_entropy_gradient", "diagonal-only", '''
def softmax_cross_entropy_gradient(Z, Y):
    P = softmax(Z)
    return -(Y / P) * P * (1 - P) / Z.shape[0]
''', visible="softmax_cross_entropy_gradient(Z, Y) for m = 4 examples"),
    Mistake(A, "softmax_cross_entropy_gradient", "divides-by-k", '''
def softmax_cross_entropy_gradient(Z, Y):
    return (softmax(Z) - Y) / Z.shape[1]
''', visible="factor"),
    # ---------------------------------------------------------------- network_forward
    Mistake(A, "network_forward", "sigmoid-output", '''
def network_forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    return 1 / (1 + np.exp(-Z2)), {"Z1": Z1, "A1": A1, "Z2": Z2}
''', visible="a sigmoid output instead of softmax"),
    Mistake(A, "network_forward", "no-relu", '''
def network_forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    Z2 = Z1 @ params["W2"] + params["b2"]
    return softmax(Z2), {"Z1": Z1, "A1": Z1, "Z2": Z2}
''', visible="no relu in the hidden layer"),
    Mistake(A, "network_forward", "tanh", '''
def network_forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    return softmax(Z2), {"Z1": Z1, "A1": A1, "Z2": Z2}
''', visible="tanh in the hidden layer instead of relu"),
    Mistake(A, "network_forward", "cache-keys", '''
def network_forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    return softmax(Z2), {"Z1": Z1, "Z2": Z2}
''', visible="the cache has no key 'A1'"),
    Mistake(A, "network_forward", "no-b1", '''
def network_forward(X, params):
    Z1 = X @ params["W1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    return softmax(Z2), {"Z1": Z1, "A1": A1, "Z2": Z2}
''', visible="cache['Z1']"),
    # ---------------------------------------------------------------- network_backward
    Mistake(A, "network_backward", "no-relu-slope", '''
def network_backward(X, Y, params, cache):
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    dZ1 = dZ2 @ params["W2"].T
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
''', visible="dZ1 without relu's slope"),
    Mistake(A, "network_backward", "bias-mean", '''
def network_backward(X, Y, params, cache):
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"dW1": X.T @ dZ1, "db1": dZ1.mean(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.mean(axis=0)}
''', visible="off by a factor of 1/4", tests=("test_network_backward",)),
    Mistake(A, "network_backward", "bias-wrong-axis", '''
def network_backward(X, Y, params, cache):
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=1), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=1)}
''', visible="expected shape (5,), got shape (4,)"),
    Mistake(A, "network_backward", "keys-without-d", '''
def network_backward(X, Y, params, cache):
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}
''', visible="returned no 'dW1'"),
    Mistake(A, "network_backward", "slope-from-A1-times-W", '''
def network_backward(X, Y, params, cache):
    dZ2 = softmax_cross_entropy_gradient(cache["Z2"], Y)
    dZ1 = (dZ2 @ params["W2"].T) * cache["A1"]
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
''', visible="grads['dW1']"),
    Mistake(A, "network_backward", "reads-P", '''
def network_backward(X, Y, params, cache):
    dZ2 = (cache["P"] - Y) / X.shape[0]
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
''', visible="KeyError"),
    # ---------------------------------------------------------------- train
    Mistake(A, "train_classifier", "epochs-from-1", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": []}
    for epoch in range(1, num_epochs + 1):
        lr = schedule(epoch)
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = num_epochs - 1
    return params, history
''', visible="the epochs passed to schedule"),
    Mistake(A, "train_classifier", "shared-config", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    for epoch in range(num_epochs):
        config["learning_rate"] = schedule(epoch)
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], config = rule(params[key], grads["d" + key], config)
        history["lr"].append(config["learning_rate"])
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="different config dicts"),
    Mistake(A, "train_classifier", "shuffle-once", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    batches = make_minibatches(X, y, batch_size, rng)
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in batches:
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="call make_minibatches once per epoch"),
    Mistake(A, "train_classifier", "schedule-ignored", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="config['learning_rate'] at each rule call"),
    Mistake(A, "train_classifier", "loss-before-epoch", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="measured before each epoch's updates"),
    Mistake(A, "train_classifier", "returns-last", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch = np.inf, -1
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch = history["val_loss"][-1], epoch
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return params, history
''', visible="the last epoch's parameters returned instead of the best"),
    Mistake(A, "train_classifier", "patience-plus-one", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch > patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="history['val_loss'] with patience = 3"),
    Mistake(A, "train_classifier", "mutates-params", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    configs = {key: dict(config) for key in params}
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, dict(params)
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for key in configs:
            configs[key]["learning_rate"] = lr
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], configs[key] = rule(params[key], grads["d" + key], configs[key])
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="train_classifier changed the initial params"),
    Mistake(A, "train_classifier", "new-config-each-step", '''
def train_classifier(X, y, params, rule, config, schedule, num_epochs, batch_size, rng, X_val=None, y_val=None, patience=None):
    if patience is not None and X_val is None:
        raise ValueError("patience needs validation data")
    k = len(params["b2"])
    params = dict(params)
    history = {"lr": [], "train_loss": [], "val_loss": []}
    best, best_epoch, best_params = np.inf, -1, params
    for epoch in range(num_epochs):
        lr = schedule(epoch)
        for X_batch, y_batch in make_minibatches(X, y, batch_size, rng):
            _, cache = network_forward(X_batch, params)
            grads = network_backward(X_batch, one_hot(y_batch, k), params, cache)
            for key in params:
                params[key], _ = rule(params[key], grads["d" + key], dict(config, learning_rate=lr))
        history["lr"].append(lr)
        history["train_loss"].append(cross_entropy(network_forward(X, params)[0], one_hot(y, k)))
        if X_val is not None:
            history["val_loss"].append(cross_entropy(network_forward(X_val, params)[0], one_hot(y_val, k)))
            if history["val_loss"][-1] < best:
                best, best_epoch, best_params = history["val_loss"][-1], epoch, dict(params)
            elif patience is not None and epoch - best_epoch >= patience:
                break
    history = {key: np.array(v) for key, v in history.items()}
    history["best_epoch"] = best_epoch if X_val is not None else num_epochs - 1
    return (best_params if patience else params), history
''', visible="different config dicts"),
    # ---------------------------------------------------------------- accuracy
    Mistake(A, "accuracy", "count", '''
def accuracy(P, y):
    return float(np.sum(np.argmax(P, axis=1) == y))
''', visible="the number of right answers"),
    Mistake(A, "accuracy", "percentage", '''
def accuracy(P, y):
    return float(100 * np.mean(np.argmax(P, axis=1) == y))
''', visible="a percentage (60) instead of a fraction"),
    Mistake(A, "accuracy", "axis-0", '''
def accuracy(P, y):
    return float(np.mean(np.argmax(P, axis=0) == y))
''', visible="could not be broadcast"),
    Mistake(A, "accuracy", "array", '''
def accuracy(P, y):
    return np.mean(np.argmax(P, axis=1) == y, keepdims=True)
''', visible="expected a number"),
    # ---------------------------------------------------------------- confusion_counts
    Mistake(A, "confusion_counts", "transposed", '''
def confusion_counts(P, y):
    k = P.shape[1]
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (np.argmax(P, axis=1), np.asarray(y).astype(int)), 1)
    return C
''', visible="rows and columns swapped"),
    Mistake(A, "confusion_counts", "fancy-increment", '''
def confusion_counts(P, y):
    k = P.shape[1]
    C = np.zeros((k, k), dtype=int)
    C[np.asarray(y).astype(int), np.argmax(P, axis=1)] += 1
    return C
''', visible="counts the repeated pair (1, 1) once"),
    Mistake(A, "confusion_counts", "k-from-labels", '''
def confusion_counts(P, y):
    k = int(max(np.max(y), np.max(np.argmax(P, axis=1)))) + 1
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (np.asarray(y).astype(int), np.argmax(P, axis=1)), 1)
    return C
''', visible="expected shape (4, 4), got shape (2, 2)"),
    Mistake(A, "confusion_counts", "floats", '''
def confusion_counts(P, y):
    k = P.shape[1]
    C = np.zeros((k, k))
    np.add.at(C, (np.asarray(y).astype(int), np.argmax(P, axis=1)), 1)
    return C
''', visible="expected an integer array"),
]
