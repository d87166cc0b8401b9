"""crimecast: forecasting and scenario modelling for police performance teams.

The public API::

    from crimecast import DataSource, open_counts, series_of, CrimeForecaster
    counts = open_counts()            # the embedded data; DataSource(dataset="merseyside") for a stored one
    y = series_of(counts, category="burglary-dwelling", area="force")
    result = CrimeForecaster(seed=1).fit(y).predict(12)
    result.financial_years()

Scenarios, milestones and the optimisers live in ``crimecast.scenarios`` and
``crimecast.optimise`` (see the README's sections on each).
"""

from crimecast.data.imports import ImportOptions, import_data
from crimecast.data.load import ColumnMap, load_counts
from crimecast.data.sources import DataSource, open_counts
from crimecast.data.schema import validate
from crimecast.data.series import catalogue, resolve_area, resolve_category, series_of, with_totals
from crimecast.errors import (CrimecastError, DataError, InfeasibleError, ModelError, NotFittedError, ScenarioError,
                              SolverError, UsageError)
from crimecast.forecast.backtest import backtest_series, summarise
from crimecast.forecast.models import MODELS, CrimeForecaster
from crimecast.forecast.paths import ForecastResult
from crimecast.forecast.run import RunOptions, SeriesReport, run_backtests, run_forecasts

__all__ = [
    "ColumnMap", "CrimeForecaster", "CrimecastError", "DataError", "DataSource", "ForecastResult", "ImportOptions",
    "InfeasibleError", "MODELS", "ModelError", "import_data", "open_counts",
    "NotFittedError", "RunOptions", "ScenarioError", "SeriesReport", "SolverError", "UsageError", "backtest_series",
    "catalogue", "load_counts", "resolve_area", "resolve_category", "run_backtests", "run_forecasts", "series_of",
    "summarise", "validate", "with_totals",
]
