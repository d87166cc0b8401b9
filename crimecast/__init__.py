"""crimecast: forecasting and scenario modelling for police performance teams.

The public API::

    from crimecast import DataSource, open_counts, series_of, CrimeForecaster
    counts = open_counts()            # the embedded data; DataSource(dataset="merseyside") for a stored one
    y = series_of(counts, category="burglary-dwelling", area="force")
    result = CrimeForecaster(seed=1).fit(y).predict(12)
    result.financial_years()

Scenarios, milestones and the optimisers live in ``crimecast.scenarios`` and
``crimecast.optimise`` (see the README's sections on each).

Names are imported on first use, so ``import crimecast`` (and ``forecast
--help``) does not pay for pandas, Prophet and SciPy until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from crimecast.errors import (CrimecastError, DataError, InfeasibleError, ModelError, NotFittedError, ScenarioError,
                              SolverError, UsageError)
from crimecast.errors import FleetFileError, FundFileError, PlanError, SpecFileError

_LAZY: dict[str, str] = {
    "ColumnMap": "crimecast.data.load", "load_counts": "crimecast.data.load",
    "DataSource": "crimecast.data.sources", "open_counts": "crimecast.data.sources",
    "ImportOptions": "crimecast.data.imports", "import_data": "crimecast.data.imports",
    "validate": "crimecast.data.schema",
    "catalogue": "crimecast.data.series", "resolve_area": "crimecast.data.series",
    "resolve_category": "crimecast.data.series", "series_of": "crimecast.data.series",
    "with_totals": "crimecast.data.series",
    "backtest_series": "crimecast.forecast.backtest", "summarise": "crimecast.forecast.backtest",
    "MODELS": "crimecast.forecast.models", "CrimeForecaster": "crimecast.forecast.models",
    "ForecastResult": "crimecast.forecast.paths",
    "ForecastSpec": "crimecast.forecast.spec", "SeriesReport": "crimecast.forecast.run",
    "run_backtests": "crimecast.forecast.run", "run_forecasts": "crimecast.forecast.run",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from crimecast.data.imports import ImportOptions, import_data
    from crimecast.data.load import ColumnMap, load_counts
    from crimecast.data.schema import validate
    from crimecast.data.sources import DataSource, open_counts
    from crimecast.data.series import catalogue, resolve_area, resolve_category, series_of, with_totals
    from crimecast.forecast.backtest import backtest_series, summarise
    from crimecast.forecast.models import MODELS, CrimeForecaster
    from crimecast.forecast.paths import ForecastResult
    from crimecast.forecast.run import SeriesReport, run_backtests, run_forecasts
    from crimecast.forecast.spec import ForecastSpec


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crimecast' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ColumnMap", "CrimeForecaster", "CrimecastError", "DataError", "DataSource", "ForecastResult", "ImportOptions",
    "InfeasibleError", "MODELS", "ModelError", "import_data", "open_counts",
    "NotFittedError", "ForecastSpec", "ScenarioError", "SeriesReport", "SolverError", "UsageError", "backtest_series",
    "catalogue", "load_counts", "resolve_area", "resolve_category", "run_backtests", "run_forecasts", "series_of",
    "summarise", "validate", "with_totals",
    "FleetFileError", "FundFileError", "PlanError", "SpecFileError",
]
