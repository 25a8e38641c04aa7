"""ps04 maths: mini-batches as a partition of the data (property-based), and mini-batch GD against batch GD."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnref.logistic import log_loss, log_loss_gradients, sigmoid, train_logistic
from nnref.minibatch import (descent_trace, lowest_cost, make_minibatches, minibatch_gradient_descent,
                             ordered_batches)


def numbered_data(m):
    """Example i has features (i, -i) and label i, so every batch shows which examples it holds."""
    ids = np.arange(m, dtype=float)
    return np.column_stack([ids, -ids]), ids


def blobs(rng, m=60):
    """Two overlapping Gaussian clouds: separable-ish, so the log loss has a finite minimum."""
    y = (np.arange(m) % 2).astype(float)
    X = rng.standard_normal((m, 2)) + np.outer(2 * y - 1, [1.0, 0.5])
    return X, y


@settings(deadline=None, max_examples=150)
@given(m=st.integers(1, 200), batch_size=st.integers(1, 250), seed=st.integers(0, 2**32 - 1))
def test_minibatches_partition_the_data(m, batch_size, seed):
    X, y = numbered_data(m)
    batches = make_minibatches(X, y, batch_size, np.random.default_rng(seed))
    # sizes: full batches, then the remainder if there is one
    full, rest = divmod(m, batch_size)
    expected_sizes = [batch_size] * full + ([rest] if rest else [])
    assert [len(y_batch) for _, y_batch in batches] == expected_sizes
    # every example exactly once, with its features still beside its label
    seen = np.concatenate([y_batch for _, y_batch in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    for X_batch, y_batch in batches:
        assert X_batch.shape == (len(y_batch), 2)
        np.testing.assert_array_equal(X_batch[:, 0], y_batch)
    # the order is one rng.permutation(m), cut into consecutive slices
    np.testing.assert_array_equal(seen, np.random.default_rng(seed).permutation(m))
    # the same seed gives the same batches
    again = make_minibatches(X, y, batch_size, np.random.default_rng(seed))
    for (X_a, y_a), (X_b, y_b) in zip(batches, again, strict=True):
        np.testing.assert_array_equal(X_a, X_b)
        np.testing.assert_array_equal(y_a, y_b)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "4"])
def test_minibatches_reject_bad_batch_size(batch_size):
    X, y = numbered_data(10)
    with pytest.raises(ValueError, match="batch_size"):
        make_minibatches(X, y, batch_size, np.random.default_rng(0))


def test_minibatches_do_not_alias_or_mutate_inputs():
    X, y = numbered_data(7)
    X0, y0 = X.copy(), y.copy()
    batches = make_minibatches(X, y, 3, np.random.default_rng(0))
    batches[0][0][:] = -99.0
    batches[0][1][:] = -99.0
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_full_batch_equals_batch_gradient_descent(rng):
    X, y = blobs(rng)
    m = len(y)
    w, b, costs = minibatch_gradient_descent(X, y, lr=0.5, num_epochs=20, batch_size=m, rng=rng)
    # one update per epoch: the same as 20 steps of batch GD (up to the summation order of the shuffle)
    w_gd, b_gd, costs_gd = train_logistic(X, y, lr=0.5, num_iters=20)
    np.testing.assert_allclose(w, w_gd, rtol=1e-12)
    assert b == pytest.approx(b_gd, rel=1e-12, abs=1e-15)
    # batch GD records the cost before each update, mini-batch GD the cost after each epoch
    np.testing.assert_allclose(costs[:-1], costs_gd[1:], rtol=1e-12)
    assert costs[-1] == pytest.approx(log_loss(sigmoid(X @ w_gd + b_gd), y), rel=1e-12)


@pytest.mark.parametrize("batch_size", [1, 8, 60])
def test_costs_per_epoch_decrease(batch_size):
    X, y = blobs(np.random.default_rng(5))
    w, b, costs = minibatch_gradient_descent(X, y, lr=0.05, num_epochs=15, batch_size=batch_size,
                                             rng=np.random.default_rng(0))
    assert costs.shape == (15,)
    assert costs[0] < np.log(2.0)  # below the cost at the zero start
    assert np.all(np.diff(costs) < 0)
    assert costs[-1] == pytest.approx(log_loss(sigmoid(X @ w + b), y))


def test_sgd_makes_one_update_per_example():
    # one epoch of SGD on one example is one step of batch GD
    X = np.array([[2.0, -1.0]])
    y = np.array([1.0])
    w, b, _ = minibatch_gradient_descent(X, y, lr=1.0, num_epochs=1, batch_size=1, rng=np.random.default_rng(0))
    # from zeros a = 1/2, so dw = -x / 2, db = -1/2
    np.testing.assert_allclose(w, [1.0, -0.5])
    assert b == pytest.approx(0.5)


def test_minibatch_gradient_descent_is_reproducible_and_keeps_inputs(rng):
    X, y = blobs(rng)
    X0, y0 = X.copy(), y.copy()
    first = minibatch_gradient_descent(X, y, 0.1, 3, 7, np.random.default_rng(42))
    second = minibatch_gradient_descent(X, y, 0.1, 3, 7, np.random.default_rng(42))
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_minibatches(np.ones((4, 2)), np.ones(3), 2, np.random.default_rng(0)), "same number of examples"),
        (lambda: make_minibatches(np.ones(4), np.ones(4), 2, np.random.default_rng(0)), "X must be 2-D"),
        (lambda: make_minibatches(np.ones((0, 2)), np.ones(0), 2, np.random.default_rng(0)), "X must hold"),
        (lambda: make_minibatches(np.ones((4, 2)), np.ones(4), 2, 0), "rng"),
        (lambda: minibatch_gradient_descent(np.ones((4, 2)), np.ones(4), 0.0, 3, 2, np.random.default_rng(0)), "lr"),
        (lambda: minibatch_gradient_descent(np.ones((4, 2)), np.ones(4), 0.1, -1, 2, np.random.default_rng(0)),
         "num_epochs"),
        (lambda: minibatch_gradient_descent(np.ones((4, 2)), np.ones(4), 0.1, 3, 0, np.random.default_rng(0)),
         "batch_size"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("batch_size", [1, 7, 60])
def test_trace_passes_through_the_epochs_of_minibatch_gradient_descent(rng, batch_size):
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] + rng.standard_normal(60) > 0).astype(float)
    per = -(-60 // batch_size)
    params, costs = descent_trace(X, y, 0.3, 4 * per, batch_size, np.random.default_rng(3))
    w, b, epoch_costs = minibatch_gradient_descent(X, y, 0.3, 4, batch_size, np.random.default_rng(3))
    assert params.shape == (4 * per + 1, 4) and costs.shape == (4 * per + 1,)
    # same generator, same shuffles: the trace's cost at each epoch's end is the function's
    np.testing.assert_allclose(costs[per::per], epoch_costs, rtol=1e-12)
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    assert costs[0] == pytest.approx(np.log(2.0))  # from zeros every prediction is 1/2


def test_trace_of_the_full_batch_in_order_is_batch_gradient_descent(rng):
    X = rng.standard_normal((30, 2))
    y = (X[:, 1] > 0.3).astype(float)
    y[:3] = 1 - y[:3]  # not separable
    _, costs = descent_trace(X, y, 0.5, 12, 30, np.random.default_rng(0), shuffle="never")
    _, _, costs_gd = train_logistic(X, y, 0.5, 13)
    np.testing.assert_allclose(costs, costs_gd, rtol=1e-12)


def test_trace_can_stop_inside_an_epoch_and_shuffle_once(rng):
    X = rng.standard_normal((10, 2))
    y = (np.arange(10) % 2).astype(float)
    params, costs = descent_trace(X, y, 0.1, 7, 3, np.random.default_rng(0), shuffle="once")
    assert params.shape == (8, 3) and costs.shape == (8,)
    # shuffled once: the second epoch sees the same 4 batches in the same order as the first
    batches = make_minibatches(X, y, 3, np.random.default_rng(0))
    w, b = np.zeros(2), 0.0
    for X_batch, y_batch in batches + batches[:3]:
        dw, db = log_loss_gradients(X_batch, y_batch, w, b)
        w, b = w - 0.1 * dw, b - 0.1 * db
    np.testing.assert_allclose(params[-1], np.append(w, b), rtol=1e-12)
    with pytest.raises(ValueError, match="shuffle"):
        descent_trace(X, y, 0.1, 3, 3, np.random.default_rng(0), shuffle="sometimes")


def test_ordered_batches_keep_the_order():
    X = np.arange(10.0)[:, None]
    y = np.arange(10.0)
    batches = ordered_batches(X, y, 4)
    assert [list(yb) for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_lowest_cost_is_the_minimum():
    X, y = blobs(np.random.default_rng(11))
    cost, w, b = lowest_cost(X, y)
    dw, db = log_loss_gradients(X, y, w, b)
    np.testing.assert_allclose(dw, 0.0, atol=1e-12)
    assert abs(db) < 1e-12
    assert cost == pytest.approx(log_loss(sigmoid(X @ w + b), y))
    # scikit-learn's unpenalised logistic regression, an independent solver, agrees
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.coef_[0], w, rtol=1e-5)
    assert model.intercept_[0] == pytest.approx(b, rel=1e-5)
