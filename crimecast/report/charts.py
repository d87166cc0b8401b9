"""Board-readable charts: titled, labelled, financial years marked.

The other report modules draw their charts with the same parts: :func:`subplots` (a figure made without
pyplot), :func:`mark_financial_years` or :func:`year_ticks` with :func:`financial_year_axis_label` (the financial-year
axis), :func:`legend_below` and :func:`with_caption` (the foot), and :func:`png_bytes` or :func:`save_figure`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.legend import Legend

from crimecast.data.calendar import financial_year_label, financial_year_start
from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.data.slugs import area_label, display_name
from crimecast.forecast.paths import ForecastResult
from crimecast.forecast.spc import MIN_LIMIT_WIDTH
from crimecast.io import write_atomic

HISTORY_YEARS_SHOWN = 5
PNG_METADATA = {"Software": None}


def mark_financial_years(ax, first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Financial years on the x axis in place of calendar years.

    A tick and a grey line at each 1 April, and each year's label (``2019/20``) under its middle, when that is on
    the chart (a chart of twelve months or more has one); a chart with no year's middle on it (an XmR chart of a
    few months) labels each year under the middle of its part on the chart, so the axis is never left without a
    date. :func:`financial_year_axis_label` is the axis's label.

    Parameters
    ----------
    ax
        A matplotlib Axes whose x axis holds dates.
    first, last
        The first and last months drawn.
    """
    from matplotlib.dates import date2num

    aprils, middles, labels = [], [], []
    for start in range(financial_year_start(first), financial_year_start(last) + 1):
        april = pd.Timestamp(f"{start}-04-01")
        if april >= first:
            ax.axvline(april, color="0.85", linewidth=0.8, zorder=0)
            aprils.append(april)
        middle = pd.Timestamp(f"{start}-10-01")
        if first <= middle <= last:
            middles.append(middle)
            labels.append(financial_year_label(start))
    if not middles:  # under a year, no 1 October on it: each year's part on the chart
        for start in range(financial_year_start(first), financial_year_start(last) + 1):
            low = max(first, pd.Timestamp(f"{start}-04-01"))
            high = min(last, pd.Timestamp(f"{start + 1}-03-31"))
            middles.append(low + (high - low) / 2)
            labels.append(financial_year_label(start))
    ax.set_xticks(date2num(aprils), [""] * len(aprils))
    ax.set_xticks(date2num(middles), labels, minor=True)
    ax.tick_params(axis="x", which="major", length=6)
    ax.tick_params(axis="x", which="minor", length=0)


