"""Reading a user's table file (CSV or Excel) as text, with errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.schema import ROW
from crimecast.errors import DataError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


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
