"""Seasonal adjustment with the forecast model's own month (or quarter) effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimecast.forecast.cores import ProphetCore, season_starts, series_frequency

MIN_MONTHS_TO_ADJUST = 24
MIN_YEARS_TO_ADJUST = 2  # MIN_MONTHS_TO_ADJUST in years: 24 months or 8 quarters


def month_effects_of(core: ProphetCore) -> pd.Series:
    """Multiplicative effect of each calendar month (index 1..12) in a fitted Prophet core.

    For a quarterly core the index is the first month of each quarter
    (1, 4, 7, 10). Values average 1 over the year; 1.2 means 20% above the
    typical month (or quarter).
    """
    frequency = core.frequency_
    starts = season_starts(frequency)
    periods = frequency.range(pd.Timestamp("2001-01-01"), periods=frequency.periods_per_year)
    months = [f"m{k:02d}" for k in starts[1:]]
    log_effect = core.design(periods)[months].to_numpy() @ core.effects_[months].to_numpy()
    return pd.Series(np.exp(log_effect - log_effect.mean()), index=starts, name="month_effect")


def fit_month_effects(y: pd.Series) -> pd.Series | None:
    """Month (or quarter) effects of a Prophet core fitted to counts ``y``; ``None`` under two years."""
    if len(y) < MIN_YEARS_TO_ADJUST * series_frequency(y).periods_per_year:
        return None
    return month_effects_of(ProphetCore().fit(np.log1p(y.astype(float))))


def seasonally_adjust(y: pd.Series, effects: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """The series divided by its month (or quarter) effects, and the effects used.

    Effects come from a Prophet core fitted to ``y`` unless given. Series
    under two years are returned unchanged with flat effects: with one year
    of each month an effect cannot be told from noise.
    """
    effects = fit_month_effects(y) if effects is None else effects
    if effects is None:
        return y.astype(float), pd.Series(1.0, index=season_starts(series_frequency(y)), name="month_effect")
    adjusted = y.astype(float) / effects.reindex(y.index.month).to_numpy()
    return adjusted.rename(y.name), effects