class NumberFormatter(Formatter):
    """Tick labels as a Board reads numbers: thousands separated (``30,000``, never ``30000`` or an offset such as
    ``1e6``), as few decimals as the ticks need (``2.5``), and a unit after each (``"%"``: ``85%``)."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.decimals = 0

    def set_locs(self, locs) -> None:
        self.decimals = _decimals(locs)

    def __call__(self, x, pos=None) -> str:
        value = round(float(x), self.decimals)
        return f"{value if value else 0.0:,.{self.decimals}f}{self.suffix}"  # never "-0"


def _decimals(values, most: int = 3) -> int:
    """The fewest decimals (up to ``most``) that write every one of ``values`` exactly (to a billionth of the
    largest: a tick of 0.30000000000000004, or -1e-17 beside 1,500, is written 0.3 or 0)."""
    values = np.asarray(values, dtype=float)
    tolerance = 1e-9 * max(1.0, float(np.abs(values).max(initial=0.0)))
    for decimals in range(most):
        if np.all(np.abs(values - np.round(values, decimals)) <= tolerance):
            return decimals
    return most


def number_axis(*axes: Axis) -> None:
    """Tick labels of each axis written by :class:`NumberFormatter`: ``30,000``.

    Parameters
    ----------
    *axes
        matplotlib axes' x or y axis (``ax.yaxis``, ``ax.xaxis``).
    """
    for axis in axes:
        axis.set_major_formatter(NumberFormatter())


def percent_axis(*axes: Axis) -> None:
    """Tick labels of each axis, drawn in percentage points (a rate times 100), written ``85%``.

    Parameters
    ----------
    *axes
        matplotlib axes' x or y axis (``ax.yaxis``), whose data are percentages (85, not 0.85).
    """
    for axis in axes:
        axis.set_major_formatter(NumberFormatter("%"))


def financial_year_axis_label(frequency: Frequency) -> str:
    """The x-axis label of a chart whose axis :func:`mark_financial_years` marked."""
    return f"financial year, April to March (one point a {frequency.noun}; ticks and grey lines at 1 April)"


CAPTION_CHARACTERS_PER_INCH = 17  # 7-point text: about this many characters fit in an inch


LEGEND_ROW_IN, LEGEND_PAD_IN = 0.19, 0.08  # a row of 7- or 8-point legend entries, and the legend's own padding


def legend_below(ax, *, ncol: int, fontsize: int = 8):
    """A legend for under the plot (between the axis label and the caption, placed by :func:`with_caption`), so it
    never covers a point or a label inside the plot; returns it."""
    legend = ax.legend(loc="lower center", fontsize=fontsize, frameon=False, ncol=ncol)
    legend.rows = -(-len(legend.legend_handles) // ncol)
    return legend


def with_caption(fig: Figure, caption: str, notice: str = "", *, monthly_ax: Axes | None = None,
                 legend: Legend | None = None) -> Figure:
    """Small grey caption at the foot (what the chart rests on, the data notice), wrapped to the figure's width
    so it is never clipped and ended with a full stop; lays out and returns the Figure.

    Parameters
    ----------
    fig
        The Figure, drawn but not laid out.
    caption, notice
        What the chart rests on, and the data's notice (``""``: none), joined into one caption.
    monthly_ax
        The axes of a one-panel monthly chart, laid out by :func:`_monthly_margins` instead of ``tight_layout``.
    legend
        From :func:`legend_below` (with ``monthly_ax``): set above the caption, centred under the plot.
    """
    import textwrap

    width_in, height_in = fig.get_size_inches()
    text = caption + (f". {notice}" if notice else "")
    lines = textwrap.wrap(text if text.endswith(".") else f"{text}.",
                          width=max(int(width_in * CAPTION_CHARACTERS_PER_INCH) - 4, 20))
    line_height = 0.13 / height_in  # 7-point text with leading, as a share of the figure's height
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=7, color="0.35", va="bottom")
    caption_top = 0.015 + line_height * len(lines)
    legend_bottom = caption_top
    if legend is not None:
        caption_top += (legend.rows * LEGEND_ROW_IN + LEGEND_PAD_IN) / height_in
    if monthly_ax is not None:
        _monthly_margins(fig, monthly_ax, bottom=caption_top)
        if legend is not None:
            box = monthly_ax.get_position()
            legend.set_bbox_to_anchor(((box.x0 + box.x1) / 2, legend_bottom), transform=fig.transFigure)
    else:
        fig.tight_layout(rect=(0, caption_top, 1, 1))
    return fig


# Inches taken by the monthly charts' text at matplotlib's default 10-point font: tick labels and the axis label on
# the left (plus each character of the longest y tick label), tick labels and the axis label below, the title with
# its pad above (the financial years are labelled below, as the x axis's ticks).
LEFT_FIXED_IN, LEFT_PER_CHARACTER_IN = 0.45, 0.085
BOTTOM_IN, TOP_IN, RIGHT_IN = 0.62, 0.5, 0.2


def _monthly_margins(fig, ax, *, bottom: float) -> None:
    """Margins of a one-panel monthly chart from its few text elements.

    ``tight_layout`` lays out every text once more just to measure it, which
    was 45% of a chart's time; these charts always have the same elements, so
    only the width of the y tick labels varies (tests/test_charts.py checks
    that nothing is clipped or overlaps).
    """
    width_in, height_in = fig.get_size_inches()
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks) if ticks else ["0"]
    left = LEFT_FIXED_IN + LEFT_PER_CHARACTER_IN * max(len(label) for label in labels)
    fig.subplots_adjust(left=left / width_in, right=1 - RIGHT_IN / width_in, top=1 - TOP_IN / height_in,
                        bottom=bottom + BOTTOM_IN / height_in)


def _axis_labels(ax, frequency: Frequency, *, adjusted: str = "") -> None:
    """``recorded crimes per month`` and ``financial year, April to March (one point a month; ...)``, or quarter."""
    ax.set_ylabel(f"recorded crimes per {frequency.noun}{adjusted}")
    ax.set_xlabel(financial_year_axis_label(frequency))
    number_axis(ax.yaxis)


def _finish_monthly_chart(fig, ax, *, title: str, first: pd.Timestamp, last: pd.Timestamp, caption: str, notice: str,
                          legend_columns: int, frequency: Frequency = MONTHLY):
    """Title, axis labels, financial years, legend and caption shared by the monthly (or quarterly) charts; returns the Figure."""
    mark_financial_years(ax, first, last)
    ax.set_title(title, pad=8)
    _axis_labels(ax, frequency)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=legend_columns)
    ax.grid(axis="y", color="0.92")
    return with_caption(fig, caption, notice, monthly_ax=ax)


def _mark_filled(ax, series: pd.Series, filled) -> None:
    """Hollow markers on periods that were missing and filled in, so nobody reads them as recorded."""
    shown = [m for m in filled if m in series.index]
    if shown:
        ax.scatter(shown, series.loc[shown].to_numpy(), marker="o", facecolors="white", edgecolors="0.3", s=36,
                   zorder=6, label="filled in (missing in the data)")


def fan_chart(result: ForecastResult, *, notice: str = "", filled=()):
    """A fan chart of history, median forecast and 80%/95% intervals; returns the Figure.

    ``filled``: periods that were missing from the data and filled in; they are marked.
    """
    table = result.monthly_table()
    history = result.history[result.history.index >= result.history.index[-1] - pd.DateOffset(years=HISTORY_YEARS_SHOWN)]
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(history.index, history.to_numpy(), color="black", linewidth=1.2, label="recorded")
    ax.fill_between(table["month"], table["lo95"], table["hi95"], color="tab:blue", alpha=0.18, label="95% interval")
    ax.fill_between(table["month"], table["lo80"], table["hi80"], color="tab:blue", alpha=0.35, label="80% interval")
    ax.plot(table["month"], table["median"], color="tab:blue", linewidth=1.6, label="forecast (median)")
    _mark_filled(ax, history, filled)
    frequency = result.frequency
    last = table["month"].iloc[-1]
    until = f"{last:%b %Y}" if frequency is MONTHLY else frequency.label(last)
    title = f"{display_name(result.category)} — {area_label(result.area, whole=result.whole_title)}: forecast to {until}"
    caption = f"model: {result.model}; {result.paths.shape[0]:,} simulated paths"
    return _finish_monthly_chart(fig, ax, title=title, first=history.index[0], last=last,
                                 caption=caption, notice=notice, legend_columns=4, frequency=frequency)


def subplots(*, figsize: tuple[float, float], dpi: int):
    """A Figure and its axes, made without pyplot: every chart starts here.

    Charts are drawn off-screen and saved as PNG by matplotlib's Agg renderer,
    without choosing a backend for the whole process (a notebook keeps its own),
    and nothing is left open in pyplot.

    Parameters
    ----------
    figsize
        Width and height in inches.
    dpi
        Dots per inch.

    Returns
    -------
    tuple
        The ``Figure`` and its one ``Axes``.
    """
    fig = Figure(figsize=figsize, dpi=dpi)
    return fig, fig.subplots()


def png_bytes(fig) -> bytes:
    """``fig`` as PNG bytes, as :func:`save_figure` would write them."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata=PNG_METADATA)
    return buffer.getvalue()


