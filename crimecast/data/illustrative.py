"""Recognising illustrative data when it is imported, so the flag travels with it into the store.

crimecast ships synthetic example files (``forecast example NAME``) and the
embedded datasets. Once imported into the store they are still not real
recorded crime (the rates example: not real survey results), and every
command that reports on them must say so. An import
is illustrative when one of its files is a shipped example or embedded file
byte for byte (a zip archive's street files included), or when a force or area
name carries the examples' marker ``(illustrative)``.
"""

from __future__ import annotations

import functools
import hashlib
import zipfile
from collections.abc import Iterable
from pathlib import Path

MARKER = "(illustrative)"
NOTICE = ("ILLUSTRATIVE DATA: from crimecast's shipped example files (synthetic, made from the embedded "
          "illustrative data), not real recorded crime.")  # read with --data or imported into the store: true of both
RATES_NOTICE = ("ILLUSTRATIVE DATA: from crimecast's shipped example files (synthetic rates, made from the embedded "
                "illustrative data), not real survey results.")  # a rates import (numerator / denominator): not crime
_FOLDERS = (Path(__file__).parent / "examples", Path(__file__).parent / "demo")


@functools.lru_cache(maxsize=1)
def shipped_hashes() -> frozenset[str]:
    """SHA-256 of every shipped example and embedded data file, and of each file inside a shipped zip."""
    hashes = set()
    for folder in _FOLDERS:
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() not in (".csv", ".zip"):
                continue
            hashes.add(hashlib.sha256(path.read_bytes()).hexdigest())
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as archive:
                    hashes.update(hashlib.sha256(archive.read(m)).hexdigest() for m in archive.namelist())
    return frozenset(hashes)


def illustrative_notice(sha256s: Iterable[str], names: Iterable[object] = (), *, rates: bool = False) -> str | None:
    """The notice to store with an import of files with these SHA-256s and force/area ``names``, or ``None`` if real.

    Parameters
    ----------
    sha256s
        The SHA-256 of each file imported (a zip archive's members too).
    names
        The force and area names the files give.
    rates
        An import of rates (numerator / denominator, such as the shipped ``satisfaction.csv``): its notice says
        they are not real survey results, not that they are not real recorded crime.

    Returns
    -------
    str or None
        :data:`NOTICE` (:data:`RATES_NOTICE` for rates), or ``None`` for real data.

    Examples
    --------
    >>> illustrative_notice([], ["West Midlands Police (illustrative)"]) is not None
    True
    >>> illustrative_notice(["0" * 64], ["Merseyside Police"]) is None
    True
    """
    notice = RATES_NOTICE if rates else NOTICE
    if set(sha256s) & shipped_hashes():
        return notice
    if any(isinstance(n, str) and (MARKER in n.lower() or n.endswith("-illustrative")) for n in names):
        return notice
    return None
