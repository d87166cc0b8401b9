"""Output files: forecast CSVs and charts, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.forecast.paths import ForecastResult
from crimecast.io import write_csv_atomic

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
