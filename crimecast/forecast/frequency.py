"""The frequency of a forecast series, read from its index (the bottom of the forecast package)."""

from __future__ import annotations

import pandas as pd

from crimecast.data.frequency import QUARTERLY, Frequency, frequency_of, spaced_by_quarters


def season_starts(frequency: Frequency) -> range:
    """The calendar month each period of the year starts in: 1..12, or 1, 4, 7, 10 for quarters."""
    return range(1, 13, frequency.months_per_period)


def series_frequency(y: pd.Series) -> Frequency:
    """The frequency of a series: its index ``freq``, else quarterly if its dates are spaced by quarters.

    Otherwise what ``frequency_of`` says (``attrs``, monthly by default).
    """
    index = y.index
    if isinstance(index, pd.DatetimeIndex) and index.freq is None and spaced_by_quarters(index):
        return QUARTERLY
    return frequency_of(y)


def with_frequency(y: pd.Series) -> pd.Series:
    """``y`` with its index ``freq`` set (``MS`` or ``QS-JAN``), so that every core knows its season."""
    frequency = series_frequency(y)
    return pd.Series(y.to_numpy(), index=pd.DatetimeIndex(y.index, freq=frequency.pandas_freq), name=y.name)
