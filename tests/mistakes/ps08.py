"""Common mistakes in ps08-batchnorm: the constant column divided by zero, statistics of the wrong axis
or recomputed on test data, the sample standard deviation; a mode nobody checks, the momentum the wrong
way round, the biased variance in the running average; a backward pass without its batch terms."""

from . import Mistake

A = "ps08-batchnorm"

# a correct forward pass, for the mistakes of the backward pass (the cache is a tuple, as in the solution)
FORWARD = '''
def batchnorm_forward(x, gamma, beta, bn_param):
    n = x.shape[1]
    mode = bn_param.get("mode")
    eps = bn_param.setdefault("eps", 1e-5)
    momentum = bn_param.setdefault("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(n))
    running_var = bn_param.setdefault("running_var", np.ones(n))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        running_var *= momentum
        running_var += (1 - momentum) * x.var(axis=0, ddof=1)
    elif mode == "test":
        mean, var = running_mean, running_var
    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma.copy(), inv_std)
'''


def forward(body):
    """The forward pass above with one line replaced: body = (old line, new line)."""
    old, new = body
    assert old in FORWARD, old
    return FORWARD.replace(old, new)


MISTAKES = [
    # -- min_max_scale
    Mistake(A, "min_max_scale", "divides-by-zero", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.min(axis=0), X.max(axis=0))
    low, high = stats
    return (X - low) / (high - low), stats
''', visible="printed the warning 'RuntimeWarning"),
    Mistake(A, "min_max_scale", "fixes-nan-afterwards", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.min(axis=0), X.max(axis=0))
    low, high = stats
    return np.nan_to_num((X - low) / (high - low)), stats
''', visible="printed the warning"),
    Mistake(A, "min_max_scale", "whole-array", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.min(), X.max())
    low, high = stats
    span = high - low
    return np.divide(X - low, span, out=np.zeros(X.shape), where=span != 0), stats
''', visible="take them per column, axis=0"),
    Mistake(A, "min_max_scale", "recomputes-stats", '''
def min_max_scale(X, stats=None):
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    return np.divide(X - low, span, out=np.zeros(X.shape), where=span != 0), (low, high)
''', visible="new statistics computed from X_test"),
    Mistake(A, "min_max_scale", "stats-swapped", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.max(axis=0), X.min(axis=0))
    high, low = stats
    span = high - low
    return np.divide(X - low, span, out=np.zeros(X.shape), where=span != 0), stats
''', visible="the stats in the wrong order"),
    Mistake(A, "min_max_scale", "divides-by-max", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.min(axis=0), X.max(axis=0))
    low, high = stats
    return np.divide(X - low, high, out=np.zeros(X.shape), where=high != 0), stats
''', visible="divide by the range, max - min"),
    Mistake(A, "min_max_scale", "in-place", '''
def min_max_scale(X, stats=None):
    if stats is None:
        stats = (X.min(axis=0), X.max(axis=0))
    low, high = stats
    span = high - low
    X -= low
    return np.divide(X, span, out=np.zeros(X.shape), where=span != 0), stats
''', visible="the function changed its input"),
    # -- standardize
    Mistake(A, "standardize", "sample-std", '''
def standardize(X, stats=None):
    if stats is None:
        stats = (X.mean(axis=0), X.std(axis=0, ddof=1))
    mean, std = stats
    return np.divide(X - mean, std, out=np.zeros(X.shape), where=std != 0), stats
''', visible="the sample standard deviation (ddof=1)"),
    Mistake(A, "standardize", "divides-by-zero", '''
def standardize(X, stats=None):
    if stats is None:
        stats = (X.mean(axis=0), X.std(axis=0))
    mean, std = stats
    return (X - mean) / std, stats
''', visible="printed the warning 'RuntimeWarning"),
    Mistake(A, "standardize", "variance", '''
def standardize(X, stats=None):
    if stats is None:
        stats = (X.mean(axis=0), X.var(axis=0))
    mean, var = stats
    return np.divide(X - mean, var, out=np.zeros(X.shape), where=var != 0), stats
''', visible="the variance instead of the standard deviation"),
    Mistake(A, "standardize", "recomputes-stats", '''
def standardize(X, stats=None):
    mean, std = X.mean(axis=0), X.std(axis=0)
    return np.divide(X - mean, std, out=np.zeros(X.shape), where=std != 0), (mean, std)
''', visible="new statistics computed from X_test"),
    Mistake(A, "standardize", "whole-array", '''
def standardize(X, stats=None):
    if stats is None:
        stats = (X.mean(), X.std())
    mean, std = stats
    return (X - mean) / std, stats
