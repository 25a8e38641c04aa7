"""Common mistakes in ps07-lr-decay: off-by-one epochs, the floor in the wrong place, swapped arguments,
the undefined epoch 0, and the cosine and warm-up written from half-remembered formulas."""

from . import Mistake

A = "ps07-lr-decay"

MISTAKES = [
    # -- time_based_decay
    Mistake(A, "time_based_decay", "linear", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 * (1 - decay_rate * epoch))
''', visible="time-based decay is a hyperbola"),
    Mistake(A, "time_based_decay", "counts-from-one", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 / (1 + decay_rate * (epoch + 1)))
''', visible="the formula at epoch + 1"),
    Mistake(A, "time_based_decay", "parentheses", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 / (1 + decay_rate) * epoch)
''', visible="put the whole denominator in parentheses"),
    Mistake(A, "time_based_decay", "precedence", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 / 1 + decay_rate * epoch)
''', visible="at epoch 4 (index 4): expected 0.04, got 4.2"),
    Mistake(A, "time_based_decay", "ignores-decay-rate", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 / (1 + epoch))
''', visible="decay_rate ignored"),
    Mistake(A, "time_based_decay", "exponential", '''
def time_based_decay(lr0, decay_rate, epoch):
    return float(lr0 * math.exp(-decay_rate * epoch))
''', visible="exponential decay, lr0 * exp(-decay_rate * epoch)"),
    Mistake(A, "time_based_decay", "returns-an-array", '''
def time_based_decay(lr0, decay_rate, epoch):
    return np.array([lr0 / (1 + decay_rate * epoch)])
''', visible="expected a number (float), got array of shape (1,)"),
    # -- exponential_decay
    Mistake(A, "exponential_decay", "gamma-as-rate", '''
def exponential_decay(lr0, gamma, epoch):
    return float(lr0 * math.exp(-gamma * epoch))
''', visible="gamma is the factor per epoch"),
    Mistake(A, "exponential_decay", "product", '''
def exponential_decay(lr0, gamma, epoch):
    return float(lr0 * gamma * epoch)
''', visible="the epoch is the exponent"),
    Mistake(A, "exponential_decay", "counts-from-one", '''
def exponential_decay(lr0, gamma, epoch):
    return float(lr0 * gamma ** (epoch + 1))
''', visible="the formula at epoch + 1"),
    Mistake(A, "exponential_decay", "forgets-lr0", '''
def exponential_decay(lr0, gamma, epoch):
    return float(gamma ** epoch)
''', visible="off by a factor of 5"),
    Mistake(A, "exponential_decay", "one-minus-gamma", '''
def exponential_decay(lr0, gamma, epoch):
    return float(lr0 * (1 - gamma) ** epoch)
