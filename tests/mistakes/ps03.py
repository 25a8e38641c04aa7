"""Common mistakes in ps03-backprop."""

from . import Mistake

A = "ps03-backprop"

FORWARD = '''
def forward(X, params, activation="tanh"):
    Z1 = X @ params["W1"] + params["b1"]
{hidden}
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = {output}
    return A2, {{"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}}
'''
HIDDEN = '''    if activation == "sigmoid":
        A1 = sigmoid(Z1)
    elif activation == "tanh":
        A1 = np.tanh(Z1)
    elif activation == "relu":
        A1 = np.maximum(Z1, 0.0)
    else:
        raise ValueError(f"unknown activation {activation!r}")'''


def forward(hidden=HIDDEN, output="sigmoid(Z2)"):
    return FORWARD.format(hidden=hidden, output=output)


BACKWARD = '''
def backward(X, Y, params, cache, activation="tanh"):
    m = X.shape[0]
    Z1, A1, A2 = cache["Z1"], cache["A1"], cache["A2"]
    dZ2 = {dZ2}
    dW2 = {dW2}
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ params["W2"].T
{derivative}
    dZ1 = dA1 * g_prime
    dW1 = {dW1}
    db1 = dZ1.sum(axis=0)
    return {{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}}
'''
DERIVATIVE = '''    if activation == "sigmoid":
        g_prime = {sigmoid}
    elif activation == "tanh":
        g_prime = {tanh}
    elif activation == "relu":
        g_prime = {relu}
    else:
        raise ValueError(f"unknown activation {{activation!r}}")'''


def backward(dZ2="(A2 - Y) / m", dW2="A1.T @ dZ2", dW1="X.T @ dZ1", sigmoid="A1 * (1 - A1)", tanh="1 - A1 ** 2",
             relu="(Z1 > 0).astype(float)", derivative=None):
    derivative = derivative or DERIVATIVE.format(sigmoid=sigmoid, tanh=tanh, relu=relu)
    return BACKWARD.format(dZ2=dZ2, dW2=dW2, dW1=dW1, derivative=derivative)


