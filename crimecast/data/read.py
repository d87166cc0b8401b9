"""Reading a user's table file (CSV or Excel) as text, with errors that say what to do."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from crimecast.data.months import parse_months
from crimecast.data.schema import ROW
from crimecast.data.slugs import SUGGEST_CUTOFF
from crimecast.errors import DataError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
LISTED_COLUMNS = 12  # an error lists at most this many of a file's columns (month headers are counted, not listed)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise DataError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a file. Name the CSV or Excel file inside it.")


def _read_csv(path: Path) -> pd.DataFrame:
    from crimecast.io import read_csv

    return read_csv(path, what="file", skipinitialspace=True, skip_blank_lines=False)  # rows keep their file line


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise DataError(f"{path}: not a readable Excel workbook ({str(error).splitlines()[0] if str(error) else type(error).__name__}). "
                        "Open it in Excel and save it again, or save the sheet as CSV UTF-8.") from None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, comma-separated) or Excel sheet with every cell as text.

    Returns
    -------
    pandas.DataFrame
        The columns as written (names stripped) plus ``_row``, the file row of
        each record (the header is row 1). Blank rows (no cell filled in, such
        as the ``,,,,`` rows a spreadsheet leaves at the end) are left out.

    Raises
    ------
    DataError
        Naming the file (and line) and the fix: missing file, a folder, an empty
        file, another encoding, another delimiter, an unclosed quote (CSV files
        go through :func:`crimecast.io.read_csv`, the one guarded reader).
    """
    path = Path(path)
    _check_path(path)
    frame = _read_excel(path) if path.suffix.lower() in EXCEL_SUFFIXES else _read_csv(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = range(2, len(frame) + 2)
    frame = _without_blank_rows(frame)
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows.")
    return frame


def _without_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with no cell filled in (an empty line, or a spreadsheet's ``,,,,``) left out; the rest keep their row."""
    cells = frame.drop(columns=ROW).fillna("").astype(str)
    blank = cells.apply(lambda column: column.str.strip().eq("")).all(axis=1)
    return frame[~blank].reset_index(drop=True) if blank.any() else frame


def is_month_label(label: str) -> bool:
    """Whether a column header is a month (a wide file's ``201304`` or ``2013-04``).

    Parameters
    ----------
    label
        A column header.

    Returns
    -------
    bool
        ``True`` when the month parser reads ``label`` as a month.
    """
    try:
        parse_months(pd.Series([label]), where="header")
    except DataError:
        return False
    return True


def _compact(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def column_hint(given: str, columns: list[str]) -> str:
    """A ``" Did you mean 'X'?"`` for a column name not in a file: the same name in other capitals or spacing
    (``Majortext``: ``MajorText``), else the closest names, compared without regard to capitals (month headers aside),
    else a column holding the name (``local_authority``: ``local_authority_from_lsoa_name``); or an empty string.

    Parameters
    ----------
    given
        The column name asked for (an option's value), not among ``columns``.
    columns
        The file's columns (the reader's row-number column is ignored).

    Returns
    -------
    str
        ``" Did you mean 'X'?"`` (or ``'X' or 'Y'``), to append to an error message; ``""`` when nothing is close.
    """
    names = [c for c in columns if c != ROW]
    same = [c for c in names if _compact(c) == _compact(given)]
    if same:
        return f" Did you mean '{same[0]}'? (A column is named as the file writes it, capitals and spaces too.)"
    folded = {}
    for name in names:
        if not is_month_label(name):
            folded.setdefault(str(name).casefold(), name)
    key = str(given).casefold()
    close = difflib.get_close_matches(key, list(folded), n=2, cutoff=SUGGEST_CUTOFF)
    if close:  # a second suggestion only when it is about as close as the first
        best = difflib.SequenceMatcher(None, key, close[0]).ratio()
        close = [c for c in close if difflib.SequenceMatcher(None, key, c).ratio() >= best - 0.05]
    else:
        close = [c for c in folded if len(key) >= 3 and len(c) >= 3 and (key in c or c in key)][:1]
    return f" Did you mean {' or '.join(repr(folded[c]) for c in close)}?" if close else ""


def columns_listed(columns: list[str]) -> str:
    """A file's columns for an error, short: month headers (a wide file's 165) counted with their first and last, and
    no more than :data:`LISTED_COLUMNS` others named (``"The columns are: MajorText, MinorText, BoroughName and 165
    month headers (201004 to 202309)."``).

    Parameters
    ----------
    columns
        The file's columns (the reader's row-number column is ignored).

    Returns
    -------
    str
        One sentence, ``"The columns are: ..."``, ending with a full stop.
    """
    names = [str(c) for c in columns if c != ROW]
    months = [c for c in names if is_month_label(c)] if len(names) > LISTED_COLUMNS else []
    month_set = set(months)
    others = [c for c in names if c not in month_set]
    listed = ", ".join(others[:LISTED_COLUMNS])
    if len(others) > LISTED_COLUMNS:
        listed += f" and {len(others) - LISTED_COLUMNS} more ({len(names)} in all)"
    if months:
        listed += f"{' and ' if others else ''}{len(months)} month headers ({months[0]} to {months[-1]})"
    return f"The columns are: {listed}."


def missing_column(given: str, columns: list[str], *, option: str, source: str) -> DataError:
    """The error for ``option`` naming a column the file does not have: a did-you-mean (:func:`column_hint`) and the
    columns there are (:func:`columns_listed`)."""
    return DataError(f"{source}: no column '{given}' (given by {option}).{column_hint(given, columns)} "
                     f"{columns_listed(columns)}")
