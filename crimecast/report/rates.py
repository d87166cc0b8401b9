"""Rate series output: percentages in tables and sentences, the rate fan chart and the p-chart, as text and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.rate_words import RateWords
from crimecast.data.slugs import area_label, display_name
from crimecast.io import write_csv_atomic
from crimecast.data.frequency import MONTHLY
from crimecast.report.charts import (financial_year_axis_label, label_steps, legend_below, mark_financial_years,
                                     percent_axis, subplots, with_caption, year_ticks)
from crimecast.report.text import Line, heading, note, plain, wrote_line


def pct(value: float, digits: int = 1) -> str:
    """``0.8384`` -> ``'83.8%'``."""
    return "-" if value is None or value != value else f"{value * 100:.{digits}f}%"


def title(category: str, area: str) -> str:
    return f"{display_name(category)} — {area_label(area)}"


def forecast_frame(report) -> pd.DataFrame:
    """The monthly forecast as a CSV frame: fractions, the denominator assumed, model.

    The denominator's column is ``denominator`` for every rate (as in the p-chart's CSV and the store's ``rates``
    table; ``words`` in ``--json`` names what it counts): for a share of burglaries it holds the burglaries assumed
    each month, for satisfaction the surveys.
    """
    table = report.forecast.table()
    return table.assign(month=table["month"].dt.strftime("%Y-%m"), model=report.forecast.model).round(4)


def forecast_display(report) -> pd.DataFrame:
    """The monthly forecast for the terminal: percentages with 80% and 95% intervals."""
    table = report.forecast.table()
    return pd.DataFrame({
        "month": table["month"].dt.strftime("%Y-%m"),
        report.forecast.words.unit: table["denominator"].map(lambda v: f"{v:,}"),  # surveys, burglaries: the rate's own
        "expected": table["mean"].map(pct),
        "80% interval": [f"{pct(a)} to {pct(b)}" for a, b in zip(table["lo80"], table["hi80"])],
        "95% interval": [f"{pct(a)} to {pct(b)}" for a, b in zip(table["lo95"], table["hi95"])],
    })


def sentences(report) -> list[str]:
    """The rolling twelve-month rate now and at the end of the horizon, and the model in words."""
    f = report.forecast
    lo, hi = np.quantile(report.next12, [0.1, 0.9])
    end = f.months[min(12, len(f.months)) - 1]
    fit, words = f.fit, f.words
    return [
        f"Rolling 12 months to {f.history.index[-1]:%b %Y}: {pct(report.last12)}. "
        f"Expected rolling 12 months to {end:%b %Y}: {pct(report.next12.mean())} (80%: {pct(lo)} to {pct(hi)}).",
        f"Model: a local level on the logit scale (smoothing {fit.alpha:.2f}) with binomial sampling of the "
        f"{words.unit}; months vary {np.sqrt(fit.dispersion):.2f} times as much as {words.sampling} alone explains "
        f"({'extra-binomial variation included' if fit.extra > 0 else 'no extra-binomial variation found'}).",
    ]


def coverage_display(report) -> pd.DataFrame | None:
    """Backtest coverage of the intervals, the model against binomial sampling only."""
    if not report.coverage:
        return None
    return pd.DataFrame([{
        "model": c.model, "origins": c.origins, "monthly 80%": pct(c.monthly80, 0), "monthly 95%": pct(c.monthly95, 0),
        "12-month rate 80%": pct(c.window80, 0), "12-month rate 95%": pct(c.window95, 0),
        "80% width": f"{c.mean_width80 * 100:.1f} pts"} for c in report.coverage])


def rate_fan_chart(report, *, notice: str = "", target: float | None = None):
    """History (monthly rate and rolling twelve months), the forecast's 80%/95% intervals; returns the Figure."""
    f = report.forecast
    history = f.history[f.history.index >= f.history.index[-1] - pd.DateOffset(years=4)]
    rate = history["numerator"] / history["denominator"]
    rolling = (f.history["numerator"].rolling(12).sum() / f.history["denominator"].rolling(12).sum()).reindex(history.index)
    table = f.table()
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(rate.index, rate * 100, color="black", linewidth=1.0, marker=".", label="monthly rate")
    ax.plot(rolling.index, rolling * 100, color="0.45", linewidth=1.6, label="rolling 12 months")
    ax.fill_between(table["month"], table["lo95"] * 100, table["hi95"] * 100, color="tab:blue", alpha=0.18, label="95% interval")
    ax.fill_between(table["month"], table["lo80"] * 100, table["hi80"] * 100, color="tab:blue", alpha=0.35, label="80% interval")
    ax.plot(table["month"], table["mean"] * 100, color="tab:blue", linewidth=1.6, label="forecast")
    if target is not None:
        ax.axhline(target * 100, color="tab:green", linestyle="--", linewidth=1, label=f"target {pct(target, 0)}")
    mark_financial_years(ax, history.index[0], table["month"].iloc[-1])
    ax.set_title(f"{title(f.category, f.area)}: forecast to {table['month'].iloc[-1]:%b %Y}", pad=8)
    ax.set_ylabel(f.words.chart_axis)
    percent_axis(ax.yaxis)
    ax.set_xlabel(financial_year_axis_label(MONTHLY))
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=3)
    ax.grid(axis="y", color="0.92")
    caption = (f"model: {f.model} (logit local level, binomial sampling of {f.denominators[0]:,} {f.words.unit} a month, "
               f"extra-binomial variation); {f.paths.shape[0]:,} simulated paths")
    return with_caption(fig, caption, notice, monthly_ax=ax)


