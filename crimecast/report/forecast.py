"""Forecast results for people and programs: ``forecast run``, ``backtest`` and ``spc`` as text, JSON and files.

Text is ``list[Line]`` (crimecast.report.text), printed by the CLI; the
``write_*`` functions write a command's files into a folder (the CLI's staged
output) and return their paths in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crimecast.data.frequency import Frequency, frequency_named
from crimecast.forecast.run import BacktestReport, ProcessReport, SeriesFailure, SeriesReport
from crimecast.io import write_csv_atomic
from crimecast.report.files import output_names
from crimecast.report import serialise, tables
from crimecast.report.text import Line, detail, done, error, heading, note, plain, wrote_line
from crimecast.words import counted

if TYPE_CHECKING:
    import pandas as pd

    from crimecast.forecast.saved import SavedSummary
    from crimecast.report.files import ChartWorkers


def _failed(failures: list[SeriesFailure]) -> list[dict]:
    return [{"category": f.category, "area": f.area, "reason": f.reason} for f in failures]


def backtest_json(report: BacktestReport, *, data: dict) -> dict:
    """``forecast backtest --json``: scores overall and per series, the series a baseline won, notes, failures.

    Parameters
    ----------
    report
        What :func:`crimecast.forecast.run.run_backtests` returned.
    data
        The counts' ``attrs`` (source, illustrative).
    """
    return {"data": data.get("source"), "illustrative": bool(data.get("illustrative")),
            "overall": serialise.records(report.overall.reset_index()), "per_series": serialise.records(report.per_series),
            "lost_to_baseline": serialise.records(report.lost), "notes": list(report.notes),
            "failed": _failed(report.failures)}


def backtest_text(report: BacktestReport, *, model: str, frequency: Frequency, off: Sequence[str] = ()) -> list[Line]:
    """``forecast backtest``: per-series scores (several series), the overall table, and where a baseline won;
    ``off`` (``ForecastSpec.switched_off``) is named in the overall table's heading."""
    lines = [note(f"Note: {text}") for text in report.notes]
    per_series = report.per_series
    if per_series[["category", "area"]].drop_duplicates().shape[0] > 1:
        lines += [plain(tables.per_series_backtest_table(per_series, frequency=frequency)), plain()]
    lines += [heading(f"Overall ({_windows_per_series(report.scores)}{tables.switched_off_text(off)}):"),
              plain(tables.backtest_table(report.overall, frequency=frequency))]
    if report.lost.empty:
        lines.append(plain(f"\n{model} had the lowest MASE on every series."))
    for row in report.lost.itertuples():
        lines.append(note(f"Note: on {row.category} / {row.area}, {row.best_model} beat {model} "
                          f"(MASE {row.best_mase:.2f} vs {row.model_mase:.2f})."))
    return lines


def _windows_per_series(scores: pd.DataFrame) -> str:
    """How many backtest windows each series was scored on: ``'3 windows per series'``, ``'1 window per series'``,
    or, when series of different lengths fit different numbers, ``'1 to 3 windows per series'`` (not the number of
    distinct windows, which series ending in different months make more than any series has)."""
    counts = scores.groupby(["category", "area"], dropna=False)["origin"].nunique()
    fewest, most = int(counts.min()), int(counts.max())
    if fewest == most:
        return f"{counted(most, 'window')} per series"
    return f"{fewest} to {most} windows per series"


def run_json(reports: list[SeriesReport], *, notes: list[str], failures: list[SeriesFailure], data: dict,
             files: list[Path], batch_notes: list[str] = ()) -> dict:
    """``forecast run --json``: every series forecast, the run's notes, the series that failed, and the files written.

    Parameters
    ----------
    reports, notes, failures, batch_notes
        What :func:`crimecast.forecast.run.run_forecasts` returned (``batch_notes``: ``RunReport.batch_notes``).
    data
        The counts' ``attrs`` (source, illustrative, notice).
    files
        The files written.
    """
    return {"data": data.get("source"), "illustrative": bool(data.get("illustrative")),
            "notice": data.get("notice", ""), "notes": notes, "batch_notes": list(batch_notes),
            "series": [serialise.series_report(r) for r in reports],
            "failed": _failed(failures), "files": [str(p) for p in files]}


def spc_json(report: ProcessReport, *, files: list[Path]) -> dict:
    """``forecast spc --json``: periods, signals, summary and notes, and the files written."""
    return {**serialise.spc_report(report), "files": [str(p) for p in files]}


def spc_areas_json(report, *, rows, files: list[Path]) -> dict:
    """``forecast spc CATEGORY --area all --json``: one record per area, the areas that failed, notes and the files."""
    return {"category": report.category, "areas": serialise.records(rows), "notes": list(report.notes),
            "failed": [{"area": a, "reason": r} for a, r in report.failures], "files": [str(p) for p in files]}


def saved_json(table) -> dict:
    """``forecast forecasts --json``: one record per saved forecast, ``created_at`` to the second (other dates are
    months); ``as_of`` (its period's first month) is followed by ``as_of_label``, the period as the data names it
    (``"2012/13 Q3"`` for quarterly data)."""
    stamped = table.assign(created_at=table["created_at"].map(lambda d: f"{d:%Y-%m-%dT%H:%M:%S}"))
    stamped.insert(stamped.columns.get_loc("as_of") + 1, "as_of_label", _as_of_labels(table))
    return {"forecasts": serialise.records(stamped)}


def _as_of_labels(table: pd.DataFrame) -> list[str]:
    """Each saved forecast's as-of period as its data names it: ``2014-03``, or ``2012/13 Q3`` for quarterly data."""
    return [frequency_named(frequency).label(d) for d, frequency in zip(table["as_of"], table["frequency"])]


def saved_text(table: pd.DataFrame) -> list[Line]:
    """``forecast forecasts``: one row per saved forecast, or how to save one."""
    if table.empty:
        return [plain("No saved forecasts. Save one with `forecast run CATEGORY --save NAME`.")]
    shown = table.assign(as_of=_as_of_labels(table), kilobytes=table["kilobytes"].round(0),  # as_of: 2012/13 Q3
                         created_at=table["created_at"].map(lambda d: f"{d:%Y-%m-%d %H:%M}"))
    return [plain(tables.text_table(shown[["name", "data", "as_of", "periods", "model", "off", "paths", "series",
                                           "kilobytes", "created_at"]], align_left=("name", "data", "model", "off")))]


def dropped_text(name: str) -> list[Line]:
    """``forecast forecasts --drop NAME``: what was removed."""
    return [plain(f"Dropped the saved forecast '{name}'.")]


def dropped_json(name: str) -> dict:
    """``forecast forecasts --drop NAME --json``."""
    return {"dropped": name}


# ---------------------------------------------------------------- forecast run: text

def series_text(report: SeriesReport, *, data_label: str, off: Sequence[str] = ()) -> list[Line]:
    """One series' forecast: title, recorded changes (E-test), the forecast table, the year, backtest and notes.

    Parameters
    ----------
    report
        One of the reports :func:`crimecast.forecast.run.run_forecasts` returned.
    data_label
        Where the counts come from, e.g. ``'west-midlands (illustrative)'``.
    off
        The defaults the forecast went without (``ForecastSpec.switched_off``), named after the model.
    """
    result = report.forecast
    lines = [heading(f"\n{tables.series_title(result)}. Data: {data_label}. Model: "
                     f"{tables.model_text(tables.model_label(result, filled=report.filled), paths=result.paths.shape[0], off=off)}."),
             *(plain("Recorded " + tables.comparison_line(comparison, frequency=result.frequency,
                                                          total=(result.category, result.area)))
               for comparison in report.comparisons),
             plain(), plain(tables.forecast_table(result)), plain(),
             *(plain(line) for line in tables.year_sentences(result, filled=report.filled))]
    summary = report.backtest_summary
    if summary is not None:
        windows = int(summary["windows"].max())
        frequency = result.frequency
        lines += [plain(f"\nBacktest: {windows} window{'s' if windows != 1 else ''} of {tables.year_window(frequency)}, "
                        "each forecast from the data before it (lower MASE is better):"),
                  plain(tables.backtest_table(summary, frequency=frequency))]
    return lines + [note(f"Note: {text}") for text in result.notes + report.notes]


def run_summary(reports: list[SeriesReport], *, failures: list[SeriesFailure]) -> pd.DataFrame | None:
    """The one-row-per-series summary of a batch (``summary.csv``), or ``None`` for a single series."""
    if len(reports) + len(failures) <= 1:
        return None
    return tables.summary_frame(reports, failures=failures)


