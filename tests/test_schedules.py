"""ps07 maths: the seeds' table, PyTorch's schedulers as the oracle, bad input."""

import math

import numpy as np
import pytest

from nnref.schedules import (
    SCHEDULES,
    exponential_decay,
    inverse_sqrt_decay,
    schedule,
    staircase_decay,
    step_decay,
    time_based_decay,
)

NUM_EPOCHS = 20


def test_time_based_seed_table():
    # lr0 = 0.2, decay_rate = 1: 0.2 / (1 + epoch); the seed prints 0.67 for epoch 2, a typo for 0.0667
    got = [time_based_decay(0.2, 1, epoch) for epoch in (1, 2, 3, 4)]
    np.testing.assert_allclose(got, [0.1, 2 / 30, 0.05, 0.04], rtol=1e-15)
    assert round(got[1], 4) == 0.0667


def test_hand_computed_values():
    assert time_based_decay(0.5, 0.3, 0) == 0.5
    assert exponential_decay(0.2, 0.95, 2) == pytest.approx(0.2 * 0.9025, rel=1e-15)
    # the continuous form lr0 * e^(-d t) is gamma = e^(-d)
    assert exponential_decay(1.0, math.exp(-0.1), 5) == pytest.approx(math.exp(-0.5), rel=1e-14)
    # drops after epochs 10 and 20: 9 // 10 = 0, 10 // 10 = 1, 25 // 10 = 2
    assert [step_decay(0.1, 0.5, 10, e) for e in (9, 10, 25)] == pytest.approx([0.1, 0.05, 0.025])
    assert inverse_sqrt_decay(0.3, 2.0, 4) == pytest.approx(0.3)
    # epochs 0..2 share a step, 3..5 the next: 1 / (1 + 0.5 * 1) at epoch 5
    assert [staircase_decay(0.3, 0.5, e, 3) for e in (2, 3, 5, 6)] == pytest.approx([0.3, 0.2, 0.2, 0.15])


def test_results_are_python_floats():
    values = [
        time_based_decay(0.2, 1, np.int64(3)),
        exponential_decay(0.2, 0.9, 3),
        step_decay(0.2, 0.5, 2, 3),
        inverse_sqrt_decay(0.2, 1.0, 3),
        staircase_decay(0.2, 1.0, 3, 2),
    ]
    assert all(type(v) is float for v in values)


