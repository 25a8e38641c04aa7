"""Pictures of the chapter on exponentially weighted averages (book: ``exponentially-weighted-averages``).

The data are daily temperatures (``nnopt.data.seattle_temperatures``); day ``t = 1`` is the first value
of the series, as in the maths ``v_t = beta v_{t-1} + (1 - beta) theta_t``. Every picture that draws
an average takes the averaging functions as arguments, with the contracts of ps05: ``ewa(theta,
beta)`` and ``ewa_bias_corrected(theta, beta)``. The book passes the reference implementations, the
assignment the student's own.
"""

import numpy as np

from ..explorer import Control, Explorer
from .common import COLORS, SERIES, is_narrow, panels

TEMP_LIMITS = (-6, 38)  # degrees C: every Seattle day of 2012-2015 fits, and v_0 = 0 shows


def ewa_weights(t, beta):
    """The weights ``(1 - beta) * beta**(t - i)`` that ``v_t`` gives to ``theta_i`` for i = 1 .. t.

    Returns an array of shape (t,); entry i - 1 is the weight of day i. They sum to ``1 - beta**t``.
    """
    i = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - i)


def draw_temperatures(ax, temps, ylabel="daily high (°C)"):
    """The raw series as dots against the day number t = 1 .. T (temps of shape (T,)). Returns the ax."""
    t = np.arange(1, len(temps) + 1)
    ax.plot(t, temps, "o", ms=2.2, color=COLORS["data"], alpha=0.45, label="daily high", zorder=1)
    ax.set_xlabel("day t")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, len(temps) + 1)
    return ax


def draw_average(ax, temps, beta, average, label=None, **style):
    """The average ``average(temps, beta)`` (``ewa`` or ``ewa_bias_corrected``; temps of shape (T,)) as
    a line against t. style: line properties (colour, line style, ...). Returns the ax."""
    v = np.asarray(average(temps, beta), dtype=np.float64)
    if label is None:
        label = f"β = {beta:g}"
    style = {"color": COLORS["model"], "lw": 2, **style}
    ax.plot(np.arange(1, len(v) + 1), v, label=label, **style)
    return ax


def draw_weights(fig, betas=(0.8, 0.9, 0.98), t=100):
    """Two panels on the weights of an EWA, for each beta in ``betas``.

    Left: the weight ``(1 - beta) beta**(t - i)`` of each day i in the average on day t, with a dot where
    the weight has fallen to 1/e of the newest one, ``1 / (1 - beta)`` days back. Right: the same weights
    relative to the newest, against the age in units of ``1 / (1 - beta)``: every curve is close to ``e**-x``.
    Returns the fig.
    """
    ax_w, ax_rel = panels(fig, 2)
    for beta, style in zip(betas, SERIES[1:]):
        w = ewa_weights(t, beta)
        i = np.arange(1, t + 1)
        window = 1 / (1 - beta)
        line = {"color": style["color"], "linestyle": style["linestyle"]}
        ax_w.plot(i, w, lw=1.8, label=f"β = {beta:g}: sum {w.sum():.3f}", **line)
        ax_w.fill_between(i, w, color=style["color"], alpha=0.12)
        ax_w.plot(t - window, (1 - beta) * beta**window, style["marker"], color=style["color"], mec="k", ms=6)
        ages = np.arange(0, int(4 * window) + 1)
        ax_rel.plot(ages / window, beta**ages, lw=1.8, label=f"β = {beta:g}", **line)
    x = np.linspace(0, 4, 100)
    ax_rel.plot(x, np.exp(-x), ":", color="k", lw=1.2, label="$e^{-x}$")
    ax_rel.axhline(np.exp(-1), color=COLORS["muted"], lw=0.8)
    ax_rel.axvline(1, color=COLORS["muted"], lw=0.8)
    ax_rel.text(1.05, np.exp(-1) + 0.03, "1/e after one window", fontsize=9)
    ax_w.set_xlabel(f"day i (the average is taken on day t = {t})")
    ax_w.set_ylabel("weight of day i in $v_t$")
    ax_w.set_title("weights $(1-\\beta)\\,\\beta^{t-i}$", fontsize=10)
    ax_w.set_xlim(0, t + 1)
    ax_w.legend(fontsize=9, loc="upper left")
    ax_rel.set_xlabel("age $t - i$ in windows of $1/(1-\\beta)$ days")
    ax_rel.set_ylabel("weight relative to the newest day")
    ax_rel.set_title("relative weights $\\beta^{t-i}$ on a common scale", fontsize=10)
    ax_rel.set_xlim(0, 4)
    ax_rel.set_ylim(0, 1.02)
    ax_rel.legend(fontsize=9)
    return fig


def draw_betas(ax, temps, ewa_bias_corrected, betas=(0.5, 0.9, 0.98)):
    """Raw series and its bias-corrected EWA for several betas: smoothness against lag. Returns the ax."""
    draw_temperatures(ax, temps)
    for beta, style in zip(betas, SERIES[1:]):
        draw_average(ax, temps, beta, ewa_bias_corrected, color=style["color"], linestyle=style["linestyle"],
                     label=f"β = {beta:g} (about {1 / (1 - beta):g} days)")
    ax.set_ylim(*TEMP_LIMITS)
    ax.legend(fontsize=9, loc="upper left")
    return ax


