"""Resident populations of areas, from a file the user gives, for rates per 1,000 people.

A CSV with columns ``area``, ``population`` and ``year`` (the year the
population refers to, e.g. a census or a mid-year estimate), and optionally
``source`` (where the figure comes from; say "approximate" there when it is)::

    area,population,year,source
    west-midlands,2736460,2011,2011 Census usual residents
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crimecast.data.slugs import slugify
from crimecast.errors import DataError
from crimecast.io import read_csv
from crimecast.words import plural

COLUMNS_HINT = "a population file needs the columns area,population,year (and optionally source)"


@dataclass(frozen=True)
class Population:
    """The residents of one area in one year, and where the figure comes from."""

    area: str
    people: float
    year: int
    source: str = ""


@dataclass(frozen=True)
class PopulationTable:
    """Every row of a population file."""

    path: str
    rows: tuple[Population, ...]

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})

    def for_areas(self, areas: list[str], *, year: int) -> tuple[dict[str, Population], list[str]]:
        """The population of each area for ``year``, and notes on what was used.

        A file with one year throughout is used for any ``year`` (with a note
        saying so); a file with several years must hold ``year`` for every area.

        Raises
        ------
        DataError
            Naming the area (and the year) the file lacks, and the row to add.
        """
        chosen, notes = {}, []
        single = len(self.years) == 1
        for area in areas:
            rows = [row for row in self.rows if row.area == area]
            if not rows:
                raise DataError(f"{self.path}: no population for '{area}'; add a row {area},POPULATION,YEAR "
                                "(its residents and the year they were counted).")
            match = [row for row in rows if row.year == year]
            if match:
                chosen[area] = match[0]
            elif single:
                chosen[area] = rows[0]
            else:
                held = ", ".join(str(row.year) for row in sorted(rows, key=lambda r: r.year))
                raise DataError(f"{self.path}: no {year} population for '{area}' (the file has {held}); add a row "
                                f"{area},POPULATION,{year}, or give a file with one year for every area.")
        if single and self.years[0] != year:
            gap = abs(year - self.years[0])
            notes.append(f"populations are for {self.years[0]} (the only year in {Path(self.path).name}), used for a "
                         f"year starting in {year} ({gap} year{'s' if gap != 1 else ''} apart): rates per 1,000 are "
                         "approximate where populations have changed.")
        return chosen, notes


def _number(text: str, *, where: str) -> float:
    cleaned = str(text).replace(",", "").replace(" ", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise DataError(f"{where}: '{text}' is not a number; write the residents as digits, e.g. 2736460.") from None
    if not value > 0:
        raise DataError(f"{where}: a population must be above zero (got {text}); correct the figure.")
    return value


def _year(text: str, *, where: str) -> int:
    cleaned = str(text).strip()
    if not cleaned:
        raise DataError(f"{where}: no year; give the year the population refers to (e.g. 2011 for the 2011 Census).")
    if not (cleaned.isdigit() and len(cleaned) == 4):
        raise DataError(f"{where}: '{cleaned}' is not a year; write it as four digits, e.g. 2011.")
    return int(cleaned)


def load_population(path: str | Path) -> PopulationTable:
    """Read a population CSV; DataError naming the row and column on bad input."""
    frame = read_csv(path, what="population file", hint=f"Give the path of a CSV; {COLUMNS_HINT}.")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = {"area", "population", "year"} - set(frame.columns)
    if missing:
        raise DataError(f"{path}: missing {plural(len(missing), 'column')} {', '.join(sorted(missing))}; {COLUMNS_HINT}.")
    rows, seen = [], {}
    for number, (_, row) in enumerate(frame.iterrows(), start=2):
        area = slugify(row["area"])
        if not area:
            raise DataError(f"{path}, row {number}, column area: no area; name the force or district.")
        people = _number(row["population"], where=f"{path}, row {number}, column population")
        year = _year(row["year"], where=f"{path}, row {number}, column year")
        if (area, year) in seen:
            raise DataError(f"{path}, row {number}: a second {year} population for '{area}' (first on row "
                            f"{seen[area, year]}); keep one.")
        seen[area, year] = number
        rows.append(Population(area=area, people=people, year=year, source=str(row.get("source", "")).strip()))
    if not rows:
        raise DataError(f"{path}: no rows under the header; add area,population,year rows.")
    return PopulationTable(path=str(path), rows=tuple(rows))
