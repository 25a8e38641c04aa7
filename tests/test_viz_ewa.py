"""The EWA chapter's data and pictures: the loader, the weights, the lines drawn, every explorer frame."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import nnref
import nnref.ewa
from nnopt.data import seattle_temperatures
from nnopt.explorer import Kind, Layout
from nnopt.viz.ewa import (draw_average, draw_betas, draw_bias_correction, draw_explorer_frame, draw_weights,
                           ewa_explorer, ewa_weights, explorers)
from nnref.ewa import ewa, ewa_bias_corrected


@pytest.fixture(scope="module")
def temps():
    return seattle_temperatures()[1]


def test_seattle_temperatures():
    dates, temp_max, temp_min = seattle_temperatures()
    assert dates.shape == temp_max.shape == temp_min.shape == (1461,)
    assert temp_max.dtype == temp_min.dtype == np.float64
    # one row a day from 1 January 2012 to 31 December 2015, none missing
    assert dates[0] == np.datetime64("2012-01-01") and dates[-1] == np.datetime64("2015-12-31")
    assert np.all(np.diff(dates) == np.timedelta64(1, "D"))
    assert dates[365] == np.datetime64("2012-12-31")  # 2012 is a leap year: its days are [:366]
    assert np.all(temp_max >= temp_min)
    # the numbers the chapter quotes
    assert temp_max[:3].tolist() == [12.8, 10.6, 11.7]
    assert np.argmax(temp_max[:366]) + 1 == 229 and temp_max[228] == 34.4
    assert np.argmin(temp_max[:366]) + 1 == 19 and temp_max[18] == -1.1


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98])
def test_ewa_weights_are_the_response_to_each_day(beta):
    # v_t of a series that is 1 on day i and 0 elsewhere is the weight of day i
    t = 40
    expected = [ewa(np.eye(t)[i], beta)[-1] for i in range(t)]
    w = ewa_weights(t, beta)
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)
    assert w.sum() == pytest.approx(1 - beta**t)


def test_bias_correction_picture_draws_both_averages(temps):
    ax = Figure().subplots()
    draw_bias_correction(ax, temps, 0.98, ewa, ewa_bias_corrected, n_days=40)
    uncorrected, corrected = ax.lines[-2], ax.lines[-1]
    np.testing.assert_allclose(uncorrected.get_ydata(), ewa(temps[:40], 0.98))
    np.testing.assert_allclose(corrected.get_ydata(), ewa_bias_corrected(temps[:40], 0.98))
    assert corrected.get_ydata()[0] == temps[0]  # the corrected average starts on the first value
    assert uncorrected.get_linestyle() == "--"


def test_weights_picture(temps):
    fig = draw_weights(Figure(), betas=(0.8, 0.9), t=100)
    ax_w, ax_rel = fig.axes
    curves = [line for line in ax_w.lines if len(line.get_xdata()) == 100]
    np.testing.assert_allclose(curves[1].get_ydata(), ewa_weights(100, 0.9))
    # the dot 1 / (1 - beta) = 10 days back sits at (1 - beta) * beta**10
    dots = [line for line in ax_w.lines if len(line.get_xdata()) == 1]
    assert dots[1].get_xdata()[0] == pytest.approx(90) and dots[1].get_ydata()[0] == pytest.approx(0.1 * 0.9**10)
    # relative weights against age in windows: at x = 1 the curve is beta**(1 / (1 - beta))
    rel = ax_rel.lines[1]
    x, y = rel.get_xdata(), rel.get_ydata()
    assert y[np.argmin(np.abs(x - 1))] == pytest.approx(0.9**10)


@pytest.mark.parametrize("correction", ["off", "on"])
def test_explorer_frame_draws_the_right_curves(temps, correction):
    fig = draw_explorer_frame(Figure(), temps, 0.95, correction, 60, ewa, ewa_bias_corrected)
    ax, ax_w = fig.axes
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    expected = ewa_bias_corrected(temps[:60], 0.95) if correction == "on" else ewa(temps[:60], 0.95)
    np.testing.assert_allclose(solid[-1].get_ydata(), expected)
    # the weights panel states their sum: 1 - beta**t, or 1 once divided by it
    title = ax_w.get_title()
    assert title.endswith("sum 1") if correction == "on" else title.endswith(f"= {1 - 0.95**60:.3f}")
    assert "20 days" in ax.get_title()


def test_explorer_renders_every_frame(temps):
    explorer = ewa_explorer(temps, ewa, ewa_bias_corrected)
    sizes = [len(c.values) for c in explorer.controls]
    assert np.prod(sizes) == 42 <= 60
    pictures = {explorer.render(**params) for params in explorer.combinations()}
    assert len(pictures) == 42  # every control position draws a new picture
    png = explorer.render(beta=0.98, correction="on", days=60)
    image = Image.open(io.BytesIO(png))
    assert image.size == (800, 288)
    # the narrow (phone) layout stacks the panels: the weights below the series
    narrow = Image.open(io.BytesIO(explorer.frame(Layout.NARROW, beta=0.98, correction="on", days=60)))
    assert narrow.size[1] > narrow.size[0]


def test_explorer_controls_and_alt_text(temps):
    explorer = ewa_explorer(temps, ewa, ewa_bias_corrected)
    kinds = {c.name: c.kind for c in explorer.controls}
    assert kinds == {"beta": Kind.SLIDER, "correction": Kind.TOGGLE, "days": Kind.SLIDER}
    assert explorer.controls[1].values == ["off", "on"]
    alt = explorer.alt_text(beta=0.9, correction="off", days=60)
    v = ewa(temps[:60], 0.9)
    assert f"ends at {v[-1]:.1f} °C" in alt and f"sum to {1 - 0.9**60:.3f}" in alt and "about 10 days" in alt
    assert "bias-corrected" in explorer.alt_text(correction="on") and "sum to 1.000" in explorer.alt_text(correction="on")


def test_pictures_draw_the_functions_they_are_given(temps):
    # a picture draws whatever averaging function it is passed (the student's own in ps05)
    ax = Figure().subplots()
    draw_average(ax, temps[:10], 0.5, lambda theta, beta: np.full(len(theta), 7.0), label="constant")
    np.testing.assert_array_equal(ax.lines[-1].get_ydata(), np.full(10, 7.0))
    ax = Figure().subplots()
    draw_betas(ax, temps[:100], ewa_bias_corrected, betas=(0.5, 0.9))
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), ewa_bias_corrected(temps[:100], 0.9))
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "β = 0.9 (about 10 days)"


def test_explorers_for_the_benchmark():
    (name, explorer), = list(explorers(nnref))
    assert name == "ewa"
    assert [c.name for c in explorer.controls] == ["beta", "correction", "days"]
    assert explorer.controls[2].values == [60, 366, 1461]


# -- the numbers the page states -------------------------------------------------------------------


def centred_mean(x, k=31):
    """The mean of the k days centred on each day (the reference the page compares the lag with)."""
    return np.convolve(x, np.ones(k) / k, mode="same")


def test_numbers_of_the_page_about_2012(temps):
    year = temps[:366]
    assert np.mean(np.abs(np.diff(year))) == pytest.approx(2.2, abs=0.05)
    # by hand: v = 1.28, 2.212, 3.1608; corrected 12.8, 11.642, 11.663; plain mean 11.7
    np.testing.assert_allclose(ewa(year[:3], 0.9), [1.28, 2.212, 3.1608])
    np.testing.assert_allclose(ewa_bias_corrected(year[:3], 0.9), [12.8, 11.642, 11.663], atol=5e-4)
    assert np.mean(year[:3]) == pytest.approx(11.7)
    # smoothness against lag: the 0.98 average peaks on day 263, the warmest stretch is around day 228
    centred = centred_mean(year)
    assert np.argmax(ewa_bias_corrected(year, 0.98)) + 1 == 263 and np.argmax(centred[15:-15]) + 16 == 228
    # spring (days 100 to 200): the highs rise by 0.084 a day; the 0.98 average runs 4.0 behind, 0.9 0.8 behind
    t = np.arange(1, 367)
    assert np.polyfit(t[99:200], centred[99:200], 1)[0] == pytest.approx(0.084, abs=5e-4)
    assert 49 * 0.084 == pytest.approx(4.1, abs=0.05) and 9 * 0.084 == pytest.approx(0.8, abs=0.05)
    behind = {beta: np.mean(centred[99:200] - ewa_bias_corrected(year, beta)[99:200]) for beta in (0.98, 0.9)}
    assert behind[0.98] == pytest.approx(4.0, abs=0.05) and behind[0.9] == pytest.approx(0.8, abs=0.05)


def test_numbers_of_the_page_about_the_weights():
    # the table: beta**N and 1 - beta**N for N = 1 / (1 - beta)
    table = {0.5: (0.250, 75), 0.8: (0.328, 67), 0.9: (0.349, 65), 0.95: (0.358, 64), 0.98: (0.364, 64),
             0.99: (0.366, 63), 0.999: (0.368, 63)}
    for beta, (relative, percent) in table.items():
        n = 1 / (1 - beta)
        assert beta**n == pytest.approx(relative, abs=5e-4)
        assert round(100 * (1 - beta**n)) == percent
    assert 0.9**10 - 0.9**20 == pytest.approx(0.23, abs=0.005)  # days 11 to 20 back
    # noise: the variance shrinks by (1 - beta) / (1 + beta): 19 and 99 times, the deviation 4.4 and 10 times
    for beta, var, std in ((0.9, 19, 4.4), (0.98, 99, 10)):
        assert (1 + beta) / (1 - beta) == pytest.approx(var) and np.sqrt((1 + beta) / (1 - beta)) == pytest.approx(std, abs=0.1)
    # a constant series: v_t = c (1 - beta**t)
    assert 1 - 0.9 == pytest.approx(0.1) and 1 - 0.9**10 == pytest.approx(0.65, abs=0.005)
    assert 1 - 0.98**10 == pytest.approx(0.18, abs=0.005) and 1 - 0.98**50 == pytest.approx(0.64, abs=0.005)
    # the correction fades below 1 % after 44, 228 and 4603 steps
    assert [int(np.ceil(np.log(0.01) / np.log(b))) for b in (0.9, 0.98, 0.999)] == [44, 228, 4603]
    # a sliding window of 10 gradients of 1e7 parameters: 800 MB against the EWA's 80 MB; N = 19 for 0.9
    assert 10 * 1e7 * 8 == 8e8 and 1e7 * 8 == 8e7 and (1 + 0.9) / (1 - 0.9) == pytest.approx(19)


def test_numbers_of_the_exercises_and_explore_answers(temps):
    np.testing.assert_allclose(ewa([10.0, 0.0, 10.0], 0.5), [5, 2.5, 6.25])
    np.testing.assert_allclose(ewa_bias_corrected([10.0, 0.0, 10.0], 0.5), [10, 3.333, 7.143], atol=5e-4)
    assert 1 - 1 / 30 == pytest.approx(0.967, abs=5e-4) and np.log(0.01) / np.log(29 / 30) == pytest.approx(135.8, abs=0.05)
    assert 0.9**9 == pytest.approx(0.387, abs=5e-4) and 0.1 * 0.9**9 / (1 - 0.9**10) == pytest.approx(0.059, abs=5e-4)
    assert 0.1 / np.sqrt(0.001) == pytest.approx(3.16, abs=0.005)
    # Explore 1: the first 60 days without correction
    first = temps[:60]
    assert 1 - 0.98**60 == pytest.approx(0.70, abs=0.005) and 1 - 0.99**60 == pytest.approx(0.45, abs=0.005)
    assert 1 - 0.95**60 == pytest.approx(0.95, abs=0.005)
    v = ewa(first, 0.98)
    assert v[-1] == pytest.approx(5.8, abs=0.05) and np.mean(first[50:]) == pytest.approx(7.3, abs=0.05)
    assert np.mean(v < first) == pytest.approx(0.9)
    # Explore 2: over the four years, the 0.98 average peaks 5 to 9 weeks after the warmest weeks, 0.995's 7 to 10
    centred = centred_mean(temps)
    bounds = [0, 366, 731, 1096, 1461]
    for beta, (low, high) in ((0.98, (5, 9)), (0.995, (7, 10.2))):
        v = ewa_bias_corrected(temps, beta)
        for start, end in zip(bounds, bounds[1:]):
            weeks = (np.argmax(v[start:end]) - np.argmax(centred[start + 15:end - 15]) - 15) / 7
            assert low - 0.2 <= weeks <= high, (beta, start, weeks)
    period = 365.0
    delay = lambda lag: period / (2 * np.pi) * np.arctan(2 * np.pi * lag / period) / 7  # noqa: E731
    assert delay(49) == pytest.approx(5.8, abs=0.05) and delay(199) == pytest.approx(10.7, abs=0.05)
    # Explore 3: the uncorrected average starts at 1.3, the correction fades by day 44
    assert ewa(temps, 0.9)[0] == pytest.approx(1.28)
