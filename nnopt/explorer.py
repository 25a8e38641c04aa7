"""Explorers: one picture that depends on a few parameters, shown live or on a static page.

An explorer is a drawing function ``draw(fig, **params)`` and, for each parameter, a
:class:`Control`: a slider over ordered values, a toggle (two values, off and on) or a choice
between categories. The same drawing serves three places:

* a live kernel (JupyterLab, Notebook 7): ipywidgets controls redraw the picture as they move.
  Displaying an explorer draws only its default picture; the others are drawn on demand;
* the static book site, where no kernel runs: while the book is built (the book's Sphinx extension
  sets the environment variable ``NNOPT_BOOK_BUILD=1``, which the page's kernel inherits), every combination of values is drawn once, in a wide
  and, if the explorer has one, a narrow (phone) layout, at twice the screen's pixel density. The
  frames leave the page as data URIs; the site's extension moves them into files, and a small script
  (``book/_static/nnopt-explorer.js``) swaps them as the controls move: no kernel, no network.
  Only the book build draws every frame: a notebook opened in JupyterLab (a book page too) shows
  the live view;
* the tests and the benchmark, which call :meth:`Explorer.render` directly.

Speed: a live redraw must stay under 100 ms (``benchmarks/widgets.py``). Five things keep it there:
the axes of one frame serve the next (:class:`FrameFigure`: Matplotlib makes new axes, and new ticks
for them, at some 1 ms a tick, when a figure is cleared), titles sit at a fixed height
(``FAST_TITLES``) instead of one measured from the tick labels, the picture is encoded as a quickly
compressed PNG straight from the canvas, the cyclic garbage collector waits until a picture is drawn
(``_collector_paused``), and after its first picture an explorer freezes the objects alive then
(``gc.freeze()``): Python's cyclic garbage collector walking the large, long-lived heap of NumPy,
Matplotlib and pandas pushed single redraws to 150-200 ms; frozen objects are skipped, and garbage
made later is collected as usual.
"""

import base64
import contextlib
import enum
import gc
import hashlib
import html
import io
import itertools
import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Callable, Union

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# set (to "1") by the book's Sphinx extension, inherited by the kernels that execute the pages
BOOK_BUILD = "NNOPT_BOOK_BUILD"
# CSS widths of a frame on the static site: the text column (688 px at 1280, 790 at 1440 and wider),
# and a phone's at 390 px
WIDE_PX = 720
NARROW_PX = 358
# screens narrower than this show the narrow frames
NARROW_MEDIA = "(max-width: 720px)"
DENSITY = 2  # pixels per CSS pixel of the static frames and figures (crisp on high-density screens)
# titles at a fixed height above their axes: placing them automatically measures every tick label
# (some 15-20 ms a panel, a fifth of a redraw); the explorers put nothing above their axes
FAST_TITLES = {"axes.titley": 1.0}


class Kind(str, enum.Enum):
    """How a control is shown: a slider (ordered values), a toggle (off/on), a choice (categories)."""

    SLIDER = "slider"
    TOGGLE = "toggle"
    CHOICE = "choice"


