"""Explorers: one picture that depends on a few parameters, shown live or on a static page.

An explorer is a drawing function ``draw(fig, **params)`` and, for each parameter, the values it
may take. The same drawing serves three places:

* a live kernel (JupyterLab, Notebook 7): sliders (ipywidgets) redraw the picture as they move;
* the static book site, where no kernel runs: every combination of values is drawn once at build
  time, and a few lines of JavaScript swap the frames as the sliders move (no network needed);
* the tests and the benchmark, which call :meth:`Explorer.render` directly.

Displaying an explorer (the last expression of a cell) offers both views; Jupyter shows the live
one, and the book (``_config.yml`` drops the widget view) shows the static one.

Speed: a redraw must stay under 100 ms (``benchmarks/widgets.py``). The drawing itself takes 60-90 ms;
what pushed single redraws to 150-200 ms was Python's cyclic garbage collector walking the large,
long-lived heap of NumPy, Matplotlib and pandas. So after its first picture an explorer freezes the
objects alive then (``gc.freeze()``): the collector skips them, and collections during a redraw become
cheap. Garbage made later is collected as usual.
"""

import base64
import gc
import hashlib
import html
import io
import itertools
import json
from dataclasses import dataclass, field

from matplotlib.figure import Figure


@dataclass
class Control:
    """One slider: the parameter ``name``, its ``label`` and the ``values`` it steps through."""

    name: str
    label: str
    values: list
    default: object = None
    fmt: str = "{:g}"

    def __post_init__(self):
        if self.default is None:
            self.default = self.values[len(self.values) // 2]
        if self.default not in self.values:
            raise ValueError(f"default {self.default!r} of {self.name} is not one of its values")

    def text(self, value):
        return self.fmt.format(value)


@dataclass
class Explorer:
    """A picture of ``draw(fig, **params)`` with one slider per :class:`Control`."""

    draw: callable
    controls: list
    figsize: tuple = (10, 3.4)
    dpi: int = 80
    # fixed margins instead of a layout engine: a constrained layout costs more than the drawing
    margins: dict = field(default_factory=lambda: dict(left=0.06, right=0.98, bottom=0.16, top=0.9, wspace=0.32))
    alt: str = ""
    _figure: Figure = field(default=None, init=False, repr=False)

    def defaults(self):
        return {c.name: c.default for c in self.controls}

    def render(self, **params):
        """Draw the picture for ``params`` (missing ones take their default) and return PNG bytes."""
        params = {**self.defaults(), **params}
        first = self._figure is None
        if first:
            self._figure = Figure(figsize=self.figsize)
        fig = self._figure
        fig.clear()
        fig.subplots_adjust(**self.margins)
        self.draw(fig, **params)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=self.dpi)
        if first:
            gc.freeze()  # see the module's docstring: long-lived objects out of the collector's way
        return buffer.getvalue()

    # -- live view -------------------------------------------------------------------------
    def widget(self):
        """An ipywidgets box: sliders over the controls' values and the picture they draw."""
        import ipywidgets as widgets

        sliders = {
            c.name: widgets.SelectionSlider(
                options=[(c.text(v), v) for v in c.values],
                value=c.default,
                description=c.label,
                continuous_update=False,
                style={"description_width": "9em"},
                layout=widgets.Layout(width="480px"),
            )
            for c in self.controls
        }
        image = widgets.Image(value=self.render(), format="png")

        def redraw(_change):
            image.value = self.render(**{name: s.value for name, s in sliders.items()})

        for s in sliders.values():
            s.observe(redraw, names="value")
        return widgets.VBox([*sliders.values(), image])

    # -- static view -----------------------------------------------------------------------
    def frames(self):
        """Every combination of control values -> its picture as a data URI (key "i,j,...")."""
        frames = {}
        for index in itertools.product(*(range(len(c.values)) for c in self.controls)):
            params = {c.name: c.values[i] for c, i in zip(self.controls, index)}
            png = self.render(**params)
            frames[",".join(map(str, index))] = "data:image/png;base64," + base64.b64encode(png).decode()
        return frames

    def static_html(self):
        """Self-contained HTML: range inputs that swap precomputed frames, no kernel, no network."""
        frames = self.frames()
        uid = "nnopt-" + hashlib.sha1("".join(frames).encode()).hexdigest()[:10]
        start = [c.values.index(c.default) for c in self.controls]
        rows = []
        for k, (c, i) in enumerate(zip(self.controls, start)):
            rows.append(
                f'<label class="nnopt-control">{html.escape(c.label)} '
                f'<input type="range" min="0" max="{len(c.values) - 1}" step="1" value="{i}" '
                f'data-k="{k}" aria-label="{html.escape(c.label)}"> '
                f"<output>{html.escape(c.text(c.values[i]))}</output></label>"
            )
        labels = [[c.text(v) for v in c.values] for c in self.controls]
        first = frames[",".join(map(str, start))]
        return f"""<div class="nnopt-explorer" id="{uid}">
<style>
.nnopt-controls {{ display: flex; flex-wrap: wrap; gap: 0.4em 2em; margin-bottom: 0.4em; }}
.nnopt-control {{ display: inline-flex; align-items: center; gap: 0.5em; }}
.nnopt-control input[type=range] {{ width: 11em; }}
.nnopt-control output {{ min-width: 3.5em; font-variant-numeric: tabular-nums; }}
</style>
<div class="nnopt-controls">{''.join(rows)}</div>
<img class="nnopt-frame" alt="{html.escape(self.alt)}" src="{first}" style="max-width:100%">
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var frames = {json.dumps(frames)};
  var labels = {json.dumps(labels)};
  var inputs = root.querySelectorAll("input[type=range]");
  var img = root.querySelector("img.nnopt-frame");
  function show() {{
    var key = [];
    inputs.forEach(function (input) {{
      var k = Number(input.dataset.k);
      key.push(input.value);
      input.nextElementSibling.textContent = labels[k][Number(input.value)];
    }});
    img.src = frames[key.join(",")];
  }}
  inputs.forEach(function (input) {{ input.addEventListener("input", show); }});
}})();
</script>
</div>"""

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer: {', '.join(c.label for c in self.controls)}>"}
        bundle["text/html"] = self.static_html()
        try:
            live = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the static view still works
            live = None
        if live:
            bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle
