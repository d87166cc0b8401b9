"""Forecast results for people and programs: ``forecast backtest`` and ``forecast spc`` as text and JSON."""

from __future__ import annotations

from pathlib import Path

from crimecast.data.frequency import Frequency
from crimecast.forecast.run import BacktestReport, ProcessReport, SeriesFailure, SeriesReport
from crimecast.report import serialise, tables
from crimecast.report.text import Line, heading, note, plain


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


def backtest_text(report: BacktestReport, *, model: str, frequency: Frequency) -> list[Line]:
    """``forecast backtest``: per-series scores (several series), the overall table, and where a baseline won."""
    lines = [note(f"Note: {text}") for text in report.notes]
    per_series = report.per_series
    if per_series[["category", "area"]].drop_duplicates().shape[0] > 1:
        shown = per_series.assign(mase=per_series["mase"].round(2), total_ape=per_series["total_ape"].round(1),
                                  coverage80=per_series["coverage80"].round(0))
        lines += [plain(tables.text_table(shown, align_left=("category", "area", "model"))), plain()]
    lines += [heading(f"Overall ({report.scores['origin'].nunique()} window(s) per series):"),
              plain(tables.backtest_table(report.overall, frequency=frequency))]
    if report.lost.empty:
        lines.append(plain(f"\n{model} had the lowest MASE on every series."))
    for row in report.lost.itertuples():
        lines.append(note(f"Note: on {row.category} / {row.area}, {row.best_model} beat {model} "
                          f"(MASE {row.best_mase:.2f} vs {row.model_mase:.2f})."))
    return lines


def run_json(reports: list[SeriesReport], *, notes: list[str], failures: list[SeriesFailure], data: dict,
             files: list[Path]) -> dict:
    """``forecast run --json``: every series forecast, the run's notes, the series that failed, and the files written.

    Parameters
    ----------
    reports, notes, failures
        What :func:`crimecast.forecast.run.run_forecasts` returned.
    data
        The counts' ``attrs`` (source, illustrative, notice).
    files
        The files written.
    """
    return {"data": data.get("source"), "illustrative": bool(data.get("illustrative")),
            "notice": data.get("notice", ""), "notes": notes, "series": [serialise.series_report(r) for r in reports],
            "failed": _failed(failures), "files": [str(p) for p in files]}


def spc_json(report: ProcessReport, *, files: list[Path]) -> dict:
    """``forecast spc --json``: periods, signals, summary and notes, and the files written."""
    return {**serialise.spc_report(report), "files": [str(p) for p in files]}


def spc_areas_json(report, *, rows, files: list[Path]) -> dict:
    """``forecast spc CATEGORY --area all --json``: one record per area, the areas that failed, and the files."""
    return {"category": report.category, "areas": serialise.records(rows),
            "failed": [{"area": a, "reason": r} for a, r in report.failures], "files": [str(p) for p in files]}


def saved_json(table) -> dict:
    """``forecast forecasts --json``: one record per saved forecast."""
    return {"forecasts": serialise.records(table)}


__all__ = ["backtest_json", "backtest_text", "run_json", "saved_json", "spc_areas_json", "spc_json"]