@dataclass
class Control:
    """One parameter of an explorer: its ``name``, the ``label`` shown and the ``values`` it takes.

    kind: "slider" (ordered values), "toggle" (exactly two values, off then on: a switch) or
    "choice" (categories: radio buttons). default: one of the values (the middle one for a
    slider, the first otherwise). fmt: formats a value into the text shown and announced.
    """

    name: str
    label: str
    values: list
    default: object = None
    fmt: str = "{:g}"
    kind: Kind = Kind.SLIDER

    def __post_init__(self):
        try:
            self.kind = Kind(self.kind)
        except ValueError:
            raise ValueError(f"kind {self.kind!r} of {self.name} is not one of {[k.value for k in Kind]}") from None
        self.values = list(self.values)
        if not self.values:
            raise ValueError(f"values of {self.name} are empty")
        if self.kind is Kind.TOGGLE and len(self.values) != 2:
            raise ValueError(f"values of the toggle {self.name} must be two (off, on), not {len(self.values)}")
        if self.default is None:
            self.default = self.values[len(self.values) // 2] if self.kind is Kind.SLIDER else self.values[0]
        if self.default not in self.values:
            raise ValueError(f"default {self.default!r} of {self.name} is not one of its values")

    def text(self, value):
        """The text shown and announced for ``value``."""
        return self.fmt.format(value)


class Layout(str, enum.Enum):
    """The two layouts of a frame: panels side by side (wide) or stacked (narrow, for phones)."""

    WIDE = "wide"
    NARROW = "narrow"


@dataclass
class Explorer:
    """A picture of ``draw(fig, **params)`` with one control per :class:`Control`.

    figsize: inches of the wide layout (the live view and wide screens), drawn with the fixed
    ``margins`` (no layout engine: it would cost more than the drawing). narrow_figsize: inches of
    the narrow layout (phones), a figure taller than wide, so that
    :func:`nnopt.viz.common.panels` stacks the panels; None draws the wide layout only. It is drawn
    with a constrained layout (only the book build draws it). dpi: pixels per inch of the live view.
    alt: the alt text of the picture, a string or a function ``alt(**params) -> str`` saying what
    the frame of these parameters shows.
    """

    draw: Callable
    controls: list
    figsize: tuple = (10, 3.4)
    dpi: int = 80
    margins: dict = field(default_factory=lambda: dict(left=0.06, right=0.98, bottom=0.16, top=0.9, wspace=0.32))
    alt: Union[str, Callable] = ""
    narrow_figsize: tuple = None
    _figures: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"controls have repeated names: {names}")

    def defaults(self):
        return {c.name: c.default for c in self.controls}

    def alt_text(self, **params):
        """The alt text of the frame of ``params`` (missing ones take their default)."""
        if callable(self.alt):
            return self.alt(**{**self.defaults(), **params})
        return self.alt

    def combinations(self):
        """Every combination of control values, as parameter dicts, in the order of the static frames."""
        for values in itertools.product(*(c.values for c in self.controls)):
            yield {c.name: v for c, v in zip(self.controls, values)}

    def figure(self, layout=Layout.WIDE, **params):
        """Draw the picture of ``params`` in a layout and return its (reused) Figure."""
        params = {**self.defaults(), **params}
        layout = Layout(layout)
        first = not self._figures
        fig = self._figures.get(layout)
        if fig is None:
            if layout is Layout.WIDE:
                fig = FrameFigure(figsize=self.figsize)
            elif self.narrow_figsize is None:
                raise ValueError("this explorer has no narrow layout (narrow_figsize is None)")
            else:
                fig = FrameFigure(figsize=self.narrow_figsize, layout="constrained")
            FigureCanvasAgg(fig)
            self._figures[layout] = fig
        fig.new_frame()
        if layout is Layout.WIDE:
            fig.subplots_adjust(**self.margins)
        with matplotlib.rc_context(FAST_TITLES):
            self.draw(fig, **params)
        fig.end_frame()
        if first:
            gc.freeze()  # see the module's docstring: long-lived objects out of the collector's way
        return fig

    def render(self, **params):
        """Draw the live picture of ``params`` (missing ones take their default) and return PNG bytes."""
        with _collector_paused():
            fig = self.figure(Layout.WIDE, **params)
            fig.set_dpi(self.dpi)
            fig.canvas.draw()
            # compress quickly: the live picture travels once, to a browser on the same machine
            return encode_png(np.asarray(fig.canvas.buffer_rgba()), palette=False, compress_level=1)

    def frame(self, layout=Layout.WIDE, **params):
        """A frame of the static site: the picture of ``params`` at twice the CSS size, palette PNG bytes."""
        layout = Layout(layout)
        fig = self.figure(layout, **params)
        css = WIDE_PX if layout is Layout.WIDE else NARROW_PX
        fig.set_dpi(DENSITY * css / fig.get_figwidth())
        fig.canvas.draw()
        return encode_png(np.asarray(fig.canvas.buffer_rgba()))

    # -- live view -------------------------------------------------------------------------
    def widget(self):
        """An ipywidgets box: one control per :class:`Control` and the picture they draw.

        The picture is an HTML ``<img>`` (not an Image widget, which cannot carry alt text), so that
        a screen reader reads what the current frame shows.
        """
        import ipywidgets as widgets

        controls = {c.name: _live_control(widgets, c) for c in self.controls}
        picture = widgets.HTML(value=self.default_html())
        picture.add_class("nnopt-live-frame")

        def redraw(_change):
            values = {c.name: _live_value(c, controls[c.name]) for c in self.controls}
            picture.value = self.default_html(self.render(**values), self.alt_text(**values))

        for control in controls.values():
            control.observe(redraw, names="value")
        return widgets.VBox([*controls.values(), picture])

    def frames(self):
        """Every combination of control values -> its live picture as a data URI (key "i,j,...")."""
        return {
            ",".join(map(str, index)): data_uri(self.render(**params))
            for index, params in zip(itertools.product(*(range(len(c.values)) for c in self.controls)),
                                     self.combinations())
        }

    # -- static view -----------------------------------------------------------------------
    def default_html(self, png=None, alt=None):
        """A picture as HTML: the default one, or ``png`` with its ``alt`` text (the live view's picture)."""
        png = self.render() if png is None else png
        alt = self.alt_text() if alt is None else alt
        return f'<img class="nnopt-frame" alt="{html.escape(alt)}" src="{data_uri(png)}" style="max-width:100%">'


    def static_html(self):
        """The static site's view: every frame as a data URI, controls that swap them, no kernel.

        The frames are in a JSON block (``wide``, ``narrow``: lists in the order of
        :meth:`combinations`; ``alt``: the alt text of each frame), read by the site's script.
        """
        combos = list(self.combinations())
        wide = [data_uri(self.frame(Layout.WIDE, **p)) for p in combos]
        narrow = [data_uri(self.frame(Layout.NARROW, **p)) for p in combos] if self.narrow_figsize else None
        alts = [self.alt_text(**p) for p in combos]
        start = [c.values.index(c.default) for c in self.controls]
        first = int(np.ravel_multi_index(start, [len(c.values) for c in self.controls]))
        uid = "nnopt-" + hashlib.sha1("".join(wide + (narrow or []) + alts).encode()).hexdigest()[:10]
        data = {"shape": [len(c.values) for c in self.controls], "wide": wide, "narrow": narrow, "alt": alts,
                "labels": [[c.text(v) for v in c.values] for c in self.controls]}
        rows = "\n".join(_static_control(uid, k, c, i) for k, (c, i) in enumerate(zip(self.controls, start)))
        size = lambda layout_px, figsize: (layout_px, round(layout_px * figsize[1] / figsize[0]))
        w, h = size(WIDE_PX, self.figsize)
        source = ""
        if narrow:
            nw, nh = size(NARROW_PX, self.narrow_figsize)
            source = f'<source media="{NARROW_MEDIA}" srcset="{narrow[first]}" width="{nw}" height="{nh}">'
        return f"""<div class="nnopt-explorer" id="{uid}">
<div class="nnopt-controls">
{rows}
</div>
<picture>{source}<img class="nnopt-frame" src="{wide[first]}" alt="{html.escape(alts[first])}" width="{w}" height="{h}"></picture>
<script type="application/json" class="nnopt-frames">{json.dumps(data)}</script>
</div>"""

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer: {', '.join(c.label for c in self.controls)}>"}
        if building_book():
            bundle["text/html"] = self.static_html()  # the static site: every frame, no widget
            return bundle
        try:
            box = self.widget()
        except ImportError:  # no ipywidgets: show the default picture
            bundle["text/html"] = self.default_html()
            return bundle
        bundle["text/html"] = box.children[-1].value  # the default picture, for a viewer without widgets
        bundle.update({k: v for k, v in box._repr_mimebundle_().items() if k != "text/plain"})
        return bundle