def save_figure(fig, path: Path) -> Path:
    """Save ``fig`` as PNG atomically."""
    return write_atomic(Path(path), lambda tmp: fig.savefig(tmp, format="png", metadata=PNG_METADATA))


SIGNAL_STYLES = {
    "beyond limit": ("o", "tab:red"),
    "run": ("s", "tab:orange"),
    "trend": ("^", "tab:purple"),
    "two of three near a limit": ("D", "tab:olive"),
}


def _shade_exceptional(ax, chart, frequency) -> None:
    """Grey bands over exceptional periods, and their points drawn hollow: shown, not counted."""
    excluded = chart.excluded
    if not excluded.any():
        return
    values = chart.values
    step = pd.DateOffset(months=frequency.months_per_period)
    names = ", ".join(p.name for p in chart.exceptional)
    for i, month in enumerate(values.index[excluded]):  # each excluded month (or whole quarter) shaded
        ax.axvspan(month, month + step, color="0.6", alpha=0.2, zorder=0, linewidth=0,
                   label=f"exceptional, kept out of the limits ({names})" if i == 0 else None)
    ax.scatter(values.index[excluded], values.to_numpy()[excluded], facecolors="white", edgecolors="0.4", s=22, zorder=4)


def control_chart_figure(chart, *, category: str, area: str, known: dict | None = None, notice: str = "", filled=(),
                         whole: str = ""):
    """An XmR chart: values, one mean line and limit band per period, signals and steps marked.

    ``filled``: periods that were missing from the data and filled in; they are marked. ``whole``: what the title
    calls the data's whole when it is one named force (``ProcessReport.whole_title``).
    """
    values = chart.values
    frequency = chart.frequency
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(values.index, values.to_numpy(), color="black", linewidth=1.1, marker=".", label=f"{frequency.noun}ly count")
    for i, period in enumerate(p for p in chart.periods if not p.degenerate):  # limits that mean nothing: not drawn
        span = [period.start, period.end]
        limits = period.limits
        ax.fill_between(span, [max(limits.lower, 0)] * 2, [limits.upper] * 2, color="tab:blue", alpha=0.12,
                        step="post", label="natural process limits" if i == 0 else None)
        ax.plot(span, [limits.mean] * 2, color="tab:blue", linewidth=1.5, label="process average" if i == 0 else None)
    seen = set()
    for signal in chart.signals:
        marker, colour = SIGNAL_STYLES[signal.rule]
        ax.scatter([signal.month], [signal.value], marker=marker, facecolors="none", edgecolors=colour, s=70, zorder=5,
                   label=signal.rule if signal.rule not in seen else None)
        seen.add(signal.rule)
    _mark_filled(ax, values, filled)
    _shade_exceptional(ax, chart, frequency)
    labels = []
    for step in chart.steps:
        ax.axvline(step.month, color="tab:red" if not step.known else "tab:green", linestyle="--", linewidth=1)
        labels.append((step.month, (known or {}).get(step.month, "known change" if step.known else f"step {step.change:+.0%}")))
    mark_financial_years(ax, values.index[0], values.index[-1])
    adjusted = ", seasonally adjusted" if chart.seasonally_adjusted else ""
    ax.set_title(f"{display_name(category)} — {area_label(area, whole=whole)}: XmR chart{adjusted}", pad=8)
    _axis_labels(ax, frequency, adjusted=" (seasonally adjusted)" if chart.seasonally_adjusted else "")
    ax.set_ylim(bottom=0)
    legend = legend_below(ax, ncol=4, fontsize=7)  # under the plot: clear of the points and the step labels
    ax.grid(axis="y", color="0.92")
    with_caption(fig, _limits_caption(chart), notice, monthly_ax=ax, legend=legend)
    label_steps(ax, labels)
    return fig


