"""Exceptional months as gaps, and the seasonal pattern around them that fills them.

Exceptional months (a lockdown) enter a model as missing values: Prophet
skips them, and models that need every month (ETS, seasonal naive, the SPC
step search) see instead what the pattern around them says: the seasonally
adjusted level drawn straight from the months before the gap to the months
after it (or carried on from before when the gap ends the series), times
each month's usual effect. So neither the dip nor the recovery sets the
level, the trend, the noise or a step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimecast.forecast.frequency import season_starts, series_frequency

ANCHOR_POINTS = 3  # ordinary periods each side of a gap whose mean sets the level at that side


def _season_effects(values: np.ndarray, known: np.ndarray, season: int) -> np.ndarray:
    """Effect of each position in the year (mean zero), by least squares with a linear trend on known points."""
    position = np.arange(len(values))
    phase = position % season
    observed = np.unique(phase[known])
    if known.sum() < season + 2 or len(observed) < season:
        return np.zeros(season)
    design = np.column_stack([np.ones(known.sum()), position[known] / len(values)]
                             + [(phase[known] == k).astype(float) for k in range(1, season)])
    coefficients, *_ = np.linalg.lstsq(design, values[known], rcond=None)
    effects = np.concatenate([[0.0], coefficients[2:]])
    return effects - effects.mean()


def season_effects(y: pd.Series) -> pd.Series:
    """Additive effect of each period of the year on ``y`` (log counts), mean zero, skipping ``NaN``.

    Least squares on a line plus one indicator per period of the year:
    cheap, and close to the Prophet member's month effects. Indexed by the
    first calendar month of each period (1..12, or 1, 4, 7, 10); all zero
    when some period of the year is never observed.
    """
    frequency = series_frequency(y)
    values = y.to_numpy(dtype=float)
    effects = _season_effects(values, ~np.isnan(values), frequency.periods_per_year)
    first = (y.index[0].month - 1) // frequency.months_per_period  # the phase of the first point
    starts = season_starts(frequency)
    return pd.Series(np.roll(effects, first), index=starts, name="season_effect")


def pool_season(y_log: pd.Series, reference_log: pd.Series, *, weight: float) -> pd.Series:
    """``y_log`` with its seasonal pattern moved ``weight`` of the way to ``reference_log``'s pattern.

    Both patterns are ``season_effects`` over ``y_log``'s periods (the
    reference's periods where ``y_log`` is ``NaN`` are left out of it too),
    and ``y_log`` is shifted each period by ``weight`` times the difference:
    a model fitted to the result forecasts with the blended pattern. A
    borough's month effects are noisy; its force's (the sum over areas) are
    not, and mostly shared (bench/RESULTS.md).
    """
    reference = reference_log.reindex(y_log.index).where(y_log.notna())
    if weight == 0 or reference.notna().sum() < series_frequency(y_log).periods_per_year:
        return y_log
    shift = weight * (season_effects(reference) - season_effects(y_log))
    return y_log + shift.reindex(y_log.index.month).to_numpy()


def fill_gaps(y: pd.Series) -> pd.Series:
    """``y`` with its missing values replaced by the seasonal pattern around them.

    Parameters
    ----------
    y
        A series (log counts in the models) indexed by consecutive month or
        quarter starts, with ``NaN`` where a period is exceptional.

    Returns
    -------
    pandas.Series
        ``y`` unchanged where it is known. A gap gets the seasonally adjusted
        level interpolated from the mean of the ``ANCHOR_POINTS`` known
        periods before it to the mean of those after it (flat when one side
        has none), plus each period's effect of the year.
    """
    values = y.to_numpy(dtype=float).copy()
    missing = np.isnan(values)
    if not missing.any():
        return y
    known = ~missing
    if not known.any():
        raise ValueError("every period is missing: nothing to fill from")
    season = series_frequency(y).periods_per_year
    phase = np.arange(len(values)) % season
    effects = _season_effects(values, known, season)[phase]
    adjusted = values - effects
    position = np.arange(len(values))
    starts = np.flatnonzero(missing & ~np.r_[False, missing[:-1]])
    ends = np.flatnonzero(missing & ~np.r_[missing[1:], False])
    for start, end in zip(starts, ends):
        before = position[known & (position < start)][-ANCHOR_POINTS:]
        after = position[known & (position > end)][:ANCHOR_POINTS]
        gap = position[start:end + 1]
        if len(before) and len(after):
            x = [before.mean(), after.mean()]
            level = np.interp(gap, x, [adjusted[before].mean(), adjusted[after].mean()])
        else:
            level = np.full(len(gap), adjusted[before if len(before) else after].mean())
        values[start:end + 1] = level + effects[start:end + 1]
    return pd.Series(values, index=y.index, name=y.name)