def p_chart_figure(chart, *, category: str, area: str, notice: str = ""):
    """The p-chart (or Laney p' chart): monthly rates, centre line and per-month limits, signals; returns the Figure."""
    points = chart.points
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    ax.plot(points["month"], points["rate"] * 100, color="black", linewidth=1.0, marker=".", label="monthly rate")
    ax.step(points["month"], points["upper"] * 100, where="mid", color="tab:blue", linewidth=0.9, label="limits")
    ax.step(points["month"], points["lower"] * 100, where="mid", color="tab:blue", linewidth=0.9)
    ax.plot(points["month"], points["centre"] * 100, color="tab:blue", linewidth=1.6, label="average")
    seen = set()
    for signal in chart.signals:
        colour = "tab:red" if signal.rule == "beyond limit" else "tab:orange"
        ax.scatter([signal.month], [signal.value * 100], facecolors="none", edgecolors=colour, s=70, zorder=5,
                   label=signal.rule if signal.rule not in seen else None)
        seen.add(signal.rule)
    for step in chart.steps:
        ax.axvline(step.month, color="tab:red", linestyle="--", linewidth=1)
    mark_financial_years(ax, points["month"].iloc[0], points["month"].iloc[-1])
    ax.set_title(f"{title(category, area)}: {chart.kind}", pad=8)
    ax.set_ylabel(chart.words.chart_axis)
    percent_axis(ax.yaxis)
    ax.set_xlabel(financial_year_axis_label(MONTHLY))
    legend = legend_below(ax, ncol=4)  # under the plot: clear of the lower limit line
    ax.grid(axis="y", color="0.92")
    kinds = "; ".join(f"{p.start:%b %Y}-{p.end:%b %Y}: {p.kind}, sigma_z {p.sigma_z:.2f}" for p in chart.periods)
    caption = (f"Limits: average +/- 3 x binomial sigma of each month's {chart.words.unit}, times Laney's sigma_z "
               f"where the months are overdispersed (chi-square p < 0.05) and sigma_z is above 1. {kinds}")
    with_caption(fig, caption, notice, monthly_ax=ax, legend=legend)
    label_steps(ax, [(step.month, f"step {'up' if step.after > step.before else 'down'}") for step in chart.steps])
    return fig


def p_chart_frame(chart) -> pd.DataFrame:
    """The p-chart's points as a CSV frame."""
    points = chart.points
    return points.assign(month=points["month"].dt.strftime("%Y-%m"),
                         kind=[next(p.kind for p in chart.periods if p.start <= m <= p.end) for m in points["month"]]).round(4)


