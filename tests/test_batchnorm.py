"""ps08 maths: hand-computed cases, scikit-learn's scalers and PyTorch's BatchNorm1d as oracles,
numerical gradients, bad input; and the book's small network trainer."""

import warnings

import numpy as np
import pytest

from numeric import numeric_grad
from nnref.batchnorm import (
    _init_mlp,
    _mlp_loss_and_grads,
    batchnorm_backward,
    batchnorm_forward,
    min_max_scale,
    standardize,
    train_mlp,
)


def rel_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``, 0 when both are zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


# ----------------------------------------------------------------------------- feature scaling

# columns: range [1, 3], range [10, 30], constant
X_HAND = np.array([[1.0, 10.0, 5.0], [3.0, 20.0, 5.0], [2.0, 30.0, 5.0]])


def test_min_max_by_hand():
    scaled, (low, high) = min_max_scale(X_HAND)
    np.testing.assert_allclose(scaled, [[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.5, 1.0, 0.0]])
    np.testing.assert_array_equal(low, [1.0, 10.0, 5.0])
    np.testing.assert_array_equal(high, [3.0, 30.0, 5.0])


def test_standardize_by_hand():
    # column 0: mean 2, population std sqrt(2/3); column 1: mean 20, std sqrt(200/3); column 2 constant
    scaled, (mean, std) = standardize(X_HAND)
    np.testing.assert_allclose(mean, [2.0, 20.0, 5.0])
    np.testing.assert_allclose(std, [np.sqrt(2 / 3), np.sqrt(200 / 3), 0.0])
    r = np.sqrt(1.5)
    np.testing.assert_allclose(scaled, [[-r, -r, 0.0], [r, 0.0, 0.0], [0.0, r, 0.0]])


def test_test_data_reuses_training_stats():
    X_test = np.array([[0.0, 40.0, 6.0], [2.0, 20.0, 5.0]])
    _, stats = min_max_scale(X_HAND)
    scaled, same = min_max_scale(X_test, stats)
    # outside the training range gives values outside [0, 1]; the constant column still maps to 0
    np.testing.assert_allclose(scaled, [[-0.5, 1.5, 0.0], [0.5, 0.5, 0.0]])
    assert all(np.array_equal(a, b) for a, b in zip(same, stats))
    _, stats = standardize(X_HAND)
    scaled, _ = standardize(X_test, stats)
    np.testing.assert_allclose(scaled[:, 0], [-2 / np.sqrt(2 / 3), 0.0])
    np.testing.assert_allclose(scaled[:, 2], [0.0, 0.0])


def test_scalers_match_sklearn(rng):
    preprocessing = pytest.importorskip("sklearn.preprocessing", reason="scikit-learn is the oracle here")
    pairs = [(min_max_scale, preprocessing.MinMaxScaler), (standardize, preprocessing.StandardScaler)]
    X_train = rng.normal(3.0, 2.0, size=(40, 4)) * [1.0, 10.0, 0.1, 5.0]
    X_test = rng.normal(3.0, 2.0, size=(15, 4)) * [1.0, 10.0, 0.1, 5.0]
    # a constant training column: scikit-learn maps it to 0 as well
    X_const = np.column_stack([X_train[:, 0], np.full(40, 7.0)])
    for ours, Theirs in pairs:
        theirs = Theirs()
        scaled, stats = ours(X_train)
        np.testing.assert_allclose(scaled, theirs.fit_transform(X_train), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours(X_test, stats)[0], theirs.transform(X_test), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours(X_const)[0], Theirs().fit_transform(X_const), rtol=1e-12, atol=1e-12)


