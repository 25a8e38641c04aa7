"""The explorer mechanism: the same drawing serves the live widget, the static frames and the benchmark."""

import base64
import dataclasses
import gc
import io
import json
import random
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.explorer import BOOK_BUILD, Control, Explorer, FrameFigure, Kind, Layout, data_uri
from nnopt.viz.common import COLORS, SERIES, figure_png, panels


def draw(fig, slope, color, grid):
    ax, = panels(fig, 1)
    x = np.linspace(0, 1, 5)
    ax.plot(x, slope * x, color=color)
    ax.grid(grid == "on")
    ax.set_ylim(-3, 3)


def alt(slope, color, grid):
    return f"a line of slope {slope:g} in {color}, grid {grid}"


@pytest.fixture
def explorer():
    return Explorer(draw, [Control("slope", "slope", [-2, 0, 2]),
                           Control("color", "colour", ["C0", "C1"], default="C1", fmt="{}", kind="choice"),
                           Control("grid", "grid", ["off", "on"], fmt="{}", kind="toggle")],
                    figsize=(3, 2), narrow_figsize=(2, 3), alt=alt)


def frames_of(html):
    data = json.loads(re.search(r'<script type="application/json" class="nnopt-frames">(.*?)</script>', html).group(1))
    return data


def test_render_gives_distinct_pngs(explorer):
    a, b = explorer.render(slope=-2), explorer.render(slope=2)
    assert a.startswith(b"\x89PNG") and b.startswith(b"\x89PNG")
    assert a != b
    # defaults: the middle value of a slider, the first of a toggle, the one given for the choice
    assert explorer.render() == explorer.render(slope=0, color="C1", grid="off")


def test_controls_check_their_values():
    with pytest.raises(ValueError, match="not one of its values"):
        Control("lr", "learning rate", [0.1, 0.2], default=0.3)
    with pytest.raises(ValueError, match="must be two"):
        Control("grid", "grid", ["off", "on", "auto"], kind="toggle")
    with pytest.raises(ValueError, match="kind 'knob'"):
        Control("lr", "learning rate", [0.1, 0.2], kind="knob")
    assert Control("a", "a", ["x", "y", "z"], kind="choice").default == "x"
    assert Control("a", "a", [1, 2, 3]).kind is Kind.SLIDER


def test_alt_text_follows_the_parameters(explorer):
    assert explorer.alt_text() == "a line of slope 0 in C1, grid off"
    assert explorer.alt_text(slope=2) == "a line of slope 2 in C1, grid off"
    assert Explorer(draw, explorer.controls, alt="a line").alt_text(slope=2) == "a line"


