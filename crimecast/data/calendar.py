"""Financial years (April to March), as UK police and crime plans use them."""

from __future__ import annotations

import re

import pandas as pd

from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.errors import UsageError

FY_START_MONTH = 4
_FY_LABEL = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def financial_year_start(month: pd.Timestamp) -> int:
    """Calendar year in which the financial year containing ``month`` starts."""
    return month.year if month.month >= FY_START_MONTH else month.year - 1


def financial_year_label(start_year: int) -> str:
    """Label such as ``2013/14`` for the year starting April ``start_year``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(month: pd.Timestamp) -> str:
    """Label of the financial year that contains ``month``."""
    return financial_year_label(financial_year_start(month))


def financial_year_months(start_year: int) -> pd.DatetimeIndex:
    """The twelve month starts of the financial year beginning in ``start_year``."""
    return pd.date_range(f"{start_year}-{FY_START_MONTH:02d}-01", periods=12, freq="MS")


def financial_year_periods(start_year: int, frequency: Frequency = MONTHLY) -> pd.DatetimeIndex:
    """The period starts of the financial year beginning in ``start_year``: 12 months or 4 quarters."""
    return frequency.range(pd.Timestamp(f"{start_year}-{FY_START_MONTH:02d}-01"), periods=frequency.periods_per_year)


def planning_as_of(first_year: int, last_month: pd.Timestamp) -> pd.Timestamp:
    """The last month milestones for the year starting ``first_year`` are planned from: the month before the year
    if the data (ending ``last_month``) already covers it all (a replay), else the last month of data."""
    year = financial_year_months(first_year)
    return year[0] - pd.DateOffset(months=1) if last_month >= year[-1] else last_month


def parse_financial_year(label: str) -> int:
    """Start year of a label such as ``2013/14``, ``2013-14`` or ``2013/2014``.

    Raises
    ------
    UsageError
        If the label is not a financial year.
    """
    match = _FY_LABEL.match(label.strip())
    if not match:
        raise UsageError(f"'{label}' is not a financial year; write it like 2014/15.")
    start, end = int(match.group(1)), int(match.group(2))
    if end % 100 != (start + 1) % 100:
        raise UsageError(f"'{label}' is not a financial year: the second year must follow the first, e.g. {financial_year_label(start)}.")
    return start


def financial_year_index(months: pd.DatetimeIndex) -> pd.Index:
    """Financial-year label for every month in ``months``."""
    return pd.Index([financial_year_of(m) for m in months], name="financial_year")
