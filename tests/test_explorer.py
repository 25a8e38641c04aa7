"""The explorer mechanism: the same drawing serves the live widget, the static frames and the benchmark."""

import base64
import re

import numpy as np
import pytest

from nnopt.explorer import Control, Explorer


def draw(fig, slope, color):
    ax = fig.subplots()
    x = np.linspace(0, 1, 5)
    ax.plot(x, slope * x, color=color)
    ax.set_ylim(-3, 3)


@pytest.fixture
def explorer():
    return Explorer(draw, [Control("slope", "slope", [-2, 0, 2]), Control("color", "colour", ["C0", "C1"], fmt="{}")],
                    figsize=(3, 2))


def test_render_gives_distinct_pngs(explorer):
    a, b = explorer.render(slope=-2), explorer.render(slope=2)
    assert a.startswith(b"\x89PNG") and b.startswith(b"\x89PNG")
    assert a != b
    assert explorer.render() == explorer.render(slope=0, color="C1")  # defaults: the middle values


def test_control_default_must_be_a_value():
    with pytest.raises(ValueError, match="not one of its values"):
        Control("lr", "learning rate", [0.1, 0.2], default=0.3)


def test_static_html_holds_every_frame_and_a_slider_per_control(explorer):
    html = explorer.static_html()
    frames = re.findall(r'"(\d+,\d+)": "data:image/png;base64,([^"]+)"', html)
    assert sorted(k for k, _ in frames) == [f"{i},{j}" for i in range(3) for j in range(2)]
    assert len({png for _, png in frames}) == 6  # every combination draws a different picture
    assert base64.b64decode(frames[0][1]).startswith(b"\x89PNG")
    assert html.count('type="range"') == 2
    assert "http://" not in html and "https://" not in html


def test_live_widget_redraws_when_a_slider_moves(explorer):
    box = explorer.widget()
    sliders, image = box.children[:-1], box.children[-1]
    first = image.value
    sliders[0].value = 2
    assert image.value != first
    assert image.value == explorer.render(slope=2, color="C1")


def test_display_offers_live_and_static_views(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "text/html" in bundle and "nnopt-explorer" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