def test_static_html_holds_every_frame_in_both_layouts(explorer, monkeypatch):
    monkeypatch.setenv(BOOK_BUILD, "1")
    html = explorer._repr_mimebundle_()["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in explorer._repr_mimebundle_()
    data = frames_of(html)
    assert data["shape"] == [3, 2, 2]
    for layout in ("wide", "narrow"):
        pngs = [base64.b64decode(uri.split(",", 1)[1]) for uri in data[layout]]
        assert len(pngs) == 12 and len(set(pngs)) == 12  # every combination draws a different picture
        assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert data["alt"][0] == "a line of slope -2 in C0, grid off"
    assert data["labels"][0] == ["-2", "0", "2"]
    # each kind of control has its own element, and the slider announces its value text
    assert html.count('type="range"') == 1 and 'aria-valuetext="0"' in html
    assert html.count('type="radio"') == 2 and "<legend>colour</legend>" in html
    assert html.count('type="checkbox" role="switch"') == 1
    # the default frame is shown at once, with its alt text, and the narrow one on phones
    default = 1 * 4 + 1 * 2 + 0  # slope 0, colour C1, grid off
    assert f'src="{data["wide"][default]}"' in html and f'srcset="{data["narrow"][default]}"' in html
    assert f'alt="{data["alt"][default]}"' in html
    assert "http://" not in html and "https://" not in html


def test_frames_are_twice_the_css_size():
    from PIL import Image

    from nnopt.explorer import NARROW_PX, WIDE_PX

    e = Explorer(draw, [Control("slope", "slope", [1, 2]), Control("color", "c", ["C0"], fmt="{}"),
                        Control("grid", "g", ["off", "on"], kind="toggle")], figsize=(4, 2), narrow_figsize=(2, 3))
    assert Image.open(io.BytesIO(e.frame(Layout.WIDE))).size == (2 * WIDE_PX, WIDE_PX)
    assert Image.open(io.BytesIO(e.frame(Layout.NARROW))).size == (2 * NARROW_PX, 3 * NARROW_PX)
    assert Image.open(io.BytesIO(e.frame(Layout.WIDE))).mode == "P"  # palette PNG


def test_live_widget_redraws_when_a_control_moves(explorer, monkeypatch):
    monkeypatch.delenv(BOOK_BUILD, raising=False)
    box = explorer.widget()
    slider, choice, toggle, picture = box.children
    assert type(slider).__name__ == "SelectionSlider" and type(choice).__name__ == "RadioButtons"
    assert type(toggle).__name__ == "Checkbox"
    first = picture.value
    slider.value = 2
    assert picture.value != first
    assert data_uri(explorer.render(slope=2, color="C1", grid="off")) in picture.value
    toggle.value = True
    assert data_uri(explorer.render(slope=2, color="C1", grid="on")) in picture.value
    assert 'alt="a line of slope 2 in C1, grid on"' in picture.value


def test_display_in_a_live_kernel_draws_only_the_default(explorer, monkeypatch):
    monkeypatch.delenv(BOOK_BUILD, raising=False)
    calls = []
    explorer.draw = lambda fig, **params: (calls.append(params), draw(fig, **params))
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "nnopt-frame" in bundle["text/html"] and "nnopt-frames" not in bundle["text/html"]
    assert len(calls) == 1


def test_panels_stack_in_a_narrow_figure():
    wide = panels(Figure(figsize=(8, 3)), 3, width_ratios=[2, 1, 1])
    narrow = panels(Figure(figsize=(3, 8)), 3, width_ratios=[2, 1, 1])
    assert len(wide) == len(narrow) == 3
    x = [ax.get_position().x0 for ax in wide]
    y = [ax.get_position().y0 for ax in narrow]
    assert x == sorted(x) and y == sorted(y, reverse=True)
    assert narrow[0].get_position().height > narrow[1].get_position().height  # ratios follow


def test_series_differ_in_colour_style_and_marker():
    for key in ("color", "linestyle", "marker"):
        values = [str(s[key]) for s in SERIES]
        assert len(set(values)) == len(values), key
    assert len(set(COLORS.values())) == len(COLORS)


def test_figure_png_is_twice_its_display_size():
    from PIL import Image

    fig = Figure(figsize=(4, 2), dpi=100)
    fig.subplots().plot([0, 1], [1, 0])
    png, size = figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.size == (2 * size["width"], 2 * size["height"])
    assert 300 < size["width"] <= 400


def pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


def test_a_frame_figure_keeps_its_subplots_and_their_ticks():
    fig = FrameFigure(figsize=(4, 2))

    def frame(draw):
        fig.new_frame()
        draw()
        fig.end_frame()

    frame(lambda: fig.subplots(1, 2)[0].set_xticks([0, 0.3, 1]))
    first = list(fig.axes)
    ticks = list(first[0].xaxis.majorTicks)
    frame(lambda: fig.subplots(1, 2))
    assert fig.axes == first and first[0].xaxis.majorTicks == ticks  # the same axes, the same ticks
    assert first[0].get_xticks().tolist() != [0, 0.3, 1]  # cleared: default ticks again
    frame(lambda: fig.subplots(2, 1))  # other arguments: new axes, the old ones gone
    assert len(fig.axes) == 2 and not set(fig.axes) & set(first)
    second = list(fig.axes)
    frame(lambda: fig.add_subplot())  # another way of adding axes: an empty figure first
    assert len(fig.axes) == 1 and fig.axes[0] not in second
    frame(lambda: None)  # a frame without subplots: no axes left over
    assert fig.axes == []
    frame(lambda: (fig.subplots(1, 2), fig.legend(["a"])))
    frame(lambda: (fig.subplots(1, 2), fig.legend(["a"])))
    assert len(fig.legends) == 1  # figure-level artists do not pile up


def test_a_frame_drawn_on_kept_axes_is_the_frame_drawn_afresh(explorer):
    """Kept axes carry nothing over: log scale, limits, grid and tick labels are reset (a tick label styled
    on its own, as here, must be styled in every frame: see FrameFigure)."""

    def busy(fig, slope, color, grid):
        ax, bx = panels(fig, 2)
        x = np.linspace(1, 10, 5)
        ax.plot(x, np.exp(slope * x), color=color)
        if slope > 0:
            ax.set_yscale("log")
            ax.set_xlim(0, 20)
            bx.set_xticks([1, 2], ["one", "two"])
        bx.get_xticklabels()[0].set_color(color)
        ax.grid(grid == "on")
        bx.set_title(f"slope {slope}")

    live = Explorer(busy, explorer.controls, figsize=(4, 2))
    combos = list(live.combinations())
    for params in combos + combos[::-1]:
        assert np.array_equal(pixels(live.render(**params)), pixels(dataclasses.replace(live).render(**params)))


def test_every_book_explorer_draws_each_frame_on_kept_axes_as_afresh():
    """The pictures of the book, in a shuffled order on one figure, equal each picture drawn on a new one."""
    import nnref
    from nnopt.viz import chapter_explorers

    rng = random.Random(0)
    for name, live in chapter_explorers(nnref):
        combos = list(live.combinations())
        rng.shuffle(combos)
        for params in combos:
            kept = live.render(**params)
            gc.collect()  # a new explorer freezes the objects alive at its first picture: no garbage among them
            fresh = dataclasses.replace(live).render(**params)
            assert np.array_equal(pixels(kept), pixels(fresh)), f"{name}: {params}"


def test_clearing_a_frame_figure_forgets_its_kept_axes():
    fig = FrameFigure(figsize=(4, 2))
    fig.new_frame()
    fig.subplots(1, 2)
    fig.end_frame()
    fig.new_frame()
    fig.clear()  # a drawing may clear the figure itself
    axes = fig.subplots(1, 2)
    fig.end_frame()
    assert len(fig.axes) == 2 and list(axes) == fig.axes
