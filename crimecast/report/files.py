"""Output files: forecast CSVs and charts, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.forecast.paths import ForecastResult
from crimecast.io import write_atomic, write_csv_atomic

DECIMALS = 1


def forecast_frame(result: ForecastResult, *, data_label: str = "") -> pd.DataFrame:
    """History and forecast in one table: ``kind`` is ``actual`` or ``forecast``.

    ``data_label`` (e.g. ``"west-midlands (illustrative)"``) is written in a
    ``data`` column so the file says where its numbers come from. Quarterly
    forecasts keep ``month`` (the quarter's first month, as in the data
    contract) and add a ``quarter`` label such as ``2013/14 Q1`` after it.
    """
    actual = pd.DataFrame({"month": result.history.index, "kind": "actual", "count": result.history.to_numpy()})
    forecast = result.monthly_table().assign(kind="forecast")
    frame = pd.concat([actual, forecast], ignore_index=True)
    frame.insert(0, "area", result.area)
    frame.insert(0, "category", result.category)
    frequency = result.frequency
    if frequency.months_per_period > 1:
        frame.insert(frame.columns.get_loc("month") + 1, frequency.noun, frame["month"].map(frequency.label))
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    frame["model"] = result.model
    frame["data"] = data_label
    return frame.round(DECIMALS)


def output_stem(result: ForecastResult) -> str:
    return f"{result.category}_{result.area}"


def write_forecast_csv(result: ForecastResult, out_dir: Path, *, data_label: str = "") -> Path:
    """``<out>/<category>_<area>_forecast.csv``."""
    return write_csv_atomic(forecast_frame(result, data_label=data_label), Path(out_dir) / f"{output_stem(result)}_forecast.csv")


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """``data`` written to ``path`` atomically."""
    return write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))


def _fan_chart_png(item: tuple[ForecastResult, str, tuple]) -> bytes:
    """One fan chart as PNG bytes (drawn in a worker, possibly on another machine; written here)."""
    from crimecast.report.charts import fan_chart, png_bytes

    result, notice, filled = item
    return png_bytes(fan_chart(result, notice=notice, filled=filled))


def write_forecast_files(results: list[ForecastResult], out_dir: Path, *, data_label: str = "", notice: str = "",
                         filled: dict[tuple[str, str], tuple] | None = None, chart: bool = True, jobs: int = 1,
                         progress=None) -> list[Path]:
    """Each forecast's CSV and, with ``chart``, its fan chart PNG, in ``out_dir``; the paths, in order.

    Charts take most of the time of a batch's files (about half a second
    each, mostly laying out text), so they are drawn on up to ``jobs``
    processes. ``filled`` gives, per (category, area), the periods that were
    missing and filled in (marked on the chart).
    """
    from crimecast.forecast.parallel import map_series

    out_dir = Path(out_dir)
    csvs = [write_forecast_csv(result, out_dir, data_label=data_label) for result in results]
    if not chart:
        return csvs
    filled = filled or {}
    items = [(result, notice, tuple(filled.get((result.category, result.area), ()))) for result in results]
    pngs = map_series(_fan_chart_png, items, jobs=jobs, progress=progress,
                      label=lambda item: f"{item[0].category} / {item[0].area}")
    charts = [write_bytes_atomic(out_dir / f"{output_stem(result)}_fan.png", png) for result, png in zip(results, pngs)]
    return [path for pair in zip(csvs, charts) for path in pair]
