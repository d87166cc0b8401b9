"""The one data contract: a tidy monthly table ``month, area, category, count``.

Every table entering crimecast passes :func:`validate` once; everything
downstream may rely on it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.data.shared import FrozenDict, FrozenList
from crimecast.defaults import DEFAULT_FILL, DEFAULT_MAX_GAP
from crimecast.errors import DataError
from crimecast.words import counted, plural

COLUMNS: tuple[str, ...] = ("month", "area", "category", "count")
KEY: list[str] = ["month", "area", "category"]
ROW = "_row"  # optional column: the source file row of each record, for errors
FillMissing = Literal["error", "zero", "interpolate"]
# A monthly count above this is no count of crimes (and would overflow sums).
MAX_COUNT = 10**12
# A count more than OUTLIER_FACTOR times the median of the 13 months around it (or the floor,
# for series of small counts) is refused as a likely typing error unless kept.
OUTLIER_FACTOR = 100
OUTLIER_FLOOR = 10
OUTLIER_WINDOW = 13
# A month standing this many months or more apart from the rest of its series,
# with at most ISOLATED_ROWS rows on its side, is taken for a typing error.
ISOLATION_GAP = 13
ISOLATED_ROWS = 2
# ... but only when the rest of the series is dense (holds at least this share of the periods it
# spans): a genuinely sparse series (a handful of scattered months, e.g. crimes a force records in a
# neighbouring local authority) is data, not a typing error. Such series are reported as too sparse.
DENSE_SHARE = 0.75
DENSE_ROWS = 12  # ... and holds at least a year of periods


def _where(frame: pd.DataFrame, index, source: str) -> str:
    if ROW in frame.columns:
        return f"{source}, row {int(frame.at[index, ROW])}"
    return source


def _check_columns(frame: pd.DataFrame, source: str) -> None:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing {plural(len(missing), 'column')} {', '.join(missing)}. "
            "Map your columns with --date-col, --value-col, --category-col and --area-col."
        )
    if frame.empty:
        raise DataError(f"{source}: no data rows. Check the file has a header and at least one row of counts.")


_THOUSANDS = r"^\s*\d{1,3}(?:,\d{3})+\s*$"  # 1,234 or 12,345,678: a spreadsheet's thousands separators


def clean_counts(frame: pd.DataFrame, source: str, *, column: str | pd.Series = "count") -> pd.Series:
    """Counts as int64 (``1,234`` read as 1234), or a DataError naming the first bad row and ``column`` (the
    file's name for the count column, or one per row, aligned with ``frame``, for a wide file's month columns)."""
    values = frame["count"]
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string")
        values = text.where(~text.str.match(_THOUSANDS).fillna(False), text.str.replace(",", "", regex=False))
    counts = pd.to_numeric(values, errors="coerce")
    bad = counts.isna() | (counts < 0) | ~np.isclose(counts.fillna(0) % 1, 0)
    if bad.any():
        index = bad.idxmax()
        column = column.at[index] if isinstance(column, pd.Series) else column
        raise DataError(
            f"{_where(frame, index, source)}, column {column}: '{frame.at[index, 'count']}' is not a "
            "non-negative whole number. Counts must be whole numbers of crimes (0, 1, 2, ...); "
            "fix or remove that row."
        )
    huge = counts > MAX_COUNT
    if huge.any():
        index = huge.idxmax()
        column = column.at[index] if isinstance(column, pd.Series) else column
        raise DataError(
            f"{_where(frame, index, source)}, column {column}: '{frame.at[index, 'count']}' is too large to be a monthly "
            f"count of crimes (at most {MAX_COUNT:,}); fix or remove that row."
        )
    return counts.round().astype("int64")


def _check_future(frame: pd.DataFrame, source: str, today: pd.Timestamp) -> None:
    current = pd.Timestamp(today).to_period("M").to_timestamp()
    future = frame["month"] > current
    if future.any():
        index = frame.loc[future, "month"].idxmax()
        raise DataError(
            f"{_where(frame, index, source)}, column month: {frame.at[index, 'month']:%Y-%m} is after the current month "
            f"({current:%Y-%m}), so it cannot hold recorded crime. Fix the month (a typing error?) or remove the row."
        )


def _check_isolated(frame: pd.DataFrame, source: str, frequency: Frequency = MONTHLY) -> None:
    """A period far from the rest of its series (2030-01 for 2013-01) is named, not reported as many missing ones."""
    ordered = frame.sort_values(["area", "category", "month"])
    groups = ordered.groupby(["area", "category"], sort=False)
    number = frequency.period_numbers(ordered["month"])
    gap = number.groupby([ordered["area"], ordered["category"]], sort=False).diff().to_numpy()
    before = groups.cumcount().to_numpy()  # rows of the series before this row
    after = groups["month"].transform("size").to_numpy() - before
    lonely = (gap >= ISOLATION_GAP) & (np.minimum(before, after) <= ISOLATED_ROWS) & (np.maximum(before, after) > ISOLATED_ROWS)
    if not lonely.any():
        return
    # The rest of the series, beside the stray rows: after the gap when the strays come first, else before it.
    numbers = number.to_numpy()
    first, last = groups["month"].transform("min"), groups["month"].transform("max")
    first_number, last_number = (frequency.period_numbers(m).to_numpy() for m in (first, last))
    stray_first = before <= ISOLATED_ROWS
    rest_rows = np.where(stray_first, after, before)
    rest_span = np.where(stray_first, last_number - numbers + 1, np.roll(numbers, 1) - first_number + 1)
    dense = rest_rows >= np.maximum(DENSE_ROWS, DENSE_SHARE * rest_span)  # else scattered periods, not one mistyped
    flagged = np.flatnonzero(lonely & dense)
    if not len(flagged):
        return
    position = flagged[0]
    stray = ordered.index[position - 1] if stray_first[position] else ordered.index[position]
    area, category = ordered.at[stray, "area"], ordered.at[stray, "category"]
    rest_first = first.iloc[position] if not stray_first[position] else ordered["month"].iloc[position]
    rest_last = ordered["month"].iloc[position - 1] if not stray_first[position] else last.iloc[position]
    periods, noun = int(gap[position]), frequency.noun
    raise DataError(
        f"{_where(frame, stray, source)}, column month: {frame.at[stray, 'month']:%Y-%m} is {periods} {noun}s away from "
        f"the rest of {category} in {area} ({rest_first:%Y-%m} to {rest_last:%Y-%m}). "
        f"Is the month mistyped? Fix it or remove the row (filling the gap would invent {periods - 1} {noun}s)."
    )


def sparse_series(frame: pd.DataFrame, frequency: Frequency = MONTHLY) -> list[tuple[str, str]]:
    """``(category, area)`` of the series holding under half the periods they span (too sparse to forecast)."""
    grouped = frequency.period_numbers(frame["month"]).groupby([frame["category"], frame["area"]])
    span = grouped.max() - grouped.min() + 1
    sparse = grouped.size() < 0.5 * span
    return [tuple(key) for key in sparse[sparse].index]


def _check_outliers(frame: pd.DataFrame, source: str) -> None:
    """Counts far above the months around them (a typing error such as 1e12, or an extra digit or three).

    Each count is set against the median of the 13 months centred on it, so a
    series whose level genuinely changed (a category moved to another
    recording body) is not flagged, while a lone spike is.
    """
    ordered = frame.sort_values(["area", "category", "month"])
    rolling = ordered.groupby(["area", "category"], sort=False)["count"].rolling(
        OUTLIER_WINDOW, center=True, min_periods=1).median()
    typical = pd.Series(rolling.to_numpy(), index=rolling.index.get_level_values(-1)).reindex(ordered.index)
    far = ordered["count"] > OUTLIER_FACTOR * np.maximum(typical, OUTLIER_FLOOR)
    if far.any():
        ratio = (ordered["count"] / np.maximum(typical, 1)).where(far)
        index = ratio.idxmax()
        row = frame.loc[index]
        raise DataError(
            f"{_where(frame, index, source)}, column count: {row['count']:,} for {row['category']} in {row['area']} in "
            f"{row['month']:%Y-%m} is {ratio[index]:,.0f} times the typical month around it ({typical[index]:,.0f}). "
            "Fix the row if it is a typing error; if it is right, pass --keep-outliers (keep_outliers=True)."
        )


def _check_months(frame: pd.DataFrame, source: str, frequency: Frequency) -> None:
    months = frame["month"]
    if not pd.api.types.is_datetime64_any_dtype(months):
        raise DataError(f"{source}: column month must hold dates; load the file with load_counts.")
    off = months.dt.day != 1
    if off.any():
        index = off.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column month: {months[index]:%Y-%m-%d} is not the first day of a month.")
    off_quarter = ~months.map(frequency.is_period_start)
    if off_quarter.any():
        index = off_quarter.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column month: {months[index]:%Y-%m} does not start a quarter "
                        "(January, April, July or October).")


def _check_duplicates(frame: pd.DataFrame, source: str) -> None:
    dup = frame.duplicated(KEY, keep="first")
    if dup.any():
        index = dup.idxmax()
        month, area, category = (frame.at[index, c] for c in KEY)
        first = ""
        if ROW in frame.columns:  # the pair's rows in file order (the frame may be sorted otherwise)
            same = (frame["month"] == month) & (frame["area"] == area) & (frame["category"] == category)
            pair = frame.loc[same, ROW].sort_values(kind="stable")
            index, first = pair.index[1], f" (the first is row {int(pair.iloc[0])})"
        raise DataError(
            f"{_where(frame, index, source)}: a second count for {category} in {area} in {month:%Y-%m}{first}. "
            "Each (month, area, category) may appear once; remove the duplicate, or pass "
            "--sum-duplicates to add such rows together (e.g. minor categories into a major one)."
        )




def _period_starts(numbers: np.ndarray, frequency: Frequency) -> pd.DatetimeIndex:
    """The first day of each period numbered as :meth:`Frequency.period_numbers` numbers them."""
    months = np.asarray(numbers, dtype="int64") * frequency.months_per_period - 1970 * 12
    return pd.DatetimeIndex(months.astype("datetime64[M]").astype("datetime64[ns]"))


def _series_with_gaps(frame: pd.DataFrame, frequency: Frequency) -> pd.Series:
    """Rows of series with a period missing inside them, found for all series at once."""
    period = frequency.period_numbers(frame["month"])
    grouped = period.groupby([frame["area"], frame["category"]], sort=False)
    span = grouped.transform("max") - grouped.transform("min") + 1
    return span != grouped.transform("size")


def _listed(periods, frequency: Frequency) -> str:
    periods = list(periods)
    return ", ".join(frequency.label(m) for m in periods[:6]) + (" ..." if len(periods) > 6 else "")


class _GappySeries:
    """The series with periods missing inside them, sorted by series (in order of first appearance) and period.

    Found for all series at once with numpy: the missing run before each row
    is its period's step from the row before it, less one.
    """

    def __init__(self, rows: pd.DataFrame, frequency: Frequency) -> None:
        codes = rows.groupby(["area", "category"], sort=False).ngroup().to_numpy()
        periods = frequency.period_numbers(rows["month"]).to_numpy()
        order = np.lexsort((periods, codes))
        self.frequency = frequency
        self.month_dtype = rows["month"].dtype  # filled rows keep it (pandas 3 reads months at microseconds)
        self.periods, self.counts = periods[order], rows["count"].to_numpy()[order]
        self.starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
        self.ends = np.r_[self.starts[1:], len(order)]
        first_rows = rows.iloc[order[self.starts]]
        self.keys = list(zip(first_rows["area"], first_rows["category"]))
        step = np.diff(self.periods, prepend=self.periods[:1])
        step[self.starts] = 1
        self.missing_before = step - 1  # periods missing just before each row
        self.longest = np.maximum.reduceat(self.missing_before, self.starts)

    def gaps(self, number: int) -> np.ndarray:
        """The missing period numbers of series ``number``, in order."""
        rows = slice(self.starts[number], self.ends[number])
        missing, periods = self.missing_before[rows], self.periods[rows]
        return np.concatenate([np.arange(p - m, p) for p, m in zip(periods, missing) if m])

    def longest_run(self, number: int) -> np.ndarray:
        """The period numbers of the first longest run of missing periods in series ``number``."""
        rows = slice(self.starts[number], self.ends[number])
        at = int(np.argmax(self.missing_before[rows] == self.longest[number]))
        end = self.periods[rows][at]
        return np.arange(end - self.longest[number], end)

    def completed(self, chosen: np.ndarray, how: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Series ``chosen`` with every period from first to last, the missing ones filled.

        Returns the rows, and for each filled period its series number and period number.
        """
        first, last = self.periods[self.starts[chosen]], self.periods[self.ends[chosen] - 1]
        lengths = last - first + 1
        offsets = np.r_[0, np.cumsum(lengths)[:-1]]
        number = np.repeat(chosen, lengths)
        period = np.repeat(first - offsets, lengths) + np.arange(lengths.sum())
        values = np.full(len(period), np.nan)
        keep = np.repeat(np.isin(np.arange(len(self.starts)), chosen), self.ends - self.starts)
        where = np.repeat(offsets - first, (self.ends - self.starts)[chosen]) + self.periods[keep]
        values[where] = self.counts[keep]
        missing = np.isnan(values)
        # Each series starts and ends with a count, so interpolating the stacked series is interpolating each.
        values = np.where(missing, 0.0, values) if how == "zero" else pd.Series(values).interpolate().round().to_numpy()
        areas, categories = zip(*(self.keys[i] for i in chosen))
        rows = pd.DataFrame({"month": _period_starts(period, self.frequency).astype(self.month_dtype),
                             "area": np.repeat(np.array(areas, dtype=object), lengths),
                             "category": np.repeat(np.array(categories, dtype=object), lengths),
                             "count": values.astype("int64")})
        return rows, number[missing], period[missing]


