"""Reading counts from the embedded dataset or any CSV into the data contract."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from crimecast.data.months import parse_months, parse_quarters
from crimecast.data.schema import ROW, FillMissing, clean_counts, validate
from crimecast.data.slugs import slugify
from crimecast.errors import DataError
from crimecast.io import read_csv

DEFAULT_DATASET = "west-midlands"
EMBEDDED_DATASETS: dict[str, str] = {
    "west-midlands": "west-midlands.csv",
    "west-midlands-domestic-abuse": "west-midlands-domestic-abuse.csv",
}
SINGLE_AREA = "force"

# Header names recognised without a mapping option (compared as slugs).
DATE_NAMES = ("month", "date", "period", "month-start", "ds")
VALUE_NAMES = ("count", "counts", "value", "crimes", "offences", "number-of-offences", "y")
CATEGORY_NAMES = ("category", "crime-type", "offence", "offence-group", "crime-category", "majortext")
AREA_NAMES = ("area", "district", "borough", "boroughname", "force", "force-name", "local-authority", "pfa")


@dataclass(frozen=True)
class ColumnMap:
    """Which CSV columns hold the month, count, category and area.

    ``None`` means: look for a usual name (``month``, ``count``, ...). With
    ``wide=True`` the months are column headers and ``date_col`` is unused.
    """

    date_col: str | None = None
    value_col: str | None = None
    category_col: str | None = None
    area_col: str | None = None
    quarter_col: str | None = None
    wide: bool = False
    quarterly: bool = False
    category_name: str | None = None


def _read_csv(path: Path) -> pd.DataFrame:
    frame = read_csv(path, what="data file", hint="Check the path, or use --data west-midlands for the embedded data.",
                     skipinitialspace=True, comment=None)
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows of counts.")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = range(2, len(frame) + 2)
    return frame


def _find_column(frame: pd.DataFrame, given: str | None, usual: tuple[str, ...], *, option: str, source: str) -> str | None:
    if given is not None:
        if given not in frame.columns:
            columns = ", ".join(c for c in frame.columns if c != ROW)
            raise DataError(f"{source}: no column '{given}' (given by {option}). The columns are: {columns}.")
        return given
    for column in frame.columns:
        if slugify(column) in usual:
            return column
    return None


def _is_month_label(label: str) -> bool:
    try:
        parse_months(pd.Series([label]), where="header")
    except DataError:
        return False
    return True


def _melt_wide(frame: pd.DataFrame, id_cols: list[str], *, source: str) -> pd.DataFrame:
    """Months as column headers -> one row per (id columns, month); other columns are ignored."""
    month_cols = [c for c in frame.columns if c not in id_cols and c != ROW and _is_month_label(c)]
    if not month_cols:
        raise DataError(f"{source}: --wide was given but no column header is a month (like 2013-04 or 201304).")
    long = frame.melt(id_vars=[*id_cols, ROW], value_vars=month_cols, var_name="_month_label", value_name="_value")
    long["_month"] = parse_months(long["_month_label"], where=f"{source}, header").to_numpy()
    return long


def _spread_quarters(frame: pd.DataFrame) -> pd.DataFrame:
    """Split each quarter's count over its three months, remainder to the first."""
    parts = []
    for offset in range(3):
        part = frame.copy()
        base = part["count"] // 3
        part["count"] = base + ((part["count"] % 3) > offset).astype("int64")
        part["month"] = part["month"] + pd.DateOffset(months=offset)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _tidy_from_csv(path: Path, columns: ColumnMap, *, sum_duplicates: bool) -> tuple[pd.DataFrame, list[str]]:
    source = str(path)
    frame = _read_csv(path)
    notes: list[str] = []
    category_col = _find_column(frame, columns.category_col, CATEGORY_NAMES, option="--category-col", source=source)
    area_col = _find_column(frame, columns.area_col, AREA_NAMES, option="--area-col", source=source)
    id_cols = [c for c in (category_col, area_col) if c]
    if columns.wide:
        long = _melt_wide(frame, id_cols, source=source)
        month_values, value_col = long["_month"], "_value"
        frame = long
    else:
        date_col = _find_column(frame, columns.date_col, DATE_NAMES, option="--date-col", source=source)
        value_col = _find_column(frame, columns.value_col, VALUE_NAMES, option="--value-col", source=source)
        if date_col is None or value_col is None:
            missing = "--date-col" if date_col is None else "--value-col"
            raise DataError(
                f"{source}: cannot tell which column holds the {'month' if date_col is None else 'count'}. "
                f"Name it with {missing}; if months are column headers, pass --wide."
            )
        if columns.quarterly:
            labels = frame[date_col]
            if columns.quarter_col:
                quarter_col = _find_column(frame, columns.quarter_col, (), option="--quarter-col", source=source)
                labels = frame[date_col] + " Q" + frame[quarter_col].str.replace("Q", "", case=False)
            month_values = parse_quarters(labels, where=f"{source}, column {date_col}", rows=frame[ROW])
        else:
            month_values = parse_months(frame[date_col], where=f"{source}, column {date_col}", rows=frame[ROW])
    tidy = pd.DataFrame({
        "month": month_values.to_numpy(),
        "area": frame[area_col].map(slugify) if area_col else SINGLE_AREA,
        "category": frame[category_col].map(slugify) if category_col else slugify(columns.category_name or path.stem),
        "count": frame[value_col],
        ROW: frame[ROW],
    })
    if not area_col:
        notes.append(f"{source}: no area column found, so the file is read as one area '{SINGLE_AREA}' (name one with --area-col).")
    tidy["count"] = clean_counts(tidy, source)
    if columns.quarterly:
        tidy = _spread_quarters(tidy)
        notes.append(f"{source}: quarterly counts were spread evenly over their three months; month-to-month seasonality inside a quarter is unknown.")
    if sum_duplicates:
        tidy = tidy.groupby(["month", "area", "category"], as_index=False).agg(count=("count", "sum"), **{ROW: (ROW, "min")})
    return tidy, notes


