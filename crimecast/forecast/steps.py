"""Step changes found in a series, ready to enter the model as level shifts."""

from __future__ import annotations

import pandas as pd

from crimecast.forecast.seasonal import fit_month_effects, seasonally_adjust
from crimecast.forecast.spc import (MIN_POINTS, RUN_LENGTH, TREND_LENGTH, ControlChart, StepChange, control_chart,
                                    detect_steps)

STEP_SEARCH_MONTHS = 36


def find_level_shifts(y: pd.Series, *, known: tuple[pd.Timestamp, ...] = (), effects: pd.Series | None = None,
                      months: int = STEP_SEARCH_MONTHS) -> list[StepChange]:
    """Confirmed step changes in the last ``months`` of the seasonally adjusted series.

    Performance charts look at the last few years: over longer spans a
    falling trend would be cut into spurious steps. Known process changes
    are always included.
    """
    recent = y.iloc[-months:]
    if len(recent) < MIN_POINTS or recent.nunique() <= 1:
        return []  # too short, or constant (an all-zero series): no level to shift
    adjusted, _ = seasonally_adjust(recent, effects)
    return detect_steps(adjusted, known=[k for k in known if k >= recent.index[0]])


def process_chart(y: pd.Series, *, start: pd.Timestamp | None = None, seasonal_adjust: bool = False,
                  known: tuple[pd.Timestamp, ...] = (), run_length: int = RUN_LENGTH,
                  trend_length: int = TREND_LENGTH, screen: bool = True) -> tuple[ControlChart, pd.Series | None]:
    """The XmR chart of a series from ``start`` (default: its last three years).

    Step changes are found on the seasonally adjusted values whenever two
    years of history allow, so winter peaks are not taken for steps; the
    chart shows adjusted values only with ``seasonal_adjust=True``. Each
    confirmed step starts a new period with its own mean and limits.

    Returns
    -------
    (chart, month_effects)
        The chart, and the month effects used (``None`` with too little history).
    """
    start = pd.Timestamp(start) if start is not None else y.index[max(0, len(y) - STEP_SEARCH_MONTHS)]
    window = y[y.index >= start]
    effects = fit_month_effects(y)
    adjusted = seasonally_adjust(window, effects)[0] if effects is not None else window.astype(float)
    steps = detect_steps(adjusted, known=[k for k in known if k >= window.index[0]], run_length=run_length)
    shown = adjusted if seasonal_adjust and effects is not None else window.astype(float)
    chart = control_chart(shown, breaks=[s.month for s in steps], run_length=run_length, trend_length=trend_length,
                          screen=screen)
    chart.steps = steps
    chart.seasonally_adjusted = bool(seasonal_adjust and effects is not None)
    return chart, effects
