"""Step changes found in a series, ready to enter the model as level shifts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimecast.data.exceptional import exceptional_mask
from crimecast.data.frequency import Frequency
from crimecast.forecast.cores import ProphetCore, series_frequency
from crimecast.forecast.gaps import fill_gaps, season_effects
from crimecast.forecast.seasonal import fit_month_effects, seasonally_adjust
from crimecast.forecast.spc import (MIN_POINTS, RUN_LENGTH, TREND_LENGTH, ControlChart, StepChange, control_chart,
                                    detect_steps, refuse_start_after_end)

STEP_SEARCH_MONTHS = 36
STEP_SEARCH_YEARS = 3  # STEP_SEARCH_MONTHS in years
STEP_SEARCH_MIN_POINTS = 20  # quarterly: 5 years, so the run rule has room for a step (two runs of 7 and more)


def step_search_points(frequency: Frequency) -> int:
    """Points searched for steps and charted by default: three years of months, five years of quarters."""
    return max(STEP_SEARCH_YEARS * frequency.periods_per_year, STEP_SEARCH_MIN_POINTS)


def default_start(y: pd.Series, *, exceptional: tuple = ()) -> pd.Timestamp:
    """A chart's first period by default: the last ``step_search_points`` of ``y`` outside the exceptional periods.

    Exceptional points are charted but do not count, so keeping lockdown months out never leaves the step search
    fewer points than a chart without them (five years of quarters less three lockdown quarters is too few for the
    run rule on each side of a step).
    """
    kept = ~exceptional_mask(y.index, exceptional) if exceptional else np.ones(len(y), dtype=bool)
    return y.index[search_start(kept, need=step_search_points(series_frequency(y)))]


def search_start(kept: np.ndarray, *, need: int) -> int:
    """Position of the first of the last ``need`` kept points (``kept``: a boolean per point), or 0 if fewer."""
    positions = np.flatnonzero(kept)
    return int(positions[-need]) if len(positions) > need else 0


def _known_periods(known, frequency: Frequency) -> tuple[pd.Timestamp, ...]:
    """Known changes as the periods they fall in (a change in May 2020 is in the quarter April-June 2020)."""
    return tuple(dict.fromkeys(frequency.period_containing(pd.Timestamp(k)) for k in known))


def find_level_shifts(y: pd.Series, *, known: tuple[pd.Timestamp, ...] = (), effects: pd.Series | None = None,
                      months: int | None = None) -> list[StepChange]:
    """Confirmed step changes in the last ``months`` points of the seasonally adjusted series.

    Performance charts look at the last few years (three years of months,
    five of quarters; see ``step_search_points``): over longer spans a
    falling trend would be cut into spurious steps. Known process changes
    are always included. ``NaN`` points (periods kept out of the fit) are
    left out of the search and do not count towards ``months``, exactly as
    `forecast spc` leaves exceptional periods out of its chart's search, so
    the forecast and the chart look at the same points and find the same steps.
    """
    frequency = series_frequency(y)
    kept = y.notna().to_numpy()
    recent = y.iloc[search_start(kept, need=months or step_search_points(frequency)):]
    recent = recent[recent.notna()]
    if len(recent) < MIN_POINTS or recent.nunique() <= 1:
        return []  # too short, or constant (an all-zero series): no level to shift
    known = _known_periods(known, frequency)
    adjusted, _ = seasonally_adjust(recent, effects)
    return detect_steps(adjusted, known=[k for k in known if k >= recent.index[0]])


class AutoStepProphetCore(ProphetCore):
    """The Prophet core with level shifts at the step changes confirmed in its own training data.

    Steps are searched in the last three years (five for quarters) of the
    counts, seasonally adjusted by least-squares period effects
    (``crimecast.forecast.gaps.season_effects``), so that Prophet is fitted
    once, with the steps found and every known change. Exceptional months
    (``NaN`` in ``y_log``) are left out of the search and do not count
    towards its years, as `forecast spc` leaves them out, so a lockdown dip
    and recovery are not read as steps and the chart shows the steps the
    forecast models.
    """

    def fit(self, y_log: pd.Series) -> "AutoStepProphetCore":
        self.last_month_ = y_log.index[-1]
        self.frequency_ = series_frequency(y_log)
        known = _known_periods(self.known_changes, self.frequency_)  # a quarter holds its month
        filled = fill_gaps(y_log)
        effects = np.exp(season_effects(filled))
        self.steps_ = find_level_shifts(np.expm1(y_log), known=known, effects=effects / effects.mean())
        self._fit_prophet(y_log, tuple(sorted({*known, *(step.month for step in self.steps_)})))
        return self


def process_chart(y: pd.Series, *, start: pd.Timestamp | None = None, seasonal_adjust: bool = False,
                  known: tuple[pd.Timestamp, ...] = (), run_length: int = RUN_LENGTH,
                  trend_length: int = TREND_LENGTH, screen: bool = True,
                  exceptional: tuple = ()) -> tuple[ControlChart, pd.Series | None]:
    """The XmR chart of a series from ``start`` (default: its last three years; five for quarters; see :func:`default_start`).

    Step changes are found on the seasonally adjusted values whenever two
    years of history allow, so winter peaks are not taken for steps; the
    chart shows adjusted values only with ``seasonal_adjust=True``. Each
    confirmed step starts a new period with its own mean and limits.

    Returns
    -------
    (chart, month_effects)
        The chart, and the month effects used (``None`` with too little history).
    """
    frequency = series_frequency(y)
    y = pd.Series(y.to_numpy(), index=pd.DatetimeIndex(y.index, freq=frequency.pandas_freq), name=y.name)
    if start is None:
        start = default_start(y, exceptional=tuple(exceptional))
    refuse_start_after_end(y.index, start, frequency=frequency, name=y.name)
    window = y.loc[frequency.period_containing(pd.Timestamp(start)):]
    known = _known_periods(known, frequency)
    effects = fit_month_effects(y)
    adjusted = seasonally_adjust(window, effects)[0] if effects is not None else window.astype(float)
    steps = detect_steps(adjusted, known=[k for k in known if k >= window.index[0]], run_length=run_length,
                         exceptional=tuple(exceptional))
    shown = adjusted if seasonal_adjust and effects is not None else window.astype(float)
    chart = control_chart(shown, breaks=[s.month for s in steps], run_length=run_length, trend_length=trend_length,
                          screen=screen, exceptional=tuple(exceptional))
    chart.steps = steps
    chart.seasonally_adjusted = bool(seasonal_adjust and effects is not None)
    return chart, effects