STEP_LABEL_SIZE = 7  # points
STEP_LABEL_PAD = 4  # points between a label and any line (a signal's circle reaches about this far from its point)
MAX_HEADROOM = 2.0  # the y axis is raised for a step label at most to this many times its height (the data keep half)


def label_steps(ax, labels: list[tuple[pd.Timestamp | float, str]], *, color: str | None = None) -> None:
    """Each step's label, written up its dashed line, where no line or band edge of the plot crosses it.

    The label stands beside the line at the plot's foot when nothing is drawn there, else at its top, else in the
    widest clear gap between; where the plot is full at the step from foot to top, the y axis is raised to leave
    room at the top (at most to :data:`MAX_HEADROOM` times its height: a label that would need more, a long known
    change's description, stands at the foot). Call it last, once the axes are laid out (the label's height is read
    against the plot's).

    Parameters
    ----------
    ax
        The chart's Axes, with every line, band and point drawn and its y limits set.
    labels
        ``(month, text)`` of each step, its dashed line already drawn at ``month`` (or ``(x, text)`` of any vertical
        line on an axis of numbers: the budget curve's budget).
    color
        The labels' colour (``None``: the text's default).
    """
    if not labels:
        return
    ax.get_xlim(), ax.get_ylim()  # the limits autoscaled now, before the data are read in the plot's shares
    places = [_step_label_place(ax, month, text) for month, text in labels]
    if any(place is None for place in places):  # full from foot to top at a step: raise the top to make room
        bottom, top = ax.get_ylim()
        needed = [_headroom(ax, month, text) for (month, text), place in zip(labels, places) if place is None]
        raised = max((n for n in needed if n <= MAX_HEADROOM), default=1.0)
        if raised > 1.0:
            ax.set_ylim(bottom, bottom + raised * (top - bottom))
        places = [_step_label_place(ax, month, text)  # every label again, on the raised axis
                  or ((1.0, "top") if _headroom(ax, month, text) <= raised else (_label_size(ax, text)[2], "bottom"))
                  for month, text in labels]
    for (month, text), (y, va) in zip(labels, places):
        ax.text(month, y, f" {text}", transform=ax.get_xaxis_transform(), rotation=90, fontsize=STEP_LABEL_SIZE,
                va=va, color=color)


