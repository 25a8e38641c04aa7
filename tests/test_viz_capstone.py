"""The capstone chapter's data split, experiments and pictures, with the numbers the chapter states.

The chapter's study is computed once here with the reference implementations (as the book does).
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.data import digits
from nnopt.viz import capstone as V
from nnref import optim
from nnref.capstone import (accuracy, confusion_counts, cross_entropy, init_network, one_hot, predict_proba, softmax,
                            train_classifier)
from nnref.schedules import exponential_decay, step_decay

pytestmark = pytest.mark.slow  # the chapter's study: a few minutes on a busy machine

RULES = {"SGD": optim.sgd, "Momentum": optim.sgd_momentum, "RMSprop": optim.rmsprop, "Adam": optim.adam}
SCHEDULES = V.schedule_factories(step_decay, exponential_decay)


@pytest.fixture(scope="module")
def study():
    return V.chapter_study(train_classifier, init_network, RULES, SCHEDULES, predict_proba, accuracy, confusion_counts)


@pytest.fixture(scope="module")
def failures(study):
    return V.failure_study(train_classifier, init_network, RULES, SCHEDULES, study.data)


def setting(study, optimizer, schedule="constant"):
    return next(s for s in study.runs if s.optimizer == optimizer and s.schedule == schedule)


def test_stratified_split_keeps_the_class_shares():
    _, y = digits()
    parts = V.stratified_split(y, (0.6, 0.2, 0.2), np.random.default_rng(0))
    assert sorted(np.concatenate(parts)) == list(range(len(y)))
    for label in range(10):
        counts = [np.sum(y[p] == label) for p in parts]
        share = np.sum(y == label) * np.array([0.6, 0.2, 0.2])
        assert np.all(np.abs(counts - share) <= 1)
    with pytest.raises(ValueError, match="fractions"):
        V.stratified_split(y, (0.5, 0.6), np.random.default_rng(0))


def test_digits_split_sizes_and_scaling():
    data = V.digits_split()
    assert data.sizes == (1078, 360, 359)  # the chapter's 60/20/20
    assert data.X_train.shape == (1078, 64) and data.X_train.min() == 0 and data.X_train.max() == 1
    raw = V.digits_split(scale=False)
    np.testing.assert_array_equal(raw.X_train / 16, data.X_train)
    np.testing.assert_array_equal(raw.y_test, data.y_test)


def test_numbers_of_the_softmax_and_cross_entropy_sections():
    np.testing.assert_allclose(softmax(np.array([[1.0, 2.0, 3.0]])), [[0.090, 0.245, 0.665]], atol=5e-4)
    np.testing.assert_allclose(softmax(np.array([[-1000.0, -1000.0, -999.0]])), [[0.21, 0.21, 0.58]], atol=5e-3)
    assert np.log(10) == pytest.approx(2.303, abs=5e-4) and -np.log(1e-12) == pytest.approx(27.6, abs=0.05)
    assert -np.log(softmax(np.array([[1.0, 2.0, 3.0]]))[0, 0]) == pytest.approx(2.41, abs=5e-3)
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]])
    assert cross_entropy(P, one_hot([0, 2, 2], 3)) == pytest.approx(-(np.log(0.7) + np.log(0.6) + np.log(0.3)) / 3)
    # parameter counts of the network: 32 and 256 hidden units
    assert 64 * 32 + 32 + 32 * 10 + 10 == 2410 and 64 * 256 + 256 + 256 * 10 + 10 == 19210


def test_the_sweep_chooses_the_rates_the_chapter_names(study):
    assert study.lrs == {"SGD": 1.0, "Momentum": 3.0, "RMSprop": 0.003, "Adam": 0.01}
    # SGD at 3 dies: both runs stay at ln 10
    dead = [h["val_loss"].min() for h in study.sweep[V.Setting("SGD", 3.0)]]
    assert np.allclose(dead, V.LN10, atol=0.01)


def test_the_comparison_as_the_chapter_reads_it(study):
    best = {s: V.best_losses(h) for s, h in study.runs.items()}
    order = sorted(RULES, key=lambda name: best[setting(study, name)].mean())
    assert order == ["SGD", "Momentum", "Adam", "RMSprop"]
    assert sorted(RULES, key=lambda name: best[setting(study, name, "step")].mean()) == order
    assert V.spread(best[setting(study, "SGD")]) == "0.085 ± 0.014"
    # the chapter's table: lowest validation loss, mean ± sd over 5 seeds, constant and step decay
    table = {"SGD": ("0.085 ± 0.014", "0.091 ± 0.011"), "Momentum": ("0.092 ± 0.020", "0.097 ± 0.016"),
             "RMSprop": ("0.119 ± 0.003", "0.132 ± 0.004"), "Adam": ("0.109 ± 0.010", "0.112 ± 0.012")}
    for name, cells in table.items():
        assert (V.spread(best[setting(study, name)]), V.spread(best[setting(study, name, "step")])) == cells, name
    assert max(best, key=lambda s: best[s].std(ddof=1)) == setting(study, "Momentum")
    assert round(best[setting(study, "RMSprop")].mean(), 3) == 0.119
    assert round(best[setting(study, "RMSprop", "step")].mean(), 3) == 0.132
    # step decay never helps here
    for name in RULES:
        assert best[setting(study, name, "step")].mean() > best[setting(study, name)].mean()
    # momentum fits fastest and stops improving earliest
    momentum = study.runs[setting(study, "Momentum")]
    first = [int(np.argmax(h["train_loss"] < 0.01)) + 1 for h in momentum]
    assert min(first) == 13 and max(first) == 21 and all(h["train_loss"][-1] < 0.002 for h in momentum)
    epochs = sorted(h["best_epoch"] + 1 for h in momentum)
    assert epochs[0] == 9 and 26 <= epochs[1] and epochs[-1] <= 33
    late = [h["best_epoch"] + 1 >= 33 for name in ("SGD", "RMSprop", "Adam") for h in study.runs[setting(study, name)]]
    assert sum(late) == 14
    sgd = study.runs[setting(study, "SGD")]
    assert np.mean([h["train_loss"][-1] for h in sgd]) == pytest.approx(0.01, abs=0.002)


def test_the_final_model_and_its_test_accuracy(study):
    assert study.final == V.Setting("SGD", 1.0, "constant")
    assert round(100 * study.final_test.mean()) == 97 and round(100 * study.final_val.mean()) == 97
    assert abs(study.final_test.mean() - study.final_val.mean()) < 0.01
    assert (round(100 * study.final_test.min(), 1), round(100 * study.final_test.max(), 1)) == (96.7, 98.1)
    assert round(100 * study.final_test.mean(), 1) == 97.0
    C = study.confusion
    assert C.sum() == study.data.y_test.size
    off = C - np.diag(np.diag(C))
    assert np.unravel_index(np.argmax(off), off.shape) == (8, 1) and off.max() == 2


def test_failures_as_the_chapter_describes_them(failures):
    large = failures.large_lr
    assert large["SGD, lr = 1"]["train_loss"][-1] < 0.02
    assert np.allclose(large["SGD, lr = 10"]["train_loss"], V.LN10, atol=0.25)
    assert large["SGD, lr = 100"]["train_loss"].min() > 5 * V.LN10
    assert failures.dead["SGD, lr = 10"] == failures.dead["SGD, lr = 100"] == 1.0
    assert failures.dead["SGD, lr = 1"] < 0.2
    un = failures.unscaled
    assert un["pixels / 16, SGD lr = 1"]["val_loss"].min() < 0.1
    assert np.allclose(un["raw 0..16, SGD lr = 1"]["val_loss"][2:], V.LN10, atol=0.01)
    assert un["raw 0..16, SGD lr = 1 / 256"]["val_loss"][-1] == pytest.approx(0.35, abs=0.01)
    assert un["raw 0..16, Adam lr = 0.01"]["val_loss"][-1] == pytest.approx(0.2, abs=0.02)
    stds = {k: v.std() for k, v in failures.preactivations.items()}
    assert stds["pixels / 16"] == pytest.approx(0.67, abs=0.005) and stds["raw 0..16"] == pytest.approx(10.65, abs=0.005)
    narrow, wide = failures.overfitting.values()
    for h in (narrow, wide):
        assert h["train_loss"][-1] < 0.002 and h["val_loss"][-1] > h["val_loss"].min() + 0.05
        assert 0.35 < h["val_loss"].min() < 0.5
    assert wide["best_epoch"] < narrow["best_epoch"] and wide["val_loss"][-1] > narrow["val_loss"][-1]


def test_explorer_draws_every_frame_with_its_alt_text(study):
    explorer = V.comparison_explorer(study.runs)
    assert [c.values for c in explorer.controls] == [list(RULES), ["constant", "step"]]
    pngs = {explorer.render(optimizer=name, schedule=schedule) for name in RULES for schedule in ("constant", "step")}
    assert len(pngs) == 8 and all(p.startswith(b"\x89PNG") for p in pngs)
    text = explorer.alt(optimizer="Momentum", schedule="constant")
    assert "Momentum" in text and "0.092 ± 0.020" in text and "9," in text


def test_pictures_draw(study, failures):
    data = study.data
    fig = Figure(figsize=(7, 4.4))
    V.draw_digits(fig, data.X_train, data.y_train)
    assert len(fig.axes) == 60
    fig = Figure()
    V.draw_lr_sweep(fig.subplots(), study.sweep)
    assert len(fig.axes[0].get_legend().get_texts()) == 4
    fig = Figure()
    ax = V.draw_confusion(fig.subplots(), study.confusion)
    assert len(ax.texts) == np.count_nonzero(study.confusion)
    fig = Figure()
    V.draw_loss_curves(fig.subplots(), failures.large_lr)
    fig = Figure()
    V.draw_preactivations(fig.subplots(), failures.preactivations)
    fig = Figure(figsize=(9, 3.6))
    V.draw_overfitting(fig, failures.overfitting, patience=10)
    assert len(fig.axes) == 2
    # the narrow (phone) layout stacks the two panels of the comparison
    fig = Figure(figsize=(4.6, 7.2))
    V.draw_comparison(fig, study.runs, "Adam", "constant")
    (top, bottom) = fig.axes
    assert top.get_position().y0 > bottom.get_position().y1


def test_dead_units_counts_units_silent_on_every_row():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    params = {"W1": np.array([[1.0, -1.0, 0.5], [1.0, -2.0, -1.0]]), "b1": np.array([0.0, 0.0, 0.0])}
    assert V.dead_units(X, params) == pytest.approx(1 / 3)


def test_batch_norm_beats_every_setting_of_the_table(study):
    """The chapter's section on batch norm: SGD at 1 with batch norm, the same 5 seeds."""
    best = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        params = init_network(64, 32, 10, rng, batchnorm=True)
        _, history = train_classifier(study.data.X_train, study.data.y_train, params, optim.sgd, {}, lambda e: 1.0, 40,
                                      64, rng, study.data.X_val, study.data.y_val, bn_param={"mode": "train"})
        best.append(history["val_loss"].min())
    assert np.mean(best) < min(V.best_losses(h).mean() for h in study.runs.values())
    assert V.spread(best) == "0.069 ± 0.011"