def _unfillable(gappy: _GappySeries, number: int, *, how: str, source: str, max_gap: int) -> str:
    """Why series ``number`` may not be filled, and how to fix it."""
    frequency, noun = gappy.frequency, gappy.frequency.noun
    area, category = gappy.keys[number]
    longest = int(gappy.longest[number])
    if how == "error":
        gaps = gappy.gaps(number)
        problem = (f"has no count for {_listed(_period_starts(gaps, frequency), frequency)} "
                   f"({counted(len(gaps), noun)} missing inside the series)")
    else:
        problem = (f"has {counted(longest, noun)} in a row with no count "
                   f"({_listed(_period_starts(gappy.longest_run(number), frequency), frequency)}), more than "
                   f"the {max_gap} that may be filled")
    return (f"{source}: {category} in {area} {problem}. Add the missing {noun}s to the file, or, if guessing "
            f"them is acceptable, pass --fill-missing zero or interpolate with --max-gap {max(longest, 1)}.")


def _none_usable(gappy: _GappySeries, numbers: np.ndarray, *, how: str, source: str, max_gap: int) -> str:
    """Why no series may be used: one series' reason, or for several the longest gap's (its --max-gap fills them all),
    said to be every series' lot, so a command asking for one is not told of another as if it were the only one."""
    worst = int(numbers[np.argmax(gappy.longest[numbers])])
    reason = _unfillable(gappy, worst, how=how, source=source, max_gap=max_gap)
    if len(numbers) == 1:
        return reason
    each = f"a missing {gappy.frequency.noun} (--fill-missing error)" if how == "error" else \
        f"a gap longer than the {counted(max_gap, gappy.frequency.noun)} that may be filled"
    return f"{source}: none of its {len(numbers)} series can be used: each has {each}; the longest: {reason[len(source) + 2:]}"


