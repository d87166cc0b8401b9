"""Writing output files atomically: a crash never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from crimecast.errors import UsageError


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual permissions
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (no index, ``\\n`` line ends) atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"))


def write_excel_atomic(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write one sheet per frame (no index) to an Excel workbook atomically.

    Cell values are reproducible; openpyxl also records the save time, so the
    file itself is not byte-identical between runs.
    """

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)

    return write_atomic(path, write)


def check_writable(folder: Path) -> Path:
    """Make ``folder`` if needed and prove a file can be written there, before any work is done.

    Raises
    ------
    UsageError
        Naming the folder and why it cannot be written.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(handle)
        os.unlink(name)
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"{folder}: cannot write there ({reason}). Choose a folder you can write to.") from None
    return folder