def rate_milestone_chart(assessment, *, as_of: pd.Timestamp, notice: str = ""):
    """A rate milestone through its year: the year's rate so far, the forecast's 80% band, the target and outcome."""
    frame = assessment.cumulative
    fig, ax = subplots(figsize=(9, 4.5), dpi=100)
    if frame["actual"].notna().any():
        ax.plot(frame["month"], frame["actual"] * 100, color="black", marker=".", label="year's rate so far")
    if frame["outcome"].notna().any():
        ax.plot(frame["month"], frame["outcome"] * 100, color="0.5", linestyle=":", marker=".", label="outcome (replay)")
    ax.fill_between(frame["month"], frame["baseline_lo80"] * 100, frame["baseline_hi80"] * 100, color="tab:blue",
                    alpha=0.3, label="forecast, 80% interval")
    ax.plot(frame["month"], frame["baseline_mean"] * 100, color="tab:blue", label="forecast")
    ax.axhline(assessment.threshold * 100, color="tab:green", linestyle="--", label=f"target {pct(assessment.threshold, 0)}")
    ax.set_title(f"{assessment.label}: {assessment.milestone.describe()}, {assessment.year}", pad=12)
    ax.set_ylabel((assessment.rate_words or RateWords()).year_axis)
    percent_axis(ax.yaxis)
    year_ticks(ax, frame["month"], MONTHLY)
    ax.set_xlabel(f"month of financial year {assessment.year}")
    legend = legend_below(ax, ncol=5)  # under the plot: clear of the year's first months
    ax.grid(axis="y", color="0.92")
    from crimecast.report.milestones import probability

    chance = probability(assessment.baseline.probability.p, assessment.baseline.probability.n)
    caption = f"forecast from {as_of:%b %Y}; P(meet) {chance}: {assessment.baseline.verdict}"  # as the summary shows it
    return with_caption(fig, caption, notice, monthly_ax=ax, legend=legend)


def rate_run_json(report, *, data: dict, rates: dict, files: list) -> dict:
    """``forecast run --json`` on a rate series: the forecast in percentages, last and next 12 months, coverage, files.

    ``data`` and ``rates`` are the counts' and the rate table's ``attrs``. ``words`` names the rate's numerator and
    denominator (:meth:`crimecast.data.rates.RateWords.as_json`): each forecast month's ``denominator`` is the
    number of them assumed (burglaries, for a share of burglaries).
    """
    from crimecast.report import serialise

    f = report.forecast
    return {"data": data.get("source"), "illustrative": bool(rates.get("illustrative")),
            "notice": rates.get("notice", ""), "rate": True, "category": f.category, "area": f.area,
            "words": f.words.as_json(), "model": f.model, "last12": report.last12,
            "next12_mean": float(report.next12.mean()),
            "forecast": serialise.records(forecast_frame(report)),
            "coverage": [vars(c) for c in report.coverage], "notes": list(report.notes),
            "files": [str(p) for p in files]}


def p_chart_json(chart, *, category: str, area: str, rates: dict, summary: list[str], files: list,
                 frame: pd.DataFrame | None = None) -> dict:
    """``forecast spc --json`` on a rate series: the chart's periods, signals, summary, points and files.

    ``frame`` is :func:`p_chart_frame` of the chart (made here when not given); ``words`` names the rate's numerator
    and denominator (:meth:`crimecast.data.rates.RateWords.as_json`).
    """
    from crimecast.report import serialise

    frame = p_chart_frame(chart) if frame is None else frame
    return {"category": category, "area": area, "chart": chart.kind, "rate": True, "words": chart.words.as_json(),
            "illustrative": bool(rates.get("illustrative")),
            "periods": [{**vars(p), "kind": p.kind, "laney": p.laney} for p in chart.periods],
            "signals": [vars(s) for s in chart.signals], "summary": summary,
            "points": serialise.records(frame), "files": [str(p) for p in files]}