def fill_missing_months(frame: pd.DataFrame, *, how: FillMissing, source: str, max_gap: int = DEFAULT_MAX_GAP,
                        frequency: Frequency = MONTHLY, drop_unfillable: bool = False, listed_by: str = ""
                        ) -> tuple[pd.DataFrame, list[str], list[tuple[str, str, pd.Timestamp]], dict[tuple[str, str], str]]:
    """Deal with periods missing inside each series, series by series.

    A missing period is never a zero: a source that knows a period had no
    crimes gives a row of 0 (the police.uk importer does). Short gaps are
    filled; a gap longer than ``max_gap`` consecutive periods is an error,
    since a guess over it would be charted and forecast as if real.

    Parameters
    ----------
    how
        ``"error"`` refuses any gap; ``"zero"`` inserts zero counts;
        ``"interpolate"`` inserts linearly interpolated, rounded counts.
    max_gap
        The longest run of consecutive missing periods that may be filled.
    drop_unfillable
        Leave out a series whose gaps may not be filled (and say why in
        ``dropped``) instead of raising, so one broken series of a large
        dataset does not stop the others being used.
    listed_by
        Where the user sees every series with gaps (a command), named in
        the one-line note when more than one series was filled.

    Returns
    -------
    (frame, notes, filled, dropped)
        The completed frame, summary notes, the ``(category, area, month)``
        of every filled period (charts mark them), and ``(category, area)``
        -> the reason for each series left out.

    Raises
    ------
    DataError
        Naming the series and periods of a gap that may not be filled.
    """
    gappy_rows = _series_with_gaps(frame, frequency)
    complete = frame[~gappy_rows]
    if not gappy_rows.any():
        return complete.reset_index(drop=True), [], [], {}
    gappy = _GappySeries(frame[gappy_rows], frequency)
    unfillable = np.full(len(gappy.keys), how == "error") | (gappy.longest > max_gap)
    dropped = {}
    for number in np.flatnonzero(unfillable):
        message = _unfillable(gappy, number, how=how, source=source, max_gap=max_gap)
        if not drop_unfillable:
            raise DataError(message)
        area, category = gappy.keys[number]
        dropped[(category, area)] = message
    parts, filled = [complete], []
    fillable = np.flatnonzero(~unfillable)
    if len(fillable):
        rows, numbers, periods = gappy.completed(fillable, how)
        parts.append(rows)
        filled = [(gappy.keys[n][1], gappy.keys[n][0], month)
                  for n, month in zip(numbers, _period_starts(periods, frequency))]
    notes = gap_notes(filled, dropped, how=how, frequency=frequency, listed_by=listed_by)
    if dropped and all(part.empty for part in parts):  # nothing left to work on: say why, of every series
        raise DataError(_none_usable(gappy, np.flatnonzero(unfillable), how=how, source=source, max_gap=max_gap))
    return pd.concat(parts, ignore_index=True), notes, filled, dropped