def test_constant_column_gives_zero_without_warning():
    X = np.array([[2.0, 1.0], [2.0, 4.0], [2.0, 7.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scale in (min_max_scale, standardize):
            scaled, stats = scale(X)
            np.testing.assert_array_equal(scaled[:, 0], [0.0, 0.0, 0.0])
            scaled, _ = scale(np.array([[3.0, 1.0]]), stats)
            assert scaled[0, 0] == 0.0
            assert np.all(np.isfinite(scaled))


def test_scalers_do_not_modify_inputs():
    X = X_HAND.copy()
    for scale in (min_max_scale, standardize):
        _, stats = scale(X)
        kept = tuple(s.copy() for s in stats)
        scale(X + 1.0, stats)
        np.testing.assert_array_equal(X, X_HAND)
        for s, k in zip(stats, kept):
            np.testing.assert_array_equal(s, k)


@pytest.mark.parametrize("scale", [min_max_scale, standardize])
def test_scalers_reject_bad_input(scale):
    with pytest.raises(ValueError, match="X must be 2-D"):
        scale(np.ones(3))
    with pytest.raises(ValueError, match="at least one example"):
        scale(np.ones((0, 3)))
    with pytest.raises(ValueError, match="one value per column"):
        scale(X_HAND, (np.zeros(2), np.ones(2)))
    with pytest.raises(ValueError, match="stats must be a pair"):
        scale(X_HAND, (np.zeros(3),))


# ----------------------------------------------------------------------------- batch norm forward

def test_forward_by_hand():
    # column 0: mean 2, biased variance 1, unbiased 2; column 1 constant: x_hat = 0, out = beta
    x = np.array([[1.0, 4.0], [3.0, 4.0]])
    gamma, beta = np.array([2.0, 3.0]), np.array([0.5, -1.0])
    bn_param = {"mode": "train"}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    s = 1 / np.sqrt(1 + 1e-5)
    np.testing.assert_allclose(out, [[0.5 - 2 * s, -1.0], [0.5 + 2 * s, -1.0]])
    np.testing.assert_allclose(cache["x_hat"], [[-s, 0.0], [s, 0.0]])
    np.testing.assert_allclose(cache["inv_std"], [s, 1 / np.sqrt(1e-5)])
    # defaults filled in, running statistics moved 10% of the way to the batch's
    assert bn_param["eps"] == 1e-5 and bn_param["momentum"] == 0.9
    np.testing.assert_allclose(bn_param["running_mean"], [0.2, 0.4])
    np.testing.assert_allclose(bn_param["running_var"], [0.9 + 0.1 * 2.0, 0.9])
    # test mode normalises with those running statistics
    out, _ = batchnorm_forward(np.array([[1.2, 0.4]]), gamma, beta, dict(bn_param, mode="test"))
    np.testing.assert_allclose(out, [[0.5 + 2.0 * 1.0 / np.sqrt(1.1 + 1e-5), -1.0]])


def test_forward_uses_given_eps_and_momentum():
    x = np.array([[0.0], [2.0]])
    bn_param = {"mode": "train", "eps": 0.5, "momentum": 0.5}
    out, _ = batchnorm_forward(x, np.ones(1), np.zeros(1), bn_param)
    np.testing.assert_allclose(out, [[-1 / np.sqrt(1.5)], [1 / np.sqrt(1.5)]])
    np.testing.assert_allclose(bn_param["running_mean"], [0.5])
    np.testing.assert_allclose(bn_param["running_var"], [0.5 + 0.5 * 2.0])


def test_running_statistics_updated_in_place_and_inputs_kept(rng):
    x = rng.standard_normal((6, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    x0, gamma0, beta0 = x.copy(), gamma.copy(), beta.copy()
    running_mean, running_var = np.zeros(3), np.ones(3)
    bn_param = {"mode": "train", "running_mean": running_mean, "running_var": running_var}
    batchnorm_forward(x, gamma, beta, bn_param)
    assert bn_param["running_mean"] is running_mean and bn_param["running_var"] is running_var
    np.testing.assert_allclose(running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1))
    # test mode reads them and leaves them alone
    kept = running_mean.copy(), running_var.copy()
    batchnorm_forward(x, gamma, beta, dict(bn_param, mode="test"))
    np.testing.assert_array_equal(running_mean, kept[0])
    np.testing.assert_array_equal(running_var, kept[1])
    for now, before in [(x, x0), (gamma, gamma0), (beta, beta0)]:
        np.testing.assert_array_equal(now, before)


def test_forward_matches_torch_over_several_steps(torch, rng):
    n = 4
    gamma, beta = rng.standard_normal(n), rng.standard_normal(n)
    bn = torch.nn.BatchNorm1d(n, momentum=0.1, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
    bn_param = {"mode": "train"}
    bn.train()
    for step in range(5):
        x = rng.normal(step - 1.0, 1.0 + step, size=(8 + step, n))
        out, _ = batchnorm_forward(x, gamma, beta, bn_param)
        with torch.no_grad():
            expected = bn(torch.from_numpy(x)).numpy()
        assert rel_error(out, expected) < 1e-10
        assert rel_error(bn_param["running_mean"], bn.running_mean.numpy()) < 1e-10
        assert rel_error(bn_param["running_var"], bn.running_var.numpy()) < 1e-10
    bn.eval()
    bn_param["mode"] = "test"
    x = rng.normal(0.5, 2.0, size=(3, n))
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    with torch.no_grad():
        expected = bn(torch.from_numpy(x)).numpy()
    assert rel_error(out, expected) < 1e-10


def test_train_mode_needs_two_examples():
    # the unbiased variance of one example is undefined; PyTorch's BatchNorm1d refuses it too
    with pytest.raises(ValueError, match="at least 2 examples"):
        batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3), {"mode": "train"})
    out, _ = batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3), {"mode": "test"})
    np.testing.assert_allclose(out, np.ones((1, 3)) / np.sqrt(1 + 1e-5))


# ----------------------------------------------------------------------------- batch norm backward

def test_backward_by_hand():
    # dout = 1 everywhere: dbeta counts the examples, dgamma sums x_hat (0 in train mode), and dx = 0
    # because adding a constant to a column changes nothing after normalisation
    x = np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 1.0]])
    _, cache = batchnorm_forward(x, np.array([1.5, -2.0]), np.zeros(2), {"mode": "train"})
    dx, dgamma, dbeta = batchnorm_backward(np.ones((3, 2)), cache)
    np.testing.assert_allclose(dbeta, [3.0, 3.0])
    np.testing.assert_allclose(dgamma, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(dx, np.zeros((3, 2)), atol=1e-12)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_backward_matches_torch_autograd(torch, rng, mode):
    m, n = 7, 3
    x = rng.normal(1.0, 2.0, size=(m, n))
    gamma, beta = rng.standard_normal(n), rng.standard_normal(n)
    dout = rng.standard_normal((m, n))
    running_mean, running_var = rng.standard_normal(n), rng.uniform(0.5, 2.0, n)
    bn_param = {"mode": mode, "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    _, cache = batchnorm_forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)

    bn = torch.nn.BatchNorm1d(n, momentum=0.1, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
        bn.running_mean.copy_(torch.from_numpy(running_mean))
        bn.running_var.copy_(torch.from_numpy(running_var))
    bn.train(mode == "train")
    x_t = torch.from_numpy(x).requires_grad_(True)
    bn(x_t).backward(torch.from_numpy(dout))
    assert rel_error(dx, x_t.grad.numpy()) < 1e-10
    assert rel_error(dgamma, bn.weight.grad.numpy()) < 1e-10
    assert rel_error(dbeta, bn.bias.grad.numpy()) < 1e-10


def test_backward_matches_numerical_gradient(rng):
    m, n = 5, 4
    x = rng.normal(-1.0, 3.0, size=(m, n))
    gamma, beta = rng.standard_normal(n), rng.standard_normal(n)
    dout = rng.standard_normal((m, n))

    def loss(x, gamma, beta):
        # sum(out * dout) has gradient dout with respect to out
        out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
        return np.sum(out * dout)

    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert rel_error(dx, numeric_grad(lambda v: loss(v, gamma, beta), x.copy())) < 1e-7
    assert rel_error(dgamma, numeric_grad(lambda v: loss(x, v, beta), gamma.copy())) < 1e-7
    assert rel_error(dbeta, numeric_grad(lambda v: loss(x, gamma, v), beta.copy())) < 1e-7


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(x=np.ones(3)), "x must be 2-D"),
        (dict(gamma=np.ones(2)), "gamma and beta"),
        (dict(beta=np.zeros(4)), "gamma and beta"),
        (dict(bn_param={}), r"bn_param\['mode'\]"),
        (dict(bn_param={"mode": "eval"}), r"bn_param\['mode'\]"),
        (dict(bn_param={"mode": "train", "eps": 0.0}), r"bn_param\['eps'\]"),
        (dict(bn_param={"mode": "train", "momentum": 1.5}), r"bn_param\['momentum'\]"),
        (
            dict(bn_param={"mode": "train", "running_mean": np.zeros(2)}),
            r"bn_param\['running_mean'\] must be a float64 array of shape \(3,\)",
        ),
        (dict(bn_param={"mode": "test", "running_var": [1.0, 1.0, 1.0]}), r"bn_param\['running_var'\]"),
    ],
)
def test_forward_rejects_bad_input(changes, message):
    args = dict(x=np.eye(2, 3), gamma=np.ones(3), beta=np.zeros(3), bn_param={"mode": "train"})
    args.update(changes)
    with pytest.raises(ValueError, match=message):
        batchnorm_forward(**args)


