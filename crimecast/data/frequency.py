"""How often a dataset counts crime: monthly or quarterly periods.

A period is labelled by the timestamp of its first month (the ``month``
column of the data contract). Quarterly data keeps quarters as quarters:
it is never spread over months. Quarters are the calendar quarters that
start in January, April, July and October, so financial-year quarters
(April-June = Q1) line up with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimecast.errors import DataError, UsageError
from crimecast.words import counted


@dataclass(frozen=True)
class Frequency:
    """One counting frequency.

    Attributes
    ----------
    name
        ``"month"`` or ``"quarter"``, as stored in ``counts.attrs["frequency"]``.
    pandas_freq
        The pandas offset alias of a series index (``"MS"`` or ``"QS-JAN"``).
    periods_per_year
        12 or 4: the seasonal period.
    months_per_period
        1 or 3.
    """

    name: str
    pandas_freq: str
    periods_per_year: int
    months_per_period: int

    @property
    def offset(self) -> pd.DateOffset:
        """One period as a pandas offset (``MonthBegin(1)`` or ``QuarterBegin(startingMonth=1)``)."""
        return pd.tseries.frequencies.to_offset(self.pandas_freq)

    @property
    def noun(self) -> str:
        """``'month'`` or ``'quarter'``, for messages."""
        return self.name

    @property
    def adjective(self) -> str:
        """``'monthly'`` or ``'quarterly'``, for messages."""
        return f"{self.name}ly"

    def count_of(self, periods: int) -> str:
        """``'1 month'``, ``'3 quarters'``: a number of periods in words."""
        return counted(periods, self.noun)

    def range(self, start: pd.Timestamp, *, periods: int) -> pd.DatetimeIndex:
        """``periods`` period starts from ``start``."""
        return pd.date_range(start, periods=periods, freq=self.pandas_freq)

    def between(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
        """Every period start from ``first`` to ``last`` inclusive (both period starts)."""
        months = pd.date_range(first, last, freq="MS")  # quarterly ranges built from months: much faster
        return months if self.months_per_period == 1 else pd.DatetimeIndex(months[::self.months_per_period])

    def next(self, period: pd.Timestamp, n: int = 1) -> pd.Timestamp:
        """The period ``n`` after ``period``."""
        return pd.Timestamp(period) + pd.DateOffset(months=n * self.months_per_period)

    def label(self, period: pd.Timestamp) -> str:
        """``2013-04`` for a month; ``2013/14 Q1`` for the quarter April-June 2013."""
        period = pd.Timestamp(period)
        if self.name == "month":
            return f"{period:%Y-%m}"
        fy_start = period.year if period.month >= 4 else period.year - 1
        quarter = ((period.month - 4) % 12) // 3 + 1
        return f"{fy_start}/{(fy_start + 1) % 100:02d} Q{quarter}"

    def is_period_start(self, month: pd.Timestamp) -> bool:
        """Whether ``month`` starts a period (always, for months)."""
        return (pd.Timestamp(month).month - 1) % self.months_per_period == 0

    def period_end_month(self, period: pd.Timestamp) -> pd.Timestamp:
        """The first day of the last month in ``period``."""
        return pd.Timestamp(period) + pd.DateOffset(months=self.months_per_period - 1)

    def period_containing(self, month: pd.Timestamp) -> pd.Timestamp:
        """The start of the period that holds ``month``."""
        month = pd.Timestamp(month)
        back = (month.month - 1) % self.months_per_period
        return month - pd.DateOffset(months=back)

    def period_numbers(self, months: pd.Series) -> pd.Series:
        """Each month's period as a whole number (months, or quarters, since year 0): consecutive periods differ by 1.

        Parameters
        ----------
        months
            A Series of datetimes (first days of months).
        """
        return (months.dt.year * 12 + months.dt.month - 1) // self.months_per_period


MONTHLY = Frequency(name="month", pandas_freq="MS", periods_per_year=12, months_per_period=1)
QUARTERLY = Frequency(name="quarter", pandas_freq="QS-JAN", periods_per_year=4, months_per_period=3)
FREQUENCIES: dict[str, Frequency] = {f.name: f for f in (MONTHLY, QUARTERLY)}


def spaced_by_quarters(index: pd.DatetimeIndex) -> bool:
    """True when ``index`` holds month starts exactly three months apart (a quarterly series without its ``freq``).

    Read from the months themselves rather than ``pd.infer_freq``, whose
    return type is changing in pandas (it warns on every call).
    """
    index = pd.DatetimeIndex(index)
    if len(index) < 3 or not (index.day == 1).all():
        return False
    months = index.year.to_numpy() * 12 + index.month.to_numpy()
    return bool((months[1:] - months[:-1] == 3).all())


def frequency_named(name: str) -> Frequency:
    """The frequency called ``name`` (``"month"`` or ``"quarter"``)."""
    try:
        return FREQUENCIES[name]
    except KeyError:
        raise DataError(f"unknown frequency '{name}'; use one of {', '.join(FREQUENCIES)}.") from None


def frequency_of(data: pd.DataFrame | pd.Series) -> Frequency:
    """The frequency of a counts table (``attrs["frequency"]``) or a series (its index ``freq``).

    Tables and series without a stated frequency are monthly.
    """
    if isinstance(data, pd.Series) and isinstance(data.index, pd.DatetimeIndex) and data.index.freq is not None:
        return QUARTERLY if data.index.freqstr.startswith("Q") else MONTHLY
    return frequency_named(data.attrs.get("frequency", "month"))


def last_complete_period(month: pd.Timestamp, frequency: Frequency, *, option: str = "--as-of") -> pd.Timestamp:
    """The period whose data stands complete at the end of ``month``.

    For monthly data that is the month itself. For quarterly data ``month``
    must end a quarter (June, September, December or March); a mid-quarter
    month is refused with the nearest quarter ends named.

    Raises
    ------
    UsageError
        If ``month`` is inside a quarter.
    """
    month = pd.Timestamp(month)
    start = frequency.period_containing(month)
    if frequency.period_end_month(start) == month:
        return start
    before = frequency.period_end_month(frequency.next(start, -1))
    after = frequency.period_end_month(start)
    raise UsageError(
        f"{option} {month:%Y-%m} is in the middle of a quarter and this data is quarterly. "
        f"Use the quarter end before it ({before:%Y-%m}) or after it ({after:%Y-%m})."
    )
