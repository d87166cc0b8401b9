"""Choosing series from the tidy table: totals, aliases and friendly look-up."""

from __future__ import annotations

import pandas as pd

from crimecast.data.load import SINGLE_AREA
from crimecast.data.schema import COLUMNS
from crimecast.data.slugs import did_you_mean, slugify
from crimecast.errors import DataError

TOTAL_CATEGORY = "total-recorded-crime"
FORCE_AREA = SINGLE_AREA
CATEGORY_ALIASES: dict[str, str] = {
    "burglary": "burglary-dwelling",
    "bdh": "burglary-dwelling",
    "vwi": "violence-with-injury",
    "trc": "total-recorded-crime",
    "shoplifting-tss": "shoplifting",
}
ALL = "all"


def with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Add the force-wide area and total-recorded-crime category as sums.

    The force is the sum over areas and total recorded crime the sum over
    categories, so both are coherent with their parts by construction.
    """
    frame = counts[[*COLUMNS]]
    areas = frame["area"].unique()
    if len(areas) > 1 and FORCE_AREA not in areas:
        force = frame.groupby(["month", "category"], as_index=False)["count"].sum().assign(area=FORCE_AREA)
        frame = pd.concat([frame, force[[*COLUMNS]]], ignore_index=True)
    if frame["category"].nunique() > 1 and TOTAL_CATEGORY not in set(frame["category"]):
        total = frame.groupby(["month", "area"], as_index=False)["count"].sum().assign(category=TOTAL_CATEGORY)
        frame = pd.concat([frame, total[[*COLUMNS]]], ignore_index=True)
    frame = frame.sort_values(["category", "area", "month"], ignore_index=True)
    frame.attrs = dict(counts.attrs)
    return frame


def _resolve(name: str, choices: list[str], *, kind: str, aliases: dict[str, str], source: str = "") -> tuple[str, str | None]:
    slug = slugify(name)
    if slug in choices:
        return slug, None
    if slug in aliases and aliases[slug] in choices:
        return aliases[slug], f"'{name}' is read as {aliases[slug]}."
    where = f" in {source}" if source else ""
    raise DataError(
        f"unknown {kind} '{name}'{where}.{did_you_mean(slug, choices, aliases=aliases)} "
        f"Known {'categories' if kind == 'category' else kind + 's'}: {', '.join(choices)} (see `forecast list`)."
    )


def resolve_category(counts: pd.DataFrame, name: str) -> tuple[str, str | None]:
    """The category slug for ``name`` (aliases allowed) and a note if aliased.

    Raises
    ------
    DataError
        With a did-you-mean suggestion when the category is unknown.
    """
    return _resolve(name, sorted(counts["category"].unique()), kind="category", aliases=CATEGORY_ALIASES,
                    source=counts.attrs.get("source", ""))


def resolve_area(counts: pd.DataFrame, name: str) -> str:
    """The area slug for ``name``; raises DataError with a suggestion if unknown."""
    return _resolve(name, sorted(counts["area"].unique()), kind="area", aliases={}, source=counts.attrs.get("source", ""))[0]


def default_area(counts: pd.DataFrame) -> str:
    """The force-wide area when present, else the only area."""
    areas = sorted(counts["area"].unique())
    return FORCE_AREA if FORCE_AREA in areas else areas[0]


def series_of(counts: pd.DataFrame, *, category: str, area: str) -> pd.Series:
    """One series as counts indexed by month (``freq='MS'``)."""
    rows = counts[(counts["category"] == category) & (counts["area"] == area)]
    if rows.empty:
        raise DataError(f"no counts for {category} in {area}. Run `forecast list` to see which series exist.")
    values = rows.set_index("month")["count"].sort_index()
    values.index = pd.DatetimeIndex(values.index, freq="MS")
    values.name = f"{category} / {area}"
    return values


def select_keys(counts: pd.DataFrame, *, category: str, area: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(category, area) pairs named by ``category`` and ``area``, ``all`` allowed.

    Returns
    -------
    (keys, notes)
        The pairs to forecast, and notes such as an alias being used.
    """
    notes = []
    if category == ALL:
        categories = sorted(counts["category"].unique())
    else:
        slug, note = resolve_category(counts, category)
        categories, notes = [slug], [note] if note else []
    if area == ALL:
        areas = sorted(counts["area"].unique())
    else:
        areas = [resolve_area(counts, area)]
    present = set(map(tuple, counts[["category", "area"]].drop_duplicates().to_numpy()))
    return [(c, a) for c in categories for a in areas if (c, a) in present], notes


def catalogue(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per category: how many areas, first and last month, months of data."""
    grouped = counts.groupby("category")
    table = pd.DataFrame({
        "areas": grouped["area"].nunique(),
        "first_month": grouped["month"].min().dt.strftime("%Y-%m"),
        "last_month": grouped["month"].max().dt.strftime("%Y-%m"),
        "months": grouped["month"].nunique(),
    })
    return table.reset_index()
