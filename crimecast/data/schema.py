"""The one data contract: a tidy monthly table ``month, area, category, count``.

Every table entering crimecast passes :func:`validate` once; everything
downstream may rely on it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from crimecast.errors import DataError

COLUMNS: tuple[str, ...] = ("month", "area", "category", "count")
KEY: list[str] = ["month", "area", "category"]
ROW = "_row"  # optional column: the source file row of each record, for errors
FillMissing = Literal["error", "zero", "interpolate"]


def _where(frame: pd.DataFrame, index, source: str) -> str:
    if ROW in frame.columns:
        return f"{source}, row {int(frame.at[index, ROW])}"
    return source


def _check_columns(frame: pd.DataFrame, source: str) -> None:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}. "
            "Map your columns with --date-col, --value-col, --category-col and --area-col."
        )
    if frame.empty:
        raise DataError(f"{source}: no data rows. Check the file has a header and at least one row of counts.")


def clean_counts(frame: pd.DataFrame, source: str) -> pd.Series:
    """Counts as int64, or a DataError naming the first bad row."""
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | ~np.isclose(counts.fillna(0) % 1, 0)
    if bad.any():
        index = bad.idxmax()
        raise DataError(
            f"{_where(frame, index, source)}, column count: '{frame.at[index, 'count']}' is not a "
            "non-negative whole number. Counts must be whole numbers of crimes (0, 1, 2, ...); "
            "fix or remove that row."
        )
    return counts.round().astype("int64")


def _check_months(frame: pd.DataFrame, source: str) -> None:
    months = frame["month"]
    if not pd.api.types.is_datetime64_any_dtype(months):
        raise DataError(f"{source}: column month must hold dates; load the file with load_counts.")
    off = months.dt.day != 1
    if off.any():
        index = off.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column month: {months[index]:%Y-%m-%d} is not the first day of a month.")


def _check_duplicates(frame: pd.DataFrame, source: str) -> None:
    dup = frame.duplicated(KEY, keep="first")
    if dup.any():
        index = dup.idxmax()
        month, area, category = (frame.at[index, c] for c in KEY)
        raise DataError(
            f"{_where(frame, index, source)}: a second count for {category} in {area} in {month:%Y-%m}. "
            "Each (month, area, category) may appear once; remove the duplicate, or pass "
            "--sum-duplicates to add such rows together (e.g. minor categories into a major one)."
        )


def _gaps(group: pd.DataFrame) -> pd.DatetimeIndex:
    full = pd.date_range(group["month"].min(), group["month"].max(), freq="MS")
    return full.difference(pd.DatetimeIndex(group["month"]))


def fill_missing_months(frame: pd.DataFrame, *, how: FillMissing, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Deal with months missing inside a series.

    Parameters
    ----------
    how
        ``"error"`` raises; ``"zero"`` inserts zero counts; ``"interpolate"``
        inserts linearly interpolated, rounded counts.

    Returns
    -------
    (frame, notes)
        The completed frame and one note per filled series.
    """
    parts, notes = [], []
    for (area, category), group in frame.groupby(["area", "category"], sort=False):
        gaps = _gaps(group)
        if len(gaps) == 0:
            parts.append(group)
            continue
        listed = ", ".join(f"{m:%Y-%m}" for m in gaps[:6]) + (" ..." if len(gaps) > 6 else "")
        if how == "error":
            raise DataError(
                f"{source}: {category} in {area} has no count for {listed} ({len(gaps)} month(s) missing inside the series). "
                "Add the missing months, or pass --fill-missing zero (no crimes recorded) or "
                "--fill-missing interpolate (estimate from neighbouring months)."
            )
        full = group.set_index("month").reindex(pd.date_range(group["month"].min(), group["month"].max(), freq="MS"))
        full.index.name = "month"
        full["area"], full["category"] = area, category
        if how == "zero":
            full["count"] = full["count"].fillna(0)
        else:
            full["count"] = full["count"].astype(float).interpolate().round()
        full["count"] = full["count"].astype("int64")
        parts.append(full.reset_index()[[*COLUMNS]])
        notes.append(f"{category} in {area}: filled {len(gaps)} missing month(s) ({listed}) with {how}.")
    return pd.concat(parts, ignore_index=True), notes


def validate(frame: pd.DataFrame, *, source: str = "table", fill_missing: FillMissing = "error") -> pd.DataFrame:
    """Check a table against the data contract and return it in canonical form.

    Parameters
    ----------
    frame
        Columns ``month`` (month-start timestamps), ``area``, ``category``,
        ``count``; optionally ``_row`` (source row numbers, used in errors).
    source
        Name of the file or table, used in error messages.
    fill_missing
        What to do with months missing inside a series.

    Returns
    -------
    pandas.DataFrame
        Exactly the columns ``month, area, category, count``, sorted, with
        integer counts; ``attrs["notes"]`` lists anything filled in.

    Raises
    ------
    DataError
        Naming the source, row and column at fault and how to fix it.
    """
    _check_columns(frame, source)
    frame = frame.copy()
    frame["count"] = clean_counts(frame, source)
    _check_months(frame, source)
    frame["area"] = frame["area"].astype(str)
    frame["category"] = frame["category"].astype(str)
    _check_duplicates(frame, source)
    filled, notes = fill_missing_months(frame[[*COLUMNS]], how=fill_missing, source=source)
    tidy = filled.sort_values(["category", "area", "month"], ignore_index=True)
    tidy.attrs["notes"] = notes
    return tidy
