"""Files in and out, guarded: output is checked before any work, written atomically
with the user's normal permissions and published a run at a time; input is read
through one reader whose errors name the file, the line and the fix.
"""

from __future__ import annotations

import contextlib
import io as _io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crimecast.errors import CrimecastError, DataError, UsageError

if TYPE_CHECKING:  # pandas is imported only where a table is read or written
    import pandas as pd

STAGING_PREFIX = ".crimecast-run-"


# ---------------------------------------------------------------- writing


def file_mode() -> int:
    """The mode a new file gets from ``open()``: ``0o666`` less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    The file gets the permissions an ordinary ``open()`` would give it
    (``0o666`` less the umask), not the private ``0o600`` of a temporary file,
    so colleagues on a shared drive can read it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (no index, ``\\n`` line ends) atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"))


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _probe_writable(folder: Path, *, wanted: Path, option: str) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"{option} {wanted}: cannot write in {folder} ({reason.lower()}). "
                         f"Choose a folder you can write to with {option}.") from None


def check_output_dir(path: str | Path, *, option: str = "--out") -> Path:
    """Check, without creating anything, that files can be written into folder ``path``.

    Called before any forecasting, so a run never does minutes of work only to
    fail on its output folder.

    Raises
    ------
    UsageError
        When ``path`` (or a folder above it) is a file, or the folder cannot be written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path} is a file, not a folder. Choose a folder (it is created if missing).")
    existing = _nearest_existing(path.absolute())
    if not existing.is_dir():
        raise UsageError(f"{option} {path}: cannot create a folder inside {existing}, which is a file. Choose another folder.")
    _probe_writable(existing, wanted=path, option=option)
    return path


def check_output_file(path: str | Path, *, option: str = "--out") -> Path:
    """Check that file ``path`` could be written (its folder is writable and it is not a folder)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name such as {path / 'name.yaml'}.")
    check_output_dir(path.parent if str(path.parent) else Path("."), option=option)
    return path


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``folder`` itself (no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@dataclass
class StagedOutput:
    """A run's private folder inside ``final``; :meth:`publish` moves its files into place."""

    final: Path
    dir: Path
    published: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def final_path(self, staged: Path) -> Path:
        """Where a file written in the staging folder ends up."""
        return self.final / Path(staged).relative_to(self.dir)

    def publish(self, *, stale: tuple[str, ...] = ()) -> list[Path]:
        """Move every staged file into ``final`` under a lock, and delete ``stale`` files (names relative to ``final``).

        Two runs into one folder each publish all of their files together, so
        the folder never mixes files of both.
        """
        with _folder_lock(self.final):
            for staged in sorted(p for p in self.dir.rglob("*") if p.is_file()):
                target = self.final_path(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
                self.published.append(target)
            for name in stale:
                old = self.final / name
                if old.is_file() and old not in self.published:
                    old.unlink()
                    self.removed.append(old)
        return self.published


@contextlib.contextmanager
def staged_output(out_dir: str | Path, *, option: str = "--out") -> Iterator[StagedOutput]:
    """Write a run's files into a fresh hidden folder inside ``out_dir``; publish them only if the run finishes.

    An interrupted or failed run leaves ``out_dir`` as it was (a folder it had
    to create is removed again), never new files beside stale ones. The caller
    calls :meth:`StagedOutput.publish` at the end of its work.
    """
    out_dir = check_output_dir(out_dir, option=option)
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = StagedOutput(final=out_dir, dir=Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir)))
    try:
        yield stage
    finally:
        shutil.rmtree(stage.dir, ignore_errors=True)
        if created and not stage.published:
            with contextlib.suppress(OSError):
                out_dir.rmdir()


# ---------------------------------------------------------------- reading


def read_text(path: str | Path, *, what: str = "file", error: type[CrimecastError] = DataError,
              hint: str = "Check the path.") -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed), with errors a user can act on.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"data file"``, ``"known-changes file"``).
    error
        The exception class to raise.
    hint
        Added to the message when the file does not exist.

    Raises
    ------
    CrimecastError
        (of class ``error``) when the file is missing, a folder, unreadable, or
        not UTF-8 (naming the line of the first byte that is not).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} {path} not found (no such file). {hint}") from None
    except IsADirectoryError:
        raise error(f"{what} {path} is a folder, not a file. Give the path of the file inside it.") from None
    except OSError as exc:
        raise error(f"{what} {path}: cannot read it ({(exc.strerror or str(exc)).lower()}).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(f"{what} {path}, line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 text (the file looks like "
                    "Latin-1/Windows-1252). Save it as UTF-8 (in Excel: 'CSV UTF-8').") from None


_OTHER_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def read_csv(path: str | Path, *, what: str = "file", error: type[CrimecastError] = DataError,
             hint: str = "Check the path.", **options) -> pd.DataFrame:
    """Read a comma-separated UTF-8 file as text columns through :func:`read_text`.

    Besides :func:`read_text`'s errors, names a file separated by something
    other than commas, and the line of a malformed row (an unclosed quote).
    ``options`` go to :func:`pandas.read_csv` (``dtype=str`` and
    ``keep_default_na=False`` by default).
    """
    import pandas as pd

    text = read_text(path, what=what, error=error, hint=hint)
    header = text.split("\n", 1)[0]
    if "," not in header:
        for delimiter, name in _OTHER_DELIMITERS.items():
            if delimiter in header:
                raise error(f"{what} {path}: the columns are separated by {name}, not commas. Save it as "
                            "comma-separated CSV (in Excel: 'CSV UTF-8 (Comma delimited)').")
    options = {"dtype": str, "keep_default_na": False, **options}
    try:
        return pd.read_csv(_io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise error(f"{what} {path}: the file is empty. It needs a header row and at least one row.") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "malformed row"
        raise error(f"{what} {path}: not a readable CSV ({detail}). Check for an unclosed quote (\") or a row with "
                    "extra commas, and save it as comma-separated UTF-8 text.") from None