def run_text(reports: list[SeriesReport], *, summary: pd.DataFrame | None, data_label: str, folder: Path,
             files: list[Path], notes: Sequence[str] = (), batch_notes: Sequence[str] = (),
             off: Sequence[str] = ()) -> list[Line]:
    """``forecast run``: the notes on the selection, one series in full or a table of the series forecast, then the
    files written.

    Parameters
    ----------
    reports
        The series forecast.
    summary
        :func:`run_summary` (``None`` for one series).
    data_label
        Where the counts come from.
    folder, files
        The output folder as the user gave it, and the files written there.
    notes
        ``RunReport.notes``, on the selection (a category read as another, what ``all`` left out): said first, on
        stdout, as ``backtest`` and ``spc`` say theirs (``--json`` has them in its ``notes``).
    batch_notes
        ``RunReport.batch_notes``: said under a batch's table.
    off
        The defaults the forecasts went without (``ForecastSpec.switched_off``): named in one series' header, and
        in a line over a batch's table (which has no header when none is off).
    """
    lines = [note(f"Note: {text}") for text in notes]
    if summary is None and reports:
        lines += series_text(reports[0], data_label=data_label, off=off)
    elif reports:
        if off:
            first = reports[0].forecast
            lines.append(heading(f"Model: {tables.model_text(first.model, paths=first.paths.shape[0], off=off)}."))
        shown = tables.summary_display(summary[summary["status"] == "ok"])
        lines.append(plain(tables.text_table(shown, align_left=("category", "area", "financial year", "lost to baseline"))))
        lines += _summed_note(reports)
        lines += [note(f"Note: {text}") for text in batch_notes]
    if files:
        lines.append(plain(wrote_line(files, folder, chart=False)))
    return lines


def _summed_note(reports: list[SeriesReport]) -> list[Line]:
    """Say which rows are the sum of other rows' areas, and why they differ from the series forecast alone."""
    summed = [r for r in reports if r.summed_areas]
    if not summed:
        return []
    rows = ", ".join(f"{r.forecast.category} / {r.forecast.area}" for r in summed[:4]) + (" ..." if len(summed) > 4 else "")
    one = len(summed) == 1
    alone = f"`forecast run {summed[0].forecast.category}`" if one else "`forecast run CATEGORY`"
    return [note(f"Note: {'the row' if one else 'the rows'} {rows} {'is' if one else 'are each'} the sum of "
                 f"{max(r.summed_areas for r in summed)} areas' forecasts, path by path, so the areas add up to "
                 f"{'it' if one else 'them'}; {alone} without --area all forecasts the force from its own counts, which "
                 "gives a somewhat different figure. A backtest score on such a row is of the force's own counts.")]


def save_text(saved: SavedSummary | None, *, name: str, failures: list[SeriesFailure]) -> list[Line]:
    """``--save NAME``: where the forecast was kept, or why it was not (some series failed), on stderr."""
    if saved is not None:
        return [done(f"Saved the forecast as '{saved.name}' in {saved.store} ({saved.series} series forecast, "
                     f"{saved.kilobytes:,.0f} kB{'; replaced the one of that name' if saved.replaced else ''}). "
                     f"Use it with --forecast {saved.name}.")]
    if failures:
        return [error(f"Not saved as '{name}': some series could not be forecast (listed below).")]
    return []


def removed_text(removed: list[Path] | tuple[Path, ...]) -> list[Line]:
    """Files of an earlier run removed because this run could not redo them, on stderr."""
    return [note(f"Removed {old}: it was from an earlier run and this run could not redo it.", err=True) for old in removed]


def failures_text(failures: list[SeriesFailure], *, what: str, debug: bool = False) -> list[Line]:
    """The series a batch could not ``what`` (forecast, backtest), and why, on stderr; with ``debug`` the tracebacks."""
    if not failures:
        return []
    lines = [error(f"\nCould not {what} {len(failures)} series (the others are done):")]
    for failure in failures:
        lines.append(error(f"- {failure.label}: {failure.why}"))
        if debug and failure.detail:
            lines.append(detail(failure.detail))
    return lines


# ---------------------------------------------------------------- forecast run: files

def stale_names(failures: list[SeriesFailure]) -> tuple[str, ...]:
    """The files of the series that failed: an earlier run's copies are out of date."""
    return tuple(name for f in failures for name in output_names(f.category, f.area))


