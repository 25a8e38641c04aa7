"""nnref.capstone against PyTorch (softmax, cross-entropy, autograd, BatchNorm1d, torch.optim, LambdaLR) and by hand."""

import numpy as np
import pytest

from nnref import optim, schedules
from nnref.backprop import numerical_gradient
from nnref.capstone import (accuracy, confusion_counts, cross_entropy, init_network, network_backward,
                            network_forward, one_hot, predict_proba, softmax, softmax_cross_entropy_gradient,
                            train_classifier)


def test_one_hot_by_hand():
    np.testing.assert_array_equal(one_hot([2, 0, 1, 2], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    # labels as make_minibatches returns them (floats holding whole numbers) are fine
    assert one_hot(np.array([3.0, 1.0]), 4).dtype == np.float64
    for bad, k in (([0, 3], 3), ([-1], 3), ([0.5], 2), ([[0, 1]], 2)):
        with pytest.raises(ValueError, match="y"):
            one_hot(bad, k)
    with pytest.raises(ValueError, match="k"):
        one_hot([0], 0)


def test_softmax_matches_torch_and_is_stable(torch, rng):
    Z = rng.standard_normal((5, 7)) * 4
    np.testing.assert_allclose(softmax(Z), torch.softmax(torch.tensor(Z), dim=1).numpy(), rtol=1e-12)
    # scores of +-1000 and a row shifted by 1000: no overflow, no warning, rows sum to 1
    with np.errstate(all="raise", under="ignore"):
        P = softmax(np.array([[1000.0, 0.0, -1000.0], [1001.0, 1000.0, 999.0]]))
    np.testing.assert_allclose(P[0], [1, 0, 0])
    np.testing.assert_allclose(P[1], softmax(np.array([[2.0, 1.0, 0.0]]))[0])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_cross_entropy_matches_torch(torch, rng):
    Z = rng.standard_normal((6, 4)) * 3
    y = np.array([0, 3, 1, 1, 2, 0])
    expected = torch.nn.functional.cross_entropy(torch.tensor(Z), torch.tensor(y)).item()
    assert cross_entropy(softmax(Z), one_hot(y, 4)) == pytest.approx(expected, rel=1e-12)
    # by hand: probabilities 0.5 and 0.25 for the true classes give (ln 2 + ln 4) / 2
    P = np.array([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]])
    assert cross_entropy(P, one_hot([0, 1], 3)) == pytest.approx(1.5 * np.log(2))
    # a probability of exactly 0 for the true class is clipped: -log(1e-12) = 27.63
    with np.errstate(all="raise"):
        assert cross_entropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == pytest.approx(27.631, abs=1e-3)


def test_gradient_is_softmax_minus_one_hot_as_autograd_finds(torch, rng):
    Z = rng.standard_normal((5, 3)) * 2
    y = np.array([2, 0, 1, 1, 0])
    Zt = torch.tensor(Z, requires_grad=True)
    torch.nn.functional.cross_entropy(Zt, torch.tensor(y)).backward()
    dZ = softmax_cross_entropy_gradient(Z, one_hot(y, 3))
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dZ, (softmax(Z) - one_hot(y, 3)) / 5)
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-15)
    with np.errstate(all="raise", under="ignore"):
        softmax_cross_entropy_gradient(np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]]))


def test_accuracy_and_confusion_counts_by_hand():
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    y = np.array([0, 1, 1, 2, 1])
    assert accuracy(P, y) == pytest.approx(0.6)
    C = confusion_counts(P, y)
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 2, 1], [1, 0, 0]])
    assert C.dtype == np.int64 and C.sum() == 5 and np.trace(C) / 5 == accuracy(P, y)
    with pytest.raises(ValueError, match="y"):
        accuracy(P, [0, 1, 3, 2, 1])


def _torch_network(torch, X, params, batchnorm):
    """The same network in PyTorch; returns (loss function of the leaf tensors, the leaves)."""
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}

    def loss(y):
        Z1 = torch.tensor(X) @ leaves["W1"]
        if batchnorm:
            mean, var = Z1.mean(0), Z1.var(0, unbiased=False)
            Z1 = leaves["gamma1"] * (Z1 - mean) / torch.sqrt(var + 1e-5) + leaves["beta1"]
        else:
            Z1 = Z1 + leaves["b1"]
        Z2 = torch.relu(Z1) @ leaves["W2"] + leaves["b2"]
        return torch.nn.functional.cross_entropy(Z2, torch.tensor(y))

    return loss, leaves


