"""Which importer reads a file, told by its header: police.uk's street layout and the Home Office open data tables'.

Recognised here, below the importers, so that each of them (and ``import csv``) can name the one that reads a file
given to it by mistake, with the command that imports it, without the importers importing one another.
"""

from __future__ import annotations

import pandas as pd

from crimecast.data.read import ROW
from crimecast.data.slugs import slugify

STREET_HEADER = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context")
# The Home Office tables' columns, by slug (the first name of each is the tables' own).
YEAR_NAMES = ("financial-year", "year")
QUARTER_NAMES = ("financial-quarter", "quarter")
FORCE_NAMES = ("force-name", "pfa", "police-force-area", "force", "police-force")
CSP_NAMES = ("csp-name", "community-safety-partnership", "csp")
VALUE_NAMES = ("number-of-offences", "offences", "count", "value")


def column_named(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    """The first of ``frame``'s columns whose slug is among ``names`` (in the order of ``names``), or ``None``."""
    by_slug = {slugify(c): c for c in frame.columns if c != ROW}
    return next((by_slug[n] for n in names if n in by_slug), None)


def looks_like_street_file(columns) -> bool:
    """Whether a header (column names) is police.uk's street layout: most of the standard columns, so another
    importer can say which one reads the file.

    Parameters
    ----------
    columns
        The header's column names, in any order (matched by slug: capitals and spacing aside).

    Returns
    -------
    bool
        ``True`` when at least half of police.uk's standard street columns are among them.
    """
    standard = {slugify(c) for c in STREET_HEADER}
    return len(standard & {slugify(c) for c in columns}) >= len(STREET_HEADER) // 2


def looks_like_home_office(frame: pd.DataFrame) -> bool:
    """Whether a table has the open data tables' layout: a financial year, a quarter, a force or CSP and a number of
    offences (so another importer can say which one reads it).

    Parameters
    ----------
    frame
        A table as read, its header as columns (matched by slug: capitals and spacing aside).

    Returns
    -------
    bool
        ``True`` when it has a year, a quarter and an offences column, and a force or a CSP column.
    """
    return all(column_named(frame, names) for names in (YEAR_NAMES, QUARTER_NAMES, VALUE_NAMES)) and \
        bool(column_named(frame, FORCE_NAMES) or column_named(frame, CSP_NAMES))


def other_importer(columns, named: str, *, among: tuple[str, ...]) -> str:
    """The sentence naming which of the importers ``among`` reads a file given to another, by its header.

    Parameters
    ----------
    columns
        The file's column names (the reader's row-number column is ignored).
    named
        The file as the sentence names it (quoted for a shell, or ``FILE``).
    among
        The importers to name, tried in order: ``"police-uk"`` for a street file's header, ``"home-office"`` for an
        open data table's, ``"csv"`` for any file (a file of counts).

    Returns
    -------
    str
        The sentence (:func:`street_file_pointer`, :func:`home_office_pointer`, :func:`counts_pointer`), or ``""``
        when none of ``among`` reads it.
    """
    names = [c for c in columns if c != ROW]
    for kind in among:
        if kind == "police-uk" and looks_like_street_file(names):
            return street_file_pointer(named)
        if kind == "home-office" and looks_like_home_office(pd.DataFrame(columns=names)):
            return home_office_pointer(named)
        if kind == "csv":
            return counts_pointer(named)
    return ""


def street_file_pointer(named: str) -> str:
    """The sentence naming police.uk's importer for a street file given elsewhere, the file as ``named``."""
    return ("Its header is a police.uk street file's (Crime ID, Month, ..., Crime type: one row per crime, not "
            f"counts): import it with `forecast data import police-uk {named} --name NAME` (or the zip of the whole "
            "download), which counts the rows.")


def home_office_pointer(named: str) -> str:
    """The sentence naming the Home Office importer for one of its tables given elsewhere, the file as ``named``."""
    return ("Its columns are a Home Office open data table's (financial year, quarter, force, number of offences): "
            f"import it with `forecast data import home-office {named} --name NAME --sum-duplicates`, which keeps "
            "its quarters.")


def counts_pointer(named: str) -> str:
    """The sentence naming the importer of a file of counts, the file as ``named``."""
    return f"A file of counts (month, area, category, count) imports with `forecast data import csv {named} --name NAME`."
