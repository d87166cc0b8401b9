"""Seasonal adjustment with the forecast model's own month effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimecast.forecast.cores import ProphetCore

MIN_MONTHS_TO_ADJUST = 24


def month_effects_of(core: ProphetCore) -> pd.Series:
    """Multiplicative effect of each calendar month (index 1..12) in a fitted Prophet core.

    Values average 1 over the year; 1.2 means 20% above the typical month.
    """
    months = pd.date_range("2001-01-01", periods=12, freq="MS")
    components = core.model_.predict(core.design(months))
    log_effect = components[[f"m{k:02d}" for k in range(2, 13)]].sum(axis=1).to_numpy()
    return pd.Series(np.exp(log_effect - log_effect.mean()), index=range(1, 13), name="month_effect")


def fit_month_effects(y: pd.Series) -> pd.Series | None:
    """Month effects of a Prophet core fitted to counts ``y``; ``None`` under 24 months."""
    if len(y) < MIN_MONTHS_TO_ADJUST:
        return None
    return month_effects_of(ProphetCore().fit(np.log1p(y.astype(float))))


def seasonally_adjust(y: pd.Series, effects: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """The series divided by its month effects, and the effects used.

    Effects come from a Prophet core fitted to ``y`` unless given. Series
    under 24 months are returned unchanged with flat effects: with one year
    of each month an effect cannot be told from noise.
    """
    effects = fit_month_effects(y) if effects is None else effects
    if effects is None:
        return y.astype(float), pd.Series(1.0, index=range(1, 13), name="month_effect")
    adjusted = y.astype(float) / effects.reindex(y.index.month).to_numpy()
    return adjusted.rename(y.name), effects