''', visible="gamma is the factor kept"),
    # -- step_decay
    Mistake(A, "step_decay", "no-floor", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * drop ** (epoch / epochs_drop))
''', visible="use epoch // epochs_drop"),
    Mistake(A, "step_decay", "counts-from-one", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * drop ** ((epoch + 1) // epochs_drop))
''', visible="at epoch 9 (index 1): expected 0.1, got 0.05. This looks like the formula at epoch + 1"),
    Mistake(A, "step_decay", "swapped-arguments", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * epochs_drop ** (epoch // drop))
''', visible="drop and epochs_drop swapped"),
    Mistake(A, "step_decay", "product", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * drop * (epoch // epochs_drop))
''', visible="the number of drops is the exponent"),
    Mistake(A, "step_decay", "rounds-to-nearest", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * drop ** round(epoch / epochs_drop))
''', visible="rounded to the nearest integer"),
    Mistake(A, "step_decay", "precedence", '''
def step_decay(lr0, drop, epochs_drop, epoch):
    return float(lr0 * drop ** epoch // epochs_drop)
''', visible="at epoch 0 (index 0): expected 0.1, got 0"),
    # -- inverse_sqrt_decay
    Mistake(A, "inverse_sqrt_decay", "returns-inf", '''
def inverse_sqrt_decay(lr0, k, epoch):
    return float(k / np.sqrt(epoch) * lr0)
''', visible="at epoch 0: expected ValueError, but no error was raised"),
    Mistake(A, "inverse_sqrt_decay", "zero-division", '''
def inverse_sqrt_decay(lr0, k, epoch):
    return float(k / math.sqrt(epoch) * lr0)
''', visible="expected ValueError, got ZeroDivisionError"),
    Mistake(A, "inverse_sqrt_decay", "silent-guard", '''
def inverse_sqrt_decay(lr0, k, epoch):
    return float(k / math.sqrt(max(epoch, 1)) * lr0)
''', visible="but no error was raised"),
    Mistake(A, "inverse_sqrt_decay", "vague-error", '''
def inverse_sqrt_decay(lr0, k, epoch):
    if epoch < 1:
        raise ValueError("undefined")
    return float(k / math.sqrt(epoch) * lr0)
''', visible="its message does not name 'epoch'"),
    Mistake(A, "inverse_sqrt_decay", "counts-from-one", '''
def inverse_sqrt_decay(lr0, k, epoch):
    if epoch < 1:
        raise ValueError(f"epoch must be >= 1, got {epoch}")
    return float(k / math.sqrt(epoch + 1) * lr0)
''', visible="the formula at epoch + 1"),
    Mistake(A, "inverse_sqrt_decay", "no-square-root", '''
def inverse_sqrt_decay(lr0, k, epoch):
    if epoch < 1:
        raise ValueError(f"epoch must be >= 1, got {epoch}")
    return float(k / epoch * lr0)
''', visible="the square root is missing"),
    Mistake(A, "inverse_sqrt_decay", "ignores-k", '''
def inverse_sqrt_decay(lr0, k, epoch):
    if epoch < 1:
        raise ValueError(f"epoch must be >= 1, got {epoch}")
    return float(lr0 / math.sqrt(epoch))
''', visible="k ignored"),
    # -- staircase_decay
    Mistake(A, "staircase_decay", "floor-of-the-product", '''
def staircase_decay(lr0, decay_rate, epoch, interval):
    return float(lr0 / (1 + decay_rate * epoch // interval))
''', visible="the floor taken of decay_rate * epoch / interval"),
    Mistake(A, "staircase_decay", "no-floor", '''
def staircase_decay(lr0, decay_rate, epoch, interval):
    return float(lr0 / (1 + decay_rate * epoch / interval))
''', visible="epoch / interval without rounding down"),
    Mistake(A, "staircase_decay", "time-based", '''
def staircase_decay(lr0, decay_rate, epoch, interval):
    return float(lr0 / (1 + decay_rate * epoch))
''', visible="the clock must tick only once every interval epochs"),
    Mistake(A, "staircase_decay", "counts-from-one", '''
def staircase_decay(lr0, decay_rate, epoch, interval):
    return float(lr0 / (1 + decay_rate * ((epoch + 1) // interval)))
''', visible="at epoch 2 (index 1): expected 0.3, got 0.2. This looks like the formula at epoch + 1"),
    Mistake(A, "staircase_decay", "step-decay", '''
def staircase_decay(lr0, decay_rate, epoch, interval):
    return float(lr0 * decay_rate ** (epoch // interval))
''', visible="step decay, lr0 * decay_rate**(epoch // interval)"),
    # -- cosine_decay
    Mistake(A, "cosine_decay", "ignores-lr-min", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr0 * (1 + math.cos(math.pi * epoch / total_epochs)) / 2)
''', visible="lr_min ignored"),
    Mistake(A, "cosine_decay", "bare-cosine", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr_min + (lr0 - lr_min) * math.cos(math.pi * epoch / total_epochs))
''', visible="without (1 + cos(...)) / 2"),
    Mistake(A, "cosine_decay", "scales-by-lr0", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr_min + lr0 * (1 + math.cos(math.pi * epoch / total_epochs)) / 2)
''', visible="scale by lr0 - lr_min"),
    Mistake(A, "cosine_decay", "rising", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr_min + (lr0 - lr_min) * (1 - math.cos(math.pi * epoch / total_epochs)) / 2)
''', visible="(1 - cos) / 2, which rises"),
    Mistake(A, "cosine_decay", "degrees", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr_min + (lr0 - lr_min) * (1 + math.cos(180 * epoch / total_epochs)) / 2)
''', visible="math.cos takes radians"),
    Mistake(A, "cosine_decay", "integer-division", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return float(lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * (epoch // total_epochs))) / 2)
''', visible="integer division epoch // total_epochs"),
    Mistake(A, "cosine_decay", "climbs-past-the-end", '''
def cosine_decay(lr0, lr_min, total_epochs, epoch):
    return float(lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * epoch / total_epochs)) / 2)
''', visible="past total_epochs: expected ValueError, but no error was raised"),
    # -- warmup_cosine
    Mistake(A, "warmup_cosine", "ramp-from-zero", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    if epoch < warmup_epochs:
        return float(lr0 * epoch / warmup_epochs)
    return cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, epoch - warmup_epochs)
''', visible="a ramp that starts at 0"),
    Mistake(A, "warmup_cosine", "ramp-one-epoch-early", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    if epoch < warmup_epochs:
        return float(lr0 * (epoch + 1) / warmup_epochs)
    return cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, epoch - warmup_epochs)
''', visible="which reaches lr0 an epoch early"),
    Mistake(A, "warmup_cosine", "clock-not-restarted", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    if epoch < warmup_epochs:
        return float(lr0 * (epoch + 1) / (warmup_epochs + 1))
    return cosine_decay(lr0, lr_min, total_epochs, epoch)
''', visible="the cosine's clock not restarted after the warm-up"),
    Mistake(A, "warmup_cosine", "cosine-too-long", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    if epoch < warmup_epochs:
        return float(lr0 * (epoch + 1) / (warmup_epochs + 1))
    return cosine_decay(lr0, lr_min, total_epochs, epoch - warmup_epochs)
''', visible="a cosine over total_epochs instead of"),
    Mistake(A, "warmup_cosine", "no-warm-up", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if not 0 <= epoch <= total_epochs:
        raise ValueError(f"epoch must be in [0, {total_epochs}], got {epoch}")
    return cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, max(epoch - warmup_epochs, 0))
''', visible="no warm-up: epochs before warmup_epochs must ramp up"),
    Mistake(A, "warmup_cosine", "negative-epochs-accepted", '''
def warmup_cosine(lr0, lr_min, warmup_epochs, total_epochs, epoch):
    if epoch < warmup_epochs:
        return float(lr0 * (epoch + 1) / (warmup_epochs + 1))
    return cosine_decay(lr0, lr_min, total_epochs - warmup_epochs, epoch - warmup_epochs)
''', visible="before epoch 0: expected ValueError, but no error was raised"),
]