def _embedded_metadata() -> dict:
    """Metadata shared by the embedded datasets (all generated from one assumptions file)."""
    text = resources.files("crimecast.data").joinpath("demo", "west-midlands.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["dataset"]


def load_counts(
    source: str | Path = DEFAULT_DATASET,
    *,
    columns: ColumnMap | None = None,
    sum_duplicates: bool = False,
    fill_missing: FillMissing = "error",
    keep_outliers: bool = False,
) -> pd.DataFrame:
    """Load monthly crime counts into the validated data contract.

    Parameters
    ----------
    source
        The name of an embedded dataset (``"west-midlands"``) or a CSV path.
    columns
        Where the month, count, category and area are in a CSV, whether the
        file is wide (months as column headers) or quarterly.
    sum_duplicates
        Add together rows with the same (month, area, category) instead of
        rejecting them, e.g. minor categories read as their major category.
    fill_missing
        ``"error"`` (default), ``"zero"`` or ``"interpolate"`` for months
        missing inside a series.
    keep_outliers
        Keep counts far above their series (refused by default as likely
        typing errors; see :func:`crimecast.data.schema.validate`).

    Returns
    -------
    pandas.DataFrame
        Columns ``month, area, category, count``. ``attrs`` holds
        ``source``, ``illustrative`` (bool), ``notice`` and ``notes``.

    Raises
    ------
    DataError
        With the file, row and column at fault and how to fix it.

    Examples
    --------
    >>> counts = load_counts("west-midlands")
    >>> sorted(counts["area"].unique())[:2]
    ['birmingham', 'coventry']
    """
    columns = columns or ColumnMap()
    name = str(source)
    if name in EMBEDDED_DATASETS:
        path = resources.files("crimecast.data").joinpath("demo", EMBEDDED_DATASETS[name])
        with resources.as_file(path) as csv_path:
            tidy, notes = _tidy_from_csv(Path(csv_path), ColumnMap(), sum_duplicates=False)
        meta = _embedded_metadata()
        illustrative, notice = True, meta["notice"]
    else:
        tidy, notes = _tidy_from_csv(Path(name), columns, sum_duplicates=sum_duplicates)
        illustrative, notice = False, ""
    valid = validate(tidy, source=name, fill_missing=fill_missing, keep_outliers=keep_outliers)
    valid.attrs.update(source=name, illustrative=illustrative, notice=notice, notes=notes + valid.attrs["notes"])
    return valid