MISTAKES = [
    # -- count_parameters
    Mistake(A, "count_parameters", "weights-only", '''
def count_parameters(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
''', visible="weights only, no biases"),
    Mistake(A, "count_parameters", "input-biases", '''
def count_parameters(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:])) + sum(layer_sizes)
''', visible="biases for the inputs too"),
    Mistake(A, "count_parameters", "float", '''
def count_parameters(layer_sizes):
    return float(sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:])))
''', visible="expected an int"),
    Mistake(A, "count_parameters", "biases-of-the-previous-layer", '''
def count_parameters(layer_sizes):
    return sum(a * b + a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
''', visible="count_parameters([3, 4, 2]): expected 26, got 27"),
    # -- init_params
    Mistake(A, "init_params", "unscaled", '''
def init_params(n_x, n_h, n_y, rng):
    return {"W1": rng.standard_normal((n_x, n_h)), "b1": np.zeros(n_h),
            "W2": rng.standard_normal((n_h, n_y)), "b2": np.zeros(n_y)}
''', visible="weights not scaled by 0.01"),
    Mistake(A, "init_params", "w2-first", '''
def init_params(n_x, n_h, n_y, rng):
    W2 = rng.standard_normal((n_h, n_y)) * 0.01
    W1 = rng.standard_normal((n_x, n_h)) * 0.01
    return {"W1": W1, "b1": np.zeros(n_h), "W2": W2, "b2": np.zeros(n_y)}
''', visible="W2 drawn before W1"),
    Mistake(A, "init_params", "transposed", '''
def init_params(n_x, n_h, n_y, rng):
    return {"W1": rng.standard_normal((n_h, n_x)) * 0.01, "b1": np.zeros(n_h),
            "W2": rng.standard_normal((n_y, n_h)) * 0.01, "b2": np.zeros(n_y)}
''', visible="expected shape (2, 4), got shape (4, 2)"),
    Mistake(A, "init_params", "global-random", '''
def init_params(n_x, n_h, n_y, rng):
    return {"W1": np.random.randn(n_x, n_h) * 0.01, "b1": np.zeros(n_h),
            "W2": np.random.randn(n_h, n_y) * 0.01, "b2": np.zeros(n_y)}
''', visible="W1 of init_params(2, 4, 3, rng)"),
    Mistake(A, "init_params", "column-biases", '''
def init_params(n_x, n_h, n_y, rng):
    return {"W1": rng.standard_normal((n_x, n_h)) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": rng.standard_normal((n_h, n_y)) * 0.01, "b2": np.zeros((n_y, 1))}
''', visible="expected shape (4,), got shape (4, 1)"),
    # -- forward
    Mistake(A, "forward", "unknown-is-tanh", forward(hidden='''    if activation == "sigmoid":
        A1 = sigmoid(Z1)
    elif activation == "relu":
        A1 = np.maximum(Z1, 0.0)
    else:
        A1 = np.tanh(Z1)'''), visible="forward(X, params, 'softplus'): expected ValueError, but no error was raised"),
    Mistake(A, "forward", "naive-output-sigmoid", forward(output="1 / (1 + np.exp(-Z2))"),
            visible="printed the warning 'RuntimeWarning: overflow encountered in exp'"),
    Mistake(A, "forward", "naive-hidden-sigmoid", forward(hidden=HIDDEN.replace("A1 = sigmoid(Z1)", "A1 = 1 / (1 + np.exp(-Z1))")),
            visible="printed the warning 'RuntimeWarning: overflow encountered in exp'"),
    Mistake(A, "forward", "no-output-bias", forward().replace('Z2 = A1 @ params["W2"] + params["b2"]', 'Z2 = A1 @ params["W2"]'),
            visible="the bias b2 left out"),
    Mistake(A, "forward", "no-output-sigmoid", forward(output="Z2"), visible="A2 of the worked example"),
    Mistake(A, "forward", "relu-as-max", forward(hidden=HIDDEN.replace("np.maximum(Z1, 0.0)", "np.max(Z1, 0)")),
            visible="cache['A1'] of the worked example: expected shape (3, 3), got shape (3,)"),
    Mistake(A, "forward", "default-relu", forward().replace('activation="tanh"', 'activation="relu"'),
            visible="cache['A1'] of forward(X, params)"),
    # -- numerical_gradient
    Mistake(A, "numerical_gradient", "one-sided", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad
''', visible="one-sided differences"),
    Mistake(A, "numerical_gradient", "ignores-h", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 1e-5
        plus = f(x)
        x[i] = old - 1e-5
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / 2e-5
    return grad
''', visible="h ignored"),
    Mistake(A, "numerical_gradient", "not-restored", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad
''', visible="changed its input"),
    Mistake(A, "numerical_gradient", "all-at-once", '''
def numerical_gradient(f, x, h=1e-5):
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
''', visible="x nudged in every entry at once"),
    Mistake(A, "numerical_gradient", "divides-by-h", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / h
    return grad
''', visible="factor of 2"),
    Mistake(A, "numerical_gradient", "flat", '''
def numerical_gradient(f, x, h=1e-5):
    grad = []
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad.append((plus - minus) / (2 * h))
    return np.array(grad)
''', visible="expected shape (2, 3), got shape (6,)"),
    # -- relative_error
    Mistake(A, "relative_error", "zero-a-gives-zero", '''
def relative_error(a, b):
    if np.linalg.norm(a) == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
''', visible="0 returned when a is zero but b is not"),
    Mistake(A, "relative_error", "guards-only-b", '''
def relative_error(a, b):
    if np.linalg.norm(b) == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
''', visible="0 returned when a is not zero but b is"),
    Mistake(A, "relative_error", "no-guard", '''
def relative_error(a, b):
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
''', visible="printed the warning"),
    Mistake(A, "relative_error", "max-norm", '''
def relative_error(a, b):
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
''', visible="the larger norm"),
    Mistake(A, "relative_error", "l1", '''
def relative_error(a, b):
    scale = np.abs(a).sum() + np.abs(b).sum()
    return 0.0 if scale == 0 else float(np.abs(a - b).sum() / scale)
''', visible="relative_error([1, 0], [1, 1]): expected 0.4142135624, got 0.3333333333"),
    # -- backward
    Mistake(A, "backward", "tanh-at-z", backward(tanh="1 - Z1 ** 2"), visible="tanh's derivative written 1 - Z1**2"),
    Mistake(A, "backward", "tanh-one-minus-a", backward(tanh="1 - A1"), visible="tanh's derivative written 1 - A1"),
    Mistake(A, "backward", "sigmoid-at-z", backward(sigmoid="Z1 * (1 - Z1)"), visible="the sigmoid's derivative taken at Z1"),
    Mistake(A, "backward", "sigmoid-as-tanh", backward(sigmoid="1 - A1 ** 2"), visible="the sigmoid's derivative written 1 - A1**2"),
    Mistake(A, "backward", "no-derivative", backward(sigmoid="1.0", tanh="1.0", relu="1.0"),
            visible="no derivative of the hidden activation"),
    Mistake(A, "backward", "relu-as-z", backward(relu="np.maximum(Z1, 0)"), visible="ReLU's derivative written as Z1"),
    Mistake(A, "backward", "no-mean", backward(dZ2="A2 - Y"), visible="factor of 3"),
    Mistake(A, "backward", "mean-twice", backward(dW2="A1.T @ dZ2 / m", dW1="X.T @ dZ1 / m"), visible="factor of 1/3"),
    Mistake(A, "backward", "dw2-transposed", backward(dW2="dZ2.T @ A1"), visible="expected shape (4, 2), got shape (2, 4)"),
    Mistake(A, "backward", "unknown-is-tanh", backward(derivative='''    if activation == "sigmoid":
        g_prime = A1 * (1 - A1)
    elif activation == "relu":
        g_prime = (Z1 > 0).astype(float)
    else:
        g_prime = 1 - A1 ** 2'''), visible="backward(..., 'softplus'): expected ValueError"),
]