class FrameFigure(Figure):
    """A Figure drawn again and again, whose subplots live from one frame to the next.

    Each frame starts with :meth:`new_frame` and ends with :meth:`end_frame`. In between, the first
    :meth:`subplots` call with the same arguments as in the frame before returns that frame's axes,
    cleared as by ``Axes.clear()`` but keeping their ticks: Matplotlib discards an axes' ticks when it
    clears them and makes new ones as it draws, at some 1 ms a tick, a third of a redraw. Ticks are
    safe to keep: every draw sets their positions and labels anew, clearing resets their grid lines,
    and ``tick_params`` outlives a clear anyway. One thing does carry over: a style set on a single
    tick label (``ax.get_xticklabels()[0].set_color(...)``), so a drawing that does so does it in
    every frame (the tests compare every frame of the book drawn on kept axes and afresh). Adding
    axes in another way while the kept ones wait (``subplots`` with other arguments, ``add_subplot``,
    ``add_axes``) first empties the figure, as ``clear()`` would.
    """

    def __init__(self, *args, **kwargs):
        self._kept = None  # (arguments, axes) of the last frame's subplots, while they can serve again
        self._subplots = None  # (arguments, axes) of this frame's subplots
        super().__init__(*args, **kwargs)

    def new_frame(self):
        """Empty the figure, keeping the last frame's subplots (if it made its axes with one call).

        Not under a layout engine: it would start from the last frame's positions.
        """
        subplots = self._subplots
        if subplots is not None and set(self.axes) == {*np.ravel(subplots[1])} and self.get_layout_engine() is None:
            self.artists, self.lines, self.patches, self.texts, self.images, self.legends = [], [], [], [], [], []
            self._suptitle = self._supxlabel = self._supylabel = None
            self.stale = True
            self._kept = subplots
        else:
            self.clear()
        self._subplots = None

    def end_frame(self):
        """Remove the kept axes if this frame did not ask for them again."""
        if self._kept is not None:
            self.clear()

    def subplots(self, *args, **kwargs):
        key = repr((args, kwargs))
        if self._kept is not None and self._kept[0] == key:
            axes = self._kept[1]
            self._kept = None
            for ax in np.ravel(axes):
                _clear_keeping_ticks(ax)
        else:
            self.end_frame()
            axes = super().subplots(*args, **kwargs)
        if self._subplots is None:
            self._subplots = (key, axes)
        return axes

    def add_subplot(self, *args, **kwargs):
        self.end_frame()
        return super().add_subplot(*args, **kwargs)

    def add_axes(self, *args, **kwargs):
        self.end_frame()
        return super().add_axes(*args, **kwargs)

    def clear(self, keep_observers=False):
        self._kept = self._subplots = None
        with _quiet_clearing():
            super().clear(keep_observers)