def write_run_files(reports: list[SeriesReport], folder: Path, *, counts: pd.DataFrame, data_label: str,
                    summary: pd.DataFrame | None = None, chart: bool = True,
                    workers: ChartWorkers | None = None, progress=None) -> list[Path]:
    """Each series' CSV and fan chart (with ``chart``) and a batch's ``summary.csv``, in ``folder``; the paths in order.

    Parameters
    ----------
    reports
        The series forecast.
    folder
        Where to write (the command's staged output folder).
    counts
        The counts forecast: their illustrative notice and filled-in periods go on the charts.
    data_label
        Where the counts come from, written in a ``data`` column.
    summary
        :func:`run_summary`; written as ``summary.csv`` when given.
    chart
        Draw the fan charts.
    workers
        Chart workers started earlier (see :class:`crimecast.report.files.ChartWorkers`), else drawn here.
    progress
        Called with ``"category / area"`` as each fan chart is written.
    """
    from crimecast.report.files import write_forecast_files

    folder = Path(folder)
    results = [report.forecast for report in reports]
    filled = {(r.forecast.category, r.forecast.area): r.filled for r in reports}  # found once, by run_forecasts
    written = write_forecast_files(results, folder, data_label=data_label, notice=counts.attrs.get("notice", ""),
                                   filled=filled, chart=chart, workers=workers, progress=progress)
    if summary is not None:
        written.append(write_csv_atomic(summary.assign(data=data_label), folder / "summary.csv"))
    return written


# ---------------------------------------------------------------- forecast spc

def _spc_stem(report: ProcessReport) -> str:
    return f"{report.category}_{report.area}_spc" + ("_adjusted" if report.chart.seasonally_adjusted else "")


def _control_chart_figure(report: ProcessReport, notice: str, filled):
    """The control chart of ``report``, with the data's ``notice`` and its ``filled`` periods marked."""
    from crimecast.report.charts import control_chart_figure

    return control_chart_figure(report.chart, category=report.category, area=report.area,
                                known={k.month: k.description for k in report.known}, notice=notice, filled=filled,
                                whole=report.whole_title)


def _control_chart(report: ProcessReport, *, counts: pd.DataFrame):
    from crimecast.data.series import filled_periods

    return _control_chart_figure(report, counts.attrs.get("notice", ""),
                                 filled_periods(counts, category=report.category, area=report.area))


def write_spc_files(report: ProcessReport, folder: Path, *, counts: pd.DataFrame, chart: bool = True) -> list[Path]:
    """``forecast spc``: the periods and signals CSVs and (unless ``chart`` is false) the PNG chart, in ``folder``;
    the paths (chart last).

    ``counts`` are the data charted: their notice and filled-in periods go on the chart.
    """
    from crimecast.report.charts import save_figure

    folder, stem = Path(folder), _spc_stem(report)
    written = [write_csv_atomic(tables.spc_periods(report.chart), folder / f"{stem}_periods.csv"),
               write_csv_atomic(tables.spc_signals(report.chart), folder / f"{stem}_signals.csv")]
    if chart:
        written.append(save_figure(_control_chart(report, counts=counts), folder / f"{stem}.png"))
    return written


def _unrounded_limits(chart) -> dict[str, list[str]]:
    """Each period's mean and limits as whole counts, rounded once from the chart (as the summary sentence is),
    not from the CSV's one decimal: 1,991.46 shows as 1,991 in both."""
    values = {"mean": [p.limits.mean for p in chart.periods], "lower": [max(p.limits.lower, 0.0) for p in chart.periods],
              "upper": [p.limits.upper for p in chart.periods]}
    shown = {column: [tables.count(v) for v in shown] for column, shown in values.items()}
    for column in ("lower", "upper"):  # limits that mean nothing (too few crimes) are not shown
        shown[column] = ["-" if p.degenerate else v for p, v in zip(chart.periods, shown[column])]
    return shown