def gap_notes(filled: list[tuple[str, str, pd.Timestamp]], dropped: dict[tuple[str, str], str], *, how: str,
              frequency: Frequency, listed_by: str = "") -> list[str]:
    """The notes on gaps: the periods filled in and the series left out (at most one line each).

    Parameters
    ----------
    filled, dropped
        As :func:`fill_missing_months` returns them: ``(category, area,
        month)`` of each filled period, and ``(category, area)`` -> why the
        series was left out.
    how, frequency, listed_by
        As given to :func:`fill_missing_months`.

    Returns
    -------
    list of str
        Nothing when there was no gap.
    """
    notes = _fill_note(filled, how=how, frequency=frequency, listed_by=listed_by)
    if dropped:
        listed = ", ".join(f"{c} / {a}" for c, a in list(dropped)[:4]) + (" ..." if len(dropped) > 4 else "")
        notes.append(f"{len(dropped)} series left out for gaps that may not be filled ({listed}); "
                     f"asking for one says why{f' ({listed_by} lists every series with gaps)' if listed_by else ''}.")
    return notes


# The most series a note on filled periods names one by one (more: the one most filled, and where all are listed).
NAMED_SERIES = 3


def _fill_note(filled: list[tuple[str, str, pd.Timestamp]], *, how: str, frequency: Frequency,
               listed_by: str = "") -> list[str]:
    """One line however many were filled: the count, the period and the series most filled, and where every
    series with gaps is listed."""
    if not filled:
        return []
    noun, label = frequency.noun, frequency.label
    frame = pd.DataFrame(filled, columns=["category", "area", "month"])
    per_series = frame.groupby(["category", "area"], sort=False).size().sort_values(ascending=False, kind="stable")
    per_period = frame.groupby("month").size().sort_values(ascending=False, kind="stable")
    where = []
    if len(per_period) == 1:
        where.append(f"all {label(per_period.index[0])}")
    elif per_period.iloc[0] > 1:
        where.append(f"most often {label(per_period.index[0])}, in {per_period.iloc[0]} series")
    if per_series.iloc[0] > 1 and len(per_series) == 1:
        where.append(f"all in {per_series.index[0][0]} / {per_series.index[0][1]}")
    elif len(per_series) <= NAMED_SERIES:  # a few: each named, as the note on series left out names them
        where.append("in " + ", ".join(f"{c} / {a}{f' ({n})' if n > 1 else ''}" for (c, a), n in per_series.items()))
    elif per_series.iloc[0] > 1:
        (category, area), most = per_series.index[0], per_series.iloc[0]
        where.append(f"at most {most} in one series, {category} / {area}")
    if not where:
        where.append("e.g. " + ", ".join(f"{c} / {a} {label(m)}" for c, a, m in filled[:2]))
    method = "linear interpolation" if how == "interpolate" else "zeros"
    listed = f"; {listed_by} lists every series with gaps" if listed_by and len(per_series) > 1 else ""
    return [f"filled {len(filled)} missing {plural(len(filled), noun)} in {len(per_series)} series with {method} "
            f"({'; '.join(where)}); "
            f"they are marked on charts{listed}. Pass --fill-missing error to refuse gaps instead."]


