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


def _encoding_line(path: Path, error: UnicodeDecodeError) -> int:
    with open(path, "rb") as handle:
        return handle.read(error.start).count(b"\n") + 1


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty. It needs a header row and at least one row.") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}, line {_encoding_line(path, error)}: not UTF-8 text (byte {error.object[error.start]:#x}). "
                        "Save the file as CSV UTF-8 (in Excel: Save As > CSV UTF-8).") from None
    except pd.errors.ParserError as error:
        raise DataError(f"{path}: not a readable CSV ({str(error).splitlines()[0]}). "
                        "Check for an unclosed quote or a line with extra commas.") from None


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise DataError(f"{path}: not a readable Excel workbook ({str(error).splitlines()[0] if str(error) else type(error).__name__}). "
                        "Open it in Excel and save it again, or save the sheet as CSV UTF-8.") from None


def _single_column_hint(path: Path, frame: pd.DataFrame) -> None:
    if frame.shape[1] != 1:
        return
    header = str(frame.columns[0])
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if delimiter in header:
            raise DataError(f"{path}: the columns are separated by {name}, not commas. "
                            "Save the file as comma-separated CSV (in Excel: Save As > CSV UTF-8).")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, comma-separated) or Excel sheet with every cell as text.

    Returns
    -------
    pandas.DataFrame
        The columns as written (names stripped) plus ``_row``, the file row of
        each record (the header is row 1).

    Raises
    ------
    DataError
        Naming the file (and line) and the fix: missing file, a folder, an empty
        file, another encoding, another delimiter, an unclosed quote.
    """
    path = Path(path)
    _check_path(path)
    frame = _read_excel(path) if path.suffix.lower() in EXCEL_SUFFIXES else _read_csv(path)
    _single_column_hint(path, frame)
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = range(2, len(frame) + 2)
    return frame
