"""Print an HTML page to PDF with headless Chromium (Debian's ``chromium`` package).

Chromium is found on the PATH (``chromium``, ``chromium-browser``,
``google-chrome``) or named by the ``CRIMECAST_CHROMIUM`` environment
variable. It runs with a fresh, temporary profile and with background
networking switched off; the page itself fetches nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from crimecast.errors import CrimecastError

CHROMIUM_ENV = "CRIMECAST_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT = 120
QUIET_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-default-apps", "--mute-audio")


class PdfError(CrimecastError):
    """The PDF could not be made (Chromium missing, or it failed)."""


def find_chromium() -> str | None:
    """The Chromium executable to use, or None if there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(executable: str, profile: Path, *extra: str) -> list[str]:
    """The command line that starts headless Chromium quietly with ``profile`` as its user-data folder."""
    return [executable, *QUIET_FLAGS, f"--user-data-dir={profile}", *extra]


def print_pdf(html: Path, pdf: Path, *, timeout: float = PRINT_TIMEOUT) -> Path:
    """Print ``html`` to ``pdf`` (A4 and page breaks come from the page's print CSS); no header or footer.

    Raises
    ------
    PdfError
        Chromium is not installed, exits with an error, times out or writes nothing.
    """
    executable = find_chromium()
    if executable is None:
        where = os.environ.get(CHROMIUM_ENV)
        looked = f"{CHROMIUM_ENV}={where} is not an executable" if where else f"none of {', '.join(CHROMIUM_NAMES)} is on the PATH"
        raise PdfError(f"no PDF: Chromium was not found ({looked}). Install it (Debian: apt-get install chromium) "
                       "or pass --no-pdf.")
    with tempfile.TemporaryDirectory(prefix="crimecast-chromium-") as profile:
        command = chromium_command(executable, Path(profile), "--no-pdf-header-footer",
                                   f"--print-to-pdf={Path(pdf).resolve()}", Path(html).resolve().as_uri())
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfError(f"no PDF: Chromium ({executable}) failed: {error}.") from None
    if done.returncode != 0 or not Path(pdf).exists() or Path(pdf).stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"no PDF: Chromium ({executable}) exited with code {done.returncode}: {last}")
    return Path(pdf)


__all__ = ["PdfError", "chromium_command", "find_chromium", "print_pdf"]