@pytest.mark.parametrize("batchnorm", [False, True])
def test_network_gradients_match_autograd(torch, rng, batchnorm):
    X, y = rng.standard_normal((8, 5)), rng.integers(0, 4, 8)
    params = init_network(5, 6, 4, rng, batchnorm=batchnorm)
    if batchnorm:
        params["gamma1"] = rng.uniform(0.5, 2, 6)
        params["beta1"] = rng.standard_normal(6)
    bn_param = {"mode": "train"} if batchnorm else None
    P, cache = network_forward(X, params, bn_param)
    grads = network_backward(X, one_hot(y, 4), params, cache)
    loss, leaves = _torch_network(torch, X, params, batchnorm)
    value = loss(y)
    value.backward()
    assert cross_entropy(P, one_hot(y, 4)) == pytest.approx(value.item(), rel=1e-12)
    assert set(grads) == {"d" + key for key in params}
    for key, leaf in leaves.items():
        np.testing.assert_allclose(grads["d" + key], leaf.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=key)


def test_network_gradients_match_numerical_gradient(rng):
    X, y = rng.standard_normal((7, 4)), rng.integers(0, 3, 7)
    params = init_network(4, 5, 3, rng)
    Y = one_hot(y, 3)
    grads = network_backward(X, Y, params, network_forward(X, params)[1])
    for key in params:
        numeric = numerical_gradient(lambda _: cross_entropy(network_forward(X, params)[0], Y), params[key])
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-6, atol=1e-9, err_msg=key)


def _digits_like(rng, m=60, n=6, k=3):
    X = rng.uniform(0, 1, (m, n))
    y = np.argmax(X[:, :k] + 0.3 * rng.standard_normal((m, k)), axis=1)
    return X, y


@pytest.mark.parametrize("rule_name", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_train_matches_torch_optim_with_the_same_batches(torch, rng, rule_name):
    """Three epochs of nnref's loop and of torch.optim with LambdaLR on the same mini-batches."""
    X, y = _digits_like(rng)
    params0 = init_network(6, 5, 3, np.random.default_rng(1))
    lr0, decay = {"sgd": 0.5, "sgd_momentum": 0.5, "rmsprop": 0.01, "adam": 0.01}[rule_name], 0.5

    def schedule(epoch):
        return schedules.time_based_decay(lr0, decay, epoch)

    rule, config = getattr(optim, rule_name), {"momentum": 0.8} if rule_name == "sgd_momentum" else {}
    params, history = train_classifier(X, y, params0, rule, config, schedule, 3, 16, np.random.default_rng(7))

    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params0.items()}
    scale = 1 - 0.8 if rule_name == "sgd_momentum" else 1.0  # the course's momentum = PyTorch's with lr (1 - beta)
    make = {"sgd": lambda p: torch.optim.SGD(p, lr=lr0),
            "sgd_momentum": lambda p: torch.optim.SGD(p, lr=lr0 * scale, momentum=0.8),
            "rmsprop": lambda p: torch.optim.RMSprop(p, lr=lr0, alpha=0.99, eps=1e-8),
            "adam": lambda p: torch.optim.Adam(p, lr=lr0)}[rule_name]
    opt = make(list(leaves.values()))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (1 + decay * epoch))
    shuffle = np.random.default_rng(7)
    losses = []
    for _ in range(3):
        order = shuffle.permutation(len(y))  # make_minibatches' one permutation per epoch
        for start in range(0, len(y), 16):
            rows = order[start:start + 16]
            opt.zero_grad()
            Z = torch.relu(torch.tensor(X[rows]) @ leaves["W1"] + leaves["b1"]) @ leaves["W2"] + leaves["b2"]
            torch.nn.functional.cross_entropy(Z, torch.tensor(y[rows])).backward()
            opt.step()
        sched.step()
        with torch.no_grad():
            Z = torch.relu(torch.tensor(X) @ leaves["W1"] + leaves["b1"]) @ leaves["W2"] + leaves["b2"]
            losses.append(torch.nn.functional.cross_entropy(Z, torch.tensor(y)).item())
    for key, leaf in leaves.items():
        np.testing.assert_allclose(params[key], leaf.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(history["train_loss"], losses, rtol=1e-10)
    np.testing.assert_allclose(history["lr"], [lr0, lr0 / 1.5, lr0 / 2])


def test_train_with_batchnorm_matches_torch(torch, rng):
    X, y = _digits_like(rng)
    params0 = init_network(6, 5, 3, np.random.default_rng(1), batchnorm=True)
    bn_param = {"mode": "train"}
    params, history = train_classifier(X, y, params0, optim.sgd, {}, lambda e: 0.3, 2, 20, np.random.default_rng(3),
                            bn_param=bn_param)
    W1 = torch.nn.Linear(6, 5, bias=False)
    bn = torch.nn.BatchNorm1d(5, momentum=0.1)
    W2 = torch.nn.Linear(5, 3)
    with torch.no_grad():
        W1.weight.copy_(torch.tensor(params0["W1"].T))
        W2.weight.copy_(torch.tensor(params0["W2"].T))
        W2.bias.copy_(torch.tensor(params0["b2"]))
    net = torch.nn.Sequential(W1, bn, torch.nn.ReLU(), W2)
    opt = torch.optim.SGD(net.parameters(), lr=0.3)
    shuffle = np.random.default_rng(3)
    for _ in range(2):
        net.train()
        order = shuffle.permutation(len(y))
        for start in range(0, len(y), 20):
            rows = order[start:start + 20]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(torch.tensor(X[rows])), torch.tensor(y[rows])).backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        P = torch.softmax(net(torch.tensor(X)), dim=1).numpy()
    np.testing.assert_allclose(params["W1"], W1.weight.detach().numpy().T, rtol=1e-9)
    np.testing.assert_allclose(params["gamma1"], bn.weight.detach().numpy(), rtol=1e-9)
    np.testing.assert_allclose(bn_param["running_mean"], bn.running_mean.numpy(), rtol=1e-9)
    np.testing.assert_allclose(bn_param["running_var"], bn.running_var.numpy(), rtol=1e-9)
    np.testing.assert_allclose(predict_proba(X, params, bn_param), P, rtol=1e-8, atol=1e-12)


