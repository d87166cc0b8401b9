"""Turning the many ways people write a month into month-start timestamps."""

from __future__ import annotations

import re

import pandas as pd

from crimecast.errors import DataError

def months_between(later, earlier):
    """Whole months from ``earlier`` to ``later`` (month starts, or anything with ``year`` and ``month``;
    a ``DatetimeIndex`` gives one per month): 0 in the same month, 1 the month after."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


# Tried in order; a column must parse completely with one format.
MONTH_FORMATS: tuple[str, ...] = (
    "%Y-%m",
    "%Y-%m-%d",
    "%Y/%m",
    "%Y/%m/%d",
    "%Y%m",
    "%Y %b",
    "%Y %B",
    "%b %Y",
    "%B %Y",
    "%b-%y",
    "%b-%Y",
    "%b %y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%m/%Y",
    "%Y-%m-%d %H:%M:%S",
)
_QUARTER = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}))?\s*[-\s]?\s*Q([1-4])$", re.IGNORECASE)


_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _financial_year(label) -> bool:
    """``2012/13``: a year and the next one's last two digits (which ``%Y/%m`` would read as a month up to 2011/12)."""
    match = _FINANCIAL_YEAR.match(str(label))
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def _refuse_financial_years(text: pd.Series, where: str) -> None:
    """A column of financial years is not one of months: say what it is and how such a file is read."""
    labels = text.dropna().unique()
    if len(labels) and all(_financial_year(label) for label in labels) and (
            len(labels) > 1 or not _parse_with(pd.Series(labels), "%Y/%m").notna().all()):
        raise DataError(f"{where}: holds financial years (like '{sorted(labels)[0]}'), not months. A table by financial "
                        "year and quarter (such as the Home Office's) imports with `forecast data import home-office "
                        "FILE`, or as a CSV with --quarterly and --quarter-col naming the quarter column.")


_DAY_FIRST = {"%d/%m/%Y": "%m/%d/%Y", "%d-%m-%Y": "%m-%d-%Y"}


def _refuse_month_first(text: pd.Series, parsed: pd.Series, fmt: str, where: str) -> None:
    """US dates (month first, as Excel writes them in a US locale: 2/1/2018 for 1 February) read day first put
    every month of a year into January; when the column reads that way and month first gives the first of each
    month, say so rather than sum a year into one month."""
    if fmt not in _DAY_FIRST or parsed.dt.month.nunique() > 1 or parsed.dt.day.nunique() == 1:
        return
    month_first = _parse_with(text, _DAY_FIRST[fmt])
    if month_first.notna().all() and month_first.dt.day.nunique() == 1:
        examples = text.drop_duplicates().head(2).tolist()
        raise DataError(f"{where}: dates such as {' and '.join(repr(e) for e in examples)} read day first (as UK dates) "
                        "would all fall in January; they look like US dates (month first). Write the months as 2018-02 "
                        "(in Excel, format the column as yyyy-mm) and save the file again.")


def _parse_with(values: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(values, format=fmt, errors="coerce")


def parse_months(values: pd.Series, *, where: str, rows: pd.Series | None = None) -> pd.Series:
    """Parse a column of month labels into month-start timestamps.

    Parameters
    ----------
    values
        Month labels such as ``2013-04``, ``2013-04-01``, ``1995 Jan``,
        ``Apr-15`` or ``201304``. Dates inside a month map to its first day.
    where
        Description of the file and column, used in error messages.
    rows
        File row number of each value, for error messages.

    Returns
    -------
    pandas.Series
        Timestamps at the first day of each month, aligned with ``values``.

    Raises
    ------
    DataError
        If some label cannot be read as a month with the column's format.
    """
    text = values.astype("string").str.strip()
    _refuse_financial_years(text, where)
    best, best_parsed = None, -1
    for fmt in MONTH_FORMATS:
        parsed = _parse_with(text, fmt)
        n_parsed = int(parsed.notna().sum())
        if n_parsed == len(text):
            _refuse_month_first(text, parsed, fmt, where)
            return parsed.dt.to_period("M").dt.to_timestamp()
        if n_parsed > best_parsed:
            best, best_parsed = parsed, n_parsed
    bad = best.isna() if best is not None else pd.Series(True, index=text.index)
    position = int(bad.to_numpy().argmax())
    row = f"row {int(rows.iloc[position])}, " if rows is not None else ""
    label = text.iloc[position]
    readable = label is not pd.NA and any(_parse_with(pd.Series([label]), fmt).notna().all() for fmt in MONTH_FORMATS)
    if readable and best_parsed > 0:
        example = text[best.notna().to_numpy()].iloc[0]
        raise DataError(
            f"{where}: {row}'{label}' is a month, but written differently from the rest of the column (like "
            f"'{example}'). Write every month in the column the same way."
        )
    raise DataError(
        f"{where}: {row}'{label}' is not a month I can read. "
        "Write months as 2013-04, 2013-04-01, 2013 Apr, Apr 2013, Apr-13 or 201304, one format per column."
    )


def parse_quarters(values: pd.Series, *, where: str, rows: pd.Series | None = None) -> pd.Series:
    """Parse quarter labels into the timestamp of each quarter's first month.

    ``2013 Q1`` is a calendar quarter (January to March 2013); ``2013/14 Q1`` is
    a financial quarter (April to June 2013).

    Raises
    ------
    DataError
        If a label is not a quarter.
    """
    labels = values.astype("string").str.strip()
    starts = {}
    for label in labels.dropna().unique():
        match = _QUARTER.match(label)
        if not match:
            continue
        year, fy_suffix, quarter = int(match.group(1)), match.group(2), int(match.group(3))
        first_month = (quarter - 1) * 3 + (4 if fy_suffix else 1)
        year += (first_month - 1) // 12
        starts[label] = pd.Timestamp(year=year, month=(first_month - 1) % 12 + 1, day=1)
    parsed = labels.map(starts)
    bad = parsed.isna().to_numpy()
    if bad.any():
        position = int(bad.argmax())
        row = f"row {int(rows.iloc[position])}, " if rows is not None else ""
        raise DataError(
            f"{where}: {row}'{labels.iloc[position]}' is not a quarter. Write 2013 Q1 (calendar) or 2013/14 Q1 (financial year)."
        )
    return pd.Series(pd.to_datetime(parsed.astype(object)).to_numpy(), index=values.index)
