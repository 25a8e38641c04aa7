"""The EWA chapter's data and pictures: the loader, the weights, the lines drawn, every explorer frame."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from nnopt.data import seattle_temperatures
from nnref.ewa import ewa, ewa_bias_corrected
from nnopt.viz.ewa import (draw_bias_correction, draw_explorer_frame, draw_weights, ewa_explorer, ewa_weights,
                           explorers)


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
    draw_bias_correction(ax, temps, 0.98, n_days=40)
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
    fig = draw_explorer_frame(Figure(), temps, 0.95, correction, 60)
    ax, ax_w = fig.axes
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    expected = ewa_bias_corrected(temps[:60], 0.95) if correction == "on" else ewa(temps[:60], 0.95)
    np.testing.assert_allclose(solid[-1].get_ydata(), expected)
    # the weights panel states their sum: 1 - beta**t, or 1 once divided by it
    title = ax_w.get_title()
    assert title.endswith("sum 1") if correction == "on" else title.endswith(f"= {1 - 0.95**60:.3f}")
    assert "20 days" in ax.get_title()


def test_explorer_renders_every_frame(temps):
    explorer = ewa_explorer(temps)
    sizes = [len(c.values) for c in explorer.controls]
    assert np.prod(sizes) == 42 <= 60
    frames = explorer.frames()
    assert len(frames) == 42 and len(set(frames.values())) == 42  # every slider position draws a new picture
    png = explorer.render(beta=0.98, correction="on", days=60)
    image = Image.open(io.BytesIO(png))
    assert image.size == (800, 288)


def test_explorers_for_the_benchmark():
    (name, explorer), = list(explorers())
    assert name == "ewa"
    assert [c.name for c in explorer.controls] == ["beta", "correction", "days"]
    assert explorer.controls[2].values == [60, 366, 1461]