def test_train_counts_epochs_from_zero_and_gives_each_parameter_its_own_state(rng):
    X, y = _digits_like(rng, m=30)
    params0 = init_network(6, 4, 3, np.random.default_rng(0))
    before = {k: v.copy() for k, v in params0.items()}
    epochs, calls = [], []

    def schedule(epoch):
        epochs.append(epoch)
        return 0.1

    def rule(w, dw, config):
        calls.append((id(config), w.shape, config["learning_rate"]))
        return optim.adam(w, dw, config)

    params, history = train_classifier(X, y, params0, rule, {}, schedule, 3, 8, np.random.default_rng(0))
    assert epochs == [0, 1, 2]
    assert len(calls) == 3 * 4 * 4  # epochs x batches x parameter arrays
    assert len({c[0] for c in calls}) == 4  # one config dict per parameter array
    assert all(np.array_equal(before[k], params0[k]) for k in params0)  # the initial parameters are not modified
    assert history["best_epoch"] == 2 and "val_loss" not in history


def test_early_stopping_returns_the_best_epoch(rng):
    X, y = _digits_like(rng, m=40)
    Xv, yv = _digits_like(rng, m=30)
    params0 = init_network(6, 30, 3, np.random.default_rng(0))
    args = (X, y, params0, optim.adam, {}, lambda e: 0.05, 60, 8)
    full_params, full = train_classifier(*args, np.random.default_rng(1), Xv, yv)
    best = int(np.argmin(full["val_loss"]))
    assert full["best_epoch"] == best and best < 57, "the run must overfit for this test"
    params, stopped = train_classifier(*args, np.random.default_rng(1), Xv, yv, patience=3)
    # stops 3 epochs after the best one and returns its parameters
    assert len(stopped["val_loss"]) == best + 4 and stopped["best_epoch"] == best
    np.testing.assert_allclose(stopped["val_loss"], full["val_loss"][:best + 4])
    P = predict_proba(Xv, params)
    assert cross_entropy(P, one_hot(yv, 3)) == pytest.approx(full["val_loss"][best])
    # without patience, the last parameters
    assert cross_entropy(predict_proba(Xv, full_params), one_hot(yv, 3)) == pytest.approx(full["val_loss"][-1])


def test_train_rejects_bad_input(rng):
    X, y = _digits_like(rng, m=10)
    params0 = init_network(6, 4, 3, rng)
    for kwargs, word in (({"batch_size": 0}, "batch_size"), ({"patience": 2}, "patience"),
                         ({"X_val": X}, "X_val")):
        args = dict(X=X, y=y, params=params0, rule=optim.sgd, config={}, schedule=lambda e: 0.1, num_epochs=1,
                    batch_size=4, rng=rng)
        args.update(kwargs)
        with pytest.raises(ValueError, match=word):
            train_classifier(**args)