def test_backward_rejects_a_dout_of_another_shape():
    _, cache = batchnorm_forward(np.eye(2, 3), np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="dout must have the shape"):
        batchnorm_backward(np.ones((3, 3)), cache)


# ----------------------------------------------------------------------------- the book's trainer

def quadrants(rng, m=200):
    """A problem a linear model cannot solve: label 1 in the first and third quadrants."""
    X = rng.uniform(-1.0, 1.0, size=(m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.float64)


@pytest.mark.parametrize("use_batchnorm", [False, True])
@pytest.mark.parametrize("hidden", [3, (4, 3)])
def test_network_gradients_match_numerical(rng, hidden, use_batchnorm):
    X, y = quadrants(rng, m=9)
    sizes = [2, *np.atleast_1d(hidden).tolist(), 1]
    params = _init_mlp(sizes, rng, use_batchnorm)
    # move gamma and beta (and the biases) away from 1 and 0, so every path is exercised
    params = {key: value + 0.3 * rng.standard_normal(value.shape) for key, value in params.items()}
    bn_params = [{"mode": "train"} for _ in sizes[1:-1]] if use_batchnorm else []
    _, grads = _mlp_loss_and_grads(X, y, params, bn_params)
    assert set(grads) == set(params)
    for key, value in params.items():

        def loss(v, key=key):
            return _mlp_loss_and_grads(X, y, dict(params, **{key: v}), bn_params)[0]

        assert rel_error(grads[key], numeric_grad(loss, value.copy())) < 1e-6, key


@pytest.mark.parametrize("use_batchnorm", [False, True])
def test_train_mlp_learns_a_nonlinear_boundary(rng, use_batchnorm):
    X, y = quadrants(rng)
    X0, y0 = X.copy(), y.copy()
    history = train_mlp(X, y, (16, 16), 20, 0.2, 60, np.random.default_rng(1), use_batchnorm)
    assert set(history) == {"loss", "accuracy", "accuracy_train_mode"}
    assert history["loss"].shape == history["accuracy"].shape == (60,)
    # the train-mode loss is noisy with batch norm (each batch's own statistics): compare an average
    assert history["loss"][-10:].mean() < 0.6 * history["loss"][0]
    assert history["accuracy"][-1] > 0.9
    assert np.all((0 <= history["accuracy"]) & (history["accuracy"] <= 1))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_train_mlp_is_reproducible_and_handles_a_last_batch_of_one(rng):
    X, y = quadrants(rng, m=41)  # batches of 10 leave one example over
    runs = [train_mlp(X, y, 8, 10, 0.1, 5, np.random.default_rng(3), True) for _ in range(2)]
    np.testing.assert_array_equal(runs[0]["loss"], runs[1]["loss"])
    np.testing.assert_array_equal(runs[0]["accuracy"], runs[1]["accuracy"])
    assert np.all(np.isfinite(runs[0]["loss"]))
    assert train_mlp(X, y, 8, 10, 0.1, 0, np.random.default_rng(3), False)["loss"].shape == (0,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(y=np.full(10, 2.0)), "y must hold labels 0 and 1"),
        (dict(y=np.zeros(9)), "same number of examples"),
        (dict(hidden=0), "hidden must be an integer >= 1"),
        (dict(hidden=()), "hidden must give at least one"),
        (dict(batch_size=0), "batch_size must be an integer >= 1"),
        (dict(batch_size=1, use_batchnorm=True), "batch_size must be >= 2 with batch norm"),
        (dict(lr=0.0), "lr must be a positive"),
        (dict(num_epochs=-1), "num_epochs must be an integer >= 0"),
        (dict(rng=0), "rng must be a numpy Generator"),
    ],
)
def test_train_mlp_rejects_bad_input(kwargs, message):
    args = dict(X=np.zeros((10, 2)), y=np.zeros(10), hidden=4, batch_size=5, lr=0.1, num_epochs=2,
                rng=np.random.default_rng(0), use_batchnorm=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        train_mlp(**args)


# ----------------------------------------------------------------------------- what ps08's ungraded parts promise


def test_ps08_gradient_check_tells_the_forgotten_paths_apart():
    # part 6 of ps08: on its batch, a correct backward agrees to 1e-11, a forgotten path is far off
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(6, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    dout = rng.standard_normal((6, 3))
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, _, _ = batchnorm_backward(dout, cache)
    numeric = numeric_grad(lambda v: np.sum(batchnorm_forward(v, gamma, beta, {"mode": "train"})[0] * dout), x.copy())
    assert rel_error(dx, numeric) < 1e-9
    x_hat, s, m = cache["x_hat"], cache["inv_std"], 6
    g = dout * gamma
    wrong = {
        "variance": s / m * (m * g - g.sum(axis=0)),
        "mean": s / m * (m * g - x_hat * (g * x_hat).sum(axis=0)),
        "gamma": s / m * (m * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0)),
    }
    assert {k: round(rel_error(v, numeric), 1) for k, v in wrong.items()} == {"variance": 0.1, "mean": 0.3, "gamma": 0.5}


def test_ps08_digits_have_three_constant_pixels_in_training():
    from nnopt.data import digits

    pixels, _ = digits()
    order = np.random.default_rng(0).permutation(len(pixels))
    train, test = pixels[order[:1200]], pixels[order[1200:]]
    assert int(np.sum(train.min(axis=0) == train.max(axis=0))) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled, stats = min_max_scale(test, min_max_scale(train)[1])
    assert scaled.min() == 0.0 and scaled.max() > 1
