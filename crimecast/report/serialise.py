"""JSON-ready dictionaries of results, for `--json` output."""

from __future__ import annotations

import json
import math

import pandas as pd

from crimecast.forecast.run import ProcessReport, SeriesReport
from crimecast.report.tables import spc_periods, spc_signals


def json_default(value):
    """``json.dumps`` fallback: months as ``YYYY-MM``, NaN as null, anything else as text."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dictionaries, dates as ``YYYY-MM``, NaN as null."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m")
    return json.loads(frame.to_json(orient="records", double_precision=6))


def _with_period_label(result) -> pd.DataFrame:
    """The forecast table; quarterly forecasts get a ``quarter`` label (``2014/15 Q1``) after ``month``."""
    table = result.monthly_table()
    frequency = result.frequency
    if frequency.months_per_period > 1:
        table.insert(1, frequency.noun, table["month"].map(frequency.label))
    return table


def series_report(report: SeriesReport) -> dict:
    """One forecast with its backtest, recorded changes and notes."""
    result = report.forecast
    summary = report.backtest_summary
    return {
        "category": result.category,
        "area": result.area,
        "model": result.model,
        "paths": int(result.paths.shape[0]),
        "forecast": records(_with_period_label(result)),
        "financial_years": records(result.financial_years()),
        "backtest": None if summary is None else records(summary.reset_index()),
        "lost_to_baseline": report.lost_to,
        "recorded_changes": [{"period": c.label, "current": c.test.current, "previous": c.test.previous,
                              "change": c.test.change, "z": c.test.z, "p_value": c.test.p_value,
                              "verdict": c.test.verdict,
                              "filled": [f"{m:%Y-%m}" for m in c.filled]} for c in report.comparisons],
        "filled": [f"{m:%Y-%m}" for m in report.filled],  # periods missing from the data and filled in
        "notes": result.notes + report.notes,
    }


def spc_report(report: ProcessReport) -> dict:
    """An SPC reading: periods, signals, steps, summary and notes."""
    return {
        "category": report.category,
        "area": report.area,
        "seasonally_adjusted": report.chart.seasonally_adjusted,
        "periods": records(spc_periods(report.chart)),
        "signals": records(spc_signals(report.chart)),
        "steps": [{"month": s.month.strftime("%Y-%m"), "change": s.change, "before": s.before, "after": s.after,
                   "evidence": s.evidence, "known": s.known} for s in report.chart.steps],
        "summary": report.summary,
        "notes": report.notes,
    }