def _label_size(ax, text: str) -> tuple[float, float, float]:
    """A step label's width, height and padding as shares of the plot's width and height (``text`` runs upwards)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    box = ax.get_position()
    width_pt, height_pt = (box.width * ax.figure.get_figwidth() * 72, box.height * ax.figure.get_figheight() * 72)
    length, _, _ = text_to_path.get_text_width_height_descent(f" {text}", FontProperties(size=STEP_LABEL_SIZE),
                                                              ismath=False)  # in points, the leading space too
    return 1.5 * STEP_LABEL_SIZE / width_pt, (length + 2) / height_pt, STEP_LABEL_PAD / height_pt


def _taken(ax, month: pd.Timestamp, width: float) -> list[tuple[float, float]]:
    """The heights (shares of the plot's) that lines, band edges and points cover beside the step's line: from
    ``month`` to ``width`` (a share of the plot's width) after it. Vertical segments (this and other dashed lines,
    a band's ends) cover nothing beside it."""
    to_axes = ax.transAxes.inverted()
    left = to_axes.transform(ax.transData.transform((ax.xaxis.convert_units(month), 0)))[0]
    right = left + width
    shapes = [line.get_transform().transform(line.get_xydata()) for line in ax.lines]
    for collection in ax.collections:
        if isinstance(collection, PolyCollection):  # a band: its edges
            shapes += [collection.get_transform().transform(path.vertices) for path in collection.get_paths()]
        else:  # points (a signal's circle): each on its own
            shapes += [collection.get_offset_transform().transform([point]) for point in collection.get_offsets()]
    taken = []
    for shape in shapes:
        xy = to_axes.transform(shape)
        if len(xy) == 1:
            if left <= xy[0, 0] <= right:
                taken.append((xy[0, 1], xy[0, 1]))
            continue
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            if x0 != x1 and min(x0, x1) < right and max(x0, x1) > left:
                taken.append((min(y0, y1), max(y0, y1)))
    return taken


def _gaps(taken: list[tuple[float, float]], pad: float) -> list[tuple[float, float]]:
    """The clear stretches of the plot's height (0 to 1) between the ``taken`` ones and its edges, each ``pad``
    away from them."""
    gaps, low = [], -pad
    for start, end in sorted([(a - pad, b + pad) for a, b in taken] + [(-pad, pad), (1 - pad, 1 + pad)]):
        if start > low:
            gaps.append((low, start))
        low = max(low, end)
    return gaps


def _step_label_place(ax, month: pd.Timestamp, text: str) -> tuple[float, str] | None:
    """Where a step's label stands (its foot's or top's height, a share of the plot's, and ``va``), or ``None`` when
    no clear stretch beside its line is tall enough."""
    width, height, pad = _label_size(ax, text)
    gaps = [(low, high) for low, high in _gaps(_taken(ax, month, width), pad) if high - low >= height]
    if any(low <= pad for low, _ in gaps):
        return pad, "bottom"
    if any(high >= 1 - pad for _, high in gaps):
        return 1 - pad, "top"
    if gaps:
        low, _ = max(gaps, key=lambda gap: gap[1] - gap[0])
        return low, "bottom"
    return None


def _headroom(ax, month: pd.Timestamp, text: str) -> float:
    """How many times its height the plot must be for a step's label to stand clear above everything beside it
    (infinite for a label as tall as the plot)."""
    width, height, pad = _label_size(ax, text)
    highest = max((end for _, end in _taken(ax, month, width)), default=0.0)
    room = 1.0 - height - 2 * pad
    return highest / room if room > 0 else math.inf


def _limits_caption(chart) -> str:
    """How the limits drawn were set, and why none are drawn for a period with too few crimes."""
    none = f"too few crimes to set limits (they would be less than {MIN_LIMIT_WIDTH:g} apart)"
    if all(period.degenerate for period in chart.periods):
        return f"No control limits: {none}"
    rule = "Limits: process average +/- 2.66 x average moving range"
    return f"{rule} (none where {none})" if any(period.degenerate for period in chart.periods) else rule


def scenario_chart(result, key: tuple[str, str], *, notice: str = ""):
    """Baseline and scenario 80% bands over recorded history (and the actual outcome, if known); returns the Figure."""
    baseline, scenario = result.forecasts(key)
    base_table, scen_table = baseline.monthly_table(), scenario.monthly_table()
    full = result.history[key]
    start = result.as_of - pd.DateOffset(years=3)
    history = full[(full.index >= start) & (full.index <= result.as_of)]
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(history.index, history.to_numpy(), color="black", linewidth=1.2, label="recorded")
    after = full[full.index > result.as_of].reindex(result.months).dropna()
    if not after.empty:
        ax.plot(after.index, after.to_numpy(), color="black", linewidth=1.2, linestyle="--", label="actual outcome")
    for table, colour, label in ((base_table, "tab:blue", "baseline"), (scen_table, "tab:orange", "scenario")):
        ax.fill_between(table["month"], table["lo80"], table["hi80"], color=colour, alpha=0.25, label=f"{label} 80% interval")
        ax.plot(table["month"], table["mean"], color=colour, linewidth=1.6, label=f"{label} (mean)")
    series = f"{display_name(key[0])} — {area_label(key[1], whole=result.resolved.whole_title)}"
    title = f"{series}: scenario '{result.name}' vs baseline"
    caption = f"forecast from {result.as_of:%b %Y}; model: {baseline.model}; {baseline.paths.shape[0]:,} paths"
    return _finish_monthly_chart(fig, ax, title=title, first=history.index[0], last=result.months[-1],
                                 caption=caption, notice=notice, legend_columns=3)


def year_ticks(ax, periods, frequency: Frequency) -> None:
    """One tick per period of a chart of one financial year, labelled as the year reads (not calendar dates).

    Parameters
    ----------
    ax
        A matplotlib Axes whose x axis holds dates.
    periods
        The year's periods drawn (their first months).
    frequency
        Monthly (ticks ``Apr``, ``May``, ...) or quarterly (``Q1 (Apr-Jun)``, ...).
    """
    from matplotlib.dates import date2num

    periods = pd.DatetimeIndex(periods)
    if frequency is MONTHLY:
        labels = [f"{m:%b}" for m in periods]
    else:
        labels = [f"{frequency.label(m)[-2:]} ({m:%b}-{frequency.period_end_month(m):%b})" for m in periods]
    ax.set_xticks(date2num(periods), labels)


def milestone_chart(assessment, *, as_of: pd.Timestamp, notice: str = ""):
    """Cumulative actual vs the target's trajectory vs the forecast band through the year; returns the Figure.

    The scenario's band is drawn only where the scenario changes the series
    (``assessment.scenario_changes``); elsewhere it would repeat the forecast's.
    """
    frame = assessment.cumulative
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(frame["month"], frame["trajectory"], color="tab:green", linestyle="--", linewidth=1.4,
            label=f"target trajectory ({assessment.milestone.describe()})")
    for name, colour in (("baseline", "tab:blue"), ("scenario", "tab:orange")):
        if f"{name}_mean" in frame and (name == "baseline" or assessment.scenario_changes):
            ax.fill_between(frame["month"], frame[f"{name}_lo80"], frame[f"{name}_hi80"], color=colour, alpha=0.25,
                            label=f"{'forecast' if name == 'baseline' else 'scenario'} 80% interval")
            ax.plot(frame["month"], frame[f"{name}_mean"], color=colour, linewidth=1.4)
    if frame["outcome"].notna().any():
        ax.plot(frame["month"], frame["outcome"], color="0.4", linestyle=":", linewidth=1.4, label="actual outcome")
    ax.plot(frame["month"], frame["actual"], color="black", linewidth=1.8, marker="o", markersize=3,
            label="recorded, year to date")
    ax.axhline(assessment.threshold, color="tab:green", linewidth=0.8, alpha=0.5)
    series = f"{display_name(assessment.category)} — {area_label(assessment.area, whole=assessment.whole_title)}"
    label = assessment.label
    title = series if label.lower() in (series.lower(), display_name(assessment.category).lower()) else f"{label}: {series}"
    ax.set_title(f"{title}, {assessment.year} cumulative", pad=10)
    ax.set_ylabel("recorded crimes since 1 April (cumulative)")
    number_axis(ax.yaxis)
    year_ticks(ax, frame["month"], assessment.frequency)
    ax.set_xlabel(f"{assessment.frequency.noun} of financial year {assessment.year}")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(axis="y", color="0.92")
    from crimecast.report.milestones import probability

    chance = probability(assessment.baseline.probability.p, assessment.baseline.probability.n)
    caption = f"forecast from {as_of:%b %Y}; P(meet) {chance}: {assessment.baseline.verdict}"
    return with_caption(fig, caption, notice, monthly_ax=ax)


def allocation_chart(result, *, notice: str = ""):
    """Last year's, the optimal and the robust allocation per recipient, side by side; returns the Figure."""
    import numpy as np

    table = result.table
    x = np.arange(len(table))
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    for offset, column, colour, label in ((-0.27, "last_year", "0.6", f"{result.last_year_label} allocation"),
                                          (0.0, "optimal", "tab:blue", "optimal"),
                                          (0.27, "robust", "tab:orange", "optimal under uncertainty")):
        ax.bar(x + offset, table[column] / 1e6, width=0.27, color=colour, label=label)
    ax.set_xticks(x, table["label"], rotation=20, ha="right")
    ax.set_ylabel("£ million")
    number_axis(ax.yaxis)
    scenario = f", scenario '{result.scenario}'" if result.scenario else ""
    ax.set_title(f"Community Safety Fund {result.year}{scenario}: allocation by recipient", pad=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", color="0.92")
    caption = f"budget £{result.spec.budget:,.0f}; outcome: {result.weights.unit}; response curves are assumptions"
    return with_caption(fig, caption, notice)


def budget_curve_chart(result, *, notice: str = ""):
    """Total outcome as the budget sweeps, with and without the change limit; returns the Figure."""
    curve = result.budget_curve
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(curve["budget"] / 1e6, curve["outcome"], marker="o", color="tab:blue", label="with every constraint")
    ax.plot(curve["budget"] / 1e6, curve["no_change_limit_outcome"], marker="o", color="tab:green", linestyle="--",
            label="without the change limit")
    ax.axvline(result.spec.budget / 1e6, color="0.5", linewidth=0.8)
    ax.set_xlabel("Community Safety Fund budget (£ million)")
    ax.set_ylabel(f"{result.weights.unit} by the fund (schemes excluded)")
    number_axis(ax.xaxis, ax.yaxis)
    ax.set_title(f"What each budget buys, {result.year} (gaps: no allocation meets the constraints)", pad=10)
    ax.legend(fontsize=8, frameon=False)  # "best": placed when drawn, clear of the budget's label too
    ax.grid(color="0.92")
    with_caption(fig, "response curves are assumptions", notice)
    label_steps(ax, [(result.spec.budget / 1e6, "this year's budget")], color="0.4")  # up its line, clear of the curves
    return fig


def tradeoff_chart(tradeoff, *, baseline_cost: float, baseline_co2: float, notice: str = ""):
    """Least whole-life cost for each CO2 cap, with the like-for-like baseline marked; returns the Figure."""
    tradeoff = tradeoff.dropna(subset=["whole_life_cost"])  # points not proven optimal in time are skipped (and said so)
    fig, ax = subplots(figsize=(9, 5), dpi=100)
    ax.plot(tradeoff["co2_tonnes"], tradeoff["whole_life_cost"] / 1e3, marker="o", color="tab:green",
            label="least cost for each CO2 cap")
    ax.scatter([baseline_co2], [baseline_cost / 1e3], color="0.4", zorder=3, label="like-for-like renewals")
    ax.set_xlabel("CO2 over the appraisal (tonnes)")
    ax.set_ylabel("whole-life cost (£ thousand, discounted)")
    number_axis(ax.xaxis, ax.yaxis)
    ax.set_title("Fleet renewal: cost against CO2", pad=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(color="0.92")
    return with_caption(fig, "prices are assumptions", notice)


def tornado_chart(tornado, *, base_cost: float):
    """Change in the optimal whole-life cost when each price moves 20% down and up; returns the Figure."""
    fig, ax = subplots(figsize=(9, 4.5), dpi=100)
    rows = tornado.dropna(subset=["swing"]).iloc[::-1]
    y = range(len(rows))
    ax.barh(list(y), (rows["cost_at_low"] - base_cost) / 1e3, color="tab:blue", label="price 20% lower")
    ax.barh(list(y), (rows["cost_at_high"] - base_cost) / 1e3, color="tab:red", alpha=0.7, label="price 20% higher")
    ax.set_yticks(list(y), rows["label"])
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel("change in the optimal whole-life cost (£ thousand)")
    number_axis(ax.xaxis)
    ax.set_title("Fleet renewal: which prices matter most", pad=10)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