''', visible="take them per column, axis=0"),
    # -- batchnorm_forward, train mode
    Mistake(A, "batchnorm_forward", "no-mode-check", forward(
        ('''    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")''',
         '''    else:
        mean, var = running_mean, running_var''')),
        visible="with mode 'eval': expected ValueError, but no error was raised"),
    Mistake(A, "batchnorm_forward", "unbiased-to-normalise", forward(
        ("        mean, var = x.mean(axis=0), x.var(axis=0)", "        mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)")),
        visible="the unbiased variance (ddof=1) used to normalise"),
    Mistake(A, "batchnorm_forward", "eps-outside-the-root", forward(
        ("    inv_std = 1.0 / np.sqrt(var + eps)", "    inv_std = 1.0 / (np.sqrt(var) + eps)")),
        visible="eps outside the square root"),
    Mistake(A, "batchnorm_forward", "default-eps", forward(
        ('    eps = bn_param.setdefault("eps", 1e-5)', '    eps = 1e-5')),
        visible="the default eps used instead of bn_param['eps']"),
    Mistake(A, "batchnorm_forward", "gamma-beta-swapped", forward(
        ("    return gamma * x_hat + beta, (x_hat, gamma.copy(), inv_std)",
         "    return beta * x_hat + gamma, (x_hat, gamma.copy(), inv_std)")),
        visible="gamma and beta swapped"),
    Mistake(A, "batchnorm_forward", "no-epsilon", forward(
        ("    inv_std = 1.0 / np.sqrt(var + eps)", "    inv_std = 1.0 / np.sqrt(var)")),
        visible="printed the warning 'RuntimeWarning"),
    Mistake(A, "batchnorm_forward", "defaults-not-stored", forward(
        ('    eps = bn_param.setdefault("eps", 1e-5)\n    momentum = bn_param.setdefault("momentum", 0.9)',
         '    eps = bn_param.get("eps", 1e-5)\n    momentum = bn_param.get("momentum", 0.9)')),
        visible="store the defaults with bn_param.setdefault"),
    # -- the running statistics and test mode (graded by test_batchnorm_running)
    Mistake(A, "batchnorm_forward", "momentum-reversed", forward(
        ("        running_mean *= momentum\n        running_mean += (1 - momentum) * mean\n"
         "        running_var *= momentum\n        running_var += (1 - momentum) * x.var(axis=0, ddof=1)",
         "        running_mean *= 1 - momentum\n        running_mean += momentum * mean\n"
         "        running_var *= 1 - momentum\n        running_var += momentum * x.var(axis=0, ddof=1)")),
        visible="the momentum the wrong way round", tests=("test_batchnorm_running",)),
    Mistake(A, "batchnorm_forward", "biased-running-var", forward(
        ("        running_var += (1 - momentum) * x.var(axis=0, ddof=1)", "        running_var += (1 - momentum) * var")),
        visible="the biased variance used for running_var", tests=("test_batchnorm_running",)),
    Mistake(A, "batchnorm_forward", "not-in-place", forward(
        ("        running_mean *= momentum\n        running_mean += (1 - momentum) * mean\n",
         '        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean\n')),
        visible="a new array put in bn_param", tests=("test_batchnorm_running",)),
    Mistake(A, "batchnorm_forward", "test-mode-batch-statistics", forward(
        ("    elif mode == \"test\":\n        mean, var = running_mean, running_var",
         "    elif mode == \"test\":\n        mean, var = x.mean(axis=0), x.var(axis=0)")),
        visible="the example's own statistics in test mode", tests=("test_batchnorm_running",)),
    Mistake(A, "batchnorm_forward", "test-mode-updates", '''
def batchnorm_forward(x, gamma, beta, bn_param):
    n = x.shape[1]
    mode = bn_param.get("mode")
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    eps = bn_param.setdefault("eps", 1e-5)
    momentum = bn_param.setdefault("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(n))
    running_var = bn_param.setdefault("running_var", np.ones(n))
    if mode == "test":
        mean, var = running_mean.copy(), running_var.copy()
    else:
        mean, var = x.mean(axis=0), x.var(axis=0)
    # the running statistics move in test mode too
    running_mean *= momentum
    running_mean += (1 - momentum) * x.mean(axis=0)
    running_var *= momentum
    running_var += (1 - momentum) * (x.var(axis=0, ddof=1) if len(x) > 1 else 0.0)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma.copy(), inv_std)
''', visible="after a test-mode call (it must not move)", tests=("test_batchnorm_running",)),
    Mistake(A, "batchnorm_forward", "momentum-ignored", forward(
        ('    momentum = bn_param.setdefault("momentum", 0.9)', '    momentum = 0.9\n    bn_param.setdefault("momentum", 0.9)')),
        visible="momentum ignored (always 0.9)", tests=("test_batchnorm_running",)),
    # -- batchnorm_backward
    Mistake(A, "batchnorm_backward", "no-variance-term", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="the path through the variance left out"),
    Mistake(A, "batchnorm_backward", "no-gamma", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dx = inv_std / m * (m * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="gamma left out"),
    Mistake(A, "batchnorm_backward", "no-mean-term", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="the path through the mean left out"),
    Mistake(A, "batchnorm_backward", "constant-statistics", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="treated as constants"),
    Mistake(A, "batchnorm_backward", "m-minus-one", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0] - 1
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="m - 1 where the batch mean"),
    Mistake(A, "batchnorm_backward", "dbeta-mean", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.mean(axis=0)
''', visible="the mean of dout instead of its sum"),
    Mistake(A, "batchnorm_backward", "wrong-sign", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) + x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', visible="dx for a dout that is not constant"),
]
