"""ps07 maths: the corrected table, hand-computed values, PyTorch's schedulers as the oracle, the
per-epoch to per-update conversion, bad input."""

import math

import numpy as np
import pytest

from nnref.schedules import (
    SCHEDULES,
    cosine_decay,
    exponential_decay,
    inverse_sqrt_decay,
    per_update,
    schedule,
    staircase_decay,
    step_decay,
    time_based_decay,
    warmup_cosine,
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
        cosine_decay(0.2, 0.0, 4, np.int64(1)),
        warmup_cosine(0.2, 0.0, 2, 4, 1),
        warmup_cosine(0.2, 0.0, 2, 4, 3),
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
    np.testing.assert_array_equal(
        schedule("warmup_cosine", 0.2, epochs, lr_min=0.01, warmup_epochs=3, total_epochs=10),
        [warmup_cosine(0.2, 0.01, 3, 10, e) for e in epochs],
    )
    assert set(SCHEDULES) == {"time_based", "exponential", "step", "inverse_sqrt", "staircase", "cosine",
                              "warmup_cosine"}


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
        (lambda: cosine_decay(0.0, 0.0, 10, 1), "lr0 must be a positive"),
        (lambda: cosine_decay(0.1, -0.01, 10, 1), r"lr_min must be a number in \[0, lr0\]"),
        (lambda: cosine_decay(0.1, 0.2, 10, 1), r"lr_min must be a number in \[0, lr0\]"),
        (lambda: cosine_decay(0.1, 0.0, 0, 0), "total_epochs must be an integer >= 1"),
        (lambda: cosine_decay(0.1, 0.0, 10, 11), r"epoch must be an integer in \[0, total_epochs\] = \[0, 10\]"),
        (lambda: cosine_decay(0.1, 0.0, 10, -1), r"epoch must be an integer in \[0, total_epochs\]"),
        (lambda: cosine_decay(0.1, 0.0, 10, 2.5), r"epoch must be an integer in \[0, total_epochs\]"),
        (lambda: warmup_cosine(0.1, 0.0, 10, 10, 1), "warmup_epochs must be less than total_epochs = 10"),
        (lambda: warmup_cosine(0.1, 0.0, -1, 10, 1), "warmup_epochs must be an integer >= 0"),
        (lambda: warmup_cosine(0.1, 0.0, 2, 10, 11), r"epoch must be an integer in \[0, total_epochs\]"),
        (lambda: warmup_cosine(0.1, 0.5, 2, 10, 1), r"lr_min must be a number in \[0, lr0\]"),
        (lambda: schedule("linear", 0.1, range(3)), "name must be one of"),
        (lambda: per_update("linear", {}, 10), "name must be one of"),
        (lambda: per_update("step", dict(drop=0.5, epochs_drop=2), 0), "updates_per_epoch must be an integer >= 1"),
        (lambda: schedule("exponential", 0.1, [0.5, 1.5], gamma=0.9), "epochs must be a 1-D sequence"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- cosine and warm-up


def test_cosine_by_hand():
    # half a cosine wave: lr0 at the start, the mean of lr0 and lr_min halfway, lr_min at the end
    assert cosine_decay(0.1, 0.0, 10, 0) == 0.1
    assert cosine_decay(0.1, 0.02, 10, 5) == pytest.approx(0.06, rel=1e-15)
    assert cosine_decay(0.1, 0.02, 10, 10) == pytest.approx(0.02, rel=1e-15)
    # a quarter of the way: (1 + cos(pi / 4)) / 2 = 0.85355 of the way from lr_min to lr0
    assert cosine_decay(0.2, 0.0, 8, 2) == pytest.approx(0.2 * (1 + math.sqrt(0.5)) / 2, rel=1e-15)
    # symmetric about the middle: the rate falls as fast near the end as it fell near the start
    drops = [cosine_decay(1.0, 0.0, 20, e) - cosine_decay(1.0, 0.0, 20, e + 1) for e in range(20)]
    np.testing.assert_allclose(drops, drops[::-1], rtol=1e-12)
    # lr_min == lr0 is a constant rate
    assert cosine_decay(0.3, 0.3, 5, 3) == pytest.approx(0.3)


def test_warmup_cosine_by_hand():
    # lr0 = 0.1, 3 warm-up epochs of 10: 0.1 * (1, 2, 3) / 4, then the cosine over the last 7 epochs
    got = [warmup_cosine(0.1, 0.0, 3, 10, e) for e in range(11)]
    np.testing.assert_allclose(got[:4], [0.025, 0.05, 0.075, 0.1], rtol=1e-15)
    np.testing.assert_allclose(got[3:], [cosine_decay(0.1, 0.0, 7, e) for e in range(8)], rtol=1e-15)
    assert got[-1] == 0.0
    # the ramp is the line through (-1, 0) and (3, lr0): it rises by lr0 / 4 each epoch, into the peak
    np.testing.assert_allclose(np.diff(got[:4]), 0.025, rtol=1e-12)
    # no warm-up is plain cosine annealing
    assert [warmup_cosine(0.2, 0.01, 0, 6, e) for e in range(7)] == [cosine_decay(0.2, 0.01, 6, e) for e in range(7)]


def test_cosine_matches_torch(torch):
    expected = torch_lrs(torch, 0.1, lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.004))
    got = [cosine_decay(0.1, 0.004, 20, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_torch_cosine_climbs_back_after_total_epochs(torch):
    # why the course's cosine refuses epochs past total_epochs: PyTorch's scheduler, stepped on, goes up again
    lrs = torch_lrs(torch, 0.1, lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.0),
                    num_epochs=10)
    assert lrs[4] == pytest.approx(0.0, abs=1e-15)  # after 5 steps: epoch 5, the end of the half wave
    assert np.all(np.diff(lrs[4:]) > 0) and lrs[-1] == pytest.approx(0.1)


@pytest.mark.parametrize("warmup, total, lr_min", [(3, 10, 0.001), (1, 20, 0.0), (5, 8, 0.02)])
def test_warmup_cosine_matches_torch_linear_then_cosine(torch, warmup, total, lr_min):
    lr_scheduler = torch.optim.lr_scheduler

    def make(opt):
        ramp = lr_scheduler.LinearLR(opt, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup)
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=lr_min)
        return lr_scheduler.SequentialLR(opt, [ramp, cosine], milestones=[warmup])

    expected = torch_lrs(torch, 0.1, make, num_epochs=total)
    got = [warmup_cosine(0.1, lr_min, warmup, total, e) for e in range(1, total + 1)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    # and epoch 0, which a new scheduler sets: lr0 / (warmup + 1)
    assert warmup_cosine(0.1, lr_min, warmup, total, 0) == pytest.approx(0.1 / (warmup + 1))


def test_warmup_cosine_matches_torch_lambda(torch):
    lr_lambda = lambda e: (e + 1) / 5 if e < 4 else (1 + math.cos(math.pi * (e - 4) / 16)) / 2  # noqa: E731
    expected = torch_lrs(torch, 0.3, lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda))
    got = [warmup_cosine(0.3, 0.0, 4, 20, e) for e in EPOCHS]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- per epoch -> per update

PER_EPOCH = {
    "time_based": dict(decay_rate=0.5),
    "exponential": dict(gamma=0.8),
    "step": dict(drop=0.5, epochs_drop=3),
    "staircase": dict(decay_rate=1.0, interval=2),
    "inverse_sqrt": dict(k=0.5),
    "cosine": dict(lr_min=0.01, total_epochs=12),
}


@pytest.mark.parametrize("name", sorted(PER_EPOCH))
def test_per_update_parameters_give_the_same_rate_at_every_epoch_start(name):
    N, lr0 = 7, 0.2
    params = PER_EPOCH[name]
    converted = per_update(name, params, N)
    rule = SCHEDULES[name]
    first = 1 if name == "inverse_sqrt" else 0
    for epoch in range(first, 12):
        assert rule(lr0=lr0, epoch=N * epoch, **converted) == pytest.approx(rule(lr0=lr0, epoch=epoch, **params),
                                                                            rel=1e-12)
    if name in ("step", "staircase"):
        # the piecewise-constant ones agree at every update of the epoch, not only at its start
        for t in range(N * 12):
            assert rule(lr0=lr0, epoch=t, **converted) == rule(lr0=lr0, epoch=t // N, **params)


def test_dividing_the_rate_by_n_is_right_only_for_the_exponent_forms():
    N, lr0 = 10, 0.1
    # 1 / (1 + d t) and e^(-d t): dividing d by N is right
    assert time_based_decay(lr0, 0.5 / N, N * 4) == pytest.approx(time_based_decay(lr0, 0.5, 4))
    d = 0.3
    assert exponential_decay(lr0, math.exp(-d / N), N * 4) == pytest.approx(exponential_decay(lr0, math.exp(-d), 4))
    # gamma^t: gamma / N is wrong (it is a far faster decay); the N-th root is right
    assert exponential_decay(lr0, 0.9 ** (1 / N), N * 4) == pytest.approx(exponential_decay(lr0, 0.9, 4))
    assert exponential_decay(lr0, 0.9 / N, N) < 1e-10
    # step decay: a drop every epochs_drop * N updates, not the drop divided by N
    assert step_decay(lr0, 0.5, 3 * N, N * 4) == step_decay(lr0, 0.5, 3, 4)
    # the book's numbers: 13 updates per epoch (batches of 32 of 398 cars), gamma = 0.9 per epoch
    assert 0.9 ** (1 / 13) == pytest.approx(0.99193, abs=5e-6)
    assert 0.9 ** (1 / 398) == pytest.approx(0.999735, abs=5e-7)


def test_warm_up_is_the_exception_to_the_conversion():
    N = 10
    converted = per_update("warmup_cosine", dict(lr_min=0.0, warmup_epochs=2, total_epochs=6), N)
    assert converted == dict(lr_min=0.0, warmup_epochs=20, total_epochs=60)
    # after the warm-up both agree at every epoch start ...
    for epoch in range(2, 7):
        assert warmup_cosine(0.1, epoch=N * epoch, **converted) == pytest.approx(warmup_cosine(0.1, 0.0, 2, 6, epoch))
    # ... but the ramp starts one update above 0 instead of one epoch: 0.1 / 21 instead of 0.1 / 3
    assert warmup_cosine(0.1, epoch=0, **converted) == pytest.approx(0.1 / 21)
    assert warmup_cosine(0.1, 0.0, 2, 6, 0) == pytest.approx(0.1 / 3)


def test_sgd_runs_at_full_batch_are_gradient_descent():
    from nnref.perceptron import gradient_descent
    from nnref.schedules import sgd_runs

    rng = np.random.default_rng(5)
    x = rng.standard_normal(20)
    y = 3 * x - 1 + 0.3 * rng.standard_normal(20)
    run = sgd_runs(x, y, [[0.5] * 4, [0.1] * 4], batch_size=20, rng=np.random.default_rng(0), keep_last=1)
    for k, lr in enumerate([0.5, 0.1]):
        w, b, _ = gradient_descent(x[:, None], y, np.zeros(1), 0.0, lr, 4)
        np.testing.assert_allclose(run["ends"][k, -1], [w[0], b], rtol=1e-12)
    assert run["cloud"].shape == (2, 1, 2)


def test_torch_linear_warm_up_cannot_start_at_zero(torch):
    # the book: a warm-up from 0 would waste its first epoch, and PyTorch's LinearLR refuses it
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="greater than 0"):
        torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.0, total_iters=3)


def test_torch_cosine_past_the_end_returns_to_the_earlier_values(torch):
    # exercise 8: one epoch past T_max = 10, PyTorch's cosine is back at epoch 9's value
    lrs = torch_lrs(torch, 0.1, lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001),
                    num_epochs=11)
    assert lrs[10] == pytest.approx(cosine_decay(0.1, 0.001, 10, 9), rel=1e-9)