def draw_bias_correction(ax, temps, beta, ewa, ewa_bias_corrected, n_days=60):
    """The first ``n_days`` of the series with its EWA with and without bias correction. Returns the ax."""
    temps = temps[:n_days]
    draw_temperatures(ax, temps)
    draw_average(ax, temps, beta, ewa, color=COLORS["muted"], linestyle="--", label=f"β = {beta:g}, from $v_0 = 0$")
    draw_average(ax, temps, beta, ewa_bias_corrected, label=f"β = {beta:g}, divided by $1 - \\beta^t$")
    ax.set_ylim(min(0, temps.min()) - 1, temps.max() + 3)
    ax.legend(fontsize=9, loc="lower right")
    return ax


def draw_explorer_frame(fig, temps, beta, correction, days, ewa, ewa_bias_corrected):
    """One picture of the explorer: the first ``days`` values of ``temps`` and their EWA with ``beta``.

    Left (top in a narrow figure): the daily highs and the average (``correction`` "on" adds the
    bias-corrected average, drawn solid, and keeps the uncorrected one dashed). Right: the weights the
    average on the last day shown gives to each day, and their sum ``1 - beta**t``.
    """
    temps = temps[:days]
    corrected = correction == "on"
    window = 1 / (1 - beta)
    ax, ax_w = panels(fig, 2, width_ratios=[2.5, 1])
    draw_temperatures(ax, temps)
    if corrected:
        draw_average(ax, temps, beta, ewa, color=COLORS["muted"], lw=1.2, linestyle="--", label="without correction")
        draw_average(ax, temps, beta, ewa_bias_corrected, label="bias-corrected")
    else:
        draw_average(ax, temps, beta, ewa, label="average from v₀ = 0")
    ax.set_ylim(*TEMP_LIMITS)
    ax.locator_params(nbins=6)  # fewer ticks: each one costs a text layout per redraw
    ax.legend(fontsize=9, loc="upper left", ncol=1 if is_narrow(fig) else 3)
    # an explicit y skips matplotlib's automatic title placement, a third of a redraw
    ax.set_title(f"β = {beta:g}: an average over about 1/(1 − β) = {window:g} days", fontsize=10, y=1.0)

    w = ewa_weights(days, beta)
    total = w.sum()
    if corrected:
        w = w / total
    i = np.arange(1, days + 1)
    ax_w.fill_between(i, w, step="mid", color=COLORS["model"], alpha=0.6, lw=0)
    # the last five windows hold all but e^-5 (0.7 %) of the weight
    span = min(days, max(20, int(5 * window)))
    ax_w.set_xlim(days - span + 0.5, days + 0.5)
    ax_w.locator_params(nbins=4)
    if window < days:  # where the weight has fallen to about 1/e of the newest
        ax_w.axvline(days - window, color="k", ls=":", lw=1)
    # the same scale with and without correction, so that switching it shows the weights grow
    ax_w.set_ylim(0, 1.15 * (1 - beta) / total)
    ax_w.set_xlabel(f"day i (average on day t = {days})")
    ax_w.set_ylabel("weight of day i")
    if corrected:
        ax_w.set_title("weights / (1 − βᵗ): sum 1", fontsize=10, y=1.0)
    else:
        ax_w.set_title(f"weights: sum 1 − βᵗ = {total:.3f}", fontsize=10, y=1.0)
    return fig


def explorer_alt(temps, beta, correction, days, ewa, ewa_bias_corrected):
    """What a frame of the explorer shows, in words (its alt text)."""
    v = np.asarray((ewa_bias_corrected if correction == "on" else ewa)(temps[:days], beta))
    kind = "bias-corrected average" if correction == "on" else "average from v0 = 0"
    return (f"Seattle's daily highs over {days} days and their {kind} with beta {beta:g} (about "
            f"{1 / (1 - beta):g} days): it starts at {v[0]:.1f} °C on day 1 and ends at {v[-1]:.1f} °C; "
            f"the weights of the last day sum to {1 if correction == 'on' else 1 - beta**days:.3f}.")


def ewa_explorer(temps, ewa, ewa_bias_corrected):
    """Beta, bias correction and the days shown -> the EWA of a temperature series (an :class:`Explorer`).

    temps: shape (T,) with T >= 366 (the book passes Seattle's daily highs of 2012-2015);
    ewa, ewa_bias_corrected: the averaging functions of ps05. 7 x 2 x 3 = 42 frames.
    """
    temps = np.asarray(temps, dtype=np.float64)
    days = [60, 366, len(temps)] if len(temps) > 366 else [60, len(temps)]
    functions = dict(ewa=ewa, ewa_bias_corrected=ewa_bias_corrected)
    return Explorer(
        lambda fig, beta, correction, days: draw_explorer_frame(fig, temps, beta, correction, days, **functions),
        [
            Control("beta", "β", [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995], default=0.9),
            Control("correction", "bias correction", ["off", "on"], default="off", fmt="{}", kind="toggle"),
            Control("days", "days shown", days, default=366),
        ],
        figsize=(10, 3.6),
        margins=dict(left=0.06, right=0.985, bottom=0.15, top=0.9, wspace=0.25),
        alt=lambda beta, correction, days: explorer_alt(temps, beta, correction, days, **functions),
        narrow_figsize=(4.6, 6.4),
    )


def explorers(ref):
    """Every explorer of the chapter with the book's data and ``ref``'s functions (``ref``: the package of
    reference implementations, ``nnref``, passed in by the benchmark): (name, explorer) pairs."""
    from ..data import seattle_temperatures

    _, temp_max, _ = seattle_temperatures()
    yield "ewa", ewa_explorer(temp_max, ref.ewa.ewa, ref.ewa.ewa_bias_corrected)