def validate(frame: pd.DataFrame, *, source: str = "table", fill_missing: FillMissing = DEFAULT_FILL,
             max_gap: int = DEFAULT_MAX_GAP, frequency: Frequency = MONTHLY, drop_unfillable: bool = False,
             keep_outliers: bool = False, today: pd.Timestamp | None = None, fill: bool = True,
             listed_by: str = "", until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Check a table against the data contract and return it in canonical form.

    Parameters
    ----------
    frame
        Columns ``month`` (month-start timestamps), ``area``, ``category``,
        ``count``; optionally ``_row`` (source row numbers, used in errors).
    source
        Name of the file or table, used in error messages.
    fill_missing, max_gap
        What to do with periods missing inside a series, and the longest run
        of them that may be filled (see :func:`fill_missing_months`).
    frequency
        Months (default) or quarters; a quarterly ``month`` is the first
        month of its quarter.
    drop_unfillable
        See :func:`fill_missing_months`.
    keep_outliers
        Keep counts more than 100 times the months around them (refused
        by default, as typing errors).
    today
        Months after this one are refused (default: the current date).
    fill
        ``False``: check only, leaving periods missing inside a series as
        they are (an import's check before it writes; commands fill later).
    listed_by
        See :func:`fill_missing_months`.
    until
        The last period used (``--as-of``): later periods are left out after
        the checks and before gaps are decided, so that a series is filled or
        left out for its gaps up to then, as the data stood (none: every period).

    Returns
    -------
    pandas.DataFrame
        Exactly the columns ``month, area, category, count``, sorted, with
        integer counts; ``attrs`` holds ``notes`` (a summary of anything
        filled in), ``filled`` (the filled periods), ``dropped`` (the series
        left out), ``frequency``, and what :func:`gap_notes` needs to say
        the same of fewer series: ``gap_notes`` (the notes on gaps, among
        ``notes``), ``fill_missing`` and ``listed_by``.

    Raises
    ------
    DataError
        Naming the source, row and column at fault and how to fix it.
    """
    _check_columns(frame, source)
    frame = frame.copy()
    frame["count"] = clean_counts(frame, source)
    _check_months(frame, source, frequency)
    frame["area"] = frame["area"].astype(str)
    frame["category"] = frame["category"].astype(str)
    _check_future(frame, source, pd.Timestamp.today() if today is None else today)
    _check_duplicates(frame, source)
    _check_isolated(frame, source, frequency)
    if not keep_outliers:
        _check_outliers(frame, source)
    if until is not None:
        frame = frame[frame["month"] <= until]
    if not fill:
        completed, notes, filled, dropped = frame[[*COLUMNS]], [], [], {}
    else:
        completed, notes, filled, dropped = fill_missing_months(frame[[*COLUMNS]], how=fill_missing, source=source,
                                                                max_gap=max_gap, frequency=frequency,
                                                                drop_unfillable=drop_unfillable, listed_by=listed_by)
    tidy = completed.sort_values(["category", "area", "month"], ignore_index=True)
    tidy.attrs.update(notes=notes, filled=FrozenList(filled), dropped=FrozenDict(dropped), frequency=frequency.name,
                      gap_notes=FrozenList(notes), fill_missing=fill_missing, listed_by=listed_by)
    return tidy
