"""Home Office police recorded crime open data tables -> quarterly counts.

The tables give one row per financial year, quarter, police force area (or
Community Safety Partnership) and offence group (or offence), e.g.::

    Financial Year,Financial Quarter,Force Name,Offence Group,Number of Offences
    2002/03,1,Avon & Somerset,Criminal damage and arson,6263

Quarters stay quarters. Forces are peers: no total over forces is formed.
ONS rolling 12-month totals look similar but are not counts for a period:
:func:`refuse_rolling_totals` recognises them.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from crimecast.data.category_maps import HOME_OFFICE, map_frame
from crimecast.data.layouts import CSP_NAMES, FORCE_NAMES, QUARTER_NAMES, VALUE_NAMES, YEAR_NAMES, other_importer
from crimecast.data.layouts import column_named as _column
from crimecast.data.months import parse_quarters
from crimecast.data.read import ROW, columns_listed, read_table
from crimecast.data.schema import clean_counts
from crimecast.data.slugs import slugify
from crimecast.data.store import ImportedData, SourceFile, sha256_of
from crimecast.errors import DataError

GROUP_NAMES = ("offence-group",)
OFFENCE_NAMES = ("offence-description", "offence", "offence-subgroup")
ROLLING_MARKERS = ("rolling", "12-months-ending", "year-ending", "12-month")
LEVELS = ("group", "offence")


def refuse_rolling_totals(frame: pd.DataFrame, path: Path) -> None:
    """Refuse ONS rolling 12-month totals, which are not counts for a month or quarter.

    Raises
    ------
    DataError
        When a header says the values are rolling or year-ending totals.
    """
    for column in frame.columns:
        if any(marker in slugify(column) for marker in ROLLING_MARKERS):
            raise DataError(
                f"{path}: column '{column}' holds rolling 12-month totals (each value is the sum of the year up to "
                "that date), not counts for one month or quarter. Read as counts they would be about 12 times too "
                "large and overlap each other. Use the Home Office quarterly open data tables (police force area "
                "or CSP) instead."
            )


def _named(frame: pd.DataFrame, path: Path, names: tuple[str, ...], what: str, *, hint: str = "") -> str:
    column = _column(frame, names)
    if column is None:
        raise DataError(f"{path}: no column for the {what} (expected one of: {', '.join(names)}). "
                        f"{columns_listed(list(frame.columns))}{hint}")
    return column


def _other_importer(frame: pd.DataFrame, path: Path) -> str:
    """For a file without the tables' financial year and quarter: the importer that reads it (police.uk's street
    files, else a file of counts), named with the command that imports it; else an empty string."""
    if _column(frame, YEAR_NAMES) and _column(frame, QUARTER_NAMES):
        return ""
    return " " + other_importer(frame.columns, shlex.quote(str(path)), among=("police-uk", "csv"))


def _net_adjustments(tidy: pd.DataFrame, path: Path, *, sum_duplicates: bool) -> pd.DataFrame:
    key = ["month", "area", "category"]
    negative, second = tidy["count"] < 0, tidy.duplicated(key, keep="first")
    if not sum_duplicates and (negative.any() or second.any()):
        index = negative.idxmax() if negative.any() else second.idxmax()
        what = "a negative adjustment row" if negative.any() else "a second row for the same quarter, area and offence"
        raise DataError(f"{path}, row {int(tidy.at[index, ROW])}: {what}. Home Office tables carry such rows for "
                        "reclassifications; pass --sum-duplicates to net them into their quarter's count.")
    netted = tidy.groupby(key, as_index=False).agg(count=("count", "sum"), **{ROW: (ROW, "min")})
    below = netted["count"] < 0
    if below.any():
        index = below.idxmax()
        raise DataError(f"{path}, row {int(netted.at[index, ROW])}: the adjustments net to {int(netted.at[index, 'count'])} "
                        "offences for that quarter; a count cannot be negative. Check the file.")
    return netted


def _signed_counts(frame: pd.DataFrame, value: str, path: Path) -> pd.Series:
    raw = frame[value].str.replace(",", "", regex=False).str.strip()
    negative = raw.str.startswith("-")
    cleaned = clean_counts(pd.DataFrame({"count": raw.str.lstrip("-"), ROW: frame[ROW]}), str(path), column=value)
    return cleaned.where(~negative, -cleaned)


def import_home_office(paths: list[Path], *, level: str = "group", sum_duplicates: bool = False) -> ImportedData:
    """Read Home Office open data tables (police force area or CSP) into quarterly counts.

    Parameters
    ----------
    paths
        CSV or Excel files in the open data table layout.
    level
        ``"group"`` (offence groups, default) or ``"offence"`` (offences).
    sum_duplicates
        Net duplicated and negative adjustment rows into their quarter.

    Returns
    -------
    ImportedData
        Quarterly counts; forces are peers (CSPs are parts of their force,
        whose total is formed as their sum).

    Raises
    ------
    DataError
        Naming the file, row and column at fault.
    """
    if level not in LEVELS:
        raise DataError(f"unknown offence level '{level}'; use group or offence.")
    parts, sources = [], []
    for path in map(Path, paths):
        frame = read_table(path)
        refuse_rolling_totals(frame, path)
        elsewhere = _other_importer(frame, path)  # a street file or a file of counts: the importer that reads it
        year = _named(frame, path, YEAR_NAMES, "financial year", hint=elsewhere)
        quarter = _named(frame, path, QUARTER_NAMES, "quarter", hint=elsewhere)
        force = _named(frame, path, FORCE_NAMES, "police force area")
        category = _named(frame, path, GROUP_NAMES if level == "group" else OFFENCE_NAMES, f"offence {level}")
        value = _named(frame, path, VALUE_NAMES, "number of offences")
        csp = _column(frame, CSP_NAMES)
        labels = frame[year].str.strip() + " Q" + frame[quarter].str.strip().str.upper().str.lstrip("Q")
        tidy = pd.DataFrame({
            "month": parse_quarters(labels, where=f"{path}, columns {year} and {quarter}", rows=frame[ROW]).to_numpy(),
            "force": frame[force].str.strip(), "csp": frame[csp].str.strip() if csp else None,
            "source_name": frame[category].str.strip(), "count": _signed_counts(frame, value, path), ROW: frame[ROW]})
        tidy["area"] = (tidy["csp"] if csp else tidy["force"]).map(slugify)
        tidy["category"] = tidy["source_name"]
        parts.append(_net_adjustments(tidy, path, sum_duplicates=sum_duplicates).merge(
            tidy[["area", "force", "csp"]].drop_duplicates("area"), on="area"))
        sources.append(SourceFile(str(path), sha256_of(path), rows=len(frame)))
    counts = pd.concat(parts, ignore_index=True)
    categories = map_frame(HOME_OFFICE, sorted(counts["category"].unique()))
    counts["category"] = counts["category"].map(categories.set_index("source_name")["category"])
    by_csp = counts["csp"].notna().any()
    if by_csp:
        forces = counts.assign(area=counts["force"].map(slugify)).groupby(["month", "area", "category"], as_index=False)["count"].sum()
        counts = pd.concat([counts, forces], ignore_index=True)
    hierarchy = _hierarchy(counts, by_csp)
    notes = [f"{len(counts[['area']].drop_duplicates())} areas; forces are peers (no total over forces is formed)."]
    if (categories["note"] != "").any():
        notes += [f"{row.category}: {row.note}" for row in categories.itertuples() if row.note]
    return ImportedData(kind="home-office", counts=counts[["month", "area", "category", "count"]], frequency="quarter",
                        areas="peers", whole=None, categories=categories, hierarchy=hierarchy, files=sources, notes=notes)


def _hierarchy(counts: pd.DataFrame, by_csp: bool) -> pd.DataFrame:
    forces = counts.dropna(subset=["force"]).drop_duplicates("force")
    rows = [{"area": slugify(f), "name": f, "parent": None, "level": "force"} for f in forces["force"]]
    if by_csp:
        csps = counts.dropna(subset=["csp"]).drop_duplicates("csp")
        rows += [{"area": slugify(c), "name": c, "parent": slugify(f), "level": "csp"} for c, f in zip(csps["csp"], csps["force"])]
    return pd.DataFrame(rows)