# PyTorch's schedulers count epochs: a new scheduler sets the lr for epoch 0, and after k calls of
# scheduler.step() the optimizer's lr is the lr for epoch k. We compare epoch k = 1..20 with that.
def torch_lrs(torch, lr0, make_scheduler, num_epochs=NUM_EPOCHS):
    """The optimizer's learning rate after 1..num_epochs scheduler steps."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr0)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(num_epochs):
        optimizer.step()  # before scheduler.step(), as PyTorch expects (else it warns)
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs)


EPOCHS = range(1, NUM_EPOCHS + 1)


def test_exponential_matches_torch(torch):
    expected = torch_lrs(torch, 0.1, lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9))
    got = [exponential_decay(0.1, 0.9, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("drop, epochs_drop", [(0.5, 3), (0.1, 7), (0.9, 1)])
def test_step_matches_torch(torch, drop, epochs_drop):
    expected = torch_lrs(
        torch, 0.2, lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=epochs_drop, gamma=drop)
    )
    got = [step_decay(0.2, drop, epochs_drop, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_time_based_matches_torch(torch):
    lr_lambda = lambda epoch: 1 / (1 + 0.5 * epoch)  # noqa: E731
    expected = torch_lrs(torch, 0.2, lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda))
    got = [time_based_decay(0.2, 0.5, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_inverse_sqrt_matches_torch(torch):
    # LambdaLR also evaluates the lambda at epoch 0, where the formula is undefined: guard it there
    lr_lambda = lambda epoch: 0.8 / math.sqrt(max(epoch, 1))  # noqa: E731
    expected = torch_lrs(torch, 0.2, lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda))
    got = [inverse_sqrt_decay(0.2, 0.8, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_staircase_matches_torch(torch):
    lr_lambda = lambda epoch: 1 / (1 + 0.5 * (epoch // 4))  # noqa: E731
    expected = torch_lrs(torch, 0.2, lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda))
    got = [staircase_decay(0.2, 0.5, e, 4) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_every_schedule_decreases_and_starts_at_lr0():
    rules = [
        lambda e: time_based_decay(0.1, 0.3, e),
        lambda e: exponential_decay(0.1, 0.9, e),
        lambda e: step_decay(0.1, 0.5, 3, e),
        lambda e: staircase_decay(0.1, 0.3, e, 3),
    ]
    for rule in rules:
        lrs = [rule(e) for e in range(NUM_EPOCHS)]
        assert lrs[0] == pytest.approx(0.1)
        assert np.all(np.diff(lrs) <= 0)
    # no decay at all with rate 0 or factor 1
    assert time_based_decay(0.1, 0, 50) == 0.1
    assert exponential_decay(0.1, 1.0, 50) == step_decay(0.1, 1.0, 2, 50) == 0.1


def test_schedule_helper_matches_the_graded_functions():
    epochs = np.arange(1, 11)
    np.testing.assert_array_equal(
        schedule("time_based", 0.2, epochs, decay_rate=1.0), [time_based_decay(0.2, 1.0, e) for e in epochs]
    )
    np.testing.assert_array_equal(
        schedule("exponential", 0.2, epochs, gamma=0.95), [exponential_decay(0.2, 0.95, e) for e in epochs]
    )
    np.testing.assert_array_equal(
        schedule("step", 0.2, epochs, drop=0.5, epochs_drop=3), [step_decay(0.2, 0.5, 3, e) for e in epochs]
    )
    np.testing.assert_array_equal(
        schedule("inverse_sqrt", 0.2, epochs, k=1.0), [inverse_sqrt_decay(0.2, 1.0, e) for e in epochs]
    )
    np.testing.assert_array_equal(
        schedule("staircase", 0.2, epochs, decay_rate=1.0, interval=2),
        [staircase_decay(0.2, 1.0, e, 2) for e in epochs],
    )
    out = schedule("exponential", 0.2, range(5), gamma=0.5)
    assert out.dtype == np.float64 and out.shape == (5,)
    assert set(SCHEDULES) == {"time_based", "exponential", "step", "inverse_sqrt", "staircase"}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: time_based_decay(0.0, 1.0, 1), "lr0 must be a positive"),
        (lambda: time_based_decay(-0.1, 1.0, 1), "lr0 must be a positive"),
        (lambda: time_based_decay(0.1, -1.0, 1), "decay_rate must be a number >= 0"),
        (lambda: time_based_decay(0.1, 1.0, -1), "epoch must be an integer >= 0"),
        (lambda: time_based_decay(0.1, 1.0, 1.5), "epoch must be an integer >= 0"),
        (lambda: exponential_decay(0.1, 0.0, 1), r"gamma must be in \(0, 1\]"),
        (lambda: exponential_decay(0.1, 1.1, 1), r"gamma must be in \(0, 1\]"),
        (lambda: exponential_decay(0.1, 0.9, -2), "epoch must be an integer >= 0"),
        (lambda: step_decay(0.1, 0.0, 5, 1), r"drop must be in \(0, 1\]"),
        (lambda: step_decay(0.1, 2.0, 5, 1), r"drop must be in \(0, 1\]"),
        (lambda: step_decay(0.1, 0.5, 0, 1), "epochs_drop must be an integer >= 1"),
        (lambda: step_decay(0.1, 0.5, 5, -1), "epoch must be an integer >= 0"),
        (lambda: inverse_sqrt_decay(0.1, 1.0, 0), "epoch must be an integer >= 1"),
        (lambda: inverse_sqrt_decay(0.1, 0.0, 1), "k must be a positive"),
        (lambda: inverse_sqrt_decay(0.0, 1.0, 1), "lr0 must be a positive"),
        (lambda: staircase_decay(0.1, 1.0, 3, 0), "interval must be an integer >= 1"),
        (lambda: staircase_decay(0.1, -0.5, 3, 2), "decay_rate must be a number >= 0"),
        (lambda: staircase_decay(0.1, 1.0, -3, 2), "epoch must be an integer >= 0"),
        (lambda: schedule("cosine", 0.1, range(3)), "name must be one of"),
        (lambda: schedule("exponential", 0.1, [0.5, 1.5], gamma=0.9), "epochs must be a 1-D sequence"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
