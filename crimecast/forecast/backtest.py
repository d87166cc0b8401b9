"""Rolling-origin backtests: each window forecast from the data before it."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable

import pandas as pd

from crimecast.data.exceptional import ExceptionalPeriod
from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.data.series import filled_among, filled_periods, recorded_words
from crimecast.errors import DataError
from crimecast.forecast.calibrate import FitCache
from crimecast.forecast.cores import series_frequency
from crimecast.forecast.drift import Drift
from crimecast.forecast.metrics import METRICS
from crimecast.defaults import BACKTEST_MODELS, BACKTEST_WINDOWS, DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED
from crimecast.forecast.models import CrimeForecaster

BACKTEST_HORIZON = 12
BACKTEST_MIN_TRAIN = 24
BACKTEST_YEARS = 1  # each window is one year: 12 months or 4 quarters
BACKTEST_MIN_TRAIN_YEARS = 2  # BACKTEST_MIN_TRAIN in years


def backtest_origins(n_months: int, *, windows: int = BACKTEST_WINDOWS, horizon: int | None = None,
                     min_train: int | None = None, frequency: Frequency = MONTHLY) -> list[int]:
    """Training lengths for the last ``windows`` non-overlapping windows.

    ``n_months``, ``horizon`` and ``min_train`` count periods of ``frequency``;
    by default a window is one year and training at least two.
    """
    horizon = horizon or BACKTEST_YEARS * frequency.periods_per_year
    min_train = min_train or BACKTEST_MIN_TRAIN_YEARS * frequency.periods_per_year
    origins = [n_months - horizon * k for k in range(windows, 0, -1)]
    return [o for o in origins if o >= min_train]


def backtest_need(frequency: Frequency = MONTHLY, *, windows: int = 1) -> int:
    """Periods a series needs for ``windows`` backtest windows: 36 months or 12 quarters for one, 60 months for three."""
    return (BACKTEST_MIN_TRAIN_YEARS + windows * BACKTEST_YEARS) * frequency.periods_per_year


def backtest_series(y: pd.Series, *, models: Iterable[str] = BACKTEST_MODELS, windows: int = BACKTEST_WINDOWS,
                    horizon: int | None = None, n_paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED,
                    category: str = "", area: str = "", exceptional: tuple[ExceptionalPeriod, ...] = (),
                    fits: FitCache | None = None, drift_at: Callable[[pd.Timestamp], Drift | None] | None = None,
                    filled: Collection[pd.Timestamp] | None = None, **forecaster_params) -> pd.DataFrame:
    """Score each model on rolling-origin windows of one series.

    Windows are one year (``horizon`` periods: 12 months, or 4 quarters for
    a quarterly series) unless ``horizon`` is given.

    ``forecaster_params`` (``level_shifts``, ``known_changes``) and
    ``exceptional`` go to every ``CrimeForecaster``; step changes are found
    afresh in each window's own training data, so no window sees its future.
    Exceptional months are kept out of each window's fitting but still
    scored, so scores with and without them compare the same months.
    Windows share fitted cores with each other's calibration windows through
    ``fits`` (pass the cache the series' own forecast used to share those too).
    ``drift_at(last period trained on)`` gives the default model's dataset
    drift at each window's origin, as a forecast from there would carry it
    (``crimecast.forecast.panel.drift_of``); ``None``: no drift. ``filled``: the periods of ``y`` that were
    missing from the data and filled in, for the error on a series too short (``None``: those ``y.attrs`` records
    for ``category`` in ``area``, as :func:`crimecast.data.series.series_of` gives it).

    Returns
    -------
    pandas.DataFrame
        One row per (model, origin): ``category, area, model, origin`` (first
        forecast month), ``seconds`` and one column per metric in ``METRICS``.

    Raises
    ------
    DataError
        If the series is too short for a single window (saying how many of its periods are recorded when some
        were filled in).
    """
    frequency = series_frequency(y)
    horizon = horizon or BACKTEST_YEARS * frequency.periods_per_year
    min_train = BACKTEST_MIN_TRAIN_YEARS * frequency.periods_per_year
    origins = backtest_origins(len(y), windows=windows, horizon=horizon, frequency=frequency)
    if not origins:
        if filled is None:
            filled = filled_periods(y, category=category, area=area) if category and area else ()  # of y.attrs
        recorded = recorded_words(len(y), filled_among(y, filled), frequency)
        raise DataError(
            f"{category or y.name}: {frequency.count_of(len(y))}{recorded}{',' if recorded else ''} is too short to "
            f"backtest; it needs at least {frequency.count_of(min_train + horizon)} ({min_train} to train, {horizon} "
            "to test)."
        )
    rows = []
    fits = fits or FitCache()
    for model in models:
        for origin in origins:
            started = time.perf_counter()
            train = y.iloc[:origin]
            drift = drift_at(train.index[-1]) if drift_at is not None and model == DEFAULT_MODEL else None
            forecaster = CrimeForecaster(model=model, n_paths=n_paths, seed=seed, exceptional=exceptional,
                                         drift=drift, **forecaster_params)
            result = forecaster.fit(train, fits=fits).predict(horizon)
            actual = y.to_numpy(dtype=float)[origin:origin + horizon]
            paths = result.paths[:, :len(actual)]
            row = {"category": category, "area": area, "model": model, "origin": y.index[origin],
                   "seconds": time.perf_counter() - started}
            row.update({name: metric(train.to_numpy(dtype=float), actual, paths, season=frequency.periods_per_year)
                        for name, metric in METRICS.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of every metric per model, best MASE first."""
    columns = [*METRICS, "seconds"]
    summary = scores.groupby("model")[columns].mean()
    summary["median_mase"] = scores.groupby("model")["mase"].median()
    summary["windows"] = scores.groupby("model").size()
    return summary.sort_values("mase")


def lost_to_baseline(scores: pd.DataFrame, *, model: str = DEFAULT_MODEL) -> pd.DataFrame:
    """Series where a baseline's mean MASE beat ``model``'s: category, area, winner, MASEs."""
    per_series = scores.groupby(["category", "area", "model"])["mase"].mean().unstack("model")
    per_series = per_series.dropna(how="all")  # no model could be scored (no in-sample error to scale by)
    if model not in per_series or per_series.empty:
        return pd.DataFrame(columns=["category", "area", "best_model", "model_mase", "best_mase"])
    best = per_series.idxmin(axis=1)
    lost = per_series[best != model]
    return pd.DataFrame({
        "category": [k[0] for k in lost.index], "area": [k[1] for k in lost.index],
        "best_model": best[lost.index].to_numpy(), "model_mase": lost[model].to_numpy(),
        "best_mase": lost.min(axis=1).to_numpy(),
    })