def spc_text(report: ProcessReport, *, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast spc``: notes, the periods (average and limits), the signals, the summary and the files written."""
    periods, signals = tables.spc_periods(report.chart), tables.spc_signals(report.chart)
    adjusted = ", seasonally adjusted" if report.chart.seasonally_adjusted else ""
    lines = [note(f"Note: {text}") for text in report.notes]
    lines += [heading(f"\n{tables.display_name(report.category)} — {tables.area_label(report.area, whole=report.whole_title)}: "
                      f"XmR chart{adjusted}"),
              plain(tables.text_table(periods.assign(**_unrounded_limits(report.chart)), align_left=("start", "end"))),
              plain()]
    if not signals.empty:
        lines += [plain(tables.text_table(signals.assign(value=signals["value"].map(tables.count)),
                                          align_left=(signals.columns[0], "rules"))), plain()]
    elif not report.chart.periods[-1].degenerate:  # else the summary says why no signal is read
        lines += [plain("No special-cause signals."), plain()]
    lines += [plain(line) for line in report.summary]
    if files:
        lines.append(plain(wrote_line(files, folder)))
    return lines


def _control_chart_png(item: tuple) -> bytes:
    """One area's control chart as PNG bytes, from ``(report, notice, filled)`` (drawn in a chart worker; written by
    the parent)."""
    from crimecast.report.charts import png_bytes

    return png_bytes(_control_chart_figure(*item))


def write_spc_areas_files(report, folder: Path, *, rows: pd.DataFrame, counts: pd.DataFrame, data_label: str,
                          seasonal_adjust: bool = False, chart: bool = True, workers=None,
                          progress=None) -> list[Path]:
    """``forecast spc CATEGORY --area all``: the one-row-per-area CSV, then each area's chart; the paths in order.

    Parameters
    ----------
    report
        What :func:`crimecast.forecast.spc_areas.run_spc_areas` returned.
    folder
        Where to write.
    rows
        ``report.rows()``.
    counts, data_label
        The data charted (notice and filled-in periods on the charts) and where it comes from (CSV column).
    seasonal_adjust
        The charts are of seasonally adjusted values (named ``..._adjusted``).
    chart
        Draw each area's chart (``--no-chart``: the CSV only).
    workers, progress
        Chart workers started earlier (:class:`crimecast.report.files.ChartWorkers`; else the charts are drawn
        here), and a callback called with each area's name as its chart is written.
    """
    from crimecast.data.series import filled_periods
    from crimecast.report.files import write_bytes_atomic

    folder, adjusted = Path(folder), "_adjusted" if seasonal_adjust else ""
    written = [write_csv_atomic(rows.assign(category=report.category, data=data_label),
                                folder / f"{report.category}_areas_spc{adjusted}.csv")]
    if not chart:
        return written
    items = [(one, counts.attrs.get("notice", ""), tuple(filled_periods(counts, category=one.category, area=one.area)))
             for one in report.reports]
    pngs = workers.draw(_control_chart_png, items) if workers is not None else map(_control_chart_png, items)
    for one, png in zip(report.reports, pngs):
        written.append(write_bytes_atomic(folder / f"{one.category}_{one.area}_spc{adjusted}.png", png))
        if progress:
            progress(one.area)
    return written


SPC_AREA_HEADINGS = {"since": "period from", "last_step": "last step", "exceptional_points": "exceptional points"}


def spc_areas_text(report, *, rows: pd.DataFrame, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast spc CATEGORY --area all``: notes (first, as one area's chart has them), one row per area (the
    current period) and the files written."""
    shown = rows.assign(**{c: rows[c].map(tables.count) for c in ("mean", "lower", "upper", "latest")})
    shown = shown.rename(columns=SPC_AREA_HEADINGS)  # the CSV keeps the column names
    lines = [note(f"Note: {text}") for text in report.notes]
    lines += [heading(f"\n{tables.display_name(report.category)}: XmR chart of each area (the current period)"),
              plain(tables.text_table(shown, align_left=("area", "period from", "status", "signals", "last step")))]
    if files:
        charts = " and one chart per area" if any(path.suffix == ".png" for path in files) else ""  # not --no-chart
        lines.append(plain(f"\nWrote {counted(len(files), 'file')} to {folder}/ ({files[0].name}{charts})."))
    return lines


def spc_areas_failures_text(report) -> list[Line]:
    """The areas that could not be charted, and why, on stderr (the command then exits 1)."""
    return [error(f"- {area}: {reason}") for area, reason in report.failures]


__all__ = ["backtest_json", "backtest_text", "dropped_json", "dropped_text", "failures_text", "output_names", "removed_text", "run_json",
           "run_summary", "run_text", "save_text", "saved_json", "saved_text", "series_text", "spc_areas_failures_text",
           "spc_areas_json", "spc_areas_text", "spc_json", "spc_text", "stale_names", "write_run_files",
           "write_spc_areas_files", "write_spc_files"]