def _clear_keeping_ticks(ax):
    """``ax.clear()``, except that its x and y axes keep their Tick objects (see :class:`FrameFigure`)."""
    axes = (ax.xaxis, ax.yaxis)
    for axis in axes:
        axis.reset_ticks = _keep  # what clear() calls to discard the ticks
    try:
        with _quiet_clearing():
            ax.clear()
            # the cleared spines place themselves (and discard the ticks) when first asked: ask now
            for which in ("tick1", "tick2"):
                ax.get_xaxis_transform(which)
                ax.get_yaxis_transform(which)
    finally:
        for axis in axes:
            del axis.reset_ticks


@contextlib.contextmanager
def _quiet_clearing():
    """Clearing log-scaled shared axes sets their limits to (0, 1) first: Matplotlib's own warning
    about it is no news for the reader."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Attempt to set non-positive", UserWarning)
        yield


def _keep():
    """Instead of ``Axis.reset_ticks`` while axes are cleared for the next frame: the ticks stay."""


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while a picture is drawn: a redraw leaves many cycles (the old
    axes), and a full collection in the middle of the next one made it 50-100 ms slower; the
    garbage is collected after the picture is on its way."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def building_book():
    """True in a kernel that executes a page of the book build (never in JupyterLab)."""
    return os.environ.get(BOOK_BUILD) == "1"


def encode_png(rgba, palette=True, compress_level=6):
    """PNG bytes of an image of shape (height, width, 4), uint8.

    palette: reduce to at most 256 colours (a figure has few colours, and the file gets 3-4 times
    smaller); compress_level: zlib's 0-9 (1 is fast, for the live view).
    """
    from PIL import Image

    rgb = rgba[..., :3]
    if rgba.shape[-1] == 4 and rgba[..., 3].min() < 255:  # transparent parts: on a white page
        alpha = rgba[..., 3:] / 255.0
        rgb = np.round(rgb * alpha + 255 * (1 - alpha)).astype(np.uint8)
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if palette:
        # the octree is 5-10 times faster than the median cut, and its files are smaller
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=False, compress_level=compress_level)
    return buffer.getvalue()


def data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _static_control(uid, k, control, start):
    """The HTML of one control of the static view (its index ``start`` selected)."""
    cid = f"{uid}-{k}"
    label = html.escape(control.label)
    text = html.escape(control.text(control.values[start]))
    if control.kind is Kind.SLIDER:
        return (f'<div class="nnopt-control nnopt-slider"><label for="{cid}">{label}</label> '
                f'<input id="{cid}" type="range" min="0" max="{len(control.values) - 1}" step="1" value="{start}" '
                f'data-k="{k}" aria-valuetext="{text}"> <output for="{cid}" aria-hidden="true">{text}</output></div>')
    if control.kind is Kind.TOGGLE:
        checked = " checked" if start == 1 else ""
        return (f'<div class="nnopt-control nnopt-toggle"><input id="{cid}" type="checkbox" role="switch" '
                f'data-k="{k}" aria-describedby="{cid}-text"{checked}> <label for="{cid}">{label}</label> '
                f'<output id="{cid}-text">{text}</output></div>')
    options = "".join(
        f'<label><input type="radio" name="{cid}" value="{j}" data-k="{k}"{" checked" if j == start else ""}> '
        f"{html.escape(control.text(v))}</label>"
        for j, v in enumerate(control.values)
    )
    return f'<fieldset class="nnopt-control nnopt-choice"><legend>{label}</legend>{options}</fieldset>'


def _live_control(widgets, control):
    """The ipywidgets control of one :class:`Control`."""
    style = {"description_width": "initial"}
    if control.kind is Kind.TOGGLE:
        return widgets.Checkbox(value=control.default == control.values[1], description=control.label,
                                indent=False, style=style)
    options = [(control.text(v), v) for v in control.values]
    if control.kind is Kind.CHOICE:
        return widgets.RadioButtons(options=options, value=control.default, description=control.label,
                                    orientation="horizontal", style=style)
    return widgets.SelectionSlider(options=options, value=control.default, description=control.label,
                                   continuous_update=False, style=style, layout=widgets.Layout(width="480px"))


def _live_value(control, widget):
    """The parameter value a live control stands at."""
    if control.kind is Kind.TOGGLE:
        return control.values[int(widget.value)]
    return widget.value
