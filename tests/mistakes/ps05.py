"""Common mistakes in ps05-ewa."""

from . import Mistake

A = "ps05-ewa"

MISTAKES = [
    # -- ewa
    Mistake(A, "ewa", "integer-array", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    v = np.zeros_like(theta)
    for t in range(len(theta)):
        v[t] = beta * (v[t - 1] if t > 0 else 0) + (1 - beta) * theta[t]
    return v
''', visible="integer array"),
    Mistake(A, "ewa", "negative-beta-accepted", '''
def ewa(theta, beta):
    if beta >= 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = beta * prev + (1 - beta) * theta[t]
        v[t] = prev
    return v
''', visible="beta=-0.1"),
    Mistake(A, "ewa", "no-check", '''
def ewa(theta, beta):
    theta = np.asarray(theta, dtype=np.float64)
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = beta * prev + (1 - beta) * theta[t]
        v[t] = prev
    return v
''', visible="no error was raised"),
    Mistake(A, "ewa", "swapped", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = (1 - beta) * prev + beta * theta[t]
        v[t] = prev
    return v
''', visible="beta and 1 - beta swapped"),
    Mistake(A, "ewa", "starts-at-theta1", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    v = np.zeros(len(theta))
    v[0] = theta[0]
    for t in range(1, len(theta)):
        v[t] = beta * v[t - 1] + (1 - beta) * theta[t]
    return v
''', visible="v_1 = theta_1"),
    Mistake(A, "ewa", "includes-v0", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    v = np.zeros(len(theta) + 1)
    for t in range(1, len(theta) + 1):
        v[t] = beta * v[t - 1] + (1 - beta) * theta[t - 1]
    return v
''', visible="expected shape (3,), got shape (4,)"),
    Mistake(A, "ewa", "shifted", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        v[t] = prev
        prev = beta * prev + (1 - beta) * theta[t]
    return v
''', visible="v_0 .. v_(T-1)"),
    Mistake(A, "ewa", "in-place", '''
def ewa(theta, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    theta *= 1 - beta
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = beta * prev + theta[t]
        v[t] = prev
    return v
''', visible="changed its input"),
    # -- ewa_bias_corrected
    Mistake(A, "ewa_bias_corrected", "t-from-0", '''
def ewa_bias_corrected(theta, beta):
    v = ewa(theta, beta)
    t = np.arange(len(v))
    return v / (1 - beta**t)
''', visible="inf at index 0"),
    Mistake(A, "ewa_bias_corrected", "t-from-2", '''
def ewa_bias_corrected(theta, beta):
    v = ewa(theta, beta)
    t = np.arange(1, len(v) + 1)
    return v / (1 - beta ** (t + 1))
''', visible="t counted from 2"),
    Mistake(A, "ewa_bias_corrected", "one-minus-beta", '''
def ewa_bias_corrected(theta, beta):
    return ewa(theta, beta) / (1 - beta)
''', visible="1 - beta instead of 1 - beta**t"),
    Mistake(A, "ewa_bias_corrected", "last-sum", '''
def ewa_bias_corrected(theta, beta):
    v = ewa(theta, beta)
    return v / (1 - beta ** len(v))
''', visible="1 - beta**T"),
    Mistake(A, "ewa_bias_corrected", "fed-back", '''
def ewa_bias_corrected(theta, beta):
    theta = np.asarray(theta, dtype=np.float64)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    v, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = (beta * prev + (1 - beta) * theta[t]) / (1 - beta ** (t + 1))
        v[t] = prev
    return v
''', visible="fed back into the recursion"),
    Mistake(A, "ewa_bias_corrected", "own-loop-negative-beta", '''
def ewa_bias_corrected(theta, beta):
    if beta >= 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.asarray(theta, dtype=np.float64)
    out, prev = np.zeros(len(theta)), 0.0
    for t in range(len(theta)):
        prev = beta * prev + (1 - beta) * theta[t]
        out[t] = prev / (1 - beta ** (t + 1))
    return out
''', visible="beta=-0.2"),
    # -- effective_window
    Mistake(A, "effective_window", "lag", '''
def effective_window(beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    return float(beta / (1 - beta))
''', visible="the lag"),
    Mistake(A, "effective_window", "floor", '''
def effective_window(beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    return 1 // (1 - beta)
''', visible="rounding down"),
    Mistake(A, "effective_window", "no-check", '''
def effective_window(beta):
    return 1 / (1 - beta)
''', visible="ZeroDivisionError"),
    Mistake(A, "effective_window", "array", '''
def effective_window(beta):
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    return np.array([1 / (1 - beta)])
''', visible="expected a number"),
    Mistake(A, "effective_window", "negative-beta-accepted", '''
def effective_window(beta):
    if beta >= 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    return 1 / (1 - beta)
''', visible="effective_window(-0.5)"),
]