def write_rate_run_files(report, folder: Path, *, data_label: str, notice: str = "", chart: bool = True) -> list[Path]:
    """``forecast run`` on a rate series: the forecast CSV and (with ``chart``) the fan chart PNG; the paths in order.

    Parameters
    ----------
    report
        What :func:`crimecast.forecast.rates.run_rate` returned.
    folder
        Where to write (the command's staged output folder).
    data_label
        Where the data come from, written in a ``data`` column.
    notice
        The illustrative-data notice for the chart's caption.
    chart
        Draw the fan chart.
    """
    from crimecast.report.charts import save_figure

    from crimecast.report.files import output_names

    folder = Path(folder)
    csv_name, chart_name = output_names(report.forecast.category, report.forecast.area)
    written = [write_csv_atomic(forecast_frame(report).assign(data=data_label), folder / csv_name)]
    if chart:
        written.append(save_figure(rate_fan_chart(report, notice=notice), folder / chart_name))
    return written


def rate_run_text(report, *, data_label: str, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast run`` on a rate series: the monthly percentages, the rolling twelve months, backtest coverage, notes.

    Parameters
    ----------
    report
        What :func:`crimecast.forecast.rates.run_rate` returned.
    data_label
        Where the data come from.
    folder, files
        The output folder as the user gave it, and the files written there.
    """
    from crimecast.report.tables import text_table

    f = report.forecast
    lines = [heading(f"\n{title(f.category, f.area)} (a rate: {f.words.ratio}). Data: {data_label}. "
                     f"Model: {f.model}, {f.paths.shape[0]:,} paths."),
             plain(text_table(forecast_display(report), align_left=("month",))), plain(),
             *(plain(line) for line in sentences(report))]
    coverage = coverage_display(report)
    if coverage is not None:
        lines += [plain(f"\nBacktest: {report.coverage[0].origins} origins, each forecasting 12 months with the actual "
                        f"{f.words.unit} of those months; share of actual rates inside the intervals (nominal 80% and "
                        "95%):"),
                  plain(text_table(coverage, align_left=("model",)))]
    lines += [note(f"Note: {text}") for text in report.notes]
    if files:
        lines.append(plain(wrote_line(files, folder, chart=False)))
    return lines


def write_p_chart_files(chart, folder: Path, *, category: str, area: str, notice: str = "",
                        drawn: bool = True) -> list[Path]:
    """``forecast spc`` on a rate series: the points CSV and (``drawn``) the chart PNG (last); the paths in order."""
    from crimecast.report.charts import save_figure

    folder, stem = Path(folder), f"{category}_{area}_pchart"
    written = [write_csv_atomic(p_chart_frame(chart), folder / f"{stem}.csv")]
    if drawn:
        written.append(save_figure(p_chart_figure(chart, category=category, area=area, notice=notice),
                                   folder / f"{stem}.png"))
    return written


def p_chart_text(chart, *, category: str, area: str, summary: list[str], folder: Path, files: list[Path]) -> list[Line]:
    """``forecast spc`` on a rate series: the chart used, its periods (average, sigma_z, overdispersion), the summary.

    ``summary`` is :func:`crimecast.forecast.pchart.describe_p_chart` of the chart.
    """
    from crimecast.report.tables import text_table

    periods = chart.periods
    shown = pd.DataFrame({"start": [f"{p.start:%Y-%m}" for p in periods], "end": [f"{p.end:%Y-%m}" for p in periods],
                          "chart": [p.kind for p in periods], "average": [pct(p.centre) for p in periods],
                          "sigma_z": [f"{p.sigma_z:.2f}" for p in periods],
                          "overdispersion p": [f"{p.p_value:.3g}" for p in periods]})
    lines = [heading(f"\n{title(category, area)}: {chart.kind}"),
             plain(text_table(shown, align_left=("start", "end", "chart"))), plain(),
             *(plain(line) for line in summary)]
    if files:
        lines.append(plain(wrote_line(files, folder)))
    return lines


def catalogue_display(rates: pd.DataFrame) -> pd.DataFrame:
    """The rate series for ``forecast list``: areas, first and last month, the whole-period rate."""
    from crimecast.data.rates import rate_catalogue

    table = rate_catalogue(rates)
    return table.assign(rate=table["rate"].map(pct))
