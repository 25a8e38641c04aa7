"""Common mistakes in ps06-optimizers."""

from . import Mistake

A = "ps06-optimizers"

MISTAKES = [
    # -- sgd
    Mistake(A, "sgd", "no-valueerror", '''
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config
''', visible="learning_rate = 0: expected ValueError"),
    Mistake(A, "sgd", "hard-coded-lr", '''
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    return w - 1e-2 * dw, config
''', visible="the default learning rate 1e-2 used instead"),
    Mistake(A, "sgd", "in-place", '''
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    w -= config["learning_rate"] * dw
    return w, config
''', visible="changed its input"),
    Mistake(A, "sgd", "uphill", '''
def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    return w + config["learning_rate"] * dw, config
''', visible="opposite sign"),
    Mistake(A, "sgd", "defaults-not-stored", '''
def sgd(w, dw, config=None):
    lr = (config or {}).get("learning_rate", 1e-2)
    if lr <= 0:
        raise ValueError("learning_rate must be positive")
    return w - lr * dw, config
''', visible="config['learning_rate'] = 0.01 filled in"),
    # -- sgd_momentum
    Mistake(A, "sgd_momentum", "pytorch-form", '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config
''', visible="PyTorch's form"),
    Mistake(A, "sgd_momentum", "lr-inside", '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config
''', visible="the learning rate inside the velocity"),
    Mistake(A, "sgd_momentum", "state-not-carried", '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    beta = config["momentum"]
    v = beta * np.zeros_like(w) + (1 - beta) * dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config
''', visible="the velocity not carried between steps"),
    Mistake(A, "sgd_momentum", "hard-coded-momentum", '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    v = 0.9 * config.get("velocity", np.zeros_like(w)) + 0.1 * dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config
''', visible="momentum = 0.9 whatever config['momentum'] says"),
    Mistake(A, "sgd_momentum", "no-valueerror", '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    beta = config["momentum"]
    v = beta * config.get("velocity", np.zeros_like(w)) + (1 - beta) * dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config
''', visible="learning_rate = 0: expected ValueError"),
    # -- rmsprop
    Mistake(A, "rmsprop", "eps-inside", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    d = config["decay_rate"]
    s = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = s
    return w - config["learning_rate"] * dw / np.sqrt(s + config["epsilon"]), config
''', visible="looks like eps inside the square root"),
    Mistake(A, "rmsprop", "cache-not-carried", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    d = config["decay_rate"]
    s = (1 - d) * dw**2
    config["cache"] = s
    return w - config["learning_rate"] * dw / (np.sqrt(s) + config["epsilon"]), config
''', visible="the cache not carried between steps"),
    Mistake(A, "rmsprop", "hard-coded", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    s = 0.99 * config.get("cache", np.zeros_like(w)) + 0.01 * dw**2
    config["cache"] = s
    return w - 0.01 * dw / (np.sqrt(s) + 1e-8), config
''', visible="decay_rate = 0.99 whatever config['decay_rate'] says"),
    Mistake(A, "rmsprop", "no-sqrt", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    d = config["decay_rate"]
    s = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = s
    return w - config["learning_rate"] * dw / (s + config["epsilon"]), config
''', visible="dividing by the cache instead of its square root"),
    Mistake(A, "rmsprop", "swapped", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    d = config["decay_rate"]
    s = (1 - d) * config.get("cache", np.zeros_like(w)) + d * dw**2
    config["cache"] = s
    return w - config["learning_rate"] * dw / (np.sqrt(s) + config["epsilon"]), config
''', visible="decay_rate and 1 - decay_rate swapped"),
    Mistake(A, "rmsprop", "no-valueerror", '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    s = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = s
    return w - config["learning_rate"] * dw / (np.sqrt(s) + config["epsilon"]), config
''', visible="learning_rate = 0: expected ValueError"),
    # -- adam
    Mistake(A, "adam", "ignores-learning-rate", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - 1e-3 * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
''', visible="learning_rate = 1e-3 whatever config['learning_rate'] says"),
    Mistake(A, "adam", "t-from-0", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"]
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t + 1
    return next_w, config
''', visible="is t increased *before* the bias correction"),
    Mistake(A, "adam", "correction-after-update", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"])
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
''', visible="bias correction missing, or applied after the update"),
    Mistake(A, "adam", "stores-corrected", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = (b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw) / (1 - b1**t)
    v = (b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2) / (1 - b2**t)
    next_w = w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
''', visible="holding the bias-corrected m_hat"),
    Mistake(A, "adam", "eps-inside", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
''', visible="looks like eps inside the square root"),
    Mistake(A, "adam", "t-not-stored", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config["m"], config["v"] = m, v
    return next_w, config
''', visible="t not carried between steps"),
    Mistake(A, "adam", "no-valueerror", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, default)
    b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    next_w = w - config["learning_rate"] * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
''', visible="learning_rate = 0: expected ValueError"),
    # -- adagrad
    Mistake(A, "adagrad", "running-average", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    G = 0.99 * config.get("cache", np.zeros_like(w)) + 0.01 * dw**2
    config["cache"] = G
    return w - config["learning_rate"] * dw / (np.sqrt(G) + config["epsilon"]), config
''', visible="a running average as in RMSprop"),
    Mistake(A, "adagrad", "cache-not-carried", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    G = np.zeros_like(w) + dw**2
    config["cache"] = G
    return w - config["learning_rate"] * dw / (np.sqrt(G) + config["epsilon"]), config
''', visible="the cache not carried between steps"),
    Mistake(A, "adagrad", "eps-inside", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    G = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = G
    return w - config["learning_rate"] * dw / np.sqrt(G + config["epsilon"]), config
''', visible="looks like eps inside the square root"),
    Mistake(A, "adagrad", "hard-coded-lr", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    G = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = G
    return w - 0.01 * dw / (np.sqrt(G) + config["epsilon"]), config
''', visible="learning_rate = 0.01 whatever config['learning_rate'] says"),
    Mistake(A, "adagrad", "in-place-cache", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    if config["learning_rate"] <= 0:
        raise ValueError("learning_rate must be positive")
    G = config.setdefault("cache", np.zeros_like(w))
    G += dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(G) + config["epsilon"]), config
''', visible="the cache array of the first step"),
    Mistake(A, "adagrad", "no-valueerror", '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-10)
    G = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = G
    return w - config["learning_rate"] * dw / (np.sqrt(G) + config["epsilon"]), config
''', visible="learning_rate = 0: expected ValueError"),
    # -- newton_step
    Mistake(A, "newton_step", "diagonal-only", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape != (len(w), len(w)):
        raise ValueError("hessian must be square and fit w")
    if np.any(np.diag(hessian) == 0) or abs(np.linalg.det(hessian)) < 1e-12:
        raise ValueError("hessian is singular")
    return w - grad / np.diag(hessian)
''', visible="the diagonal of the Hessian only"),
    Mistake(A, "newton_step", "multiplies", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape != (len(w), len(w)):
        raise ValueError("hessian must be square and fit w")
    if abs(np.linalg.det(hessian)) < 1e-12:
        raise ValueError("hessian is singular")
    return w - hessian @ grad
''', visible="multiplying by the Hessian instead of solving"),
    Mistake(A, "newton_step", "uphill", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape != (len(w), len(w)):
        raise ValueError("hessian must be square and fit w")
    try:
        return w + np.linalg.solve(hessian, grad)
    except np.linalg.LinAlgError:
        raise ValueError("hessian is singular")
''', visible="opposite sign"),
    Mistake(A, "newton_step", "pinv", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape != (len(w), len(w)):
        raise ValueError("hessian must be square and fit w")
    return w - np.linalg.pinv(hessian) @ grad
''', visible="singular Hessian [[1, 2], [2, 4]]: expected ValueError"),
    Mistake(A, "newton_step", "linalgerror-escapes", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape[0] != hessian.shape[1]:
        raise ValueError("hessian must be square")
    return w - np.linalg.solve(hessian, grad)
''', visible="does not name 'hessian': 'Singular matrix'"),
    Mistake(A, "newton_step", "no-shape-check", '''
def newton_step(w, grad, hessian):
    try:
        return w - np.linalg.solve(hessian, grad)
    except np.linalg.LinAlgError as error:
        raise ValueError(f"hessian is singular: {error}")
''', visible="does not name 'hessian'"),
    Mistake(A, "newton_step", "in-place", '''
def newton_step(w, grad, hessian):
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.ndim != 2 or hessian.shape != (len(w), len(w)):
        raise ValueError("hessian must be square and fit w")
    try:
        w -= np.linalg.solve(hessian, grad)
    except np.linalg.LinAlgError:
        raise ValueError("hessian is singular")
    return w
''', visible="changed its input"),
]
